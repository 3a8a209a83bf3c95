/*
 * recog.c: recognition. main.c calls recog_classify() on every new
 * message before anything else; the result decides whether a handler
 * runs, whether the message is filed silently, or left alone. Pure
 * code: no I/O, no store, no fatal() on content. Owns struct recog.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handler.h"
#include "recog.h"
#include "util.h"

static bool	 recog_starts_ci(const char *, const char *);
static bool	 recog_contains_ci(const char *, const char *);
static bool	 recog_is_quote_header(char **, size_t, size_t);
static bool	 recog_wrote_line(const char *);
static char	*recog_first_word_dup(const char *, const char **);
static bool	 recog_match(const char *, size_t, struct recog *);
static void	 recog_near(const char *, struct recog *);
static const char *recog_greeting_skip(char **, size_t, size_t *);
static char	*recog_cut_dup(const char *, size_t, bool *);
static bool	 recog_calendar(const struct msg *, struct ical_reply *);
static const char *recog_auto_why(const struct msg *, const char *);
static const char *recog_bounce_why(const struct msg *, const char *,
		    const char *, bool);

/* Reply and forward prefixes, folded, as mail programs write them. */
static const char *const subject_prefixes[] = {
	"re", "sv", "vs", "aw", "fw", "fwd", "tr", "wg", "antw", "rv", "r",
	"ref", "svar", "vb", "doorst", "enc", "res", "odp", "ynt",
};

/* Subjects of vacation and other automatic replies (folded, prefix). */
static const char *const auto_subjects[] = {
	"automatisk svar", "autosvar", "auto svar", "out of office",
	"out of the office", "automatic reply", "auto:", "auto-reply",
	"autoreply", "auto reply", "fravaerende", "fravaer:", "ikke til stede",
	"vacation", "abwesenheitsnotiz", "automatische antwort",
	"reponse automatique", "réponse automatique", "risposta automatica",
	"respuesta automatica", "automatisch antwoord", "frånvaro",
	"franvaro", "autosvar:", "automatisk svar:", "on vacation",
	"away from", "i am out of", "jeg er ikke pa kontoret",
};

/* Subjects of bounces (folded, anywhere). */
static const char *const bounce_subjects[] = {
	"undeliverable", "undelivered mail", "delivery status notification",
	"mail delivery failed", "returned mail", "delivery failure",
	"failure notice", "mail delivery failure", "could not be delivered",
	"unzustellbar", "non remis", "kan ikke leveres", "kunne ikke leveres",
	"ikke leveret", "onbestelbaar", "nicht zustellbar", "delivery has failed",
	"mail system error", "non recapitabile", "delivery notification",
	"warning: could not send", "message not delivered", "undeliverable:",
	"delayed mail", "delivery delayed", "mail delivery problem",
	"returned to sender", "rejected:", "nondeliverable",
	"delivery warning", "user unknown", "mail delivery",
};

/* Lines that end the new text of a reply (folded, prefix). */
static const char *const stop_lines[] = {
	"-----original message", "-----oprindelig meddelelse",
	"----- original meddelelse", "-------- oprindelig besked",
	"-----oprindelig besked", "----- oprindelig meddelelse",
	"---------- forwarded message", "---------- videresendt meddelelse",
	"-------- videresendt besked", "begin forwarded message",
	"start paa videresendt besked", "videresendt besked:",
	"-----urspruengliche nachricht", "-----message d'origine",
	"sent from my iphone", "sent from my ipad", "sendt fra min iphone",
	"sendt fra min ipad", "sent from outlook", "sendt fra outlook",
	"hent outlook til", "get outlook for", "sent from my android",
	"sendt fra min android", "sent from mail for windows",
	"sendt fra mail til windows", "sendt fra min samsung",
};

/* Words that open a greeting line before the command. */
static const char *const greetings[] = {
	"hej", "hejsa", "hi", "hello", "dear", "kaere", "goddag", "hallo",
	"halloej", "godmorgen", "go'dag", "hey",
};

