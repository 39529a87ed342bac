import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { PermanentJobError, type JobHandler } from '../../jobs/worker.ts';
import { findJob, insertJob } from '../jobs/jobs.repo.ts';
import { deleteStaleTokens } from './one-time-tokens.ts';
import { verifyPassword } from './passwords.ts';
import { queuePeopleEmail } from './people-emails.ts';
import { findPersonById } from './people.repo.ts';
import { avatarFile } from './profile.service.ts';
import { problem } from './people-validation.ts';

export const EXPORT_PERSONAL_DATA = 'accounts.export-personal-data';
export const PURGE_EXPIRED_EXPORTS = 'accounts.purge-expired';
export const EXPORT_LIFETIME_DAYS = 7;

interface ExportPayload {
  userId: string;
  language: string;
  publicUrl: string;
  dataDir: string;
}

interface ExportResult {
  file: string;
  bytes: number;
  expiresAt: string;
  purgedAt?: string;
}

/**
 * One section of "everything about the person". Each capability that stores personal data adds its section here, so
 * the export stays complete as the product grows. Sections return JSON-serialisable data.
 */
type ExportSection = (db: SqlRunner, userId: string) => Promise<unknown>;

export const exportSections: Record<string, ExportSection> = {
  account: async (db, userId) => {
    const [row] = await db.query(
      `SELECT id, email, display_name AS "displayName", email_verified_at AS "emailVerifiedAt",
         to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", pronouns, languages, interests,
         (SELECT slug FROM cities WHERE id = home_city_id) AS "homeCity", home_district AS "homeDistrict",
         avatar_path IS NOT NULL AS "hasAvatar", status, password_hash IS NOT NULL AS "hasPassword",
         password_changed_at AS "passwordChangedAt", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM users WHERE id = $1`,
      [userId],
    );
    return row ?? null;
  },
  cities: (db, userId) =>
    db.query(
      `SELECT c.slug, c.name, uc.joined_at AS "joinedAt" FROM user_cities uc JOIN cities c ON c.id = uc.city_id
       WHERE uc.user_id = $1 ORDER BY uc.joined_at`,
      [userId],
    ),
  guardianConsent: (db, userId) =>
    db.query(
      `SELECT (SELECT slug FROM cities WHERE id = g.city_id) AS city, guardian_email AS "guardianEmail", status,
         requested_at AS "requestedAt", given_at AS "givenAt", withdrawn_at AS "withdrawnAt"
       FROM guardian_consents g WHERE user_id = $1`,
      [userId],
    ),
  roles: (db, userId) =>
    db.query(
      `SELECT r.role, (SELECT slug FROM cities WHERE id = r.city_id) AS city, r.created_at AS "createdAt"
       FROM role_assignments r WHERE r.user_id = $1 ORDER BY r.created_at`,
      [userId],
    ),
  organisationMemberships: (db, userId) =>
    db.query(
      `SELECT o.slug AS organisation, o.name, m.role, m.created_at AS "createdAt"
       FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $1 ORDER BY m.created_at`,
      [userId],
    ),
  singleSignOnIdentities: (db, userId) =>
    db.query(
      'SELECT provider, subject, created_at AS "linkedAt" FROM user_identities WHERE user_id = $1 ORDER BY created_at',
      [userId],
    ),
  sessions: (db, userId) =>
    db.query(
      `SELECT ip, user_agent AS "userAgent", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
         expires_at AS "expiresAt" FROM sessions WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    ),
  emailedLinks: (db, userId) =>
    db.query(
      `SELECT purpose, email, created_at AS "createdAt", expires_at AS "expiresAt", used_at AS "usedAt"
       FROM one_time_tokens WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    ),
  actionsInAuditLog: (db, userId) =>
    db.query(
      `SELECT (SELECT slug FROM cities WHERE id = a.city_id) AS city, action, target_type AS "targetType",
         target_id AS "targetId", ip, user_agent AS "userAgent", created_at AS "createdAt"
       FROM audit_log a WHERE actor_user_id = $1 ORDER BY created_at`,
      [userId],
    ),
};

function exportsDir(dataDir: string): string {
  return path.join(dataDir, 'exports');
}

/** Queues a data export for the signed-in person; returns the job id whose progress `GET /api/v1/jobs/:id` shows. */
export async function requestDataExport(
  db: SqlRunner,
  userId: string,
  context: { language: string; publicUrl: string; dataDir: string },
): Promise<{ jobId: string }> {
  const payload: ExportPayload = { userId, ...context };
  const job = await insertJob(db, null, { type: EXPORT_PERSONAL_DATA, payload, maxAttempts: 3, createdBy: userId });
  return { jobId: job.id };
}

