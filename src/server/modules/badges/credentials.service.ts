import { afterCredentialIssued } from './automatic-awards.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AchievementInput,
  bakePng,
  bakeSvg,
  buildOb2Assertion,
  buildOpenBadgeCredential,
  type EvidenceInput,
  isCredentialError,
  type JsonObject,
  type LocalizedText,
  signCredentialJwt,
  type SubjectInput,
} from '../../../credentials/index.ts';
import { type CredentialEmailKind, renderCredentialEmail } from '../../../web/emails/badges.ts';
import { isSupportedLanguage, type Language } from '../../../web/i18n.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { ClaimRoute } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { queueEmail, queueEmails } from '../../mail/email-jobs.ts';
import type { OutgoingMail } from '../../mail/mailer.ts';
import { hashSecret, newSecret } from '../accounts/sessions.service.ts';
import { type AuditContext, type AuditEvent, recordAudit, recordAudits } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { emailLanguageFor } from '../activities/signups.service.ts';
import { achievementUrl, type BadgeForIssuing, badgeForIssuing, badgeImageBytes } from './badge-classes.service.ts';
import {
  badgeNames,
  claimByTokenHash,
  type CredentialFilter,
  type CredentialListRow,
  type CredentialRecord,
  findAccountById,
  findAccountsByEmails,
  findAccountsByIds,
  findBadgeOwner,
  findByClaimTokenHash,
  findByIdempotencyKeys,
  findCredential,
  heldBadgeIds,
  insertCredentials,
  listCredentialsOfBadgeRows,
  listCredentialsOfUser,
  type NewCredential,
  type RecipientAccount,
  updateCredentialStatus,
} from './credentials.repo.ts';
import { type IssuerSigner, issuerSignerFor } from './issuer-keys.service.ts';
import {
  allocateStatusEntryBatch,
  releaseUnusedStatusEntries,
  type StatusEntries,
  setStatus,
  statusListUrl,
} from './status-lists.service.ts';

/**
 * Issuing badges: `issueCredential` is the one path every claim route (organiser awards, claim codes, evidence
 * reviews, peer checks, attendance, requirements, bulk files, the command line) takes. It checks prerequisites, takes
 * status-list entries, signs an OpenBadgeCredential with the organisation's key (eddsa-rdfc-2022) and queues the
 * learner's email — all inside the caller's transaction, so a rolled-back issue leaves nothing behind.
 *
 * After issue: revoke (final), suspend and reinstate flip the credential's bits in its status lists; a correction
 * issues a replacement of the same badge version and revokes the old one as "superseded". People without an account
 * get a claim link (only its hash is stored) that attaches the credential to the account that opens it.
 */

export type { CredentialFilter, CredentialRecord };

export interface IssueRequest {
  badgeClassId: string;
  recipient: { userId: string } | { email: string; name?: string };
  route: ClaimRoute;
  /** Same key in the city → the existing credential, created = false. */
  idempotencyKey?: string;
  evidence?: EvidenceInput[];
  /** The user who issued it (defaults to the audit context's person). */
  issuedBy?: string | null;
  /** Why the badge was awarded, in the issuer's words; carried as evidence. */
  narrative?: string;
  /**
   * False when the caller tells the learner itself, in one email of its own (an evidence approval with the
   * organiser's note). A claim link is always emailed: the recipient has no other way to it.
   */
  notify?: boolean;
}

export interface IssueResult {
  credentialId: string;
  created: boolean;
}

export const MAX_REASON_LENGTH = 500;
export const MAX_NARRATIVE_LENGTH = 5000;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidRecipientEmail(email: string): boolean {
  return emailPattern.test(email) && email.length <= 254;
}

export function credentialUrl(config: Pick<Config, 'publicUrl'>, citySlug: string, credentialId: string): string {
  return `${config.publicUrl}/c/${citySlug}/credentials/${credentialId}`;
}

export const credentialPaths = {
  page: (citySlug: string, id: string) => `/c/${citySlug}/credentials/${id}`,
  claim: (citySlug: string, token: string) => `/c/${citySlug}/claim/${token}`,
  mine: (citySlug: string) => `/c/${citySlug}/my/badges`,
  award: (citySlug: string, organisationId: string, badgeId: string) =>
    `/c/${citySlug}/manage/${organisationId}/badges/${badgeId}/award`,
  issued: (citySlug: string, organisationId: string, badgeId: string) =>
    `/c/${citySlug}/manage/${organisationId}/badges/${badgeId}/credentials`,
  badgeManage: (citySlug: string, organisationId: string, badgeId: string) =>
    `/c/${citySlug}/manage/${organisationId}/badges/${badgeId}`,
  verify: (config: Pick<Config, 'publicUrl'>, citySlug: string, id: string) =>
    `/verify?url=${encodeURIComponent(`${credentialUrl(config, citySlug, id)}/credential.json`)}`,
};

/** What a credential looks like to people right now. */
export type ShownStatus = 'active' | 'suspended' | 'revoked' | 'expired';

export function shownStatus(record: Pick<CredentialRecord, 'status' | 'validUntil'>, now = new Date()): ShownStatus {
  if (record.status !== 'active') return record.status;
  return record.validUntil && new Date(record.validUntil).getTime() <= now.getTime() ? 'expired' : 'active';
}

/** Text in the language, else the city's default, else any. */
export function textIn(texts: Record<string, string>, language: string, city: Pick<CityRecord, 'defaultLanguage'>) {
  return texts[language] || texts[city.defaultLanguage] || Object.values(texts).find(Boolean) || '';
}

/** `months` calendar months later, on the same day or the month's last day (31 January + 1 → 28/29 February). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

function monthsBetween(from: Date, until: Date): number {
  return (until.getUTCFullYear() - from.getUTCFullYear()) * 12 + (until.getUTCMonth() - from.getUTCMonth());
}

// ---------------------------------------------------------------- building the credential

interface Recipient {
  account: RecipientAccount | undefined;
  email: string;
  name: string;
}

/** The Open Badges evidence of an award: the issuer's narrative and any evidence given. */
function evidenceOf(request: { evidence?: EvidenceInput[]; narrative?: string }): EvidenceInput[] {
  const evidence = [...(request.evidence ?? [])];
  const narrative = request.narrative?.trim();
  if (narrative) evidence.unshift({ narrative });
  return evidence;
}

