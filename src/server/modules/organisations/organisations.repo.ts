import type { SqlRunner } from '../../db/client.ts';
import type { MembershipRole, OrganisationCityStatus, OrganisationKind } from '../../db/schema.ts';

// Organisations are network-level (one may take part in several cities); their standing, addresses, invitations and
// API tokens are per city and carry `city_id`. Every function that reads city-owned rows takes the city id first, and
// organisation rows are only ever reached through their `organisation_cities` row in that city.

export interface OrganisationInCity {
  id: string;
  cityId: string;
  slug: string;
  name: string;
  description: string;
  kinds: OrganisationKind[];
  website: string | null;
  contactEmail: string | null;
  verifiedAt: Date | null;
  status: OrganisationCityStatus;
  applicationNote: string;
  decisionReason: string | null;
  decidedAt: Date | null;
  appliedAt: Date;
  /** Its activities are published without review. */
  trusted: boolean;
}

const orgColumns = `o.id, oc.city_id AS "cityId", o.slug, o.name, o.description, o.kinds, o.website,
  o.contact_email AS "contactEmail", o.verified_at AS "verifiedAt", oc.status, oc.application_note AS "applicationNote",
  oc.decision_reason AS "decisionReason", oc.decided_at AS "decidedAt", oc.created_at AS "appliedAt", oc.trusted`;
const selectInCity = `SELECT ${orgColumns} FROM organisation_cities oc JOIN organisations o ON o.id = oc.organisation_id`;

export function listOrganisationsInCity(
  db: SqlRunner,
  cityId: string,
  filter: { status?: OrganisationCityStatus; kind?: OrganisationKind } = {},
): Promise<OrganisationInCity[]> {
  return db.query<OrganisationInCity>(
    `${selectInCity}
     WHERE oc.city_id = $1 AND ($2::text IS NULL OR oc.status = $2) AND ($3::text IS NULL OR $3 = ANY(o.kinds))
     ORDER BY CASE WHEN $2::text = 'pending' THEN oc.created_at END, lower(o.name)`,
    [cityId, filter.status ?? null, filter.kind ?? null],
  );
}

async function findOneInCity(
  db: SqlRunner,
  cityId: string,
  column: 'oc.organisation_id' | 'o.slug',
  value: string,
): Promise<OrganisationInCity | undefined> {
  const [row] = await db.query<OrganisationInCity>(
    `${selectInCity}
     WHERE oc.city_id = $1 AND ${column} = $2`,
    [cityId, value],
  );
  return row;
}

export function findOrganisationInCity(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<OrganisationInCity | undefined> {
  return findOneInCity(db, cityId, 'oc.organisation_id', organisationId);
}

export function findOrganisationInCityBySlug(
  db: SqlRunner,
  cityId: string,
  slug: string,
): Promise<OrganisationInCity | undefined> {
  return findOneInCity(db, cityId, 'o.slug', slug);
}

/** An organisation by id or slug regardless of city (the command line and network admins). */
export async function findOrganisationAnywhere(
  db: SqlRunner,
  idOrSlug: string,
): Promise<{ id: string; slug: string; name: string; kinds: OrganisationKind[] } | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
  const [row] = await db.query<{ id: string; slug: string; name: string; kinds: OrganisationKind[] }>(
    `SELECT id, slug, name, kinds FROM organisations WHERE ${isUuid ? 'id = $1::uuid' : 'slug = $1'}`,
    [idOrSlug],
  );
  return row;
}

export interface NewOrganisation {
  slug: string;
  name: string;
  description: string;
  kinds: OrganisationKind[];
  website: string | null;
  contactEmail: string | null;
}

/** Inserts an organisation; undefined when the slug is taken. */
export async function insertOrganisation(db: SqlRunner, org: NewOrganisation): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO organisations (slug, name, description, kinds, website, contact_email)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
    [org.slug, org.name, org.description, org.kinds, org.website, org.contactEmail],
  );
  return row?.id;
}

/** Updates an organisation's profile, only when it takes part in the city. */
export async function updateOrganisation(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  patch: Omit<NewOrganisation, 'slug'>,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE organisations SET name = $3, description = $4, kinds = $5, website = $6, contact_email = $7, updated_at = now()
     WHERE id = $2 AND EXISTS (SELECT 1 FROM organisation_cities WHERE city_id = $1 AND organisation_id = $2)
     RETURNING id`,
    [cityId, organisationId, patch.name, patch.description, patch.kinds, patch.website, patch.contactEmail],
  );
  return rows.length > 0;
}

/** The organisation applies to the city; false when it already has a row there. */
export async function insertApplication(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  note: string,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO organisation_cities (city_id, organisation_id, status, application_note)
     VALUES ($1, $2, 'pending', $3) ON CONFLICT DO NOTHING RETURNING organisation_id`,
    [cityId, organisationId, note],
  );
  return rows.length > 0;
}

