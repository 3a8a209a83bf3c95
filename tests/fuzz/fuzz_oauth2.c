/*
 * fuzz_oauth2.c: libFuzzer target for the token endpoint's answer
 * (oauth2_answer_parse(), over jansson): whatever the
 * network sends must parse or be refused, never crash or read past len.
 * The input is copied to a buffer of exactly len bytes, no NUL after.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct oauth2_answer	 a;
	char			*buf, *v = NULL;

	if ((buf = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data, len);
	if (oauth2_answer_parse(buf, len, &a) == 0)
		oauth2_answer_clear(&a);
	if (oauth2_json_get(buf, len, "error_codes", &v) == 0)
		free(v);
	free(buf);
	return 0;
}
