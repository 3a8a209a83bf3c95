/*
 * latest.c: SENESTE [dagsorden|referat] / LATEST [agenda|minutes].
 * Members only. Sends the member the newest agenda or minutes (without
 * a word: the newest of the two) from the archive: the text as it went
 * out, with its files. Any other word after SENESTE is a person's mail
 * ("Seneste nyt fra os"). Templates: latest.sent, latest.none, latest.usage.
 * Tables: posts (read), outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ical.h"
#include "util.h"

#define LATEST_SCAN	200	/* posts looked through, newest first */
#define LATEST_FILES	32

static int		 latest_check(struct ctx *);
static enum disp	 latest_run(struct ctx *);

static const char *const latest_tmpls[] = {
	"latest.sent", "latest.none", "latest.usage", NULL
};

const struct handler h_latest = {
	.name = "latest",
	.who = WHO_MEMBER,
	.args = ARGS_OPTIONAL,
	.check = latest_check,
	.run = latest_run,
	.tmpls = latest_tmpls,
};

/* The kind asked for: "agenda", "minutes", NULL for either; -1: not ours. */
static int
latest_kind(const char *args, const char **kind)
{
	char	*w;
	int	 rc = 0;

	*kind = NULL;
	if (args == NULL || *args == '\0')
		return 0;
	w = util_fold_dup(args);
	if (strcmp(w, "dagsorden") == 0 || strcmp(w, "agenda") == 0)
		*kind = "agenda";
	else if (strcmp(w, "referat") == 0 || strcmp(w, "minutes") == 0)
		*kind = "minutes";
	else
		rc = -1;
	free(w);
	return rc;
}

static int
latest_check(struct ctx *c)
{
	const char	*kind;

	return latest_kind(c->args, &kind) == 0 ? 0 : 1;
}

/* The newest agenda or minutes that went out; 1 found (p filled), 0 none. */
static int
latest_find(struct ctx *c, const char *kind, struct post *p)
{
	struct post	*v = NULL;
	size_t		 n = 0, i;
	int		 r = 0;

	if (store_post_list(c->env->st, LATEST_SCAN, &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].state, "preview") == 0 ||
		    (strcmp(v[i].kind, "agenda") != 0 &&
		    strcmp(v[i].kind, "minutes") != 0) ||
		    (kind != NULL && strcmp(v[i].kind, kind) != 0))
			continue;
		r = store_post_get(c->env->st, v[i].id, true, p);
		break;
	}
	posts_free(v, n);
	return r;
}

static enum disp
latest_run(struct ctx *c)
{
	struct post		 p;
	struct msg		 m;
	struct mime_limits	 lim;
	struct mime_attach	 a[LATEST_FILES];
	const char		*kind;
	char			*when = NULL;
	size_t			 i, na = 0;
	int			 r;
	enum disp		 d = D_TEMPFAIL;

	memset(&p, 0, sizeof(p));
	memset(&m, 0, sizeof(m));
	latest_kind(c->args, &kind);
	if ((r = latest_find(c, kind, &p)) == -1)
		goto out;
	if (r == 0) {
		const struct tvar v[] = { { "kind", kind ? kind : "" },
		    { NULL, NULL } };

		d = reply_queue(c, "latest.none", v, NULL) == 0 ? D_DONE :
		    D_TEMPFAIL;
		goto out;
	}
	/* the files, as they went out in the shared message */
	mime_limits_default(&lim);
	if (p.data != NULL && mime_parse(p.data, p.len, &lim, &m) == 0)
		for (i = 0; i < m.nparts && na < LATEST_FILES; i++) {
			if (m.parts[i].filename == NULL)
				continue;
			a[na].type = m.parts[i].type;
			a[na].filename = m.parts[i].filename;
			a[na].data = m.parts[i].data;
			a[na].len = m.parts[i].len;
			na++;
		}
	when = ical_when_dup(c->env->conf->timezone,
	    p.finished ? p.finished : p.created, c->lang, false);
	{
		const struct tvar v[] = { { "kind", p.kind },
		    { "subject", p.subject }, { "date", when },
		    { "text", p.body ? p.body : "" }, { NULL, NULL } };

		if (reply_queue_attach(c, "latest.sent", v, na ? a : NULL, na,
		    NULL) == 0)
			d = D_DONE;
	}
 out:
	free(when);
	msg_clear(&m);
	post_clear(&p);
	return d;
}
