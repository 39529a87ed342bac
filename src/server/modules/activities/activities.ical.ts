import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import rrule from 'rrule';
import type { CityRecord } from '../cities/cities.repo.ts';
import { type ActivityInput, MAX_SCHEDULE_YEARS, MAX_SESSIONS, type VenueInput } from './activities.model.ts';
import {
  type AnyProblemKey,
  type ImportNote,
  type ImportProblemKey,
  importNote,
  type ProblemParams,
} from './activities.problems.ts';
import { instantOf as wallToInstant, type WallTime, wallTimeIn } from './time-zones.ts';

/**
 * iCalendar (RFC 5545) → `ActivityInput[]`, as real publishers write it: Google Calendar exports (embedded VTIMEZONE,
 * X-WR-TIMEZONE), Outlook/Exchange (Windows time-zone names such as "GMT Standard Time"), Meetup-like feeds (GEO,
 * URL, STATUS), all-day and multi-day events, RRULE/EXDATE and RECURRENCE-ID overrides. Pure: no database, no clock.
 *
 * Also the time helpers the CSV importer shares (`localToUtc`, `boundRecurrence`, `textToHtml`) and the row shape
 * both importers return (`ImportRow`).
 *
 * How exceptions are treated (documented choice):
 * - EXDATE values become `exdates`.
 * - RDATE values (DATE-TIME with or without TZID, UTC or floating, or DATE; comma-separated lists and several RDATE
 *   lines) become `rdates`: extra sessions as long as the event, beside DTSTART and the RRULE's, with EXDATE removing
 *   any of them. An event with RDATE but no RRULE stays a one-off whose session list holds every date. RDATE PERIOD
 *   values (a start and an end of their own) are not imported; the event gets a warning.
 * - A RECURRENCE-ID override with STATUS:CANCELLED removes that occurrence (it becomes an EXDATE of the series).
 * - An override that moves the occurrence (another DTSTART) removes the original occurrence and is imported as a
 *   one-off activity of its own, with the external UID `<UID>#<RECURRENCE-ID in UTC>`.
 * - An override that keeps the time but changes text is ignored (the series keeps its text), with a warning.
 * - An override whose series is not in the file is imported as a one-off with that same composite UID.
 * - A cancelled event (STATUS:CANCELLED without RECURRENCE-ID) is skipped; a feed sync then archives it because it is
 *   no longer among the feed's live events.
 *
 * Every problem, note and reason carries a stable key and params (`imports:problems.<key>`, see
 * `activities.problems.ts`) beside its English text, so pages say it in the reader's language.
 */

const { RRule } = rrule;

/** A problem with one CSV row or calendar event: the line it starts on and, for CSV, the column. */
export interface RowProblem {
  line: number;
  /** The CSV column header (CSV only). */
  column?: string;
  /** The ActivityInput field as a JSON pointer (`/startsAt`), when known. */
  field?: string;
  /** In English. */
  problem: string;
  /** The stable key: a reader's (`imports:problems.<key>`) or the catalogue's validation (`activities:problems.<key>`). */
  key: AnyProblemKey;
  params: ProblemParams;
}

/** A reader's problem with a row: its line, key and params (and the English text). */
export function rowProblem(
  line: number,
  field: string | undefined,
  key: ImportProblemKey,
  params: ProblemParams = {},
  column?: string,
): RowProblem {
  return {
    line,
    ...(column === undefined ? {} : { column }),
    ...(field === undefined ? {} : { field }),
    ...importNote(key, params),
  };
}

/** One CSV row or calendar event after parsing: an input ready for `importActivity`, or the problems that stop it. */
export interface ImportRow {
  line: number;
  externalUid: string | null;
  input: ActivityInput | null;
  problems: RowProblem[];
  /** Notes that do not stop the row (a rule that was given an end, a derived UID …). */
  warnings: ImportNote[];
}

/** A file that cannot be imported at all (not CSV/iCalendar, empty, no title column …). */
export type FatalProblem = ImportNote;

export interface ParsedImport {
  fatal: FatalProblem[];
  rows: ImportRow[];
  /** Events or rows left out on purpose (cancelled events), with the reason. */
  skipped: { line: number; externalUid: string | null; reason: ImportNote }[];
  /** File-level notes (e.g. the time zone assumed for floating times). */
  warnings: ImportNote[];
}

