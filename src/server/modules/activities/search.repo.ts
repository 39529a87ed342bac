import type { SqlRunner } from '../../db/client.ts';
import type { ActivityFormat, CostKind, ScheduleKind } from '../../db/schema.ts';
import type { ExportActivity, ExportVenue } from './activities.export.ts';
import { ageBands } from './activities.model.ts';
import { type ActivityRecord, activityColumns } from './activities.repo.ts';

/**
 * SQL of the public catalogue search: one WHERE builder shared by the result list, the facet counts, the map clusters
 * and the exports, so every view of a search shows the same activities. Every value travels as a parameter; the
 * statement text only ever contains SQL written here.
 */

/** Facets whose filter is one condition each; a facet's own counts ignore its own filter (standard faceting). */
export const facetNames = [
  'format',
  'age',
  'cost',
  'skill',
  'organisation',
  'district',
  'language',
  'accessibility',
] as const;
export type FacetName = (typeof facetNames)[number];

/** A search as the database sees it: names already resolved to ids, dates to instants, words to a tsquery. */
export interface ResolvedFilter {
  cityId: string;
  now: Date;
  /** A tsquery (text form) over every word; null without words. */
  tsquery: string | null;
  /** The same words restricted to title (weight A) lexemes, for the title boost in ranking. */
  titleTsquery: string | null;
  formats: string[];
  ageBandIds: string[];
  /** The learner's own age range. */
  ageMin: number | null;
  ageMax: number | null;
  cost: CostKind | null;
  /** Skill ids including narrower skills of the chosen ones; null when no skill filter. */
  skillIds: string[] | null;
  /** Framework id: only activities with a skill of this framework; null for any. */
  frameworkId: string | null;
  organisationIds: string[] | null;
  districts: string[];
  languages: string[];
  accessibility: string[];
  /** Activities with a non-cancelled session overlapping [from, to). */
  range: { from: Date; to: Date } | null;
  bbox: { west: number; south: number; east: number; north: number } | null;
  /**
   * Whether the bounding box should go through the GiST index. A view covering much of the city selects most of it,
   * which the planner cannot know (its estimate for `<@ box` is a constant), so a large view is written as plain
   * comparisons the planner reads as a filter.
   */
  bboxIndexed: boolean;
  /** Only activities with a place (a map view covering the whole city is this, and no box). */
  locatedOnly: boolean;
  near: { lat: number; lon: number; radiusKm: number | null } | null;
  /** Only activities published at or after this instant (saved-search alerts). */
  publishedSince: Date | null;
}

/** Collects parameters; `add` returns the placeholder of a value. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const KM_PER_DEGREE = 111.195;
/** The distance key of an activity without a place. */
export const NO_DISTANCE = 1e9;

/** Kilometres between a row's location and a point (equirectangular: exact enough within a city). */
export function distanceSql(near: { lat: number; lon: number }, params: Params): string {
  const lon = params.add(near.lon);
  const lat = params.add(near.lat);
  const cos = params.add(Math.cos((near.lat * Math.PI) / 180));
  return `(${KM_PER_DEGREE} * sqrt(power((a.location[0] - ${lon}::float8) * ${cos}::float8, 2) + power(a.location[1] - ${lat}::float8, 2)))`;
}

// ── Words within a map view ─────────────────────────────────────────────────────────────────────────────────────

/** Side of the squares of `activities_area_search_idx`, in degrees (`activity_area_search_vector()`, migration 0010). */
export const AREA_DEGREES = 0.01;
/** A view needing more squares than this searches its words through the city-wide full-text index instead. */
export const MAX_AREAS = 256;

export interface ViewBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/**
 * The keys of the squares a box touches (`x,y|`, as the index prefixes lexemes), or null when there are more than
 * MAX_AREAS. The same floor of the same division as in SQL, so every point in the box falls in one of them.
 */
export function areaKeys(box: ViewBox): string[] | null {
  const x0 = Math.floor(box.west / AREA_DEGREES);
  const x1 = Math.floor(box.east / AREA_DEGREES);
  const y0 = Math.floor(box.south / AREA_DEGREES);
  const y1 = Math.floor(box.north / AREA_DEGREES);
  if (x1 < x0 || y1 < y0 || (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_AREAS) return null;
  const keys: string[] = [];
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) keys.push(`${x},${y}|`);
  return keys;
}

const quotedLexeme = /'((?:[^']|'')+)'((?::[*A-D]+)?)/g;

/**
 * The tsquery (the text `buildTsqueries` made) once per square, with each lexeme prefixed by the square's key:
 * `'cycl':* & 'club':*` in square `2538,5477|` asks `'2538,5477|cycl':* & '2538,5477|club':*`. The index is read once
 * per square (a list of queries, not one query of alternatives, whose merge would cost per square for every row
 * found). The per-square vector has no positions, so a phrase's words are only required together (`<->` becomes
 * `&`); their order is checked on the row's own vector (whereParts).
 */
export function areaTsqueries(tsquery: string, keys: string[]): string[] {
  const unordered = tsquery.replace(/<(?:\d+|-)>/g, '&');
  return keys.map((key) =>
    unordered.replace(quotedLexeme, (_, lexeme: string, suffix: string) => `'${key}${lexeme}'${suffix}`),
  );
}

/** The box a search is limited to through the spatial index (a small map view, a radius), or null. */
function indexedBox(filter: ResolvedFilter): ViewBox | null {
  const boxes: ViewBox[] = [];
  if (filter.bbox && filter.bboxIndexed) boxes.push(filter.bbox);
  if (filter.near?.radiusKm) boxes.push(radiusBox(filter.near as { lat: number; lon: number; radiusKm: number }));
  if (boxes.length === 0) return null;
  return boxes.reduce((a, b) => ({
    west: Math.max(a.west, b.west),
    south: Math.max(a.south, b.south),
    east: Math.min(a.east, b.east),
    north: Math.min(a.north, b.north),
  }));
}

