import { createHash } from 'node:crypto';
import {
  type AchievementInput,
  type AlignmentInput,
  buildAchievement,
  buildOb2BadgeClass,
  type JsonObject,
  OB_V3_CONTEXT,
  VC_V2_CONTEXT,
} from '../../../credentials/index.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { BadgeClassKind, BadgeClassStatus, BadgeDesign } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { decodeTimeCursor, keysetPage, pageLimit } from '../../keyset-cursor.ts';
import { type Actor, canActForOrganisation } from '../accounts/actor.ts';
import { skillsInCitySpine } from '../activities/activities.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { findOrganisationInCity } from '../organisations/organisations.repo.ts';
import { assertCityOpen, type Caller, freePageSlug } from '../organisations/organisations.service.ts';
import { findSkillsByIds } from '../skills/skills.repo.ts';
import { pickText, toAlignment } from '../skills/skills.service.ts';
import type { BadgeClassInput } from './badge-classes.model.ts';
import {
  type BadgeActivityRow,
  type BadgeClassRecord,
  type BadgeClassSummary,
  countCredentialsAtVersion,
  deleteUnusedVersionSnapshot,
  findBadgeClass,
  findBadgeClassBySlug,
  findBadgeImage,
  findLinkableActivities,
  findVersionImage,
  findVersionSnapshot,
  findVisibleBadges,
  insertBadgeClass,
  insertVersionSnapshot,
  listBadgeActivities,
  listBadgeNames,
  listBadgeSkills,
  listDirectoryRows,
  listOrganisationBadgeRows,
  listPrerequisiteIds,
  lockBadgeClass,
  prerequisitesReach,
  replaceBadgeActivities,
  replaceBadgeSkills,
  replacePrerequisites,
  type StoredImage,
  setBadgeClassStatus,
  shareLockBadgeClass,
  slugsLike,
  slugTaken,
  updateBadgeClassContent,
  updateBadgeImage,
  type VersionImage,
} from './badge-classes.repo.ts';
import { type BadgeClassWrite, validateBadgeClassInput } from './badge-classes.validation.ts';
import {
  defaultDesign,
  type ProcessedImage,
  processUploadedImage,
  renderBadgePng,
  renderBadgeSvg,
} from './badge-image.ts';
import { listEndorsementsOfBadge } from './endorsements.service.ts';
import { issuerOb2Url, issuerSignerFor } from './issuer-keys.service.ts';

export type { BadgeClassRecord, BadgeClassSummary };

/**
 * Badge classes (OB 3.0 Achievements) of an organisation in a city: writing, publishing, archiving, versions and
 * the public directory. `version` is the badge's content version: an edit that changes what credentials carry makes
 * a new version when credentials of the current one exist, so earlier credentials keep theirs; otherwise the edit is
 * made in place. `rowVersion` guards edits against lost updates. `badgeForIssuing` is what every claim route calls.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const userIdOf = (caller: Caller): string | null =>
  caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null;

/** The badge's organisation (its staff, or its API token) and network admins change its badges. */
export function canEditBadges(actor: Actor | null, organisationId: string): boolean {
  return canActForOrganisation(actor, organisationId, 'staff');
}

const mayEdit = (caller: Caller, organisationId: string) =>
  caller.actor === 'system' || canEditBadges(caller.actor, organisationId);

// ── URLs ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The Achievement JSON of a version (the `id` credentials of that version carry). */
export function achievementUrl(config: Config, citySlug: string, badgeClassId: string, version: number): string {
  return `${config.publicUrl}/c/${citySlug}/badges/${badgeClassId}/versions/${version}`;
}

export function badgeImageUrl(
  config: Config,
  citySlug: string,
  badgeClassId: string,
  version: number,
  ext: 'png' | 'svg',
): string {
  return `${achievementUrl(config, citySlug, badgeClassId, version)}/image.${ext}`;
}

/** The badge page by id: stable (a slug may change), it leads to the page at the slug. The criteria URL. */
export function badgePageUrl(config: Config, citySlug: string, badgeClassId: string): string {
  return `${config.publicUrl}/c/${citySlug}/badges/${badgeClassId}`;
}

export function badgePagePath(citySlug: string, slug: string): string {
  return `/c/${citySlug}/badges/${slug}`;
}

/** The current image (for pages); `rowVersion` makes a changed image a new URL for caches. */
export function currentImagePath(citySlug: string, badge: { slug: string; rowVersion: number }, ext: 'png' | 'svg') {
  return `/c/${citySlug}/badges/${badge.slug}/image.${ext}?v=${badge.rowVersion}`;
}

