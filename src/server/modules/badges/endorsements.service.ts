import { randomUUID } from 'node:crypto';
import { buildEndorsementCredential } from '../../../credentials/index.ts';
import { isSupportedLanguage, translatorFor } from '../../../web/i18n.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { findOrganisationInCity, listOrganisationsInCity } from '../organisations/organisations.repo.ts';
import { assertCityOpen, type Caller, organisationInCity } from '../organisations/organisations.service.ts';
import {
  type EndorsableBadge,
  type EndorsementDirection,
  type EndorsementRecord,
  findEndorsement,
  findPublishedBadge,
  findStandingEndorsement,
  insertEndorsement,
  isStandingEndorsementConflict,
  listEndorsableBadges,
  listEndorsementsOfOrganisation,
  markEndorsementWithdrawn,
  standingEndorsementsOfBadge,
  standingEndorsementsOfIssuer,
} from './endorsements.repo.ts';
import { achievementUrl } from './badge-classes.service.ts';
import { issuerDid, issuerSignerFor } from './issuer-keys.service.ts';

/**
 * Endorsements: an organisation of the city vouches for a published badge of another organisation, or for another
 * organisation as an issuer, with a comment per language. Each is an OB 3.0 `EndorsementCredential` signed with the
 * endorser's issuer key, public at `/c/:city/endorsements/:id`, and embedded by the badge module in the endorsed
 * Achievement. Withdrawing one takes it out of every listing and its URL answers 410.
 */

export type { EndorsementDirection, EndorsementRecord } from './endorsements.repo.ts';

export const MAX_COMMENT_LENGTH = 2000;
export const ENDORSEMENT_PAGE_SIZE = 20;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function endorsementUrl(config: Config, citySlug: string, endorsementId: string): string {
  return `${config.publicUrl}/c/${citySlug}/endorsements/${endorsementId}`;
}

export interface EndorsementInput {
  /** Exactly one of the two: a published badge of the city, or an approved organisation of the city. */
  targetBadgeClassId?: string | null;
  targetOrganisationId?: string | null;
  /** The comment per language of the city; at least one. */
  comment: Record<string, string>;
}

function cleanComment(city: CityRecord, comment: Record<string, string>, problems: ErrorDetail[]) {
  const cleaned: Record<string, string> = {};
  for (const [language, text] of Object.entries(comment ?? {})) {
    const value = typeof text === 'string' ? text.replace(/\r\n/g, '\n').trim() : '';
    if (!value) continue;
    if (!city.languages.includes(language)) {
      problems.push({
        field: `/comment/${language}`,
        problem: `Write the comment in the city's languages (${city.languages.join(', ')}).`,
      });
    } else if (value.length > MAX_COMMENT_LENGTH) {
      problems.push({
        field: `/comment/${language}`,
        problem: `Keep the comment under ${MAX_COMMENT_LENGTH} characters.`,
      });
    } else cleaned[language] = value;
  }
  if (Object.keys(cleaned).length === 0 && problems.length === 0)
    problems.push({ field: '/comment', problem: 'Say in at least one language why you endorse this.' });
  return cleaned;
}

/** The name of the endorsement credential in each of the city's languages the interface is translated into. */
function credentialName(city: CityRecord, target: (language: string) => string): Record<string, string> {
  const languages = city.languages.filter(isSupportedLanguage);
  const names: Record<string, string> = {};
  for (const language of languages.length > 0 ? languages : (['en'] as const)) {
    names[language] = translatorFor(language)('issuers:endorsements.credentialName', { target: target(language) });
  }
  return names;
}

const pick = (texts: Record<string, string>, language: string, city: CityRecord) =>
  texts[language] ?? texts[city.defaultLanguage] ?? Object.values(texts)[0] ?? '';

/**
 * Signs and stores an endorsement by the organisation. One standing endorsement per target and endorser: the partial
 * unique index `badge_endorsements_standing_key` decides (concurrent submissions included), and its refusal is
 * ENDORSEMENT_EXISTS naming the standing endorsement.
 */
