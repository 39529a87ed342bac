import type { SqlRunner } from '../../db/client.ts';

// Claim codes are city-owned: every function takes the city id first.

export interface ClaimCodeRecord {
  id: string;
  cityId: string;
  badgeClassId: string;
  code: string;
  label: string;
  maxUses: number;
  uses: number;
  expiresAt: Date | null;
  disabledAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

const columns = `k.id, k.city_id AS "cityId", k.badge_class_id AS "badgeClassId", k.code, k.label,
  k.max_uses AS "maxUses", k.uses, k.expires_at AS "expiresAt", k.disabled_at AS "disabledAt",
  k.created_by AS "createdBy", k.created_at AS "createdAt"`;

/** Inserts a code; undefined when the code is already taken in the city (the caller draws another). */
export async function insertClaimCode(
  db: SqlRunner,
  cityId: string,
  row: {
    badgeClassId: string;
    code: string;
    label: string;
    maxUses: number;
    expiresAt: Date | null;
    createdBy: string | null;
  },
): Promise<string | undefined> {
  const [inserted] = await db.query<{ id: string }>(
    `INSERT INTO badge_claim_codes (city_id, badge_class_id, code, label, max_uses, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (city_id, code) DO NOTHING RETURNING id`,
    [cityId, row.badgeClassId, row.code, row.label, row.maxUses, row.expiresAt, row.createdBy],
  );
  return inserted?.id;
}

export async function findClaimCode(db: SqlRunner, cityId: string, id: string): Promise<ClaimCodeRecord | undefined> {
  const [row] = await db.query<ClaimCodeRecord>(
    `SELECT ${columns} FROM badge_claim_codes k WHERE k.city_id = $1 AND k.id = $2`,
    [cityId, id],
  );
  return row;
}

export async function findClaimCodeByCode(
  db: SqlRunner,
  cityId: string,
  code: string,
): Promise<ClaimCodeRecord | undefined> {
  const [row] = await db.query<ClaimCodeRecord>(
    `SELECT ${columns} FROM badge_claim_codes k WHERE k.city_id = $1 AND k.code = $2`,
    [cityId, code],
    { name: 'badge_claim_codes.find-by-code' },
  );
  return row;
}

/** Codes of one badge, newest first, one page (limit + 1 rows are read to know if more follow). */
export function listClaimCodeRows(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  page: { limit: number; offset: number },
): Promise<ClaimCodeRecord[]> {
  return db.query<ClaimCodeRecord>(
    `SELECT ${columns} FROM badge_claim_codes k WHERE k.city_id = $1 AND k.badge_class_id = $2
      ORDER BY k.created_at DESC, k.id DESC LIMIT $3 OFFSET $4`,
    [cityId, badgeClassId, page.limit + 1, page.offset],
  );
}

/**
 * Takes one use of a code — in one statement, so concurrent claims never pass the limit: the row lock makes later
 * claims wait and then re-check `uses < max_uses` against the committed count. Undefined when the code is used up,
 * expired or disabled (the caller reads the row again to say which).
 */
export async function takeClaimCodeUse(db: SqlRunner, cityId: string, id: string): Promise<number | undefined> {
  const [row] = await db.query<{ uses: number }>(
    `UPDATE badge_claim_codes SET uses = uses + 1
      WHERE city_id = $1 AND id = $2 AND uses < max_uses AND disabled_at IS NULL
        AND (expires_at IS NULL OR expires_at > now())
      RETURNING uses`,
    [cityId, id],
    { name: 'badge_claim_codes.take-use' },
  );
  return row?.uses;
}

/** Gives back a use taken by a claim that turned out to be a repeat (the person already had the badge from it). */
export async function returnClaimCodeUse(db: SqlRunner, cityId: string, id: string): Promise<void> {
  await db.query('UPDATE badge_claim_codes SET uses = uses - 1 WHERE city_id = $1 AND id = $2 AND uses > 0', [
    cityId,
    id,
  ]);
}

export async function disableClaimCodeRow(db: SqlRunner, cityId: string, id: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE badge_claim_codes SET disabled_at = now() WHERE city_id = $1 AND id = $2 AND disabled_at IS NULL
      RETURNING id`,
    [cityId, id],
  );
  return rows.length > 0;
}

// ── Held badges, shared by every claim route ─────────────────────────────────────────────────────────────────────

/** The person's newest active, unexpired credential of a badge in the city (as an account), if any. */
export async function findActiveCredentialOf(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
  userId: string,
): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM badge_credentials
      WHERE city_id = $1 AND badge_class_id = $2 AND recipient_user_id = $3 AND status = 'active'
        AND (valid_until IS NULL OR valid_until > now())
      ORDER BY issued_at DESC, id DESC LIMIT 1`,
    [cityId, badgeClassId, userId],
    { name: 'badge_credentials.active-of' },
  );
  return row?.id;
}

