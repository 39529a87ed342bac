import type { SqlRunner } from '../../db/client.ts';
import type { BadgeClassKind, BadgeClassStatus, BadgeDesign, BadgeRequirement } from '../../db/schema.ts';
import type { SitemapEntry, SitemapSource } from '../activities/sitemap.routes.ts';
import type { BadgeClassWrite } from './badge-classes.validation.ts';

// Badge classes are city-owned: every function takes the city id first.

/** A badge class row in camelCase, without its image bytes (see `findBadgeImage`). */
export interface BadgeClassRecord {
  id: string;
  cityId: string;
  organisationId: string;
  slug: string;
  status: BadgeClassStatus;
  kind: BadgeClassKind;
  name: Record<string, string>;
  description: Record<string, string>;
  criteria: Record<string, string>;
  requirements: BadgeRequirement[];
  imageSource: 'upload' | 'generated';
  design: BadgeDesign | null;
  imageContentType: string;
  /** An SVG upload: the sanitised SVG is kept beside its PNG. */
  imageIsSvg: boolean;
  imageAlt: Record<string, string>;
  tags: string[];
  validityMonths: number | null;
  peerConfirmationsRequired: number | null;
  evidenceClaimsOpen: boolean;
  version: number;
  rowVersion: number;
  createdBy: string | null;
  publishedAt: Date | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `b.id, b.city_id AS "cityId", b.organisation_id AS "organisationId", b.slug, b.status, b.kind, b.name,
  b.description, b.criteria, b.requirements, b.image_source AS "imageSource", b.design,
  b.image_content_type AS "imageContentType", b.image_svg IS NOT NULL AS "imageIsSvg", b.image_alt AS "imageAlt",
  b.tags, b.validity_months AS "validityMonths",
  b.peer_confirmations_required AS "peerConfirmationsRequired", b.evidence_claims_open AS "evidenceClaimsOpen",
  b.version, b.row_version AS "rowVersion", b.created_by AS "createdBy", b.published_at AS "publishedAt",
  b.archived_at AS "archivedAt", b.created_at AS "createdAt", b.updated_at AS "updatedAt"`;

export async function findBadgeClass(db: SqlRunner, cityId: string, id: string): Promise<BadgeClassRecord | undefined> {
  const [row] = await db.query<BadgeClassRecord>(
    `SELECT ${columns} FROM badge_classes b WHERE b.city_id = $1 AND b.id = $2`,
    [cityId, id],
    { name: 'badge_classes.find' },
  );
  return row;
}

export async function findBadgeClassBySlug(
  db: SqlRunner,
  cityId: string,
  slug: string,
): Promise<BadgeClassRecord | undefined> {
  const [row] = await db.query<BadgeClassRecord>(
    `SELECT ${columns} FROM badge_classes b WHERE b.city_id = $1 AND b.slug = $2`,
    [cityId, slug],
    { name: 'badge_classes.find-by-slug' },
  );
  return row;
}

/** Locks the row for a change (edits, publishing, a new image) so concurrent changes queue. */
export async function lockBadgeClass(db: SqlRunner, cityId: string, id: string): Promise<BadgeClassRecord | undefined> {
  const [row] = await db.query<BadgeClassRecord>(
    `SELECT ${columns} FROM badge_classes b WHERE b.city_id = $1 AND b.id = $2 FOR UPDATE`,
    [cityId, id],
  );
  return row;
}

/** Locks the row against changes while a credential of its current version is issued (edits wait; issues do not). */
export async function shareLockBadgeClass(
  db: SqlRunner,
  cityId: string,
  id: string,
): Promise<BadgeClassRecord | undefined> {
  const [row] = await db.query<BadgeClassRecord>(
    `SELECT ${columns} FROM badge_classes b WHERE b.city_id = $1 AND b.id = $2 FOR SHARE`,
    [cityId, id],
  );
  return row;
}

export async function slugTaken(db: SqlRunner, cityId: string, slug: string, exceptId?: string): Promise<boolean> {
  const rows = await db.query(
    'SELECT 1 FROM badge_classes WHERE city_id = $1 AND slug = $2 AND id IS DISTINCT FROM $3',
    [cityId, slug, exceptId ?? null],
  );
  return rows.length > 0;
}

/** Slugs of the city that start with a base, to pick the next free "base-2", "base-3" … */
export async function slugsLike(db: SqlRunner, cityId: string, base: string): Promise<Set<string>> {
  const rows = await db.query<{ slug: string }>(
    'SELECT slug FROM badge_classes WHERE city_id = $1 AND (slug = $2 OR slug LIKE $3)',
    [cityId, base, `${base.replace(/[\\%_]/g, '\\$&')}-%`],
  );
  return new Set(rows.map((r) => r.slug));
}

export interface StoredImage {
  source: 'upload' | 'generated';
  design: BadgeDesign | null;
  /** `bytes` is always a PNG (uploaded and re-encoded, or drawn from the design or the SVG). */
  contentType: 'image/png';
  bytes: Uint8Array;
  /** The sanitised SVG of an SVG upload; null for PNG uploads and generated designs (re-drawn from `design`). */
  svg: string | null;
}

/** The columns an edit sets, in one order for INSERT and UPDATE ($1…$15). */
function contentValues(write: BadgeClassWrite, image: StoredImage): unknown[] {
  return [
    write.kind,
    JSON.stringify(write.name),
    JSON.stringify(write.description),
    JSON.stringify(write.criteria),
    JSON.stringify(write.requirements),
    image.source,
    image.design === null ? null : JSON.stringify(image.design),
    image.contentType,
    image.bytes,
    image.svg,
    JSON.stringify(write.imageAlt),
    write.tags,
    write.validityMonths,
    write.peerConfirmationsRequired,
    write.evidenceClaimsOpen,
  ];
}

export async function insertBadgeClass(
  db: SqlRunner,
  row: { cityId: string; organisationId: string; slug: string; createdBy: string | null },
  write: BadgeClassWrite,
  image: StoredImage,
): Promise<string> {
  const [inserted] = await db.query<{ id: string }>(
    `INSERT INTO badge_classes (kind, name, description, criteria, requirements, image_source, design,
        image_content_type, image_bytes, image_svg, image_alt, tags, validity_months, peer_confirmations_required,
        evidence_claims_open, city_id, organisation_id, slug, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     RETURNING id`,
    [...contentValues(write, image), row.cityId, row.organisationId, row.slug, row.createdBy],
  );
  return (inserted as { id: string }).id;
}

/** Writes an edit; `version` is the content version after it (the same, or one more when the edit makes a new one). */
export async function updateBadgeClassContent(
  db: SqlRunner,
  cityId: string,
  id: string,
  slug: string,
  version: number,
  write: BadgeClassWrite,
  image: StoredImage,
): Promise<void> {
  await db.query(
    `UPDATE badge_classes SET kind = $1, name = $2, description = $3, criteria = $4, requirements = $5,
        image_source = $6, design = $7, image_content_type = $8, image_bytes = $9, image_svg = $10, image_alt = $11,
        tags = $12, validity_months = $13, peer_confirmations_required = $14, evidence_claims_open = $15, slug = $16,
        version = $17, row_version = row_version + 1, updated_at = now()
      WHERE city_id = $18 AND id = $19`,
    [...contentValues(write, image), slug, version, cityId, id],
  );
}

export async function updateBadgeImage(
  db: SqlRunner,
  cityId: string,
  id: string,
  version: number,
  image: StoredImage,
  imageAlt: Record<string, string>,
): Promise<void> {
  await db.query(
    `UPDATE badge_classes SET image_source = $3, design = $4, image_content_type = $5, image_bytes = $6,
        image_svg = $7, image_alt = $8, version = $9, row_version = row_version + 1, updated_at = now()
      WHERE city_id = $1 AND id = $2`,
    [
      cityId,
      id,
      image.source,
      image.design === null ? null : JSON.stringify(image.design),
      image.contentType,
      image.bytes,
      image.svg,
      JSON.stringify(imageAlt),
      version,
    ],
  );
}

export async function setBadgeClassStatus(
  db: SqlRunner,
  cityId: string,
  id: string,
  status: BadgeClassStatus,
): Promise<void> {
  await db.query(
    `UPDATE badge_classes SET status = $3, row_version = row_version + 1, updated_at = now(),
        published_at = CASE WHEN $3 = 'published' THEN coalesce(published_at, now()) ELSE published_at END,
        archived_at = CASE WHEN $3 = 'archived' THEN now() ELSE NULL END
      WHERE city_id = $1 AND id = $2`,
    [cityId, id, status],
  );
}

export async function findBadgeImage(db: SqlRunner, cityId: string, id: string): Promise<StoredImage | undefined> {
  const [row] = await db.query<StoredImage>(
    `SELECT image_source AS source, design, image_content_type AS "contentType", image_bytes AS bytes,
        image_svg AS svg
       FROM badge_classes WHERE city_id = $1 AND id = $2`,
    [cityId, id],
  );
  return row;
}

// Skills, prerequisites and linked activities.

export interface BadgeSkillRow {
  skillId: string;
  level: number | null;
}

export function listBadgeSkills(db: SqlRunner, cityId: string, badgeClassId: string): Promise<BadgeSkillRow[]> {
  return db.query<BadgeSkillRow>(
    `SELECT k.skill_id AS "skillId", k.level FROM badge_class_skills k JOIN skills s ON s.id = k.skill_id
      WHERE k.city_id = $1 AND k.badge_class_id = $2 ORDER BY s.code, k.skill_id`,
    [cityId, badgeClassId],
  );
}

export async function replaceBadgeSkills(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  skills: { skillId: string; level: number | null }[],
): Promise<void> {
  await db.query('DELETE FROM badge_class_skills WHERE city_id = $1 AND badge_class_id = $2', [cityId, badgeClassId]);
  if (skills.length === 0) return;
  await db.query(
    `INSERT INTO badge_class_skills (city_id, badge_class_id, skill_id, level)
     SELECT $1, $2, s.skill_id, s.level FROM unnest($3::uuid[], $4::int[]) AS s(skill_id, level)`,
    [cityId, badgeClassId, skills.map((s) => s.skillId), skills.map((s) => s.level)],
  );
}

export async function listPrerequisiteIds(db: SqlRunner, cityId: string, badgeClassId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT required_badge_class_id AS id FROM badge_class_prerequisites
      WHERE city_id = $1 AND badge_class_id = $2 ORDER BY required_badge_class_id`,
    [cityId, badgeClassId],
  );
  return rows.map((row) => row.id);
}

export async function replacePrerequisites(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  required: string[],
): Promise<void> {
  await db.query('DELETE FROM badge_class_prerequisites WHERE city_id = $1 AND badge_class_id = $2', [
    cityId,
    badgeClassId,
  ]);
  if (required.length === 0) return;
  await db.query(
    `INSERT INTO badge_class_prerequisites (city_id, badge_class_id, required_badge_class_id)
     SELECT $1, $2, id FROM unnest($3::uuid[]) AS id`,
    [cityId, badgeClassId, required],
  );
}

/**
 * True when the badge is reachable from any of these badges along "requires" links: making them prerequisites of it
 * would close a cycle.
 */
export async function prerequisitesReach(
  db: SqlRunner,
  cityId: string,
  from: string[],
  badgeClassId: string,
): Promise<boolean> {
  if (from.length === 0) return false;
  const rows = await db.query(
    `WITH RECURSIVE reach(id) AS (
       SELECT unnest($2::uuid[])
       UNION
       SELECT p.required_badge_class_id FROM badge_class_prerequisites p JOIN reach r ON p.badge_class_id = r.id
        WHERE p.city_id = $1
     )
     SELECT 1 FROM reach WHERE id = $3 LIMIT 1`,
    [cityId, from, badgeClassId],
  );
  return rows.length > 0;
}

export interface PrerequisiteCandidate {
  id: string;
  organisationId: string;
  status: BadgeClassStatus;
  slug: string;
  name: Record<string, string>;
}

/** Badges of the city by id: all of the organisation's own, and other organisations' published ones. */
export function findVisibleBadges(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  ids: string[],
): Promise<PrerequisiteCandidate[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.query<PrerequisiteCandidate>(
    `SELECT id, organisation_id AS "organisationId", status, slug, name FROM badge_classes
      WHERE city_id = $1 AND id = ANY($3::uuid[]) AND (organisation_id = $2 OR status = 'published')`,
    [cityId, organisationId, ids],
  );
}

/** Badges an organisation may require first: its own (not archived) and the city's published ones, by name. */
export function listPrerequisiteChoices(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  language: string,
  limit: number,
): Promise<(PrerequisiteCandidate & { organisationName: string })[]> {
  return db.query<PrerequisiteCandidate & { organisationName: string }>(
    `SELECT b.id, b.organisation_id AS "organisationId", b.status, b.slug, b.name, o.name AS "organisationName"
       FROM badge_classes b JOIN organisations o ON o.id = b.organisation_id
      WHERE b.city_id = $1 AND (b.status = 'published' OR (b.organisation_id = $2 AND b.status = 'draft'))
      ORDER BY b.organisation_id <> $2, lower(coalesce(b.name->>$3, b.slug)), b.id LIMIT $4`,
    [cityId, organisationId, language, limit],
  );
}

export interface BadgeActivityRow {
  activityId: string;
  awardOnAttendance: boolean;
}

export function listBadgeActivities(db: SqlRunner, cityId: string, badgeClassId: string): Promise<BadgeActivityRow[]> {
  return db.query<BadgeActivityRow>(
    `SELECT activity_id AS "activityId", award_on_attendance AS "awardOnAttendance" FROM activity_badges
      WHERE city_id = $1 AND badge_class_id = $2 ORDER BY activity_id`,
    [cityId, badgeClassId],
  );
}

export async function replaceBadgeActivities(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  activities: { activityId: string; awardOnAttendance: boolean }[],
): Promise<void> {
  await db.query('DELETE FROM activity_badges WHERE city_id = $1 AND badge_class_id = $2', [cityId, badgeClassId]);
  if (activities.length === 0) return;
  await db.query(
    `INSERT INTO activity_badges (city_id, activity_id, badge_class_id, award_on_attendance)
     SELECT $1, a.activity_id, $2, a.award FROM unnest($3::uuid[], $4::boolean[]) AS a(activity_id, award)`,
    [cityId, badgeClassId, activities.map((a) => a.activityId), activities.map((a) => a.awardOnAttendance)],
  );
}

export interface ActivityCandidate {
  id: string;
  organisationId: string;
  status: string;
  slug: string;
  title: Record<string, string>;
}

/** Activities of the city by id that a badge may link: the organisation's own (any state) and published ones. */
export function findLinkableActivities(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  ids: string[],
): Promise<ActivityCandidate[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.query<ActivityCandidate>(
    `SELECT id, organisation_id AS "organisationId", status, slug, title FROM activities
      WHERE city_id = $1 AND id = ANY($3::uuid[]) AND (organisation_id = $2 OR status = 'published')`,
    [cityId, organisationId, ids],
  );
}

/** Activities a badge may link, for the form: the organisation's own (not archived) first, then the city's published. */
export function listActivityChoices(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  language: string,
  limit: number,
): Promise<(ActivityCandidate & { organisationName: string })[]> {
  return db.query<ActivityCandidate & { organisationName: string }>(
    `SELECT a.id, a.organisation_id AS "organisationId", a.status, a.slug, a.title, o.name AS "organisationName"
       FROM activities a JOIN organisations o ON o.id = a.organisation_id
      WHERE a.city_id = $1 AND (a.status = 'published' OR (a.organisation_id = $2 AND a.status <> 'archived'))
      ORDER BY a.organisation_id <> $2, lower(coalesce(a.title->>$3, a.slug)), a.id LIMIT $4`,
    [cityId, organisationId, language, limit],
  );
}

// Versions and credentials.

/** Whether credentials of this version of the badge exist: then an edit makes a new version. */
export async function countCredentialsAtVersion(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  version: number,
): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM (SELECT 1 FROM badge_credentials
      WHERE city_id = $1 AND badge_class_id = $2 AND badge_version = $3 LIMIT 1) AS any_credential`,
    [cityId, badgeClassId, version],
  );
  return row?.count ?? 0;
}

