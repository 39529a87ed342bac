import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { type JobHandler, PermanentJobError } from '../../jobs/worker.ts';
import type { Actor } from '../accounts/actor.ts';
import { type AuditContext, recordAudit } from '../audit/audit.service.ts';
import { type CityRecord, findCityBySlug } from '../cities/cities.repo.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import { type Caller, organisationInCity } from '../organisations/organisations.service.ts';
import { canEditBadges } from './badge-classes.service.ts';
import {
  type BatchRecord,
  type BatchRowInput,
  type BatchRowRecord,
  completeBatchIfDone,
  findBatch,
  findBatchIdByJobKey,
  findCitySlug,
  findIssuedKeys,
  insertBatch,
  insertBatchRows,
  listBatches,
  listBatchRows,
  listOrganisationBadges,
  markBatchFailed,
  markBatchRunning,
  type NewBatchRow,
  type OrganisationBadge,
  type RowOutcome,
  recordOutcomes,
  takePendingRows,
} from './bulk-issue.repo.ts';
import { credentialUrl, isValidRecipientEmail, issueCredentials, MAX_NARRATIVE_LENGTH } from './credentials.service.ts';

/**
 * Bulk issuing from a CSV file (or the API's JSON rows). Everything is checked first — each row's email, badge (an id
 * or short name of one of the organisation's published badges, or the one badge chosen for the whole file), evidence
 * link and narrative, and rows repeated within the file — and shown as a preview; nothing is issued until the
 * organiser confirms (rows with problems are then either fixed in the file or skipped on purpose).
 *
 * Confirming stores a batch with one row per line and queues a job that issues the pending rows in chunks of 50: a
 * chunk through `issueCredentials` (the batch form of the one issuing path) and its rows' outcomes in one transaction,
 * so a crash loses at most the chunk in hand, and the retried job carries on with the rows still pending. Each row's
 * idempotency key is a hash of (badge, email, evidence link, narrative): the same file uploaded again, or a chunk
 * issued again after a crash, never issues a credential twice — such rows come back "skipped: already issued" with the
 * credential they already have.
 */

export const BULK_ISSUE_JOB = 'badges.bulk_issue';
export const MAX_BULK_ROWS = 10_000;
export const MAX_BULK_BYTES = 5 * 1024 * 1024;
/** Rows issued per transaction: a crash repeats at most this many (idempotently), and progress moves in these steps. */
export const BULK_CHUNK_SIZE = 50;
export const MAX_NAME_LENGTH = 200;
const MAX_BADGE_REF_LENGTH = 200;
const MAX_URL_LENGTH = 2000;
const JOB_ATTEMPTS = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ── Reading the file ──────────────────────────────────────────────────────────────────────────────────────────────

export type BulkColumn = 'email' | 'name' | 'badge' | 'evidence_url' | 'narrative';
export const bulkColumns: readonly BulkColumn[] = ['email', 'name', 'badge', 'evidence_url', 'narrative'];

/** Header spellings, compared without case, spaces or punctuation. */
const headerNames: Record<string, BulkColumn> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  name: 'name',
  fullname: 'name',
  recipientname: 'name',
  badge: 'badge',
  badgeid: 'badge',
  badgeslug: 'badge',
  evidenceurl: 'evidence_url',
  evidence: 'evidence_url',
  evidencelink: 'evidence_url',
  narrative: 'narrative',
};

export type FileProblemCode =
  | 'file_empty'
  | 'file_unreadable'
  | 'file_too_large'
  | 'no_rows'
  | 'too_many_rows'
  | 'email_column_missing'
  | 'default_badge_unknown'
  | 'default_badge_unpublished';

export type RowProblemCode =
  | 'email_missing'
  | 'email_invalid'
  | 'name_too_long'
  | 'badge_missing'
  | 'badge_unknown'
  | 'badge_unpublished'
  | 'evidence_url_invalid'
  | 'narrative_too_long'
  | 'duplicate';

export interface BulkProblem<Code extends string = string> {
  code: Code;
  /** The problem in English (the API's text); pages show `bulk:problems.<code>` in the reader's language. */
  problem: string;
  column?: BulkColumn;
  params?: Record<string, string | number>;
}