/** OB 3.0 achievement types (an extensible enumeration): participation and meta badges are Badges. */
export function achievementTypeOf(kind: BadgeClassKind): string {
  return kind === 'skill' || kind === 'competence' ? 'Competency' : 'Badge';
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface BadgeSkillView {
  skillId: string;
  level: number | null;
  code: string;
  label: Record<string, string>;
  framework: string;
}

/** A badge class with what its pages and the API show. */
export interface BadgeClassDetails extends BadgeClassRecord {
  organisation: { id: string; slug: string; name: string; status: string };
  skills: BadgeSkillView[];
  prerequisites: { id: string; slug: string; status: BadgeClassStatus; name: Record<string, string> }[];
  activities: BadgeActivityRow[];
}

async function details(db: SqlRunner, city: CityRecord, badge: BadgeClassRecord): Promise<BadgeClassDetails> {
  // One after another: inside a transaction these share one connection.
  const skillRows = await listBadgeSkills(db, city.id, badge.id);
  const skillRecords = await findSkillsByIds(
    db,
    city.id,
    skillRows.map((row) => row.skillId),
  );
  const byId = new Map(skillRecords.map((skill) => [skill.id, skill]));
  const prerequisites = await listBadgeNames(db, city.id, await listPrerequisiteIds(db, city.id, badge.id));
  const activities = await listBadgeActivities(db, city.id, badge.id);
  const organisation = await findOrganisationInCity(db, city.id, badge.organisationId);
  return {
    ...badge,
    organisation: {
      id: badge.organisationId,
      slug: organisation?.slug ?? '',
      name: organisation?.name ?? '',
      status: organisation?.status ?? 'pending',
    },
    skills: skillRows.map((row) => {
      const skill = byId.get(row.skillId);
      return {
        skillId: row.skillId,
        level: row.level,
        code: skill?.code ?? '',
        label: skill?.label ?? {},
        framework: skill?.framework.slug ?? '',
      };
    }),
    prerequisites,
    activities,
  };
}

async function findByIdOrSlug(db: SqlRunner, city: CityRecord, idOrSlug: string) {
  return UUID.test(idOrSlug) ? findBadgeClass(db, city.id, idOrSlug) : findBadgeClassBySlug(db, city.id, idOrSlug);
}

/** True when the actor may see a badge that is not published (a draft): its organisation and network admins. */
export function canSeeDraft(actor: Actor | null, badge: { organisationId: string }): boolean {
  return canEditBadges(actor, badge.organisationId);
}

/**
 * A badge by id or slug. Drafts exist only for their organisation (404 for everyone else); archived badges stay
 * visible, for the people who earned them.
 */
export async function getBadgeClass(
  db: SqlRunner,
  city: CityRecord,
  idOrSlug: string,
  actor: Actor | null,
): Promise<BadgeClassDetails> {
  const badge = await findByIdOrSlug(db, city, idOrSlug);
  if (!badge || (badge.status === 'draft' && !canSeeDraft(actor, badge))) throw new AppError('BADGE_NOT_FOUND');
  return details(db, city, badge);
}

/** A badge of the organisation in the path; another organisation's badge is not found here. */
export async function getOrganisationBadgeClass(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string,
  actor: Actor | null,
): Promise<BadgeClassDetails> {
  const badge = UUID.test(badgeClassId) ? await findBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!badge || badge.organisationId !== organisationId || !canEditBadges(actor, organisationId)) {
    throw new AppError('BADGE_NOT_FOUND');
  }
  return details(db, city, badge);
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────────────

function validationFailed(problems: ErrorDetail[]): never {
  throw new AppError('VALIDATION_FAILED', undefined, problems);
}

/** The pure checks; throws VALIDATION_FAILED with every problem. */
function validate(city: CityRecord, input: BadgeClassInput): BadgeClassWrite {
  const { problems, write } = validateBadgeClassInput(city, input);
  if (problems.length > 0 || !write) validationFailed(problems);
  return write as BadgeClassWrite;
}

/** The checks that need the database: skills in the city's spine, prerequisites and linked activities of the city. */
async function databaseProblems(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  badgeClassId: string | null,
  write: BadgeClassWrite,
): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const known = await skillsInCitySpine(
    db,
    city.id,
    write.skills.map((skill) => skill.skillId),
  );
  write.skills.forEach((skill, index) => {
    if (!known.has(skill.skillId)) {
      problems.push({ field: `/skills/${index}/skillId`, problem: 'This skill is not in the city’s skills spine.' });
    }
  });

  const visible = new Map(
    (await findVisibleBadges(db, city.id, organisationId, write.prerequisites)).map((badge) => [badge.id, badge]),
  );
  for (const [index, id] of write.prerequisites.entries()) {
    const field = `/prerequisites/${index}`;
    if (id === badgeClassId) problems.push({ field, problem: 'A badge cannot require itself.' });
    else if (!visible.has(id)) problems.push({ field, problem: 'No published badge with this id is in this city.' });
    else if (badgeClassId && (await prerequisitesReach(db, city.id, [id], badgeClassId))) {
      problems.push({
        field,
        problem:
          'That badge already requires this one (directly or through others); requiring it back would make a circle.',
      });
    }
  }

  const activities = new Map(
    (
      await findLinkableActivities(
        db,
        city.id,
        organisationId,
        write.activities.map((activity) => activity.activityId),
      )
    ).map((activity) => [activity.id, activity]),
  );
  write.activities.forEach((link, index) => {
    const activity = activities.get(link.activityId);
    if (!activity) {
      problems.push({
        field: `/activities/${index}/activityId`,
        problem: 'No published activity with this id is in this city.',
      });
    } else if (link.awardOnAttendance && activity.organisationId !== organisationId) {
      problems.push({
        field: `/activities/${index}/awardOnAttendance`,
        problem: 'Only your organisation’s own activities can award this badge when someone attends.',
      });
    }
  });
  return problems;
}

