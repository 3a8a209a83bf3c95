/*
 * log.c: the only place that writes log lines. main.c calls log_init()
 * once; every module logs where it takes a decision (see STYLE.md 5).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_to_stderr = 1;
static int	log_level_debug;
static int	log_also_stderr;	/* warnings to stderr as well */

static void	log_vwrite(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
log_init(int debug, int verbose, const char *ident)
{
	log_to_stderr = debug;
	log_level_debug = verbose;
	if (!debug)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	tzset();
}

void
log_stderr_too(int on)
{
	log_also_stderr = on;
}

int
log_is_stderr(void)
{
	return log_to_stderr || log_also_stderr;
}

void
log_verbose(int v)
{
	log_level_debug = v;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap)
{
	char	 line[2048];
	int	 saved = errno;

	if (pri == LOG_DEBUG && !log_level_debug)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_stderr) {
		fprintf(stderr, "ffnet: %s\n", line);
		fflush(stderr);
	} else {
		syslog(pri, "%s", line);
		if (log_also_stderr && pri <= LOG_WARNING) {
			fprintf(stderr, "ffnet: %s\n", line);
			fflush(stderr);
		}
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s", buf);
	exit(1);
}
