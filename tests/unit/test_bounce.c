/*
 * test_bounce.c: unit cases for bounce_parse (DSN, delay, success,
 * Exim, qmail, DMARC, then a table: Exchange, Domino, aliases, AOL,
 * SES, forwarded bounces, VERP...), then the corpus figure: failed
 * recipients and permanent-vs-temporary against the MANIFEST
 * expectations.
 * Run from the repository root.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "check.h"
#include "mime.h"
#include "testlib.h"
#include "util.h"

/* A message, and what bounce_parse must read from it. */
struct test_case {
	const char		*name;
	const char		*raw;
	enum bounce_kind	 kind;
	const char		*rcpts;		/* ';'-separated */
	bool			 dmarc;
};

struct test_tally {
	int	rcpt_ok, rcpt_all, kind_ok, kind_all;
	char	**seen;		/* file names counted, so each counts once */
	size_t	 nseen;
};

static int	 test_parse(const char *, struct bounce *);
static void	 test_units(void);
static void	 test_cases(void);
static int	 test_manifest(const char *, const char *, struct test_tally *);
static enum bounce_kind test_want_kind(const char *);
static bool	 test_same_set(const struct bounce *, const char *);

static const char dsn_postfix[] =
    "From: MAILER-DAEMON@mx.example.dk (Mail Delivery System)\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    " boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\n"
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients.\r\n\r\n"
    "<Jens@Example.DK>: host mx.example.dk said: 550 5.1.1 <jens@example.dk>:\r\n"
    "    Recipient address rejected: User unknown\r\n\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.dk\r\n\r\n"
    "Final-Recipient: rfc822; Jens@Example.DK\r\n"
    "Original-Recipient: rfc822;jens@example.dk\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <jens@example.dk>: Recipient\r\n"
    "    address rejected: User unknown\r\n\r\n"
    "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    "From: sekretariat@ffnet.dk\r\nTo: jens@example.dk\r\n"
    "Subject: Velkommen\r\n\r\n--B--\r\n";

static const char dsn_delay[] =
    "From: MAILER-DAEMON@mx.example.dk\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Delayed Mail (still being retried)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\n"
    "This is a warning only. I will retry for 5 days.\r\n\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.dk\r\n\r\n"
    "Final-Recipient: rfc822; anne@example.dk\r\n"
    "Action: delayed\r\nStatus: 4.4.1\r\n"
    "Diagnostic-Code: X-Postfix; connect to mx.example.dk: timed out\r\n"
    "\r\n--B--\r\n";

static const char dsn_success[] =
    "From: MAILER-DAEMON@mx.example.dk\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Successful Mail Delivery Report\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\n"
    "Your message was successfully delivered.\r\n\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.dk\r\n\r\n"
    "Final-Recipient: rfc822; <ole@example.dk>\r\n"
    "Action: delivered\r\nStatus: 2.0.0\r\n\r\n--B--\r\n";

static const char exim[] =
    "From: Mail Delivery System <Mailer-Daemon@mail.example.org>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Mail delivery failed: returning message to sender\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "X-Failed-Recipients: Karen@Example.org, bo@example.net\r\n\r\n"
    "This message was created automatically by mail delivery software.\r\n"
    "\r\nA message that you sent could not be delivered to one or more of\r\n"
    "its recipients. This is a permanent error. The following address(es)\r\n"
    "failed:\r\n\r\n  karen@example.org\r\n    Unrouteable address\r\n"
    "  bo@example.net\r\n    SMTP error from remote mail server after"
    " RCPT TO:<bo@example.net>:\r\n    550 5.1.1 User unknown\r\n\r\n"
    "------ This is a copy of the message, including all the headers."
    " ------\r\n\r\nFrom: sekretariat@ffnet.dk\r\nTo: x@example.com\r\n";

