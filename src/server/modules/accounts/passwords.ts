import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

// argon2id (the library's default algorithm) with OWASP's recommended minimum: 19 MiB memory, 2 passes, 1 lane.
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * The bundled list of common and breached passwords (about 49,000 from public breach corpora, shipped with
 * zxcvbn-ts), checked case-insensitively and with trailing digits or symbols removed ("Password123!" is "password").
 * It is loaded once, offline; nothing about a password ever leaves the server.
 */
let commonPasswords: Set<string> | undefined;

function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return true;
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (stem.length >= 4 && commonPasswords.has(stem)) return true;
  // One character repeated, or a run such as "aaaaaaaaaa", is never acceptable.
  return new Set(lower).size <= 2;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

export type PasswordIssueCode = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_COMMON' | 'VALIDATION_FAILED';

/** What is wrong with a chosen password: a stable code, a translation key for pages, and an English message. */
export interface PasswordIssue {
  code: PasswordIssueCode;
  reason: 'too_short' | 'too_long' | 'too_common';
  message: string;
}

export function passwordIssue(password: string, context: string[] = []): PasswordIssue | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return {
      code: 'PASSWORD_TOO_SHORT',
      reason: 'too_short',
      message: `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
    };
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { code: 'VALIDATION_FAILED', reason: 'too_long', message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` };
  }
  const lower = password.toLowerCase();
  // A password made of the person's own email or name is as guessable as a common one.
  const personal = context.map((c) => c.trim().toLowerCase()).filter((c) => c.length >= 4);
  if (isCommonPassword(password) || personal.some((c) => lower === c || lower.replace(/[\d\W_]+$/u, '') === c)) {
    return {
      code: 'PASSWORD_TOO_COMMON',
      reason: 'too_common',
      message: 'This password is on a list of common or breached passwords; choose another.',
    };
  }
  return undefined;
}

/** A problem with a chosen password, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: string[] = []): string | undefined {
  return passwordIssue(password, context)?.message;
}
