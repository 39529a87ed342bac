import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitstringStatusList, verifyW3cCredential } from '../../../credentials/index.ts';
import { createCatalogueCity } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  allocateStatusEntries,
  allocateStatusEntryBatch,
  releaseUnusedStatusEntries,
  STATUS_LIST_LENGTH,
  setStatus,
  statusBit,
  statusIndexFor,
  statusListCredential,
  statusListUrl,
} from './status-lists.service.ts';
import { injectFetch } from './issuers.test-support.ts';

describe(`status lists on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;

  /** Our own URLs (DID documents, status lists) answered through the app, as a verifier fetches them. */
  const fetchJson = (url: string) => injectFetch(t)(url);

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, otherCity, organisationId } = await createCatalogueCity(t.db));
  });
  afterAll(() => t.close());

  it('maps counters to indexes one to one across the whole list (herd privacy without collisions)', () => {
    const listId = '3f1c9a2e-0000-4000-8000-000000000000';
    const seen = new Uint8Array(STATUS_LIST_LENGTH);
    for (let counter = 0; counter < STATUS_LIST_LENGTH; counter++) seen[statusIndexFor(listId, counter)] = 1;
    expect(seen.every((value) => value === 1)).toBe(true);
    // Neighbours in time are far apart in the list.
    const gaps = [0, 1, 2, 3].map((n) => Math.abs(statusIndexFor(listId, n + 1) - statusIndexFor(listId, n)));
    for (const gap of gaps) expect(gap).toBeGreaterThan(1000);
  });

  it('hands out distinct revocation and suspension entries to concurrent issuers', async () => {
    const entries = await Promise.all(
      Array.from({ length: 20 }, () => t.db.transaction((tx) => allocateStatusEntries(tx, city, organisationId))),
    );
    const slots = entries.flatMap((e) => [
      `${e.revocation.listId}:${e.revocation.index}`,
      `${e.suspension.listId}:${e.suspension.index}`,
    ]);
    expect(new Set(slots).size).toBe(40);
    const lists = await t.db.query<{ purpose: string; allocated: number; sequence: number }>(
      'SELECT purpose, allocated, sequence FROM status_lists WHERE city_id = $1 AND organisation_id = $2 ORDER BY purpose',
      [city.id, organisationId],
    );
    expect(lists).toEqual([
      { purpose: 'revocation', allocated: 20, sequence: 1 },
      { purpose: 'suspension', allocated: 20, sequence: 1 },
    ]);
  });

  it('opens the next list when one is full', async () => {
    await t.db.query(
      `UPDATE status_lists SET allocated = length WHERE city_id = $1 AND organisation_id = $2 AND purpose = 'revocation'`,
      [city.id, organisationId],
    );
    const [a, b] = await Promise.all([
      t.db.transaction((tx) => allocateStatusEntries(tx, city, organisationId)),
      t.db.transaction((tx) => allocateStatusEntries(tx, city, organisationId)),
    ]);
    expect(a?.revocation.listId).toBe(b?.revocation.listId);
    expect(a?.revocation.index).not.toBe(b?.revocation.index);
    const [list] = await t.db.query<{ sequence: number; allocated: number }>(
      'SELECT sequence, allocated FROM status_lists WHERE id = $1',
      [a?.revocation.listId],
    );
    expect(list).toEqual({ sequence: 2, allocated: 2 });
  });

  it('allocates a batch with one UPDATE per purpose, across a full list, with the one-by-one indexes', async () => {
    // An organisation of its own, so its lists start empty.
    const [row] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('batch-lists', 'Batch Lists', '{provider}') RETURNING id`,
    );
    const org = (row as { id: string }).id;
    const first = await t.db.transaction((tx) => allocateStatusEntryBatch(tx, city, org, 10));
    expect(first).toHaveLength(10);
    const revocationList = first[0]?.revocation.listId as string;
    // The scattered indexes of counters 0–9, as ten single allocations would have had.
    expect(first.map((entries) => entries.revocation.index)).toEqual(
      Array.from({ length: 10 }, (_, counter) => statusIndexFor(revocationList, counter)),
    );
    // 30 entries left in the lists: a batch of 70 takes them and 40 of the next lists.
    await t.db.query('UPDATE status_lists SET allocated = length - 30 WHERE city_id = $1 AND organisation_id = $2', [
      city.id,
      org,
    ]);
    const second = await t.db.transaction((tx) => allocateStatusEntryBatch(tx, city, org, 70));
    const listsOf = (purpose: 'revocation' | 'suspension') => new Set(second.map((entries) => entries[purpose].listId));
    expect(listsOf('revocation').size).toBe(2);
    expect(listsOf('suspension').size).toBe(2);
    expect(second.slice(0, 30).every((entries) => entries.revocation.listId === revocationList)).toBe(true);
    const next = second[30]?.revocation.listId as string;
    expect(second.slice(30).map((entries) => entries.revocation.index)).toEqual(
      Array.from({ length: 40 }, (_, counter) => statusIndexFor(next, counter)),
    );
    const slots = second.flatMap((e) => [
      `${e.revocation.listId}:${e.revocation.index}`,
      `${e.suspension.listId}:${e.suspension.index}`,
    ]);
    expect(new Set(slots).size).toBe(140);
    // Entries a batch did not use go back, in the same transaction: the next batch gets them.
    const [kept, given] = await t.db.transaction(async (tx) => {
      const batch = await allocateStatusEntryBatch(tx, city, org, 5);
      await releaseUnusedStatusEntries(tx, city, batch.slice(2));
      return [batch.slice(0, 2), batch.slice(2)];
    });
    const after = await t.db.transaction((tx) => allocateStatusEntryBatch(tx, city, org, 3));
    expect(after).toEqual(given);
    expect(kept.map((entries) => entries.revocation.index)).toEqual(
      [40, 41].map((counter) => statusIndexFor(next, counter)),
    );
    const lists = await t.db.query<{ purpose: string; sequence: number; allocated: number }>(
      'SELECT purpose, sequence, allocated FROM status_lists WHERE city_id = $1 AND organisation_id = $2 ORDER BY purpose, sequence',
      [city.id, org],
    );
    expect(lists).toEqual([
      { purpose: 'revocation', sequence: 1, allocated: STATUS_LIST_LENGTH },
      { purpose: 'revocation', sequence: 2, allocated: 45 },
      { purpose: 'suspension', sequence: 1, allocated: STATUS_LIST_LENGTH },
      { purpose: 'suspension', sequence: 2, allocated: 45 },
    ]);
  });

  it('publishes a signed list that verifies, caches it until a bit changes, and re-signs after a day', async () => {
    const entries = await t.db.transaction((tx) => allocateStatusEntries(tx, city, organisationId));
    const { listId, index } = entries.suspension;
    const first = await statusListCredential(t.db, t.config, city, listId);
    expect(first.id).toBe(statusListUrl(t.config, city.slug, listId));
    expect((first.credentialSubject as { statusPurpose: string }).statusPurpose).toBe('suspension');
    const verified = await verifyW3cCredential(first, { fetchJson });
    expect(verified.checks.filter((check) => !check.passed)).toEqual([]);
    expect(await statusListCredential(t.db, t.config, city, listId)).toEqual(first);

    await t.db.transaction((tx) => setStatus(tx, city.id, listId, index, true));
    expect(await statusBit(t.db, city.id, listId, index)).toBe(true);
    const [row] = await t.db.query<{ signed: unknown }>(
      'SELECT signed_credential AS signed FROM status_lists WHERE id = $1',
      [listId],
    );
    expect(row?.signed).toBeNull();
    const changed = await statusListCredential(t.db, t.config, city, listId);
    const encoded = (changed.credentialSubject as { encodedList: string }).encodedList;
    expect(BitstringStatusList.decode(encoded).get(index)).toBe(true);

    const tomorrow = new Date(Date.now() + 25 * 3600 * 1000);
    const resigned = await statusListCredential(t.db, t.config, city, listId, tomorrow);
    expect(resigned.validFrom).not.toBe(changed.validFrom);
    expect(new Date(resigned.validUntil as string).getTime()).toBeGreaterThan(tomorrow.getTime() + 24 * 3600 * 1000);
  });

  it('serves the list with caching headers, an ETag and 304s; other cities do not find it', async () => {
    const entries = await t.db.transaction((tx) => allocateStatusEntries(tx, city, organisationId));
    const url = `/c/${city.slug}/status-lists/${entries.revocation.listId}`;
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const etag = response.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(response.json().type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);

    const again = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    await t.db.transaction((tx) => setStatus(tx, city.id, entries.revocation.listId, entries.revocation.index, true));
    const afterChange = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(afterChange.statusCode).toBe(200);
    expect(afterChange.headers.etag).not.toBe(etag);

    const elsewhere = await t.app.inject({
      method: 'GET',
      url: `/c/${otherCity.slug}/status-lists/${entries.revocation.listId}`,
      headers: { accept: 'application/json' },
    });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().error.code).toBe('STATUS_LIST_NOT_FOUND');
  });
});