/* Reply-intro verbs: "On … wrote:", "Den … skrev …:". */
static const char *const wrote_words[] = {
	"wrote", "skrev", "schrieb", "a ecrit", "escribio", "ha scritto",
	"schreef", "skrifade", "kirjoitti",
};

static bool
recog_starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
recog_contains_ci(const char *s, const char *needle)
{
	return strcasestr(s, needle) != NULL;
}

void
recog_clear(struct recog *r)
{
	free(r->args);
	free(r->rest);
	ical_reply_clear(&r->cal);
	memset(r, 0, sizeof(*r));
}

/*
 * A calendar app's answer, in any part: text/calendar with or without a
 * method parameter, application/ics, or an .ics attachment (RFC 6047
 * 2.4). Only REPLY and COUNTER are ffnet's; a REQUEST from elsewhere is
 * a person's invitation to the mailbox.
 */
#define RECOG_CALENDARS	4	/* calendar parts read per mail */

static bool
recog_calendar(const struct msg *m, struct ical_reply *out)
{
	const struct mime_part	*p;
	const char		*method;
	size_t			 i, fl, tried = 0;

	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		fl = p->filename ? strlen(p->filename) : 0;
		if (strcmp(p->type, "text/calendar") != 0 &&
		    strcmp(p->type, "application/ics") != 0 &&
		    !(fl > 4 && strcasecmp(p->filename + fl - 4, ".ics") == 0))
			continue;
		/*
		 * A calendar app sends one, Google two (inline and
		 * invite.ics). libical expands a zone's rules from their
		 * first year (1601 for Exchange), up to 0.4 s a part: a
		 * mail of 128 crafted parts must not hold the daemon.
		 */
		if (++tried > RECOG_CALENDARS)
			break;
		if (ical_parse(p->data, p->len, out) == -1)
			continue;
		method = out->method ? out->method : p->method;
		if (method != NULL && (strcasecmp(method, "REPLY") == 0 ||
		    strcasecmp(method, "COUNTER") == 0)) {
			/*
			 * Only method= named it. RFC 5545 2.1: method
			 * names are case-insensitive, and calreply.c
			 * compares them as ical_parse() gives them, in
			 * upper case.
			 */
			if (out->method == NULL)
				out->method = xstrdup(strcasecmp(method,
				    "REPLY") == 0 ? "REPLY" : "COUNTER");
			return true;
		}
		ical_reply_clear(out);
	}
	return false;
}

char *
recog_subject_strip_dup(const char *subject)
{
	const char	*p = subject ? subject : "", *q, *c;
	size_t		 i, n;
	bool		 again = true;

	while (again) {
		again = false;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[' && (q = strchr(p, ']')) != NULL && q - p <= 40) {
			p = q + 1;
			again = true;
			continue;
		}
		if (*p == '*' && (q = strchr(p + 1, '*')) != NULL &&
		    q - p <= 20) {	/* *EXTERNAL* */
			p = q + 1;
			again = true;
			continue;
		}
		for (n = 0; isalpha((unsigned char)p[n]); n++)
			;
		c = p + n;
		if (*c == '[' || *c == '(') {	/* "Re[2]:", "AW(3):" */
			for (c++; isdigit((unsigned char)*c); c++)
				;
			if (*c == ']' || *c == ')')
				c++;
		}
		while (*c == ' ')
			c++;
		if (n == 0 || *c != ':')
			break;
		for (i = 0; i < nitems(subject_prefixes); i++)
			if (strlen(subject_prefixes[i]) == n &&
			    strncasecmp(p, subject_prefixes[i], n) == 0)
				break;
		if (i < nitems(subject_prefixes)) {
			p = c + 1;
			again = true;
		}
	}
	return util_trim(xstrdup(p));
}

