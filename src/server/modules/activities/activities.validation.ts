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
import type { CityRecord } from '../cities/cities.repo.ts';
import { districtAt, pointInCity } from '../geo/geo.ts';
import {
  accessibilityFeatures,
  type ActivityInput,
  MAX_SCHEDULE_YEARS,
  MAX_SESSIONS,
  type VenueInput,
} from './activities.model.ts';
import { type KeyedProblem, keyedProblem } from './activities.problems.ts';
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

function cleanVenue(city: CityRecord, venue: VenueInput, index: number, problems: KeyedProblem[]): CleanVenue | null {
  const field = `/venues/${index}`;
  const { lat, lon } = venue;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    problems.push(keyedProblem(`${field}/lat`, 'venue_coordinates'));
    return null;
  }
  const inBounds =
    lat >= city.boundsSouth && lat <= city.boundsNorth && lon >= city.boundsWest && lon <= city.boundsEast;
  if (!inBounds || !pointInCity(city.slug, lon, lat, city)) {
    problems.push(
      keyedProblem(`${field}/lat`, 'venue_outside_city', {
        south: city.boundsSouth,
        north: city.boundsNorth,
        west: city.boundsWest,
        east: city.boundsEast,
      }),
    );
    return null;
  }
  const name = text(venue.name, 200);
  const street = text(venue.street, 200);
  if (!name && !street) problems.push(keyedProblem(`${field}/name`, 'venue_name_missing'));
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
 *
 * `rdates` are extra session starts (iCalendar RDATE), each as long as the first session: they join the rule's
 * sessions (or the one session of a one-off), exceptions remove them as they remove the rule's, and the whole set
 * keeps the same limits. The activity row has no column for them — they live only in the session list that
 * `syncSessions` stores (see `extraSessionStarts`, which finds them there again).
 */
export function expandSchedule(
  startsAt: Date,
  endsAt: Date,
  rule: string | null,
  exdates: Date[],
  timeZone: string,
  problems: KeyedProblem[],
  rdates: Date[] = [],
): { startsAt: Date; endsAt: Date }[] {
  const duration = endsAt.getTime() - startsAt.getTime();
  const minute = (date: Date) => Math.floor(date.getTime() / 60_000);
  const excluded = new Set(exdates.map(minute));
  let sessions: { startsAt: Date; endsAt: Date }[];
  if (!rule) {
    // A one-off keeps its session whatever its exceptions say, unless it has extra dates (then it is a set of dates).
    if (rdates.length === 0) return [{ startsAt, endsAt }];
    sessions = excluded.has(minute(startsAt)) ? [] : [{ startsAt, endsAt }];
  } else {
    const expanded = expandRule(startsAt, duration, rule, excluded, timeZone, problems);
    if (!expanded) return [];
    sessions = expanded;
  }
  if (rdates.length > 0) {
    const earliest = new Date(startsAt.getTime());
    earliest.setUTCFullYear(earliest.getUTCFullYear() - MAX_SCHEDULE_YEARS);
    const latest = new Date(startsAt.getTime());
    latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SCHEDULE_YEARS);
    if (rdates.some((date) => date.getTime() < earliest.getTime() || date.getTime() > latest.getTime())) {
      problems.push(keyedProblem('/rdates', 'rdates_too_far', { years: MAX_SCHEDULE_YEARS }));
      return [];
    }
    const taken = new Set(sessions.map((session) => minute(session.startsAt)));
    for (const date of rdates) {
      const key = minute(date);
      if (excluded.has(key) || taken.has(key)) continue;
      taken.add(key);
      sessions.push({ startsAt: date, endsAt: new Date(date.getTime() + duration) });
    }
    if (sessions.length > MAX_SESSIONS) {
      problems.push(keyedProblem('/rdates', 'too_many_dates', { max: MAX_SESSIONS }));
      return [];
    }
    sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  }
  if (sessions.length === 0) problems.push(keyedProblem('/rrule', 'no_sessions'));
  return sessions;
}

