import { defineConfig } from 'vitest/config';

// Tests that touch the database run twice: once on embedded PGlite, once on PostgreSQL.
// Pure tests (the credentials engine, *.unit.test.ts, test/unit) run once.
const dbTests = ['src/server/**/*.test.ts', 'src/cli/**/*.test.ts', 'test/integration/**/*.test.ts'];
const pureTests = ['src/credentials/**/*.test.ts', 'src/**/*.unit.test.ts', 'test/unit/**/*.test.ts'];
const notDbTests = ['**/*.unit.test.ts', 'src/credentials/**', '**/node_modules/**'];

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Two files at a time on two cores (Vitest's default leaves one core idle), and test files share their worker's
    // module cache instead of importing the whole app again per file: the suite's time budget is 15 minutes on 2 cores.
    // Every test file builds its own app and database, and environment stubs are undone after each file.
    maxWorkers: 2,
    isolate: false,
    unstubEnvs: true,
    projects: [
      { test: { name: 'unit', include: pureTests, testTimeout: 30_000 } },
      {
        test: {
          name: 'pglite',
          include: dbTests,
          exclude: notDbTests,
          env: { LEARNSCAPE_TEST_ENGINE: 'pglite' },
          // Migrates once per run into a data directory that each file's database copies (test/helpers/test-db.ts).
          globalSetup: ['./test/helpers/pglite-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: dbTests,
          exclude: notDbTests,
          env: { LEARNSCAPE_TEST_ENGINE: 'postgres' },
          globalSetup: ['./test/helpers/postgres-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.ts'],
          env: { LEARNSCAPE_TEST_ENGINE: 'pglite' },
          // The demo is seeded once per run into a template that each file's server copies (test/helpers/browser.ts).
          globalSetup: ['./test/helpers/browser-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