/* Does this line end an intro such as "On 1 May, Anna <a@b> wrote:"? */
static bool
recog_wrote_line(const char *line)
{
	char		*f;
	const char	*w;
	size_t		 k, j;
	bool		 hit = false;

	f = util_fold_dup(line);
	util_trim(f);
	for (k = 0; k < nitems(wrote_words) && !hit && strlen(f) < 300; k++) {
		if ((w = strstr(f, wrote_words[k])) == NULL ||
		    strchr(w, ':') == NULL)
			continue;
		/* a date or an address comes before the verb */
		for (j = 0; f + j < w && !hit; j++)
			if (isdigit((unsigned char)f[j]) || f[j] == '@')
				hit = true;
	}
	free(f);
	return hit;
}

/* Is line i the start of a quote header ("Fra: … Sendt: …", "On … wrote:")? */
static bool
recog_is_quote_header(char **lines, size_t n, size_t i)
{
	static const char *const from_w[] = { "from:", "fra:", "von:",
	    "de :", "de:", "van:", "fr\xc3\xa5n:", "da:" };
	static const char *const next_w[] = { "sent:", "sendt:", "date:",
	    "dato:", "gesendt:", "envoy", "to:", "til:", "subject:", "emne:",
	    "skickat:", "verzonden:", "inviato:" };
	static const char *const intro_w[] = { "on ", "den ", "d. ", "am ",
	    "le ", "el ", "il ", "op ", "em ", "pa ", "paa " };
	char		*f = NULL, *two = NULL;
	const char	*l = lines[i];
	size_t		 k, j;
	bool		 hit = false;

	while (*l == '*' || *l == ' ')	/* "*From:*" from HTML bold */
		l++;
	for (k = 0; k < nitems(from_w) && !hit; k++) {
		if (!recog_starts_ci(l, from_w[k]))
			continue;
		for (j = i + 1; j < n && j <= i + 4 && !hit; j++) {
			const char *m = lines[j];
			size_t w;

			while (*m == '*' || *m == ' ')
				m++;
			for (w = 0; w < nitems(next_w); w++)
				if (recog_starts_ci(m, next_w[w]))
					hit = true;
		}
	}
	if (hit)
		return true;
	/* "On Mon, … wrote:" may be wrapped over two lines by Gmail. */
	hit = recog_wrote_line(lines[i]);
	f = util_fold_dup(lines[i]);
	for (k = 0; k < nitems(intro_w) && !hit && two == NULL && i + 1 < n; k++)
		if (strncmp(f, intro_w[k], strlen(intro_w[k])) == 0) {
			two = xasprintf("%s %s", lines[i], lines[i + 1]);
			hit = recog_wrote_line(two);
		}
	free(f);
	free(two);
	return hit;
}

char *
recog_new_text_dup(const char *text)
{
	char		*copy, *p, **lines = NULL, *f;
	size_t		 n = 0, i, k, us;
	struct buf	 b;
	bool		 stop = false;

	buf_init(&b);
	copy = xstrdup(text ? text : "");
	for (p = copy; p != NULL; ) {
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	for (i = 0; i < n && !stop; i++) {
		char *l = lines[i];

		l[strcspn(l, "\r")] = '\0';
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '>' || strcmp(l, "--") == 0 || strcmp(l, "-- ") == 0)
			break;
		for (us = 0; l[us] == '_'; us++)
			;
		if (us >= 10)
			break;
		f = util_fold_dup(l);
		for (k = 0; k < nitems(stop_lines); k++)
			if (recog_starts_ci(f, stop_lines[k]))
				stop = true;
		free(f);
		if (stop || recog_is_quote_header(lines, n, i))
			break;
		buf_adds(&b, lines[i]);
		buf_addc(&b, '\n');
	}
	free(lines);
	free(copy);
	p = buf_release(&b);
	util_trim(p);
	return p;
}