function freeSlug(db: SqlRunner, city: CityRecord, write: BadgeClassWrite, exceptId?: string): Promise<string> {
  return freePageSlug({
    wanted: write.slug,
    name: write.name,
    city,
    fallback: 'badge',
    takenCode: 'BADGE_SLUG_TAKEN',
    taken: (slug) => slugTaken(db, city.id, slug, exceptId),
    startingWith: (base) => slugsLike(db, city.id, base),
  });
}

const altOf = (city: CityRecord, alt: Record<string, string>) =>
  alt[city.defaultLanguage] ?? Object.values(alt)[0] ?? '';

async function generatedImage(design: BadgeDesign, alt: string): Promise<StoredImage> {
  return { source: 'generated', design, contentType: 'image/png', bytes: await renderBadgePng(design, alt), svg: null };
}

/** What credentials carry of a badge: when this changes and credentials of the version exist, a new version begins. */
function achievementContent(
  badge: Pick<
    BadgeClassRecord,
    'kind' | 'name' | 'description' | 'criteria' | 'imageAlt' | 'tags' | 'imageSource' | 'design'
  >,
  skills: { skillId: string; level: number | null }[],
  imageHash: string,
): string {
  return JSON.stringify([
    badge.kind,
    badge.name,
    badge.description,
    badge.criteria,
    badge.imageAlt,
    [...badge.tags].sort(),
    [...skills].sort((a, b) => a.skillId.localeCompare(b.skillId)),
    badge.imageSource,
    badge.design,
    imageHash,
  ]);
}

const hashOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What identifies a stored image: its PNG, and the SVG of an SVG upload. */
const imageHashOf = (image: StoredImage) =>
  createHash('sha256')
    .update(image.bytes)
    .update(image.svg ?? '')
    .digest('hex');

/** The content version an edit leaves: one more when credentials carry the current one and the content changed. */
async function nextVersion(db: SqlRunner, city: CityRecord, current: BadgeClassRecord, changed: boolean) {
  if (!changed) return current.version;
  if ((await countCredentialsAtVersion(db, city.id, current.id, current.version)) > 0) return current.version + 1;
  // Edited in place: a snapshot of this version (taken by an issue that was not completed) no longer matches it.
  await deleteUnusedVersionSnapshot(db, city.id, current.id, current.version);
  return current.version;
}

function auditView(badge: BadgeClassRecord) {
  return {
    slug: badge.slug,
    status: badge.status,
    kind: badge.kind,
    name: badge.name,
    version: badge.version,
    imageSource: badge.imageSource,
  };
}

/**
 * Creates a draft badge of the organisation. Without an image it gets a generated design made from its name
 * (upload an image afterwards to replace it).
 */
