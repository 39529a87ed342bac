import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where createTestDatabase() keeps this run's migrated PGlite data directory (see test-db.ts). */
    pgliteTemplateRoot: string;
  }
}

/** Gives the PGlite test files of this run a directory for the migrated template; removed when the run ends. */
export default function setup(project: TestProject) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-pglite-template-'));
  project.provide('pgliteTemplateRoot', root);
  return () => fs.rmSync(root, { recursive: true, force: true });
}