/* RFC 3834 and the habits of real auto-responders; NULL when none. */
static const char *
recog_auto_why(const struct msg *m, const char *folded_subject)
{
	/*
	 * Not X-Auto-Response-Suppress: it asks us not to send automatic
	 * replies, and Exchange stamps it on ordinary mail from people, so
	 * a command that carries it is still answered (the answer is the
	 * service the person asked for; mime.h's MIME_SUPPRESS is ours).
	 * Exchange marks what it made itself (out-of-office, rules) with
	 * Generated-Message-Source, and a rule's forward with
	 * Inbox-Rules-Loop.
	 */
	static const char *const hdrs[] = { "X-Autoreply", "X-Autorespond",
	    "X-Autogenerated", "X-AutoReply-From", "X-Mail-Autoreply",
	    "X-FC-MachineGenerated", "X-Cron-Env",
	    "X-MS-Exchange-Generated-Message-Source",
	    "X-MS-Exchange-Inbox-Rules-Loop" };
	const char	*v;
	size_t		 i;

	if ((v = mime_header(m, "Auto-Submitted")) != NULL &&
	    !recog_starts_ci(v, "no"))
		return "Auto-Submitted";
	for (i = 0; i < nitems(hdrs); i++)
		if (mime_header(m, hdrs[i]) != NULL)
			return "auto-reply header";
	if ((v = mime_header(m, "X-POST-MessageClass")) != NULL &&
	    recog_contains_ci(v, "autoreply"))
		return "auto-reply header";
	if ((v = mime_header(m, "Precedence")) != NULL &&
	    (recog_contains_ci(v, "auto_reply") ||
	    recog_contains_ci(v, "bulk") || recog_contains_ci(v, "junk")))
		return "Precedence bulk/junk";
	for (i = 0; i < nitems(auto_subjects); i++)
		if (strncmp(folded_subject, auto_subjects[i],
		    strlen(auto_subjects[i])) == 0)
			return "auto-reply subject";
	return NULL;
}

/* A delivery status notification or a mail system's own bounce. */
static const char *
recog_bounce_why(const struct msg *m, const char *local, const char *fsubj,
    bool autorep)
{
	static const char *const daemons[] = { "mailer-daemon", "postmaster",
	    "mail-daemon", "mailerdaemon", "post_master", "mdaemon",
	    "mail.daemon", "<postmaster\\" };
	size_t	 i;

	if (m->report_type != NULL &&
	    strcasecmp(m->report_type, "delivery-status") == 0)
		return "delivery status notification";
	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, "message/delivery-status") == 0 ||
		    strcmp(m->parts[i].type,
		    "message/global-delivery-status") == 0)
			return "delivery status notification";
	if (mime_header(m, "X-Failed-Recipients") != NULL)
		return "bounce (X-Failed-Recipients)";
	for (i = 0; local != NULL && i < nitems(daemons); i++)
		if (strcasecmp(local, daemons[i]) == 0 ||
		    strncasecmp(local, "postmaster", 10) == 0 ||
		    strncasecmp(local, "<postmaster", 11) == 0)
			return "from the mail system";
	for (i = 0; i < nitems(bounce_subjects) && !autorep; i++)
		if (strstr(fsubj, bounce_subjects[i]) != NULL)
			return "bounce (subject)";
	if (!autorep && m->return_path != NULL && *m->return_path == '\0')
		return "null sender";
	return NULL;
}