/** Stored evidence JSON back to engine input (language-tagged values become per-language texts). */
function evidenceInputsOf(document: JsonObject): EvidenceInput[] {
  const list = Array.isArray(document.evidence) ? (document.evidence as JsonObject[]) : [];
  const text = (value: unknown): LocalizedText | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) {
      const entries = value
        .filter((item) => typeof item?.['@value'] === 'string' && typeof item?.['@language'] === 'string')
        .map((item) => [item['@language'] as string, item['@value'] as string]);
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return undefined;
  };
  return list.map((item) => {
    const evidence: EvidenceInput = {};
    if (typeof item.id === 'string') evidence.id = item.id;
    for (const key of ['name', 'narrative', 'description'] as const) {
      const value = text(item[key]);
      if (value !== undefined) evidence[key] = value;
    }
    if (typeof item.genre === 'string') evidence.genre = item.genre;
    if (typeof item.audience === 'string') evidence.audience = item.audience;
    return evidence;
  });
}

interface ComposeInput {
  id: string;
  signer: IssuerSigner;
  /** The badge version's achievement: engine input for a new issue, or the stored JSON for a correction. */
  achievement: { input: AchievementInput } | { json: JsonObject };
  subject: SubjectInput;
  recipientName: string;
  validFrom: Date;
  validUntil: Date | undefined;
  evidence: EvidenceInput[];
  entries: StatusEntries;
  citySlug: string;
  config: Config;
  language: string;
}

/** The unsigned OpenBadgeCredential. */
function composeCredential(input: ComposeInput): JsonObject {
  const achievement =
    'input' in input.achievement
      ? input.achievement.input
      : // The engine builds everything around the achievement; a correction then carries the old version's JSON as is.
        {
          id: String(input.achievement.json.id),
          name: 'achievement',
          description: 'achievement',
          criteria: { narrative: 'achievement' },
        };
  const credential = buildOpenBadgeCredential({
    id: credentialUrl(input.config, input.citySlug, input.id),
    issuer: input.signer.profile,
    achievement,
    subject: input.subject,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    evidence: input.evidence,
    status: [
      {
        statusPurpose: 'revocation',
        statusListCredential: statusListUrl(input.config, input.citySlug, input.entries.revocation.listId),
        statusListIndex: input.entries.revocation.index,
      },
      {
        statusPurpose: 'suspension',
        statusListCredential: statusListUrl(input.config, input.citySlug, input.entries.suspension.listId),
        statusListIndex: input.entries.suspension.index,
      },
    ],
    defaultLanguage: input.language,
  });
  const subject = credential.credentialSubject as JsonObject;
  if ('json' in input.achievement) subject.achievement = input.achievement.json;
  // The learner's name travels in plain text beside the hashed email (an OB 3.0 IdentityObject of type "name"),
  // so the badge names its holder; a correction fixes a misspelt one.
  const name = input.recipientName.trim();
  if (name) {
    const identifiers = Array.isArray(subject.identifier) ? (subject.identifier as JsonObject[]) : [];
    subject.identifier = [
      ...identifiers,
      { type: 'IdentityObject', identityHash: name, identityType: 'name', hashed: false },
    ];
  }
  return credential;
}

// ---------------------------------------------------------------- emails

function languageFor(city: CityRecord, account: RecipientAccount | undefined): Language {
  if (account) return emailLanguageFor(city, { languages: account.languages });
  return isSupportedLanguage(city.defaultLanguage) ? city.defaultLanguage : 'en';
}

/** The email about a credential, in the learner's language. */
function credentialEmail(
  city: CityRecord,
  to: { email: string; name: string; account: RecipientAccount | undefined },
  kind: CredentialEmailKind,
  vars: { badge: Record<string, string>; organisation: string; reason?: string; url: string },
): OutgoingMail {
  const language = languageFor(city, to.account);
  const rendered = renderCredentialEmail({
    kind,
    language,
    url: vars.url,
    vars: {
      name: to.name,
      badge: textIn(vars.badge, language, city),
      organisation: vars.organisation,
      city: cityName(city, language),
      reason: vars.reason ?? '',
    },
  });
  return {
    to: to.account?.email ?? to.email,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    language: rendered.language,
  };
}

async function queueCredentialEmail(
  tx: SqlRunner,
  city: CityRecord,
  to: { email: string; name: string; account: RecipientAccount | undefined },
  kind: CredentialEmailKind,
  vars: { badge: Record<string, string>; organisation: string; reason?: string; url: string },
): Promise<void> {
  await queueEmail(tx, city.id, credentialEmail(city, to, kind, vars));
}

// ---------------------------------------------------------------- signing and storing

interface StoreInput {
  organisationId: string;
  badgeClassId: string;
  badgeVersion: number;
  achievement: ComposeInput['achievement'];
  recipient: Recipient;
  route: ClaimRoute;
  idempotencyKey: string | null;
  evidence: EvidenceInput[];
  validFrom: Date;
  validUntil: Date | undefined;
  issuedBy: string | null;
  supersedesId: string | null;
}

/** A stored credential (its claim token, for people without an account, is returned once and never stored). */
type Stored =
  | { id: string; claimToken: string | null; issuer: IssuerSigner }
  | { existingId: string }
  | { error: AppError };

/** A refusal that concerns one credential (or one request) and not the whole transaction. */
function isRowError(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500;
}

/**
 * Signs and stores credentials — one, or a chunk of a bulk issue — inside the caller's transaction: per issuing
 * organisation its signer once and the status entries of all its credentials at once (one UPDATE per purpose), then
 * one INSERT for them all. A credential the engine refuses (the caller's evidence or names) comes back as that item's
 * error and keeps no status entry; a conflict on an idempotency key (a concurrent retry committed first) as the
 * credential that retry made.
 */
