/*
 * test_meeting.c: unit tests of daemon/meeting.c's pure rules, as case
 * tables: which words are meeting codes (a letter and digits, as a
 * member types them after TILMELD or FRAMELD), and how they are
 * written back.
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "meeting.h"

int
main(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: not a code */
	} cases[] = {
		{ "M1", "M1" },
		{ "m12", "M12" },
		{ "u7 tak", "U7" },		/* the code is the first word */
		{ "K2025\r\n", "K2025" },
		{ "M12345", "M12345" },		/* six characters at most */
		{ "M123456", NULL },
		{ "M", NULL },
		{ "1M", NULL },
		{ "MM1", NULL },
		{ "M1a", NULL },
		{ "Ø1", NULL },			/* a letter, but not ASCII */
		{ "", NULL },
		{ " M1", NULL },		/* the caller trims */
	};
	char	 out[16];
	size_t	 i;
	bool	 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		ok = meeting_code_ok(cases[i].in, out);
		if (cases[i].want == NULL)
			CHECK(!ok);
		else {
			CHECK(ok);
			CHECK_STR(ok ? out : NULL, cases[i].want);
		}
	}
	return check_done("test_meeting");
}
