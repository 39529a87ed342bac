import type { Database, SqlRunner } from '../../db/client.ts';
import { activityFormats, type ActivityFormat, type CostKind, type ScheduleKind } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { pickText } from '../skills/skills.service.ts';
import { accessibilityFeatures, ageBands } from './activities.model.ts';
import {
  buildTsqueries,
  clusterCells,
  countFacets,
  countMatches,
  type FacetCount,
  type FacetName,
  facetNames,
  filtersNothing,
  findFrameworkId,
  type Keyset,
  mapPoints,
  mapPointsAt,
  NO_DISTANCE,
  organisationsById,
  organisationsBySlugOrId,
  type ResolvedFilter,
  type SearchRow,
  type SearchTerm,
  type SortKind,
  searchRows,
  searchRowsWithFacets,
  skillIdsWithNarrower,
  skillsById,
  storedClusterCells,
} from './search.repo.ts';
import { instantOf, wallTimeIn } from './time-zones.ts';

/**
 * The public catalogue search of one city: the parameters every view shares (the API, the search page, the map, the
 * exports and saved-search alerts), their validation, and the searches themselves.
 *
 * Dates: a date filter (`when`, `from`/`to`) keeps activities with a non-cancelled session overlapping the period.
 * On-demand activities have no sessions, so they show whenever no date filter is set and never under one ("this
 * weekend" means something happening this weekend). Finished activities (last session over) never show.
 */

export const searchWhens = ['now', 'today', 'weekend', 'week'] as const;
export type SearchWhen = (typeof searchWhens)[number];
export const searchSorts = ['relevance', 'date', 'distance'] as const;
export const MAX_SEARCH_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_QUERY_WORDS = 8;
/** Top values shown for the open-ended facets. */
export const OPEN_FACET_LIMIT = 20;

export interface SearchQuery {
  q: string;
  format: ActivityFormat[];
  age: string[];
  ageMin: number | null;
  ageMax: number | null;
  cost: CostKind | null;
  skill: string[];
  framework: string | null;
  organisation: string[];
  district: string[];
  language: string[];
  accessibility: string[];
  from: string | null;
  to: string | null;
  when: SearchWhen | null;
  near: { lat: number; lon: number } | null;
  radiusKm: number | null;
  bbox: { west: number; south: number; east: number; north: number } | null;
  sort: SortKind | null;
  limit: number;
  cursor: string | null;
}

/** Raw parameters as a query string gives them (a repeated parameter is an array). */
export type RawSearchParams = Record<string, string | string[] | number | undefined>;

/** The parameter names of a search, in the order links write them. */
export const searchParamNames = [
  'q',
  'format',
  'age',
  'ageMin',
  'ageMax',
  'cost',
  'skill',
  'framework',
  'organisation',
  'district',
  'language',
  'accessibility',
  'when',
  'from',
  'to',
  'near',
  'radiusKm',
  'bbox',
  'sort',
] as const;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const slugPattern = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function list(value: RawSearchParams[string]): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [String(value)];
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

function single(value: RawSearchParams[string]): string | null {
  const [first] = list(value);
  return first ?? null;
}

function numbers(text: string, count: number): number[] | null {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length !== count || parts.some((part) => !/^-?\d+(?:\.\d+)?$/.test(part))) return null;
  return parts.map(Number);
}

