import type { SqlRunner } from '../../db/client.ts';
import type { ClaimRoute, CredentialStatus } from '../../db/schema.ts';

/** One issued credential with what its pages need: the badge's names and the issuing organisation's name. */
export interface CredentialRecord {
  id: string;
  cityId: string;
  organisationId: string;
  organisationName: string;
  badgeClassId: string;
  badgeSlug: string;
  badgeName: Record<string, string>;
  badgeVersion: number;
  recipientUserId: string | null;
  recipientEmail: string;
  recipientName: string;
  identitySalt: string;
  document: Record<string, unknown>;
  signingKeyId: string;
  status: CredentialStatus;
  statusReason: string | null;
  statusChangedAt: Date | null;
  revocationListId: string;
  revocationIndex: number;
  suspensionListId: string;
  suspensionIndex: number;
  claimRoute: ClaimRoute;
  /** An emailed claim link is still waiting to be used. */
  claimPending: boolean;
  claimedAt: Date | null;
  supersedesId: string | null;
  /** The correction that replaced this credential, if any (read for one credential; null in lists). */
  supersededById: string | null;
  issuedBy: string | null;
  issuedAt: Date;
  validFrom: string;
  validUntil: Date | null;
}

const columns = `c.id, c.city_id AS "cityId", c.organisation_id AS "organisationId", o.name AS "organisationName",
  c.badge_class_id AS "badgeClassId", b.slug AS "badgeSlug", b.name AS "badgeName", c.badge_version AS "badgeVersion",
  c.recipient_user_id AS "recipientUserId", c.recipient_email AS "recipientEmail", c.recipient_name AS "recipientName",
  c.identity_salt AS "identitySalt", c.document, c.signing_key_id AS "signingKeyId", c.status,
  c.status_reason AS "statusReason", c.status_changed_at AS "statusChangedAt",
  c.revocation_list_id AS "revocationListId", c.revocation_index AS "revocationIndex",
  c.suspension_list_id AS "suspensionListId", c.suspension_index AS "suspensionIndex", c.claim_route AS "claimRoute",
  c.claim_token_hash IS NOT NULL AS "claimPending", c.claimed_at AS "claimedAt", c.supersedes_id AS "supersedesId",
  c.issued_by AS "issuedBy", c.issued_at AS "issuedAt", c.document->>'validFrom' AS "validFrom",
  c.valid_until AS "validUntil"`;

/** Lists leave out the correction that replaced a credential (one look-up per row); single reads include it. */
const listColumns = `${columns}, NULL::uuid AS "supersededById"`;
const oneColumns = `${columns},
  (SELECT n.id FROM badge_credentials n WHERE n.city_id = c.city_id AND n.supersedes_id = c.id LIMIT 1)
    AS "supersededById"`;

const from = `badge_credentials c JOIN badge_classes b ON b.id = c.badge_class_id
  JOIN organisations o ON o.id = c.organisation_id`;

export interface NewCredential {
  id: string;
  organisationId: string;
  badgeClassId: string;
  badgeVersion: number;
  recipientUserId: string | null;
  recipientEmail: string;
  recipientName: string;
  identitySalt: string;
  document: Record<string, unknown>;
  signingKeyId: string;
  revocationListId: string;
  revocationIndex: number;
  suspensionListId: string;
  suspensionIndex: number;
  claimRoute: ClaimRoute;
  idempotencyKey: string | null;
  claimTokenHash: string | null;
  claimedAt: Date | null;
  supersedesId: string | null;
  issuedBy: string | null;
  validUntil: Date | null;
}

/**
 * Inserts credentials (one, or a chunk of a bulk issue) in one statement; returns the ids inserted. A credential whose
 * idempotency key was taken meanwhile (by a concurrent retry) is left out.
 */
