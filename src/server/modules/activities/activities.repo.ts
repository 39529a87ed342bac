import type { SqlRunner } from '../../db/client.ts';
import type {
  ActivityFormat,
  ActivityRevisionAction,
  ActivitySource,
  ActivityStatus,
  CostKind,
  ScheduleKind,
  SignupMode,
} from '../../db/schema.ts';
import type { ActivityWrite, CleanVenue } from './activities.validation.ts';

/** An activity row in camelCase; `lat`/`lon` come from the `location` point of the primary venue. */
export interface ActivityRecord {
  id: string;
  cityId: string;
  organisationId: string;
  slug: string;
  status: ActivityStatus;
  moderationNote: string | null;
  title: Record<string, string>;
  description: Record<string, string>;
  format: ActivityFormat;
  onlineUrl: string | null;
  scheduleKind: ScheduleKind;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  rrule: string | null;
  exdates: Date[];
  nextStartAt: Date | null;
  lastEndAt: Date | null;
  ageMin: number | null;
  ageMax: number | null;
  costKind: CostKind;
  priceCents: number | null;
  currency: string | null;
  concessions: string;
  languages: string[];
  accessibility: string[];
  accessibilityNotes: string;
  capacity: number | null;
  signupMode: SignupMode;
  signupUrl: string | null;
  tags: string[];
  lat: number | null;
  lon: number | null;
  district: string | null;
  source: ActivitySource;
  externalUid: string | null;
  feedId: string | null;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  submittedAt: Date | null;
}

export const activityColumns = `a.id, a.city_id AS "cityId", a.organisation_id AS "organisationId", a.slug, a.status,
  a.moderation_note AS "moderationNote", a.title, a.description, a.format, a.online_url AS "onlineUrl",
  a.schedule_kind AS "scheduleKind", a.starts_at AS "startsAt", a.ends_at AS "endsAt", a.all_day AS "allDay", a.rrule,
  a.exdates, a.next_start_at AS "nextStartAt", a.last_end_at AS "lastEndAt", a.age_min AS "ageMin",
  a.age_max AS "ageMax", a.cost_kind AS "costKind", a.price_cents AS "priceCents", a.currency, a.concessions,
  a.languages, a.accessibility, a.accessibility_notes AS "accessibilityNotes", a.capacity,
  a.signup_mode AS "signupMode", a.signup_url AS "signupUrl", a.tags, a.location[1] AS lat, a.location[0] AS lon,
  a.district, a.source, a.external_uid AS "externalUid", a.feed_id AS "feedId", a.version, a.created_by AS "createdBy",
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.published_at AS "publishedAt",
  a.submitted_at AS "submittedAt"`;

/** Fills `exdates` as Dates (drivers return timestamptz arrays as text on one engine and Dates on the other). */
function normalise(row: ActivityRecord): ActivityRecord {
  row.exdates = (row.exdates as unknown as (string | Date)[] | string).length
    ? parseTimestampArray(row.exdates as unknown as (string | Date)[] | string)
    : [];
  return row;
}

function parseTimestampArray(value: (string | Date)[] | string): Date[] {
  const items =
    typeof value === 'string'
      ? value
          .replace(/^\{|\}$/g, '')
          .split(',')
          .filter(Boolean)
          .map((s) => s.replace(/^"|"$/g, ''))
      : value;
  return items.map((item) => (item instanceof Date ? item : new Date(item)));
}

export async function findActivity(db: SqlRunner, cityId: string, id: string): Promise<ActivityRecord | undefined> {
  const [row] = await db.query<ActivityRecord>(
    `SELECT ${activityColumns} FROM activities a WHERE a.city_id = $1 AND a.id = $2`,
    [cityId, id],
    { name: 'activities.find' },
  );
  return row ? normalise(row) : undefined;
}

export async function findActivityBySlug(
  db: SqlRunner,
  cityId: string,
  slug: string,
): Promise<ActivityRecord | undefined> {
  const [row] = await db.query<ActivityRecord>(
    `SELECT ${activityColumns} FROM activities a WHERE a.city_id = $1 AND a.slug = $2`,
    [cityId, slug],
    { name: 'activities.find-by-slug' },
  );
  return row ? normalise(row) : undefined;
}

