import rrulePackage from 'rrule';
import sanitizeHtml from 'sanitize-html';
import {
  type ActivityFormat,
  activityFormats,
  type CostKind,
  costKinds,
  type ScheduleKind,
  scheduleKinds,
  type SignupMode,
  signupModes,
} from '../../db/schema.ts';
import type { ErrorDetail } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { districtAt, pointInCity } from '../geo/geo.ts';
import {
  accessibilityFeatures,
  type ActivityInput,
  MAX_SCHEDULE_YEARS,
  MAX_SESSIONS,
  type VenueInput,
} from './activities.model.ts';
import { instantOf, wallTimeIn } from './time-zones.ts';

const { RRule } = rrulePackage;

/** HTML a description may keep: paragraphs, emphasis, lists, headings and links. Everything else is removed. */
export const allowedDescriptionTags = [
  'p',
  'br',
  'strong',
  'em',
  'b',
  'i',
  'u',
  'ul',
  'ol',
  'li',
  'h3',
  'h4',
  'blockquote',
  'a',
];

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: allowedDescriptionTags,
  allowedAttributes: { a: ['href', 'title'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer', target: '_blank' }),
  },
};
sanitizeOptions.allowedAttributes = { a: ['href', 'title', 'rel', 'target'] };

const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A description as safe HTML. Text without tags becomes paragraphs (blank lines) and line breaks, so plain text from
 * a CSV or an iCalendar DESCRIPTION reads as written; HTML is reduced to the allowed tags.
 */
export function sanitizeDescription(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const looksLikeHtml = /<\/?[a-z][\s\S]*?>/i.test(trimmed);
  const source = looksLikeHtml
    ? trimmed
    : trimmed
        .split(/\r?\n\s*\r?\n/)
        .map((paragraph) => `<p>${escapeText(paragraph.trim()).replace(/\r?\n/g, '<br>')}</p>`)
        .join('');
  return sanitizeHtml(source, sanitizeOptions).trim();
}

/** What the database stores for an activity, after validation: cleaned values and the dated sessions. */
export interface ActivityWrite {
  slug: string | null;
  title: Record<string, string>;
  description: Record<string, string>;
  format: ActivityFormat;
  onlineUrl: string | null;
  venues: CleanVenue[];
  scheduleKind: ScheduleKind;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  rrule: string | null;
  exdates: Date[];
  ageMin: number | null;
  ageMax: number | null;
  costKind: CostKind;
  priceCents: number | null;
  currency: string | null;
  concessions: string;
  languages: string[];
  accessibility: string[];
  accessibilityNotes: string;
  capacity: number | null;
  signupMode: SignupMode;
  signupUrl: string | null;
  tags: string[];
  skills: { skillId: string; level: number | null }[];
  externalUid: string | null;
  sessions: { startsAt: Date; endsAt: Date }[];
}

export interface CleanVenue {
  name: string;
  street: string;
  postcode: string;
  locality: string;
  district: string | null;
  lat: number;
  lon: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
const languagePattern = /^[a-z]{2,3}$/;
const currencyPattern = /^[A-Z]{3}$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function optionalInteger(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'number' && Number.isInteger(value) ? value : 'invalid';
}

function parseDate(value: string | null | undefined): Date | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}

function cleanVenue(city: CityRecord, venue: VenueInput, index: number, problems: ErrorDetail[]): CleanVenue | null {
  const field = `/venues/${index}`;
  const { lat, lon } = venue;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    problems.push({ field: `${field}/lat`, problem: 'Give the latitude and longitude in degrees.' });
    return null;
  }
  const inBounds =
    lat >= city.boundsSouth && lat <= city.boundsNorth && lon >= city.boundsWest && lon <= city.boundsEast;
  if (!inBounds || !pointInCity(city.slug, lon, lat, city)) {
    problems.push({
      field: `${field}/lat`,
      problem: `The place must lie inside the city (latitude ${city.boundsSouth}–${city.boundsNorth}, longitude ${city.boundsWest}–${city.boundsEast}).`,
    });
    return null;
  }
  const name = text(venue.name, 200);
  const street = text(venue.street, 200);
  if (!name && !street)
    problems.push({ field: `${field}/name`, problem: 'Give the venue a name or a street address.' });
  const district = text(venue.district ?? '', 120) || districtAt(city.slug, lon, lat);
  return {
    name,
    street,
    postcode: text(venue.postcode, 20),
    locality: text(venue.locality, 120),
    district,
    lat,
    lon,
  };
}

/** The RRULE body without a leading "RRULE:" and with upper-cased names, or null when none was given. */
function normaliseRrule(value: string | null | undefined): string | null {
  const rule = (value ?? '').trim().replace(/^RRULE:/i, '');
  return rule ? rule.toUpperCase() : null;
}