function radiusBox(near: { lat: number; lon: number; radiusKm: number }): ViewBox {
  const dLat = near.radiusKm / KM_PER_DEGREE;
  const dLon = near.radiusKm / (KM_PER_DEGREE * Math.max(0.01, Math.cos((near.lat * Math.PI) / 180)));
  return { west: near.lon - dLon, south: near.lat - dLat, east: near.lon + dLon, north: near.lat + dLat };
}

export interface WhereParts {
  /**
   * The table the conditions read as `a`: words within a map view read `activity_search_rows`, the search's copy kept
   * in place order (migration 0013), where candidates of one place share pages; everything else `activities`. Both
   * have every column the conditions, the facets, the rank and the page order use.
   */
  source: 'activities' | 'activity_search_rows';
  /** Conditions every view applies. */
  common: string[];
  /** Conditions of the facets that are set, by facet. */
  facets: Partial<Record<FacetName, string>>;
}

/** The conditions of a search, split into the common ones and one per active facet. */
export function whereParts(filter: ResolvedFilter, params: Params): WhereParts {
  const common = [
    `a.city_id = ${params.add(filter.cityId)}`,
    `a.status = 'published'`,
    // Finished activities leave the public catalogue; on-demand ones (no end) stay.
    `(a.last_end_at IS NULL OR a.last_end_at > ${params.add(filter.now)})`,
  ];
  // Words within a small view go through the per-square index (see areaTsqueries); the view's box is then written as
  // plain comparisons so the planner does not also read the spatial index for it.
  const box = filter.tsquery ? indexedBox(filter) : null;
  const areas = box ? areaKeys(box) : null;
  const source = filter.tsquery && areas ? 'activity_search_rows' : 'activities';
  if (filter.tsquery && areas) {
    common.push(
      `activity_area_search_vector(a.search_vector, a.location) @@ ANY(${params.add(areaTsqueries(filter.tsquery, areas))}::tsquery[])`,
    );
    // The per-square vector has no positions: word order in phrases is checked on the row (a function call, so the
    // planner does not read the city-wide index for it as well).
    if (filter.tsquery.includes('<')) {
      common.push(`ts_match_vq(a.search_vector, ${params.add(filter.tsquery)}::tsquery)`);
    }
  } else if (filter.tsquery) {
    common.push(`a.search_vector @@ ${params.add(filter.tsquery)}::tsquery`);
  }
  const boxCondition = (b: ViewBox, indexed: boolean) =>
    indexed
      ? `a.location <@ box(point(${params.add(b.west)}, ${params.add(b.south)}), point(${params.add(b.east)}, ${params.add(b.north)}))`
      : `a.location[0] BETWEEN ${params.add(b.west)} AND ${params.add(b.east)} AND a.location[1] BETWEEN ${params.add(b.south)} AND ${params.add(b.north)}`;
  if (filter.ageMin !== null || filter.ageMax !== null) {
    common.push(
      `coalesce(a.age_min, 0) <= ${params.add(filter.ageMax ?? 120)} AND coalesce(a.age_max, 120) >= ${params.add(filter.ageMin ?? 0)}`,
    );
  }
  if (filter.frameworkId) {
    common.push(`EXISTS (SELECT 1 FROM skills fs
      WHERE fs.id = ANY(a.skill_ids) AND fs.framework_id = ${params.add(filter.frameworkId)})`);
  }
  if (filter.range) {
    common.push(`EXISTS (SELECT 1 FROM activity_sessions s WHERE s.activity_id = a.id AND s.city_id = a.city_id
      AND s.cancelled_at IS NULL AND s.starts_at < ${params.add(filter.range.to)} AND s.ends_at > ${params.add(filter.range.from)})`);
  }
  if (filter.bbox) common.push(boxCondition(filter.bbox, filter.bboxIndexed && !areas));
  if (filter.locatedOnly) common.push('a.location IS NOT NULL');
  if (filter.near?.radiusKm) {
    const { lat, lon, radiusKm } = filter.near;
    // The GiST index narrows to the enclosing box; the exact distance then trims its corners.
    common.push(
      boxCondition(radiusBox({ lat, lon, radiusKm }), !areas),
      `${distanceSql(filter.near, params)} <= ${params.add(radiusKm)}`,
    );
  }
  if (filter.publishedSince) common.push(`a.published_at >= ${params.add(filter.publishedSince)}`);

  const facets: Partial<Record<FacetName, string>> = {};
  if (filter.formats.length > 0) facets.format = `a.format = ANY(${params.add(filter.formats)}::text[])`;
  if (filter.ageBandIds.length > 0) {
    const bands = ageBands.filter((band) => filter.ageBandIds.includes(band.id));
    facets.age = `(${bands
      .map((band) => `(coalesce(a.age_min, 0) <= ${band.max} AND coalesce(a.age_max, 120) >= ${band.min})`)
      .join(' OR ')})`;
  }
  if (filter.cost) facets.cost = `a.cost_kind = ${params.add(filter.cost)}`;
  if (filter.skillIds) {
    facets.skill = `a.skill_ids && ${params.add(filter.skillIds)}::uuid[]`;
  }
  if (filter.organisationIds) {
    facets.organisation = `a.organisation_id = ANY(${params.add(filter.organisationIds)}::uuid[])`;
  }
  if (filter.districts.length > 0) facets.district = `a.district = ANY(${params.add(filter.districts)}::text[])`;
  if (filter.languages.length > 0) facets.language = `a.languages && ${params.add(filter.languages)}::text[]`;
  // Accessibility features add up (step-free AND hearing loop), so they filter like a common condition.
  if (filter.accessibility.length > 0) {
    common.push(`a.accessibility @> ${params.add(filter.accessibility)}::text[]`);
  }
  return { source, common, facets };
}

/**
 * True when a search asks for nothing but the city's published activities still on (and, at most, with a place):
 * no words, facet, date, place or publication filter. Told from the conditions themselves, so a new kind of filter
 * counts without being listed here.
 */
export function filtersNothing(filter: ResolvedFilter): boolean {
  const parts = whereParts(filter, new Params());
  return Object.keys(parts.facets).length === 0 && parts.common.length === (filter.locatedOnly ? 4 : 3);
}