export async function createEndorsement(
  db: Database,
  config: Config,
  city: CityRecord,
  endorserOrganisationId: string,
  input: EndorsementInput,
  caller: Caller,
): Promise<EndorsementRecord> {
  assertCityOpen(city);
  const endorser = await organisationInCity(db, city, endorserOrganisationId);
  if (endorser.status !== 'approved') throw new AppError('ENDORSER_NOT_APPROVED');
  const problems: ErrorDetail[] = [];
  const badgeId = input.targetBadgeClassId?.trim() || null;
  const organisationId = input.targetOrganisationId?.trim() || null;
  if ((badgeId === null) === (organisationId === null)) {
    problems.push({ field: '/target', problem: 'Choose one badge or one organisation to endorse.' });
  }
  const comment = cleanComment(city, input.comment, problems);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  const targetId = (badgeId ?? organisationId) as string;
  if (organisationId === endorserOrganisationId) throw new AppError('ENDORSEMENT_SELF');
  if (!uuidPattern.test(targetId)) throw new AppError('ENDORSEMENT_TARGET_NOT_FOUND');

  try {
    return await db.transaction((tx) =>
      insertSignedEndorsement(tx, config, city, endorserOrganisationId, { badgeId, organisationId, comment }, caller),
    );
  } catch (error) {
    if (!isStandingEndorsementConflict(error)) throw error;
    // The failed transaction is gone: look the standing endorsement up outside it.
    const standing = await findStandingEndorsement(db, city.id, endorserOrganisationId, {
      badgeClassId: badgeId,
      organisationId,
    });
    throw new AppError('ENDORSEMENT_EXISTS', undefined, [
      {
        field: '/target',
        problem: 'Your organisation already endorses this.',
        ...(standing ? { endorsementId: standing } : {}),
      },
    ]);
  }
}

/** The transactional part of `createEndorsement`: checks the target, signs and stores, with its audit entry. */
async function insertSignedEndorsement(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  endorserOrganisationId: string,
  target: { badgeId: string | null; organisationId: string | null; comment: Record<string, string> },
  caller: Caller,
): Promise<EndorsementRecord> {
  const { badgeId, organisationId, comment } = target;
  let endorsedId: string;
  let targetName: (language: string) => string;
  if (badgeId) {
    const badge = await findPublishedBadge(tx, city.id, badgeId);
    if (!badge) throw new AppError('ENDORSEMENT_TARGET_NOT_FOUND');
    if (badge.organisationId === endorserOrganisationId) throw new AppError('ENDORSEMENT_SELF');
    endorsedId = achievementUrl(config, city.slug, badge.id, badge.version);
    targetName = (language) => pick(badge.name, language, city);
  } else {
    const organisation = await findOrganisationInCity(tx, city.id, organisationId as string);
    if (organisation?.status !== 'approved') throw new AppError('ENDORSEMENT_TARGET_NOT_FOUND');
    endorsedId = issuerDid(config, organisation.id);
    targetName = () => organisation.name;
  }
  const issuer = await issuerSignerFor(tx, config, endorserOrganisationId);
  const id = randomUUID();
  const document = await issuer.signer.sign(
    buildEndorsementCredential({
      id: endorsementUrl(config, city.slug, id),
      issuer: issuer.profile,
      endorsedId,
      comment,
      name: credentialName(city, targetName),
      validFrom: new Date(),
      defaultLanguage: city.defaultLanguage,
    }),
  );
  const createdBy = caller.audit.actorUserId;
  await insertEndorsement(tx, city.id, {
    id,
    endorserOrganisationId,
    targetBadgeClassId: badgeId,
    targetOrganisationId: organisationId,
    comment,
    document,
    createdBy,
  });
  await recordAudit(tx, caller.audit, {
    cityId: city.id,
    action: 'endorsement.create',
    targetType: 'endorsement',
    targetId: id,
    after: {
      endorserOrganisationId,
      targetBadgeClassId: badgeId,
      targetOrganisationId: organisationId,
      comment,
      signingKeyId: issuer.keyId,
    },
  });
  return (await findEndorsement(tx, city.id, id)) as EndorsementRecord;
}

