/*
 * test_mime.c: unit tests of lib/mime_parse.c, lib/mime_build.c: real-shaped messages from
 * Outlook, Gmail, Apple Mail, iPhone; RFC 2047/2231 decoding; charsets;
 * HTML to text; caps; pathological input; build → parse round trips,
 * including invites and attachments checked by a structural scan.
 * With FFNET_CORPUS_DIR set, also parses every *.eml and *.bin below it.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "mime.h"
#include "testlib.h"
#include "util.h"

struct t_node;

static int	 t_parse(const char *, struct msg *);
static int	 t_parse_lim(const char *, const struct mime_limits *,
		    struct msg *);
static char	*t_crlf_dup(const char *);
static char	*t_cr_dup(const char *);
static const struct mime_part *t_part(const struct msg *, const char *);
static bool	 t_valid(const struct msg *);
static bool	 t_lines_ok(const char *, size_t, size_t);
static struct t_node *t_scan(const char *, size_t, int);
static void	 t_node_free(struct t_node *);
static char	*t_hdr_dup(const char *, size_t, const char *);
static char	*t_param_dup(const char *, const char *);
static char	*t_b64_dup(const char *, size_t, size_t *);
static bool	 t_b64_is(const struct t_node *, const char *, size_t);
static bool	 t_param_is(const char *, const char *, const char *);
static bool	 t_wire_ok(const char *, size_t);
static size_t	 t_count(const char *, size_t, const char *);
static void	 t_out_init(struct mime_out *, const char *);
static void	 t_corpus_file(const char *, double);
static void	 t_corpus_dir(const char *, double);

static const char outlook_msg[] =
	"Received: from mail.firma.dk (mail.firma.dk [192.0.2.10])\n"
	"\tby mx.ffnet.dk (Postfix) with ESMTPS id 4Tq1X2;\n"
	"\tTue,  5 Mar 2024 10:00:02 +0100 (CET)\n"
	"From: =?iso-8859-1?Q?Jensen=2C_S=F8ren?= <Soren.Jensen@Firma.DK>\n"
	"To: ffnet <ffnet@ffnet.dk>\n"
	"Subject: =?iso-8859-1?Q?SV:_M=F8de_i_bestyrelsen?=\n"
	"Thread-Topic: =?iso-8859-1?Q?M=F8de_i_bestyrelsen?=\n"
	"Thread-Index: AQHabcdEFGH==\n"
	"Date: Tue, 5 Mar 2024 10:00:00 +0100\n"
	"Message-ID: <AM0PR07MB1234.eurprd07.prod.outlook.com>\n"
	"References: <abc@ffnet.dk>\n"
	"In-Reply-To: <abc@ffnet.dk>\n"
	"Accept-Language: da-DK, en-US\n"
	"Content-Language: da-DK\n"
	"Content-Type: multipart/alternative;\n"
	"\tboundary=\"_000_AM0PR07MB1234eurprd07prod_\"\n"
	"MIME-Version: 1.0\n"
	"\n"
	"--_000_AM0PR07MB1234eurprd07prod_\n"
	"Content-Type: text/plain; charset=\"windows-1252\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"Hej Jens,\n"
	"\n"
	"Tak for invitationen =96 jeg kommer gerne. Det koster 100 =80 for =E6bler,=\n"
	" =F8l og =E5l.\n"
	"\n"
	"Med venlig hilsen\n"
	"S=F8ren\n"
	"\n"
	"Fra: Jens <jens@ffnet.dk>\n"
	"Sendt: 4. marts 2024 09:00\n"
	"\n"
	"--_000_AM0PR07MB1234eurprd07prod_\n"
	"Content-Type: text/html; charset=\"windows-1252\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"<html><body><p>Hej Jens,</p></body></html>\n"
	"\n"
	"--_000_AM0PR07MB1234eurprd07prod_--\n";

static const char gmail_msg[] =
	"MIME-Version: 1.0\n"
	"Date: Mon, 1 Jul 2024 14:30:00 +0200\n"
	"Message-ID: <CAB1234xyz=+abc@mail.gmail.com>\n"
	"Subject: Tilmeld\n"
	"From: =?UTF-8?B?w4VzZSDDmHJzdGVk?= <aase.oersted@gmail.com>\n"
	"To: ffnet@ffnet.dk\n"
	"Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3\"\n"
	"\n"
	"--000000000000a1b2c3\n"
	"Content-Type: text/plain; charset=\"UTF-8\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"SGVqIEplbnMsDQoNCkplZyB2aWwgZ2VybmUgdsOmcmUgbWVkIGkgbmV0dsOmcmtldC4gVGlsbWVs\n"
	"ZCBtaWcgdmVubGlnc3QuDQoNClZlbmxpZyBoaWxzZW4NCsOFc2Ugw5hyc3RlZA0K\n"
	"--000000000000a1b2c3\n"
	"Content-Type: text/html; charset=\"UTF-8\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"PGRpdiBkaXI9Imx0ciI+SGVqIEplbnMsPGRpdj48YnI+PC9kaXY+PGRpdj5KZWcgdmlsIGdlcm5l\n"
	"IHbDpnJlIG1lZCBpIG5ldHbDpnJrZXQuPC9kaXY+PC9kaXY+DQo=\n"
	"--000000000000a1b2c3--\n";

static const char apple_msg[] =
	"From: Mette Holm <mette@holm.dk>\n"
	"Content-Type: text/plain;\n"
	"\tcharset=utf-8;\n"
	"\tformat=flowed;\n"
	"\tdelsp=yes\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))\n"
	"Subject: Re: =?utf-8?Q?M=C3=B8de?=\n"
	"Date: Tue, 5 Mar 2024 10:00:00 +0100\n"
	"Message-Id: <8F2C1D3E-AAAA-BBBB-CCCC-1234567890AB@holm.dk>\n"
	"To: ffnet@ffnet.dk\n"
	"\n"
	"Jeg kan desv=C3=A6rre ikke komme p=C3=A5 torsdag, men jeg vil gerne =20\n"
	"v=C3=A6re med n=C3=A6ste gang.\n"
	"\n"
	"Mvh Mette\n"
	"--=20\n"
	"Mette Holm\n"
	"\n"
	"> Den 4. mar. 2024 kl. 09.00 skrev Jens <jens@ffnet.dk>:\n"
	">=20\n"
	">> Hej alle, vi m=C3=B8des =20\n"
	">> torsdag.\n";

static const char iphone_msg[] =
	"Content-Type: multipart/alternative;\n"
	"\tboundary=Apple-Mail-1A2B3C4D-5E6F\n"
	"Content-Transfer-Encoding: 7bit\n"
	"From: Peter Lund <peter.lund@icloud.com>\n"
	"Mime-Version: 1.0 (1.0)\n"
	"Date: Tue, 5 Mar 2024 11:00:00 +0100\n"
	"Subject: Afmeld\n"
	"Message-Id: <5D6E7F80-1234@icloud.com>\n"
	"To: ffnet@ffnet.dk\n"
	"X-Mailer: iPhone Mail (21D61)\n"
	"\n"
	"--Apple-Mail-1A2B3C4D-5E6F\n"
	"Content-Type: text/plain;\n"
	"\tcharset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"Afmeld\n"
	"\n"
	"Sendt fra min iPhone\n"
	"--Apple-Mail-1A2B3C4D-5E6F\n"
	"Content-Type: text/html;\n"
	"\tcharset=utf-8\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"<html><body dir=\"auto\">Afmeld<br><br>Sendt fra min iPhone</body></html>\n"
	"--Apple-Mail-1A2B3C4D-5E6F--\n";

static const char outlook_html_msg[] =
	"From: Kirsten Bech <kb@kommune.dk>\n"
	"To: ffnet <ffnet@ffnet.dk>\n"
	"Subject: SV: Arrangement\n"
	"Date: Tue, 5 Mar 2024 12:00:00 +0100\n"
	"Message-ID: <DB9PR01MB5678@DB9PR01MB5678.eurprd01.prod.exchangelabs.com>\n"
	"Content-Type: text/html; charset=\"iso-8859-1\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"MIME-Version: 1.0\n"
	"\n"
	"<html xmlns:o=3D\"urn:schemas-microsoft-com:office:office\">\n"
	"<head>\n"
	"<meta http-equiv=3D\"Content-Type\" content=3D\"text/html; charset=3Diso-8859-=\n"
	"1\">\n"
	"<title>Ignored title</title>\n"
	"<style><!--\n"
	"p.MsoNormal {margin:0cm; font-family:\"Calibri\",sans-serif;}\n"
	"--></style>\n"
	"</head>\n"
	"<body lang=3D\"DA\">\n"
	"<div class=3D\"WordSection1\">\n"
	"<p class=3D\"MsoNormal\">Tilmeld<o:p></o:p></p>\n"
	"<p class=3D\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n"
	"<p class=3D\"MsoNormal\">Jeg deltager gerne, &aelig;ble &amp; =F8l.&nbsp;&nbs=\n"
	"p;Pris &lt;100&gt; kr.<o:p></o:p></p>\n"
	"<script>alert(1)</script>\n"
	"<!-- a comment -->\n"
	"<ul><li>Punkt et</li><li>Punkt to</li></ul>\n"
	"<div id=3D\"divRplyFwdMsg\" dir=3D\"ltr\"><hr>\n"
	"<b>Fra:</b> Jens &lt;jens@ffnet.dk&gt;<br>\n"
	"<b>Emne:</b> Arrangement</div>\n"
	"<p>Kom og v&#230;r med &#x2013; alle er velkomne.</p>\n"
	"</div>\n"
	"</body>\n"
	"</html>\n";

static const char report_msg[] =
	"Return-Path: <>\n"
	"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
	"To: ffnet@ffnet.dk\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"Date: Tue, 5 Mar 2024 10:00:00 +0100\n"
	"Auto-Submitted: auto-replied\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"8A3B2C1D.1709629200/mx.example.com\"\n"
	"Message-Id: <20240305090000.8A3B2C1D@mx.example.com>\n"
	"\n"
	"This is a MIME-encapsulated message.\n"
	"\n"
	"--8A3B2C1D.1709629200/mx.example.com\n"
	"Content-Description: Notification\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"I'm sorry to have to inform you that your message could not\n"
	"be delivered to one or more recipients.\n"
	"\n"
	"--8A3B2C1D.1709629200/mx.example.com\n"
	"Content-Description: Delivery report\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx.example.com\n"
	"\n"
	"Final-Recipient: rfc822; gone@example.com\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"\n"
	"--8A3B2C1D.1709629200/mx.example.com\n"
	"Content-Description: Undelivered Message Headers\n"
	"Content-Type: text/rfc822-headers\n"
	"\n"
	"From: ffnet@ffnet.dk\n"
	"To: gone@example.com\n"
	"Subject: Velkommen\n"
	"\n"
	"--8A3B2C1D.1709629200/mx.example.com--\n";

static const char calendar_msg[] =
	"From: Lars Dahl <lars@dahl.dk>\n"
	"To: ffnet@ffnet.dk\n"
	"Subject: Accepteret: Generalforsamling\n"
	"Date: Tue, 5 Mar 2024 10:00:00 +0100\n"
	"Content-Type: multipart/alternative; boundary=\"cal-b\"\n"
	"MIME-Version: 1.0\n"
	"\n"
	"--cal-b\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"Lars Dahl har accepteret.\n"
	"--cal-b\n"
	"Content-Type: text/calendar; charset=\"utf-8\"; method=REPLY\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"BEGIN:VCALENDAR\n"
	"METHOD:REPLY\n"
	"BEGIN:VEVENT\n"
	"UID:gf-2024@ffnet.dk\n"
	"ATTENDEE;PARTSTAT=ACCEPTED:mailto:lars@dahl.dk\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n"
	"--cal-b--\n";

static const char attach_msg[] =
	"From: =?utf-8?B?U8O4cmVuIMOGcsO4?= <soeren@aeroe.dk>\n"
	"To: ffnet@ffnet.dk\n"
	"Subject: =?utf-8?B?TcO4ZGUgcMOlIG1hbmRhZw==?=\n"
	"Date: Mon, 1 Jul 2024 14:30:00 +0200\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"mix\"\n"
	"\n"
	"--mix\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: 8bit\n"
	"\n"
	"Dagsordenen er vedh\xc3\xa6" "ftet.\n"
	"--mix\n"
	"Content-Type: application/pdf; name*=utf-8''Dagsorden%20m%C3%B8de.pdf\n"
	"Content-Disposition: attachment;\n"
	" filename*0*=utf-8''Dagsorden%20;\n"
	" filename*1*=m%C3%B8de.pdf\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"JVBERi0xLjQKJeLjz9MKRGFnc29yZGVuCg==\n"
	"--mix\n"
	"Content-Type: application/pdf;\n"
	" name=\"=?utf-8?B?RGFnc29yZGVuIG3DuGRlLnBkZg==?=\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"JVBERi0xLjQKJeLjz9MKRGFnc29yZGVuCg==\n"
	"--mix\n"
	"Content-Type: application/octet-stream\n"
	"Content-Disposition: attachment; filename*=iso-8859-1'da'%F8l.txt\n"
	"\n"
	"x\n"
	"--mix\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"From: inner@example.com\n"
	"Subject: Indre besked\n"
	"\n"
	"Indre tekst, ikke vores.\n"
	"--mix--\n";

static int
t_parse(const char *s, struct msg *m)
{
	struct mime_limits	 lim;

	mime_limits_default(&lim);
	return mime_parse(s, strlen(s), &lim, m);
}

static int
t_parse_lim(const char *s, const struct mime_limits *lim, struct msg *m)
{
	return mime_parse(s, strlen(s), lim, m);
}

/* The same text with CRLF (or CR) line ends. */
static char *
t_crlf_dup(const char *s)
{
	struct buf	 b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			buf_addc(&b, '\r');
		buf_addc(&b, *s);
	}
	return buf_release(&b);
}

