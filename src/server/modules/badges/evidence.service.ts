import type { EvidenceInput, LocalizedText } from '../../../credentials/index.ts';
import { type EvidenceEmailKind, renderEvidenceEmail } from '../../../web/emails/evidence.ts';
import { isSupportedLanguage, translatorFor } from '../../../web/i18n.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { BadgeRequirement, EvidenceSubmissionStatus } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { queueEmail } from '../../mail/email-jobs.ts';
import { emailLanguageFor } from '../activities/signups.service.ts';
import { type AuditContext, recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { findOrganisationInCity } from '../organisations/organisations.repo.ts';
import { assertCityOpen } from '../organisations/organisations.service.ts';
import { afterCredentialIssued } from './automatic-awards.ts';
import { type BadgeClassRecord, findBadgeClass, findBadgeClassBySlug } from './badge-classes.repo.ts';
import { findActiveCredentialOf } from './claims.repo.ts';
import { findAccountById } from './credentials.repo.ts';
import { credentialPaths, issueCredential, MAX_NARRATIVE_LENGTH, textIn } from './credentials.service.ts';
import {
  countConfirmations,
  countQueue,
  deleteFilesOfRequirements,
  type EvidenceFileRecord,
  type EvidenceItem,
  findFile,
  findLatestSubmission,
  findOpenSubmission,
  findSubmission,
  insertConfirmation,
  insertFile,
  insertSubmission,
  listFiles,
  listOpenPeerRequests,
  listOrganisationStaff,
  listQueueBadges,
  listQueueRows,
  listUserSubmissions,
  type PeerRequestRow,
  resubmit,
  type SubmissionRecord,
  setDecision,
} from './evidence.repo.ts';

export type { EvidenceFileRecord, EvidenceItem, PeerRequestRow, SubmissionRecord };

/**
 * Evidence review and peer checks (issue #7, claim routes 3 and 4).
 *
 * Evidence: when a badge takes evidence (`evidence_claims_open`), a signed-in learner answers each of its requirements
 * (text, a link, a file or a photo) and the organisation reviews it: approve (the badge is issued with the learner's
 * texts and public links as its evidence — never the private files), reject with feedback, or ask for more (the
 * learner edits and sends it again). One open submission per learner and badge.
 *
 * Peer checks: when a badge asks N earners to confirm (`peer_confirmations_required`), a learner requests a check and
 * people who hold the badge confirm it; the N-th distinct confirmation issues the badge in its own transaction.
 */

export const MAX_EVIDENCE_TEXT = 5000;
export const MAX_EVIDENCE_URL = 2000;
export const MAX_FEEDBACK_LENGTH = 5000;
export const MAX_EVIDENCE_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_EVIDENCE_TOTAL_BYTES = 20 * 1024 * 1024;
export const EVIDENCE_PAGE_SIZE = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const evidencePaths = {
  apply: (citySlug: string, slug: string) => `/c/${citySlug}/badges/${slug}/apply`,
  peer: (citySlug: string, slug: string) => `/c/${citySlug}/badges/${slug}/peer-requests`,
  mine: (citySlug: string) => `/c/${citySlug}/my/evidence`,
  myFile: (citySlug: string, submissionId: string, fileId: string) =>
    `/c/${citySlug}/my/evidence/${submissionId}/files/${fileId}`,
  queue: (citySlug: string, organisationId: string) => `/c/${citySlug}/manage/${organisationId}/evidence`,
  review: (citySlug: string, organisationId: string, submissionId: string) =>
    `/c/${citySlug}/manage/${organisationId}/evidence/${submissionId}`,
};

// ── Files ───────────────────────────────────────────────────────────────────────────────────────────────────────

export type EvidenceContentType = 'image/png' | 'image/jpeg' | 'image/webp' | 'application/pdf';

/** What a file really is, from its first bytes (the name and the declared type are not trusted). */
export function sniffEvidenceType(bytes: Uint8Array): EvidenceContentType | null {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

/** A file name safe to store and to send back: no path, no control characters, at most 150 characters. */
export function cleanFileName(name: string, contentType: EvidenceContentType): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 150);
  const extension = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'application/pdf': 'pdf' }[
    contentType
  ];
  return base || `evidence.${extension}`;
}