/** One endorsement the organisation made in the city (404 for anyone else's). */
export async function getOwnEndorsement(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  endorsementId: string,
): Promise<EndorsementRecord> {
  const endorsement = uuidPattern.test(endorsementId) ? await findEndorsement(db, city.id, endorsementId) : undefined;
  if (!endorsement || endorsement.endorserOrganisationId !== organisationId)
    throw new AppError('ENDORSEMENT_NOT_FOUND');
  return endorsement;
}

/** Withdraws an endorsement the organisation made; withdrawing it again changes nothing. */
export async function withdrawEndorsement(
  db: Database,
  city: CityRecord,
  organisationId: string,
  endorsementId: string,
  caller: Caller,
): Promise<EndorsementRecord> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const endorsement = await getOwnEndorsement(tx, city, organisationId, endorsementId);
    if (endorsement.withdrawnAt !== null) return endorsement;
    await markEndorsementWithdrawn(tx, city.id, organisationId, endorsementId);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'endorsement.withdraw',
      targetType: 'endorsement',
      targetId: endorsementId,
      before: { withdrawnAt: null },
      after: { endorserOrganisationId: organisationId, withdrawn: true },
    });
    return (await findEndorsement(tx, city.id, endorsementId)) as EndorsementRecord;
  });
}

export interface EndorsementPage {
  items: EndorsementRecord[];
  page: number;
  pageSize: number;
  total: number;
}

/** The endorsements an organisation of the city gave (withdrawn ones too) or received (standing ones). */
export async function listOrganisationEndorsements(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  direction: EndorsementDirection,
  page = 1,
  pageSize = ENDORSEMENT_PAGE_SIZE,
): Promise<EndorsementPage> {
  await organisationInCity(db, city, organisationId);
  const size = Math.min(Math.max(1, Math.trunc(pageSize)), 100);
  const number = Math.max(1, Math.trunc(page));
  const { items, total } = await listEndorsementsOfOrganisation(db, city.id, organisationId, direction, {
    limit: size,
    offset: (number - 1) * size,
  });
  return { items, page: number, pageSize: size, total };
}

/** The signed EndorsementCredential at its public URL; 410 once withdrawn. */
export async function publicEndorsementDocument(
  db: SqlRunner,
  city: CityRecord,
  endorsementId: string,
): Promise<Record<string, unknown>> {
  const endorsement = uuidPattern.test(endorsementId) ? await findEndorsement(db, city.id, endorsementId) : undefined;
  if (!endorsement) throw new AppError('ENDORSEMENT_NOT_FOUND');
  if (endorsement.withdrawnAt !== null) throw new AppError('ENDORSEMENT_WITHDRAWN');
  return endorsement.document;
}

/** The signed, standing endorsements of a badge, for embedding in its Achievement. */
export function listEndorsementsOfBadge(
  db: SqlRunner,
  cityId: string,
  badgeClassId: string,
): Promise<Record<string, unknown>[]> {
  return standingEndorsementsOfBadge(db, cityId, badgeClassId);
}

/** The signed, standing endorsements of an organisation as an issuer. */
export function listEndorsementsOfIssuer(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
): Promise<Record<string, unknown>[]> {
  return standingEndorsementsOfIssuer(db, cityId, organisationId);
}

export interface EndorsementTargets {
  badges: EndorsableBadge[];
  organisations: { id: string; name: string }[];
}

/** What the organisation may endorse in the city: other organisations' published badges and approved organisations. */
export async function endorsementTargets(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
): Promise<EndorsementTargets> {
  const [badges, organisations] = await Promise.all([
    listEndorsableBadges(db, city.id, organisationId, 500),
    listOrganisationsInCity(db, city.id, { status: 'approved' }),
  ]);
  return {
    badges,
    organisations: organisations.filter((o) => o.id !== organisationId).map((o) => ({ id: o.id, name: o.name })),
  };
}