// ── Automatic awards ────────────────────────────────────────────────────────────────────────────────────────────

export interface AttendanceBadge {
  badgeClassId: string;
  activitySlug: string;
  activityTitle: Record<string, string>;
}

/**
 * The published badges of the activity's own organisation that the activity awards on attendance. One indexed query
 * (activity_badges' primary key leads with the activity), so marking attendance on activities without such badges
 * costs only this.
 */
export function listAttendanceBadges(db: SqlRunner, cityId: string, activityId: string): Promise<AttendanceBadge[]> {
  return db.query<AttendanceBadge>(
    `SELECT ab.badge_class_id AS "badgeClassId", a.slug AS "activitySlug", a.title AS "activityTitle"
       FROM activity_badges ab
       JOIN activities a ON a.id = ab.activity_id AND a.city_id = ab.city_id
       JOIN badge_classes b ON b.id = ab.badge_class_id AND b.city_id = ab.city_id
      WHERE ab.activity_id = $2 AND ab.city_id = $1 AND ab.award_on_attendance
        AND b.status = 'published' AND b.organisation_id = a.organisation_id
      ORDER BY ab.badge_class_id`,
    [cityId, activityId],
    { name: 'activity_badges.on-attendance' },
  );
}

/** The people of these sign-ups who are marked as attended. */
export async function attendedUserIds(db: SqlRunner, cityId: string, signupIds: string[]): Promise<string[]> {
  const rows = await db.query<{ userId: string }>(
    `SELECT DISTINCT user_id AS "userId" FROM activity_signups
      WHERE city_id = $1 AND id = ANY($2::uuid[]) AND attended IS TRUE ORDER BY user_id`,
    [cityId, signupIds],
  );
  return rows.map((row) => row.userId);
}

/** Published meta badges of the city that require this badge. */
export async function metaBadgesRequiring(db: SqlRunner, cityId: string, badgeClassId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT b.id FROM badge_class_prerequisites p
       JOIN badge_classes b ON b.id = p.badge_class_id AND b.city_id = p.city_id
      WHERE p.city_id = $1 AND p.required_badge_class_id = $2 AND b.status = 'published' AND b.kind = 'meta'
      ORDER BY b.id`,
    [cityId, badgeClassId],
  );
  return rows.map((row) => row.id);
}

/** Of these badges, the person's newest active, unexpired credential of each (as an account or by email). */
export function heldCredentials(
  db: SqlRunner,
  cityId: string,
  badgeClassIds: string[],
  holder: { userId: string; email: string },
): Promise<{ id: string; badgeClassId: string; badgeName: Record<string, string> }[]> {
  return db.query<{ id: string; badgeClassId: string; badgeName: Record<string, string> }>(
    `SELECT DISTINCT ON (c.badge_class_id) c.id, c.badge_class_id AS "badgeClassId", b.name AS "badgeName"
       FROM badge_credentials c JOIN badge_classes b ON b.id = c.badge_class_id
      WHERE c.city_id = $1 AND c.badge_class_id = ANY($2::uuid[]) AND c.status = 'active'
        AND (c.valid_until IS NULL OR c.valid_until > now())
        AND (c.recipient_user_id = $3 OR lower(c.recipient_email) = lower($4))
      ORDER BY c.badge_class_id, c.issued_at DESC, c.id DESC`,
    [cityId, badgeClassIds, holder.userId, holder.email],
  );
}
