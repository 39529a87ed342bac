import type { SqlRunner } from '../../db/client.ts';
import { type CityRecord, findCityBySlug } from '../cities/cities.repo.ts';

/** A learner's saved search: the search page's parameters, as given, with a daily alert switch. */
export interface SavedSearchRecord {
  id: string;
  cityId: string;
  userId: string;
  name: string;
  query: Record<string, string | string[]>;
  alertDaily: boolean;
  lastAlertedAt: Date;
  createdAt: Date;
}

const columns = `id, city_id AS "cityId", user_id AS "userId", name, query, alert_daily AS "alertDaily",
  last_alerted_at AS "lastAlertedAt", created_at AS "createdAt"`;

export async function insertSavedSearch(
  db: SqlRunner,
  row: { cityId: string; userId: string; name: string; query: Record<string, string | string[]>; alertDaily: boolean },
): Promise<SavedSearchRecord> {
  const [saved] = await db.query<SavedSearchRecord>(
    `INSERT INTO saved_searches (city_id, user_id, name, query, alert_daily) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${columns}`,
    [row.cityId, row.userId, row.name, JSON.stringify(row.query), row.alertDaily],
  );
  return saved as SavedSearchRecord;
}

export function listUserSavedSearches(db: SqlRunner, cityId: string, userId: string): Promise<SavedSearchRecord[]> {
  return db.query<SavedSearchRecord>(
    `SELECT ${columns} FROM saved_searches WHERE user_id = $1 AND city_id = $2 ORDER BY created_at DESC, id`,
    [userId, cityId],
  );
}

export async function countUserSavedSearches(db: SqlRunner, cityId: string, userId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM saved_searches WHERE user_id = $1 AND city_id = $2',
    [userId, cityId],
  );
  return row?.count ?? 0;
}

/** The person's own saved search in the city, or undefined (someone else's is never found). */
export async function findUserSavedSearch(
  db: SqlRunner,
  cityId: string,
  userId: string,
  id: string,
): Promise<SavedSearchRecord | undefined> {
  const [row] = await db.query<SavedSearchRecord>(
    `SELECT ${columns} FROM saved_searches WHERE id = $1 AND user_id = $2 AND city_id = $3`,
    [id, userId, cityId],
  );
  return row;
}

export async function updateUserSavedSearch(
  db: SqlRunner,
  cityId: string,
  userId: string,
  id: string,
  changes: { name?: string; alertDaily?: boolean },
): Promise<SavedSearchRecord | undefined> {
  // Turning alerts back on starts from now: nobody wants a digest of everything published while they were off.
  const [row] = await db.query<SavedSearchRecord>(
    `UPDATE saved_searches SET name = coalesce($4, name), alert_daily = coalesce($5, alert_daily),
            last_alerted_at = CASE WHEN $5::boolean AND NOT alert_daily THEN now() ELSE last_alerted_at END
      WHERE id = $1 AND user_id = $2 AND city_id = $3
      RETURNING ${columns}`,
    [id, userId, cityId, changes.name ?? null, changes.alertDaily ?? null],
  );
  return row;
}

export async function deleteUserSavedSearch(
  db: SqlRunner,
  cityId: string,
  userId: string,
  id: string,
): Promise<boolean> {
  const rows = await db.query(
    'DELETE FROM saved_searches WHERE id = $1 AND user_id = $2 AND city_id = $3 RETURNING id',
    [id, userId, cityId],
  );
  return rows.length > 0;
}

/** Cities with at least one saved search whose alerts are on (the digest runs per city). */
export function citiesWithAlerts(db: SqlRunner): Promise<{ cityId: string }[]> {
  return db.query<{ cityId: string }>(`SELECT DISTINCT city_id AS "cityId" FROM saved_searches WHERE alert_daily`);
}

/** Someone to send a digest to: a person with alerts on in the city, who may be emailed. */
export interface DigestRecipient {
  userId: string;
  email: string;
  displayName: string;
  /** The person's first interface language among their stated languages, if any. */
  languages: string[];
}