// ── Time zones ────────────────────────────────────────────────────────────────────────────────────────────────────

export type LocalDateTime = WallTime;

/** The instant a wall-clock time in a time zone denotes (gap times move forward, ambiguous ones take the earlier). */
export const localToUtc = (local: LocalDateTime, timeZone: string): Date => wallToInstant(local, timeZone);

/** The wall-clock fields of an instant in a time zone. */
export const zonedParts = (instant: Date, timeZone: string): LocalDateTime => wallTimeIn(instant, timeZone);

/** True when the runtime's time-zone database knows this IANA name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Windows (Outlook/Exchange) time-zone names → IANA, after CLDR's windowsZones table (territory 001). */
export const windowsTimeZones: Record<string, string> = {
  'Dateline Standard Time': 'Etc/GMT+12',
  'UTC-11': 'Etc/GMT+11',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Central Standard Time': 'America/Chicago',
  'Eastern Standard Time': 'America/New_York',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Buenos_Aires',
  UTC: 'Etc/UTC',
  'Coordinated Universal Time': 'Etc/UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'Romance Standard Time': 'Europe/Paris',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'Morocco Standard Time': 'Africa/Casablanca',
  'GTB Standard Time': 'Europe/Bucharest',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Helsinki',
  'Kaliningrad Standard Time': 'Europe/Kaliningrad',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Egypt Standard Time': 'Africa/Cairo',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Belarus Standard Time': 'Europe/Minsk',
  'Russian Standard Time': 'Europe/Moscow',
  'Arabian Standard Time': 'Asia/Dubai',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Kolkata',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
};

/**
 * An IANA name for a calendar's TZID: IANA names as they are, Windows names through the CLDR table, and prefixed
 * names (`/mozilla.org/20050126_1/Europe/London`, `/Europe/Rome`) by their IANA tail. Undefined when none fits.
 */
export function ianaTimeZone(tzid: string): string | undefined {
  const name = tzid.trim().replace(/^"|"$/g, '');
  if (/^(utc|gmt|z|etc\/utc)$/i.test(name)) return 'UTC';
  if (name.includes('/') && isKnownTimeZone(name) && !name.startsWith('/')) return name;
  const windows = windowsTimeZones[name];
  if (windows) return windows;
  const tail = /([A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2})$/.exec(name)?.[1];
  if (tail && isKnownTimeZone(tail)) return tail;
  return undefined;
}

// ── Recurrence ────────────────────────────────────────────────────────────────────────────────────────────────────

function basicUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Checks an RRULE body and makes sure it ends: a rule without COUNT or UNTIL gets UNTIL = start + MAX_SCHEDULE_YEARS,
 * or COUNT = MAX_SESSIONS when that window would hold more sessions. Returns the rule (without an `RRULE:` prefix),
 * a warning when it was capped, or a problem when it cannot be read.
 */
export function boundRecurrence(
  value: string,
  startsAt: Date,
): { rrule: string; warning?: ImportNote } | { problem: ImportNote } {
  const body = value
    .trim()
    .replace(/^RRULE:/i, '')
    .replace(/;+$/, '');
  if (body === '') return { problem: importNote('recurrence_empty') };
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(body);
  } catch {
    return { problem: importNote('recurrence_unreadable', { rule: body.slice(0, 200) }) };
  }
  if (options.freq === undefined || options.freq === null) {
    return { problem: importNote('recurrence_no_freq') };
  }
  if (/(^|;)DTSTART[=:]/i.test(body)) return { problem: importNote('recurrence_dtstart') };
  if (options.count || options.until) return { rrule: body };
  const cap = new Date(startsAt);
  cap.setUTCFullYear(cap.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  const occurrences = new RRule({ ...options, dtstart: startsAt, until: cap }).all((_, index) => index <= MAX_SESSIONS);
  if (occurrences.length > MAX_SESSIONS) {
    return {
      rrule: `${body};COUNT=${MAX_SESSIONS}`,
      warning: importNote('recurrence_capped_sessions', { max: MAX_SESSIONS }),
    };
  }
  return {
    rrule: `${body};UNTIL=${basicUtc(cap)}`,
    warning: importNote('recurrence_capped_years', {
      years: MAX_SCHEDULE_YEARS,
      until: cap.toISOString().slice(0, 10),
    }),
  };
}

