import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite keeps the whole database inside one process; two processes on one data directory silently lose data.
 * The lock file holds the owner's pid. A lock whose process is gone is stale and is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database in ${path.dirname(lockFile)} is already open in process ${holderPid}. ` +
        'Stop that process first, or point DATA_DIR elsewhere, or use PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock or throws DataDirLockedError. Returns a function that releases it. */
export function lockDataDir(directory: string): () => void {
  fs.mkdirSync(directory, { recursive: true });
  const lockFile = path.join(directory, 'learnscape.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (readHolder(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockFile);
      if (holder !== undefined && holder !== process.pid && processIsAlive(holder)) {
        throw new DataDirLockedError(lockFile, holder);
      }
      if (holder === process.pid) throw new DataDirLockedError(lockFile, holder);
      // Stale (dead holder, or a half-written file): remove it and try again.
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockFile}; another process keeps racing for it.`);
}