async function signAndStore(tx: SqlRunner, config: Config, city: CityRecord, inputs: StoreInput[]): Promise<Stored[]> {
  const results: (Stored | undefined)[] = inputs.map(() => undefined);
  const byOrganisation = new Map<string, number[]>();
  inputs.forEach((input, index) => {
    byOrganisation.set(input.organisationId, [...(byOrganisation.get(input.organisationId) ?? []), index]);
  });
  const pending: { index: number; row: NewCredential; unsigned: JsonObject; signer: IssuerSigner }[] = [];
  // In a fixed order: two transactions issuing for the same organisations lock their status lists in the same order.
  for (const organisationId of [...byOrganisation.keys()].sort()) {
    const indexes = byOrganisation.get(organisationId) as number[];
    let signer: IssuerSigner;
    try {
      signer = await issuerSignerFor(tx, config, organisationId);
    } catch (error) {
      if (!isRowError(error)) throw error;
      for (const index of indexes) results[index] = { error };
      continue;
    }
    const slots = await allocateStatusEntryBatch(tx, city, organisationId, indexes.length);
    let used = 0;
    for (const index of indexes) {
      const input = inputs[index] as StoreInput;
      const { recipient } = input;
      const entries = slots[used] as StatusEntries;
      const id = randomUUID();
      const salt = randomBytes(16).toString('hex');
      const did = recipient.account?.did;
      let unsigned: JsonObject;
      try {
        unsigned = composeCredential({
          id,
          signer,
          achievement: input.achievement,
          subject: did ? { did } : { email: recipient.email, salt },
          recipientName: recipient.name,
          validFrom: input.validFrom,
          validUntil: input.validUntil,
          evidence: input.evidence,
          entries,
          citySlug: city.slug,
          config,
          language: city.defaultLanguage,
        });
      } catch (error) {
        // Claim routes pass evidence and names through; the engine's refusal is the caller's input error, not ours.
        if (!isCredentialError(error, 'INVALID_INPUT')) throw error;
        results[index] = {
          error: new AppError('VALIDATION_FAILED', undefined, [{ field: '/evidence', problem: error.message }]),
        };
        continue;
      }
      used++;
      const claimToken = recipient.account ? null : newSecret(32);
      results[index] = { id, claimToken, issuer: signer };
      pending.push({
        index,
        unsigned,
        signer,
        row: {
          id,
          organisationId,
          badgeClassId: input.badgeClassId,
          badgeVersion: input.badgeVersion,
          recipientUserId: recipient.account?.id ?? null,
          recipientEmail: recipient.email,
          recipientName: recipient.name,
          identitySalt: salt,
          document: {},
          signingKeyId: signer.keyId,
          revocationListId: entries.revocation.listId,
          revocationIndex: entries.revocation.index,
          suspensionListId: entries.suspension.listId,
          suspensionIndex: entries.suspension.index,
          claimRoute: input.route,
          idempotencyKey: input.idempotencyKey,
          claimTokenHash: claimToken ? hashSecret(claimToken) : null,
          claimedAt: null,
          supersedesId: input.supersedesId,
          issuedBy: input.issuedBy,
          validUntil: input.validUntil ?? null,
        },
      });
    }
    // Entries handed out for credentials the engine refused are the last ones taken: they go back to the lists.
    if (used < slots.length) await releaseUnusedStatusEntries(tx, city, slots.slice(used));
  }
  // Signing (two canonicalizations and an Ed25519 signature, ≈ 0.5 ms a credential) stays on this thread:
  // bench/README.md has the measurements of a signing-thread pool.
  for (const item of pending) item.row.document = await item.signer.signer.sign(item.unsigned);
  const inserted = await insertCredentials(
    tx,
    city.id,
    pending.map((item) => item.row),
  );
  const conflicted = pending.filter((item) => !inserted.has(item.row.id));
  if (conflicted.length > 0) {
    // A concurrent retry with the same key committed first; its credential is the answer.
    const keys = conflicted.map((item) => item.row.idempotencyKey).filter((key): key is string => key !== null);
    const existing = await findByIdempotencyKeys(tx, city.id, keys);
    for (const item of conflicted) {
      const found = item.row.idempotencyKey ? existing.get(item.row.idempotencyKey) : undefined;
      if (!found) throw new Error('A credential insert conflicted without an idempotency key.');
      results[item.index] = { existingId: found.id };
    }
  }
  return results as Stored[];
}

/** The issuing organisation's name: its issuer profile carries it (read with the key, no extra query). */
function issuerName(signer: IssuerSigner): string {
  const name = signer.profile.name;
  return typeof name === 'string' ? name : (Object.values(name)[0] ?? '');
}

function linkFor(config: Config, city: CityRecord, credentialId: string, claimToken: string | null): string {
  return claimToken
    ? `${config.publicUrl}${credentialPaths.claim(city.slug, claimToken)}`
    : credentialUrl(config, city.slug, credentialId);
}

// ---------------------------------------------------------------- issuing

/** The outcome of one request of `issueCredentials`: the credential, or why this request was refused. */
export type IssueOutcome = ({ ok: true } & IssueResult) | { ok: false; error: AppError };

/** The recipient of a request, or why it has none (an unknown account, an address that is not one). */
function checkedRecipient(
  recipient: IssueRequest['recipient'],
  accounts: { byId: Map<string, RecipientAccount>; byEmail: Map<string, RecipientAccount | undefined> },
): Recipient | AppError {
  if ('userId' in recipient) {
    const account = accounts.byId.get(recipient.userId);
    if (!account) return new AppError('RECIPIENT_NOT_FOUND', undefined, [{ field: '/userId', problem: 'unknown' }]);
    return { account, email: account.email, name: account.displayName };
  }
  const email = recipient.email.trim();
  const account = accounts.byEmail.get(email);
  return { account, email, name: recipient.name?.trim() || account?.displayName || '' };
}

function recipientEmailProblem(recipient: IssueRequest['recipient']): AppError | undefined {
  if ('userId' in recipient || isValidRecipientEmail(recipient.email.trim())) return undefined;
  return new AppError('VALIDATION_FAILED', undefined, [{ field: '/email', problem: 'is not an email address' }]);
}