// ── Text ──────────────────────────────────────────────────────────────────────────────────────────────────────────

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text → HTML paragraphs (blank lines split paragraphs; single line breaks become `<br>`). */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** A stable external id for a record that has none: a hash of what identifies it. */
export function derivedUid(prefix: string, ...parts: (string | null | undefined)[]): string {
  const digest = createHash('sha256')
    .update(parts.map((p) => (p ?? '').trim().toLowerCase()).join('\u001f'))
    .digest('hex');
  return `${prefix}:${digest.slice(0, 32)}`;
}

// ── iCalendar ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ICalOptions {
  /** The language of SUMMARY/DESCRIPTION without a LANGUAGE parameter; the city's default language when omitted. */
  language?: string;
  /** Where to place an event with a LOCATION but no GEO (usually the organisation's address); its name is replaced. */
  fallbackVenue?: VenueInput | null;
}

type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalComponent = InstanceType<typeof ICAL.Component>;

interface EventContext {
  city: CityRecord;
  /** The zone for floating times: the calendar's X-WR-TIMEZONE when known, else the city's. */
  floatingZone: string;
  /** File-level notes, each once (by its English text). */
  warnings: Map<string, ImportNote>;
}

/** Adds notes to a list, each once. */
function addNotes(list: ImportNote[], notes: ImportNote[]): void {
  for (const note of notes) if (!list.some((other) => other.problem === note.problem)) list.push(note);
}

/** A property whose value ical.js cannot read, or reads as a date that does not exist (month 13, 31 April …). */
class BadValue extends Error {
  constructor(
    readonly property: string,
    readonly isDate: boolean,
  ) {
    super(`bad ${property}`);
  }
}

const jcalTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?)?$/;

/** True for a jCal DATE or DATE-TIME string naming a real day and time (ical.js itself rolls 2026-13-40 over). */
function isRealTime(text: string): boolean {
  const match = jcalTime.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (match[4] === undefined) return true;
  // 60 seconds: a leap second, which RFC 5545 allows.
  return Number(match[4]) < 24 && Number(match[5]) < 60 && Number(match[6]) <= 60;
}

/** A property's values, checked: dates must be real days and times; anything ical.js cannot read is a BadValue. */
function checkedValues(property: IcalProperty): unknown[] {
  const name = property.name.toUpperCase();
  const isDate = ['date', 'date-time', 'period'].includes(property.type);
  if (isDate) {
    for (const raw of property.jCal.slice(3)) {
      for (const part of Array.isArray(raw) ? raw : [raw]) {
        // A PERIOD's end may be a duration (PT2H) instead of a date-time.
        if (typeof part === 'string' && !/^[+-]?P/.test(part) && !isRealTime(part)) throw new BadValue(name, true);
      }
    }
  }
  try {
    return property.getValues();
  } catch {
    throw new BadValue(name, isDate);
  }
}

/** The first value of a property (checked), or null when the component has none. */
function checkedFirstValue(component: IcalComponent, name: string): unknown {
  const property = component.getFirstProperty(name);
  return property ? (checkedValues(property)[0] ?? null) : null;
}

/** The instant of a DATE-TIME (or of local midnight for a DATE) in a property, resolving its TZID. */
function instantOf(time: IcalTime, property: IcalProperty | null, context: EventContext, notes: ImportNote[]): Date {
  const local: LocalDateTime = {
    year: time.year,
    month: time.month,
    day: time.day,
    hour: time.isDate ? 0 : time.hour,
    minute: time.isDate ? 0 : time.minute,
    second: time.isDate ? 0 : time.second,
  };
  // All-day dates are days in the city, whatever zone the publisher's calendar is in.
  if (time.isDate) return localToUtc(local, context.city.timeZone);
  const zoneName = time.zone?.tzid;
  if (zoneName === 'UTC' || zoneName === 'Z') {
    return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  }
  const tzid = property?.getParameter('tzid');
  const tzidText = Array.isArray(tzid) ? tzid[0] : tzid;
  if (typeof tzidText === 'string' && tzidText !== '') {
    const iana = ianaTimeZone(tzidText);
    if (iana) return localToUtc(local, iana);
    // Not a name the time-zone database knows: use the calendar's own VTIMEZONE definition when it has one.
    if (time.zone && time.zone.tzid !== 'floating' && time.zone.tzid === tzidText) {
      return new Date(time.toUnixTime() * 1000);
    }
    notes.push(importNote('ical_unknown_time_zone', { tzid: tzidText, zone: context.city.timeZone }));
    return localToUtc(local, context.city.timeZone);
  }
  return localToUtc(local, context.floatingZone);
}