/**
 * People of the city with saved searches whose alerts are on, in pages of `limit` after `afterUserId`. Only active
 * accounts with a confirmed email address: accounts awaiting a guardian's consent (`limited`) get no alerts (see
 * `digestAllowed`), and unconfirmed addresses may not be theirs.
 */
export function digestRecipients(
  db: SqlRunner,
  cityId: string,
  afterUserId: string | null,
  limit: number,
): Promise<DigestRecipient[]> {
  return db.query<DigestRecipient>(
    `SELECT u.id AS "userId", u.email, u.display_name AS "displayName", u.languages
       FROM users u
      WHERE u.id IN (SELECT user_id FROM saved_searches WHERE city_id = $1 AND alert_daily)
        AND u.status = 'active' AND u.email_verified_at IS NOT NULL AND u.deleted_at IS NULL
        AND ($2::uuid IS NULL OR u.id > $2::uuid)
      ORDER BY u.id LIMIT $3`,
    [cityId, afterUserId, limit],
  );
}

export function alertingSavedSearches(db: SqlRunner, cityId: string, userId: string): Promise<SavedSearchRecord[]> {
  return db.query<SavedSearchRecord>(
    `SELECT ${columns} FROM saved_searches WHERE city_id = $1 AND user_id = $2 AND alert_daily
      ORDER BY created_at, id`,
    [cityId, userId],
  );
}

/** Moves the searches' alert mark to `at` (the start of the digest run), only forward. */
export async function markAlerted(db: SqlRunner, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE saved_searches SET last_alerted_at = $2 WHERE id = ANY($1::uuid[]) AND alert_daily AND last_alerted_at < $2`,
    [ids, at],
  );
}

/**
 * Stores the hash of each search's "stop these emails" link, in the transaction that moves the alert mark. Each digest
 * writes a fresh hash over the last one, so only the link in the newest email works.
 */
export async function setUnsubscribeTokenHashes(
  db: SqlRunner,
  links: { id: string; tokenHash: string }[],
): Promise<void> {
  if (links.length === 0) return;
  await db.query(
    `UPDATE saved_searches s SET unsubscribe_token_hash = l.hash
       FROM unnest($1::uuid[], $2::text[]) AS l(id, hash)
      WHERE s.id = l.id`,
    [links.map((link) => link.id), links.map((link) => link.tokenHash)],
  );
}

/** The saved search of the city whose latest emailed "stop these emails" link has this hash, if any. */
export async function findSavedSearchByUnsubscribeHash(
  db: SqlRunner,
  cityId: string,
  tokenHash: string,
): Promise<SavedSearchRecord | undefined> {
  const [row] = await db.query<SavedSearchRecord>(
    `SELECT ${columns} FROM saved_searches WHERE unsubscribe_token_hash = $1 AND city_id = $2`,
    [tokenHash, cityId],
  );
  return row;
}

/** Turns the alerts of the search with this link off and forgets the link (it works once); undefined if unknown. */
export async function unsubscribeSavedSearchByHash(
  db: SqlRunner,
  cityId: string,
  tokenHash: string,
): Promise<SavedSearchRecord | undefined> {
  const [row] = await db.query<SavedSearchRecord>(
    `UPDATE saved_searches SET alert_daily = false, unsubscribe_token_hash = NULL
      WHERE unsubscribe_token_hash = $1 AND city_id = $2
      RETURNING ${columns}`,
    [tokenHash, cityId],
  );
  return row;
}

/** A city by id (the digest job carries the id). */
export async function findCityById(db: SqlRunner, cityId: string): Promise<CityRecord | undefined> {
  const [row] = await db.query<{ slug: string }>('SELECT slug FROM cities WHERE id = $1', [cityId]);
  return row ? findCityBySlug(db, row.slug) : undefined;
}
