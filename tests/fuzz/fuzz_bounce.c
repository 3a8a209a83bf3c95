/*
 * fuzz_bounce.c: libFuzzer entry point for lib/bounce.c: any bytes as
 * a message go through mime_parse() and bounce_parse(), as every mail
 * that may be a bounce or a DSN does, and bounce_orig_ids(). Built and
 * run by `make fuzz`, seeded with tests/corpus (bounces included).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bounce.h"
#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct bounce		 b;
	char			*ids[8];
	size_t			 n, i;

	mime_limits_default(&lim);
	if (mime_parse((const char *)data, size, &lim, &m) == -1)
		return 0;
	if (bounce_parse(&m, &b) == 0)
		bounce_clear(&b);
	n = bounce_orig_ids(&m, ids, 8);
	for (i = 0; i < n; i++)
		free(ids[i]);
	msg_clear(&m);
	return 0;
}
