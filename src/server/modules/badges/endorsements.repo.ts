import type { SqlRunner } from '../../db/client.ts';

// Endorsements are city-owned: every function takes the city id first. The one exception reads an issuer's
// endorsements across cities for its network-level public page, and takes the organisation id first.

export interface EndorsementRecord {
  id: string;
  cityId: string;
  endorserOrganisationId: string;
  endorserName: string;
  targetBadgeClassId: string | null;
  targetOrganisationId: string | null;
  /** The badge's short name in the city (its page), for a badge target. */
  targetBadgeSlug: string | null;
  /** The badge's name per language, or the organisation's name under "". */
  targetName: Record<string, string>;
  /** The badge's organisation (for a badge target) or the endorsed organisation. */
  targetOwnerId: string;
  comment: Record<string, string>;
  document: Record<string, unknown>;
  createdBy: string | null;
  createdAt: Date;
  withdrawnAt: Date | null;
}

const columns = `e.id, e.city_id AS "cityId", e.endorser_organisation_id AS "endorserOrganisationId",
  eo.name AS "endorserName", e.target_badge_class_id AS "targetBadgeClassId",
  e.target_organisation_id AS "targetOrganisationId", b.slug AS "targetBadgeSlug",
  COALESCE(b.name, jsonb_build_object('', t.name)) AS "targetName",
  COALESCE(b.organisation_id, e.target_organisation_id) AS "targetOwnerId",
  e.comment, e.document, e.created_by AS "createdBy", e.created_at AS "createdAt", e.withdrawn_at AS "withdrawnAt"`;
const from = `badge_endorsements e
  JOIN organisations eo ON eo.id = e.endorser_organisation_id
  LEFT JOIN badge_classes b ON b.id = e.target_badge_class_id
  LEFT JOIN organisations t ON t.id = e.target_organisation_id`;

export async function findEndorsement(
  db: SqlRunner,
  cityId: string,
  endorsementId: string,
): Promise<EndorsementRecord | undefined> {
  const [row] = await db.query<EndorsementRecord>(`SELECT ${columns} FROM ${from} WHERE e.city_id = $1 AND e.id = $2`, [
    cityId,
    endorsementId,
  ]);
  return row;
}

export interface NewEndorsement {
  id: string;
  endorserOrganisationId: string;
  targetBadgeClassId: string | null;
  targetOrganisationId: string | null;
  comment: Record<string, string>;
  document: Record<string, unknown>;
  createdBy: string | null;
}

export async function insertEndorsement(db: SqlRunner, cityId: string, endorsement: NewEndorsement): Promise<void> {
  await db.query(
    `INSERT INTO badge_endorsements (id, city_id, endorser_organisation_id, target_badge_class_id,
       target_organisation_id, comment, document, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      endorsement.id,
      cityId,
      endorsement.endorserOrganisationId,
      endorsement.targetBadgeClassId,
      endorsement.targetOrganisationId,
      JSON.stringify(endorsement.comment),
      JSON.stringify(endorsement.document),
      endorsement.createdBy,
    ],
  );
}

/** The endorser's standing endorsement of the same badge or organisation, if any. */
export async function findStandingEndorsement(
  db: SqlRunner,
  cityId: string,
  endorserOrganisationId: string,
  target: { badgeClassId: string | null; organisationId: string | null },
): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM badge_endorsements
     WHERE city_id = $1 AND endorser_organisation_id = $2 AND withdrawn_at IS NULL
       AND target_badge_class_id IS NOT DISTINCT FROM $3 AND target_organisation_id IS NOT DISTINCT FROM $4`,
    [cityId, endorserOrganisationId, target.badgeClassId, target.organisationId],
  );
  return row?.id;
}

/**
 * Whether an error is the partial unique index `badge_endorsements_standing_key` refusing a second standing
 * endorsement of the same target by the same endorser (the insert lost a race, or the target is endorsed already).
 */
export function isStandingEndorsementConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'badge_endorsements_standing_key';
}