static char *
t_cr_dup(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		if (*p == '\n')
			*p = '\r';
	return d;
}

static const struct mime_part *
t_part(const struct msg *m, const char *type)
{
	size_t	 i;

	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, type) == 0)
			return &m->parts[i];
	return NULL;
}

static bool
t_valid(const struct msg *m)
{
	return m->subject != NULL && m->text != NULL &&
	    m->content_type != NULL &&
	    util_is_utf8(m->subject, strlen(m->subject)) &&
	    util_is_utf8(m->text, strlen(m->text));
}

static void
test_outlook(void)
{
	struct msg		 m;
	const char		*p;

	CHECK(t_parse(outlook_msg, &m) == 0);
	CHECK_STR(m.subject, "SV: Møde i bestyrelsen");
	CHECK_STR(m.from_name, "Jensen, Søren");
	CHECK_STR(m.from_addr, "soren.jensen@firma.dk");
	CHECK_STR(m.message_id, "AM0PR07MB1234.eurprd07.prod.outlook.com");
	CHECK_STR(m.in_reply_to, "<abc@ffnet.dk>");
	CHECK_STR(m.references, "<abc@ffnet.dk>");
	CHECK_STR(m.content_language, "da-DK");
	CHECK_STR(m.content_type, "multipart/alternative");
	CHECK(m.return_path == NULL);
	CHECK(m.reply_to == NULL);
	CHECK(m.report_type == NULL);
	CHECK(m.date == 1709629200);
	CHECK(!m.text_from_html);
	CHECK(!m.truncated);
	CHECK(m.nparts == 0);
	CHECK_STR(m.text, "Hej Jens,\n\nTak for invitationen – jeg kommer "
	    "gerne. Det koster 100 € for æbler, øl og ål.\n\nMed venlig "
	    "hilsen\nSøren\n\nFra: Jens <jens@ffnet.dk>\nSendt: 4. marts "
	    "2024 09:00\n");
	CHECK(m.size == strlen(outlook_msg));
	/* Every header, in order, unfolded. */
	CHECK(m.nhdrs == 14);
	CHECK_STR(m.hdrs[0].name, "Received");
	CHECK_STR(m.hdrs[0].value, "from mail.firma.dk (mail.firma.dk "
	    "[192.0.2.10])\tby mx.ffnet.dk (Postfix) with ESMTPS id 4Tq1X2;"
	    "\tTue,  5 Mar 2024 10:00:02 +0100 (CET)");
	CHECK_STR(m.hdrs[13].name, "MIME-Version");
	p = mime_header(&m, "thread-index");
	CHECK_STR(p, "AQHabcdEFGH==");
	CHECK_STR(mime_header(&m, "content-type"), "multipart/alternative;"
	    "\tboundary=\"_000_AM0PR07MB1234eurprd07prod_\"");
	CHECK(mime_header(&m, "X-Nonexistent") == NULL);
	msg_clear(&m);
	CHECK(m.subject == NULL && m.nhdrs == 0);
}

static void
test_gmail(void)
{
	struct msg	 m;

	CHECK(t_parse(gmail_msg, &m) == 0);
	CHECK_STR(m.subject, "Tilmeld");
	CHECK_STR(m.from_name, "Åse Ørsted");
	CHECK_STR(m.from_addr, "aase.oersted@gmail.com");
	CHECK_STR(m.message_id, "CAB1234xyz=+abc@mail.gmail.com");
	CHECK_STR(m.text, "Hej Jens,\n\nJeg vil gerne være med i netværket. "
	    "Tilmeld mig venligst.\n\nVenlig hilsen\nÅse Ørsted\n");
	CHECK(!m.text_from_html);
	CHECK(m.nparts == 0);
	CHECK(m.date == 1719837000);
	CHECK(m.in_reply_to == NULL && m.references == NULL);
	msg_clear(&m);
}

static void
test_apple_flowed(void)
{
	struct msg	 m;

	CHECK(t_parse(apple_msg, &m) == 0);
	CHECK_STR(m.subject, "Re: Møde");
	CHECK_STR(m.from_name, "Mette Holm");
	CHECK_STR(m.content_type, "text/plain");
	/* RFC 3676: soft breaks joined, DelSp=yes removes the space. */
	CHECK_STR(m.text, "Jeg kan desværre ikke komme på torsdag, men jeg "
	    "vil gerne være med næste gang.\n\nMvh Mette\n-- \nMette Holm\n\n"
	    "> Den 4. mar. 2024 kl. 09.00 skrev Jens <jens@ffnet.dk>:\n> \n"
	    ">> Hej alle, vi mødes torsdag.\n");
	msg_clear(&m);
	/* Without DelSp the space stays. */
	CHECK(t_parse("Subject: f\nContent-Type: text/plain; format=flowed\n"
	    "\nEn lang \nlinje.\n", &m) == 0);
	CHECK_STR(m.text, "En lang linje.\n");
	msg_clear(&m);
}

static void
test_iphone(void)
{
	struct msg	 m;

	CHECK(t_parse(iphone_msg, &m) == 0);
	CHECK_STR(m.subject, "Afmeld");
	CHECK_STR(m.from_addr, "peter.lund@icloud.com");
	CHECK_STR(m.text, "Afmeld\n\nSendt fra min iPhone\n");
	CHECK(!m.text_from_html);
	CHECK(m.nparts == 0);
	CHECK(m.date == 1709632800);
	msg_clear(&m);
}

