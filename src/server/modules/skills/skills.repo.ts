import type { SqlRunner } from '../../db/client.ts';
import type {
  CrosswalkRelation,
  SkillFrameworkKind,
  SkillFrameworkLevel,
  SkillKind,
  SkillLabelKind,
} from '../../db/schema.ts';

// Frameworks and their concepts are network-level (`city_id` null) except each city's local framework and skills.
// Functions that read or change a city's data take the city id first; network-level ones say so in their name.

export interface FrameworkRecord {
  id: string;
  cityId: string | null;
  slug: string;
  kind: SkillFrameworkKind;
  title: Record<string, string>;
  shortTitle: string;
  version: string;
  publisher: string;
  licence: string;
  url: string | null;
  citation: string;
  attribution: string;
  levels: SkillFrameworkLevel[];
  sourceChecksum: string | null;
}

export interface SkillRecord {
  id: string;
  cityId: string | null;
  frameworkId: string;
  code: string;
  kind: SkillKind;
  parentId: string | null;
  label: Record<string, string>;
  description: Record<string, string>;
  details: Record<string, unknown>;
  position: number;
  updatedAt: Date;
}

export interface CrosswalkRecord {
  id: string;
  cityId: string;
  sourceSkillId: string;
  targetSkillId: string;
  relation: CrosswalkRelation;
  createdAt: Date;
}

const frameworkColumns = `f.id, f.city_id AS "cityId", f.slug, f.kind, f.title, f.short_title AS "shortTitle", f.version,
  f.publisher, f.licence, f.url, f.citation, f.attribution, f.levels, f.source_checksum AS "sourceChecksum"`;

const skillColumns = `s.id, s.city_id AS "cityId", s.framework_id AS "frameworkId", s.code, s.kind,
  s.parent_id AS "parentId", s.label, s.description, s.details, s.position, s.updated_at AS "updatedAt"`;

const crosswalkColumns = `c.id, c.city_id AS "cityId", c.source_skill_id AS "sourceSkillId",
  c.target_skill_id AS "targetSkillId", c.relation, c.created_at AS "createdAt"`;

// ── Frameworks ──────────────────────────────────────────────────────────────────────────────────────────────────

export function listNetworkFrameworks(db: SqlRunner): Promise<FrameworkRecord[]> {
  return db.query<FrameworkRecord>(
    `SELECT ${frameworkColumns} FROM skill_frameworks f WHERE f.city_id IS NULL ORDER BY f.kind, f.slug`,
  );
}

export async function findNetworkFramework(db: SqlRunner, slug: string): Promise<FrameworkRecord | undefined> {
  const [row] = await db.query<FrameworkRecord>(
    `SELECT ${frameworkColumns} FROM skill_frameworks f WHERE f.city_id IS NULL AND f.slug = $1`,
    [slug],
  );
  return row;
}

export interface FrameworkInput {
  slug: string;
  kind: SkillFrameworkKind;
  title: Record<string, string>;
  shortTitle: string;
  version?: string;
  publisher?: string;
  licence?: string;
  url?: string | null;
  citation?: string;
  attribution?: string;
  levels?: SkillFrameworkLevel[];
  sourceChecksum?: string | null;
}

