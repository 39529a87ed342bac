import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { issueToken, consumeToken } from './one-time-tokens.ts';
import { hashPassword } from './passwords.ts';
import { queuePeopleEmail } from './people-emails.ts';
import {
  ageOn,
  checkDateOfBirth,
  checkDisplayName,
  checkEmail,
  checkPassword,
  normaliseEmail,
  passwordContext,
  problem,
} from './people-validation.ts';
import {
  findPersonByEmail,
  findPersonById,
  insertPerson,
  joinCity,
  markEmailVerified,
  setDateOfBirth,
  type PersonRecord,
} from './people.repo.ts';
import { requestGuardianConsent } from './guardian.service.ts';

/** Where emailed links point, and the language to write in. */
export interface MailContext {
  publicUrl: string;
  language: string;
}

export interface SignUpInput {
  email: string;
  password: string;
  displayName: string;
  dateOfBirth: string;
  guardianEmail?: string | undefined;
}

/** The same answer for every accepted sign-up, whether or not the address already had an account. */
export interface SignUpResult {
  status: 'check_email';
}

/** Throws the most specific stable code: a password problem alone is PASSWORD_TOO_*, several problems VALIDATION_FAILED. */
export function throwProblems(problems: ErrorDetail[]): void {
  if (problems.length === 0) return;
  const only = problems.length === 1 ? problems[0] : undefined;
  const code =
    only && (only.code === 'PASSWORD_TOO_SHORT' || only.code === 'PASSWORD_TOO_COMMON')
      ? only.code
      : 'VALIDATION_FAILED';
  throw new AppError(code, undefined, problems);
}

export function isMinor(city: Pick<CityRecord, 'consentAge'>, dateOfBirth: string, today = new Date()): boolean {
  return ageOn(dateOfBirth, today) < city.consentAge;
}

/**
 * Signs a person up in a city. A person under the city's consent age gets a `limited` account and their guardian a
 * consent link. The response never says whether the address already had an account: its owner gets an email
 * instead. Everything, including the queued emails, is one transaction.
 */
export async function signUp(
  db: Database,
  city: CityRecord,
  input: SignUpInput,
  mail: MailContext,
): Promise<SignUpResult> {
  if (city.status === 'archived') throw new AppError('CITY_ARCHIVED');
  const email = normaliseEmail(input.email);
  const displayName = input.displayName.trim();
  const guardianEmail = input.guardianEmail?.trim() || undefined;
  const problems: ErrorDetail[] = [];
  checkEmail('email', email, problems);
  checkDisplayName(displayName, problems);
  checkPassword('password', input.password, passwordContext(email, displayName), problems);
  checkDateOfBirth(input.dateOfBirth, problems);
  const minor = problems.every((p) => p.field !== '/dateOfBirth') && isMinor(city, input.dateOfBirth);
  if (minor) {
    if (!guardianEmail) {
      problems.push(problem('guardianEmail', 'guardianRequired', 'Give the email address of a parent or guardian.'));
    } else {
      checkEmail('guardianEmail', guardianEmail, problems);
      if (guardianEmail.toLowerCase() === email.toLowerCase()) {
        problems.push(problem('guardianEmail', 'guardianSame', 'The guardian’s address must not be your own.'));
      }
    }
  }
  throwProblems(problems);

  // Hashing happens on both paths so the response time does not reveal whether the address is known.
  const passwordHash = await hashPassword(input.password);
  const place = cityName(city, mail.language);
  await db.transaction(async (tx) => {
    const existing = await findPersonByEmail(tx, email);
    const person = existing
      ? undefined
      : await insertPerson(tx, {
          email,
          displayName,
          passwordHash,
          dateOfBirth: input.dateOfBirth,
          status: minor ? 'limited' : 'active',
          homeCityId: city.id,
          emailVerified: false,
        });
    if (!person) {
      const owner = existing ?? (await findPersonByEmail(tx, email));
      if (owner) {
        await queuePeopleEmail(tx, city.id, {
          kind: 'signupExisting',
          to: owner.email,
          language: mail.language,
          vars: { name: owner.displayName, city: place },
          url: `${mail.publicUrl}/forgot-password`,
        });
      }
      return;
    }
    await sendVerification(tx, person, city.id, mail, place);
    if (minor && guardianEmail) await requestGuardianConsent(tx, city, person, guardianEmail, mail);
  });
  return { status: 'check_email' };
}

async function sendVerification(
  db: SqlRunner,
  person: Pick<PersonRecord, 'id' | 'email' | 'displayName'>,
  cityId: string | null,
  mail: MailContext,
  place: string,
): Promise<void> {
  const token = await issueToken(db, { purpose: 'verify_email', userId: person.id, cityId, email: person.email });
  await queuePeopleEmail(db, cityId, {
    kind: 'verifyEmail',
    to: person.email,
    language: mail.language,
    vars: { name: person.displayName, city: place },
    url: `${mail.publicUrl}/verify-email?token=${token}`,
  });
}

