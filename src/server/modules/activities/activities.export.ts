import { stringify } from 'csv-stringify/sync';
import ICAL from 'ical.js';
import { venueField, venueParts } from './activities.csv.ts';
import { zonedParts } from './activities.ical.ts';
import { extraSessionStarts } from './activities.validation.ts';
import { offsetAt as zoneOffset } from './time-zones.ts';

/**
 * Activities → CSV, iCalendar and JSON. Pure functions over activity details (what `getActivity` returns; any object
 * with these fields will do), for "export this search result", "add to calendar (.ics)" and organisers' downloads.
 *
 * - `activitiesToCsv(activities, language)`: the columns the CSV importer reads (`suggestMapping` maps every one of
 *   them back), so an export imported again round-trips — one row per activity, every venue (the primary in
 *   `venue_*`, the others in `venue_2_*`, `venue_3_*`, … as far as the activity with most venues needs).
 * - `activitiesToICalendar(activities, options)`: a VCALENDAR with one VEVENT per activity (RRULE/EXDATE, and RDATE
 *   for extra sessions when the sessions are given; times in the city's zone with a VTIMEZONE built from the
 *   runtime's time-zone data) or one per session; UIDs are stable (`<activityId>@<host>`,
 *   `<activityId>-<sessionId>@<host>` per session).
 * - `activitiesToJson(activities, options)`: a documented public representation (no moderation notes or versions).
 */

export interface ExportVenue {
  name: string;
  street: string;
  postcode: string;
  locality: string;
  district?: string | null;
  lat: number;
  lon: number;
}

export interface ExportSession {
  id: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  capacity?: number | null;
  confirmedCount?: number;
  cancelledAt: Date | null;
}

/** The fields of `ActivityDetails` the exporters read. */
export interface ExportActivity {
  id: string;
  slug: string;
  status: string;
  title: Record<string, string>;
  description: Record<string, string>;
  format: string;
  onlineUrl: string | null;
  scheduleKind: string;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  rrule: string | null;
  exdates: Date[];
  nextStartAt?: Date | null;
  lastEndAt?: Date | null;
  ageMin: number | null;
  ageMax: number | null;
  costKind: string;
  priceCents: number | null;
  currency: string | null;
  concessions: string;
  languages: string[];
  accessibility: string[];
  accessibilityNotes: string;
  capacity: number | null;
  signupMode: string;
  signupUrl: string | null;
  tags: string[];
  externalUid: string | null;
  source?: string;
  createdAt: Date;
  updatedAt: Date;
  publishedAt?: Date | null;
  organisation: { id: string; slug: string; name: string };
  venues: ExportVenue[];
  skills: {
    skillId: string;
    level: number | null;
    code: string;
    label: Record<string, string>;
    frameworkSlug: string;
  }[];
  images?: { id: string; alt: Record<string, string>; url: string; width?: number; height?: number }[];
  /** The dated sessions, for per-session calendars and JSON. */
  sessions?: ExportSession[];
}

export interface ExportLinks {
  /** The site's public URL (`https://learnscape.example`), for page links. */
  publicUrl?: string;
  citySlug?: string;
  /** The city's time zone: CSV writes all-day dates as local days (`2026-04-18`) in it. */
  timeZone?: string;
}

function pick(text: Record<string, string>, language: string): string {
  return text[language] ?? Object.values(text).find((value) => value.trim() !== '') ?? '';
}

function pageUrl(activity: ExportActivity, links: ExportLinks): string {
  return links.publicUrl && links.citySlug ? `${links.publicUrl}/c/${links.citySlug}/activities/${activity.slug}` : '';
}

const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();

/** Sanitised description HTML → plain text (paragraphs and line breaks kept, entities decoded). */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|ul|ol|blockquote)>/gi, '\n\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<\/li>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ── CSV ───────────────────────────────────────────────────────────────────────────────────────────────────────────

/** Languages with text in any of the activities, `language` first. */
function textLanguages(activities: ExportActivity[], language: string): string[] {
  const languages = new Set<string>([language]);
  for (const activity of activities) {
    for (const key of [...Object.keys(activity.title), ...Object.keys(activity.description)]) languages.add(key);
  }
  return [...languages];
}

