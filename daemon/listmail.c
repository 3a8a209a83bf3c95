/*
 * listmail.c: list mail (see listmail.h). The shared message carries
 * everything that is the same for every recipient: From = the secretariat sender's
 * name via the network (the network's own address, so that a strict
 * DMARC domain of the sender does not get the copies refused), Reply-To
 * = the sender, To = the network, List-Id, List-Post, List-Help and
 * Precedence: list. Only List-Unsubscribe and the Message-ID are
 * personal; the return path is the network address with the copy's
 * bounce token ([list] verp), and the Message-ID carries that token too,
 * so that a bounce still names the copy where the submission server
 * rewrites the envelope sender (Exchange Online).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "log.h"
#include "listmail.h"
#include "util.h"

static char	*listmail_list_id_dup(const struct conf *);

/* RFC 2919: "Name <local.domain>". */
static char *
listmail_list_id_dup(const struct conf *conf)
{
	char	*id, *at, *name, *s;

	id = xstrdup(conf->address);
	if ((at = strchr(id, '@')) != NULL)
		*at = '.';
	name = mime_encode_header_dup(conf->name);
	s = xasprintf("List-Id: %s <%s>", name, id);
	free(name);
	free(id);
	return s;
}

int
listmail_create(struct store *st, const struct conf *conf,
    const struct listmail_in *in, const char *state, time_t now, int64_t *id)
{
	struct mime_out	 out;
	struct post	 p;
	struct buf	 files;
	const char	*extra[8];
	char		*from_name, *listid, *post, *help, *loop;
	char		*msgid, *data = NULL;
	size_t		 len = 0, i;
	int		 rc = -1;

	from_name = xasprintf("%s via %s", in->sender_name &&
	    *in->sender_name ? in->sender_name : in->sender, conf->name);
	listid = listmail_list_id_dup(conf);
	post = xasprintf("List-Post: <mailto:%s>", conf->address);
	help = xasprintf("List-Help: <mailto:%s?subject=HJAELP>",
	    conf->address);
	loop = xasprintf("X-Loop: %s", conf->address);
	msgid = compose_msgid_dup(conf);
	extra[0] = listid;
	extra[1] = post;
	extra[2] = help;
	extra[3] = "Precedence: list";
	extra[4] = loop;
	/* out-of-office notices are no use to anyone on a list */
	extra[5] = MIME_SUPPRESS;
	extra[6] = NULL;
	memset(&out, 0, sizeof(out));
	out.from_name = from_name;
	out.from_addr = conf->address;
	out.reply_to = in->sender;
	out.to_name = conf->name;
	out.to_addr = conf->address;
	out.subject = in->subject;
	out.message_id = NULL;	/* each copy has its own */
	out.language = conf->language;
	out.extra_headers = extra;
	out.date = now;
	out.text = in->text;
	out.attach = in->attach;
	out.nattach = in->nattach;
	if ((data = mime_build(&out, &len)) == NULL) {
		log_warnx("list mail from %s: cannot build it", in->sender);
		goto out;
	}
	buf_init(&files);
	for (i = 0; i < in->nattach; i++) {
		buf_adds(&files, in->attach[i].filename ?
		    in->attach[i].filename : in->attach[i].type);
		buf_addc(&files, '\n');
	}
	memset(&p, 0, sizeof(p));
	p.kind = xstrdup(in->kind);
	p.meeting = in->meeting;
	p.sender = xstrdup(in->sender);
	p.sender_name = in->sender_name ? xstrdup(in->sender_name) : NULL;
	p.subject = xstrdup(in->subject);
	p.body = xstrdup(in->text);
	p.files = files.len ? buf_release(&files) : NULL;
	p.msgid = msgid;
	p.data = data;
	p.len = len;
	p.state = xstrdup(state);
	msgid = data = NULL;
	rc = store_post_add(st, &p, now, id);
	buf_clear(&files);
	post_clear(&p);
 out:
	free(from_name);
	free(listid);
	free(post);
	free(help);
	free(loop);
	free(msgid);
	free(data);
	return rc;
}

char *
listmail_tag_addr_dup(const struct conf *conf, char tag, const char *token)
{
	const char	*at = strrchr(conf->address, '@');

	if (at == NULL)
		return xasprintf("%s+%c-%s", conf->address, tag, token);
	return xasprintf("%.*s+%c-%s%s", (int)(at - conf->address),
	    conf->address, tag, token, at);
}

/* The n characters at p as a token in out: hex digits, lower case. */
static bool
listmail_token_copy(const char *p, size_t n, char out[LISTMAIL_TOKEN_MAX + 1])
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)p[i])) {
			out[0] = '\0';
			return false;
		}
		out[i] = (char)tolower((unsigned char)p[i]);
	}
	out[n] = '\0';
	return true;
}

bool
listmail_tag_find(const struct conf *conf, const char *addr, char tag,
    char out[LISTMAIL_TOKEN_MAX + 1])
{
	const char	*at = strrchr(conf->address, '@'), *a, *p, *e;
	size_t		 local, n;

	out[0] = '\0';
	if (addr == NULL || at == NULL)
		return false;
	local = (size_t)(at - conf->address);
	if ((a = strchr(addr, '<')) != NULL)
		addr = a + 1;
	if (strncasecmp(addr, conf->address, local) != 0 ||
	    addr[local] != '+' || tolower((unsigned char)addr[local + 1]) !=
	    tag || addr[local + 2] != '-')
		return false;
	p = addr + local + 3;
	if ((e = strchr(p, '@')) == NULL || strncasecmp(e, at,
	    strlen(at)) != 0)
		return false;
	if ((n = (size_t)(e - p)) == 0 || n > LISTMAIL_TOKEN_MAX)
		return false;
	return listmail_token_copy(p, n, out);
}

