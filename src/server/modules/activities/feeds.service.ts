import { loadConfig } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { FetchRefusedError, type FetchRefusedReason, isPrivateHostName, safeFetch } from '../../net/safe-fetch.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { cliAuditContext, recordAudit } from '../audit/audit.service.ts';
import { type CityRecord, findCityBySlug } from '../cities/cities.repo.ts';
import { assertCityOpen, type Caller, organisationInCity } from '../organisations/organisations.service.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import { type ImportNote, importNote, keyedRecord, type ProblemLike } from './activities.problems.ts';
import { archiveActivity, canEditActivity } from './activities.service.ts';
import {
  deleteFeedRow,
  type FeedEventFailure,
  type FeedProblem,
  type FeedRecord,
  findFeed,
  findFeedById,
  insertFeed,
  listDueFeeds,
  listFeedRows,
  listVanishedFeedActivities,
  recordFeedSync,
  updateFeedSettings,
} from './imports.repo.ts';
import { analyseFile, writeRows } from './imports.service.ts';

/**
 * iCalendar feeds of an organisation, re-read on a schedule: each sync fetches the URL (http(s) only, 15 s, at most
 * 5 MB; private and loopback addresses refused unless ALLOW_PRIVATE_FEED_URLS), upserts every event by UID through
 * `importActivity`, archives the feed's activities whose events have disappeared (or were cancelled), and records the
 * outcome on the feed. Unlike an upload, one bad event does not stop the others: it is counted as failed.
 *
 * Every failure is recorded with a stable key and params (`imports:problems.<key>`: `feed_*` for fetching, the
 * iCalendar reader's own keys for a feed that is not a calendar, `feed_events_failed` with the failed events' keyed
 * problems), so the imports page says it in the reader's language; `last_error` keeps the English text.
 */

export const FEED_SYNC = 'activities.feed-sync';
export const FEED_MAX_BYTES = 5 * 1024 * 1024;
export const FEED_TIMEOUT_MS = 15_000;
/** How many of a sync's failed events the feed keeps (with their problems) for the imports page and the API. */
export const FEED_FAILED_EVENTS_KEPT = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ── Fetching ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** A feed URL as stored: http(s), or webcal(s) (the calendar-app spelling of https). */
export function normaliseFeedUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim().replace(/^webcals?:\/\//i, 'https://'));
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  url.hash = '';
  return url.toString();
}

/** A feed that could not be fetched: the message is English; `note` carries its key and params. */
export class FeedFetchError extends Error {
  override name = 'FeedFetchError';

  constructor(readonly note: ImportNote) {
    super(note.problem);
  }
}

/** Why a fetch was refused, as a feed problem with its key and params. */
function fetchRefusal(error: FetchRefusedError): ImportNote {
  const reasons: Record<FetchRefusedReason, () => ImportNote> = {
    bad_scheme: () => importNote('feed_bad_address'),
    private_address: () => importNote('feed_private_address'),
    too_large: () =>
      importNote('feed_too_large', {
        megabytes: Number(((error.detail.limit ?? FEED_MAX_BYTES) / 1024 / 1024).toFixed(2)),
      }),
    timeout: () => importNote('feed_timeout'),
    too_many_redirects: () => importNote('feed_too_many_redirects'),
    http_status: () => importNote('feed_http_status', { status: error.detail.status ?? 0 }),
    // 404 and 410 answer with their status; a name that does not resolve has none (ENOTFOUND).
    not_found: () =>
      error.detail.status === undefined
        ? importNote('feed_unreachable', { code: error.detail.code ?? 'ENOTFOUND' })
        : importNote('feed_http_status', { status: error.detail.status }),
    unreachable: () => importNote('feed_unreachable', { code: error.detail.code ?? 'unreachable' }),
  };
  return reasons[error.reason]();
}

/**
 * Fetches a feed's text through the shared SSRF-safe fetch (src/server/net/safe-fetch.ts): http(s) only, at most five
 * redirects (each checked again), within the time and size limits. Private and loopback hosts are refused unless
 * `allowPrivate`.
 */
export async function fetchFeed(
  rawUrl: string,
  options: { allowPrivate: boolean; timeoutMs?: number; maxBytes?: number },
): Promise<string> {
  const url = normaliseFeedUrl(rawUrl);
  if (!url) throw new FeedFetchError(importNote('feed_bad_address'));
  try {
    const { bytes } = await safeFetch(url, {
      allowPrivateHosts: options.allowPrivate ? 'all' : [],
      timeoutMs: options.timeoutMs ?? FEED_TIMEOUT_MS,
      maxBytes: options.maxBytes ?? FEED_MAX_BYTES,
      accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1',
      userAgent: 'Learnscape feed reader',
    });
    return bytes.toString('utf8');
  } catch (error) {
    if (!(error instanceof FetchRefusedError)) throw error;
    throw new FeedFetchError(fetchRefusal(error));
  }
}

// ── Feeds of an organisation ──────────────────────────────────────────────────────────────────────────────────────

