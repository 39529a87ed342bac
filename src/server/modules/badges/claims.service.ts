import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { type AuditContext, recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { assertCityOpen } from '../organisations/organisations.service.ts';
import { afterCredentialIssued } from './automatic-awards.ts';
import { findBadgeClass } from './badge-classes.repo.ts';
import {
  type ClaimCodeRecord,
  disableClaimCodeRow,
  findActiveCredentialOf,
  findClaimCode,
  findClaimCodeByCode,
  insertClaimCode,
  listClaimCodeRows,
  returnClaimCodeUse,
  takeClaimCodeUse,
} from './claims.repo.ts';
import { findByIdempotencyKey } from './credentials.repo.ts';
import { type IssueResult, issueCredential, organiserBadge } from './credentials.service.ts';

export type { ClaimCodeRecord };

/**
 * Claim codes (issue #7, claim route 2): short codes — and a QR poster pointing at them — that learners enter at an
 * event to get a badge. A code is single-use or multi-use with a limit, may expire, and can be disabled. A claim takes
 * one use with a single conditional UPDATE and issues the credential in the same transaction, so the limit holds under
 * any number of concurrent claims; the idempotency key `code:<codeId>:<userId>` makes a repeated claim by the same
 * person return their credential without counting another use.
 */

/** Letters and digits that cannot be mistaken for one another: no 0/O and no 1/I. */
export const CLAIM_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CLAIM_CODE_LENGTH = 8;
export const MAX_CLAIM_CODE_USES = 100_000;
export const MAX_CLAIM_CODE_LABEL = 120;
const codeShape = new RegExp(`^[${CLAIM_CODE_ALPHABET}]{${CLAIM_CODE_LENGTH}}$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new random code (40 bits: the alphabet has 32 symbols, so each byte's low five bits pick one without bias). */
export function generateClaimCode(): string {
  return [...randomBytes(CLAIM_CODE_LENGTH)].map((byte) => CLAIM_CODE_ALPHABET[byte & 31]).join('');
}

/** What a person typed, as a stored code: capitals, without spaces or dashes. Null when it cannot be a code. */
export function normaliseClaimCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return codeShape.test(code) ? code : null;
}

/** A code as people read it: two groups of four ("ABCD-EFGH"). */
export function formatClaimCode(code: string): string {
  return code.length === CLAIM_CODE_LENGTH ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

export const claimPaths = {
  enter: (citySlug: string) => `/c/${citySlug}/claim-code`,
  code: (citySlug: string, code: string) => `/c/${citySlug}/claim-code/${code}`,
  list: (citySlug: string, organisationId: string, badgeId: string) =>
    `/c/${citySlug}/manage/${organisationId}/badges/${badgeId}/claim-codes`,
  one: (citySlug: string, organisationId: string, badgeId: string, codeId: string) =>
    `/c/${citySlug}/manage/${organisationId}/badges/${badgeId}/claim-codes/${codeId}`,
};

/** The absolute claim URL a QR code carries. */
export function claimCodeUrl(config: Pick<Config, 'publicUrl'>, citySlug: string, code: string): string {
  return `${config.publicUrl}${claimPaths.code(citySlug, code)}`;
}

export type ClaimCodeState = 'active' | 'expired' | 'used_up' | 'disabled';

export function claimCodeState(record: ClaimCodeRecord, now = new Date()): ClaimCodeState {
  if (record.disabledAt) return 'disabled';
  if (record.expiresAt && new Date(record.expiresAt).getTime() <= now.getTime()) return 'expired';
  if (record.uses >= record.maxUses) return 'used_up';
  return 'active';
}

/** Why a code cannot be claimed now, as the error a claim answers. */
export function claimCodeRefusal(state: ClaimCodeState): AppError {
  switch (state) {
    case 'disabled':
      return new AppError('CLAIM_CODE_EXPIRED', 'The organiser has switched this claim code off.', [
        { field: '/code', problem: 'switched off', reason: 'disabled' },
      ]);
    case 'expired':
      return new AppError('CLAIM_CODE_EXPIRED', undefined, [{ field: '/code', problem: 'expired', reason: 'expired' }]);
    default:
      return new AppError('CLAIM_CODE_USED_UP', undefined, [{ field: '/code', problem: 'used up', reason: 'used_up' }]);
  }
}

// ── Organisers ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface ClaimCodeInput {
  label?: string;
  /** 1 for a single-use code. */
  maxUses: number;
  /** When the code stops working; none = until disabled or used up. */
  expiresAt?: string | Date | null;
}

/** Every problem of a new code at once, each naming its field. */
export function validateClaimCode(input: ClaimCodeInput, now = new Date()): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if ((input.label ?? '').trim().length > MAX_CLAIM_CODE_LABEL)
    problems.push({ field: '/label', problem: `at most ${MAX_CLAIM_CODE_LABEL} characters` });
  if (!Number.isInteger(input.maxUses) || input.maxUses < 1 || input.maxUses > MAX_CLAIM_CODE_USES)
    problems.push({ field: '/maxUses', problem: `must be a whole number from 1 to ${MAX_CLAIM_CODE_USES}` });
  if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt !== '') {
    const date = new Date(input.expiresAt);
    if (Number.isNaN(date.getTime())) problems.push({ field: '/expiresAt', problem: 'is not a date and time' });
    else if (date.getTime() <= now.getTime()) problems.push({ field: '/expiresAt', problem: 'must be in the future' });
  }
  return problems;
}

/** The organisation's badge in the path; codes are only made for published badges. */
async function ownedBadge(db: SqlRunner, city: CityRecord, organisationId: string, badgeClassId: string) {
  if (!UUID.test(badgeClassId)) throw new AppError('BADGE_NOT_FOUND');
  return organiserBadge(db, city, organisationId, badgeClassId);
}

/** Creates a code for one of the organisation's published badges; the code is drawn at random, unique in the city. */
export async function createClaimCode(
  db: Database,
  city: CityRecord,
  audit: AuditContext,
  organisationId: string,
  badgeClassId: string,
  input: ClaimCodeInput,
): Promise<ClaimCodeRecord> {
  assertCityOpen(city);
  const problems = validateClaimCode(input);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    const badge = await ownedBadge(tx, city, organisationId, badgeClassId);
    if (badge.status !== 'published') throw new AppError('BADGE_NOT_PUBLISHED');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    let id: string | undefined;
    // 2^40 codes: a clash is rare; a few fresh draws make it vanishingly so.
    for (let attempt = 0; attempt < 8 && !id; attempt++) {
      id = await insertClaimCode(tx, city.id, {
        badgeClassId,
        code: generateClaimCode(),
        label: (input.label ?? '').trim(),
        maxUses: input.maxUses,
        expiresAt,
        createdBy: audit.actorUserId,
      });
    }
    if (!id) throw new Error('Could not draw an unused claim code.');
    const created = (await findClaimCode(tx, city.id, id)) as ClaimCodeRecord;
    await recordAudit(tx, audit, {
      cityId: city.id,
      action: 'badge_claim_code.create',
      targetType: 'badge_claim_code',
      targetId: id,
      after: { badgeClassId, label: created.label, maxUses: created.maxUses, expiresAt: created.expiresAt },
    });
    return created;
  });
}

export interface ClaimCodePage {
  items: ClaimCodeRecord[];
  page: number;
  hasNext: boolean;
}

export const CLAIM_CODES_PAGE_SIZE = 25;

/** The codes of one of the organisation's badges, newest first, in numbered pages. */
export async function listClaimCodes(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string,
  options: { page?: number; pageSize?: number } = {},
): Promise<ClaimCodePage> {
  await ownedBadge(db, city, organisationId, badgeClassId);
  const pageSize = Math.min(Math.max(options.pageSize ?? CLAIM_CODES_PAGE_SIZE, 1), 100);
  const page = Math.max(1, Math.trunc(options.page ?? 1));
  const rows = await listClaimCodeRows(db, city.id, badgeClassId, { limit: pageSize, offset: (page - 1) * pageSize });
  return { items: rows.slice(0, pageSize), page, hasNext: rows.length > pageSize };
}

/** One code of one of the organisation's badges (other badges' codes are not found). */
export async function getClaimCode(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string,
  codeId: string,
): Promise<ClaimCodeRecord> {
  await ownedBadge(db, city, organisationId, badgeClassId);
  const record = UUID.test(codeId) ? await findClaimCode(db, city.id, codeId) : undefined;
  if (!record || record.badgeClassId !== badgeClassId) throw new AppError('CLAIM_CODE_NOT_FOUND');
  return record;
}

/** Switches a code off for good; credentials already claimed with it stay. Disabling twice changes nothing. */
export async function disableClaimCode(
  db: Database,
  city: CityRecord,
  audit: AuditContext,
  organisationId: string,
  badgeClassId: string,
  codeId: string,
): Promise<ClaimCodeRecord> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const record = await getClaimCode(tx, city, organisationId, badgeClassId, codeId);
    if (await disableClaimCodeRow(tx, city.id, record.id)) {
      await recordAudit(tx, audit, {
        cityId: city.id,
        action: 'badge_claim_code.disable',
        targetType: 'badge_claim_code',
        targetId: record.id,
        before: { disabledAt: null, uses: record.uses },
        after: { disabled: true },
      });
    }
    return (await findClaimCode(tx, city.id, record.id)) as ClaimCodeRecord;
  });
}

/** The QR code of a code's claim URL, as SVG markup or a PNG image. */
export async function claimCodeQr(
  config: Pick<Config, 'publicUrl'>,
  citySlug: string,
  code: string,
  format: 'svg' | 'png',
): Promise<string | Buffer> {
  const url = claimCodeUrl(config, citySlug, code);
  // Level M survives a smudged or partly covered print; the quiet zone is part of the image.
  if (format === 'svg') return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 1024 });
}

// ── Learners ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ClaimCodeDescription {
  code: ClaimCodeRecord;
  state: ClaimCodeState;
  badge: { id: string; slug: string; name: Record<string, string>; rowVersion: number; organisationId: string };
  /** The person's credential of the badge, when they already hold one. */
  heldCredentialId: string | null;
}

async function findUsableCode(db: SqlRunner, city: CityRecord, input: string): Promise<ClaimCodeRecord> {
  const code = normaliseClaimCode(input);
  const record = code ? await findClaimCodeByCode(db, city.id, code) : undefined;
  if (!record) throw new AppError('CLAIM_CODE_INVALID');
  return record;
}

/** What a code gives, for the page a QR code opens; looking never claims. Unknown codes are CLAIM_CODE_INVALID. */
export async function describeClaimCode(
  db: SqlRunner,
  city: CityRecord,
  input: string,
  userId: string,
): Promise<ClaimCodeDescription> {
  const code = await findUsableCode(db, city, input);
  const badge = await findBadgeClass(db, city.id, code.badgeClassId);
  if (!badge || badge.status === 'draft') throw new AppError('CLAIM_CODE_INVALID');
  const claimed = await findByIdempotencyKey(db, city.id, claimKey(code.id, userId));
  return {
    code,
    state: badge.status === 'archived' ? 'disabled' : claimCodeState(code),
    badge: {
      id: badge.id,
      slug: badge.slug,
      name: badge.name,
      rowVersion: badge.rowVersion,
      organisationId: badge.organisationId,
    },
    heldCredentialId: claimed?.id ?? (await findActiveCredentialOf(db, city.id, badge.id, userId)) ?? null,
  };
}

/** The key of a claim: one credential per code and person. */
export function claimKey(codeId: string, userId: string): string {
  return `code:${codeId}:${userId}`;
}

/**
 * Claims a badge with a code for the signed-in person: one use is taken and the credential issued in one
 * transaction. The same person claiming again — or anyone claiming a badge they already hold — gets the credential
 * they have (created false) and no use is counted. Unknown codes are CLAIM_CODE_INVALID (404), expired or disabled
 * ones CLAIM_CODE_EXPIRED (410), exhausted ones CLAIM_CODE_USED_UP (409).
 */
export async function claimWithCode(
  db: Database,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  input: string,
  userId: string,
): Promise<IssueResult & { badgeClassId: string }> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const code = await findUsableCode(tx, city, input);
    const key = claimKey(code.id, userId);
    const earlier = await findByIdempotencyKey(tx, city.id, key);
    if (earlier) return { credentialId: earlier.id, created: false, badgeClassId: code.badgeClassId };
    const held = await findActiveCredentialOf(tx, city.id, code.badgeClassId, userId);
    if (held) return { credentialId: held, created: false, badgeClassId: code.badgeClassId };
    if ((await takeClaimCodeUse(tx, city.id, code.id)) === undefined) {
      const now = (await findClaimCode(tx, city.id, code.id)) as ClaimCodeRecord;
      throw claimCodeRefusal(claimCodeState(now));
    }
    const result = await issueCredential(tx, config, city, audit, {
      badgeClassId: code.badgeClassId,
      recipient: { userId },
      route: 'claim_code',
      idempotencyKey: key,
      // The organiser who made the code issued the badge; the learner only asked for it.
      issuedBy: code.createdBy,
    });
    if (!result.created) {
      // The same person's concurrent claim committed first: this one gives its use back.
      await returnClaimCodeUse(tx, city.id, code.id);
    } else {
      await afterCredentialIssued(tx, config, city, audit, { badgeClassId: code.badgeClassId, userId });
    }
    return { ...result, badgeClassId: code.badgeClassId };
  });
}
