import { imageSize } from 'image-size';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { ActivitySource, ActivityStatus } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { decodeTimeCursor, keysetPage, pageLimit } from '../../keyset-cursor.ts';
import { type Actor, canActForOrganisation, isCityCurator } from '../accounts/actor.ts';
import { imageContentTypes, sniffImage } from '../accounts/profile.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { findOrganisationInCity } from '../organisations/organisations.repo.ts';
import { assertCityOpen, type Caller, freePageSlug } from '../organisations/organisations.service.ts';
import { type ActivityInput, MAX_SESSIONS } from './activities.model.ts';
import { keyedProblem } from './activities.problems.ts';
import {
  type ActivityRecord,
  type ActivitySkillView,
  type ActivitySummary,
  deleteImage,
  findActivity,
  findActivityByExternalUid,
  findActivityBySlug,
  findImageBytes,
  type ImageRecord,
  insertActivity,
  insertImage,
  insertRevision,
  listActivitySkills,
  listImages,
  listOrganisationActivityRows,
  listRevisions,
  listSessionRows,
  listSubmittedRows,
  listVenues,
  lockActivity,
  mostConfirmedInFutureSession,
  type RevisionView,
  replaceSkills,
  replaceVenues,
  type SessionRecord,
  setActivityStatus,
  skillsInCitySpine,
  slugsLike,
  slugTaken,
  syncSessions,
  updateActivityContent,
  type VenueRecord,
} from './activities.repo.ts';
import { type ActivityWrite, extraSessionStarts, validateActivityInput } from './activities.validation.ts';
import { notifySessionsCancelled } from './signups.service.ts';

export type { ActivitySummary, RevisionView, SessionRecord, VenueRecord };

export interface ImageView extends ImageRecord {
  /** Path of the image on the city's site. */
  url: string;
}

/** An activity with everything its pages and the API show. */
export interface ActivityDetails extends ActivityRecord {
  organisation: { id: string; slug: string; name: string };
  venues: VenueRecord[];
  skills: ActivitySkillView[];
  images: ImageView[];
}

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const actorOf = (caller: Caller): Actor | null => (caller.actor === 'system' ? null : caller.actor);
const userIdOf = (caller: Caller): string | null =>
  caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null;

/** Organisation staff (or a token of the organisation), the city's curators and network admins edit an activity. */
export function canEditActivity(actor: Actor | null, cityId: string, organisationId: string): boolean {
  return canActForOrganisation(actor, organisationId, 'staff') || isCityCurator(actor, cityId);
}

function mayEdit(caller: Caller, cityId: string, organisationId: string): boolean {
  return caller.actor === 'system' || canEditActivity(caller.actor, cityId, organisationId);
}

function mayModerate(caller: Caller, cityId: string): boolean {
  return caller.actor === 'system' || isCityCurator(caller.actor, cityId);
}

export function imageUrl(citySlug: string, activity: { slug: string }, imageId: string): string {
  return `/c/${citySlug}/activities/${activity.slug}/images/${imageId}`;
}

async function details(db: SqlRunner, city: CityRecord, activity: ActivityRecord): Promise<ActivityDetails> {
  // One after another: inside a transaction these share one connection, which runs one query at a time.
  const venues = await listVenues(db, activity.id);
  const skills = await listActivitySkills(db, activity.id);
  const images = await listImages(db, activity.id);
  const organisations = await db.query<{ id: string; slug: string; name: string }>(
    'SELECT id, slug, name FROM organisations WHERE id = $1',
    [activity.organisationId],
  );
  return {
    ...activity,
    organisation: organisations[0] as { id: string; slug: string; name: string },
    venues,
    skills,
    images: images.map((image) => ({ ...image, url: imageUrl(city.slug, activity, image.id) })),
  };
}

async function loadForChange(db: SqlRunner, city: CityRecord, activityId: string): Promise<ActivityRecord> {
  const activity = UUID.test(activityId) ? await lockActivity(db, city.id, activityId) : undefined;
  if (!activity) throw new AppError('ACTIVITY_NOT_FOUND');
  return activity;
}

/** True when the actor may see an activity that is not published (its organisation, curators, admins). */
export function canSeeUnpublished(actor: Actor | null, activity: { cityId: string; organisationId: string }): boolean {
  return canEditActivity(actor, activity.cityId, activity.organisationId);
}

