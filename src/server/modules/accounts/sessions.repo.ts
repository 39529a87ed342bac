import type { SqlRunner } from '../../db/client.ts';
import type { UserActor } from './actor.ts';

/** A live session row: the signed-in person as the actor sees them, plus the session's own times. */
export type SessionActorRow = Omit<UserActor, 'kind'> & { expiresAt: Date; lastSeenAt: Date };

// Sessions belong to a person, not to a city: one sign-in serves every city of the deployment on this host.

export async function insertSession(
  db: SqlRunner,
  session: {
    tokenHash: string;
    userId: string;
    csrfToken: string;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
  },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      session.tokenHash,
      session.userId,
      session.csrfToken,
      session.ip,
      session.userAgent?.slice(0, 500) ?? null,
      session.expiresAt,
    ],
  );
  return (row as { id: string }).id;
}

/** The live session for a token hash with its person, roles and memberships, in one query. */
export async function findSessionActor(db: SqlRunner, tokenHash: string): Promise<SessionActorRow | undefined> {
  const [row] = await db.query<SessionActorRow>(
    `SELECT s.id AS "sessionId", s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt",
            u.id AS "userId", u.email, u.display_name AS "displayName", u.status,
            u.email_verified_at IS NOT NULL AS "emailVerified",
            coalesce((SELECT json_agg(json_build_object('role', r.role, 'cityId', r.city_id)) FROM role_assignments r
                      WHERE r.user_id = u.id), '[]') AS roles,
            coalesce((SELECT json_agg(json_build_object('organisationId', m.organisation_id, 'role', m.role)) FROM memberships m
                      WHERE m.user_id = u.id), '[]') AS memberships
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.status <> 'deleted'`,
    [tokenHash],
    { name: 'find_session_actor' },
  );
  return row;
}

/** Slides the expiry forward; called at most every few minutes per session so reads stay reads. */
export async function touchSession(db: SqlRunner, sessionId: string, expiresAt: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = now(), expires_at = $2 WHERE id = $1', [sessionId, expiresAt]);
}

export async function deleteSession(db: SqlRunner, sessionId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
}

/** Ends every session of a person ("log out everywhere"), optionally keeping one. Returns how many ended. */
export async function deleteUserSessions(db: SqlRunner, userId: string, exceptSessionId?: string): Promise<number> {
  const rows = await db.query(
    'DELETE FROM sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2) RETURNING id',
    [userId, exceptSessionId ?? null],
  );
  return rows.length;
}

export async function deleteExpiredSessions(db: SqlRunner): Promise<number> {
  return (await db.query('DELETE FROM sessions WHERE expires_at <= now() RETURNING id')).length;
}

export interface ApiTokenRow {
  tokenId: string;
  name: string;
  cityId: string;
  organisationId: string;
  scopes: string[];
  lastUsedAt: Date | null;
}

export async function findLiveApiToken(db: SqlRunner, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.query<ApiTokenRow>(
    `SELECT t.id AS "tokenId", t.name, t.city_id AS "cityId", t.organisation_id AS "organisationId", t.scopes,
            t.last_used_at AS "lastUsedAt"
     FROM api_tokens t
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
    [tokenHash],
  );
  return row;
}

export async function touchApiToken(db: SqlRunner, tokenId: string): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId]);
}