/** The WHERE clause with every condition, or all but the facets named in `except`. */
export function whereSql(parts: WhereParts, except: FacetName[] = []): string {
  const conditions = [
    ...parts.common,
    ...Object.entries(parts.facets)
      .filter(([name]) => !except.includes(name as FacetName))
      .map(([, condition]) => condition),
  ];
  return conditions.join('\n  AND ');
}

// ── Words → tsquery ─────────────────────────────────────────────────────────────────────────────────────────────

/** A search term: one word, or a quoted phrase of several. */
export type SearchTerm = string[];

/**
 * Builds the tsquery of the terms in SQL (so each language's own stemmer does the work): every term must match, in
 * any of the configurations (the stemmers of the city's `languages` plus 'simple'), as a prefix (`word:*`). A phrase is its
 * words in order (`<->`). A lone word that is a stop word in one of the city's languages is left out (unless every
 * word is one), so "the" or "con" do not match every title that starts with them. The words are letters and digits
 * only, so nothing the user typed can be read as tsquery syntax.
 */
export async function buildTsqueries(
  db: SqlRunner,
  terms: SearchTerm[],
  languages: string[],
): Promise<{ all: string; title: string } | null> {
  if (terms.length === 0) return null;
  const texts = terms.map((words) => words.map((word) => `${word}:*`).join(' <-> '));
  const titleTexts = terms.map((words) => words.map((word) => `${word}:*A`).join(' <-> '));
  const single = terms.map((words) => words.length === 1);
  const rows = await db.query<{ position: number; kind: 'any' | 'title'; q: string }>(
    `WITH cfgs AS (
       SELECT DISTINCT learnscape_text_search_config(l)::text AS cfg FROM unnest($4::text[]) AS l
       UNION SELECT 'simple'
     ), term AS (
       SELECT t.position, t.body, t.title_body, t.single,
              bool_or(t.single AND c.cfg <> 'simple' AND numnode(to_tsquery(c.cfg::regconfig, t.body)) = 0) AS stop
         FROM unnest($1::text[], $2::text[], $3::boolean[]) WITH ORDINALITY AS t(body, title_body, single, position)
         CROSS JOIN cfgs c
        GROUP BY t.position, t.body, t.title_body, t.single
     ), kept AS (
       SELECT * FROM term WHERE NOT stop OR NOT EXISTS (SELECT 1 FROM term WHERE NOT stop)
     )
     SELECT k.position::int AS position, x.kind, x.q::text AS q
       FROM kept k
       CROSS JOIN cfgs c
       CROSS JOIN LATERAL (VALUES ('any', to_tsquery(c.cfg::regconfig, k.body)),
                                  ('title', to_tsquery(c.cfg::regconfig, k.title_body))) AS x(kind, q)
      WHERE numnode(x.q) > 0`,
    [texts, titleTexts, single, languages],
  );
  const byTerm = new Map<number, { any: Set<string>; title: Set<string> }>();
  for (const row of rows) {
    const entry = byTerm.get(row.position) ?? { any: new Set<string>(), title: new Set<string>() };
    entry[row.kind].add(row.q);
    byTerm.set(row.position, entry);
  }
  if (byTerm.size === 0) return null;
  const ordered = [...byTerm.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  const combine = (kind: 'any' | 'title') =>
    ordered
      .map(
        (entry) =>
          `(${minimalBranches([...entry[kind]])
            .map((q) => `(${q})`)
            .join(' | ')})`,
      )
      .join(' & ');
  return { all: combine('any'), title: combine('title') };
}

const prefixLexeme = /^'((?:[^']|'')+)':\*A?$/;

/**
 * Drops the branches another branch already covers: `'theatre':*` when `'theatr':*` is there too (the stemmers and
 * 'simple' often agree, or one's stem is a prefix of another's), so the index is read once per distinct prefix.
 */
export function minimalBranches(branches: string[]): string[] {
  const unique = [...new Set(branches)];
  const lexeme = (branch: string) => prefixLexeme.exec(branch)?.[1];
  return unique.filter((branch) => {
    const own = lexeme(branch);
    if (own === undefined) return true;
    const suffix = branch.endsWith('A') ? 'A' : '';
    return !unique.some((other) => {
      const shorter = lexeme(other);
      return (
        other !== branch &&
        shorter !== undefined &&
        other.endsWith(suffix) &&
        own.startsWith(shorter) &&
        own !== shorter
      );
    });
  });
}

// ── Results ─────────────────────────────────────────────────────────────────────────────────────────────────────

export type SortKind = 'relevance' | 'date' | 'distance';

export interface SearchRow {
  id: string;
  slug: string;
  title: Record<string, string>;
  description: Record<string, string>;
  format: ActivityFormat;
  scheduleKind: ScheduleKind;
  allDay: boolean;
  nextStartAt: Date | null;
  nextSessionStart: Date | null;
  nextSessionEnd: Date | null;
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
  lon: number | null;
  lat: number | null;
  organisationId: string;
  organisationSlug: string;
  organisationName: string;
  publishedAt: Date | null;
  /** The sort key of the row (for the cursor): rank or km as a number, or a UTC timestamp as text. */
  sortKey: number | string | null;
  rank: number | null;
  distanceKm: number | null;
}

export interface Keyset {
  key: number | string | null;
  id: string;
}

/** What orders a page: the expressions of rank and distance, and for the sort its key, order and cursor condition. */
interface PageOrder {
  keyExpression: string;
  order: string;
  outerOrder: string;
  /** The cursor's condition, or null on the first page. */
  after: string | null;
}

/** Rank and distance of a row `a` of activities (null when the search has no words, or no point). */
function rankAndDistance(filter: ResolvedFilter, params: Params): { rank: string; distance: string } {
  let rank = 'NULL::float8';
  let distance = 'NULL::float8';
  if (filter.tsquery && filter.titleTsquery) {
    // Cover density over the weighted vector, plus 1 for any title match, so title matches always come first.
    rank = `(ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', a.search_vector, ${params.add(filter.tsquery)}::tsquery)::float8
      + (a.search_vector @@ ${params.add(filter.titleTsquery)}::tsquery)::int)`;
  }
  // Activities without a place (online ones) sort after every distance.
  if (filter.near) distance = `coalesce(${distanceSql(filter.near, params)}, ${NO_DISTANCE})`;
  return { rank, distance };
}