/** The index of the first request whose idempotency key an earlier request of the list already has. */
function firstRepeatedKey(keys: (string | null)[]): number {
  const seen = new Set<string>();
  for (const [index, key] of keys.entries()) {
    if (key === null) continue;
    if (seen.has(key)) return index;
    seen.add(key);
  }
  return keys.length;
}

/**
 * Issues the requests of a round: a prefix of the list in which no request depends on an earlier one (see
 * issueCredentials). Returns the outcomes of the requests it took, in order.
 */
async function issueRound(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  requests: IssueRequest[],
  badges: Map<string, BadgeForIssuing | AppError>,
): Promise<IssueOutcome[]> {
  const keys = requests.map((request) => request.idempotencyKey?.trim() || null);
  let end = firstRepeatedKey(keys);
  const outcomes: (IssueOutcome | undefined)[] = new Array(end).fill(undefined);
  const refuse = (index: number, error: AppError) => {
    outcomes[index] = { ok: false, error };
  };
  // 1. Requests issued before (same key in the city) answer with their credential.
  const existing = await findByIdempotencyKeys(
    tx,
    city.id,
    keys.slice(0, end).filter((key): key is string => key !== null),
  );
  // 2. Each badge is read once (and share-locked until the transaction ends). A request whose badge requires a badge
  //    that an earlier request of this round issues ends the round: it is checked after those are stored.
  const issuing = new Set<string>();
  for (let index = 0; index < end; index++) {
    const request = requests[index] as IssueRequest;
    const key = keys[index] as string | null;
    const before = key ? existing.get(key) : undefined;
    if (before) {
      if (before.badgeClassId !== request.badgeClassId) refuse(index, new AppError('IDEMPOTENCY_KEY_REUSED'));
      else outcomes[index] = { ok: true, credentialId: before.id, created: false };
      continue;
    }
    let badge = badges.get(request.badgeClassId);
    if (!badge) {
      try {
        badge = await badgeForIssuing(tx, config, city, request.badgeClassId);
      } catch (error) {
        if (!isRowError(error)) throw error;
        badge = error;
      }
      badges.set(request.badgeClassId, badge);
    }
    if (badge instanceof AppError) {
      refuse(index, badge);
      continue;
    }
    if (index > 0 && badge.prerequisiteIds.some((id) => issuing.has(id))) {
      end = index;
      break;
    }
    issuing.add(badge.id);
  }
  // 3. Recipients: one look-up for accounts by id, one for accounts by email.
  const open = () => [...Array(end).keys()].filter((index) => outcomes[index] === undefined);
  for (const index of open()) {
    const problem = recipientEmailProblem((requests[index] as IssueRequest).recipient);
    if (problem) refuse(index, problem);
  }
  const wanted = open().map((index) => (requests[index] as IssueRequest).recipient);
  const userIds = [...new Set(wanted.flatMap((recipient) => ('userId' in recipient ? [recipient.userId] : [])))];
  const emails = [...new Set(wanted.flatMap((recipient) => ('email' in recipient ? [recipient.email.trim()] : [])))];
  const byId = await findAccountsByIds(tx, userIds);
  const accountsOfEmails = await findAccountsByEmails(tx, emails);
  const accounts = { byId, byEmail: new Map(emails.map((email, position) => [email, accountsOfEmails[position]])) };
  const recipients = new Map<number, Recipient>();
  for (const index of open()) {
    const recipient = checkedRecipient((requests[index] as IssueRequest).recipient, accounts);
    if (recipient instanceof AppError) refuse(index, recipient);
    else recipients.set(index, recipient);
  }
  // 4. Prerequisites: one look-up of what every recipient holds.
  const needing = open().filter(
    (index) => (badges.get((requests[index] as IssueRequest).badgeClassId) as BadgeForIssuing).prerequisiteIds.length,
  );
  if (needing.length > 0) {
    const badgeOf = (index: number) => badges.get((requests[index] as IssueRequest).badgeClassId) as BadgeForIssuing;
    const required = [...new Set(needing.flatMap((index) => badgeOf(index).prerequisiteIds))];
    const held = await heldBadgeIds(
      tx,
      city.id,
      required,
      needing.map((index) => {
        const recipient = recipients.get(index) as Recipient;
        return { userId: recipient.account?.id ?? null, email: recipient.email };
      }),
    );
    const missing = new Map(
      needing.map((index, position) => [
        index,
        badgeOf(index).prerequisiteIds.filter((id) => !held[position]?.has(id)),
      ]),
    );
    const missingIds = [...new Set([...missing.values()].flat())];
    const names = missingIds.length > 0 ? await badgeNames(tx, city.id, missingIds) : [];
    for (const [index, ids] of missing) {
      if (ids.length === 0) continue;
      refuse(
        index,
        new AppError(
          'BADGE_PREREQUISITES_MISSING',
          undefined,
          names
            .filter((badge) => ids.includes(badge.id))
            .map((badge) => ({
              field: '/recipient',
              problem: `needs the badge "${textIn(badge.name, city.defaultLanguage, city)}" first`,
              badgeClassId: badge.id,
              badgeName: textIn(badge.name, city.defaultLanguage, city),
            })),
        ),
      );
    }
  }
  // 5. Sign and store the rest, then queue their emails and record them, each kind in one statement.
  const toIssue = open();
  const inputs = toIssue.map((index): StoreInput => {
    const request = requests[index] as IssueRequest;
    const badge = badges.get(request.badgeClassId) as BadgeForIssuing;
    const validFrom = new Date();
    return {
      organisationId: badge.organisationId,
      badgeClassId: badge.id,
      badgeVersion: badge.version,
      achievement: { input: badge.achievement },
      recipient: recipients.get(index) as Recipient,
      route: request.route,
      idempotencyKey: keys[index] as string | null,
      evidence: evidenceOf(request),
      validFrom,
      validUntil: badge.validityMonths ? addMonths(validFrom, badge.validityMonths) : undefined,
      issuedBy: request.issuedBy === undefined ? audit.actorUserId : request.issuedBy,
      supersedesId: null,
    };
  });
  const stored = await signAndStore(tx, config, city, inputs);
  const mails: OutgoingMail[] = [];
  const events: Omit<AuditEvent, 'cityId'>[] = [];
  for (const [position, result] of stored.entries()) {
    const index = toIssue[position] as number;
    if ('error' in result) {
      refuse(index, result.error);
      continue;
    }
    if ('existingId' in result) {
      outcomes[index] = { ok: true, credentialId: result.existingId, created: false };
      continue;
    }
    const request = requests[index] as IssueRequest;
    const badge = badges.get(request.badgeClassId) as BadgeForIssuing;
    const recipient = recipients.get(index) as Recipient;
    // A claim link is always emailed: the recipient has no other way to it.
    if (request.notify !== false || result.claimToken)
      mails.push(
        credentialEmail(city, recipient, result.claimToken ? 'claim' : 'issued', {
          badge: badge.name,
          organisation: issuerName(result.issuer),
          url: linkFor(config, city, result.id, result.claimToken),
        }),
      );
    events.push({
      action: 'badge_credential.issue',
      targetType: 'badge_credential',
      targetId: result.id,
      after: {
        badgeClassId: badge.id,
        badgeVersion: badge.version,
        route: request.route,
        recipientUserId: recipient.account?.id ?? null,
        claimLinkSent: result.claimToken !== null,
      },
    });
    outcomes[index] = { ok: true, credentialId: result.id, created: true };
  }
  await queueEmails(tx, city.id, mails);
  await recordAudits(tx, audit, city.id, events);
  return outcomes.slice(0, end) as IssueOutcome[];
}