/** The sessions of an RRULE (without its exceptions), or null when the rule is refused (the problem is added). */
function expandRule(
  startsAt: Date,
  duration: number,
  rule: string,
  excluded: Set<number>,
  timeZone: string,
  problems: KeyedProblem[],
): { startsAt: Date; endsAt: Date }[] | null {
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(rule);
  } catch {
    problems.push(keyedProblem('/rrule', 'rrule_invalid'));
    return null;
  }
  if (options.freq === undefined || options.freq > RRule.DAILY) {
    problems.push(keyedProblem('/rrule', 'rrule_frequency'));
    return null;
  }
  if (options.count == null && options.until == null) {
    problems.push(keyedProblem('/rrule', 'rrule_endless', { max: MAX_SESSIONS }));
    return null;
  }
  const latest = new Date(startsAt.getTime());
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  if (options.until && options.until.getTime() > latest.getTime()) {
    problems.push(keyedProblem('/rrule', 'schedule_too_long', { years: MAX_SCHEDULE_YEARS }));
    return null;
  }
  // Expand in "floating" wall-clock time (UTC fields = local fields), then place each date in the city's zone.
  const wall = wallTimeIn(startsAt, timeZone);
  const dtstart = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  const until = options.until ? new Date(options.until.getTime() + offsetShift(options.until, timeZone)) : null;
  const recurrence = new RRule({ ...options, dtstart, until });
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
    problems.push(keyedProblem('/rrule', 'too_many_sessions', { max: MAX_SESSIONS }));
    return null;
  }
  return sessions;
}

/**
 * The starts of a stored activity's sessions that its own schedule (start, rule, exceptions) does not give: the
 * extra dates (RDATE) it was written with. Cancelled sessions are the caller's to leave out.
 */