/** Marks an endorsement withdrawn (once); false when it is not the endorser's or was already withdrawn. */
export async function markEndorsementWithdrawn(
  db: SqlRunner,
  cityId: string,
  endorserOrganisationId: string,
  endorsementId: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE badge_endorsements SET withdrawn_at = now()
     WHERE city_id = $1 AND endorser_organisation_id = $2 AND id = $3 AND withdrawn_at IS NULL RETURNING id`,
    [cityId, endorserOrganisationId, endorsementId],
  );
  return rows.length > 0;
}

export type EndorsementDirection = 'given' | 'received';

/**
 * A page of the endorsements an organisation gave, or received (of itself or of its badges), in the city; newest
 * first, withdrawn ones included (received ones only while standing).
 */
export async function listEndorsementsOfOrganisation(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  direction: EndorsementDirection,
  page: { limit: number; offset: number },
): Promise<{ items: EndorsementRecord[]; total: number }> {
  const where =
    direction === 'given'
      ? 'e.city_id = $1 AND e.endorser_organisation_id = $2'
      : `e.city_id = $1 AND e.withdrawn_at IS NULL
         AND (e.target_organisation_id = $2 OR b.organisation_id = $2)`;
  const [items, count] = await Promise.all([
    db.query<EndorsementRecord>(
      `SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY e.created_at DESC, e.id LIMIT $3 OFFSET $4`,
      [cityId, organisationId, page.limit, page.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${from} WHERE ${where}`, [cityId, organisationId]),
  ]);
  return { items, total: count[0]?.total ?? 0 };
}

/** The signed documents of a badge's standing endorsements, oldest first. */
export async function standingEndorsementsOfBadge(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ document: Record<string, unknown> }>(
    `SELECT document FROM badge_endorsements
     WHERE city_id = $1 AND target_badge_class_id = $2 AND withdrawn_at IS NULL ORDER BY created_at, id`,
    [cityId, badgeClassId],
  );
  return rows.map((row) => row.document);
}

/** The signed documents of an organisation's standing endorsements (as an issuer), oldest first. */
export async function standingEndorsementsOfIssuer(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ document: Record<string, unknown> }>(
    `SELECT document FROM badge_endorsements
     WHERE city_id = $1 AND target_organisation_id = $2 AND withdrawn_at IS NULL ORDER BY created_at, id`,
    [cityId, organisationId],
  );
  return rows.map((row) => row.document);
}

export interface ReceivedEndorsementRow extends EndorsementRecord {
  citySlug: string;
}

/** Standing endorsements an organisation received in any active city (of itself or its badges), newest first. */
export async function listReceivedEndorsementsEverywhere(
  db: SqlRunner,
  organisationId: string,
  limit: number,
): Promise<ReceivedEndorsementRow[]> {
  return db.query<ReceivedEndorsementRow>(
    `SELECT ${columns}, c.slug AS "citySlug" FROM ${from} JOIN cities c ON c.id = e.city_id
     WHERE e.withdrawn_at IS NULL AND c.status = 'active'
       AND (e.target_organisation_id = $1 OR b.organisation_id = $1)
     ORDER BY e.created_at DESC, e.id LIMIT $2`,
    [organisationId, limit],
  );
}

export interface EndorsableBadge {
  id: string;
  organisationId: string;
  organisationName: string;
  slug: string;
  name: Record<string, string>;
  version: number;
}

/** A published badge of the city (read-only from the badge module's table), for endorsing. */
export async function findPublishedBadge(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
): Promise<EndorsableBadge | undefined> {
  const [row] = await db.query<EndorsableBadge>(
    `SELECT b.id, b.organisation_id AS "organisationId", o.name AS "organisationName", b.slug, b.name, b.version
     FROM badge_classes b JOIN organisations o ON o.id = b.organisation_id
     WHERE b.city_id = $1 AND b.id = $2 AND b.status = 'published'`,
    [cityId, badgeClassId],
  );
  return row;
}

/** The city's published badges of other organisations, for the endorsement form's choice (bounded). */
export function listEndorsableBadges(
  db: SqlRunner,
  cityId: string,
  exceptOrganisationId: string,
  limit: number,
): Promise<EndorsableBadge[]> {
  return db.query<EndorsableBadge>(
    `SELECT b.id, b.organisation_id AS "organisationId", o.name AS "organisationName", b.slug, b.name, b.version
     FROM badge_classes b JOIN organisations o ON o.id = b.organisation_id
     WHERE b.city_id = $1 AND b.status = 'published' AND b.organisation_id <> $2
     ORDER BY lower(o.name), b.slug LIMIT $3`,
    [cityId, exceptOrganisationId, limit],
  );
}