export async function setApplicationStatus(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  change: {
    status: OrganisationCityStatus;
    reason: string | null;
    decidedBy: string | null;
    onlyFrom?: OrganisationCityStatus;
  },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE organisation_cities SET status = $3, decision_reason = $4, decided_by = $5, decided_at = now()
     WHERE city_id = $1 AND organisation_id = $2 AND ($6::text IS NULL OR status = $6) RETURNING organisation_id`,
    [cityId, organisationId, change.status, change.reason, change.decidedBy, change.onlyFrom ?? null],
  );
  return rows.length > 0;
}

export async function setVerified(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  verified: boolean,
): Promise<void> {
  await db.query(
    `UPDATE organisations SET verified_at = CASE WHEN $3::boolean THEN coalesce(verified_at, now()) END, updated_at = now()
     WHERE id = $2 AND EXISTS (SELECT 1 FROM organisation_cities WHERE city_id = $1 AND organisation_id = $2)`,
    [cityId, organisationId, verified],
  );
}

export async function setTrusted(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  trusted: boolean,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE organisation_cities SET trusted = $3 WHERE city_id = $1 AND organisation_id = $2 AND status = 'approved'
     RETURNING organisation_id`,
    [cityId, organisationId, trusted],
  );
  return rows.length > 0;
}

// Addresses

export interface AddressRecord {
  id: string;
  label: string;
  street: string;
  postcode: string;
  locality: string;
  lat: number;
  lon: number;
}

const addressColumns = 'id, label, street, postcode, locality, lat, lon';

export function listAddresses(db: SqlRunner, cityId: string, organisationId: string): Promise<AddressRecord[]> {
  return db.query<AddressRecord>(
    `SELECT ${addressColumns} FROM organisation_addresses WHERE city_id = $1 AND organisation_id = $2
     ORDER BY created_at, id`,
    [cityId, organisationId],
  );
}

export async function insertAddress(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  address: Omit<AddressRecord, 'id'>,
): Promise<AddressRecord> {
  const [row] = await db.query<AddressRecord>(
    `INSERT INTO organisation_addresses (city_id, organisation_id, label, street, postcode, locality, lat, lon)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${addressColumns}`,
    [
      cityId,
      organisationId,
      address.label,
      address.street,
      address.postcode,
      address.locality,
      address.lat,
      address.lon,
    ],
  );
  return row as AddressRecord;
}

export async function deleteAddress(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  addressId: string,
): Promise<AddressRecord | undefined> {
  const [row] = await db.query<AddressRecord>(
    `DELETE FROM organisation_addresses WHERE city_id = $1 AND organisation_id = $2 AND id = $3
     RETURNING ${addressColumns}`,
    [cityId, organisationId, addressId],
  );
  return row;
}

// Members (memberships are organisation-level; services reach them only after finding the organisation in the city)

export interface MemberRecord {
  userId: string;
  email: string;
  displayName: string;
  role: MembershipRole;
  since: Date;
}

const selectMembers = `SELECT u.id AS "userId", u.email, u.display_name AS "displayName", m.role,
  m.created_at AS since FROM memberships m JOIN users u ON u.id = m.user_id`;

export function listMembers(db: SqlRunner, organisationId: string): Promise<MemberRecord[]> {
  return db.query<MemberRecord>(
    `${selectMembers}
     WHERE m.organisation_id = $1 AND u.status <> 'deleted'
     ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, lower(u.display_name)`,
    [organisationId],
  );
}

export async function findMember(
  db: SqlRunner,
  organisationId: string,
  userId: string,
): Promise<MemberRecord | undefined> {
  const [row] = await db.query<MemberRecord>(`${selectMembers} WHERE m.organisation_id = $1 AND m.user_id = $2`, [
    organisationId,
    userId,
  ]);
  return row;
}

/** Adds a member, or changes the role of an existing one. */
export async function upsertMember(
  db: SqlRunner,
  organisationId: string,
  userId: string,
  role: MembershipRole,
): Promise<void> {
  await db.query(
    `INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (organisation_id, user_id) DO UPDATE SET role = excluded.role`,
    [organisationId, userId, role],
  );
}

export async function deleteMember(db: SqlRunner, organisationId: string, userId: string): Promise<boolean> {
  return (
    (
      await db.query('DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2 RETURNING user_id', [
        organisationId,
        userId,
      ])
    ).length > 0
  );
}

/** Owners, counted under a row lock so two concurrent demotions cannot leave none. */
export async function lockOwners(db: SqlRunner, organisationId: string): Promise<string[]> {
  const rows = await db.query<{ userId: string }>(
    `SELECT user_id AS "userId" FROM memberships WHERE organisation_id = $1 AND role = 'owner' FOR UPDATE`,
    [organisationId],
  );
  return rows.map((row) => row.userId);
}

// Invitations (one_time_tokens with purpose `invitation`; the payload names the organisation and role)

