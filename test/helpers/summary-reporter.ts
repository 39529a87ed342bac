import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line CI reads: `N passed, N failed, N skipped`, after the slowest test files (the suite
 * has a time budget; this shows where it goes).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but must still count as a failure.
      if (testModule.state() === 'failed' && testModule.children.size === 0) failed++;
    }
    const slowest = testModules
      .map((testModule) => ({
        name: `${testModule.project.name} ${testModule.moduleId.replace(`${process.cwd()}/`, '')}`,
        seconds: testModule.diagnostic().duration / 1000,
      }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 25);
    process.stdout.write('\nSlowest test files:\n');
    for (const file of slowest) process.stdout.write(`${file.seconds.toFixed(1).padStart(7)} s  ${file.name}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