/**
 * The sessions of a schedule. A recurring rule is expanded in the city's wall-clock time, so a club that meets at
 * 18:00 keeps meeting at 18:00 after the clocks change. The rule must end (COUNT or UNTIL), within
 * MAX_SCHEDULE_YEARS, and give at most MAX_SESSIONS sessions.
 */
export function expandSchedule(
  startsAt: Date,
  endsAt: Date,
  rule: string | null,
  exdates: Date[],
  timeZone: string,
  problems: ErrorDetail[],
): { startsAt: Date; endsAt: Date }[] {
  const duration = endsAt.getTime() - startsAt.getTime();
  if (!rule) return [{ startsAt, endsAt }];
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(rule);
  } catch {
    problems.push({ field: '/rrule', problem: 'The recurrence rule is not a valid RFC 5545 RRULE.' });
    return [];
  }
  if (options.freq === undefined || options.freq > RRule.DAILY) {
    problems.push({ field: '/rrule', problem: 'Repeat daily, weekly, monthly or yearly (FREQ is required).' });
    return [];
  }
  if (options.count == null && options.until == null) {
    problems.push({
      field: '/rrule',
      problem: `A repeating activity must end: give a number of sessions (COUNT, at most ${MAX_SESSIONS}) or an end date (UNTIL).`,
    });
    return [];
  }
  const latest = new Date(startsAt.getTime());
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  if (options.until && options.until.getTime() > latest.getTime()) {
    problems.push({
      field: '/rrule',
      problem: `The repeats must end within ${MAX_SCHEDULE_YEARS} years of the first session.`,
    });
    return [];
  }
  // Expand in "floating" wall-clock time (UTC fields = local fields), then place each date in the city's zone.
  const wall = wallTimeIn(startsAt, timeZone);
  const dtstart = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  const until = options.until ? new Date(options.until.getTime() + offsetShift(options.until, timeZone)) : null;
  const recurrence = new RRule({ ...options, dtstart, until });
  const excluded = new Set(exdates.map((d) => Math.floor(d.getTime() / 60_000)));
  const sessions: { startsAt: Date; endsAt: Date }[] = [];
  let tooMany = false;
  recurrence.all((date, index) => {
    if (index >= MAX_SESSIONS) {
      tooMany = true;
      return false;
    }
    const start = instantOf(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
      },
      timeZone,
    );
    if (!excluded.has(Math.floor(start.getTime() / 60_000))) {
      sessions.push({ startsAt: start, endsAt: new Date(start.getTime() + duration) });
    }
    return true;
  });
  if (tooMany) {
    problems.push({ field: '/rrule', problem: `The rule gives more than ${MAX_SESSIONS} sessions; end it sooner.` });
    return [];
  }
  if (sessions.length === 0) {
    problems.push({ field: '/rrule', problem: 'The rule and its exceptions leave no session at all.' });
  }
  return sessions;
}