/** Creates or updates a network-level framework by slug. */
export async function upsertNetworkFramework(db: SqlRunner, input: FrameworkInput): Promise<FrameworkRecord> {
  const [row] = await db.query<FrameworkRecord>(
    `INSERT INTO skill_frameworks AS f (city_id, slug, kind, title, short_title, version, publisher, licence, url,
       citation, attribution, levels, source_checksum)
     VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT ON CONSTRAINT skill_frameworks_city_slug_key DO UPDATE SET
       kind = EXCLUDED.kind, title = EXCLUDED.title, short_title = EXCLUDED.short_title, version = EXCLUDED.version,
       publisher = EXCLUDED.publisher, licence = EXCLUDED.licence, url = EXCLUDED.url, citation = EXCLUDED.citation,
       attribution = EXCLUDED.attribution, levels = EXCLUDED.levels, source_checksum = EXCLUDED.source_checksum,
       updated_at = now()
     RETURNING ${frameworkColumns}`,
    [
      input.slug,
      input.kind,
      JSON.stringify(input.title),
      input.shortTitle,
      input.version ?? '',
      input.publisher ?? '',
      input.licence ?? '',
      input.url ?? null,
      input.citation ?? '',
      input.attribution ?? '',
      JSON.stringify(input.levels ?? []),
      input.sourceChecksum ?? null,
    ],
  );
  return row as FrameworkRecord;
}

export async function findLocalFramework(db: SqlRunner, cityId: string): Promise<FrameworkRecord | undefined> {
  const [row] = await db.query<FrameworkRecord>(
    `SELECT ${frameworkColumns} FROM skill_frameworks f WHERE f.city_id = $1 AND f.kind = 'local'`,
    [cityId],
  );
  return row;
}

/** The city's own framework for its local skills, created on first use. */
export async function ensureLocalFramework(
  db: SqlRunner,
  cityId: string,
  title: Record<string, string>,
  shortTitle: string,
): Promise<FrameworkRecord> {
  await db.query(
    `INSERT INTO skill_frameworks (city_id, slug, kind, title, short_title) VALUES ($1, 'local', 'local', $2, $3)
     ON CONFLICT ON CONSTRAINT skill_frameworks_city_slug_key DO NOTHING`,
    [cityId, JSON.stringify(title), shortTitle],
  );
  return (await findLocalFramework(db, cityId)) as FrameworkRecord;
}

export interface CityFrameworkRecord extends FrameworkRecord {
  position: number;
}

/** The network frameworks a city has chosen, in its order. */
export function listCityFrameworks(db: SqlRunner, cityId: string): Promise<CityFrameworkRecord[]> {
  return db.query<CityFrameworkRecord>(
    `SELECT ${frameworkColumns}, c.position FROM city_skill_frameworks c JOIN skill_frameworks f ON f.id = c.framework_id
     WHERE c.city_id = $1 ORDER BY c.position, f.slug`,
    [cityId],
  );
}

/** Replaces the city's chosen frameworks with these, in this order. */
export async function replaceCityFrameworks(db: SqlRunner, cityId: string, frameworkIds: string[]): Promise<void> {
  await db.query('DELETE FROM city_skill_frameworks WHERE city_id = $1 AND NOT (framework_id = ANY($2::uuid[]))', [
    cityId,
    frameworkIds,
  ]);
  await db.query(
    `INSERT INTO city_skill_frameworks (city_id, framework_id, position)
     SELECT $1, id, position FROM unnest($2::uuid[]) WITH ORDINALITY AS chosen(id, position)
     ON CONFLICT (city_id, framework_id) DO UPDATE SET position = EXCLUDED.position`,
    [cityId, frameworkIds],
  );
}

// ── Skills ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** A skill as the city sees it: a network skill of a framework in its spine, or one of its own local skills. */
export async function findSpineSkill(
  db: SqlRunner,
  cityId: string,
  skillId: string,
): Promise<(SkillRecord & { framework: FrameworkRecord }) | undefined> {
  const [row] = await db.query<SkillRecord & { framework: FrameworkRecord }>(
    `SELECT ${skillColumns}, to_jsonb(fw) AS framework
     FROM skills s
     JOIN (SELECT ${frameworkColumns} FROM skill_frameworks f) fw ON fw.id = s.framework_id
     WHERE s.id = $2 AND (
       (s.city_id = $1)
       OR (s.city_id IS NULL AND EXISTS (
         SELECT 1 FROM city_skill_frameworks c WHERE c.city_id = $1 AND c.framework_id = s.framework_id))
     )`,
    [cityId, skillId],
  );
  return row;
}