export async function createBadgeClass(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: BadgeClassInput,
  caller: Caller,
): Promise<BadgeClassDetails> {
  assertCityOpen(city);
  if (!UUID.test(organisationId) || !(await findOrganisationInCity(db, city.id, organisationId))) {
    throw new AppError('ORGANISATION_NOT_FOUND');
  }
  if (!mayEdit(caller, organisationId)) throw new AppError('FORBIDDEN');
  const write = validate(city, input);
  const design = write.design ?? defaultDesign(write.name[city.defaultLanguage] ?? '');
  const image = await generatedImage(design, altOf(city, write.imageAlt));
  return db.transaction(async (tx) => {
    const problems = await databaseProblems(tx, city, organisationId, null, write);
    if (problems.length > 0) validationFailed(problems);
    const slug = await freeSlug(tx, city, write);
    const id = await insertBadgeClass(
      tx,
      { cityId: city.id, organisationId, slug, createdBy: userIdOf(caller) },
      write,
      image,
    );
    await replaceBadgeSkills(tx, city.id, id, write.skills);
    await replacePrerequisites(tx, city.id, id, write.prerequisites);
    await replaceBadgeActivities(tx, city.id, id, write.activities);
    const created = (await findBadgeClass(tx, city.id, id)) as BadgeClassRecord;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'badge_class.create',
      targetType: 'badge_class',
      targetId: id,
      after: auditView(created),
    });
    return details(tx, city, created);
  });
}

async function loadForChange(
  db: SqlRunner,
  city: CityRecord,
  badgeClassId: string,
  caller: Caller,
  expectedRowVersion: number | undefined,
): Promise<BadgeClassRecord> {
  const current = UUID.test(badgeClassId) ? await lockBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!current || !mayEdit(caller, current.organisationId)) throw new AppError('BADGE_NOT_FOUND');
  if (expectedRowVersion !== undefined && expectedRowVersion !== current.rowVersion) {
    throw new AppError('BADGE_VERSION_CONFLICT');
  }
  return current;
}

/**
 * Replaces a badge's content. `expectedRowVersion` (the row version the editor loaded) turns a concurrent edit into
 * BADGE_VERSION_CONFLICT. When credentials of the current version exist and the edit changes what they carry, the
 * badge moves to a new version; otherwise it is edited in place. An archived badge cannot be edited.
 */
export async function updateBadgeClass(
  db: Database,
  city: CityRecord,
  badgeClassId: string,
  input: BadgeClassInput,
  caller: Caller,
  options: { expectedRowVersion?: number } = {},
): Promise<BadgeClassDetails> {
  assertCityOpen(city);
  const write = validate(city, input);
  return db.transaction(async (tx) => {
    const current = await loadForChange(tx, city, badgeClassId, caller, options.expectedRowVersion);
    if (current.status === 'archived') {
      throw new AppError('BADGE_STATE_CONFLICT', 'An archived badge cannot be edited; publish it again first.');
    }
    const problems = await databaseProblems(tx, city, current.organisationId, current.id, write);
    if (problems.length > 0) validationFailed(problems);
    const slug = write.slug && write.slug !== current.slug ? await freeSlug(tx, city, write, current.id) : current.slug;
    const stored = (await findBadgeImage(tx, city.id, current.id)) as StoredImage;
    let image: StoredImage = stored;
    if (write.design) {
      const sameDesign =
        current.imageSource === 'generated' && JSON.stringify(current.design) === JSON.stringify(write.design);
      image = sameDesign ? stored : await generatedImage(write.design, altOf(city, write.imageAlt));
    }
    const skillsBefore = await listBadgeSkills(tx, city.id, current.id);
    const before = achievementContent(current, skillsBefore, imageHashOf(stored));
    const after = achievementContent(
      { ...current, ...write, imageSource: image.source, design: image.design },
      write.skills,
      imageHashOf(image),
    );
    const version = await nextVersion(tx, city, current, before !== after);
    await updateBadgeClassContent(tx, city.id, current.id, slug, version, write, image);
    await replaceBadgeSkills(tx, city.id, current.id, write.skills);
    await replacePrerequisites(tx, city.id, current.id, write.prerequisites);
    await replaceBadgeActivities(tx, city.id, current.id, write.activities);
    const updated = (await findBadgeClass(tx, city.id, current.id)) as BadgeClassRecord;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'badge_class.update',
      targetType: 'badge_class',
      targetId: current.id,
      before: auditView(current),
      after: auditView(updated),
    });
    return details(tx, city, updated);
  });
}

/**
 * Gives a badge an uploaded image (PNG or SVG, checked and re-encoded), optionally with new alt text per language.
 * Like any edit, it makes a new version when credentials carry the current one.
 */