const rowProblemText: Record<RowProblemCode, (params: Record<string, string | number>) => string> = {
  email_missing: () => 'has no email address',
  email_invalid: () => 'the email address is not valid',
  name_too_long: () => `the name is longer than ${MAX_NAME_LENGTH} characters`,
  badge_missing: () => 'names no badge (add a badge column or choose a badge for the whole file)',
  badge_unknown: (p) => `"${p.badge}" is not a badge of this organisation in this city`,
  badge_unpublished: (p) => `the badge "${p.badge}" is not published`,
  evidence_url_invalid: () => 'the evidence link is not an http(s) address',
  narrative_too_long: () => `the narrative is longer than ${MAX_NARRATIVE_LENGTH} characters`,
  duplicate: (p) => `repeats line ${p.line} (same badge, email, evidence and narrative)`,
};

const fileProblemText: Record<FileProblemCode, (params: Record<string, string | number>) => string> = {
  file_empty: () => 'the file is empty',
  file_unreadable: (p) => `the file cannot be read as CSV: ${p.reason}`,
  file_too_large: () => `the file is larger than ${MAX_BULK_BYTES / 1024 / 1024} MB`,
  no_rows: () => 'the file has a header but no rows',
  too_many_rows: (p) => `the file has ${p.rows} rows; at most ${MAX_BULK_ROWS} can be issued at once`,
  email_column_missing: () => 'the file has no "email" column',
  default_badge_unknown: (p) => `"${p.badge}" is not a badge of this organisation in this city`,
  default_badge_unpublished: (p) => `the badge "${p.badge}" is not published`,
};

const rowProblem = (code: RowProblemCode, column: BulkColumn, params: Record<string, string | number> = {}) => ({
  code,
  column,
  params,
  problem: rowProblemText[code](params),
});

const fileProblem = (code: FileProblemCode, params: Record<string, string | number> = {}) => ({
  code,
  params,
  problem: fileProblemText[code](params),
});

/** One row as the API's JSON takes it (the CSV's columns by their field names). */
export interface BulkRowInput {
  email?: string;
  name?: string;
  badge?: string;
  evidenceUrl?: string;
  narrative?: string;
}

interface SourceRow {
  line: number;
  email: string;
  name: string;
  badge: string;
  evidenceUrl: string;
  narrative: string;
}

/** `,` or `;` (or a tab), whichever the header line uses most outside quotes. */
function detectDelimiter(headerLine: string): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, unquoted.split(d).length - 1] as const);
  const [best, count] = counts.sort((a, b) => b[1] - a[1])[0] as readonly [string, number];
  return count > 0 ? best : ',';
}

function normaliseHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

interface ReadFile {
  rows: SourceRow[];
  fatal: BulkProblem<FileProblemCode>[];
  /** Columns the file has that are not used (shown as a warning). */
  ignoredColumns: string[];
}

