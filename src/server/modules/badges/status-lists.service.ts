import {
  BitstringStatusList,
  buildStatusListCredential,
  MIN_STATUS_LIST_LENGTH,
  type StatusPurpose,
} from '../../../credentials/index.ts';
import type { Config } from '../../config.ts';
import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { issuerSignerFor } from './issuer-keys.service.ts';
import {
  findStatusList,
  lockStatusList,
  openNextList,
  returnSlots,
  storeSignedCredential,
  takeSlots,
  updateEncodedList,
} from './status-lists.repo.ts';

/**
 * Bitstring Status Lists: one list per (city, issuing organisation, purpose) at a time, 131,072 entries each (the
 * specification's minimum), the next one opened when a list is full. Every credential gets one revocation and one
 * suspension entry when it is issued.
 *
 * Herd privacy: entries are not handed out in order. The n-th entry of a list goes to index
 * (n × STEP + offset) mod 2^17, with an odd STEP (so the map is a bijection on [0, 2^17): every index is used exactly
 * once, none twice) and an offset taken from the list's id. Credentials issued one after the other therefore sit far
 * apart, so neither the list nor a credential's index tells anyone when it was issued or which other credentials were
 * issued with it, and a published bit cannot be tied to a neighbour's.
 */

export const STATUS_LIST_LENGTH = MIN_STATUS_LIST_LENGTH;
/** ≈ 2^17 / φ, odd: the golden-ratio step spreads consecutive entries evenly over the whole list. */
const STEP = 81_007;
/** Re-sign a cached list credential once it is a day old; each is valid for two, so a cached copy never expires. */
const RESIGN_AFTER_MS = 24 * 3600 * 1000;
const VALID_FOR_MS = 2 * RESIGN_AFTER_MS;
/**
 * A list is dated a few minutes before it is signed: a verifier whose clock is a little behind ours (or who noted
 * "now" just before fetching a list signed in that moment) would otherwise find it "not valid yet".
 */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

if (STATUS_LIST_LENGTH !== 2 ** 17) throw new Error('The status index map assumes lists of 2^17 entries.');

const emptyEncodedList = BitstringStatusList.create(STATUS_LIST_LENGTH).encode();

export interface StatusSlot {
  listId: string;
  index: number;
}

export interface StatusEntries {
  revocation: StatusSlot;
  suspension: StatusSlot;
}

/** The scattered index of the n-th entry of a list (see above): a bijection on [0, length) for a power-of-two length. */
export function statusIndexFor(listId: string, counter: number, length = STATUS_LIST_LENGTH): number {
  const offset = Number.parseInt(listId.replace(/-/g, '').slice(0, 8), 16) % length;
  // BigInt: counter × STEP exceeds 2^53 only for lists far larger than ours, but the map must never round.
  return Number((BigInt(counter) * BigInt(STEP) + BigInt(offset)) % BigInt(length));
}

/** `count` entries of one purpose, in the order they were handed out (over two lists when one fills up). */
async function allocate(
  tx: SqlRunner,
  cityId: string,
  organisationId: string,
  purpose: StatusPurpose,
  count: number,
): Promise<StatusSlot[]> {
  const slots: StatusSlot[] = [];
  // A handful of rounds without progress covers every race: each such round means another issuer filled or opened a
  // list. A round that takes entries (the rest of a list, then a new list) is progress.
  for (let idle = 0; slots.length < count && idle < 8; ) {
    const wanted = count - slots.length;
    const taken =
      (await takeSlots(tx, cityId, organisationId, purpose, wanted)) ??
      (await openNextList(tx, cityId, organisationId, purpose, STATUS_LIST_LENGTH, emptyEncodedList, wanted));
    if (!taken || taken.count <= 0) {
      idle++;
      continue;
    }
    for (let counter = taken.first; counter < taken.first + taken.count; counter++)
      slots.push({ listId: taken.listId, index: statusIndexFor(taken.listId, counter, taken.length) });
  }
  if (slots.length < count)
    throw new Error(`No ${purpose} status entry could be allocated for organisation ${organisationId}.`);
  return slots;
}

/**
 * One revocation and one suspension entry for each of `count` new credentials of the organisation in the city, with
 * one UPDATE per purpose (`allocated = allocated + count`) — the scattered indexes are those the entries would have
 * had one by one. The lists' rows stay locked until the transaction ends.
 */