/** A network-level skill (any bundled or ESCO framework), regardless of city. */
export async function findNetworkSkill(
  db: SqlRunner,
  skillId: string,
): Promise<(SkillRecord & { framework: FrameworkRecord }) | undefined> {
  const [row] = await db.query<SkillRecord & { framework: FrameworkRecord }>(
    `SELECT ${skillColumns}, to_jsonb(fw) AS framework
     FROM skills s JOIN (SELECT ${frameworkColumns} FROM skill_frameworks f) fw ON fw.id = s.framework_id
     WHERE s.id = $1 AND s.city_id IS NULL`,
    [skillId],
  );
  return row;
}

/** Skills by id with their frameworks, keeping only those in the city's spine (or network-level when cityId is null). */
export function findSkillsByIds(
  db: SqlRunner,
  cityId: string | null,
  skillIds: string[],
): Promise<(SkillRecord & { framework: FrameworkRecord })[]> {
  if (skillIds.length === 0) return Promise.resolve([]);
  return db.query<SkillRecord & { framework: FrameworkRecord }>(
    `SELECT ${skillColumns}, to_jsonb(fw) AS framework
     FROM skills s JOIN (SELECT ${frameworkColumns} FROM skill_frameworks f) fw ON fw.id = s.framework_id
     WHERE s.id = ANY($2::uuid[]) AND (
       ($1::uuid IS NULL AND s.city_id IS NULL)
       OR s.city_id = $1
       OR (s.city_id IS NULL AND EXISTS (
         SELECT 1 FROM city_skill_frameworks c WHERE c.city_id = $1 AND c.framework_id = s.framework_id))
     )`,
    [cityId, skillIds],
  );
}

/** Children of a skill, or a framework's top level when `parentId` is null; ordered for display. */
export function listChildSkills(
  db: SqlRunner,
  cityId: string | null,
  frameworkId: string,
  parentId: string | null,
  limit: number,
  offset: number,
): Promise<(SkillRecord & { childCount: number })[]> {
  return db.query<SkillRecord & { childCount: number }>(
    `SELECT ${skillColumns},
       (SELECT count(*)::int FROM skills k WHERE k.parent_id = s.id) AS "childCount"
     FROM skills s
     WHERE s.city_id IS NOT DISTINCT FROM $1 AND s.framework_id = $2 AND s.parent_id IS NOT DISTINCT FROM $3
     ORDER BY s.position, s.label->>'en', s.code
     LIMIT $4 OFFSET $5`,
    [cityId, frameworkId, parentId, limit, offset],
  );
}

export async function countChildSkills(
  db: SqlRunner,
  cityId: string | null,
  frameworkId: string,
  parentId: string | null,
): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM skills s
     WHERE s.city_id IS NOT DISTINCT FROM $1 AND s.framework_id = $2 AND s.parent_id IS NOT DISTINCT FROM $3`,
    [cityId, frameworkId, parentId],
  );
  return row?.count ?? 0;
}

export async function countFrameworkSkills(db: SqlRunner, frameworkId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM skills WHERE framework_id = $1', [
    frameworkId,
  ]);
  return row?.count ?? 0;
}

/** The chain of parents from the top of the framework down to (not including) the skill. */
export function listAncestors(db: SqlRunner, skillId: string): Promise<SkillRecord[]> {
  return db.query<SkillRecord>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT parent_id, 1 FROM skills WHERE id = $1 AND parent_id IS NOT NULL
       UNION ALL
       SELECT s.parent_id, up.depth + 1 FROM skills s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL AND up.depth < 32
     )
     SELECT ${skillColumns} FROM up JOIN skills s ON s.id = up.id ORDER BY up.depth DESC`,
    [skillId],
  );
}

export interface LabelRow {
  skillId: string;
  language: string;
  kind: SkillLabelKind;
  label: string;
}

