/*
 * env.h: what the daemon's services work with, in one pointer: the
 * config, the templates, the store (in the caller's transaction where a
 * service writes) and the secret that keys codes and tokens. main.c
 * fills one for the process; a handler's ctx points to it.
 */
#ifndef FFNET_ENV_H
#define FFNET_ENV_H

struct conf;
struct store;
struct tmpls;

struct env {
	const struct conf	*conf;
	const struct tmpls	*tmpls;
	struct store		*st;
	const unsigned char	*secret;	/* AUTH_SECRET_LEN bytes */
};

#endif
