/*
 * test_answer.c: what a reply to a confirmation mail says (answer.c),
 * as a table of real-looking replies: Danish and English, with and
 * without a greeting, a sign-off, a link; and whole replies as Outlook,
 * Apple Mail and Gmail write them, cut by recog_new_text_dup first.
 */
#include <stdlib.h>

#include "answer.h"
#include "check.h"
#include "mime.h"
#include "recog.h"
#include "util.h"

#define Y	ANSWER_YES
#define N	ANSWER_NO
#define Q	ANSWER_QUESTION

struct test_case {
	const char	*act;
	const char	*text;
	enum answer	 want;
};

static const struct test_case cases[] = {
	/* yes, as the confirmation mail promises */
	{ "join", "", Y },
	{ "join", "   \n\n  ", Y },
	{ "join", "ja", Y },
	{ "join", "Ja", Y },
	{ "join", "Ja tak", Y },
	{ "join", "ja tak, det er mig.", Y },
	{ "join", "JA TAK!", Y },
	{ "join", "ok", Y },
	{ "join", "OK tak", Y },
	{ "join", "Okay", Y },
	{ "join", "tak", Y },
	{ "join", "Tak for det", Y },
	{ "post", "send", Y },
	{ "post", "Send!", Y },
	{ "post", "Ja, send den", Y },
	{ "post", "Ja, send den igen", Y },
	{ "join", "yes", Y },
	{ "join", "Yes please", Y },
	{ "join", "\xf0\x9f\x91\x8d", Y },			/* 👍 */
	{ "join", "Hej\n\nJa tak\n\nMvh\nJens Hansen\nHansen VVS", Y },
	{ "join", "Hej Jens,\nja tak", Y },
	{ "join", "Hej", Y },
	{ "join", "Mvh Jens", Y },
	{ "join", "Venlig hilsen\nJens Hansen\nStop Spild ApS\n"
	    "https://stopspild.dk/?ref=mail", Y },	/* signature */
	{ "join", "Ja tak, det er ikke noget problem.", Y },
	{ "join", "No problem, go ahead", Y },
	{ "join", "Ja tak. Jeg kan desværre ikke komme d. 5. men glæder mig.",
	    Y },
	{ "join", "Ja tak. Se https://example.com/side?id=3", Y },
	{ "join", "BEKRÆFT ABCD-EFGH", Y },
	{ "join", "bekraeft abcdefgh", Y },
	{ "join", "Confirm ABCD-EFGH", Y },
	{ "join", "Jeg glæder mig til at være med", Y },
	{ "post", "Ikke noget at tilføje, send den", Y },
	{ "post", "Ingen indvendinger herfra", Y },
	{ "post", "Det ser fint ud", Y },
	{ "join", "Det er mig", Y },
	{ "meetingnew", "Ja, opret det", Y },
	{ "meetingcancel", "Ja, aflys det", Y },
	{ "meetingcancel", "Ja tak, annuller mødet", Y },
	{ "ideaclose", "Ja, luk den", Y },
	/* the act itself, said in its own words */
	{ "leave", "Ja, slet mig", Y },
	{ "leave", "Slet mig venligst fra listen", Y },
	{ "leave", "Stop", Y },
	{ "leave", "Ja tak, jeg ønsker ikke længere at være medlem", Y },
	{ "leave", "I am not interested anymore", Y },
	{ "unregister", "Ja, jeg kan desværre ikke komme", Y },
	{ "unregister", "Yes, I can't make it", Y },
	{ "unregister", "Ja, frameld mig", Y },
	{ "unregister", "Aflys min tilmelding", Y },
	{ "leave", "Afmeld", Y },
	{ "leave", "Fjern mig", Y },
	/* no */
	{ "join", "Nej", N },
	{ "join", "nej tak", N },
	{ "join", "NEJ TAK!", N },
	{ "join", "Nej, det har jeg ikke bedt om. Slet mig venligst.", N },
	{ "join", "Det har jeg ikke bedt om", N },
	{ "join", "Hej\n\nNej tak", N },
	{ "join", "Hej Jens,\n\nnej tak\n\nMvh Karen", N },
	{ "join", "Kære sekretariat\n\nDet må være en fejl.", N },
	{ "join", "Godmorgen! Nej.", N },
	{ "join", "Hej nej tak det vil jeg ikke", N },
	{ "join", "Slet mig", N },
	{ "join", "Stop!", N },
	{ "join", "Fortryd", N },
	{ "join", "Annuller", N },
	{ "join", "Annullér venligst", N },
	{ "join", "annuller", N },
	{ "join", "Afbryd", N },
	{ "join", "Drop det", N },
	{ "join", "Glem det igen", N },
	{ "join", "Lad være", N },
	{ "join", "Lad vaere", N },
	{ "join", "Ingen tak", N },
	{ "join", "Tak, men jeg vil ikke være med", N },
	{ "join", "Tak for mailen. Men det har jeg ikke bedt om.", N },
	{ "join", "Ja. Nej vent", N },
	{ "join", "no", N },
	{ "join", "No thanks", N },
	{ "join", "No, thank you.", N },
	{ "join", "Hi Anna,\n\nI didn't ask for this.", N },
	{ "join", "I didn’t sign up", N },			/* ’ */
	{ "join", "Please don't", N },
	{ "join", "Do not add me", N },
	{ "join", "Cancel", N },
	{ "join", "Please delete my address", N },
	{ "join", "Abort", N },
	{ "join", "Afmeld", N },
	{ "join", "Fjern mig fra listen", N },
	{ "join", "Næ", N },
	{ "join", "Nix", N },
	{ "join", "Det er ikke mig", N },
	{ "join", "Det er ikke OK", N },
	{ "post", "Ja, men send den ikke før i morgen", N },
	{ "post", "Yes, but not yet", N },
	{ "post", "Ok, men vent lidt", N },
	{ "post", "Nej tak, det er fint", N },
	{ "join", "\xf0\x9f\x91\x8e", N },			/* 👎 */
	{ "join", "Nej\xc2\xa0tak", N },		/* no-break space (HTML) */
	{ "join", "Nej\xe2\x80\xa6 det tror jeg ikke", N },	/* … */
	{ "join", "\xc2\xbbNej\xc2\xab", N },			/* »Nej« */
	{ "join", "\xe2\x80\x9cNo\xe2\x80\x9d", N },		/* “No” */
	{ "join", "Ja\xc2\xa0tak", Y },
	{ "join", "Ja \xe2\x80\x93 det er mig \xf0\x9f\x98\x8a", Y },	/* – 😊 */
	{ "join", "Jeg\xc2\xa0har ikke\xc2\xa0" "bedt om det", N },
	{ "post", "Nej, send den ikke! Der er en fejl i teksten.", N },
	{ "post", "Send den ikke", N },
	{ "post", "Ikke send", N },
	{ "post", "Vent lidt, jeg retter teksten", N },
	{ "post", "Stop, der mangler en fil", N },
	{ "post", "Don't send it", N },
	{ "post", "Wait", N },
	{ "post", "Bekræft ikke", N },
	{ "leave", "Nej, jeg vil gerne blive", N },
	{ "leave", "Nej, slet mig ikke", N },
	{ "leave", "Slet mig ikke", N },
	{ "leave", "Fortryd, jeg bliver", N },
	{ "unregister", "Nej, jeg kommer", N },
	{ "unregister", "Nej tak, jeg vil beholde min plads", N },
	{ "unregister", "Det var en fejl, jeg kommer gerne", N },
	{ "meetingchange", "Nej, datoen er forkert", N },
	{ "meetingcancel", "Nej! Mødet skal ikke aflyses", N },
	/* a question for a person */
	{ "join", "Hvad er det her?", Q },
	{ "join", "Hej\n\nHvad er det her?\n\nMvh Lise", Q },
	{ "join", "hvad er det her", Q },
	{ "join", "Hvem har tilmeldt mig", Q },
	{ "join", "Hvorfor får jeg denne mail", Q },
	{ "join", "What is this?", Q },
	{ "join", "Ja tak. Hvornår er næste møde?", Q },
	{ "post", "Kommer den også til de nye medlemmer?", Q },
	{ "unregister", "Kan jeg få min plads igen senere?", Q },
	{ "join", "Er det gratis?", Q },
};