function validDate(text: string): boolean {
  if (!datePattern.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Reads and checks search parameters; throws VALIDATION_FAILED naming each bad one. */
export function parseSearchParams(raw: RawSearchParams): SearchQuery {
  const problems: ErrorDetail[] = [];
  const bad = (field: string, problem: string) => problems.push({ field: `/${field}`, problem });
  const oneOf = <T extends string>(field: string, values: string[], allowed: readonly T[]): T[] => {
    for (const value of values) if (!allowed.includes(value as T)) bad(field, `unknown value "${value}"`);
    return values.filter((value): value is T => allowed.includes(value as T));
  };
  const each = (field: string, values: string[], test: (value: string) => boolean, problem: string) => {
    for (const value of values) if (!test(value)) bad(field, `${problem}: "${value.slice(0, 80)}"`);
    return values.filter(test);
  };
  const integer = (field: string, min: number, max: number): number | null => {
    const text = single(raw[field]);
    if (text === null) return null;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      bad(field, `must be a whole number from ${min} to ${max}`);
      return null;
    }
    return value;
  };

  const q = (single(raw.q) ?? '').slice(0, 200);
  if ((single(raw.q) ?? '').length > 200) bad('q', 'at most 200 characters');
  const format = oneOf('format', list(raw.format), activityFormats);
  const age = oneOf(
    'age',
    list(raw.age),
    ageBands.map((band) => band.id),
  );
  const ageMin = integer('ageMin', 0, 120);
  const ageMax = integer('ageMax', 0, 120);
  if (ageMin !== null && ageMax !== null && ageMin > ageMax) bad('ageMax', 'must not be below ageMin');
  const costText = single(raw.cost);
  const cost = costText === null ? null : (oneOf('cost', [costText], ['free', 'paid'] as const)[0] ?? null);
  const skill = each('skill', list(raw.skill), (v) => uuidPattern.test(v), 'not a skill id').slice(0, 20);
  const frameworkText = single(raw.framework);
  const framework = frameworkText !== null && slugPattern.test(frameworkText) ? frameworkText : null;
  if (frameworkText !== null && framework === null) bad('framework', 'not a framework slug');
  const organisation = each(
    'organisation',
    list(raw.organisation),
    (v) => slugPattern.test(v) || uuidPattern.test(v),
    'not an organisation',
  ).slice(0, 50);
  const district = each('district', list(raw.district), (v) => v.length <= 120, 'too long').slice(0, 50);
  const language = each('language', list(raw.language), (v) => /^[a-z]{2,3}$/.test(v), 'not a language code');
  const accessibility = oneOf('accessibility', list(raw.accessibility), accessibilityFeatures);
  const from = single(raw.from);
  const to = single(raw.to);
  if (from !== null && !validDate(from)) bad('from', 'must be a date YYYY-MM-DD');
  if (to !== null && !validDate(to)) bad('to', 'must be a date YYYY-MM-DD');
  if (from && to && validDate(from) && validDate(to) && to < from) bad('to', 'must not be before from');
  const whenText = single(raw.when);
  const when = whenText === null ? null : (oneOf('when', [whenText], searchWhens)[0] ?? null);

  let near: SearchQuery['near'] = null;
  const nearText = single(raw.near);
  if (nearText !== null) {
    const parsed = numbers(nearText, 2);
    if (!parsed || Math.abs(parsed[0] as number) > 90 || Math.abs(parsed[1] as number) > 180) {
      bad('near', 'must be "lat,lon" in degrees');
    } else near = { lat: parsed[0] as number, lon: parsed[1] as number };
  }
  let radiusKm: number | null = null;
  const radiusText = single(raw.radiusKm);
  if (radiusText !== null) {
    const value = Number(radiusText);
    if (!Number.isFinite(value) || value <= 0 || value > 500)
      bad('radiusKm', 'must be a distance above 0 and up to 500 km');
    else radiusKm = value;
    if (nearText === null) bad('near', 'a radius needs a point: near=lat,lon');
  }
  let bbox: SearchQuery['bbox'] = null;
  const bboxText = single(raw.bbox);
  if (bboxText !== null) {
    const parsed = numbers(bboxText, 4);
    const [west, south, east, north] = parsed ?? [];
    if (
      !parsed ||
      (west as number) < -180 ||
      (east as number) > 180 ||
      (south as number) < -90 ||
      (north as number) > 90 ||
      (west as number) >= (east as number) ||
      (south as number) >= (north as number)
    ) {
      bad('bbox', 'must be "west,south,east,north" in degrees, west below east and south below north');
    } else bbox = { west: west as number, south: south as number, east: east as number, north: north as number };
  }
  const sortText = single(raw.sort);
  const sort = sortText === null ? null : (oneOf('sort', [sortText], searchSorts)[0] ?? null);
  if (sort === 'distance' && nearText === null) bad('near', 'sorting by distance needs a point: near=lat,lon');
  const limit = integer('limit', 1, MAX_SEARCH_LIMIT) ?? DEFAULT_SEARCH_LIMIT;
  const cursor = single(raw.cursor);
  if (cursor !== null && (cursor.length > 500 || decodeCursor(cursor) === null))
    bad('cursor', 'not a cursor of this search');

  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return {
    q,
    format,
    age,
    ageMin,
    ageMax,
    cost,
    skill,
    framework,
    organisation,
    district,
    language,
    accessibility,
    from,
    to,
    when,
    near,
    radiusKm,
    bbox,
    sort,
    limit,
    cursor,
  };
}

/** The parameters of a search as query-string pairs (repeated names for lists), for links and forms. */
export function searchQueryEntries(
  query: SearchQuery,
  options: { omit?: readonly string[]; cursor?: boolean } = {},
): [string, string][] {
  const entries: [string, string][] = [];
  const push = (name: string, value: string | number | null | undefined) => {
    if (value === null || value === undefined || value === '' || options.omit?.includes(name)) return;
    entries.push([name, String(value)]);
  };
  push('q', query.q.trim());
  for (const value of query.format) push('format', value);
  for (const value of query.age) push('age', value);
  push('ageMin', query.ageMin);
  push('ageMax', query.ageMax);
  push('cost', query.cost);
  for (const value of query.skill) push('skill', value);
  push('framework', query.framework);
  for (const value of query.organisation) push('organisation', value);
  for (const value of query.district) push('district', value);
  for (const value of query.language) push('language', value);
  for (const value of query.accessibility) push('accessibility', value);
  push('when', query.when);
  push('from', query.from);
  push('to', query.to);
  push('near', query.near ? `${round(query.near.lat)},${round(query.near.lon)}` : null);
  push('radiusKm', query.radiusKm);
  push(
    'bbox',
    query.bbox ? [query.bbox.west, query.bbox.south, query.bbox.east, query.bbox.north].map(round).join(',') : null,
  );
  push('sort', query.sort);
  if (options.cursor) push('cursor', query.cursor);
  return entries;
}

const round = (value: number) => String(Math.round(value * 1e5) / 1e5);

/** `?a=b&…` of a search (without cursor unless asked), or '' when it has no parameters. */
export function searchQueryString(query: SearchQuery, options: { omit?: readonly string[]; cursor?: boolean } = {}) {
  const text = new URLSearchParams(searchQueryEntries(query, options)).toString();
  return text ? `?${text}` : '';
}

/** True when any filter narrows the search (words, facets, dates or place). */
export function hasFilters(query: SearchQuery): boolean {
  return searchQueryEntries(query, { omit: ['sort'] }).length > 0;
}

// ── Cursors ─────────────────────────────────────────────────────────────────────────────────────────────────────

interface CursorPayload {
  s: SortKind;
  k: number | string | null;
  i: string;
}

export function encodeCursor(sort: SortKind, keyset: Keyset): string {
  const payload: CursorPayload = { s: sort, k: keyset.key, i: keyset.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string): (Keyset & { sort: SortKind }) | null {
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
    if (!payload || !searchSorts.includes(payload.s as SortKind) || !uuidPattern.test(String(payload.i))) return null;
    const key = payload.k;
    if (payload.s === 'date') {
      if (key !== null && !(typeof key === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/.test(key)))
        return null;
    } else if (typeof key !== 'number' || !Number.isFinite(key)) return null;
    return { sort: payload.s as SortKind, key: key ?? null, id: String(payload.i) };
  } catch {
    return null;
  }
}

// ── Words ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The terms of what someone typed: words of letters and digits (any script, lower-cased), and "quoted phrases" as
 * words in order. Everything else — punctuation, tsquery operators like `&|!:*()` — only separates words.
 */
export function searchTerms(text: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const wordsOf = (part: string) =>
    (
      part
        .normalize('NFC')
        .toLowerCase()
        .match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu) ?? []
    ).map((word) => word.slice(0, 60));
  const segments = text.split('"');
  segments.forEach((segment, index) => {
    const words = wordsOf(segment);
    // Odd segments are inside quotes (an unclosed quote runs to the end).
    if (index % 2 === 1 && words.length > 1) terms.push(words.slice(0, MAX_QUERY_WORDS));
    else for (const word of words) terms.push([word]);
  });
  const seen = new Set<string>();
  return terms
    .filter((term) => {
      const key = term.join(' ');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_QUERY_WORDS);
}

// ── Dates in the city's time zone ───────────────────────────────────────────────────────────────────────────────

function localMidnight(instant: Date, timeZone: string, addDays = 0): Date {
  const wall = wallTimeIn(instant, timeZone);
  const day = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + addDays));
  return instantOf(
    { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: 0, minute: 0, second: 0 },
    timeZone,
  );
}

