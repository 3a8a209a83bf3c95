/*
 * mydata.c: MINE DATA / MY DATA (GDPR art. 15). Anyone may ask, member
 * or not: the address gets mydata.confirm (a code in the subject), and
 * only when that address answers does everything ffnet holds about it
 * go there, in one mail (mydata.sent): membership and its history, the
 * consent, registrations with their notes, ideas, interests, bounces
 * and the log of mails from and to it, as text and as a CSV file that
 * Danish Excel opens right. A forged From gains nothing: the data only
 * ever goes to the address it is about. The words of the text (section
 * titles as "title.<kind>", states and actions) come from the template
 * mydata.words, "key = text" per line, so the mail reads in the
 * member's language; a word it lacks is shown as it is stored.
 * Templates: mydata.confirm, mydata.sent, mydata.words, mydata.csv,
 * confirm.no.mydata. Tables: everything (read), pending, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "handler.h"
#include "members.h"
#include "util.h"

/* The words of mydata.words, parsed. */
struct mydata_words {
	char	*text;		/* the rendered body; keys point into it */
	char	*key[128], *val[128];
	size_t	 n;
};

static enum disp	 mydata_run(struct ctx *);
static enum disp	 mydata_confirmed(struct ctx *, const struct pending *);
static int		 mydata_declined(struct ctx *, const struct pending *);
static void		 mydata_words_load(struct ctx *, struct mydata_words *);
static const char	*mydata_word(const struct mydata_words *, const char *);
static const char	*mydata_field(const struct mydata_words *, int,
			    const struct member_fact *, int);
static int		 mydata_words_of(const char *);
static void		 mydata_text(struct buf *, const struct mydata_words *,
			    const struct member_fact *, size_t);
static char		*mydata_csv_dup(struct ctx *, const struct mydata_words *,
			    const struct member *, int,
			    const struct member_fact *, size_t);

static const char *const mydata_tmpls[] = {
	"mydata.confirm", "mydata.sent", "mydata.words", "mydata.csv",
	"confirm.no.mydata", NULL
};

const struct handler h_mydata = {
	.name = "mydata",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.run = mydata_run,
	.confirmed = mydata_confirmed,
	.tmpls = mydata_tmpls,
	.declined = mydata_declined,
};

/*
 * The sections of the mail, in the order store_member_facts gives
 * them, and which of a fact's fields are stored words to translate
 * (W_A, W_B, W_C); the others (subjects, titles, notes) are the
 * person's own text and stay as they are.
 */
#define W_A	1
#define W_B	2
#define W_C	4
static const struct {
	const char	*kind;
	int		 words;
} mydata_kinds[] = {
	{ "status", W_A }, { "consent", W_A }, { "confirmation", 0 },
	{ "registration", W_C }, { "idea", W_C }, { "interest", 0 },
	{ "bounce", W_C }, { "mail-in", W_B }, { "mail-out", W_B | W_C },
	{ "list", W_B | W_C }
};

static enum disp
mydata_run(struct ctx *c)
{
	return confirm_ask_sender(c, "mydata", "mydata.confirm") == 0 ?
	    D_DONE : D_TEMPFAIL;
}

static void
mydata_words_load(struct ctx *c, struct mydata_words *w)
{
	const struct tvar	 none[] = { { NULL, NULL } };
	char			*subject = NULL, *line, *next, *eq;

	memset(w, 0, sizeof(*w));
	if (tmpl_render(c->env->tmpls, c->lang, "mydata.words", none, &subject,
	    &w->text) == -1)
		w->text = NULL;
	free(subject);
	for (line = w->text; line != NULL && w->n < nitems(w->key);
	    line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		w->key[w->n] = util_trim(line);
		w->val[w->n++] = util_trim(eq + 1);
	}
}

/* The word for key in the reader's language, or key itself. */
static const char *
mydata_word(const struct mydata_words *w, const char *key)
{
	size_t	 i;

	if (key == NULL)
		return "";
	for (i = 0; i < w->n; i++)
		if (strcmp(w->key[i], key) == 0)
			return w->val[i];
	return key;
}

/* Which fields of a fact of this kind are words (W_*). */
static int
mydata_words_of(const char *kind)
{
	size_t	 k;

	for (k = 0; k < nitems(mydata_kinds); k++)
		if (strcmp(mydata_kinds[k].kind, kind) == 0)
			return mydata_kinds[k].words;
	return 0;
}

/* Field W_A, W_B or W_C of f, translated when it is a word; may be NULL. */
static const char *
mydata_field(const struct mydata_words *w, int words,
    const struct member_fact *f, int which)
{
	const char	*v;

	v = which == W_A ? f->a : which == W_B ? f->b : f->c;
	return v != NULL && (words & which) ? mydata_word(w, v) : v;
}

/*
 * One section per kind: its title, then a line per fact ("2026-11-22
 * 10:15  M3  Virksomhedsbesøg  tilmeldt"), the note on its own line.
 */
