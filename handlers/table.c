/*
 * table.c: the only list of command words. One row per accepted word,
 * folded (lower case, æ→ae, ø→oe, å→aa) and kept in strcmp order, so
 * lookups are a binary search. Danish first; English and accent-free
 * spellings too. A consistency test checks order and uniqueness.
 */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "handler.h"

extern const struct handler h_idea, h_ideaclose, h_ideas, h_interest;
extern const struct handler h_help, h_join, h_leave, h_meetingcancel,
    h_meetingchange, h_meetingnew, h_meetings, h_register, h_unregister;
extern const struct handler h_participants, h_post, h_agenda, h_minutes;
extern const struct handler h_members, h_listaddr, h_latest;
extern const struct handler h_mydata, h_forget;

/* Every descriptor once, those that no word reaches too. */
const struct handler *const handlers[] = {
	&h_agenda, &h_calreply, &h_confirm, &h_forget, &h_help, &h_idea,
	&h_ideaclose, &h_ideas, &h_interest, &h_join, &h_latest, &h_leave,
	&h_listaddr, &h_meetingcancel, &h_meetingchange, &h_meetingnew,
	&h_meetings, &h_members, &h_minutes, &h_mydata, &h_notmember,
	&h_participants, &h_post, &h_register, &h_toolarge, &h_unknown,
	&h_unregister, NULL
};

/* The action names of pending rows written before ffnet 0.11. */
static const struct {
	const char	*old;
	const char	*name;
} table_aliases[] = {
	{ "idea-close", "ideaclose" },
	{ "meeting-cancel", "meetingcancel" },
	{ "meeting-change", "meetingchange" },
	{ "meeting-new", "meetingnew" },
};

const struct command commands[] = {
	{ "afmeld",              &h_leave,	"da" },
	{ "agenda",            &h_agenda,	"en" },
	{ "attend",              &h_register,	"en" },
	{ "bekraeft",            &h_confirm,	"da" },
	{ "bekraft",             &h_confirm,	"da" },
	{ "cancel",              &h_unregister,	"en" },
	{ "confirm",             &h_confirm,	"en" },
	{ "dagsorden",         &h_agenda,	"da" },
	{ "decline",             &h_unregister,	"en" },
	{ "delete me",         &h_forget,	"en" },
	{ "deltag",              &h_register,	"da" },
	{ "deltagere",           &h_participants,	"da" },
	{ "forget me",         &h_forget,	"en" },
	{ "frameld",             &h_unregister,	"da" },
	{ "help",                &h_help,	"en" },
	{ "hjaelp",              &h_help,	"da" },
	{ "hjalp",               &h_help,	"da" },
	{ "ide",                 &h_idea,	"da" },
	{ "ide luk",             &h_ideaclose,	"da" },
	{ "idea",                &h_idea,	"en" },
	{ "idea close",          &h_ideaclose,	"en" },
	{ "ideas",               &h_ideas,	"en" },
	{ "ideer",               &h_ideas,	"da" },
	{ "interesse",           &h_interest,	"da" },
	{ "interest",            &h_interest,	"en" },
	{ "join",                &h_join,	"en" },
	{ "latest",              &h_latest,	"en" },
	{ "leave",               &h_leave,	"en" },
	{ "medlemmer",           &h_members,	"da" },
	{ "meeting cancel",      &h_meetingcancel,	"en" },
	{ "meeting change",      &h_meetingchange,	"en" },
	{ "meeting new",         &h_meetingnew,	"en" },
	{ "meetings",            &h_meetings,	"en" },
	{ "members",             &h_members,	"en" },
	{ "mine data",         &h_mydata,	"da" },
	{ "minutes",           &h_minutes,	"en" },
	{ "mode aendr",          &h_meetingchange,	"da" },
	{ "mode aflys",          &h_meetingcancel,	"da" },
	{ "mode opret",          &h_meetingnew,	"da" },
	{ "moede aendr",         &h_meetingchange,	"da" },
	{ "moede aflys",         &h_meetingcancel,	"da" },
	{ "moede opret",         &h_meetingnew,	"da" },
	{ "moeder",              &h_meetings,	"da" },
	{ "my data",           &h_mydata,	"en" },
	{ "participants",        &h_participants,	"en" },
	{ "post",              &h_post,	"en" },
	{ "referat",           &h_minutes,	"da" },
	{ "register",            &h_register,	"en" },
	{ "seneste",             &h_latest,	"da" },
	{ "slet mig",          &h_forget,	"da" },
	{ "subscribe",           &h_join,	"en" },
	{ "tilmeld",             &h_join,	"da" },
	{ "udsend",            &h_post,	"da" },
	{ "unsubscribe",         &h_leave,	"en" },
};
const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static int
table_cmp(const void *key, const void *elem)
{
	const struct command	*c = elem;

	return strcmp(key, c->word);
}

const struct command *
command_find(const char *word)
{
	return bsearch(word, commands, ncommands, sizeof(commands[0]),
	    table_cmp);
}

const struct handler *
handler_find(const char *name)
{
	const struct handler *const	*h;
	size_t				 i;

	for (i = 0; i < sizeof(table_aliases) / sizeof(table_aliases[0]); i++)
		if (strcmp(name, table_aliases[i].old) == 0)
			name = table_aliases[i].name;
	for (h = handlers; *h != NULL; h++)
		if (strcmp((*h)->name, name) == 0)
			return *h;
	return NULL;
}

size_t
handler_tmpls_all(const char **out, size_t max)
{
	const struct handler *const	*h;
	const char *const		*n;
	size_t				 i, k = 0;

	for (h = handlers; *h != NULL; h++)
		for (n = (*h)->tmpls; n != NULL && *n != NULL; n++) {
			for (i = 0; i < k && strcmp(out[i], *n) != 0; i++)
				;
			if (i == k && k < max)
				out[k++] = *n;
		}
	for (n = compose_service_tmpls; *n != NULL; n++) {
		for (i = 0; i < k && strcmp(out[i], *n) != 0; i++)
			;
		if (i == k && k < max)
			out[k++] = *n;
	}
	return k;
}