export async function setBadgeImage(
  db: Database,
  city: CityRecord,
  badgeClassId: string,
  upload: { bytes: Buffer; alt?: Record<string, string> },
  caller: Caller,
  options: { expectedRowVersion?: number } = {},
): Promise<BadgeClassDetails> {
  assertCityOpen(city);
  const problems: ErrorDetail[] = [];
  const alt: Record<string, string> = {};
  for (const [language, text] of Object.entries(upload.alt ?? {})) {
    const value = typeof text === 'string' ? text.trim() : '';
    if (!value) continue;
    if (!city.languages.includes(language)) {
      problems.push({ field: `/imageAlt/${language}`, problem: `"${language}" is not one of the city's languages.` });
    } else if (value.length > 300) {
      problems.push({ field: `/imageAlt/${language}`, problem: 'Keep the text alternative under 300 characters.' });
    } else alt[language] = value;
  }
  if (problems.length > 0) validationFailed(problems);
  const processed: ProcessedImage = await processUploadedImage(upload.bytes);
  return db.transaction(async (tx) => {
    const current = await loadForChange(tx, city, badgeClassId, caller, options.expectedRowVersion);
    if (current.status === 'archived') {
      throw new AppError('BADGE_STATE_CONFLICT', 'An archived badge cannot be edited; publish it again first.');
    }
    const stored = (await findBadgeImage(tx, city.id, current.id)) as StoredImage;
    // An SVG upload keeps its sanitised SVG and the PNG it was rendered to, so neither is drawn on request.
    const image: StoredImage = {
      source: 'upload',
      design: null,
      contentType: 'image/png',
      bytes: processed.png,
      svg: processed.contentType === 'image/svg+xml' ? processed.bytes.toString('utf8') : null,
    };
    const imageAlt = { ...current.imageAlt, ...alt };
    const skills = await listBadgeSkills(tx, city.id, current.id);
    const changed =
      achievementContent(current, skills, imageHashOf(stored)) !==
      achievementContent({ ...current, imageAlt, imageSource: 'upload', design: null }, skills, imageHashOf(image));
    const version = await nextVersion(tx, city, current, changed);
    await updateBadgeImage(tx, city.id, current.id, version, image, imageAlt);
    const updated = (await findBadgeClass(tx, city.id, current.id)) as BadgeClassRecord;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'badge_class.image',
      targetType: 'badge_class',
      targetId: current.id,
      before: { ...auditView(current), imageContentType: uploadedTypeOf(current) },
      after: { ...auditView(updated), imageContentType: processed.contentType, imageSha256: hashOf(processed.bytes) },
    });
    return details(tx, city, updated);
  });
}

/** The input that reproduces a stored badge (to re-check it before publishing, or to fill the form). */
export function inputOf(badge: BadgeClassDetails): BadgeClassInput {
  return {
    slug: badge.slug,
    kind: badge.kind,
    name: badge.name,
    description: badge.description,
    criteria: badge.criteria,
    requirements: badge.requirements,
    image:
      badge.imageSource === 'generated' && badge.design
        ? { source: 'generated', design: badge.design }
        : { source: 'upload' },
    imageAlt: badge.imageAlt,
    tags: badge.tags,
    validityMonths: badge.validityMonths,
    skills: badge.skills.map((skill) => ({ skillId: skill.skillId, level: skill.level })),
    prerequisites: badge.prerequisites.map((badgeClass) => badgeClass.id),
    activities: badge.activities.map((link) => ({
      activityId: link.activityId,
      awardOnAttendance: link.awardOnAttendance,
    })),
    evidenceClaimsOpen: badge.evidenceClaimsOpen,
    peerConfirmationsRequired: badge.peerConfirmationsRequired,
  };
}

