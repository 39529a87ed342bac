import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../server/config.ts';
import type { Database } from '../server/db/client.ts';
import { AppError } from '../server/errors.ts';
import type { CityRecord } from '../server/modules/cities/cities.repo.ts';
import { cliCaller, type RunAction } from './cities.ts';
import { withDatabase } from './commands.ts';
import { EXIT_FAILURE, type Output, UsageError } from './output.ts';

/**
 * `learnscape badges list|issue|revoke|bulk`: what an organiser does with badges, from the command line. Issuing signs
 * with the issuer's key straight in the database (the server need not run); the credential's issuer DID and URLs use
 * the configured PUBLIC_URL, so they resolve once the server serves them. Recorded in the audit log as "cli".
 */

const formats = ['json', 'jwt', 'png', 'svg'] as const;
type Format = (typeof formats)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function cityBySlug(db: Database, slug: string): Promise<CityRecord> {
  const { getCityForAdmin } = await import('../server/modules/cities/cities.admin.service.ts');
  return getCityForAdmin(db, slug);
}

async function cityById(db: Database, cityId: string): Promise<CityRecord> {
  const { findCitySlug } = await import('../server/modules/badges/bulk-issue.repo.ts');
  return cityBySlug(db, (await findCitySlug(db, cityId)) ?? '');
}

const nameIn = (name: Record<string, string>, language: string) =>
  name[language] || name.en || Object.values(name)[0] || '';

// ── list ────────────────────────────────────────────────────────────────────────────────────────────────────────────

interface ListOptions {
  city?: string;
  org?: string;
}

async function listCommand(options: ListOptions, out: Output): Promise<void> {
  const result = await withDatabase(out.config(), async (db) => {
    const [{ listBadgesWithCounts }, { organisationForCli }, { findOrganisationAnywhere }] = await Promise.all([
      import('../server/modules/badges/bulk-issue.repo.ts'),
      import('./organisations.ts'),
      import('../server/modules/organisations/organisations.repo.ts'),
    ]);
    const city = options.city ? await cityBySlug(db, options.city) : undefined;
    let organisationId: string | null = null;
    if (options.org) {
      const organisation = city
        ? await organisationForCli(db, city, options.org)
        : await findOrganisationAnywhere(db, options.org);
      if (!organisation) throw new AppError('ORGANISATION_NOT_FOUND', `No organisation "${options.org}" exists here.`);
      organisationId = organisation.id;
    }
    const rows = await listBadgesWithCounts(db, city?.id ?? null, organisationId);
    return {
      items: rows.map((row) => ({
        id: row.id,
        city: row.citySlug,
        organisation: { id: row.organisationId, slug: row.organisationSlug, name: row.organisationName },
        slug: row.slug,
        name: row.name,
        kind: row.kind,
        status: row.status,
        version: row.version,
        credentials: { issued: row.issued, active: row.active, suspended: row.suspended, revoked: row.revoked },
      })),
    };
  });
  out.result(result, () => {
    if (result.items.length === 0) return 'No badges.';
    return result.items
      .map(
        (item) =>
          `${item.city}  ${item.organisation.slug}  ${item.slug}  ${item.id}\n` +
          `  "${nameIn(item.name, 'en')}" (${item.kind}, ${item.status}, version ${item.version}): ` +
          `${item.credentials.issued} issued — ${item.credentials.active} active, ${item.credentials.suspended} ` +
          `suspended, ${item.credentials.revoked} revoked`,
      )
      .join('\n');
  });
}

// ── revoke ──────────────────────────────────────────────────────────────────────────────────────────────────────────

interface RevokeOptions {
  credential: string;
  reason: string;
}

async function revokeCommand(options: RevokeOptions, out: Output): Promise<void> {
  if (!UUID.test(options.credential))
    throw new UsageError(`--credential needs a credential id, got "${options.credential}".`);
  const config = out.config();
  const result = await withDatabase(config, async (db) => {
    const [{ findCredentialCityId }, credentials, { cliAuditContext }] = await Promise.all([
      import('../server/modules/badges/bulk-issue.repo.ts'),
      import('../server/modules/badges/credentials.service.ts'),
      import('../server/modules/audit/audit.service.ts'),
    ]);
    const cityId = await findCredentialCityId(db, options.credential);
    if (!cityId) throw new AppError('CREDENTIAL_NOT_FOUND', `No badge credential "${options.credential}" exists here.`);
    const city = await cityById(db, cityId);
    const record = await db.transaction((tx) =>
      credentials.revokeCredential(tx, config, city, cliAuditContext(), options.credential, options.reason),
    );
    return {
      credentialId: record.id,
      city: city.slug,
      badge: record.badgeSlug,
      recipient: record.recipientEmail,
      status: record.status,
      reason: record.statusReason,
      url: credentials.credentialUrl(config, city.slug, record.id),
    };
  });
  out.result(
    result,
    () =>
      `Revoked ${result.credentialId} (${result.badge} of ${result.recipient} in ${result.city}): ${result.reason}.\n` +
      'The revocation status list shows it from now on, and the learner is told by email.',
  );
}

