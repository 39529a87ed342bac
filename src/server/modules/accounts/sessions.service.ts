import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { ApiTokenActor, UserActor } from './actor.ts';
import type { ActorCache } from './actor-cache.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  deleteSession,
  deleteUserSessions,
  findLiveApiToken,
  findSessionActor,
  insertSession,
  touchApiToken,
  touchSession,
} from './sessions.repo.ts';

export const SESSION_COOKIE = 'ls_session';
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;
/** Sliding expiry is written at most this often per session. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares secrets in constant time. */
export function secretsMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface NewSession {
  token: string;
  csrfToken: string;
  sessionId: string;
  expiresAt: Date;
}

export async function startSession(
  db: SqlRunner,
  userId: string,
  meta: { ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const token = newSecret();
  const csrfToken = newSecret(24);
  const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
  const sessionId = await insertSession(db, { tokenHash: hashSecret(token), userId, csrfToken, ...meta, expiresAt });
  return { token, csrfToken, sessionId, expiresAt };
}

/** The person behind a session cookie, or null when it is unknown or expired. */
export async function actorForSessionToken(
  db: SqlRunner,
  token: string,
  cache?: ActorCache,
): Promise<UserActor | null> {
  const tokenHash = hashSecret(token);
  const cached = cache?.get(tokenHash);
  if (cached) return cached;
  const row = await findSessionActor(db, tokenHash);
  if (!row) return null;
  if (Date.now() - new Date(row.lastSeenAt).getTime() > TOUCH_INTERVAL_MS) {
    await touchSession(db, row.sessionId, new Date(Date.now() + SESSION_LIFETIME_MS));
  }
  const { expiresAt, lastSeenAt: _lastSeen, ...person } = row;
  const actor: UserActor = { kind: 'user', ...person };
  cache?.set(tokenHash, actor, new Date(expiresAt));
  return actor;
}

export const API_TOKEN_PREFIX = 'lsk_';

/** The integration behind a bearer token, or null. */
export async function actorForApiToken(db: SqlRunner, token: string): Promise<ApiTokenActor | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await findLiveApiToken(db, hashSecret(token));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > TOUCH_INTERVAL_MS)
    await touchApiToken(db, row.tokenId);
  return {
    kind: 'api_token',
    tokenId: row.tokenId,
    name: row.name,
    cityId: row.cityId,
    organisationId: row.organisationId,
    scopes: row.scopes,
  };
}

export function endSession(db: SqlRunner, sessionId: string): Promise<void> {
  return deleteSession(db, sessionId);
}

export function endAllSessions(db: SqlRunner, userId: string, exceptSessionId?: string): Promise<number> {
  return deleteUserSessions(db, userId, exceptSessionId);
}

// Verifying against this when the email is unknown keeps the response time the same, so timing tells nothing.
let dummyHash: Promise<string> | undefined;

/** Checks an email and password; the same error whether the email is unknown or the password wrong. */
export async function checkPassword(
  db: SqlRunner,
  email: string,
  password: string,
): Promise<{ id: string; status: string; emailVerified: boolean }> {
  const [user] = await db.query<{ id: string; passwordHash: string | null; status: string; emailVerified: boolean }>(
    `SELECT id, password_hash AS "passwordHash", status, email_verified_at IS NOT NULL AS "emailVerified"
     FROM users WHERE lower(email) = lower($1) AND status <> 'deleted'`,
    [email.trim()],
  );
  dummyHash ??= hashPassword(newSecret());
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
  if (!user?.passwordHash || !ok) throw new AppError('INVALID_CREDENTIALS');
  return { id: user.id, status: user.status, emailVerified: user.emailVerified };
}