export async function findVersionSnapshot(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  version: number,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.query<{ achievement: Record<string, unknown> }>(
    `SELECT achievement FROM badge_class_versions WHERE city_id = $1 AND badge_class_id = $2 AND version = $3`,
    [cityId, badgeClassId, version],
    { name: 'badge_class_versions.find' },
  );
  return row?.achievement;
}

/** A version's image as issued: a PNG, and the SVG when the image has one. */
export interface VersionImage {
  png: Uint8Array;
  svg: string | null;
}

/** The image stored with a version's snapshot; undefined when the version has no snapshot (not issued yet). */
export async function findVersionImage(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  version: number,
): Promise<VersionImage | undefined> {
  const [row] = await db.query<VersionImage>(
    `SELECT image_bytes AS png, image_svg AS svg FROM badge_class_versions
      WHERE city_id = $1 AND badge_class_id = $2 AND version = $3 AND image_bytes IS NOT NULL`,
    [cityId, badgeClassId, version],
    { name: 'badge_class_versions.find-image' },
  );
  return row;
}

/** Stores a version's snapshot with its image unless one exists (concurrent first issues agree on the first). */
export async function insertVersionSnapshot(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  version: number,
  achievement: Record<string, unknown>,
  image: VersionImage,
): Promise<void> {
  await db.query(
    `INSERT INTO badge_class_versions (city_id, badge_class_id, version, achievement, image_content_type,
        image_bytes, image_svg)
     VALUES ($1, $2, $3, $4, 'image/png', $5, $6)
     ON CONFLICT (badge_class_id, version) DO NOTHING`,
    [cityId, badgeClassId, version, JSON.stringify(achievement), image.png, image.svg],
  );
}

