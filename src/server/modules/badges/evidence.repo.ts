import type { SqlRunner } from '../../db/client.ts';
import type { EvidenceSubmissionStatus } from '../../db/schema.ts';

// Evidence submissions, their files and peer confirmations are city-owned: every function takes the city id first.

export interface EvidenceItem {
  requirement: number;
  text?: string;
  url?: string;
}

export type ReviewKind = 'organiser' | 'peer';

/** A submission with the badge and learner it belongs to. */
export interface SubmissionRecord {
  id: string;
  cityId: string;
  badgeClassId: string;
  badgeSlug: string;
  badgeName: Record<string, string>;
  organisationId: string;
  userId: string;
  learnerName: string;
  /** Empty for people whose account is limited (minors awaiting consent) — organisers see their name only. */
  learnerEmail: string;
  review: ReviewKind;
  status: EvidenceSubmissionStatus;
  items: EvidenceItem[];
  feedback: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  credentialId: string | null;
  confirmations: number;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `s.id, s.city_id AS "cityId", s.badge_class_id AS "badgeClassId", b.slug AS "badgeSlug",
  b.name AS "badgeName", b.organisation_id AS "organisationId", s.user_id AS "userId", u.display_name AS "learnerName",
  CASE WHEN u.status = 'active' THEN u.email ELSE '' END AS "learnerEmail", s.review, s.status, s.items, s.feedback,
  s.reviewed_by AS "reviewedBy", s.reviewed_at AS "reviewedAt", s.credential_id AS "credentialId",
  (SELECT count(*)::int FROM peer_confirmations p WHERE p.submission_id = s.id) AS confirmations,
  s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

const from = `evidence_submissions s JOIN badge_classes b ON b.id = s.badge_class_id JOIN users u ON u.id = s.user_id`;

/** Inserts a submission; undefined when the person already has an open one for the badge (the partial unique index). */
export async function insertSubmission(
  db: SqlRunner,
  cityId: string,
  row: { badgeClassId: string; userId: string; review: ReviewKind; items: EvidenceItem[] },
): Promise<string | undefined> {
  const [inserted] = await db.query<{ id: string }>(
    `INSERT INTO evidence_submissions (city_id, badge_class_id, user_id, review, items)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
    [cityId, row.badgeClassId, row.userId, row.review, JSON.stringify(row.items)],
  );
  return inserted?.id;
}

/**
 * Reads a submission; `lock` first takes its row lock in a statement of its own, so the read that follows (a new
 * statement, a new snapshot under READ COMMITTED) sees everything committed by whoever held the lock before —
 * its status and its peer confirmations alike.
 */
