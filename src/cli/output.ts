import { AppError } from '../server/errors.ts';
import { type Config, ConfigError, loadConfig } from '../server/config.ts';
import { DataDirLockedError } from '../server/db/data-dir-lock.ts';

/** Exit codes: 0 done, 1 failed while running, 2 bad usage or input (fix the command and run again). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A stream the command line writes to: the process's own, or a test's capture. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where one run of the command line takes its settings and input from and writes to. The real command uses the
 * process's; tests run commands in-process with their own. Commands never read `process.env` or write to
 * `process.stdout` themselves.
 */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: AsyncIterable<Buffer | string>;
  stdout: OutStream;
  stderr: OutStream;
}

export function processIo(): CliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

export interface Output {
  json: boolean;
  io: CliIo;
  /** The configuration from this run's environment (the same variables as the server). */
  config(): Config;
  /** Prints a result: JSON for scripts, or the text for people. */
  result(value: unknown, text: () => string): void;
  info(line: string): void;
}

export function createOutput(json: boolean, io: CliIo = processIo()): Output {
  return {
    json,
    io,
    config: () => loadConfig(io.env),
    result(value, text) {
      io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
    },
    // Progress and notes go to stderr so `--json` output stays parseable.
    info(line) {
      io.stderr.write(`${line}\n`);
    },
  };
}

/** Reads all of standard input (e.g. a piped password), without its final line break. */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Prints an error so a person knows what to do, and returns the exit code. */
export function reportError(error: unknown, json: boolean, io: CliIo = processIo()): number {
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
    io.stdout.write(`${JSON.stringify({ error: { code, message, details } }, null, 2)}\n`);
  } else {
    io.stderr.write(`Error: ${message}\n`);
    for (const detail of details as { field?: string; problem: string }[]) {
      io.stderr.write(`  ${detail.field ? `${detail.field}: ` : ''}${detail.problem}\n`);
    }
  }
  return exitCode;
}