async function authorise(db: SqlRunner, city: CityRecord, organisationId: string, caller: Caller): Promise<void> {
  if (!UUID.test(organisationId)) throw new AppError('ORGANISATION_NOT_FOUND');
  await organisationInCity(db, city, organisationId);
  if (caller.actor !== 'system' && !canEditActivity(caller.actor, city.id, organisationId))
    throw new AppError('FORBIDDEN');
}

async function loadFeed(db: SqlRunner, city: CityRecord, organisationId: string, feedId: string): Promise<FeedRecord> {
  const feed = UUID.test(feedId) ? await findFeed(db, city.id, organisationId, feedId) : undefined;
  if (!feed) throw new AppError('FEED_NOT_FOUND');
  return feed;
}

export async function listFeeds(db: SqlRunner, city: CityRecord, organisationId: string, caller: Caller) {
  await authorise(db, city, organisationId, caller);
  return listFeedRows(db, city.id, organisationId);
}

function checkInterval(minutes: number | undefined): number {
  const value = minutes ?? 360;
  if (!Number.isInteger(value) || value < 15 || value > 10080) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/syncIntervalMinutes', ...importNote('feed_interval') },
    ]);
  }
  return value;
}

export async function addFeed(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: { url: string; syncIntervalMinutes?: number },
  caller: Caller,
  options: { allowPrivateUrls: boolean },
): Promise<FeedRecord> {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const url = normaliseFeedUrl(input.url);
  if (!url || url.length > 2000) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/url', ...importNote('feed_url_invalid') }]);
  }
  if (!options.allowPrivateUrls && isPrivateHostName(new URL(url).hostname)) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/url', ...importNote('feed_url_private') }]);
  }
  const syncIntervalMinutes = checkInterval(input.syncIntervalMinutes);
  return db.transaction(async (tx) => {
    const feed = await insertFeed(tx, {
      cityId: city.id,
      organisationId,
      url,
      syncIntervalMinutes,
      createdBy: caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null,
    });
    if (!feed) {
      throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/url', ...importNote('feed_exists') }]);
    }
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'ical_feed.create',
      targetType: 'ical_feed',
      targetId: feed.id,
      after: { url, syncIntervalMinutes, organisationId },
    });
    return feed;
  });
}

export async function changeFeed(
  db: Database,
  city: CityRecord,
  organisationId: string,
  feedId: string,
  changes: { enabled?: boolean; syncIntervalMinutes?: number },
  caller: Caller,
): Promise<FeedRecord> {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const feed = await loadFeed(db, city, organisationId, feedId);
  const interval = changes.syncIntervalMinutes === undefined ? undefined : checkInterval(changes.syncIntervalMinutes);
  await updateFeedSettings(db, feed.id, { enabled: changes.enabled, syncIntervalMinutes: interval });
  return loadFeed(db, city, organisationId, feedId);
}

/** Removes a feed. Its activities stay as they are (they can be archived one by one). */
export async function removeFeed(
  db: Database,
  city: CityRecord,
  organisationId: string,
  feedId: string,
  caller: Caller,
) {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const feed = await loadFeed(db, city, organisationId, feedId);
  await db.transaction(async (tx) => {
    await deleteFeedRow(tx, feed.id);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'ical_feed.delete',
      targetType: 'ical_feed',
      targetId: feed.id,
      before: { url: feed.url },
    });
  });
}

/** Queues a sync now ("sync now"); repeated clicks within a minute share one job. */
export async function requestFeedSync(
  db: Database,
  city: CityRecord,
  organisationId: string,
  feedId: string,
  caller: Caller,
  now = new Date(),
) {
  assertCityOpen(city);
  await authorise(db, city, organisationId, caller);
  const feed = await loadFeed(db, city, organisationId, feedId);
  return enqueueJob(db, city.id, {
    type: FEED_SYNC,
    payload: { feedId: feed.id },
    idempotencyKey: `feed:${feed.id}:now:${Math.floor(now.getTime() / 60_000)}`,
  });
}

// ── Syncing ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface FeedSyncResult {
  status: 'ok' | 'failed';
  /** The failure in English, and its key and params (what the feed records). */
  error: string | null;
  errorKey: string | null;
  errorParams: Record<string, string | number> | null;
  counts: {
    created: number;
    updated: number;
    unchanged: number;
    skipped: number;
    failed: number;
    archived: number;
  } | null;
}

const feedCaller = (): Caller => ({ actor: 'system', audit: { ...cliAuditContext(), actorLabel: `job:${FEED_SYNC}` } });

/**
 * Reads one feed and brings its activities in line: upserts by UID, archives what vanished, records the result on
 * the feed. A feed that cannot be fetched or read is recorded as failed (its activities are left alone).
 */
