import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  buildSkillIndex,
  columnForPointer,
  parseCsv,
  parseDateTime,
  parsePrice,
  rowsToInputs,
  suggestMapping,
} from './activities.csv.ts';
import { boundRecurrence, ianaTimeZone, localToUtc, parseICalendar } from './activities.ical.ts';
import { type ActivityInput, MAX_SESSIONS } from './activities.model.ts';
import { validateActivityInput } from './activities.validation.ts';

const fixture = (name: string) =>
  fs.readFileSync(new URL(`../../../../test/fixtures/catalogue/${name}`, import.meta.url), 'utf8');

function city(slug: string, timeZone: string, languages: string[]): CityRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    slug,
    name: { en: slug },
    defaultLanguage: languages[0] as string,
    languages,
    timeZone,
    boundsWest: -180,
    boundsSouth: -90,
    boundsEast: 180,
    boundsNorth: 90,
    centerLon: 0,
    centerLat: 0,
    defaultZoom: 12,
    hostName: null,
    status: 'active',
    consentAge: 13,
    logoUrl: null,
    primaryColour: null,
    contactEmail: null,
    createdAt: new Date(0),
  };
}
const plymouth = city('plymouth', 'Europe/London', ['en']);
const vilnius = city('vilnius', 'Europe/Vilnius', ['lt', 'en']);
const torino = city('torino', 'Europe/Rome', ['it', 'en']);

describe('time zones', () => {
  it('reads wall-clock times in a zone across daylight saving', () => {
    expect(
      localToUtc({ year: 2026, month: 3, day: 10, hour: 18, minute: 0, second: 0 }, 'Europe/London').toISOString(),
    ).toBe('2026-03-10T18:00:00.000Z');
    expect(
      localToUtc({ year: 2026, month: 7, day: 1, hour: 18, minute: 0, second: 0 }, 'Europe/London').toISOString(),
    ).toBe('2026-07-01T17:00:00.000Z');
    expect(
      localToUtc({ year: 2026, month: 7, day: 1, hour: 18, minute: 0, second: 0 }, 'Europe/Vilnius').toISOString(),
    ).toBe('2026-07-01T15:00:00.000Z');
  });

  it('maps Windows and prefixed TZIDs to IANA names', () => {
    expect(ianaTimeZone('GMT Standard Time')).toBe('Europe/London');
    expect(ianaTimeZone('"W. Europe Standard Time"')).toBe('Europe/Berlin');
    expect(ianaTimeZone('FLE Standard Time')).toBe('Europe/Helsinki');
    expect(ianaTimeZone('/mozilla.org/20050126_1/Europe/Rome')).toBe('Europe/Rome');
    expect(ianaTimeZone('Europe/Vilnius')).toBe('Europe/Vilnius');
    expect(ianaTimeZone('Mars Standard Time')).toBeUndefined();
  });
});

describe('recurrence limits', () => {
  const start = new Date('2026-03-10T18:00:00Z');
  it('keeps a rule that ends', () => {
    expect(boundRecurrence('RRULE:FREQ=WEEKLY;COUNT=10', start)).toEqual({ rrule: 'FREQ=WEEKLY;COUNT=10' });
  });
  it('caps a weekly rule that never ends at two years, with a warning', () => {
    const result = boundRecurrence('FREQ=WEEKLY;BYDAY=TU', start);
    expect(result).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20280310T180000Z' });
    expect('warning' in result && result.warning).toMatch(/2 years/);
  });
  it('caps a daily rule at the session limit', () => {
    expect(boundRecurrence('FREQ=DAILY', start)).toMatchObject({ rrule: `FREQ=DAILY;COUNT=${MAX_SESSIONS}` });
  });
  it('reports rules it cannot read', () => {
    expect(boundRecurrence('FREQ=WEEKLY;SOMETIMES=1', start)).toHaveProperty('problem');
    expect(boundRecurrence('BYDAY=TU', start)).toEqual({ problem: 'the recurrence rule has no FREQ' });
  });
});

