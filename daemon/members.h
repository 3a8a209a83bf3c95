/*
 * members.h: the secretariat's member tools. On the command line:
 * "members [--csv] [--status S]" and "member show|add|set|pause|resume|
 * remove|import"; the member list as CSV for Danish Excel (also sent by
 * MEDLEMMER, handlers/members.c); the reader of the network's own list
 * as Excel saves it.
 */
#ifndef FFNET_MEMBERS_H
#define FFNET_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct env;
struct conf;
struct store;
struct tmpls;

/* Runs "members …" or "member …"; argv[0] is that word. Exit code. */
int	members_main(const struct env *, int argc, char **argv);

/*
 * The members with a status (NULL: active and paused; see
 * store_member_list) as CSV that Danish Excel opens right and that
 * "member import" reads back: UTF-8 with a BOM, semicolons, CRLF, the
 * header row from the template members.csv in lang. Returns a new
 * string; caller frees. NULL on error.
 */
char	*members_csv_dup(struct store *, const struct tmpls *,
	    const char *lang, const char *status, time_t now);
/* "2026-12-03", or with the time "2026-12-03 21:05", in local time; "-" for 0. */
void	members_date(time_t, bool with_time, char *buf, size_t len);
/* How many members are active, paused, and wait to confirm joining. */
struct members_counts {
	int64_t	 active, paused, pending;
};
int	members_count(struct store *, time_t now, struct members_counts *);

/* One row of an imported list, with the line it starts on. */
struct members_row {
	size_t	 line;
	char	*addr;		/* lower case, not yet validated */
	char	*name;		/* NULL when empty */
	char	*org;
};
struct members_file {
	struct members_row	*v;
	size_t			 n;
};
/*
 * Reads a member list as Excel saves it: UTF-8 with or without a BOM,
 * else Windows-1252; ";" or "," (whichever the header line has more
 * of); quoted fields with "" escapes; CRLF, LF or CR. The header row
 * names the columns in Danish or English, in any order and case; blank
 * rows and other columns are passed over. No I/O. -1 with err (no
 * address column, or no header) and out empty.
 */
int	members_csv_parse(const char *data, size_t len, struct members_file *out,
	    char *err, size_t errlen);
void	members_file_clear(struct members_file *);

#endif