/**
 * The RDATE values of an event as instants (DATE-TIME values with their TZID, UTC or floating; DATE values as the
 * city's local midnight), and how many PERIOD values were left out. Every RDATE line counts, and every value of a
 * comma-separated list.
 */
function extraDates(
  component: IcalComponent,
  context: EventContext,
  notes: ImportNote[],
): { dates: string[]; periods: number } {
  const dates: string[] = [];
  let periods = 0;
  for (const property of component.getAllProperties('rdate')) {
    for (const value of checkedValues(property)) {
      if (value && typeof value === 'object' && 'year' in value) {
        dates.push(instantOf(value as IcalTime, property, context, notes).toISOString());
      } else if (value && typeof value === 'object' && 'start' in value) {
        periods++;
      }
    }
  }
  return { dates, periods };
}

function textValue(component: IcalComponent, name: string): string {
  const value = component.getFirstPropertyValue(name);
  return typeof value === 'string' ? value.trim() : value == null ? '' : String(value).trim();
}

function languageOf(property: IcalProperty | null, city: CityRecord, fallback: string): string {
  const parameter = property?.getParameter('language');
  const tag = (Array.isArray(parameter) ? parameter[0] : parameter) ?? '';
  const primary = String(tag).toLowerCase().split('-')[0] ?? '';
  return city.languages.includes(primary) ? primary : fallback;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function propertyTimes(component: IcalComponent, name: string): { time: IcalTime; property: IcalProperty }[] {
  const result: { time: IcalTime; property: IcalProperty }[] = [];
  for (const property of component.getAllProperties(name)) {
    for (const value of checkedValues(property)) {
      if (value && typeof value === 'object' && 'year' in value) result.push({ time: value as IcalTime, property });
    }
  }
  return result;
}

/** Line numbers (1-based, as the publisher's file has them) of each top-level `BEGIN:VEVENT`, in order. */
function eventLines(text: string): number[] {
  const lines: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, index) => {
    if (/^BEGIN:VEVENT\s*$/i.test(line)) lines.push(index + 1);
  });
  return lines;
}

/** "Name, street, town" or Meetup's "Name (street, town)" → a venue's name and street. */
function splitLocation(location: string): { name: string; street: string } {
  const bracketed = /^(.+?)\s*\((.+)\)$/.exec(location);
  if (bracketed) return { name: (bracketed[1] as string).trim(), street: (bracketed[2] as string).trim() };
  const [name, ...rest] = location.split(',').map((part) => part.trim());
  return { name: name ?? '', street: rest.join(', ') };
}

const onlineLocation =
  /^(online|online event|virtual|zoom|teams|google meet|nuotoliu|internetu|in linea|online meeting)$/i;

