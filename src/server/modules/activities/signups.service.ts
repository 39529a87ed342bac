import {
  describeVenue,
  formatSessionWhen,
  renderSignupEmail,
  type SignupEmailKind,
} from '../../../web/emails/signups.ts';
import { isSupportedLanguage, type Language } from '../../../web/i18n.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { queueEmail } from '../../mail/email-jobs.ts';
import type { UserActor } from '../accounts/actor.ts';
import { hashSecret, newSecret } from '../accounts/sessions.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { awardForAttendance } from '../badges/automatic-awards.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import type { Caller } from '../organisations/organisations.service.ts';
import {
  type AttendanceRecord,
  type AttendeeRow,
  claimDueReminders,
  findActivityIdBySlug,
  findActivitySummary,
  findLiveSignup,
  findPerson,
  findSessionContext,
  findSignup,
  findSignupByTokenHash,
  firstWaitlisted,
  freePlace,
  insertSignup,
  listAttendedRows,
  listAttendeeRows,
  listSessionContexts,
  listSignupsOfUser,
  listUpcomingSessionContexts,
  lockSession,
  markCancelled,
  markConfirmed,
  type MySignupRow,
  type SessionContext,
  type SignupPerson,
  type SignupRecord,
  setAttendance,
  takePlace,
} from './signups.repo.ts';

/**
 * Taking part: learners sign up for one session of a published activity that takes sign-ups here (`signup_mode`
 * internal). A place is confirmed while the session has room and otherwise the person joins its waiting list; a
 * cancellation frees the place and hands it to the first person waiting, in the same transaction, with an email.
 * Organisers see who comes, export the list and mark attendance once the session has started.
 *
 * People whose account is limited (minors awaiting their guardian's consent) may learn, so they may sign up; the
 * organiser sees their name but not their email address.
 */

export type { AttendanceRecord, AttendeeRow, MySignupRow, SessionContext, SignupRecord };

export interface SignupResult {
  signup: SignupRecord;
  session: SessionContext;
}

/** The title of an activity in a language, falling back to the city's default, then any. */
export function titleIn(title: Record<string, string>, language: string, fallback: string): string {
  return title[language] || title[fallback] || Object.values(title).find(Boolean) || '';
}

/** The language to write to a person in: the one they are using, else the first they read that the city offers. */
export function emailLanguageFor(city: CityRecord, person: { languages: string[] }, preferred?: string): Language {
  const offered = city.languages.filter(isSupportedLanguage);
  if (preferred && isSupportedLanguage(preferred) && offered.includes(preferred)) return preferred;
  const read = person.languages.find((language) => isSupportedLanguage(language) && offered.includes(language));
  if (read && isSupportedLanguage(read)) return read;
  return isSupportedLanguage(city.defaultLanguage) ? city.defaultLanguage : 'en';
}

export const signupPaths = {
  activity: (citySlug: string, slug: string) => `/c/${citySlug}/activities/${slug}`,
  signUp: (citySlug: string, slug: string, sessionId: string) =>
    `/c/${citySlug}/activities/${slug}/sign-up?session=${sessionId}`,
  result: (citySlug: string, signupId: string) => `/c/${citySlug}/sign-ups/${signupId}`,
  cancel: (citySlug: string, token: string) => `/c/${citySlug}/sign-ups/cancel/${token}`,
  mine: (citySlug: string) => `/c/${citySlug}/my/activities`,
  attendees: (citySlug: string, organisationId: string, activityId: string, sessionId: string) =>
    `/c/${citySlug}/manage/${organisationId}/activities/${activityId}/sessions/${sessionId}/attendees`,
  sessions: (citySlug: string, organisationId: string, activityId: string) =>
    `/c/${citySlug}/manage/${organisationId}/activities/${activityId}/sign-ups`,
};

const tokenShape = /^[\w-]{20,100}$/;

