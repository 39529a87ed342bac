import type { Command } from 'commander';
import type { Config } from '../server/config.ts';
import type { Database } from '../server/db/client.ts';
import { AppError } from '../server/errors.ts';
import { cliAuditContext } from '../server/modules/audit/audit.service.ts';
import type { IssuerKeySummary } from '../server/modules/badges/issuer-keys.service.ts';
import type { RunAction } from './cities.ts';
import { withDatabase } from './commands.ts';

export interface IssuerReport {
  organisationId: string;
  slug: string;
  name: string;
  did: string;
  profileUrl: string;
  didDocumentUrl: string;
  keys: {
    id: string;
    publicKeyMultibase: string;
    status: 'active' | 'retired';
    imported: boolean;
    createdAt: string;
    retiredAt: string | null;
  }[];
}

const keyJson = (key: IssuerKeySummary) => ({
  id: key.id,
  publicKeyMultibase: key.publicKeyMultibase,
  status: key.status,
  imported: key.imported,
  createdAt: new Date(key.createdAt).toISOString(),
  retiredAt: key.retiredAt ? new Date(key.retiredAt).toISOString() : null,
});

async function organisationOf(db: Database, idOrSlug: string) {
  const { findOrganisationAnywhere } = await import('../server/modules/organisations/organisations.repo.ts');
  const organisation = await findOrganisationAnywhere(db, idOrSlug);
  if (!organisation) throw new AppError('ORGANISATION_NOT_FOUND', `No organisation "${idOrSlug}" exists here.`);
  return organisation;
}

/** An organisation's issuer identity and keys (never a secret), as `issuers show` prints it. */
export async function issuerReport(db: Database, config: Config, idOrSlug: string): Promise<IssuerReport> {
  const organisation = await organisationOf(db, idOrSlug);
  const { issuerOverview } = await import('../server/modules/badges/issuer-keys.service.ts');
  const overview = await issuerOverview(db, config, organisation.id);
  return {
    organisationId: organisation.id,
    slug: organisation.slug,
    name: organisation.name,
    did: overview.did,
    profileUrl: overview.profileUrl,
    didDocumentUrl: overview.didDocumentUrl,
    keys: overview.keys.map(keyJson),
  };
}

function reportText(report: IssuerReport): string {
  const lines = [
    `${report.name} (${report.slug})`,
    `  DID:          ${report.did}`,
    `  Profile:      ${report.profileUrl}`,
    `  DID document: ${report.didDocumentUrl}`,
  ];
  if (report.keys.length === 0) lines.push('  No key yet: one is made when the organisation first signs.');
  for (const key of report.keys) {
    const when = key.retiredAt ? `retired ${key.retiredAt}` : `since ${key.createdAt}`;
    lines.push(`  ${key.status.padEnd(7)} ${key.publicKeyMultibase} ${when}${key.imported ? ' (imported)' : ''}`);
  }
  return lines.join('\n');
}

/** `learnscape issuers show|rotate-key`: an organisation's issuer identity and its signing keys. */
export function registerIssuersCommands(program: Command, run: RunAction): void {
  const issuers = program
    .command('issuers')
    .description('Organisations as Open Badges issuers: their did:web identity and signing keys');

  issuers
    .command('show')
    .description("Show an organisation's issuer DID, profile URL and keys (active and retired; never a secret)")
    .requiredOption('--org <id-or-slug>', 'the organisation')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { org: string }, out) => {
        const config = out.config();
        const report = await withDatabase(config, (db) => issuerReport(db, config, options.org));
        out.result(report, () => reportText(report));
      }),
    );

  issuers
    .command('rotate-key')
    .description(
      "Rotate an organisation's signing key: a new key signs from now on; the old one is retired but stays in the " +
        'DID document, so everything it signed keeps verifying. Recorded in the audit log as "cli".',
    )
    .requiredOption('--org <id-or-slug>', 'the organisation')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { org: string }, out) => {
        const config = out.config();
        const { rotateIssuerKey } = await import('../server/modules/badges/issuer-keys.service.ts');
        const result = await withDatabase(config, async (db) => {
          const organisation = await organisationOf(db, options.org);
          const change = await rotateIssuerKey(db, config, cliAuditContext(), organisation.id);
          return {
            key: keyJson(change.key),
            retiredKeyId: change.retired?.id ?? null,
            issuer: await issuerReport(db, config, organisation.id),
          };
        });
        out.result(result, () =>
          [
            `Rotated the key of ${result.issuer.name}: ${result.key.publicKeyMultibase} signs from now on.`,
            result.retiredKeyId
              ? 'The previous key is retired and stays in the DID document, so what it signed keeps verifying.'
              : 'It had no key before.',
            reportText(result.issuer),
          ].join('\n'),
        );
      }),
    );
}
