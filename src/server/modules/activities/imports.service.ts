import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { listAddresses } from '../organisations/organisations.repo.ts';
import { assertCityOpen, type Caller, organisationInCity } from '../organisations/organisations.service.ts';
import {
  buildSkillIndex,
  columnForPointer,
  type CsvMapping,
  isMappableField,
  MAX_CSV_VENUES,
  mappableFields,
  parseCsv,
  rowsToInputs,
  skillReferences,
  suggestMapping,
  venuesInMapping,
} from './activities.csv.ts';
import { type ImportRow, type ParsedImport, parseICalendar } from './activities.ical.ts';
import type { VenueInput } from './activities.model.ts';
import {
  type AnyProblemKey,
  importNote,
  keyedRecord,
  type ProblemLike,
  type ProblemParams,
} from './activities.problems.ts';
import { canEditActivity, importActivity } from './activities.service.ts';
import { validateActivityInput } from './activities.validation.ts';
import {
  findImport,
  findSpineSkillsByCode,
  type ImportRecord,
  insertImport,
  listImports,
  markImportCommitted,
  updateImportMapping,
} from './imports.repo.ts';

/**
 * CSV and iCalendar imports of an organisation's activities: upload → suggested mapping, preview and a per-row report
 * → (change the mapping, re-checked) → commit, which writes every row in ONE transaction through `importActivity`
 * (matched on the external id, so the same file twice leaves one set of activities). A file with a fatal problem or
 * any row error writes nothing (IMPORT_HAS_ERRORS, with each row's problems); committing twice returns the stored
 * report (IMPORT_ALREADY_COMMITTED). The command line may instead skip invalid rows (`skipInvalid`).
 */

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;
const PREVIEW_ROWS = 20;

export type ImportKind = 'csv' | 'ical';

export interface AnalysedFile extends ParsedImport {
  kind: ImportKind;
  headers: string[];
  mapping: CsvMapping;
  preview: { line: number; cells: string[] }[];
}

/**
 * A problem of a row or a file: the English `problem` text, and its stable key and params, which say it in any language
 * (`imports:problems.<key>` for the readers' own, `activities:problems.<key>` for the catalogue's validation).
 */
export interface ImportProblem {
  column?: string;
  field?: string;
  problem: string;
  key: AnyProblemKey;
  params: ProblemParams;
}

/** A note: its English text, key and params. */
export type ImportNoteView = Pick<ImportProblem, 'problem' | 'key' | 'params'>;

export interface ImportRowView {
  line: number;
  externalUid: string | null;
  title: string;
  valid: boolean;
  problems: ImportProblem[];
  /** Notes in English, and the same with their keys in `warningDetails`. */
  warnings: string[];
  warningDetails: ImportNoteView[];
}

export interface ImportReport {
  created: number;
  updated: number;
  /** Rows identical to what is stored, plus events left out on purpose (cancelled). */
  skipped: number;
  unchanged: number;
  failed: number;
  items: {
    line: number;
    externalUid: string | null;
    outcome: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
    activityId: string | null;
    slug: string | null;
    /** The problems (a failed row) or the reason (a skipped event) as English text. */
    problems: string[];
    /**
     * The same with their keys and params, so a page or client can say them in the reader's language. Reports stored
     * before reasons had keys lack it; `reportWithKeys` fills it in for them.
     */
    problemDetails?: ImportProblem[];
  }[];
}