async function queueSignupEmail(
  db: SqlRunner,
  city: CityRecord,
  person: SignupPerson,
  session: SessionContext,
  kind: SignupEmailKind,
  options: { language?: string; url?: string; position?: number | null },
): Promise<void> {
  const language = emailLanguageFor(city, person, options.language);
  const rendered = renderSignupEmail({
    kind,
    language,
    url: options.url,
    vars: {
      name: person.displayName,
      activity: titleIn(session.activityTitle, language, city.defaultLanguage),
      organisation: session.organisationName,
      city: cityName(city, language),
      when: formatSessionWhen(session, city.timeZone, language),
      where: describeVenue(session, language),
      position: String(options.position ?? ''),
    },
  });
  await queueEmail(db, city.id, {
    to: person.email,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    language: rendered.language,
  });
}

/** A session of a published activity of this city, or the activity's or session's 404. */
async function publishedSession(
  db: SqlRunner,
  city: CityRecord,
  activity: { id?: string; slug?: string },
  sessionId: string,
): Promise<SessionContext> {
  const session = await findSessionContext(db, city.id, sessionId);
  const activityId = activity.id ?? (activity.slug ? await findActivityIdBySlug(db, city.id, activity.slug) : null);
  if (!activityId) throw new AppError('ACTIVITY_NOT_FOUND');
  if (!session || session.activityId !== activityId) {
    const summary = await findActivitySummary(db, city.id, activityId);
    throw new AppError(summary?.status === 'published' ? 'ACTIVITY_SESSION_NOT_FOUND' : 'ACTIVITY_NOT_FOUND');
  }
  if (session.activityStatus !== 'published') throw new AppError('ACTIVITY_NOT_FOUND');
  return session;
}

/** Why a session does not take sign-ups now, or null when it does. */
export function signupClosedReason(session: SessionContext): 'not_internal' | 'cancelled' | 'started' | null {
  if (session.signupMode !== 'internal') return 'not_internal';
  if (session.cancelledAt) return 'cancelled';
  if (session.started) return 'started';
  return null;
}

/** A session for the sign-up page, with the person's live sign-up for it, if any. */
export async function describeSessionForSignup(
  db: Database,
  city: CityRecord,
  activitySlug: string,
  sessionId: string,
  userId: string | null,
): Promise<{ session: SessionContext; existing: SignupRecord | undefined }> {
  const session = await publishedSession(db, city, { slug: activitySlug }, sessionId);
  const existing = userId ? await findLiveSignup(db, city.id, session.sessionId, userId) : undefined;
  return { session, existing };
}

/** The upcoming sessions of a published activity, for choosing one on the sign-up page. */
export async function upcomingSessionsForSignup(
  db: Database,
  city: CityRecord,
  activitySlug: string,
): Promise<{ activity: { id: string; slug: string; title: Record<string, string> }; sessions: SessionContext[] }> {
  const activityId = await findActivityIdBySlug(db, city.id, activitySlug);
  const activity = activityId ? await findActivitySummary(db, city.id, activityId) : undefined;
  if (activity?.status !== 'published') throw new AppError('ACTIVITY_NOT_FOUND');
  return {
    activity,
    sessions: activity.signupMode === 'internal' ? await listUpcomingSessionContexts(db, city.id, activity.id) : [],
  };
}

/**
 * Signs the person up for a session: a confirmed place while there is room, else the waiting list. The place is
 * taken by one conditional UPDATE in the transaction that inserts the sign-up; when it finds the session full, the
 * session row is locked and the update tried once more, so a place freed by a cancellation at that very moment is
 * taken rather than left empty while this person waits. Emails the confirmation or waiting-list notice (with the
 * cancel link) in the same transaction.
 */