export async function findSubmission(
  db: SqlRunner,
  cityId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<SubmissionRecord | undefined> {
  if (options.lock) {
    const locked = await db.query('SELECT id FROM evidence_submissions WHERE city_id = $1 AND id = $2 FOR UPDATE', [
      cityId,
      id,
    ]);
    if (locked.length === 0) return undefined;
  }
  const [row] = await db.query<SubmissionRecord>(`SELECT ${columns} FROM ${from} WHERE s.city_id = $1 AND s.id = $2`, [
    cityId,
    id,
  ]);
  return row;
}

/** The person's open (pending or more-info) submission for the badge, locked for a change when asked. */
export async function findOpenSubmission(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<SubmissionRecord | undefined> {
  const open = `WHERE s.city_id = $1 AND s.badge_class_id = $2 AND s.user_id = $3 AND s.status IN ('pending', 'more_info')`;
  if (options.lock) {
    const [locked] = await db.query<{ id: string }>(`SELECT s.id FROM evidence_submissions s ${open} FOR UPDATE`, [
      cityId,
      badgeClassId,
      userId,
    ]);
    return locked ? findSubmission(db, cityId, locked.id) : undefined;
  }
  const [row] = await db.query<SubmissionRecord>(`SELECT ${columns} FROM ${from} ${open}`, [
    cityId,
    badgeClassId,
    userId,
  ]);
  return row;
}

/** The person's latest submission of a kind for the badge, whatever its status. */
export async function findLatestSubmission(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  userId: string,
  review: ReviewKind,
): Promise<SubmissionRecord | undefined> {
  const [row] = await db.query<SubmissionRecord>(
    `SELECT ${columns} FROM ${from}
      WHERE s.city_id = $1 AND s.badge_class_id = $2 AND s.user_id = $3 AND s.review = $4
      ORDER BY s.created_at DESC, s.id DESC LIMIT 1`,
    [cityId, badgeClassId, userId, review],
  );
  return row;
}

/** A resubmission: new items, back to pending. */
export async function resubmit(db: SqlRunner, cityId: string, id: string, items: EvidenceItem[]): Promise<void> {
  await db.query(
    `UPDATE evidence_submissions SET items = $3, status = 'pending', updated_at = now() WHERE city_id = $1 AND id = $2`,
    [cityId, id, JSON.stringify(items)],
  );
}

export async function setDecision(
  db: SqlRunner,
  cityId: string,
  id: string,
  decision: {
    status: EvidenceSubmissionStatus;
    feedback: string | null;
    reviewedBy: string | null;
    credentialId: string | null;
  },
): Promise<void> {
  await db.query(
    `UPDATE evidence_submissions SET status = $3, feedback = $4, reviewed_by = $5, reviewed_at = now(),
       credential_id = coalesce($6, credential_id), updated_at = now()
      WHERE city_id = $1 AND id = $2`,
    [cityId, id, decision.status, decision.feedback, decision.reviewedBy, decision.credentialId],
  );
}

// ── Files ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface EvidenceFileRecord {
  id: string;
  submissionId: string;
  requirement: number;
  fileName: string;
  contentType: string;
  size: number;
}

export async function insertFile(
  db: SqlRunner,
  cityId: string,
  row: { submissionId: string; requirement: number; fileName: string; contentType: string; bytes: Uint8Array },
): Promise<void> {
  await db.query(
    `INSERT INTO evidence_files (city_id, submission_id, requirement, file_name, content_type, bytes)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [cityId, row.submissionId, row.requirement, row.fileName, row.contentType, row.bytes],
  );
}

export async function deleteFilesOfRequirements(
  db: SqlRunner,
  cityId: string,
  submissionId: string,
  requirements: number[],
): Promise<void> {
  if (requirements.length === 0) return;
  await db.query(
    'DELETE FROM evidence_files WHERE city_id = $1 AND submission_id = $2 AND requirement = ANY($3::int[])',
    [cityId, submissionId, requirements],
  );
}

export function listFiles(db: SqlRunner, cityId: string, submissionIds: string[]): Promise<EvidenceFileRecord[]> {
  if (submissionIds.length === 0) return Promise.resolve([]);
  return db.query<EvidenceFileRecord>(
    `SELECT id, submission_id AS "submissionId", requirement, file_name AS "fileName", content_type AS "contentType",
        octet_length(bytes) AS size
       FROM evidence_files WHERE city_id = $1 AND submission_id = ANY($2::uuid[])
      ORDER BY requirement, created_at, id`,
    [cityId, submissionIds],
  );
}

export async function findFile(
  db: SqlRunner,
  cityId: string,
  submissionId: string,
  fileId: string,
): Promise<(EvidenceFileRecord & { bytes: Uint8Array }) | undefined> {
  const [row] = await db.query<EvidenceFileRecord & { bytes: Uint8Array }>(
    `SELECT id, submission_id AS "submissionId", requirement, file_name AS "fileName", content_type AS "contentType",
        octet_length(bytes) AS size, bytes
       FROM evidence_files WHERE city_id = $1 AND submission_id = $2 AND id = $3`,
    [cityId, submissionId, fileId],
  );
  return row;
}

// ── Lists ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface QueueFilter {
  badgeClassId: string | null;
  status: EvidenceSubmissionStatus | null;
}

const queueWhere = `s.city_id = $1 AND b.organisation_id = $2 AND s.review = 'organiser'
  AND ($3::uuid IS NULL OR s.badge_class_id = $3) AND ($4::text IS NULL OR s.status = $4)`;

/**
 * The organisation's review queue: waiting submissions first (oldest first, so nobody waits longest), then those
 * waiting on the learner, then decided ones (most recent first). One numbered page.
 */
export function listQueueRows(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  filter: QueueFilter,
  page: { limit: number; offset: number },
): Promise<SubmissionRecord[]> {
  return db.query<SubmissionRecord>(
    `SELECT ${columns} FROM ${from} WHERE ${queueWhere}
      ORDER BY CASE s.status WHEN 'pending' THEN 0 WHEN 'more_info' THEN 1 ELSE 2 END,
        CASE WHEN s.status = 'pending' THEN s.updated_at END ASC,
        s.updated_at DESC, s.id
      LIMIT $5 OFFSET $6`,
    [cityId, organisationId, filter.badgeClassId, filter.status, page.limit, page.offset],
  );
}

export async function countQueue(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  filter: QueueFilter,
): Promise<number> {
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${from} WHERE ${queueWhere}`, [
    cityId,
    organisationId,
    filter.badgeClassId,
    filter.status,
  ]);
  return row?.count ?? 0;
}

/** The organisation's badges that take evidence or have submissions, for the queue's filter. */
export function listQueueBadges(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<{ id: string; name: Record<string, string> }[]> {
  return db.query<{ id: string; name: Record<string, string> }>(
    `SELECT b.id, b.name FROM badge_classes b
      WHERE b.city_id = $1 AND b.organisation_id = $2
        AND (b.evidence_claims_open OR EXISTS (SELECT 1 FROM evidence_submissions s WHERE s.badge_class_id = b.id))
      ORDER BY b.slug`,
    [cityId, organisationId],
  );
}

export function listUserSubmissions(db: SqlRunner, cityId: string, userId: string): Promise<SubmissionRecord[]> {
  return db.query<SubmissionRecord>(
    `SELECT ${columns} FROM ${from} WHERE s.city_id = $1 AND s.user_id = $2 ORDER BY s.updated_at DESC, s.id DESC`,
    [cityId, userId],
  );
}

/** The people of the organisation (any role) to tell about a new submission. */
export function listOrganisationStaff(
  db: SqlRunner,
  organisationId: string,
): Promise<{ email: string; displayName: string; languages: string[] }[]> {
  return db.query<{ email: string; displayName: string; languages: string[] }>(
    `SELECT u.email, u.display_name AS "displayName", u.languages
       FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND u.status = 'active' AND u.deleted_at IS NULL
      ORDER BY u.email`,
    [organisationId],
  );
}

// ── Peer checks ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Records a confirmation; false when this person had already confirmed. */
export async function insertConfirmation(
  db: SqlRunner,
  cityId: string,
  submissionId: string,
  confirmerUserId: string,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO peer_confirmations (city_id, submission_id, confirmer_user_id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING submission_id`,
    [cityId, submissionId, confirmerUserId],
  );
  return rows.length > 0;
}

export async function countConfirmations(db: SqlRunner, cityId: string, submissionId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM peer_confirmations WHERE city_id = $1 AND submission_id = $2',
    [cityId, submissionId],
  );
  return row?.n ?? 0;
}

export interface PeerRequestRow extends SubmissionRecord {
  confirmedByMe: boolean;
}

/** Open peer-check requests for a badge, oldest first, except the viewer's own. */
export function listOpenPeerRequests(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  viewerUserId: string,
  page: { limit: number; offset: number },
): Promise<PeerRequestRow[]> {
  return db.query<PeerRequestRow>(
    `SELECT ${columns},
        EXISTS (SELECT 1 FROM peer_confirmations p WHERE p.submission_id = s.id AND p.confirmer_user_id = $3)
          AS "confirmedByMe"
       FROM ${from}
      WHERE s.city_id = $1 AND s.badge_class_id = $2 AND s.review = 'peer' AND s.status = 'pending' AND s.user_id <> $3
      ORDER BY s.created_at, s.id LIMIT $4 OFFSET $5`,
    [cityId, badgeClassId, viewerUserId, page.limit + 1, page.offset],
  );
}
