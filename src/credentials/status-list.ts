/**
 * Bitstring Status List (W3C): a gzip-compressed bitstring, multibase base64url encoded,
 * published inside a signed BitstringStatusListCredential. Bit 0 is the most significant
 * bit of the first byte.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { VC_V2_CONTEXT } from './contexts.ts';
import { toDateTime, type StatusPurpose } from './credential.ts';
import { CredentialError } from './errors.ts';

/** The spec's minimum, so a list never reveals much about which credential is which. */
export const MIN_STATUS_LIST_LENGTH = 131_072;
/** Refuse to inflate lists beyond 16 MiB of bits (a zip bomb guard for lists we fetch). */
const MAX_DECODED_BYTES = 16 * 1024 * 1024;

export class BitstringStatusList {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  static create(length = MIN_STATUS_LIST_LENGTH): BitstringStatusList {
    if (!Number.isInteger(length) || length < MIN_STATUS_LIST_LENGTH || length % 8 !== 0) {
      throw new CredentialError(
        'INVALID_INPUT',
        `A status list needs a multiple of 8 entries, at least ${MIN_STATUS_LIST_LENGTH}.`,
      );
    }
    return new BitstringStatusList(new Uint8Array(length / 8));
  }

  get length(): number {
    return this.bytes.length * 8;
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new CredentialError(
        'STATUS_INDEX_OUT_OF_RANGE',
        `Status index ${index} is outside the list (0–${this.length - 1}).`,
      );
    }
  }

  get(index: number): boolean {
    this.assertIndex(index);
    return ((this.bytes[index >> 3] as number) & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.assertIndex(index);
    const mask = 0x80 >> (index & 7);
    const byteIndex = index >> 3;
    this.bytes[byteIndex] = value
      ? (this.bytes[byteIndex] as number) | mask
      : (this.bytes[byteIndex] as number) & ~mask;
  }

  /** Multibase base64url ('u' prefix, no padding) of the gzip-compressed bitstring. */
  encode(): string {
    return `u${gzipSync(this.bytes).toString('base64url')}`;
  }

  static decode(encodedList: string): BitstringStatusList {
    if (
      typeof encodedList !== 'string' ||
      !encodedList.startsWith('u') ||
      !/^[A-Za-z0-9_-]+$/.test(encodedList.slice(1))
    ) {
      throw new CredentialError('STATUS_LIST_INVALID', 'encodedList must be multibase base64url (starting with "u").');
    }
    try {
      return new BitstringStatusList(
        new Uint8Array(
          gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: MAX_DECODED_BYTES }),
        ),
      );
    } catch (error) {
      throw new CredentialError('STATUS_LIST_INVALID', 'encodedList is not a gzip-compressed bitstring.', {
        cause: error,
      });
    }
  }
}

export interface StatusListCredentialInput {
  /** The URL the list credential is published at. */
  id: string;
  issuer: string | { id: string; [key: string]: unknown };
  statusPurpose: StatusPurpose;
  list: BitstringStatusList;
  validFrom: Date | string;
  validUntil?: Date | string;
}

/** The unsigned BitstringStatusListCredential; sign it like any other credential. */
export function buildStatusListCredential(input: StatusListCredentialInput): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: toDateTime(input.validFrom, 'validFrom'),
    ...(input.validUntil === undefined ? {} : { validUntil: toDateTime(input.validUntil, 'validUntil') }),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose,
      encodedList: input.list.encode(),
    },
  };
}