describe('CSV', () => {
  it('suggests a mapping from English, Lithuanian and Italian headers, with language suffixes', () => {
    expect(
      suggestMapping(
        [
          'Title',
          'title_lt',
          'Title (EN)',
          'Pavadinimas',
          'Start date',
          'Pabaiga',
          'Latitude',
          'lng',
          'Booking URL',
          'Unknown',
        ],
        ['lt', 'en'],
      ),
    ).toEqual({
      Title: 'title',
      title_lt: 'title:lt',
      'Title (EN)': 'title:en',
      // The second column that claims "title" is left out rather than overwriting the first.
      Pavadinimas: '',
      'Start date': 'start',
      Pabaiga: 'end',
      Latitude: 'venue_lat',
      lng: 'venue_lon',
      'Booking URL': 'signup_url',
      Unknown: '',
    });
    expect(suggestMapping(['titolo', 'età', 'prezzo', 'luogo', 'indirizzo', 'posti'], ['it', 'en'])).toEqual({
      titolo: 'title',
      età: 'ages',
      prezzo: 'price',
      luogo: 'venue_name',
      indirizzo: 'venue_street',
      posti: 'capacity',
    });
  });

  it('reads a spreadsheet with quoted newlines, local dates, an unbounded rule and all-day rows', () => {
    const { table, fatal } = parseCsv(fixture('plymouth-activities.csv'));
    expect(fatal).toEqual([]);
    const result = rowsToInputs(table, suggestMapping(table.headers, ['en']), plymouth);
    expect(result.fatal).toEqual([]);
    expect(result.rows.map((r) => [r.line, r.problems])).toEqual([
      [2, []],
      [5, []],
      [6, []],
    ]);
    const [club, story, weekend] = result.rows.map((r) => r.input);
    expect(club).toMatchObject({
      title: { en: 'Code Club for adults' },
      description: { en: '<p>Learn Python with friendly volunteers.</p>\n<p>No experience needed.</p>' },
      scheduleKind: 'recurring',
      startsAt: '2026-03-10T18:00:00.000Z',
      rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20280310T180000Z',
      ageMin: 16,
      ageMax: null,
      accessibility: ['step_free', 'hearing_loop'],
      signupMode: 'external',
      externalUid: 'PCL-001',
    });
    expect(result.rows[0]?.warnings[0]).toMatch(/never ends/);
    expect(story).toMatchObject({ costKind: 'paid', priceCents: 250, currency: 'GBP', languages: ['en', 'pl'] });
    // A date without a time is an all-day session: local midnight to midnight after the last day (BST in April).
    expect(weekend).toMatchObject({
      allDay: true,
      startsAt: '2026-04-17T23:00:00.000Z',
      endsAt: '2026-04-19T23:00:00.000Z',
      currency: 'GBP',
    });
  });

  it('reads Excel CSV from Lithuania: BOM, semicolons, decimal commas, Lithuanian headers and language names', () => {
    const { table, fatal } = parseCsv(fixture('vilnius-excel.csv'));
    expect([fatal, table.delimiter]).toEqual([[], ';']);
    const result = rowsToInputs(table, suggestMapping(table.headers, vilnius.languages), vilnius);
    expect(result.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(result.rows[0]?.input).toMatchObject({
      title: { lt: 'Litavimo dirbtuvės', en: 'Soldering workshop' },
      description: { lt: '<p>Išmoksite lituoti.<br>Atsineškite smalsumą!</p>' },
      startsAt: '2026-03-14T09:00:00.000Z',
      venues: [{ name: 'Kūrybinės dirbtuvės', lat: 54.6872, lon: 25.2797 }],
      priceCents: 500,
      currency: 'EUR',
      languages: ['lt', 'en'],
    });
    // Without an id column, a stable id is derived so the same file imported again matches the same activities.
    expect(result.rows[0]?.externalUid).toMatch(/^csv:[0-9a-f]{32}$/);
    const again = rowsToInputs(table, suggestMapping(table.headers, vilnius.languages), vilnius);
    expect(again.rows[0]?.externalUid).toBe(result.rows[0]?.externalUid);
  });

  it('reports each bad row with its line and column, and keeps the good ones', () => {
    const { table } = parseCsv(fixture('torino-bad-row.csv'));
    const result = rowsToInputs(table, suggestMapping(table.headers, torino.languages), torino);
    expect(result.rows.map((r) => r.input !== null)).toEqual([true, false, true]);
    expect(result.rows[1]?.problems.map((p) => [p.line, p.column])).toEqual([
      [3, 'inizio'],
      [3, 'latitudine'],
      [3, 'età'],
    ]);
  });

  it('tells fatal files apart from row errors', () => {
    expect(parseCsv('').fatal[0]?.problem).toMatch(/empty/);
    expect(parseCsv('a,b\n').fatal[0]?.problem).toMatch(/no rows/);
    expect(parseCsv('BEGIN:VCALENDAR\nEND:VCALENDAR').fatal[0]?.problem).toMatch(/not a CSV/);
    expect(parseCsv('a,b\n"x,y\n1,2').fatal[0]?.problem).toMatch(/cannot be read as CSV.*quote/i);
    const { table } = parseCsv(fixture('no-title.csv'));
    expect(rowsToInputs(table, suggestMapping(table.headers), plymouth).fatal[0]?.problem).toMatch(/title/);
    const twice = rowsToInputs(table, { Start: 'start', End: 'start', Venue: 'title' }, plymouth);
    expect(twice.fatal[0]?.problem).toMatch(/both mapped to start/);
  });

  it('flags duplicate ids within one file', () => {
    const { table } = parseCsv('id,title,start\nA,First,2026-05-01 10:00\nA,Second,2026-05-02 10:00\n');
    const result = rowsToInputs(table, suggestMapping(table.headers), plymouth);
    expect(result.rows[1]?.problems[0]).toMatchObject({
      line: 3,
      column: 'id',
      problem: expect.stringMatching(/line 2/),
    });
  });

  it('resolves skill codes through the index the caller builds', () => {
    const index = buildSkillIndex([
      { id: 'skill-1', code: '1.1', frameworkSlug: 'digcomp' },
      { id: 'skill-2', code: '1.1', frameworkSlug: 'entrecomp' },
      { id: 'skill-3', code: 'L-COOK', frameworkSlug: 'local-plymouth' },
    ]);
    const { table } = parseCsv('title,skills\nCooking,"digcomp:1.1@3, l-cook"\nAmbiguous,1.1\nUnknown,zz.9\n');
    const result = rowsToInputs(table, suggestMapping(table.headers), plymouth, { skills: index });
    expect(result.rows[0]?.input?.skills).toEqual([
      { skillId: 'skill-1', level: 3 },
      { skillId: 'skill-3', level: null },
    ]);
    expect(result.rows[1]?.problems[0]?.problem).toMatch(/several frameworks/);
    expect(result.rows[2]?.problems[0]?.problem).toMatch(/not a skill/);
  });

  it('places a venue without coordinates at the fallback address, or reports it', () => {
    const { table } = parseCsv('title,venue,start\nTalk,Town hall,2026-05-01 10:00\n');
    const mapping = suggestMapping(table.headers);
    expect(rowsToInputs(table, mapping, plymouth).rows[0]?.problems[0]?.field).toBe('/venues/0/lat');
    const placed = rowsToInputs(table, mapping, plymouth, {
      fallbackVenue: { lat: 50.37, lon: -4.14, street: 'Guildhall Sq' },
    });
    expect(placed.rows[0]?.input?.venues).toEqual([
      { lat: 50.37, lon: -4.14, name: 'Town hall', street: '', postcode: '', locality: '' },
    ]);
  });

  it('reads further venues from numbered columns (venue_2_name … or "Venue 2 latitude") and places their errors', () => {
    const headers = [
      'title',
      'start',
      'venue_name',
      'venue_lat',
      'venue_lon',
      'venue_2_name',
      'venue_2_street',
      'venue_2_lat',
      'venue_2_lon',
      'Venue 3 name',
      'Venue 3 latitude',
      'Venue 3 longitude',
    ];
    const mapping = suggestMapping(headers);
    expect(mapping).toMatchObject({
      venue_2_name: 'venue_2_name',
      venue_2_street: 'venue_2_street',
      venue_2_lat: 'venue_2_lat',
      'Venue 3 name': 'venue_3_name',
      'Venue 3 latitude': 'venue_3_lat',
      'Venue 3 longitude': 'venue_3_lon',
    });
    const { table } = parseCsv(
      [
        headers.join(','),
        'Makers,2026-05-01 10:00,Library,50.37,-4.14,Guildhall,Royal Parade,50.369,-4.142,Dock,50.36,-4.16',
        'Only one,2026-05-02 10:00,Library,50.37,-4.14,,,,,,,',
        'Broken,2026-05-03 10:00,Library,50.37,-4.14,Guildhall,,north,-4.142,Dock,,',
      ].join('\n'),
    );
    const result = rowsToInputs(table, mapping, plymouth);
    expect(result.rows[0]?.input?.venues).toEqual([
      { name: 'Library', street: '', postcode: '', locality: '', lat: 50.37, lon: -4.14 },
      { name: 'Guildhall', street: 'Royal Parade', postcode: '', locality: '', lat: 50.369, lon: -4.142 },
      { name: 'Dock', street: '', postcode: '', locality: '', lat: 50.36, lon: -4.16 },
    ]);
    expect(result.rows[1]?.input?.venues).toHaveLength(1);
    expect(result.rows[2]?.problems.map((p) => [p.column, p.field])).toEqual([
      ['venue_2_lat', '/venues/1/lat'],
      ['Venue 3 latitude', '/venues/1/lat'],
    ]);
    // Validation problems of the n-th venue point at its own columns.
    expect(columnForPointer('/venues/1/lat', mapping)).toBe('venue_2_lat');
    expect(columnForPointer('/venues/2/name', mapping)).toBe('Venue 3 name');
    expect(columnForPointer('/venues/2', mapping)).toBe('Venue 3 name');
  });

  it('reads dates, prices and pointers', () => {
    expect(parseDateTime('04/03/2026 18:00', 'Europe/Rome')?.instant?.toISOString()).toBe('2026-03-04T17:00:00.000Z');
    expect(parseDateTime('2026.03.04 18.00', 'Europe/Vilnius')?.instant?.toISOString()).toBe(
      '2026-03-04T16:00:00.000Z',
    );
    expect(parseDateTime('2026-03-04T18:00:00+01:00', 'Europe/London')?.instant?.toISOString()).toBe(
      '2026-03-04T17:00:00.000Z',
    );
    expect(parseDateTime('31/02/2026', 'Europe/Rome')).toBeUndefined();
    expect(parsePrice('3,50 €')).toEqual({ cents: 350, currency: 'EUR' });
    expect(parsePrice('nemokamai')).toEqual({ free: true });
    expect(parsePrice('soon')).toBeUndefined();
    const mapping = { Nome: 'title:it', Lat: 'venue_lat', Da: 'start' };
    expect(columnForPointer('/title/it', mapping, 'it')).toBe('Nome');
    expect(columnForPointer('/venues/0/lat', mapping)).toBe('Lat');
    expect(columnForPointer('/startsAt', mapping)).toBe('Da');
  });
});

describe('iCalendar', () => {
  it('reads a Google Calendar export: VTIMEZONE, RRULE, EXDATE and RECURRENCE-ID overrides', () => {
    const result = parseICalendar(fixture('google-calendar.ics'), plymouth);
    expect(result.fatal).toEqual([]);
    const [series, moved, story] = result.rows;
    expect(series?.input).toMatchObject({
      externalUid: '3k9v1q2m8c7b6n5x4z3a2s1d0f@google.com',
      scheduleKind: 'recurring',
      startsAt: '2026-03-10T18:00:00.000Z',
      endsAt: '2026-03-10T19:30:00.000Z',
      rrule: 'FREQ=WEEKLY;COUNT=10;BYDAY=TU',
      venues: [{ name: 'Plymouth Central Library', street: '167-171 Armada Way, Plymouth PL1 1HZ, UK', lat: 50.3722 }],
      signupUrl: 'https://library.plymouth.example/code-club',
      tags: ['Coding', 'Digital skills'],
    });
    // EXDATE (BST), the moved session's original slot and the cancelled one.
    expect(series?.input?.exdates).toEqual([
      '2026-04-07T17:00:00.000Z',
      '2026-03-31T17:00:00.000Z',
      '2026-04-14T17:00:00.000Z',
    ]);
    expect(series?.input?.description?.en).toBe(
      '<p>Learn to code in Python with friendly volunteers. Bring a laptop if you have one; we have a few to lend.</p>\n<p>No experience needed.</p>',
    );
    expect(series?.warnings[0]).toMatch(/2026-03-24/);
    // The moved session is a one-off of its own, with the series' place.
    expect(moved?.input).toMatchObject({
      externalUid: '3k9v1q2m8c7b6n5x4z3a2s1d0f@google.com#20260331T170000Z',
      title: { en: 'Code Club for adults (late start)' },
      scheduleKind: 'once',
      startsAt: '2026-03-31T18:00:00.000Z',
      venues: [{ name: 'Plymouth Central Library' }],
    });
    expect(story?.input).toMatchObject({ startsAt: '2026-03-21T10:00:00.000Z' });
    expect(result.skipped).toEqual([
      { line: 91, externalUid: '0cancelled0000000000000000@google.com', reason: 'cancelled' },
    ]);
  });

  it('reads an Outlook export with Windows time-zone names and caps its endless rule', () => {
    const result = parseICalendar(fixture('outlook-exchange.ics'), plymouth);
    const [clinic, dropIn] = result.rows;
    expect(clinic?.input).toMatchObject({ startsAt: '2026-03-30T09:00:00.000Z', endsAt: '2026-03-30T11:00:00.000Z' });
    expect(clinic?.externalUid).toMatch(/^040000008200E00074C5B7101A82E008/);
    expect(dropIn?.input).toMatchObject({
      startsAt: '2026-04-01T13:00:00.000Z',
      rrule: 'FREQ=MONTHLY;BYDAY=1WE;UNTIL=20280401T130000Z',
      exdates: ['2026-05-06T13:00:00.000Z'],
    });
    expect(dropIn?.warnings[0]).toMatch(/never ends/);
  });

  it('reads a Meetup-like feed: venue in brackets, online events', () => {
    const result = parseICalendar(fixture('meetup-feed.ics'), vilnius);
    expect(result.rows[0]?.input).toMatchObject({
      title: { lt: 'Litavimo dirbtuvės pradedantiesiems' },
      startsAt: '2026-03-14T09:00:00.000Z',
      venues: [
        { name: 'Kūrybinės dirbtuvės', street: 'Gedimino pr. 9, Vilnius, Lithuania', lat: 54.6872, lon: 25.2797 },
      ],
    });
    expect(result.rows[1]?.input).toMatchObject({
      format: 'online',
      onlineUrl: 'https://www.meetup.example/vilnius-makers/events/305112299/',
    });
  });

  it('reads all-day and multi-day events in the city, and floating times in its zone', () => {
    const result = parseICalendar(fixture('festival-all-day.ics'), torino);
    const [festival, openDay, talk] = result.rows.map((r) => r.input);
    expect(festival).toMatchObject({
      allDay: true,
      startsAt: '2026-05-14T22:00:00.000Z',
      endsAt: '2026-05-17T22:00:00.000Z',
      title: { it: 'Festival della Scienza per ragazzi' },
      tags: ['scienza', 'famiglie', 'ragazzi'],
    });
    expect(openDay).toMatchObject({
      allDay: true,
      startsAt: '2026-05-19T22:00:00.000Z',
      endsAt: '2026-05-20T22:00:00.000Z',
    });
    expect(talk).toMatchObject({ allDay: false, startsAt: '2026-05-22T16:00:00.000Z', scheduleKind: 'recurring' });
    expect(result.warnings).toEqual(['times without a time zone are taken in Europe/Rome']);
  });

  it('reports broken events by line and broken files as fatal', () => {
    const result = parseICalendar(fixture('broken-events.ics'), plymouth);
    expect(result.rows.map((r) => [r.line, r.problems.map((p) => p.field)])).toEqual([
      [4, ['/startsAt']],
      [9, ['/title']],
      [15, ['/endsAt']],
      [22, []],
    ]);
    expect(parseICalendar(fixture('broken-no-events.ics'), plymouth).fatal[0]?.problem).toMatch(/no events/);
    expect(parseICalendar(fixture('broken-not-calendar.ics'), plymouth).fatal[0]?.problem).toMatch(/not an iCalendar/);
    expect(parseICalendar(fixture('broken-truncated.ics'), plymouth).fatal[0]?.problem).toMatch(/cannot be read/);
    expect(parseICalendar('', plymouth).fatal[0]?.problem).toMatch(/empty/);
  });
});

describe('iCalendar extra dates (RDATE)', () => {
  const vilniusInCity = { ...vilnius, slug: 'vilnius-test' };
  const sessionsOf = (input: ActivityInput | null | undefined) => {
    const { problems, write } = validateActivityInput(vilniusInCity, input as ActivityInput);
    expect(problems).toEqual([]);
    return write?.sessions.map((s) => s.startsAt.toISOString());
  };

  it('reads a Google Calendar export: TZID lists, UTC values, several RDATE lines, EXDATE and a moved extra date', () => {
    const result = parseICalendar(fixture('google-rdate.ics'), vilnius);
    expect(result.fatal).toEqual([]);
    const [club, openDay, moved, summer, periods] = result.rows;
    expect(club?.input).toMatchObject({
      scheduleKind: 'recurring',
      rrule: 'FREQ=WEEKLY;COUNT=4;BYDAY=WE',
      // After the clocks go forward (29 March) 17:00 in Vilnius is 14:00 UTC.
      rdates: ['2026-04-01T14:00:00.000Z', '2026-04-08T14:00:00.000Z', '2026-04-15T14:00:00.000Z'],
      exdates: ['2026-03-18T15:00:00.000Z', '2026-04-08T14:00:00.000Z'],
    });
    expect(club?.warnings).toEqual([]);
    // Four Wednesdays less the EXDATE, plus the extra dates less the one EXDATE removes.
    expect(sessionsOf(club?.input)).toEqual([
      '2026-03-04T15:00:00.000Z',
      '2026-03-11T15:00:00.000Z',
      '2026-03-25T15:00:00.000Z',
      '2026-04-01T14:00:00.000Z',
      '2026-04-15T14:00:00.000Z',
    ]);
    // RDATE without RRULE: a one-off whose session list holds every date; the moved one is a one-off of its own.
    expect(openDay?.input).toMatchObject({
      scheduleKind: 'once',
      rdates: ['2026-05-09T07:00:00.000Z', '2026-05-16T07:00:00.000Z'],
      exdates: ['2026-05-09T07:00:00.000Z'],
    });
    expect(sessionsOf(openDay?.input)).toEqual(['2026-05-02T07:00:00.000Z', '2026-05-16T07:00:00.000Z']);
    expect(moved?.input).toMatchObject({
      externalUid: '0p3nd4y5atv1r0sdur0s@google.com#20260509T070000Z',
      startsAt: '2026-05-10T08:00:00.000Z',
      rdates: [],
    });
    // All-day RDATE;VALUE=DATE values are days in the city, as long as the first.
    expect(summer?.input).toMatchObject({ allDay: true, scheduleKind: 'once' });
    const { write } = validateActivityInput(vilniusInCity, summer?.input as ActivityInput);
    expect(write?.sessions.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()])).toEqual([
      ['2026-05-31T21:00:00.000Z', '2026-06-01T21:00:00.000Z'],
      ['2026-06-07T21:00:00.000Z', '2026-06-08T21:00:00.000Z'],
      ['2026-06-14T21:00:00.000Z', '2026-06-15T21:00:00.000Z'],
    ]);
    // PERIOD values are refused with a warning on the event; the event itself imports.
    expect(periods?.problems).toEqual([]);
    expect(periods?.input?.rdates).toEqual([]);
    expect(periods?.warnings).toEqual([expect.stringMatching(/RDATE;VALUE=PERIOD.*not imported \(2\)/)]);
  });

  it('reads RDATE from an Outlook export with Windows time-zone names', () => {
    const [consultations] = parseICalendar(fixture('outlook-rdate.ics'), vilnius).rows;
    expect(consultations?.input).toMatchObject({
      scheduleKind: 'recurring',
      rrule: 'FREQ=MONTHLY;COUNT=3;BYMONTHDAY=1',
      // "FLE Standard Time" after the clocks go back: 18:00 is 16:00 UTC.
      rdates: ['2026-11-05T16:00:00.000Z', '2026-11-12T16:00:00.000Z', '2026-12-03T16:00:00.000Z'],
    });
    expect(sessionsOf(consultations?.input)).toEqual([
      '2026-10-01T15:00:00.000Z',
      '2026-11-01T16:00:00.000Z',
      '2026-11-05T16:00:00.000Z',
      '2026-11-12T16:00:00.000Z',
      '2026-12-01T16:00:00.000Z',
      '2026-12-03T16:00:00.000Z',
    ]);
  });

  it('keeps extra dates within the schedule limits', () => {
    const event = (lines: string[]) =>
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Test//RDATE//EN',
        'BEGIN:VEVENT',
        'UID:limits@test',
        'SUMMARY:Limits',
        'DTSTART:20260301T100000Z',
        'DTEND:20260301T110000Z',
        'GEO:54.6872;25.2797',
        'LOCATION:Gedimino pr. 9',
        ...lines,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
    const far = parseICalendar(event(['RDATE:20290301T100000Z']), vilnius).rows[0]?.input as ActivityInput;
    expect(validateActivityInput(vilniusInCity, far).problems).toEqual([
      expect.objectContaining({ field: '/rdates', key: 'rdates_too_far', params: { years: 2 } }),
    ]);
    const many = Array.from({ length: MAX_SESSIONS }, (_, day) =>
      new Date(Date.UTC(2026, 2, 2 + day, 10)).toISOString().replace(/[-:]|\.\d{3}/g, ''),
    );
    const tooMany = parseICalendar(event([`RDATE:${many.join(',')}`]), vilnius).rows[0]?.input as ActivityInput;
    expect(tooMany.rdates).toHaveLength(MAX_SESSIONS);
    expect(validateActivityInput(vilniusInCity, tooMany).problems).toEqual([
      expect.objectContaining({ field: '/rdates', key: 'too_many_dates', params: { max: MAX_SESSIONS } }),
    ]);
    const fits = parseICalendar(event([`RDATE:${many.slice(1).join(',')}`]), vilnius).rows[0]?.input;
    expect(sessionsOf(fits)).toHaveLength(MAX_SESSIONS);
  });
});