/** Drops the snapshot of a version no credential carries (an edit in place makes it stale). */
export async function deleteUnusedVersionSnapshot(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  version: number,
): Promise<void> {
  await db.query(
    `DELETE FROM badge_class_versions v WHERE v.city_id = $1 AND v.badge_class_id = $2 AND v.version = $3
       AND NOT EXISTS (SELECT 1 FROM badge_credentials c
                        WHERE c.badge_class_id = v.badge_class_id AND c.badge_version = v.version)`,
    [cityId, badgeClassId, version],
  );
}

// Lists.

export interface BadgeClassSummary {
  id: string;
  slug: string;
  status: BadgeClassStatus;
  kind: BadgeClassKind;
  name: Record<string, string>;
  organisation: { id: string; slug: string; name: string };
  version: number;
  rowVersion: number;
  imageAlt: Record<string, string>;
  updatedAt: Date;
  publishedAt: Date | null;
}

const summaryColumns = `b.id, b.slug, b.status, b.kind, b.name,
  json_build_object('id', o.id, 'slug', o.slug, 'name', o.name) AS organisation, b.version,
  b.row_version AS "rowVersion", b.image_alt AS "imageAlt", b.updated_at AS "updatedAt",
  b.published_at AS "publishedAt"`;

/** An organisation's badges, newest change first, with keyset pagination on (updated_at, id). */
export function listOrganisationBadgeRows(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  status: BadgeClassStatus | null,
  after: { at: Date; id: string } | null,
  limit: number,
): Promise<BadgeClassSummary[]> {
  return db.query<BadgeClassSummary>(
    `SELECT ${summaryColumns} FROM badge_classes b JOIN organisations o ON o.id = b.organisation_id
      WHERE b.city_id = $1 AND b.organisation_id = $2 AND ($3::text IS NULL OR b.status = $3)
        AND ($4::timestamptz IS NULL OR (b.updated_at, b.id) < ($4::timestamptz, $5::uuid))
      ORDER BY b.updated_at DESC, b.id DESC LIMIT $6`,
    [cityId, organisationId, status, after?.at ?? null, after?.id ?? null, limit],
  );
}