export interface ImportView {
  id: string;
  fileName: string;
  kind: ImportKind;
  status: 'uploaded' | 'committed';
  createdAt: Date;
  committedAt: Date | null;
  headers: string[];
  mapping: CsvMapping;
  /** Fields a column can be mapped to (CSV). */
  fields: string[];
  preview: { line: number; cells: string[] }[];
  fatal: ImportNoteView[];
  /** File-level notes in English, and the same with their keys in `warningDetails`. */
  warnings: string[];
  warningDetails: ImportNoteView[];
  rows: ImportRowView[];
  counts: { rows: number; valid: number; invalid: number; skipped: number };
  report: ImportReport | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function userIdOf(caller: Caller): string | null {
  return caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null;
}

async function authorise(db: SqlRunner, city: CityRecord, organisationId: string, caller: Caller): Promise<void> {
  if (!UUID.test(organisationId)) throw new AppError('ORGANISATION_NOT_FOUND');
  await organisationInCity(db, city, organisationId);
  if (caller.actor !== 'system' && !canEditActivity(caller.actor, city.id, organisationId))
    throw new AppError('FORBIDDEN');
}

/** CSV or iCalendar, by content first (a calendar starts with BEGIN:VCALENDAR), then by the file name. */
export function detectKind(fileName: string, content: string): ImportKind {
  if (/^\uFEFF?\s*BEGIN:VCALENDAR/i.test(content)) return 'ical';
  return /\.(ics|ical|ifb|icalendar)$/i.test(fileName) ? 'ical' : 'csv';
}

/** The organisation's first address: where events with a place but no coordinates are put (with a warning). */
async function fallbackVenue(db: SqlRunner, cityId: string, organisationId: string): Promise<VenueInput | null> {
  const [address] = await listAddresses(db, cityId, organisationId);
  return address
    ? {
        name: address.label,
        street: address.street,
        postcode: address.postcode,
        locality: address.locality,
        lat: address.lat,
        lon: address.lon,
      }
    : null;
}

function titleOf(row: ImportRow, city: CityRecord): string {
  const title = row.input?.title ?? {};
  return title[city.defaultLanguage] ?? Object.values(title)[0] ?? '';
}

/**
 * Reads a file for an organisation: parses it, resolves skill codes in the city's spine, and checks every row with
 * the catalogue's own validation, so the report shows what committing would meet. Pure apart from look-ups.
 */
export async function analyseFile(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  file: { fileName: string; content: string; mapping?: CsvMapping | null },
): Promise<AnalysedFile> {
  const kind = detectKind(file.fileName, file.content);
  const venue = await fallbackVenue(db, city.id, organisationId);
  let analysed: AnalysedFile;
  if (kind === 'ical') {
    analysed = {
      ...parseICalendar(file.content, city, { fallbackVenue: venue }),
      kind,
      headers: [],
      mapping: {},
      preview: [],
    };
  } else {
    const { table, fatal } = parseCsv(file.content);
    const mapping =
      file.mapping && Object.keys(file.mapping).length > 0
        ? file.mapping
        : suggestMapping(table.headers, city.languages);
    if (fatal.length > 0) {
      analysed = { kind, headers: table.headers, mapping, preview: [], fatal, rows: [], skipped: [], warnings: [] };
    } else {
      // Look up the skill codes the file names (both "framework:code" and the bare code).
      const skillColumns = Object.entries(mapping)
        .filter(([, f]) => f === 'skills')
        .map(([h]) => table.headers.indexOf(h));
      const codes = new Set<string>();
      for (const row of table.rows) {
        for (const index of skillColumns) {
          for (const { ref } of skillReferences(row.cells[index] ?? '')) {
            codes.add(ref);
            const colon = ref.indexOf(':');
            if (colon > 0) codes.add(ref.slice(colon + 1));
          }
        }
      }
      const skills = buildSkillIndex(await findSpineSkillsByCode(db, city.id, [...codes]));
      analysed = {
        ...rowsToInputs(table, mapping, city, { skills, fallbackVenue: venue }),
        kind,
        headers: table.headers,
        mapping,
        preview: table.rows.slice(0, PREVIEW_ROWS),
      };
    }
  }
  if (analysed.rows.length > MAX_IMPORT_ROWS) {
    analysed.fatal.push(importNote('too_many_rows', { rows: analysed.rows.length, max: MAX_IMPORT_ROWS }));
  }
  // The catalogue's rules (dates, venues inside the city, rules that end, …) for each row that parsed.
  for (const row of analysed.rows) {
    if (!row.input) continue;
    const { problems } = validateActivityInput(city, row.input);
    if (problems.length === 0) continue;
    row.problems.push(
      ...problems.map((p) => ({
        line: row.line,
        field: p.field,
        column:
          kind === 'csv' && p.field ? columnForPointer(p.field, analysed.mapping, city.defaultLanguage) : undefined,
        problem: p.problem,
        key: p.key,
        params: p.params,
      })),
    );
    row.input = null;
  }
  return analysed;
}

/** A note or problem as the views and reports keep it: its English text, key and params. */
const noteView = (note: ProblemLike): ImportNoteView => keyedRecord(note);

function rowView(row: ImportRow, city: CityRecord): ImportRowView {
  return {
    line: row.line,
    externalUid: row.externalUid,
    title: titleOf(row, city),
    valid: row.input !== null && row.problems.length === 0,
    problems: row.problems.map(({ column, field, ...problem }) => ({
      ...(column ? { column } : {}),
      ...(field ? { field } : {}),
      ...noteView(problem),
    })),
    warnings: row.warnings.map((note) => note.problem),
    warningDetails: row.warnings.map(noteView),
  };
}

/**
 * A stored report with every item's `problemDetails`: reports committed before problems had keys get them from their
 * English text (`recorded_problem`, or the reason of a cancelled event), so every failure in an answer has a key.
 */
export function reportWithKeys(report: ImportReport | null): ImportReport | null {
  if (!report || !Array.isArray(report.items)) return report;
  return {
    ...report,
    items: report.items.map((item) => {
      if (Array.isArray(item.problemDetails)) {
        return {
          ...item,
          problemDetails: item.problemDetails.map((detail) => ({ ...detail, ...keyedRecord(detail) })),
        };
      }
      const problems = Array.isArray(item.problems) ? item.problems : [];
      return {
        ...item,
        problemDetails: problems.map((problem) =>
          item.outcome === 'skipped' && problem === 'cancelled'
            ? noteView(importNote('ical_cancelled'))
            : keyedRecord({ problem }),
        ),
      };
    }),
  };
}

function view(
  record: Pick<ImportRecord, 'id' | 'fileName' | 'status' | 'createdAt' | 'committedAt' | 'report'>,
  analysed: AnalysedFile,
  city: CityRecord,
): ImportView {
  const rows = analysed.rows.map((row) => rowView(row, city));
  return {
    id: record.id,
    fileName: record.fileName,
    kind: analysed.kind,
    status: record.status,
    createdAt: record.createdAt,
    committedAt: record.committedAt,
    headers: analysed.headers,
    mapping: analysed.mapping,
    // The numbered venues the file uses, and one more to map a further venue's columns to.
    fields:
      analysed.kind === 'csv'
        ? mappableFields(city.languages, Math.min(MAX_CSV_VENUES, venuesInMapping(analysed.mapping) + 1))
        : [],
    preview: analysed.preview,
    fatal: analysed.fatal.map(noteView),
    warnings: analysed.warnings.map((note) => note.problem),
    warningDetails: analysed.warnings.map(noteView),
    rows,
    counts: {
      rows: rows.length,
      valid: rows.filter((r) => r.valid).length,
      invalid: rows.filter((r) => !r.valid).length,
      skipped: analysed.skipped.length,
    },
    report: reportWithKeys((record.report as ImportReport | null) ?? null),
  };
}

/** The problems of a file as error details: fatal ones first, then each row's (with `line` and `column`). */
/**
 * The problems of a file as error details: fatal ones first, then each row's (with `line` and `column`). Each has
 * its key and params; `problem` is English, prefixed with the line and column for rows.
 */
export function importProblems(analysed: AnalysedFile): ErrorDetail[] {
  return [
    ...analysed.fatal.map((f) => ({ problem: f.problem, key: f.key, params: f.params })),
    ...analysed.rows.flatMap((row) =>
      row.problems.map((p) => ({
        field: p.field,
        problem: `line ${row.line}${p.column ? `, column "${p.column}"` : ''}: ${p.problem}`,
        line: row.line,
        ...(p.column ? { column: p.column } : {}),
        key: p.key,
        params: p.params,
      })),
    ),
  ];
}

const MAX_FILE_NAME = 200;

function checkFile(fileName: string, content: string): void {
  if (Buffer.byteLength(content, 'utf8') > MAX_IMPORT_BYTES) {
    const detail = importNote('file_too_large', { megabytes: MAX_IMPORT_BYTES / 1024 / 1024 });
    throw new AppError('PAYLOAD_TOO_LARGE', detail.problem, [{ field: '/file', ...detail }]);
  }
  if (content.includes('\u0000'))
    throw new AppError('FILE_UNREADABLE', undefined, [{ field: '/file', ...importNote('file_binary') }]);
  if (fileName.length > MAX_FILE_NAME) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/fileName', ...importNote('file_name_too_long', { max: MAX_FILE_NAME }) },
    ]);
  }
}