static void
test_outlook_html(void)
{
	struct msg	 m;

	CHECK(t_parse(outlook_html_msg, &m) == 0);
	CHECK(m.text_from_html);
	CHECK_STR(m.content_type, "text/html");
	CHECK_STR(m.text, "Tilmeld\n\nJeg deltager gerne, æble & øl. Pris "
	    "<100> kr.\nPunkt et\nPunkt to\n-----\nFra: Jens "
	    "<jens@ffnet.dk>\nEmne: Arrangement\nKom og vær med – alle er "
	    "velkomne.\n");
	CHECK(!t_has(m.text, "Ignored"));
	CHECK(!t_has(m.text, "alert"));
	CHECK(!t_has(m.text, "MsoNormal"));
	CHECK(!t_has(m.text, "comment"));
	msg_clear(&m);
}

static void
test_raw_subject(void)
{
	struct msg	 m;
	const char	 raw[] = "From: J\xf8rgen <j@x.dk>\n"
	    "Subject: M\xf8" "de om \xe6" "bler\n\nTekst \xe6\xf8\xe5\n";

	CHECK(t_parse(raw, &m) == 0);
	CHECK_STR(m.subject, "Møde om æbler");
	CHECK_STR(m.from_name, "Jørgen");
	CHECK_STR(m.from_addr, "j@x.dk");
	/* No Content-Type: text/plain; us-ascii and not UTF-8: cp1252. */
	CHECK_STR(m.content_type, "text/plain");
	CHECK_STR(m.text, "Tekst æøå\n");
	CHECK_STR(mime_header(&m, "Subject"), "M\xf8" "de om \xe6" "bler");
	msg_clear(&m);
}

static void
test_charsets(void)
{
	struct msg	 m;
	const char	 unk[] = "Subject: x\nContent-Type: text/plain; "
	    "charset=x-unknown\n\nUTF-8 \xc3\xa6\n";
	const char	 unk2[] = "Subject: x\nContent-Type: text/plain; "
	    "charset=\"x-unknown\"\n\nlatin \xe6\n";

	CHECK(t_parse(unk, &m) == 0);
	CHECK_STR(m.text, "UTF-8 æ\n");
	msg_clear(&m);
	CHECK(t_parse(unk2, &m) == 0);
	CHECK_STR(m.text, "latin æ\n");
	msg_clear(&m);
}

static void
test_line_ends(void)
{
	struct msg	 a, b, c;
	char		*crlf, *cr;

	crlf = t_crlf_dup(outlook_msg);
	cr = t_cr_dup(outlook_msg);
	CHECK(t_parse(outlook_msg, &a) == 0);
	CHECK(t_parse(crlf, &b) == 0);
	CHECK(t_parse(cr, &c) == 0);
	CHECK_STR(b.subject, a.subject);
	CHECK_STR(c.subject, a.subject);
	CHECK_STR(b.text, a.text);
	CHECK_STR(c.text, a.text);
	CHECK_STR(b.from_addr, "soren.jensen@firma.dk");
	CHECK_STR(c.from_addr, "soren.jensen@firma.dk");
	CHECK(b.nhdrs == a.nhdrs && c.nhdrs == a.nhdrs);
	CHECK(b.date == a.date && c.date == a.date);
	CHECK(!t_has(b.text, "\r") && !t_has(c.text, "\r"));
	CHECK(b.size == strlen(crlf));
	msg_clear(&a);
	msg_clear(&b);
	msg_clear(&c);
	free(crlf);
	free(cr);
}

static void
test_report(void)
{
	struct msg		 m;
	const struct mime_part	*p;

	CHECK(t_parse(report_msg, &m) == 0);
	CHECK_STR(m.content_type, "multipart/report");
	CHECK_STR(m.report_type, "delivery-status");
	CHECK_STR(m.return_path, "");
	CHECK_STR(m.from_addr, "mailer-daemon@mx.example.com");
	CHECK(t_has(m.text, "could not\nbe delivered"));
	CHECK(m.nparts == 2);
	p = t_part(&m, "message/delivery-status");
	CHECK(p != NULL && t_has(p->data, "Status: 5.1.1"));
	CHECK(p != NULL && p->filename == NULL && p->method == NULL);
	p = t_part(&m, "text/rfc822-headers");
	CHECK(p != NULL && t_has(p->data, "To: gone@example.com"));
	CHECK_STR(mime_header(&m, "Auto-Submitted"), "auto-replied");
	msg_clear(&m);
}

static void
test_calendar(void)
{
	struct msg		 m;
	const struct mime_part	*p;

	CHECK(t_parse(calendar_msg, &m) == 0);
	CHECK_STR(m.text, "Lars Dahl har accepteret.\n");
	CHECK(m.nparts == 1);
	p = t_part(&m, "text/calendar");
	CHECK(p != NULL);
	CHECK(p != NULL && p->method != NULL && strcmp(p->method, "REPLY") == 0);
	CHECK(p != NULL && strncmp(p->data, "BEGIN:VCALENDAR\r\nMETHOD:REPLY",
	    29) == 0);
	CHECK(p != NULL && p->len == strlen(p->data));
	msg_clear(&m);
}

static void
test_attachments(void)
{
	struct msg		 m;
	const struct mime_part	*p;
	const char		 pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\nDagsorden\n";

	CHECK(t_parse(attach_msg, &m) == 0);
	CHECK_STR(m.subject, "Møde på mandag");
	CHECK_STR(m.from_name, "Søren Ærø");
	CHECK_STR(m.text, "Dagsordenen er vedhæftet.\n");
	CHECK(m.nparts == 4);
	if (m.nparts == 4) {
		p = &m.parts[0];
		CHECK_STR(p->type, "application/pdf");
		CHECK_STR(p->filename, "Dagsorden møde.pdf");
		CHECK(p->len == sizeof(pdf) - 1 &&
		    memcmp(p->data, pdf, p->len) == 0);
		p = &m.parts[1];
		CHECK_STR(p->filename, "Dagsorden møde.pdf");
		CHECK(p->len == sizeof(pdf) - 1);
		p = &m.parts[2];
		CHECK_STR(p->type, "application/octet-stream");
		CHECK_STR(p->filename, "øl.txt");
		p = &m.parts[3];
		CHECK_STR(p->type, "message/rfc822");
		CHECK(p->filename == NULL);
		CHECK(strncmp(p->data, "From: inner@example.com\r\n", 25) == 0);
		CHECK(t_has(p->data, "Indre tekst"));
	}
	/* An attached message's text is not the message's text. */
	CHECK(!t_has(m.text, "Indre"));
	msg_clear(&m);
}

static void
test_dates(void)
{
	struct msg	 m;
	size_t		 i;
	const struct {
		const char	*date;
		time_t		 want;
	} cases[] = {
		{ "Tue, 5 Mar 2024 10:00:00 +0100", 1709629200 },
		{ "Mon, 01 Jul 2024 14:30:00 +0200 (CEST)", 1719837000 },
		{ "Fri, 3 Nov 2017 12:00:00 -0800 (PST)", 1509739200 },
		{ "Thu, 29 Feb 2024 23:59:59 +0000", 1709251199 },
		{ "1 Jan 00 01:00:00 +0100", 946684800 },
		{ "Sat, 1 Jan 2000 00:00:00 GMT", 946684800 },
		{ "not a date", 0 },
		{ "Tue, 45 Mar 2024 10:00:00 +0100", 0 },
	};
	char	 buf[256];

	for (i = 0; i < nitems(cases); i++) {
		snprintf(buf, sizeof(buf), "Date: %s\nSubject: d\n\nx\n",
		    cases[i].date);
		CHECK(t_parse(buf, &m) == 0);
		if (m.date != cases[i].want)
			fprintf(stderr, "date \"%s\": got %lld want %lld\n",
			    cases[i].date, (long long)m.date,
			    (long long)cases[i].want);
		CHECK(m.date == cases[i].want);
		msg_clear(&m);
	}
	CHECK(t_parse("Subject: no date\n\nx\n", &m) == 0);
	CHECK(m.date == 0);
	msg_clear(&m);
}

static void
test_caps(void)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct buf		 b;
	size_t			 i;

	mime_limits_default(&lim);
	lim.max_headers = 3;
	lim.max_header = 10;
	CHECK(mime_parse(outlook_msg, strlen(outlook_msg), &lim, &m) == 0);
	CHECK(m.nhdrs == 3);
	CHECK(m.truncated);
	CHECK(strlen(m.hdrs[0].value) <= 10);
	CHECK_STR(m.hdrs[1].value, "=?iso-8859");
	/* Fields past max_headers still fill the envelope. */
	CHECK(m.message_id != NULL);
	msg_clear(&m);

	mime_limits_default(&lim);
	lim.max_text = 12;
	CHECK(mime_parse(gmail_msg, strlen(gmail_msg), &lim, &m) == 0);
	CHECK(m.truncated);
	CHECK_STR(m.text, "Hej Jens,\n\nJ");
	msg_clear(&m);

	/* Cut on a UTF-8 boundary: "Åse" starts with 2 bytes. */
	lim.max_text = 1;
	CHECK(t_parse_lim("Subject: x\nContent-Type: text/plain; "
	    "charset=utf-8\n\n\xc3\x85se\n", &lim, &m) == 0);
	CHECK_STR(m.text, "");
	CHECK(m.truncated);
	msg_clear(&m);

	mime_limits_default(&lim);
	lim.max_parts = 2;
	CHECK(mime_parse(attach_msg, strlen(attach_msg), &lim, &m) == 0);
	CHECK(m.truncated);
	CHECK(m.nparts == 0);
	CHECK_STR(m.text, "Dagsordenen er vedhæftet.\n");
	msg_clear(&m);

	mime_limits_default(&lim);
	lim.max_depth = 1;
	CHECK(mime_parse(attach_msg, strlen(attach_msg), &lim, &m) == 0);
	CHECK(m.truncated && m.nparts == 0 && m.text[0] == '\0');
	msg_clear(&m);

	mime_limits_default(&lim);
	lim.max_message = 300;
	CHECK(mime_parse(gmail_msg, strlen(gmail_msg), &lim, &m) == 0);
	CHECK(m.truncated);
	CHECK(m.size == strlen(gmail_msg));
	CHECK_STR(m.subject, "Tilmeld");
	msg_clear(&m);

	/* Many header fields. */
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "X-H%zu: %zu\n", i, i);
	buf_adds(&b, "Subject: sidst\n\nx\n");
	mime_limits_default(&lim);
	CHECK(mime_parse(b.data, b.len, &lim, &m) == 0);
	CHECK(m.nhdrs == lim.max_headers && m.truncated);
	CHECK_STR(m.subject, "sidst");
	msg_clear(&m);
	buf_clear(&b);
}

