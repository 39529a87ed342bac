import { localDateTime } from './time-zones.ts';
import { renderEmail } from '../../../web/emails/email.ts';
import { isSupportedLanguage, type Language, translatorFor } from '../../../web/i18n.ts';
import { loadConfig } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { queueEmail } from '../../mail/email-jobs.ts';
import type { Actor, UserActor } from '../accounts/actor.ts';
import { hashSecret, newSecret } from '../accounts/sessions.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import {
  alertingSavedSearches,
  citiesWithAlerts,
  countUserSavedSearches,
  type DigestRecipient,
  deleteUserSavedSearch,
  digestRecipients,
  findCityById,
  findSavedSearchByUnsubscribeHash,
  findUserSavedSearch,
  insertSavedSearch,
  listUserSavedSearches,
  markAlerted,
  type SavedSearchRecord,
  setUnsubscribeTokenHashes,
  unsubscribeSavedSearchByHash,
  updateUserSavedSearch,
} from './saved-searches.repo.ts';
import { parseSearchParams, type SearchHit, searchActivities, searchParamNames } from './search.service.ts';

export type { SavedSearchRecord };

/** A person keeps at most this many saved searches in one city. */
export const MAX_SAVED_SEARCHES = 50;
/** How many new matches one digest lists per saved search (the rest are counted). */
export const DIGEST_MATCHES_PER_SEARCH = 10;
/** The digest goes out once the city's local time has passed this hour. */
export const DIGEST_LOCAL_HOUR = 7;
export const SAVED_SEARCH_DIGEST = 'activities.saved-search-digest';
export const SAVED_SEARCH_LIMIT_PROBLEM = `at most ${MAX_SAVED_SEARCHES} saved searches per city; delete one first`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The shape of the secret in a "stop these emails" link (`newSecret()`: base64url). */
const UNSUBSCRIBE_TOKEN = /^[\w-]{20,100}$/;

export interface SavedSearchInput {
  name?: string;
  /** The search page's query parameters as given; only the search's own parameter names are kept. */
  query: Record<string, unknown>;
  alertDaily?: boolean;
}

function userOf(actor: Actor | null): UserActor {
  if (!actor) throw new AppError('UNAUTHENTICATED');
  if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'This needs a signed-in person, not an API token.');
  return actor;
}

/**
 * The search parameters worth keeping, as given: the search's own names only (never page cursors, page sizes, the
 * CSRF token or the name field), with empty values dropped. Throws VALIDATION_FAILED when the search itself is invalid.
 */
export function cleanSavedQuery(raw: Record<string, unknown>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of searchParamNames) {
    const value = raw[name];
    const values = (Array.isArray(value) ? value : [value])
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
      .map((v) => String(v).trim())
      .filter(Boolean)
      .slice(0, 50);
    if (values.length === 0) continue;
    query[name] = values.length === 1 && !Array.isArray(value) ? (values[0] as string) : values;
  }
  try {
    parseSearchParams(query);
  } catch (error) {
    if (error instanceof AppError) {
      throw new AppError(
        'VALIDATION_FAILED',
        undefined,
        error.details.map((detail) => ({ ...detail, field: `/query${detail.field ?? ''}` })),
      );
    }
    throw error;
  }
  return query;
}

export async function createSavedSearch(
  db: Database,
  city: CityRecord,
  actor: Actor | null,
  input: SavedSearchInput,
  defaultName: string,
): Promise<SavedSearchRecord> {
  const user = userOf(actor);
  const problems: ErrorDetail[] = [];
  const name = (input.name ?? '').trim() || defaultName;
  if (name.length > 120) problems.push({ field: '/name', problem: 'at most 120 characters' });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  const query = cleanSavedQuery(input.query ?? {});
  return db.transaction(async (tx) => {
    // One person's saves are serialised by locking their row, so the limit holds under concurrent posts.
    await tx.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.userId]);
    if ((await countUserSavedSearches(tx, city.id, user.userId)) >= MAX_SAVED_SEARCHES) {
      throw new AppError('VALIDATION_FAILED', `You can keep up to ${MAX_SAVED_SEARCHES} saved searches in a city.`, [
        { problem: SAVED_SEARCH_LIMIT_PROBLEM },
      ]);
    }
    return insertSavedSearch(tx, {
      cityId: city.id,
      userId: user.userId,
      name,
      query,
      alertDaily: input.alertDaily ?? true,
    });
  });
}