/** Reads CSV text: a BOM, `,`/`;` separators, quoted cells with line breaks; header names in any case. */
export function readBulkCsv(text: string): ReadFile {
  const none = (problem: BulkProblem<FileProblemCode>): ReadFile => ({
    rows: [],
    fatal: [problem],
    ignoredColumns: [],
  });
  if (Buffer.byteLength(text, 'utf8') > MAX_BULK_BYTES) return none(fileProblem('file_too_large'));
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (source.trim() === '') return none(fileProblem('file_empty'));
  if (source.includes('\u0000')) return none(fileProblem('file_unreadable', { reason: 'it is not a text file' }));
  const firstBreak = source.indexOf('\n');
  const delimiter = detectDelimiter(firstBreak === -1 ? source : source.slice(0, firstBreak));
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(source, {
      delimiter,
      info: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as unknown as typeof records;
  } catch (error) {
    return none(fileProblem('file_unreadable', { reason: (error as Error).message }));
  }
  const lines = records
    .map(({ record, info, raw }) => {
      // info.lines is the line a record ends on; a quoted cell with line breaks started earlier.
      const inner = (raw.replace(/\n$/, '').match(/\n/g) ?? []).length;
      return { line: info.lines - inner, cells: record.map((cell) => cell.trim()) };
    })
    .filter((row) => row.cells.some((cell) => cell !== ''));
  const header = lines.shift();
  if (!header) return none(fileProblem('file_empty'));
  const columns = new Map<BulkColumn, number>();
  const ignoredColumns: string[] = [];
  header.cells.forEach((cell, index) => {
    const column = headerNames[normaliseHeader(cell)];
    if (column && !columns.has(column)) columns.set(column, index);
    else if (cell) ignoredColumns.push(cell);
  });
  if (!columns.has('email')) return { rows: [], fatal: [fileProblem('email_column_missing')], ignoredColumns };
  if (lines.length === 0) return { rows: [], fatal: [fileProblem('no_rows')], ignoredColumns };
  if (lines.length > MAX_BULK_ROWS)
    return { rows: [], fatal: [fileProblem('too_many_rows', { rows: lines.length })], ignoredColumns };
  const cell = (cells: string[], column: BulkColumn) => {
    const index = columns.get(column);
    return index === undefined ? '' : (cells[index] ?? '');
  };
  return {
    rows: lines.map(({ line, cells }) => ({
      line,
      email: cell(cells, 'email'),
      name: cell(cells, 'name'),
      badge: cell(cells, 'badge'),
      evidenceUrl: cell(cells, 'evidence_url'),
      narrative: cell(cells, 'narrative'),
    })),
    fatal: [],
    ignoredColumns,
  };
}

/** The API's JSON rows; "line" is the row's position from 1. */
export function readBulkRows(rows: BulkRowInput[]): ReadFile {
  if (rows.length === 0) return { rows: [], fatal: [fileProblem('no_rows')], ignoredColumns: [] };
  if (rows.length > MAX_BULK_ROWS)
    return { rows: [], fatal: [fileProblem('too_many_rows', { rows: rows.length })], ignoredColumns: [] };
  return {
    rows: rows.map((row, index) => ({
      line: index + 1,
      email: (row.email ?? '').trim(),
      name: (row.name ?? '').trim(),
      badge: (row.badge ?? '').trim(),
      evidenceUrl: (row.evidenceUrl ?? '').trim(),
      narrative: (row.narrative ?? '').trim(),
    })),
    fatal: [],
    ignoredColumns: [],
  };
}

// ── Checking the rows ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A row's idempotency key: the badge, the email in lower case, the evidence link and the narrative. The same row
 * uploaded again (in this file or another) gets the same key, so it is issued once.
 */
export function bulkRowKey(row: { badgeId: string; email: string; evidenceUrl: string; narrative: string }): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([row.badgeId, row.email.trim().toLowerCase(), row.evidenceUrl, row.narrative]))
    .digest('hex');
  return `bulk:${digest}`;
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export interface PreviewRow extends SourceRow {
  badgeId: string | null;
  badgeName: Record<string, string> | null;
  key: string | null;
  problems: BulkProblem<RowProblemCode>[];
  /** The credential an earlier upload already issued for this row. */
  alreadyIssuedId: string | null;
}

export interface BulkPreview {
  fileName: string;
  /** The badge chosen for the whole file (id), if any. */
  defaultBadgeId: string | null;
  fatal: BulkProblem<FileProblemCode>[];
  ignoredColumns: string[];
  rows: PreviewRow[];
  counts: { rows: number; valid: number; invalid: number; alreadyIssued: number; toIssue: number };
  /** Identifies the content, so a repeated Idempotency-Key with a different file is refused. */
  contentHash: string;
}

export interface BulkSource {
  fileName: string;
  /** CSV text, or the API's JSON rows. */
  csv?: string;
  rows?: BulkRowInput[];
  /** The badge (id or short name) for rows that name none. */
  badge?: string;
}

function badgeIndex(badges: OrganisationBadge[]) {
  const byRef = new Map<string, OrganisationBadge>();
  for (const badge of badges) {
    byRef.set(badge.id.toLowerCase(), badge);
    byRef.set(badge.slug.toLowerCase(), badge);
  }
  return (ref: string) => byRef.get(ref.trim().toLowerCase());
}