char *
listmail_copy_msgid_dup(const struct conf *conf, int64_t post, const char *token)
{
	const char	*at = strrchr(conf->address, '@');

	return xasprintf("ffnet.b-%s.%lld@%s", token, (long long)post,
	    at ? at + 1 : "localhost");
}

bool
listmail_msgid_token(const struct conf *conf, const char *msgid,
    char out[LISTMAIL_TOKEN_MAX + 1])
{
	const char	*at = strrchr(conf->address, '@'), *p, *e, *d;
	size_t		 n;

	out[0] = '\0';
	if (msgid == NULL || at == NULL)
		return false;
	if (*msgid == '<')
		msgid++;
	if (strncasecmp(msgid, "ffnet.b-", 8) != 0)
		return false;
	p = msgid + 8;
	if ((e = strchr(p, '.')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > LISTMAIL_TOKEN_MAX)
		return false;
	/* the rest must be ".<post>@<our domain>" */
	for (d = e + 1; isdigit((unsigned char)*d); d++)
		;
	if (d == e + 1 || *d != '@' || strncasecmp(d + 1, at + 1,
	    strlen(at + 1)) != 0 || (d[1 + strlen(at + 1)] != '\0' &&
	    d[1 + strlen(at + 1)] != '>'))
		return false;
	return listmail_token_copy(p, n, out);
}

bool
listmail_data_has_msgid(const struct post *p)
{
	const char	*s = p->data, *end = p->data + p->len;

	/* posts stored before copies had their own Message-ID */
	while (s != NULL && s < end && *s != '\r' && *s != '\n') {
		if (strncasecmp(s, "Message-ID:", 11) == 0)
			return true;
		if ((s = memchr(s, '\n', (size_t)(end - s))) != NULL)
			s++;
	}
	return false;
}

char *
listmail_copy_head_dup(const struct conf *conf, const struct post_rcpt *r,
    bool msgid)
{
	char	*mailto, *id = NULL, *s, *t;

	if (msgid)
		id = listmail_copy_msgid_dup(conf, r->post, r->token);
	if (r->unsub == NULL)
		s = xstrdup("");
	else {
		mailto = listmail_tag_addr_dup(conf, 'u', r->unsub);
		/* RFC 8058: the https form, and the POST for one click */
		if (conf->unsubscribe_url != NULL)
			s = xasprintf("List-Unsubscribe: "
			    "<mailto:%s?subject=AFMELD>,\r\n <%s%st=%s>\r\n"
			    "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
			    "\r\n", mailto, conf->unsubscribe_url,
			    strchr(conf->unsubscribe_url, '?') ? "&" : "?",
			    r->unsub);
		else
			s = xasprintf("List-Unsubscribe: "
			    "<mailto:%s?subject=AFMELD>\r\n", mailto);
		free(mailto);
	}
	if (id == NULL)
		return s;
	t = xasprintf("Message-ID: <%s>\r\n%s", id, s);
	free(id);
	free(s);
	return t;
}

int
listmail_meeting_ideas(struct store *st, const struct meeting *m,
    struct idea **v, size_t *n)
{
	struct meeting	*ms = NULL;
	struct idea	*all = NULL;
	size_t		 nm = 0, na = 0, k;
	time_t		 after = 0;
	int		 rc = -1;

	*v = NULL;
	*n = 0;
	if (store_meeting_list(st, 0, &ms, &nm) == -1 ||
	    store_idea_list(st, true, &all, &na) == -1)
		goto out;
	for (k = 0; k < nm; k++)
		if (strcmp(ms[k].kind, "meeting") == 0 &&
		    strcmp(ms[k].status, "planned") == 0 &&
		    ms[k].start < m->start && ms[k].start > after)
			after = ms[k].start;
	for (k = 0; k < na; k++) {
		if (all[k].created <= after || all[k].created >= m->start) {
			idea_clear(&all[k]);
			continue;
		}
		(*v) = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = all[k];
	}
	rc = 0;
 out:
	free(all);
	meetings_free(ms, nm);
	return rc;
}

char *
listmail_ideas_text_dup(struct store *st, const struct tmpls *t, const char *lang,
    const struct idea *v, size_t n)
{
	struct member	 a;
	struct buf	 b;
	char		*subject, *body, num[24], theme[4];
	size_t		 k;

	buf_init(&b);
	for (k = 0; k < n; k++) {
		if (store_member_get(st, v[k].author, &a) == -1)
			memset(&a, 0, sizeof(a));
		snprintf(num, sizeof(num), "%lld", (long long)v[k].id);
		snprintf(theme, sizeof(theme), "%d", v[k].theme);
		{
			const struct tvar iv[] = { { "number", num },
			    { "title", v[k].title }, { "theme",
			    v[k].theme ? theme : "-" }, { "org", a.org ? a.org :
			    "-" }, { "seeking", v[k].seeking ? v[k].seeking :
			    "-" }, { NULL, NULL } };

			if (tmpl_render(t, lang, "ideas.item", iv, &subject,
			    &body) == 0) {
				buf_adds(&b, util_trim(body));
				buf_adds(&b, "\n\n");
				free(subject);
				free(body);
			}
		}
		member_clear(&a);
	}
	return util_trim(buf_release(&b));
}