static void
mydata_text(struct buf *b, const struct mydata_words *w,
    const struct member_fact *v, size_t n)
{
	const char	*f;
	char		 when[32], title[64];
	size_t		 k, i, shown;
	int		 which;

	for (k = 0; k < nitems(mydata_kinds); k++) {
		snprintf(title, sizeof(title), "title.%s", mydata_kinds[k].kind);
		buf_adds(b, "\n");
		buf_adds(b, mydata_word(w, title));
		buf_adds(b, ":\n");
		for (i = shown = 0; i < n; i++) {
			if (strcmp(v[i].kind, mydata_kinds[k].kind) != 0)
				continue;
			members_date(v[i].at, true, when, sizeof(when));
			buf_adds(b, "  ");
			buf_adds(b, when);
			for (which = W_A; which <= W_C; which <<= 1) {
				if ((f = mydata_field(w, mydata_kinds[k].words,
				    &v[i], which)) == NULL)
					continue;
				buf_adds(b, "  ");
				buf_adds(b, f);
			}
			buf_adds(b, "\n");
			if (v[i].d != NULL && *v[i].d != '\0') {
				buf_adds(b, "    ");
				buf_adds(b, mydata_word(w, "note"));
				buf_adds(b, ": ");
				buf_adds(b, v[i].d);
				buf_adds(b, "\n");
			}
			shown++;
		}
		if (shown == 0) {
			buf_adds(b, "  ");
			buf_adds(b, mydata_word(w, "none"));
			buf_adds(b, "\n");
		}
	}
}

/* The same as rows: kind, time, what, detail, state, note. */
static char *
mydata_csv_dup(struct ctx *c, const struct mydata_words *w,
    const struct member *m, int is_member, const struct member_fact *v,
    size_t n)
{
	struct buf	 b;
	char		 when[32], title[64];
	size_t		 i;
	int		 words;

	buf_init(&b);
	cli_csv_header(&b, c->env->tmpls, c->lang, "mydata.csv");
	if (is_member) {
		members_date(m->joined, true, when, sizeof(when));
		cli_csv_field(&b, mydata_word(w, "title.member"), false);
		cli_csv_field(&b, m->joined ? when : NULL, false);
		cli_csv_field(&b, m->name, false);
		cli_csv_field(&b, m->org, false);
		cli_csv_field(&b, mydata_word(w, m->status), false);
		cli_csv_field(&b, m->lang, true);
	}
	for (i = 0; i < n; i++) {
		members_date(v[i].at, true, when, sizeof(when));
		snprintf(title, sizeof(title), "title.%s", v[i].kind);
		cli_csv_field(&b, mydata_word(w, title), false);
		cli_csv_field(&b, v[i].at ? when : NULL, false);
		words = mydata_words_of(v[i].kind);
		cli_csv_field(&b, mydata_field(w, words, &v[i], W_A), false);
		cli_csv_field(&b, mydata_field(w, words, &v[i], W_B), false);
		cli_csv_field(&b, mydata_field(w, words, &v[i], W_C), false);
		cli_csv_field(&b, v[i].d, true);
	}
	return buf_release(&b);
}

/* The address answered: everything held about it, to it. */
static enum disp
mydata_confirmed(struct ctx *c, const struct pending *p)
{
	struct mydata_words	 w;
	struct member		 m;
	struct member_fact	*v = NULL;
	struct mime_attach	 a;
	struct buf		 text;
	const struct tvar	 none[] = { { NULL, NULL } };
	char			*csv = NULL, *body = NULL, *fname = NULL;
	char			*subject = NULL, *fbody = NULL, since[32];
	size_t			 n = 0;
	int			 r;
	enum disp		 d = D_TEMPFAIL;

	memset(&m, 0, sizeof(m));
	mydata_words_load(c, &w);
	if ((r = store_member_get(c->env->st, p->addr, &m)) == -1 ||
	    store_member_facts(c->env->st, p->addr, &v, &n) == -1)
		goto out;
	buf_init(&text);
	mydata_text(&text, &w, v, n);
	body = buf_release(&text);
	csv = mydata_csv_dup(c, &w, &m, r, v, n);
	if (tmpl_render(c->env->tmpls, c->lang, "mydata.csv", none, &subject,
	    &fbody) == 0 && *util_trim(subject) != '\0')
		fname = xasprintf("%s.csv", util_trim(subject));
	else
		fname = xstrdup("data.csv");
	members_date(m.joined, false, since, sizeof(since));
	{
		const struct tvar vv[] = { { "name", m.name ? m.name : "" },
		    { "org", m.org ? m.org : "" },
		    { "status", mydata_word(&w, r ? m.status : "nonmember") },
		    { "since", r ? since : "" }, { "email", p->addr },
		    { "data", body }, { "file", fname }, { NULL, NULL } };

		a.type = "text/csv; charset=UTF-8";
		a.filename = fname;
		a.data = csv;
		a.len = strlen(csv);
		if (reply_queue_attach(c, "mydata.sent", vv, &a, 1, NULL) == -1 ||
		    store_audit(c->env->st, p->addr, "mydata-sent", NULL,
		    c->now) == -1)
			goto out;
	}
	d = D_DONE;
 out:
	member_clear(&m);
	member_facts_free(v, n);
	free(w.text);
	free(body);
	free(csv);
	free(fname);
	free(subject);
	free(fbody);
	return d;
}

/* "Vi har ikke sendt noget". */
static int
mydata_declined(struct ctx *c, const struct pending *p)
{
	return confirm_no_send(c, p, "confirm.no.mydata", NULL, "", NULL,
	    NULL);
}
