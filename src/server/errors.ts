/**
 * The error catalogue: every failure a client may act on has a stable code, an HTTP status and a default message.
 * Clients switch on `code`; the message is for people and may change.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, message: 'Some fields are missing or invalid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  UNAUTHENTICATED: { status: 401, message: 'You need to sign in first.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The email address or password is not right.' },
  INVALID_API_TOKEN: { status: 401, message: 'The API token is unknown, expired or revoked.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  CSRF_FAILED: {
    status: 403,
    message: 'The form has expired or did not come from this site. Reload the page and try again.',
  },
  EMAIL_NOT_VERIFIED: { status: 403, message: 'Confirm your email address first; we sent you a link.' },
  ACCOUNT_LIMITED: { status: 403, message: 'This needs your guardian’s consent first.' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'This API token does not have the scope needed here.' },
  NOT_FOUND: { status: 404, message: 'Nothing was found at this address.' },
  CITY_NOT_FOUND: { status: 404, message: 'No city with this name exists here.' },
  JOB_NOT_FOUND: { status: 404, message: 'No job with this id exists.' },
  SKILL_NOT_FOUND: { status: 404, message: 'No skill with this id is in this city’s skills spine.' },
  SKILL_FRAMEWORK_NOT_FOUND: { status: 404, message: 'No competence framework with this name exists here.' },
  CROSSWALK_NOT_FOUND: { status: 404, message: 'No crosswalk with this id exists in this city.' },
  CROSSWALK_EXISTS: { status: 409, message: 'These two skills are already linked by a crosswalk.' },
  CROSSWALK_CYCLE: { status: 409, message: 'This crosswalk would make a skill broader than itself.' },
  SKILL_HIERARCHY_CYCLE: {
    status: 409,
    message: 'A skill cannot be nested under itself or one of its own sub-skills.',
  },
  SKILL_CODE_TAKEN: { status: 409, message: 'Another local skill of this city already uses this code.' },
  SKILL_HAS_CHILDREN: { status: 409, message: 'This skill has sub-skills; move or delete them first.' },
  ESCO_IMPORT_INVALID: { status: 400, message: 'The ESCO files are incomplete or broken; nothing was imported.' },
  ORGANISATION_NOT_FOUND: { status: 404, message: 'No organisation with this id takes part in this city.' },
  ORGANISATION_SLUG_TAKEN: { status: 409, message: 'Another organisation already uses this short name.' },
  ORGANISATION_ALREADY_IN_CITY: { status: 409, message: 'This organisation has already applied to this city.' },
  APPLICATION_ALREADY_DECIDED: { status: 409, message: 'This application has already been decided.' },
  MEMBER_NOT_FOUND: { status: 404, message: 'This person is not a member of the organisation.' },
  LAST_OWNER: { status: 409, message: 'An organisation needs at least one owner; appoint another owner first.' },
  OWNER_ONLY: { status: 403, message: 'Only an owner of the organisation can give or take away the owner role.' },
  ADDRESS_NOT_FOUND: { status: 404, message: 'No address with this id belongs to this organisation here.' },
  API_TOKEN_NOT_FOUND: { status: 404, message: 'No API token with this id belongs to this organisation here.' },
  INVITATION_NOT_FOUND: { status: 404, message: 'No open invitation with this id belongs to this organisation.' },
  INVITATION_INVALID: { status: 410, message: 'This invitation link is unknown, has expired or was already used.' },
  INVITATION_EMAIL_MISMATCH: {
    status: 403,
    message: 'This invitation was sent to another email address. Sign in with that address to accept it.',
  },
  USER_NOT_FOUND: { status: 404, message: 'No account with this email address exists.' },
  PERSON_REQUIRED: { status: 403, message: 'This needs a signed-in person; API tokens cannot do it.' },
  ACTIVITY_NOT_FOUND: { status: 404, message: 'No activity with this id or name is in this city.' },
  ACTIVITY_SLUG_TAKEN: { status: 409, message: 'Another activity of this city already uses this short name.' },
  ACTIVITY_STATE_CONFLICT: {
    status: 409,
    message:
      'The activity is not in a state that allows this (for example, only a submitted activity can be approved).',
  },
  ACTIVITY_VERSION_CONFLICT: {
    status: 409,
    message: 'Someone else changed this activity since you opened it. Reload it and make your changes again.',
  },
  ACTIVITY_SESSION_NOT_FOUND: { status: 404, message: 'No session with this id belongs to this activity.' },
  IMAGE_INVALID: { status: 400, message: 'The file is not a PNG, JPEG or WebP image.' },
  IMAGE_TOO_LARGE: { status: 413, message: 'The image is too large; use one under 2 MB.' },
  SIGNUP_NOT_OPEN: { status: 409, message: 'This activity does not take sign-ups here, or the session has passed.' },
  SIGNUP_EXISTS: { status: 409, message: 'You are already signed up (or on the waiting list) for this session.' },
  SIGNUP_NOT_FOUND: { status: 404, message: 'No sign-up with this id exists here.' },
  SIGNUP_SESSION_STARTED: {
    status: 409,
    message: 'This session has already started, so the sign-up can no longer be cancelled.',
  },
  ATTENDANCE_NOT_OPEN: { status: 409, message: 'Attendance can be marked once the session has started.' },
  IMPORT_NOT_FOUND: { status: 404, message: 'No import with this id belongs to this organisation.' },
  IMPORT_HAS_ERRORS: {
    status: 422,
    message: 'The file has errors that stop it being imported; nothing was written. Fix them and try again.',
  },
  IMPORT_ALREADY_COMMITTED: { status: 409, message: 'This import has already been carried out.' },
  FILE_UNREADABLE: { status: 400, message: 'The file could not be read as CSV or iCalendar.' },
  FEED_NOT_FOUND: { status: 404, message: 'No calendar feed with this id belongs to this organisation.' },
  FEED_FETCH_FAILED: { status: 502, message: 'The calendar feed could not be fetched or read.' },
  SAVED_SEARCH_NOT_FOUND: { status: 404, message: 'No saved search with this id is yours.' },
  SAVED_SEARCH_LINK_INVALID: {
    status: 410,
    message: 'This link to stop emails is unknown or no longer works: it was used, or a newer email replaced it.',
  },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  NOT_ACCEPTABLE: { status: 406, message: 'The requested representation is not available.' },
  CONFLICT: { status: 409, message: 'This conflicts with the current state.' },
  CITY_SLUG_TAKEN: { status: 409, message: 'Another city already uses this slug.' },
  CITY_ARCHIVED: { status: 409, message: 'This city is archived: its pages can be read, but nothing can be changed.' },
  USER_EMAIL_TAKEN: { status: 409, message: 'An account with this email address already exists.' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short; use at least 10 characters.' },
  PASSWORD_TOO_COMMON: {
    status: 400,
    message: 'This password is on a list of common or breached passwords; choose another.',
  },
  PASSWORD_INCORRECT: { status: 403, message: 'Your current password is not right.' },
  TOKEN_INVALID: { status: 400, message: 'This link is not valid. Check that you copied all of it.' },
  TOKEN_EXPIRED: { status: 410, message: 'This link has expired. Ask for a new one.' },
  TOKEN_USED: { status: 410, message: 'This link has already been used.' },
  DATE_OF_BIRTH_ALREADY_SET: { status: 409, message: 'Your date of birth is already recorded.' },
  AVATAR_INVALID: { status: 400, message: 'The picture must be a PNG, JPEG or WebP image of at most 2 MB.' },
  EXPORT_NOT_FOUND: { status: 404, message: 'No data export with this id exists for you.' },
  EXPORT_NOT_READY: { status: 409, message: 'The data export is still being prepared.' },
  EXPORT_EXPIRED: { status: 410, message: 'This data export has expired; ask for a new one.' },
  DELETE_NOT_CONFIRMED: { status: 400, message: 'Type DELETE and your password to confirm.' },
  SSO_NOT_CONFIGURED: { status: 404, message: 'Single sign-on is not set up on this site.' },
  SSO_FAILED: { status: 400, message: 'Single sign-on did not complete. Try again.' },
  // ── Open Badges: issuers and keys
  ISSUER_NOT_FOUND: { status: 404, message: 'No issuer with this id is published here.' },
  ISSUER_KEY_INVALID: {
    status: 400,
    message: 'The key could not be read as an Ed25519 key pair whose secret part belongs to its public part.',
  },
  ISSUER_KEY_EXISTS: { status: 409, message: 'This key is already used by an issuer here; import a new key.' },
  ENDORSEMENT_NOT_FOUND: { status: 404, message: 'No endorsement with this id is in this city.' },
  ENDORSEMENT_TARGET_NOT_FOUND: {
    status: 404,
    message: 'No published badge or approved organisation with this id is in this city.',
  },
  ENDORSEMENT_SELF: { status: 409, message: 'An organisation cannot endorse itself or its own badges.' },
  ENDORSEMENT_EXISTS: {
    status: 409,
    message: 'Your organisation already endorses this; withdraw that endorsement first to write a new one.',
  },
  ENDORSEMENT_WITHDRAWN: { status: 410, message: 'This endorsement was withdrawn by the organisation that made it.' },
  ENDORSER_NOT_APPROVED: {
    status: 409,
    message: 'Only an organisation approved in this city can endorse badges and organisations here.',
  },
  // ── Open Badges: badge classes
  BADGE_NOT_FOUND: { status: 404, message: 'No badge with this id or name is in this city.' },
  BADGE_NOT_PUBLISHED: {
    status: 409,
    message: 'This badge is not published (it is a draft or archived), so it cannot be issued.',
  },
  BADGE_SLUG_TAKEN: { status: 409, message: 'Another badge of this city already uses this short name.' },
  BADGE_VERSION_CONFLICT: {
    status: 409,
    message: 'Someone else changed this badge since you opened it. Reload it and make your changes again.',
  },
  BADGE_STATE_CONFLICT: {
    status: 409,
    message: 'The badge is not in a state that allows this (for example, an archived badge cannot be edited).',
  },
  BADGE_IMAGE_INVALID: {
    status: 400,
    message: 'The file is not a usable badge image: send a PNG, or an SVG without scripts or external references.',
  },
  BADGE_IMAGE_TOO_LARGE: { status: 413, message: 'The badge image is too large; use one under 2 MB.' },
  // ── Open Badges: credentials, status lists, claim routes
  CREDENTIAL_NOT_FOUND: { status: 404, message: 'No badge credential with this id exists here.' },
  STATUS_LIST_NOT_FOUND: { status: 404, message: 'No status list with this id exists in this city.' },
  RECIPIENT_NOT_FOUND: { status: 404, message: 'No account with this id can receive a badge.' },
  BADGE_PREREQUISITES_MISSING: {
    status: 409,
    message: 'The learner does not yet hold every badge this one requires.',
  },
  CREDENTIAL_STATUS_CONFLICT: {
    status: 409,
    message: 'The credential is not in a state that allows this (a revoked credential stays revoked).',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    message: 'This idempotency key was already used for a different badge; use a new key.',
  },
  AWARD_REJECTED: {
    status: 422,
    message: 'Some recipients could not be awarded the badge, so nothing was issued. See the details.',
  },
  CLAIM_LINK_INVALID: { status: 410, message: 'This claim link is unknown or has already been used.' },
  // ── Open Badges: claim codes, evidence, peer checks
  CLAIM_CODE_INVALID: { status: 404, message: 'This claim code is not known here. Check that you typed it right.' },
  CLAIM_CODE_EXPIRED: { status: 410, message: 'This claim code has expired.' },
  CLAIM_CODE_USED_UP: { status: 409, message: 'This claim code has been used as many times as it allows.' },
  CLAIM_CODE_NOT_FOUND: { status: 404, message: 'No claim code with this id belongs to this badge.' },
  BADGE_ALREADY_HELD: { status: 409, message: 'You already hold this badge.' },
  EVIDENCE_NOT_FOUND: { status: 404, message: 'No evidence submission or file with this id is here for you.' },
  EVIDENCE_CLAIMS_CLOSED: { status: 409, message: 'This badge does not take evidence from learners.' },
  EVIDENCE_ALREADY_OPEN: {
    status: 409,
    message: 'You already have a request for this badge waiting for a decision.',
  },
  EVIDENCE_STATE_CONFLICT: {
    status: 409,
    message: 'This submission is not in a state that allows this (it may have been decided already).',
  },
  EVIDENCE_FILE_INVALID: { status: 400, message: 'Files must be PNG, JPEG, WebP or PDF (photos: PNG, JPEG or WebP).' },
  EVIDENCE_FILE_TOO_LARGE: { status: 413, message: 'Each file may be at most 5 MB, and all files together 20 MB.' },
  PEER_CHECK_CLOSED: { status: 409, message: 'This badge is not earned by a peer check.' },
  PEER_NOT_EARNER: { status: 403, message: 'Only people who hold this badge can see and confirm peer-check requests.' },
  PEER_SELF_CONFIRM: { status: 403, message: 'You cannot confirm your own peer-check request.' },
  // ── Open Badges: verifier
  VERIFY_INPUT_INVALID: {
    status: 400,
    message: 'Nothing that can be verified was given: send a credential (JSON or JWT), a badge image or a URL.',
  },
  VERIFY_FETCH_REFUSED: { status: 400, message: 'The address could not be fetched for verification.' },
  VERIFY_INPUT_TOO_LARGE: { status: 400, message: 'The credential or file is larger than 2 MB.' },
  // ── Open Badges: bulk issuing
  BULK_ISSUE_NOT_FOUND: { status: 404, message: 'No bulk issue with this id exists for this organisation.' },
  BULK_ISSUE_FILE_INVALID: {
    status: 400,
    message: 'The file cannot be issued from: it is empty, unreadable, too large or has no email column.',
  },
  BULK_ISSUE_HAS_ERRORS: {
    status: 422,
    message: 'Some rows have problems, so nothing was issued. Fix them, or skip those rows on purpose.',
  },
  BULK_ISSUE_NOTHING_TO_ISSUE: { status: 422, message: 'No row of the file can be issued.' },
  BULK_ISSUE_KEY_REUSED: {
    status: 409,
    message: 'This Idempotency-Key was already used for a different file; use a new key.',
  },
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