export function listLabels(db: SqlRunner, skillIds: string[]): Promise<LabelRow[]> {
  if (skillIds.length === 0) return Promise.resolve([]);
  return db.query<LabelRow>(
    `SELECT skill_id AS "skillId", language, kind, label FROM skill_labels WHERE skill_id = ANY($1::uuid[])
     ORDER BY skill_id, language, kind, label`,
    [skillIds],
  );
}

/** Replaces a skill's labels (all languages) with these. */
export async function replaceSkillLabels(
  db: SqlRunner,
  cityId: string | null,
  skill: { id: string; frameworkId: string },
  labels: { language: string; kind: SkillLabelKind; label: string }[],
): Promise<void> {
  await db.query('DELETE FROM skill_labels WHERE city_id IS NOT DISTINCT FROM $1 AND skill_id = $2', [
    cityId,
    skill.id,
  ]);
  if (labels.length === 0) return;
  await db.query(
    `INSERT INTO skill_labels (city_id, skill_id, framework_id, language, kind, label)
     SELECT $1, $2, $3, language, kind, label FROM unnest($4::text[], $5::text[], $6::text[]) AS l(language, kind, label)`,
    [
      cityId,
      skill.id,
      skill.frameworkId,
      labels.map((l) => l.language),
      labels.map((l) => l.kind),
      labels.map((l) => l.label),
    ],
  );
}

export interface SearchHit {
  skillId: string;
  matchedLabel: string;
  matchedKind: SkillLabelKind;
  matchedLanguage: string;
}

/**
 * Prefix search over every label (preferred, alternative, hidden) of the given frameworks in the given languages.
 * Two index-backed candidate sets keep the typeahead fast even for one- or two-letter queries on ESCO-sized data:
 * labels that start with the query (btree on `lower(label)`), and labels with words starting with each typed word
 * (the full-text index; `tsQuery` is a `to_tsquery('simple', …)` expression such as `data:* & anal:*`). Each set is
 * capped, then ranked: whole-label match, label starting with the query, word match (a hidden label — ESCO's
 * misspellings and old names — counts one step lower); preferred labels before alternatives; the reader's language
 * first; shorter labels first.
 */
