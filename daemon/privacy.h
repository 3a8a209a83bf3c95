/*
 * privacy.h: retention ([privacy] in the config; GDPR art. 5(1)(e)).
 * What ffnet keeps about people, and for how long: registration notes
 * (diets and other health-related wishes) until notes_days after the
 * meeting; the text of a sent mail for sent_mail_days; the log of who
 * mailed and was mailed, with subjects, the confirmation rows, bounces
 * and wrong codes for mail_log_days; an address that is no member and
 * has not been seen for former_days is forgotten as SLET MIG forgets
 * (store_forget), without mail.
 */
#ifndef FFNET_PRIVACY_H
#define FFNET_PRIVACY_H

#include <time.h>

struct env;

/*
 * Prunes what is due at now, in one transaction of its own, with a log
 * line when anything went. 0, or -1 rolled back (tried again later).
 * main.c calls it at most once an hour in run, and every once.
 */
int	privacy_run(const struct env *, time_t now);
/*
 * "ffnet privacy [--now TIME] [--prune]"; argv[0] is "privacy": prints
 * what is held and, per rule, what is due now and when the next falls
 * due; --prune prunes what is due. Exit code.
 */
int	privacy_main(const struct env *, int argc, char **argv);

#endif
