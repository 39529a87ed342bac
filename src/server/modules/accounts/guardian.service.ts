import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { consumeToken, issueToken, peekToken } from './one-time-tokens.ts';
import { queuePeopleEmail } from './people-emails.ts';
import { ageOn } from './people-validation.ts';
import {
  findConsent,
  findPersonById,
  setConsentStatus,
  setStatus,
  upsertConsentRequest,
  type PersonRecord,
} from './people.repo.ts';
import type { MailContext } from './signup.service.ts';

/** A guardian's consent lasts until withdrawn; the withdrawal link in the confirmation email works for years. */
const WITHDRAW_LINK_LIFETIME_MS = 10 * 365 * 24 * 3600_000;

type CityForMail = Pick<CityRecord, 'id' | 'name' | 'defaultLanguage'>;

async function cityFor(db: SqlRunner, cityId: string): Promise<CityForMail> {
  const [city] = await db.query<CityForMail>(
    'SELECT id, name, default_language AS "defaultLanguage" FROM cities WHERE id = $1',
    [cityId],
  );
  if (!city) throw new AppError('CITY_NOT_FOUND');
  return city;
}

/** Records a pending consent request for a minor and emails the guardian a consent link (inside the caller's transaction). */
export async function requestGuardianConsent(
  db: SqlRunner,
  city: CityForMail,
  minor: Pick<PersonRecord, 'id' | 'displayName' | 'dateOfBirth'>,
  guardianEmail: string,
  mail: MailContext,
): Promise<void> {
  await upsertConsentRequest(db, city.id, minor.id, guardianEmail);
  await sendConsentLink(db, city, minor, guardianEmail, mail, 'guardianRequest');
}

async function sendConsentLink(
  db: SqlRunner,
  city: CityForMail,
  minor: Pick<PersonRecord, 'id' | 'displayName' | 'dateOfBirth'>,
  guardianEmail: string,
  mail: MailContext,
  kind: 'guardianRequest' | 'guardianWithdrawn',
): Promise<void> {
  const token = await issueToken(db, {
    purpose: 'guardian_consent',
    userId: minor.id,
    cityId: city.id,
    email: guardianEmail,
    payload: { action: 'give', language: mail.language },
  });
  await queuePeopleEmail(db, city.id, {
    kind,
    to: guardianEmail,
    language: mail.language,
    vars: {
      minor: minor.displayName,
      age: minor.dateOfBirth ? String(ageOn(minor.dateOfBirth)) : '?',
      city: cityName(city, mail.language),
    },
    url: `${mail.publicUrl}/guardian/consent?token=${token}`,
  });
}

/** What the guardian sees before deciding: who asked, in which city. */
export interface ConsentRequestView {
  action: 'give' | 'withdraw';
  minorName: string;
  minorAge: number | null;
  cityName: string;
  guardianEmail: string;
  consentStatus: 'pending' | 'given' | 'withdrawn';
}

export async function describeConsentLink(
  db: SqlRunner,
  action: 'give' | 'withdraw',
  token: string,
  language: string,
): Promise<ConsentRequestView> {
  const link = await peekToken(db, 'guardian_consent', token);
  if ((link.payload.action ?? 'give') !== action || !link.userId || !link.cityId) throw new AppError('TOKEN_INVALID');
  const minor = await findPersonById(db, link.userId);
  const consent = await findConsent(db, link.userId);
  if (!minor || !consent) throw new AppError('TOKEN_INVALID');
  const city = await cityFor(db, link.cityId);
  return {
    action,
    minorName: minor.displayName,
    minorAge: minor.dateOfBirth ? ageOn(minor.dateOfBirth) : null,
    cityName: cityName(city, language),
    guardianEmail: consent.guardianEmail,
    consentStatus: consent.status,
  };
}

/** The guardian consents: the account becomes active, and the guardian gets a confirmation with a withdrawal link. */
export async function giveConsent(db: Database, token: string, mail: MailContext): Promise<ConsentRequestView> {
  return db.transaction(async (tx) => {
    const link = await consumeToken(tx, 'guardian_consent', token);
    if (link.payload.action !== 'give' || !link.userId || !link.cityId) throw new AppError('TOKEN_INVALID');
    const minor = await findPersonById(tx, link.userId);
    const consent = await findConsent(tx, link.userId);
    // A link sent to an earlier guardian address no longer speaks for the minor.
    if (!minor || !consent || consent.guardianEmail.toLowerCase() !== (link.email ?? '').toLowerCase()) {
      throw new AppError('TOKEN_INVALID');
    }
    await setConsentStatus(tx, link.cityId, minor.id, 'given');
    await setStatus(tx, minor.id, 'active');
    const city = await cityFor(tx, link.cityId);
    const withdraw = await issueToken(tx, {
      purpose: 'guardian_consent',
      userId: minor.id,
      cityId: city.id,
      email: consent.guardianEmail,
      payload: { action: 'withdraw' },
      lifetimeMs: WITHDRAW_LINK_LIFETIME_MS,
    });
    await queuePeopleEmail(tx, city.id, {
      kind: 'guardianGiven',
      to: consent.guardianEmail,
      language: mail.language,
      vars: { minor: minor.displayName, city: cityName(city, mail.language) },
      url: `${mail.publicUrl}/guardian/withdraw?token=${withdraw}`,
    });
    return {
      action: 'give',
      minorName: minor.displayName,
      minorAge: minor.dateOfBirth ? ageOn(minor.dateOfBirth) : null,
      cityName: cityName(city, mail.language),
      guardianEmail: consent.guardianEmail,
      consentStatus: 'given',
    };
  });
}

/** The guardian withdraws: the account is limited again; the email offers a link to consent again later. */
export async function withdrawConsent(db: Database, token: string, mail: MailContext): Promise<ConsentRequestView> {
  return db.transaction(async (tx) => {
    const link = await consumeToken(tx, 'guardian_consent', token);
    if (link.payload.action !== 'withdraw' || !link.userId || !link.cityId) throw new AppError('TOKEN_INVALID');
    const minor = await findPersonById(tx, link.userId);
    const consent = await findConsent(tx, link.userId);
    if (!minor || !consent || consent.guardianEmail.toLowerCase() !== (link.email ?? '').toLowerCase()) {
      throw new AppError('TOKEN_INVALID');
    }
    await setConsentStatus(tx, link.cityId, minor.id, 'withdrawn');
    await setStatus(tx, minor.id, 'limited');
    const city = await cityFor(tx, link.cityId);
    await sendConsentLink(tx, city, minor, consent.guardianEmail, mail, 'guardianWithdrawn');
    return {
      action: 'withdraw',
      minorName: minor.displayName,
      minorAge: minor.dateOfBirth ? ageOn(minor.dateOfBirth) : null,
      cityName: cityName(city, mail.language),
      guardianEmail: consent.guardianEmail,
      consentStatus: 'withdrawn',
    };
  });
}

/** The consent state a minor sees on their account page. */
export async function consentStateFor(db: SqlRunner, userId: string) {
  const consent = await findConsent(db, userId);
  return consent
    ? { status: consent.status, guardianEmail: consent.guardianEmail, requestedAt: consent.requestedAt }
    : null;
}
