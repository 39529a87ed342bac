import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { CityRecord } from '../cities/cities.repo.ts';
import { parseCsv, rowsToInputs, suggestMapping } from './activities.csv.ts';
import {
  activitiesToCsv,
  activitiesToICalendar,
  activitiesToJson,
  type ExportActivity,
  htmlToText,
} from './activities.export.ts';
import { parseICalendar } from './activities.ical.ts';
import type { ActivityInput } from './activities.model.ts';
import { validateActivityInput } from './activities.validation.ts';

const plymouth = {
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'plymouth',
  name: { en: 'Plymouth' },
  defaultLanguage: 'en',
  languages: ['en'],
  timeZone: 'Europe/London',
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
} satisfies CityRecord;

const club: ExportActivity = {
  id: '6f1c2d3e-0000-4000-8000-00000000000a',
  slug: 'code-club',
  status: 'published',
  title: { en: 'Code Club; for adults, "beginners"' },
  description: {
    en: '<p>Learn Python &amp; more.</p><p>Bring a laptop if you have one, we lend a few too — and a very long line that must be folded by the writer.</p>',
  },
  format: 'in_person',
  onlineUrl: null,
  scheduleKind: 'recurring',
  startsAt: new Date('2026-03-10T18:00:00Z'),
  endsAt: new Date('2026-03-10T19:30:00Z'),
  allDay: false,
  rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=10',
  exdates: [new Date('2026-04-07T17:00:00Z')],
  lastEndAt: new Date('2026-05-12T18:30:00Z'),
  ageMin: 16,
  ageMax: null,
  costKind: 'paid',
  priceCents: 250,
  currency: 'GBP',
  concessions: 'Free for students',
  languages: ['en', 'pl'],
  accessibility: ['step_free'],
  accessibilityNotes: '',
  capacity: 12,
  signupMode: 'external',
  signupUrl: 'https://library.example/code-club',
  tags: ['coding', 'digital skills'],
  externalUid: 'PCL-001',
  createdAt: new Date('2026-01-01T10:00:00Z'),
  updatedAt: new Date('2026-02-01T10:00:00Z'),
  publishedAt: new Date('2026-02-01T10:00:00Z'),
  organisation: { id: 'org', slug: 'library', name: 'Central Library' },
  venues: [
    {
      name: 'Central Library',
      street: '167 Armada Way',
      postcode: 'PL1 1HZ',
      locality: 'Plymouth',
      lat: 50.3722,
      lon: -4.1425,
    },
  ],
  skills: [{ skillId: 'skill-1', level: 3, code: '1.1', label: { en: 'Browsing' }, frameworkSlug: 'digcomp' }],
  sessions: [
    {
      id: 'session-1',
      startsAt: new Date('2026-03-10T18:00:00Z'),
      endsAt: new Date('2026-03-10T19:30:00Z'),
      allDay: false,
      cancelledAt: null,
    },
    {
      id: 'session-2',
      startsAt: new Date('2026-03-17T18:00:00Z'),
      endsAt: new Date('2026-03-17T19:30:00Z'),
      allDay: false,
      cancelledAt: new Date(),
    },
  ],
};

const festival: ExportActivity = {
  ...club,
  id: '6f1c2d3e-0000-4000-8000-00000000000b',
  slug: 'bushcraft',
  title: { en: 'Bushcraft weekend' },
  description: {},
  scheduleKind: 'once',
  startsAt: new Date('2026-04-17T23:00:00Z'),
  endsAt: new Date('2026-04-19T23:00:00Z'),
  allDay: true,
  rrule: null,
  exdates: [],
  costKind: 'free',
  priceCents: null,
  currency: null,
  externalUid: null,
  skills: [],
  sessions: undefined,
};