function localDay(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Start and end cells: instants in ISO 8601, or for all-day sessions the first and last local day. */
function csvDates(activity: ExportActivity, timeZone: string | undefined): [string, string] {
  if (activity.allDay && timeZone && activity.startsAt && activity.endsAt) {
    const lastDay = new Date(new Date(activity.endsAt).getTime() - 1);
    return [localDay(new Date(activity.startsAt), timeZone), localDay(lastDay, timeZone)];
  }
  return [iso(activity.startsAt) ?? '', iso(activity.endsAt) ?? ''];
}

/**
 * Activities → CSV text (UTF-8 with a header row, `,` separated, RFC 4180 quoting). Columns are the importer's:
 * `external_id` (the external UID, or the activity id), `title_<lang>`/`description_<lang>` for every language with
 * text (`language` first), dates in ISO 8601 UTC, the venues (`venue_name` … `venue_lon` for the primary one, then
 * `venue_2_name` … `venue_2_lon` and so on up to the most venues any activity has; cells of venues an activity does
 * not have are empty), prices in units (`5.50`), lists joined by `, `, skills as `framework:code@level`. Three
 * information columns (`organisation`, `status`, `page_url`) are ignored on import.
 */
export function activitiesToCsv(activities: ExportActivity[], language: string, links: ExportLinks = {}): string {
  const languages = textLanguages(activities, language);
  const venueCount = Math.max(1, ...activities.map((a) => a.venues.length));
  const venueNumbers = Array.from({ length: venueCount }, (_, index) => index + 1);
  const header = [
    'external_id',
    ...languages.map((l) => `title_${l}`),
    ...languages.map((l) => `description_${l}`),
    'format',
    'online_url',
    'start',
    'end',
    'all_day',
    'rrule',
    'exdates',
    ...venueNumbers.flatMap((n) => venueParts.map((part) => venueField(n, part))),
    'age_min',
    'age_max',
    'price',
    'currency',
    'concessions',
    'languages',
    'accessibility',
    'accessibility_notes',
    'capacity',
    'signup_mode',
    'signup_url',
    'tags',
    'skills',
    'organisation',
    'status',
    'page_url',
  ];
  const rows = activities.map((a) => {
    const venueCells = venueNumbers.flatMap((n) => {
      const venue = a.venues[n - 1];
      return venue
        ? [venue.name, venue.street, venue.postcode, venue.locality, String(venue.lat), String(venue.lon)]
        : ['', '', '', '', '', ''];
    });
    return [
      a.externalUid ?? a.id,
      ...languages.map((l) => a.title[l] ?? ''),
      ...languages.map((l) => a.description[l] ?? ''),
      a.format,
      a.onlineUrl ?? '',
      ...csvDates(a, links.timeZone),
      a.scheduleKind === 'on_demand' ? '' : a.allDay ? 'yes' : 'no',
      a.rrule ?? '',
      a.exdates.map((d) => iso(d)).join(', '),
      ...venueCells,
      a.ageMin ?? '',
      a.ageMax ?? '',
      a.costKind === 'paid' && a.priceCents !== null ? (a.priceCents / 100).toFixed(2) : 'free',
      a.costKind === 'paid' ? (a.currency ?? '') : '',
      a.concessions,
      a.languages.join(', '),
      a.accessibility.join(', '),
      a.accessibilityNotes,
      a.capacity ?? '',
      a.signupMode,
      a.signupUrl ?? '',
      a.tags.join(', '),
      a.skills.map((s) => `${s.frameworkSlug}:${s.code}${s.level ? `@${s.level}` : ''}`).join(', '),
      a.organisation.name,
      a.status,
      pageUrl(a, links),
    ].map((cell) => String(cell));
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n' });
}

// ── iCalendar ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ICalendarOptions extends ExportLinks {
  /** The host in UIDs (`<activityId>@<host>`); the public URL's host when omitted. */
  host?: string;
  /** Language of SUMMARY and DESCRIPTION (falls back to any language with text). */
  language: string;
  /** The city's time zone: recurring events are written in it (with a VTIMEZONE) so they keep their local time. */
  timeZone?: string;
  /** `series` (default): one VEVENT per activity with RRULE/EXDATE; `sessions`: one VEVENT per session. */
  mode?: 'series' | 'sessions';
  /** X-WR-CALNAME, shown by calendar apps as the calendar's name. */
  calendarName?: string;
  /** PRODID; `-//Learnscape//Catalogue//EN` by default. */
  prodId?: string;
  /** DTSTAMP; the moment of the export (defaults to now). */
  now?: Date;
}

type IcalComponent = InstanceType<typeof ICAL.Component>;

function utcTime(date: Date) {
  return ICAL.Time.fromJSDate(new Date(date), true);
}

function localTime(date: Date, timeZone: string) {
  const p = zonedParts(new Date(date), timeZone);
  return ICAL.Time.fromData({
    year: p.year,
    month: p.month,
    day: p.day,
    hour: p.hour,
    minute: p.minute,
    second: p.second,
    isDate: false,
  });
}

function dateValue(date: Date, timeZone: string) {
  const p = zonedParts(new Date(date), timeZone);
  return ICAL.Time.fromData({ year: p.year, month: p.month, day: p.day, isDate: true });
}

function setTime(
  event: IcalComponent,
  name: string,
  date: Date,
  kind: { allDay: boolean; zone: string | null; fallbackZone: string },
) {
  if (kind.allDay) {
    const property = event.addPropertyWithValue(name, dateValue(date, kind.zone ?? kind.fallbackZone));
    property.resetType('date');
    property.setValue(dateValue(date, kind.zone ?? kind.fallbackZone));
    return;
  }
  if (kind.zone) {
    const property = event.addPropertyWithValue(name, localTime(date, kind.zone));
    property.setParameter('tzid', kind.zone);
    return;
  }
  event.addPropertyWithValue(name, utcTime(date));
}

function offsetAt(instant: number, timeZone: string): number {
  return zoneOffset(new Date(instant), timeZone);
}

/**
 * A VTIMEZONE for an IANA zone covering the given years, from the runtime's time-zone data: one STANDARD/DAYLIGHT
 * block per transition (found day by day, then to the minute), so calendar apps place local times exactly as here.
 */
export function buildVTimezone(timeZone: string, fromYear: number, toYear: number): IcalComponent {
  const zone = new ICAL.Component('vtimezone');
  zone.addPropertyWithValue('tzid', timeZone);
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  const day = 86_400_000;
  const transitions: { at: number; from: number; to: number }[] = [];
  let previous = offsetAt(start, timeZone);
  for (let t = start + day; t <= end; t += day) {
    const current = offsetAt(t, timeZone);
    if (current === previous) continue;
    let low = t - day;
    let high = t;
    while (high - low > 60_000) {
      const mid = low + Math.floor((high - low) / 2);
      if (offsetAt(mid, timeZone) === previous) low = mid;
      else high = mid;
    }
    transitions.push({ at: high, from: previous, to: current });
    previous = current;
  }
  const standardOffset = Math.min(offsetAt(start, timeZone), ...transitions.map((t) => t.to));
  const block = (name: 'standard' | 'daylight', at: number, from: number, to: number) => {
    const component = new ICAL.Component(name);
    const wall = new Date(at + from);
    component.addPropertyWithValue(
      'dtstart',
      ICAL.Time.fromData({
        year: wall.getUTCFullYear(),
        month: wall.getUTCMonth() + 1,
        day: wall.getUTCDate(),
        hour: wall.getUTCHours(),
        minute: wall.getUTCMinutes(),
        second: 0,
        isDate: false,
      }),
    );
    component.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(from / 1000));
    component.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(to / 1000));
    zone.addSubcomponent(component);
  };
  if (transitions.length === 0) {
    const offset = offsetAt(start, timeZone);
    block('standard', Date.UTC(1970, 0, 1) - offset, offset, offset);
  } else {
    const first = transitions[0] as { at: number; from: number };
    // The offset in force before the first transition, as a block of its own.
    block(first.from > standardOffset ? 'daylight' : 'standard', start - first.from, first.from, first.from);
    for (const t of transitions) block(t.to > standardOffset ? 'daylight' : 'standard', t.at, t.from, t.to);
  }
  return zone;
}

