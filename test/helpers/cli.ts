import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/output.ts';
import { createTestDatabase, testEngine, type TestDatabase } from './test-db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnvironment {
  /** The environment the commands run with; tests may change it between runs. */
  env: NodeJS.ProcessEnv;
  /**
   * Runs `learnscape …` as a separate process, as an operator would, with optional standard input. Each start costs
   * a few seconds of CPU: keep at least one per test file (the operator's view), and use `runInProcess` for the rest.
   */
  run(args: string[], input?: string): Promise<CliRun>;
  /** Runs the same command in this process (see `runInProcess`), with this environment. */
  runInProcess(args: string[], input?: string): Promise<CliRun>;
  drop(): Promise<void>;
}

/**
 * Runs `learnscape …args` inside the test process: the commander program from `buildCli()`, with `env` as its
 * environment, `input` as standard input and its output captured. The exit code is what the command left in
 * `process.exitCode` (restored afterwards). Like the real process, each command opens and closes its own database,
 * so the embedded database's data directory is free again when this returns.
 */
export async function runInProcess(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  const { runCli } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { ...env },
    stdin: Readable.from(input === undefined ? [] : [Buffer.from(input)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await runCli(args, io);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = saved;
  }
}

/**
 * A database of its own for command-line tests on the project's engine: a fresh embedded data directory, or an empty
 * PostgreSQL database (the commands migrate it themselves).
 */
export async function createCliEnvironment(extraEnv: Record<string, string> = {}): Promise<CliEnvironment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-cli-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...extraEnv,
  };
  let database: TestDatabase | undefined;
  if (testEngine === 'postgres') {
    database = await createTestDatabase({ migrated: false });
    env.DATABASE_URL = database.databaseUrl;
  }
  return {
    env,
    run(args, input) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, 'bin/learnscape.mjs'), ...args], { env, cwd: root });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input ?? '');
      });
    },
    runInProcess: (args, input) => runInProcess(args, env, input),
    async drop() {
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
