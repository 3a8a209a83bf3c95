/*
 * answer.c: what a reply to a confirmation mail says (PRODUCT.md rule 8:
 * a no is a no). handlers/confirm.c calls answer_classify() on the new
 * text of the reply before it carries anything out. Pure code: folds
 * the text, cuts it at a sign-off, splits it into words and sentences,
 * and looks for no-words, negations and questions. Owns nothing.
 *
 * The rules, in order (when in doubt, the answer is no):
 *  1. 👎, or a no-word anywhere: nej, næ, stop, fortryd, annuller,
 *     slet, afmeld, afbryd, vent, fejl, cancel, delete, abort, wait;
 *     "drop det", "glem det", "lad være", "forget it": no.
 *  2. BEKRÆFT/CONFIRM as the first word (after a greeting), in a
 *     sentence without a negation: an explicit command, yes.
 *  3. A negation (ikke, not, no, never, aldrig, ingen, don't…) in the
 *     first sentence after the greeting, or in a later one unless the
 *     first starts with a clear yes ("Ja tak. Jeg kan ikke komme d. 5."
 *     confirms): no. A negation followed by a harmless word ("ikke
 *     noget problem", "no problem", "ingen indvendinger", "ikke noget
 *     at tilføje") does not count.
 *  4. A '?' outside a link, or a sentence that opens with a question
 *     word (hvad, hvorfor, hvordan, what, why, how…): a question.
 *  5. Anything else, nothing at all included ("", "ja", "ok tak",
 *     "send", "Tak for det", "👍"): yes, as the confirmation mail says.
 * A no that also asks ("Nej tak. Hvem har tilmeldt mig?") is a no;
 * answer_is_question() tells the caller that a person should read it.
 * Words that name the act itself are neither no nor negated for it:
 * "Slet mig" confirms a leave, "jeg kan ikke komme" a calendar decline,
 * "Ja, aflys det" a meeting's cancellation.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "util.h"

#define ANSWER_MAX_WORDS	200	/* the decision is in the first */
#define ANSWER_WORD_LEN		32
#define ANSWER_THUMBS_DOWN	"\xf0\x9f\x91\x8e"

struct answer_word {
	char	 w[ANSWER_WORD_LEN];	/* folded */
	int	 sent;			/* the sentence it is in */
	bool	 comma;			/* a comma follows it */
};

struct answer_text {
	struct answer_word	 v[ANSWER_MAX_WORDS];
	size_t			 n;
	int			 sent;
	bool			 question;	/* a '?' outside a link */
};

/* The act's own words: neither no nor negated for it. */
struct answer_act {
	const char		*act;
	const char *const	*words;
};

static bool	 answer_line_starts(const char *, const char *const *, bool);
static bool	 answer_is_link(const char *, size_t);
static void	 answer_flush(struct answer_text *, char *, size_t *);
static size_t	 answer_seq(const unsigned char *, size_t, bool *);
static void	 answer_chunk(struct answer_text *, const char *, size_t);
static void	 answer_split(const char *, struct answer_text *);
static bool	 answer_in(const char *, const char *const *);
static bool	 answer_act_word(const char *, const char *);
static size_t	 answer_greeting(const struct answer_text *);
static bool	 answer_no_word(const struct answer_text *, const char *);
static bool	 answer_is_negation(const char *);
static bool	 answer_negated(const struct answer_text *, size_t,
		    const char *, bool);
static bool	 answer_asks(const struct answer_text *, size_t);
static struct answer_text *answer_read(const char *, char **);

/* All word lists are folded (lower case, æ→ae, ø→oe, å→aa, é→e). */
static const char *const no_words[] = {
	"nej", "neej", "nae", "naeh", "nix", "nope", "nah", "stop", "stopp",
	"fortryd", "fortryder", "fortrudt", "annuller", "annuler",
	"annullere", "annulere", "aflys", "slet", "fjern", "afmeld", "afbryd",
	"vent", "fejl", "forkert", "undlad", "cancel", "delete", "remove",
	"unsubscribe", "abort", "wait", "wrong", "mistake", "error", NULL
};

static const char *const no_pairs[] = {
	"drop det", "drop it", "glem det", "forget it", "lad vaere",
	"lad vaer", "hold op", "hold on", NULL
};