static const char qmail[] =
    "From: MAILER-DAEMON@mail.example.com\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: failure notice\r\n\r\n"
    "Hi. This is the qmail-send program at mail.example.com.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following"
    " addresses.\r\nThis is a permanent error; I've given up. Sorry it"
    " didn't work out.\r\n\r\n"
    "<Per@Example.com>:\r\nSorry, no mailbox here by that name. (#5.1.1)"
    "\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n"
    "Return-Path: <sekretariat@ffnet.dk>\r\nTo: other@example.com\r\n";

static const char dmarc[] =
    "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Delivery Status Notification (Failure)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\n"
    "Your message wasn't delivered to lise@gmail.com.\r\n\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; googlemail.com\r\n\r\n"
    "Final-Recipient: rfc822; lise@gmail.com\r\n"
    "Action: failed\r\nStatus: 5.7.26\r\n"
    "Diagnostic-Code: smtp; 550-5.7.26 Unauthenticated email from\r\n"
    " ffnet.dk is not accepted due to domain's DMARC policy.\r\n"
    "\r\n--B--\r\n";

static const char plain[] =
    "From: hanne@example.dk\r\nTo: sekretariat@ffnet.dk\r\n"
    "Subject: tilmeld\r\n\r\nHej, tilmeld mig venligst.\r\n";

/* Exchange 5.5: the returned message's header, then X.400 recipients. */
static const char exchange[] =
    "From: System Administrator <postmaster@example.net>\r\n"
    "To: ffnet-bounces@ffnet.dk\r\n"
    "Subject: Undeliverable: Referat\r\n\r\n"
    "Your message\r\n\r\n"
    "  To:      alle@ffnet.dk\r\n"
    "  Cc:      bestyrelse@ffnet.dk\r\n"
    "  Subject: Referat\r\n"
    "  Sent:    Fri, 4 Oct 2002 17:10:56 -0400\r\n\r\n"
    "did not reach the following recipient(s):\r\n\r\n"
    "c=DK;a= ;p=Example;o=Mail;dda:SMTP=PER@EXAMPLE.NET; on Fri, 4 Oct\r\n"
    "    The recipient name is not recognized\r\n";

/* Lotus Domino: the reason, then the address, under "Failure Reasons". */
static const char domino[] =
    "From: postmaster@notes.example.com\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Undeliverable message\r\n\r\n"
    "------- Failure Reasons  --------\r\n\r\n"
    "User not listed in public Name & Address Book\r\n"
    "kim@u1.example.com\r\n\r\n"
    "------- Returned Message --------\r\n"
    "From: sekretariat@ffnet.dk\r\nTo: kim@example.com\r\n\r\nHej\r\n";

/* RFC 3464: the receiving site aliased what we sent to. */
static const char dsn_alias[] =
    "From: MAILER-DAEMON@mx.example.net\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\nUndeliverable.\r\n\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.net\r\n\r\n"
    "Final-Recipient: rfc822; k1234@mx.example.net\r\n"
    "Original-Recipient: rfc822;Karin@Example.dk\r\n"
    "Action: failed\r\nStatus: 5.2.2\r\n\r\n"
    "Final-Recipient: x400; /S=ole/O=example/C=DK/\r\n"
    "Original-Recipient: rfc822; ole@example.dk\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n\r\n--B--\r\n";

/* Sendmail names the alias it expanded; Exim the address it generated. */
static const char sendmail_alias[] =
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Returned mail: see transcript for details\r\n\r\n"
    "   ----- The following addresses had permanent fatal errors -----\r\n"
    "bo@mailhost.example.org\r\n"
    "    (reason: 550 5.1.1 User unknown)\r\n"
    "    (expanded from: <Bo@Example.org>)\r\n\r\n"
    "   ----- Transcript of session follows -----\r\n"
    "550 5.1.1 bo@mailhost.example.org... User unknown\r\n";

static const char exim_generated[] =
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Mail delivery failed: returning message to sender\r\n\r\n"
    "A message that you sent could not be delivered to one or more of\r\n"
    "its recipients. This is a permanent error. The following address(es)\r\n"
    "failed:\r\n\r\n  an undisclosed address\r\n"
    "    (generated from lis@example.org)\r\n";