// ── issue ───────────────────────────────────────────────────────────────────────────────────────────────────────────

interface IssueOptions {
  badge: string;
  to: string;
  city?: string;
  name?: string;
  format: string;
  out?: string;
  json?: boolean;
}

/** The badge named by id or short name; a short name used in several cities needs --city. */
async function badgeForCli(db: Database, ref: string, citySlug: string | undefined) {
  const { findBadgesByRef } = await import('../server/modules/badges/bulk-issue.repo.ts');
  const city = citySlug ? await cityBySlug(db, citySlug) : undefined;
  const found = await findBadgesByRef(db, ref, city?.id ?? null);
  if (found.length === 0)
    throw new AppError('BADGE_NOT_FOUND', `No badge "${ref}" exists${city ? ` in ${city.slug}` : ''}.`);
  if (found.length > 1)
    throw new UsageError(
      `The badge "${ref}" exists in several cities (${found.map((b) => b.citySlug).join(', ')}); add --city.`,
    );
  const badge = found[0] as (typeof found)[number];
  return { badgeId: badge.id, city: city ?? (await cityById(db, badge.cityId)) };
}

async function issueCommand(options: IssueOptions, out: Output): Promise<void> {
  const format = options.format as Format;
  if (!formats.includes(format)) throw new UsageError(`--format must be one of ${formats.join(', ')}.`);
  if ((format === 'png' || format === 'svg') && !options.out)
    throw new UsageError(`A ${format.toUpperCase()} badge is binary: name a file with --out.`);
  const config: Config = out.config();
  const issued = await withDatabase(config, async (db) => {
    const [credentials, { cliAuditContext }] = await Promise.all([
      import('../server/modules/badges/credentials.service.ts'),
      import('../server/modules/audit/audit.service.ts'),
    ]);
    const { badgeId, city } = await badgeForCli(db, options.badge, options.city);
    const { credentialId } = await db.transaction((tx) =>
      credentials.issueCredential(tx, config, city, cliAuditContext(), {
        badgeClassId: badgeId,
        recipient: { email: options.to, ...(options.name ? { name: options.name } : {}) },
        route: 'cli',
      }),
    );
    const record = await credentials.getCredential(db, city, credentialId);
    const content: string | Buffer =
      format === 'json'
        ? `${JSON.stringify(record.document, null, 2)}\n`
        : format === 'jwt'
          ? `${await credentials.credentialJwt(db, config, record)}\n`
          : await credentials.bakedBadge(db, config, city, record, format);
    return {
      credentialId,
      city: city.slug,
      badge: record.badgeSlug,
      url: credentials.credentialUrl(config, city.slug, credentialId),
      content,
    };
  });
  const summary = {
    credentialId: issued.credentialId,
    city: issued.city,
    badge: issued.badge,
    recipient: options.to,
    url: issued.url,
    format,
    out: options.out ? path.resolve(options.out) : null,
  };
  if (options.out) {
    await fs.writeFile(options.out, issued.content);
    out.result(
      summary,
      () =>
        `Issued ${issued.badge} to ${options.to}: ${issued.url}\nWrote the ${format.toUpperCase()} credential to ${options.out}.`,
    );
    return;
  }
  // Without --out the credential itself is the output; --json wraps it with what was issued.
  const text = issued.content.toString();
  if (options.json)
    out.result({ ...summary, credential: format === 'json' ? JSON.parse(text) : text.trim() }, () => '');
  else {
    out.io.stdout.write(text);
    out.info(`Issued ${issued.badge} to ${options.to}: ${issued.url}`);
  }
}

// ── bulk ────────────────────────────────────────────────────────────────────────────────────────────────────────────

interface BulkOptions {
  city: string;
  org: string;
  file: string;
  badge?: string;
  skipInvalid?: boolean;
  report?: string;
}