static void
test_odd_input(void)
{
	struct msg	 m;
	const char	 ole[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0\0\0"
	    "\0\0\0\0\0\0\0\0\0\0>\0\3\0\xfe\xff\t\0";
	const char	 mbox[] = "From jens@ffnet.dk Tue Mar  5 10:00:00 2024\n"
	    "From: Jens <jens@ffnet.dk>\nSubject: mbox\n\nhej\n";
	const char	 lead[] = "\n   \nFrom: a@b.dk\nSubject: foran\n\nx\n";
	const char	 bogus[] = "Subject: a\nthis is no header\nFrom: b@c.dk\n"
	    "\nbody\n";
	const char	 nohdr[] = "Hej\nbare tekst, ingen felter\n";
	const char	 nul[] = "Subject: n\n\na\0b\x01" "c\n";

	CHECK(mime_parse(ole, sizeof(ole) - 1, NULL, &m) == -1);
	CHECK(m.subject == NULL && m.text == NULL);
	CHECK(mime_parse("", 0, NULL, &m) == -1);
	CHECK(mime_parse(NULL, 0, NULL, &m) == -1);

	CHECK(t_parse(mbox, &m) == 0);
	CHECK_STR(m.from_addr, "jens@ffnet.dk");
	CHECK_STR(m.subject, "mbox");
	CHECK_STR(m.text, "hej\n");
	msg_clear(&m);

	CHECK(t_parse(lead, &m) == 0);
	CHECK_STR(m.subject, "foran");
	msg_clear(&m);

	CHECK(t_parse(bogus, &m) == 0);
	CHECK_STR(m.from_addr, "b@c.dk");
	CHECK_STR(m.text, "body\n");
	CHECK(m.nhdrs == 2);
	msg_clear(&m);

	CHECK(t_parse(nohdr, &m) == 0);
	CHECK(m.nhdrs == 0);
	CHECK_STR(m.subject, "");
	CHECK(m.from_addr == NULL && m.message_id == NULL);
	CHECK_STR(m.text, "Hej\nbare tekst, ingen felter\n");
	msg_clear(&m);

	/* Header only, no body. */
	CHECK(t_parse("Subject: kun felter", &m) == 0);
	CHECK_STR(m.subject, "kun felter");
	CHECK_STR(m.text, "");
	msg_clear(&m);

	/* Broken base64 and an unknown transfer encoding. */
	CHECK(t_parse("Subject: b\nContent-Transfer-Encoding: base64\n\n"
	    "SGVq!!!IGRpZw=\n", &m) == 0);
	CHECK(t_valid(&m));
	msg_clear(&m);
	CHECK(t_parse("Subject: b\nContent-Transfer-Encoding: x-uuencode\n\n"
	    "begin 644 x\n", &m) == 0);
	CHECK_STR(m.text, "begin 644 x\n");
	msg_clear(&m);

	/* NUL and control bytes never reach the text. */
	CHECK(mime_parse(nul, sizeof(nul) - 1, NULL, &m) == 0);
	CHECK_STR(m.text, "abc\n");
	msg_clear(&m);
}

static void
test_envelope(void)
{
	struct msg	 m;
	char		*s;
	const char	 e[] =
	    "Return-Path: <Bounce+X@Lists.Example.COM>\n"
	    "Sender: Owner <OWNER@lists.example.com>\n"
	    "From: \"Hansen, Jens (FF)\" <Jens.Hansen@FFNET.dk>, other@x.dk\n"
	    "Reply-To: Liste: <Liste@Example.com>;, <svar@example.com>\n"
	    "Message-ID:\n <ABC.123@host>\n"
	    "Subject: =?utf-8?q?hej?=\n"
	    "\n";

	CHECK(t_parse(e, &m) == 0);
	CHECK_STR(m.return_path, "bounce+x@lists.example.com");
	CHECK_STR(m.sender_addr, "owner@lists.example.com");
	CHECK_STR(m.from_addr, "jens.hansen@ffnet.dk");
	CHECK_STR(m.from_name, "Hansen, Jens (FF)");
	CHECK_STR(m.reply_to, "liste@example.com");
	CHECK_STR(m.message_id, "ABC.123@host");
	CHECK_STR(m.subject, "hej");
	s = mime_header_decoded_dup(&m, "subject");
	CHECK_STR(s, "hej");
	free(s);
	CHECK(mime_header_decoded_dup(&m, "X-None") == NULL);
	CHECK_STR(m.text, "");
	msg_clear(&m);

	CHECK(t_parse("From: undisclosed-recipients:;\nReply-To: bad\n"
	    "Message-ID: <>\nReturn-Path: <>\n\nx", &m) == 0);
	CHECK(m.from_addr == NULL);
	CHECK_STR(m.return_path, "");
	CHECK(m.message_id == NULL);
	msg_clear(&m);
}

/* Parses a message with n nested multiparts. */
static void
test_deep(void)
{
	struct msg	 m;
	struct buf	 b;
	size_t		 i, n = 20000;
	clock_t		 t0;
	char		*s;

	buf_init(&b);
	buf_adds(&b, "Subject: deep\r\n");
	for (i = 0; i < n; i++)
		buf_addf(&b, "Content-Type: multipart/mixed; boundary=b%zu\r\n"
		    "\r\n--b%zu\r\n", i, i);
	buf_adds(&b, "Content-Type: text/plain\r\n\r\ndybt\r\n");
	t0 = clock();
	CHECK(mime_parse(b.data, b.len, NULL, &m) == 0);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	CHECK(m.truncated);
	CHECK_STR(m.subject, "deep");
	CHECK(t_valid(&m));
	msg_clear(&m);
	buf_clear(&b);

	/* Deeply nested comments, in the header and in a part header. */
	buf_init(&b);
	buf_adds(&b, "From: ");
	for (i = 0; i < 400000; i++)
		buf_addc(&b, '(');
	buf_adds(&b, " a@b.dk\r\nContent-Type: multipart/mixed; boundary=x\r\n"
	    "\r\n--x\r\nContent-Type: text/plain; ");
	for (i = 0; i < 400000; i++)
		buf_addc(&b, '(');
	buf_adds(&b, "\r\n\r\nok\r\n--x--\r\n");
	CHECK(mime_parse(b.data, b.len, NULL, &m) == 0);
	CHECK(t_valid(&m));
	msg_clear(&m);
	buf_clear(&b);

	/* Very many parts: only the first ones are read. */
	buf_init(&b);
	buf_adds(&b, "Subject: many\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\n\r\n--b\r\n\r\nfirst\r\n");
	for (i = 0; i < 200000; i++)
		buf_adds(&b, "--b\r\n");
	t0 = clock();
	CHECK(mime_parse(b.data, b.len, NULL, &m) == 0);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	CHECK_STR(m.text, "first\n");
	CHECK(m.truncated);
	msg_clear(&m);
	buf_clear(&b);

	/* Deeply nested blockquotes: the "> " prefix is bounded. */
	buf_init(&b);
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "<blockquote>x<br>");
	s = mime_html_to_text_dup(b.data, b.len);
	CHECK(strlen(s) < 20 * b.len / 17);
	CHECK(strcmp(s + strlen(s) - 18, "> > > > > > > > x\n") == 0);
	free(s);
	buf_clear(&b);

	/* message/rfc822 nested deeply. */
	buf_init(&b);
	for (i = 0; i < 5000; i++)
		buf_adds(&b, "Content-Type: message/rfc822\r\n\r\n");
	buf_adds(&b, "Subject: inderst\r\n\r\nx\r\n");
	CHECK(mime_parse(b.data, b.len, NULL, &m) == 0);
	CHECK(m.nparts == 1);
	msg_clear(&m);
	buf_clear(&b);
}

