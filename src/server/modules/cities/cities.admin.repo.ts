import type { SqlRunner } from '../../db/client.ts';

// Administration of the tenant list itself (network-level) and of one city's curators and settings.

export async function setCityStatus(db: SqlRunner, cityId: string, status: 'active' | 'archived'): Promise<void> {
  await db.query('UPDATE cities SET status = $2, updated_at = now() WHERE id = $1', [cityId, status]);
}

export interface CuratorRecord {
  userId: string;
  email: string;
  displayName: string;
  since: Date;
}

export function listCityCurators(db: SqlRunner, cityId: string): Promise<CuratorRecord[]> {
  return db.query<CuratorRecord>(
    `SELECT u.id AS "userId", u.email, u.display_name AS "displayName", r.created_at AS since
     FROM role_assignments r JOIN users u ON u.id = r.user_id
     WHERE r.city_id = $1 AND r.role = 'city_curator' AND u.status <> 'deleted'
     ORDER BY lower(u.display_name)`,
    [cityId],
  );
}

/** Removes a city role; true when the person held it. */
export async function revokeCityRole(db: SqlRunner, cityId: string, userId: string, role: string): Promise<boolean> {
  const rows = await db.query(
    'DELETE FROM role_assignments WHERE city_id = $1 AND user_id = $2 AND role = $3 RETURNING id',
    [cityId, userId, role],
  );
  return rows.length > 0;
}

export async function updateCityLanguages(
  db: SqlRunner,
  cityId: string,
  change: { name: Record<string, string>; languages: string[]; defaultLanguage: string },
): Promise<void> {
  await db.query(
    'UPDATE cities SET name = $2, languages = $3, default_language = $4, updated_at = now() WHERE id = $1',
    [cityId, JSON.stringify(change.name), change.languages, change.defaultLanguage],
  );
}

export async function updateCityConsentAge(db: SqlRunner, cityId: string, consentAge: number): Promise<void> {
  await db.query('UPDATE cities SET consent_age = $2, updated_at = now() WHERE id = $1', [cityId, consentAge]);
}

export async function updateCityBranding(
  db: SqlRunner,
  cityId: string,
  branding: { logoUrl: string | null; primaryColour: string | null; contactEmail: string | null },
): Promise<void> {
  await db.query(
    'UPDATE cities SET logo_url = $2, primary_colour = $3, contact_email = $4, updated_at = now() WHERE id = $1',
    [cityId, branding.logoUrl, branding.primaryColour, branding.contactEmail],
  );
}