function dateMidnight(date: string, timeZone: string, addDays = 0): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(year, month - 1, day + addDays));
  return instantOf(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    timeZone,
  );
}

/**
 * The period a date filter names, in the city's time zone: `now` is this instant (a session under way), `today` runs
 * to local midnight, `weekend` is Saturday and Sunday (the rest of it when it is already the weekend), `week` runs to
 * the end of Sunday; `from`/`to` are whole local days. Null without a date filter.
 */
export function dateRangeOf(
  query: Pick<SearchQuery, 'when' | 'from' | 'to'>,
  timeZone: string,
  now: Date,
): { from: Date; to: Date } | null {
  let range: { from: Date; to: Date } | null = null;
  if (query.when) {
    const wall = wallTimeIn(now, timeZone);
    // 0 = Sunday … 6 = Saturday, of the local date.
    const weekday = new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
    const daysToMonday = weekday === 0 ? 1 : 8 - weekday;
    switch (query.when) {
      case 'now':
        range = { from: now, to: new Date(now.getTime() + 1) };
        break;
      case 'today':
        range = { from: now, to: localMidnight(now, timeZone, 1) };
        break;
      case 'weekend': {
        const saturday = weekday === 0 || weekday === 6 ? now : localMidnight(now, timeZone, 6 - weekday);
        range = { from: saturday, to: localMidnight(now, timeZone, daysToMonday) };
        break;
      }
      case 'week':
        range = { from: now, to: localMidnight(now, timeZone, daysToMonday) };
        break;
    }
  }
  if (query.from || query.to) {
    const from = query.from ? dateMidnight(query.from, timeZone) : now;
    const to = query.to ? dateMidnight(query.to, timeZone, 1) : new Date(from.getTime() + 366 * 24 * 3600 * 1000);
    // With both a chip and dates, the period is where they overlap.
    range = range
      ? {
          from: new Date(Math.max(range.from.getTime(), from.getTime())),
          to: new Date(Math.min(range.to.getTime(), to.getTime())),
        }
      : { from, to };
  }
  return range;
}

