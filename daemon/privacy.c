/*
 * privacy.c: retention (privacy.h). The rules are the store's
 * (store_privacy.c); this file knows their days, runs them in one
 * transaction, forgets the former members and guests no one has seen
 * for former_days, and shows the secretariat and the DPO what is held
 * and when it goes (ffnet privacy).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "log.h"
#include "members.h"
#include "privacy.h"
#include "store.h"
#include "util.h"

/* Forgotten per run at most: a long-idle store catches up in a few rounds. */
#define PRIVACY_FORMER_MAX	100

static const struct {
	enum privacy_rule	 rule;
	const char		*name;		/* the [privacy] key */
	const char		*what;
	size_t			 off;		/* the days, in struct conf */
} privacy_rules[] = {
	{ PRIV_NOTES, "notes_days", "registration notes, after the "
	  "meeting's end", offsetof(struct conf, notes_days) },
	{ PRIV_SENT_MAIL, "sent_mail_days", "the text of mails ffnet has "
	  "sent", offsetof(struct conf, sent_mail_days) },
	{ PRIV_MAIL_LOG, "mail_log_days", "the log of mails (who, when, "
	  "subject), confirmation rows, bounces, wrong codes",
	  offsetof(struct conf, mail_log_days) },
};

static int	privacy_days(const struct conf *, size_t);
static int	privacy_former(const struct env *, time_t, bool, int64_t *,
		    time_t *);

static int
privacy_days(const struct conf *c, size_t i)
{
	return *(const int *)((const char *)c + privacy_rules[i].off);
}

/*
 * The addresses no member, last seen before now less former_days:
 * forgotten (prune; at most PRIVACY_FORMER_MAX a run) or counted.
 * next (may be NULL): when the next one falls due.
 */
static int
privacy_former(const struct env *e, time_t now, bool prune, int64_t *due,
    time_t *next)
{
	struct store_former	*v = NULL;
	struct forget_counts	 fc;
	char			 hash[AUTH_HASH_LEN + 1];
	time_t			 cut;
	size_t			 n = 0, i;
	int			 rc = -1;

	*due = 0;
	cut = now - (time_t)e->conf->former_days * 86400;
	if (store_privacy_former(e->st, cut, prune ? PRIVACY_FORMER_MAX :
	    (size_t)INT64_MAX, &v, &n) == -1 || (next != NULL &&
	    store_privacy_former_next(e->st, cut, next) == -1))
		goto out;
	for (i = 0; i < n; i++) {
		/* the secretariat writes as itself, not as a person here */
		if (conf_is_secretariat(e->conf, v[i].addr))
			continue;
		if (prune) {
			auth_addr_hash(e->secret, v[i].addr, hash);
			if (store_forget(e->st, v[i].addr, hash, now,
			    &fc) == -1 || store_audit(e->st, hash, "forgotten",
			    "retention", now) == -1)
				goto out;
		}
		(*due)++;
	}
	rc = 0;
 out:
	store_former_free(v, n);
	return rc;
}

int
privacy_run(const struct env *e, time_t now)
{
	int64_t		 changed[nitems(privacy_rules)], former;
	size_t		 i;

	if (store_begin(e->st) == -1)
		return -1;
	for (i = 0; i < nitems(privacy_rules); i++)
		if (store_privacy_prune(e->st, privacy_rules[i].rule, now -
		    (time_t)privacy_days(e->conf, i) * 86400,
		    &changed[i]) == -1)
			goto fail;
	if (privacy_former(e, now, true, &former, NULL) == -1 ||
	    store_commit(e->st) == -1)
		goto fail;
	if (changed[0] + changed[1] + changed[2] + former > 0)
		log_info("privacy: pruned %lld registration notes, the text of "
		    "%lld sent mails, %lld rows of the mail log; forgot %lld "
		    "former members or guests", (long long)changed[0],
		    (long long)changed[1], (long long)changed[2],
		    (long long)former);
	return 0;
 fail:
	store_rollback(e->st);
	log_warnx("privacy: not pruned this time; trying again later");
	return -1;
}

/* "2027-01-12", or "-" when nothing is waiting. */
static void
privacy_when(time_t t, int days, char *buf, size_t len)
{
	if (t == 0)
		snprintf(buf, len, "-");
	else
		members_date(t + (time_t)days * 86400, false, buf, len);
}

int
privacy_main(const struct env *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "now",	 required_argument, NULL, 'n' },
		{ "prune",	 no_argument,	    NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*what;
	int64_t		 due, count;
	time_t		 now = time(NULL), next;
	char		 when[32];
	bool		 prune = false;
	size_t		 i;
	int		 ch, days, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			prune = true;
		else if (ch != 'n' ||
		    ical_local_to_utc(e->conf->timezone, optarg, &now) == -1)
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (prune && privacy_run(e, now) == -1)
		return 1;
	printf("What ffnet holds about people (%s):\n", e->conf->store_path);
	for (i = 0; (r = store_privacy_held(e->st, i, &what, &count)) == 1;
	    i++)
		printf("  %-36s %lld\n", what, (long long)count);
	if (r == -1)
		return 1;
	printf("\nRetention ([privacy] in the config), as of ");
	members_date(now, true, when, sizeof(when));
	printf("%s:\n", when);
	for (i = 0; i < nitems(privacy_rules); i++) {
		days = privacy_days(e->conf, i);
		if (store_privacy_due(e->st, privacy_rules[i].rule,
		    now - (time_t)days * 86400, &due, &next) == -1)
			return 1;
		privacy_when(next, days, when, sizeof(when));
		printf("  %s = %d: %s\n    due now: %lld; the next falls due: "
		    "%s\n", privacy_rules[i].name, days, privacy_rules[i].what,
		    (long long)due, when);
	}
	if (privacy_former(e, now, false, &due, &next) == -1)
		return 1;
	privacy_when(next, e->conf->former_days, when, sizeof(when));
	printf("  former_days = %d: an address that is no member and has not "
	    "been seen, forgotten\n    as SLET MIG does\n    due now: %lld; the "
	    "next falls due: %s\n", e->conf->former_days, (long long)due, when);
	printf("\nffnet prunes what is due once an hour while it runs, and "
	    "on every once.\n");
	return 0;
 usage:
	fprintf(stderr, "usage: ffnet -c file privacy [--now \"YYYY-MM-DD "
	    "HH:MM\"] [--prune]\n");
	return 2;
}