/* Inputs that crashed or misled libetpan 1.9.4; see mime_canon(). */
static void
test_regressions(void)
{
	struct msg	 m;
	const char	 quote[] = "Content-Type: multipart/mixed; boundary="
	    "\"\\\"\"\r\n\r\n--\"\r\nx\r\n";
	const char	 trunc[] = "Subject: t\nContent-Type: multipart/report; "
	    "boundary=\"zz\"\n\n--zz\nContent-Type: text/plain\n\nTabt post"
	    "\n--zz\nContent-Type: message/delivery-status\n\nAction: failed"
	    "\n--zz\n";
	const char	 empty[] = "Subject: e\nContent-Type: multipart/mixed; "
	    "boundary=q\n\n--q\n--q\nContent-Type: text/plain\n\nreal\n--q--\n";
	const char	 emptyhtml[] = "Subject: e\nContent-Type: multipart/"
	    "alternative; boundary=q\n\n--q\nContent-Type: text/plain\n\n\n"
	    "--q\nContent-Type: text/html\n\n<p>html</p>\n--q--\n";

	CHECK(mime_parse(quote, sizeof(quote) - 1, NULL, &m) == 0);
	CHECK(t_valid(&m));
	msg_clear(&m);

	/* A truncated multipart: libetpan would drop every part. */
	CHECK(t_parse(trunc, &m) == 0);
	CHECK_STR(m.text, "Tabt post\n");
	CHECK(t_part(&m, "message/delivery-status") != NULL);
	msg_clear(&m);

	CHECK(t_parse(empty, &m) == 0);
	CHECK_STR(m.text, "real\n");
	msg_clear(&m);

	/* An empty text/plain gives way to the HTML. */
	CHECK(t_parse(emptyhtml, &m) == 0);
	CHECK_STR(m.text, "html\n");
	CHECK(m.text_from_html);
	msg_clear(&m);
}

static void
test_signed(void)
{
	struct msg	 m;
	const char	 s[] = "From: a@b.dk\nSubject: signeret\n"
	    "Content-Type: multipart/signed; protocol=\"application/pgp-"
	    "signature\"; micalg=pgp-sha256; boundary=\"sig\"\n\n--sig\n"
	    "Content-Type: multipart/mixed; boundary=\"in\"\n\n--in\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\nGod m=F8dedag\n"
	    "--in--\n\n--sig\nContent-Type: application/pgp-signature; "
	    "name=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\n--sig--\n";

	CHECK(t_parse(s, &m) == 0);
	CHECK_STR(m.text, "God mødedag\n");
	CHECK(m.nparts == 1 && strcmp(m.parts[0].type,
	    "application/pgp-signature") == 0);
	CHECK_STR(m.parts[0].filename, "signature.asc");
	msg_clear(&m);
}

static void
test_encode_header(void)
{
	char		*s, *d, *w, *p, *q;
	const char	 lng[] = "Referat fra bestyrelsesmødet på Ærø – "
	    "økonomi, årsregnskab og næste års aktiviteter i foreningen æøå";
	bool		 ok = true;

	s = mime_encode_header_dup("Plain ASCII subject");
	CHECK_STR(s, "Plain ASCII subject");
	free(s);
	s = mime_encode_header_dup("Møde");
	CHECK_STR(s, "=?UTF-8?Q?M=C3=B8de?=");
	free(s);
	s = mime_encode_header_dup("a =?x?= b");
	CHECK_STR(s, "a =?UTF-8?Q?=3D=3Fx=3F=3D?= b");
	d = mime_decode_header_dup(s);
	CHECK_STR(d, "a =?x?= b");
	free(d);
	free(s);

	s = mime_encode_header_dup(lng);
	/* Each word ≤ 75 characters and valid UTF-8 on its own. */
	for (p = s; p != NULL && *p != '\0'; p = q) {
		if ((q = strchr(p, ' ')) == NULL)
			q = p + strlen(p);
		w = xstrndup(p, (size_t)(q - p));
		/* plain words stay plain; encoded ones are short */
		if (strlen(w) > 75 || (strncmp(w, "=?UTF-8?Q?", 10) != 0 &&
		    strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789,-") != strlen(w)))
			ok = false;
		d = mime_decode_header_dup(w);
		if (!util_is_utf8(d, strlen(d)) || strstr(d, "\xef\xbf\xbd"))
			ok = false;
		free(d);
		free(w);
		if (*q == ' ')
			q++;
	}
	CHECK(ok);
	d = mime_decode_header_dup(s);
	CHECK_STR(d, lng);
	free(d);
	free(s);

	s = mime_encode_header_dup("linje\r\nBcc: x");
	CHECK(strchr(s, '\r') == NULL && strchr(s, '\n') == NULL);
	free(s);
}

/* Every line of the header ends in CRLF and is at most 78 characters. */
static bool
t_lines_ok(const char *s, size_t len, size_t hdrlen)
{
	size_t	 i, col = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return false;
		if (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))
			return false;
		if (s[i] == '\n')
			col = 0;
		else if (s[i] != '\r' && ++col > 78 && i < hdrlen)
			return false;
	}
	return true;
}

static void
test_build(void)
{
	struct mime_out	 o;
	struct msg	 m;
	char		*out, *hdrend, *to;
	size_t		 len;
	const char	*extra[] = { "List-Id: Netværket <net.ffnet.dk>",
	    "X-FFnet-Token: abc123", NULL };
	const char	 text[] = "Kære Åse Ørsted,\n\nDu er nu tilmeldt "
	    "netværket. Denne linje er lang nok til at quoted-printable skal "
	    "bryde den over flere linjer uden at ændre teksten.\n"
	    "From the start, = and trailing space \n.\n\nHilsen\nFFnet\n";
	const char	 subj[] = "Velkommen til Foreningen af Fagfolk – "
	    "bekræftelse af din tilmelding på Ærø og i Næstved";

	/* Date: in the local zone; a POSIX TZ needs no tzdata. */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	memset(&o, 0, sizeof(o));
	o.from_name = "FFnet Sekretariatet – Ærø";
	o.from_addr = "ffnet@ffnet.dk";
	o.to_name = "Åse Ørsted";
	o.to_addr = "aase@example.dk";
	o.reply_to = "svar@ffnet.dk";
	o.subject = subj;
	o.message_id = "20240305.abc@ffnet.dk";
	o.in_reply_to = "CAB1234@mail.gmail.com";
	o.references = "<a@x.dk> <CAB1234@mail.gmail.com>";
	o.auto_submitted = "auto-replied";
	o.language = "da";
	o.extra_headers = extra;
	o.date = 1709629200;
	o.text = text;
	out = mime_build(&o, &len);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	CHECK(strlen(out) == len);
	hdrend = strstr(out, "\r\n\r\n");
	CHECK(hdrend != NULL);
	CHECK(t_lines_ok(out, len, hdrend != NULL ? (size_t)(hdrend - out) :
	    len));
	CHECK(t_has(out, "Message-ID: <20240305.abc@ffnet.dk>\r\n"));
	CHECK(t_has(out, "In-Reply-To: <CAB1234@mail.gmail.com>\r\n"));
	CHECK(t_has(out, "References: <a@x.dk> <CAB1234@mail.gmail.com>\r\n"));
	CHECK(t_has(out, "Auto-Submitted: auto-replied\r\n"));
	CHECK(t_has(out, "Content-Language: da\r\n"));
	CHECK(t_has(out, "MIME-Version: 1.0\r\n"));
	CHECK(t_has(out, "Content-Type: text/plain; charset=\"UTF-8\"\r\n"));
	CHECK(t_has(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
	CHECK(t_has(out, "List-Id: Netværket <net.ffnet.dk>\r\n"));
	CHECK(t_has(out, "X-FFnet-Token: abc123\r\n"));
	CHECK(t_has(out, "Reply-To: svar@ffnet.dk\r\n"));
	CHECK(t_has(out, "Date: Tue, 5 Mar 2024 10:00:00 +0100\r\n"));
	CHECK(t_has(out, "Subject: ") && t_has(out, "=?UTF-8?Q?"));
	CHECK(t_has(out, "=46rom the start"));
	CHECK(t_has(out, "trailing space=20\r\n"));

	CHECK(mime_parse(out, len, NULL, &m) == 0);
	CHECK_STR(m.subject, subj);
	CHECK_STR(m.from_name, o.from_name);
	CHECK_STR(m.from_addr, "ffnet@ffnet.dk");
	CHECK_STR(m.text, text);
	CHECK_STR(m.message_id, "20240305.abc@ffnet.dk");
	CHECK_STR(m.reply_to, "svar@ffnet.dk");
	CHECK_STR(m.in_reply_to, "<CAB1234@mail.gmail.com>");
	CHECK_STR(m.references, "<a@x.dk> <CAB1234@mail.gmail.com>");
	CHECK_STR(m.content_language, "da");
	CHECK_STR(m.content_type, "text/plain");
	CHECK(m.date == 1709629200);
	CHECK_STR(mime_header(&m, "Auto-Submitted"), "auto-replied");
	to = mime_header_decoded_dup(&m, "To");
	CHECK_STR(to, "Åse Ørsted <aase@example.dk>");
	free(to);
	msg_clear(&m);
	free(out);
}

static void
test_build_minimal(void)
{
	struct mime_out	 o;
	struct msg	 m;
	char		*out;
	size_t		 len;

	/* Minimal message; text without a final newline gets one. */
	memset(&o, 0, sizeof(o));
	o.from_addr = "ffnet@ffnet.dk";
	o.to_addr = "a@b.dk";
	o.subject = "Hej";
	o.message_id = "1@ffnet.dk";
	o.date = 0;
	o.text = "Ja";
	out = mime_build(&o, &len);
	CHECK(out != NULL);
	CHECK(mime_parse(out, len, NULL, &m) == 0);
	CHECK_STR(m.text, "Ja\n");
	CHECK_STR(m.subject, "Hej");
	CHECK(m.from_name == NULL);
	CHECK(m.in_reply_to == NULL);
	msg_clear(&m);
	free(out);

	/* Header injection and bad addresses are refused. */
	o.subject = "ok";
	o.to_addr = "a@b.dk\r\nBcc: victim@x.dk";
	CHECK(mime_build(&o, &len) == NULL);
	o.to_addr = "a@b.dk";
	o.in_reply_to = "x\r\nBcc: y";
	CHECK(mime_build(&o, &len) == NULL);
	o.in_reply_to = NULL;
	o.subject = "a\r\nBcc: victim@x.dk";
	out = mime_build(&o, &len);
	CHECK(out != NULL && !t_has(out, "\r\nBcc:"));
	free(out);
}

/*
 * Multipart builds: a tiny structural scan of our own, independent of
 * libetpan, beside mime_parse(). A node is one part: its unfolded
 * Content-Type, Content-Disposition and Content-Transfer-Encoding, its
 * raw body and, for a multipart, its children in order.
 */
struct t_node {
	char		 type[64];	/* lower case "type/subtype" */
	char		*ctype;
	char		*disp;
	char		*cte;
	char		*bnd;		/* boundary, multiparts only */
	const char	*body;
	size_t		 blen;
	struct t_node	*kids[8];
	size_t		 nkids;
	bool		 bad;		/* malformed: no blank line, no end */
};

/* The unfolded value of the first header of that name, or NULL. */
static char *
t_hdr_dup(const char *h, size_t hlen, const char *name)
{
	struct buf	 b;
	size_t		 i = 0, nl = strlen(name), e;
	bool		 on = false;

	buf_init(&b);
	while (i < hlen) {
		e = i;
		while (e + 1 < hlen && !(h[e] == '\r' && h[e + 1] == '\n'))
			e++;
		if (on && (h[i] == ' ' || h[i] == '\t'))
			buf_add(&b, h + i, e - i);
		else if (on)
			break;
		else if (e - i > nl && h[i + nl] == ':' &&
		    strncasecmp(h + i, name, nl) == 0) {
			on = true;
			buf_add(&b, h + i + nl + 1, e - i - nl - 1);
		}
		i = e + 2;
	}
	if (!on) {
		buf_clear(&b);
		return NULL;
	}
	return util_trim(buf_release(&b));
}

/* A parameter (exact name) of a header value, unquoted; NULL if absent. */
static char *
t_param_dup(const char *v, const char *name)
{
	struct buf	 b;
	const char	*p = v;
	size_t		 nl = strlen(name);

	while (v != NULL && (p = strchr(p, ';')) != NULL) {
		p += 1 + strspn(p + 1, " \t");
		if (strncasecmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		p += nl + 1;
		buf_init(&b);
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				buf_addc(&b, *p);
			}
		} else
			buf_add(&b, p, strcspn(p, "; \t"));
		return buf_release(&b);
	}
	return NULL;
}

static struct t_node *
t_scan(const char *s, size_t n, int depth)
{
	struct t_node	*t = xcalloc(1, sizeof(*t));
	const char	*hend, *p, *line, *start = NULL, *end = s + n;
	char		*delim = NULL;
	size_t		 i, dl, ll;

	if (n >= 2 && s[0] == '\r' && s[1] == '\n')
		hend = s;
	else if ((hend = memmem(s, n, "\r\n\r\n", 4)) != NULL)
		hend += 2;
	if (hend == NULL) {
		t->bad = true;
		return t;
	}
	t->ctype = t_hdr_dup(s, (size_t)(hend - s), "Content-Type");
	t->disp = t_hdr_dup(s, (size_t)(hend - s), "Content-Disposition");
	t->cte = t_hdr_dup(s, (size_t)(hend - s), "Content-Transfer-Encoding");
	snprintf(t->type, sizeof(t->type), "%.*s", t->ctype == NULL ? 10 :
	    (int)strcspn(t->ctype, "; \t"), t->ctype == NULL ? "text/plain" :
	    t->ctype);
	for (i = 0; t->type[i] != '\0'; i++)
		t->type[i] = (char)tolower((unsigned char)t->type[i]);
	t->body = hend + 2;
	t->blen = (size_t)(end - t->body);
	if (strncmp(t->type, "multipart/", 10) != 0 || depth > 4)
		return t;
	if ((t->bnd = t_param_dup(t->ctype, "boundary")) == NULL) {
		t->bad = true;
		return t;
	}
	delim = xasprintf("--%s", t->bnd);
	dl = strlen(delim);
	t->bad = true;
	for (line = t->body; line < end; line = p + 2) {
		if ((p = memmem(line, (size_t)(end - line), "\r\n", 2)) ==
		    NULL)
			p = end;
		ll = (size_t)(p - line);
		if (ll < dl || memcmp(line, delim, dl) != 0)
			continue;
		if (start != NULL && t->nkids < nitems(t->kids))
			t->kids[t->nkids++] = t_scan(start,
			    (size_t)(line - 2 - start), depth + 1);
		if (ll == dl + 2 && memcmp(line + dl, "--", 2) == 0) {
			t->bad = false;
			break;
		}
		start = ll == dl ? p + 2 : NULL;
	}
	free(delim);
	return t;
}

static void
t_node_free(struct t_node *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nkids; i++)
		t_node_free(t->kids[i]);
	free(t->ctype);
	free(t->disp);
	free(t->cte);
	free(t->bnd);
	free(t);
}

