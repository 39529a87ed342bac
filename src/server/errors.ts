/**
 * The error catalogue: every failure a client may act on has a stable code, an HTTP status and a default message.
 * Clients switch on `code`; the message is for people and may change.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, message: 'Some fields are missing or invalid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  UNAUTHENTICATED: { status: 401, message: 'You need to sign in first.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, message: 'Nothing was found at this address.' },
  CITY_NOT_FOUND: { status: 404, message: 'No city with this name exists here.' },
  JOB_NOT_FOUND: { status: 404, message: 'No job with this id exists.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  NOT_ACCEPTABLE: { status: 406, message: 'The requested representation is not available.' },
  CONFLICT: { status: 409, message: 'This conflicts with the current state.' },
  CITY_SLUG_TAKEN: { status: 409, message: 'Another city already uses this slug.' },
  USER_EMAIL_TAKEN: { status: 409, message: 'An account with this email address already exists.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This content type is not supported here.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; please wait and try again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side. It has been logged.' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'The database is not reachable right now.' },
  NOT_READY: { status: 503, message: 'The service is starting or its database is not ready.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** One item of `details` — for validation errors, the field (a JSON pointer) and what is wrong with it. */
export interface ErrorDetail {
  field?: string;
  problem: string;
  [key: string]: unknown;
}

/** An error that crosses the service boundary with a catalogue code. Services throw these; routes never build errors by hand. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message ?? errorCatalogue[code].message);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

export function errorBody(code: ErrorCode, message?: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message: message ?? errorCatalogue[code].message, details } };
}
