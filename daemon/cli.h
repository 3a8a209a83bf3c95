/*
 * cli.h: the secretariat's commands on the command line: meeting add,
 * change, cancel and list, and registrations (also as CSV for Excel).
 * Changes queue the calendar updates; the daemon sends them.
 */
#ifndef FFNET_CLI_H
#define FFNET_CLI_H

#include <stdbool.h>
#include <time.h>

struct env;
struct conf;
struct meeting;
struct store;
struct tmpls;

/* Runs "meeting …" or "registrations …"; argv[0] is that word. Exit code. */
int	cli_main(const struct env *, int argc, char **argv);
/*
 * The registrations of a meeting as CSV that Danish Excel opens right:
 * UTF-8 with a BOM, semicolons, CRLF; the header row from the template
 * csv.header in lang. Returns a new string; caller frees. NULL on error.
 */
char	*cli_csv_dup(struct store *, const struct tmpls *,
	    const struct meeting *, const char *lang);
/*
 * Appends one CSV field and its ";" (last: CRLF), quoted when it holds
 * a ";", a quote or a line break (RFC 4180). s may be NULL.
 */
struct buf;
void	 cli_csv_field(struct buf *, const char *s, bool last);
/* Starts such a CSV in b: the BOM, then the header row of template tmpl. */
void	 cli_csv_header(struct buf *, const struct tmpls *, const char *lang,
	    const char *tmpl);

/* A cell starting with one of these is a formula in Excel. */
#define CLI_CSV_FORMULA	"=+-@\t\r"

#endif
