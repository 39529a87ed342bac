import { AppError } from './errors.ts';

// Keyset pages of lists ordered by a time and an id: the cursor is the last row's time and id, base64url-encoded.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeTimeCursor(at: Date | null, id: string): string {
  return Buffer.from(JSON.stringify([at ? new Date(at).toISOString() : null, id])).toString('base64url');
}

/** The time and id of a cursor from `encodeTimeCursor`; a 400 for anything else. */
export function decodeTimeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || !UUID.test(id)) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/cursor', problem: 'The page cursor is not valid.' },
    ]);
  }
}

/** The size of a page asked for: 25 unless given, at least 1 and at most 100. */
export function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 25, 1), 100);
}

/**
 * A page from rows read with one more than its `limit`: the first `limit` rows, and the cursor after the last of
 * them when more follow. `timeOf` is the time the list is ordered by.
 */
export function keysetPage<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  timeOf: (row: Row) => Date | null,
): { items: Row[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeTimeCursor(timeOf(last), last.id) : null };
}