export interface DirectoryFilter {
  query: string | null;
  kind: BadgeClassKind | null;
  skillId: string | null;
  organisationId: string | null;
  /** Names are sorted in this language. */
  language: string;
}

function directoryWhere(filter: DirectoryFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses = ["b.status = 'published'"];
  if (filter.query) {
    params.push(`%${filter.query.replace(/[\\%_]/g, '\\$&')}%`);
    clauses.push(
      `(EXISTS (SELECT 1 FROM jsonb_each_text(b.name) n WHERE n.value ILIKE $${params.length + 1})
        OR EXISTS (SELECT 1 FROM unnest(b.tags) t WHERE t ILIKE $${params.length + 1}))`,
    );
  }
  if (filter.kind) {
    params.push(filter.kind);
    clauses.push(`b.kind = $${params.length + 1}`);
  }
  if (filter.skillId) {
    params.push(filter.skillId);
    clauses.push(
      `EXISTS (SELECT 1 FROM badge_class_skills k WHERE k.badge_class_id = b.id AND k.skill_id = $${params.length + 1}::uuid)`,
    );
  }
  if (filter.organisationId) {
    params.push(filter.organisationId);
    clauses.push(`b.organisation_id = $${params.length + 1}::uuid`);
  }
  return { sql: clauses.join(' AND '), params };
}