/** Builds the ZIP (one JSON file plus the avatar), stores it under DATA_DIR/exports and emails the download link. */
export const exportPersonalDataHandler: JobHandler = async (job, { db, reportProgress }) => {
  const payload = job.payload as ExportPayload;
  if (!payload?.userId || !payload.dataDir) throw new PermanentJobError('The export job has no person.');
  const person = await findPersonById(db, payload.userId);
  if (!person) throw new PermanentJobError('The person no longer exists.');
  const sections = Object.entries(exportSections);
  const data: Record<string, unknown> = {
    exportedAt: new Date().toISOString(),
    about: 'Everything Learnscape stores about you. Passwords are stored only as a one-way hash and are not included.',
  };
  let done = 0;
  await reportProgress(0, sections.length + 1, 'collecting');
  for (const [name, section] of sections) {
    data[name] = await section(db, payload.userId);
    await reportProgress(++done, sections.length + 1, name);
  }
  const files: Zippable = { 'learnscape-data.json': strToU8(JSON.stringify(data, null, 2)) };
  if (person.avatarPath) {
    const avatar = await fs.readFile(avatarFile(payload.dataDir, person.avatarPath)).catch(() => undefined);
    if (avatar) files[`avatar${path.extname(person.avatarPath)}`] = new Uint8Array(avatar);
  }
  const zip = zipSync(files, { level: 6 });
  await fs.mkdir(exportsDir(payload.dataDir), { recursive: true });
  const file = path.join(exportsDir(payload.dataDir), `${payload.userId}-${randomBytes(8).toString('hex')}.zip`);
  await fs.writeFile(file, zip, { mode: 0o600 });
  await reportProgress(sections.length + 1, sections.length + 1, 'ready');
  const expiresAt = new Date(Date.now() + EXPORT_LIFETIME_DAYS * 24 * 3600_000).toISOString();
  await queuePeopleEmail(db, null, {
    kind: 'exportReady',
    to: person.email,
    language: payload.language,
    vars: { name: person.displayName, days: String(EXPORT_LIFETIME_DAYS) },
    url: `${payload.publicUrl}/account/exports/${job.id}`,
  });
  const result: ExportResult = { file, bytes: zip.length, expiresAt };
  return result;
};

export interface ExportStatus {
  jobId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  percent: number | null;
  ready: boolean;
  expired: boolean;
  expiresAt: string | null;
  createdAt: string;
}

async function ownExportJob(db: SqlRunner, userId: string, jobId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) throw new AppError('EXPORT_NOT_FOUND');
  const job = await findJob(db, jobId);
  const payload = job?.payload as ExportPayload | undefined;
  // Someone else's export looks exactly like a missing one.
  if (!job || job.type !== EXPORT_PERSONAL_DATA || payload?.userId !== userId) throw new AppError('EXPORT_NOT_FOUND');
  return job;
}

export async function exportStatus(db: SqlRunner, userId: string, jobId: string): Promise<ExportStatus> {
  const job = await ownExportJob(db, userId, jobId);
  const result = job.result as ExportResult | null;
  const expired = Boolean(result && (result.purgedAt || new Date(result.expiresAt) <= new Date()));
  const total = job.progressTotal;
  return {
    jobId: job.id,
    status: job.status,
    percent: total ? Math.round((job.progressDone / total) * 100) : job.status === 'succeeded' ? 100 : null,
    ready: job.status === 'succeeded' && !expired,
    expired,
    expiresAt: result?.expiresAt ?? null,
    createdAt: new Date(job.createdAt).toISOString(),
  };
}

/** The ZIP for its owner only, while it has not expired. */
export async function openExport(
  db: SqlRunner,
  userId: string,
  jobId: string,
): Promise<{ bytes: Buffer; fileName: string }> {
  const job = await ownExportJob(db, userId, jobId);
  if (job.status !== 'succeeded') throw new AppError('EXPORT_NOT_READY');
  const result = job.result as ExportResult;
  if (result.purgedAt || new Date(result.expiresAt) <= new Date()) throw new AppError('EXPORT_EXPIRED');
  const bytes = await fs.readFile(result.file).catch(() => {
    throw new AppError('EXPORT_EXPIRED');
  });
  return { bytes, fileName: `learnscape-data-${new Date(job.createdAt).toISOString().slice(0, 10)}.zip` };
}