/* AOL gives the screen name only. */
static const char aol[] =
    "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Mail Delivery Problem\r\n\r\n"
    "Your mail to the following recipients could not be delivered because"
    " they are not accepting mail from sekretariat@ffnet.dk:\r\n"
    "\tsommerfugl42\r\n";

/* Exim's delay warning: the address on its own, no SMTP code. */
static const char exim_delay[] =
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Warning: message 1Gdrvl-0006Gp-PU delayed 48 hours\r\n\r\n"
    "The address to which the message has not yet been delivered is:\r\n"
    "\r\n  mette@example.org\r\n\r\n"
    "No action is required on your part. Delivery attempts will continue"
    "\r\nfor some time.\r\n";

/* A warning quoting a 5xx reply is still only a warning. */
static const char warning_5xx[] =
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Delayed Mail (still being retried)\r\n\r\n"
    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #"
    "\r\n\r\n<ib@example.org>: host mx.example.org said: 550 5.7.1"
    " greylisted, come back later\r\n";

/* A DSN forwarded as an attachment by a virus scanner. */
static const char forwarded[] =
    "From: postmaster@gw.example.com\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Delivery Status Notification (Failure)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"O\"\r\n\r\n"
    "--O\r\nContent-Type: text/plain\r\n\r\nScanned, clean.\r\n"
    "--O\r\nContent-Type: message/rfc822\r\n\r\n"
    "From: postmaster@mx.example.com\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Delivery Status Notification (Failure)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"I\"\r\n\r\n"
    "--I\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns;mx.example.com\r\n\r\n"
    "Final-Recipient: rfc822;sara@example.com\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n\r\n--I--\r\n\r\n--O--\r\n";

/* Amazon SES notifications, as SNS mails them. */
static const char ses_delivery[] =
    "From: SES <no-reply@sns.amazonaws.com>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: AWS Notification Message\r\n\r\n"
    "{\"notificationType\":\"Delivery\",\"mail\":{\"source\":"
    "\"sekretariat@ffnet.dk\",\"destination\":[\"eva@example.com\"]},"
    "\"delivery\":{\"recipients\":[\"eva@example.com\"],"
    "\"smtpResponse\":\"250 2.6.0 Message received\"}}\r\n";

static const char ses_bounce[] =
    "From: SES <no-reply@sns.amazonaws.com>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: AWS Notification Message\r\n\r\n"
    "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":"
    "\"Transient\",\"bouncedRecipients\":[{\"emailAddress\":"
    "\"Eva@Example.com\",\"status\":\"4.2.2\",\"diagnosticCode\":"
    "\"smtp; 452 4.2.2 Mailbox full\"}]},\"mail\":{\"source\":"
    "\"sekretariat@ffnet.dk\"}}\r\n";

/* A bounce that went through a list names the list: not a recipient. */
static const char via_list[] =
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "To: ffnet-bounces@lists.example.org\r\n"
    "List-Post: <mailto:ffnet@lists.example.org>\r\n"
    "Subject: failure notice\r\n\r\n"
    "Sorry, unable to deliver your message to jonas@example.org for\r\n"
    "the following reason: 552 mailbox of ffnet@lists.example.org's"
    " member full\r\n";

/*
 * VERP addresses (ours: "+b-<token>" on the network's address; the
 * classic "+user=domain") are reported as they came, token and all.
 */
static const char verp[] =
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Mail delivery failed: returning message to sender\r\n\r\n"
    "A message that you sent could not be delivered to one or more of\r\n"
    "its recipients. The following address(es) failed:\r\n\r\n"
    "  info+b-4f2a9c01@ffnet.dk\r\n    Unrouteable address\r\n"
    "  list-bounces+jens=example.dk@lists.example.org\r\n"
    "    SMTP error from remote mail server after RCPT TO:\r\n"
    "    <list-bounces+jens=example.dk@lists.example.org>:\r\n"
    "    550 5.1.1 User unknown\r\n";