/** One page of the city's published badges (the public directory), sorted by name, with the total. */
export async function listDirectoryRows(
  db: SqlRunner,
  cityId: string,
  filter: DirectoryFilter,
  page: { limit: number; offset: number },
): Promise<{ items: BadgeClassSummary[]; total: number }> {
  const where = directoryWhere(filter);
  const base = where.params.length + 2;
  const items = await db.query<BadgeClassSummary>(
    `SELECT ${summaryColumns} FROM badge_classes b JOIN organisations o ON o.id = b.organisation_id
      WHERE b.city_id = $1 AND ${where.sql}
      ORDER BY lower(coalesce(b.name->>$${base}, b.slug)), b.id LIMIT $${base + 1} OFFSET $${base + 2}`,
    [cityId, ...where.params, filter.language, page.limit, page.offset],
  );
  const [count] = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM badge_classes b WHERE b.city_id = $1 AND ${where.sql}`,
    [cityId, ...where.params],
  );
  return { items, total: count?.total ?? 0 };
}

export interface LinkedBadge {
  id: string;
  slug: string;
  name: Record<string, string>;
  kind: BadgeClassKind;
  awardOnAttendance: boolean;
}

/** The published badges an activity leads to. */
export function listBadgesOfActivity(db: SqlRunner, cityId: string, activityId: string): Promise<LinkedBadge[]> {
  return db.query<LinkedBadge>(
    `SELECT b.id, b.slug, b.name, b.kind, ab.award_on_attendance AS "awardOnAttendance"
       FROM activity_badges ab JOIN badge_classes b ON b.id = ab.badge_class_id
      WHERE ab.city_id = $1 AND ab.activity_id = $2 AND b.status = 'published'
      ORDER BY b.slug`,
    [cityId, activityId],
  );
}

export interface LinkedActivity {
  id: string;
  slug: string;
  title: Record<string, string>;
  organisationId: string;
  awardOnAttendance: boolean;
}

/** The published activities that lead to a badge. */
export function listPublishedActivitiesOfBadge(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
): Promise<LinkedActivity[]> {
  return db.query<LinkedActivity>(
    `SELECT a.id, a.slug, a.title, a.organisation_id AS "organisationId",
            ab.award_on_attendance AS "awardOnAttendance"
       FROM activity_badges ab JOIN activities a ON a.id = ab.activity_id
      WHERE ab.city_id = $1 AND ab.badge_class_id = $2 AND a.status = 'published'
      ORDER BY a.next_start_at NULLS LAST, a.slug`,
    [cityId, badgeClassId],
  );
}

/** Names and slugs of badges by id (prerequisite lists), with their status. */
export function listBadgeNames(
  db: SqlRunner,
  cityId: string,
  ids: string[],
): Promise<{ id: string; slug: string; status: BadgeClassStatus; name: Record<string, string> }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.query(
    `SELECT id, slug, status, name FROM badge_classes WHERE city_id = $1 AND id = ANY($2::uuid[]) ORDER BY slug`,
    [cityId, ids],
  );
}

/** The published badges for the city's sitemap, in slug order. */
export async function countPublishedBadges(db: SqlRunner, cityId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM badge_classes WHERE city_id = $1 AND status = 'published'`,
    [cityId],
  );
  return row?.count ?? 0;
}

export function listPublishedBadgeSlugs(
  db: SqlRunner,
  cityId: string,
  offset: number,
  limit: number,
): Promise<{ slug: string; updatedAt: Date }[]> {
  return db.query(
    `SELECT slug, updated_at AS "updatedAt" FROM badge_classes WHERE city_id = $1 AND status = 'published'
      ORDER BY slug LIMIT $2 OFFSET $3`,
    [cityId, limit, offset],
  );
}

/** The city's badge directory and published badge pages, for the city's sitemap (nothing while there are none). */
export const badgeSitemapSource: SitemapSource = {
  async count(db, city) {
    const published = await countPublishedBadges(db, city.id);
    return published === 0 ? 0 : 1 + published;
  },
  async list(db, city, offset, limit) {
    const entries: SitemapEntry[] = offset === 0 ? [{ path: `/c/${city.slug}/badges`, lastmod: null }] : [];
    const rows = await listPublishedBadgeSlugs(db, city.id, Math.max(0, offset - 1), limit - entries.length);
    return [...entries, ...rows.map((row) => ({ path: `/c/${city.slug}/badges/${row.slug}`, lastmod: row.updatedAt }))];
  },
};
