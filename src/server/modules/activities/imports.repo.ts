import type { SqlRunner } from '../../db/client.ts';
import type { AnyProblemKey, ProblemParams } from './activities.problems.ts';

/** An uploaded file waiting for its mapping and confirmation, or its report once committed. */
export interface ImportRecord {
  id: string;
  cityId: string;
  organisationId: string;
  userId: string | null;
  fileName: string;
  content: string;
  mapping: Record<string, string>;
  status: 'uploaded' | 'committed';
  report: unknown;
  createdAt: Date;
  committedAt: Date | null;
}

const importColumns = `id, city_id AS "cityId", organisation_id AS "organisationId", user_id AS "userId",
  file_name AS "fileName", content, mapping, status, report, created_at AS "createdAt", committed_at AS "committedAt"`;

export async function insertImport(
  db: SqlRunner,
  row: {
    cityId: string;
    organisationId: string;
    userId: string | null;
    fileName: string;
    content: string;
    mapping: Record<string, string>;
  },
): Promise<ImportRecord> {
  const [created] = await db.query<ImportRecord>(
    `INSERT INTO activity_imports (city_id, organisation_id, user_id, file_name, content, mapping)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${importColumns}`,
    [row.cityId, row.organisationId, row.userId, row.fileName, row.content, JSON.stringify(row.mapping)],
  );
  return created as ImportRecord;
}

/** One import of an organisation in a city; `lock` takes it FOR UPDATE (commit is idempotent under concurrency). */
export async function findImport(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  importId: string,
  lock = false,
): Promise<ImportRecord | undefined> {
  const [row] = await db.query<ImportRecord>(
    `SELECT ${importColumns} FROM activity_imports WHERE city_id = $1 AND organisation_id = $2 AND id = $3
     ${lock ? 'FOR UPDATE' : ''}`,
    [cityId, organisationId, importId],
  );
  return row;
}

