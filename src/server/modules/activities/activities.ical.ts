import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import rrule from 'rrule';
import type { CityRecord } from '../cities/cities.repo.ts';
import { type ActivityInput, MAX_SCHEDULE_YEARS, MAX_SESSIONS, type VenueInput } from './activities.model.ts';
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
 */

const { RRule } = rrule;

/** A problem with one CSV row or calendar event: the line it starts on and, for CSV, the column. */
export interface RowProblem {
  line: number;
  /** The CSV column header (CSV only). */
  column?: string;
  /** The ActivityInput field as a JSON pointer (`/startsAt`), when known. */
  field?: string;
  problem: string;
  /** For the catalogue's validation problems: the stable key (`activities:problems.<key>`) and its params. */
  key?: string;
  params?: Record<string, string | number>;
}

/** One CSV row or calendar event after parsing: an input ready for `importActivity`, or the problems that stop it. */
export interface ImportRow {
  line: number;
  externalUid: string | null;
  input: ActivityInput | null;
  problems: RowProblem[];
  warnings: string[];
}

/** A file that cannot be imported at all (not CSV/iCalendar, empty, no title column …). */
export interface FatalProblem {
  problem: string;
}

export interface ParsedImport {
  fatal: FatalProblem[];
  rows: ImportRow[];
  /** Events or rows left out on purpose (cancelled events), with the reason. */
  skipped: { line: number; externalUid: string | null; reason: string }[];
  /** File-level notes (e.g. the time zone assumed for floating times). */
  warnings: string[];
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
): { rrule: string; warning?: string } | { problem: string } {
  const body = value
    .trim()
    .replace(/^RRULE:/i, '')
    .replace(/;+$/, '');
  if (body === '') return { problem: 'the recurrence rule is empty' };
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(body);
  } catch (error) {
    return { problem: `the recurrence rule cannot be read (${(error as Error).message})` };
  }
  if (options.freq === undefined || options.freq === null) {
    return { problem: 'the recurrence rule has no FREQ' };
  }
  if (/(^|;)DTSTART[=:]/i.test(body)) return { problem: 'put the first date in the start column, not in the rule' };
  if (options.count || options.until) return { rrule: body };
  const cap = new Date(startsAt);
  cap.setUTCFullYear(cap.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  const occurrences = new RRule({ ...options, dtstart: startsAt, until: cap }).all((_, index) => index <= MAX_SESSIONS);
  if (occurrences.length > MAX_SESSIONS) {
    return {
      rrule: `${body};COUNT=${MAX_SESSIONS}`,
      warning: `the recurrence never ends; it was limited to ${MAX_SESSIONS} sessions`,
    };
  }
  return {
    rrule: `${body};UNTIL=${basicUtc(cap)}`,
    warning: `the recurrence never ends; it was limited to ${MAX_SCHEDULE_YEARS} years (until ${cap.toISOString().slice(0, 10)})`,
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
  warnings: Set<string>;
}

/** The instant of a DATE-TIME (or of local midnight for a DATE) in a property, resolving its TZID. */
function instantOf(time: IcalTime, property: IcalProperty | null, context: EventContext, notes: string[]): Date {
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
    notes.push(`unknown time zone "${tzidText}"; times taken in ${context.city.timeZone}`);
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
  notes: string[],
): { dates: string[]; periods: number } {
  const dates: string[] = [];
  let periods = 0;
  for (const property of component.getAllProperties('rdate')) {
    for (const value of property.getValues()) {
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
    for (const value of property.getValues()) {
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
    result.fatal.push({ problem: 'the file is empty' });
    return result;
  }
  if (!/^\s*BEGIN:VCALENDAR/i.test(source)) {
    result.fatal.push({ problem: 'the file is not an iCalendar file (it does not start with BEGIN:VCALENDAR)' });
    return result;
  }
  let root: IcalComponent;
  try {
    const parsed = ICAL.parse(source);
    root = new ICAL.Component(Array.isArray(parsed[0]) ? (parsed[0] as unknown[]) : (parsed as unknown[]));
  } catch (error) {
    result.fatal.push({ problem: `the calendar cannot be read: ${(error as Error).message}` });
    return result;
  }
  if (root.name !== 'vcalendar') {
    result.fatal.push({ problem: 'the file has no VCALENDAR' });
    return result;
  }
  const events = root.getAllSubcomponents('vevent');
  if (events.length === 0) {
    result.fatal.push({ problem: 'the calendar has no events' });
    return result;
  }
  const calendarZone = textValue(root, 'x-wr-timezone');
  const floatingZone =
    calendarZone && ianaTimeZone(calendarZone) ? (ianaTimeZone(calendarZone) as string) : city.timeZone;
  const context: EventContext = { city, floatingZone, warnings: new Set() };
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
    const row = eventToRow(component, line, context, language, options);
    if (row === 'cancelled') {
      result.skipped.push({ line, externalUid: textValue(component, 'uid') || null, reason: 'cancelled' });
      return;
    }
    if (row.externalUid && masters.has(row.externalUid)) {
      row.problems.push({
        line,
        field: '/externalUid',
        problem: `another event in the file has the UID ${row.externalUid}`,
      });
    }
    if (row.externalUid) masters.set(row.externalUid, row);
    result.rows.push(row);
  });

  for (const { component, line } of overrides) {
    const uid = textValue(component, 'uid');
    const recurrence = propertyTimes(component, 'recurrence-id')[0];
    if (!recurrence) continue;
    const notes: string[] = [];
    const original = instantOf(recurrence.time, recurrence.property, context, notes);
    const compositeUid = `${uid}#${basicUtc(original)}`;
    const master = masters.get(uid);
    const cancelled = textValue(component, 'status').toUpperCase() === 'CANCELLED';
    const start = propertyTimes(component, 'dtstart')[0];
    const moved = start
      ? instantOf(start.time, start.property, context, notes).getTime() !== original.getTime()
      : false;
    if (master?.input) {
      if (cancelled || moved) {
        const exdates = master.input.exdates ?? [];
        if (!exdates.includes(original.toISOString())) exdates.push(original.toISOString());
        master.input.exdates = exdates;
      }
      if (cancelled) continue;
      if (!moved) {
        master.warnings.push(
          `changes to the session of ${original.toISOString()} (other than its time) are not imported`,
        );
        continue;
      }
    } else if (cancelled) {
      result.skipped.push({ line, externalUid: compositeUid, reason: 'cancelled' });
      continue;
    }
    // A moved session (or one whose series is not in the file) becomes a one-off of its own.
    const row = eventToRow(component, line, context, language, options, master?.input ?? undefined);
    if (row === 'cancelled') continue;
    row.externalUid = compositeUid;
    if (row.input) row.input.externalUid = compositeUid;
    result.rows.push(row);
  }
  result.rows.sort((a, b) => a.line - b.line);
  result.warnings.push(...context.warnings);
  return result;
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
  const warnings: string[] = [];
  const problem = (field: string, text: string) => problems.push({ line, field, problem: text });
  const status = textValue(component, 'status').toUpperCase();
  if (status === 'CANCELLED' && !isOverride) return 'cancelled';

  let uid = textValue(component, 'uid');
  const summary = textValue(component, 'summary');
  const startProperty = component.getFirstProperty('dtstart');
  const startTime = startProperty?.getFirstValue() as IcalTime | null | undefined;
  if (!uid) {
    uid = derivedUid('ics', summary, startTime ? startTime.toString() : '');
    warnings.push('the event has no UID; one was derived from its title and start');
  }
  if (!summary && !series) problem('/title', 'the event has no SUMMARY (title)');
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
  const notes: string[] = [];
  if (!startTime || !startProperty) {
    problem('/startsAt', 'the event has no DTSTART (start)');
  } else {
    if (
      !startTime.isDate &&
      (!startTime.zone || startTime.zone.tzid === 'floating') &&
      !startProperty.getParameter('tzid')
    ) {
      context.warnings.add(`times without a time zone are taken in ${context.floatingZone}`);
    }
    const startsAt = instantOf(startTime, startProperty, context, notes);
    let endsAt: Date;
    const endProperty = component.getFirstProperty('dtend');
    const endTime = endProperty?.getFirstValue() as IcalTime | null | undefined;
    const duration = component.getFirstPropertyValue('duration') as InstanceType<typeof ICAL.Duration> | null;
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
    if (endsAt.getTime() < startsAt.getTime()) problem('/endsAt', 'the event ends before it starts');
    input.startsAt = startsAt.toISOString();
    input.endsAt = endsAt.toISOString();
    input.allDay = startTime.isDate;

    const rule = component.getFirstPropertyValue('rrule');
    if (rule && !isOverride) {
      const bounded = boundRecurrence(rule.toString(), startsAt);
      if ('problem' in bounded) problem('/rrule', bounded.problem);
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
      if (extra.periods > 0) {
        warnings.push(
          `extra dates given as periods (RDATE;VALUE=PERIOD) are not imported (${extra.periods}); give them as dates or date-times`,
        );
      }
    }
    if (!isOverride && (input.rrule || (input.rdates?.length ?? 0) > 0)) {
      const exdates = propertyTimes(component, 'exdate').map(({ time, property }) =>
        instantOf(time, property, context, notes).toISOString(),
      );
      if (exdates.length > 0) input.exdates = [...new Set(exdates)];
    }
  }
  warnings.push(...new Set(notes));

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
      warnings.push('the event has a place but no coordinates (GEO); it was put at the organisation’s address');
    } else {
      problem('/venues', `the place "${location}" has no coordinates (GEO)`);
    }
  } else if (options.fallbackVenue) {
    input.venues = [{ ...options.fallbackVenue }];
    warnings.push('the event has no place; it was put at the organisation’s address');
  } else {
    problem('/venues', 'the event has no place (LOCATION/GEO)');
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