/*
 * Decodes a base64 body of our own making: only the alphabet, "=" at
 * the end, lines of at most 76 characters ending in CRLF. Returns a
 * new buffer, or NULL if any of that does not hold.
 */
static char *
t_b64_dup(const char *s, size_t n, size_t *outlen)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf	 b;
	const char	*c;
	size_t		 i, col = 0;
	unsigned int	 acc = 0, nb = 0;
	bool		 ok = true, pad = false;

	buf_init(&b);
	for (i = 0; i < n && ok; i++) {
		if (s[i] == '\r') {
			ok = i + 1 < n && s[i + 1] == '\n';
			i++;
			col = 0;
			continue;
		}
		if (++col > 76)
			ok = false;
		if (s[i] == '=') {
			pad = true;
			continue;
		}
		if (pad || s[i] == '\0' || (c = strchr(abc, s[i])) == NULL) {
			ok = false;
			break;
		}
		acc = acc << 6 | (unsigned int)(c - abc);
		if ((nb += 6) >= 8) {
			nb -= 8;
			buf_addc(&b, (int)(acc >> nb & 0xff));
		}
	}
	*outlen = b.len;
	if (!ok || col != 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_release(&b);
}

/* The decoded base64 body equals (data, len). */
static bool
t_b64_is(const struct t_node *t, const char *data, size_t len)
{
	char	*d;
	size_t	 n;
	bool	 ok;

	if (t == NULL || t->cte == NULL || strcasecmp(t->cte, "base64") != 0)
		return false;
	d = t_b64_dup(t->body, t->blen, &n);
	ok = d != NULL && n == len && memcmp(d, data, len) == 0;
	free(d);
	return ok;
}

/* A parameter of a header value equals want (NULL: is absent). */
static bool
t_param_is(const char *v, const char *name, const char *want)
{
	char	*p = t_param_dup(v, name);
	bool	 ok;

	ok = want == NULL ? p == NULL : p != NULL && strcmp(p, want) == 0;
	free(p);
	return ok;
}

/* Every byte 7-bit and not NUL, every line CRLF and at most 78 long. */
static bool
t_wire_ok(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' || (unsigned char)s[i] >= 0x80)
			return false;
	return t_lines_ok(s, len, len);
}

/* How often needle occurs in (s, n). */
static size_t
t_count(const char *s, size_t n, const char *needle)
{
	const char	*p = s, *q;
	size_t		 c = 0, nl = strlen(needle);

	while ((q = memmem(p, (size_t)(s + n - p), needle, nl)) != NULL) {
		c++;
		p = q + nl;
	}
	return c;
}

static const char t_invite[] =
	"BEGIN:VCALENDAR\r\n"
	"PRODID:-//FFnet//ffnet 1.0//DA\r\n"
	"VERSION:2.0\r\n"
	"METHOD:REQUEST\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:3f0c9a6e-5b1d-4c1e-9d7a-2b8e1f4a6c90\r\n"
	"DTSTAMP:20260301T120000Z\r\n"
	"DTSTART:20260611T130000Z\r\n"
	"DTEND:20260611T150000Z\r\n"
	"SEQUENCE:0\r\n"
	"SUMMARY:Netværksmøde hos Æblegården\r\n"
	"LOCATION:Æblegården\\, Næstved\r\n"
	"ORGANIZER;CN=FFnet:mailto:tilmelding@ffnet.dk\r\n"
	"ATTENDEE;CN=Åse Ørsted;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT\r\n"
	" =NEEDS-ACTION;RSVP=TRUE:mailto:aase@example.dk\r\n"
	"STATUS:CONFIRMED\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char t_cancel[] =
	"BEGIN:VCALENDAR\r\n"
	"PRODID:-//FFnet//ffnet 1.0//DA\r\n"
	"VERSION:2.0\r\n"
	"METHOD:CANCEL\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:3f0c9a6e-5b1d-4c1e-9d7a-2b8e1f4a6c90\r\n"
	"DTSTAMP:20260305T090000Z\r\n"
	"DTSTART:20260611T130000Z\r\n"
	"SEQUENCE:1\r\n"
	"ORGANIZER:mailto:tilmelding@ffnet.dk\r\n"
	"ATTENDEE:mailto:aase@example.dk\r\n"
	"STATUS:CANCELLED\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

/* Binary: NUL, 0xFF, bare CR and LF; a CSV starting with the UTF-8 BOM. */
static const char t_pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\0\0\xff\xfe\xff"
	"\r\x80\x00 stream\r\nend\n%%EOF\xff";
static const char t_csv[] = "\xef\xbb\xbfNavn;Virksomhed;E-mail\r\n"
	"Søren Jensen;Æblegården A/S;soren@example.dk\r\n"
	"Åse Ørsted;\"Hansen; Co\";aase@example.dk\r\n";
