/**
 * Test support for the verifier: Open Badges 3.0 credentials signed here and now with a fresh did:key (nothing to
 * fetch), in their embedded-proof and VC-JWT forms.
 */
import { randomUUID } from 'node:crypto';
import {
  buildOpenBadgeCredential,
  didKeyFor,
  didKeyVerificationMethod,
  generateIssuerKey,
  type OpenBadgeCredentialInput,
  type SigningKey,
  signCredential,
} from '../../../credentials/index.ts';

export async function didKeySigner(): Promise<{ did: string; signingKey: SigningKey }> {
  const key = await generateIssuerKey();
  return { did: didKeyFor(key), signingKey: { ...key, verificationMethod: didKeyVerificationMethod(key) } };
}

export function badgeFor(
  issuerId: string,
  overrides: Partial<OpenBadgeCredentialInput> = {},
): OpenBadgeCredentialInput {
  return {
    id: `urn:uuid:${randomUUID()}`,
    issuer: {
      id: issuerId,
      name: { en: 'Riverside Makerspace', lt: 'Pakrantės dirbtuvės' },
      url: 'https://makerspace.example.org',
    },
    achievement: {
      id: 'https://makerspace.example.org/badges/soldering',
      name: { en: 'Soldering basics', lt: 'Litavimo pagrindai' },
      description: 'Can solder a simple circuit safely.',
      criteria: { narrative: 'Solder a blinking LED kit.' },
      image: { id: 'https://makerspace.example.org/badges/soldering.png', caption: 'A soldering iron' },
    },
    subject: { email: 'learner@example.org', salt: 'pepper' },
    validFrom: '2025-03-01T10:00:00Z',
    defaultLanguage: 'en',
    ...overrides,
  };
}

/** An OB 3.0 credential signed with eddsa-rdfc-2022 by a new did:key issuer. */
export async function signedDidKeyCredential(overrides: Partial<OpenBadgeCredentialInput> = {}) {
  const { did, signingKey } = await didKeySigner();
  const credential = await signCredential(buildOpenBadgeCredential(badgeFor(did, overrides)), signingKey);
  return { did, signingKey, credential };
}
