import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** Runs `learnscape …` as a separate process, as an operator would, with optional standard input. */
  run(args: string[], input?: string): Promise<CliRun>;
  drop(): Promise<void>;
}

/**
 * A database of its own for command-line tests on the project's engine: a fresh embedded data directory, or an empty
 * PostgreSQL database (the commands migrate it themselves).
 */
export async function createCliEnvironment(extraEnv: Record<string, string> = {}): Promise<CliEnvironment> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ls-cli-')),
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
    drop: async () => database?.drop(),
  };
}
