import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/server/db/client.ts';
import type { MembershipRole } from '../../src/server/db/schema.ts';
import { assignRole, ensureUser } from '../../src/server/modules/accounts/accounts.service.ts';
import { startSession } from '../../src/server/modules/accounts/sessions.service.ts';

export type SignInAs =
  | { role: 'learner' }
  | { role: 'network_admin' }
  | { role: 'city_curator' | 'quality_assessor'; citySlug: string }
  | { role: 'organisation'; organisationId: string; membership: MembershipRole };

export interface SignedIn {
  userId: string;
  email: string;
  /** Headers for app.inject: the session cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
}

export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * Creates a verified person with the given role and a real session for them (the same code path as sign-in,
 * minus typing the password), so tests can call routes as that role.
 */
export async function signIn(_app: FastifyInstance, db: Database, as: SignInAs, email?: string): Promise<SignedIn> {
  const address = email ?? `${as.role}-${randomUUID().slice(0, 8)}@example.org`;
  const { user } = await ensureUser(db, {
    email: address,
    displayName: `Test ${as.role}`,
    password: TEST_PASSWORD,
    emailVerified: true,
  });
  if (as.role === 'network_admin') await assignRole(db, user.id, 'network_admin', null);
  if (as.role === 'city_curator' || as.role === 'quality_assessor') {
    const [city] = await db.query<{ id: string }>('SELECT id FROM cities WHERE slug = $1', [as.citySlug]);
    if (!city) throw new Error(`No city ${as.citySlug} to sign in to`);
    await assignRole(db, user.id, as.role, city.id);
  }
  if (as.role === 'organisation') {
    await db.query(
      'INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [as.organisationId, user.id, as.membership],
    );
  }
  const session = await startSession(db, user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  return {
    userId: user.id,
    email: address,
    headers: { cookie: `ls_session=${session.token}`, 'x-csrf-token': session.csrfToken },
  };
}