describe('export', () => {
  it('writes all-day sessions as local days when it knows the time zone', () => {
    const csv = activitiesToCsv([festival], 'en', { timeZone: 'Europe/London' });
    expect(csv).toContain(',2026-04-18,2026-04-19,yes,');
    const { table } = parseCsv(csv);
    const input = rowsToInputs(table, suggestMapping(table.headers, ['en']), plymouth).rows[0]?.input;
    expect(input).toMatchObject({
      allDay: true,
      startsAt: '2026-04-17T23:00:00.000Z',
      endsAt: '2026-04-19T23:00:00.000Z',
    });
  });

  it('writes CSV that the importer reads back to the same inputs', () => {
    const csv = activitiesToCsv([club, festival], 'en', { publicUrl: 'https://ls.example', citySlug: 'plymouth' });
    const { table, fatal } = parseCsv(csv);
    expect(fatal).toEqual([]);
    const mapping = suggestMapping(table.headers, ['en']);
    expect(mapping.page_url).toBe('');
    expect(mapping.organisation).toBe('');
    const result = rowsToInputs(table, mapping, plymouth, {
      skills: new Map([['digcomp:1.1', 'skill-1']]),
    });
    expect(result.rows.map((r) => r.problems)).toEqual([[], []]);
    expect(result.rows[0]?.input).toMatchObject({
      externalUid: 'PCL-001',
      title: club.title,
      description: club.description,
      startsAt: '2026-03-10T18:00:00.000Z',
      endsAt: '2026-03-10T19:30:00.000Z',
      rrule: club.rrule,
      exdates: ['2026-04-07T17:00:00.000Z'],
      venues: [{ ...club.venues[0] }],
      ageMin: 16,
      costKind: 'paid',
      priceCents: 250,
      currency: 'GBP',
      concessions: 'Free for students',
      languages: ['en', 'pl'],
      accessibility: ['step_free'],
      capacity: 12,
      signupMode: 'external',
      signupUrl: club.signupUrl,
      tags: club.tags,
      skills: [{ skillId: 'skill-1', level: 3 }],
    });
    expect(result.rows[1]?.input).toMatchObject({
      externalUid: festival.id,
      allDay: true,
      startsAt: '2026-04-17T23:00:00.000Z',
      endsAt: '2026-04-19T23:00:00.000Z',
      costKind: 'free',
    });
  });

  it('writes every venue (venue_2_*, venue_3_* …) and the importer reads them all back', () => {
    const venues = [
      {
        name: 'Central Library',
        street: '167 Armada Way',
        postcode: 'PL1 1HZ',
        locality: 'Plymouth',
        lat: 50.3722,
        lon: -4.1425,
      },
      {
        name: 'Devonport Guildhall',
        street: 'Ker Street',
        postcode: 'PL1 4EL',
        locality: 'Devonport',
        lat: 50.3686,
        lon: -4.1699,
      },
      {
        name: 'The Box',
        street: 'Tavistock Place',
        postcode: 'PL4 8AX',
        locality: 'Plymouth',
        lat: 50.3755,
        lon: -4.1393,
      },
    ];
    const touring: ExportActivity = {
      ...club,
      id: '6f1c2d3e-0000-4000-8000-00000000000c',
      externalUid: 'TOUR-1',
      venues,
    };
    const online: ExportActivity = {
      ...festival,
      id: '6f1c2d3e-0000-4000-8000-00000000000d',
      format: 'online',
      onlineUrl: 'https://meet.example/bushcraft',
      venues: [],
    };
    const csv = activitiesToCsv([club, touring, online], 'en', { timeZone: 'Europe/London' });
    const { table, fatal } = parseCsv(csv);
    expect(fatal).toEqual([]);
    // The primary venue keeps its columns; the others follow as numbered groups, up to the most any row has.
    expect(table.headers).toEqual(
      expect.arrayContaining(['venue_name', 'venue_lon', 'venue_2_name', 'venue_2_lon', 'venue_3_name', 'venue_3_lon']),
    );
    expect(table.headers).not.toContain('venue_4_name');
    expect(table.headers.indexOf('venue_2_name')).toBe(table.headers.indexOf('venue_lon') + 1);
    const mapping = suggestMapping(table.headers, ['en']);
    expect(mapping.venue_3_street).toBe('venue_3_street');
    const result = rowsToInputs(table, mapping, plymouth, { skills: new Map([['digcomp:1.1', 'skill-1']]) });
    expect(result.rows.map((r) => r.problems)).toEqual([[], [], []]);
    expect(result.rows[0]?.input?.venues).toEqual([{ ...club.venues[0] }]);
    expect(result.rows[1]?.input?.venues).toEqual(venues);
    expect(result.rows[2]?.input).toMatchObject({ format: 'online', onlineUrl: 'https://meet.example/bushcraft' });
    expect(result.rows[2]?.input?.venues).toBeUndefined();
    // A second export of what was read writes the same file.
    expect(activitiesToCsv([club, touring, online], 'en', { timeZone: 'Europe/London' })).toBe(csv);
  });

  it('writes the extra sessions of an activity (imported RDATEs) as RDATE, and reads them back', () => {
    const session = (id: string, start: string, cancelled = false) => ({
      id,
      startsAt: new Date(start),
      endsAt: new Date(new Date(start).getTime() + 90 * 60_000),
      allDay: false,
      cancelledAt: cancelled ? new Date() : null,
    });
    const withExtras: ExportActivity = {
      ...club,
      rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=2',
      exdates: [],
      sessions: [
        session('s1', '2026-03-10T18:00:00Z'),
        session('s2', '2026-03-17T18:00:00Z'),
        // Extra dates: one live (a Thursday, in BST), one cancelled (left out).
        session('s3', '2026-04-02T17:00:00Z'),
        session('s4', '2026-04-09T17:00:00Z', true),
      ],
    };
    const ics = activitiesToICalendar([withExtras], { language: 'en', timeZone: 'Europe/London', host: 'ls.example' });
    expect(ics).toContain('RDATE;TZID=Europe/London:20260402T180000');
    // A cancelled session is an exception, whether the rule or an extra date gave it.
    expect(ics).not.toContain('RDATE;TZID=Europe/London:20260409T180000');
    expect(ics).toContain('EXDATE;TZID=Europe/London:20260409T180000');
    const back = parseICalendar(ics, plymouth).rows[0]?.input;
    expect(back).toMatchObject({ rrule: 'FREQ=WEEKLY;COUNT=2;BYDAY=TU', rdates: ['2026-04-02T17:00:00.000Z'] });
    const { write } = validateActivityInput(plymouth, back as ActivityInput);
    expect(write?.sessions.map((s) => s.startsAt.toISOString())).toEqual([
      '2026-03-10T18:00:00.000Z',
      '2026-03-17T18:00:00.000Z',
      '2026-04-02T17:00:00.000Z',
    ]);
    // Without the sessions (a search export) there is nothing to tell extra dates from.
    expect(activitiesToICalendar([{ ...withExtras, sessions: undefined }], { language: 'en' })).not.toContain('RDATE');
  });

  it('writes iCalendar that calendar apps (and our importer) read back, with a VTIMEZONE for recurring events', () => {
    const ics = activitiesToICalendar([club, festival], {
      language: 'en',
      timeZone: 'Europe/London',
      publicUrl: 'https://ls.example',
      citySlug: 'plymouth',
      calendarName: 'Plymouth activities',
      now: new Date('2026-02-02T00:00:00Z'),
    });
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics).toContain('PRODID:-//Learnscape//Catalogue//EN');
    expect(ics).toContain(`UID:${club.id}@ls.example`);
    expect(ics).toContain('SUMMARY;LANGUAGE=en:Code Club\\; for adults\\, "beginners"');
    expect(ics).toContain('DTSTART;TZID=Europe/London:20260310T180000');
    expect(ics).toContain('EXDATE;TZID=Europe/London:20260407T180000');
    expect(ics).toContain('EXDATE;TZID=Europe/London:20260317T180000');
    expect(ics).toContain('DTSTART;VALUE=DATE:20260418');
    expect(ics).toContain('DTEND;VALUE=DATE:20260420');
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const parsed = new ICAL.Component(ICAL.parse(ics));
    expect(parsed.getAllSubcomponents('vevent')).toHaveLength(2);
    const back = parseICalendar(ics, plymouth);
    expect(back.fatal).toEqual([]);
    expect(back.rows[0]?.input).toMatchObject({
      startsAt: '2026-03-10T18:00:00.000Z',
      rrule: 'FREQ=WEEKLY;COUNT=10;BYDAY=TU',
      exdates: ['2026-04-07T17:00:00.000Z', '2026-03-17T18:00:00.000Z'],
      venues: [{ lat: 50.3722, lon: -4.1425 }],
    });
    expect(back.rows[1]?.input).toMatchObject({ allDay: true, startsAt: '2026-04-17T23:00:00.000Z' });
  });

  it('writes one event per live session on request', () => {
    const ics = activitiesToICalendar([club], { language: 'en', mode: 'sessions', host: 'ls.example' });
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain(`UID:${club.id}-session-1@ls.example`);
    expect(ics).not.toContain('RRULE');
  });

  it('writes JSON without internal fields', () => {
    const json = JSON.parse(activitiesToJson([club], { publicUrl: 'https://ls.example', citySlug: 'plymouth' }));
    expect(json.items[0]).toMatchObject({
      url: 'https://ls.example/c/plymouth/activities/code-club',
      schedule: { kind: 'recurring', startsAt: '2026-03-10T18:00:00.000Z', exdates: ['2026-04-07T17:00:00.000Z'] },
      cost: { kind: 'paid', priceCents: 250, currency: 'GBP' },
      skills: [{ code: '1.1', framework: 'digcomp', level: 3 }],
    });
    expect(json.items[0].sessions[1].cancelled).toBe(true);
    expect(json.items[0]).not.toHaveProperty('moderationNote');
  });

  it('turns description HTML into text', () => {
    expect(htmlToText('<p>One &amp; two</p><ul><li>a</li><li>b</li></ul><p>x<br>y</p>')).toBe(
      'One & two\n\n- a\n- b\n\nx\ny',
    );
  });
});
