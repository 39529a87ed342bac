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

export interface TakenSlot {
  listId: string;
  length: number;
  /** The n-th entry handed out from this list (0-based); the service maps it to a scattered index. */
  counter: number;
}

const columns = `id, city_id AS "cityId", organisation_id AS "organisationId", purpose, sequence, length, allocated,
  encoded_list AS "encodedList", signed_credential AS "signedCredential", updated_at AS "updatedAt"`;

/**
 * Takes the next entry of the organisation's newest list for a purpose with one conditional UPDATE: two issuers never
 * get the same counter, and a full list answers nothing (the caller then opens the next list).
 */
export async function takeSlot(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  purpose: StatusPurposeName,
): Promise<TakenSlot | undefined> {
  const [row] = await db.query<TakenSlot>(
    `UPDATE status_lists SET allocated = allocated + 1, updated_at = now()
      WHERE id = (SELECT id FROM status_lists WHERE city_id = $1 AND organisation_id = $2 AND purpose = $3
                   ORDER BY sequence DESC LIMIT 1)
        AND allocated < length
      RETURNING id AS "listId", length, allocated - 1 AS counter`,
    [cityId, organisationId, purpose],
    { name: 'status_lists_take_slot' },
  );
  return row;
}

/**
 * Opens the next list (sequence = newest + 1) with its first entry already taken — only while every list is full: an
 * issuer whose slot query ran before another's new list committed sees that list now and gets nothing back, as does
 * the loser of two issuers racing to open the same sequence (they meet on the unique key, and ON CONFLICT waits for
 * the winner to commit). Either way the caller then takes a slot of the list that exists.
 */
export async function openNextList(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  purpose: StatusPurposeName,
  length: number,
  emptyEncodedList: string,
): Promise<TakenSlot | undefined> {
  const [row] = await db.query<TakenSlot>(
    `INSERT INTO status_lists (city_id, organisation_id, purpose, sequence, length, allocated, encoded_list)
     SELECT $1, $2, $3, coalesce(max(sequence), 0) + 1, $4, 1, $5
       FROM status_lists WHERE city_id = $1 AND organisation_id = $2 AND purpose = $3
     HAVING NOT coalesce(bool_or(allocated < length), false)
     ON CONFLICT (city_id, organisation_id, purpose, sequence) DO NOTHING
     RETURNING id AS "listId", length, 0 AS counter`,
    [cityId, organisationId, purpose, length, emptyEncodedList],
  );
  return row;
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