static const char *const negations[] = {
	"ikke", "ik", "ikk", "not", "no", "never", "aldrig", "ingen", "intet",
	"ej", "cannot", "dont", "cant", "wont", "didnt", "doesnt", "isnt",
	"arent", "wasnt", "werent", "havent", "hasnt", "shouldnt", "wouldnt",
	"couldnt", NULL
};

/* Within three words after a negation: "ikke noget at tilføje". */
static const char *const harmless[] = {
	"problem", "problemer", "problems", "problemo", "imod", "mind",
	"worries", "tvivl", "doubt", "bekymring", "bekymringer", "tilfoeje",
	"indvende", "indvendinger", "bemaerke", "bemaerkninger",
	"objection", "objections", NULL
};

static const char *const yes_words[] = {
	"ja", "jo", "jep", "jeps", "jaja", "yes", "yep", "yeah", "yup", "ok",
	"okay", "oki", "okey", "fint", "gerne", "send", "bekraeft", "confirm",
	"sure", "korrekt", "correct", "absolut", "selvfoelgelig", "godkendt",
	"godkend", "approved", "perfekt", "super", "klart", NULL
};

static const char *const commands[] = {
	"bekraeft", "bekraft", "bekraefter", "confirm", "confirmed", NULL
};

static const char *const question_words[] = {
	"hvad", "hvorfor", "hvordan", "hvornaar", "hvem", "hvilken", "hvilket",
	"hvilke", "hvor", "what", "why", "how", "when", "who", "which",
	"where", NULL
};

static const char *const greetings[] = {
	"hej", "hejsa", "hi", "hello", "hey", "dear", "kaere", "goddag",
	"godmorgen", "godaften", "hallo", "halloej", "davs", "morn", "mojn",
	NULL
};

/* Sign-off lines: the rest is a signature (a company, a link, a title). */
static const char *const signoffs[] = {
	"mvh", "m.v.h", "vh", "venlig hilsen", "med venlig hilsen",
	"venligst hilsen", "hilsen", "bedste hilsner", "de bedste hilsner",
	"kh", "k.h", "kaerlig hilsen", "best regards", "kind regards",
	"regards", "best wishes", "cheers", "br", "sincerely",
	"mange hilsner", "paa forhaand tak", "thanks in advance", NULL
};

/* Lines that open a mail disclaimer or an environmental footer. */
static const char *const disclaimers[] = {
	"denne e-mail", "denne email", "denne mail kan", "this e-mail",
	"this email", "this message is", "this message may",
	"confidentiality", "confidential", "fortroligt", "fortrolighed",
	"disclaimer", "ansvarsfraskrivelse", "please consider the environment",
	"taenk paa miljoeet", "think before you print", NULL
};

static const char *const leave_words[] = {
	"slet", "delete", "fjern", "remove", "afmeld", "unsubscribe", "stop",
	"laengere", "longer", "mere", "more", "interesseret", "interested",
	"modtage", "receive", NULL
};

static const char *const unregister_words[] = {
	"frameld", "afmeld", "aflys", "cancel", "slet", "delete", "annuller",
	"annuler", "fjern", "remove", "komme", "deltage", "come", "attend",
	"make", NULL
};

static const char *const mcancel_words[] = {
	"aflys", "cancel", "annuller", "annuler", "slet", "delete", NULL
};

static const struct answer_act acts[] = {
	{ "leave", leave_words },
	{ "unregister", unregister_words },
	{ "meetingcancel", mcancel_words },
};

const char *
answer_name(enum answer a)
{
	switch (a) {
	case ANSWER_YES:
		return "yes";
	case ANSWER_NO:
		return "no";
	case ANSWER_QUESTION:
		return "question";
	}
	return "?";
}

static bool
answer_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

static bool
answer_act_word(const char *w, const char *act)
{
	size_t	 i;

	for (i = 0; act != NULL && i < nitems(acts); i++)
		if (strcmp(act, acts[i].act) == 0)
			return answer_in(w, acts[i].words);
	return false;
}

/*
 * Does the folded line start with one of list's words? With short,
 * the rest must be short too (a name, a company: at most five words,
 * no ':'), so that "Hilsen til værten: …" is still the member's text.
 */