/** An iCalendar file → one ImportRow per event (or the fatal problem that stops the whole file). */
export function parseICalendar(text: string, city: CityRecord, options: ICalOptions = {}): ParsedImport {
  const result: ParsedImport = { fatal: [], rows: [], skipped: [], warnings: [] };
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') {
    result.fatal.push(importNote('file_empty'));
    return result;
  }
  if (!/^\s*BEGIN:VCALENDAR/i.test(source)) {
    result.fatal.push(importNote('file_not_ical'));
    return result;
  }
  let root: IcalComponent;
  try {
    const parsed = ICAL.parse(source);
    root = new ICAL.Component(Array.isArray(parsed[0]) ? (parsed[0] as unknown[]) : (parsed as unknown[]));
  } catch (error) {
    result.fatal.push(unreadableCalendar(error));
    return result;
  }
  if (root.name !== 'vcalendar') {
    result.fatal.push(importNote('ical_no_vcalendar'));
    return result;
  }
  const events = root.getAllSubcomponents('vevent');
  if (events.length === 0) {
    result.fatal.push(importNote('ical_no_events'));
    return result;
  }
  const calendarZone = textValue(root, 'x-wr-timezone');
  const floatingZone =
    calendarZone && ianaTimeZone(calendarZone) ? (ianaTimeZone(calendarZone) as string) : city.timeZone;
  const context: EventContext = { city, floatingZone, warnings: new Map() };
  const language =
    options.language && city.languages.includes(options.language) ? options.language : city.defaultLanguage;
  const lines = eventLines(source);

  // Series first, so overrides (RECURRENCE-ID) can find theirs.
  const masters = new Map<string, ImportRow>();
  const overrides: { component: IcalComponent; line: number }[] = [];
  events.forEach((component, index) => {
    const line = lines[index] ?? 0;
    if (component.hasProperty('recurrence-id')) {
      overrides.push({ component, line });
      return;
    }
    const row = readEvent(component, line, () => eventToRow(component, line, context, language, options));
    if (row === 'cancelled') {
      result.skipped.push({
        line,
        externalUid: textValue(component, 'uid') || null,
        reason: importNote('ical_cancelled'),
      });
      return;
    }
    if (row.externalUid && masters.has(row.externalUid)) {
      row.problems.push(rowProblem(line, '/externalUid', 'ical_duplicate_uid', { uid: row.externalUid }));
    }
    if (row.externalUid) masters.set(row.externalUid, row);
    result.rows.push(row);
  });

  for (const { component, line } of overrides) {
    const uid = textValue(component, 'uid');
    const notes: ImportNote[] = [];
    let original: Date;
    let moved: boolean;
    try {
      const recurrence = propertyTimes(component, 'recurrence-id')[0];
      if (!recurrence) continue;
      original = instantOf(recurrence.time, recurrence.property, context, notes);
      const start = propertyTimes(component, 'dtstart')[0];
      moved = start ? instantOf(start.time, start.property, context, notes).getTime() !== original.getTime() : false;
    } catch (error) {
      // An override whose RECURRENCE-ID or DTSTART cannot be read is reported on its own line.
      const failed = readEvent(component, line, () => {
        throw error;
      });
      if (failed !== 'cancelled') result.rows.push(failed);
      continue;
    }
    const compositeUid = `${uid}#${basicUtc(original)}`;
    const master = masters.get(uid);
    const cancelled = textValue(component, 'status').toUpperCase() === 'CANCELLED';
    if (master?.input) {
      if (cancelled || moved) {
        const exdates = master.input.exdates ?? [];
        if (!exdates.includes(original.toISOString())) exdates.push(original.toISOString());
        master.input.exdates = exdates;
      }
      if (cancelled) continue;
      if (!moved) {
        master.warnings.push(importNote('ical_override_ignored', { when: original.toISOString() }));
        continue;
      }
    } else if (cancelled) {
      result.skipped.push({ line, externalUid: compositeUid, reason: importNote('ical_cancelled') });
      continue;
    }
    // A moved session (or one whose series is not in the file) becomes a one-off of its own.
    const row = readEvent(component, line, () =>
      eventToRow(component, line, context, language, options, master?.input ?? undefined),
    );
    if (row === 'cancelled') continue;
    row.externalUid = compositeUid;
    if (row.input) row.input.externalUid = compositeUid;
    result.rows.push(row);
  }
  result.rows.sort((a, b) => a.line - b.line);
  result.warnings.push(...context.warnings.values());
  return result;
}

/** Why ical.js could not read a calendar, as a keyed fatal problem (its own messages are English-only). */
function unreadableCalendar(error: unknown): ImportNote {
  const message = error instanceof Error ? error.message : '';
  if (/component began but did not end/i.test(message)) return importNote('ical_not_closed');
  // ical.js quotes the line last: `invalid line (…) "LINE"`, `Invalid parameters in 'LINE'`.
  const quoted = (open: string, close: string) => {
    const start = message.indexOf(open);
    const end = message.lastIndexOf(close);
    return start >= 0 && end >= start + open.length ? message.slice(start + open.length, end).slice(0, 120) : undefined;
  };
  const line = /^invalid line/i.test(message) ? quoted(') "', '"') : undefined;
  if (line !== undefined) return importNote('ical_line_invalid', { text: line });
  const parameters = /parameter/i.test(message) ? quoted(" '", "'") : undefined;
  if (parameters !== undefined) return importNote('ical_parameters_invalid', { text: parameters });
  return importNote('ical_unreadable');
}