/** Reads and checks a file for an organisation, without writing anything. */
export async function analyseBulk(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  source: BulkSource,
): Promise<BulkPreview> {
  const read = source.rows !== undefined ? readBulkRows(source.rows) : readBulkCsv(source.csv ?? '');
  const findBadge = badgeIndex(await listOrganisationBadges(db, city.id, organisationId));
  const fatal = [...read.fatal];
  const defaultRef = (source.badge ?? '').trim();
  const defaultBadge = defaultRef ? findBadge(defaultRef) : undefined;
  if (defaultRef && !defaultBadge) fatal.push(fileProblem('default_badge_unknown', { badge: defaultRef }));
  else if (defaultBadge && defaultBadge.status !== 'published')
    fatal.push(fileProblem('default_badge_unpublished', { badge: defaultBadge.slug }));
  const firstLineOfKey = new Map<string, number>();
  const rows: PreviewRow[] = (fatal.length > 0 ? [] : read.rows).map((row) => {
    const problems: BulkProblem<RowProblemCode>[] = [];
    if (!row.email) problems.push(rowProblem('email_missing', 'email'));
    else if (!isValidRecipientEmail(row.email)) problems.push(rowProblem('email_invalid', 'email'));
    if (row.name.length > MAX_NAME_LENGTH) problems.push(rowProblem('name_too_long', 'name'));
    const badgeRef = row.badge || defaultRef;
    const badge = row.badge ? findBadge(row.badge) : defaultBadge;
    if (!badgeRef) problems.push(rowProblem('badge_missing', 'badge'));
    else if (!badge || badgeRef.length > MAX_BADGE_REF_LENGTH)
      problems.push(rowProblem('badge_unknown', 'badge', { badge: badgeRef.slice(0, MAX_BADGE_REF_LENGTH) }));
    else if (badge.status !== 'published')
      problems.push(rowProblem('badge_unpublished', 'badge', { badge: badge.slug }));
    if (row.evidenceUrl && !isHttpUrl(row.evidenceUrl))
      problems.push(rowProblem('evidence_url_invalid', 'evidence_url'));
    if (row.narrative.length > MAX_NARRATIVE_LENGTH) problems.push(rowProblem('narrative_too_long', 'narrative'));
    let key: string | null = null;
    if (problems.length === 0 && badge) {
      key = bulkRowKey({ badgeId: badge.id, ...row });
      const first = firstLineOfKey.get(key);
      if (first !== undefined) problems.push(rowProblem('duplicate', 'email', { line: first }));
      else firstLineOfKey.set(key, row.line);
    }
    return {
      ...row,
      // Rows that take the file's badge name it by its short name, as the file would have.
      badge: row.badge || defaultBadge?.slug || defaultRef,
      badgeId: badge?.id ?? null,
      badgeName: badge?.name ?? null,
      key: problems.length === 0 ? key : null,
      problems,
      alreadyIssuedId: null,
    };
  });
  const keys = rows.flatMap((row) => (row.key ? [row.key] : []));
  const issued = await findIssuedKeys(db, city.id, keys);
  for (const row of rows) if (row.key) row.alreadyIssuedId = issued.get(row.key) ?? null;
  const valid = rows.filter((row) => row.problems.length === 0).length;
  const alreadyIssued = rows.filter((row) => row.alreadyIssuedId).length;
  const contentHash = createHash('sha256')
    .update(
      JSON.stringify([
        defaultBadge?.id ?? '',
        rows.map((row) => [row.line, row.email, row.name, row.badgeId, row.evidenceUrl, row.narrative]),
      ]),
    )
    .digest('hex');
  return {
    fileName: source.fileName,
    defaultBadgeId: defaultBadge?.id ?? null,
    fatal,
    ignoredColumns: read.ignoredColumns,
    rows,
    counts: { rows: rows.length, valid, invalid: rows.length - valid, alreadyIssued, toIssue: valid - alreadyIssued },
    contentHash,
  };
}

// ── Who may ───────────────────────────────────────────────────────────────────────────────────────────────────────

function userIdOf(caller: Caller): string | null {
  return caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null;
}