export function searchLabels(
  db: SqlRunner,
  cityId: string | null,
  options: { tsQuery: string; lowered: string; frameworkIds: string[]; languages: string[]; limit: number },
): Promise<SearchHit[]> {
  const likePrefix = `${options.lowered.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.query<SearchHit>(
    `WITH starts AS (
       SELECT l.skill_id, l.label, l.kind, l.language, CASE WHEN lower(l.label) = $3 THEN 0 ELSE 1 END AS closeness
       FROM skill_labels l
       WHERE l.language = ANY($6::text[]) AND lower(l.label) LIKE $4
         AND l.framework_id = ANY($5::uuid[]) AND (l.city_id IS NULL OR l.city_id = $1)
       LIMIT 200
     ), words AS (
       SELECT l.skill_id, l.label, l.kind, l.language, 2 AS closeness
       FROM skill_labels l
       WHERE l.search @@ to_tsquery('simple', $2)
         AND l.framework_id = ANY($5::uuid[]) AND l.language = ANY($6::text[])
         AND (l.city_id IS NULL OR l.city_id = $1)
       LIMIT 1000
     ), best AS (
       SELECT DISTINCT ON (skill_id) skill_id, label, kind, language, closeness
       FROM (SELECT * FROM starts UNION ALL SELECT * FROM words) AS hits
       ORDER BY skill_id, closeness + (kind = 'hidden')::int, (kind = 'preferred') DESC, (language = $7) DESC, length(label)
     )
     SELECT skill_id AS "skillId", label AS "matchedLabel", kind AS "matchedKind", language AS "matchedLanguage"
     FROM best
     ORDER BY closeness + (kind = 'hidden')::int, (kind = 'preferred') DESC, (language = $7) DESC, length(label), label
     LIMIT $8`,
    [
      cityId,
      options.tsQuery,
      options.lowered,
      likePrefix,
      options.frameworkIds,
      options.languages,
      options.languages[0],
      options.limit,
    ],
  );
}

/**
 * After a bulk load: fresh planner statistics, and the full-text index's pending list merged into the index
 * (PGlite has no autovacuum to do either, and both decide whether the skill picker stays fast).
 */
export async function refreshSkillSearchIndexes(db: SqlRunner): Promise<void> {
  await db.exec('ANALYZE skills; ANALYZE skill_labels; ANALYZE occupations; ANALYZE occupation_skills');
  await db.query(`SELECT gin_clean_pending_list('skill_labels_search_idx'::regclass)`);
}

// ── Local skills ────────────────────────────────────────────────────────────────────────────────────────────────

export interface LocalSkillInput {
  code: string;
  parentId: string | null;
  label: Record<string, string>;
  description: Record<string, string>;
  details: Record<string, unknown>;
  position: number;
}

/** Inserts a local skill; undefined when the city already has one with this code. */
export async function insertLocalSkill(
  db: SqlRunner,
  cityId: string,
  frameworkId: string,
  input: LocalSkillInput,
): Promise<SkillRecord | undefined> {
  const [row] = await db.query<SkillRecord>(
    `INSERT INTO skills AS s (city_id, framework_id, code, kind, parent_id, label, description, details, position)
     VALUES ($1, $2, $3, 'local', $4, $5, $6, $7, $8)
     ON CONFLICT ON CONSTRAINT skills_city_framework_code_key DO NOTHING
     RETURNING ${skillColumns}`,
    [
      cityId,
      frameworkId,
      input.code,
      input.parentId,
      JSON.stringify(input.label),
      JSON.stringify(input.description),
      JSON.stringify(input.details),
      input.position,
    ],
  );
  return row;
}

export async function findLocalSkill(db: SqlRunner, cityId: string, skillId: string): Promise<SkillRecord | undefined> {
  const [row] = await db.query<SkillRecord>(
    `SELECT ${skillColumns} FROM skills s WHERE s.city_id = $1 AND s.id = $2 AND s.kind = 'local' FOR UPDATE`,
    [cityId, skillId],
  );
  return row;
}

export async function findLocalSkillByCode(
  db: SqlRunner,
  cityId: string,
  code: string,
): Promise<SkillRecord | undefined> {
  const [row] = await db.query<SkillRecord>(
    `SELECT ${skillColumns} FROM skills s WHERE s.city_id = $1 AND s.kind = 'local' AND s.code = $2`,
    [cityId, code],
  );
  return row;
}

export async function updateLocalSkill(
  db: SqlRunner,
  cityId: string,
  skillId: string,
  input: LocalSkillInput,
): Promise<SkillRecord | undefined> {
  const [row] = await db.query<SkillRecord>(
    `UPDATE skills s SET code = $3, parent_id = $4, label = $5, description = $6, details = $7, position = $8,
       updated_at = now()
     WHERE s.city_id = $1 AND s.id = $2 AND s.kind = 'local'
     RETURNING ${skillColumns}`,
    [
      cityId,
      skillId,
      input.code,
      input.parentId,
      JSON.stringify(input.label),
      JSON.stringify(input.description),
      JSON.stringify(input.details),
      input.position,
    ],
  );
  return row;
}

export async function deleteLocalSkill(db: SqlRunner, cityId: string, skillId: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM skills WHERE city_id = $1 AND id = $2 AND kind = 'local' RETURNING id`, [
    cityId,
    skillId,
  ]);
  return rows.length > 0;
}