const char *
recog_noreply_why(const struct msg *m, const char *self, enum recog_kind *kind)
{
	const char	*v, *why = NULL, *autowhy;
	char		*f = NULL, *local = NULL;

	*kind = R_SELF;
	if ((v = mime_header(m, "X-Loop")) != NULL && self != NULL &&
	    recog_contains_ci(v, self))
		return "X-Loop names ffnet";
	if (m->from_addr != NULL && self != NULL &&
	    util_addr_eq(m->from_addr, self))
		return "from ffnet's own address";
	if (m->from_addr != NULL)
		local = xstrndup(m->from_addr, strcspn(m->from_addr, "@"));
	f = util_fold_dup(m->subject ? m->subject : "");
	autowhy = recog_auto_why(m, f);
	/* Bounces first: some carry Auto-Submitted too (Exim). */
	*kind = R_BOUNCE;
	if ((why = recog_bounce_why(m, local, f, autowhy != NULL)) != NULL)
		goto out;
	*kind = R_AUTO;
	if ((why = autowhy) != NULL)
		goto out;
	if (m->report_type != NULL)
		why = "report (read receipt or feedback)";
	else if (strncmp(f, "read:", 5) == 0 || strncmp(f, "laest:", 6) == 0 ||
	    strncmp(f, "gelesen:", 8) == 0)
		why = "read receipt";
	else if (local != NULL && (strstr(local, "noreply") ||
	    strstr(local, "no-reply") || strstr(local, "donotreply") ||
	    strstr(local, "do-not-reply") || strstr(local, "no_reply")))
		why = "from a no-reply address";
	else if (m->from_addr == NULL || !util_is_addr(m->from_addr))
		why = "no usable sender address";
	if (why != NULL)
		goto out;
	*kind = R_LIST;
	if ((v = mime_header(m, "Precedence")) != NULL &&
	    recog_contains_ci(v, "list"))
		why = "Precedence list";
	else if (mime_header(m, "List-Id") != NULL ||
	    mime_header(m, "List-Post") != NULL ||
	    mime_header(m, "List-Unsubscribe") != NULL ||
	    mime_header(m, "Mailing-List") != NULL ||
	    mime_header(m, "X-Mailman-Version") != NULL)
		why = "list mail";
 out:
	free(f);
	free(local);
	return why;
}

/* First word of s (up to white space), folded, without end punctuation. */
static char *
recog_first_word_dup(const char *s, const char **after)
{
	size_t	 n;
	char	*w, *f;

	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, " \t\r\n");
	w = xstrndup(s, n);
	*after = s + n;
	while (n > 0 && strchr(":,.!?;", w[n - 1]) != NULL)
		w[--n] = '\0';
	f = util_fold_dup(w);
	free(w);
	return f;
}

/* Cuts a string at max bytes on a character boundary. Caller frees. */
static char *
recog_cut_dup(const char *s, size_t max, bool *cut)
{
	size_t	 n = strlen(s);

	*cut = false;
	if (n <= max)
		return xstrdup(s);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	*cut = true;
	return xstrndup(s, max);
}

/* Tries "w1 w2" and then "w1" from line; fills r on a match. */
static bool
recog_match(const char *line, size_t max_arg, struct recog *r)
{
	const struct command	*c = NULL;
	const char		*after1, *after2, *args;
	char			*w1, *w2 = NULL, *two = NULL, *a;

	w1 = recog_first_word_dup(line, &after1);
	if (*after1 != '\0') {
		w2 = recog_first_word_dup(after1, &after2);
		two = xasprintf("%s %s", w1, w2);
		if ((c = command_find(two)) != NULL)
			args = after2;
	}
	if (c == NULL && (c = command_find(w1)) != NULL)
		args = after1;
	free(w1);
	free(w2);
	free(two);
	if (c == NULL)
		return false;
	a = util_trim(xstrdup(args));
	if (c->h->args == ARGS_NONE && *a != '\0') {
		free(a);
		r->human = true;	/* "Hjælp til ansøgning": a person's mail */
		return false;
	}
	r->args = recog_cut_dup(a, max_arg, &r->args_cut);
	free(a);
	r->cmd = c;
	r->kind = R_COMMAND;
	return true;
}

