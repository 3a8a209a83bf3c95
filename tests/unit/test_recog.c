/*
 * test_recog.c: recognition of commands, replies, auto-replies and
 * bounces in mail shaped like what Outlook, Gmail, Apple Mail and
 * iPhones send, in Danish and English.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "handler.h"
#include "mime.h"
#include "recog.h"
#include "util.h"

#define SELF	"flerefaglaerte@slagelse.dk"

static struct recog	 r;

/* Parses raw mail and classifies it; the result stays in r. */
static enum recog_kind
classify(const char *raw)
{
	struct mime_limits	 lim;
	struct msg		 m;

	recog_clear(&r);
	mime_limits_default(&lim);
	if (mime_parse(raw, strlen(raw), &lim, &m) == -1)
		return (enum recog_kind)-1;
	recog_classify(&m, SELF, 200, &r);
	msg_clear(&m);
	return r.kind;
}

static const char *
word(void)
{
	return r.cmd ? r.cmd->word : "(none)";
}

static void
test_subject_strip(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "TILMELD", "TILMELD" },
		{ "Re: TILMELD", "TILMELD" },
		{ "SV: SV: Bekræft", "Bekræft" },
		{ "VS: [EKSTERN] Sv: hjælp", "hjælp" },
		{ "[EXTERNAL] RE: join", "join" },
		{ "AW: Fwd: Fw: tilmeld", "tilmeld" },
		{ "Re[2]: help", "help" },
		{ "  *EXTERNAL* Tilmeld  ", "Tilmeld" },
		{ "Svar: Møde", "Møde" },
		{ "Retningslinjer: nyt", "Retningslinjer: nyt" },
		{ "", "" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < nitems(t); i++) {
		s = recog_subject_strip_dup(t[i].in);
		CHECK_STR(s, t[i].out);
		free(s);
	}
	s = recog_subject_strip_dup(NULL);
	CHECK_STR(s, "");
	free(s);
}

static void
test_new_text(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "TILMELD\n\n> gammel tekst\n", "TILMELD" },
		{ "Ja tak\n\n-----Oprindelig meddelelse-----\nFra: x\nBEKRÆFT\n",
		    "Ja tak" },
		{ "ok\n\nFra: Flere Faglærte <a@b.dk>\nSendt: 22. november 2026 "
		    "10:15\nTil: jens@x.dk\nEmne: TILMELD\n", "ok" },
		{ "Tak\n\nDen 22. nov. 2026 kl. 10.15 skrev Flere Faglærte "
		    "<a@b.dk>:\n\n> HJÆLP\n", "Tak" },
		{ "Tak\n\nOn Sun, Nov 22, 2026 at 10:15 AM Flere Faglaerte <\n"
		    "a@b.dk> wrote:\n> join\n", "Tak" },
		{ "hej\n-- \nJens Hansen\nTILMELD\n", "hej" },
		{ "AFMELD\n\nSendt fra min iPhone\n", "AFMELD" },
		{ "x\n________________________________\nFrom: a\nSent: b\n", "x" },
		{ "*From:* Anna\n*Sent:* today\n", "" },
		{ "On the 3rd floor we will meet\nTILMELD", "On the 3rd floor we "
		    "will meet\nTILMELD" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < nitems(t); i++) {
		s = recog_new_text_dup(t[i].in);
		CHECK_STR(s, t[i].out);
		free(s);
	}
}

