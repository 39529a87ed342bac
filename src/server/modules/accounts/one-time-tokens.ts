import type { SqlRunner } from '../../db/client.ts';
import type { OneTimeTokenPurpose } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { hashSecret, newSecret } from './sessions.service.ts';

/** How long each kind of emailed link stays valid. */
export const tokenLifetimesMs = {
  verify_email: 48 * 3600_000,
  reset_password: 3600_000,
  change_email: 24 * 3600_000,
  guardian_consent: 30 * 24 * 3600_000,
  invitation: 7 * 24 * 3600_000,
} as const satisfies Record<OneTimeTokenPurpose, number>;

export interface OneTimeToken {
  id: string;
  purpose: OneTimeTokenPurpose;
  userId: string | null;
  cityId: string | null;
  email: string | null;
  payload: Record<string, unknown>;
  expiresAt: Date;
  usedAt: Date | null;
}

const columns = `id, purpose, user_id AS "userId", city_id AS "cityId", email, payload, expires_at AS "expiresAt",
  used_at AS "usedAt"`;

/**
 * Issues a single-use link token: the random value goes into the email, only its SHA-256 into the database.
 * Older unused tokens of the same purpose for the same person (and action) stop working, so only the latest link does.
 */
export async function issueToken(
  db: SqlRunner,
  token: {
    purpose: OneTimeTokenPurpose;
    userId: string;
    cityId?: string | null;
    email?: string | null;
    payload?: Record<string, unknown>;
    lifetimeMs?: number;
  },
): Promise<string> {
  const payload = token.payload ?? {};
  await db.query(
    `UPDATE one_time_tokens SET used_at = now()
     WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND coalesce(payload->>'action', '') = $3`,
    [token.userId, token.purpose, typeof payload.action === 'string' ? payload.action : ''],
  );
  const secret = newSecret();
  await db.query(
    `INSERT INTO one_time_tokens (purpose, token_hash, user_id, city_id, email, payload, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + ($7::bigint * interval '1 millisecond'))`,
    [
      token.purpose,
      hashSecret(secret),
      token.userId,
      token.cityId ?? null,
      token.email ?? null,
      JSON.stringify(payload),
      token.lifetimeMs ?? tokenLifetimesMs[token.purpose],
    ],
  );
  return secret;
}

const tokenShape = /^[\w-]{20,100}$/;

/** Looks a token up without using it (for pages that ask before acting); throws the token's stable error. */
export async function peekToken(db: SqlRunner, purpose: OneTimeTokenPurpose, secret: string): Promise<OneTimeToken> {
  if (!tokenShape.test(secret)) throw new AppError('TOKEN_INVALID');
  const [row] = await db.query<OneTimeToken & { expired: boolean }>(
    `SELECT ${columns}, expires_at <= now() AS expired FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2`,
    [hashSecret(secret), purpose],
  );
  if (!row) throw new AppError('TOKEN_INVALID');
  if (row.usedAt) throw new AppError('TOKEN_USED');
  if (row.expired) throw new AppError('TOKEN_EXPIRED');
  const { expired: _expired, ...token } = row;
  return token;
}

/**
 * Uses a token once. Marking it used is a conditional update, so two concurrent clicks cannot both succeed; call it
 * inside the transaction that acts on it, so a failure afterwards leaves the link usable.
 */
export async function consumeToken(db: SqlRunner, purpose: OneTimeTokenPurpose, secret: string): Promise<OneTimeToken> {
  const token = await peekToken(db, purpose, secret);
  const [used] = await db.query<{ id: string }>(
    'UPDATE one_time_tokens SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id',
    [token.id],
  );
  if (!used) throw new AppError('TOKEN_USED');
  return token;
}

/** Deletes tokens that can no longer be used and are older than a week (daily maintenance). */
export async function deleteStaleTokens(db: SqlRunner): Promise<number> {
  const rows = await db.query(
    `DELETE FROM one_time_tokens WHERE (used_at IS NOT NULL OR expires_at <= now()) AND created_at < now() - interval '7 days'
     RETURNING id`,
  );
  return rows.length;
}