/** The organisation takes part in the city (else 404, as for any other city's) and the caller works for it. */
async function authorise(db: SqlRunner, city: CityRecord, organisationId: string, actor: Actor | 'system') {
  if (!UUID.test(organisationId)) throw new AppError('ORGANISATION_NOT_FOUND');
  await organisationInCity(db, city, organisationId);
  if (actor !== 'system' && !canEditBadges(actor, organisationId)) throw new AppError('FORBIDDEN');
}

/** The preview of a file: every row's problems, what would be issued, what was issued before. */
export async function previewBulkIssue(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  source: BulkSource,
  caller: Caller,
): Promise<BulkPreview> {
  await authorise(db, city, organisationId, caller.actor);
  return analyseBulk(db, city, organisationId, source);
}

// ── Confirming: the batch and its job ─────────────────────────────────────────────────────────────────────────────

export interface BulkIssuePayload {
  batchId: string;
  contentHash: string;
  /** Who confirmed the batch: every credential's audit entry names them. */
  audit: AuditContext;
}

/** The details of a refused file: one per problem, naming the line (and the JSON row for the API). */
export function problemDetails(preview: BulkPreview, limit = 200): ErrorDetail[] {
  if (preview.fatal.length > 0)
    return preview.fatal.map((problem) => ({ field: '/file', problem: problem.problem, code: problem.code }));
  return preview.rows
    .flatMap((row) =>
      row.problems.map((problem) => ({
        field: `/rows/${row.line - 1}/${problem.column === 'evidence_url' ? 'evidenceUrl' : problem.column}`,
        line: row.line,
        problem: `line ${row.line}: ${problem.problem}`,
        code: problem.code,
      })),
    )
    .slice(0, limit);
}

const batchJobKey = (cityId: string, organisationId: string, key: string) => `${cityId}:${organisationId}:${key}`;

class IdempotentReplay extends Error {
  constructor(readonly batchId: string) {
    super('replayed');
  }
}

/**
 * Confirms a file: checks it again, stores the batch (rows with problems are stored as skipped when `skipInvalid`,
 * else nothing is stored: BULK_ISSUE_HAS_ERRORS) and queues the job that issues it. With an idempotency key, the
 * same request again returns the batch it made (created = false); the same key with another file is refused.
 */
