/*
 * idea.c: Markedspladsen, where members bring ideas and find partners.
 *   IDÉ <titel> / IDEA <title>: the body is the idea; lines "tema: 1|2|3"
 *     and "søger: …" (seeking) are read out. Members. Answers with the
 *     idea's number (idea.thanks); it goes on the next meeting's agenda.
 *   IDÉER / IDEAS: the open ideas (ideas.list, ideas.item, ideas.none).
 *   INTERESSE <nr> / INTEREST <nr>: the author and the interested member
 *     each get one mail introducing them (interest.intro); nobody else's
 *     address is shown. Members.
 *   IDÉ LUK <nr> / IDEA CLOSE <no>: the secretariat closes an idea; it
 *     leaves IDÉER and the next agendas (proof or confirmation, as the
 *     other secretariat acts: secretariat_ask).
 * Tables: ideas, interests, meetings (read), members (read), audit,
 * pending, outbox.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ical.h"
#include "listmail.h"
#include "util.h"

static enum disp	 idea_run(struct ctx *);
static enum disp	 ideas_run(struct ctx *);
static int		 interest_check(struct ctx *);
static enum disp	 interest_run(struct ctx *);
static int		 ideaclose_check(struct ctx *);
static enum disp	 ideaclose_run(struct ctx *);
static enum disp	 ideaclose_confirmed(struct ctx *,
			    const struct pending *);

static const char *const ideaclose_tmpls[] = {
	"meeting.confirm", "idea.closed", "ideaclose.usage",
	"interest.unknown", "confirm.no.meeting", NULL
};

static const char *const idea_tmpls[] = {
	"idea.usage", "idea.thanks", "idea.thanks.later", NULL
};
static const char *const ideas_tmpls[] = {
	"ideas.list", "ideas.item", "ideas.none", NULL
};
static const char *const interest_tmpls[] = {
	"interest.usage", "interest.to_author", "interest.to_member",
	"interest.unknown", "interest.own", "interest.already", NULL
};

const struct handler h_idea = {
	.name = "idea",
	.who = WHO_MEMBER,
	.args = ARGS_REQUIRED,
	.run = idea_run,
	.tmpls = idea_tmpls,
};
const struct handler h_ideas = {
	.name = "ideas",
	.who = WHO_MEMBER,
	.args = ARGS_NONE,
	.run = ideas_run,
	.tmpls = ideas_tmpls,
};
const struct handler h_interest = {
	.name = "interest",
	.who = WHO_MEMBER,
	.args = ARGS_REQUIRED,
	.check = interest_check,
	.run = interest_run,
	.tmpls = interest_tmpls,
};

/* IDÉ LUK <nr> / IDEA CLOSE <no>: the secretariat closes an idea. */
const struct handler h_ideaclose = {
	.name = "ideaclose",
	.who = WHO_SECRETARIAT,
	.args = ARGS_REQUIRED,
	.check = ideaclose_check,
	.run = ideaclose_run,
	.confirmed = ideaclose_confirmed,
	.tmpls = ideaclose_tmpls,
};

/* Splits the body into the idea's text, its theme and what it seeks. */
static void
idea_body(const char *rest, struct idea *i)
{
	struct buf	 b;
	char		*copy, *line, *save = NULL, *colon, *key;
	const char	*errstr;

	buf_init(&b);
	copy = xstrdup(rest ? rest : "");
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) != NULL) {
			*colon = '\0';
			key = util_fold_dup(util_trim(line));
			if (strcmp(key, "tema") == 0 || strcmp(key, "theme") == 0)
				i->theme = (int)util_strtonum(util_trim(colon +
				    1), 1, 3, &errstr);
			else if (strcmp(key, "soeger") == 0 ||
			    strcmp(key, "seeking") == 0) {
				free(i->seeking);
				i->seeking = xstrdup(util_trim(colon + 1));
			} else
				*colon = ':';
			free(key);
			if (*colon != ':')
				continue;
		}
		buf_adds(&b, line);
		buf_addc(&b, '\n');
	}
	free(copy);
	i->body = util_trim(buf_release(&b));
}