/** Stores an uploaded file and returns the suggested mapping, the preview and the per-row report. */
export async function createImport(
  db: Database,
  city: CityRecord,
  organisationId: string,
  file: { fileName: string; content: string },
  caller: Caller,
): Promise<ImportView> {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const fileName = file.fileName.trim() || 'upload';
  const content = file.content.replace(/^\uFEFF/, '');
  checkFile(fileName, content);
  const analysed = await analyseFile(db, city, organisationId, { fileName, content });
  const record = await insertImport(db, {
    cityId: city.id,
    organisationId,
    userId: userIdOf(caller),
    fileName,
    content,
    mapping: analysed.mapping,
  });
  return view(record, analysed, city);
}

async function loadImport(db: SqlRunner, city: CityRecord, organisationId: string, importId: string, lock = false) {
  const record = UUID.test(importId) ? await findImport(db, city.id, organisationId, importId, lock) : undefined;
  if (!record) throw new AppError('IMPORT_NOT_FOUND');
  return record;
}

export async function getImport(
  db: Database,
  city: CityRecord,
  organisationId: string,
  importId: string,
  caller: Caller,
): Promise<ImportView> {
  await authorise(db, city, organisationId, caller);
  const record = await loadImport(db, city, organisationId, importId);
  return view(record, await analyseFile(db, city, organisationId, record), city);
}