export interface InvitationRecord {
  id: string;
  cityId: string;
  email: string;
  organisationId: string;
  role: MembershipRole;
  invitedBy: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

const invitationColumns = `id, city_id AS "cityId", email, payload->>'organisationId' AS "organisationId",
  payload->>'role' AS role, payload->>'invitedBy' AS "invitedBy", expires_at AS "expiresAt", used_at AS "usedAt",
  created_at AS "createdAt"`;

export async function insertInvitation(
  db: SqlRunner,
  cityId: string,
  invitation: {
    tokenHash: string;
    email: string;
    organisationId: string;
    role: MembershipRole;
    invitedBy: string | null;
    expiresAt: Date;
  },
): Promise<InvitationRecord> {
  const [row] = await db.query<InvitationRecord>(
    `INSERT INTO one_time_tokens (purpose, token_hash, city_id, email, payload, expires_at)
     VALUES ('invitation', $2, $1, $3, $4, $5) RETURNING ${invitationColumns}`,
    [
      cityId,
      invitation.tokenHash,
      invitation.email,
      JSON.stringify({
        organisationId: invitation.organisationId,
        role: invitation.role,
        invitedBy: invitation.invitedBy,
      }),
      invitation.expiresAt,
    ],
  );
  return row as InvitationRecord;
}

/** Open invitations of an organisation in a city: not used and not expired. */
export function listOpenInvitations(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<InvitationRecord[]> {
  return db.query<InvitationRecord>(
    `SELECT ${invitationColumns} FROM one_time_tokens
     WHERE purpose = 'invitation' AND city_id = $1 AND payload->>'organisationId' = $2::text
       AND used_at IS NULL AND expires_at > now()
     ORDER BY created_at DESC`,
    [cityId, organisationId],
  );
}

export async function deleteInvitation(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  invitationId: string,
): Promise<InvitationRecord | undefined> {
  const [row] = await db.query<InvitationRecord>(
    `DELETE FROM one_time_tokens WHERE purpose = 'invitation' AND city_id = $1 AND payload->>'organisationId' = $2::text
       AND id = $3 AND used_at IS NULL RETURNING ${invitationColumns}`,
    [cityId, organisationId, invitationId],
  );
  return row;
}

/** The invitation behind a link (the token is the capability, so this lookup is by hash alone). */
export async function findInvitationByTokenHash(
  db: SqlRunner,
  tokenHash: string,
): Promise<InvitationRecord | undefined> {
  const [row] = await db.query<InvitationRecord>(
    `SELECT ${invitationColumns} FROM one_time_tokens WHERE purpose = 'invitation' AND token_hash = $1`,
    [tokenHash],
  );
  return row;
}

/** Marks an invitation used; false when it was used, expired or deleted meanwhile (single use under concurrency). */
export async function consumeInvitation(db: SqlRunner, cityId: string, invitationId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE one_time_tokens SET used_at = now()
     WHERE purpose = 'invitation' AND city_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > now() RETURNING id`,
    [cityId, invitationId],
  );
  return rows.length > 0;
}

// API tokens

export interface ApiTokenRecord {
  id: string;
  name: string;
  tokenPrefix: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const tokenColumns = `id, name, token_prefix AS "tokenPrefix", scopes, created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function insertApiToken(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  token: {
    name: string;
    tokenPrefix: string;
    tokenHash: string;
    scopes: string[];
    createdBy: string | null;
    expiresAt: Date;
  },
): Promise<ApiTokenRecord> {
  const [row] = await db.query<ApiTokenRecord>(
    `INSERT INTO api_tokens (city_id, organisation_id, name, token_prefix, token_hash, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${tokenColumns}`,
    [
      cityId,
      organisationId,
      token.name,
      token.tokenPrefix,
      token.tokenHash,
      token.scopes,
      token.createdBy,
      token.expiresAt,
    ],
  );
  return row as ApiTokenRecord;
}

export function listApiTokens(db: SqlRunner, cityId: string, organisationId: string): Promise<ApiTokenRecord[]> {
  return db.query<ApiTokenRecord>(
    `SELECT ${tokenColumns} FROM api_tokens WHERE city_id = $1 AND organisation_id = $2
     ORDER BY revoked_at IS NOT NULL, created_at DESC`,
    [cityId, organisationId],
  );
}

export async function revokeApiToken(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  tokenId: string,
): Promise<{ before: ApiTokenRecord; after: ApiTokenRecord } | undefined> {
  const [before] = await db.query<ApiTokenRecord>(
    `SELECT ${tokenColumns} FROM api_tokens WHERE city_id = $1 AND organisation_id = $2 AND id = $3 FOR UPDATE`,
    [cityId, organisationId, tokenId],
  );
  if (!before) return undefined;
  const [after] = await db.query<ApiTokenRecord>(
    `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE city_id = $1 AND id = $2 RETURNING ${tokenColumns}`,
    [cityId, tokenId],
  );
  return { before, after: after as ApiTokenRecord };
}
