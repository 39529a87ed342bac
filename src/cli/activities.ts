import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../server/errors.ts';
import { recordAudit } from '../server/modules/audit/audit.service.ts';
import type { ImportProblem, ImportReport } from '../server/modules/activities/imports.service.ts';
import { cliCaller, type RunAction } from './cities.ts';
import { withDatabase } from './commands.ts';
import { organisationForCli } from './organisations.ts';
import { EXIT_USAGE, UsageError } from './output.ts';

interface ImportOptions {
  city: string;
  org: string;
  file: string;
  skipInvalid?: boolean;
  publish?: boolean;
  json?: boolean;
}

interface ImportSummary {
  file: string;
  kind: 'csv' | 'ical';
  written: boolean;
  created: number;
  updated: number;
  skipped: number;
  unchanged: number;
  failed: number;
  /** Each failed row: its problems in English, and with their stable keys and params in `problemDetails`. */
  failures: { line: number; externalUid: string | null; problems: string[]; problemDetails: ImportProblem[] }[];
  /** Notes in English (`line N: …` for a row's). */
  warnings: string[];
}

/** A row problem as the CLI prints it: English, after its column. */
const englishProblem = (p: { column?: string; problem: string }) =>
  p.column ? `${p.column}: ${p.problem}` : p.problem;

/** A row problem with its key and params (as the API's import report gives them). */
const problemDetail = (p: ImportProblem): ImportProblem => ({
  ...(p.column ? { column: p.column } : {}),
  ...(p.field ? { field: p.field } : {}),
  problem: p.problem,
  key: p.key,
  params: p.params,
});

function summaryText(summary: ImportSummary, options: ImportOptions): string {
  const lines = [
    `${summary.written ? 'Imported' : 'Nothing imported from'} ${path.basename(summary.file)} (${summary.kind.toUpperCase()}) ` +
      `for ${options.org} in ${options.city}: ${summary.created} created, ${summary.updated} updated, ` +
      `${summary.skipped} skipped, ${summary.failed} failed.`,
  ];
  for (const failure of summary.failures) {
    for (const problem of failure.problems) lines.push(`  line ${failure.line}: ${problem}`);
  }
  if (!summary.written && summary.failed > 0) {
    lines.push('Fix these rows and run the command again, or add --skip-invalid to import the others.');
  }
  for (const warning of summary.warnings) lines.push(`  note: ${warning}`);
  return lines.join('\n');
}

/** `learnscape activities import`: a CSV or iCalendar file into an organisation's activities, like the web import. */
export function registerActivitiesCommands(program: Command, run: RunAction): void {
  const activities = program.command('activities').description("Bulk operations on a city's activities");

  activities
    .command('import')
    .description(
      'Import activities from a CSV or iCalendar file (matched on external id / UID, so re-running updates them). ' +
        'Nothing is written when a row has errors, unless --skip-invalid is given. Exit code 2 when nothing was written.',
    )
    .requiredOption('--city <slug>', 'the city')
    .requiredOption('--org <id-or-slug>', 'the organisation the activities belong to')
    .requiredOption('--file <path>', 'a .csv or .ics file (at most 5 MB)')
    .option('--skip-invalid', 'import the valid rows and report the others as failed')
    .option('--publish', 'publish at once instead of submitting for review')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: ImportOptions, out) => {
        const [{ getCityForAdmin }, { insertImport, markImportCommitted }, imports] = await Promise.all([
          import('../server/modules/cities/cities.admin.service.ts'),
          import('../server/modules/activities/imports.repo.ts'),
          import('../server/modules/activities/imports.service.ts'),
        ]);
        const { analyseFile, importProblems, MAX_IMPORT_BYTES, writeRows } = imports;
        let content: string;
        try {
          const stat = await fs.stat(options.file);
          if (stat.size > MAX_IMPORT_BYTES) throw new UsageError(`${options.file} is larger than 5 MB; split it.`);
          content = (await fs.readFile(options.file, 'utf8')).replace(/^\uFEFF/, '');
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError(
            `Cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          );
        }
        const fileName = path.basename(options.file);
        const summary = await withDatabase(out.config(), async (db) => {
          const city = await getCityForAdmin(db, options.city);
          const organisation = await organisationForCli(db, city, options.org);
          const analysed = await analyseFile(db, city, organisation.id, { fileName, content });
          if (analysed.fatal.length > 0) {
            throw new AppError('IMPORT_HAS_ERRORS', `${fileName} cannot be imported.`, importProblems(analysed));
          }
          const invalid = analysed.rows.filter((row) => !row.input || row.problems.length > 0);
          const base = {
            file: options.file,
            kind: analysed.kind,
            // The CLI speaks English: each note's English text.
            warnings: [
              ...analysed.warnings.map((w) => w.problem),
              ...analysed.rows.flatMap((row) => row.warnings.map((w) => `line ${row.line}: ${w.problem}`)),
            ],
          };
          if (invalid.length > 0 && !options.skipInvalid) {
            return {
              ...base,
              written: false,
              created: 0,
              updated: 0,
              skipped: 0,
              unchanged: 0,
              failed: invalid.length,
              failures: invalid.map((row) => ({
                line: row.line,
                externalUid: row.externalUid,
                problems: row.problems.map(englishProblem),
                problemDetails: row.problems.map(problemDetail),
              })),
            } satisfies ImportSummary;
          }
          const caller = cliCaller();
          const report: ImportReport = await db.transaction(async (tx) => {
            const record = await insertImport(tx, {
              cityId: city.id,
              organisationId: organisation.id,
              userId: null,
              fileName,
              content,
              mapping: analysed.mapping,
            });
            const written = await writeRows(tx, city, organisation.id, analysed, caller, {
              skipInvalid: options.skipInvalid,
              publish: options.publish,
            });
            await markImportCommitted(tx, record.id, written);
            await recordAudit(tx, caller.audit, {
              cityId: city.id,
              action: 'activity.import',
              targetType: 'organisation',
              targetId: organisation.id,
              after: {
                importId: record.id,
                fileName,
                created: written.created,
                updated: written.updated,
                failed: written.failed,
              },
            });
            return written;
          });
          const problemsByLine = new Map(invalid.map((row) => [row.line, row.problems]));
          return {
            ...base,
            written: true,
            created: report.created,
            updated: report.updated,
            skipped: report.skipped,
            unchanged: report.unchanged,
            failed: report.failed,
            failures: report.items
              .filter((item) => item.outcome === 'failed')
              .map((item) => {
                const problems = problemsByLine.get(item.line);
                return {
                  line: item.line,
                  externalUid: item.externalUid,
                  problems: problems?.map(englishProblem) ?? item.problems,
                  problemDetails: problems?.map(problemDetail) ?? (item.problemDetails ?? []).map(problemDetail),
                };
              }),
          } satisfies ImportSummary;
        });
        out.result(summary, () => summaryText(summary, options));
        if (!summary.written) process.exitCode = EXIT_USAGE;
      }),
    );
}