/* Whole replies, cut the way recog.c cuts them before answer.c looks. */
static const struct test_case mails[] = {
	/* Outlook: new text, then "-----Oprindelig meddelelse-----" */
	{ "join", "Nej, det har jeg ikke bedt om. Slet mig venligst.\r\n\r\n"
	    "-----Oprindelig meddelelse-----\r\nFra: Flere Faglærte "
	    "Netværket <ffnet@example.org>\r\nSendt: 22. november 2026 "
	    "10:15\r\nTil: jens@example.com\r\nEmne: Bekræft din "
	    "tilmelding\r\n\r\nSvar blot på denne mail.\r\n", N },
	/* Outlook without the dashes: typed above a "Fra:/Sendt:" block */
	{ "post", "Hej\r\n\r\nsend\r\n\r\nFra: ffnet <ffnet@example.org>\r\n"
	    "Sendt: 22. november 2026 10:15\r\nTil: sek@example.org\r\n"
	    "Emne: Send til 12 modtagere? Nyhedsbrev\r\n\r\nNej, den "
	    "sendes ikke før I har svaret?\r\n", Y },
	{ "post", "Hej\r\n\r\nSend den ikke!\r\n\r\nFrom: ffnet <ffnet@"
	    "example.org>\r\nSent: Sunday, 22 November 2026 10:15\r\n"
	    "To: sek@example.org\r\nSubject: Send?\r\n\r\nJa\r\n", N },
	/* Apple Mail: "Den … skrev …:" and > quotes */
	{ "leave", "Ja\n\nDen 22. nov. 2026 kl. 10.15 skrev Flere Faglærte "
	    "Netværket <ffnet@example.org>:\n\n> Har du ikke selv bedt om "
	    "at blive afmeldt? Nej?\n", Y },
	/* iPhone: the signature line ends the new text */
	{ "join", "Hvad er det her?\n\nSendt fra min iPhone\n\n> Nej tak\n",
	    Q },
	/* Gmail: "On … wrote:" wrapped over two lines */
	{ "join", "No thanks\n\nOn Sun, 22 Nov 2026 at 10:15, Flere Faglærte "
	    "Netværket <\nffnet@example.org> wrote:\n\n> Please confirm\n",
	    N },
	{ "join", "\n\nOn Sun, 22 Nov 2026 at 10:15, Flere Faglærte "
	    "Netværket <ffnet@example.org> wrote:\n\n> Nej? Stop!\n", Y },
};

