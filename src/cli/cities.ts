import type { Command } from 'commander';
import { cliAuditContext } from '../server/modules/audit/audit.service.ts';
import type { CreateCityInput } from '../server/modules/cities/cities.service.ts';
import type { Caller } from '../server/modules/organisations/organisations.service.ts';
import { withDatabase } from './commands.ts';
import { type Output, UsageError } from './output.ts';

/** The wrapper from main.ts: `--json`, error reporting and exit codes. */
export type RunAction = <O>(action: (options: O, out: Output) => Promise<void>) => (options: O) => Promise<void>;

/** The command line acts as the operator, recorded in the audit log as "cli". */
export const cliCaller = (): Caller => ({ actor: 'system', audit: cliAuditContext() });

export function numberList(value: string, count: number, name: string): number[] {
  const numbers = value.split(',').map((part) => Number(part.trim()));
  if (numbers.length !== count || numbers.some((n) => !Number.isFinite(n))) {
    throw new UsageError(`${name} needs ${count} comma-separated numbers, got "${value}".`);
  }
  return numbers;
}

function names(values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const match = /^([a-z]{2,3})=(.+)$/.exec(value);
    if (!match) throw new UsageError(`--name takes LANG=NAME, e.g. --name en=Vilnius; got "${value}".`);
    result[match[1] as string] = (match[2] as string).trim();
  }
  return result;
}

export interface CreateCityOptions {
  slug: string;
  name: string[];
  languages: string;
  defaultLanguage?: string;
  timeZone: string;
  bounds: string;
  center?: string;
  zoom?: string;
  host?: string;
}

/** The options of `cities create` (and its older spelling `create-city`). */
export function withCreateCityOptions(command: Command): Command {
  return command
    .requiredOption('--slug <slug>', 'URL name, e.g. gent (lowercase letters, digits, hyphens)')
    .requiredOption('--name <LANG=NAME...>', 'name per language, e.g. --name nl=Gent --name en=Ghent')
    .requiredOption('--languages <codes>', 'comma-separated interface languages, default first, e.g. en,lt')
    .option('--default-language <code>', 'default language (the first of --languages if omitted)')
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. Europe/Brussels')
    .requiredOption('--bounds <west,south,east,north>', 'map bounds in degrees')
    .option('--center <lon,lat>', 'map centre (the middle of the bounds if omitted)')
    .option('--zoom <level>', 'default map zoom')
    .option('--host <hostname>', 'serve this city at the root of its own host name')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  learnscape cities create --slug gent --name nl=Gent --name en=Ghent --languages en --time-zone Europe/Brussels --bounds 3.58,50.98,3.85,51.19',
    );
}

/** Creates a city through the same audited service as the web. */
export async function createCityCommand(options: CreateCityOptions, out: Output): Promise<void> {
  const [west, south, east, north] = numberList(options.bounds, 4, '--bounds') as [number, number, number, number];
  const center = options.center ? numberList(options.center, 2, '--center') : undefined;
  const input: CreateCityInput = {
    slug: options.slug,
    name: names(options.name),
    languages: options.languages
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    defaultLanguage: options.defaultLanguage,
    timeZone: options.timeZone,
    bounds: { west, south, east, north },
    center: center ? { lon: center[0] as number, lat: center[1] as number } : undefined,
    defaultZoom: options.zoom ? numberList(options.zoom, 1, '--zoom')[0] : undefined,
    hostName: options.host ?? null,
  };
  const config = out.config();
  const { createCityAudited } = await import('../server/modules/cities/cities.admin.service.ts');
  const city = await withDatabase(config, (db) => createCityAudited(db, input, cliCaller()));
  out.result(
    {
      id: city.id,
      slug: city.slug,
      name: city.name,
      languages: city.languages,
      timeZone: city.timeZone,
      status: city.status,
    },
    () =>
      `Created city "${city.slug}" (${Object.values(city.name).join(' / ')}). Its home page is /c/${city.slug}. Appoint a curator with: learnscape users set-role --role city_curator --city ${city.slug} --email …`,
  );
}

export function registerCitiesCommands(program: Command, run: RunAction): void {
  const cities = program.command('cities').description('List, create and archive cities (tenants)');

  cities
    .command('list')
    .description('List every city with its status and number of curators')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (_options, out) => {
        const rows = await withDatabase(out.config(), (db) =>
          db.query<{
            slug: string;
            name: Record<string, string>;
            status: string;
            languages: string[];
            curators: number;
            organisations: number;
          }>(
            `SELECT c.slug, c.name, c.status, c.languages,
               (SELECT count(*)::int FROM role_assignments r WHERE r.city_id = c.id AND r.role = 'city_curator') AS curators,
               (SELECT count(*)::int FROM organisation_cities oc WHERE oc.city_id = c.id AND oc.status = 'approved') AS organisations
             FROM cities c ORDER BY c.slug`,
          ),
        );
        out.result({ items: rows }, () =>
          rows.length === 0
            ? 'No city yet. Create one with: learnscape cities create --help'
            : rows
                .map(
                  (c) =>
                    `${c.slug.padEnd(16)} ${(Object.values(c.name)[0] ?? '').padEnd(20)} ${c.status.padEnd(9)} ${c.languages.join(',').padEnd(9)} curators: ${c.curators}  organisations: ${c.organisations}`,
                )
                .join('\n'),
        );
      }),
    );

  withCreateCityOptions(cities.command('create').description('Create a city (recorded in the audit log)')).action(
    run(createCityCommand),
  );

  cities
    .command('archive')
    .description('Archive a city (read-only public pages, no sign-ups), or bring it back with --unarchive')
    .requiredOption('--city <slug>', 'the city')
    .option('--unarchive', 'make the city active again')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (options: { city: string; unarchive?: boolean }, out) => {
        const config = out.config();
        const { setCityArchived } = await import('../server/modules/cities/cities.admin.service.ts');
        const city = await withDatabase(config, (db) =>
          setCityArchived(db, options.city, !options.unarchive, cliCaller()),
        );
        out.result({ slug: city.slug, status: city.status }, () => `City "${city.slug}" is now ${city.status}.`);
      }),
    );
}