/** An activity by id or slug. Unpublished ones exist only for those who may edit them (404 for everyone else). */
export async function getActivity(
  db: SqlRunner,
  city: CityRecord,
  idOrSlug: string,
  actor: Actor | null,
): Promise<ActivityDetails> {
  const activity = UUID.test(idOrSlug)
    ? await findActivity(db, city.id, idOrSlug)
    : await findActivityBySlug(db, city.id, idOrSlug);
  if (!activity || (activity.status !== 'published' && !canSeeUnpublished(actor, activity))) {
    throw new AppError('ACTIVITY_NOT_FOUND');
  }
  return details(db, city, activity);
}

export function listSessions(
  db: SqlRunner,
  cityId: string,
  activityId: string,
  options: { from?: Date | null; limit?: number } = {},
): Promise<SessionRecord[]> {
  return listSessionRows(db, cityId, activityId, options.from ?? null, Math.min(options.limit ?? 50, 500));
}

function freeSlug(db: SqlRunner, city: CityRecord, write: ActivityWrite, exceptId?: string): Promise<string> {
  return freePageSlug({
    wanted: write.slug,
    name: write.title,
    city,
    fallback: 'activity',
    takenCode: 'ACTIVITY_SLUG_TAKEN',
    taken: (slug) => slugTaken(db, city.id, slug, exceptId),
    startingWith: (base) => slugsLike(db, city.id, base),
  });
}

/** Validates, checks skills against the city's spine and the capacity against people already signed up. */
async function prepareWrite(
  db: SqlRunner,
  city: CityRecord,
  input: ActivityInput,
  existingId: string | null,
): Promise<ActivityWrite> {
  const { problems, write } = validateActivityInput(city, input);
  const extra: ErrorDetail[] = [];
  if (write) {
    const known = await skillsInCitySpine(
      db,
      city.id,
      write.skills.map((s) => s.skillId),
    );
    write.skills.forEach((skill, index) => {
      if (!known.has(skill.skillId)) {
        extra.push(keyedProblem(`/skills/${index}/skillId`, 'skill_not_in_spine'));
      }
    });
    if (existingId && write.capacity !== null) {
      const most = await mostConfirmedInFutureSession(db, existingId);
      if (most > write.capacity) {
        extra.push(keyedProblem('/capacity', 'capacity_below_signups', { most }));
      }
    }
  }
  const all = [...problems, ...extra];
  if (all.length > 0 || !write) throw new AppError('VALIDATION_FAILED', undefined, all);
  return write;
}

async function storeContent(
  db: SqlRunner,
  city: CityRecord,
  activityId: string,
  write: ActivityWrite,
  publicUrl?: string,
) {
  await replaceVenues(db, city.id, activityId, write.venues);
  await replaceSkills(db, city.id, activityId, write.skills);
  const { cancelledWithSignups } = await syncSessions(
    db,
    city.id,
    activityId,
    write.sessions,
    write.allDay,
    write.capacity,
  );
  await notifySessionsCancelled(db, city, cancelledWithSignups, publicUrl);
}

async function initialStatus(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  caller: Caller,
  options: { submit?: boolean; publish?: boolean },
): Promise<ActivityStatus> {
  const standing = await findOrganisationInCity(db, city.id, organisationId);
  if (!standing) throw new AppError('ORGANISATION_NOT_FOUND');
  if (options.publish) {
    if (!mayModerate(caller, city.id) && !standing.trusted) throw new AppError('FORBIDDEN');
    if (standing.status !== 'approved') {
      throw new AppError('ACTIVITY_STATE_CONFLICT', 'Only an approved organisation’s activities can be published.');
    }
    return 'published';
  }
  if (options.submit) {
    if (standing.status !== 'approved') {
      throw new AppError(
        'ACTIVITY_STATE_CONFLICT',
        'The city has not approved the organisation yet; save drafts until it does.',
      );
    }
    return standing.trusted ? 'published' : 'submitted';
  }
  return 'draft';
}

/**
 * Creates an activity of an organisation: a draft, or submitted for review (`submit`), which a trusted organisation's
 * activities skip (they are published at once). `publish` is for curators, imports of trusted organisations and the
 * demo seed. Sessions are expanded from the schedule in the same transaction.
 */
export async function createActivity(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: ActivityInput,
  caller: Caller,
  options: { source?: ActivitySource; feedId?: string | null; submit?: boolean; publish?: boolean } = {},
): Promise<ActivityDetails> {
  assertCityOpen(city);
  if (!UUID.test(organisationId)) throw new AppError('ORGANISATION_NOT_FOUND');
  if (!mayEdit(caller, city.id, organisationId)) throw new AppError('FORBIDDEN');
  return db.transaction(async (tx) => {
    const activityId = await createInTransaction(tx, city, organisationId, input, caller, options);
    return details(tx, city, (await findActivity(tx, city.id, activityId)) as ActivityRecord);
  });
}