/**
 * Issues many credentials inside the caller's transaction (a chunk of a bulk issue) and returns each request's outcome,
 * in order: exactly what `issueCredential` would do for each request one after the other — the same credentials,
 * emails and audit entries, the same idempotency — with a handful of statements for the lot instead of a dozen per
 * credential. A request that is refused (a bad email, an unknown or unpublished badge, prerequisites not met …)
 * leaves nothing behind and does not stop the others; anything else (a database error) throws.
 *
 * Requests that depend on an earlier one of the list (the same idempotency key, or a badge that requires a badge an
 * earlier request issues) start a new round, so they see what the earlier ones stored.
 */
export async function issueCredentials(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  requests: IssueRequest[],
): Promise<IssueOutcome[]> {
  const outcomes: IssueOutcome[] = [];
  const badges = new Map<string, BadgeForIssuing | AppError>();
  while (outcomes.length < requests.length) {
    const round = await issueRound(tx, config, city, audit, requests.slice(outcomes.length), badges);
    outcomes.push(...round);
  }
  return outcomes;
}

/**
 * THE one issuing path for every claim route, as a batch of one (see issueCredentials); call it inside the caller's
 * transaction. Checks prerequisites, allocates status entries, signs, stores, queues the learner's email; a refusal
 * throws its AppError.
 */
export async function issueCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  request: IssueRequest,
): Promise<IssueResult> {
  const [outcome] = await issueCredentials(tx, config, city, audit, [request]);
  if (!outcome) throw new Error('issueCredentials answered nothing for one request.');
  if (!outcome.ok) throw outcome.error;
  return { credentialId: outcome.credentialId, created: outcome.created };
}

// ---------------------------------------------------------------- awarding (claim route 1)

export type AwardRecipient = { email: string; name?: string } | { userId: string };

export interface AwardInput {
  recipients: AwardRecipient[];
  evidenceUrl?: string;
  narrative?: string;
}

export interface AwardOutcome {
  index: number;
  recipient: AwardRecipient;
  credentialId: string;
  created: boolean;
}

export const MAX_AWARD_RECIPIENTS = 100;

/** Every problem of an award request at once, each naming its field (`/recipients/3/email`). */
export function validateAward(input: AwardInput): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (input.recipients.length === 0) problems.push({ field: '/recipients', problem: 'name at least one recipient' });
  if (input.recipients.length > MAX_AWARD_RECIPIENTS)
    problems.push({ field: '/recipients', problem: `at most ${MAX_AWARD_RECIPIENTS} recipients at a time` });
  const seen = new Map<string, number>();
  input.recipients.forEach((recipient, index) => {
    const key = 'email' in recipient ? `email:${recipient.email.trim().toLowerCase()}` : `user:${recipient.userId}`;
    if ('email' in recipient && !isValidRecipientEmail(recipient.email.trim()))
      problems.push({ field: `/recipients/${index}/email`, problem: 'is not an email address' });
    const first = seen.get(key);
    if (first !== undefined)
      problems.push({ field: `/recipients/${index}`, problem: `is the same person as recipient ${first + 1}` });
    else seen.set(key, index);
  });
  if (input.evidenceUrl !== undefined && input.evidenceUrl !== '') {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(input.evidenceUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ field: '/evidenceUrl', problem: 'must be an http(s) address' });
  }
  if ((input.narrative ?? '').length > MAX_NARRATIVE_LENGTH)
    problems.push({ field: '/narrative', problem: `at most ${MAX_NARRATIVE_LENGTH} characters` });
  return problems;
}

/** An award's evidence: one Evidence with the organiser's link and narrative (none when both are empty). */
function awardEvidence(url: string | null | undefined, narrative: LocalizedText | null | undefined): EvidenceInput[] {
  const text = typeof narrative === 'string' ? narrative.trim() : narrative;
  if (!url && !text) return [];
  return [{ ...(url ? { id: url } : {}), ...(text ? { narrative: text } : {}) }];
}

/** The badge exists in the city and belongs to this organisation (a 404 otherwise, as for any other city's badge). */
async function ownedBadge(db: SqlRunner, city: CityRecord, organisationId: string, badgeClassId: string) {
  const owner = await findBadgeOwner(db, city.id, badgeClassId);
  if (!owner || owner.organisationId !== organisationId) throw new AppError('BADGE_NOT_FOUND');
  return owner;
}