export function listSavedSearches(db: SqlRunner, city: CityRecord, actor: Actor | null): Promise<SavedSearchRecord[]> {
  return listUserSavedSearches(db, city.id, userOf(actor).userId);
}

export async function getSavedSearch(
  db: SqlRunner,
  city: CityRecord,
  actor: Actor | null,
  id: string,
): Promise<SavedSearchRecord> {
  const found = UUID.test(id) ? await findUserSavedSearch(db, city.id, userOf(actor).userId, id) : undefined;
  if (!found) throw new AppError('SAVED_SEARCH_NOT_FOUND');
  return found;
}

export async function updateSavedSearch(
  db: SqlRunner,
  city: CityRecord,
  actor: Actor | null,
  id: string,
  changes: { name?: string; alertDaily?: boolean },
): Promise<SavedSearchRecord> {
  const user = userOf(actor);
  const name = changes.name?.trim();
  if (changes.name !== undefined && (!name || name.length > 120)) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/name', problem: 'give a name of 1 to 120 characters' },
    ]);
  }
  const updated = UUID.test(id)
    ? await updateUserSavedSearch(db, city.id, user.userId, id, {
        ...(name ? { name } : {}),
        ...(changes.alertDaily === undefined ? {} : { alertDaily: changes.alertDaily }),
      })
    : undefined;
  if (!updated) throw new AppError('SAVED_SEARCH_NOT_FOUND');
  return updated;
}

export async function deleteSavedSearch(
  db: SqlRunner,
  city: CityRecord,
  actor: Actor | null,
  id: string,
): Promise<void> {
  const user = userOf(actor);
  if (!UUID.test(id) || !(await deleteUserSavedSearch(db, city.id, user.userId, id))) {
    throw new AppError('SAVED_SEARCH_NOT_FOUND');
  }
}

/** The search page URL (path and query) that runs a saved search again. */
export function savedSearchPath(citySlug: string, query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const name of searchParamNames) {
    const value = query[name];
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(name, v);
  }
  const text = params.toString();
  return `/c/${citySlug}/activities${text ? `?${text}` : ''}`;
}

/** The page, without signing in, that turns off one saved search's emails (the digest links to it). */
export function savedSearchUnsubscribePath(citySlug: string, token: string): string {
  return `/c/${citySlug}/saved-searches/unsubscribe/${token}`;
}

/**
 * The saved search a digest's "stop these emails" link points at, for the page that asks first (looking at the link
 * never changes anything: mail scanners open links). SAVED_SEARCH_LINK_INVALID when the link is unknown, was used, or
 * a newer digest replaced it.
 */
export async function describeUnsubscribeLink(
  db: SqlRunner,
  city: CityRecord,
  token: string,
): Promise<SavedSearchRecord> {
  const found = UNSUBSCRIBE_TOKEN.test(token)
    ? await findSavedSearchByUnsubscribeHash(db, city.id, hashSecret(token))
    : undefined;
  if (!found) throw new AppError('SAVED_SEARCH_LINK_INVALID');
  return found;
}

/** Turns off a saved search's daily emails through its link, without signing in; the link then stops working. */
export async function unsubscribeByLink(db: SqlRunner, city: CityRecord, token: string): Promise<SavedSearchRecord> {
  const updated = UNSUBSCRIBE_TOKEN.test(token)
    ? await unsubscribeSavedSearchByHash(db, city.id, hashSecret(token))
    : undefined;
  if (!updated) throw new AppError('SAVED_SEARCH_LINK_INVALID');
  return updated;
}

