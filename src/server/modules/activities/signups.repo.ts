import type { SqlRunner } from '../../db/client.ts';
import type { ActivityFormat, ActivityStatus, SignupMode, SignupStatus } from '../../db/schema.ts';

// Sign-ups for activity sessions. Every function takes the city id first and reaches sessions, activities and
// sign-ups only through rows of that city, so an id from another city finds nothing.

/** A session with what sign-up pages, emails and rules need of its activity, organisation and primary venue. */
export interface SessionContext {
  sessionId: string;
  cityId: string;
  activityId: string;
  organisationId: string;
  organisationName: string;
  activitySlug: string;
  activityTitle: Record<string, string>;
  activityStatus: ActivityStatus;
  signupMode: SignupMode;
  format: ActivityFormat;
  onlineUrl: string | null;
  venueName: string | null;
  venueStreet: string | null;
  venuePostcode: string | null;
  venueLocality: string | null;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  capacity: number | null;
  confirmedCount: number;
  waitlistCount: number;
  cancelledAt: Date | null;
  /** The session has started (by the database clock). */
  started: boolean;
}

const sessionColumns = `se.id AS "sessionId", se.city_id AS "cityId", se.activity_id AS "activityId",
  a.organisation_id AS "organisationId", o.name AS "organisationName", a.slug AS "activitySlug",
  a.title AS "activityTitle", a.status AS "activityStatus", a.signup_mode AS "signupMode", a.format,
  a.online_url AS "onlineUrl", v.name AS "venueName", v.street AS "venueStreet", v.postcode AS "venuePostcode",
  v.locality AS "venueLocality", se.starts_at AS "startsAt", se.ends_at AS "endsAt", se.all_day AS "allDay",
  se.capacity, se.confirmed_count AS "confirmedCount",
  (SELECT count(*)::int FROM activity_signups w WHERE w.session_id = se.id AND w.status = 'waitlisted') AS "waitlistCount",
  se.cancelled_at AS "cancelledAt", se.starts_at <= now() AS started`;

const sessionFrom = `activity_sessions se
  JOIN activities a ON a.id = se.activity_id AND a.city_id = se.city_id
  JOIN organisations o ON o.id = a.organisation_id
  LEFT JOIN LATERAL (
    SELECT name, street, postcode, locality FROM activity_venues
    WHERE activity_id = a.id ORDER BY position LIMIT 1
  ) v ON true`;

export async function findSessionContext(
  db: SqlRunner,
  cityId: string,
  sessionId: string,
): Promise<SessionContext | undefined> {
  const [row] = await db.query<SessionContext>(
    `SELECT ${sessionColumns} FROM ${sessionFrom} WHERE se.city_id = $1 AND se.id = $2`,
    [cityId, sessionId],
  );
  return row;
}

/** Upcoming, non-cancelled sessions of an activity (for choosing one on the sign-up page). */
export function listUpcomingSessionContexts(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  limit = 50,
): Promise<SessionContext[]> {
  return db.query<SessionContext>(
    `SELECT ${sessionColumns} FROM ${sessionFrom}
     WHERE se.city_id = $1 AND se.activity_id = $2 AND se.cancelled_at IS NULL AND se.starts_at > now()
     ORDER BY se.starts_at LIMIT $3`,
    [cityId, activityId, limit],
  );
}

/** Every session of an activity with its counts, newest last (the organiser's overview). */
export function listSessionContexts(db: SqlRunner, cityId: string, activityId: string): Promise<SessionContext[]> {
  return db.query<SessionContext>(
    `SELECT ${sessionColumns} FROM ${sessionFrom} WHERE se.city_id = $1 AND se.activity_id = $2 ORDER BY se.starts_at`,
    [cityId, activityId],
  );
}

export async function findActivityIdBySlug(db: SqlRunner, cityId: string, slug: string): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM activities WHERE city_id = $1 AND slug = $2', [
    cityId,
    slug,
  ]);
  return row?.id;
}

export interface ActivitySummary {
  id: string;
  organisationId: string;
  slug: string;
  title: Record<string, string>;
  status: ActivityStatus;
  signupMode: SignupMode;
}

export async function findActivitySummary(
  db: SqlRunner,
  cityId: string,
  activityId: string,
): Promise<ActivitySummary | undefined> {
  const [row] = await db.query<ActivitySummary>(
    `SELECT id, organisation_id AS "organisationId", slug, title, status, signup_mode AS "signupMode"
     FROM activities WHERE city_id = $1 AND id = $2`,
    [cityId, activityId],
  );
  return row;
}