/* HTML-only replies (Outlook on the web, new Outlook): mime_parse.c's text. */
static const struct test_case html[] = {
	{ "join", "<html><body><div>Ja tak</div><div><br></div>"
	    "<hr style=\"display:inline-block;width:98%\"><div id=\""
	    "divRplyFwdMsg\"><b>Fra:</b> Flere Fagl&aelig;rte Netv&aelig;rket"
	    " &lt;ffnet@example.org&gt;<br><b>Sendt:</b> 22. november 2026 "
	    "10:15<br><b>Til:</b> jens@example.com<br><b>Emne:</b> Bekr&aelig;"
	    "ft</div><div>Har du ikke selv bedt om det, s&aring; slet denne "
	    "mail. Nej?</div></body></html>", Y },
	{ "join", "<html><body><p>Nej&nbsp;tak</p><p>&nbsp;</p><div "
	    "style=\"border-top:solid #E1E1E1 1.0pt\"><p><b>From:</b> ffnet "
	    "&lt;ffnet@example.org&gt;<br><b>Sent:</b> Sunday, 22 November "
	    "2026 10:15<br><b>To:</b> jens@example.com</p></div><p>Simply "
	    "reply.</p></body></html>", N },
	{ "post", "<div dir=\"ltr\">Hvad er det her?</div>", Q },
};

