import type { Database } from '../../db/client.ts';

/**
 * `activity_search_rows` (migration 0013) rewritten in place order, so that the candidates of a search within a map
 * view share pages again after a day of writes put new and changed rows wherever there was room. Writes to the
 * catalogue wait while it runs (about a minute at a million activities, a fraction of a second for a city's thousands);
 * searches do not. The statistics are gathered afterwards, outside the writers' wait.
 */
export async function reorderSearchRows(db: Database): Promise<{ rows: number }> {
  const rows = await db.transaction(async (tx) => {
    const [row] = await tx.query<{ written: string }>('SELECT activity_search_rows_reorder() AS written');
    return Number(row?.written ?? 0);
  });
  await db.exec('ANALYZE activity_search_rows');
  return { rows };
}
