/*
 * selftest.c: ffnet check --connect --send-test. Sends one mail from
 * the network to its own "+selftest" address with a VERP return path,
 * looks for it over IMAP in the mailbox and in the Junk folder, and
 * says in plain words whether plus addressing delivered it, where it
 * landed and whether the envelope sender kept its token; then moves it
 * to the done folder (ffnet's own mail: nothing is deleted). main.c
 * calls selftest_run() after probe_run(); it owns its sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "imap.h"
#include "log.h"
#include "mime.h"
#include "listmail.h"
#include "probe.h"
#include "selftest.h"
#include "smtp.h"
#include "tmpl.h"
#include "util.h"

#define SELFTEST_MAX	(256 * 1024)	/* bytes of it read back */

static int	selftest_send(const struct conf *, const char *,
		    const char *, const char *, size_t);
static int	selftest_find(const struct conf *, struct imap *,
		    const char *, const char **, uint32_t *);
static int	selftest_return_path(const struct conf *, struct imap *,
		    uint32_t, const char *);

char *
selftest_addr_dup(const struct conf *c)
{
	const char	*at = strrchr(c->address, '@');

	if (at == NULL)
		return xasprintf("%s+selftest", c->address);
	return xasprintf("%.*s+selftest%s", (int)(at - c->address),
	    c->address, at);
}

char *
selftest_mail_dup(const struct conf *c, const struct tmpls *t,
    const char *msgid, time_t now, size_t *len)
{
	struct mime_out	 out;
	const char	*extra[2];
	char		*subject = NULL, *body = NULL, *rcpt, *loop, *data;
	const struct tvar v[] = { { "folder", c->done_folder },
	    { "network", c->name }, { NULL, NULL } };

	*len = 0;
	if (tmpl_render(t, c->language, "selftest", v, &subject, &body) == -1)
		return NULL;
	rcpt = selftest_addr_dup(c);
	loop = xasprintf("X-Loop: %s", c->address);
	extra[0] = loop;
	extra[1] = NULL;
	memset(&out, 0, sizeof(out));
	out.from_name = c->name;
	out.from_addr = c->address;	/* recog.c: R_SELF, never answered */
	out.to_name = c->name;
	out.to_addr = rcpt;
	out.subject = subject;
	out.message_id = msgid;
	out.auto_submitted = "auto-generated";
	out.language = c->language;
	out.extra_headers = extra;
	out.date = now;
	out.text = body;
	data = mime_build(&out, len);
	free(subject);
	free(body);
	free(rcpt);
	free(loop);
	return data;
}

/* Hands the mail to the submission server; -1 with a line on stderr. */
static int
selftest_send(const struct conf *c, const char *from, const char *rcpt,
    const char *data, size_t len)
{
	struct smtp_params	 p;
	struct smtp		*s;
	enum smtp_result	 r;
	const char		*rcpts[1] = { rcpt };
	char			 err[1024];

	probe_smtp_params(c, &p);
	if ((s = smtp_new(&p)) == NULL) {
		fprintf(stderr, "ffnet: send-test: cannot set up SMTP\n");
		return -1;
	}
	r = smtp_send(s, from, rcpts, 1, data, len, err, sizeof(err));
	smtp_free(s);
	if (r == SMTP_OK) {
		printf("send-test: sent a test mail to %s, envelope sender "
		    "%s\n", rcpt, from);
		return 0;
	}
	fprintf(stderr, "ffnet: send-test: the server did not take the test "
	    "mail to %s: %s%s\n", rcpt, err, r == SMTP_PERM ? "; plus "
	    "addressing may be off on the server (Microsoft 365: "
	    "DisablePlusAddressInRecipients; Postfix: recipient_delimiter)" :
	    "");
	return -1;
}

/*
 * Waits for the mail in the mailbox and the Junk folder. 1 and where
 * (borrowed) and its UID, with that folder selected; 0 not there; -1.
 */
static int
selftest_find(const struct conf *c, struct imap *im, const char *msgid,
    const char **where, uint32_t *uid)
{
	char	*junk, *id;
	int	 waited, k, r = 0;

	junk = imap_junk_folder_dup(im);
	id = xasprintf("<%s>", msgid);
	*where = NULL;
	/* as long as [imap] timeout lets one network step take */
	for (waited = 0; r == 0 && waited <= c->imap_timeout; waited += 2) {
		for (k = 0; k < 2 && r == 0; k++) {
			const char	*f = k == 0 ? c->mailbox : junk;
			uint32_t	 uv;

			if (f == NULL || imap_select(im, f, &uv) == -1)
				continue;
			if ((r = imap_search_header(im, "Message-ID", id,
			    uid)) == 1)
				*where = k == 0 ? c->mailbox : "Junk";
		}
		if (r == 0)
			sleep(2);
	}
	if (r == 1 && *where != c->mailbox)
		printf("send-test: the Junk folder is %s\n", junk);
	free(junk);
	free(id);
	return r;
}