export async function signUp(
  db: Database,
  city: CityRecord,
  activity: { id?: string; slug?: string },
  sessionId: string,
  actor: UserActor,
  options: { publicUrl: string; language?: string },
): Promise<SignupResult> {
  const session = await publishedSession(db, city, activity, sessionId);
  if (signupClosedReason(session)) throw new AppError('SIGNUP_NOT_OPEN');
  if (await findLiveSignup(db, city.id, session.sessionId, actor.userId)) throw new AppError('SIGNUP_EXISTS');
  const person = await findPerson(db, actor.userId);
  if (!person) throw new AppError('UNAUTHENTICATED');

  const token = newSecret();
  const signup = await db.transaction(async (tx) => {
    let confirmed = await takePlace(tx, city.id, session.sessionId);
    if (!confirmed) {
      await lockSession(tx, city.id, session.sessionId);
      confirmed = await takePlace(tx, city.id, session.sessionId);
    }
    const inserted = await insertSignup(tx, city.id, {
      activityId: session.activityId,
      sessionId: session.sessionId,
      userId: actor.userId,
      status: confirmed ? 'confirmed' : 'waitlisted',
      cancelTokenHash: hashSecret(token),
    });
    // Another request of this person got there first; throwing rolls the place back too.
    if (!inserted) throw new AppError('SIGNUP_EXISTS');
    await queueSignupEmail(tx, city, person, session, inserted.status === 'confirmed' ? 'confirmed' : 'waitlisted', {
      language: options.language,
      url: `${options.publicUrl}${signupPaths.cancel(city.slug, token)}`,
      position: inserted.waitlistPosition,
    });
    return inserted;
  });
  return { signup, session: (await findSessionContext(db, city.id, session.sessionId)) ?? session };
}

/**
 * Gives free places of a session to the people waiting, first come first served, and emails each. Runs inside the
 * caller's transaction, which must hold the session row lock. Also for when an organiser raises the capacity.
 */
async function promoteWaiting(
  tx: SqlRunner,
  city: CityRecord,
  session: SessionContext,
  publicUrl: string,
): Promise<string[]> {
  const promoted: string[] = [];
  for (;;) {
    const next = await firstWaitlisted(tx, city.id, session.sessionId);
    if (!next || !(await takePlace(tx, city.id, session.sessionId))) break;
    await markConfirmed(tx, city.id, next.id);
    promoted.push(next.id);
    const signup = await findSignup(tx, city.id, next.id);
    const person = signup ? await findPerson(tx, signup.userId) : undefined;
    if (person) {
      await queueSignupEmail(tx, city, person, session, 'promoted', {
        url: `${publicUrl}${signupPaths.mine(city.slug)}`,
      });
    }
  }
  return promoted;
}

/**
 * Fills a session's free places from its waiting list (call after raising a session's capacity). Returns the ids of
 * the sign-ups that got a place.
 */
export async function fillFreePlaces(
  db: Database,
  city: CityRecord,
  sessionId: string,
  publicUrl: string,
): Promise<string[]> {
  const session = await findSessionContext(db, city.id, sessionId);
  if (!session) throw new AppError('ACTIVITY_SESSION_NOT_FOUND');
  if (session.cancelledAt || session.started) return [];
  return db.transaction(async (tx) => {
    await lockSession(tx, city.id, sessionId);
    return promoteWaiting(tx, city, session, publicUrl);
  });
}

export interface CancelResult {
  signup: SignupRecord;
  session: SessionContext;
  /** False when the sign-up had already been cancelled (cancelling twice changes nothing). */
  changed: boolean;
}

/**
 * Cancels a sign-up: locks the session row, marks the sign-up cancelled, and if it held a place frees it and gives
 * it to the first person on the waiting list — all in one transaction — then emails the cancellation (and the
 * promotion). A session that has started can no longer be changed.
 */
