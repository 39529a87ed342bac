import type { EvidenceInput } from '../../../credentials/index.ts';
import type { Config } from '../../config.ts';
import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { AuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { findBadgeClass, listPrerequisiteIds } from './badge-classes.repo.ts';
import {
  attendedUserIds,
  findActiveCredentialOf,
  heldCredentials,
  listAttendanceBadges,
  metaBadgesRequiring,
} from './claims.repo.ts';
import { findAccountById } from './credentials.repo.ts';
import { credentialUrl, type IssueResult, issueCredential } from './credentials.service.ts';

/**
 * Automatic claim routes (issue #7, route 5): badges issued without anyone asking for them.
 *
 * - Attendance: an organiser marks a learner as attended on an activity that awards one of its organisation's
 *   published badges on attendance (`activity_badges.award_on_attendance`). `awardForAttendance` runs inside the
 *   attendance transaction (called from `markAttendance`); un-marking attendance revokes nothing.
 * - Requirements: a published meta badge is issued once the learner holds every badge it requires.
 *   `afterCredentialIssued` is the hook to call after ANY issue to a person: it looks for meta badges that list the
 *   just-issued badge as a prerequisite and issues those the learner now completes (and so on up the chain).
 *   The claim routes here (claim codes, evidence, peer checks, attendance) call it; organiser awards and bulk issuing
 *   should call it too. The playlists capability will call `awardIfRequirementsMet` (or `afterCredentialIssued`)
 *   when a learner completes a playlist.
 *
 * Every key is deterministic, so a retried or concurrent run returns the credential issued the first time.
 */

let savepoints = 0;

/**
 * Runs one automatic issue under a savepoint: a refusal (missing prerequisites, an archived badge, a deleted account)
 * skips that issue without undoing the change that triggered it. Server faults still fail the whole transaction.
 */
async function attempt<T>(tx: SqlRunner, work: () => Promise<T>): Promise<T | undefined> {
  savepoints = (savepoints + 1) % 1_000_000;
  const name = `automatic_award_${savepoints}`;
  await tx.query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await tx.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await tx.query(`RELEASE SAVEPOINT ${name}`);
    if (error instanceof AppError && error.status < 500) return undefined;
    throw error;
  }
}

/** The key of an attendance award: one per activity, badge and person, however often attendance is marked. */
export function attendanceKey(activityId: string, badgeClassId: string, userId: string): string {
  return `attendance:${activityId}:${badgeClassId}:${userId}`;
}

/** The key of a requirements award: one per meta badge and person. */
export function requirementsKey(badgeClassId: string, userId: string): string {
  return `requirements:${badgeClassId}:${userId}`;
}

/**
 * Issues a published meta badge to the person when they hold every badge it requires (route 'requirements'); the
 * evidence lists the credentials that complete it. Returns null when the badge is not such a badge or something is
 * still missing; the existing credential (created false) when they already hold it. Call inside a transaction.
 */
export async function awardIfRequirementsMet(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  userId: string,
  badgeClassId: string,
): Promise<IssueResult | null> {
  const badge = await findBadgeClass(tx, city.id, badgeClassId);
  if (badge?.status !== 'published' || badge.kind !== 'meta') return null;
  const required = await listPrerequisiteIds(tx, city.id, badge.id);
  if (required.length === 0) return null;
  const account = await findAccountById(tx, userId);
  if (!account) return null;
  const holder = { userId, email: account.email };
  const own = await heldCredentials(tx, city.id, [badge.id], holder);
  if (own[0]) return { credentialId: own[0].id, created: false };
  const held = await heldCredentials(tx, city.id, required, holder);
  if (held.length < required.length) return null;
  const evidence: EvidenceInput[] = held.map((credential) => ({
    id: credentialUrl(config, city.slug, credential.id),
    name: credential.badgeName,
  }));
  return issueCredential(tx, config, city, audit, {
    badgeClassId: badge.id,
    recipient: { userId },
    route: 'requirements',
    idempotencyKey: requirementsKey(badge.id, userId),
    evidence,
    issuedBy: null,
  });
}

/**
 * The hook after a credential of `badgeClassId` was issued to a person: issues every published meta badge that
 * requires it and that the person now completes, then the meta badges those complete in turn. Refusals are skipped
 * (see `attempt`). Returns the ids of the credentials it issued. Call inside the issuing transaction.
 */
export async function afterCredentialIssued(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  issued: { badgeClassId: string; userId: string | null },
  depth = 0,
): Promise<string[]> {
  // Prerequisites cannot form a cycle (badge classes refuse one), so the chain ends; the depth is a second guard.
  if (!issued.userId || depth > 20) return [];
  const userId = issued.userId;
  const created: string[] = [];
  for (const metaId of await metaBadgesRequiring(tx, city.id, issued.badgeClassId)) {
    const result = await attempt(tx, () => awardIfRequirementsMet(tx, config, city, audit, userId, metaId));
    if (!result?.created) continue;
    created.push(result.credentialId);
    created.push(
      ...(await afterCredentialIssued(tx, config, city, audit, { badgeClassId: metaId, userId }, depth + 1)),
    );
  }
  return created;
}

/**
 * Attendance awards: for sign-ups just marked as attended, issues each badge the activity awards on attendance
 * (route 'attendance'). Runs in the attendance transaction; activities without such badges cost one query.
 */
export async function awardForAttendance(
  tx: SqlRunner,
  config: Config,
  city: CityRecord,
  audit: AuditContext,
  activityId: string,
  attendedSignupIds: string[],
): Promise<string[]> {
  if (attendedSignupIds.length === 0) return [];
  const badges = await listAttendanceBadges(tx, city.id, activityId);
  if (badges.length === 0) return [];
  const userIds = await attendedUserIds(tx, city.id, attendedSignupIds);
  const created: string[] = [];
  for (const badge of badges) {
    const title = Object.fromEntries(Object.entries(badge.activityTitle).filter(([, text]) => text?.trim()));
    const evidence: EvidenceInput[] = [
      {
        id: `${config.publicUrl}/c/${city.slug}/activities/${badge.activitySlug}`,
        ...(Object.keys(title).length > 0 ? { name: title } : {}),
      },
    ];
    for (const userId of userIds) {
      // Someone who already holds the badge (from another activity or route) does not get a second one.
      if (await findActiveCredentialOf(tx, city.id, badge.badgeClassId, userId)) continue;
      const result = await attempt(tx, () =>
        issueCredential(tx, config, city, audit, {
          badgeClassId: badge.badgeClassId,
          recipient: { userId },
          route: 'attendance',
          idempotencyKey: attendanceKey(activityId, badge.badgeClassId, userId),
          evidence,
        }),
      );
      if (!result?.created) continue;
      created.push(result.credentialId);
      created.push(
        ...(await afterCredentialIssued(tx, config, city, audit, { badgeClassId: badge.badgeClassId, userId })),
      );
    }
  }
  return created;
}
