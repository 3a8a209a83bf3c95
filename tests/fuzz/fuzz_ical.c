/*
 * fuzz_ical.c: libFuzzer entry point for lib/ical.c. Feeds the bytes
 * to ical_parse(), which reads calendar parts of incoming mail, checks
 * what it promises about a parsed reply, and feeds the first line to
 * ical_local_to_utc(), which reads times typed by the secretariat.
 * Build and run: clang -fsanitize=fuzzer,address,undefined -Ilib
 * tests/fuzz/fuzz_ical.c lib/ical.c lib/util.c lib/log.c -lical -lunistring
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "util.h"

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fuzz_ical_check(const struct ical_reply *);

/* Upper-case method and partstat; lower-case attendee without mailto:. */
static void
fuzz_ical_check(const struct ical_reply *r)
{
	const char	*p;

	if (r->uid == NULL || *r->uid == '\0' || r->sequence < 0)
		abort();
	for (p = r->method; p != NULL && *p; p++)
		if (islower((unsigned char)*p))
			abort();
	for (p = r->partstat; p != NULL && *p; p++)
		if (islower((unsigned char)*p))
			abort();
	if (r->attendee != NULL && (!util_is_addr(r->attendee) ||
	    strncasecmp(r->attendee, "mailto:", 7) == 0))
		abort();
	for (p = r->attendee; p != NULL && *p; p++)
		if (isupper((unsigned char)*p))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ical_reply	 r;
	char			*s;
	time_t			 t;

	if (ical_parse((const char *)data, size, &r) == 0) {
		fuzz_ical_check(&r);
		ical_reply_clear(&r);
	} else if (r.uid != NULL || r.method != NULL || r.attendee != NULL ||
	    r.partstat != NULL)
		abort();
	s = xstrndup((const char *)data, size < 64 ? size : 64);
	s[strcspn(s, "\r\n")] = '\0';
	if (ical_local_to_utc("Europe/Copenhagen", s, &t) == 0)
		free(ical_when_dup("Europe/Copenhagen", t, "da", false));
	free(s);
	return 0;
}