function baseEvent(
  activity: ExportActivity,
  uid: string,
  options: ICalendarOptions,
  now: Date,
  sequence: number,
): IcalComponent {
  const event = new ICAL.Component('vevent');
  event.addPropertyWithValue('uid', uid);
  event.addPropertyWithValue('dtstamp', utcTime(now));
  event.addPropertyWithValue('created', utcTime(activity.createdAt));
  event.addPropertyWithValue('last-modified', utcTime(activity.updatedAt));
  event.addPropertyWithValue('sequence', sequence);
  const summary = event.addPropertyWithValue('summary', pick(activity.title, options.language));
  const summaryLanguage = activity.title[options.language] ? options.language : Object.keys(activity.title)[0];
  if (summaryLanguage) summary.setParameter('language', summaryLanguage);
  const description = htmlToText(pick(activity.description, options.language));
  const url = pageUrl(activity, options);
  const text = [description, url].filter(Boolean).join('\n\n');
  if (text) event.addPropertyWithValue('description', text);
  const venue = activity.venues[0];
  if (venue) {
    const location = [venue.name, venue.street, venue.postcode, venue.locality].filter(Boolean).join(', ');
    if (location) event.addPropertyWithValue('location', location);
    event.addPropertyWithValue('geo', [venue.lat, venue.lon]);
  } else if (activity.onlineUrl) {
    event.addPropertyWithValue('location', activity.onlineUrl);
  }
  if (url) event.addPropertyWithValue('url', url);
  else if (activity.signupUrl) event.addPropertyWithValue('url', activity.signupUrl);
  if (activity.tags.length > 0) {
    const categories = new ICAL.Property('categories', event);
    categories.setValues(activity.tags);
    event.addProperty(categories);
  }
  event.addPropertyWithValue('status', activity.status === 'archived' ? 'CANCELLED' : 'CONFIRMED');
  event.addPropertyWithValue('transp', 'OPAQUE');
  const organiser = new ICAL.Property('x-learnscape-organisation', event);
  organiser.setValue(activity.organisation.name);
  event.addProperty(organiser);
  return event;
}

