/*
 * tmpl.h: reply texts. Each is templates/<lang>/<name>.txt, UTF-8:
 * a first line "Subject: …" (or "Emne: …"), a blank line, then the
 * body. {{key}} is replaced by a variable's value; {{key|one|other}}
 * by "one" when the value is 1, else "other" ("1 modtager", "2
 * modtagere"). Missing texts fall back to the other language; all are
 * loaded at start and on SIGHUP.
 */
#ifndef FFNET_TMPL_H
#define FFNET_TMPL_H

#include <stdbool.h>

struct tmpls;

struct tvar {
	const char	*key;
	const char	*value;
};

/*
 * Loads every *.txt under dir/da and dir/en. Returns -1 with a reason
 * in err when the directory is unusable, a file is not UTF-8, or a
 * file lacks its Subject line.
 */
int	tmpl_load(const char *dir, struct tmpls **out, char *err, size_t);
void	tmpl_free(struct tmpls *);
/* Is there a text of that name in that language (no fallback)? */
bool	tmpl_has(const struct tmpls *, const char *lang, const char *name);
/*
 * Renders name in lang (falling back to the other language). vars ends
 * with { NULL, NULL }. An unknown {{key}} renders as "" and is logged.
 * *subject and *body are new strings; caller frees. -1 if no such text.
 */
int	tmpl_render(const struct tmpls *, const char *lang, const char *name,
	    const struct tvar *vars, char **subject, char **body);

#endif