/** Recent imports of an organisation, newest first, without their file contents. */
export function listImports(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  limit = 20,
): Promise<Omit<ImportRecord, 'content'>[]> {
  return db.query<Omit<ImportRecord, 'content'>>(
    `SELECT id, city_id AS "cityId", organisation_id AS "organisationId", user_id AS "userId", file_name AS "fileName",
       mapping, status, report, created_at AS "createdAt", committed_at AS "committedAt"
     FROM activity_imports WHERE city_id = $1 AND organisation_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
    [cityId, organisationId, limit],
  );
}

export async function updateImportMapping(
  db: SqlRunner,
  importId: string,
  mapping: Record<string, string>,
): Promise<void> {
  await db.query(`UPDATE activity_imports SET mapping = $2 WHERE id = $1 AND status = 'uploaded'`, [
    importId,
    JSON.stringify(mapping),
  ]);
}

export async function markImportCommitted(db: SqlRunner, importId: string, report: unknown): Promise<void> {
  await db.query(`UPDATE activity_imports SET status = 'committed', report = $2, committed_at = now() WHERE id = $1`, [
    importId,
    JSON.stringify(report),
  ]);
}

// ── Calendar feeds ────────────────────────────────────────────────────────────────────────────────────────────────

/** A keyed problem as a feed keeps it: the English text, and the key and params that say it in any language. */
export interface FeedProblem {
  field?: string;
  problem: string;
  key: AnyProblemKey;
  params: ProblemParams;
}

/** An event the last sync could not import: its line in the feed, its UID and why. */
export interface FeedEventFailure {
  line: number;
  externalUid: string | null;
  problems: FeedProblem[];
}

export interface FeedRecord {
  id: string;
  cityId: string;
  organisationId: string;
  url: string;
  syncIntervalMinutes: number;
  enabled: boolean;
  lastSyncedAt: Date | null;
  lastStatus: string | null;
  /** The last sync's failure in English; null when it went well. */
  lastError: string | null;
  /** Its key and params (`imports:problems.<key>`); null for a failure recorded before failures had keys. */
  lastErrorKey: string | null;
  lastErrorParams: ProblemParams | null;
  /** The events the last sync could not import (at most five); null when none, or recorded before. */
  lastErrorEvents: FeedEventFailure[] | null;
  lastCounts: Record<string, number> | null;
  createdBy: string | null;
  createdAt: Date;
}

const feedColumns = `id, city_id AS "cityId", organisation_id AS "organisationId", url,
  sync_interval_minutes AS "syncIntervalMinutes", enabled, last_synced_at AS "lastSyncedAt", last_status AS "lastStatus",
  last_error AS "lastError", last_error_key AS "lastErrorKey", last_error_params AS "lastErrorParams",
  last_error_events AS "lastErrorEvents", last_counts AS "lastCounts", created_by AS "createdBy",
  created_at AS "createdAt"`;

export function listFeedRows(db: SqlRunner, cityId: string, organisationId: string): Promise<FeedRecord[]> {
  return db.query<FeedRecord>(
    `SELECT ${feedColumns} FROM ical_feeds WHERE city_id = $1 AND organisation_id = $2 ORDER BY created_at, id`,
    [cityId, organisationId],
  );
}

export async function findFeed(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  feedId: string,
): Promise<FeedRecord | undefined> {
  const [row] = await db.query<FeedRecord>(
    `SELECT ${feedColumns} FROM ical_feeds WHERE city_id = $1 AND organisation_id = $2 AND id = $3`,
    [cityId, organisationId, feedId],
  );
  return row;
}

export async function findFeedById(db: SqlRunner, feedId: string): Promise<FeedRecord | undefined> {
  const [row] = await db.query<FeedRecord>(`SELECT ${feedColumns} FROM ical_feeds WHERE id = $1`, [feedId]);
  return row;
}

/** Inserts a feed; undefined when the organisation already has this URL in the city. */
export async function insertFeed(
  db: SqlRunner,
  row: { cityId: string; organisationId: string; url: string; syncIntervalMinutes: number; createdBy: string | null },
): Promise<FeedRecord | undefined> {
  const [created] = await db.query<FeedRecord>(
    `INSERT INTO ical_feeds (city_id, organisation_id, url, sync_interval_minutes, created_by)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (city_id, organisation_id, url) DO NOTHING RETURNING ${feedColumns}`,
    [row.cityId, row.organisationId, row.url, row.syncIntervalMinutes, row.createdBy],
  );
  return created;
}

export async function updateFeedSettings(
  db: SqlRunner,
  feedId: string,
  changes: { enabled?: boolean; syncIntervalMinutes?: number },
): Promise<void> {
  await db.query(
    `UPDATE ical_feeds SET enabled = coalesce($2, enabled), sync_interval_minutes = coalesce($3, sync_interval_minutes)
     WHERE id = $1`,
    [feedId, changes.enabled ?? null, changes.syncIntervalMinutes ?? null],
  );
}

export async function deleteFeedRow(db: SqlRunner, feedId: string): Promise<void> {
  await db.query('DELETE FROM ical_feeds WHERE id = $1', [feedId]);
}

/**
 * Records a sync's outcome on the feed: its status, its failure (English text, key and params; all null when it went
 * well), the events it could not import, and its counts (a failed sync keeps the previous counts).
 */
export async function recordFeedSync(
  db: SqlRunner,
  feedId: string,
  result: {
    status: 'ok' | 'failed';
    error: FeedProblem | null;
    events: FeedEventFailure[] | null;
    counts: Record<string, number> | null;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `UPDATE ical_feeds SET last_synced_at = $2, last_status = $3, last_error = $4, last_error_key = $5,
       last_error_params = $6::jsonb, last_error_events = $7::jsonb, last_counts = coalesce($8::jsonb, last_counts)
     WHERE id = $1`,
    [
      feedId,
      result.at,
      result.status,
      result.error?.problem ?? null,
      result.error?.key ?? null,
      result.error ? JSON.stringify(result.error.params) : null,
      result.events && result.events.length > 0 ? JSON.stringify(result.events) : null,
      result.counts ? JSON.stringify(result.counts) : null,
    ],
  );
}

/** Enabled feeds whose interval has passed since their last sync (or that never synced), in every city. */
export function listDueFeeds(db: SqlRunner, now: Date): Promise<FeedRecord[]> {
  return db.query<FeedRecord>(
    `SELECT ${feedColumns} FROM ical_feeds f
     WHERE f.enabled AND (f.last_synced_at IS NULL
       OR f.last_synced_at + make_interval(mins => f.sync_interval_minutes) <= $1)
       AND EXISTS (SELECT 1 FROM cities c WHERE c.id = f.city_id AND c.status = 'active')
     ORDER BY f.last_synced_at NULLS FIRST, f.id`,
    [now],
  );
}

/** Live activities a feed brought in whose UIDs are no longer in it. */
export function listVanishedFeedActivities(
  db: SqlRunner,
  cityId: string,
  feedId: string,
  liveUids: string[],
): Promise<{ id: string; externalUid: string }[]> {
  return db.query<{ id: string; externalUid: string }>(
    `SELECT id, external_uid AS "externalUid" FROM activities
     WHERE city_id = $1 AND feed_id = $2 AND status <> 'archived' AND NOT (external_uid = ANY($3::text[]))`,
    [cityId, feedId, liveUids],
  );
}

/** Skills of the city's spine (local skills and those of its frameworks) with one of these codes (lower case). */
export function findSpineSkillsByCode(
  db: SqlRunner,
  cityId: string,
  codes: string[],
): Promise<{ id: string; code: string; frameworkSlug: string }[]> {
  if (codes.length === 0) return Promise.resolve([]);
  return db.query<{ id: string; code: string; frameworkSlug: string }>(
    `SELECT s.id, s.code, f.slug AS "frameworkSlug" FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
     WHERE lower(s.code) = ANY($2::text[]) AND (s.city_id = $1 OR (s.city_id IS NULL AND EXISTS (
       SELECT 1 FROM city_skill_frameworks c WHERE c.city_id = $1 AND c.framework_id = s.framework_id)))`,
    [cityId, codes],
  );
}
