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
import { boundRecurrence, ianaTimeZone, localToUtc, type ParsedImport, parseICalendar } from './activities.ical.ts';
import { type ActivityInput, MAX_SESSIONS } from './activities.model.ts';
import { importProblemKeys, problemKeys, problemText } from './activities.problems.ts';
import { validateActivityInput } from './activities.validation.ts';
import { localeResources, supportedLanguages, translatorFor } from '../../../web/i18n.ts';

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
    expect('warning' in result && result.warning).toEqual({
      key: 'recurrence_capped_years',
      params: { years: 2, until: '2028-03-10' },
      problem: 'the recurrence never ends; it was limited to 2 years (until 2028-03-10)',
    });
  });
  it('caps a daily rule at the session limit', () => {
    expect(boundRecurrence('FREQ=DAILY', start)).toMatchObject({ rrule: `FREQ=DAILY;COUNT=${MAX_SESSIONS}` });
  });
  it('reports rules it cannot read', () => {
    expect(boundRecurrence('FREQ=WEEKLY;SOMETIMES=1', start)).toMatchObject({
      problem: { key: 'recurrence_unreadable', params: { rule: 'FREQ=WEEKLY;SOMETIMES=1' } },
    });
    expect(boundRecurrence('BYDAY=TU', start)).toEqual({
      problem: { key: 'recurrence_no_freq', params: {}, problem: 'the recurrence rule has no FREQ' },
    });
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
    expect(result.rows[0]?.warnings[0]?.problem).toMatch(/never ends/);
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
    expect(series?.warnings[0]).toMatchObject({
      key: 'ical_override_ignored',
      params: { when: expect.stringMatching(/^2026-03-24/) },
    });
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
      {
        line: 91,
        externalUid: '0cancelled0000000000000000@google.com',
        reason: { key: 'ical_cancelled', params: {}, problem: 'the event is cancelled' },
      },
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
    expect(dropIn?.warnings[0]?.problem).toMatch(/never ends/);
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
    expect(result.warnings).toEqual([
      {
        key: 'ical_floating_times',
        params: { zone: 'Europe/Rome' },
        problem: 'times without a time zone are taken in Europe/Rome',
      },
    ]);
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
    expect(periods?.warnings).toEqual([
      {
        key: 'ical_rdate_periods',
        params: { periods: 2 },
        problem: expect.stringMatching(/RDATE;VALUE=PERIOD.*not imported \(2\)/),
      },
    ]);
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

describe('the readers’ problems and notes carry keys', () => {
  const ics = (...lines: string[]) =>
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//Keys//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
  const event = (...lines: string[]) => ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];
  const csv = (text: string, city = plymouth, options = {}) => {
    const { table, fatal } = parseCsv(text);
    return fatal.length > 0
      ? { fatal, rows: [], skipped: [], warnings: [] }
      : rowsToInputs(table, suggestMapping(table.headers, city.languages), city, options);
  };
  const fallbackVenue = { name: 'Guildhall', lat: 50.37, lon: -4.14 };
  const skills = buildSkillIndex([
    { id: 'skill-1', code: '1.1', frameworkSlug: 'digcomp' },
    { id: 'skill-2', code: '1.1', frameworkSlug: 'entrecomp' },
  ]);

  /** Files that between them give every problem, note and reason the readers themselves can give. */
  const results: ParsedImport[] = [
    csv(''),
    csv('BEGIN:VCALENDAR\nEND:VCALENDAR'),
    csv('title,start\n"Open quote,2026-05-01\nNext,2026-05-02\n'),
    csv('title,start\n'),
    rowsToInputs(parseCsv('A,B\nx,y\n').table, { A: 'start', B: 'start', Nope: 'teleport' }, plymouth),
    csv(
      [
        'id,title,start,end,start time,end time,all day,rrule,exdates,lat,lon,format,ages,capacity,price,languages,accessibility,signup mode,skills',
        'A,,soon,later,25:00,9pm?,perhaps,,,north,,by pigeon,lots,many,cheap,klingon,teleport,sometimes,"1.1, zz.9"',
        'A,Second,2026-05-01,,,,no,,,,,,,,,,,,',
        'B,Third,2026-05-01 10:00,2026-05-01,,,,FREQ=DAILY,soon,,,,,,,,,,',
        'C,Fourth,,,,,,FREQ=DAILY,,,,,,,,,,,',
        'D,Fifth,2026-05-01 10:00,2026-05-01 09:00,,,,,,,,,,,,,,,',
        'E,Sixth,,2026-05-01 10:00,,,,,,,,,,,,,,,',
        'F,Seventh,2026-05-01 10:00,,,,,;,,,,,,,,,,,',
        'G,Eighth,2026-05-01 10:00,,,,,NOPE=1,,,,,,,,,,,',
        'H,Ninth,2026-05-01 10:00,,,,,INTERVAL=2,,,,,,,,,,,',
        'I,Tenth,2026-05-01 10:00,,,,,FREQ=DAILY;DTSTART=20260501T100000Z,,,,,,,,,,,',
        'J,Eleventh,2026-05-01 10:00,,,,,FREQ=WEEKLY,,,,,,,,,,,',
        'K,Twelfth,2026-05-01 10:00,,,,,,,,east,,,,,,,,',
      ].join('\n'),
      plymouth,
      { skills },
    ),
    csv('title,venue,start\nTalk,Town hall,2026-05-01 10:00\nTalk,Town hall,2026-05-02 10:00\n', plymouth, {
      fallbackVenue,
    }),
    csv('title,venue,start\nTalk,Town hall,2026-05-01 10:00\n'),
    parseICalendar('', plymouth),
    parseICalendar('Subject,Date\n', plymouth),
    parseICalendar(ics(...event('UID:a', 'SUMMARY:Cut').slice(0, 3)), plymouth),
    parseICalendar(ics('BEGIN:VEVENT', 'SUMMARY Talk', 'END:VEVENT'), plymouth),
    parseICalendar(ics('BEGIN:VEVENT', 'SUMMARY;LANGUAGE:Talk', 'END:VEVENT'), plymouth),
    parseICalendar('BEGIN:VCALENDAR\r\nEND:VTODO\r\n', plymouth),
    parseICalendar(ics(), plymouth),
    parseICalendar('BEGIN:VCALENDARX\r\nEND:VCALENDARX\r\n', plymouth),
    parseICalendar(
      ics(
        ...event('UID:same', 'DTSTART:20260501T100000Z', 'GEO:50.37;-4.14'),
        ...event('UID:same', 'SUMMARY:Twice', 'DTSTART:20260502T100000Z', 'DTEND:20260502T090000Z', 'LOCATION:Hall'),
        ...event('SUMMARY:No uid', 'DTSTART;TZID=Mars/Olympus:20260501T100000', 'LOCATION:Hall'),
        ...event('UID:bad-date', 'SUMMARY:Bad date', 'DTSTART:20261340T100000', 'GEO:50.37;-4.14'),
        ...event('UID:bad-duration', 'SUMMARY:Bad', 'DTSTART:20260501T100000Z', 'DURATION:PXYZ', 'GEO:50.37;-4.14'),
        ...event(
          'UID:series',
          'SUMMARY:Series',
          'DTSTART:20260501T100000',
          'RRULE:FREQ=WEEKLY',
          'RDATE;VALUE=PERIOD:20260601T100000Z/20260601T120000Z',
        ),
        ...event('UID:series', 'RECURRENCE-ID:20260508T100000', 'DTSTART:20260508T100000', 'SUMMARY:Same time'),
        ...event('UID:gone', 'SUMMARY:Gone', 'STATUS:CANCELLED', 'DTSTART:20260501T100000Z'),
      ),
      plymouth,
      { fallbackVenue },
    ),
    parseICalendar(
      ics(
        ...event('UID:nowhere', 'SUMMARY:Nowhere', 'DTSTART:20260501T100000Z'),
        ...event('UID:hall', 'SUMMARY:Hall', 'LOCATION:Hall'),
      ),
      plymouth,
    ),
  ];

  const notes = results.flatMap((result) => [
    ...result.fatal,
    ...result.warnings,
    ...result.skipped.map((skipped) => skipped.reason),
    ...result.rows.flatMap((row) => [...row.problems, ...row.warnings]),
  ]);

  it('gives each problem its key, its params and the English text the API and the CLI read', () => {
    const english = translatorFor('en');
    for (const note of notes) {
      expect(importProblemKeys as readonly string[], note.problem).toContain(note.key);
      expect(note.problem).toBe(english(`imports:problems.${note.key}`, note.params));
      for (const language of supportedLanguages) {
        const text = problemText(note, translatorFor(language));
        expect(text, `${language}:${note.key}`).not.toMatch(/\{\{|problems\./);
        if (language !== 'en') expect(text, `${language}:${note.key}`).not.toBe(note.problem);
      }
    }
    // Every key the readers can give turned up (the others are the import service's and the API's own, and the
    // readers' answers to library errors met nowhere else: any other refusal of csv-parse or ical.js).
    const serviceKeys = [
      'csv_unreadable',
      'ical_unreadable',
      'ical_event_unreadable',
      'file_binary',
      'file_too_large',
      'file_name_too_long',
      'file_missing',
      'too_many_rows',
      'mapping_ical',
      'activity_slug_taken',
      'organisation_not_approved',
      'row_refused',
      'recorded_problem',
      // The calendar feeds' own (feeds.service.ts; tested in imports.test.ts).
      ...importProblemKeys.filter((key) => key.startsWith('feed_')),
    ];
    const seen = new Set(notes.map((note) => note.key));
    expect(importProblemKeys.filter((key) => !seen.has(key) && !serviceKeys.includes(key))).toEqual([]);
  });

  it('has a message for every key in each language, and no key is also a validation key', () => {
    for (const language of supportedLanguages) {
      const messages = (localeResources[language].imports as { problems?: Record<string, string> }).problems ?? {};
      expect(Object.keys(messages).sort(), language).toEqual([...importProblemKeys].sort());
    }
    expect(importProblemKeys.filter((key) => (problemKeys as readonly string[]).includes(key))).toEqual([]);
  });

  it('names the line a quote opens on and never closes', () => {
    expect(parseCsv('title,notes\nA,fine\nB,"open\nstill open\n').fatal).toEqual([
      {
        key: 'csv_quote_not_closed',
        params: { line: 3 },
        problem: 'the file cannot be read as CSV: the quote opened on line 3 is never closed',
      },
    ]);
    expect(problemText(parseCsv('title\n"x\n').fatal[0] as never, translatorFor('lt'))).toBe(
      'failo negalima perskaityti kaip CSV: 2 eilutėje atidarytos kabutės niekur neuždarytos',
    );
  });

  it('reports a date that does not exist, or a value ical.js cannot read, on its event instead of failing', () => {
    const result = parseICalendar(
      ics(
        ...event('UID:one', 'SUMMARY:Good', 'DTSTART:20260501T100000Z', 'GEO:50.37;-4.14'),
        ...event('UID:two', 'SUMMARY:Month 13', 'DTSTART:20261301T100000Z', 'GEO:50.37;-4.14'),
        ...event('UID:three', 'SUMMARY:Dashes', 'DTSTART:2026-05-01', 'GEO:50.37;-4.14'),
        ...event('UID:four', 'SUMMARY:Until', 'DTSTART:20260501T100000Z', 'RRULE:FREQ=DAILY;UNTIL=soon'),
        ...event('UID:five', 'SUMMARY:Skip', 'DTSTART:20260501T100000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20260230'),
      ),
      plymouth,
    );
    expect(result.fatal).toEqual([]);
    expect(
      result.rows.map((row) => [row.line, row.input !== null, row.problems.map((p) => [p.key, p.field, p.params])]),
    ).toEqual([
      [4, true, []],
      [11, false, [['ical_bad_date', '/startsAt', { property: 'DTSTART' }]]],
      [18, false, [['ical_bad_date', '/startsAt', { property: 'DTSTART' }]]],
      [25, false, [['ical_bad_value', '/rrule', { property: 'RRULE' }]]],
      [32, false, [['ical_bad_date', '/exdates', { property: 'EXDATE' }]]],
    ]);
    expect(problemText(result.rows[1]?.problems[0] as never, translatorFor('it'))).toBe(
      "il campo DTSTART dell'evento non è una data o una data e ora reale",
    );
  });

  it('tells a calendar cut short, or a broken line, apart', () => {
    expect(parseICalendar(fixture('broken-truncated.ics'), plymouth).fatal.map((f) => f.key)).toEqual([
      'ical_not_closed',
    ]);
    expect(parseICalendar(ics('BEGIN:VEVENT', 'SUMMARY Talk', 'END:VEVENT'), plymouth).fatal).toEqual([
      {
        key: 'ical_line_invalid',
        params: { text: 'SUMMARY Talk' },
        problem: 'the calendar cannot be read: the line "SUMMARY Talk" is not of the form NAME:value',
      },
    ]);
  });
});