export async function insertCredentials(db: SqlRunner, cityId: string, rows: NewCredential[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO badge_credentials (id, city_id, organisation_id, badge_class_id, badge_version, recipient_user_id,
       recipient_email, recipient_name, identity_salt, document, signing_key_id, revocation_list_id, revocation_index,
       suspension_list_id, suspension_index, claim_route, idempotency_key, claim_token_hash, claimed_at, supersedes_id,
       issued_by, valid_until)
     SELECT r.id, $1, r."organisationId", r."badgeClassId", r."badgeVersion", r."recipientUserId", r."recipientEmail",
            r."recipientName", r."identitySalt", r.document, r."signingKeyId", r."revocationListId",
            r."revocationIndex", r."suspensionListId", r."suspensionIndex", r."claimRoute", r."idempotencyKey",
            r."claimTokenHash", r."claimedAt", r."supersedesId", r."issuedBy", r."validUntil"
       FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, "organisationId" uuid, "badgeClassId" uuid,
            "badgeVersion" int, "recipientUserId" uuid, "recipientEmail" text, "recipientName" text,
            "identitySalt" text, document jsonb, "signingKeyId" uuid, "revocationListId" uuid, "revocationIndex" int,
            "suspensionListId" uuid, "suspensionIndex" int, "claimRoute" text, "idempotencyKey" text,
            "claimTokenHash" text, "claimedAt" timestamptz, "supersedesId" uuid, "issuedBy" uuid,
            "validUntil" timestamptz)
     ON CONFLICT (city_id, idempotency_key) DO NOTHING
     RETURNING id`,
    [cityId, JSON.stringify(rows)],
    { name: 'badge_credentials_insert_many' },
  );
  return new Set(inserted.map((row) => row.id));
}

/** The credentials issued under any of these idempotency keys in the city, by key. */
export async function findByIdempotencyKeys(
  db: SqlRunner,
  cityId: string,
  keys: string[],
): Promise<Map<string, { id: string; badgeClassId: string }>> {
  if (keys.length === 0) return new Map();
  // One probe of the unique (city_id, idempotency_key) index per key: the LIMIT keeps the subquery a probe. A plain
  // `idempotency_key = ANY(…)`, without statistics on a table that grows fast (a first large bulk issue), was planned
  // as a scan of all the city's credentials — on every call. Not a named statement either: a plan cached while the
  // table was empty (a scan per key) would be kept as it grows; planned each time, it follows the table's size.
  const rows = await db.query<{ key: string; id: string; badgeClassId: string }>(
    `SELECT k.key, c.id, c."badgeClassId" FROM unnest($2::text[]) AS k(key)
       CROSS JOIN LATERAL (SELECT id, badge_class_id AS "badgeClassId" FROM badge_credentials
                            WHERE city_id = $1 AND idempotency_key = k.key LIMIT 1) c`,
    [cityId, keys],
  );
  return new Map(rows.map(({ key, ...row }) => [key, row]));
}

export async function findByIdempotencyKey(
  db: SqlRunner,
  cityId: string,
  key: string,
): Promise<{ id: string; badgeClassId: string } | undefined> {
  const [row] = await db.query<{ id: string; badgeClassId: string }>(
    `SELECT id, badge_class_id AS "badgeClassId" FROM badge_credentials WHERE city_id = $1 AND idempotency_key = $2`,
    [cityId, key],
  );
  return row;
}

export async function findCredential(
  db: SqlRunner,
  cityId: string,
  credentialId: string,
  options: { lock?: boolean } = {},
): Promise<CredentialRecord | undefined> {
  const [row] = await db.query<CredentialRecord>(
    `SELECT ${oneColumns} FROM ${from} WHERE c.city_id = $1 AND c.id = $2${options.lock ? ' FOR UPDATE OF c' : ''}`,
    [cityId, credentialId],
  );
  return row;
}

export async function updateCredentialStatus(
  db: SqlRunner,
  cityId: string,
  credentialId: string,
  status: CredentialStatus,
  reason: string | null,
): Promise<void> {
  await db.query(
    `UPDATE badge_credentials SET status = $3, status_reason = $4, status_changed_at = now()
      WHERE city_id = $1 AND id = $2`,
    [cityId, credentialId, status, reason],
  );
}

/** `expired`: still active but past its validUntil; `active` excludes those. */
export type CredentialFilter = CredentialStatus | 'expired';

export interface CredentialPageQuery {
  status?: CredentialFilter;
  /** The keyset cursor of the last row of the previous page. */
  after?: { issuedAt: string; id: string };
  limit: number;
}

export interface CredentialListRow extends CredentialRecord {
  /** The exact issued_at (text), for the next page's cursor. */
  cursorIssuedAt: string;
}

function statusCondition(filter: CredentialFilter | undefined): string {
  switch (filter) {
    case 'active':
      return `AND c.status = 'active' AND (c.valid_until IS NULL OR c.valid_until > now())`;
    case 'expired':
      return `AND c.status = 'active' AND c.valid_until <= now()`;
    case 'suspended':
    case 'revoked':
      return `AND c.status = '${filter}'`;
    default:
      return '';
  }
}

/** Credentials of one badge, newest first, one keyset page (limit + 1 rows are read to know if more follow). */
export function listCredentialsOfBadgeRows(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  badgeClassId: string,
  query: CredentialPageQuery,
): Promise<CredentialListRow[]> {
  const params: unknown[] = [cityId, organisationId, badgeClassId, query.limit + 1];
  let keyset = '';
  if (query.after) {
    params.push(query.after.issuedAt, query.after.id);
    keyset = 'AND (c.issued_at, c.id) < ($5::timestamptz, $6::uuid)';
  }
  return db.query<CredentialListRow>(
    `SELECT ${listColumns}, c.issued_at::text AS "cursorIssuedAt" FROM ${from}
      WHERE c.city_id = $1 AND c.organisation_id = $2 AND c.badge_class_id = $3 ${statusCondition(query.status)} ${keyset}
      ORDER BY c.issued_at DESC, c.id DESC LIMIT $4`,
    params,
  );
}

export function listCredentialsOfUser(db: SqlRunner, cityId: string, userId: string): Promise<CredentialRecord[]> {
  return db.query<CredentialRecord>(
    `SELECT ${listColumns} FROM ${from} WHERE c.city_id = $1 AND c.recipient_user_id = $2
      ORDER BY c.issued_at DESC, c.id DESC`,
    [cityId, userId],
  );
}

export async function findByClaimTokenHash(
  db: SqlRunner,
  cityId: string,
  tokenHash: string,
): Promise<CredentialRecord | undefined> {
  const [row] = await db.query<CredentialRecord>(
    `SELECT ${listColumns} FROM ${from} WHERE c.city_id = $1 AND c.claim_token_hash = $2`,
    [cityId, tokenHash],
  );
  return row;
}

/** Uses a claim link once: the credential becomes the account's. */
export async function claimByTokenHash(
  db: SqlRunner,
  cityId: string,
  tokenHash: string,
  userId: string,
): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>(
    `UPDATE badge_credentials SET recipient_user_id = $3, claimed_at = now(), claim_token_hash = NULL
      WHERE city_id = $1 AND claim_token_hash = $2 RETURNING id`,
    [cityId, tokenHash, userId],
  );
  return row?.id;
}

/**
 * For each holder, which of the given badges they hold an active, unexpired credential of in the city — as an account
 * or, for credentials not yet claimed, by email address. One set per holder, in the holders' order.
 */
export async function heldBadgeIds(
  db: SqlRunner,
  cityId: string,
  badgeClassIds: string[],
  holders: { userId: string | null; email: string }[],
): Promise<Set<string>[]> {
  const held = holders.map(() => new Set<string>());
  if (badgeClassIds.length === 0 || holders.length === 0) return held;
  const rows = await db.query<{ n: number; badgeClassId: string }>(
    `SELECT DISTINCT h.n::int AS n, c.badge_class_id AS "badgeClassId"
       FROM unnest($3::uuid[], $4::text[]) WITH ORDINALITY AS h(user_id, email, n)
       JOIN badge_credentials c
         ON c.city_id = $1 AND c.badge_class_id = ANY($2::uuid[]) AND c.status = 'active'
        AND (c.valid_until IS NULL OR c.valid_until > now())
        AND (c.recipient_user_id = h.user_id OR lower(c.recipient_email) = lower(h.email))`,
    [cityId, badgeClassIds, holders.map((holder) => holder.userId), holders.map((holder) => holder.email)],
  );
  for (const row of rows) held[row.n - 1]?.add(row.badgeClassId);
  return held;
}

export function badgeNames(
  db: SqlRunner,
  cityId: string,
  badgeClassIds: string[],
): Promise<{ id: string; name: Record<string, string> }[]> {
  return db.query<{ id: string; name: Record<string, string> }>(
    'SELECT id, name FROM badge_classes WHERE city_id = $1 AND id = ANY($2::uuid[]) ORDER BY id',
    [cityId, badgeClassIds],
  );
}

/** The badge's organisation and slug, to check a route's organisation owns it before anything else happens. */
export async function findBadgeOwner(db: SqlRunner, cityId: string, badgeClassId: string) {
  const [row] = await db.query<{ organisationId: string; slug: string; name: Record<string, string>; status: string }>(
    'SELECT organisation_id AS "organisationId", slug, name, status FROM badge_classes WHERE city_id = $1 AND id = $2',
    [cityId, badgeClassId],
  );
  return row;
}

// People are network-wide (not city-owned), so these take no city id.

export interface RecipientAccount {
  id: string;
  email: string;
  displayName: string;
  did: string | null;
  languages: string[];
}

const accountColumns = 'id, email, display_name AS "displayName", did, languages';

export async function findAccountById(db: SqlRunner, userId: string): Promise<RecipientAccount | undefined> {
  const [row] = await db.query<RecipientAccount>(
    `SELECT ${accountColumns} FROM users WHERE id = $1 AND status <> 'deleted' AND deleted_at IS NULL`,
    [userId],
  );
  return row;
}

/** Accounts by id (deleted ones left out). */
export async function findAccountsByIds(db: SqlRunner, userIds: string[]): Promise<Map<string, RecipientAccount>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.query<RecipientAccount>(
    `SELECT ${accountColumns} FROM users WHERE id = ANY($1::uuid[]) AND status <> 'deleted' AND deleted_at IS NULL`,
    [userIds],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The account of each email address (in any case), in the addresses' order; undefined where there is none. */
export async function findAccountsByEmails(db: SqlRunner, emails: string[]): Promise<(RecipientAccount | undefined)[]> {
  const found: (RecipientAccount | undefined)[] = emails.map(() => undefined);
  if (emails.length === 0) return found;
  const rows = await db.query<RecipientAccount & { n: number }>(
    `SELECT e.n::int AS n, u.id, u.email, u.display_name AS "displayName", u.did, u.languages
       FROM unnest($1::text[]) WITH ORDINALITY AS e(email, n)
       JOIN users u ON lower(u.email) = lower(e.email) AND u.status <> 'deleted' AND u.deleted_at IS NULL`,
    [emails],
    { name: 'users_by_emails' },
  );
  for (const { n, ...account } of rows) found[n - 1] = account;
  return found;
}
