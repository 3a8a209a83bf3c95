/*
 * mime_int.h: what the files of the MIME module (charset.c, html.c,
 * mime_parse.c, mime_build.c) share among themselves. Not for use
 * outside lib/mime*.c, charset.c and html.c: everyone else includes
 * mime.h.
 */
#ifndef FFNET_MIME_INT_H
#define FFNET_MIME_INT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct mailmime_content;

/* Installs libetpan's charconv hook (idempotent); charset.c. */
void	 mime_init(void);
/* Length of the valid UTF-8 sequence at p, or 0. */
size_t	 mime_utf8_len(const unsigned char *, size_t);
/* Appends code point cp as UTF-8. */
void	 mime_utf8_put(struct buf *, uint32_t);
/* Appends s with each invalid byte as U+FFFD and no NULs. */
void	 mime_utf8_clean(struct buf *, const char *, size_t);
/* UTF-8 text with "\n" line ends and no control bytes. */
char	*mime_text_clean_dup(const char *, size_t);

/* Lower-case "type/subtype"; text/plain without a type; mime_parse.c. */
char	*mime_type_dup(const struct mailmime_content *);

#endif