async function changeStatus(
  db: Database,
  city: CityRecord,
  badgeClassId: string,
  caller: Caller,
  to: 'published' | 'archived',
  options: { expectedRowVersion?: number },
): Promise<BadgeClassDetails> {
  assertCityOpen(city);
  return db.transaction(async (tx) => {
    const current = await loadForChange(tx, city, badgeClassId, caller, options.expectedRowVersion);
    if (current.status === to) {
      throw new AppError(
        'BADGE_STATE_CONFLICT',
        to === 'published' ? 'The badge is already published.' : 'The badge is already archived.',
      );
    }
    if (to === 'published') {
      const standing = await findOrganisationInCity(tx, city.id, current.organisationId);
      if (standing?.status !== 'approved') {
        throw new AppError('BADGE_STATE_CONFLICT', 'Only an organisation the city has approved can publish badges.');
      }
      // Complete content: the stored badge passes today's checks (the city's languages may have changed since), and
      // every badge it requires is published, so learners can earn them.
      const full = await details(tx, city, current);
      const problems = validateBadgeClassInput(city, { ...inputOf(full), image: undefined }).problems;
      problems.push(...(await databaseProblems(tx, city, current.organisationId, current.id, storedWrite(full))));
      full.prerequisites.forEach((required, index) => {
        if (required.status !== 'published') {
          problems.push({
            field: `/prerequisites/${index}`,
            problem: `The required badge "${pickText(required.name, city.defaultLanguage).text}" must be published first.`,
          });
        }
      });
      if (problems.length > 0) {
        throw new AppError('VALIDATION_FAILED', 'Complete the badge before publishing it.', problems);
      }
    }
    await setBadgeClassStatus(tx, city.id, current.id, to);
    const updated = (await findBadgeClass(tx, city.id, current.id)) as BadgeClassRecord;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: to === 'published' ? 'badge_class.publish' : 'badge_class.archive',
      targetType: 'badge_class',
      targetId: current.id,
      before: { status: current.status },
      after: { status: to },
    });
    return details(tx, city, updated);
  });
}

/** A stored badge as a write, for checking its links against the database again. */
function storedWrite(badge: BadgeClassDetails): BadgeClassWrite {
  return {
    slug: badge.slug,
    kind: badge.kind,
    name: badge.name,
    description: badge.description,
    criteria: badge.criteria,
    requirements: badge.requirements,
    design: null,
    imageAlt: badge.imageAlt,
    tags: badge.tags,
    validityMonths: badge.validityMonths,
    skills: badge.skills.map((skill) => ({ skillId: skill.skillId, level: skill.level })),
    prerequisites: badge.prerequisites.map((required) => required.id),
    activities: badge.activities,
    evidenceClaimsOpen: badge.evidenceClaimsOpen,
    peerConfirmationsRequired: badge.peerConfirmationsRequired,
  };
}

/** Publishes a draft (or an archived badge again): its content must be complete and its organisation approved. */
export function publishBadgeClass(
  db: Database,
  city: CityRecord,
  badgeClassId: string,
  caller: Caller,
  options: { expectedRowVersion?: number } = {},
) {
  return changeStatus(db, city, badgeClassId, caller, 'published', options);
}

/** Archives a badge: it can no longer be issued, and stays visible for the people who earned it. */
export function archiveBadgeClass(
  db: Database,
  city: CityRecord,
  badgeClassId: string,
  caller: Caller,
  options: { expectedRowVersion?: number } = {},
) {
  return changeStatus(db, city, badgeClassId, caller, 'archived', options);
}

// ── Lists ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** An organisation's badges in the city, most recently changed first (keyset pages). */
export async function listOrganisationBadges(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  actor: Actor | null,
  options: { status?: BadgeClassStatus; cursor?: string; limit?: number } = {},
): Promise<{ items: BadgeClassSummary[]; nextCursor: string | null }> {
  if (!UUID.test(organisationId) || !(await findOrganisationInCity(db, city.id, organisationId))) {
    throw new AppError('ORGANISATION_NOT_FOUND');
  }
  if (!canEditBadges(actor, organisationId)) throw new AppError('FORBIDDEN');
  const limit = pageLimit(options.limit);
  const rows = await listOrganisationBadgeRows(
    db,
    city.id,
    organisationId,
    options.status ?? null,
    decodeTimeCursor(options.cursor),
    limit + 1,
  );
  return keysetPage(rows, limit, (row) => row.updatedAt);
}

export const DIRECTORY_PAGE_SIZE = 24;

/** The city's published badges: search by name or tag, filter by kind, skill or organisation; numbered pages. */
export async function badgeDirectory(
  db: SqlRunner,
  city: CityRecord,
  options: {
    query?: string;
    kind?: BadgeClassKind;
    skillId?: string;
    organisationId?: string;
    language?: string;
    page?: number;
    pageSize?: number;
  } = {},
): Promise<{ items: BadgeClassSummary[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? DIRECTORY_PAGE_SIZE, 1), 100);
  const page = Math.max(1, Math.trunc(options.page ?? 1));
  const skillId = options.skillId && UUID.test(options.skillId) ? options.skillId : null;
  if (options.skillId && !skillId) return { items: [], total: 0, page, pageSize };
  const organisationId = options.organisationId && UUID.test(options.organisationId) ? options.organisationId : null;
  const { items, total } = await listDirectoryRows(
    db,
    city.id,
    {
      query: options.query?.trim().slice(0, 100) || null,
      kind: options.kind ?? null,
      skillId,
      organisationId,
      language: options.language ?? city.defaultLanguage,
    },
    { limit: pageSize, offset: (page - 1) * pageSize },
  );
  return { items, total, page, pageSize };
}

