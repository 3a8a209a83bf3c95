/*
 * mime.h: parsing incoming mail and building outgoing mail, both with
 * libetpan. Parsing takes (buf, len), does no I/O and never calls
 * fatal(): any byte sequence gives either a struct msg or -1.
 *
 * One module in four files: mime_parse.c (a message into struct msg),
 * mime_build.c (struct mime_out into a message), charset.c (any charset
 * and RFC 2047 words to UTF-8) and html.c (HTML parts to text). What
 * they share among themselves is in mime_int.h.
 */
#ifndef FFNET_MIME_H
#define FFNET_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Caps on what is parsed and kept; set from the config. */
struct mime_limits {
	size_t	 max_message;	/* bytes of the whole message */
	size_t	 max_header;	/* bytes of one unfolded header value */
	size_t	 max_headers;	/* number of header fields kept */
	size_t	 max_text;	/* bytes of decoded body text kept */
	size_t	 max_parts;	/* MIME parts visited */
	size_t	 max_depth;	/* nesting depth visited */
};

/* One header field as it came: name, and value unfolded (CRLF+WSP → WSP). */
struct mime_header {
	char	*name;
	char	*value;
};

/* A body part that is not the main text (attachments, calendar, reports). */
struct mime_part {
	char	*type;		/* lower case "type/subtype" */
	char	*filename;	/* decoded UTF-8, or NULL */
	char	*method;	/* Content-Type method= parameter, or NULL */
	char	*data;		/* decoded bytes (transfer encoding undone) */
	size_t	 len;
};

struct msg {
	/* Every header field, in order, at most max_headers. */
	struct mime_header	*hdrs;
	size_t			 nhdrs;

	char	*message_id;	/* without <>, or NULL */
	char	*from_addr;	/* lower case address of From, or NULL */
	char	*from_name;	/* decoded display name (UTF-8), or NULL */
	char	*reply_to;	/* first Reply-To address, or NULL */
	char	*sender_addr;	/* Sender: address, or NULL */
	char	*return_path;	/* Return-Path address; "" for <>; NULL if absent */
	char	*subject;	/* decoded UTF-8, "" if absent */
	char	*in_reply_to;	/* raw header value, or NULL */
	char	*references;	/* raw header value, or NULL */
	char	*content_type;	/* top-level "type/subtype", lower case */
	char	*report_type;	/* report-type= of multipart/report, or NULL */
	char	*content_language; /* raw header value, or NULL */
	time_t	 date;		/* Date: header, 0 if absent or bad */

	/*
	 * The body as UTF-8 text: the first text/plain part that is not an
	 * attachment, else the first text/html turned into plain text.
	 * Line ends are "\n". "" if there is none.
	 */
	char	*text;
	bool	 text_from_html;
	bool	 truncated;	/* some cap was hit */

	/* Other leaf parts (attachments, text/calendar, delivery-status…). */
	struct mime_part	*parts;
	size_t			 nparts;

	size_t	 size;		/* bytes of the raw message */
};

/* Default caps, sensible for the network's mail. */
void		 mime_limits_default(struct mime_limits *);

/*
 * Parses a raw RFC 5322 message. On success fills *m (call msg_clear
 * afterwards) and returns 0; returns -1 only when nothing usable could
 * be read (m is then cleared). Malformed MIME, unknown charsets and
 * broken encodings still give 0, with what could be decoded.
 */
int		 mime_parse(const char *, size_t, const struct mime_limits *,
		    struct msg *);
void		 msg_clear(struct msg *);

/* The first header of that name (case-insensitive), raw; borrowed or NULL. */
const char	*mime_header(const struct msg *, const char *);
/* The same, RFC 2047-decoded to UTF-8. Returns a new string or NULL; caller frees. */
char		*mime_header_decoded_dup(const struct msg *, const char *);

/*
 * Converts text in a charset to UTF-8 (charset names as in MIME, any
 * case; NULL or unknown → tried as UTF-8, then windows-1252). Invalid
 * bytes are replaced, never dropped silently into garbage. Returns a
 * new string; caller frees.
 */
char		*mime_to_utf8_dup(const char *, size_t, const char *charset);
/* Decodes RFC 2047 encoded words in a header value to UTF-8. Caller frees. */
char		*mime_decode_header_dup(const char *);
/* Turns HTML into readable plain text ("\n" line ends). Caller frees. */
char		*mime_html_to_text_dup(const char *, size_t);

/* A file sent with a mail. */
struct mime_attach {
	const char	*type;		/* "application/pdf", "text/csv; charset=UTF-8" */
	const char	*filename;	/* UTF-8; RFC 2231-encoded when needed */
	const char	*data;
	size_t		 len;
};

/*
 * An outgoing mail. Text only: one text/plain part. With a calendar
 * (RFC 6047 2.4): multipart/mixed { multipart/alternative { text/plain,
 * text/calendar; charset=UTF-8; method=M }, the same calendar as an
 * invite.ics attachment, then any other attachments }. Attachments
 * alone: multipart/mixed { text/plain, attachments }.
 */
struct mime_out {
	const char	*from_name;	/* UTF-8, may be NULL */
	const char	*from_addr;
	const char	*to_name;	/* UTF-8, may be NULL */
	const char	*to_addr;
	const char	*reply_to;	/* address or NULL */
	const char	*subject;	/* UTF-8 */
	const char	*message_id;	/* without <> */
	const char	*in_reply_to;	/* without <>, or NULL */
	const char	*references;	/* raw list "<a> <b>", or NULL */
	const char	*auto_submitted; /* e.g. "auto-replied", or NULL */
	const char	*language;	/* Content-Language, or NULL */
	/* Further "Name: value" lines, already encoded, NULL-terminated, or NULL. */
	const char	*const *extra_headers;
	time_t		 date;
	const char	*text;		/* UTF-8 body, "\n" line ends */
	const char	*calendar;	/* VCALENDAR text (CRLF), or NULL */
	const char	*cal_method;	/* its METHOD, e.g. "REQUEST" */
	const struct mime_attach *attach;	/* nattach files, or NULL */
	size_t		 nattach;
};

/*
 * MS-OXCMAIL 2.1.3.2.20: what ffnet asks Exchange (and Outlook) not to
 * send back, on every mail it sends: out-of-office notices and other
 * auto-replies. Not "All": that also suppresses delivery and non-delivery
 * reports, and a bounce is how ffnet learns that an address is dead.
 */
#define MIME_SUPPRESS	"X-Auto-Response-Suppress: OOF, AutoReply"

/*
 * Builds the message with libetpan: RFC 2047-encoded headers where
 * needed, text/plain; charset=UTF-8, quoted-printable, CRLF line ends.
 * Returns a new buffer (NUL-terminated) and its length in *len; caller
 * frees. Returns NULL on failure.
 */
char		*mime_build(const struct mime_out *, size_t *len);
/* RFC 2047-encodes a UTF-8 header value when it needs it. Caller frees. */
char		*mime_encode_header_dup(const char *);

#endif