async function bulkCommand(options: BulkOptions, out: Output): Promise<void> {
  const bulk = await import('../server/modules/badges/bulk-issue.service.ts');
  let csv: string;
  try {
    const stat = await fs.stat(options.file);
    if (stat.size > bulk.MAX_BULK_BYTES) throw new UsageError(`${options.file} is larger than 5 MB; split it.`);
    csv = await fs.readFile(options.file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const config = out.config();
  const progress = (done: number, total: number) => out.info(`  ${done} of ${total} rows done`);
  const result = await withDatabase(config, async (db) => {
    const [{ organisationForCli }, { cliAuditContext }] = await Promise.all([
      import('./organisations.ts'),
      import('../server/modules/audit/audit.service.ts'),
    ]);
    const city = await cityBySlug(db, options.city);
    const organisation = await organisationForCli(db, city, options.org);
    // The job is the safety net: should this command stop half-way, a server takes the rest in 15 minutes (or the
    // same command run again issues only what is missing). Run here, it finds the batch done.
    const { batch } = await bulk.createBulkIssue(
      db,
      city,
      organisation.id,
      { fileName: path.basename(options.file), csv, badge: options.badge },
      cliCaller(),
      { skipInvalid: options.skipInvalid, runAt: new Date(Date.now() + 15 * 60_000) },
    );
    out.info(`Issuing ${batch.totalRows} rows of ${path.basename(options.file)} (batch ${batch.id})…`);
    const done = await bulk.processBulkIssue(db, config, city.id, batch.id, cliAuditContext(), {
      onProgress: (current) => progress(bulk.batchCounts(current).done, current.totalRows),
    });
    const failures = (await bulk.batchRows(db, city, done, { status: 'failed', limit: 1000 })).map((row) => ({
      line: row.line,
      email: row.input.email,
      error: row.error ?? '',
    }));
    const report = options.report ? await bulk.bulkIssueReportCsv(db, config, city, done) : null;
    return { city, batch: done, failures, report };
  });
  if (options.report && result.report !== null) await fs.writeFile(options.report, result.report);
  const counts = bulk.batchCounts(result.batch);
  const summary = {
    batchId: result.batch.id,
    city: result.city.slug,
    status: result.batch.status,
    counts,
    failures: result.failures,
    report: options.report ? path.resolve(options.report) : null,
  };
  out.result(summary, () =>
    [
      `Bulk issue ${result.batch.id} ${result.batch.status}: ${counts.issued} issued, ${counts.skipped} skipped ` +
        `(issued before, or rows with problems), ${counts.failed} failed, of ${counts.total} rows.`,
      ...result.failures.map((failure) => `  line ${failure.line} (${failure.email}): ${failure.error}`),
      ...(options.report ? [`The report of every row is in ${options.report}.`] : []),
    ].join('\n'),
  );
  if (counts.failed > 0) process.exitCode = EXIT_FAILURE;
}

export function registerBadgesCommands(program: Command, run: RunAction): void {
  const badges = program
    .command('badges')
    .description('Open Badges: list badges, issue and revoke credentials, issue from a CSV file');

  badges
    .command('list')
    .description('List badge classes with how many credentials each has (issued, active, suspended, revoked)')
    .option('--city <slug>', 'only the badges of this city')
    .option('--org <id-or-slug>', 'only the badges of this organisation')
    .option('--json', 'print the result as JSON')
    .action(run(listCommand));

  badges
    .command('issue')
    .description(
      'Issue a badge to an email address, signed with the issuer’s key, and write the credential (JSON, VC-JWT, or ' +
        'a PNG/SVG badge with it baked in). The learner is emailed when the server next sends mail.',
    )
    .requiredOption('--badge <id-or-slug>', 'the badge (a published badge)')
    .requiredOption('--to <email>', 'the learner’s email address')
    .option('--city <slug>', 'the city (needed when the short name is used in several cities)')
    .option('--name <name>', 'the name the badge shows')
    .option('--format <format>', `what to write: ${formats.join(', ')}`, 'json')
    .option('--out <file>', 'write the credential to this file (required for png and svg)')
    .option('--json', 'print what was issued as JSON (with the credential when there is no --out)')
    .action(run(issueCommand));

  badges
    .command('revoke')
    .description('Revoke a credential for good, with a reason; its status list shows it and the learner is told')
    .requiredOption('--credential <id>', 'the credential id')
    .requiredOption('--reason <text>', 'why (shown to the learner and to verifiers of the hosted assertion)')
    .option('--json', 'print the result as JSON')
    .action(run(revokeCommand));

  badges
    .command('bulk')
    .description(
      'Issue badges from a CSV file (email, name, badge, evidence_url, narrative), as the web upload does, with a ' +
        'progress line on stderr. Nothing is issued when a row has a problem (exit code 2), unless --skip-invalid ' +
        'is given; rows issued before are skipped. Exit code 1 when some rows could not be issued.',
    )
    .requiredOption('--city <slug>', 'the city')
    .requiredOption('--org <id-or-slug>', 'the issuing organisation')
    .requiredOption('--file <path>', 'the CSV file (at most 10,000 rows, 5 MB)')
    .option('--badge <id-or-slug>', 'the badge for rows that name none')
    .option('--skip-invalid', 'issue the valid rows and skip rows with problems')
    .option('--report <file>', 'write the report of every row (CSV) to this file')
    .option('--json', 'print the result as JSON')
    .action(run(bulkCommand));
}