/* DragonFly: the recipient in the sentence; a DMARC refusal. */
static const char dragonfly[] =
    "From: MAILER-DAEMON <>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Mail delivery failed\r\n\r\n"
    "There was an error delivering your mail to <lone@gmail.com>.\r\n\r\n"
    "gmail-smtp-in.l.google.com did not like our final DATA:\r\n"
    "550-5.7.26 Unauthenticated email from ffnet.dk is not accepted due"
    " to\r\n550 5.7.26 domain's DMARC policy.\r\n";

/* No recipient named: the returned copy, sent to one, tells. */
static const char copy_only[] =
    "From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\r\n"
    "To: sekretariat@ffnet.dk\r\n"
    "Subject: Returned mail: Cannot send message for 4 days\r\n\r\n"
    "   ----- Transcript of session follows -----\r\n"
    "421 example.com (smtp)... Deferred: Connection timed out\r\n\r\n"
    "   ----- Unsent message follows -----\r\n"
    "Received: by mx.ffnet.dk; Thu, 29 Apr 2021 23:34:45 +0200\r\n"
    "From: sekretariat@ffnet.dk\r\nTo: Troels <troels@example.com>\r\n"
    "Subject: Velkommen\r\n\r\nHej\r\n";

static const struct test_case test_table[] = {
	{ "exchange", exchange, BOUNCE_PERMANENT, "per@example.net", false },
	{ "domino", domino, BOUNCE_PERMANENT, "kim@u1.example.com", false },
	{ "dsn_alias", dsn_alias, BOUNCE_PERMANENT,
	    "karin@example.dk;ole@example.dk", false },
	{ "sendmail_alias", sendmail_alias, BOUNCE_PERMANENT,
	    "bo@example.org", false },
	{ "exim_generated", exim_generated, BOUNCE_PERMANENT,
	    "lis@example.org", false },
	{ "aol", aol, BOUNCE_PERMANENT, "sommerfugl42@aol.com", false },
	{ "exim_delay", exim_delay, BOUNCE_TEMPORARY, "mette@example.org",
	    false },
	{ "warning_5xx", warning_5xx, BOUNCE_TEMPORARY, "ib@example.org",
	    false },
	{ "forwarded", forwarded, BOUNCE_PERMANENT, "sara@example.com",
	    false },
	{ "ses_delivery", ses_delivery, BOUNCE_SUCCESS, "eva@example.com",
	    false },
	{ "ses_bounce", ses_bounce, BOUNCE_TEMPORARY, "eva@example.com",
	    false },
	{ "via_list", via_list, BOUNCE_PERMANENT, "jonas@example.org", false },
	{ "verp", verp, BOUNCE_PERMANENT, "info+b-4f2a9c01@ffnet.dk;"
	    "list-bounces+jens=example.dk@lists.example.org", false },
	{ "dragonfly", dragonfly, BOUNCE_PERMANENT, "lone@gmail.com", true },
	{ "copy_only", copy_only, BOUNCE_TEMPORARY, "troels@example.com",
	    false },
};

static int
test_parse(const char *raw, struct bounce *b)
{
	struct mime_limits	 lim;
	struct msg		 m;
	int			 rc;

	mime_limits_default(&lim);
	if (mime_parse(raw, strlen(raw), &lim, &m) == -1)
		return -2;
	rc = bounce_parse(&m, b);
	msg_clear(&m);
	return rc;
}