async function createInTransaction(
  tx: SqlRunner,
  city: CityRecord,
  organisationId: string,
  input: ActivityInput,
  caller: Caller,
  options: { source?: ActivitySource; feedId?: string | null; submit?: boolean; publish?: boolean },
): Promise<string> {
  const status = await initialStatus(tx, city, organisationId, caller, options);
  const write = await prepareWrite(tx, city, input, null);
  const slug = await freeSlug(tx, city, write);
  const activityId = await insertActivity(
    tx,
    {
      cityId: city.id,
      organisationId,
      slug,
      status,
      source: options.source ?? 'manual',
      feedId: options.feedId ?? null,
      createdBy: userIdOf(caller),
    },
    write,
  );
  await storeContent(tx, city, activityId, write);
  await insertRevision(tx, {
    cityId: city.id,
    activityId,
    actorUserId: userIdOf(caller),
    action: options.source && options.source !== 'manual' ? 'imported' : 'created',
    note: status === 'draft' ? null : status,
  });
  return activityId;
}

/** The fields a person edits, as comparable JSON: the history records those that changed. */
function comparable(
  activity: ActivityRecord,
  venues: unknown[],
  skills: unknown[],
  rdates: string[],
): Record<string, unknown> {
  return {
    slug: activity.slug,
    title: activity.title,
    description: activity.description,
    format: activity.format,
    onlineUrl: activity.onlineUrl,
    venues,
    scheduleKind: activity.scheduleKind,
    startsAt: activity.startsAt ? new Date(activity.startsAt).toISOString() : null,
    endsAt: activity.endsAt ? new Date(activity.endsAt).toISOString() : null,
    allDay: activity.allDay,
    rrule: activity.rrule,
    exdates: activity.exdates.map((d) => new Date(d).toISOString()),
    rdates,
    ageMin: activity.ageMin,
    ageMax: activity.ageMax,
    costKind: activity.costKind,
    priceCents: activity.priceCents,
    currency: activity.currency,
    concessions: activity.concessions,
    languages: activity.languages,
    accessibility: activity.accessibility,
    accessibilityNotes: activity.accessibilityNotes,
    capacity: activity.capacity,
    signupMode: activity.signupMode,
    signupUrl: activity.signupUrl,
    tags: activity.tags,
    skills,
  };
}

/**
 * The extra sessions (iCalendar RDATE) an activity has: the live sessions its own start, rule and exceptions do not
 * give. They have no column of their own (see `expandSchedule`), so they are read back from the session list.
 */
async function currentRdates(db: SqlRunner, city: CityRecord, activity: ActivityRecord): Promise<Date[]> {
  if (activity.scheduleKind === 'on_demand') return [];
  const sessions = await listSessionRows(db, city.id, activity.id, null, MAX_SESSIONS * 5);
  return extraSessionStarts(
    activity,
    sessions.filter((session) => !session.cancelledAt).map((session) => session.startsAt),
    city.timeZone,
  );
}

async function snapshot(
  db: SqlRunner,
  city: CityRecord,
  activity: ActivityRecord,
): Promise<{ fields: Record<string, unknown>; rdates: string[] }> {
  const venues = (await listVenues(db, activity.id)).map(({ id: _id, position: _p, ...venue }) => venue);
  const skills = (await listActivitySkills(db, activity.id)).map((s) => ({ skillId: s.skillId, level: s.level }));
  const rdates = (await currentRdates(db, city, activity)).map((date) => date.toISOString());
  return { fields: comparable(activity, venues, skills, rdates), rdates };
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes[key] = { before: before[key] ?? null, after: after[key] ?? null };
    }
  }
  return changes;
}