static void
test_commands(void)
{
	/* Outlook, Danish, windows-1252 quoted-printable subject */
	CHECK(classify("From: \"Jens Hansen\" <jens@hansen-vvs.dk>\r\n"
	    "To: flerefaglaerte@slagelse.dk\r\n"
	    "Subject: =?windows-1252?Q?TILMELD_Jens_Hansen=3B_Hansen_VVS?=\r\n"
	    "Message-ID: <1@x>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=\"windows-1252\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Med venlig hilsen\r\nJens\r\n") == R_COMMAND);
	CHECK_STR(word(), "tilmeld");
	CHECK_STR(r.args, "Jens Hansen; Hansen VVS");
	CHECK(r.from_subject);
	CHECK(strcmp(r.cmd->lang, "da") == 0);
	/* Gmail, English, command in the body after a greeting */
	CHECK(classify("From: Jane <jane@gmail.com>\nTo: " SELF "\n"
	    "Subject: \nContent-Type: text/plain; charset=UTF-8\n\n"
	    "Hi,\n\njoin Jane Smith; Smith Ltd\n\nThanks\n") == R_COMMAND);
	CHECK_STR(word(), "join");
	CHECK_STR(r.args, "Jane Smith; Smith Ltd");
	CHECK(!r.from_subject);
	CHECK(strcmp(r.cmd->lang, "en") == 0);
	/* RFC 2047 ISO-8859-1 HJÆLP, accent-free spelling, lower case */
	CHECK(classify("From: a@b.dk\nSubject: =?iso-8859-1?Q?HJ=C6LP?=\n\n")
	    == R_COMMAND);
	CHECK_STR(word(), "hjaelp");
	CHECK(classify("From: a@b.dk\nSubject: hjaelp\n\n") == R_COMMAND);
	CHECK_STR(word(), "hjaelp");
	CHECK(classify("From: a@b.dk\nSubject: Bekraeft k7qf-m2xd\n\n") ==
	    R_COMMAND);
	CHECK_STR(word(), "bekraeft");
	CHECK_STR(r.code, "K7QF-M2XD");
	/* A command word with words after it, for a word that takes none */
	CHECK(classify("From: a@b.dk\nSubject: Hjælp til ansøgningen\n\n"
	    "Kan I hjælpe?\n") == R_NOT_OURS);
	CHECK(classify("From: a@b.dk\nSubject: Afmeld nyhedsbrev\n\n") ==
	    R_NOT_OURS);
	CHECK(classify("From: a@b.dk\nSubject: Hjælp til ansøgning\n\nHjælp!\n"
	    "Jeg kan ikke finde skemaet.\n") == R_NOT_OURS);
	/* Apple Mail reply: the command only in quoted text */
	CHECK(classify("From: a@icloud.com\nSubject: Re: Velkommen\n"
	    "Content-Type: text/plain; charset=utf-8\n\nTak for det!\n\n"
	    "Den 22. nov. 2026 kl. 10.15 skrev Flere Faglærte <" SELF ">:\n\n"
	    "> AFMELD\n") == R_NOT_OURS);
	CHECK(classify("From: a@b.dk\nSubject: hej\n\n> TILMELD\n> mig\n") ==
	    R_NOT_OURS);
	/* iPhone: command in body, signature after */
	CHECK(classify("From: a@b.dk\nSubject: \n\nAfmeld\n\nSendt fra min "
	    "iPhone\n") == R_COMMAND);
	CHECK_STR(word(), "afmeld");
	/* HTML-only Outlook mail */
	CHECK(classify("From: a@b.dk\nSubject: Besked\nContent-Type: text/html;"
	    " charset=utf-8\n\n<html><body><p>TILMELD</p><p>Hilsen</p>"
	    "</body></html>\n") == R_COMMAND);
	/* [EKSTERN] tag and SV: before the command */
	CHECK(classify("From: a@b.dk\nSubject: [EKSTERN] SV: Tilmeld\n\n") ==
	    R_COMMAND);
	/* A person's mail */
	CHECK(classify("From: a@b.dk\nSubject: Møde på torsdag\n\nHej\n\nKan vi "
	    "mødes kl. 10?\n") == R_NOT_OURS);
}

static void
test_near(void)
{
	CHECK(classify("From: a@b.dk\nSubject: Tilmelding\n\n") == R_NEAR);
	CHECK_STR(r.suggest, "tilmeld");
	CHECK(classify("From: a@b.dk\nSubject: AFMELDE\n\n") == R_NEAR);
	CHECK_STR(r.suggest, "afmeld");
	CHECK(classify("From: a@b.dk\nSubject: hjlp\n\n") == R_NEAR);
	CHECK(classify("From: a@b.dk\nSubject: Tilmelding til konferencen\n\n")
	    == R_NOT_OURS);
	CHECK(classify("From: a@b.dk\nSubject: Hej\n\n") == R_NOT_OURS);
	CHECK(recog_distance("tilmeld", "tilmeld", 2) == 0);
	CHECK(recog_distance("tilmld", "tilmeld", 2) == 1);
	CHECK(recog_distance("abc", "xyzxyz", 2) > 2);
}