async function cancel(
  db: Database,
  city: CityRecord,
  signup: SignupRecord,
  options: { publicUrl: string; language?: string },
): Promise<CancelResult> {
  const session = await findSessionContext(db, city.id, signup.sessionId);
  if (!session) throw new AppError('SIGNUP_NOT_FOUND');
  if (signup.status === 'cancelled') return { signup, session, changed: false };
  if (session.started) throw new AppError('SIGNUP_SESSION_STARTED');
  const changed = await db.transaction(async (tx) => {
    await lockSession(tx, city.id, signup.sessionId);
    const previous = await markCancelled(tx, city.id, signup.id);
    if (!previous) return false;
    if (previous === 'confirmed') {
      await freePlace(tx, city.id, signup.sessionId);
      if (!session.cancelledAt) await promoteWaiting(tx, city, session, options.publicUrl);
    }
    const person = await findPerson(tx, signup.userId);
    if (person) {
      await queueSignupEmail(tx, city, person, session, 'cancelled', {
        language: options.language,
        url: `${options.publicUrl}${signupPaths.activity(city.slug, session.activitySlug)}`,
      });
    }
    return true;
  });
  return {
    signup: (await findSignup(db, city.id, signup.id)) ?? signup,
    session: (await findSessionContext(db, city.id, signup.sessionId)) ?? session,
    changed,
  };
}

/** The person cancels their own sign-up. Someone else's, or one of another city, is not found. */
export async function cancelOwnSignup(
  db: Database,
  city: CityRecord,
  signupId: string,
  actor: UserActor,
  options: { publicUrl: string; language?: string },
): Promise<CancelResult> {
  const signup = await findSignup(db, city.id, signupId);
  if (!signup || signup.userId !== actor.userId) throw new AppError('SIGNUP_NOT_FOUND');
  return cancel(db, city, signup, options);
}

async function signupForToken(db: SqlRunner, city: CityRecord, token: string): Promise<SignupRecord> {
  if (!tokenShape.test(token)) throw new AppError('SIGNUP_NOT_FOUND');
  const signup = await findSignupByTokenHash(db, city.id, hashSecret(token));
  if (!signup) throw new AppError('SIGNUP_NOT_FOUND');
  return signup;
}

/** What a cancel link points at, for the page that asks before cancelling (looking never cancels). */
export async function describeCancelLink(
  db: Database,
  city: CityRecord,
  token: string,
): Promise<{ signup: SignupRecord; session: SessionContext }> {
  const signup = await signupForToken(db, city, token);
  const session = await findSessionContext(db, city.id, signup.sessionId);
  if (!session) throw new AppError('SIGNUP_NOT_FOUND');
  return { signup, session };
}

/** Cancels through the secret link of the confirmation email, without signing in. */
export async function cancelByLink(
  db: Database,
  city: CityRecord,
  token: string,
  options: { publicUrl: string; language?: string },
): Promise<CancelResult> {
  return cancel(db, city, await signupForToken(db, city, token), options);
}

/** One of the person's sign-ups (the result page). */
export async function getOwnSignup(
  db: Database,
  city: CityRecord,
  signupId: string,
  userId: string,
): Promise<{ signup: SignupRecord; session: SessionContext }> {
  const signup = await findSignup(db, city.id, signupId);
  if (!signup || signup.userId !== userId) throw new AppError('SIGNUP_NOT_FOUND');
  const session = await findSessionContext(db, city.id, signup.sessionId);
  if (!session) throw new AppError('SIGNUP_NOT_FOUND');
  return { signup, session };
}

/** The person's sign-ups in the city, upcoming first (soonest first), then past ones (latest first). */
export async function listMySignups(
  db: Database,
  city: CityRecord,
  userId: string,
): Promise<{ upcoming: MySignupRow[]; past: MySignupRow[] }> {
  const rows = await listSignupsOfUser(db, city.id, userId);
  const now = Date.now();
  return {
    upcoming: rows
      .filter((row) => row.session.endsAt.getTime() > now && row.status !== 'cancelled')
      .sort((a, b) => a.session.startsAt.getTime() - b.session.startsAt.getTime()),
    past: rows.filter((row) => row.session.endsAt.getTime() <= now || row.status === 'cancelled'),
  };
}

