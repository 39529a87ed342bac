import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCredentialError } from './errors.ts';
import {
  buildDidWebDocument,
  decryptSecretKey,
  didKeyFor,
  didWebDocumentUrl,
  didWebForIssuer,
  encryptSecretKey,
  generateIssuerKey,
  importIssuerKey,
  resolveDidKey,
  secretKeyToJwk,
} from './keys.ts';

describe('issuer keys', () => {
  it('generates Ed25519 Multikeys and imports them back (Multikey and JWK)', async () => {
    const key = await generateIssuerKey();
    expect(key.publicKeyMultibase).toMatch(/^z6Mk/);
    expect(await importIssuerKey(key)).toEqual(key);
    expect(await importIssuerKey({ jwk: await secretKeyToJwk(key) })).toEqual(key);
  });

  it('refuses a secret key that does not belong to the public key', async () => {
    const [a, b] = [await generateIssuerKey(), await generateIssuerKey()];
    await expect(
      importIssuerKey({ publicKeyMultibase: a.publicKeyMultibase, secretKeyMultibase: b.secretKeyMultibase }),
    ).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });

  it('derives did:key and resolves it locally', async () => {
    const key = await generateIssuerKey();
    const did = didKeyFor(key);
    const method = await resolveDidKey(`${did}#${key.publicKeyMultibase}`);
    expect(method).toMatchObject({
      id: `${did}#${key.publicKeyMultibase}`,
      controller: did,
      publicKeyMultibase: key.publicKeyMultibase,
    });
  });

  it('names did:web issuers and maps them to their document URL', () => {
    expect(didWebForIssuer('learn.example.org', 'org-42')).toBe('did:web:learn.example.org:issuers:org-42');
    expect(didWebForIssuer('localhost:8080', 'a')).toBe('did:web:localhost%3A8080:issuers:a');
    expect(didWebDocumentUrl('did:web:localhost%3A8080:issuers:a#key')).toBe(
      'https://localhost:8080/issuers/a/did.json',
    );
    expect(didWebDocumentUrl('did:web:example.org')).toBe('https://example.org/.well-known/did.json');
    expect(() => didWebForIssuer('bad host/', 'x')).toThrow();
  });

  it('keeps retired keys in the DID document after rotation', async () => {
    const [old, current] = [await generateIssuerKey(), await generateIssuerKey()];
    const did = didWebForIssuer('learn.example.org', 'org-1');
    const document = buildDidWebDocument({ did, activeKey: current, retiredKeys: [old] }) as Record<string, any>;
    expect(document.verificationMethod.map((method: any) => method.publicKeyMultibase)).toEqual([
      current.publicKeyMultibase,
      old.publicKeyMultibase,
    ]);
    expect(document.assertionMethod).toEqual([
      `${did}#${current.publicKeyMultibase}`,
      `${did}#${old.publicKeyMultibase}`,
    ]);
    expect(document.authentication).toEqual([`${did}#${current.publicKeyMultibase}`]);
  });
});

describe('secret keys at rest', () => {
  const kek = randomBytes(32);

  it('round-trips through a versioned AES-256-GCM envelope', async () => {
    const { secretKeyMultibase } = await generateIssuerKey();
    const envelope = encryptSecretKey(secretKeyMultibase, kek, 'key-1');
    expect(envelope).toMatch(/^lsk1\./);
    expect(envelope).not.toContain(secretKeyMultibase);
    expect(decryptSecretKey(envelope, kek, 'key-1')).toBe(secretKeyMultibase);
  });

  it('fails with KEY_DECRYPT_FAILED for a wrong key, other associated data or altered ciphertext', async () => {
    const envelope = encryptSecretKey('zsecret', kek, 'key-1');
    const expectCode = (run: () => unknown, code: string) => {
      try {
        run();
        expect.unreachable();
      } catch (error) {
        expect(isCredentialError(error) && error.code).toBe(code);
      }
    };
    expectCode(() => decryptSecretKey(envelope, randomBytes(32), 'key-1'), 'KEY_DECRYPT_FAILED');
    expectCode(() => decryptSecretKey(envelope, kek, 'key-2'), 'KEY_DECRYPT_FAILED');
    const parts = envelope.split('.');
    parts[3] = Buffer.from('zsecreX').toString('base64url');
    expectCode(() => decryptSecretKey(parts.join('.'), kek, 'key-1'), 'KEY_DECRYPT_FAILED');
    expectCode(() => decryptSecretKey(`lsk9.${parts.slice(1).join('.')}`, kek), 'UNSUPPORTED_ENVELOPE');
    expectCode(() => encryptSecretKey('z', randomBytes(16)), 'INVALID_KEY');
  });
});
