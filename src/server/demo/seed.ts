import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { assignRole, ensureUser } from '../modules/accounts/accounts.service.ts';
import { seedDemoActivities } from '../modules/activities/activities.demo.ts';
import { seedDemoSignups } from '../modules/activities/signups.demo.ts';
import { seedDemoBadges } from '../modules/badges/badges.demo.ts';
import { findCityBySlug } from '../modules/cities/cities.repo.ts';
import { createCity } from '../modules/cities/cities.service.ts';
import { seedSkillsDemo } from '../modules/skills/skills.demo.ts';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, demoCities } from './demo-cities.ts';
import { seedDemoOrganisations } from './seed-organisations.ts';
import { seedDemoPeople } from './seed-people.ts';

export interface DemoLogin {
  role: string;
  city: string | null;
  email: string;
  password: string;
}

export interface SeedReport {
  citiesCreated: string[];
  usersCreated: number;
  logins: DemoLogin[];
  /** Claim codes of demo badges that work, to print with the logins. */
  claimCodes: { city: string; badge: string; code: string; url: string }[];
}

/** True when the database holds no city yet — the signal to seed the demo on first start. */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM cities');
  return (row?.count ?? 0) === 0;
}

/** True when this database holds the demo network (its admin exists). */
export async function hasDemoData(db: Database): Promise<boolean> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users WHERE lower(email) = $1', [
    `admin@${DEMO_EMAIL_DOMAIN}`,
  ]);
  return (row?.count ?? 0) > 0;
}

/**
 * Seeds the demo network. Idempotent: what exists is kept, what is missing is added, so re-running never duplicates.
 * Each capability adds its own demo data here through its own service.
 */
export interface SeedOptions {
  /**
   * Seed the catalogue too (several hundred activities per city, sign-ups and attendance). Tests that only need the
   * cities, people and organisations turn it off: it is most of the seed's time.
   */
  catalogue?: boolean;
  /** Badges need the configuration to sign credentials; without it the demo has no badges. */
  config?: Config;
}

export async function seedDemo(db: Database, options: SeedOptions = {}): Promise<SeedReport> {
  const report: SeedReport = { citiesCreated: [], usersCreated: 0, logins: [], claimCodes: [] };

  const admin = await ensureUser(db, {
    email: `admin@${DEMO_EMAIL_DOMAIN}`,
    displayName: 'Network Admin (demo)',
    password: DEMO_PASSWORD,
    emailVerified: true,
  });
  await assignRole(db, admin.user.id, 'network_admin', null);
  report.usersCreated += Number(admin.created);
  report.logins.push({ role: 'network admin', city: null, email: admin.user.email, password: DEMO_PASSWORD });

  for (const cityInput of demoCities) {
    let city = await findCityBySlug(db, cityInput.slug);
    if (!city) {
      city = await createCity(db, cityInput);
      report.citiesCreated.push(city.slug);
    }
    const curator = await ensureUser(db, {
      email: `curator.${city.slug}@${DEMO_EMAIL_DOMAIN}`,
      displayName: `${cityInput.name.en ?? city.slug} curator (demo)`,
      password: DEMO_PASSWORD,
      emailVerified: true,
    });
    await assignRole(db, curator.user.id, 'city_curator', city.id);
    report.usersCreated += Number(curator.created);
    report.logins.push({ role: 'city curator', city: city.slug, email: curator.user.email, password: DEMO_PASSWORD });
  }
  await seedSkillsDemo(db);
  const people = await seedDemoPeople(db);
  report.usersCreated += people.created;
  report.logins.push(...people.logins);
  const organisations = await seedDemoOrganisations(db);
  report.usersCreated += organisations.created;
  report.logins.push(...organisations.logins);
  // The catalogue needs the organisations and the skills spines above; sign-ups need the activities.
  if (options.catalogue !== false) {
    await seedDemoActivities(db);
    await seedDemoSignups(db);
  }
  // Badges link to the catalogue's activities when it is there, and are issued to the demo learners.
  if (options.config) report.claimCodes.push(...(await seedDemoBadges(db, options.config)).claimCodes);
  return report;
}