/**
 * Reads one event: a value that cannot be read (a date that does not exist, a broken DURATION or RRULE) makes a row
 * with that problem, on the event's line, instead of failing the whole file; so does an event ical.js cannot handle.
 */
function readEvent(
  component: IcalComponent,
  line: number,
  read: () => ImportRow | 'cancelled',
): ImportRow | 'cancelled' {
  try {
    return read();
  } catch (error) {
    const uid = textValue(component, 'uid') || null;
    const problem =
      error instanceof BadValue
        ? rowProblem(line, fieldOfProperty(error.property), error.isDate ? 'ical_bad_date' : 'ical_bad_value', {
            property: error.property,
          })
        : rowProblem(line, undefined, 'ical_event_unreadable');
    return { line, externalUid: uid, input: null, problems: [problem], warnings: [] };
  }
}

/** The ActivityInput field a calendar property feeds, to place its problem. */
function fieldOfProperty(property: string): string | undefined {
  const fields: Record<string, string> = {
    DTSTART: '/startsAt',
    DTEND: '/endsAt',
    DURATION: '/endsAt',
    'RECURRENCE-ID': '/startsAt',
    RRULE: '/rrule',
    EXDATE: '/exdates',
    RDATE: '/rdates',
  };
  return fields[property];
}

function eventToRow(
  component: IcalComponent,
  line: number,
  context: EventContext,
  language: string,
  options: ICalOptions,
  /** For a RECURRENCE-ID override: its series, whose text, place and tags fill what the override leaves out. */
  series?: ActivityInput,
): ImportRow | 'cancelled' {
  const isOverride = series !== undefined || component.hasProperty('recurrence-id');
  const { city } = context;
  const problems: RowProblem[] = [];
  const warnings: ImportNote[] = [];
  const problem = (field: string, key: ImportProblemKey, params: ProblemParams = {}) =>
    problems.push(rowProblem(line, field, key, params));
  const status = textValue(component, 'status').toUpperCase();
  if (status === 'CANCELLED' && !isOverride) return 'cancelled';

  let uid = textValue(component, 'uid');
  const summary = textValue(component, 'summary');
  const startProperty = component.getFirstProperty('dtstart');
  const startTime = (startProperty ? checkedValues(startProperty)[0] : undefined) as IcalTime | null | undefined;
  if (!uid) {
    uid = derivedUid('ics', summary, startTime ? startTime.toString() : '');
    warnings.push(importNote('ical_no_uid'));
  }
  if (!summary && !series) problem('/title', 'ical_no_summary');
  const summaryLanguage = languageOf(component.getFirstProperty('summary'), city, language);
  const title = { ...series?.title, ...(summary ? { [summaryLanguage]: summary } : {}) };
  const descriptionText = textValue(component, 'description');
  const description = descriptionText
    ? { [languageOf(component.getFirstProperty('description'), city, language)]: textToHtml(descriptionText) }
    : { ...series?.description };

  const input: ActivityInput = {
    title,
    description,
    format: 'in_person',
    scheduleKind: 'once',
    externalUid: uid,
    // Always given, so a later import of an event whose RDATEs were removed removes their sessions too.
    rdates: [],
  };

  // Dates.
  const notes: ImportNote[] = [];
  if (!startTime || !startProperty) {
    problem('/startsAt', 'ical_no_dtstart');
  } else {
    if (
      !startTime.isDate &&
      (!startTime.zone || startTime.zone.tzid === 'floating') &&
      !startProperty.getParameter('tzid')
    ) {
      const note = importNote('ical_floating_times', { zone: context.floatingZone });
      context.warnings.set(note.problem, note);
    }
    const startsAt = instantOf(startTime, startProperty, context, notes);
    let endsAt: Date;
    const endProperty = component.getFirstProperty('dtend');
    const endTime = (endProperty ? checkedValues(endProperty)[0] : undefined) as IcalTime | null | undefined;
    const duration = checkedFirstValue(component, 'duration') as InstanceType<typeof ICAL.Duration> | null;
    if (endTime && endProperty) {
      endsAt = instantOf(endTime, endProperty, context, notes);
    } else if (duration && typeof duration === 'object' && 'toSeconds' in duration) {
      if (startTime.isDate) {
        const end = startTime.clone();
        end.addDuration(duration);
        endsAt = instantOf(end, startProperty, context, notes);
      } else {
        endsAt = new Date(startsAt.getTime() + duration.toSeconds() * 1000);
      }
    } else if (startTime.isDate) {
      const end = startTime.clone();
      end.day += 1;
      endsAt = instantOf(end, startProperty, context, notes);
    } else {
      endsAt = startsAt;
    }
    if (endsAt.getTime() < startsAt.getTime()) problem('/endsAt', 'ical_ends_before_start');
    input.startsAt = startsAt.toISOString();
    input.endsAt = endsAt.toISOString();
    input.allDay = startTime.isDate;

    const rule = checkedFirstValue(component, 'rrule');
    if (rule && !isOverride) {
      const bounded = boundRecurrence(String(rule), startsAt);
      if ('problem' in bounded) problems.push({ line, field: '/rrule', ...bounded.problem });
      else {
        input.scheduleKind = 'recurring';
        input.rrule = bounded.rrule;
        if (bounded.warning) warnings.push(bounded.warning);
      }
    }
    if (!isOverride) {
      const extra = extraDates(component, context, notes);
      const first = startsAt.toISOString();
      input.rdates = [...new Set(extra.dates.filter((date) => date !== first))].sort();
      if (extra.periods > 0) warnings.push(importNote('ical_rdate_periods', { periods: extra.periods }));
    }
    if (!isOverride && (input.rrule || (input.rdates?.length ?? 0) > 0)) {
      const exdates = propertyTimes(component, 'exdate').map(({ time, property }) =>
        instantOf(time, property, context, notes).toISOString(),
      );
      if (exdates.length > 0) input.exdates = [...new Set(exdates)];
    }
  }
  addNotes(warnings, notes);

  // Place.
  const location = textValue(component, 'location');
  const geo = component.getFirstPropertyValue('geo') as [number, number] | null;
  const url = textValue(component, 'url');
  const locationIsUrl = location !== '' && isHttpUrl(location);
  if (geo && Array.isArray(geo) && Number.isFinite(Number(geo[0])) && Number.isFinite(Number(geo[1]))) {
    input.venues = [{ ...splitLocation(location), lat: Number(geo[0]), lon: Number(geo[1]) }];
  } else if (locationIsUrl || onlineLocation.test(location)) {
    input.format = 'online';
    input.onlineUrl = locationIsUrl ? location : url && isHttpUrl(url) ? url : null;
  } else if (location === '' && series) {
    input.format = series.format;
    input.onlineUrl = series.onlineUrl ?? null;
    if (series.venues) input.venues = series.venues.map((venue) => ({ ...venue }));
  } else if (location !== '') {
    if (options.fallbackVenue) {
      input.venues = [{ ...options.fallbackVenue, ...splitLocation(location) }];
      warnings.push(importNote('ical_place_at_organisation'));
    } else {
      problem('/venues', 'ical_place_no_geo', { place: location });
    }
  } else if (options.fallbackVenue) {
    input.venues = [{ ...options.fallbackVenue }];
    warnings.push(importNote('ical_no_place_at_organisation'));
  } else {
    problem('/venues', 'ical_no_place');
  }

  if (url && isHttpUrl(url)) {
    input.signupMode = 'external';
    input.signupUrl = url;
  }
  const tags = component
    .getAllProperties('categories')
    .flatMap((property) => property.getValues())
    .map((value) => String(value).trim())
    .filter(Boolean);
  if (tags.length > 0) input.tags = [...new Set(tags)];
  else if (series?.tags?.length) input.tags = [...series.tags];
  if (series && !(url && isHttpUrl(url)) && series.signupMode === 'external') {
    input.signupMode = 'external';
    input.signupUrl = series.signupUrl ?? null;
  }

  return { line, externalUid: uid, input: problems.length > 0 ? null : input, problems, warnings };
}