/**
 * Whether a person's saved-search alerts may be emailed. Accounts awaiting a guardian's consent (`limited`) keep their
 * saved searches but get no alert emails until consent is given: alerts are optional messages the person asked for,
 * which is consent a minor under the city's consent age cannot give alone (see `policies.ts`). Their alert mark does not
 * move, so once consent is given the first digest lists what they missed (capped per search).
 */
export function digestAllowed(status: string, emailVerified: boolean): boolean {
  return status === 'active' && emailVerified;
}

// ── The daily digest ───────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Enqueues today's digest for each city with alerting saved searches, once its local morning has come; the city and
 * its local date are the idempotency key, so the hourly maintenance may call this as often as it likes.
 * Returns the number of cities whose digest job exists for today.
 */
export async function scheduleSavedSearchDigests(db: Database, now = new Date(), publicUrl?: string): Promise<number> {
  let scheduled = 0;
  for (const { cityId } of await citiesWithAlerts(db)) {
    const city = await findCityById(db, cityId);
    if (city?.status !== 'active') continue;
    const local = localDateTime(now, city.timeZone);
    if (local.hour < DIGEST_LOCAL_HOUR) continue;
    await enqueueJob(db, city.id, {
      type: SAVED_SEARCH_DIGEST,
      payload: { cityId: city.id, date: local.date, publicUrl: publicUrl ?? null },
      idempotencyKey: `${city.id}:${local.date}`,
    });
    scheduled += 1;
  }
  return scheduled;
}

function emailLanguage(recipient: DigestRecipient, city: CityRecord): Language {
  const candidate = [...recipient.languages, city.defaultLanguage, ...city.languages].find(
    (language) => city.languages.includes(language) && isSupportedLanguage(language),
  );
  return isSupportedLanguage(candidate) ? candidate : 'en';
}

export interface DigestSection {
  search: SavedSearchRecord;
  hits: SearchHit[];
  total: number;
  /** The secret of this search's "stop these emails" link in this email (only its hash is stored). */
  unsubscribeToken?: string;
}

/** The digest email of one person: their saved searches with new matches, linked to the activity pages. */
export function renderDigestEmail(
  language: Language,
  context: { city: CityRecord; publicUrl: string; recipientName: string },
  sections: DigestSection[],
) {
  const t = translatorFor(language);
  const { city, publicUrl } = context;
  const name = cityName(city, language);
  const total = sections.reduce((sum, section) => sum + section.total, 0);
  const manageUrl = `${publicUrl}/c/${city.slug}/saved-searches`;
  const paragraphs: string[] = [t('activity:digest.intro', { city: name })];
  for (const section of sections) {
    const lines = [t('activity:digest.searchHeading', { name: section.search.name })];
    for (const hit of section.hits) lines.push(`• ${hit.title}: ${publicUrl}/c/${city.slug}/activities/${hit.slug}`);
    if (section.total > section.hits.length) {
      lines.push(t('activity:digest.more', { count: section.total - section.hits.length }));
      lines.push(`${publicUrl}${savedSearchPath(city.slug, section.search.query)}`);
    }
    if (section.unsubscribeToken) {
      lines.push(
        `${t('activity:digest.stopSearch', { name: section.search.name })}: ${publicUrl}${savedSearchUnsubscribePath(city.slug, section.unsubscribeToken)}`,
      );
    }
    paragraphs.push(lines.join('\n'));
  }
  return renderEmail(language, {
    subject: t('activity:digest.subject', { count: total, city: name }),
    greeting: t('activity:digest.greeting', { name: context.recipientName }),
    paragraphs,
    action: { label: t('activity:digest.action'), url: manageUrl },
    footer: t('activity:digest.footer', { url: manageUrl }),
  });
}

const RECIPIENT_PAGE = 200;

