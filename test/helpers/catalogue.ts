import type { Database } from '../../src/server/db/client.ts';
import type { ActivityInput } from '../../src/server/modules/activities/activities.model.ts';
import { cliAuditContext } from '../../src/server/modules/audit/audit.service.ts';
import type { CityRecord } from '../../src/server/modules/cities/cities.repo.ts';
import { createCity } from '../../src/server/modules/cities/cities.service.ts';
import type { Caller } from '../../src/server/modules/organisations/organisations.service.ts';

/** The operator's command line: the caller for fixtures. */
export const systemCaller: Caller = { actor: 'system', audit: cliAuditContext() };

/**
 * A small city for catalogue tests, without the demo seed: Plymouth's real bounds and time zone (so bundled geodata
 * applies), a second language, and approved organisations (one trusted).
 */
export async function createCatalogueCity(
  db: Database,
  slug = 'plymouth',
): Promise<{ city: CityRecord; organisationId: string; trustedOrganisationId: string; otherCity: CityRecord }> {
  const city = await createCity(db, {
    slug,
    name: { en: 'Plymouth' },
    languages: ['en', 'lt'],
    timeZone: 'Europe/London',
    bounds: { west: -4.2053, south: 50.3331, east: -4.0196, north: 50.4442 },
  });
  const otherCity = await createCity(db, {
    slug: `${slug}-elsewhere`,
    name: { it: 'Altrove' },
    languages: ['it'],
    timeZone: 'Europe/Rome',
    bounds: { west: 7.5778, south: 45.008, east: 7.7727, north: 45.1402 },
  });
  const organisation = async (name: string, trusted: boolean) => {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ($1, $2, '{provider}') RETURNING id`,
      [`${slug}-${name.toLowerCase().replace(/\W+/g, '-')}`, name],
    );
    const id = (row as { id: string }).id;
    await db.query(
      `INSERT INTO organisation_cities (city_id, organisation_id, status, trusted) VALUES ($1, $2, 'approved', $3)`,
      [city.id, id, trusted],
    );
    return id;
  };
  return {
    city,
    organisationId: await organisation('Stonehouse Makers', false),
    trustedOrganisationId: await organisation('Central Library', true),
    otherCity,
  };
}

/** A valid one-off activity at Plymouth Central Library, a week from now; override any field. */
export function activityInput(overrides: Partial<ActivityInput> = {}): ActivityInput {
  const start = new Date(Date.now() + 7 * 86_400_000);
  start.setUTCHours(17, 0, 0, 0);
  return {
    title: { en: 'Coding club for teenagers' },
    description: { en: 'Build games with Scratch and Python.' },
    format: 'in_person',
    venues: [{ name: 'Central Library', street: 'Drake Circus', postcode: 'PL4 8AL', lat: 50.3752, lon: -4.1397 }],
    scheduleKind: 'once',
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
    ageMin: 12,
    ageMax: 16,
    languages: ['en'],
    capacity: 12,
    signupMode: 'internal',
    tags: ['coding'],
    ...overrides,
  };
}