// ── Searching ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface SearchOptions {
  /** The language of titles and labels in the answer. */
  language: string;
  now?: Date;
  /** Compute facet counts (default true); the total is always counted. */
  facets?: boolean;
  /** Only activities published since then (saved-search alerts). */
  publishedSince?: Date | null;
}

export interface SearchHit {
  id: string;
  slug: string;
  title: string;
  titleLanguage: string;
  summary: string;
  organisation: { id: string; slug: string; name: string };
  format: ActivityFormat;
  scheduleKind: ScheduleKind;
  allDay: boolean;
  /** The next (or current) non-cancelled session; null for on-demand activities. */
  nextSession: { startsAt: Date; endsAt: Date } | null;
  lastEndAt: Date | null;
  ageMin: number | null;
  ageMax: number | null;
  costKind: CostKind;
  priceCents: number | null;
  currency: string | null;
  languages: string[];
  accessibility: string[];
  district: string | null;
  tags: string[];
  lat: number | null;
  lon: number | null;
  distanceKm: number | null;
  publishedAt: Date | null;
}

export interface FacetValue {
  value: string;
  /** A name for values that are data (organisations, skills); codes are translated by the page. */
  label?: string;
  count: number;
  selected: boolean;
}

export type Facets = Record<FacetName, FacetValue[]>;

export interface SearchResult {
  items: SearchHit[];
  total: number;
  facets: Facets | null;
  nextCursor: string | null;
  /** The sort applied (relevance needs words; without them results come by date). */
  sort: SortKind;
  /** The words searched for, after cleaning (empty when none). */
  terms: SearchTerm[];
}

// ── A short-lived cache for expensive answers ──────────────────────────────────────────────────────────────────

/** Answers that counted at least this many activities are kept for a while (a whole city's facets or map). */
export const CACHE_MIN_ROWS = 20_000;
const CACHE_TTL_MS = 60_000;
/** How long after its minute a kept answer is still given while it is counted again in the background. */
const CACHE_STALE_MS = 10 * 60_000;
const CACHE_MAX_ENTRIES = 500;
const answerCache = new Map<string, { expires: number; value: unknown }>();
/** The keys being counted again in the background, so each is counted once at a time. */
const refreshing = new Set<string>();

/**
 * Counts over a large part of a city barely change from one minute to the next and are the same for everyone, so
 * they are kept in this process for a minute. Past its minute an answer is still given, for up to ten more minutes,
 * while one background count replaces it (so the city's landing page never waits for a count of the whole
 * catalogue once it has been counted), when `db` is a pool that outlives the request (not a transaction). Small
 * answers are always computed afresh (they are cheap, and a change must show at once there).
 */
export async function cached<T>(
  db: Database | SqlRunner,
  key: string,
  compute: () => Promise<T>,
  rows: (value: T) => number,
): Promise<T> {
  const hit = answerCache.get(key);
  const now = Date.now();
  if (hit && hit.expires > now) return hit.value as T;
  if (hit && hit.expires + CACHE_STALE_MS > now && 'transaction' in db) {
    if (!refreshing.has(key)) {
      refreshing.add(key);
      compute()
        .then(
          (value) => keepAnswer(key, value, rows(value)),
          // The database went away (shutdown) or failed: the next request counts for itself.
          () => answerCache.delete(key),
        )
        .finally(() => refreshing.delete(key));
    }
    return hit.value as T;
  }
  const value = await compute();
  keepAnswer(key, value, rows(value));
  return value;
}

/** The kept answer under a key, if it has not expired. */
function cachedAnswer<T>(key: string): T | undefined {
  const hit = answerCache.get(key);
  return hit && hit.expires > Date.now() ? (hit.value as T) : undefined;
}

/** Keeps an answer for a minute when it counted enough rows to be worth it (and forgets an older one when not). */
function keepAnswer(key: string, value: unknown, rows: number): void {
  answerCache.delete(key);
  if (rows < CACHE_MIN_ROWS) return;
  answerCache.set(key, { expires: Date.now() + CACHE_TTL_MS, value });
  while (answerCache.size > CACHE_MAX_ENTRIES) answerCache.delete(answerCache.keys().next().value as string);
}