/* "M3 Netværksmøde … (torsdag den …)", or NULL when none is planned. */
static char *
idea_next_meeting(struct ctx *c)
{
	struct meeting	*v = NULL;
	size_t		 n = 0, k;
	char		*s = NULL, *when;

	if (store_meeting_list(c->env->st, c->now, &v, &n) == -1)
		return NULL;
	for (k = 0; k < n && s == NULL; k++) {
		if (strcmp(v[k].kind, "meeting") != 0 || v[k].start <= c->now ||
		    strcmp(v[k].status, "planned") != 0)
			continue;
		when = ical_when_dup(
		    c->env->conf->timezone, v[k].start, c->lang, false);
		s = xasprintf("%s %s (%s)", v[k].code, v[k].title, when);
		free(when);
	}
	meetings_free(v, n);
	return s;
}

static enum disp
idea_run(struct ctx *c)
{
	struct idea	 i;
	char		 num[24], *next = NULL;
	int64_t		 id;
	enum disp	 d = D_TEMPFAIL;

	memset(&i, 0, sizeof(i));
	i.author = xstrdup(c->sender);
	i.title = xstrdup(c->args);
	idea_body(c->rest, &i);
	if (store_idea_add(c->env->st, &i, c->now, &id) == -1 ||
	    store_audit(c->env->st, c->sender, "idea", i.title, c->now) == -1)
		goto out;
	snprintf(num, sizeof(num), "%lld", (long long)id);
	next = idea_next_meeting(c);
	{
		const struct tvar v[] = { { "number", num },
		    { "title", i.title }, { "meeting", next ? next : "" },
		    { NULL, NULL } };

		if (reply_queue(c, next ? "idea.thanks" : "idea.thanks.later",
		    v, NULL) == 0)
			d = D_DONE;
	}
 out:
	free(next);
	idea_clear(&i);
	return d;
}

static enum disp
ideas_run(struct ctx *c)
{
	struct idea	*v = NULL;
	char		*list = NULL;
	size_t		 n = 0;
	enum disp	 d = D_TEMPFAIL;

	if (store_idea_list(c->env->st, true, &v, &n) == -1)
		goto out;
	list =
	    listmail_ideas_text_dup(c->env->st, c->env->tmpls, c->lang, v, n);
	{
		const struct tvar v2[] = { { "list", list }, { NULL, NULL } };

		if (reply_queue(c, n ? "ideas.list" : "ideas.none", v2,
		    NULL) == 0)
			d = D_DONE;
	}
 out:
	free(list);
	ideas_free(v, n);
	return d;
}

/* "INTERESSE for alvor" is a sentence; a number is a command. */
static int
interest_check(struct ctx *c)
{
	const char	*p = c->args;

	while (isdigit((unsigned char)*p))
		p++;
	return p != c->args && (*p == '\0' || isspace((unsigned char)*p)) ?
	    0 : 1;
}

/* One mail to one of the two, introducing the other. */
static int
interest_mail(struct ctx *c, const char *to, const char *lang,
    const struct idea *i, const struct member *other, const char *role)
{
	struct outmail	 o;
	char		 num[24];
	const struct tvar v[] = { { "number", num }, { "title", i->title },
	    { "role", role }, { "name", other->name ? other->name : "" },
	    { "org", other->org ? other->org : "" }, { "who", other->addr },
	    { NULL, NULL } };

	snprintf(num, sizeof(num), "%lld", (long long)i->id);
	memset(&o, 0, sizeof(o));
	o.to = to;
	o.lang = lang;
	o.tmpl = strcmp(role, "author") == 0 ? "interest.to_author" :
	    "interest.to_member";
	o.vars = v;
	o.thread = strcmp(role, "author") == 0 ? NULL : c->m;
	o.kind = "notice";
	return compose_mail(c->env, &o, c->now, NULL);
}