async function applyUpdate(
  tx: SqlRunner,
  city: CityRecord,
  current: ActivityRecord,
  input: ActivityInput,
  caller: Caller,
  action: 'updated' | 'imported',
  publicUrl?: string,
): Promise<Record<string, { before: unknown; after: unknown }>> {
  const before = await snapshot(tx, city, current);
  // An edit that does not name extra dates (the form, the API, a CSV) keeps the ones the activity has.
  const write = await prepareWrite(tx, city, { ...input, rdates: input.rdates ?? before.rdates }, current.id);
  const slug = write.slug ? await freeSlug(tx, city, write, current.id) : current.slug;
  await updateActivityContent(tx, current.id, slug, write);
  await storeContent(tx, city, current.id, write, publicUrl);
  const updated = (await findActivity(tx, city.id, current.id)) as ActivityRecord;
  const changes = diff(before.fields, (await snapshot(tx, city, updated)).fields);
  if (Object.keys(changes).length > 0) {
    await insertRevision(tx, {
      cityId: city.id,
      activityId: current.id,
      actorUserId: userIdOf(caller),
      action,
      changes,
    });
  }
  return changes;
}

/**
 * Edits an activity. A published activity stays live and the change is recorded in its history; `expectedVersion`
 * (the version the editor loaded) turns a concurrent edit into ACTIVITY_VERSION_CONFLICT instead of a lost update.
 */
export async function updateActivity(
  db: Database,
  city: CityRecord,
  activityId: string,
  input: ActivityInput,
  caller: Caller,
  options: { expectedVersion?: number; publicUrl?: string } = {},
): Promise<ActivityDetails> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const current = await loadForChange(tx, city, activityId);
    if (!mayEdit(caller, city.id, current.organisationId)) throw new AppError('ACTIVITY_NOT_FOUND');
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw new AppError('ACTIVITY_VERSION_CONFLICT');
    }
    if (current.status === 'archived') {
      throw new AppError('ACTIVITY_STATE_CONFLICT', 'An archived activity cannot be edited.');
    }
    await applyUpdate(tx, city, current, input, caller, 'updated', options.publicUrl);
    return details(tx, city, (await findActivity(tx, city.id, current.id)) as ActivityRecord);
  });
}

/**
 * Writes one imported activity, matched on its external id within the organisation: created when new, updated when
 * its content changed (an activity the feed had dropped and brought back is reopened), left alone when identical.
 * Runs inside the caller's transaction when given one, so a whole file commits or nothing does.
 */
export async function importActivity(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  input: ActivityInput,
  caller: Caller,
  options: { source: 'csv' | 'ical'; feedId?: string | null; publish?: boolean },
): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; activity: ActivityDetails }> {
  assertCityOpen(city);
  const externalUid = input.externalUid?.trim();
  if (!externalUid) {
    throw new AppError('VALIDATION_FAILED', undefined, [keyedProblem('/externalUid', 'external_id_missing')]);
  }
  if (!UUID.test(organisationId)) throw new AppError('ORGANISATION_NOT_FOUND');
  if (!mayEdit(caller, city.id, organisationId)) throw new AppError('FORBIDDEN');
  const run = async (tx: SqlRunner) => {
    const current = await findActivityByExternalUid(tx, city.id, organisationId, externalUid);
    if (!current) {
      const activityId = await createInTransaction(tx, city, organisationId, input, caller, {
        source: options.source,
        feedId: options.feedId ?? null,
        submit: !options.publish,
        publish: options.publish,
      });
      return {
        outcome: 'created' as const,
        activity: await details(tx, city, (await findActivity(tx, city.id, activityId)) as ActivityRecord),
      };
    }
    const changes = await applyUpdate(tx, city, current, { ...input, slug: undefined }, caller, 'imported');
    if (current.status === 'archived') {
      const reopened = await initialStatus(tx, city, organisationId, caller, {
        submit: !options.publish,
        publish: options.publish,
      });
      await setActivityStatus(tx, current.id, reopened, null);
    }
    const outcome = Object.keys(changes).length > 0 || current.status === 'archived' ? 'updated' : 'unchanged';
    return {
      outcome: outcome as 'updated' | 'unchanged',
      activity: await details(tx, city, (await findActivity(tx, city.id, current.id)) as ActivityRecord),
    };
  };
  return 'transaction' in db ? (db as Database).transaction(run) : run(db);
}

