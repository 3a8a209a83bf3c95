/*
 * conf.h: the configuration, read from an INI file with libinih and
 * described by one table in conf.c (section, key, type, limits,
 * default). Errors carry the file name and line number.
 */
#ifndef FFNET_CONF_H
#define FFNET_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

struct oauth2;

/* [secretariat] summary: how often the secretariat gets its summary. */
enum summary_mode {
	SUMMARY_OFF,
	SUMMARY_DAILY,
	SUMMARY_WEEKLY,		/* on Mondays */
};

struct conf {
	char	*path;

	/* [network] */
	char	*name;		/* "Flere Faglærte Netværket" */
	char	*address;	/* the list address, lower case */
	char	**secretariat;	/* lower case addresses, NULL-terminated */
	char	*language;	/* "da" or "en" */
	char	*timezone;	/* "Europe/Copenhagen" */

	/* [imap] */
	char	*imap_host;
	int	 imap_port;	/* 0 in the file: 993 for tls, else 143 */
	enum net_security imap_security;
	char	*imap_ca_file;	/* NULL: system CAs */
	enum net_mech imap_auth;
	char	*imap_user;
	char	*imap_password;	/* from password or password_file */
	char	*mailbox;
	char	*done_folder;
	char	*hold_folder;
	bool	 idle;
	int	 poll_seconds;
	int	 idle_seconds;	/* re-issue IDLE after this long */
	int	 imap_timeout;

	/* [smtp] */
	char	*smtp_url;
	char	*smtp_user;	/* NULL: no AUTH */
	char	*smtp_password;
	char	*smtp_ca_file;
	enum net_mech smtp_auth;
	int	 smtp_timeout;
	bool	 smtp_require_tls;

	/* [store] */
	char	*store_path;
	char	*secret_path;	/* derived: beside the store, "<path>.secret" */

	/* [templates] */
	char	*templates_dir;

	/* [limits] */
	int	 max_message_kb;
	int	 max_arg_len;
	int	 replies_per_hour;	/* to any one address */
	int	 code_guesses_per_day;	/* wrong codes from one address */
	int	 confirm_days;		/* confirmation codes live this long */
	int	 retry_max_hours;	/* the outbox gives up after this */
	/* The submission server's limits (0: none). */
	int	 messages_per_minute;
	int	 recipients_per_message;
	int	 recipients_per_day;
	int	 connections;
	/* Tell the secretariat when mail has waited this long (min; 0: never). */
	int	 stuck_after;

	/* [meetings] */
	int	 reminder_days;		/* remind this long before; 0: never */

	/* [list] */
	char	*unsubscribe_url;	/* https form of List-Unsubscribe, or NULL */
	int	 bounce_days;		/* pause after bounces on this many days */
	bool	 verp;			/* each copy's own return path */

	/* [oauth2] */
	char	*oauth2_tenant;		/* makes the Microsoft token_url */
	char	*oauth2_token_url;
	char	*oauth2_client_id;
	char	*oauth2_client_secret;	/* from client_secret(_file) */
	char	*oauth2_scope;
	char	*oauth2_ca_file;
	char	*oauth2_cert_file;
	char	*oauth2_key_file;
	char	*oauth2_subject;	/* Google: the mailbox */
	struct oauth2 *oauth2;		/* the token source; NULL: no XOAUTH2 */

	/* [auth] */
	char	*trusted_authserv_id;	/* comma-separated; NULL: trust none */

	/* [secretariat] */
	enum summary_mode summary;
	int	 summary_hour;		/* local time, 0-23 */

	/* [privacy]: how long personal data is kept (daemon/privacy.c) */
	int	 notes_days;		/* registration notes, after the meeting */
	int	 sent_mail_days;	/* the text of a mail once sent */
	int	 mail_log_days;		/* who mailed and was mailed, when, what */
	int	 former_days;		/* a former member or guest, inactive */
};

/*
 * Reads and checks the file. On error returns -1 and writes one line
 * to err: "FILE:LINE: reason" or "FILE: reason". *c is cleared then.
 */
int	conf_load(const char *path, struct conf *c, char *err, size_t errlen);
void	conf_clear(struct conf *);
/* Is the address one of the secretariat's? */
bool	conf_is_secretariat(const struct conf *, const char *addr);
/*
 * Writes every key the table knows, one per line as "section.key", to
 * stdout: used by the consistency test against ffnet.conf.5.
 */
void	conf_print_keys(void);

#endif
