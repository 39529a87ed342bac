import type { SqlRunner } from '../../db/client.ts';
import type { IssuerKeyStatus } from '../../db/schema.ts';

// Issuer keys belong to the organisation (one issuer identity across every city it takes part in), so these
// functions take the organisation id first. The secret key only ever leaves here as its encrypted envelope.

export interface IssuerKeyRecord {
  id: string;
  organisationId: string;
  publicKeyMultibase: string;
  secretKeyEnvelope: string;
  status: IssuerKeyStatus;
  imported: boolean;
  createdBy: string | null;
  createdAt: Date;
  retiredAt: Date | null;
}

/** A key as lists show it: never the secret. */
export type IssuerKeySummary = Omit<IssuerKeyRecord, 'secretKeyEnvelope'>;

const summaryColumns = `id, organisation_id AS "organisationId", public_key_multibase AS "publicKeyMultibase", status,
  imported, created_by AS "createdBy", created_at AS "createdAt", retired_at AS "retiredAt"`;
const recordColumns = `${summaryColumns}, secret_key_envelope AS "secretKeyEnvelope"`;

export async function findActiveIssuerKey(db: SqlRunner, organisationId: string): Promise<IssuerKeyRecord | undefined> {
  const [row] = await db.query<IssuerKeyRecord>(
    `SELECT ${recordColumns} FROM issuer_keys WHERE organisation_id = $1 AND status = 'active'`,
    [organisationId],
    { name: 'issuer_keys_active' },
  );
  return row;
}

export async function findIssuerKey(
  db: SqlRunner,
  organisationId: string,
  keyId: string,
): Promise<IssuerKeySummary | undefined> {
  const [row] = await db.query<IssuerKeySummary>(
    `SELECT ${summaryColumns} FROM issuer_keys WHERE organisation_id = $1 AND id = $2`,
    [organisationId, keyId],
  );
  return row;
}

/** Every key of the organisation, the active one first, then retired ones newest first. */
export function listIssuerKeys(db: SqlRunner, organisationId: string): Promise<IssuerKeySummary[]> {
  return db.query<IssuerKeySummary>(
    `SELECT ${summaryColumns} FROM issuer_keys WHERE organisation_id = $1
     ORDER BY status = 'active' DESC, created_at DESC, id`,
    [organisationId],
  );
}

export interface NewIssuerKey {
  id: string;
  publicKeyMultibase: string;
  secretKeyEnvelope: string;
  imported: boolean;
  createdBy: string | null;
}

/**
 * Inserts the organisation's first active key unless one exists. The partial unique index `issuer_keys_active_key`
 * makes concurrent first uses agree: the loser inserts nothing and reads the winner's key.
 */
export async function insertActiveIssuerKeyIfNone(
  db: SqlRunner,
  organisationId: string,
  key: NewIssuerKey,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO issuer_keys (id, organisation_id, public_key_multibase, secret_key_envelope, status, imported, created_by)
     VALUES ($1, $2, $3, $4, 'active', $5, $6)
     ON CONFLICT (organisation_id) WHERE status = 'active' DO NOTHING RETURNING id`,
    [key.id, organisationId, key.publicKeyMultibase, key.secretKeyEnvelope, key.imported, key.createdBy],
  );
  return rows.length > 0;
}

/** Inserts a new active key; the caller has retired the previous one in the same transaction. */
export async function insertIssuerKey(
  db: SqlRunner,
  organisationId: string,
  key: NewIssuerKey,
): Promise<IssuerKeySummary> {
  const [row] = await db.query<IssuerKeySummary>(
    `INSERT INTO issuer_keys (id, organisation_id, public_key_multibase, secret_key_envelope, status, imported, created_by)
     VALUES ($1, $2, $3, $4, 'active', $5, $6) RETURNING ${summaryColumns}`,
    [key.id, organisationId, key.publicKeyMultibase, key.secretKeyEnvelope, key.imported, key.createdBy],
  );
  return row as IssuerKeySummary;
}

/** Retires the active key (it stays, and stays in the DID document); returns it, or undefined when there was none. */
export async function retireActiveIssuerKey(
  db: SqlRunner,
  organisationId: string,
): Promise<IssuerKeySummary | undefined> {
  const [row] = await db.query<IssuerKeySummary>(
    `UPDATE issuer_keys SET status = 'retired', retired_at = now()
     WHERE organisation_id = $1 AND status = 'active' RETURNING ${summaryColumns}`,
    [organisationId],
  );
  return row;
}

/** Whether any issuer (this one or another) already has this public key. */
export async function publicKeyInUse(db: SqlRunner, publicKeyMultibase: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM issuer_keys WHERE public_key_multibase = $1', [publicKeyMultibase]);
  return rows.length > 0;
}

/** Serialises key changes of one organisation (rotations, imports and their idempotency checks). */
export async function lockIssuerKeys(db: SqlRunner, organisationId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('issuer_keys:' || $1::text))`, [organisationId]);
}

/**
 * The key made by an earlier rotation or import with this idempotency key in the last 24 hours, read from the audit
 * entry that recorded it (indexed by target).
 */