/** One of the organisation's badges in the city (name, slug, status) for the organiser's pages. */
export function organiserBadge(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string,
): Promise<{ organisationId: string; slug: string; name: Record<string, string>; status: string }> {
  return ownedBadge(db, city, organisationId, badgeClassId);
}

/**
 * An organiser awards a badge to one or many people. Everything is validated first, then every credential is issued in
 * one transaction: when any recipient cannot get it (a missing prerequisite …), nothing is issued and the error names
 * each such recipient. A retried request with the same idempotency key returns the same credentials.
 */
export async function awardBadge(
  db: Database,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  organisationId: string,
  badgeClassId: string,
  input: AwardInput,
  options: { idempotencyKey?: string; issuedBy?: string | null; route?: ClaimRoute } = {},
): Promise<AwardOutcome[]> {
  const problems = validateAward(input);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  const evidence = awardEvidence(input.evidenceUrl, input.narrative);
  return db.transaction(async (tx) => {
    await ownedBadge(tx, city, organisationId, badgeClassId);
    const outcomes: AwardOutcome[] = [];
    const failures: ErrorDetail[] = [];
    for (const [index, recipient] of input.recipients.entries()) {
      // A savepoint per recipient keeps the transaction usable after one recipient's refusal, to report them all.
      await tx.query('SAVEPOINT award_recipient');
      try {
        const result = await issueCredential(tx, config, city, audit, {
          badgeClassId,
          recipient,
          route: options.route ?? 'award',
          idempotencyKey: options.idempotencyKey ? `${options.idempotencyKey}:${index}` : undefined,
          evidence,
          issuedBy: options.issuedBy,
        });
        await tx.query('RELEASE SAVEPOINT award_recipient');
        outcomes.push({ index, recipient, ...result });
        if (result.created) await awardMetaBadges(tx, config, city, audit, result.credentialId);
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT award_recipient');
        // Badge-wide problems (not found, not published) are the same for everyone: they fail the request as they are.
        if (!(error instanceof AppError) || error.status >= 500 || error.code.startsWith('BADGE_NOT_')) throw error;
        failures.push({
          field: `/recipients/${index}`,
          problem: error.details.length ? error.details.map((detail) => detail.problem).join('; ') : error.message,
          code: error.code,
          ...(error.code === 'BADGE_PREREQUISITES_MISSING'
            ? { badges: error.details.map((detail) => String(detail.badgeName ?? '')) }
            : {}),
        });
      }
    }
    if (failures.length > 0) throw new AppError('AWARD_REJECTED', undefined, failures);
    return outcomes;
  });
}

// ---------------------------------------------------------------- reading

export async function getCredential(db: SqlRunner, city: CityRecord, credentialId: string): Promise<CredentialRecord> {
  const record = await findCredential(db, city.id, credentialId);
  if (!record) throw new AppError('CREDENTIAL_NOT_FOUND');
  return record;
}

/** A credential of the organisation (other organisations' credentials are not found). */
export async function getOrganisationCredential(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  credentialId: string,
): Promise<CredentialRecord> {
  const record = await findCredential(db, city.id, credentialId);
  if (!record || record.organisationId !== organisationId) throw new AppError('CREDENTIAL_NOT_FOUND');
  return record;
}

export interface CredentialPage {
  items: CredentialRecord[];
  /** Opaque cursor of the next page, or null on the last page. */
  next: string | null;
}

function decodeCursor(cursor: string | undefined): { issuedAt: string; id: string } | undefined {
  if (!cursor) return undefined;
  const [issuedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // PostgreSQL's text form of a timestamptz (microseconds and offset kept, so the keyset is exact).
  const timestamp = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;
  if (!issuedAt || !id || !timestamp.test(issuedAt) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/after', problem: 'is not a cursor of this list' }]);
  }
  return { issuedAt, id };
}

function encodeCursor(row: CredentialListRow): string {
  return Buffer.from(`${row.cursorIssuedAt}|${row.id}`, 'utf8').toString('base64url');
}

/** The credentials of one of the organisation's badges, newest first, in keyset pages. */
export async function listCredentialsOfBadge(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string,
  query: { status?: CredentialFilter; after?: string; limit?: number } = {},
): Promise<CredentialPage> {
  await ownedBadge(db, city, organisationId, badgeClassId);
  const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
  const rows = await listCredentialsOfBadgeRows(db, city.id, organisationId, badgeClassId, {
    status: query.status,
    after: decodeCursor(query.after),
    limit,
  });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? encodeCursor(last) : null };
}

/** A learner's credentials in a city, newest first. */
export function listCredentialsOfLearner(db: SqlRunner, cityId: string, userId: string): Promise<CredentialRecord[]> {
  return listCredentialsOfUser(db, cityId, userId);
}

// ---------------------------------------------------------------- status changes

type StatusAction = 'revoke' | 'suspend' | 'reinstate';

function checkReason(reason: string | undefined, required: boolean): string | null {
  const text = (reason ?? '').trim();
  if (required && !text)
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/reason', problem: 'required' }]);
  if (text.length > MAX_REASON_LENGTH)
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/reason', problem: `at most ${MAX_REASON_LENGTH} characters` },
    ]);
  return text || null;
}

async function lockedCredential(
  tx: SqlRunner,
  city: CityRecord,
  credentialId: string,
  organisationId: string | undefined,
): Promise<CredentialRecord> {
  const record = await findCredential(tx, city.id, credentialId, { lock: true });
  if (!record || (organisationId !== undefined && record.organisationId !== organisationId))
    throw new AppError('CREDENTIAL_NOT_FOUND');
  return record;
}

async function recipientOf(tx: SqlRunner, record: CredentialRecord): Promise<Recipient> {
  const account = record.recipientUserId ? await findAccountById(tx, record.recipientUserId) : undefined;
  return { account, email: record.recipientEmail, name: record.recipientName || account?.displayName || '' };
}