/** Locks the row for a change (edits, moderation) so concurrent changes queue rather than overwrite each other. */
export async function lockActivity(db: SqlRunner, cityId: string, id: string): Promise<ActivityRecord | undefined> {
  const [row] = await db.query<ActivityRecord>(
    `SELECT ${activityColumns} FROM activities a WHERE a.city_id = $1 AND a.id = $2 FOR UPDATE`,
    [cityId, id],
  );
  return row ? normalise(row) : undefined;
}

export async function findActivityByExternalUid(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  externalUid: string,
): Promise<ActivityRecord | undefined> {
  const [row] = await db.query<ActivityRecord>(
    `SELECT ${activityColumns} FROM activities a
      WHERE a.city_id = $1 AND a.organisation_id = $2 AND a.external_uid = $3 FOR UPDATE`,
    [cityId, organisationId, externalUid],
  );
  return row ? normalise(row) : undefined;
}

export async function slugTaken(db: SqlRunner, cityId: string, slug: string, exceptId?: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM activities WHERE city_id = $1 AND slug = $2 AND id IS DISTINCT FROM $3', [
    cityId,
    slug,
    exceptId ?? null,
  ]);
  return rows.length > 0;
}

/** Slugs of the city that start with a base, to pick the next free "base-2", "base-3" … */
export async function slugsLike(db: SqlRunner, cityId: string, base: string): Promise<Set<string>> {
  const rows = await db.query<{ slug: string }>(
    `SELECT slug FROM activities WHERE city_id = $1 AND (slug = $2 OR slug LIKE $3)`,
    [cityId, base, `${base.replace(/[\\%_]/g, '\\$&')}-%`],
  );
  return new Set(rows.map((r) => r.slug));
}

function primaryLocation(venues: CleanVenue[]): { lon: number | null; lat: number | null; district: string | null } {
  const [first] = venues;
  return first
    ? { lon: first.lon, lat: first.lat, district: first.district }
    : { lon: null, lat: null, district: null };
}

/** The columns an activity's content sets, in one order for INSERT and UPDATE. */
function contentValues(write: ActivityWrite): unknown[] {
  const place = primaryLocation(write.venues);
  return [
    JSON.stringify(write.title),
    JSON.stringify(write.description),
    write.format,
    write.onlineUrl,
    write.scheduleKind,
    write.startsAt,
    write.endsAt,
    write.allDay,
    write.rrule,
    write.exdates.map((d) => d.toISOString()),
    write.ageMin,
    write.ageMax,
    write.costKind,
    write.priceCents,
    write.currency,
    write.concessions,
    write.languages,
    write.accessibility,
    write.accessibilityNotes,
    write.capacity,
    write.signupMode,
    write.signupUrl,
    write.tags,
    place.lon,
    place.lat,
    place.district,
    write.externalUid,
  ];
}

export interface NewActivityRow {
  cityId: string;
  organisationId: string;
  slug: string;
  status: ActivityStatus;
  source: ActivitySource;
  feedId: string | null;
  createdBy: string | null;
}

export async function insertActivity(db: SqlRunner, row: NewActivityRow, write: ActivityWrite): Promise<string> {
  const [inserted] = await db.query<{ id: string }>(
    `INSERT INTO activities (title, description, format, online_url, schedule_kind, starts_at, ends_at, all_day, rrule,
        exdates, age_min, age_max, cost_kind, price_cents, currency, concessions, languages, accessibility,
        accessibility_notes, capacity, signup_mode, signup_url, tags, location, district, external_uid,
        city_id, organisation_id, slug, status, source, feed_id, created_by, submitted_at, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz[], $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
        $21, $22, $23, CASE WHEN $24::float8 IS NULL THEN NULL ELSE point($24::float8, $25::float8) END, $26, $27,
        $28, $29, $30, $31, $32, $33, $34,
        CASE WHEN $31 IN ('submitted', 'published') THEN now() END, CASE WHEN $31 = 'published' THEN now() END)
     RETURNING id`,
    [
      ...contentValues(write),
      row.cityId,
      row.organisationId,
      row.slug,
      row.status,
      row.source,
      row.feedId,
      row.createdBy,
    ],
    { name: 'activities.insert' },
  );
  return (inserted as { id: string }).id;
}