/** The order of a page over rows `a` having `id` and `next_start_at`, ranked and measured by the given expressions. */
function pageOrder(
  options: { sort: SortKind; after: Keyset | null },
  expressions: { rank: string; distance: string },
  params: Params,
): PageOrder {
  const { after } = options;
  const { rank, distance } = expressions;
  if (options.sort === 'relevance') {
    const key = after ? params.add(after.key) : '';
    return {
      keyExpression: rank,
      order: `${rank} DESC, a.id`,
      outerOrder: 'page.rank DESC, page.id',
      after: after
        ? `(${rank} < ${key}::float8 OR (${rank} = ${key}::float8 AND a.id > ${params.add(after.id)}))`
        : null,
    };
  }
  if (options.sort === 'distance') {
    const key = after ? params.add(after.key) : '';
    return {
      keyExpression: distance,
      order: `${distance}, a.id`,
      outerOrder: 'page."distanceKm", page.id',
      after: after
        ? `(${distance} > ${key}::float8 OR (${distance} = ${key}::float8 AND a.id > ${params.add(after.id)}))`
        : null,
    };
  }
  let condition: string | null = null;
  if (after) {
    const id = params.add(after.id);
    if (after.key === null) condition = `(a.next_start_at IS NULL AND a.id > ${id})`;
    else {
      const key = `(${params.add(after.key)}::timestamp AT TIME ZONE 'UTC')`;
      condition = `(a.next_start_at > ${key} OR (a.next_start_at = ${key} AND a.id > ${id}) OR a.next_start_at IS NULL)`;
    }
  }
  return {
    // Microsecond-exact text, so the cursor compares equal to the stored value.
    keyExpression: `(a.next_start_at AT TIME ZONE 'UTC')::text`,
    order: 'a.next_start_at ASC NULLS LAST, a.id',
    outerOrder: 'page."nextStartAt" ASC NULLS LAST, page.id',
    after: condition,
  };
}

/** The columns of a result row from activities `a`, its organisation `o` and its next session `next`. */
const pageColumns = `a.id, a.slug, a.title, a.description, a.format, a.schedule_kind AS "scheduleKind",
  a.all_day AS "allDay", a.next_start_at AS "nextStartAt", a.last_end_at AS "lastEndAt", a.age_min AS "ageMin",
  a.age_max AS "ageMax", a.cost_kind AS "costKind", a.price_cents AS "priceCents", a.currency, a.languages,
  a.accessibility, a.district, a.tags, a.location[0] AS lon, a.location[1] AS lat, a.organisation_id AS "organisationId",
  a.published_at AS "publishedAt", o.slug AS "organisationSlug", o.name AS "organisationName",
  next.starts_at AS "nextSessionStart", next.ends_at AS "nextSessionEnd"`;

/** The next (or current) non-cancelled session of `page.id`, joined as `next`. */
const nextSessionJoin = (now: string) => `LEFT JOIN LATERAL (
         SELECT s.starts_at, s.ends_at FROM activity_sessions s
          WHERE s.activity_id = page.id AND s.cancelled_at IS NULL AND s.ends_at > ${now}
          ORDER BY s.starts_at LIMIT 1
       ) next ON true`;

/** One page of results in the sort's order, with one row more than `limit` when there are more. */
export async function searchRows(
  db: SqlRunner,
  filter: ResolvedFilter,
  options: { sort: SortKind; limit: number; after: Keyset | null },
): Promise<SearchRow[]> {
  const params = new Params();
  const parts = whereParts(filter, params);
  const expressions = rankAndDistance(filter, params);
  const sort = pageOrder(options, expressions, params);
  const conditions = [whereSql(parts), ...(sort.after ? [sort.after] : [])];
  const now = params.add(filter.now);
  const limit = params.add(options.limit + 1);
  return db.query<SearchRow>(
    `SELECT ${pageColumns}, page."sortKey", page.rank, page."distanceKm"
       FROM (
         SELECT a.id, a.next_start_at AS "nextStartAt", ${sort.keyExpression} AS "sortKey",
                ${expressions.rank} AS rank, ${expressions.distance} AS "distanceKm"
           FROM ${parts.source} a
          WHERE ${conditions.join('\n AND ')}
          ORDER BY ${sort.order}
          LIMIT ${limit}
       ) page
       JOIN activities a ON a.id = page.id
       JOIN organisations o ON o.id = a.organisation_id
       ${nextSessionJoin(now)}
      ORDER BY ${sort.outerOrder}`,
    params.values,
  );
}

// ── Facets ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface FacetCount {
  facet: FacetName;
  value: string;
  count: number;
  /** What an organisation's or skill's value is called, read with the counts. */
  organisation?: OrganisationName;
  skill?: SkillName;
}

interface CountRow {
  facet: string;
  value: string;
  count: number;
  /** JSON of the organisation or skill a value stands for. */
  about: string | null;
}

const fixedFacets: { facet: FacetName; value: string; condition: string }[] = [
  ...(['in_person', 'online', 'blended'] as const).map((value) => ({
    facet: 'format' as const,
    value,
    condition: `a.format = '${value}'`,
  })),
  ...(['free', 'paid'] as const).map((value) => ({
    facet: 'cost' as const,
    value,
    condition: `a.cost_kind = '${value}'`,
  })),
  ...ageBands.map((band) => ({
    facet: 'age' as const,
    value: band.id,
    condition: `coalesce(a.age_min, 0) <= ${band.max} AND coalesce(a.age_max, 120) >= ${band.min}`,
  })),
];

