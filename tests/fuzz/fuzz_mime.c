/*
 * fuzz_mime.c: libFuzzer entry point for lib/mime_parse.c. Feeds the bytes
 * to mime_parse() with the default caps, and to the header decoder and
 * the HTML converter, which see message content too. Build and run:
 * clang -fsanitize=fuzzer,address,undefined -Ilib tests/fuzz/fuzz_mime.c
 * lib/mime_*.c lib/charset.c lib/html.c lib/util.c lib/log.c -letpan -lunistring;
 * ./a.out -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits	 lim;
	struct msg		 m;
	char			*s, *t;

	mime_limits_default(&lim);
	if (mime_parse((const char *)data, size, &lim, &m) == 0) {
		if (!util_is_utf8(m.subject, strlen(m.subject)) ||
		    !util_is_utf8(m.text, strlen(m.text)))
			abort();
		msg_clear(&m);
	}
	/* A header value is a C string: stop at the first NUL. */
	s = xstrndup((const char *)data, size);
	t = mime_decode_header_dup(s);
	if (!util_is_utf8(t, strlen(t)))
		abort();
	free(t);
	t = mime_html_to_text_dup(s, strlen(s));
	if (!util_is_utf8(t, strlen(t)))
		abort();
	free(t);
	free(s);
	return 0;
}
