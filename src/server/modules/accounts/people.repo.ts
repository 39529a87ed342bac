import type { SqlRunner } from '../../db/client.ts';
import type { UserStatus } from '../../db/schema.ts';

// People are network-level; their city links (user_cities, home city, guardian consent) carry the city id.

/** Everything the people flows need about a person. `dateOfBirth` is an ISO date (YYYY-MM-DD). */
export interface PersonRecord {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  dateOfBirth: string | null;
  pronouns: string | null;
  languages: string[];
  interests: string[];
  homeCityId: string | null;
  homeDistrict: string | null;
  avatarPath: string | null;
  status: UserStatus;
  passwordChangedAt: Date | null;
  createdAt: Date;
}

const personColumns = `id, email, display_name AS "displayName", password_hash AS "passwordHash",
  email_verified_at AS "emailVerifiedAt", to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", pronouns, languages,
  interests, home_city_id AS "homeCityId", home_district AS "homeDistrict", avatar_path AS "avatarPath", status,
  password_changed_at AS "passwordChangedAt", created_at AS "createdAt"`;

export async function findPersonById(db: SqlRunner, userId: string): Promise<PersonRecord | undefined> {
  const [row] = await db.query<PersonRecord>(
    `SELECT ${personColumns} FROM users WHERE id = $1 AND status <> 'deleted'`,
    [userId],
  );
  return row;
}

export async function findPersonByEmail(db: SqlRunner, email: string): Promise<PersonRecord | undefined> {
  const [row] = await db.query<PersonRecord>(
    `SELECT ${personColumns} FROM users WHERE lower(email) = lower($1) AND status <> 'deleted'`,
    [email.trim()],
  );
  return row;
}

/** Inserts a person who signed up in a city; undefined when the email is taken (raced by another sign-up). */
export async function insertPerson(
  db: SqlRunner,
  person: {
    email: string;
    displayName: string;
    passwordHash: string | null;
    dateOfBirth: string | null;
    status: UserStatus;
    homeCityId: string | null;
    emailVerified: boolean;
  },
): Promise<PersonRecord | undefined> {
  const [row] = await db.query<PersonRecord>(
    `INSERT INTO users (email, display_name, password_hash, date_of_birth, status, home_city_id, email_verified_at,
       password_changed_at)
     VALUES ($1, $2, $3, $4::date, $5, $6, CASE WHEN $7::boolean THEN now() END, CASE WHEN $3::text IS NOT NULL THEN now() END)
     ON CONFLICT DO NOTHING RETURNING ${personColumns}`,
    [
      person.email,
      person.displayName,
      person.passwordHash,
      person.dateOfBirth,
      person.status,
      person.homeCityId,
      person.emailVerified,
    ],
  );
  if (row && person.homeCityId) await joinCity(db, person.homeCityId, row.id);
  return row;
}

export async function joinCity(db: SqlRunner, cityId: string, userId: string): Promise<void> {
  await db.query('INSERT INTO user_cities (city_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [cityId, userId]);
}

export async function markEmailVerified(db: SqlRunner, userId: string): Promise<void> {
  await db.query(
    'UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = $1',
    [userId],
  );
}

export async function setPasswordHash(db: SqlRunner, userId: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1', [
    userId,
    passwordHash,
  ]);
}

/** Changes the email address; false when another account already uses it. */
export async function setEmail(db: SqlRunner, userId: string, email: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE users SET email = $2, email_verified_at = now(), updated_at = now()
     WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.email) = lower($2) AND o.id <> $1)
     RETURNING id`,
    [userId, email],
  );
  return rows.length === 1;
}

/** Moves between `active` and `limited` (never touches deleted accounts). */
export async function setStatus(db: SqlRunner, userId: string, status: 'active' | 'limited'): Promise<void> {
  await db.query(`UPDATE users SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'deleted'`, [
    userId,
    status,
  ]);
}

export async function setDateOfBirth(db: SqlRunner, userId: string, dateOfBirth: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE users SET date_of_birth = $2::date, updated_at = now() WHERE id = $1 AND date_of_birth IS NULL RETURNING id`,
    [userId, dateOfBirth],
  );
  return rows.length === 1;
}

export interface ProfileUpdate {
  displayName: string;
  pronouns: string | null;
  languages: string[];
  interests: string[];
  homeDistrict: string | null;
}

