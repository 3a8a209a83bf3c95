/*
 * log.h: logging to syslog (LOG_MAIL) or, in debug mode, to stderr.
 * Never pass passwords, message bodies or whole tokens.
 */
#ifndef FFNET_LOG_H
#define FFNET_LOG_H

/* Opens syslog with the given ident, or logs to stderr when debug is set. */
void	log_init(int debug, int verbose, const char *ident);
/*
 * Command-line verbs (once, check, status, ...): warnings go to stderr
 * as well as to syslog, so that the person at the terminal sees them.
 */
void	log_stderr_too(int);
/* Do warnings reach stderr (debug mode, log_stderr_too, before log_init)? */
int	log_is_stderr(void);
/* Changes the verbosity: 0 info, 1 debug. */
void	log_verbose(int);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Only at startup or on a broken invariant: logs and exits 1. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
