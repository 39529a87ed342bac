import type { RoleName } from '../../db/schema.ts';
import type { SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { findUserByEmail, grantRole, insertUser, type UserRecord } from './accounts.repo.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

// Deliberately simple: the address is proven by the verification email, not by a regular expression.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface CreateUserInput {
  email: string;
  displayName: string;
  password: string;
  emailVerified?: boolean;
}

export async function createUser(db: SqlRunner, input: CreateUserInput): Promise<UserRecord> {
  const problems: ErrorDetail[] = [];
  const email = input.email.trim();
  if (!emailPattern.test(email) || email.length > 254)
    problems.push({ field: '/email', problem: 'Give a valid email address.' });
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 120) {
    problems.push({ field: '/displayName', problem: 'Give a name of 1–120 characters.' });
  }
  const passwordIssue = passwordProblem(input.password);
  if (passwordIssue) problems.push({ field: '/password', problem: passwordIssue });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);

  const user = await insertUser(db, {
    email,
    displayName,
    passwordHash: await hashPassword(input.password),
    emailVerified: input.emailVerified ?? false,
  });
  if (!user) throw new AppError('USER_EMAIL_TAKEN', undefined, [{ field: '/email', problem: 'taken' }]);
  return user;
}

/** Returns the existing user with this email, or creates one. Used by idempotent seeding and admin commands. */
export async function ensureUser(
  db: SqlRunner,
  input: CreateUserInput,
): Promise<{ user: UserRecord; created: boolean }> {
  const existing = await findUserByEmail(db, input.email);
  if (existing) return { user: existing, created: false };
  return { user: await createUser(db, input), created: true };
}

export function assignRole(db: SqlRunner, userId: string, role: RoleName, cityId: string | null): Promise<void> {
  return grantRole(db, userId, role, cityId);
}
