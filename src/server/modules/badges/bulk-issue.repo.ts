import type { SqlRunner } from '../../db/client.ts';
import type { BadgeClassStatus, IssueBatchRowStatus, IssueBatchStatus } from '../../db/schema.ts';

/** A bulk issue as its pages and the API show it. */
export interface BatchRecord {
  id: string;
  cityId: string;
  organisationId: string;
  createdBy: string | null;
  fileName: string;
  status: IssueBatchStatus;
  totalRows: number;
  issuedRows: number;
  skippedRows: number;
  failedRows: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/** What a row of the file asked for; `key` is the row's idempotency key (empty for rows skipped as invalid). */
export interface BatchRowInput {
  email: string;
  name: string;
  /** The badge as the file (or the form) named it: an id or a slug. */
  badge: string;
  /** The badge it resolved to; empty for rows skipped as invalid. */
  badgeId: string;
  evidenceUrl: string;
  narrative: string;
  key: string;
}

export interface BatchRowRecord {
  line: number;
  input: BatchRowInput;
  status: IssueBatchRowStatus;
  credentialId: string | null;
  error: string | null;
}

export interface NewBatchRow {
  line: number;
  input: BatchRowInput;
  status: 'pending' | 'skipped';
  error: string | null;
}

export interface RowOutcome {
  line: number;
  status: 'issued' | 'skipped' | 'failed';
  credentialId: string | null;
  error: string | null;
}

/** A badge of the organisation in the city, as a row of a file may name it. */
export interface OrganisationBadge {
  id: string;
  slug: string;
  status: BadgeClassStatus;
  name: Record<string, string>;
}

const batchColumns = `id, city_id AS "cityId", organisation_id AS "organisationId", created_by AS "createdBy",
  file_name AS "fileName", status, total_rows AS "totalRows", issued_rows AS "issuedRows",
  skipped_rows AS "skippedRows", failed_rows AS "failedRows", created_at AS "createdAt", finished_at AS "finishedAt"`;

/** Rows are written in slices of this many per statement (one JSON parameter each). */
const INSERT_SLICE = 2000;

export function listOrganisationBadges(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<OrganisationBadge[]> {
  return db.query<OrganisationBadge>(
    `SELECT id, slug, status, name FROM badge_classes WHERE city_id = $1 AND organisation_id = $2 ORDER BY slug`,
    [cityId, organisationId],
  );
}

/** The credentials already issued under these idempotency keys in the city: key → credential id. */
export async function findIssuedKeys(db: SqlRunner, cityId: string, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.query<{ key: string; id: string }>(
    `SELECT idempotency_key AS key, id FROM badge_credentials WHERE city_id = $1 AND idempotency_key = ANY($2::text[])`,
    [cityId, keys],
    { name: 'bulk_issue_issued_keys' },
  );
  return new Map(rows.map((row) => [row.key, row.id]));
}

export async function insertBatch(
  db: SqlRunner,
  cityId: string,
  batch: { organisationId: string; createdBy: string | null; fileName: string; totalRows: number; skippedRows: number },
): Promise<BatchRecord> {
  const [row] = await db.query<BatchRecord>(
    `INSERT INTO badge_issue_batches (city_id, organisation_id, created_by, file_name, total_rows, skipped_rows)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${batchColumns}`,
    [cityId, batch.organisationId, batch.createdBy, batch.fileName, batch.totalRows, batch.skippedRows],
  );
  return row as BatchRecord;
}

export async function insertBatchRows(db: SqlRunner, cityId: string, batchId: string, rows: NewBatchRow[]) {
  for (let start = 0; start < rows.length; start += INSERT_SLICE) {
    await db.query(
      `INSERT INTO badge_issue_batch_rows (city_id, batch_id, line, input, status, error)
       SELECT $1, $2, r.line, r.input, r.status, r.error
         FROM jsonb_to_recordset($3::jsonb) AS r(line int, input jsonb, status text, error text)`,
      [cityId, batchId, JSON.stringify(rows.slice(start, start + INSERT_SLICE))],
    );
  }
}

export async function findBatch(
  db: SqlRunner,
  cityId: string,
  batchId: string,
  options: { lock?: boolean } = {},
): Promise<BatchRecord | undefined> {
  const [row] = await db.query<BatchRecord>(
    `SELECT ${batchColumns} FROM badge_issue_batches WHERE city_id = $1 AND id = $2${options.lock ? ' FOR UPDATE' : ''}`,
    [cityId, batchId],
  );
  return row;
}

/** The organisation's batches, newest first, in keyset pages (`before` = the last one of the previous page). */
export function listBatches(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  before: { createdAt: string; id: string } | null,
  limit: number,
): Promise<BatchRecord[]> {
  return db.query<BatchRecord>(
    `SELECT ${batchColumns} FROM badge_issue_batches
      WHERE city_id = $1 AND organisation_id = $2
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [cityId, organisationId, before?.createdAt ?? null, before?.id ?? null, limit],
  );
}

/** The batch an Idempotency-Key made, remembered by its job (jobs keep their idempotency key). */
export async function findBatchIdByJobKey(
  db: SqlRunner,
  jobType: string,
  jobKey: string,
): Promise<{ batchId: string; contentHash: string } | undefined> {
  const [row] = await db.query<{ batchId: string; contentHash: string }>(
    `SELECT payload->>'batchId' AS "batchId", coalesce(payload->>'contentHash', '') AS "contentHash"
       FROM jobs WHERE type = $1 AND idempotency_key = $2`,
    [jobType, jobKey],
  );
  return row;
}

/**
 * Takes the next pending rows of a batch after a line for this transaction, in file order. SKIP LOCKED: two workers
 * (or the command line and a server) working on one batch take different rows instead of waiting for each other.
 * Starting after the last line taken reads the primary key from there, instead of walking past every row already
 * issued on each chunk.
 */
export function takePendingRows(db: SqlRunner, cityId: string, batchId: string, limit: number, afterLine = 0) {
  return db.query<{ line: number; input: BatchRowInput }>(
    `SELECT line, input FROM badge_issue_batch_rows
      WHERE city_id = $1 AND batch_id = $2 AND line > $4 AND status = 'pending'
      ORDER BY line LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [cityId, batchId, limit, afterLine],
    { name: 'bulk_issue_take_pending_after' },
  );
}

/** Records the outcome of a chunk of rows and adds them to the batch's counters, in one statement each. */
export async function recordOutcomes(db: SqlRunner, cityId: string, batchId: string, outcomes: RowOutcome[]) {
  if (outcomes.length === 0) return;
  // The lines as an array too: the planner then probes the primary key for just these rows instead of joining the
  // whole batch (a 10,000-row batch made that a scan per chunk).
  await db.query(
    `UPDATE badge_issue_batch_rows r SET status = o.status, credential_id = o."credentialId", error = o.error
       FROM jsonb_to_recordset($3::jsonb) AS o(line int, status text, "credentialId" uuid, error text)
      WHERE r.city_id = $1 AND r.batch_id = $2 AND r.line = ANY($4::int[]) AND r.line = o.line`,
    [cityId, batchId, JSON.stringify(outcomes), outcomes.map((outcome) => outcome.line)],
    { name: 'bulk_issue_record_outcomes' },
  );
  const count = (status: RowOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  await db.query(
    `UPDATE badge_issue_batches SET issued_rows = issued_rows + $3, skipped_rows = skipped_rows + $4,
       failed_rows = failed_rows + $5, status = CASE WHEN status = 'queued' THEN 'running' ELSE status END
      WHERE city_id = $1 AND id = $2`,
    [cityId, batchId, count('issued'), count('skipped'), count('failed')],
    { name: 'bulk_issue_count_outcomes' },
  );
}

export async function markBatchRunning(db: SqlRunner, cityId: string, batchId: string): Promise<void> {
  await db.query(
    `UPDATE badge_issue_batches SET status = 'running' WHERE city_id = $1 AND id = $2 AND status = 'queued'`,
    [cityId, batchId],
  );
}

/** Completes the batch once no row is pending; returns the batch when this call completed it or it was complete. */
export async function completeBatchIfDone(db: SqlRunner, cityId: string, batchId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE badge_issue_batches b SET status = 'completed', finished_at = coalesce(b.finished_at, now())
      WHERE b.city_id = $1 AND b.id = $2
        AND NOT EXISTS (SELECT 1 FROM badge_issue_batch_rows r
                         WHERE r.city_id = $1 AND r.batch_id = $2 AND r.status = 'pending')
      RETURNING b.id`,
    [cityId, batchId],
  );
  return rows.length > 0;
}

export async function markBatchFailed(db: SqlRunner, cityId: string, batchId: string): Promise<void> {
  await db.query(
    `UPDATE badge_issue_batches SET status = 'failed', finished_at = now()
      WHERE city_id = $1 AND id = $2 AND status IN ('queued', 'running')`,
    [cityId, batchId],
  );
}

/** Every row of a batch in file order, with the credential each one got (for the report). */
export function listBatchRows(
  db: SqlRunner,
  cityId: string,
  batchId: string,
  options: { status?: IssueBatchRowStatus; afterLine?: number; limit?: number } = {},
): Promise<BatchRowRecord[]> {
  return db.query<BatchRowRecord>(
    `SELECT line, input, status, credential_id AS "credentialId", error FROM badge_issue_batch_rows
      WHERE city_id = $1 AND batch_id = $2 AND ($3::text IS NULL OR status = $3) AND line > $4
      ORDER BY line LIMIT $5`,
    [cityId, batchId, options.status ?? null, options.afterLine ?? 0, options.limit ?? 1000],
  );
}

/** A city by id (jobs carry the id; the services take the record). */
export async function findCitySlug(db: SqlRunner, cityId: string): Promise<string | undefined> {
  const [row] = await db.query<{ slug: string }>('SELECT slug FROM cities WHERE id = $1', [cityId]);
  return row?.slug;
}

/** A badge class with how many credentials it has, for the command line's `badges list`. */
export interface BadgeCountRow {
  id: string;
  citySlug: string;
  organisationId: string;
  organisationSlug: string;
  organisationName: string;
  slug: string;
  kind: string;
  status: BadgeClassStatus;
  version: number;
  name: Record<string, string>;
  issued: number;
  active: number;
  suspended: number;
  revoked: number;
}

/** Badge classes with their credential counts, optionally of one city and one organisation. */
export function listBadgesWithCounts(
  db: SqlRunner,
  cityId: string | null,
  organisationId: string | null,
): Promise<BadgeCountRow[]> {
  return db.query<BadgeCountRow>(
    `SELECT b.id, ci.slug AS "citySlug", o.id AS "organisationId", o.slug AS "organisationSlug",
            o.name AS "organisationName", b.slug, b.kind, b.status, b.version, b.name,
            count(c.id)::int AS issued,
            (count(c.id) FILTER (WHERE c.status = 'active'))::int AS active,
            (count(c.id) FILTER (WHERE c.status = 'suspended'))::int AS suspended,
            (count(c.id) FILTER (WHERE c.status = 'revoked'))::int AS revoked
       FROM badge_classes b
       JOIN cities ci ON ci.id = b.city_id
       JOIN organisations o ON o.id = b.organisation_id
       LEFT JOIN badge_credentials c ON c.city_id = b.city_id AND c.badge_class_id = b.id
      WHERE ($1::uuid IS NULL OR b.city_id = $1) AND ($2::uuid IS NULL OR b.organisation_id = $2)
      GROUP BY b.id, ci.slug, o.id
      ORDER BY ci.slug, o.slug, b.slug`,
    [cityId, organisationId],
  );
}

/** The city of a credential (the command line names credentials by id alone). */
export async function findCredentialCityId(db: SqlRunner, credentialId: string): Promise<string | undefined> {
  const [row] = await db.query<{ cityId: string }>('SELECT city_id AS "cityId" FROM badge_credentials WHERE id = $1', [
    credentialId,
  ]);
  return row?.cityId;
}

/** Badges named by id or short name, in one city or in all (a short name is unique per city only). */
export function findBadgesByRef(
  db: SqlRunner,
  ref: string,
  cityId: string | null,
): Promise<{ id: string; cityId: string; citySlug: string; slug: string }[]> {
  return db.query(
    `SELECT b.id, b.city_id AS "cityId", ci.slug AS "citySlug", b.slug FROM badge_classes b
       JOIN cities ci ON ci.id = b.city_id
      WHERE (b.id::text = lower($1) OR b.slug = lower($1)) AND ($2::uuid IS NULL OR b.city_id = $2)
      ORDER BY ci.slug`,
    [ref, cityId],
  );
}