static enum disp
interest_run(struct ctx *c)
{
	struct idea	 i;
	struct member	 author;
	const char	*err = NULL;
	int64_t		 id;
	int		 r;
	enum disp	 d = D_TEMPFAIL;

	memset(&author, 0, sizeof(author));
	id = strtoll(c->args, NULL, 10);
	if ((r = store_idea_get(c->env->st, id, &i)) == -1)
		goto out;
	if (r == 0 || strcmp(i.status, "open") != 0)
		err = "interest.unknown";
	else if (util_addr_eq(i.author, c->sender))
		err = "interest.own";
	else if ((r = store_member_get(c->env->st, i.author, &author)) == -1)
		goto out;
	else if (r == 0)
		err = "interest.unknown";	/* the author has left */
	else if ((r = store_interest_add(c->env->st, id, c->sender, c->now)) ==
	    -1)
		goto out;
	else if (r == 0)
		err = "interest.already";
	if (err != NULL) {
		const struct tvar v[] = { { "number", c->args },
		    { NULL, NULL } };

		d = reply_queue(c, err, v, NULL) == 0 ? D_REJECT : D_TEMPFAIL;
		goto out;
	}
	/* each gets one mail about the other; no one else's address */
	if (interest_mail(c, author.addr, author.lang, &i, c->member,
	    "author") == -1 ||
	    interest_mail(c, c->sender, c->lang, &i, &author, "member") == -1 ||
	    store_audit(c->env->st, c->sender, "interest", i.title,
	    c->now) == -1)
		goto out;
	d = D_DONE;
 out:
	member_clear(&author);
	idea_clear(&i);
	return d;
}

/* Closes an idea: it leaves IDÉER and the next agendas. */
static enum disp
ideaclose_do(struct ctx *c, const char *num)
{
	struct idea	 i;
	const char	*errstr;
	int64_t		 id;
	int		 r;
	enum disp	 d = D_TEMPFAIL;

	memset(&i, 0, sizeof(i));
	id = util_strtonum(num, 1, INT64_MAX, &errstr);
	if ((r = store_idea_get(c->env->st, errstr ? 0 : id, &i)) == -1)
		goto out;
	{
		const struct tvar v[] = { { "number", num },
		    { "title", r ? i.title : "" }, { NULL, NULL } };

		if (r == 0)
			d = reply_queue(c, "interest.unknown", v, NULL) == 0 ?
			    D_REJECT : D_TEMPFAIL;
		else if (store_idea_close(c->env->st, id) == 0 &&
		    store_audit(c->env->st, c->sender, "idea-closed", i.title,
		    c->now) == 0 && reply_queue(c, "idea.closed", v, NULL) == 0)
			d = D_DONE;
	}
 out:
	idea_clear(&i);
	return d;
}

/* "IDÉ LUK for nu" is a sentence; a number is a command. */
static int
ideaclose_check(struct ctx *c)
{
	const char	*errstr;
	char		*n = xstrndup(c->args, strcspn(c->args, " \t"));

	util_strtonum(n, 1, INT64_MAX, &errstr);
	free(n);
	return errstr == NULL ? 0 : 1;
}

static enum disp
ideaclose_run(struct ctx *c)
{
	char	*n = xstrndup(c->args, strcspn(c->args, " \t")), *title;
	enum disp d;

	title = xasprintf("IDÉ LUK %s / IDEA CLOSE %s", n, n);
	d = secretariat_ask(c, &h_ideaclose, n, title);
	free(title);
	free(n);
	return d;
}

static enum disp
ideaclose_confirmed(struct ctx *c, const struct pending *p)
{
	const char	*num, *fields;
	char		*buf;
	enum disp	 d;

	if (!secretariat_args(c, p, &buf, &num, &fields))
		return D_PARK;
	d = ideaclose_do(c, num);
	free(buf);
	return d;
}