// ── Requirements and input ──────────────────────────────────────────────────────────────────────────────────────

/** What a learner answers: the badge's requirements, or — for a badge without any — one text against its criteria. */
export function evidenceRequirements(badge: Pick<BadgeClassRecord, 'requirements' | 'criteria'>): BadgeRequirement[] {
  return badge.requirements.length > 0 ? badge.requirements : [{ kind: 'text', instructions: badge.criteria }];
}

export interface EvidenceFileInput {
  fileName: string;
  bytes: Uint8Array;
}

export interface EvidenceItemInput {
  requirement: number;
  text?: string;
  url?: string;
  file?: EvidenceFileInput;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

interface CheckedEvidence {
  items: EvidenceItem[];
  files: { requirement: number; fileName: string; contentType: EvidenceContentType; bytes: Uint8Array }[];
}

/**
 * Checks an answer to every requirement; `filesKept` are requirements already answered by a file (a resubmission
 * may keep them). Every problem is reported at once, at `/items/<requirement>`.
 */
export function checkEvidence(
  requirements: BadgeRequirement[],
  input: EvidenceItemInput[],
  filesKept: Set<number> = new Set(),
): { problems: ErrorDetail[]; checked: CheckedEvidence } {
  const problems: ErrorDetail[] = [];
  const checked: CheckedEvidence = { items: [], files: [] };
  const byRequirement = new Map<number, EvidenceItemInput>();
  for (const item of input) {
    if (!Number.isInteger(item.requirement) || item.requirement < 0 || item.requirement >= requirements.length) {
      problems.push({ field: `/items/${item.requirement}`, problem: 'is not a requirement of this badge' });
    } else if (byRequirement.has(item.requirement)) {
      problems.push({ field: `/items/${item.requirement}`, problem: 'is answered twice' });
    } else byRequirement.set(item.requirement, item);
  }
  let total = 0;
  requirements.forEach((requirement, index) => {
    const field = `/items/${index}`;
    const item = byRequirement.get(index);
    if (requirement.kind === 'text') {
      const text = item?.text?.trim() ?? '';
      if (!text) problems.push({ field, problem: 'write your answer', reason: 'required' });
      else if (text.length > MAX_EVIDENCE_TEXT)
        problems.push({ field, problem: `at most ${MAX_EVIDENCE_TEXT} characters`, reason: 'tooLong' });
      else checked.items.push({ requirement: index, text });
      return;
    }
    if (requirement.kind === 'link') {
      const url = item?.url?.trim() ?? '';
      if (!url) problems.push({ field, problem: 'give a link', reason: 'required' });
      else if (url.length > MAX_EVIDENCE_URL || !isHttpUrl(url))
        problems.push({ field, problem: 'must be an http(s) address', reason: 'badUrl' });
      else checked.items.push({ requirement: index, url });
      return;
    }
    // file or photo
    const file = item?.file;
    if (!file || file.bytes.length === 0) {
      if (filesKept.has(index)) checked.items.push({ requirement: index });
      else problems.push({ field, problem: 'choose a file', reason: 'required' });
      return;
    }
    const type = sniffEvidenceType(file.bytes);
    const allowed = requirement.kind === 'photo' ? type !== null && type !== 'application/pdf' : type !== null;
    if (!allowed) {
      problems.push({
        field,
        problem:
          requirement.kind === 'photo' ? 'must be a PNG, JPEG or WebP photo' : 'must be a PNG, JPEG, WebP or PDF file',
        reason: requirement.kind === 'photo' ? 'badPhoto' : 'badFile',
        code: 'EVIDENCE_FILE_INVALID',
      });
      return;
    }
    if (file.bytes.length > MAX_EVIDENCE_FILE_BYTES) {
      problems.push({ field, problem: 'must be at most 5 MB', reason: 'tooLarge', code: 'EVIDENCE_FILE_TOO_LARGE' });
      return;
    }
    total += file.bytes.length;
    checked.items.push({ requirement: index });
    checked.files.push({
      requirement: index,
      fileName: cleanFileName(file.fileName, type as EvidenceContentType),
      contentType: type as EvidenceContentType,
      bytes: file.bytes,
    });
  });
  if (total > MAX_EVIDENCE_TOTAL_BYTES)
    problems.push({ field: '/items', problem: 'all files together must be at most 20 MB', reason: 'totalTooLarge' });
  return { problems, checked };
}

/** The refusal of a submission: a file problem alone keeps its own code (400/413); anything else is VALIDATION_FAILED. */
function evidenceRefusal(problems: ErrorDetail[]): AppError {
  const codes = new Set(problems.map((problem) => problem.code));
  if (codes.size === 1 && codes.has('EVIDENCE_FILE_TOO_LARGE'))
    return new AppError('EVIDENCE_FILE_TOO_LARGE', undefined, problems);
  if (codes.size === 1 && codes.has('EVIDENCE_FILE_INVALID'))
    return new AppError('EVIDENCE_FILE_INVALID', undefined, problems);
  return new AppError('VALIDATION_FAILED', undefined, problems);
}

// ── Badges as learners see them ─────────────────────────────────────────────────────────────────────────────────

/** A badge of the city by id or slug that learners can see: published or archived (drafts are not found). */
export async function learnerBadge(db: SqlRunner, city: CityRecord, idOrSlug: string): Promise<BadgeClassRecord> {
  const badge = UUID.test(idOrSlug)
    ? await findBadgeClass(db, city.id, idOrSlug)
    : /^[a-z0-9-]{1,100}$/.test(idOrSlug)
      ? await findBadgeClassBySlug(db, city.id, idOrSlug)
      : undefined;
  if (!badge || badge.status === 'draft') throw new AppError('BADGE_NOT_FOUND');
  return badge;
}

function openForEvidence(badge: BadgeClassRecord): void {
  if (badge.status !== 'published') throw new AppError('BADGE_NOT_PUBLISHED');
  if (!badge.evidenceClaimsOpen) throw new AppError('EVIDENCE_CLAIMS_CLOSED');
}

function openForPeers(badge: BadgeClassRecord): number {
  if (badge.status !== 'published') throw new AppError('BADGE_NOT_PUBLISHED');
  if (!badge.peerConfirmationsRequired) throw new AppError('PEER_CHECK_CLOSED');
  return badge.peerConfirmationsRequired;
}

// ── Emails ──────────────────────────────────────────────────────────────────────────────────────────────────────

async function organisationName(db: SqlRunner, city: CityRecord, organisationId: string): Promise<string> {
  return (await findOrganisationInCity(db, city.id, organisationId))?.name ?? '';
}

async function emailStaff(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  submission: SubmissionRecord,
  kind: 'submitted' | 'resubmitted',
): Promise<void> {
  const url = `${config.publicUrl}${evidencePaths.review(city.slug, submission.organisationId, submission.id)}`;
  for (const person of await listOrganisationStaff(tx, submission.organisationId)) {
    const language = emailLanguageFor(city, person);
    const rendered = renderEvidenceEmail({
      kind,
      language,
      url,
      vars: {
        name: person.displayName,
        badge: textIn(submission.badgeName, language, city),
        learner: submission.learnerName,
        city: cityName(city, language),
      },
    });
    await queueEmail(tx, city.id, { to: person.email, ...rendered });
  }
}

async function emailLearner(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  submission: SubmissionRecord,
  kind: Exclude<EvidenceEmailKind, 'submitted' | 'resubmitted'>,
  feedback: string,
  path: string,
): Promise<void> {
  const account = await findAccountById(tx, submission.userId);
  if (!account) return;
  const language = emailLanguageFor(city, account);
  const rendered = renderEvidenceEmail({
    kind,
    language,
    url: `${config.publicUrl}${path}`,
    vars: {
      name: account.displayName,
      badge: textIn(submission.badgeName, language, city),
      organisation: await organisationName(tx, city, submission.organisationId),
      feedback,
      city: cityName(city, language),
    },
  });
  await queueEmail(tx, city.id, { to: account.email, ...rendered });
}

// ── Learners: submitting evidence ───────────────────────────────────────────────────────────────────────────────

export interface Application {
  badge: BadgeClassRecord;
  requirements: BadgeRequirement[];
  /** The latest submission (open or decided), with its files. */
  submission: SubmissionRecord | null;
  files: EvidenceFileRecord[];
  heldCredentialId: string | null;
}

/** What the learner's application page shows: the badge's requirements, their latest submission and files. */
export async function applicationFor(
  db: SqlRunner,
  city: CityRecord,
  idOrSlug: string,
  userId: string,
): Promise<Application> {
  const badge = await learnerBadge(db, city, idOrSlug);
  const submission = (await findLatestSubmission(db, city.id, badge.id, userId, 'organiser')) ?? null;
  return {
    badge,
    requirements: evidenceRequirements(badge),
    submission,
    files: submission ? await listFiles(db, city.id, [submission.id]) : [],
    heldCredentialId: (await findActiveCredentialOf(db, city.id, badge.id, userId)) ?? null,
  };
}

/**
 * Sends evidence for a badge, or — when the organisation asked for more — sends it again (files not replaced are
 * kept). The organisation's people are told by email. A pending submission must wait for its decision
 * (EVIDENCE_ALREADY_OPEN); someone who holds the badge cannot apply (BADGE_ALREADY_HELD).
 */
export async function submitEvidence(
  db: Database,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  badgeIdOrSlug: string,
  userId: string,
  input: EvidenceItemInput[],
): Promise<{ submission: SubmissionRecord; resubmitted: boolean }> {
  assertCityOpen(city);
  const badge = await learnerBadge(db, city, badgeIdOrSlug);
  openForEvidence(badge);
  const requirements = evidenceRequirements(badge);
  return db.transaction(async (tx) => {
    if (await findActiveCredentialOf(tx, city.id, badge.id, userId)) throw new AppError('BADGE_ALREADY_HELD');
    const open = await findOpenSubmission(tx, city.id, badge.id, userId, { lock: true });
    if (open && (open.status !== 'more_info' || open.review !== 'organiser'))
      throw new AppError('EVIDENCE_ALREADY_OPEN');
    const kept = new Set(open ? (await listFiles(tx, city.id, [open.id])).map((file) => file.requirement) : []);
    const { problems, checked } = checkEvidence(requirements, input, kept);
    if (problems.length > 0) throw evidenceRefusal(problems);
    let id: string;
    if (open) {
      id = open.id;
      await resubmit(tx, city.id, id, checked.items);
      await deleteFilesOfRequirements(
        tx,
        city.id,
        id,
        checked.files.map((file) => file.requirement),
      );
    } else {
      const inserted = await insertSubmission(tx, city.id, {
        badgeClassId: badge.id,
        userId,
        review: 'organiser',
        items: checked.items,
      });
      // A concurrent submission by the same person won the unique index.
      if (!inserted) throw new AppError('EVIDENCE_ALREADY_OPEN');
      id = inserted;
    }
    for (const file of checked.files) await insertFile(tx, city.id, { submissionId: id, ...file });
    const submission = (await findSubmission(tx, city.id, id)) as SubmissionRecord;
    await recordAudit(tx, audit, {
      cityId: city.id,
      action: open ? 'evidence_submission.resubmit' : 'evidence_submission.submit',
      targetType: 'evidence_submission',
      targetId: id,
      after: { badgeClassId: badge.id, items: checked.items.length, files: checked.files.length },
    });
    await emailStaff(tx, config, city, submission, open ? 'resubmitted' : 'submitted');
    return { submission, resubmitted: Boolean(open) };
  });
}

/** The learner's submissions (evidence and peer checks) in the city, most recently changed first, with their files. */
export async function listMyEvidence(
  db: SqlRunner,
  city: CityRecord,
  userId: string,
): Promise<{ submissions: SubmissionRecord[]; files: EvidenceFileRecord[] }> {
  const submissions = await listUserSubmissions(db, city.id, userId);
  return {
    submissions,
    files: await listFiles(
      db,
      city.id,
      submissions.map((submission) => submission.id),
    ),
  };
}

/**
 * One file of a submission, for the learner who sent it (`{ userId }`) or the people of the badge's organisation
 * (`{ organisationId }`, after the route's access rule). Anyone else gets EVIDENCE_NOT_FOUND, as for a wrong id.
 */
export async function evidenceFile(
  db: SqlRunner,
  city: CityRecord,
  viewer: { userId: string } | { organisationId: string },
  submissionId: string,
  fileId: string,
): Promise<EvidenceFileRecord & { bytes: Buffer }> {
  if (!UUID.test(submissionId) || !UUID.test(fileId)) throw new AppError('EVIDENCE_NOT_FOUND');
  const submission = await findSubmission(db, city.id, submissionId);
  const allowed =
    submission &&
    ('userId' in viewer ? submission.userId === viewer.userId : submission.organisationId === viewer.organisationId);
  if (!allowed) throw new AppError('EVIDENCE_NOT_FOUND');
  const file = await findFile(db, city.id, submissionId, fileId);
  if (!file) throw new AppError('EVIDENCE_NOT_FOUND');
  return { ...file, bytes: Buffer.from(file.bytes) };
}

// ── Organisers: the review queue and decisions ──────────────────────────────────────────────────────────────────

export interface QueuePage {
  items: SubmissionRecord[];
  total: number;
  page: number;
  pageSize: number;
  badges: { id: string; name: Record<string, string> }[];
}

const statuses: readonly EvidenceSubmissionStatus[] = ['pending', 'more_info', 'approved', 'rejected'];

/** The organisation's evidence to review: waiting first; filter by badge and status; numbered pages. */
export async function reviewQueue(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  options: { badgeClassId?: string; status?: string; page?: number; pageSize?: number } = {},
): Promise<QueuePage> {
  if (!UUID.test(organisationId) || !(await findOrganisationInCity(db, city.id, organisationId)))
    throw new AppError('ORGANISATION_NOT_FOUND');
  const pageSize = Math.min(Math.max(options.pageSize ?? EVIDENCE_PAGE_SIZE, 1), 100);
  const page = Math.max(1, Math.trunc(options.page ?? 1));
  const filter = {
    badgeClassId: options.badgeClassId && UUID.test(options.badgeClassId) ? options.badgeClassId : null,
    status: statuses.includes(options.status as EvidenceSubmissionStatus)
      ? (options.status as EvidenceSubmissionStatus)
      : null,
  };
  const items = await listQueueRows(db, city.id, organisationId, filter, {
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  return {
    items,
    total: await countQueue(db, city.id, organisationId, filter),
    page,
    pageSize,
    badges: await listQueueBadges(db, city.id, organisationId),
  };
}

export interface Review {
  submission: SubmissionRecord;
  requirements: BadgeRequirement[];
  files: EvidenceFileRecord[];
}

async function organisationSubmission(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  submissionId: string,
  options: { lock?: boolean } = {},
): Promise<SubmissionRecord> {
  const submission = UUID.test(submissionId) ? await findSubmission(db, city.id, submissionId, options) : undefined;
  if (!submission || submission.organisationId !== organisationId || submission.review !== 'organiser')
    throw new AppError('EVIDENCE_NOT_FOUND');
  return submission;
}

/** One submission of the organisation's badges with its requirements and files. */
export async function getReview(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  submissionId: string,
): Promise<Review> {
  const submission = await organisationSubmission(db, city, organisationId, submissionId);
  const badge = (await findBadgeClass(db, city.id, submission.badgeClassId)) as BadgeClassRecord;
  return {
    submission,
    requirements: evidenceRequirements(badge),
    files: await listFiles(db, city.id, [submission.id]),
  };
}

/** The evidence a credential carries: the learner's texts and public links (never the private files). */
function credentialEvidence(requirements: BadgeRequirement[], items: EvidenceItem[]): EvidenceInput[] {
  const evidence: EvidenceInput[] = [];
  for (const item of items) {
    if (!item.text && !item.url) continue;
    const instructions = Object.fromEntries(
      Object.entries(requirements[item.requirement]?.instructions ?? {}).filter(([, text]) => text?.trim()),
    );
    evidence.push({
      ...(item.url ? { id: item.url } : {}),
      ...(item.text ? { narrative: item.text } : {}),
      ...(Object.keys(instructions).length > 0 ? { description: instructions } : {}),
    });
  }
  return evidence;
}

function checkFeedback(feedback: string | undefined, required: boolean): string | null {
  const text = (feedback ?? '').trim();
  if (required && !text)
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/feedback', problem: 'required' }]);
  if (text.length > MAX_FEEDBACK_LENGTH)
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/feedback', problem: `at most ${MAX_FEEDBACK_LENGTH} characters` },
    ]);
  return text || null;
}

export type ReviewDecision = 'approve' | 'reject' | 'request-more';

/**
 * Decides a submission that waits for a decision (pending, or waiting on the learner). Approving issues the badge
 * (idempotency key `evidence:<submissionId>`, so a repeated approval issues nothing twice) with the learner's evidence
 * and the optional note as its narrative; rejecting needs feedback; asking for more needs feedback and lets the learner
 * send again. The learner gets one email for each decision: an approval without a note is announced by the credential's
 * own email; one with a note sends, instead, one email that announces the credential and carries the note.
 */
export async function decideSubmission(
  db: Database,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  organisationId: string,
  submissionId: string,
  decision: ReviewDecision,
  feedbackInput?: string,
): Promise<SubmissionRecord> {
  assertCityOpen(city);
  const feedback = checkFeedback(feedbackInput, decision !== 'approve');
  if (decision === 'approve' && (feedback ?? '').length > MAX_NARRATIVE_LENGTH)
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/feedback', problem: 'too long' }]);
  return db.transaction(async (tx) => {
    const submission = await organisationSubmission(tx, city, organisationId, submissionId, { lock: true });
    const open = submission.status === 'pending' || submission.status === 'more_info';
    if (!open || (decision === 'request-more' && submission.status !== 'pending'))
      throw new AppError('EVIDENCE_STATE_CONFLICT', undefined, [
        { problem: `the submission is ${submission.status.replace('_', ' ')}` },
      ]);
    const badge = (await findBadgeClass(tx, city.id, submission.badgeClassId)) as BadgeClassRecord;
    let credentialId: string | null = null;
    const status: EvidenceSubmissionStatus =
      decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'more_info';
    if (decision === 'approve') {
      const issued = await issueCredential(tx, config, city, audit, {
        badgeClassId: submission.badgeClassId,
        recipient: { userId: submission.userId },
        route: 'evidence',
        idempotencyKey: `evidence:${submission.id}`,
        evidence: credentialEvidence(evidenceRequirements(badge), submission.items),
        ...(feedback ? { narrative: feedback, notify: false } : {}),
      });
      credentialId = issued.credentialId;
      if (issued.created)
        await afterCredentialIssued(tx, config, city, audit, {
          badgeClassId: submission.badgeClassId,
          userId: submission.userId,
        });
    }
    await setDecision(tx, city.id, submission.id, {
      status,
      feedback,
      reviewedBy: audit.actorUserId,
      credentialId,
    });
    await recordAudit(tx, audit, {
      cityId: city.id,
      action: `evidence_submission.${decision === 'request-more' ? 'request_more' : decision}`,
      targetType: 'evidence_submission',
      targetId: submission.id,
      before: { status: submission.status },
      after: { status, credentialId, feedback },
    });
    if (decision === 'approve') {
      // With a note, the approval email is the credential's announcement too (issued above without its own email).
      if (feedback)
        await emailLearner(
          tx,
          config,
          city,
          submission,
          'approved',
          feedback,
          credentialPaths.page(city.slug, credentialId as string),
        );
    } else {
      await emailLearner(
        tx,
        config,
        city,
        submission,
        decision === 'reject' ? 'rejected' : 'moreInfo',
        feedback ?? '',
        decision === 'reject' ? evidencePaths.mine(city.slug) : evidencePaths.apply(city.slug, submission.badgeSlug),
      );
    }
    return (await findSubmission(tx, city.id, submission.id)) as SubmissionRecord;
  });
}

// ── Peer checks ─────────────────────────────────────────────────────────────────────────────────────────────────

/** True when the person holds an active, unexpired credential of the badge in the city. */
export async function isEarner(db: SqlRunner, city: CityRecord, badgeClassId: string, userId: string) {
  return (await findActiveCredentialOf(db, city.id, badgeClassId, userId)) !== undefined;
}

export interface PeerRequestInput {
  text?: string;
  url?: string;
}

export function checkPeerRequest(input: PeerRequestInput): { problems: ErrorDetail[]; item: EvidenceItem } {
  const problems: ErrorDetail[] = [];
  const text = input.text?.trim() ?? '';
  const url = input.url?.trim() ?? '';
  if (text.length > MAX_EVIDENCE_TEXT)
    problems.push({ field: '/text', problem: `at most ${MAX_EVIDENCE_TEXT} characters`, reason: 'tooLong' });
  if (url && (url.length > MAX_EVIDENCE_URL || !isHttpUrl(url)))
    problems.push({ field: '/url', problem: 'must be an http(s) address', reason: 'badUrl' });
  return { problems, item: { requirement: 0, ...(text ? { text } : {}), ...(url ? { url } : {}) } };
}

/** The learner's peer-check state for a badge: their latest request (with how many confirmed) and what is needed. */
export async function myPeerRequest(
  db: SqlRunner,
  city: CityRecord,
  badge: BadgeClassRecord,
  userId: string,
): Promise<SubmissionRecord | null> {
  return (await findLatestSubmission(db, city.id, badge.id, userId, 'peer')) ?? null;
}

/** A learner asks the badge's earners to confirm they have earned it (optionally with a text and a link). */
export async function requestPeerCheck(
  db: Database,
  city: CityRecord,
  audit: AuditContext,
  badgeIdOrSlug: string,
  userId: string,
  input: PeerRequestInput,
): Promise<SubmissionRecord> {
  assertCityOpen(city);
  const badge = await learnerBadge(db, city, badgeIdOrSlug);
  openForPeers(badge);
  const { problems, item } = checkPeerRequest(input);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    if (await isEarner(tx, city, badge.id, userId)) throw new AppError('BADGE_ALREADY_HELD');
    const id = await insertSubmission(tx, city.id, {
      badgeClassId: badge.id,
      userId,
      review: 'peer',
      items: item.text || item.url ? [item] : [],
    });
    if (!id) throw new AppError('EVIDENCE_ALREADY_OPEN');
    await recordAudit(tx, audit, {
      cityId: city.id,
      action: 'evidence_submission.peer_request',
      targetType: 'evidence_submission',
      targetId: id,
      after: { badgeClassId: badge.id },
    });
    return (await findSubmission(tx, city.id, id)) as SubmissionRecord;
  });
}

