/*
 * probe.c: ffnet check --connect. After the config check, logs in to
 * IMAP and SMTP exactly as the daemon will, looks at the folders and
 * the mailbox, and prints one line per finding, with the fix. main.c
 * calls probe_run(); it owns its sessions and closes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "imap.h"
#include "log.h"
#include "oauth2.h"
#include "probe.h"
#include "smtp.h"
#include "status.h"
#include "util.h"

static int	 probe_imap(const struct conf *);
static int	 probe_folders(const struct conf *, struct imap *);
static int	 probe_smtp(const struct conf *);
static int	 probe_oauth2(const struct conf *);

/* Findings go to stdout; problems to stderr, each one line. */
static int
probe_imap(const struct conf *c)
{
	struct imap_params	 p;
	struct imap		*im;
	char			 err[1024], line[1536];
	int			 rc;

	probe_imap_params(c, &p);
	if ((im = imap_connect(&p, err, sizeof(err))) == NULL) {
		status_imap_line(c, err, line, sizeof(line));
		fprintf(stderr, "ffnet: %s\n", line);
		return -1;
	}
	printf("imap: logged in to %s:%u as %s%s%s\n", c->imap_host, p.port,
	    c->imap_user, p.login.mech == MECH_XOAUTH2 ? " with XOAUTH2" : "",
	    p.security == SEC_NONE ? " (no TLS)" : ", certificate trusted");
	rc = probe_folders(c, im);
	imap_close(im);
	return rc;
}

static int
probe_folders(const struct conf *c, struct imap *im)
{
	struct imap_entry	*v = NULL;
	const char		*f[2] = { c->done_folder, c->hold_folder };
	uint32_t		 uv;
	uint64_t		 bytes = 0;
	size_t			 n = 0, i;
	int			 r, rc = -1;

	for (i = 0; i < nitems(f); i++) {
		if ((r = imap_folder_exists(im, f[i])) == -1) {
			fprintf(stderr, "ffnet: imap: cannot list folders: "
			    "%s\n", imap_last_error(im));
			goto out;
		}
		if (r == 1)
			printf("imap: folder %s is there\n", f[i]);
		else
			printf("imap: folder %s is missing; ffnet creates it "
			    "when it starts\n", f[i]);
	}
	if (imap_select(im, c->mailbox, &uv) == -1) {
		fprintf(stderr, "ffnet: imap: cannot open the mailbox %s: %s; "
		    "check [imap] mailbox\n", c->mailbox, imap_last_error(im));
		goto out;
	}
	if (imap_list_new(im, 0, &v, &n) == -1) {
		fprintf(stderr, "ffnet: imap: cannot list %s: %s\n",
		    c->mailbox, imap_last_error(im));
		goto out;
	}
	for (i = 0; i < n; i++)
		bytes += v[i].size;
	printf("imap: mailbox %s holds %zu messages (%.1f MB)%s\n",
	    c->mailbox, n, (double)bytes / (1024.0 * 1024.0),
	    imap_has_idle(im) ? "; the server offers IDLE" : "");
	rc = 0;
 out:
	free(v);
	return rc;
}

static int
probe_smtp(const struct conf *c)
{
	struct smtp_params	 p;
	struct smtp_done	 d;
	char			 line[1536];

	probe_smtp_params(c, &p);
	smtp_probe(&p, &d);
	if (d.result != SMTP_OK) {
		status_smtp_line(c, d.why, d.err, line, sizeof(line));
		fprintf(stderr, "ffnet: %s\n", line);
		return -1;
	}
	if (c->smtp_user != NULL)
		printf("smtp: logged in to %s as %s%s\n", c->smtp_url,
		    c->smtp_user, p.login.mech == MECH_XOAUTH2 ?
		    " with XOAUTH2" : "");
	else
		printf("smtp: %s answers (no login configured)\n",
		    c->smtp_url);
	return 0;
}

/* The token first: without it neither login can work. */
static int
probe_oauth2(const struct conf *c)
{
	char	*tok, err[1024];

	if (c->oauth2 == NULL)
		return 0;
	if ((tok = oauth2_token_dup(c->oauth2, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ffnet: %s\n", err);
		return -1;
	}
	printf("oauth2: got a token from %s for client %s\n",
	    c->oauth2_token_url, c->oauth2_client_id);
	explicit_bzero(tok, strlen(tok));
	free(tok);
	return 0;
}

int
probe_run(const struct conf *c)
{
	int	 bad = 0;

	if (probe_oauth2(c) == -1) {
		fprintf(stderr, "ffnet: %s: no token, so no XOAUTH2 login; fix "
		    "the line above\n", c->path ? c->path : "config");
		return 1;
	}
	if (probe_imap(c) == -1)
		bad = 1;
	if (probe_smtp(c) == -1)
		bad = 1;
	if (bad)
		fprintf(stderr, "ffnet: %s: the daemon could not work; fix "
		    "the lines above\n", c->path ? c->path : "config");
	else
		printf("%s: ffnet can work with these servers\n",
		    c->path ? c->path : "config");
	return bad;
}

void
probe_imap_params(const struct conf *c, struct imap_params *p)
{
	memset(p, 0, sizeof(*p));
	p->host = c->imap_host;
	p->port = (unsigned)c->imap_port;
	p->security = c->imap_security;
	p->ca_file = c->imap_ca_file;
	p->login.mech = c->imap_auth;
	p->login.user = c->imap_user;
	p->login.secret = c->imap_password;
	p->login.oauth2 = c->oauth2;
	p->timeout = c->imap_timeout;
}

void
probe_smtp_params(const struct conf *c, struct smtp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->url = c->smtp_url;
	p->ca_file = c->smtp_ca_file;
	p->login.mech = c->smtp_auth;
	p->login.user = c->smtp_user;
	p->login.secret = c->smtp_password;
	p->login.oauth2 = c->oauth2;
	p->timeout = c->smtp_timeout;
	p->require_tls = c->smtp_require_tls;
}