export async function updateProfile(db: SqlRunner, userId: string, profile: ProfileUpdate): Promise<void> {
  await db.query(
    `UPDATE users SET display_name = $2, pronouns = $3, languages = $4, interests = $5, home_district = $6,
       updated_at = now() WHERE id = $1`,
    [userId, profile.displayName, profile.pronouns, profile.languages, profile.interests, profile.homeDistrict],
  );
}

export async function setAvatarPath(db: SqlRunner, userId: string, avatarPath: string | null): Promise<void> {
  await db.query('UPDATE users SET avatar_path = $2, updated_at = now() WHERE id = $1', [userId, avatarPath]);
}

// Guardian consent (one row per minor; the city is the one they signed up in).

export interface GuardianConsentRecord {
  id: string;
  cityId: string;
  userId: string;
  guardianEmail: string;
  status: 'pending' | 'given' | 'withdrawn';
  requestedAt: Date;
  givenAt: Date | null;
  withdrawnAt: Date | null;
}

const consentColumns = `id, city_id AS "cityId", user_id AS "userId", guardian_email AS "guardianEmail", status,
  requested_at AS "requestedAt", given_at AS "givenAt", withdrawn_at AS "withdrawnAt"`;

export async function upsertConsentRequest(
  db: SqlRunner,
  cityId: string,
  userId: string,
  guardianEmail: string,
): Promise<GuardianConsentRecord> {
  const [row] = await db.query<GuardianConsentRecord>(
    `INSERT INTO guardian_consents (city_id, user_id, guardian_email) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET guardian_email = excluded.guardian_email, status = 'pending',
       requested_at = now(), given_at = NULL, withdrawn_at = NULL
     RETURNING ${consentColumns}`,
    [cityId, userId, guardianEmail],
  );
  return row as GuardianConsentRecord;
}

export async function findConsent(db: SqlRunner, userId: string): Promise<GuardianConsentRecord | undefined> {
  const [row] = await db.query<GuardianConsentRecord>(
    `SELECT ${consentColumns} FROM guardian_consents WHERE user_id = $1`,
    [userId],
  );
  return row;
}

export async function setConsentStatus(
  db: SqlRunner,
  cityId: string,
  userId: string,
  status: 'given' | 'withdrawn',
): Promise<void> {
  await db.query(
    `UPDATE guardian_consents SET status = $3,
       given_at = CASE WHEN $3 = 'given' THEN now() ELSE given_at END,
       withdrawn_at = CASE WHEN $3 = 'withdrawn' THEN now() ELSE NULL END
     WHERE city_id = $1 AND user_id = $2`,
    [cityId, userId, status],
  );
}

export interface SessionSummary {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export function listSessions(db: SqlRunner, userId: string): Promise<SessionSummary[]> {
  return db.query<SessionSummary>(
    `SELECT id, ip, user_agent AS "userAgent", created_at AS "createdAt", last_seen_at AS "lastSeenAt"
     FROM sessions WHERE user_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC`,
    [userId],
  );
}

export interface IdentityRecord {
  provider: string;
  subject: string;
  userId: string;
  createdAt: Date;
}

export async function findIdentity(
  db: SqlRunner,
  provider: string,
  subject: string,
): Promise<IdentityRecord | undefined> {
  const [row] = await db.query<IdentityRecord>(
    `SELECT provider, subject, user_id AS "userId", created_at AS "createdAt" FROM user_identities
     WHERE provider = $1 AND subject = $2`,
    [provider, subject],
  );
  return row;
}

export async function linkIdentity(db: SqlRunner, provider: string, subject: string, userId: string): Promise<void> {
  await db.query(
    'INSERT INTO user_identities (provider, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [provider, subject, userId],
  );
}

export function listIdentities(db: SqlRunner, userId: string): Promise<IdentityRecord[]> {
  return db.query<IdentityRecord>(
    `SELECT provider, subject, user_id AS "userId", created_at AS "createdAt" FROM user_identities WHERE user_id = $1
     ORDER BY created_at`,
    [userId],
  );
}

/** The cities a person takes part in, with each city's consent age (needs migration 0003). */
export function listPersonCities(
  db: SqlRunner,
  userId: string,
): Promise<{ cityId: string; slug: string; name: Record<string, string>; joinedAt: Date }[]> {
  return db.query(
    `SELECT c.id AS "cityId", c.slug, c.name, uc.joined_at AS "joinedAt" FROM user_cities uc
     JOIN cities c ON c.id = uc.city_id WHERE uc.user_id = $1 ORDER BY uc.joined_at`,
    [userId],
  );
}