/**
 * Takes one place in ONE statement: the capacity check and the increment cannot be split by another transaction,
 * so of two people taking the last place at once exactly one gets a row back (the other's update re-checks the
 * condition after the first commits and matches nothing).
 */
export async function takePlace(db: SqlRunner, cityId: string, sessionId: string): Promise<boolean> {
  const rows = await db.query<{ confirmedCount: number }>(
    `UPDATE activity_sessions SET confirmed_count = confirmed_count + 1
     WHERE id = $1 AND city_id = $2 AND (capacity IS NULL OR confirmed_count < capacity)
     RETURNING confirmed_count AS "confirmedCount"`,
    [sessionId, cityId],
  );
  return rows.length > 0;
}

/** Gives a place back. */
export async function freePlace(db: SqlRunner, cityId: string, sessionId: string): Promise<void> {
  await db.query(
    `UPDATE activity_sessions SET confirmed_count = confirmed_count - 1
     WHERE id = $1 AND city_id = $2 AND confirmed_count > 0`,
    [sessionId, cityId],
  );
}

/**
 * Locks the session row until the transaction ends. Cancellations take it before touching sign-ups, and a sign-up
 * that found the session full takes it before joining the waiting list, so a place freed at that moment is never
 * left empty while someone waits.
 */
export async function lockSession(db: SqlRunner, cityId: string, sessionId: string): Promise<void> {
  await db.query('SELECT id FROM activity_sessions WHERE id = $1 AND city_id = $2 FOR UPDATE', [sessionId, cityId]);
}

export interface SignupRecord {
  id: string;
  cityId: string;
  activityId: string;
  sessionId: string;
  userId: string;
  status: SignupStatus;
  attended: boolean | null;
  attendanceMarkedAt: Date | null;
  reminderSentAt: Date | null;
  createdAt: Date;
  cancelledAt: Date | null;
  /** 1-based place on the waiting list; null unless waitlisted. */
  waitlistPosition: number | null;
}

const signupColumns = `s.id, s.city_id AS "cityId", s.activity_id AS "activityId", s.session_id AS "sessionId",
  s.user_id AS "userId", s.status, s.attended, s.attendance_marked_at AS "attendanceMarkedAt",
  s.reminder_sent_at AS "reminderSentAt", s.created_at AS "createdAt", s.cancelled_at AS "cancelledAt",
  CASE WHEN s.status = 'waitlisted' THEN (
    SELECT count(*)::int FROM activity_signups w
    WHERE w.session_id = s.session_id AND w.status = 'waitlisted' AND (w.created_at, w.id) <= (s.created_at, s.id)
  ) END AS "waitlistPosition"`;

/**
 * Inserts a sign-up, or returns undefined when the person already has a live (not cancelled) one for the session —
 * the partial unique index decides, so two clicks at once cannot both succeed. `created_at` is the moment of the
 * insert (not of the transaction's start): people join a waiting list while holding the session's row lock, so the
 * list's order is the order in which they joined and the position each is told stays true.
 */
export async function insertSignup(
  db: SqlRunner,
  cityId: string,
  signup: {
    activityId: string;
    sessionId: string;
    userId: string;
    status: 'confirmed' | 'waitlisted';
    cancelTokenHash: string;
  },
): Promise<SignupRecord | undefined> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO activity_signups (city_id, activity_id, session_id, user_id, status, cancel_token_hash, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())
     ON CONFLICT (session_id, user_id) WHERE status <> 'cancelled' DO NOTHING
     RETURNING id`,
    [cityId, signup.activityId, signup.sessionId, signup.userId, signup.status, signup.cancelTokenHash],
  );
  return row ? findSignup(db, cityId, row.id) : undefined;
}

/** Inserts a sign-up exactly as given (the demo seed, which also records past sessions and attendance). */
export async function insertSignupAsIs(
  db: SqlRunner,
  cityId: string,
  signup: {
    activityId: string;
    sessionId: string;
    userId: string;
    status: SignupStatus;
    cancelTokenHash: string;
    attended: boolean | null;
    createdAt: Date;
  },
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO activity_signups (city_id, activity_id, session_id, user_id, status, cancel_token_hash, attended,
       attendance_marked_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::boolean IS NULL THEN NULL ELSE now() END, $8)
     ON CONFLICT (session_id, user_id) WHERE status <> 'cancelled' DO NOTHING
     RETURNING id`,
    [
      cityId,
      signup.activityId,
      signup.sessionId,
      signup.userId,
      signup.status,
      signup.cancelTokenHash,
      signup.attended,
      signup.createdAt,
    ],
  );
  return rows.length > 0;
}