export async function updateActivityContent(db: SqlRunner, id: string, slug: string, write: ActivityWrite) {
  await db.query(
    `UPDATE activities SET title = $1, description = $2, format = $3, online_url = $4, schedule_kind = $5,
        starts_at = $6, ends_at = $7, all_day = $8, rrule = $9, exdates = $10::timestamptz[], age_min = $11,
        age_max = $12, cost_kind = $13, price_cents = $14, currency = $15, concessions = $16, languages = $17,
        accessibility = $18, accessibility_notes = $19, capacity = $20, signup_mode = $21, signup_url = $22, tags = $23,
        location = CASE WHEN $24::float8 IS NULL THEN NULL ELSE point($24::float8, $25::float8) END, district = $26,
        external_uid = $27, slug = $28, version = version + 1, updated_at = now()
      WHERE id = $29`,
    [...contentValues(write), slug, id],
    { name: 'activities.update' },
  );
}

export async function setActivityStatus(
  db: SqlRunner,
  id: string,
  status: ActivityStatus,
  moderationNote: string | null,
): Promise<void> {
  await db.query(
    `UPDATE activities SET status = $2, moderation_note = $3, version = version + 1, updated_at = now(),
        submitted_at = CASE WHEN $2 = 'submitted' THEN now() ELSE submitted_at END,
        published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) ELSE published_at END
      WHERE id = $1`,
    [id, status, moderationNote],
  );
}

// Venues, skills and sessions.

export interface VenueRecord extends CleanVenue {
  id: string;
  position: number;
}

export function listVenues(db: SqlRunner, activityId: string): Promise<VenueRecord[]> {
  return db.query<VenueRecord>(
    `SELECT id, position, name, street, postcode, locality, district, lat, lon FROM activity_venues
      WHERE activity_id = $1 ORDER BY position`,
    [activityId],
    { name: 'activities.venues' },
  );
}

