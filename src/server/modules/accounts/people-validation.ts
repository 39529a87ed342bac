import type { ErrorDetail } from '../../errors.ts';
import { passwordIssue } from './passwords.ts';

// Deliberately simple: the address is proven by the verification email, not by a regular expression.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A field problem with a `reason` pages translate (`accounts:problems.<reason>`) and a stable `code`. */
export function problem(field: string, reason: string, message: string, code = 'VALIDATION_FAILED'): ErrorDetail {
  return { field: `/${field}`, problem: message, reason, code };
}

export function normaliseEmail(email: string): string {
  return email.trim();
}

export function checkEmail(field: string, email: string, problems: ErrorDetail[]): void {
  if (!emailPattern.test(email) || email.length > 254)
    problems.push(problem(field, 'email', 'Give a valid email address.'));
}

export function checkDisplayName(displayName: string, problems: ErrorDetail[]): void {
  if (displayName.length === 0 || displayName.length > 120) {
    problems.push(problem('displayName', 'displayName', 'Give a name of 1–120 characters.'));
  }
}

export function checkPassword(field: string, password: string, context: string[], problems: ErrorDetail[]): void {
  const issue = passwordIssue(password, context);
  if (issue) problems.push(problem(field, issue.reason, issue.message, issue.code));
}

/** The personal words a password must not be: the email, its local part, the name. */
export function passwordContext(email: string, displayName = ''): string[] {
  return [email, email.split('@')[0] ?? '', displayName, displayName.replace(/\s+/g, '')];
}

/** Parses an ISO date (YYYY-MM-DD) that really exists; undefined otherwise. */
export function parseIsoDate(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value.trim() ? date : undefined;
}

/** Whole years between a date of birth and `today` (UTC calendar dates). */
export function ageOn(dateOfBirth: string, today = new Date()): number {
  const [year, month, day] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - year;
  const beforeBirthday =
    today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  if (beforeBirthday) age--;
  return age;
}

export function checkDateOfBirth(value: string, problems: ErrorDetail[], today = new Date()): void {
  const date = parseIsoDate(value);
  if (!date || date > today || date.getUTCFullYear() < 1900) {
    problems.push(problem('dateOfBirth', 'dateOfBirth', 'Give your date of birth as a real date (YYYY-MM-DD).'));
  }
}