/** How many activities match the whole search. */
export async function countMatches(db: SqlRunner, filter: ResolvedFilter): Promise<number> {
  const params = new Params();
  const parts = whereParts(filter, params);
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${parts.source} a WHERE ${whereSql(parts)}`,
    params.values,
  );
  return row?.count ?? 0;
}

interface FacetPlan {
  /** The table `base` reads (WhereParts.source). */
  source: WhereParts['source'];
  /** The conditions common to every row of `base`, and the facets' conditions as flags `f_<facet>` on its rows. */
  baseWhere: string;
  flags: string;
  /** The flags as columns of a row `a` that has them. */
  flagColumns: string;
  /** Rows failing two or more facet filters count nowhere, so they are not kept. */
  atMostOneFails: string;
  /** Every facet filter passes (the rows of the result). */
  all: string;
  /** A SELECT over `base` giving (facet, value, count) rows: one 'fixed' row with a JSON object, then the open facets. */
  counts: string;
  entries: { facet: FacetName; value: string }[];
}

/**
 * The facet counting of a search over a materialised `base` of the rows matching the common conditions (each facet's
 * condition evaluated once per row, as a flag): each facet counts the rows that pass every other facet's filter — so a
 * facet's own choices do not hide its other values. Accessibility features add up, so their counts apply every
 * filter. Facets with a fixed set of values count in one pass with FILTER aggregates; organisation, district,
 * language and skill give their `openLimit` most frequent values.
 */
function facetPlan(
  filter: ResolvedFilter,
  params: Params,
  accessibilityCodes: readonly string[],
  openLimit: number,
): FacetPlan {
  const parts = whereParts(filter, params);
  const active = Object.keys(parts.facets) as FacetName[];
  const flag = (name: FacetName) => `f_${name}`;
  const others = (facet: FacetName) =>
    active
      .filter((name) => name !== facet)
      .map(flag)
      .join(' AND ') || 'true';
  const all = active.map(flag).join(' AND ') || 'true';
  const entries = [
    ...fixedFacets,
    ...accessibilityCodes.map((code) => ({
      facet: 'accessibility' as const,
      value: code,
      condition: `a.accessibility @> ARRAY[${params.add(code)}]::text[]`,
    })),
  ];
  const aggregates = entries.map(
    (entry, index) =>
      `count(*) FILTER (WHERE ${entry.facet === 'accessibility' ? all : others(entry.facet)} AND ${entry.condition})::int AS c${index}`,
  );
  const limit = params.add(openLimit);
  return {
    source: parts.source,
    baseWhere: whereSql(parts, active),
    flags: active.map((name) => `, coalesce(${parts.facets[name]}, false) AS ${flag(name)}`).join(''),
    flagColumns: active.map((name) => `, a.${flag(name)}`).join(''),
    atMostOneFails:
      active.length > 1 ? `WHERE (${active.map((name) => `(NOT ${flag(name)})::int`).join(' + ')}) <= 1` : '',
    all,
    counts: `SELECT 'fixed' AS facet, row_to_json(f)::text AS value, 0 AS count, NULL::text AS about
       FROM (SELECT count(*) FILTER (WHERE ${all})::int AS total, ${aggregates.join(', ')} FROM base a) f
     UNION ALL (SELECT 'organisation', t.value, t.count,
                       json_build_object('id', o.id, 'slug', o.slug, 'name', o.name)::text
                  FROM (SELECT a.organisation_id::text AS value, count(*)::int AS count FROM base a
                         WHERE ${others('organisation')} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}) t
                  JOIN organisations o ON o.id = t.value::uuid
                 ORDER BY 3 DESC, 2)
     UNION ALL (SELECT 'district', a.district, count(*)::int, NULL FROM base a
                 WHERE ${others('district')} AND a.district IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${limit} * 2)
     UNION ALL (SELECT 'language', l.code, sum(g.n)::int, NULL
                  FROM (SELECT a.languages, count(*) AS n FROM base a WHERE ${others('language')} GROUP BY 1) g
                  CROSS JOIN LATERAL unnest(g.languages) AS l(code)
                 GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${limit})
     UNION ALL (SELECT 'skill', t.value, t.count,
                       json_build_object('id', s.id, 'label', s.label, 'frameworkSlug', f.slug,
                                         'frameworkShortTitle', f.short_title)::text
                  FROM (SELECT x.skill_id::text AS value, sum(g.n)::int AS count
                          FROM (SELECT a.skill_ids, count(*) AS n FROM base a WHERE ${others('skill')} GROUP BY 1) g
                          CROSS JOIN LATERAL unnest(g.skill_ids) AS x(skill_id)
                         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}) t
                  JOIN skills s ON s.id = t.value::uuid JOIN skill_frameworks f ON f.id = s.framework_id
                 ORDER BY 3 DESC, 2)`,
    entries,
  };
}

/** The columns `base` keeps of each matching row for counting facets. */
const facetColumns = `a.id, a.format, a.cost_kind, a.age_min, a.age_max, a.accessibility, a.organisation_id, a.district,
                a.languages, a.skill_ids`;

function facetResult(plan: FacetPlan, rows: CountRow[]): { total: number; counts: FacetCount[] } {
  const fixedRow = rows.find((row) => row.facet === 'fixed');
  const fixed = (fixedRow ? JSON.parse(fixedRow.value) : {}) as Record<string, number>;
  return {
    total: fixed.total ?? 0,
    counts: [
      ...plan.entries.map((entry, index) => ({
        facet: entry.facet,
        value: entry.value,
        count: fixed[`c${index}`] ?? 0,
      })),
      ...rows
        .filter((row) => row.facet !== 'fixed' && row.facet !== 'row')
        .map((row) => ({
          facet: row.facet as FacetName,
          value: row.value,
          count: row.count,
          ...(row.about && row.facet === 'organisation'
            ? { organisation: JSON.parse(row.about) as OrganisationName }
            : {}),
          ...(row.about && row.facet === 'skill' ? { skill: JSON.parse(row.about) as SkillName } : {}),
        })),
    ],
  };
}

/** The total and every facet's counts in one statement (see facetPlan). */
export async function countFacets(
  db: SqlRunner,
  filter: ResolvedFilter,
  accessibilityCodes: readonly string[],
  openLimit: number,
): Promise<{ total: number; counts: FacetCount[] }> {
  const params = new Params();
  const plan = facetPlan(filter, params, accessibilityCodes, openLimit);
  const rows = await db.query<CountRow>(
    `WITH base AS MATERIALIZED (
       SELECT * FROM (
         SELECT ${facetColumns}${plan.flags}
           FROM ${plan.source} a WHERE ${plan.baseWhere}
         OFFSET 0
       ) a ${plan.atMostOneFails}
     )
     ${plan.counts}`,
    params.values,
  );
  return facetResult(plan, rows);
}

const dateColumns = ['nextStartAt', 'lastEndAt', 'publishedAt', 'nextSessionStart', 'nextSessionEnd'] as const;

/**
 * A page of results with the total and every facet's counts, in one statement and from one pass over the matching
 * rows: the `base` of facetPlan also carries each row's rank or distance (computed only for rows passing every
 * filter), the page is the best of those, and only its rows are read again for what a result shows. For selective
 * searches (words, a small view, a radius), where the matching rows are few and finding them is the work.
 */
export async function searchRowsWithFacets(
  db: SqlRunner,
  filter: ResolvedFilter,
  options: { sort: SortKind; limit: number; after: Keyset | null },
  accessibilityCodes: readonly string[],
  openLimit: number,
): Promise<{ rows: SearchRow[]; total: number; counts: FacetCount[] }> {
  const params = new Params();
  const plan = facetPlan(filter, params, accessibilityCodes, openLimit);
  const expressions = rankAndDistance(filter, params);
  const sort = pageOrder(options, { rank: 'a.rank', distance: 'a.distance' }, params);
  const now = params.add(filter.now);
  const limit = params.add(options.limit + 1);
  const rows = await db.query<CountRow>(
    `WITH base AS MATERIALIZED (
       SELECT ${facetColumns}, a.next_start_at${plan.flagColumns},
              CASE WHEN ${plan.all} THEN ${expressions.rank} END AS rank,
              CASE WHEN ${plan.all} THEN ${expressions.distance} END AS distance
         FROM (
           SELECT ${facetColumns}, a.next_start_at, a.search_vector, a.location${plan.flags}
             FROM ${plan.source} a WHERE ${plan.baseWhere}
           OFFSET 0
         ) a ${plan.atMostOneFails}
     ),
     page AS (
       SELECT a.id, a.next_start_at AS "nextStartAt", ${sort.keyExpression} AS "sortKey", a.rank,
              a.distance AS "distanceKm"
         FROM base a
        WHERE ${plan.all}${sort.after ? ` AND ${sort.after}` : ''}
        ORDER BY ${sort.order}
        LIMIT ${limit}
     )
     SELECT 'row' AS facet, row_to_json(r)::text AS value, r.position AS count, NULL::text AS about FROM (
       SELECT ${pageColumns}, page."sortKey", page.rank, page."distanceKm",
              (row_number() OVER (ORDER BY ${sort.outerOrder}))::int AS position
         FROM page
         JOIN activities a ON a.id = page.id
         JOIN organisations o ON o.id = a.organisation_id
         ${nextSessionJoin(now)}
     ) r
     UNION ALL
     ${plan.counts}`,
    params.values,
  );
  const page = rows
    .filter((row) => row.facet === 'row')
    .sort((a, b) => a.count - b.count)
    .map((row) => {
      const { position: _position, ...item } = JSON.parse(row.value) as Record<string, unknown>;
      for (const column of dateColumns) if (typeof item[column] === 'string') item[column] = new Date(item[column]);
      return item as unknown as SearchRow;
    });
  return { rows: page, ...facetResult(plan, rows) };
}

// ── Map ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ClusterCell {
  count: number;
  lon: number;
  lat: number;
  minLon: number;
  maxLon: number;
  minLat: number;
  maxLat: number;
}

/** The cell height of a city's grid for a cell width, computed where the cells are (`activity_map_lat_factor`). */
const cellHeightSql = (cityId: string, cellLon: string) =>
  `(${cellLon}::float8 * (SELECT activity_map_lat_factor(c.center_lat) FROM cities c WHERE c.id = ${cityId}))`;

/**
 * Matching activities grouped by the cells of the map grid at a zoom (`cellLon` wide, anchored at 0,0 so cells stay
 * put as the map pans), read from the activities themselves: any search.
 */
export async function clusterCells(db: SqlRunner, filter: ResolvedFilter, cellLon: number): Promise<ClusterCell[]> {
  const params = new Params();
  const parts = whereParts(filter, params);
  const where = whereSql(parts);
  const width = params.add(cellLon);
  const height = cellHeightSql(params.add(filter.cityId), width);
  return db.query<ClusterCell>(
    `SELECT count(*)::int AS count, avg(a.location[0]) AS lon, avg(a.location[1]) AS lat,
            min(a.location[0]) AS "minLon", max(a.location[0]) AS "maxLon",
            min(a.location[1]) AS "minLat", max(a.location[1]) AS "maxLat"
       FROM ${parts.source} a
      WHERE ${where} AND a.location IS NOT NULL
      GROUP BY floor(a.location[0] / ${width}::float8), floor(a.location[1] / ${height})`,
    params.values,
  );
}

/** The zoom of the cells kept in activity_map_cells; coarser zooms are unions of them. */
export const STORED_CELL_ZOOM = 14;
/** Their width in degrees: 90 / 2^14, as migration 0010 has it. */
export const STORED_CELL_LON = 90 / 2 ** STORED_CELL_ZOOM;

/**
 * Every published activity of a city with a place, grouped by the map grid's cells at a zoom up to 14 — the answer of
 * clusterCells for a search without any filter — from activity_map_cells instead of the activities: the kept zoom-14
 * cells, corrected for the instant (they count activities by whether `next_start_at` was still set, the search by
 * whether the last session has ended: the few activities on either side are read through two small indexes), then
 * merged into the zoom's cells (2^(14 − zoom) kept cells a side, the same cells floor() gives at that zoom). A kept
 * cell that lost an activity on its edge this way is read from the activities, so extents stay exact.
 */
export async function storedClusterCells(
  db: SqlRunner,
  cityId: string,
  now: Date,
  zoom: number,
): Promise<ClusterCell[]> {
  const params = new Params();
  const city = params.add(cityId);
  const at = params.add(now);
  const width = params.add(STORED_CELL_LON);
  const merge = params.add(2 ** (STORED_CELL_ZOOM - Math.min(STORED_CELL_ZOOM, Math.max(0, Math.floor(zoom)))));
  return db.query<ClusterCell>(
    `WITH grid AS (
       SELECT ${width}::float8 AS width, ${width}::float8 * activity_map_lat_factor(c.center_lat) AS height
         FROM cities c WHERE c.id = ${city}
     ),
     moved AS (
       SELECT a.location[0] AS lon, a.location[1] AS lat, -1 AS sign FROM activities a
        WHERE a.city_id = ${city} AND a.status = 'published' AND a.location IS NOT NULL
          AND a.next_start_at IS NOT NULL AND a.last_end_at <= ${at}
       UNION ALL
       SELECT a.location[0], a.location[1], 1 FROM activities a
        WHERE a.city_id = ${city} AND a.status = 'published' AND a.location IS NOT NULL
          AND a.next_start_at IS NULL AND a.last_end_at > ${at}
     ),
     delta AS (
       SELECT floor(m.lon / g.width)::int AS cell_x, floor(m.lat / g.height)::int AS cell_y, sum(m.sign)::int AS n,
              sum(m.sign * m.lon) AS lon_sum, sum(m.sign * m.lat) AS lat_sum,
              min(m.lon) FILTER (WHERE m.sign > 0) AS lon_min, max(m.lon) FILTER (WHERE m.sign > 0) AS lon_max,
              min(m.lat) FILTER (WHERE m.sign > 0) AS lat_min, max(m.lat) FILTER (WHERE m.sign > 0) AS lat_max,
              min(m.lon) FILTER (WHERE m.sign < 0) AS gone_lon_min, max(m.lon) FILTER (WHERE m.sign < 0) AS gone_lon_max,
              min(m.lat) FILTER (WHERE m.sign < 0) AS gone_lat_min, max(m.lat) FILTER (WHERE m.sign < 0) AS gone_lat_max
         FROM moved m CROSS JOIN grid g
        GROUP BY 1, 2
     ),
     fine AS (
       SELECT coalesce(k.cell_x, d.cell_x) AS cell_x, coalesce(k.cell_y, d.cell_y) AS cell_y,
              coalesce(k.activities, 0) + coalesce(d.n, 0) AS n,
              coalesce(k.lon_sum, 0) + coalesce(d.lon_sum, 0) AS lon_sum,
              coalesce(k.lat_sum, 0) + coalesce(d.lat_sum, 0) AS lat_sum,
              least(k.lon_min, d.lon_min) AS lon_min, greatest(k.lon_max, d.lon_max) AS lon_max,
              least(k.lat_min, d.lat_min) AS lat_min, greatest(k.lat_max, d.lat_max) AS lat_max,
              coalesce(d.gone_lon_min <= k.lon_min OR d.gone_lon_max >= k.lon_max
                       OR d.gone_lat_min <= k.lat_min OR d.gone_lat_max >= k.lat_max, false) AS stale
         FROM (SELECT * FROM activity_map_cells WHERE city_id = ${city}) k
         FULL JOIN delta d ON d.cell_x = k.cell_x AND d.cell_y = k.cell_y
     ),
     cells AS (
       SELECT cell_x, cell_y, n, lon_sum, lat_sum, lon_min, lon_max, lat_min, lat_max FROM fine WHERE NOT stale
       UNION ALL
       SELECT f.cell_x, f.cell_y, live.* FROM fine f CROSS JOIN grid g CROSS JOIN LATERAL (
         SELECT count(*)::int, sum(a.location[0]), sum(a.location[1]), min(a.location[0]), max(a.location[0]),
                min(a.location[1]), max(a.location[1])
           FROM activities a
          WHERE a.city_id = ${city} AND a.status = 'published'
            AND (a.last_end_at IS NULL OR a.last_end_at > ${at})
            AND a.location <@ box(point((f.cell_x - 0.01) * g.width, (f.cell_y - 0.01) * g.height),
                                  point((f.cell_x + 1.01) * g.width, (f.cell_y + 1.01) * g.height))
            AND floor(a.location[0] / g.width) = f.cell_x AND floor(a.location[1] / g.height) = f.cell_y
       ) live
        WHERE f.stale
     )
     SELECT sum(n)::int AS count, sum(lon_sum) / sum(n) AS lon, sum(lat_sum) / sum(n) AS lat,
            min(lon_min) AS "minLon", max(lon_max) AS "maxLon", min(lat_min) AS "minLat", max(lat_max) AS "maxLat"
       FROM cells
      WHERE n > 0
      GROUP BY floor(cell_x / ${merge}::float8), floor(cell_y / ${merge}::float8)`,
    params.values,
  );
}

export interface MapPointRow {
  id: string;
  slug: string;
  title: Record<string, string>;
  format: ActivityFormat;
  lon: number;
  lat: number;
}

const pointColumns = `a.id, a.slug, a.title, a.format, a.location[0] AS lon, a.location[1] AS lat`;

/**
 * The matching activity at each of these exact places (the cells holding one activity: their min corner is the
 * point), one GiST probe per place — cheaper than carrying an id through the grouping of a whole city.
 */
export async function mapPointsAt(
  db: SqlRunner,
  filter: ResolvedFilter,
  places: { lon: number; lat: number }[],
): Promise<MapPointRow[]> {
  if (places.length === 0) return [];
  const params = new Params();
  const where = whereSql(whereParts(filter, params));
  return db.query<MapPointRow>(
    `SELECT found.* FROM unnest(${params.add(places.map((p) => p.lon))}::float8[], ${params.add(places.map((p) => p.lat))}::float8[]) AS p(lon, lat)
       CROSS JOIN LATERAL (
         SELECT ${pointColumns} FROM activities a
          WHERE ${where} AND a.location <@ box(point(p.lon, p.lat), point(p.lon, p.lat))
          LIMIT 1
       ) found`,
    params.values,
  );
}

/** Every matching activity with a place, up to `limit` (the map close up). */
export async function mapPoints(
  db: SqlRunner,
  filter: ResolvedFilter,
  options: { limit: number },
): Promise<MapPointRow[]> {
  const params = new Params();
  const conditions = [whereSql(whereParts(filter, params)), 'a.location IS NOT NULL'];
  return db.query<MapPointRow>(
    `SELECT ${pointColumns}
       FROM activities a WHERE ${conditions.join(' AND ')}
      ORDER BY a.id LIMIT ${params.add(options.limit)}`,
    params.values,
  );
}

// ── Names → ids ─────────────────────────────────────────────────────────────────────────────────────────────────

/** The chosen skills and every narrower skill below them (the skill hierarchy), as ids. */
export async function skillIdsWithNarrower(db: SqlRunner, skillIds: string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `WITH RECURSIVE tree AS (
       SELECT id, 0 AS depth FROM skills WHERE id = ANY($1::uuid[])
       UNION
       SELECT s.id, tree.depth + 1 FROM skills s JOIN tree ON s.parent_id = tree.id WHERE tree.depth < 6
     )
     SELECT DISTINCT id FROM tree LIMIT 5000`,
    [skillIds],
  );
  return rows.map((row) => row.id);
}

/** A framework usable in the city (network-wide, or the city's local one) by slug. */
export async function findFrameworkId(db: SqlRunner, cityId: string, slug: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM skill_frameworks WHERE slug = $1 AND (city_id IS NULL OR city_id = $2)
      ORDER BY city_id NULLS LAST LIMIT 1`,
    [slug, cityId],
  );
  return row?.id ?? null;
}

