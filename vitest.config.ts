import { defineConfig } from 'vitest/config';

// Tests that touch the database run twice: once on embedded PGlite, once on PostgreSQL.
// Pure tests (the credentials engine, *.unit.test.ts, test/unit) run once.
const dbTests = ['src/server/**/*.test.ts', 'src/cli/**/*.test.ts', 'test/integration/**/*.test.ts'];
const pureTests = ['src/credentials/**/*.test.ts', 'src/**/*.unit.test.ts', 'test/unit/**/*.test.ts'];
const notDbTests = ['**/*.unit.test.ts', 'src/credentials/**', '**/node_modules/**'];

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
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