export async function syncFeed(
  db: Database,
  feedId: string,
  options: { allowPrivateUrls: boolean; now?: Date; fetchText?: (url: string) => Promise<string> },
): Promise<FeedSyncResult> {
  const feed = await findFeedById(db, feedId);
  if (!feed) throw new AppError('FEED_NOT_FOUND');
  const [slug] = await db.query<{ slug: string }>('SELECT slug FROM cities WHERE id = $1', [feed.cityId]);
  const city = slug ? await findCityBySlug(db, slug.slug) : undefined;
  if (!city) throw new AppError('CITY_NOT_FOUND');
  const at = options.now ?? new Date();
  const fail = async (problem: ImportNote, english = problem.problem): Promise<FeedSyncResult> => {
    const error: FeedProblem = { problem: english, key: problem.key, params: problem.params };
    await recordFeedSync(db, feed.id, { status: 'failed', error, events: null, counts: null, at });
    return { status: 'failed', error: english, errorKey: problem.key, errorParams: problem.params, counts: null };
  };
  if (city.status === 'archived') return fail(importNote('feed_city_archived'));
  let text: string;
  try {
    text = await (options.fetchText ?? ((url) => fetchFeed(url, { allowPrivate: options.allowPrivateUrls })))(feed.url);
  } catch (error) {
    if (error instanceof FeedFetchError) return fail(error.note);
    throw error;
  }
  const analysed = await analyseFile(db, city, feed.organisationId, { fileName: 'feed.ics', content: text });
  if (analysed.kind !== 'ical' || analysed.fatal.length > 0) {
    // The reader stops a calendar at its first fatal problem; the English text names them all.
    const [first] = analysed.fatal;
    if (!first) return fail(importNote('file_not_ical'));
    return fail(first, analysed.fatal.map((f) => f.problem).join('; '));
  }
  const caller = feedCaller();
  const counts = await db.transaction(async (tx) => {
    const report = await writeRows(tx, city, feed.organisationId, analysed, caller, {
      skipInvalid: true,
      feedId: feed.id,
    });
    // Rows that failed keep their activity as it was (not archived): the publisher may fix the event.
    const live = analysed.rows.map((row) => row.externalUid).filter((uid): uid is string => Boolean(uid));
    const vanished = await listVanishedFeedActivities(tx, city.id, feed.id, live);
    return { report, vanished };
  });
  let archived = 0;
  for (const activity of counts.vanished) {
    await archiveActivity(db, city, activity.id, caller);
    archived++;
  }
  const result = {
    created: counts.report.created,
    updated: counts.report.updated,
    unchanged: counts.report.unchanged,
    skipped: counts.report.skipped,
    failed: counts.report.failed,
    archived,
  };
  // Events that could not be imported: the first five, each with its keyed problems (the English text lists them).
  const failures = counts.report.items.filter((i) => i.outcome === 'failed').slice(0, FEED_FAILED_EVENTS_KEPT);
  const events: FeedEventFailure[] = failures.map((item) => ({
    line: item.line,
    externalUid: item.externalUid,
    problems: (item.problemDetails ?? item.problems.map((problem): ProblemLike => ({ problem }))).map((detail) => ({
      ...(typeof detail.field === 'string' ? { field: detail.field } : {}),
      ...keyedRecord(detail),
    })),
  }));
  const error: FeedProblem | null =
    failures.length > 0
      ? {
          problem: failures.map((f) => `line ${f.line}: ${f.problems.join('; ')}`).join(' | '),
          key: 'feed_events_failed',
          params: { failed: result.failed },
        }
      : null;
  await recordFeedSync(db, feed.id, { status: 'ok', error, events, counts: result, at });
  return {
    status: 'ok',
    error: error?.problem ?? null,
    errorKey: error?.key ?? null,
    errorParams: error?.params ?? null,
    counts: result,
  };
}

/**
 * The `activities.feed-sync` job: `{ feedId }`. Private addresses follow the server's configuration unless given.
 * A failed fetch is recorded on the feed and not retried (the next scheduled slot tries again).
 */
export function feedSyncHandler(options: { allowPrivateUrls?: boolean } = {}): JobHandler {
  return async (job, { db }) => {
    const { feedId } = (job.payload ?? {}) as { feedId?: string };
    if (!feedId || !UUID.test(feedId)) return { status: 'failed', error: 'no feed id' };
    const feed = await findFeedById(db, feedId);
    if (!feed) return { status: 'skipped', error: 'the feed was removed' };
    return syncFeed(db, feedId, {
      allowPrivateUrls: options.allowPrivateUrls ?? loadConfig().allowPrivateFeedUrls,
    });
  };
}

/**
 * Queues a sync for every enabled feed whose interval has passed. Idempotent per feed and time slot (the slot is the
 * feed's interval), so calling it every hour, or twice, queues each due feed once. Returns how many were queued.
 */
export async function scheduleFeedSyncs(db: Database, now: Date = new Date()): Promise<number> {
  const due = await listDueFeeds(db, now);
  for (const feed of due) {
    const slot = Math.floor(now.getTime() / (feed.syncIntervalMinutes * 60_000));
    await enqueueJob(db, feed.cityId, {
      type: FEED_SYNC,
      payload: { feedId: feed.id },
      idempotencyKey: `feed:${feed.id}:${slot}`,
      maxAttempts: 2,
    });
  }
  return due.length;
}
