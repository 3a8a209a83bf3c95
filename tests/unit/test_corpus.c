/*
 * test_corpus.c: every real-world message in the corpus directories
 * (FFNET_CORPUS, space-separated; default tests/corpus) goes through
 * parsing and recognition without a crash or a hang, with valid UTF-8
 * out; no bounce or auto-reply is ever taken as a command. Run under
 * valgrind by make check for leaks and invalid accesses.
 */
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "handler.h"
#include "mime.h"
#include "recog.h"
#include "testlib.h"
#include "util.h"

static size_t	nfiles, nunparsed, nbounce, nbounce_ok, nauto, nauto_ok;

static int
visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct recog		 r;
	char			*raw;
	size_t			 len;
	bool			 bounce, autorep;

	(void)sb;
	(void)ftw;
	if (type != FTW_F || strstr(path, "MANIFEST") || strstr(path,
	    "README"))
		return 0;
	if ((raw = t_slurp(path, &len)) == NULL) {
		CHECK(!"unreadable corpus file");
		return 0;
	}
	nfiles++;
	alarm(20);	/* a hang is a failure */
	mime_limits_default(&lim);
	if (mime_parse(raw, len, &lim, &m) == -1) {
		nunparsed++;
		free(raw);
		return 0;
	}
	CHECK(util_is_utf8(m.subject, strlen(m.subject)));
	CHECK(util_is_utf8(m.text, strlen(m.text)));
	recog_classify(&m, "flerefaglaerte@slagelse.dk", 200, &r);
	bounce = strstr(path, "/bounces/") != NULL;
	autorep = strstr(path, "/autoreplies/") != NULL;
	if (bounce || autorep) {
		if (r.kind == R_COMMAND || r.kind == R_NEAR)
			fprintf(stderr, "FAIL: would answer %s\n", path);
		CHECK(r.kind != R_COMMAND && r.kind != R_NEAR);
	}
	if (bounce) {
		nbounce++;
		nbounce_ok += r.kind == R_BOUNCE;
		if (r.kind != R_BOUNCE)
			fprintf(stderr, "note: not seen as a bounce (%s): %s\n",
			    r.why ? r.why : "-", path);
	}
	if (autorep) {
		/* a challenge dressed as a DSN counts as a bounce, no more */
		CHECK(r.kind != R_BOUNCE || m.report_type != NULL);
		nauto++;
		nauto_ok += r.kind == R_AUTO;
		if (r.kind != R_AUTO)
			fprintf(stderr, "note: not seen as automatic (%d): %s\n",
			    r.kind, path);
	}
	alarm(0);
	recog_clear(&r);
	msg_clear(&m);
	free(raw);
	return 0;
}

int
main(void)
{
	const char	*env = getenv("FFNET_CORPUS");
	char		*dirs, *d, *save = NULL;

	dirs = xstrdup(env && *env ? env : "tests/corpus");
	for (d = strtok_r(dirs, " ", &save); d; d = strtok_r(NULL, " ", &save))
		CHECK(nftw(d, visit, 16, FTW_PHYS) == 0);
	free(dirs);
	printf("corpus: %zu files, %zu not mail at all; bounces %zu/%zu "
	    "recognised, auto-replies %zu/%zu\n", nfiles, nunparsed,
	    nbounce_ok, nbounce, nauto_ok, nauto);
	CHECK(nfiles >= 300);
	/*
	 * None is answered (checked per file above). Nearly every bounce is
	 * recognised as one; the few that are not are spam or challenges
	 * filed as bounces upstream, left alone as a person's mail.
	 */
	CHECK(nbounce_ok * 100 >= nbounce * 95);
	CHECK(nauto_ok * 100 >= nauto * 85);
	return check_done("test_corpus");
}