static void
test_units(void)
{
	struct bounce	b;

	CHECK(test_parse(dsn_postfix, &b) == 0);
	CHECK(b.kind == BOUNCE_PERMANENT);
	CHECK(b.nrcpts == 1);
	if (b.nrcpts == 1)
		CHECK_STR(b.rcpts[0], "jens@example.dk");
	CHECK_STR(b.status, "5.1.1");
	CHECK(b.diagnostic != NULL &&
	    strstr(b.diagnostic, "User unknown") != NULL);
	CHECK(!b.dmarc);
	bounce_clear(&b);

	CHECK(test_parse(dsn_delay, &b) == 0);
	CHECK(b.kind == BOUNCE_TEMPORARY);
	CHECK(b.nrcpts == 1 && strcmp(b.rcpts[0], "anne@example.dk") == 0);
	CHECK_STR(b.status, "4.4.1");
	bounce_clear(&b);

	CHECK(test_parse(dsn_success, &b) == 0);
	CHECK(b.kind == BOUNCE_SUCCESS);
	CHECK(b.nrcpts == 1 && strcmp(b.rcpts[0], "ole@example.dk") == 0);
	bounce_clear(&b);

	CHECK(test_parse(exim, &b) == 0);
	CHECK(b.kind == BOUNCE_PERMANENT);
	CHECK(test_same_set(&b, "karen@example.org;bo@example.net"));
	bounce_clear(&b);

	CHECK(test_parse(qmail, &b) == 0);
	CHECK(b.kind == BOUNCE_PERMANENT);
	CHECK(test_same_set(&b, "per@example.com"));
	bounce_clear(&b);

	CHECK(test_parse(dmarc, &b) == 0);
	CHECK(b.kind == BOUNCE_PERMANENT);
	CHECK(b.dmarc);
	CHECK(test_same_set(&b, "lise@gmail.com"));
	CHECK_STR(b.status, "5.7.26");
	bounce_clear(&b);

	CHECK(test_parse(plain, &b) == -1);
	CHECK(b.nrcpts == 0 && b.rcpts == NULL);
}

/* The formats and rules added for the corpus, one table row each. */
static void
test_cases(void)
{
	struct bounce	b;
	size_t		i;
	int		rc;
	bool		ok;

	for (i = 0; i < nitems(test_table); i++) {
		memset(&b, 0, sizeof(b));
		rc = test_parse(test_table[i].raw, &b);
		ok = rc == 0 && b.kind == test_table[i].kind &&
		    test_same_set(&b, test_table[i].rcpts) &&
		    b.dmarc == test_table[i].dmarc;
		if (!ok)
			fprintf(stderr, "case %s: rc %d kind %d dmarc %d"
			    " rcpt %s\n", test_table[i].name, rc, b.kind,
			    b.dmarc, b.nrcpts > 0 ? b.rcpts[0] : "-");
		CHECK(ok);
		if (rc == 0)
			bounce_clear(&b);
	}
	/* SES gives the status in its own field */
	CHECK(test_parse(ses_bounce, &b) == 0);
	CHECK_STR(b.status, "4.2.2");
	bounce_clear(&b);
}

/* The recipients equal the ';'-separated list, ignoring case and order. */
static bool
test_same_set(const struct bounce *b, const char *want)
{
	char	*copy, *p, *a;
	size_t	 n = 0, i;
	bool	 ok = true;

	copy = xstrdup(want);
	p = copy;
	while (ok && (a = strsep(&p, ";")) != NULL) {
		a = util_trim(a);
		if (*a == '\0')
			continue;
		n++;
		for (i = 0; i < b->nrcpts; i++)
			if (strcasecmp(b->rcpts[i], a) == 0)
				break;
		ok = i < b->nrcpts;
	}
	free(copy);
	/* the expectation may list an address twice */
	return ok && b->nrcpts > 0 && b->nrcpts <= n;
}

/* BOUNCE_NONE when the reason does not tell. */
static enum bounce_kind
test_want_kind(const char *r)
{
	if (strstr(r, "delivered") != NULL)
		return BOUNCE_SUCCESS;
	if (strstr(r, "(flufl") != NULL)
		return strncmp(r, "temporary", 9) == 0 ?
		    BOUNCE_TEMPORARY : BOUNCE_PERMANENT;
	if ((r[0] == '4' && r[1] == '.') || strcasestr(r, "temporary") ||
	    strcasestr(r, "delay") || strcasestr(r, "expired"))
		return BOUNCE_TEMPORARY;
	if (r[0] == '5' && r[1] == '.')
		return BOUNCE_PERMANENT;
	return BOUNCE_NONE;
}

