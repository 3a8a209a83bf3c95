// check_icaljs.mjs: reads the golden .ics files with ical.js, the parser
// Thunderbird ships (installed in tests/ical/node_modules from
// package.json), and checks each against expect.tsv: METHOD, UID,
// SEQUENCE, ORGANIZER, the one ATTENDEE and its parameters, STATUS, the
// TEXT values byte for byte, and DTSTART as a UTC instant once our
// VTIMEZONE is registered. Prints "ok ..." / "not ok ..." per check.
// Usage: node check_icaljs.mjs EXPECT.TSV DIR
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

// What gen.c writes as DESCRIPTION: RFC 5545 3.3.11 escapes , ; \ and LF.
const DESC = 'Program: kl. 14 velkomst; kl. 15 rundvisning i gartneriet, ' +
    'hvor vi ser på æbler, pærer og blåbær.\n' +
    'Sti til programmet: C:\\netværk\\program.pdf – tilmelding er ' +
    'bindende, afbud til sekretariatet.';
const results = [];

function check(cond, what) {
  results.push(Boolean(cond));
  console.log((cond ? 'ok ' : 'not ok ') + what);
}

function one(row, path) {
  const f = row.file;
  let cal;
  try {
    cal = new ICAL.Component(ICAL.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    check(false, `${f}: parses (${e})`);
    return;
  }
  check(true, `${f}: parses`);
  check(cal.getFirstPropertyValue('method') === row.method, `${f}: METHOD`);
  const zones = cal.getAllSubcomponents('vtimezone');
  check(zones.length === 1 &&
      zones[0].getFirstPropertyValue('tzid') === 'Europe/Copenhagen',
      `${f}: one VTIMEZONE Europe/Copenhagen`);
  zones.forEach((z) => ICAL.TimezoneService.register(z));
  const vevents = cal.getAllSubcomponents('vevent');
  check(vevents.length === 1, `${f}: one VEVENT`);
  if (vevents.length !== 1)
    return;
  const v = vevents[0];
  const ev = new ICAL.Event(v);
  check(ev.uid === row.uid, `${f}: UID`);
  check(ev.sequence === Number(row.sequence), `${f}: SEQUENCE ${ev.sequence}`);
  const org = v.getFirstProperty('organizer');
  check(org && org.getFirstValue() === 'mailto:' + row.organizer &&
      org.getParameter('cn') === 'Erhvervsnetværk Slagelse', `${f}: ORGANIZER`);
  const atts = v.getAllProperties('attendee');
  check(atts.length === 1 &&
      atts[0].getFirstValue() === 'mailto:' + row.attendee,
      `${f}: one ATTENDEE`);
  if (atts.length === 1) {
    const a = atts[0];
    check(a.getParameter('partstat') === 'NEEDS-ACTION' &&
        a.getParameter('role') === 'REQ-PARTICIPANT' &&
        a.getParameter('cn') === 'Søren Østergård', `${f}: ATTENDEE params`);
    const rsvp = row.rsvp === '-' ? undefined : row.rsvp;
    check(a.getParameter('rsvp') === rsvp, `${f}: RSVP=${rsvp}`);
  }
  const status = row.status === '-' ? null : row.status;
  check(v.getFirstPropertyValue('status') === status, `${f}: STATUS ${status}`);
  check(ev.summary === row.summary, `${f}: SUMMARY`);
  check(ev.location === 'Æblegården, Søndre Allé 7, 4200 Slagelse',
      `${f}: LOCATION`);
  check(ev.description === DESC, `${f}: DESCRIPTION`);
  const s = ev.startDate;
  check(s.zone && s.zone.tzid === 'Europe/Copenhagen', `${f}: DTSTART zone`);
  const utc = s.toJSDate().toISOString().replace('.000Z', 'Z');
  check(utc === row.start_utc, `${f}: DTSTART ${utc} is ${row.start_utc}`);
  const local = `${s.year}-${String(s.month).padStart(2, '0')}-` +
      `${String(s.day).padStart(2, '0')} ${String(s.hour).padStart(2, '0')}:` +
      `${String(s.minute).padStart(2, '0')}`;
  check(local === row.start_local, `${f}: DTSTART local ${local}`);
}

const [expect, dir] = process.argv.slice(2);
const lines = readFileSync(expect, 'utf8').split('\n').filter((l) => l);
const head = lines.shift().split('\t');
for (const l of lines) {
  const row = Object.fromEntries(l.split('\t').map((v, i) => [head[i], v]));
  one(row, `${dir}/${row.file}`);
}
const passed = results.filter((r) => r).length;
console.log(`ical.js: ${passed} passed, ${results.length - passed} failed`);
process.exit(results.length > 0 && passed === results.length ? 0 : 1);