static void
test_html(void)
{
	const char	*why;
	char		*text, *cut;
	enum answer	 got;
	size_t		 i;

	for (i = 0; i < nitems(html); i++) {
		text = mime_html_to_text_dup(html[i].text,
		    strlen(html[i].text));
		cut = recog_new_text_dup(text);
		got = answer_classify(cut, html[i].act, &why);
		if (got != html[i].want)
			fprintf(stderr, "  html %zu [%s]: got %s (%s)\n", i, cut,
			    answer_name(got), why);
		CHECK(got == html[i].want);
		free(cut);
		free(text);
	}
}

static void
test_table(const struct test_case *v, size_t n, bool cut)
{
	const char	*why;
	char		*text;
	enum answer	 got;
	size_t		 i;

	for (i = 0; i < n; i++) {
		text = cut ? recog_new_text_dup(v[i].text) :
		    xstrdup(v[i].text);
		why = NULL;
		got = answer_classify(text, v[i].act, &why);
		CHECK(why != NULL);
		if (got != v[i].want)
			fprintf(stderr, "  %s [%s]: got %s (%s), want %s\n",
			    v[i].act, v[i].text, answer_name(got),
			    why ? why : "-", answer_name(v[i].want));
		CHECK(got == v[i].want);
		free(text);
	}
}

/* A registration's note: what the member wrote, not the signature. */
static void
test_signoff(void)
{
	static const struct {
		const char	*in, *want;
	} notes[] = {
		{ "Vegetar\n\nMed venlig hilsen\nJens Hansen\nHansen VVS",
		    "Vegetar\n\n" },
		{ "Glutenfri, tak\nMVH\nJens", "Glutenfri, tak\n" },
		{ "Vi kommer to.\nBest regards,\nJane Smith | CEO",
		    "Vi kommer to.\n" },
		{ "Laktosefri\nKærlig hilsen Åse", "Laktosefri\n" },
		{ "Veganer\n\nDenne e-mail kan indeholde fortrolige "
		    "oplysninger.", "Veganer\n\n" },
		{ "Halal\nCONFIDENTIALITY NOTICE: This e-mail is for the "
		    "intended recipient", "Halal\n" },
		{ "Vh\nOle", "" },
		/* words that only look like a sign-off stay */
		{ "Hilsen til værten: vi kommer til tiden",
		    "Hilsen til værten: vi kommer til tiden" },
		{ "Ingen ønsker\nMed venlig hilsen\n\nJens Hansen, Hansen VVS "
		    "ApS", "Ingen ønsker\n" },
		{ "Vegetar, hilsen Jens", "Vegetar, hilsen Jens" },
		{ "Brød uden nødder", "Brød uden nødder" },
		{ "Kommer med kollega (Bo)", "Kommer med kollega (Bo)" },
		{ "", "" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < nitems(notes); i++) {
		s = xstrdup(notes[i].in);
		answer_cut_signoff(s);
		CHECK_STR(s, notes[i].want);
		free(s);
	}
}

int
main(void)
{
	test_signoff();
	test_table(cases, nitems(cases), false);
	test_table(mails, nitems(mails), true);
	test_html();
	/* NULL text and act are allowed */
	CHECK(answer_classify(NULL, NULL, NULL) == ANSWER_YES);
	CHECK(answer_classify("Slet mig", NULL, NULL) == ANSWER_NO);
	CHECK_STR(answer_name(ANSWER_QUESTION), "question");
	/* a no that also asks: cancelled, and read by a person */
	CHECK(answer_classify("Nej tak. Hvem har tilmeldt mig?", "join",
	    NULL) == ANSWER_NO);
	CHECK(answer_is_question("Nej tak. Hvem har tilmeldt mig?"));
	CHECK(answer_is_question("Nej. Hvorfor det"));
	CHECK(!answer_is_question("Nej tak"));
	CHECK(!answer_is_question("Nej. Se https://example.com/?a=1"));
	CHECK(!answer_is_question("Nej\n\nMvh Jens\nwww.example.com/?x"));
	CHECK(!answer_is_question(NULL));
	return check_done("test_answer");
}