/** True when making `parentId` the parent of `skillId` would put the skill under itself. */
export async function wouldNestUnderItself(
  db: SqlRunner,
  cityId: string,
  skillId: string,
  parentId: string,
): Promise<boolean> {
  const [row] = await db.query<{ cycle: boolean }>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT $3::uuid, 0
       UNION ALL
       SELECT s.parent_id, up.depth + 1 FROM skills s JOIN up ON s.id = up.id
       WHERE s.city_id = $1 AND s.parent_id IS NOT NULL AND up.depth < 64
     )
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS cycle`,
    [cityId, skillId, parentId],
  );
  return row?.cycle ?? false;
}

// ── Crosswalks ──────────────────────────────────────────────────────────────────────────────────────────────────

export function listCrosswalks(db: SqlRunner, cityId: string, skillId?: string): Promise<CrosswalkRecord[]> {
  return db.query<CrosswalkRecord>(
    `SELECT ${crosswalkColumns} FROM skill_crosswalks c
     WHERE c.city_id = $1 AND ($2::uuid IS NULL OR c.source_skill_id = $2 OR c.target_skill_id = $2)
     ORDER BY c.created_at, c.id`,
    [cityId, skillId ?? null],
  );
}

/** Crosswalks of the city that touch any of these skills. */
export function listCrosswalksTouching(db: SqlRunner, cityId: string, skillIds: string[]): Promise<CrosswalkRecord[]> {
  if (skillIds.length === 0) return Promise.resolve([]);
  return db.query<CrosswalkRecord>(
    `SELECT ${crosswalkColumns} FROM skill_crosswalks c
     WHERE c.city_id = $1 AND (c.source_skill_id = ANY($2::uuid[]) OR c.target_skill_id = ANY($2::uuid[]))`,
    [cityId, skillIds],
  );
}

/** Inserts a crosswalk; undefined when the pair is already linked in this city. */
export async function insertCrosswalk(
  db: SqlRunner,
  cityId: string,
  input: { sourceSkillId: string; targetSkillId: string; relation: CrosswalkRelation; createdBy: string | null },
): Promise<CrosswalkRecord | undefined> {
  const [row] = await db.query<CrosswalkRecord>(
    `INSERT INTO skill_crosswalks AS c (city_id, source_skill_id, target_skill_id, relation, created_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING
     RETURNING ${crosswalkColumns}`,
    [cityId, input.sourceSkillId, input.targetSkillId, input.relation, input.createdBy],
  );
  return row;
}

export async function deleteCrosswalk(db: SqlRunner, cityId: string, crosswalkId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM skill_crosswalks WHERE city_id = $1 AND id = $2 RETURNING id', [
    cityId,
    crosswalkId,
  ]);
  return rows.length > 0;
}

/** Serialises crosswalk changes of one city, so two concurrent writes cannot together make a cycle. */
export async function lockCityCrosswalks(db: SqlRunner, cityId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('skill_crosswalks:' || $1::text))`, [cityId]);
}

// ── ESCO relations shown on skill pages ─────────────────────────────────────────────────────────────────────────

export function listRelatedEscoSkills(
  db: SqlRunner,
  skillId: string,
  limit: number,
): Promise<{ skillId: string; relationType: string }[]> {
  return db.query(
    `SELECT related_skill_id AS "skillId", relation_type AS "relationType" FROM skill_relations WHERE skill_id = $1
     UNION
     SELECT skill_id, relation_type FROM skill_relations WHERE related_skill_id = $1
     LIMIT $2`,
    [skillId, limit],
  );
}

export function listOccupationsForSkill(
  db: SqlRunner,
  skillId: string,
  limit: number,
): Promise<{ uri: string; label: Record<string, string>; relationType: string; iscoGroup: string }[]> {
  return db.query(
    `SELECT o.uri, o.label, r.relation_type AS "relationType", o.isco_group AS "iscoGroup"
     FROM occupation_skills r JOIN occupations o ON o.id = r.occupation_id
     WHERE r.skill_id = $1 ORDER BY r.relation_type, o.label->>'en' LIMIT $2`,
    [skillId, limit],
  );
}
