import type { SqlRunner } from '../../db/client.ts';
import type { StatusPurposeName } from '../../db/schema.ts';

export interface StatusListRecord {
  id: string;
  cityId: string;
  organisationId: string;
  purpose: StatusPurposeName;
  sequence: number;
  length: number;
  allocated: number;
  encodedList: string;
  signedCredential: Record<string, unknown> | null;
  updatedAt: Date;
}

/** A run of consecutive entries taken from one list. */
export interface TakenSlots {
  listId: string;
  length: number;
  /** The first entry handed out (0-based counter); the service maps each counter to a scattered index. */
  first: number;
  count: number;
}

const columns = `id, city_id AS "cityId", organisation_id AS "organisationId", purpose, sequence, length, allocated,
  encoded_list AS "encodedList", signed_credential AS "signedCredential", updated_at AS "updatedAt"`;

/**
 * Takes up to `count` next entries of the organisation's newest list for a purpose with one UPDATE: the list's row is
 * locked, so two issuers never get the same counters, and it stays locked until the transaction ends. A full list
 * answers nothing, a nearly full one fewer than asked (the caller then opens the next list for the rest).
 */
export async function takeSlots(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  purpose: StatusPurposeName,
  count: number,
): Promise<TakenSlots | undefined> {
  const [row] = await db.query<TakenSlots>(
    `WITH newest AS (
       SELECT id, allocated FROM status_lists WHERE city_id = $1 AND organisation_id = $2 AND purpose = $3
        ORDER BY sequence DESC LIMIT 1 FOR UPDATE)
     UPDATE status_lists s SET allocated = s.allocated + least($4::int, s.length - s.allocated), updated_at = now()
       FROM newest
      WHERE s.id = newest.id AND s.allocated < s.length
      RETURNING s.id AS "listId", s.length, newest.allocated AS first, s.allocated - newest.allocated AS count`,
    [cityId, organisationId, purpose, count],
    { name: 'status_lists_take_slots' },
  );
  return row;
}

/**
 * Opens the next list (sequence = newest + 1) with its first `count` entries already taken — only while every list is
 * full: an issuer whose slot query ran before another's new list committed sees that list now and gets nothing back,
 * as does the loser of two issuers racing to open the same sequence (they meet on the unique key, and ON CONFLICT
 * waits for the winner to commit). Either way the caller then takes slots of the list that exists.
 */
export async function openNextList(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  purpose: StatusPurposeName,
  length: number,
  emptyEncodedList: string,
  count: number,
): Promise<TakenSlots | undefined> {
  const [row] = await db.query<TakenSlots>(
    `INSERT INTO status_lists (city_id, organisation_id, purpose, sequence, length, allocated, encoded_list)
     SELECT $1, $2, $3, coalesce(max(sequence), 0) + 1, $4, least($6::int, $4::int), $5
       FROM status_lists WHERE city_id = $1 AND organisation_id = $2 AND purpose = $3
     HAVING NOT coalesce(bool_or(allocated < length), false)
     ON CONFLICT (city_id, organisation_id, purpose, sequence) DO NOTHING
     RETURNING id AS "listId", length, 0 AS first, allocated AS count`,
    [cityId, organisationId, purpose, length, emptyEncodedList, count],
  );
  return row;
}

/**
 * Gives back the last `count` entries of a list that this transaction took and did not use (a credential the engine
 * refused). Only the taker can do that: it holds the list's row lock from `takeSlots` or `openNextList`, so nobody
 * took entries after them.
 */
export async function returnSlots(db: SqlRunner, cityId: string, listId: string, count: number): Promise<void> {
  await db.query(
    `UPDATE status_lists SET allocated = allocated - $3 WHERE city_id = $1 AND id = $2 AND allocated >= $3`,
    [cityId, listId, count],
  );
}

export async function findStatusList(
  db: SqlRunner,
  cityId: string,
  listId: string,
): Promise<StatusListRecord | undefined> {
  const [row] = await db.query<StatusListRecord>(`SELECT ${columns} FROM status_lists WHERE city_id = $1 AND id = $2`, [
    cityId,
    listId,
  ]);
  return row;
}

/** The list's bits, locked until the transaction ends so two status changes never overwrite each other. */
export async function lockStatusList(
  db: SqlRunner,
  cityId: string,
  listId: string,
): Promise<{ encodedList: string; length: number } | undefined> {
  const [row] = await db.query<{ encodedList: string; length: number }>(
    `SELECT encoded_list AS "encodedList", length FROM status_lists WHERE city_id = $1 AND id = $2 FOR UPDATE`,
    [cityId, listId],
  );
  return row;
}

/** Stores new bits and drops the signed copy, so the next read signs the change. */
export async function updateEncodedList(
  db: SqlRunner,
  cityId: string,
  listId: string,
  encodedList: string,
): Promise<void> {
  await db.query(
    `UPDATE status_lists SET encoded_list = $3, signed_credential = NULL, updated_at = now()
      WHERE city_id = $1 AND id = $2`,
    [cityId, listId, encodedList],
  );
}

/**
 * Caches a signed list credential, only if the bits it was signed over are still the current ones (a status change
 * that committed meanwhile wins, and its reader signs again).
 */
export async function storeSignedCredential(
  db: SqlRunner,
  cityId: string,
  listId: string,
  encodedList: string,
  signed: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `UPDATE status_lists SET signed_credential = $4 WHERE city_id = $1 AND id = $2 AND encoded_list = $3`,
    [cityId, listId, encodedList, JSON.stringify(signed)],
  );
}