/** Empties the cache (benchmarks measure cold answers with it). */
export function clearAnswerCache(): void {
  answerCache.clear();
}

/** The cache key of a resolved search (its instant left out: an answer is kept one minute at most). */
function filterKey(kind: string, filter: ResolvedFilter, ...extra: (string | number)[]): string {
  const { now: _now, ...rest } = filter;
  return `${kind}|${extra.join('|')}|${JSON.stringify(rest)}`;
}

/** The tsqueries of recent words: the text search configurations are built in and never change. */
const tsqueryCache = new Map<string, { all: string; title: string } | null>();
const TSQUERY_CACHE_MAX = 2000;

async function tsqueriesOf(db: SqlRunner, terms: SearchTerm[], languages: string[]) {
  const key = JSON.stringify([terms, languages]);
  const hit = tsqueryCache.get(key);
  if (hit !== undefined) {
    // Most recently used last, so the oldest go first.
    tsqueryCache.delete(key);
    tsqueryCache.set(key, hit);
    return hit;
  }
  const built = await buildTsqueries(db, terms, languages);
  tsqueryCache.set(key, built);
  while (tsqueryCache.size > TSQUERY_CACHE_MAX) tsqueryCache.delete(tsqueryCache.keys().next().value as string);
  return built;
}

interface Prepared {
  filter: ResolvedFilter;
  terms: SearchTerm[];
  organisations: { id: string; slug: string; name: string }[];
}

/** Resolves names to ids and words to tsqueries; the shared first step of every search view. */
async function prepare(db: SqlRunner, city: CityRecord, query: SearchQuery, options: SearchOptions): Promise<Prepared> {
  const now = options.now ?? new Date();
  const terms = searchTerms(query.q);
  const [tsqueries, organisations, skillIds, frameworkId] = await Promise.all([
    terms.length > 0 ? tsqueriesOf(db, terms, city.languages) : null,
    query.organisation.length > 0 ? organisationsBySlugOrId(db, query.organisation) : [],
    query.skill.length > 0 ? skillIdsWithNarrower(db, query.skill) : null,
    query.framework ? findFrameworkId(db, city.id, query.framework) : null,
  ]);
  const filter: ResolvedFilter = {
    cityId: city.id,
    now,
    tsquery: tsqueries?.all ?? null,
    titleTsquery: tsqueries?.title ?? null,
    formats: query.format,
    ageBandIds: query.age,
    ageMin: query.ageMin,
    ageMax: query.ageMax,
    cost: query.cost,
    skillIds,
    // An unknown framework matches nothing rather than everything.
    frameworkId: query.framework ? (frameworkId ?? '00000000-0000-0000-0000-000000000000') : null,
    organisationIds: query.organisation.length > 0 ? organisations.map((o) => o.id) : null,
    districts: query.district,
    languages: query.language,
    accessibility: query.accessibility,
    range: dateRangeOf(query, city.timeZone, now),
    ...viewFilter(city, query.bbox),
    near: query.near ? { ...query.near, radiusKm: query.radiusKm } : null,
    publishedSince: options.publishedSince ?? null,
  };
  // Words that were all stop words or punctuation search for nothing in particular.
  if (terms.length > 0 && !tsqueries) filter.tsquery = null;
  return { filter, terms: tsqueries ? terms : [], organisations };
}

/** Share of the city's bounds from which a map view is searched without the spatial index. */
const LARGE_VIEW_SHARE = 0.25;

/**
 * The map view as a filter: clipped to the city's bounds (nothing lies outside them); dropped when it covers all of
 * them; kept out of the spatial index when it covers a large share (see `ResolvedFilter.bboxIndexed`).
 */
export function viewFilter(
  city: Pick<CityRecord, 'boundsWest' | 'boundsSouth' | 'boundsEast' | 'boundsNorth'>,
  bbox: SearchQuery['bbox'],
): Pick<ResolvedFilter, 'bbox' | 'bboxIndexed' | 'locatedOnly'> {
  if (!bbox) return { bbox: null, bboxIndexed: false, locatedOnly: false };
  const clipped = {
    west: Math.max(bbox.west, city.boundsWest),
    south: Math.max(bbox.south, city.boundsSouth),
    east: Math.min(bbox.east, city.boundsEast),
    north: Math.min(bbox.north, city.boundsNorth),
  };
  // A view wholly outside the city keeps its own box: it matches nothing, quickly, through the index.
  if (clipped.west >= clipped.east || clipped.south >= clipped.north) {
    return { bbox, bboxIndexed: true, locatedOnly: false };
  }
  const cityArea = (city.boundsEast - city.boundsWest) * (city.boundsNorth - city.boundsSouth);
  const share = ((clipped.east - clipped.west) * (clipped.north - clipped.south)) / cityArea;
  if (share >= 0.999) return { bbox: null, bboxIndexed: false, locatedOnly: true };
  return { bbox: clipped, bboxIndexed: share < LARGE_VIEW_SHARE, locatedOnly: false };
}