/**
 * The digest job of one city: for each person with alerting saved searches (who may be emailed), finds activities
 * published since each search's `last_alerted_at` that match it (through the search itself), sends one email listing
 * them, and moves the searches' mark to the start of the run — in one transaction, so a failed run sends again.
 */
export const savedSearchDigestHandler: JobHandler = async (job, { db, reportProgress, signal }) => {
  const payload = job.payload as { cityId?: string; publicUrl?: string | null };
  const city = payload.cityId ? await findCityById(db, payload.cityId) : undefined;
  if (!city) return { skipped: 'city not found' };
  // Links in emails are absolute: the scheduler passes the public URL; otherwise this process's own configuration.
  const publicUrl = payload.publicUrl ?? loadConfig().publicUrl;
  return runSavedSearchDigest(db, city, { publicUrl, signal, reportProgress });
};

export async function runSavedSearchDigest(
  db: Database,
  city: CityRecord,
  options: {
    publicUrl: string;
    now?: Date;
    signal?: AbortSignal;
    reportProgress?: (done: number, total?: number, message?: string) => Promise<void>;
  },
): Promise<{ people: number; emails: number; matches: number }> {
  const runAt = options.now ?? new Date();
  let after: string | null = null;
  let people = 0;
  let emails = 0;
  let matches = 0;
  for (;;) {
    const recipients: DigestRecipient[] = await digestRecipients(db, city.id, after, RECIPIENT_PAGE);
    if (recipients.length === 0) break;
    for (const recipient of recipients) {
      if (options.signal?.aborted) throw new Error('The digest was stopped; it will resume where it left off.');
      const searches = await alertingSavedSearches(db, city.id, recipient.userId);
      const language = emailLanguage(recipient, city);
      const sections: DigestSection[] = [];
      const seen = new Set<string>();
      for (const search of searches) {
        let query: ReturnType<typeof parseSearchParams>;
        try {
          query = parseSearchParams({ ...search.query, limit: String(DIGEST_MATCHES_PER_SEARCH) });
        } catch {
          continue; // A search saved under older rules that no longer parses matches nothing.
        }
        query.cursor = null;
        const result = await searchActivities(db, city, query, {
          language,
          now: runAt,
          facets: false,
          publishedSince: new Date(search.lastAlertedAt),
        });
        // Published after the run began: the next run (from `runAt`) lists it.
        const hits = result.items.filter((hit) => hit.publishedAt && hit.publishedAt.getTime() < runAt.getTime());
        const late = result.items.length - hits.length;
        const fresh = hits.filter((hit) => !seen.has(hit.id));
        for (const hit of fresh) seen.add(hit.id);
        if (fresh.length > 0)
          sections.push({ search, hits: fresh, total: Math.max(fresh.length, result.total - late) });
      }
      const ids = searches.map((search) => search.id);
      // Each search in the email gets a fresh "stop these emails" secret; only its hash is stored, in the transaction
      // that moves the mark. A newer digest replaces the hash, so only the link in the latest email works.
      const links = sections.map((section) => {
        section.unsubscribeToken = newSecret();
        return { id: section.search.id, tokenHash: hashSecret(section.unsubscribeToken) };
      });
      await db.transaction(async (tx) => {
        if (sections.length > 0) {
          await setUnsubscribeTokenHashes(tx, links);
          const rendered = renderDigestEmail(
            language,
            { city, publicUrl: options.publicUrl, recipientName: recipient.displayName },
            sections,
          );
          await queueEmail(tx, city.id, {
            to: recipient.email,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            language: rendered.language,
          });
        }
        await markAlerted(tx, ids, runAt);
      });
      people += 1;
      if (sections.length > 0) emails += 1;
      matches += sections.reduce((sum, section) => sum + section.hits.length, 0);
    }
    after = recipients.at(-1)?.userId ?? null;
    await options.reportProgress?.(people, undefined, `${emails} emails`);
    if (recipients.length < RECIPIENT_PAGE) break;
  }
  return { people, emails, matches };
}