async function changeStatus(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
  action: StatusAction,
  reasonInput: string | undefined,
  options: { organisationId?: string; notify?: boolean },
): Promise<CredentialRecord> {
  const reason = checkReason(reasonInput, action !== 'reinstate');
  const record = await lockedCredential(tx, city, credentialId, options.organisationId);
  const allowed =
    action === 'revoke'
      ? record.status !== 'revoked'
      : action === 'suspend'
        ? record.status === 'active'
        : record.status === 'suspended';
  if (!allowed)
    throw new AppError('CREDENTIAL_STATUS_CONFLICT', undefined, [{ problem: `the credential is ${record.status}` }]);
  if (action === 'revoke') await setStatus(tx, city.id, record.revocationListId, record.revocationIndex, true);
  else await setStatus(tx, city.id, record.suspensionListId, record.suspensionIndex, action === 'suspend');
  const status = action === 'revoke' ? 'revoked' : action === 'suspend' ? 'suspended' : 'active';
  await updateCredentialStatus(tx, city.id, record.id, status, reason);
  if (options.notify !== false) {
    await queueCredentialEmail(
      tx,
      city,
      await recipientOf(tx, record),
      action === 'revoke' ? 'revoked' : action === 'suspend' ? 'suspended' : 'reinstated',
      {
        badge: record.badgeName,
        organisation: record.organisationName,
        reason: reason ?? '',
        url: credentialUrl(config, city.slug, record.id),
      },
    );
  }
  await recordAudit(tx, audit, {
    cityId: city.id,
    action: `badge_credential.${action}`,
    targetType: 'badge_credential',
    targetId: record.id,
    before: { status: record.status, reason: record.statusReason },
    after: { status, reason },
  });
  return { ...record, status, statusReason: reason };
}

/** Revokes for good (a reason is required); the revocation bit is set in the same transaction; the learner is told. */
export function revokeCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
  reason: string,
  options: { organisationId?: string } = {},
): Promise<CredentialRecord> {
  return changeStatus(tx, config, city, audit, credentialId, 'revoke', reason, options);
}

/** Suspends an active credential until it is reinstated (a reason is required). */
export function suspendCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
  reason: string,
  options: { organisationId?: string } = {},
): Promise<CredentialRecord> {
  return changeStatus(tx, config, city, audit, credentialId, 'suspend', reason, options);
}

export function reinstateCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
  reason: string | undefined,
  options: { organisationId?: string } = {},
): Promise<CredentialRecord> {
  return changeStatus(tx, config, city, audit, credentialId, 'reinstate', reason, options);
}

// ---------------------------------------------------------------- corrections

export interface CorrectionChanges {
  recipientName?: string;
  /** The corrected issue date (validFrom); the validity period keeps its length. */
  validFrom?: Date | string;
  evidenceUrl?: string | null;
  narrative?: string | null;
}

export function validateCorrection(changes: CorrectionChanges): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (
    changes.recipientName === undefined &&
    changes.validFrom === undefined &&
    changes.evidenceUrl === undefined &&
    changes.narrative === undefined
  )
    problems.push({ problem: 'change at least one of recipientName, validFrom, evidenceUrl, narrative' });
  if (changes.recipientName !== undefined && changes.recipientName.trim().length > 200)
    problems.push({ field: '/recipientName', problem: 'at most 200 characters' });
  if (changes.validFrom !== undefined) {
    const date = new Date(changes.validFrom);
    if (Number.isNaN(date.getTime())) problems.push({ field: '/validFrom', problem: 'is not a date' });
    else if (date.getTime() > Date.now()) problems.push({ field: '/validFrom', problem: 'cannot be in the future' });
  }
  problems.push(
    ...validateAward({
      recipients: [{ email: 'placeholder@example.org' }],
      evidenceUrl: changes.evidenceUrl ?? undefined,
      narrative: changes.narrative ?? undefined,
    }),
  );
  return problems;
}

/**
 * Corrects a credential without a manual revoke-and-reissue: a replacement of the same badge version is issued with the
 * changes, linked to the old one (`supersedes_id`), and the old one is revoked with the reason "superseded". The learner
 * gets one email. Returns the new credential's id.
 */
export async function correctCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
  changes: CorrectionChanges,
  options: { organisationId?: string } = {},
): Promise<string> {
  const problems = validateCorrection(changes);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  const old = await lockedCredential(tx, city, credentialId, options.organisationId);
  if (old.status !== 'active')
    throw new AppError('CREDENTIAL_STATUS_CONFLICT', undefined, [{ problem: `the credential is ${old.status}` }]);
  const recipient = await recipientOf(tx, old);
  if (changes.recipientName !== undefined) recipient.name = changes.recipientName.trim();
  const oldFrom = new Date(old.validFrom);
  const validFrom = changes.validFrom === undefined ? oldFrom : new Date(changes.validFrom);
  const validUntil = old.validUntil
    ? addMonths(validFrom, monthsBetween(oldFrom, new Date(old.validUntil)))
    : undefined;
  let evidence = evidenceInputsOf(old.document);
  if (changes.evidenceUrl !== undefined || changes.narrative !== undefined) {
    // The first evidence is the award's own (link and narrative); any further evidence stays as it was.
    const first = evidence[0] ?? {};
    const url = changes.evidenceUrl === undefined ? first.id : changes.evidenceUrl || undefined;
    const narrative = changes.narrative === undefined ? first.narrative : changes.narrative;
    evidence = [...awardEvidence(url, narrative), ...evidence.slice(1)];
  }
  const subject = old.document.credentialSubject as JsonObject;
  const [stored] = await signAndStore(tx, config, city, [
    {
      organisationId: old.organisationId,
      badgeClassId: old.badgeClassId,
      badgeVersion: old.badgeVersion,
      achievement: { json: subject.achievement as JsonObject },
      recipient,
      route: old.claimRoute,
      idempotencyKey: null,
      evidence,
      validFrom,
      validUntil,
      issuedBy: audit.actorUserId,
      supersedesId: old.id,
    },
  ]);
  if (!stored) throw new Error('signAndStore answered nothing for one credential.');
  if ('error' in stored) throw stored.error;
  if ('existingId' in stored) throw new Error('A correction has no idempotency key to conflict on.');
  await changeStatus(tx, config, city, audit, old.id, 'revoke', 'superseded', {
    organisationId: options.organisationId,
    notify: false,
  });
  await queueCredentialEmail(tx, city, recipient, 'corrected', {
    badge: old.badgeName,
    organisation: old.organisationName,
    url: linkFor(config, city, stored.id, stored.claimToken),
  });
  await recordAudit(tx, audit, {
    cityId: city.id,
    action: 'badge_credential.correct',
    targetType: 'badge_credential',
    targetId: stored.id,
    before: { credentialId: old.id },
    after: {
      credentialId: stored.id,
      changed: Object.keys(changes).filter((key) => changes[key as keyof CorrectionChanges] !== undefined),
    },
  });
  return stored.id;
}