/** UNTIL is an instant; in floating time it is the wall time it shows in the city (shift by the zone's offset). */
function offsetShift(until: Date, timeZone: string): number {
  const wall = wallTimeIn(until, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - until.getTime();
}

/**
 * Checks and cleans an activity. Returns the problems (each with a JSON-pointer field) and, when there are none, the
 * values to store. Skill ids are checked against the city's spine by the service (it needs the database).
 */
export function validateActivityInput(
  city: CityRecord,
  input: ActivityInput,
): { problems: ErrorDetail[]; write: ActivityWrite | null } {
  const problems: ErrorDetail[] = [];
  const cityLanguages = new Set(city.languages);

  // Title and description: per language, at least one of the city's languages.
  const title: Record<string, string> = {};
  if (!input.title || typeof input.title !== 'object') {
    problems.push({ field: '/title', problem: 'Give a title.' });
  } else {
    for (const [language, value] of Object.entries(input.title)) {
      const cleaned = text(value, 1000);
      if (!cleaned) continue;
      if (!cityLanguages.has(language)) {
        problems.push({
          field: `/title/${language}`,
          problem: `The city publishes in ${city.languages.join(', ')}; "${language}" is not one of them.`,
        });
      } else if (cleaned.length < 3 || cleaned.length > 200) {
        problems.push({ field: `/title/${language}`, problem: 'Give a title of 3–200 characters.' });
      } else {
        title[language] = cleaned;
      }
    }
    if (Object.keys(title).length === 0 && !problems.some((p) => p.field?.startsWith('/title'))) {
      problems.push({ field: `/title/${city.defaultLanguage}`, problem: 'Give a title in at least one language.' });
    }
  }
  const description: Record<string, string> = {};
  for (const [language, value] of Object.entries(input.description ?? {})) {
    if (typeof value !== 'string' || !value.trim()) continue;
    if (!cityLanguages.has(language)) {
      problems.push({
        field: `/description/${language}`,
        problem: `"${language}" is not one of the city's languages.`,
      });
      continue;
    }
    if (value.length > 20_000) {
      problems.push({ field: `/description/${language}`, problem: 'Keep the description under 20,000 characters.' });
      continue;
    }
    const safe = sanitizeDescription(value);
    if (safe) description[language] = safe;
  }

  let slug: string | null = null;
  if (input.slug !== undefined && input.slug !== null && input.slug !== '') {
    if (!slugPattern.test(input.slug)) {
      problems.push({
        field: '/slug',
        problem: 'Use 1–80 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
      });
    } else slug = input.slug;
  }

  // Format, online link and venues.
  const format = input.format;
  if (!(activityFormats as readonly string[]).includes(format)) {
    problems.push({ field: '/format', problem: `Choose one of ${activityFormats.join(', ')}.` });
  }
  const onlineUrl = text(input.onlineUrl ?? '', 2000) || null;
  if (onlineUrl && !isHttpUrl(onlineUrl)) problems.push({ field: '/onlineUrl', problem: 'Give an http(s) link.' });
  const venues: CleanVenue[] = [];
  const venueInputs = Array.isArray(input.venues) ? input.venues : [];
  if (venueInputs.length > 10) problems.push({ field: '/venues', problem: 'Give at most 10 venues.' });
  venueInputs.slice(0, 10).forEach((venue, index) => {
    const cleaned = cleanVenue(city, venue, index, problems);
    if (cleaned) venues.push(cleaned);
  });
  if ((format === 'in_person' || format === 'blended') && venueInputs.length === 0) {
    problems.push({ field: '/venues', problem: 'An activity that meets in person needs at least one venue.' });
  }

  // Schedule.
  const scheduleKind = input.scheduleKind;
  let startsAt: Date | null = null;
  let endsAt: Date | null = null;
  let rrule: string | null = null;
  const exdates: Date[] = [];
  let sessions: { startsAt: Date; endsAt: Date }[] = [];
  const allDay = input.allDay === true;
  if (!(scheduleKinds as readonly string[]).includes(scheduleKind)) {
    problems.push({ field: '/scheduleKind', problem: `Choose one of ${scheduleKinds.join(', ')}.` });
  } else if (scheduleKind !== 'on_demand') {
    const start = parseDate(input.startsAt);
    const end = parseDate(input.endsAt);
    if (start === 'invalid' || start === null) {
      problems.push({ field: '/startsAt', problem: 'Give the start date and time.' });
    }
    if (end === 'invalid' || end === null) {
      problems.push({ field: '/endsAt', problem: 'Give the end date and time.' });
    }
    if (start instanceof Date && end instanceof Date) {
      if (end.getTime() < start.getTime()) {
        problems.push({ field: '/endsAt', problem: 'The end must not be before the start.' });
      } else if (end.getTime() - start.getTime() > 62 * 86_400_000) {
        problems.push({ field: '/endsAt', problem: 'One session may last at most 62 days.' });
      } else {
        startsAt = start;
        endsAt = end;
      }
    }
    for (const [index, value] of (input.exdates ?? []).entries()) {
      const date = parseDate(value);
      if (date instanceof Date) exdates.push(date);
      else problems.push({ field: `/exdates/${index}`, problem: 'Give the skipped session as a date and time.' });
    }
    if (scheduleKind === 'recurring') {
      rrule = normaliseRrule(input.rrule);
      if (!rrule) problems.push({ field: '/rrule', problem: 'Give the repeat rule (RRULE) of a repeating activity.' });
    }
    if (startsAt && endsAt && (scheduleKind === 'once' || rrule)) {
      sessions = expandSchedule(
        startsAt,
        endsAt,
        scheduleKind === 'once' ? null : rrule,
        exdates,
        city.timeZone,
        problems,
      );
    }
  }

  // Ages and cost.
  const ageMin = optionalInteger(input.ageMin);
  const ageMax = optionalInteger(input.ageMax);
  if (ageMin === 'invalid' || (ageMin !== null && (ageMin < 0 || ageMin > 120))) {
    problems.push({ field: '/ageMin', problem: 'Give an age from 0 to 120.' });
  }
  if (ageMax === 'invalid' || (ageMax !== null && (ageMax < 0 || ageMax > 120))) {
    problems.push({ field: '/ageMax', problem: 'Give an age from 0 to 120.' });
  }
  if (typeof ageMin === 'number' && typeof ageMax === 'number' && ageMin > ageMax) {
    problems.push({ field: '/ageMax', problem: 'The highest age must not be below the lowest.' });
  }
  const costKind = input.costKind ?? 'free';
  if (!(costKinds as readonly string[]).includes(costKind)) {
    problems.push({ field: '/costKind', problem: 'Choose free or paid.' });
  }
  let priceCents: number | null = null;
  let currency: string | null = null;
  if (costKind === 'paid') {
    const price = optionalInteger(input.priceCents);
    if (price === 'invalid' || price === null || price <= 0 || price > 100_000_000) {
      problems.push({ field: '/priceCents', problem: 'Give the price in cents (a whole number above 0).' });
    } else priceCents = price;
    currency = text(input.currency ?? '', 3).toUpperCase();
    if (!currencyPattern.test(currency)) {
      problems.push({ field: '/currency', problem: 'Give the currency as a three-letter code such as EUR or GBP.' });
    }
  }

  const languages = [...new Set((input.languages ?? []).map((l) => String(l).trim().toLowerCase()).filter(Boolean))];
  if (languages.length > 12) problems.push({ field: '/languages', problem: 'Give at most 12 languages.' });
  for (const language of languages) {
    if (!languagePattern.test(language)) {
      problems.push({ field: '/languages', problem: `"${language}" is not a language code such as en, lt or it.` });
    }
  }
  const accessibility = [...new Set(input.accessibility ?? [])];
  for (const feature of accessibility) {
    if (!(accessibilityFeatures as readonly string[]).includes(feature)) {
      problems.push({
        field: '/accessibility',
        problem: `"${feature}" is not an accessibility feature; use ${accessibilityFeatures.join(', ')}.`,
      });
    }
  }

  // Places and sign-up.
  const capacity = optionalInteger(input.capacity);
  if (capacity === 'invalid' || (capacity !== null && (capacity < 1 || capacity > 100_000))) {
    problems.push({ field: '/capacity', problem: 'Give the number of places (1–100,000), or leave it empty.' });
  }
  const signupMode = input.signupMode ?? 'none';
  if (!(signupModes as readonly string[]).includes(signupMode)) {
    problems.push({ field: '/signupMode', problem: `Choose one of ${signupModes.join(', ')}.` });
  }
  const signupUrl = text(input.signupUrl ?? '', 2000) || null;
  if (signupMode === 'external' && (!signupUrl || !isHttpUrl(signupUrl))) {
    problems.push({ field: '/signupUrl', problem: 'Give the http(s) link where people sign up.' });
  } else if (signupUrl && !isHttpUrl(signupUrl)) {
    problems.push({ field: '/signupUrl', problem: 'Give an http(s) link.' });
  }
  if (signupMode === 'internal' && scheduleKind === 'on_demand') {
    problems.push({ field: '/signupMode', problem: 'Sign-ups here are per session; an on-demand activity has none.' });
  }

  const tags = [
    ...new Set((input.tags ?? []).map((tag) => String(tag).trim().toLowerCase().slice(0, 40)).filter(Boolean)),
  ];
  if (tags.length > 20) problems.push({ field: '/tags', problem: 'Give at most 20 tags.' });

  const skills: { skillId: string; level: number | null }[] = [];
  const seenSkills = new Set<string>();
  for (const [index, skill] of (input.skills ?? []).entries()) {
    if (!skill || typeof skill.skillId !== 'string' || !uuidPattern.test(skill.skillId)) {
      problems.push({ field: `/skills/${index}/skillId`, problem: 'Choose a skill from the city’s skills spine.' });
      continue;
    }
    const level = optionalInteger(skill.level);
    if (level === 'invalid' || (level !== null && (level < 1 || level > 8))) {
      problems.push({ field: `/skills/${index}/level`, problem: 'Give a level from 1 to 8, or none.' });
      continue;
    }
    if (seenSkills.has(skill.skillId)) continue;
    seenSkills.add(skill.skillId);
    skills.push({ skillId: skill.skillId.toLowerCase(), level });
  }
  if (skills.length > 30) problems.push({ field: '/skills', problem: 'Link at most 30 skills.' });

  const externalUid = text(input.externalUid ?? '', 500) || null;

  if (problems.length > 0) return { problems, write: null };
  return {
    problems,
    write: {
      slug,
      title,
      description,
      format,
      onlineUrl,
      venues,
      scheduleKind,
      startsAt,
      endsAt,
      allDay,
      rrule,
      exdates,
      ageMin: ageMin as number | null,
      ageMax: ageMax as number | null,
      costKind,
      priceCents,
      currency,
      concessions: text(input.concessions ?? '', 500),
      languages,
      accessibility,
      accessibilityNotes: text(input.accessibilityNotes ?? '', 2000),
      capacity: capacity as number | null,
      signupMode,
      signupUrl,
      tags,
      skills,
      externalUid,
      sessions,
    },
  };
}
