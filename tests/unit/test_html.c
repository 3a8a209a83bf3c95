/*
 * test_html.c: unit tests of lib/html.c (mime_html_to_text_dup), as a
 * case table of the HTML that real clients write: Gmail's and Outlook's
 * quoting, entities, blocks, and markup cut short. Links lib/ alone.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mime.h"

static const struct {
	const char	*why;
	const char	*in;
	const char	*want;
} cases[] = {
	{ "Gmail reply: blockquotes give \"> \", nested ones \"> > \"",
	    "<div dir=\"ltr\">Ja tak<br></div><br><div class=\"gmail_quote\">"
	    "<div dir=\"ltr\" class=\"gmail_attr\">Den tir. 5. mar. 2024 skrev"
	    " Jens &lt;<a href=\"mailto:jens@ffnet.dk\">jens@ffnet.dk</a>&gt;:"
	    "<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px"
	    "\">Vil du <b>deltage</b>?<br>Svar venligst.<blockquote>Indre"
	    "</blockquote></blockquote></div>",
	    "Ja tak\n\nDen tir. 5. mar. 2024 skrev Jens "
	    "<jens@ffnet.dk>:\n> Vil du deltage?\n> Svar venligst.\n> > Indre\n" },
	{ "named and numeric entities; unknown ones stay as written",
	    "&AElig;&Oslash;&Aring; &aelig;&oslash;&aring; &quot;x&quot; "
	    "&#65;&#x42;&#x1F600; &bogus; &amp",
	    "ÆØÅ æøå \"x\" AB😀 &bogus; &amp\n" },
	{ "white space collapses; blocks, cells and <pre> keep their shape",
	    "a   b\n\n\tc<br/>d<p>e</p><p>f</p><table><tr><td>1</td><td>2</td>"
	    "</tr></table><pre>x  y\nz</pre>",
	    "a b c\nd\ne\nf\n1 2\nx  y\nz\n" },
	{ "Outlook: <head>, <style> and Word's XML are not text",
	    "<html><head><meta charset=\"utf-8\"><title>t</title><style>"
	    "p {margin:0}</style></head><body><p class=\"MsoNormal\">Hej"
	    "<o:p></o:p></p><p class=\"MsoNormal\">&nbsp;</p>"
	    "<p class=\"MsoNormal\">Mvh Søren</p></body></html>",
	    "Hej\n\nMvh Søren\n" },
	{ "script content is dropped, case-insensitively",
	    "før<SCRIPT type=\"text/javascript\">alert(1)</SCRIPT>efter",
	    "førefter\n" },
	{ "list items on lines of their own",
	    "<ul><li>Møde</li><li>Udflugt</li></ul>",
	    "Møde\nUdflugt\n" },
	{ "comments are dropped",
	    "a<!-- <p>skjult</p> -->b",
	    "ab\n" },
	{ "unclosed <style> drops nothing after the cut",
	    "x<style>y", "xy\n" },
	{ "an unclosed comment is cut at the end",
	    "x<!-- y", "x\n" },
	{ "a lone '<' is text; an unclosed tag is cut",
	    "1 < 2 <a href='x>y", "1 < 2\n" },
	{ "soft hyphen and zero-width joiners vanish",
	    "sam&shy;arbejde&zwj;", "samarbejde\n" },
	{ "empty input gives empty text", "", "" },
};

int
main(void)
{
	size_t	 i;
	char	*t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = mime_html_to_text_dup(cases[i].in, strlen(cases[i].in));
		if (t == NULL || strcmp(t, cases[i].want) != 0)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].why);
		CHECK_STR(t, cases[i].want);
		free(t);
	}
	return check_done("test_html");
}