export async function listOrganisationImports(db: SqlRunner, city: CityRecord, organisationId: string, caller: Caller) {
  await authorise(db, city, organisationId, caller);
  return listImports(db, city.id, organisationId);
}

/** Changes a CSV import's column mapping (the columns named; the others keep theirs) and checks every row again. */
export async function updateMapping(
  db: Database,
  city: CityRecord,
  organisationId: string,
  importId: string,
  mapping: CsvMapping,
  caller: Caller,
): Promise<ImportView> {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const record = await loadImport(db, city, organisationId, importId);
  if (record.status === 'committed')
    throw new AppError('IMPORT_ALREADY_COMMITTED', undefined, [
      { problem: 'committed', report: reportWithKeys(record.report as ImportReport) },
    ]);
  if (detectKind(record.fileName, record.content) === 'ical') {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/mapping', ...importNote('mapping_ical') }]);
  }
  const { table } = parseCsv(record.content);
  // Columns the request does not name keep their field.
  const clean: CsvMapping = { ...record.mapping };
  const problems: ErrorDetail[] = [];
  for (const [header, field] of Object.entries(mapping)) {
    if (!table.headers.includes(header))
      problems.push({ field: `/mapping/${header}`, ...importNote('mapping_unknown_column', { column: header }) });
    else if (field !== '' && !isMappableField(field, city.languages))
      problems.push({
        field: `/mapping/${header}`,
        ...importNote('mapping_unknown_field', { field, column: header }),
      });
    else clean[header] = field;
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  for (const header of table.headers) clean[header] ??= '';
  await updateImportMapping(db, record.id, clean);
  return view(record, await analyseFile(db, city, organisationId, { ...record, mapping: clean }), city);
}

/**
 * Writes an analysed file in the caller's transaction. All-or-nothing by default: the first failing row throws
 * IMPORT_HAS_ERRORS (rolling everything back). With `skipInvalid`, invalid rows are counted as failed and each row is
 * written under a savepoint, so one bad row does not undo the others.
 */
export async function writeRows(
  tx: SqlRunner,
  city: CityRecord,
  organisationId: string,
  analysed: AnalysedFile,
  caller: Caller,
  options: { skipInvalid?: boolean; publish?: boolean; feedId?: string | null } = {},
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, skipped: 0, unchanged: 0, failed: 0, items: [] };
  const source = analysed.kind === 'ical' ? 'ical' : 'csv';
  for (const skipped of analysed.skipped) {
    report.skipped++;
    report.items.push({
      line: skipped.line,
      externalUid: skipped.externalUid,
      outcome: 'skipped',
      activityId: null,
      slug: null,
      problems: [skipped.reason.problem],
      problemDetails: [noteView(skipped.reason)],
    });
  }
  for (const row of analysed.rows) {
    if (!row.input || row.problems.length > 0) {
      report.failed++;
      report.items.push({
        line: row.line,
        externalUid: row.externalUid,
        outcome: 'failed',
        activityId: null,
        slug: null,
        problems: row.problems.map((p) => p.problem),
        problemDetails: row.problems.map(({ column, line: _line, field, ...p }) => ({
          ...(column ? { column } : {}),
          ...(field ? { field } : {}),
          ...noteView(p),
        })),
      });
      continue;
    }
    if (options.skipInvalid) await tx.exec('SAVEPOINT import_row');
    try {
      const { outcome, activity } = await importActivity(tx, city, organisationId, row.input, caller, {
        source,
        feedId: options.feedId ?? null,
        publish: options.publish,
      });
      if (options.skipInvalid) await tx.exec('RELEASE SAVEPOINT import_row');
      if (outcome === 'created') report.created++;
      else if (outcome === 'updated') report.updated++;
      else {
        report.unchanged++;
        report.skipped++;
      }
      report.items.push({
        line: row.line,
        externalUid: row.externalUid,
        outcome,
        activityId: activity.id,
        slug: activity.slug,
        problems: [],
        problemDetails: [],
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const details = refusal(error, row);
      if (!options.skipInvalid) {
        throw new AppError(
          'IMPORT_HAS_ERRORS',
          undefined,
          details.map((detail) => ({
            ...detail,
            problem: `line ${row.line}: ${detail.problem}`,
            line: row.line,
          })),
        );
      }
      await tx.exec('ROLLBACK TO SAVEPOINT import_row');
      report.failed++;
      report.items.push({
        line: row.line,
        externalUid: row.externalUid,
        outcome: 'failed',
        activityId: null,
        slug: null,
        problems: details.map((d) => d.problem),
        problemDetails: details,
      });
    }
  }
  return report;
}

/**
 * Why the catalogue refused to write a row, each reason keyed: its validation problems as they are; a taken short name,
 * an organisation the city has not approved, or any other refusal (by its error code) under the readers' keys.
 */
function refusal(error: AppError, row: ImportRow): ImportProblem[] {
  const keyed = error.details.filter((detail) => keyedRecord(detail as ProblemLike).key !== 'recorded_problem');
  if (error.details.length > 0 && keyed.length === error.details.length) {
    return error.details.map((detail) => ({
      ...(typeof detail.field === 'string' ? { field: detail.field } : {}),
      ...keyedRecord(detail as ProblemLike),
    }));
  }
  if (error.code === 'ACTIVITY_SLUG_TAKEN')
    return [{ field: '/slug', ...importNote('activity_slug_taken', { slug: row.input?.slug ?? '' }) }];
  if (error.code === 'ACTIVITY_STATE_CONFLICT') return [importNote('organisation_not_approved')];
  return [importNote('row_refused', { code: error.code })];
}

/** Writes every row of an uploaded file in one transaction; see the module comment for the rules. */
export async function commitImport(
  db: Database,
  city: CityRecord,
  organisationId: string,
  importId: string,
  caller: Caller,
  options: { skipInvalid?: boolean; publish?: boolean } = {},
): Promise<ImportReport> {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  return db.transaction(async (tx) => {
    const record = await loadImport(tx, city, organisationId, importId, true);
    if (record.status === 'committed') {
      throw new AppError('IMPORT_ALREADY_COMMITTED', undefined, [
        { problem: 'This import has already been carried out.', report: reportWithKeys(record.report as ImportReport) },
      ]);
    }
    const analysed = await analyseFile(tx, city, organisationId, record);
    const problems = importProblems(analysed);
    if (analysed.fatal.length > 0 || (problems.length > 0 && !options.skipInvalid)) {
      throw new AppError('IMPORT_HAS_ERRORS', undefined, problems);
    }
    const report = await writeRows(tx, city, organisationId, analysed, caller, options);
    await markImportCommitted(tx, record.id, report);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'activity.import',
      targetType: 'organisation',
      targetId: organisationId,
      after: {
        importId: record.id,
        fileName: record.fileName,
        created: report.created,
        updated: report.updated,
        skipped: report.skipped,
        failed: report.failed,
      },
    });
    return report;
  });
}