static const char t_csv_name[] = "Deltagere møde M3.csv";

static void
t_out_init(struct mime_out *o, const char *text)
{
	memset(o, 0, sizeof(*o));
	o->from_name = "FFnet Tilmelding";
	o->from_addr = "tilmelding@ffnet.dk";
	o->to_name = "Åse Ørsted";
	o->to_addr = "aase@example.dk";
	o->subject = "Invitation: Netværksmøde hos Æblegården";
	o->message_id = "inv.1@ffnet.dk";
	o->auto_submitted = "auto-generated";
	o->date = 1772366400;
	o->text = text;
}

/* The scan's own checks fail where they should. */
static void
test_build_scan(void)
{
	struct t_node	*t;
	char		*d, l77[80];
	size_t		 n;
	const char	 two[] = "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
	    "\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\n\r\ny"
	    "\r\n--b--\r\n";

	d = t_b64_dup("SGVq\r\n", 6, &n);
	CHECK(d != NULL && n == 3 && memcmp(d, "Hej", 3) == 0);
	free(d);
	memset(l77, 'Q', 77);
	memcpy(l77 + 77, "\r\n", 3);
	CHECK(t_b64_dup(l77, 79, &n) == NULL);
	d = t_b64_dup(l77 + 1, 78, &n);
	CHECK(d != NULL && n == 57);
	free(d);
	CHECK(t_b64_dup("SGVq\n", 5, &n) == NULL);
	CHECK(t_b64_dup("SGVq", 4, &n) == NULL);
	CHECK(t_b64_dup("SG=q\r\n", 6, &n) == NULL);
	CHECK(!t_wire_ok("a\nb\r\n", 5));
	CHECK(!t_wire_ok("\xc3\xa6\r\n", 4));
	CHECK(t_wire_ok("ab\r\n", 4));
	CHECK(t_param_is("text/plain; name=\"a \\\"b\"; x=y", "name",
	    "a \"b"));
	CHECK(t_param_is("a; filename*=x", "filename", NULL));
	t = t_scan(two, sizeof(two) - 1, 0);
	CHECK(!t->bad && t->nkids == 2);
	if (t->nkids == 2) {
		CHECK_STR(t->kids[0]->type, "text/plain");
		CHECK(t->kids[0]->blen == 1 && *t->kids[0]->body == 'x');
		CHECK(t->kids[1]->ctype == NULL && t->kids[1]->blen == 1);
	}
	t_node_free(t);
	t = t_scan(two, sizeof(two) - 5, 0);
	CHECK(t->bad);
	t_node_free(t);
}

static void
test_build_invite(void)
{
	struct mime_out		 o;
	struct mime_attach	 at[2] = {
		{ "application/pdf", "Program.pdf", t_pdf, sizeof(t_pdf) - 1 },
		{ "text/csv; charset=UTF-8", t_csv_name, t_csv,
		    sizeof(t_csv) - 1 },
	};
	struct msg		 m;
	struct t_node		*t = NULL, *alt, *k;
	const struct mime_part	*p;
	const char		 text[] = "Kære Åse,\n\nDu er inviteret til "
	    "netværksmødet den 11. juni.\nProgram og deltagerliste er "
	    "vedhæftet.\n";
	char			*out, *ct;
	size_t			 len, i;

	t_out_init(&o, text);
	o.calendar = t_invite;
	o.cal_method = "REQUEST";
	o.attach = at;
	o.nattach = nitems(at);
	out = mime_build(&o, &len);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	CHECK(strlen(out) == len);
	CHECK(t_wire_ok(out, len));
	CHECK(t_count(out, len, "MIME-Version: 1.0\r\n") == 1);
	CHECK(strncmp(out, "MIME-Version", 12) != 0 &&
	    t_count(out, len, "\r\nMIME-Version: 1.0\r\n") == 1);

	/* The structure, scanned here. */
	t = t_scan(out, len, 0);
	CHECK(!t->bad);
	CHECK_STR(t->type, "multipart/mixed");
	CHECK(t->nkids == 4);
	alt = t->nkids > 0 ? t->kids[0] : NULL;
	CHECK(alt != NULL && strcmp(alt->type, "multipart/alternative") == 0);
	CHECK(alt != NULL && !alt->bad && alt->nkids == 2);
	if (alt != NULL && alt->nkids == 2) {
		CHECK_STR(alt->kids[0]->type, "text/plain");
		CHECK(t_param_is(alt->kids[0]->ctype, "charset", "UTF-8"));
		CHECK_STR(alt->kids[0]->cte, "quoted-printable");
		k = alt->kids[1];
		CHECK_STR(k->type, "text/calendar");
		CHECK(t_param_is(k->ctype, "charset", "UTF-8"));
		CHECK(t_param_is(k->ctype, "method", o.cal_method));
		/* Bare, as Google, Thunderbird and Outlook write it. */
		CHECK_STR(k->ctype,
		    "text/calendar; charset=UTF-8; method=REQUEST");
		CHECK(k->disp == NULL);
		CHECK(t_b64_is(k, t_invite, sizeof(t_invite) - 1));
	}
	/* The boundaries differ and occur only where they belong. */
	CHECK(alt != NULL && t->bnd != NULL && alt->bnd != NULL &&
	    strstr(t->bnd, alt->bnd) == NULL &&
	    strstr(alt->bnd, t->bnd) == NULL);
	if (alt != NULL && t->bnd != NULL && alt->bnd != NULL) {
		CHECK(t_count(out, len, t->bnd) == 1 + t->nkids + 1);
		CHECK(t_count(out, len, alt->bnd) == 1 + alt->nkids + 1);
	}
	if (t->nkids == 4) {
		k = t->kids[1];
		CHECK_STR(k->type, "application/ics");
		CHECK(t_param_is(k->ctype, "name", "invite.ics"));
		CHECK(t_param_is(k->ctype, "method", NULL));
		CHECK(k->disp != NULL && strncmp(k->disp, "attachment;", 11)
		    == 0);
		CHECK(t_param_is(k->disp, "filename", "invite.ics"));
		CHECK(t_b64_is(k, t_invite, sizeof(t_invite) - 1));

		k = t->kids[2];
		CHECK_STR(k->type, "application/pdf");
		CHECK(t_param_is(k->ctype, "name", "Program.pdf"));
		CHECK(t_param_is(k->disp, "filename", "Program.pdf"));
		CHECK(t_param_is(k->disp, "filename*", NULL));
		CHECK(t_b64_is(k, t_pdf, sizeof(t_pdf) - 1));

		k = t->kids[3];
		CHECK_STR(k->type, "text/csv");
		CHECK(t_param_is(k->ctype, "charset", "UTF-8"));
		CHECK(t_param_is(k->ctype, "name", "Deltagere moede M3.csv"));
		CHECK(t_param_is(k->disp, "filename",
		    "Deltagere moede M3.csv"));
		CHECK(t_param_is(k->disp, "filename*",
		    "UTF-8''Deltagere%20m%C3%B8de%20M3.csv"));
		CHECK(k->disp != NULL && strncmp(k->disp, "attachment;", 11)
		    == 0);
		CHECK(t_b64_is(k, t_csv, sizeof(t_csv) - 1));
		/* Nothing but the text and the calendar in the alternative. */
		for (i = 1; i < t->nkids; i++)
			CHECK(t->kids[i]->nkids == 0);
	}

	/* The same, as mime_parse() sees it. */
	CHECK(mime_parse(out, len, NULL, &m) == 0);
	CHECK_STR(m.content_type, "multipart/mixed");
	CHECK_STR(m.text, text);
	CHECK_STR(m.subject, o.subject);
	CHECK(m.nparts == 4);
	p = t_part(&m, "text/calendar");
	CHECK(p != NULL && p->method != NULL &&
	    strcmp(p->method, o.cal_method) == 0);
	CHECK(p != NULL && p->filename == NULL);
	CHECK(p != NULL && p->len == sizeof(t_invite) - 1 &&
	    memcmp(p->data, t_invite, p->len) == 0);
	p = t_part(&m, "application/ics");
	CHECK(p != NULL && p->filename != NULL &&
	    strcmp(p->filename, "invite.ics") == 0);
	CHECK(p != NULL && p->len == sizeof(t_invite) - 1 &&
	    memcmp(p->data, t_invite, p->len) == 0);
	p = t_part(&m, "application/pdf");
	CHECK(p != NULL && p->len == sizeof(t_pdf) - 1 &&
	    memcmp(p->data, t_pdf, p->len) == 0);
	CHECK(p != NULL && p->filename != NULL &&
	    strcmp(p->filename, "Program.pdf") == 0);
	p = t_part(&m, "text/csv");
	CHECK(p != NULL && p->len == sizeof(t_csv) - 1 &&
	    memcmp(p->data, t_csv, p->len) == 0);
	CHECK(p != NULL && p->filename != NULL &&
	    strcmp(p->filename, t_csv_name) == 0);
	ct = mime_header_decoded_dup(&m, "Content-Type");
	CHECK(ct != NULL && strncmp(ct, "multipart/mixed;", 16) == 0);
	free(ct);
	msg_clear(&m);
	t_node_free(t);
	free(out);
}

