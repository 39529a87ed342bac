import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where startDemoServer() keeps this run's seeded demo data directories (see browser.ts). */
    demoTemplateRoot: string;
  }
}

/**
 * Gives the browser tests of this run a directory for the demo template. The first test file that starts a demo server
 * seeds it there (while other projects' tests keep running); the rest copy it. Removed when the run ends.
 */
export default function setup(project: TestProject) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-e2e-template-'));
  project.provide('demoTemplateRoot', root);
  return () => fs.rmSync(root, { recursive: true, force: true });
}