export async function findSignup(db: SqlRunner, cityId: string, signupId: string): Promise<SignupRecord | undefined> {
  const [row] = await db.query<SignupRecord>(
    `SELECT ${signupColumns} FROM activity_signups s WHERE s.city_id = $1 AND s.id = $2`,
    [cityId, signupId],
  );
  return row;
}

export async function findSignupByTokenHash(
  db: SqlRunner,
  cityId: string,
  tokenHash: string,
): Promise<SignupRecord | undefined> {
  const [row] = await db.query<SignupRecord>(
    `SELECT ${signupColumns} FROM activity_signups s WHERE s.city_id = $1 AND s.cancel_token_hash = $2`,
    [cityId, tokenHash],
  );
  return row;
}

/** The person's live sign-up for a session, if any. */
export async function findLiveSignup(
  db: SqlRunner,
  cityId: string,
  sessionId: string,
  userId: string,
): Promise<SignupRecord | undefined> {
  const [row] = await db.query<SignupRecord>(
    `SELECT ${signupColumns} FROM activity_signups s
     WHERE s.city_id = $1 AND s.session_id = $2 AND s.user_id = $3 AND s.status <> 'cancelled'`,
    [cityId, sessionId, userId],
  );
  return row;
}

/** Cancels a live sign-up; returns its status before, or undefined when it was already cancelled. */
export async function markCancelled(
  db: SqlRunner,
  cityId: string,
  signupId: string,
): Promise<'confirmed' | 'waitlisted' | undefined> {
  const [row] = await db.query<{ previous: 'confirmed' | 'waitlisted' }>(
    `WITH before AS (
       SELECT id, status FROM activity_signups WHERE city_id = $1 AND id = $2 AND status <> 'cancelled' FOR UPDATE
     )
     UPDATE activity_signups s SET status = 'cancelled', cancelled_at = now()
     FROM before WHERE s.id = before.id
     RETURNING before.status AS previous`,
    [cityId, signupId],
  );
  return row?.previous;
}

