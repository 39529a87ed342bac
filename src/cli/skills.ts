import path from 'node:path';
import type { Command } from 'commander';
import type { EscoImportSummary, EscoProgress } from '../server/modules/skills/esco-import.ts';
import { withDatabase } from './commands.ts';
import type { Output } from './output.ts';

type Run = <O>(action: (options: O, out: Output) => Promise<void>) => (options: O) => Promise<void>;

/** A progress bar on a terminal, or one line per step when stderr is a file or pipe. */
function progressReporter(out: Output): { update(progress: EscoProgress): void; done(): void } {
  const stderr = out.io.stderr;
  const tty = stderr.isTTY === true;
  let lastStep = '';
  let lastDraw = 0;
  return {
    update(progress) {
      const label = `${progress.phase === 'read' ? 'Checking' : 'Writing'} ${progress.step}`;
      if (!tty) {
        if (progress.total !== undefined && progress.done === progress.total && label !== lastStep) {
          out.info(`${label}: ${progress.total.toLocaleString('en')} done`);
          lastStep = label;
        }
        return;
      }
      const now = Date.now();
      const finished = progress.total !== undefined && progress.done >= progress.total;
      if (!finished && now - lastDraw < 100 && label === lastStep) return;
      lastDraw = now;
      if (label !== lastStep && lastStep) stderr.write('\n');
      lastStep = label;
      const width = 30;
      const ratio = progress.total ? Math.min(1, progress.done / progress.total) : 0;
      const bar = progress.total ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : '';
      const count = `${progress.done.toLocaleString('en')}${progress.total ? ` / ${progress.total.toLocaleString('en')}` : ''}`;
      stderr.write(`\r${label.padEnd(44).slice(0, 44)} ${bar}${count}\u001b[K`);
    },
    done() {
      if (tty && lastStep) stderr.write('\n');
    },
  };
}

function summaryText(summary: EscoImportSummary): string {
  const n = (value: number) => value.toLocaleString('en');
  const lines = [
    `Imported ESCO ${summary.version || ''} (${summary.languages.join(', ')}) from ${summary.folder} in ${(summary.durationMs / 1000).toFixed(1)} s:`,
    `  skills and knowledge   ${n(summary.skills.created)} new, ${n(summary.skills.updated)} updated`,
    `  skill groups           ${n(summary.skillGroups.created)} new, ${n(summary.skillGroups.updated)} updated`,
    `  occupations            ${n(summary.occupations.created)} new, ${n(summary.occupations.updated)} updated`,
    `  labels                 ${n(summary.labels)}`,
    `  hierarchy links        ${n(summary.broaderRelations)}`,
    `  occupation–skill links ${n(summary.occupationSkillRelations)}`,
    `  skill–skill links      ${n(summary.skillSkillRelations)}`,
  ];
  for (const skipped of summary.skipped)
    lines.push(`  skipped ${n(skipped.rows)} row(s) of ${skipped.file}: ${skipped.reason}`);
  if (summary.ignoredFiles.length > 0) lines.push(`  not used: ${summary.ignoredFiles.join(', ')}`);
  lines.push('Cities choose ESCO for their skills spine with PUT /api/v1/cities/<city>/skill-frameworks.');
  return lines.join('\n');
}

/** `learnscape import esco <folder>` and `learnscape import frameworks`. */
export function registerSkillsCommands(program: Command, run: Run): void {
  const importCommand = program.command('import').description('Import reference data (competence frameworks, ESCO)');

  importCommand
    .command('esco')
    .description(
      'Import the official ESCO CSV export (skills, skill groups, occupations, relations; one or more languages). ' +
        'Idempotent: importing again updates. A broken file imports nothing and exits with code 2',
    )
    .argument('<folder>', 'the unpacked ESCO CSV download (sub-folders are searched)')
    .option('--esco-version <version>', 'the ESCO version, e.g. 1.2.0 (read from the folder name when it holds v1.x.y)')
    .option('--json', 'print the summary as JSON')
    .action((folder: string, options: { escoVersion?: string; json?: boolean }) =>
      run<{ escoVersion?: string; json?: boolean }>(async (opts, out) => {
        const config = out.config();
        const { importEsco } = await import('../server/modules/skills/esco-import.ts');
        const progress = progressReporter(out);
        const summary = await withDatabase(config, (db) =>
          importEsco(db, path.resolve(folder), { version: opts.escoVersion, onProgress: progress.update }).finally(
            progress.done,
          ),
        );
        out.result(summary, () => summaryText(summary));
      })(options),
    );

  importCommand
    .command('frameworks')
    .description('Load or refresh the bundled frameworks (DigComp 2.2, EntreComp, LifeComp, GreenComp)')
    .option('--json', 'print the result as JSON')
    .action(
      run<{ json?: boolean }>(async (_options, out) => {
        const config = out.config();
        const { ensureBundledFrameworks } = await import('../server/modules/skills/bundled-frameworks.ts');
        const updated = await withDatabase(config, (db) => ensureBundledFrameworks(db));
        out.result({ updated }, () =>
          updated.length > 0 ? `Loaded: ${updated.join(', ')}` : 'The bundled frameworks are up to date.',
        );
      }),
    );
}