/* Skips one greeting line ("Hej,", "Hi Anna") before a command. */
static const char *
recog_greeting_skip(char **lines, size_t n, size_t *i)
{
	const char	*after;
	char		*w;
	size_t		 k, words = 0;
	const char	*p;
	bool		 greet = false;

	if (*i >= n)
		return NULL;
	w = recog_first_word_dup(lines[*i], &after);
	for (k = 0; k < nitems(greetings); k++)
		if (strcmp(w, greetings[k]) == 0)
			greet = true;
	free(w);
	for (p = lines[*i]; *p; p++)
		if (*p == ' ')
			words++;
	if (greet && words < 4) {
		for ((*i)++; *i < n && *util_trim(lines[*i]) == '\0'; (*i)++)
			;
	}
	return *i < n ? lines[*i] : NULL;
}

size_t
recog_distance(const char *a, const char *b, size_t cap)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, best;
	size_t	 row[64], prev, tmp;

	if (la >= nitems(row) || lb >= nitems(row))
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* A lone word like "Tilmelding" or "HJAELPE": a command meant, not written. */
static void
recog_near(const char *word_line, struct recog *r)
{
	const char	*after;
	char		*w;
	size_t		 i, len, wl, d, cap;

	w = recog_first_word_dup(word_line, &after);
	while (isspace((unsigned char)*after))
		after++;
	len = strlen(w);
	if (*after != '\0' || len < 4 || len > 30)
		goto out;
	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)w[i]))
			goto out;
	for (i = 0; i < ncommands; i++) {
		const char *c = commands[i].word;

		wl = strlen(c);
		if (strchr(c, ' ') != NULL || wl < 4)
			continue;
		cap = wl <= 6 ? 1 : 2;
		d = recog_distance(w, c, cap);
		if (d <= cap || (len > wl && strncmp(w, c, wl) == 0 &&
		    len - wl <= 4)) {
			r->kind = R_NEAR;
			r->suggest = c;
			r->why = "looks like a command word";
			break;
		}
	}
 out:
	free(w);
}

void
recog_classify(const struct msg *m, const char *self, size_t max_arg,
    struct recog *r)
{
	char		*subj = NULL, *text = NULL, *p, **lines = NULL;
	const char	*line;
	size_t		 n = 0, i = 0;

	memset(r, 0, sizeof(*r));
	r->kind = R_NOT_OURS;
	r->why = "no command";
	/* before the auto-reply rules: Google's REPLY is Auto-Submitted */
	if ((m->report_type == NULL || strcasecmp(m->report_type,
	    "delivery-status") != 0) && recog_calendar(m, &r->cal) &&
	    (m->from_addr == NULL || self == NULL ||
	    !util_addr_eq(m->from_addr, self))) {
		r->kind = R_CALENDAR;
		r->why = "calendar answer";
		return;
	}
	if ((r->why = recog_noreply_why(m, self, &r->kind)) != NULL)
		return;
	r->kind = R_NOT_OURS;
	r->why = "no command";
	subj = recog_subject_strip_dup(m->subject);
	auth_code_find(subj, r->code);
	text = recog_new_text_dup(m->text);
	for (p = text; p != NULL; ) {
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	while (i < n && *util_trim(lines[i]) == '\0')
		i++;
	line = recog_greeting_skip(lines, n, &i);
	if (recog_match(subj, max_arg, r))
		r->from_subject = true;
	else if (!r->human && line != NULL && recog_match(line, max_arg, r))
		i++;
	if (r->kind == R_COMMAND) {
		struct buf b;

		r->why = "command";
		buf_init(&b);
		for (i = r->from_subject ? 0 : i; i < n; i++) {
			buf_adds(&b, lines[i]);
			buf_addc(&b, '\n');
		}
		r->rest = util_trim(buf_release(&b));
	} else if (r->human)
		r->why = "a sentence that starts with a command word";
	else if (*subj != '\0')
		recog_near(subj, r);
	else if (line != NULL)
		recog_near(line, r);
	free(lines);
	free(text);
	free(subj);
}