/* Did the Return-Path keep the "+b-<token>"? -1 for a problem. */
static int
selftest_return_path(const struct conf *c, struct imap *im, uint32_t uid,
    const char *from)
{
	struct mime_limits	 lim;
	struct msg		 m;
	char			*raw = NULL;
	size_t			 len;
	bool			 trunc;
	int			 rc = -1;

	memset(&m, 0, sizeof(m));
	mime_limits_default(&lim);
	if (imap_fetch(im, uid, SELFTEST_MAX, &raw, &len, &trunc) == -1 ||
	    mime_parse(raw, len, &lim, &m) == -1) {
		fprintf(stderr, "ffnet: send-test: cannot read the test mail "
		    "back: %s\n", imap_last_error(im));
		goto out;
	}
	if (m.return_path != NULL && strcasecmp(m.return_path, from) == 0) {
		printf("send-test: the envelope sender kept its VERP token "
		    "(Return-Path <%s>): [list] verp = yes works here\n",
		    m.return_path);
		rc = 0;
	} else if (!c->verp) {
		printf("send-test: the envelope sender lost its VERP token "
		    "(Return-Path <%s>), as [list] verp = no expects; bounces "
		    "are matched by Message-ID\n", m.return_path ?
		    m.return_path : "");
		rc = 0;
	} else
		fprintf(stderr, "ffnet: send-test: the envelope sender lost "
		    "its VERP token (Return-Path <%s>, sent as <%s>): the "
		    "server rewrites it; set [list] verp = no\n",
		    m.return_path ? m.return_path : "", from);
 out:
	msg_clear(&m);
	free(raw);
	return rc;
}

int
selftest_run(const struct conf *c, const struct tmpls *t)
{
	struct imap_params	 p;
	struct imap		*im = NULL;
	unsigned char		 r[8];
	char			 tok[sizeof(r) * 2 + 1], err[1024];
	char			*rcpt, *from, *msgid, *data = NULL;
	const char		*at = strrchr(c->address, '@'), *where;
	uint32_t		 uid;
	size_t			 len, i;
	int			 found, bad = 1;

	if (util_random(r, sizeof(r)) == -1)
		fatal("getrandom");
	for (i = 0; i < sizeof(r); i++)
		snprintf(tok + 2 * i, 3, "%02x", r[i]);
	rcpt = selftest_addr_dup(c);
	from = listmail_tag_addr_dup(c, 'b', tok);
	msgid = xasprintf("ffnet.selftest.%s@%s", tok, at ? at + 1 :
	    "localhost");
	if ((data = selftest_mail_dup(c, t, msgid, time(NULL), &len)) ==
	    NULL) {
		fprintf(stderr, "ffnet: send-test: cannot build the mail\n");
		goto out;
	}
	if (selftest_send(c, from, rcpt, data, len) == -1)
		goto out;
	probe_imap_params(c, &p);
	if ((im = imap_connect(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ffnet: send-test: imap: %s\n", err);
		goto out;
	}
	if ((found = selftest_find(c, im, msgid, &where, &uid)) != 1) {
		fprintf(stderr, "ffnet: send-test: the test mail to %s did "
		    "not arrive in %s or a Junk folder within %d seconds: "
		    "plus addressing does not deliver to this mailbox; "
		    "ask IT to allow it (Microsoft 365: "
		    "DisablePlusAddressInRecipients off)\n", rcpt, c->mailbox,
		    c->imap_timeout);
		goto out;
	}
	printf("send-test: plus addressing works: the mail to %s arrived\n",
	    rcpt);
	bad = 0;
	if (where != c->mailbox) {
		fprintf(stderr, "ffnet: send-test: the test mail landed in "
		    "Junk, not in %s: the server takes the network's own mail "
		    "for junk; ask IT to trust %s\n", c->mailbox, c->address);
		bad = 1;
	} else
		printf("send-test: it landed in %s, not in Junk\n", where);
	if (selftest_return_path(c, im, uid, from) == -1)
		bad = 1;
	if (imap_ensure_folder(im, c->done_folder) == -1 ||
	    imap_move(im, uid, c->done_folder) == -1) {
		fprintf(stderr, "ffnet: send-test: cannot move the test mail "
		    "to %s: %s\n", c->done_folder, imap_last_error(im));
		bad = 1;
	} else
		printf("send-test: the test mail was moved to %s\n",
		    c->done_folder);
 out:
	imap_close(im);
	free(rcpt);
	free(from);
	free(msgid);
	free(data);
	return bad;
}