/** Confirms an address from the emailed link. The link is single-use and expires after 48 hours. */
export async function verifyEmail(db: Database, token: string): Promise<PersonRecord> {
  return db.transaction(async (tx) => {
    const used = await consumeToken(tx, 'verify_email', token);
    const person = used.userId ? await findPersonById(tx, used.userId) : undefined;
    // A link for an address the person has since changed proves nothing about the current one.
    if (!person || (used.email && used.email.toLowerCase() !== person.email.toLowerCase())) {
      throw new AppError('TOKEN_INVALID');
    }
    await markEmailVerified(tx, person.id);
    return (await findPersonById(tx, person.id)) as PersonRecord;
  });
}

/** Sends a new verification link when the address has an unverified account; the same answer either way. */
export async function resendVerification(db: Database, email: string, mail: MailContext): Promise<SignUpResult> {
  const address = normaliseEmail(email);
  await db.transaction(async (tx) => {
    const person = await findPersonByEmail(tx, address);
    if (!person || person.emailVerifiedAt) return;
    const [city] = person.homeCityId
      ? await tx.query<Pick<CityRecord, 'name' | 'defaultLanguage'>>(
          'SELECT name, default_language AS "defaultLanguage" FROM cities WHERE id = $1',
          [person.homeCityId],
        )
      : [];
    await sendVerification(tx, person, person.homeCityId, mail, city ? cityName(city, mail.language) : 'Learnscape');
  });
  return { status: 'check_email' };
}

/**
 * Records the date of birth of a person who has none yet (accounts created through single sign-on). Under the
 * consent age the account becomes limited until a guardian consents. It can be set once; only support changes it.
 */
export async function completeDateOfBirth(
  db: Database,
  userId: string,
  input: { dateOfBirth: string; guardianEmail?: string | undefined; citySlug?: string | undefined },
  mail: MailContext,
): Promise<PersonRecord> {
  return db.transaction(async (tx) => {
    const person = await findPersonById(tx, userId);
    if (!person) throw new AppError('UNAUTHENTICATED');
    if (person.dateOfBirth) throw new AppError('DATE_OF_BIRTH_ALREADY_SET');
    // A person without a home city (single sign-on) chooses one now: consent is asked under that city's rules.
    const [city] = await tx.query<CityRecord>(
      `SELECT id, slug, name, default_language AS "defaultLanguage", status, consent_age AS "consentAge"
       FROM cities WHERE ${person.homeCityId ? 'id = $1' : "slug = $1 AND status = 'active'"}`,
      [person.homeCityId ?? input.citySlug ?? ''],
    );
    const problems: ErrorDetail[] = [];
    if (!city) problems.push(problem('citySlug', 'city', 'Choose your city.'));
    const consentAge = city?.consentAge ?? DEFAULT_CONSENT_AGE;
    checkDateOfBirth(input.dateOfBirth, problems);
    const minor = problems.length === 0 && ageOn(input.dateOfBirth) < consentAge;
    const guardianEmail = input.guardianEmail?.trim();
    if (minor) {
      if (!guardianEmail)
        problems.push(problem('guardianEmail', 'guardianRequired', 'Give the email address of a parent or guardian.'));
      else {
        checkEmail('guardianEmail', guardianEmail, problems);
        if (guardianEmail.toLowerCase() === person.email.toLowerCase()) {
          problems.push(problem('guardianEmail', 'guardianSame', 'The guardian’s address must not be your own.'));
        }
      }
    }
    throwProblems(problems);
    if (!(await setDateOfBirth(tx, userId, input.dateOfBirth))) throw new AppError('DATE_OF_BIRTH_ALREADY_SET');
    if (city && !person.homeCityId) {
      await tx.query('UPDATE users SET home_city_id = $2 WHERE id = $1', [userId, city.id]);
      await joinCity(tx, city.id, userId);
    }
    if (minor && guardianEmail && city) {
      await tx.query(`UPDATE users SET status = 'limited', updated_at = now() WHERE id = $1`, [userId]);
      await requestGuardianConsent(tx, city, person, guardianEmail, mail);
    } else {
      await tx.query(`UPDATE users SET status = 'active', updated_at = now() WHERE id = $1 AND status = 'limited'`, [
        userId,
      ]);
    }
    return (await findPersonById(tx, userId)) as PersonRecord;
  });
}

/** Used where no city is known (a single sign-on account without a home city). */
export const DEFAULT_CONSENT_AGE = 16;
