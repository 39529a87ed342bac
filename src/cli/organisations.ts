import type { Command } from 'commander';
import type { Database } from '../server/db/client.ts';
import type { OrganisationCityStatus } from '../server/db/schema.ts';
import type { CityRecord } from '../server/modules/cities/cities.repo.ts';
import { AppError } from '../server/errors.ts';
import { cliCaller, type RunAction } from './cities.ts';
import { withDatabase } from './commands.ts';
import { UsageError } from './output.ts';

/** An organisation by slug or id that takes part in the city. */
export async function organisationForCli(
  db: Database,
  city: CityRecord,
  idOrSlug: string,
): Promise<{ id: string; slug: string; name: string }> {
  const { findOrganisationAnywhere, findOrganisationInCity } = await import(
    '../server/modules/organisations/organisations.repo.ts'
  );
  const organisation = await findOrganisationAnywhere(db, idOrSlug);
  if (!organisation || !(await findOrganisationInCity(db, city.id, organisation.id))) {
    throw new AppError('ORGANISATION_NOT_FOUND', `No organisation "${idOrSlug}" takes part in ${city.slug}.`);
  }
  return organisation;
}

export function registerOrganisationsCommands(program: Command, run: RunAction): void {
  const organisations = program
    .command('organisations')
    .description('List, create and approve organisations of a city');

  organisations
    .command('list')
    .description("List a city's organisations (approved by default)")
    .requiredOption('--city <slug>', 'the city')
    .option('--status <status>', `approved, pending, rejected, suspended or all`, 'approved')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { city: string; status: string }, out) => {
        const [{ organisationCityStatuses }, { getCityForAdmin }, { listOrganisationsInCity }] = await Promise.all([
          import('../server/db/schema.ts'),
          import('../server/modules/cities/cities.admin.service.ts'),
          import('../server/modules/organisations/organisations.repo.ts'),
        ]);
        if (options.status !== 'all' && !(organisationCityStatuses as readonly string[]).includes(options.status)) {
          throw new UsageError(`--status must be one of ${organisationCityStatuses.join(', ')} or all.`);
        }
        const rows = await withDatabase(out.config(), async (db) => {
          const city = await getCityForAdmin(db, options.city);
          return listOrganisationsInCity(
            db,
            city.id,
            options.status === 'all' ? {} : { status: options.status as OrganisationCityStatus },
          );
        });
        const items = rows.map((o) => ({
          id: o.id,
          slug: o.slug,
          name: o.name,
          kinds: o.kinds,
          status: o.status,
          verified: o.verifiedAt !== null,
          website: o.website,
          appliedAt: o.appliedAt,
        }));
        out.result({ items }, () =>
          items.length === 0
            ? `No ${options.status === 'all' ? '' : `${options.status} `}organisation in ${options.city}.`
            : items
                .map(
                  (o) =>
                    `${o.slug.padEnd(32)} ${o.status.padEnd(9)} ${o.kinds.join(',').padEnd(26)} ${o.name}${o.verified ? ' (verified)' : ''}`,
                )
                .join('\n'),
        );
      }),
    );

  organisations
    .command('create')
    .description('Create an organisation that applies to join the city (pending until approved)')
    .requiredOption('--city <slug>', 'the city')
    .requiredOption('--name <name>', 'the organisation name')
    .requiredOption('--kinds <kinds>', 'comma-separated: provider, employer, endorser')
    .option('--slug <slug>', 'short name in addresses (derived from the name if omitted)')
    .option('--website <url>', 'website, https://…')
    .option('--contact-email <email>', 'contact email')
    .option('--description <text>', 'public description')
    .option('--owner <email>', 'an existing account that becomes the owner')
    .option('--json', 'print the result as JSON')
    .action(
      run(
        async (
          options: {
            city: string;
            name: string;
            kinds: string;
            slug?: string;
            website?: string;
            contactEmail?: string;
            description?: string;
            owner?: string;
          },
          out,
        ) => {
          const config = out.config();
          const [{ findUserByEmail }, { getCityForAdmin }, { createOrganisation }] = await Promise.all([
            import('../server/modules/accounts/accounts.repo.ts'),
            import('../server/modules/cities/cities.admin.service.ts'),
            import('../server/modules/organisations/organisations.service.ts'),
          ]);
          const organisation = await withDatabase(config, async (db) => {
            const city = await getCityForAdmin(db, options.city);
            const owner = options.owner ? await findUserByEmail(db, options.owner) : undefined;
            if (options.owner && !owner)
              throw new AppError('USER_NOT_FOUND', `No account has the address ${options.owner}.`);
            return createOrganisation(
              db,
              city,
              {
                name: options.name,
                slug: options.slug,
                kinds: options.kinds
                  .split(',')
                  .map((k) => k.trim())
                  .filter(Boolean),
                website: options.website ?? null,
                contactEmail: options.contactEmail ?? null,
                description: options.description,
              },
              cliCaller(),
              owner?.id ?? null,
            );
          });
          out.result(
            {
              id: organisation.id,
              slug: organisation.slug,
              name: organisation.name,
              kinds: organisation.kinds,
              status: organisation.status,
            },
            () =>
              `Created "${organisation.name}" (${organisation.slug}), pending approval. Approve it with: learnscape organisations approve --city ${options.city} --organisation ${organisation.slug}`,
          );
        },
      ),
    );

  organisations
    .command('approve')
    .description(
      "Approve (or with --reject, reject with a reason) an organisation's application; the applicant is emailed",
    )
    .requiredOption('--city <slug>', 'the city')
    .requiredOption('--organisation <slug-or-id>', 'the organisation')
    .option('--reject', 'reject instead of approving (needs --reason)')
    .option('--reason <text>', 'the reason, emailed to the applicant')
    .option('--verify', 'also mark the organisation as verified')
    .option('--json', 'print the result as JSON')
    .action(
      run(
        async (
          options: { city: string; organisation: string; reject?: boolean; reason?: string; verify?: boolean },
          out,
        ) => {
          const config = out.config();
          const [{ getCityForAdmin }, { decideApplication }] = await Promise.all([
            import('../server/modules/cities/cities.admin.service.ts'),
            import('../server/modules/organisations/organisations.service.ts'),
          ]);
          const result = await withDatabase(config, async (db) => {
            const city = await getCityForAdmin(db, options.city);
            const organisation = await organisationForCli(db, city, options.organisation);
            return decideApplication(
              db,
              city,
              organisation.id,
              { decision: options.reject ? 'reject' : 'approve', reason: options.reason, verify: options.verify },
              cliCaller(),
              config.publicUrl,
            );
          });
          out.result(
            {
              id: result.id,
              slug: result.slug,
              status: result.status,
              verified: result.verifiedAt !== null,
              reason: result.decisionReason,
            },
            () => `"${result.name}" is now ${result.status} in ${options.city}. The applicant will be emailed.`,
          );
        },
      ),
    );
}