export interface AttendeeList {
  session: SessionContext;
  attendees: AttendeeRow[];
}

/** A session of the organisation's activity in this city, or the activity's or session's 404. */
async function organisationSession(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string | null,
  activityId: string,
  sessionId: string,
): Promise<SessionContext> {
  const activity = await findActivitySummary(db, city.id, activityId);
  if (!activity || (organisationId !== null && activity.organisationId !== organisationId)) {
    throw new AppError('ACTIVITY_NOT_FOUND');
  }
  const session = await findSessionContext(db, city.id, sessionId);
  if (!session || session.activityId !== activityId) throw new AppError('ACTIVITY_SESSION_NOT_FOUND');
  return session;
}

/**
 * A session's attendee list: confirmed people, then the waiting list in order. The route decides who may read it
 * (the organisation's staff; curators through their own page): pass `organisationId` null for a curator. People
 * whose account is limited show their name only.
 */
export async function listAttendees(
  db: Database,
  city: CityRecord,
  organisationId: string | null,
  activityId: string,
  sessionId: string,
): Promise<AttendeeList> {
  const session = await organisationSession(db, city, organisationId, activityId, sessionId);
  const attendees = (await listAttendeeRows(db, city.id, sessionId)).map((row) =>
    row.accountStatus === 'active' ? row : { ...row, email: '' },
  );
  return { session, attendees };
}

/** The sessions of the organisation's activity with their counts (the organiser's overview). */
export async function listActivitySessionsForOrganiser(
  db: Database,
  city: CityRecord,
  organisationId: string,
  activityId: string,
): Promise<{ activity: { id: string; slug: string; title: Record<string, string> }; sessions: SessionContext[] }> {
  const activity = await findActivitySummary(db, city.id, activityId);
  if (!activity || activity.organisationId !== organisationId) throw new AppError('ACTIVITY_NOT_FOUND');
  return { activity, sessions: await listSessionContexts(db, city.id, activityId) };
}

/**
 * Records who attended (true), did not (false) or is not yet marked (null), for one or many sign-ups of a session
 * that has started, in one transaction with its audit entry. An unknown sign-up fails the whole batch.
 */
export async function markAttendance(
  db: Database,
  city: CityRecord,
  organisationId: string,
  activityId: string,
  sessionId: string,
  marks: { signupId: string; attended: boolean | null }[],
  caller: Caller,
  config: Config,
): Promise<AttendeeList> {
  const session = await organisationSession(db, city, organisationId, activityId, sessionId);
  if (!session.started) throw new AppError('ATTENDANCE_NOT_OPEN');
  const unique = [...new Map(marks.map((mark) => [mark.signupId, mark])).values()];
  await db.transaction(async (tx) => {
    const updated = new Set(await setAttendance(tx, city.id, sessionId, unique));
    const missing = unique.filter((mark) => !updated.has(mark.signupId));
    if (missing.length > 0) {
      throw new AppError(
        'SIGNUP_NOT_FOUND',
        undefined,
        missing.map((mark) => ({
          field: `/${mark.signupId}`,
          problem: 'No live sign-up with this id in this session.',
        })),
      );
    }
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'activity_session.attendance',
      targetType: 'activity_session',
      targetId: sessionId,
      after: { activityId, marks: unique },
    });
    // Badges the activity awards on attendance (issue #7); un-marking attendance revokes nothing.
    await awardForAttendance(
      tx,
      config,
      city,
      caller.audit,
      activityId,
      unique.filter((m) => m.attended).map((m) => m.signupId),
    );
  });
  return listAttendees(db, city, organisationId, activityId, sessionId);
}

/** Who attended which session of an activity (attendance marked yes), for participation badges. */
export function listAttendance(db: SqlRunner, cityId: string, activityId: string): Promise<AttendanceRecord[]> {
  return listAttendedRows(db, cityId, activityId);
}

// Reminders about a day before.

export const SIGNUP_REMINDERS = 'activities.signup-reminders';