/** Open peer-check requests of a badge for an earner to confirm; people who do not hold it get PEER_NOT_EARNER. */
export async function peerRequestsFor(
  db: SqlRunner,
  city: CityRecord,
  badgeIdOrSlug: string,
  userId: string,
  options: { page?: number; pageSize?: number } = {},
): Promise<{ badge: BadgeClassRecord; required: number; items: PeerRequestRow[]; page: number; hasNext: boolean }> {
  const badge = await learnerBadge(db, city, badgeIdOrSlug);
  const required = openForPeers(badge);
  if (!(await isEarner(db, city, badge.id, userId))) throw new AppError('PEER_NOT_EARNER');
  const pageSize = Math.min(Math.max(options.pageSize ?? EVIDENCE_PAGE_SIZE, 1), 100);
  const page = Math.max(1, Math.trunc(options.page ?? 1));
  const rows = await listOpenPeerRequests(db, city.id, badge.id, userId, {
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  return { badge, required, items: rows.slice(0, pageSize), page, hasNext: rows.length > pageSize };
}

/** The narrative of a peer-checked credential, in each of the city's languages. */
function peerNarrative(city: CityRecord, count: number): LocalizedText {
  const languages = city.languages.filter(isSupportedLanguage);
  return Object.fromEntries(
    (languages.length ? languages : ['en' as const]).map((language) => [
      language,
      translatorFor(language)('claims:peer.evidenceNarrative', { count: String(count) }),
    ]),
  );
}

export interface PeerConfirmation {
  submission: SubmissionRecord;
  required: number;
  /** The credential issued by this confirmation (the N-th), else null. */
  credentialId: string | null;
}

/**
 * An earner confirms a learner's peer-check request. Confirming twice counts once. The N-th distinct confirmation
 * issues the badge (route 'peer', key `peer:<submissionId>`) in the same transaction; the submission row lock makes
 * concurrent confirmations count one after another, so the badge is issued exactly once.
 */
export async function confirmPeerRequest(
  db: Database,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  badgeIdOrSlug: string,
  submissionId: string,
  confirmerUserId: string,
): Promise<PeerConfirmation> {
  assertCityOpen(city);
  const badge = await learnerBadge(db, city, badgeIdOrSlug);
  const required = openForPeers(badge);
  return db.transaction(async (tx) => {
    const submission = UUID.test(submissionId)
      ? await findSubmission(tx, city.id, submissionId, { lock: true })
      : undefined;
    if (!submission || submission.badgeClassId !== badge.id || submission.review !== 'peer')
      throw new AppError('EVIDENCE_NOT_FOUND');
    if (submission.userId === confirmerUserId) throw new AppError('PEER_SELF_CONFIRM');
    if (!(await isEarner(tx, city, badge.id, confirmerUserId))) throw new AppError('PEER_NOT_EARNER');
    if (submission.status !== 'pending')
      throw new AppError('EVIDENCE_STATE_CONFLICT', undefined, [{ problem: `the request is ${submission.status}` }]);
    const added = await insertConfirmation(tx, city.id, submission.id, confirmerUserId);
    const confirmations = added ? await countConfirmations(tx, city.id, submission.id) : submission.confirmations;
    let credentialId: string | null = null;
    if (added) {
      await recordAudit(tx, audit, {
        cityId: city.id,
        action: 'evidence_submission.peer_confirm',
        targetType: 'evidence_submission',
        targetId: submission.id,
        after: { confirmations, required },
      });
    }
    if (confirmations >= required) {
      const issued = await issueCredential(tx, config, city, audit, {
        badgeClassId: badge.id,
        recipient: { userId: submission.userId },
        route: 'peer',
        idempotencyKey: `peer:${submission.id}`,
        evidence: [
          ...credentialEvidence([{ kind: 'text', instructions: {} }], submission.items),
          { narrative: peerNarrative(city, confirmations) },
        ],
        // Earners confirmed it; no one at the organisation issued it by hand.
        issuedBy: null,
      });
      credentialId = issued.credentialId;
      await setDecision(tx, city.id, submission.id, {
        status: 'approved',
        feedback: null,
        reviewedBy: null,
        credentialId,
      });
      if (issued.created)
        await afterCredentialIssued(tx, config, city, audit, { badgeClassId: badge.id, userId: submission.userId });
    }
    return {
      submission: (await findSubmission(tx, city.id, submission.id)) as SubmissionRecord,
      required,
      credentialId,
    };
  });
}