static void
test_noreply(void)
{
	CHECK(classify("From: a@b.dk\nSubject: Automatisk svar: TILMELD\n\n"
	    "Jeg er på ferie\n") == R_AUTO);
	CHECK(classify("From: a@b.dk\nSubject: Autosvar: HJÆLP\n\n") == R_AUTO);
	CHECK(classify("From: a@b.dk\nSubject: Out of Office: help\n\n") ==
	    R_AUTO);
	CHECK(classify("From: a@b.dk\nAuto-Submitted: auto-replied\n"
	    "Subject: TILMELD\n\n") == R_AUTO);
	CHECK(classify("From: a@b.dk\nAuto-Submitted: no\nSubject: TILMELD\n\n")
	    == R_COMMAND);
	CHECK(classify("From: a@b.dk\nPrecedence: bulk\nSubject: help\n\n") ==
	    R_AUTO);
	CHECK(classify("From: a@b.dk\nPrecedence: list\nSubject: help\n\n") ==
	    R_LIST);
	CHECK(classify("From: a@b.dk\nList-Id: <x.lists.b.dk>\nSubject: help"
	    "\n\n") == R_LIST);
	CHECK(classify("From: a@b.dk\nX-Autoreply: yes\nSubject: help\n\n") ==
	    R_AUTO);
	/* A command typed on a Mac or iPhone: decomposed, then NFC. */
	CHECK(classify("From: a@b.dk\nSubject: IDE\xcc\x81\n\nTitel: Ny "
	    "l\xc3\xa6rlingeordning\n") == R_COMMAND);
	CHECK(classify("From: a@b.dk\nSubject: =?UTF-8?Q?Ide=CC=81?=\n\n"
	    "Titel: x\n") == R_COMMAND);
	/* A request not to be auto-answered, on a person's own command. */
	CHECK(classify("From: a@b.dk\nX-Auto-Response-Suppress: All\n"
	    "Subject: help\n\n") == R_COMMAND);
	CHECK(classify("From: a@b.dk\nX-Auto-Response-Suppress: DR, RN, NRN,"
	    " OOF, AutoReply\nSubject: TILMELD Jens Hansen\n\n") ==
	    R_COMMAND);
	/* What Exchange made itself, and what an inbox rule forwarded. */
	CHECK(classify("From: a@b.dk\nX-MS-Exchange-Generated-Message-Source:"
	    " Mailbox Rules Agent\nSubject: help\n\n") == R_AUTO);
	CHECK(classify("From: a@b.dk\nX-MS-Exchange-Inbox-Rules-Loop: "
	    "a@b.dk\nSubject: FW: TILMELD\n\n") == R_AUTO);
	CHECK(classify("From: MAILER-DAEMON@b.dk\nSubject: TILMELD\n\n") ==
	    R_BOUNCE);
	CHECK(classify("Return-Path: <>\nFrom: a@b.dk\nSubject: TILMELD\n\n") ==
	    R_BOUNCE);
	CHECK(classify("From: postmaster@b.dk\nSubject: Undeliverable: help\n\n")
	    == R_BOUNCE);
	CHECK(classify("From: noreply@b.dk\nSubject: help\n\n") == R_AUTO);
	CHECK(classify("From: Jens Hansen\nSubject: help\n\n") == R_AUTO);
	CHECK(classify("Subject: help\n\n") == R_AUTO);
	CHECK(classify("From: " SELF "\nSubject: help\n\n") == R_SELF);
	CHECK(classify("From: a@b.dk\nX-Loop: " SELF "\nSubject: help\n\n") ==
	    R_SELF);
	CHECK(classify("From: x@b.dk\nSubject: TILMELD\nContent-Type: "
	    "multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: "
	    "message/delivery-status\n\nFinal-Recipient: rfc822; q@w.dk\n"
	    "Action: failed\nStatus: 5.1.1\n--b--\n") == R_BOUNCE);
}

static void
test_code_in_subject(void)
{
	CHECK(classify("From: a@b.dk\nSubject: SV: Bekræft din tilmelding til "
	    "Flere Faglærte Netværket (kode K7QF-M2XD)\n\n") == R_COMMAND);
	CHECK_STR(word(), "bekraeft");
	CHECK_STR(r.code, "K7QF-M2XD");
	CHECK(classify("From: a@b.dk\nSubject: Re: Please confirm (code "
	    "ABCD-EF12)\n\nyes\n") == R_NOT_OURS);
	CHECK_STR(r.code, "ABCD-EF12");
}