export async function allocateStatusEntryBatch(
  tx: SqlRunner,
  city: Pick<CityRecord, 'id'>,
  organisationId: string,
  count: number,
): Promise<StatusEntries[]> {
  if (count <= 0) return [];
  // Always revocation first, then suspension: issuers lock the two list rows in the same order, so never deadlock.
  const revocation = await allocate(tx, city.id, organisationId, 'revocation', count);
  const suspension = await allocate(tx, city.id, organisationId, 'suspension', count);
  return revocation.map((slot, index) => ({ revocation: slot, suspension: suspension[index] as StatusSlot }));
}

/** One revocation and one suspension entry for a new credential of the organisation in the city. */
export async function allocateStatusEntries(
  tx: SqlRunner,
  city: Pick<CityRecord, 'id'>,
  organisationId: string,
): Promise<StatusEntries> {
  return (await allocateStatusEntryBatch(tx, city, organisationId, 1))[0] as StatusEntries;
}

/**
 * Gives back entries of `allocateStatusEntryBatch` that no credential took — the last ones it handed out, in the same
 * transaction (credentials refused after their entries were allocated). The lists are then as if they were never taken.
 */
export async function releaseUnusedStatusEntries(
  tx: SqlRunner,
  city: Pick<CityRecord, 'id'>,
  unused: StatusEntries[],
): Promise<void> {
  const perList = new Map<string, number>();
  for (const entries of unused)
    for (const slot of [entries.revocation, entries.suspension])
      perList.set(slot.listId, (perList.get(slot.listId) ?? 0) + 1);
  for (const [listId, count] of perList) await returnSlots(tx, city.id, listId, count);
}

/** Sets or clears one bit, inside the caller's transaction; the cached signed list is dropped with it. */
export async function setStatus(
  tx: SqlRunner,
  cityId: string,
  listId: string,
  index: number,
  value: boolean,
): Promise<void> {
  const row = await lockStatusList(tx, cityId, listId);
  if (!row) throw new AppError('STATUS_LIST_NOT_FOUND');
  const list = BitstringStatusList.decode(row.encodedList);
  if (list.get(index) === value) return;
  list.set(index, value);
  await updateEncodedList(tx, cityId, listId, list.encode());
}

/** Whether a bit is set (for tests and the organiser's pages). */
export async function statusBit(db: SqlRunner, cityId: string, listId: string, index: number): Promise<boolean> {
  const row = await findStatusList(db, cityId, listId);
  if (!row) throw new AppError('STATUS_LIST_NOT_FOUND');
  return BitstringStatusList.decode(row.encodedList).get(index);
}

export function statusListUrl(config: Pick<Config, 'publicUrl'>, citySlug: string, listId: string): string {
  return `${config.publicUrl}/c/${citySlug}/status-lists/${listId}`;
}

/**
 * The signed BitstringStatusListCredential of a list, issued by the list's organisation (its did:web). The signed
 * copy is kept until a bit changes or it is a day old.
 */
export async function statusListCredential(
  db: SqlRunner,
  config: Config,
  city: Pick<CityRecord, 'id' | 'slug'>,
  listId: string,
  now = new Date(),
): Promise<Record<string, unknown>> {
  const row = await findStatusList(db, city.id, listId);
  if (!row) throw new AppError('STATUS_LIST_NOT_FOUND');
  const cached = row.signedCredential;
  if (cached && typeof cached.validFrom === 'string') {
    const age = now.getTime() - Date.parse(cached.validFrom);
    if (age >= 0 && age < RESIGN_AFTER_MS) return cached;
  }
  const signer = await issuerSignerFor(db, config, row.organisationId);
  const unsigned = buildStatusListCredential({
    id: statusListUrl(config, city.slug, row.id),
    issuer: signer.did,
    statusPurpose: row.purpose,
    list: BitstringStatusList.decode(row.encodedList),
    validFrom: new Date(now.getTime() - CLOCK_SKEW_MS),
    validUntil: new Date(now.getTime() + VALID_FOR_MS),
  });
  const signed = await signer.signer.sign(unsigned);
  await storeSignedCredential(db, city.id, row.id, row.encodedList, signed);
  return signed;
}