// ---------------------------------------------------------------- claim links

const tokenShape = /^[\w-]{20,100}$/;

/** The credential an unused claim link is for, or 410 CLAIM_LINK_INVALID. Looking never claims. */
export async function describeClaim(db: SqlRunner, city: CityRecord, token: string): Promise<CredentialRecord> {
  const record = tokenShape.test(token) ? await findByClaimTokenHash(db, city.id, hashSecret(token)) : undefined;
  if (!record) throw new AppError('CLAIM_LINK_INVALID');
  return record;
}

/** Uses a claim link: the credential becomes the signed-in person's. An unknown or used link is 410. */
export async function claimCredential(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  token: string,
  userId: string,
): Promise<string> {
  const id = tokenShape.test(token) ? await claimByTokenHash(tx, city.id, hashSecret(token), userId) : undefined;
  if (!id) throw new AppError('CLAIM_LINK_INVALID');
  // Now that the badge has its learner, meta badges it completes can be issued to them.
  await awardMetaBadges(tx, config, city, audit, id);
  return id;
}

/** The prerequisites hook (automatic-awards.ts) for a credential that has just reached a learner's account. */
async function awardMetaBadges(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  credentialId: string,
): Promise<void> {
  const [row] = await tx.query<{ badgeClassId: string; userId: string | null }>(
    `SELECT badge_class_id AS "badgeClassId", recipient_user_id AS "userId" FROM badge_credentials
      WHERE city_id = $1 AND id = $2`,
    [city.id, credentialId],
  );
  if (row?.userId) await afterCredentialIssued(tx, config, city, audit, row);
}

// ---------------------------------------------------------------- other forms of the credential

/** The stored credential without its Data Integrity proof (what a VC-JWT carries). */
function unsignedDocument(record: CredentialRecord): JsonObject {
  const { proof: _proof, ...unsigned } = record.document;
  return unsigned;
}

/**
 * The credential as a VC-JWT, signed on demand by the issuer's active key. After a rotation that is a newer key than
 * the one that made the Data Integrity proof: both are the issuer's (listed in its DID document), and a retired key's
 * secret is never used to sign anything new.
 */
export async function credentialJwt(db: SqlRunner, config: Config, record: CredentialRecord): Promise<string> {
  const signer = await issuerSignerFor(db, config, record.organisationId);
  return signCredentialJwt(unsignedDocument(record), signer.signingKey);
}

function evidenceUrlsOf(record: CredentialRecord): string[] {
  const list = Array.isArray(record.document.evidence) ? (record.document.evidence as JsonObject[]) : [];
  return list.map((item) => item.id).filter((id): id is string => typeof id === 'string');
}

/**
 * The hosted Open Badges 2.0 assertion of a credential, for tools that only read 2.0: the recipient is the hashed email
 * (with the credential's salt), verification is hosted (this document at its id is authoritative). A revoked — or,
 * since 2.0 knows no suspension, suspended — credential answers `revoked: true` with its reason.
 */
export function ob2Assertion(config: Config, city: CityRecord, record: CredentialRecord): JsonObject {
  const url = credentialUrl(config, city.slug, record.id);
  const revocationReason =
    record.status === 'revoked'
      ? (record.statusReason ?? 'revoked')
      : record.status === 'suspended'
        ? `suspended${record.statusReason ? `: ${record.statusReason}` : ''}`
        : undefined;
  return buildOb2Assertion({
    id: `${url}/ob2`,
    badgeClassUrl: `${achievementUrl(config, city.slug, record.badgeClassId, record.badgeVersion)}/ob2`,
    recipientEmail: record.recipientEmail,
    salt: record.identitySalt,
    issuedOn: record.validFrom,
    ...(record.validUntil ? { expires: new Date(record.validUntil) } : {}),
    evidenceUrls: evidenceUrlsOf(record),
    image: `${url}/ob2/badge.png`,
    ...(revocationReason !== undefined ? { revocationReason } : {}),
  });
}

/** A file name for downloads: the badge's short name and the credential's first characters. */
export function downloadName(record: CredentialRecord, suffix: string): string {
  return `${record.badgeSlug}-${record.id.slice(0, 8)}${suffix}`;
}

/** The badge image with the credential baked in: OB 3.0 (the signed credential) or OB 2.0 (the hosted assertion). */
export async function bakedBadge(
  db: SqlRunner,
  config: Config,
  city: CityRecord,
  record: CredentialRecord,
  format: 'png' | 'svg' | 'ob2-png',
): Promise<Buffer> {
  const image = await badgeImageBytes(db, city, record.badgeClassId, record.badgeVersion);
  if (format === 'png') return bakePng(image.png, JSON.stringify(record.document), 'ob3');
  if (format === 'ob2-png') return bakePng(image.png, JSON.stringify(ob2Assertion(config, city, record)), 'ob2');
  // Badges uploaded as PNG have no SVG of their own: the PNG goes inside one, so every badge downloads as SVG too.
  const svg =
    image.svg ??
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="512" height="512" viewBox="0 0 512 512"><image width="512" height="512" xlink:href="data:image/png;base64,${Buffer.from(image.png).toString('base64')}"/></svg>`;
  return bakeSvg(svg, { json: JSON.stringify(record.document) }, 'ob3');
}