export interface OrganisationName {
  id: string;
  slug: string;
  name: string;
}

export async function organisationsBySlugOrId(db: SqlRunner, keys: string[]): Promise<OrganisationName[]> {
  const uuids = keys.filter((key) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key));
  return db.query<OrganisationName>(
    `SELECT id, slug, name FROM organisations WHERE slug = ANY($1::text[]) OR id = ANY($2::uuid[])`,
    [keys, uuids],
  );
}

export async function organisationsById(db: SqlRunner, ids: string[]): Promise<OrganisationName[]> {
  if (ids.length === 0) return [];
  return db.query<OrganisationName>('SELECT id, slug, name FROM organisations WHERE id = ANY($1::uuid[])', [ids]);
}

export interface SkillName {
  id: string;
  label: Record<string, string>;
  frameworkSlug: string;
  frameworkShortTitle: string;
}

export async function skillsById(db: SqlRunner, ids: string[]): Promise<SkillName[]> {
  if (ids.length === 0) return [];
  return db.query<SkillName>(
    `SELECT s.id, s.label, f.slug AS "frameworkSlug", f.short_title AS "frameworkShortTitle"
       FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id WHERE s.id = ANY($1::uuid[])`,
    [ids],
  );
}

// ── Exports ─────────────────────────────────────────────────────────────────────────────────────────────────────