async function changeStatus(
  db: Database,
  city: CityRecord,
  activityId: string,
  caller: Caller,
  change: (current: ActivityRecord, tx: SqlRunner) => Promise<{ status: ActivityStatus; note: string | null }>,
  action: 'submitted' | 'published' | 'returned' | 'archived',
): Promise<ActivityDetails> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const current = await loadForChange(tx, city, activityId);
    if (!canSeeUnpublished(actorOf(caller), current) && caller.actor !== 'system') {
      throw new AppError('ACTIVITY_NOT_FOUND');
    }
    const next = await change(current, tx);
    await setActivityStatus(tx, current.id, next.status, next.note);
    const realAction = action === 'submitted' && next.status === 'published' ? 'published' : action;
    await insertRevision(tx, {
      cityId: city.id,
      activityId: current.id,
      actorUserId: userIdOf(caller),
      action: realAction,
      note: next.note,
      changes: { status: { before: current.status, after: next.status } },
    });
    if (action === 'published' || action === 'returned') {
      await recordAudit(tx, caller.audit, {
        cityId: city.id,
        action: action === 'published' ? 'activity.approve' : 'activity.return',
        targetType: 'activity',
        targetId: current.id,
        before: { status: current.status },
        after: { status: next.status, note: next.note },
      });
    }
    return details(tx, city, (await findActivity(tx, city.id, current.id)) as ActivityRecord);
  });
}

/** Sends a draft to the curators (published at once for a trusted organisation). */
export function submitActivity(db: Database, city: CityRecord, activityId: string, caller: Caller) {
  return changeStatus(
    db,
    city,
    activityId,
    caller,
    async (current, tx) => {
      if (!mayEdit(caller, city.id, current.organisationId)) throw new AppError('FORBIDDEN');
      if (current.status !== 'draft') {
        throw new AppError('ACTIVITY_STATE_CONFLICT', 'Only a draft can be submitted for review.');
      }
      return { status: await initialStatus(tx, city, current.organisationId, caller, { submit: true }), note: null };
    },
    'submitted',
  );
}

/** A curator publishes a submitted activity. */
export function approveActivity(db: Database, city: CityRecord, activityId: string, caller: Caller) {
  return changeStatus(
    db,
    city,
    activityId,
    caller,
    async (current, tx) => {
      if (!mayModerate(caller, city.id)) throw new AppError('FORBIDDEN');
      if (current.status !== 'submitted') {
        throw new AppError('ACTIVITY_STATE_CONFLICT', 'Only a submitted activity can be approved.');
      }
      const standing = await findOrganisationInCity(tx, city.id, current.organisationId);
      if (standing?.status !== 'approved') {
        throw new AppError('ACTIVITY_STATE_CONFLICT', 'The organisation is not approved in this city.');
      }
      return { status: 'published', note: null };
    },
    'published',
  );
}

/** A curator returns a submitted activity to its organisation as a draft, with comments. */
export function returnActivity(db: Database, city: CityRecord, activityId: string, note: string, caller: Caller) {
  const comment = note.trim();
  if (comment.length < 3 || comment.length > 2000) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/note', problem: 'Say what needs changing (3–2,000 characters).' },
    ]);
  }
  return changeStatus(
    db,
    city,
    activityId,
    caller,
    async (current) => {
      if (!mayModerate(caller, city.id)) throw new AppError('FORBIDDEN');
      if (current.status !== 'submitted') {
        throw new AppError('ACTIVITY_STATE_CONFLICT', 'Only a submitted activity can be returned.');
      }
      return { status: 'draft', note: comment };
    },
    'returned',
  );
}

/** Takes an activity off the catalogue (its organisation or a curator); it stays in the history. */
export function archiveActivity(db: Database, city: CityRecord, activityId: string, caller: Caller) {
  return changeStatus(
    db,
    city,
    activityId,
    caller,
    async (current) => {
      if (!mayEdit(caller, city.id, current.organisationId)) throw new AppError('FORBIDDEN');
      if (current.status === 'archived') throw new AppError('ACTIVITY_STATE_CONFLICT', 'It is already archived.');
      return { status: 'archived', note: current.moderationNote };
    },
    'archived',
  );
}

export async function listOrganisationActivities(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  actor: Actor | null,
  options: { status?: ActivityStatus; cursor?: string; limit?: number } = {},
): Promise<{ items: ActivitySummary[]; nextCursor: string | null }> {
  if (!UUID.test(organisationId) || !(await findOrganisationInCity(db, city.id, organisationId))) {
    throw new AppError('ORGANISATION_NOT_FOUND');
  }
  if (!canEditActivity(actor, city.id, organisationId)) throw new AppError('FORBIDDEN');
  const limit = pageLimit(options.limit);
  const rows = await listOrganisationActivityRows(
    db,
    city.id,
    organisationId,
    options.status ?? null,
    decodeTimeCursor(options.cursor),
    limit + 1,
  );
  return keysetPage(rows, limit, (row) => row.updatedAt);
}