export async function findKeyChangeByIdempotencyKey(
  db: SqlRunner,
  organisationId: string,
  idempotencyKey: string,
): Promise<string | undefined> {
  const [row] = await db.query<{ keyId: string }>(
    `SELECT after->>'keyId' AS "keyId" FROM audit_log
     WHERE target_type = 'issuer' AND target_id = $1 AND action IN ('issuer_key.rotate', 'issuer_key.import')
       AND after->>'idempotencyKey' = $2 AND created_at > now() - interval '24 hours'
     ORDER BY created_at DESC LIMIT 1`,
    [organisationId, idempotencyKey],
  );
  return row?.keyId;
}

export interface IssuerOrganisation {
  id: string;
  slug: string;
  name: string;
  description: string;
  website: string | null;
  contactEmail: string | null;
  /** Approved in at least one city. */
  approved: boolean;
  /** An approved learning provider in at least one city (providers issue badges). */
  approvedProvider: boolean;
  keyCount: number;
}

/** The organisation behind an issuer id, with its standing across cities and how many keys it has. */
export async function findIssuerOrganisation(
  db: SqlRunner,
  organisationId: string,
): Promise<IssuerOrganisation | undefined> {
  const [row] = await db.query<IssuerOrganisation>(
    `SELECT o.id, o.slug, o.name, o.description, o.website, o.contact_email AS "contactEmail",
       EXISTS (SELECT 1 FROM organisation_cities oc WHERE oc.organisation_id = o.id AND oc.status = 'approved')
         AS approved,
       ('provider' = ANY(o.kinds) AND EXISTS (
         SELECT 1 FROM organisation_cities oc WHERE oc.organisation_id = o.id AND oc.status = 'approved'))
         AS "approvedProvider",
       (SELECT count(*)::int FROM issuer_keys k WHERE k.organisation_id = o.id) AS "keyCount"
     FROM organisations o WHERE o.id = $1`,
    [organisationId],
    { name: 'issuer_organisation' },
  );
  return row;
}

export interface SigningIdentity {
  organisation: Pick<IssuerOrganisation, 'id' | 'name' | 'description' | 'website' | 'contactEmail'>;
  key: Pick<IssuerKeyRecord, 'id' | 'publicKeyMultibase' | 'secretKeyEnvelope'> | null;
}

/** The organisation and its active key in one query: the hot path of every signature. */
export async function findSigningIdentity(db: SqlRunner, organisationId: string): Promise<SigningIdentity | undefined> {
  const [row] = await db.query<{
    id: string;
    name: string;
    description: string;
    website: string | null;
    contactEmail: string | null;
    keyId: string | null;
    publicKeyMultibase: string | null;
    secretKeyEnvelope: string | null;
  }>(
    `SELECT o.id, o.name, o.description, o.website, o.contact_email AS "contactEmail", k.id AS "keyId",
       k.public_key_multibase AS "publicKeyMultibase", k.secret_key_envelope AS "secretKeyEnvelope"
     FROM organisations o LEFT JOIN issuer_keys k ON k.organisation_id = o.id AND k.status = 'active'
     WHERE o.id = $1`,
    [organisationId],
    { name: 'issuer_signing_identity' },
  );
  if (!row) return undefined;
  const { keyId, publicKeyMultibase, secretKeyEnvelope, ...organisation } = row;
  return {
    organisation,
    key: keyId && publicKeyMultibase && secretKeyEnvelope ? { id: keyId, publicKeyMultibase, secretKeyEnvelope } : null,
  };
}

export interface PublishedBadgeRow {
  id: string;
  cityId: string;
  citySlug: string;
  cityName: Record<string, string>;
  slug: string;
  name: Record<string, string>;
  description: Record<string, string>;
  kind: string;
  version: number;
}

/**
 * The badges the organisation publishes, in every city, for its public issuer page (a read-only listing of the
 * badge classes table, which the badge module owns).
 */
export async function listPublishedBadgesOfOrganisation(
  db: SqlRunner,
  organisationId: string,
  page: { limit: number; offset: number },
): Promise<{ items: PublishedBadgeRow[]; total: number }> {
  const [items, count] = await Promise.all([
    db.query<PublishedBadgeRow>(
      `SELECT b.id, b.city_id AS "cityId", c.slug AS "citySlug", c.name AS "cityName", b.slug, b.name, b.description,
         b.kind, b.version
       FROM badge_classes b JOIN cities c ON c.id = b.city_id
       WHERE b.organisation_id = $1 AND b.status = 'published' AND c.status = 'active'
       ORDER BY b.published_at DESC NULLS LAST, b.id LIMIT $2 OFFSET $3`,
      [organisationId, page.limit, page.offset],
    ),
    db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM badge_classes b JOIN cities c ON c.id = b.city_id
       WHERE b.organisation_id = $1 AND b.status = 'published' AND c.status = 'active'`,
      [organisationId],
    ),
  ]);
  return { items, total: count[0]?.total ?? 0 };
}