export async function replaceVenues(db: SqlRunner, cityId: string, activityId: string, venues: CleanVenue[]) {
  await db.query('DELETE FROM activity_venues WHERE activity_id = $1', [activityId]);
  for (const [position, venue] of venues.entries()) {
    await db.query(
      `INSERT INTO activity_venues (city_id, activity_id, position, name, street, postcode, locality, district, lat, lon)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        cityId,
        activityId,
        position,
        venue.name,
        venue.street,
        venue.postcode,
        venue.locality,
        venue.district,
        venue.lat,
        venue.lon,
      ],
    );
  }
}

export interface ActivitySkillView {
  skillId: string;
  level: number | null;
  code: string;
  label: Record<string, string>;
  frameworkSlug: string;
}

export function listActivitySkills(db: SqlRunner, activityId: string): Promise<ActivitySkillView[]> {
  return db.query<ActivitySkillView>(
    `SELECT s.id AS "skillId", ak.level, s.code, s.label, f.slug AS "frameworkSlug"
       FROM activity_skills ak JOIN skills s ON s.id = ak.skill_id JOIN skill_frameworks f ON f.id = s.framework_id
      WHERE ak.activity_id = $1 ORDER BY f.slug, s.code`,
    [activityId],
    { name: 'activities.skills' },
  );
}

/** The ids among these that are in the city's skills spine (frameworks the city uses, or its own local skills). */
export async function skillsInCitySpine(db: SqlRunner, cityId: string, skillIds: string[]): Promise<Set<string>> {
  if (skillIds.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `SELECT s.id FROM skills s
      WHERE s.id = ANY($2::uuid[])
        AND (s.city_id = $1 OR EXISTS (SELECT 1 FROM city_skill_frameworks c
                                        WHERE c.city_id = $1 AND c.framework_id = s.framework_id))`,
    [cityId, skillIds],
  );
  return new Set(rows.map((r) => r.id));
}

export async function replaceSkills(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  skills: { skillId: string; level: number | null }[],
) {
  await db.query('DELETE FROM activity_skills WHERE activity_id = $1', [activityId]);
  if (skills.length === 0) return;
  await db.query(
    `INSERT INTO activity_skills (city_id, activity_id, skill_id, level)
     SELECT $1, $2, s.skill_id, s.level FROM unnest($3::uuid[], $4::int[]) AS s(skill_id, level)`,
    [cityId, activityId, skills.map((s) => s.skillId), skills.map((s) => s.level)],
  );
}

export interface SessionRecord {
  id: string;
  activityId: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  capacity: number | null;
  confirmedCount: number;
  cancelledAt: Date | null;
}

const sessionColumns = `id, activity_id AS "activityId", starts_at AS "startsAt", ends_at AS "endsAt",
  all_day AS "allDay", capacity, confirmed_count AS "confirmedCount", cancelled_at AS "cancelledAt"`;

export function listSessionRows(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  from: Date | null,
  limit: number,
): Promise<SessionRecord[]> {
  return db.query<SessionRecord>(
    `SELECT ${sessionColumns} FROM activity_sessions
      WHERE city_id = $1 AND activity_id = $2 AND ($3::timestamptz IS NULL OR ends_at >= $3)
      ORDER BY starts_at LIMIT $4`,
    [cityId, activityId, from, limit],
    { name: 'activities.sessions' },
  );
}

/** Sessions with people signed up (or waiting), which an edit must not silently delete. */
export function sessionsWithSignups(db: SqlRunner, activityId: string): Promise<SessionRecord[]> {
  return db.query<SessionRecord>(
    `SELECT ${sessionColumns} FROM activity_sessions s
      WHERE activity_id = $1 AND EXISTS (SELECT 1 FROM activity_signups g WHERE g.session_id = s.id AND g.status <> 'cancelled')`,
    [activityId],
  );
}

/**
 * Makes the stored sessions match the schedule: sessions at the same start keep their id (and sign-ups), new ones are
 * added, and dropped ones are deleted — or, if people are signed up, marked cancelled so they can be told.
 */
export async function syncSessions(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  sessions: { startsAt: Date; endsAt: Date }[],
  allDay: boolean,
  capacity: number | null,
): Promise<{ cancelledWithSignups: string[] }> {
  const starts = sessions.map((s) => s.startsAt.toISOString());
  const ends = sessions.map((s) => s.endsAt.toISOString());
  const cancelled = await db.query<{ id: string }>(
    `UPDATE activity_sessions s SET cancelled_at = now()
      WHERE s.activity_id = $1 AND s.cancelled_at IS NULL AND NOT (s.starts_at = ANY($2::timestamptz[]))
        AND EXISTS (SELECT 1 FROM activity_signups g WHERE g.session_id = s.id AND g.status <> 'cancelled')
      RETURNING s.id`,
    [activityId, starts],
  );
  await db.query(
    `DELETE FROM activity_sessions s
      WHERE s.activity_id = $1 AND NOT (s.starts_at = ANY($2::timestamptz[]))
        AND NOT EXISTS (SELECT 1 FROM activity_signups g WHERE g.session_id = s.id AND g.status <> 'cancelled')`,
    [activityId, starts],
  );
  await db.query(
    `INSERT INTO activity_sessions (city_id, activity_id, starts_at, ends_at, all_day, capacity)
     SELECT $1, $2, s.starts_at, s.ends_at, $5, $6 FROM unnest($3::timestamptz[], $4::timestamptz[]) AS s(starts_at, ends_at)
     ON CONFLICT (activity_id, starts_at) DO UPDATE
        SET ends_at = excluded.ends_at, all_day = excluded.all_day, capacity = excluded.capacity, cancelled_at = NULL`,
    [cityId, activityId, starts, ends, allDay, capacity],
  );
  await refreshSessionSummary(db, activityId);
  return { cancelledWithSignups: cancelled.map((r) => r.id) };
}

/** The most people signed up to one future session: capacity cannot go below it. */
export async function mostConfirmedInFutureSession(db: SqlRunner, activityId: string): Promise<number> {
  const [row] = await db.query<{ most: number | null }>(
    `SELECT max(confirmed_count)::int AS most FROM activity_sessions
      WHERE activity_id = $1 AND ends_at > now() AND cancelled_at IS NULL`,
    [activityId],
  );
  return row?.most ?? 0;
}

/** `next_start_at` (the next session still to end) and `last_end_at`, for date sorting and filters. */
export async function refreshSessionSummary(db: SqlRunner, activityId: string): Promise<void> {
  await db.query(
    `UPDATE activities a SET
        next_start_at = (SELECT min(starts_at) FROM activity_sessions s
                          WHERE s.activity_id = a.id AND s.ends_at > now() AND s.cancelled_at IS NULL),
        last_end_at = (SELECT max(ends_at) FROM activity_sessions s WHERE s.activity_id = a.id AND s.cancelled_at IS NULL)
      WHERE a.id = $1`,
    [activityId],
  );
}

/** Moves every activity whose next session has ended on to its following one (run hourly). */
export async function refreshPassedNextStarts(db: SqlRunner): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `UPDATE activities a SET next_start_at = (SELECT min(starts_at) FROM activity_sessions s
                                                WHERE s.activity_id = a.id AND s.ends_at > now() AND s.cancelled_at IS NULL)
      WHERE a.next_start_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM activity_sessions s WHERE s.activity_id = a.id AND s.starts_at = a.next_start_at
                          AND s.ends_at > now() AND s.cancelled_at IS NULL)
      RETURNING a.id`,
    [],
  );
  return rows.length;
}

// Images and history.

export interface ImageRecord {
  id: string;
  position: number;
  contentType: string;
  width: number;
  height: number;
  alt: Record<string, string>;
}

export function listImages(db: SqlRunner, activityId: string): Promise<ImageRecord[]> {
  return db.query<ImageRecord>(
    `SELECT id, position, content_type AS "contentType", width, height, alt FROM activity_images
      WHERE activity_id = $1 ORDER BY position, created_at`,
    [activityId],
    { name: 'activities.images' },
  );
}

export async function insertImage(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  image: { contentType: string; bytes: Buffer; width: number; height: number; alt: Record<string, string> },
): Promise<ImageRecord> {
  const [row] = await db.query<ImageRecord>(
    `INSERT INTO activity_images (city_id, activity_id, position, content_type, bytes, width, height, alt)
     VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM activity_images WHERE activity_id = $2), $3, $4, $5, $6, $7)
     RETURNING id, position, content_type AS "contentType", width, height, alt`,
    [cityId, activityId, image.contentType, image.bytes, image.width, image.height, JSON.stringify(image.alt)],
  );
  return row as ImageRecord;
}

export async function deleteImage(db: SqlRunner, activityId: string, imageId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM activity_images WHERE activity_id = $1 AND id = $2 RETURNING id', [
    activityId,
    imageId,
  ]);
  return rows.length > 0;
}

export async function findImageBytes(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  imageId: string,
): Promise<{ contentType: string; bytes: Uint8Array } | undefined> {
  const [row] = await db.query<{ contentType: string; bytes: Uint8Array }>(
    `SELECT content_type AS "contentType", bytes FROM activity_images WHERE city_id = $1 AND activity_id = $2 AND id = $3`,
    [cityId, activityId, imageId],
  );
  return row;
}

export async function insertRevision(
  db: SqlRunner,
  revision: {
    cityId: string;
    activityId: string;
    actorUserId: string | null;
    action: ActivityRevisionAction;
    note?: string | null;
    changes?: Record<string, { before: unknown; after: unknown }>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO activity_revisions (city_id, activity_id, actor_user_id, action, note, changes)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      revision.cityId,
      revision.activityId,
      revision.actorUserId,
      revision.action,
      revision.note ?? null,
      JSON.stringify(revision.changes ?? {}),
    ],
  );
}

export interface RevisionView {
  id: string;
  action: ActivityRevisionAction;
  note: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  actorName: string | null;
  createdAt: Date;
}

export function listRevisions(db: SqlRunner, activityId: string): Promise<RevisionView[]> {
  return db.query<RevisionView>(
    `SELECT r.id, r.action, r.note, r.changes, u.display_name AS "actorName", r.created_at AS "createdAt"
       FROM activity_revisions r LEFT JOIN users u ON u.id = r.actor_user_id
      WHERE r.activity_id = $1 ORDER BY r.created_at DESC, r.id`,
    [activityId],
  );
}

// Lists for organisers and curators, newest change first, with keyset pagination on (updated_at, id).

export interface ActivitySummary {
  id: string;
  slug: string;
  status: ActivityStatus;
  title: Record<string, string>;
  organisation: { id: string; slug: string; name: string };
  nextStartAt: Date | null;
  district: string | null;
  format: ActivityFormat;
  updatedAt: Date;
  submittedAt: Date | null;
  moderationNote: string | null;
}

const summaryColumns = `a.id, a.slug, a.status, a.title,
  json_build_object('id', o.id, 'slug', o.slug, 'name', o.name) AS organisation, a.next_start_at AS "nextStartAt",
  a.district, a.format, a.updated_at AS "updatedAt", a.submitted_at AS "submittedAt",
  a.moderation_note AS "moderationNote"`;

export function listOrganisationActivityRows(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  status: ActivityStatus | null,
  after: { at: Date; id: string } | null,
  limit: number,
): Promise<ActivitySummary[]> {
  return db.query<ActivitySummary>(
    `SELECT ${summaryColumns} FROM activities a JOIN organisations o ON o.id = a.organisation_id
      WHERE a.city_id = $1 AND a.organisation_id = $2 AND ($3::text IS NULL OR a.status = $3)
        AND ($4::timestamptz IS NULL OR (a.updated_at, a.id) < ($4::timestamptz, $5::uuid))
      ORDER BY a.updated_at DESC, a.id DESC LIMIT $6`,
    [cityId, organisationId, status, after?.at ?? null, after?.id ?? null, limit],
  );
}

export function listSubmittedRows(
  db: SqlRunner,
  cityId: string,
  after: { at: Date; id: string } | null,
  limit: number,
): Promise<ActivitySummary[]> {
  return db.query<ActivitySummary>(
    `SELECT ${summaryColumns} FROM activities a JOIN organisations o ON o.id = a.organisation_id
      WHERE a.city_id = $1 AND a.status = 'submitted'
        AND ($2::timestamptz IS NULL OR (a.submitted_at, a.id) > ($2::timestamptz, $3::uuid))
      ORDER BY a.submitted_at, a.id LIMIT $4`,
    [cityId, after?.at ?? null, after?.id ?? null, limit],
  );
}

/**
 * Writes many published activities in a handful of statements (the demo seed: some twenty statements per activity
 * through `createActivity` made every test that seeds the demo slow). The rows are the ones `insertActivity`,
 * `replaceVenues`, `replaceSkills`, `syncSessions`, `refreshSessionSummary` and `insertRevision` write for one —
 * `activities.demo.test.ts` checks both paths give the same activity. Inputs must already be validated, slugs free.
 */
export async function insertPublishedInBulk(
  tx: SqlRunner,
  cityId: string,
  rows: { write: ActivityWrite; slug: string; organisationId: string }[],
): Promise<string[]> {
  const activities = rows.map(({ write, slug, organisationId }) => {
    const place = write.venues[0];
    return {
      title: write.title,
      description: write.description,
      format: write.format,
      online_url: write.onlineUrl,
      schedule_kind: write.scheduleKind,
      starts_at: write.startsAt?.toISOString() ?? null,
      ends_at: write.endsAt?.toISOString() ?? null,
      all_day: write.allDay,
      rrule: write.rrule,
      exdates: write.exdates.map((d) => d.toISOString()),
      age_min: write.ageMin,
      age_max: write.ageMax,
      cost_kind: write.costKind,
      price_cents: write.priceCents,
      currency: write.currency,
      concessions: write.concessions,
      languages: write.languages,
      accessibility: write.accessibility,
      accessibility_notes: write.accessibilityNotes,
      capacity: write.capacity,
      signup_mode: write.signupMode,
      signup_url: write.signupUrl,
      tags: write.tags,
      lon: place?.lon ?? null,
      lat: place?.lat ?? null,
      district: place?.district ?? null,
      external_uid: write.externalUid,
      organisation_id: organisationId,
      slug,
    };
  });
  const inserted = await tx.query<{ id: string; slug: string }>(
    `INSERT INTO activities (title, description, format, online_url, schedule_kind, starts_at, ends_at, all_day, rrule,
        exdates, age_min, age_max, cost_kind, price_cents, currency, concessions, languages, accessibility,
        accessibility_notes, capacity, signup_mode, signup_url, tags, location, district, external_uid,
        city_id, organisation_id, slug, status, source, feed_id, created_by, submitted_at, published_at)
     SELECT r.title, r.description, r.format, r.online_url, r.schedule_kind, r.starts_at, r.ends_at, r.all_day, r.rrule,
        r.exdates, r.age_min, r.age_max, r.cost_kind, r.price_cents, r.currency, r.concessions, r.languages,
        r.accessibility, r.accessibility_notes, r.capacity, r.signup_mode, r.signup_url, r.tags,
        CASE WHEN r.lon IS NULL THEN NULL ELSE point(r.lon, r.lat) END, r.district, r.external_uid,
        $2, r.organisation_id, r.slug, 'published', 'manual', NULL, NULL, now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS r(title jsonb, description jsonb, format text, online_url text,
        schedule_kind text, starts_at timestamptz, ends_at timestamptz, all_day boolean, rrule text,
        exdates timestamptz[], age_min int, age_max int, cost_kind text, price_cents int, currency text,
        concessions text, languages text[], accessibility text[], accessibility_notes text, capacity int,
        signup_mode text, signup_url text, tags text[], lon float8, lat float8, district text, external_uid text,
        organisation_id uuid, slug text)
     RETURNING id, slug`,
    [JSON.stringify(activities), cityId],
  );
  // Rows come back in no promised order; the slug (unique in the city) puts each id with its input.
  const idOf = new Map(inserted.map((row) => [row.slug, row.id]));
  const ids = rows.map(({ slug }) => idOf.get(slug) as string);
  const venues = rows.flatMap(({ write }, index) =>
    write.venues.map((venue, position) => ({ activity_id: ids[index], position, ...venue })),
  );
  await tx.query(
    `INSERT INTO activity_venues (city_id, activity_id, position, name, street, postcode, locality, district, lat, lon)
     SELECT $2, r.activity_id, r.position, r.name, r.street, r.postcode, r.locality, r.district, r.lat, r.lon
       FROM jsonb_to_recordset($1::jsonb) AS r(activity_id uuid, position int, name text, street text, postcode text,
        locality text, district text, lat float8, lon float8)`,
    [JSON.stringify(venues), cityId],
  );
  const skills = rows.flatMap(({ write }, index) =>
    write.skills.map((skill) => ({ activity_id: ids[index], skill_id: skill.skillId, level: skill.level })),
  );
  await tx.query(
    `INSERT INTO activity_skills (city_id, activity_id, skill_id, level)
     SELECT $2, r.activity_id, r.skill_id, r.level
       FROM jsonb_to_recordset($1::jsonb) AS r(activity_id uuid, skill_id uuid, level int)`,
    [JSON.stringify(skills), cityId],
  );
  const sessions = rows.flatMap(({ write }, index) =>
    write.sessions.map((session) => ({
      activity_id: ids[index],
      starts_at: session.startsAt.toISOString(),
      ends_at: session.endsAt.toISOString(),
      all_day: write.allDay,
      capacity: write.capacity,
    })),
  );
  await tx.query(
    `INSERT INTO activity_sessions (city_id, activity_id, starts_at, ends_at, all_day, capacity)
     SELECT $2, r.activity_id, r.starts_at, r.ends_at, r.all_day, r.capacity
       FROM jsonb_to_recordset($1::jsonb) AS r(activity_id uuid, starts_at timestamptz, ends_at timestamptz,
        all_day boolean, capacity int)`,
    [JSON.stringify(sessions), cityId],
  );
  await tx.query(
    `UPDATE activities a SET
        next_start_at = (SELECT min(starts_at) FROM activity_sessions s
                          WHERE s.activity_id = a.id AND s.ends_at > now() AND s.cancelled_at IS NULL),
        last_end_at = (SELECT max(ends_at) FROM activity_sessions s WHERE s.activity_id = a.id AND s.cancelled_at IS NULL)
      WHERE a.city_id = $1 AND a.id = ANY($2::uuid[])`,
    [cityId, ids],
  );
  await tx.query(
    `INSERT INTO activity_revisions (city_id, activity_id, actor_user_id, action, note, changes)
     SELECT $1, id, NULL, 'created', 'published', '{}'::jsonb FROM unnest($2::uuid[]) AS id`,
    [cityId, ids],
  );
  return ids;
}