/** The curators' queue: submitted activities, oldest first. */
export async function listModerationQueue(
  db: SqlRunner,
  city: CityRecord,
  actor: Actor | null,
  options: { cursor?: string; limit?: number } = {},
): Promise<{ items: ActivitySummary[]; nextCursor: string | null }> {
  if (!isCityCurator(actor, city.id)) throw new AppError('FORBIDDEN');
  const limit = pageLimit(options.limit);
  const rows = await listSubmittedRows(db, city.id, decodeTimeCursor(options.cursor), limit + 1);
  return keysetPage(rows, limit, (row) => row.submittedAt);
}

export async function listActivityRevisions(
  db: SqlRunner,
  city: CityRecord,
  activityId: string,
  actor: Actor | null,
): Promise<RevisionView[]> {
  const activity = UUID.test(activityId) ? await findActivity(db, city.id, activityId) : undefined;
  if (!activity || !canSeeUnpublished(actor, activity)) throw new AppError('ACTIVITY_NOT_FOUND');
  return listRevisions(db, activity.id);
}

// Images: the type is decided by the bytes (PNG, JPEG, WebP), never by a file name or declared type.

export async function addActivityImage(
  db: Database,
  city: CityRecord,
  activityId: string,
  image: { bytes: Buffer; alt: Record<string, string> },
  caller: Caller,
): Promise<ImageView> {
  assertCityOpen(city);
  if (image.bytes.length > MAX_IMAGE_BYTES) throw new AppError('IMAGE_TOO_LARGE');
  const type = sniffImage(image.bytes);
  if (!type) throw new AppError('IMAGE_INVALID');
  let size: { width?: number; height?: number };
  try {
    size = imageSize(image.bytes);
  } catch {
    throw new AppError('IMAGE_INVALID');
  }
  if (!size.width || !size.height) throw new AppError('IMAGE_INVALID');
  const alt: Record<string, string> = {};
  for (const [language, text] of Object.entries(image.alt ?? {})) {
    if (city.languages.includes(language) && typeof text === 'string' && text.trim()) {
      alt[language] = text.trim().slice(0, 300);
    }
  }
  if (Object.keys(alt).length === 0) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: `/alt/${city.defaultLanguage}`, problem: 'Describe the image for people who cannot see it.' },
    ]);
  }
  return db.transaction(async (tx) => {
    const activity = await loadForChange(tx, city, activityId);
    if (!mayEdit(caller, city.id, activity.organisationId)) throw new AppError('ACTIVITY_NOT_FOUND');
    const count = await tx.query('SELECT 1 FROM activity_images WHERE activity_id = $1', [activity.id]);
    if (count.length >= 8) {
      throw new AppError('VALIDATION_FAILED', undefined, [
        { field: '/image', problem: 'An activity has at most 8 images; remove one first.' },
      ]);
    }
    const stored = await insertImage(tx, city.id, activity.id, {
      contentType: imageContentTypes[type],
      bytes: image.bytes,
      width: size.width as number,
      height: size.height as number,
      alt,
    });
    await insertRevision(tx, {
      cityId: city.id,
      activityId: activity.id,
      actorUserId: userIdOf(caller),
      action: 'updated',
      changes: { images: { before: null, after: { added: stored.id, alt } } },
    });
    return { ...stored, url: imageUrl(city.slug, activity, stored.id) };
  });
}

export async function removeActivityImage(
  db: Database,
  city: CityRecord,
  activityId: string,
  imageId: string,
  caller: Caller,
): Promise<void> {
  assertCityOpen(city);
  await db.transaction(async (tx) => {
    const activity = await loadForChange(tx, city, activityId);
    if (!mayEdit(caller, city.id, activity.organisationId)) throw new AppError('ACTIVITY_NOT_FOUND');
    if (!UUID.test(imageId) || !(await deleteImage(tx, activity.id, imageId))) throw new AppError('NOT_FOUND');
    await insertRevision(tx, {
      cityId: city.id,
      activityId: activity.id,
      actorUserId: userIdOf(caller),
      action: 'updated',
      changes: { images: { before: { removed: imageId }, after: null } },
    });
  });
}

/** The bytes of an activity's image, for whoever may see the activity. */
export async function getActivityImage(
  db: SqlRunner,
  city: CityRecord,
  idOrSlug: string,
  imageId: string,
  actor: Actor | null,
): Promise<{ contentType: string; bytes: Uint8Array }> {
  const activity = await getActivity(db, city, idOrSlug, actor);
  const image = UUID.test(imageId) ? await findImageBytes(db, city.id, activity.id, imageId) : undefined;
  if (!image) throw new AppError('NOT_FOUND');
  return image;
}