/*
 * Columns: file, category, origin, licence, note, recipient, reason, from.
 * Returns -1 when there is no such manifest.
 */
static int
test_manifest(const char *dir, const char *manifest, struct test_tally *t)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct bounce		 b;
	FILE			*f;
	char			*line = NULL, *p, *col[8], *path, *raw;
	size_t			 cap = 0, len, i;
	enum bounce_kind	 want;
	bool			 verbose = getenv("BOUNCE_VERBOSE") != NULL;

	if ((f = fopen(manifest, "r")) == NULL)
		return -1;
	mime_limits_default(&lim);
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		p = line;
		for (i = 0; i < 8; i++)
			col[i] = p != NULL ? strsep(&p, "\t") : (char *)"";
		if (strncmp(col[0], "bounces/", 8) != 0 || *col[5] == '\0')
			continue;
		for (i = 0; i < t->nseen; i++)
			if (strcmp(t->seen[i], col[0]) == 0)
				break;
		if (i < t->nseen)
			continue;
		path = xasprintf("%s/%s", dir, col[0]);
		raw = t_slurp(path, &len);
		free(path);
		if (raw == NULL)
			continue;
		memset(&b, 0, sizeof(b));
		if (mime_parse(raw, len, &lim, &m) == 0) {
			if (bounce_parse(&m, &b) == -1)
				memset(&b, 0, sizeof(b));
			msg_clear(&m);
		}
		free(raw);
		t->seen = xrealloc(t->seen, (t->nseen + 1) * sizeof(*t->seen));
		t->seen[t->nseen++] = xstrdup(col[0]);
		t->rcpt_all++;
		if (test_same_set(&b, col[5]))
			t->rcpt_ok++;
		else if (verbose) {
			fprintf(stderr, "RCPT %s want [%s] got", col[0],
			    col[5]);
			for (i = 0; i < b.nrcpts; i++)
				fprintf(stderr, " [%s]", b.rcpts[i]);
			fprintf(stderr, "\n");
		}
		if ((want = test_want_kind(col[6])) != BOUNCE_NONE) {
			t->kind_all++;
			if (b.kind == want)
				t->kind_ok++;
			else if (verbose)
				fprintf(stderr, "KIND %s want %d got %d (%s)\n",
				    col[0], want, b.kind, col[6]);
		}
		bounce_clear(&b);
	}
	free(line);
	fclose(f);
	return 0;
}

int
main(void)
{
	struct test_tally	t;
	size_t			i;
	int			pct, kpct;

	test_units();
	test_cases();

	memset(&t, 0, sizeof(t));
	test_manifest("tests/corpus", "tests/corpus/MANIFEST.tsv", &t);
	test_manifest("../shared/corpus", "../shared/corpus/MANIFEST.tsv", &t);
	pct = t.rcpt_all > 0 ? t.rcpt_ok * 100 / t.rcpt_all : 0;
	kpct = t.kind_all > 0 ? t.kind_ok * 100 / t.kind_all : 0;
	printf("NOTE bounce: recipients %d/%d (%d%%), permanent-vs-temporary"
	    " %d/%d (%d%%)\n", t.rcpt_ok, t.rcpt_all, pct, t.kind_ok,
	    t.kind_all, kpct);
	for (i = 0; i < t.nseen; i++)
		free(t.seen[i]);
	free(t.seen);
	CHECK(t.rcpt_all > 0 && t.kind_all > 0);
	/*
	 * The issue's bar: 95% of the recipients (reached: 280/292 with
	 * the shared corpus, 231/242 on tests/corpus alone). The kind is
	 * right for 98% either way; 97% leaves room for one case more
	 * where the sources disagree. BOUNCE_VERBOSE=1 lists the misses.
	 */
	CHECK(pct >= 95);
	CHECK(kpct >= 97);
	return check_done("test_bounce");
}