export async function createBulkIssue(
  db: Database,
  city: CityRecord,
  organisationId: string,
  source: BulkSource,
  caller: Caller,
  options: { skipInvalid?: boolean; idempotencyKey?: string; runAt?: Date } = {},
): Promise<{ batch: BatchRecord; created: boolean }> {
  await authorise(db, city, organisationId, caller.actor);
  const preview = await analyseBulk(db, city, organisationId, source);
  const idempotencyKey = options.idempotencyKey?.trim();
  const jobKey = idempotencyKey ? batchJobKey(city.id, organisationId, idempotencyKey) : undefined;
  const replay = async (batchId: string, contentHash: string) => {
    if (contentHash !== preview.contentHash) throw new AppError('BULK_ISSUE_KEY_REUSED');
    return { batch: (await findBatch(db, city.id, batchId)) as BatchRecord, created: false };
  };
  if (jobKey) {
    const earlier = await findBatchIdByJobKey(db, BULK_ISSUE_JOB, jobKey);
    if (earlier) return replay(earlier.batchId, earlier.contentHash);
  }
  if (preview.fatal.length > 0) throw new AppError('BULK_ISSUE_FILE_INVALID', undefined, problemDetails(preview));
  if (preview.counts.invalid > 0 && !options.skipInvalid)
    throw new AppError('BULK_ISSUE_HAS_ERRORS', undefined, problemDetails(preview));
  if (preview.counts.valid === 0) throw new AppError('BULK_ISSUE_NOTHING_TO_ISSUE');
  const rows: NewBatchRow[] = preview.rows.map((row) => {
    const input: BatchRowInput = {
      email: row.email,
      name: row.name,
      badge: row.badge,
      badgeId: row.badgeId ?? '',
      evidenceUrl: row.evidenceUrl,
      narrative: row.narrative,
      key: row.key ?? '',
    };
    return row.problems.length === 0
      ? { line: row.line, input, status: 'pending', error: null }
      : { line: row.line, input, status: 'skipped', error: row.problems.map((p) => p.problem).join('; ') };
  });
  try {
    const batch = await db.transaction(async (tx) => {
      const created = await insertBatch(tx, city.id, {
        organisationId,
        createdBy: userIdOf(caller),
        fileName: preview.fileName.slice(0, 200) || 'upload.csv',
        totalRows: rows.length,
        skippedRows: preview.counts.invalid,
      });
      await insertBatchRows(tx, city.id, created.id, rows);
      const payload: BulkIssuePayload = { batchId: created.id, contentHash: preview.contentHash, audit: caller.audit };
      const job = await enqueueJob(tx, city.id, {
        type: BULK_ISSUE_JOB,
        payload,
        maxAttempts: JOB_ATTEMPTS,
        runAt: options.runAt,
        idempotencyKey: jobKey ?? `batch:${created.id}`,
        createdBy: userIdOf(caller) ?? undefined,
      });
      // A concurrent request with the same key committed first: this one's batch is rolled back, theirs answers.
      const jobBatchId = (job.payload as Partial<BulkIssuePayload>).batchId;
      if (jobBatchId !== created.id) throw new IdempotentReplay(String(jobBatchId));
      await recordAudit(tx, caller.audit, {
        cityId: city.id,
        action: 'badge_issue_batch.create',
        targetType: 'badge_issue_batch',
        targetId: created.id,
        after: {
          organisationId,
          fileName: created.fileName,
          totalRows: rows.length,
          skippedInvalid: preview.counts.invalid,
        },
      });
      return created;
    });
    return { batch, created: true };
  } catch (error) {
    if (!(error instanceof IdempotentReplay) || !jobKey) throw error;
    const earlier = await findBatchIdByJobKey(db, BULK_ISSUE_JOB, jobKey);
    return replay(error.batchId, earlier?.contentHash ?? '');
  }
}

// ── Issuing: the job ──────────────────────────────────────────────────────────────────────────────────────────────

/** Thrown when the worker is stopping: the chunk in hand rolls back and the job is retried later. */
export class BulkIssueInterrupted extends Error {
  override name = 'BulkIssueInterrupted';
}

function awardEvidence(input: BatchRowInput) {
  if (!input.evidenceUrl && !input.narrative) return [];
  return [
    {
      ...(input.evidenceUrl ? { id: input.evidenceUrl } : {}),
      ...(input.narrative ? { narrative: input.narrative } : {}),
    },
  ];
}

function failureText(error: AppError): string {
  const details = error.details.map((detail) => detail.problem).filter(Boolean);
  return details.length ? `${error.message} (${details.join('; ')})` : error.message;
}

/**
 * Issues one chunk of rows inside the caller's transaction, through `issueCredentials` (a handful of statements for
 * the chunk), and returns each row's outcome. Rows whose key was issued before are skipped with that credential; a row
 * refused at issue time (a missing prerequisite …) fails with the reason and leaves nothing behind, and the other rows
 * still go through.
 */
async function issueChunk(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  rows: { line: number; input: BatchRowInput }[],
  signal: AbortSignal | undefined,
): Promise<RowOutcome[]> {
  if (signal?.aborted) throw new BulkIssueInterrupted('The worker is stopping; the batch carries on later.');
  const results = await issueCredentials(
    tx,
    config,
    city,
    audit,
    rows.map(({ input }) => ({
      badgeClassId: input.badgeId,
      recipient: { email: input.email, ...(input.name ? { name: input.name } : {}) },
      route: 'bulk' as const,
      idempotencyKey: input.key,
      evidence: awardEvidence(input),
    })),
  );
  return rows.map(({ line }, index): RowOutcome => {
    const result = results[index];
    if (!result) throw new Error(`No outcome for line ${line} of a bulk issue.`);
    if (!result.ok) return { line, status: 'failed', credentialId: null, error: failureText(result.error) };
    return {
      line,
      status: result.created ? 'issued' : 'skipped',
      credentialId: result.credentialId,
      error: null,
    };
  });
}