/**
 * Activities → an iCalendar document (text/calendar; CRLF lines folded at 75 octets; text escaped by ical.js).
 * On-demand activities have no dates and are left out.
 */
export function activitiesToICalendar(activities: ExportActivity[], options: ICalendarOptions): string {
  const now = options.now ?? new Date();
  const host = options.host ?? (options.publicUrl ? new URL(options.publicUrl).host : 'learnscape.invalid');
  const mode = options.mode ?? 'series';
  const zone = options.timeZone ?? null;
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', options.prodId ?? '-//Learnscape//Catalogue//EN');
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  calendar.addPropertyWithValue('method', 'PUBLISH');
  if (options.calendarName) calendar.addPropertyWithValue('x-wr-calname', options.calendarName);
  if (zone) calendar.addPropertyWithValue('x-wr-timezone', zone);

  const events: IcalComponent[] = [];
  const years: number[] = [];
  let needsZone = false;
  for (const activity of activities) {
    const sequence = Math.max(0, ((activity as { version?: number }).version ?? 1) - 1);
    if (mode === 'sessions' && activity.sessions) {
      for (const session of activity.sessions) {
        if (session.cancelledAt) continue;
        const event = baseEvent(activity, `${activity.id}-${session.id}@${host}`, options, now, sequence);
        const kind = { allDay: session.allDay, zone: null, fallbackZone: zone ?? 'UTC' };
        setTime(event, 'dtstart', session.startsAt, kind);
        setTime(event, 'dtend', session.endsAt, kind);
        events.push(event);
      }
      continue;
    }
    if (!activity.startsAt || !activity.endsAt) continue;
    const event = baseEvent(activity, `${activity.id}@${host}`, options, now, sequence);
    // Recurring events keep their local time across daylight-saving changes only when written in the city's zone.
    const eventZone = activity.rrule && zone && zone !== 'UTC' ? zone : null;
    const kind = { allDay: activity.allDay, zone: eventZone, fallbackZone: zone ?? 'UTC' };
    setTime(event, 'dtstart', activity.startsAt, kind);
    setTime(event, 'dtend', activity.endsAt, kind);
    if (activity.rrule) {
      let rule = activity.rrule.replace(/^RRULE:/i, '');
      if (activity.allDay) {
        // With a DATE start, UNTIL must be a DATE too.
        rule = rule.replace(/UNTIL=(\d{8})T\d{6}Z?/i, (_, date: string) => `UNTIL=${date}`);
      }
      event.addPropertyWithValue('rrule', ICAL.Recur.fromString(rule));
      const excluded = [
        ...activity.exdates.map((d) => new Date(d)),
        ...(activity.sessions ?? []).filter((s) => s.cancelledAt).map((s) => new Date(s.startsAt)),
      ];
      const seen = new Set<number>();
      for (const date of excluded) {
        if (seen.has(date.getTime())) continue;
        seen.add(date.getTime());
        setTime(event, 'exdate', date, kind);
      }
    }
    // Extra sessions (imported RDATEs) live only in the session list: write the live ones the rule does not give.
    if (activity.sessions && zone) {
      const live = activity.sessions.filter((s) => !s.cancelledAt).map((s) => s.startsAt);
      for (const date of extraSessionStarts(activity, live, zone)) setTime(event, 'rdate', date, kind);
    }
    if (eventZone) {
      needsZone = true;
      years.push(
        new Date(activity.startsAt).getUTCFullYear(),
        new Date(activity.lastEndAt ?? activity.endsAt).getUTCFullYear(),
      );
    }
    events.push(event);
  }
  if (needsZone && zone) {
    calendar.addSubcomponent(buildVTimezone(zone, Math.min(...years) - 1, Math.max(...years) + 2));
  }
  for (const event of events) calendar.addSubcomponent(event);
  // ical.js folds after foldLength octets and then adds the leading space; RFC 5545 counts the space in its 75.
  const foldLength = ICAL.foldLength;
  ICAL.foldLength = 74;
  try {
    return `${calendar.toString().replace(/\r?\n/g, '\r\n')}\r\n`;
  } finally {
    ICAL.foldLength = foldLength;
  }
}

