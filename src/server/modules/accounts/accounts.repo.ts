import type { RoleName } from '../../db/schema.ts';
import type { SqlRunner } from '../../db/client.ts';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

const columns = `id, email, display_name AS "displayName", email_verified_at AS "emailVerifiedAt", created_at AS "createdAt"`;

// Users are network-level: one person may belong to several cities through their roles.

export async function findUserByEmail(db: SqlRunner, email: string): Promise<UserRecord | undefined> {
  const [row] = await db.query<UserRecord>(`SELECT ${columns} FROM users WHERE lower(email) = lower($1)`, [email]);
  return row;
}

/** Inserts a user; undefined when the email is taken. */
export async function insertUser(
  db: SqlRunner,
  user: { email: string; displayName: string; passwordHash: string | null; emailVerified: boolean },
): Promise<UserRecord | undefined> {
  const [row] = await db.query<UserRecord>(
    `INSERT INTO users (email, display_name, password_hash, email_verified_at)
     VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN now() END)
     ON CONFLICT DO NOTHING RETURNING ${columns}`,
    [user.email, user.displayName, user.passwordHash, user.emailVerified],
  );
  return row;
}

/** Grants a role (idempotent). `cityId` is null for network-wide roles. */
export async function grantRole(db: SqlRunner, userId: string, role: RoleName, cityId: string | null): Promise<void> {
  await db.query('INSERT INTO role_assignments (user_id, role, city_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    userId,
    role,
    cityId,
  ]);
}

export async function listRoles(db: SqlRunner, userId: string): Promise<{ role: RoleName; cityId: string | null }[]> {
  return db.query(`SELECT role, city_id AS "cityId" FROM role_assignments WHERE user_id = $1 ORDER BY role, city_id`, [
    userId,
  ]);
}
