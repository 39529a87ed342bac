import type { SqlRunner } from '../../db/client.ts';

export interface AuditEntryRecord {
  id: string;
  cityId: string | null;
  citySlug: string | null;
  actorUserId: string | null;
  actorApiTokenId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  createdAt: Date;
}

/** What a caller records; the id, time and city slug come from the database. */
export type NewAuditEntry = Omit<AuditEntryRecord, 'id' | 'cityId' | 'citySlug' | 'createdAt'>;

const columns = `a.id, a.city_id AS "cityId", c.slug AS "citySlug", a.actor_user_id AS "actorUserId",
  a.actor_api_token_id AS "actorApiTokenId", a.actor_label AS "actorLabel", a.action, a.target_type AS "targetType",
  a.target_id AS "targetId", a.before, a.after, a.ip, a.user_agent AS "userAgent", a.request_id AS "requestId",
  a.created_at AS "createdAt"`;

/** Writes one entry; `cityId` is null for network-level actions (e.g. creating a city is logged in that city). */
export async function insertAuditEntry(db: SqlRunner, cityId: string | null, entry: NewAuditEntry): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO audit_log (city_id, actor_user_id, actor_api_token_id, actor_label, action, target_type, target_id,
       before, after, ip, user_agent, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      cityId,
      entry.actorUserId,
      entry.actorApiTokenId,
      entry.actorLabel.slice(0, 320),
      entry.action,
      entry.targetType,
      entry.targetId,
      entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
      entry.ip,
      entry.userAgent?.slice(0, 500) ?? null,
      entry.requestId,
    ],
  );
  return (row as { id: string }).id;
}

/** Writes many entries of one city in one statement (a bulk issue's chunk); the same rows `insertAuditEntry` writes. */
export async function insertAuditEntries(
  db: SqlRunner,
  cityId: string | null,
  entries: NewAuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((entry) => ({
    actor_user_id: entry.actorUserId,
    actor_api_token_id: entry.actorApiTokenId,
    actor_label: entry.actorLabel.slice(0, 320),
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: entry.ip,
    user_agent: entry.userAgent?.slice(0, 500) ?? null,
    request_id: entry.requestId,
  }));
  await db.query(
    `INSERT INTO audit_log (city_id, actor_user_id, actor_api_token_id, actor_label, action, target_type, target_id,
       before, after, ip, user_agent, request_id)
     SELECT $1, r.actor_user_id, r.actor_api_token_id, r.actor_label, r.action, r.target_type, r.target_id, r.before,
            r.after, r.ip, r.user_agent, r.request_id
       FROM jsonb_to_recordset($2::jsonb) AS r(actor_user_id uuid, actor_api_token_id uuid, actor_label text,
            action text, target_type text, target_id text, before jsonb, after jsonb, ip text, user_agent text,
            request_id text)`,
    [cityId, JSON.stringify(rows)],
    { name: 'audit_log_insert_many' },
  );
}

/** One city's entries, newest first. */
export function listCityAuditEntries(
  db: SqlRunner,
  cityId: string,
  page: { limit: number; offset: number },
): Promise<AuditEntryRecord[]> {
  return db.query<AuditEntryRecord>(
    `SELECT ${columns} FROM audit_log a LEFT JOIN cities c ON c.id = a.city_id
     WHERE a.city_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3`,
    [cityId, page.limit, page.offset],
  );
}

export async function countCityAuditEntries(db: SqlRunner, cityId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM audit_log WHERE city_id = $1', [
    cityId,
  ]);
  return row?.count ?? 0;
}

/** Every entry of the deployment (network admins), newest first. */
export function listAllAuditEntries(
  db: SqlRunner,
  page: { limit: number; offset: number },
): Promise<AuditEntryRecord[]> {
  return db.query<AuditEntryRecord>(
    `SELECT ${columns} FROM audit_log a LEFT JOIN cities c ON c.id = a.city_id
     ORDER BY a.created_at DESC, a.id DESC LIMIT $1 OFFSET $2`,
    [page.limit, page.offset],
  );
}

export async function countAllAuditEntries(db: SqlRunner): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM audit_log');
  return row?.count ?? 0;
}