export function extraSessionStarts(
  activity: {
    scheduleKind: string;
    startsAt: Date | string | null;
    endsAt: Date | string | null;
    rrule: string | null;
    exdates: (Date | string)[];
  },
  sessionStarts: (Date | string)[],
  timeZone: string,
): Date[] {
  if (activity.scheduleKind === 'on_demand' || !activity.startsAt || !activity.endsAt) return [];
  const problems: KeyedProblem[] = [];
  const own = expandSchedule(
    new Date(activity.startsAt),
    new Date(activity.endsAt),
    activity.scheduleKind === 'recurring' ? activity.rrule : null,
    activity.exdates.map((date) => new Date(date)),
    timeZone,
    problems,
  );
  if (problems.length > 0) return [];
  const ownStarts = new Set(own.map((session) => Math.floor(session.startsAt.getTime() / 60_000)));
  return sessionStarts
    .map((start) => new Date(start))
    .filter((start) => !ownStarts.has(Math.floor(start.getTime() / 60_000)))
    .sort((a, b) => a.getTime() - b.getTime());
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
): { problems: KeyedProblem[]; write: ActivityWrite | null } {
  const problems: KeyedProblem[] = [];
  const cityLanguages = new Set(city.languages);

  // Title and description: per language, at least one of the city's languages.
  const title: Record<string, string> = {};
  if (!input.title || typeof input.title !== 'object') {
    problems.push(keyedProblem('/title', 'title_missing'));
  } else {
    for (const [language, value] of Object.entries(input.title)) {
      const cleaned = text(value, 1000);
      if (!cleaned) continue;
      if (!cityLanguages.has(language)) {
        problems.push(
          keyedProblem(`/title/${language}`, 'title_language', { languages: city.languages.join(', '), language }),
        );
      } else if (cleaned.length < 3 || cleaned.length > 200) {
        problems.push(keyedProblem(`/title/${language}`, 'title_length'));
      } else {
        title[language] = cleaned;
      }
    }
    if (Object.keys(title).length === 0 && !problems.some((p) => p.field?.startsWith('/title'))) {
      problems.push(keyedProblem(`/title/${city.defaultLanguage}`, 'title_missing_any'));
    }
  }
  const description: Record<string, string> = {};
  for (const [language, value] of Object.entries(input.description ?? {})) {
    if (typeof value !== 'string' || !value.trim()) continue;
    if (!cityLanguages.has(language)) {
      problems.push(keyedProblem(`/description/${language}`, 'description_language', { language }));
      continue;
    }
    if (value.length > 20_000) {
      problems.push(keyedProblem(`/description/${language}`, 'description_too_long'));
      continue;
    }
    const safe = sanitizeDescription(value);
    if (safe) description[language] = safe;
  }

  let slug: string | null = null;
  if (input.slug !== undefined && input.slug !== null && input.slug !== '') {
    if (!slugPattern.test(input.slug)) {
      problems.push(keyedProblem('/slug', 'slug_invalid'));
    } else slug = input.slug;
  }

  // Format, online link and venues.
  const format = input.format;
  if (!(activityFormats as readonly string[]).includes(format)) {
    problems.push(keyedProblem('/format', 'choose_one', { options: activityFormats.join(', ') }));
  }
  const onlineUrl = text(input.onlineUrl ?? '', 2000) || null;
  if (onlineUrl && !isHttpUrl(onlineUrl)) problems.push(keyedProblem('/onlineUrl', 'url_invalid'));
  const venues: CleanVenue[] = [];
  const venueInputs = Array.isArray(input.venues) ? input.venues : [];
  if (venueInputs.length > 10) problems.push(keyedProblem('/venues', 'too_many_venues', { max: 10 }));
  venueInputs.slice(0, 10).forEach((venue, index) => {
    const cleaned = cleanVenue(city, venue, index, problems);
    if (cleaned) venues.push(cleaned);
  });
  if ((format === 'in_person' || format === 'blended') && venueInputs.length === 0) {
    problems.push(keyedProblem('/venues', 'venue_required'));
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
    problems.push(keyedProblem('/scheduleKind', 'choose_one', { options: scheduleKinds.join(', ') }));
  } else if (scheduleKind !== 'on_demand') {
    const start = parseDate(input.startsAt);
    const end = parseDate(input.endsAt);
    if (start === 'invalid' || start === null) {
      problems.push(keyedProblem('/startsAt', 'start_missing'));
    }
    if (end === 'invalid' || end === null) {
      problems.push(keyedProblem('/endsAt', 'end_missing'));
    }
    if (start instanceof Date && end instanceof Date) {
      if (end.getTime() < start.getTime()) {
        problems.push(keyedProblem('/endsAt', 'ends_before_start'));
      } else if (end.getTime() - start.getTime() > 62 * 86_400_000) {
        problems.push(keyedProblem('/endsAt', 'session_too_long', { days: 62 }));
      } else {
        startsAt = start;
        endsAt = end;
      }
    }
    for (const [index, value] of (input.exdates ?? []).entries()) {
      const date = parseDate(value);
      if (date instanceof Date) exdates.push(date);
      else problems.push(keyedProblem(`/exdates/${index}`, 'exdate_invalid'));
    }
    const rdates: Date[] = [];
    const rdateInputs = Array.isArray(input.rdates) ? input.rdates : [];
    if (rdateInputs.length > MAX_SESSIONS) {
      problems.push(keyedProblem('/rdates', 'too_many_dates', { max: MAX_SESSIONS }));
    } else {
      for (const [index, value] of rdateInputs.entries()) {
        const date = parseDate(value);
        if (date instanceof Date) rdates.push(date);
        else problems.push(keyedProblem(`/rdates/${index}`, 'rdate_invalid'));
      }
    }
    if (scheduleKind === 'recurring') {
      rrule = normaliseRrule(input.rrule);
      if (!rrule) problems.push(keyedProblem('/rrule', 'rrule_missing'));
    }
    if (startsAt && endsAt && (scheduleKind === 'once' || rrule)) {
      sessions = expandSchedule(
        startsAt,
        endsAt,
        scheduleKind === 'once' ? null : rrule,
        exdates,
        city.timeZone,
        problems,
        rdates,
      );
    }
  }

  // Ages and cost.
  const ageMin = optionalInteger(input.ageMin);
  const ageMax = optionalInteger(input.ageMax);
  if (ageMin === 'invalid' || (ageMin !== null && (ageMin < 0 || ageMin > 120))) {
    problems.push(keyedProblem('/ageMin', 'age_range'));
  }
  if (ageMax === 'invalid' || (ageMax !== null && (ageMax < 0 || ageMax > 120))) {
    problems.push(keyedProblem('/ageMax', 'age_range'));
  }
  if (typeof ageMin === 'number' && typeof ageMax === 'number' && ageMin > ageMax) {
    problems.push(keyedProblem('/ageMax', 'ages_reversed'));
  }
  const costKind = input.costKind ?? 'free';
  if (!(costKinds as readonly string[]).includes(costKind)) {
    problems.push(keyedProblem('/costKind', 'cost_kind'));
  }
  let priceCents: number | null = null;
  let currency: string | null = null;
  if (costKind === 'paid') {
    const price = optionalInteger(input.priceCents);
    if (price === 'invalid' || price === null || price <= 0 || price > 100_000_000) {
      problems.push(keyedProblem('/priceCents', 'price_invalid'));
    } else priceCents = price;
    currency = text(input.currency ?? '', 3).toUpperCase();
    if (!currencyPattern.test(currency)) {
      problems.push(keyedProblem('/currency', 'currency_invalid'));
    }
  }

  const languages = [...new Set((input.languages ?? []).map((l) => String(l).trim().toLowerCase()).filter(Boolean))];
  if (languages.length > 12) problems.push(keyedProblem('/languages', 'too_many_languages', { max: 12 }));
  for (const language of languages) {
    if (!languagePattern.test(language)) {
      problems.push(keyedProblem('/languages', 'language_code', { language }));
    }
  }
  const accessibility = [...new Set(input.accessibility ?? [])];
  for (const feature of accessibility) {
    if (!(accessibilityFeatures as readonly string[]).includes(feature)) {
      problems.push(
        keyedProblem('/accessibility', 'accessibility_unknown', {
          feature: String(feature),
          options: accessibilityFeatures.join(', '),
        }),
      );
    }
  }

  // Places and sign-up.
  const capacity = optionalInteger(input.capacity);
  if (capacity === 'invalid' || (capacity !== null && (capacity < 1 || capacity > 100_000))) {
    problems.push(keyedProblem('/capacity', 'capacity_range'));
  }
  const signupMode = input.signupMode ?? 'none';
  if (!(signupModes as readonly string[]).includes(signupMode)) {
    problems.push(keyedProblem('/signupMode', 'choose_one', { options: signupModes.join(', ') }));
  }
  const signupUrl = text(input.signupUrl ?? '', 2000) || null;
  if (signupMode === 'external' && (!signupUrl || !isHttpUrl(signupUrl))) {
    problems.push(keyedProblem('/signupUrl', 'signup_url_missing'));
  } else if (signupUrl && !isHttpUrl(signupUrl)) {
    problems.push(keyedProblem('/signupUrl', 'url_invalid'));
  }
  if (signupMode === 'internal' && scheduleKind === 'on_demand') {
    problems.push(keyedProblem('/signupMode', 'signup_on_demand'));
  }

  const tags = [
    ...new Set((input.tags ?? []).map((tag) => String(tag).trim().toLowerCase().slice(0, 40)).filter(Boolean)),
  ];
  if (tags.length > 20) problems.push(keyedProblem('/tags', 'too_many_tags', { max: 20 }));

  const skills: { skillId: string; level: number | null }[] = [];
  const seenSkills = new Set<string>();
  for (const [index, skill] of (input.skills ?? []).entries()) {
    if (!skill || typeof skill.skillId !== 'string' || !uuidPattern.test(skill.skillId)) {
      problems.push(keyedProblem(`/skills/${index}/skillId`, 'skill_invalid'));
      continue;
    }
    const level = optionalInteger(skill.level);
    if (level === 'invalid' || (level !== null && (level < 1 || level > 8))) {
      problems.push(keyedProblem(`/skills/${index}/level`, 'skill_level'));
      continue;
    }
    if (seenSkills.has(skill.skillId)) continue;
    seenSkills.add(skill.skillId);
    skills.push({ skillId: skill.skillId.toLowerCase(), level });
  }
  if (skills.length > 30) problems.push(keyedProblem('/skills', 'too_many_skills', { max: 30 }));

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