/** Daily: deletes export files past their 7 days (marking their jobs, so links say "expired") and dead emailed links. */
export const purgeExpiredExportsHandler: JobHandler = async (_job, { db }) => {
  const rows = await db.query<{ id: string; result: ExportResult }>(
    `SELECT id, result FROM jobs WHERE type = $1 AND status = 'succeeded' AND result IS NOT NULL
       AND result->>'purgedAt' IS NULL AND (result->>'expiresAt')::timestamptz <= now()`,
    [EXPORT_PERSONAL_DATA],
  );
  for (const row of rows) {
    await fs.rm(row.result.file, { force: true });
    await db.query('UPDATE jobs SET result = $2, updated_at = now() WHERE id = $1', [
      row.id,
      JSON.stringify({ ...row.result, purgedAt: new Date().toISOString() }),
    ]);
  }
  return { purged: rows.length, tokensDeleted: await deleteStaleTokens(db) };
};

/** What deleting an account keeps, and why; pages translate `accounts:deletion.kept.<item>`. */
export const keptAfterDeletion = [
  {
    item: 'placeholder',
    what: 'An empty, anonymous account record (no name, email, date of birth or profile).',
    why: 'Records of other people and organisations, such as decisions you made or badges you issued, must still point somewhere.',
  },
  {
    item: 'auditLog',
    what: 'Entries in the audit log of privileged actions you took, without your name or address.',
    why: 'Cities must be able to account for what was done with their data.',
  },
  {
    item: 'organisationRecords',
    what: 'Content you created for organisations (for example API tokens you made for them).',
    why: 'It belongs to the organisation, not to you; your name is no longer shown on it.',
  },
] as const;

export interface DeletionResult {
  deleted: true;
  kept: { item: string; what: string; why: string }[];
}

/**
 * Deletes an account in one transaction: sessions, sign-on identities, consents, emailed links, roles, memberships,
 * city links and exports go; the user row stays only as an anonymous placeholder that others' records (audit log
 * entries, decisions, API tokens they created) still point to. Files (avatar, exports) are removed after the commit.
 */
export async function deleteAccount(
  db: Database,
  dataDir: string,
  userId: string,
  input: { confirm: string; password?: string | undefined },
): Promise<DeletionResult> {
  const person = await findPersonById(db, userId);
  if (!person) throw new AppError('UNAUTHENTICATED');
  if (input.confirm.trim().toUpperCase() !== 'DELETE') {
    throw new AppError('DELETE_NOT_CONFIRMED', undefined, [
      problem('confirm', 'deleteConfirm', 'Type DELETE to confirm.', 'DELETE_NOT_CONFIRMED'),
    ]);
  }
  if (person.passwordHash && !(await verifyPassword(person.passwordHash, input.password ?? ''))) {
    throw new AppError('PASSWORD_INCORRECT', undefined, [
      problem('password', 'currentPassword', 'Your current password is not right.', 'PASSWORD_INCORRECT'),
    ]);
  }
  const exportFiles = await db.transaction(async (tx) => {
    for (const statement of [
      'DELETE FROM sessions WHERE user_id = $1',
      'DELETE FROM user_identities WHERE user_id = $1',
      'DELETE FROM guardian_consents WHERE user_id = $1',
      'DELETE FROM one_time_tokens WHERE user_id = $1',
      'DELETE FROM role_assignments WHERE user_id = $1',
      'DELETE FROM memberships WHERE user_id = $1',
      'DELETE FROM user_cities WHERE user_id = $1',
    ]) {
      await tx.query(statement, [userId]);
    }
    const exports = await tx.query<{ file: string | null }>(
      `DELETE FROM jobs WHERE type = $1 AND payload->>'userId' = $2 RETURNING result->>'file' AS file`,
      [EXPORT_PERSONAL_DATA, userId],
    );
    // Emails to the person (sent or waiting) hold their address and content.
    await tx.query(
      `DELETE FROM jobs WHERE type = 'email.send' AND status <> 'running' AND lower(payload->>'to') = lower($1)`,
      [person.email],
    );
    // Audit entries stay (accountability for privileged actions) but no longer name the person.
    await tx.query(
      `UPDATE audit_log SET actor_label = 'deleted account', ip = NULL, user_agent = NULL WHERE actor_user_id = $1`,
      [userId],
    );
    await tx.query(
      `UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', display_name = 'Deleted account',
         password_hash = NULL, email_verified_at = NULL, date_of_birth = NULL, pronouns = NULL, languages = '{}',
         interests = '{}', home_city_id = NULL, home_district = NULL, avatar_path = NULL, status = 'deleted',
         password_changed_at = NULL, deleted_at = now(), updated_at = now()
       WHERE id = $1`,
      [userId],
    );
    return exports.map((e) => e.file).filter((f): f is string => Boolean(f));
  });
  if (person.avatarPath) await fs.rm(avatarFile(dataDir, person.avatarPath), { force: true });
  for (const file of exportFiles) await fs.rm(file, { force: true });
  return { deleted: true, kept: keptAfterDeletion.map((k) => ({ ...k })) };
}
