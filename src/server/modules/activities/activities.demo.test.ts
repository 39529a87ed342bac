import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';
import { findCityBySlug } from '../cities/cities.repo.ts';
import { createActivity, getActivity, listSessions } from './activities.service.ts';
import { districtNames, pointInCity } from '../geo/geo.ts';
import {
  DEMO_DRAFTS_PER_CITY,
  DEMO_SUBMITTED_PER_CITY,
  DEMO_UID_PREFIX,
  demoActivityInputs,
  insertPublishedActivities,
  listDemoSignupActivities,
  seedDemoActivities,
} from './activities.demo.ts';

const demoCities = ['plymouth', 'vilnius', 'torino'];

describe(`demo catalogue on ${testEngine}`, () => {
  let t: TestDatabase;
  let seedMs = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
    const started = Date.now();
    await seedDemo(t.db);
    seedMs = Date.now() - started;
  }, 600_000);
  afterAll(() => t.drop());

  it('gives each demo city at least 200 published activities, and a moderation queue', async () => {
    const rows = await t.db.query<{ slug: string; status: string; count: number }>(
      `SELECT c.slug, a.status, count(*)::int AS count FROM activities a JOIN cities c ON c.id = a.city_id
        WHERE a.external_uid LIKE $1 GROUP BY 1, 2`,
      [`${DEMO_UID_PREFIX}%`],
    );
    for (const slug of demoCities) {
      const count = (status: string) => rows.find((r) => r.slug === slug && r.status === status)?.count ?? 0;
      expect(count('published'), slug).toBeGreaterThanOrEqual(200);
      expect(count('submitted'), slug).toBe(DEMO_SUBMITTED_PER_CITY);
      expect(count('draft'), slug).toBe(DEMO_DRAFTS_PER_CITY);
    }
    console.info(`[${testEngine}] seedDemo with the demo catalogue took ${seedMs} ms`);
  });

  it('places every in-person activity inside its city, in one of its districts', async () => {
    const rows = await t.db.query<{
      slug: string;
      format: string;
      lon: number | null;
      lat: number | null;
      district: string | null;
    }>(
      `SELECT c.slug, a.format, a.location[0] AS lon, a.location[1] AS lat, a.district
         FROM activities a JOIN cities c ON c.id = a.city_id WHERE a.external_uid LIKE $1`,
      [`${DEMO_UID_PREFIX}%`],
    );
    const districtsSeen = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.format === 'online') {
        expect(row.lon).toBeNull();
        continue;
      }
      expect(
        pointInCity(row.slug, row.lon ?? Number.NaN, row.lat ?? Number.NaN),
        `${row.slug} ${row.lon},${row.lat}`,
      ).toBe(true);
      expect(districtNames(row.slug)).toContain(row.district);
      districtsSeen.set(row.slug, (districtsSeen.get(row.slug) ?? new Set()).add(row.district as string));
    }
    // The catalogue reaches every neighbourhood of every city.
    for (const slug of demoCities) expect(districtsSeen.get(slug)?.size, slug).toBe(districtNames(slug).length);
  });

  it('varies providers, schedules, costs, languages, sign-ups and skills', async () => {
    for (const slug of demoCities) {
      const city = await findCityBySlug(t.db, slug);
      const [row] = await t.db.query<Record<string, number>>(
        `SELECT count(DISTINCT organisation_id)::int AS providers,
                count(*) FILTER (WHERE schedule_kind = 'recurring')::int AS recurring,
                count(*) FILTER (WHERE schedule_kind = 'once')::int AS once,
                count(*) FILTER (WHERE schedule_kind = 'on_demand')::int AS "onDemand",
                count(*) FILTER (WHERE all_day)::int AS "allDay",
                count(*) FILTER (WHERE cost_kind = 'paid')::int AS paid,
                count(*) FILTER (WHERE signup_mode = 'external')::int AS external,
                count(*) FILTER (WHERE cardinality(exdates) > 0)::int AS "withExceptions",
                count(*) FILTER (WHERE next_start_at IS NOT NULL)::int AS upcoming,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM activity_skills s WHERE s.activity_id = a.id))::int AS "withSkills",
                count(DISTINCT age_min)::int AS "ageMins"
           FROM activities a WHERE city_id = $1 AND external_uid LIKE $2`,
        [city?.id, `${DEMO_UID_PREFIX}%`],
      );
      expect(row?.providers, slug).toBeGreaterThanOrEqual(8);
      for (const key of ['recurring', 'once', 'onDemand', 'allDay', 'paid', 'external', 'withExceptions']) {
        expect(row?.[key], `${slug} ${key}`).toBeGreaterThan(0);
      }
      expect(row?.withSkills, slug).toBe(250);
      expect(row?.upcoming, slug).toBeGreaterThan(200);
      expect(row?.ageMins, slug).toBeGreaterThan(5);
      // Titles in the city's languages.
      const titles = await t.db.query<{ languages: string[] }>(
        'SELECT DISTINCT ARRAY(SELECT jsonb_object_keys(title) ORDER BY 1) AS languages FROM activities WHERE city_id = $1',
        [city?.id],
      );
      expect(titles.flatMap((r) => r.languages).every((l) => city?.languages.includes(l))).toBe(true);
      const signups = await listDemoSignupActivities(t.db, city?.id as string);
      expect(signups.length, slug).toBeGreaterThan(40);
    }
    const [lithuanian] = await t.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM activities WHERE title->>'lt' = 'Skaitmeninio raštingumo kursai senjorams'`,
    );
    expect(lithuanian?.count).toBeGreaterThan(0);
  });

  it('writes the same activity in bulk as createActivity does', async () => {
    const city = await findCityBySlug(t.db, 'torino');
    if (!city) throw new Error('no Turin');
    const [organisation] = await t.db.query<{ id: string }>(
      "SELECT id FROM organisations WHERE slug = 'officina-san-salvario'",
    );
    const skills = await t.db.query<{ id: string; framework: string; code: string }>(
      `SELECT s.id, f.slug AS framework, s.code FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
        JOIN city_skill_frameworks c ON c.framework_id = s.framework_id AND c.city_id = $1 WHERE s.kind <> 'area'`,
      [city.id],
    );
    const plans = demoActivityInputs(
      city,
      [
        {
          id: organisation?.id as string,
          slug: 'officina-san-salvario',
          name: 'Officina San Salvario',
          website: 'https://officina-sansalvario.example.org',
          trusted: false,
          profile: 'makerspace',
          home: { name: 'Officina San Salvario', street: 'Via Nizza 45', lat: 45.0578, lon: 7.6801 },
        },
      ],
      skills,
      new Date(),
      120,
    ).filter((plan) => plan.status === 'published');
    const samples = [
      plans.find((p) => p.input.exdates?.length),
      plans.find((p) => p.input.allDay),
      plans.find((p) => p.input.format === 'online'),
      plans.find((p) => p.input.costKind === 'paid' && p.input.venues?.length),
    ].filter((p) => p !== undefined);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const comparable = async (id: string) => {
      const {
        id: _id,
        slug: _s,
        externalUid: _e,
        createdAt,
        updatedAt,
        publishedAt,
        submittedAt,
        venues,
        ...rest
      } = await getActivity(t.db, city, id, null);
      expect([createdAt, updatedAt, publishedAt, submittedAt].every((d) => d instanceof Date)).toBe(true);
      const sessions = await listSessions(t.db, city.id, id, { limit: 500 });
      return {
        ...rest,
        venues: venues.map(({ id: _v, ...venue }) => venue),
        sessions: sessions.map(({ id: _i, activityId: _a, ...session }) => session),
      };
    };
    for (const [index, plan] of samples.entries()) {
      const viaService = await createActivity(
        t.db,
        city,
        plan.organisationId,
        { ...plan.input, externalUid: `parity-service-${index}` },
        {
          actor: 'system',
          audit: {
            actorUserId: null,
            actorApiTokenId: null,
            actorLabel: 'test',
            ip: null,
            userAgent: null,
            requestId: null,
          },
        },
        { publish: true },
      );
      const bulkUid = `parity-bulk-${index}`;
      const slugs = await t.db.query<{ slug: string }>('SELECT slug FROM activities WHERE city_id = $1', [city.id]);
      await t.db.transaction((tx) =>
        insertPublishedActivities(
          tx,
          city,
          [{ ...plan, externalUid: bulkUid, input: { ...plan.input, externalUid: bulkUid } }],
          new Set(slugs.map((row) => row.slug)),
        ),
      );
      const [bulk] = await t.db.query<{ id: string }>('SELECT id FROM activities WHERE external_uid = $1', [bulkUid]);
      expect(await comparable(bulk?.id as string), plan.externalUid).toEqual(await comparable(viaService.id));
    }
  });

  it('adds nothing when seeded again, and generates the same plans from the same day', async () => {
    const [before] = await t.db.query<{ count: number }>('SELECT count(*)::int AS count FROM activities');
    const report = await seedDemoActivities(t.db);
    expect(report.providersCreated).toBe(0);
    expect(Object.values(report.created).every((n) => n === 0)).toBe(true);
    await seedDemo(t.db);
    const [after] = await t.db.query<{ count: number }>('SELECT count(*)::int AS count FROM activities');
    expect(after?.count).toBe(before?.count);

    const city = await findCityBySlug(t.db, 'torino');
    if (!city) throw new Error('no Turin');
    const organisations = [
      {
        id: '00000000-0000-4000-8000-000000000001',
        slug: 'a',
        name: 'A',
        website: null,
        trusted: false,
        profile: 'museum' as const,
        home: { name: 'Museo', lon: 7.6932, lat: 45.069 },
      },
    ];
    const day = new Date('2026-09-01T08:00:00Z');
    const first = demoActivityInputs(city, organisations, [], day, 40);
    expect(demoActivityInputs(city, organisations, [], day, 40)).toEqual(first);
    expect(first.map((p) => p.input.title.it).filter(Boolean).length).toBe(40);
  });
});
