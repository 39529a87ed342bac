/**
 * Stable error codes of the credentials engine. The server maps them to HTTP statuses,
 * so a code, once published, keeps its meaning.
 */
export const CREDENTIAL_ERROR_CODES = [
  'UNKNOWN_CONTEXT',
  'INVALID_JSONLD',
  'INVALID_CREDENTIAL',
  'INVALID_INPUT',
  'INVALID_KEY',
  'INVALID_IMAGE',
  'IMAGE_HAS_NO_CREDENTIAL',
  'KEY_DECRYPT_FAILED',
  'UNSUPPORTED_ENVELOPE',
  'SIGNING_FAILED',
  'DID_NOT_RESOLVED',
  'FETCH_FAILED',
  'STATUS_LIST_INVALID',
  'STATUS_INDEX_OUT_OF_RANGE',
  'DOCUMENT_TOO_LARGE',
] as const;

export type CredentialErrorCode = (typeof CREDENTIAL_ERROR_CODES)[number];

export class CredentialError extends Error {
  readonly code: CredentialErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: CredentialErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CredentialError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isCredentialError(error: unknown, code?: CredentialErrorCode): error is CredentialError {
  return error instanceof CredentialError && (code === undefined || error.code === code);
}

/** Finds a CredentialError anywhere in a cause chain (jsonld wraps loader errors several levels deep). */
export function findCredentialError(error: unknown): CredentialError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof CredentialError) return current;
    const record = current as { cause?: unknown; details?: { cause?: unknown } };
    current = record.cause ?? record.details?.cause;
  }
  return undefined;
}