function timestampArray(value: unknown): Date[] {
  if (!value) return [];
  const items =
    typeof value === 'string'
      ? value
          .replace(/^\{|\}$/g, '')
          .split(',')
          .filter(Boolean)
          .map((s) => s.replace(/^"|"$/g, ''))
      : (value as (string | Date)[]);
  return items.map((item) => (item instanceof Date ? item : new Date(item)));
}

/**
 * Published activities by id with their organisation, venues and skills — what the exporters read — in three
 * set-based queries however many there are, in the order of `ids`.
 */
export async function exportActivitiesByIds(db: SqlRunner, cityId: string, ids: string[]): Promise<ExportActivity[]> {
  if (ids.length === 0) return [];
  const [rows, venues, skills] = await Promise.all([
    db.query<ActivityRecord & { organisationSlug: string; organisationName: string }>(
      `SELECT ${activityColumns}, o.slug AS "organisationSlug", o.name AS "organisationName"
         FROM activities a JOIN organisations o ON o.id = a.organisation_id
        WHERE a.city_id = $1 AND a.id = ANY($2::uuid[]) AND a.status = 'published'`,
      [cityId, ids],
    ),
    db.query<ExportVenue & { activityId: string }>(
      `SELECT activity_id AS "activityId", name, street, postcode, locality, district, lat, lon
         FROM activity_venues WHERE city_id = $1 AND activity_id = ANY($2::uuid[]) ORDER BY activity_id, position`,
      [cityId, ids],
    ),
    db.query<ExportActivity['skills'][number] & { activityId: string }>(
      `SELECT ak.activity_id AS "activityId", s.id AS "skillId", ak.level, s.code, s.label, f.slug AS "frameworkSlug"
         FROM activity_skills ak JOIN skills s ON s.id = ak.skill_id JOIN skill_frameworks f ON f.id = s.framework_id
        WHERE ak.city_id = $1 AND ak.activity_id = ANY($2::uuid[]) ORDER BY ak.activity_id, f.slug, s.code`,
      [cityId, ids],
    ),
  ]);
  const group = <T extends { activityId: string }>(items: T[]) => {
    const map = new Map<string, Omit<T, 'activityId'>[]>();
    for (const { activityId, ...rest } of items) {
      const bucket = map.get(activityId) ?? [];
      bucket.push(rest);
      map.set(activityId, bucket);
    }
    return map;
  };
  const venuesOf = group(venues);
  const skillsOf = group(skills);
  const byId = new Map(
    rows.map((row) => [
      row.id,
      {
        ...row,
        exdates: timestampArray(row.exdates),
        organisation: { id: row.organisationId, slug: row.organisationSlug, name: row.organisationName },
        venues: (venuesOf.get(row.id) ?? []) as ExportVenue[],
        skills: (skillsOf.get(row.id) ?? []) as ExportActivity['skills'],
      } satisfies ExportActivity,
    ]),
  );
  return ids.flatMap((id) => {
    const activity = byId.get(id);
    return activity ? [activity] : [];
  });
}