/** The job reports progress at most this often (and once at the end): each report is a statement and a commit. */
const JOB_PROGRESS_EVERY_MS = 1000;

export interface ProcessOptions {
  signal?: AbortSignal;
  chunkSize?: number;
  /**
   * Called with the batch's counters after a chunk — at most every `progressEveryMs` (default: after each chunk) and
   * at the end (the worker's progress bar and heartbeat, the command line's line).
   */
  onProgress?: (batch: BatchRecord) => Promise<void> | void;
  progressEveryMs?: number;
}

async function cityById(db: SqlRunner, cityId: string): Promise<CityRecord> {
  const slug = await findCitySlug(db, cityId);
  const city = slug ? await findCityBySlug(db, slug) : undefined;
  if (!city) throw new PermanentJobError(`The city ${cityId} of a bulk issue no longer exists.`);
  return city;
}

/**
 * Issues every pending row of a batch, a chunk per transaction, and completes it. Safe to run again after a crash
 * (rows still pending are issued; nothing twice) and alongside another run of the same batch (they take different
 * rows). Returns the batch as it ends.
 */
export async function processBulkIssue(
  db: Database,
  config: Config,
  cityId: string,
  batchId: string,
  audit: AuditContext,
  options: ProcessOptions = {},
): Promise<BatchRecord> {
  const city = await cityById(db, cityId);
  const batch = await findBatch(db, city.id, batchId);
  if (!batch) throw new PermanentJobError(`The bulk issue ${batchId} no longer exists.`);
  if (batch.status === 'completed') return batch;
  await markBatchRunning(db, city.id, batchId);
  const chunkSize = options.chunkSize ?? BULK_CHUNK_SIZE;
  const progressEveryMs = options.progressEveryMs ?? 0;
  let lastReport = performance.now();
  let unreported = false;
  // Chunks are taken after the last line issued; when none are left there, one pass from the start picks up rows
  // another run had locked and then left pending (a rolled-back chunk).
  let afterLine = 0;
  for (;;) {
    if (options.signal?.aborted) throw new BulkIssueInterrupted('The worker is stopping; the batch carries on later.');
    const lastLine = await db.transaction(async (tx) => {
      const rows = await takePendingRows(tx, city.id, batchId, chunkSize, afterLine);
      if (rows.length === 0) return undefined;
      const outcomes = await issueChunk(tx, config, city, audit, rows, options.signal);
      await recordOutcomes(tx, city.id, batchId, outcomes);
      return (rows.at(-1) as { line: number }).line;
    });
    if (lastLine === undefined) {
      if (afterLine === 0) break;
      afterLine = 0;
      continue;
    }
    afterLine = lastLine;
    unreported = true;
    if (options.onProgress && performance.now() - lastReport >= progressEveryMs) {
      await options.onProgress((await findBatch(db, city.id, batchId)) as BatchRecord);
      lastReport = performance.now();
      unreported = false;
    }
  }
  await completeBatchIfDone(db, city.id, batchId);
  const finished = (await findBatch(db, city.id, batchId)) as BatchRecord;
  if (unreported) await options.onProgress?.(finished);
  return finished;
}

/** The job: issues the batch, reporting progress (also the worker's heartbeat); a batch that cannot finish fails. */
export function bulkIssueHandler(config: Config): JobHandler {
  return async (job, context) => {
    const payload = job.payload as Partial<BulkIssuePayload>;
    if (!job.cityId || !payload.batchId || !payload.audit)
      throw new PermanentJobError('A bulk issue job needs its city, batch and audit context.');
    const { batchId, audit } = payload as BulkIssuePayload;
    const cityId = job.cityId;
    try {
      const batch = await processBulkIssue(context.db, config, cityId, batchId, audit, {
        signal: context.signal,
        progressEveryMs: JOB_PROGRESS_EVERY_MS,
        onProgress: (current) =>
          context.reportProgress(current.issuedRows + current.skippedRows + current.failedRows, current.totalRows),
      });
      return {
        batchId,
        issued: batch.issuedRows,
        skipped: batch.skippedRows,
        failed: batch.failedRows,
      };
    } catch (error) {
      // The job is retried (and carries on with the rows still pending) unless this was its last attempt.
      if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts)
        await markBatchFailed(context.db, cityId, batchId).catch(() => {});
      throw error;
    }
  };
}