/**
 * Whether a search narrows the city down by words, a small map view or a radius: then finding the matching rows is
 * the work, and the page and its facet counts come from one pass over them. A broad one (a facet or two over the whole
 * city) reads its first page in the sort's index order instead, and keeps its counts for a minute.
 */
function selective(filter: ResolvedFilter): boolean {
  return filter.tsquery !== null || (filter.bbox !== null && filter.bboxIndexed) || !!filter.near?.radiusKm;
}

function effectiveSort(query: SearchQuery, filter: ResolvedFilter): SortKind {
  if (query.sort === 'distance' && filter.near) return 'distance';
  if (query.sort === 'date') return 'date';
  if (filter.tsquery && query.sort !== 'distance') return 'relevance';
  return filter.near && query.sort === null ? 'distance' : 'date';
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** Plain text of sanitised description HTML, cut at a word near `length`. */
export function plainSummary(htmlText: string, length = 220): string {
  const text = htmlText
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => entities[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), length * 0.6)).trimEnd()}…`;
}

function toHit(row: SearchRow, language: string, fallbacks: string[]): SearchHit {
  const title = pickText(row.title, language, fallbacks);
  return {
    id: row.id,
    slug: row.slug,
    title: title.text,
    titleLanguage: title.language,
    summary: plainSummary(pickText(row.description, title.language, fallbacks).text),
    organisation: { id: row.organisationId, slug: row.organisationSlug, name: row.organisationName },
    format: row.format,
    scheduleKind: row.scheduleKind,
    allDay: row.allDay,
    nextSession:
      row.nextSessionStart && row.nextSessionEnd
        ? { startsAt: new Date(row.nextSessionStart), endsAt: new Date(row.nextSessionEnd) }
        : null,
    lastEndAt: row.lastEndAt ? new Date(row.lastEndAt) : null,
    ageMin: row.ageMin,
    ageMax: row.ageMax,
    costKind: row.costKind,
    priceCents: row.priceCents,
    currency: row.currency,
    languages: row.languages,
    accessibility: row.accessibility,
    district: row.district,
    tags: row.tags,
    lat: row.lat === null ? null : Number(row.lat),
    lon: row.lon === null ? null : Number(row.lon),
    distanceKm:
      row.distanceKm === null || Number(row.distanceKm) >= NO_DISTANCE
        ? null
        : Math.round(Number(row.distanceKm) * 100) / 100,
    publishedAt: row.publishedAt ? new Date(row.publishedAt) : null,
  };
}

/** The facet counts of a search, named and labelled for the answer. */
async function facetsOf(
  db: SqlRunner,
  city: CityRecord,
  query: SearchQuery,
  prepared: Prepared,
  language: string,
  counted: { total: number; counts: FacetCount[] },
): Promise<{ total: number; facets: Facets }> {
  const counts: FacetCount[] = counted.counts;
  // The counts come with their organisations' and skills' names; only chosen values outside them are looked up.
  const namedOrganisations = counts.flatMap((count) => (count.organisation ? [count.organisation] : []));
  const namedSkills = counts.flatMap((count) => (count.skill ? [count.skill] : []));
  const known = new Set([...namedOrganisations, ...namedSkills].map((named) => named.id));
  const unnamed = (facet: FacetName, extra: string[] = []) => [
    ...new Set([
      ...counts.filter((count) => count.facet === facet && !known.has(count.value)).map((count) => count.value),
      ...extra.filter((id) => !known.has(id)),
    ]),
  ];
  const [organisationRows, skillRows] = await Promise.all([
    organisationsById(db, unnamed('organisation')),
    skillsById(db, unnamed('skill', query.skill)),
  ]);
  const organisationNames = new Map(
    [...prepared.organisations, ...namedOrganisations, ...organisationRows].map((o) => [o.id, o]),
  );
  const skillNames = new Map([...namedSkills, ...skillRows].map((s) => [s.id, s]));
  const selected: Record<FacetName, string[]> = {
    format: query.format,
    age: query.age,
    cost: query.cost ? [query.cost] : [],
    skill: query.skill,
    organisation: query.organisation,
    district: query.district,
    language: query.language,
    accessibility: query.accessibility,
  };
  const facets = Object.fromEntries(facetNames.map((name) => [name, [] as FacetValue[]])) as unknown as Facets;
  for (const count of counts) {
    const value: FacetValue = { value: count.value, count: count.count, selected: false };
    if (count.facet === 'organisation') {
      const organisation = organisationNames.get(count.value);
      if (!organisation) continue;
      value.value = organisation.slug;
      value.label = organisation.name;
    }
    if (count.facet === 'skill') {
      const skill = skillNames.get(count.value);
      if (!skill) continue;
      value.label = `${pickText(skill.label, language, [city.defaultLanguage]).text} (${skill.frameworkShortTitle})`;
    }
    value.selected = selected[count.facet].includes(value.value);
    facets[count.facet].push(value);
  }
  // Chosen values stay visible (with their count, or 0) even when they are not among the top values.
  for (const name of facetNames) {
    for (const chosen of selected[name]) {
      if (facets[name].some((value) => value.value === chosen)) continue;
      const organisation =
        name === 'organisation' ? prepared.organisations.find((o) => o.slug === chosen || o.id === chosen) : undefined;
      if (organisation && facets[name].some((value) => value.value === organisation.slug)) {
        for (const value of facets[name]) if (value.value === organisation.slug) value.selected = true;
        continue;
      }
      const skill = name === 'skill' ? skillNames.get(chosen) : undefined;
      facets[name].push({
        value: organisation?.slug ?? chosen,
        ...(organisation ? { label: organisation.name } : {}),
        ...(skill
          ? { label: `${pickText(skill.label, language, [city.defaultLanguage]).text} (${skill.frameworkShortTitle})` }
          : {}),
        count: 0,
        selected: true,
      });
    }
  }
  return { total: counted.total, facets };
}

/** One page of a city's published activities matching the query, with the total and (optionally) facet counts. */
export async function searchActivities(
  db: Database | SqlRunner,
  city: CityRecord,
  query: SearchQuery,
  options: SearchOptions,
): Promise<SearchResult> {
  const prepared = await prepare(db, city, query, options);
  const sort = effectiveSort(query, prepared.filter);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.cursor && (!cursor || cursor.sort !== sort)) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/cursor', problem: 'not a cursor of this search' }]);
  }
  const { filter } = prepared;
  const pageOptions = { sort, limit: query.limit, after: cursor };
  let rows: SearchRow[];
  let counted: { total: number; facets: Facets | null };
  const facetsKey = filterKey('facets', filter);
  const kept = options.facets === false ? undefined : cachedAnswer<{ total: number; counts: FacetCount[] }>(facetsKey);
  if (options.facets !== false && !kept && selective(filter)) {
    // Few matching rows, costly to find: the page and the counts come from one pass over them.
    const found = await searchRowsWithFacets(db, filter, pageOptions, accessibilityFeatures, OPEN_FACET_LIMIT);
    keepAnswer(facetsKey, { total: found.total, counts: found.counts }, found.total);
    rows = found.rows;
    counted = await facetsOf(db, city, query, prepared, options.language, found);
  } else {
    [rows, counted] = await Promise.all([
      searchRows(db, filter, pageOptions),
      options.facets === false
        ? cached(
            db,
            filterKey('count', filter),
            () => countMatches(db, filter),
            (total) => total,
          ).then((total) => ({ total, facets: null }))
        : cached(
            db,
            facetsKey,
            () => countFacets(db, filter, accessibilityFeatures, OPEN_FACET_LIMIT),
            (value) => value.total,
          ).then((value) => facetsOf(db, city, query, prepared, options.language, value)),
    ]);
  }
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const fallbacks = [city.defaultLanguage, ...city.languages];
  return {
    items: page.map((row) => toHit(row, options.language, fallbacks)),
    total: counted.total,
    facets: counted.facets,
    nextCursor: more && last ? encodeCursor(sort, { key: last.sortKey, id: last.id }) : null,
    sort,
    terms: prepared.terms,
  };
}

/** Every matching activity's id, in the search's order, up to `cap` (exports). */
export async function searchActivityIds(
  db: Database | SqlRunner,
  city: CityRecord,
  query: SearchQuery,
  options: SearchOptions & { cap: number },
): Promise<string[]> {
  const prepared = await prepare(db, city, query, options);
  const sort = effectiveSort(query, prepared.filter);
  const rows = await searchRows(db, prepared.filter, { sort, limit: options.cap - 1, after: null });
  return rows.slice(0, options.cap).map((row) => row.id);
}

// ── The map ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** From this zoom on the map shows single activities, never clusters. */
export const POINTS_ZOOM = 15;
/** At most this many single points in one answer; beyond it the map clusters whatever the zoom. */
export const MAX_MAP_POINTS = 3000;
/** A cluster cell is about this many screen pixels wide (at 256-pixel tiles). */
const CELL_PIXELS = 64;

export interface MapFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties:
    | { cluster: true; count: number; expansionZoom: number }
    | { cluster: false; id: string; slug: string; title: string; format: ActivityFormat; url: string };
}

export interface MapData {
  type: 'FeatureCollection';
  features: MapFeature[];
  /** Activities in view matching the search. */
  total: number;
  zoom: number;
}

/** Degrees of longitude (and latitude, corrected for the city's latitude) a cluster cell spans at a zoom. */
export function cellSize(zoom: number, latitude: number): { lon: number; lat: number } {
  const lon = (360 / 2 ** zoom) * (CELL_PIXELS / 256);
  return { lon, lat: lon * Math.max(0.05, Math.cos((latitude * Math.PI) / 180)) };
}

/** The zoom at which a cluster of this extent breaks into several cells (never beyond the points zoom). */
export function expansionZoomOf(zoom: number, extent: { lon: number; lat: number }, latitude: number): number {
  const span = Math.max(extent.lon, extent.lat / Math.max(0.05, Math.cos((latitude * Math.PI) / 180)));
  if (span <= 0) return POINTS_ZOOM;
  const zoomFits = Math.ceil(Math.log2((360 * CELL_PIXELS) / 256 / span));
  return Math.min(POINTS_ZOOM, Math.max(Math.floor(zoom) + 1, zoomFits));
}

/**
 * The map of a search: grid clusters (count, centroid, the zoom that splits them) and single activities (a cell with
 * one, or everything from zoom 15), grouped in SQL so a whole city of a million activities answers quickly.
 */
export async function searchMap(
  db: Database | SqlRunner,
  city: CityRecord,
  query: SearchQuery,
  options: SearchOptions & { zoom: number },
): Promise<MapData> {
  const prepared = await prepare(db, city, query, options);
  const zoom = Math.max(0, Math.min(22, options.zoom));
  const fallbacks = [city.defaultLanguage, ...city.languages];
  const point = (row: {
    id: string;
    slug: string;
    title: Record<string, string>;
    format: ActivityFormat;
    lon: number;
    lat: number;
  }): MapFeature => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [Number(row.lon), Number(row.lat)] },
    properties: {
      cluster: false,
      id: row.id,
      slug: row.slug,
      title: pickText(row.title, options.language, fallbacks).text,
      format: row.format,
      url: `/c/${city.slug}/activities/${row.slug}`,
    },
  });
  if (zoom >= POINTS_ZOOM) {
    const rows = await mapPoints(db, prepared.filter, { limit: MAX_MAP_POINTS + 1 });
    if (rows.length <= MAX_MAP_POINTS)
      return { type: 'FeatureCollection', features: rows.map(point), total: rows.length, zoom };
  }
  // The grid is anchored at 0,0 with square cells at the city's latitude, so cells stay put as the map moves.
  const latitude = city.centerLat;
  const level = Math.floor(Math.min(zoom, POINTS_ZOOM - 1));
  const cell = cellSize(level, latitude);
  const view = prepared.filter.bbox;
  // A view over much of the city is served from the whole city's cells (kept a minute when large), keeping the cells
  // whose centre is in view; a small view is grouped on its own through the spatial index.
  const wholeCity = !view || !prepared.filter.bboxIndexed;
  const filter: ResolvedFilter = wholeCity
    ? { ...prepared.filter, bbox: null, bboxIndexed: false, locatedOnly: true }
    : prepared.filter;
  // Without any filter, the whole city's cells are kept up to date on every write (activity_map_cells): read fresh.
  const unfiltered = wholeCity && filtersNothing(filter);
  const grouped = await cached(
    db,
    filterKey('map', filter, level, options.language),
    async () => {
      const cells = unfiltered
        ? await storedClusterCells(db, filter.cityId, filter.now, level)
        : await clusterCells(db, filter, cell.lon);
      const singles = await mapPointsAt(
        db,
        filter,
        cells.filter((c) => c.count === 1).map((c) => ({ lon: Number(c.minLon), lat: Number(c.minLat) })),
      );
      return { cells, singles };
    },
    (value) => (unfiltered ? 0 : value.cells.reduce((sum, c) => sum + c.count, 0)),
  );
  const inView = (lon: number, lat: number) =>
    !wholeCity || !view || (lon >= view.west && lon <= view.east && lat >= view.south && lat <= view.north);
  const features: MapFeature[] = grouped.singles.filter((row) => inView(Number(row.lon), Number(row.lat))).map(point);
  let total = features.length;
  for (const c of grouped.cells) {
    if (c.count === 1 || !inView(Number(c.lon), Number(c.lat))) continue;
    total += c.count;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [Number(c.lon), Number(c.lat)] },
      properties: {
        cluster: true,
        count: c.count,
        expansionZoom: expansionZoomOf(
          zoom,
          { lon: Number(c.maxLon) - Number(c.minLon), lat: Number(c.maxLat) - Number(c.minLat) },
          latitude,
        ),
      },
    });
  }
  return { type: 'FeatureCollection', features, total, zoom };
}
