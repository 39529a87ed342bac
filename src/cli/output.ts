import { AppError } from '../server/errors.ts';
import { ConfigError } from '../server/config.ts';
import { DataDirLockedError } from '../server/db/data-dir-lock.ts';

/** Exit codes: 0 done, 1 failed while running, 2 bad usage or input (fix the command and run again). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Output {
  json: boolean;
  /** Prints a result: JSON for scripts, or the text for people. */
  result(value: unknown, text: () => string): void;
  info(line: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
    },
    // Progress and notes go to stderr so `--json` output stays parseable.
    info(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

/** Prints an error so a person knows what to do, and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  let code = 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  let details: unknown[] = [];
  let exitCode = EXIT_FAILURE;
  if (error instanceof AppError) {
    code = error.code;
    details = error.details;
    exitCode = error.status < 500 ? EXIT_USAGE : EXIT_FAILURE;
  } else if (error instanceof UsageError || error instanceof ConfigError) {
    code = error instanceof ConfigError ? 'INVALID_CONFIG' : 'USAGE';
    exitCode = EXIT_USAGE;
  } else if (error instanceof DataDirLockedError) {
    code = 'DATA_DIR_LOCKED';
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: { code, message, details } }, null, 2)}\n`);
  } else {
    process.stderr.write(`Error: ${message}\n`);
    for (const detail of details as { field?: string; problem: string }[]) {
      process.stderr.write(`  ${detail.field ? `${detail.field}: ` : ''}${detail.problem}\n`);
    }
  }
  return exitCode;
}