/*
 * Calendar answers: METHOD inside the calendar, or only the Content-Type
 * method= parameter, in any case (RFC 5545 2.1); calreply.c compares
 * the method exactly, so recognition hands it on in upper case.
 */
static void
test_calendar(void)
{
	static const char *const head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
	static const char *const event = "BEGIN:VEVENT\r\n"
	    "UID:5f1c0d2e@slagelse.dk\r\nATTENDEE;PARTSTAT=ACCEPTED:"
	    "mailto:Jens@Hansen-VVS.dk\r\nSEQUENCE:2\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n";
	static const struct {
		const char	*param;	/* Content-Type method= */
		const char	*prop;	/* the METHOD line, or "" */
		enum recog_kind	 kind;
		const char	*method;
	} t[] = {
		{ "REPLY", "METHOD:REPLY\r\n", R_CALENDAR, "REPLY" },
		{ "REPLY", "METHOD:reply\r\n", R_CALENDAR, "REPLY" },
		{ "REPLY", "", R_CALENDAR, "REPLY" },
		{ "reply", "", R_CALENDAR, "REPLY" },
		{ "Counter", "", R_CALENDAR, "COUNTER" },
		{ "REPLY", "METHOD:COUNTER\r\n", R_CALENDAR, "COUNTER" },
		{ "request", "", R_AUTO, NULL },	/* From: noreply@ */
	};
	char	*raw;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		raw = xasprintf("From: %s\nSubject: Accepteret: "
		    "Netv\xc3\xa6rksm\xc3\xb8" "de\nContent-Type: "
		    "text/calendar; charset=utf-8; method=%s\n\n%s%s%s",
		    t[i].kind == R_AUTO ? "noreply@b.dk" : "jens@hansen-vvs.dk",
		    t[i].param, head, t[i].prop, event);
		CHECK(classify(raw) == t[i].kind);
		if (t[i].method != NULL) {
			CHECK_STR(r.cal.method, t[i].method);
			CHECK_STR(r.cal.uid, "5f1c0d2e@slagelse.dk");
			CHECK_STR(r.cal.attendee, "jens@hansen-vvs.dk");
			CHECK_STR(r.cal.partstat, "ACCEPTED");
		}
		free(raw);
	}

	/* a fifth calendar part is not read (RECOG_CALENDARS): the REPLY
	 * after four REQUESTs is not an answer; as the fourth it is */
	{
		struct buf	 b;
		int		 k, parts;

		for (parts = 4; parts <= 5; parts++) {
			buf_init(&b);
			buf_adds(&b, "From: jens@hansen-vvs.dk\nSubject: x\n"
			    "Content-Type: multipart/mixed; boundary=b\n\n");
			for (k = 1; k <= parts; k++)
				buf_addf(&b, "--b\nContent-Type: text/calendar; "
				    "method=%s\n\n%sMETHOD:%s\r\n%s\n",
				    k == parts ? "REPLY" : "REQUEST", head,
				    k == parts ? "REPLY" : "REQUEST", event);
			buf_adds(&b, "--b--\n");
			raw = buf_release(&b);
			CHECK((classify(raw) == R_CALENDAR) == (parts == 4));
			free(raw);
		}
	}
}

static void
test_table(void)
{
	size_t	 i;

	for (i = 1; i < ncommands; i++)
		CHECK(strcmp(commands[i - 1].word, commands[i].word) < 0);
	for (i = 0; i < ncommands; i++) {
		char *f = util_fold_dup(commands[i].word);

		CHECK_STR(f, commands[i].word);
		CHECK(command_find(commands[i].word) == &commands[i]);
		free(f);
	}
	CHECK(command_find("tilmel") == NULL);
	CHECK(command_find("tilmeldx") == NULL);
}

int
main(void)
{
	test_subject_strip();
	test_new_text();
	test_commands();
	test_near();
	test_noreply();
	test_code_in_subject();
	test_calendar();
	test_table();
	recog_clear(&r);
	return check_done("test_recog");
}