static bool
answer_line_starts(const char *l, const char *const *list, bool short_)
{
	const char	*r;
	size_t		 n, words;

	while (*l == ' ' || *l == '\t')
		l++;
	for (; *list != NULL; list++) {
		n = strlen(*list);
		if (strncmp(l, *list, n) != 0 || isalpha((unsigned char)l[n]))
			continue;
		if (!short_)
			return true;
		for (r = l + n, words = 0; *r != '\0'; r++)
			if (*r != ' ' && (r[-1] == ' ' || r == l + n))
				words++;
		if (words <= 5 && strchr(l + n, ':') == NULL)
			return true;
	}
	return false;
}

void
answer_cut_signoff(char *s)
{
	char	*line = s, *raw, *f, *nl;
	bool	 cut;

	while (line != NULL && *line != '\0') {
		nl = strchr(line, '\n');
		raw = nl != NULL ? xstrndup(line, (size_t)(nl - line)) :
		    xstrdup(line);
		f = util_fold_dup(raw);
		free(raw);
		cut = answer_line_starts(f, signoffs, true) ||
		    answer_line_starts(f, disclaimers, false);
		free(f);
		if (cut) {
			*line = '\0';
			return;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
}

static bool
answer_is_link(const char *p, size_t len)
{
	char	*c = xstrndup(p, len);
	bool	 link;

	link = strstr(c, "://") != NULL || strncmp(c, "www.", 4) == 0 ||
	    strncmp(c, "<www.", 5) == 0 || strstr(c, "mailto:") != NULL;
	free(c);
	return link;
}

static void
answer_flush(struct answer_text *t, char *cur, size_t *len)
{
	while (*len > 0 && cur[*len - 1] == '\'')
		(*len)--;
	cur[*len] = '\0';
	if (*len > 0 && t->n < ANSWER_MAX_WORDS) {
		memcpy(t->v[t->n].w, cur, *len + 1);
		t->v[t->n].sent = t->sent;
		t->v[t->n].comma = false;
		t->n++;
	}
	*len = 0;
}

/*
 * The length of the UTF-8 sequence at p, and whether it is part of a
 * word: U+0080-00BF (no-break space, «, ») and U+2000-2FFF (…, –, “)
 * and emoji are not; folding made æ, ø, å and é ASCII already.
 */
static size_t
answer_seq(const unsigned char *p, size_t left, bool *letter)
{
	size_t	 n = 1;

	if (*p >= 0xc0 && *p < 0xe0)
		n = 2;
	else if (*p >= 0xe0 && *p < 0xf0)
		n = 3;
	else if (*p >= 0xf0)
		n = 4;
	if (n > left)
		n = left;
	*letter = isalnum(*p) || (*p >= 0xc3 && *p < 0xf0 && *p != 0xe2);
	return n;
}

/* One chunk between white space: words, commas, sentence ends. */
static void
answer_chunk(struct answer_text *t, const char *p, size_t len)
{
	const unsigned char	*u = (const unsigned char *)p;
	char			 cur[ANSWER_WORD_LEN];
	size_t			 i, k, n = 0;
	unsigned char		 c;
	bool			 letter;

	for (i = 0; i < len; i += k) {
		k = answer_seq(u + i, len - i, &letter);
		c = u[i];
		if (k == 3 && memcmp(u + i, "\xe2\x80\x99", 3) == 0)
			c = '\'';	/* ’, as in "don’t" */
		if (c == '\'' && n > 0 && n + 1 < sizeof(cur)) {
			cur[n++] = '\'';
			continue;
		}
		if (letter) {
			if (n + k < sizeof(cur)) {
				memcpy(cur + n, u + i, k);
				n += k;
			}
			continue;
		}
		answer_flush(t, cur, &n);
		if (c == ',' && t->n > 0 && t->v[t->n - 1].sent == t->sent)
			t->v[t->n - 1].comma = true;
		else if (c == '?') {
			t->question = true;
			t->sent++;
		} else if (c == '.' || c == '!' || c == ';')
			t->sent++;
	}
	answer_flush(t, cur, &n);
}

static void
answer_split(const char *f, struct answer_text *t)
{
	const char	*p = f;
	size_t		 len;
	char		*w;

	while (*p != '\0') {
		if (*p == '\n') {
			t->sent++;
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		len = strcspn(p, " \t\r\n");
		if (!answer_is_link(p, len))
			answer_chunk(t, p, len);
		p += len;
	}
	/* "don't", "haven’t": any "n't" is "not" */
	for (len = 0; len < t->n; len++) {
		w = t->v[len].w;
		if (strlen(w) > 3 && strcmp(w + strlen(w) - 3, "n't") == 0)
			memcpy(w, "not", 4);
		while ((w = strchr(w, '\'')) != NULL)
			memmove(w, w + 1, strlen(w));
	}
}

/* The first word after a greeting ("Hej", "Hej Jens,", "Kære alle"). */
static size_t
answer_greeting(const struct answer_text *t)
{
	size_t	 j;

	if (t->n == 0 || !answer_in(t->v[0].w, greetings))
		return 0;
	for (j = 0; j < t->n && j < 5; j++)
		if (t->v[j].comma || j + 1 == t->n ||
		    t->v[j + 1].sent != t->v[0].sent)
			return j + 1;
	return 1;	/* "Hej nej tak …": only the greeting word */
}

static bool
answer_no_word(const struct answer_text *t, const char *act)
{
	const char *const	*pair;
	char			*two;
	size_t			 i;
	bool			 no = false;

	for (i = 0; i < t->n && !no; i++) {
		if (answer_act_word(t->v[i].w, act))
			continue;
		if (answer_in(t->v[i].w, no_words))
			no = true;
		if (i + 1 == t->n || t->v[i + 1].sent != t->v[i].sent)
			continue;
		two = xasprintf("%s %s", t->v[i].w, t->v[i + 1].w);
		for (pair = no_pairs; *pair != NULL && !no; pair++)
			no = strcmp(two, *pair) == 0;
		free(two);
	}
	return no;
}

static bool
answer_is_negation(const char *w)
{
	return answer_in(w, negations);
}

/*
 * A negation that counts: in the first sentence (the one of word
 * first), or later unless the first opened with a clear yes.
 */
static bool
answer_negated(const struct answer_text *t, size_t first, const char *act,
    bool only_first)
{
	size_t	 i, j;
	int	 s0 = t->v[first].sent;
	bool	 yes = answer_in(t->v[first].w, yes_words), harm;

	for (i = 0; i < t->n; i++) {
		if (!answer_is_negation(t->v[i].w))
			continue;
		for (harm = false, j = i + 1; j < t->n && j <= i + 3 &&
		    t->v[j].sent == t->v[i].sent && !harm; j++)
			harm = answer_in(t->v[j].w, harmless) ||
			    answer_act_word(t->v[j].w, act);
		if (harm)
			continue;
		if (t->v[i].sent == s0 || (!yes && !only_first))
			return true;
	}
	return false;
}

/* A sentence from word first on that opens with a question word. */
static bool
answer_asks(const struct answer_text *t, size_t first)
{
	size_t	 i;

	for (i = first; i < t->n; i++)
		if ((i == first || t->v[i].sent != t->v[i - 1].sent) &&
		    answer_in(t->v[i].w, question_words))
			return true;
	return false;
}

/* The text folded, cut at a sign-off, in words; caller frees both. */
static struct answer_text *
answer_read(const char *text, char **folded)
{
	struct answer_text	*t;

	t = xcalloc(1, sizeof(*t));
	*folded = util_fold_dup(text != NULL ? text : "");
	answer_cut_signoff(*folded);
	answer_split(*folded, t);
	return t;
}

enum answer
answer_classify(const char *text, const char *act, const char **why)
{
	struct answer_text	*t;
	char			*f;
	const char		*w = "plain text";
	enum answer		 a = ANSWER_YES;
	size_t			 first;

	t = answer_read(text, &f);
	first = answer_greeting(t);
	if (strstr(f, ANSWER_THUMBS_DOWN) != NULL || answer_no_word(t, act)) {
		a = ANSWER_NO;
		w = "a word that says no";
	} else if (first == t->n && !t->question)
		w = "no words";
	else if (first < t->n && answer_in(t->v[first].w, commands) &&
	    !answer_negated(t, first, act, true))
		w = "the confirm command";
	else if (first < t->n && answer_negated(t, first, act, false)) {
		a = ANSWER_NO;
		w = "a negation";
	} else if (t->question || answer_asks(t, first)) {
		a = ANSWER_QUESTION;
		w = t->question ? "a question mark" : "a question word";
	}
	if (why != NULL)
		*why = w;
	free(f);
	free(t);
	return a;
}

bool
answer_is_question(const char *text)
{
	struct answer_text	*t;
	char			*f;
	bool			 q;

	t = answer_read(text, &f);
	q = t->question || answer_asks(t, answer_greeting(t));
	free(f);
	free(t);
	return q;
}