// ── JSON ──────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The public JSON form of an activity (dates ISO 8601 UTC, prices in cents), as the JSON export writes it. */
export function activityToJson(activity: ExportActivity, links: ExportLinks = {}) {
  return {
    id: activity.id,
    slug: activity.slug,
    url: pageUrl(activity, links) || null,
    status: activity.status,
    title: activity.title,
    description: activity.description,
    organisation: activity.organisation,
    format: activity.format,
    onlineUrl: activity.onlineUrl,
    schedule: {
      kind: activity.scheduleKind,
      startsAt: iso(activity.startsAt),
      endsAt: iso(activity.endsAt),
      allDay: activity.allDay,
      rrule: activity.rrule,
      exdates: activity.exdates.map((d) => iso(d) as string),
      nextStartAt: iso(activity.nextStartAt),
      lastEndAt: iso(activity.lastEndAt),
    },
    sessions: activity.sessions?.map((s) => ({
      id: s.id,
      startsAt: iso(s.startsAt) as string,
      endsAt: iso(s.endsAt) as string,
      allDay: s.allDay,
      capacity: s.capacity ?? null,
      placesTaken: s.confirmedCount ?? null,
      cancelled: s.cancelledAt !== null,
    })),
    venues: activity.venues.map((v) => ({
      name: v.name,
      street: v.street,
      postcode: v.postcode,
      locality: v.locality,
      district: v.district ?? null,
      lat: v.lat,
      lon: v.lon,
    })),
    ageMin: activity.ageMin,
    ageMax: activity.ageMax,
    cost: {
      kind: activity.costKind,
      priceCents: activity.priceCents,
      currency: activity.currency,
      concessions: activity.concessions,
    },
    languages: activity.languages,
    accessibility: activity.accessibility,
    accessibilityNotes: activity.accessibilityNotes,
    capacity: activity.capacity,
    signup: { mode: activity.signupMode, url: activity.signupUrl },
    tags: activity.tags,
    skills: activity.skills.map((s) => ({
      id: s.skillId,
      code: s.code,
      framework: s.frameworkSlug,
      level: s.level,
      label: s.label,
    })),
    images: (activity.images ?? []).map((i) => ({
      url: links.publicUrl && i.url.startsWith('/') ? `${links.publicUrl}${i.url}` : i.url,
      alt: i.alt,
    })),
    createdAt: iso(activity.createdAt),
    updatedAt: iso(activity.updatedAt),
    publishedAt: iso(activity.publishedAt),
  };
}

/** Activities → a JSON document `{ "items": [...] }` (pretty-printed). */
export function activitiesToJson(activities: ExportActivity[], links: ExportLinks = {}): string {
  return `${JSON.stringify({ items: activities.map((a) => activityToJson(a, links)) }, null, 2)}\n`;
}