/**
 * Enqueues the reminder run once per hour across all processes (the hour is the idempotency key). `publicUrl`
 * makes the link to "My activities" in the emails absolute.
 */
export async function scheduleSignupReminders(db: SqlRunner, now = new Date(), publicUrl?: string): Promise<void> {
  await enqueueJob(db, null, {
    type: SIGNUP_REMINDERS,
    payload: { publicUrl: publicUrl ?? null },
    idempotencyKey: now.toISOString().slice(0, 13),
  });
}

const REMINDER_BATCH = 200;

/**
 * Emails everyone with a confirmed place in a session starting within 24 hours. Each batch is claimed (marked sent)
 * and its emails queued in one transaction, so nobody gets two reminders and nobody's is lost.
 */
export const signupRemindersHandler: JobHandler = async (job, { db, signal }) => {
  const publicUrl = (job.payload as { publicUrl?: string | null } | null)?.publicUrl ?? null;
  const now = new Date();
  const cities = new Map<string, CityRecord | undefined>();
  let sent = 0;
  for (;;) {
    if (signal.aborted) throw new Error('The worker is stopping; the remaining reminders go out on the next run.');
    const batch = await db.transaction(async (tx) => {
      const due = await claimDueReminders(tx, now, REMINDER_BATCH);
      for (const reminder of due) {
        if (!cities.has(reminder.cityId)) {
          const [city] = await tx.query<CityRecord>(
            `SELECT id, slug, name, default_language AS "defaultLanguage", languages, time_zone AS "timeZone"
             FROM cities WHERE id = $1`,
            [reminder.cityId],
          );
          cities.set(reminder.cityId, city);
        }
        const city = cities.get(reminder.cityId);
        const session = await findSessionContext(tx, reminder.cityId, reminder.sessionId);
        const person = await findPerson(tx, reminder.userId);
        if (!city || !session || !person) continue;
        await queueSignupEmail(tx, city, person, session, 'reminder', {
          url: publicUrl ? `${publicUrl}${signupPaths.mine(city.slug)}` : undefined,
        });
      }
      return due.length;
    });
    sent += batch;
    if (batch < REMINDER_BATCH) break;
  }
  return { sent };
};

/**
 * After an edit dropped sessions that people had signed up to (the sessions are kept, marked cancelled): tells each of
 * them, in the same transaction as the edit, so nobody turns up to a session that no longer happens.
 */
export async function notifySessionsCancelled(
  db: SqlRunner,
  city: CityRecord,
  sessionIds: string[],
  publicUrl?: string,
): Promise<number> {
  let told = 0;
  for (const sessionId of sessionIds) {
    const session = await findSessionContext(db, city.id, sessionId);
    if (!session) continue;
    const url = publicUrl ? `${publicUrl}${signupPaths.activity(city.slug, session.activitySlug)}` : undefined;
    for (const row of await listAttendeeRows(db, city.id, sessionId)) {
      if (row.accountStatus === 'deleted') continue;
      const person = await findPerson(db, row.userId);
      if (!person) continue;
      await queueSignupEmail(db, city, person, session, 'sessionCancelled', { url });
      told++;
    }
  }
  return told;
}

/**
 * After an activity's edit (its capacity may have grown): gives the free places of each upcoming session to the
 * people waiting, in order, and emails them. Returns how many got a place.
 */
export async function fillFreePlacesOfActivity(
  db: Database,
  city: CityRecord,
  activityId: string,
  publicUrl: string,
): Promise<number> {
  let promoted = 0;
  for (const session of await listUpcomingSessionContexts(db, city.id, activityId, 500)) {
    // Most sessions have nobody waiting or no free place: skip them rather than open a transaction for each.
    const room = session.capacity === null || session.confirmedCount < session.capacity;
    if (session.waitlistCount > 0 && room) {
      promoted += (await fillFreePlaces(db, city, session.sessionId, publicUrl)).length;
    }
  }
  return promoted;
}