static void
test_build_cancel(void)
{
	struct mime_out		 o;
	struct msg		 m;
	struct t_node		*t;
	const struct mime_part	*p;
	char			*out;
	size_t			 len;

	t_out_init(&o, "Mødet er aflyst.\n");
	o.calendar = t_cancel;
	o.cal_method = "CANCEL";
	out = mime_build(&o, &len);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	CHECK(t_wire_ok(out, len));
	t = t_scan(out, len, 0);
	CHECK_STR(t->type, "multipart/mixed");
	CHECK(t->nkids == 2);
	if (t->nkids == 2) {
		CHECK_STR(t->kids[0]->type, "multipart/alternative");
		CHECK(t->kids[0]->nkids == 2);
		if (t->kids[0]->nkids == 2) {
			CHECK(t_param_is(t->kids[0]->kids[1]->ctype, "method",
			    "CANCEL"));
			CHECK(t_b64_is(t->kids[0]->kids[1], t_cancel,
			    sizeof(t_cancel) - 1));
		}
		CHECK_STR(t->kids[1]->type, "application/ics");
		CHECK(t_b64_is(t->kids[1], t_cancel, sizeof(t_cancel) - 1));
	}
	t_node_free(t);
	CHECK(mime_parse(out, len, NULL, &m) == 0);
	CHECK(m.nparts == 2);
	CHECK_STR(m.text, "Mødet er aflyst.\n");
	p = t_part(&m, "text/calendar");
	CHECK(p != NULL && p->method != NULL &&
	    strcmp(p->method, "CANCEL") == 0);
	msg_clear(&m);
	free(out);

	/* The parameter is written in upper case whatever it is given in. */
	o.cal_method = "cancel";
	out = mime_build(&o, &len);
	CHECK(out != NULL && t_has(out, "; method=CANCEL\r\n") &&
	    !t_has(out, "method=cancel"));
	free(out);

	/* RFC 5545 3.7.2: no method, or one that is not the METHOD: refused. */
	o.cal_method = "REQUEST";
	CHECK(mime_build(&o, &len) == NULL);
	o.cal_method = NULL;
	CHECK(mime_build(&o, &len) == NULL);
	o.cal_method = "CANCEL\r\nBcc: victim@x.dk";
	CHECK(mime_build(&o, &len) == NULL);
	o.cal_method = "CANCE";
	CHECK(mime_build(&o, &len) == NULL);
	o.cal_method = "CANCEL";
	o.calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
	CHECK(mime_build(&o, &len) == NULL);
}

static void
test_build_attach(void)
{
	struct mime_out		 o;
	const char		 lname[] = "Referat fra bestyrelsesmødet på "
	    "Ærø om økonomi, årsregnskab og næste års aktiviteter.txt";
	struct mime_attach	 at[3] = {
		{ "text/csv; charset=\"UTF-8\"", t_csv_name, t_csv,
		    sizeof(t_csv) - 1 },
		{ "text/plain; charset=UTF-8; name=old.txt", lname, "Referat\n",
		    8 },
		{ "application/octet-stream", NULL, NULL, 0 },
	};
	struct msg		 m;
	struct t_node		*t;
	const struct mime_part	*p;
	char			*out, *hdrend;
	size_t			 len, i;

	t_out_init(&o, "Her er listen.\n");
	o.attach = at;
	o.nattach = nitems(at);
	out = mime_build(&o, &len);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	CHECK(t_wire_ok(out, len));
	CHECK(!t_has(out, "multipart/alternative") &&
	    !t_has(out, "calendar") && !t_has(out, "invite.ics"));
	t = t_scan(out, len, 0);
	CHECK(!t->bad);
	CHECK_STR(t->type, "multipart/mixed");
	CHECK(t->nkids == 4);
	if (t->nkids == 4) {
		CHECK_STR(t->kids[0]->type, "text/plain");
		CHECK(t->kids[0]->disp == NULL);
		CHECK_STR(t->kids[1]->type, "text/csv");
		CHECK(t_b64_is(t->kids[1], t_csv, sizeof(t_csv) - 1));
		/* The type's own name= gives way to the file name. */
		CHECK(t_param_is(t->kids[2]->ctype, "charset", "UTF-8"));
		CHECK(t_count(t->kids[2]->ctype, strlen(t->kids[2]->ctype),
		    "name=") == 1 && !t_has(t->kids[2]->ctype, "old.txt"));
		CHECK(t_b64_is(t->kids[2], "Referat\n", 8));
		/* No name: attachment without parameters, empty body. */
		CHECK_STR(t->kids[3]->disp, "attachment");
		CHECK_STR(t->kids[3]->ctype, "application/octet-stream");
		CHECK(t_b64_is(t->kids[3], "", 0));
		for (i = 1; i < t->nkids; i++)
			CHECK(t->kids[i]->nkids == 0);
	}
	t_node_free(t);

	CHECK(mime_parse(out, len, NULL, &m) == 0);
	CHECK_STR(m.content_type, "multipart/mixed");
	CHECK_STR(m.text, "Her er listen.\n");
	CHECK(m.nparts == 3);
	p = t_part(&m, "text/csv");
	CHECK(p != NULL && p->filename != NULL &&
	    strcmp(p->filename, t_csv_name) == 0);
	CHECK(p != NULL && p->len == sizeof(t_csv) - 1 &&
	    memcmp(p->data, t_csv, p->len) == 0);
	/* A long name: RFC 2231 continuations, folded lines. */
	CHECK(m.nparts == 3 && m.parts[1].filename != NULL &&
	    strcmp(m.parts[1].filename, lname) == 0);
	CHECK(t_has(out, "filename*0*=UTF-8''") &&
	    t_has(out, "\r\n filename*1*="));
	CHECK(m.nparts == 3 && m.parts[2].len == 0 &&
	    m.parts[2].filename == NULL);
	msg_clear(&m);
	free(out);

	/* A file and no text: the text part is still there. */
	o.text = NULL;
	o.nattach = 1;
	out = mime_build(&o, &len);
	CHECK(out != NULL && mime_parse(out, len, NULL, &m) == 0);
	if (out != NULL) {
		CHECK(m.nparts == 1);
		CHECK(m.text != NULL && strspn(m.text, "\n") ==
		    strlen(m.text));
		msg_clear(&m);
		t = t_scan(out, len, 0);
		CHECK(t->nkids == 2 && strcmp(t->kids[0]->type,
		    "text/plain") == 0);
		t_node_free(t);
	}
	free(out);

	/* Text only, even with a file list of none: one text/plain part. */
	o.text = "Ja";
	o.nattach = 0;
	out = mime_build(&o, &len);
	CHECK(out != NULL && !t_has(out, "multipart") &&
	    t_has(out, "\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n"));
	hdrend = out != NULL ? strstr(out, "\r\n\r\n") : NULL;
	CHECK(hdrend != NULL && strcmp(hdrend, "\r\n\r\nJa\r\n") == 0);
	free(out);

	/* Bad types are refused. */
	o.nattach = 1;
	at[0].type = "multipart/mixed";
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = "text/csv\r\nBcc: victim@x.dk";
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = "tekst/cs\xc3\xb8";
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = "text; charset=a/b";
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = "message/rfc822";
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = NULL;
	CHECK(mime_build(&o, &len) == NULL);
	at[0].type = "text/csv";
	at[0].data = NULL;
	CHECK(mime_build(&o, &len) == NULL);
	o.attach = NULL;
	CHECK(mime_build(&o, &len) == NULL);
}

/*
 * Corpus: every *.eml and *.bin under FFNET_CORPUS_DIR parses to 0 or
 * -1 within FFNET_CORPUS_MAXSEC seconds (default 2), with valid UTF-8.
 */
static int	corpus_files, corpus_fail;

static void
t_corpus_file(const char *path, double maxsec)
{
	struct msg	 m;
	struct timespec	 t0, t1;
	FILE		*f;
	char		*data;
	long		 n;
	double		 el;
	int		 rc;

	if ((f = fopen(path, "rb")) == NULL)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = xmalloc(n > 0 ? (size_t)n : 1);
	if (n < 0 || fread(data, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = mime_parse(data, (size_t)n, NULL, &m);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	corpus_files++;
	CHECK(rc == 0 || rc == -1);
	CHECK(el < maxsec);
	if (rc == 0) {
		CHECK(t_valid(&m));
		msg_clear(&m);
	} else {
		corpus_fail++;
		printf("corpus: -1: %s\n", path);
	}
	free(data);
}

static void
t_corpus_dir(const char *dir, double maxsec)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		*path;
	size_t		 n;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		n = strlen(path);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			t_corpus_dir(path, maxsec);
		else if (n > 4 && (strcmp(path + n - 4, ".eml") == 0 ||
		    strcmp(path + n - 4, ".bin") == 0))
			t_corpus_file(path, maxsec);
		free(path);
	}
	closedir(d);
}

static void
test_corpus(void)
{
	const char	*dir, *s;
	double		 maxsec = 2.0;

	if ((dir = getenv("FFNET_CORPUS_DIR")) == NULL)
		return;
	if ((s = getenv("FFNET_CORPUS_MAXSEC")) != NULL)
		maxsec = strtod(s, NULL);
	t_corpus_dir(dir, maxsec);
	printf("corpus: %d files, %d returned -1\n", corpus_files,
	    corpus_fail);
	CHECK(corpus_files > 0);
}

int
main(void)
{
	test_outlook();
	test_gmail();
	test_apple_flowed();
	test_iphone();
	test_outlook_html();
	test_raw_subject();
	test_charsets();
	test_line_ends();
	test_report();
	test_calendar();
	test_attachments();
	test_dates();
	test_caps();
	test_odd_input();
	test_envelope();
	test_deep();
	test_regressions();
	test_signed();
	test_encode_header();
	test_build();
	test_build_minimal();
	test_build_scan();
	test_build_invite();
	test_build_cancel();
	test_build_attach();
	test_corpus();
	return check_done("test_mime");
}