// ── Versions, the Achievement and images ────────────────────────────────────────────────────────────────────────

/** The format a badge's image was uploaded in (the API and the audit log report it; PNG is always stored too). */
export function uploadedTypeOf(badge: Pick<BadgeClassRecord, 'imageIsSvg'>): 'image/png' | 'image/svg+xml' {
  return badge.imageIsSvg ? 'image/svg+xml' : 'image/png';
}

/** The Achievement of a badge version as the engine takes it: texts per language, alignments, creator, endorsements. */
async function buildAchievementInput(
  db: SqlRunner,
  config: Config,
  city: CityRecord,
  badge: BadgeClassRecord,
): Promise<AchievementInput> {
  const version = badge.version;
  const skills = await listBadgeSkills(db, city.id, badge.id);
  const records = new Map(
    (
      await findSkillsByIds(
        db,
        city.id,
        skills.map((skill) => skill.skillId),
      )
    ).map((skill) => [skill.id, skill]),
  );
  const alignments: AlignmentInput[] = [];
  for (const row of skills) {
    const skill = records.get(row.skillId);
    if (!skill) continue;
    const alignment = toAlignment(skill, {
      publicUrl: config.publicUrl,
      citySlug: city.slug,
      language: city.defaultLanguage,
    });
    alignments.push({
      targetName: alignment.targetName || skill.code,
      targetUrl: alignment.targetUrl,
      targetCode: alignment.targetCode,
      targetFramework: alignment.targetFramework,
      targetType: alignment.targetType,
    });
  }
  const signer = await issuerSignerFor(db, config, badge.organisationId);
  const endorsements = await listEndorsementsOfBadge(db, city.id, badge.id);
  return {
    id: achievementUrl(config, city.slug, badge.id, version),
    name: badge.name,
    description: badge.description,
    criteria: { id: badgePageUrl(config, city.slug, badge.id), narrative: badge.criteria },
    image: { id: badgeImageUrl(config, city.slug, badge.id, version, 'png'), caption: badge.imageAlt },
    achievementType: achievementTypeOf(badge.kind),
    ...(alignments.length > 0 ? { alignments } : {}),
    ...(badge.tags.length > 0 ? { tags: badge.tags } : {}),
    creator: signer.profile,
    ...(endorsements.length > 0 ? { endorsements } : {}),
    inLanguage: city.defaultLanguage,
    version: String(version),
  };
}

export interface BadgeForIssuing {
  id: string;
  cityId: string;
  organisationId: string;
  slug: string;
  status: BadgeClassStatus;
  kind: BadgeClassKind;
  version: number;
  validityMonths: number | null;
  name: Record<string, string>;
  /** The engine's AchievementInput of this version (id = achievementUrl); image, alignments, endorsements included. */
  achievement: AchievementInput;
  prerequisiteIds: string[];
}

/**
 * Loads a published badge of the city for issuing and snapshots its current version into badge_class_versions
 * (idempotent: the first snapshot of a version stays); locks the badge row FOR SHARE so an edit waits until the
 * issuing transaction ends. Draft and archived badges are BADGE_NOT_PUBLISHED.
 */
export async function badgeForIssuing(
  db: SqlRunner,
  config: Config,
  city: CityRecord,
  badgeClassId: string,
): Promise<BadgeForIssuing> {
  const badge = UUID.test(badgeClassId) ? await shareLockBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!badge) throw new AppError('BADGE_NOT_FOUND');
  if (badge.status !== 'published') throw new AppError('BADGE_NOT_PUBLISHED');
  let snapshot = await findVersionSnapshot(db, city.id, badge.id, badge.version);
  if (!snapshot) {
    const achievement = await buildAchievementInput(db, config, city, badge);
    // The version keeps its image as issued (a generated design's SVG too), whatever the badge shows later.
    const image = await currentImageFiles(db, city, badge);
    await insertVersionSnapshot(
      db,
      city.id,
      badge.id,
      badge.version,
      achievement as unknown as Record<string, unknown>,
      image,
    );
    snapshot = (await findVersionSnapshot(db, city.id, badge.id, badge.version)) as Record<string, unknown>;
  }
  return {
    id: badge.id,
    cityId: badge.cityId,
    organisationId: badge.organisationId,
    slug: badge.slug,
    status: badge.status,
    kind: badge.kind,
    version: badge.version,
    validityMonths: badge.validityMonths,
    name: badge.name,
    achievement: snapshot as unknown as AchievementInput,
    prerequisiteIds: await listPrerequisiteIds(db, city.id, badge.id),
  };
}