/** The first person on the waiting list (by when they signed up), locked for promotion. */
export async function firstWaitlisted(
  db: SqlRunner,
  cityId: string,
  sessionId: string,
): Promise<{ id: string } | undefined> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM activity_signups WHERE city_id = $1 AND session_id = $2 AND status = 'waitlisted'
     ORDER BY created_at, id LIMIT 1 FOR UPDATE`,
    [cityId, sessionId],
  );
  return row;
}

export async function markConfirmed(db: SqlRunner, cityId: string, signupId: string): Promise<void> {
  await db.query(`UPDATE activity_signups SET status = 'confirmed' WHERE city_id = $1 AND id = $2`, [cityId, signupId]);
}

/** Who gets an email about a sign-up: the person's address, name and the languages they read. */
export interface SignupPerson {
  userId: string;
  email: string;
  displayName: string;
  languages: string[];
  status: string;
}

export async function findPerson(db: SqlRunner, userId: string): Promise<SignupPerson | undefined> {
  const [row] = await db.query<SignupPerson>(
    `SELECT id AS "userId", email, display_name AS "displayName", languages, status FROM users
     WHERE id = $1 AND deleted_at IS NULL`,
    [userId],
  );
  return row;
}

/** A person's sign-up with its session and activity, for "My activities". */
export interface MySignupRow extends SignupRecord {
  session: SessionContext;
}

export async function listSignupsOfUser(db: SqlRunner, cityId: string, userId: string): Promise<MySignupRow[]> {
  const rows = await db.query<SignupRecord & { session: SessionContext }>(
    `SELECT ${signupColumns}, row_to_json(ctx) AS session
     FROM activity_signups s
     JOIN LATERAL (SELECT ${sessionColumns} FROM ${sessionFrom} WHERE se.id = s.session_id) ctx ON true
     WHERE s.city_id = $1 AND s.user_id = $2
     ORDER BY (ctx."startsAt") DESC, s.created_at DESC
     LIMIT 500`,
    [cityId, userId],
  );
  return rows.map((row) => ({ ...row, session: reviveSession(row.session) }));
}

/** row_to_json turns timestamps into strings; bring back the Dates the rest of the code expects. */
function reviveSession(session: SessionContext): SessionContext {
  return {
    ...session,
    startsAt: new Date(session.startsAt),
    endsAt: new Date(session.endsAt),
    cancelledAt: session.cancelledAt ? new Date(session.cancelledAt) : null,
  };
}

/** One line of a session's attendee list. */
export interface AttendeeRow {
  signupId: string;
  userId: string;
  displayName: string;
  email: string;
  accountStatus: string;
  status: 'confirmed' | 'waitlisted';
  waitlistPosition: number | null;
  attended: boolean | null;
  attendanceMarkedAt: Date | null;
  signedUpAt: Date;
}

/** Confirmed people (by name) then the waiting list in order. */
export function listAttendeeRows(db: SqlRunner, cityId: string, sessionId: string): Promise<AttendeeRow[]> {
  return db.query<AttendeeRow>(
    `SELECT s.id AS "signupId", s.user_id AS "userId", u.display_name AS "displayName", u.email,
       u.status AS "accountStatus", s.status,
       CASE WHEN s.status = 'waitlisted'
         THEN row_number() OVER (PARTITION BY s.status ORDER BY s.created_at, s.id)::int END AS "waitlistPosition",
       s.attended, s.attendance_marked_at AS "attendanceMarkedAt", s.created_at AS "signedUpAt"
     FROM activity_signups s JOIN users u ON u.id = s.user_id
     WHERE s.city_id = $1 AND s.session_id = $2 AND s.status <> 'cancelled'
     ORDER BY s.status = 'waitlisted', CASE WHEN s.status = 'confirmed' THEN lower(u.display_name) END,
       s.created_at, s.id`,
    [cityId, sessionId],
  );
}

/** Records attendance for live sign-ups of a session; returns the ids that were updated. */
export async function setAttendance(
  db: SqlRunner,
  cityId: string,
  sessionId: string,
  marks: { signupId: string; attended: boolean | null }[],
): Promise<string[]> {
  if (marks.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `UPDATE activity_signups s
     SET attended = m.attended, attendance_marked_at = CASE WHEN m.attended IS NULL THEN NULL ELSE now() END
     FROM unnest($3::uuid[], $4::boolean[]) AS m(id, attended)
     WHERE s.id = m.id AND s.city_id = $1 AND s.session_id = $2 AND s.status <> 'cancelled'
     RETURNING s.id`,
    [cityId, sessionId, marks.map((m) => m.signupId), marks.map((m) => m.attended)],
  );
  return rows.map((row) => row.id);
}

/** Who attended which session of an activity (for participation badges). */
export interface AttendanceRecord {
  signupId: string;
  userId: string;
  sessionId: string;
  sessionStartsAt: Date;
  sessionEndsAt: Date;
  attendanceMarkedAt: Date;
}

export function listAttendedRows(db: SqlRunner, cityId: string, activityId: string): Promise<AttendanceRecord[]> {
  return db.query<AttendanceRecord>(
    `SELECT s.id AS "signupId", s.user_id AS "userId", s.session_id AS "sessionId", se.starts_at AS "sessionStartsAt",
       se.ends_at AS "sessionEndsAt", s.attendance_marked_at AS "attendanceMarkedAt"
     FROM activity_signups s JOIN activity_sessions se ON se.id = s.session_id AND se.city_id = s.city_id
     WHERE s.city_id = $1 AND s.activity_id = $2 AND s.attended IS TRUE AND s.status <> 'cancelled'
     ORDER BY se.starts_at, s.user_id`,
    [cityId, activityId],
  );
}

/** A confirmed sign-up whose reminder was just claimed (marked sent) and must now be emailed. */
export interface DueReminder {
  signupId: string;
  cityId: string;
  userId: string;
  sessionId: string;
}

/**
 * Claims up to `limit` reminders due: confirmed sign-ups for sessions of published activities that start within
 * the next 24 hours, made at least 12 hours before the session (later ones just got their confirmation), not yet
 * reminded. Marking `reminder_sent_at` is a conditional update, so no one is claimed twice, even by two workers.
 */
export function claimDueReminders(db: SqlRunner, now: Date, limit: number): Promise<DueReminder[]> {
  return db.query<DueReminder>(
    `UPDATE activity_signups s SET reminder_sent_at = $1
     WHERE s.id IN (
       SELECT s2.id FROM activity_signups s2
       JOIN activity_sessions se ON se.id = s2.session_id
       JOIN activities a ON a.id = s2.activity_id
       WHERE s2.status = 'confirmed' AND s2.reminder_sent_at IS NULL AND se.cancelled_at IS NULL
         AND a.status = 'published' AND se.starts_at > $1 AND se.starts_at <= $1::timestamptz + interval '24 hours'
         AND s2.created_at <= se.starts_at - interval '12 hours'
       ORDER BY se.starts_at LIMIT $2
     ) AND s.reminder_sent_at IS NULL
     RETURNING s.id AS "signupId", s.city_id AS "cityId", s.user_id AS "userId", s.session_id AS "sessionId"`,
    [now, limit],
  );
}
