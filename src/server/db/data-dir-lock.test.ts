import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgliteDataDir, testEngine } from '../../../test/helpers/test-db.ts';
import { openDatabase } from './client.ts';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';

// These tests are about the embedded engine's data directory; they run in the PGlite project.
describe.runIf(testEngine === 'pglite')('the embedded database data directory', () => {
  const freshDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ls-datadir-'));

  it('refuses a second opener and names the holder', async () => {
    const dataDir = await pgliteDataDir();
    const first = await openDatabase({ dataDir });
    try {
      const second = openDatabase({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(second).rejects.toThrow(new RegExp(`already open in process ${process.pid}`));
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'learnscape.lock'))).toBe(false);
  });

  it('refuses while another live process holds the lock', () => {
    const dataDir = freshDir();
    // The parent of this test process is alive for sure.
    fs.writeFileSync(path.join(dataDir, 'learnscape.lock'), `${process.ppid}\n`);
    expect(() => lockDataDir(dataDir)).toThrow(DataDirLockedError);
  });

  it('recovers a stale lock left by a dead process or a torn write', () => {
    for (const content of ['2147483646\n', 'garbage']) {
      const dataDir = freshDir();
      fs.writeFileSync(path.join(dataDir, 'learnscape.lock'), content);
      const release = lockDataDir(dataDir);
      expect(fs.readFileSync(path.join(dataDir, 'learnscape.lock'), 'utf8').trim()).toBe(String(process.pid));
      release();
    }
  });

  it('keeps data across a restart', async () => {
    const dataDir = await pgliteDataDir();
    const before = await openDatabase({ dataDir });
    await migrate(before);
    await before.query("INSERT INTO users (email, display_name) VALUES ('kept@example.org', 'Kept')");
    await before.close();
    const after = await openDatabase({ dataDir });
    try {
      const rows = await after.query<{ email: string }>('SELECT email FROM users');
      expect(rows).toEqual([{ email: 'kept@example.org' }]);
    } finally {
      await after.close();
    }
  });
});
