/*
 * gen.c: writes the golden iCalendar objects that tests/ical/validate.sh
 * feeds to three independent parsers (python3-icalendar, khal, ical.js):
 * a REQUEST in summer and in winter, a whole-meeting CANCEL and a
 * personal CANCEL, made by the current lib/ical.c. Usage: gen DIR.
 * What each file must contain is in tests/ical/expect.tsv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"

#define G_SUMMER	1781179200	/* 2026-06-11 12:00Z = 14:00 CEST */
#define G_WINTER	1768467600	/* 2026-01-15 09:00Z = 10:00 CET */

static int	gen_one(const char *, const char *, enum ical_method,
		    const struct ical_event *);

static int
gen_one(const char *dir, const char *name, enum ical_method m,
    const struct ical_event *ev)
{
	FILE	*f = NULL;
	char	*s = NULL, path[4096];
	int	 rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		goto out;
	if ((s = ical_build(m, ev)) == NULL) {
		fprintf(stderr, "gen: ical_build failed for %s\n", name);
		goto out;
	}
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		goto out;
	}
	if (fputs(s, f) == EOF || fclose(f) == EOF) {
		f = NULL;
		perror(path);
		goto out;
	}
	f = NULL;
	rc = 0;
 out:
	if (f != NULL)
		fclose(f);
	free(s);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct ical_event	 ev;
	int			 rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen DIR\n");
		return 2;
	}
	memset(&ev, 0, sizeof(ev));
	ev.uid = "6c1f0b9e-3d2a-4e57-8f41-ffnet-summer@netvaerk.example.dk";
	ev.sequence = 0;
	ev.dtstamp = 1779000000;
	ev.start = G_SUMMER;
	ev.end = G_SUMMER + 2 * 3600;
	ev.tzid = "Europe/Copenhagen";
	ev.summary = "Netværksmøde hos Æblegården; kaffe, kage og æbler";
	ev.location = "Æblegården, Søndre Allé 7, 4200 Slagelse";
	ev.description = "Program: kl. 14 velkomst; kl. 15 rundvisning i "
	    "gartneriet, hvor vi ser på æbler, pærer og blåbær.\n"
	    "Sti til programmet: C:\\netværk\\program.pdf – tilmelding er "
	    "bindende, afbud til sekretariatet.";
	ev.status = FFNET_STATUS_CONFIRMED;
	ev.organizer_name = "Erhvervsnetværk Slagelse";
	ev.organizer_addr = "tilmelding@netvaerk.example.dk";
	ev.attendee_name = "Søren Østergård";
	ev.attendee_addr = "soeren.oestergaard@example.dk";
	rc |= gen_one(argv[1], "request-summer.ics", ICAL_REQUEST, &ev);
	/* RFC 5546 3.2.5: same UID, higher SEQUENCE, STATUS:CANCELLED. */
	ev.sequence = 1;
	ev.status = FFNET_STATUS_CANCELLED;
	rc |= gen_one(argv[1], "cancel-meeting.ics", ICAL_CANCEL, &ev);

	ev.uid = "0a7d5e21-91bc-4f08-b3c6-ffnet-winter@netvaerk.example.dk";
	ev.sequence = 1;
	ev.start = G_WINTER;
	ev.end = G_WINTER + 90 * 60;
	ev.summary = "Vintermøde: årsregnskab, bestyrelsesvalg";
	ev.status = FFNET_STATUS_CONFIRMED;
	rc |= gen_one(argv[1], "request-winter.ics", ICAL_REQUEST, &ev);
	/* A personal CANCEL (one registration withdrawn): no STATUS. */
	ev.sequence = 2;
	ev.status = FFNET_STATUS_NONE;
	rc |= gen_one(argv[1], "cancel-personal.ics", ICAL_CANCEL, &ev);
	return rc ? 1 : 0;
}