/**
 * The AchievementInput of a version: its snapshot once a credential carries it; before that, the current version of
 * a badge that is not a draft, built as it would be issued (so it may still change). Null when there is none.
 */
export async function achievementOfVersion(
  db: SqlRunner,
  config: Config,
  city: CityRecord,
  badgeClassId: string,
  version: number,
): Promise<{ achievement: AchievementInput; immutable: boolean; badge: BadgeClassRecord } | null> {
  const badge = UUID.test(badgeClassId) ? await findBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!badge || !Number.isInteger(version) || version < 1 || version > badge.version) return null;
  const snapshot = await findVersionSnapshot(db, city.id, badge.id, version);
  if (snapshot) return { achievement: snapshot as unknown as AchievementInput, immutable: true, badge };
  if (version !== badge.version || badge.status === 'draft') return null;
  return { achievement: await buildAchievementInput(db, config, city, badge), immutable: false, badge };
}

/** The Achievement JSON-LD document of a version, with the contexts credentials use. */
export function achievementDocument(achievement: AchievementInput): JsonObject {
  return { '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT], ...buildAchievement(achievement) };
}

/** The OB 2.0 BadgeClass of a version, for tools that only read 2.0. */
export function ob2BadgeClassDocument(
  config: Config,
  city: CityRecord,
  badge: BadgeClassRecord,
  achievement: AchievementInput,
): JsonObject {
  return buildOb2BadgeClass(
    achievement,
    {
      issuerUrl: issuerOb2Url(config, badge.organisationId),
      badgeClassUrl: `${achievementUrl(config, city.slug, badge.id, Number(achievement.version ?? badge.version))}/ob2`,
    },
    city.defaultLanguage,
  );
}

/**
 * The current image of a badge as PNG, and as SVG when it has one: an SVG upload's stored SVG, or a generated design
 * drawn again (a string template, cheap).
 */
async function currentImageFiles(db: SqlRunner, city: CityRecord, badge: BadgeClassRecord): Promise<VersionImage> {
  const stored = (await findBadgeImage(db, city.id, badge.id)) as StoredImage;
  const generated = stored.source === 'generated' && stored.design !== null;
  return {
    png: stored.bytes,
    svg: stored.svg ?? (generated ? renderBadgeSvg(stored.design as BadgeDesign, altOf(city, badge.imageAlt)) : null),
  };
}

/** A version's image: the one stored with it once issued, else the current image of the current version. */
export async function versionImageFiles(
  db: SqlRunner,
  city: CityRecord,
  badgeClassId: string,
  version: number,
): Promise<{ png: Uint8Array; svg: string | null; immutable: boolean } | null> {
  const badge = UUID.test(badgeClassId) ? await findBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!badge || !Number.isInteger(version) || version < 1 || version > badge.version) return null;
  const kept = await findVersionImage(db, city.id, badge.id, version);
  if (kept) return { ...kept, immutable: true };
  if (version !== badge.version || badge.status === 'draft') return null;
  return { ...(await currentImageFiles(db, city, badge)), immutable: false };
}

/** The current image of a badge by id or slug, for whoever may see the badge. */
export async function currentBadgeImage(
  db: SqlRunner,
  city: CityRecord,
  idOrSlug: string,
  actor: Actor | null,
): Promise<{ png: Uint8Array; svg: string | null; badge: BadgeClassRecord }> {
  const badge = await findByIdOrSlug(db, city, idOrSlug);
  if (!badge || (badge.status === 'draft' && !canSeeDraft(actor, badge))) throw new AppError('BADGE_NOT_FOUND');
  return { ...(await currentImageFiles(db, city, badge)), badge };
}

/**
 * A badge's image for baking (H3): the image stored with the given version (every issued version has one), else the
 * current one. PNG always; SVG when the image has one.
 */
export async function badgeImageBytes(
  db: SqlRunner,
  city: CityRecord,
  badgeClassId: string,
  version?: number,
): Promise<VersionImage> {
  const badge = UUID.test(badgeClassId) ? await findBadgeClass(db, city.id, badgeClassId) : undefined;
  if (!badge) throw new AppError('BADGE_NOT_FOUND');
  const kept = version === undefined ? undefined : await findVersionImage(db, city.id, badge.id, version);
  return kept ?? currentImageFiles(db, city, badge);
}
