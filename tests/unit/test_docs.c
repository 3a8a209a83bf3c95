/*
 * test_docs.c: consistency. Every config key is documented in
 * conf/ffnet.conf.5 (.Ss [section] / .It Cm key); every template exists
 * in both da/ and en/ and starts with its Subject line; every handler
 * reached by a word has its usage text when it takes arguments; every
 * command-line verb is in daemon/ffnet.8.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "handler.h"
#include "testlib.h"
#include "util.h"

/* A file's text; "" if unreadable, which the CHECKs on it then fail. */
static char *
slurp(const char *path)
{
	char	*s;

	if ((s = t_slurp(path, NULL)) == NULL)
		s = xstrdup("");
	return s;
}

static void
test_conf_keys(void)
{
	char	*man, *keys, *line, *save = NULL, *dot, *sec, *at, *want;
	char	 tmp[] = "/tmp/ffnet-keys-XXXXXX";
	int	 fd, saved;

	man = slurp("conf/ffnet.conf.5");
	CHECK(*man != '\0');
	CHECK((fd = mkstemp(tmp)) != -1);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	conf_print_keys();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	keys = slurp(tmp);
	unlink(tmp);
	CHECK(strlen(keys) > 100);
	for (line = strtok_r(keys, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((dot = strchr(line, '.')) == NULL)
			continue;
		*dot = '\0';
		sec = xasprintf(".Ss [%s]", line);
		want = xasprintf(".It Cm %s\n", dot + 1);
		at = strstr(man, sec);
		if (at == NULL || strstr(at, want) == NULL ||
		    (strstr(at + 1, ".Ss ") != NULL &&
		    strstr(at, want) > strstr(at + 1, ".Ss "))) {
			fprintf(stderr, "FAIL: %s.%s not in ffnet.conf.5\n",
			    line, dot + 1);
			CHECK(0);
		} else
			CHECK(1);
		free(sec);
		free(want);
	}
	free(keys);
	free(man);
}

static void
test_templates(const char *lang, const char *other)
{
	DIR		*d;
	struct dirent	*e;
	char		*dir, *path, *text;
	int		 n = 0;

	dir = xasprintf("templates/%s", lang);
	CHECK((d = opendir(dir)) != NULL);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".txt") == NULL)
			continue;
		n++;
		path = xasprintf("templates/%s/%s", other, e->d_name);
		if (access(path, R_OK) != 0)
			fprintf(stderr, "FAIL: %s missing\n", path);
		CHECK(access(path, R_OK) == 0);
		free(path);
		path = xasprintf("templates/%s/%s", lang, e->d_name);
		text = slurp(path);
		CHECK(strncmp(text, "Subject: ", 9) == 0);
		CHECK(util_is_utf8(text, strlen(text)));
		CHECK(strstr(text, "\n\n") != NULL);
		free(text);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	CHECK(n >= 10);
	free(dir);
}

static void
test_usage_texts(void)
{
	size_t	 i;
	char	*p;

	for (i = 0; i < ncommands; i++) {
		if (commands[i].h->args != ARGS_REQUIRED &&
		    commands[i].h->check == NULL)
			continue;
		p = xasprintf("templates/da/%s.usage.txt", commands[i].h->name);
		if (access(p, R_OK) != 0)
			fprintf(stderr, "FAIL: %s missing\n", p);
		CHECK(access(p, R_OK) == 0);
		free(p);
	}
}

/*
 * The descriptors (and the daemon's services) name every template once:
 * a file that no one names is an orphan, a name without its files in
 * da/ and en/ would stop the start. The usage templates of commands
 * that take arguments are named too.
 */
static void
test_template_names(void)
{
	const char	*names[512];
	DIR		*d;
	struct dirent	*e;
	char		*p, *base;
	size_t		 n, i, files = 0;

	n = handler_tmpls_all(names, 512);
	CHECK(n > 50 && n < 512);
	for (i = 0; i < n; i++) {
		p = xasprintf("templates/da/%s.txt", names[i]);
		if (access(p, R_OK) != 0)
			fprintf(stderr, "FAIL: %s is named, has no file\n", p);
		CHECK(access(p, R_OK) == 0);
		free(p);
		p = xasprintf("templates/en/%s.txt", names[i]);
		CHECK(access(p, R_OK) == 0);
		free(p);
	}
	CHECK((d = opendir("templates/da")) != NULL);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".txt") == NULL)
			continue;
		files++;
		base = xstrndup(e->d_name, strlen(e->d_name) - 4);
		for (i = 0; i < n && strcmp(names[i], base) != 0; i++)
			;
		if (i == n)
			fprintf(stderr, "FAIL: templates/da/%s: no descriptor "
			    "names it\n", e->d_name);
		CHECK(i < n);
		free(base);
	}
	if (d != NULL)
		closedir(d);
	CHECK(files == n);
	/* a pending row's name finds its descriptor, old names too */
	CHECK(handler_find("join") == command_find("tilmeld")->h);
	CHECK(handler_find("meeting-new") == handler_find("meetingnew"));
	CHECK(handler_find("meetingnew") != NULL &&
	    handler_find("meetingnew")->confirmed != NULL);
	CHECK(handler_find("idea-close") == handler_find("ideaclose"));
	CHECK(handler_find("unregister")->confirmed != NULL);
	CHECK(handler_find("no-such-act") == NULL);
}

/* Every command-line verb has its entry in ffnet.8. */
static void
test_man_verbs(void)
{
	static const char *const verbs[] = { "run", "once", "check",
	    "status", "meeting add", "meeting change", "meeting cancel",
	    "meeting list", "registrations", "ideas", "archive", "stats",
	    "members", "member show", "member add", "member set",
	    "member pause", "member import" };
	char	*man, *want;
	size_t	 i;

	man = slurp("daemon/ffnet.8");
	for (i = 0; i < nitems(verbs); i++) {
		want = xasprintf(".It Cm %s", verbs[i]);
		if (strstr(man, want) == NULL)
			fprintf(stderr, "FAIL: %s not in ffnet.8\n", want);
		CHECK(strstr(man, want) != NULL);
		free(want);
	}
	free(man);
}

int
main(void)
{
	test_conf_keys();
	test_templates("da", "en");
	test_templates("en", "da");
	test_usage_texts();
	test_template_names();
	test_man_verbs();
	return check_done("test_docs");
}