// ── Reading batches and the report ────────────────────────────────────────────────────────────────────────────────

export async function getBulkIssue(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  batchId: string,
  caller: Caller,
): Promise<BatchRecord> {
  await authorise(db, city, organisationId, caller.actor);
  const batch = UUID.test(batchId) ? await findBatch(db, city.id, batchId) : undefined;
  if (!batch || batch.organisationId !== organisationId) throw new AppError('BULK_ISSUE_NOT_FOUND');
  return batch;
}

export const BATCH_PAGE_SIZE = 20;

function decodeCursor(cursor: string | undefined): { createdAt: string; id: string } | null {
  if (!cursor) return null;
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || !UUID.test(id) || Number.isNaN(new Date(createdAt).getTime()))
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/after', problem: 'is not a cursor of this list' }]);
  return { createdAt, id };
}

const encodeCursor = (batch: BatchRecord) =>
  Buffer.from(`${new Date(batch.createdAt).toISOString()}|${batch.id}`, 'utf8').toString('base64url');

/** The organisation's batches, newest first. */
export async function listBulkIssues(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  caller: Caller,
  options: { after?: string; limit?: number } = {},
): Promise<{ items: BatchRecord[]; next: string | null }> {
  await authorise(db, city, organisationId, caller.actor);
  const limit = Math.min(Math.max(options.limit ?? BATCH_PAGE_SIZE, 1), 100);
  const rows = await listBatches(db, city.id, organisationId, decodeCursor(options.after), limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? encodeCursor(last) : null };
}

/** How a row ended, as the report says it. */
export type RowOutcomeName = 'pending' | 'issued' | 'already_issued' | 'invalid' | 'failed';

export function outcomeOf(row: Pick<BatchRowRecord, 'status' | 'credentialId'>): RowOutcomeName {
  if (row.status === 'skipped') return row.credentialId ? 'already_issued' : 'invalid';
  return row.status;
}

/** Rows of a batch (e.g. the failed ones for its page), in file order. */
export async function batchRows(
  db: SqlRunner,
  city: CityRecord,
  batch: BatchRecord,
  options: { status?: BatchRowRecord['status']; limit?: number } = {},
): Promise<BatchRowRecord[]> {
  return listBatchRows(db, city.id, batch.id, { status: options.status, limit: options.limit ?? 50 });
}

/** A cell a spreadsheet would run as a formula starts with a quote instead. */
function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The per-row report: line, email, badge, outcome, credential URL and error, one row per line of the file. */
export async function bulkIssueReportCsv(
  db: SqlRunner,
  config: Config,
  city: CityRecord,
  batch: BatchRecord,
): Promise<string> {
  const lines: string[][] = [['line', 'email', 'badge', 'outcome', 'credential_url', 'error']];
  for (let after = 0; ; ) {
    const rows = await listBatchRows(db, city.id, batch.id, { afterLine: after, limit: 2000 });
    if (rows.length === 0) break;
    for (const row of rows) {
      lines.push([
        String(row.line),
        safeCell(row.input.email),
        safeCell(row.input.badge),
        outcomeOf(row),
        row.credentialId ? credentialUrl(config, city.slug, row.credentialId) : '',
        safeCell(row.error ?? ''),
      ]);
    }
    after = (rows.at(-1) as BatchRowRecord).line;
  }
  return stringify(lines, { record_delimiter: '\r\n' });
}

/** The counters of a batch as the API and the progress bar show them. */
export function batchCounts(batch: BatchRecord) {
  const done = batch.issuedRows + batch.skippedRows + batch.failedRows;
  return {
    total: batch.totalRows,
    issued: batch.issuedRows,
    skipped: batch.skippedRows,
    failed: batch.failedRows,
    pending: Math.max(0, batch.totalRows - done),
    done,
    percent: batch.totalRows === 0 ? 100 : Math.floor((done / batch.totalRows) * 100),
  };
}
