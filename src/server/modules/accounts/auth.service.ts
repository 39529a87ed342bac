import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { UserActor } from './actor.ts';
import { actorForSessionToken, checkPassword, startSession, type NewSession } from './sessions.service.ts';

/** Signs a person in with email and password. Unverified addresses and deleted accounts cannot sign in. */
export async function signInWithPassword(
  db: SqlRunner,
  credentials: { email: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
): Promise<{ session: NewSession; actor: UserActor }> {
  const user = await checkPassword(db, credentials.email, credentials.password);
  if (!user.emailVerified) throw new AppError('EMAIL_NOT_VERIFIED');
  const session = await startSession(db, user.id, meta);
  const actor = await actorForSessionToken(db, session.token);
  if (!actor) throw new Error('A session vanished right after it was created.');
  return { session, actor };
}

/** The session view an API client or page script gets about itself. City ids become slugs. */
export async function describeSession(db: SqlRunner, actor: UserActor) {
  const cityIds = [...new Set(actor.roles.map((r) => r.cityId).filter((id): id is string => id !== null))];
  const slugs = new Map(
    cityIds.length === 0
      ? []
      : (
          await db.query<{ id: string; slug: string }>('SELECT id, slug FROM cities WHERE id = ANY($1::uuid[])', [
            cityIds,
          ])
        ).map((row) => [row.id, row.slug] as const),
  );
  return {
    id: actor.userId,
    email: actor.email,
    displayName: actor.displayName,
    status: actor.status,
    roles: actor.roles.map((r) => ({ role: r.role, citySlug: r.cityId ? (slugs.get(r.cityId) ?? null) : null })),
    memberships: actor.memberships,
  };
}
