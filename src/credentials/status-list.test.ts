import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BitstringStatusList, buildStatusListCredential, MIN_STATUS_LIST_LENGTH } from './status-list.ts';

describe('Bitstring Status List', () => {
  it('creates lists of at least 131,072 entries', () => {
    expect(BitstringStatusList.create().length).toBe(MIN_STATUS_LIST_LENGTH);
    expect(() => BitstringStatusList.create(1024)).toThrow(/at least/);
  });

  it('sets and reads bits, most significant bit first', () => {
    const list = BitstringStatusList.create();
    list.set(0, true);
    list.set(9, true);
    expect(list.bytes[0]).toBe(0x80);
    expect(list.bytes[1]).toBe(0x40);
    expect([list.get(0), list.get(1), list.get(9)]).toEqual([true, false, true]);
    list.set(0, false);
    expect(list.get(0)).toBe(false);
    expect(() => list.get(MIN_STATUS_LIST_LENGTH)).toThrow(/outside/);
  });

  it('encodes as multibase base64url of gzip and decodes back', () => {
    const list = BitstringStatusList.create();
    list.set(42, true);
    const encoded = list.encode();
    expect(encoded[0]).toBe('u');
    expect(gunzipSync(Buffer.from(encoded.slice(1), 'base64url')).length).toBe(MIN_STATUS_LIST_LENGTH / 8);
    expect(BitstringStatusList.decode(encoded).get(42)).toBe(true);
    expect(() => BitstringStatusList.decode('zabc')).toThrow(/base64url/);
  });

  it('decodes a list published by another implementation (DCC fixture, bits 2, 6, 8)', () => {
    const list = BitstringStatusList.decode('uH4sIAAAAAAAAA-3BMQEAAAwCoGUx6aLbwgvIHwAAAAAAAAAAAAAAwFwBZnztF9QwAAA');
    expect([2, 6, 7, 8].map((index) => list.get(index))).toEqual([true, true, false, true]);
  });

  it('builds the BitstringStatusListCredential for a purpose', () => {
    const credential = buildStatusListCredential({
      id: 'https://learn.example.org/status/1',
      issuer: 'did:web:learn.example.org:issuers:a',
      statusPurpose: 'suspension',
      list: BitstringStatusList.create(),
      validFrom: '2025-01-01T00:00:00Z',
    });
    expect(credential).toMatchObject({
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      credentialSubject: {
        id: 'https://learn.example.org/status/1#list',
        type: 'BitstringStatusList',
        statusPurpose: 'suspension',
      },
    });
  });
});
