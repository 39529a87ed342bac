import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { setCityFrameworks } from '../skills/skills.service.ts';
import { accessibilityFeatures, type ActivityInput } from './activities.model.ts';
import { refreshSessionSummary } from './activities.repo.ts';
import { reorderSearchRows } from './search-rows.repo.ts';
import { createActivity } from './activities.service.ts';
import {
  buildTsqueries,
  type ClusterCell,
  clusterCells,
  countFacets,
  type ResolvedFilter,
  searchRows,
  searchRowsWithFacets,
  storedClusterCells,
} from './search.repo.ts';
import { cellSize, parseSearchParams, searchActivities } from './search.service.ts';

interface Hit {
  id: string;
  slug: string;
  title: string;
  format: string;
  district: string | null;
  distanceKm: number | null;
  url: string;
}
interface FacetValue {
  value: string;
  label?: string;
  count: number;
  selected: boolean;
}
interface SearchBody {
  items: Hit[];
  total: number;
  sort: string;
  nextCursor: string | null;
  facets: Record<string, FacetValue[]> | null;
}

const library = { name: 'Central Library', lat: 50.3752, lon: -4.1397 };
const devonport = { name: 'Devonport Guildhall', lat: 50.3688, lon: -4.1779 };
const plympton = { name: 'Plympton Library', lat: 50.3862, lon: -4.0513 };

/** A search of a city's published activities without any filter, as the database sees it. */
const plainFilter = (cityId: string): ResolvedFilter => ({
  cityId,
  now: new Date(),
  tsquery: null,
  titleTsquery: null,
  formats: [],
  ageBandIds: [],
  ageMin: null,
  ageMax: null,
  cost: null,
  skillIds: null,
  frameworkId: null,
  organisationIds: null,
  districts: [],
  languages: [],
  accessibility: [],
  range: null,
  bbox: null,
  bboxIndexed: false,
  locatedOnly: false,
  near: null,
  publishedSince: null,
});

describe(`catalogue search on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let trustedOrganisationId: string;
  let narrowSkillId: string;
  let broadSkillId: string;
  const ids: Record<string, string> = {};

  const publish = async (key: string, overrides: Partial<ActivityInput>, onCity?: CityRecord, org?: string) => {
    const activity = await createActivity(
      t.db,
      onCity ?? city,
      org ?? organisationId,
      activityInput(overrides),
      systemCaller,
      { publish: true },
    ).catch((error) => {
      throw new Error(`${key}: ${JSON.stringify(error.details)}`);
    });
    ids[key] = activity.id;
    return activity;
  };
  const search = async (query: string, citySlug = 'plymouth'): Promise<SearchBody> => {
    const response = await t.app.inject({ url: `/api/v1/cities/${citySlug}/activities?${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as SearchBody;
  };
  const titles = (body: SearchBody) => body.items.map((item) => item.title);
  const count = (body: SearchBody, facet: string, value: string) =>
    body.facets?.[facet]?.find((v) => v.value === value)?.count ?? 0;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId, trustedOrganisationId, otherCity } = await createCatalogueCity(t.db));
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
      otherCity.id,
      organisationId,
    ]);
    await setCityFrameworks(t.db, city.id, ['digcomp'], null);
    const [skill] = await t.db.query<{ id: string; parentId: string }>(
      `SELECT s.id, s.parent_id AS "parentId" FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
        WHERE f.slug = 'digcomp' AND s.parent_id IS NOT NULL ORDER BY s.code LIMIT 1`,
    );
    narrowSkillId = skill?.id as string;
    broadSkillId = skill?.parentId as string;

    await publish('robotics', {
      title: { en: 'Robotics club for beginners' },
      description: { en: '<p>Build and program small robots.</p>' },
      venues: [library],
      ageMin: 12,
      ageMax: 16,
      tags: ['robots'],
      accessibility: ['step_free', 'hearing_loop'],
      skills: [{ skillId: narrowSkillId, level: 2 }],
    });
    await publish('painting', {
      title: { en: 'Watercolour painting workshop' },
      description: { en: '<p>Paint the harbour. Robotics fans welcome: we paint robotics kits too.</p>' },
      format: 'online',
      venues: [],
      onlineUrl: 'https://meet.example.org/paint',
      ageMin: 30,
      ageMax: 99,
      costKind: 'paid',
      priceCents: 500,
      currency: 'GBP',
      tags: ['art'],
    });
    await publish('running', {
      title: { en: 'Running club', lt: 'Bėgimo klubas' },
      description: { en: 'Easy runs along the Hoe.', lt: 'Lengvi bėgimai pajūriu.' },
      venues: [devonport],
      ageMin: 16,
      ageMax: 25,
      languages: ['en', 'lt'],
      accessibility: ['step_free'],
      tags: ['sport'],
    });
    await publish(
      'programming',
      {
        title: { lt: 'Programavimo mokymai jaunimui', en: 'Programming lessons for young people' },
        description: { lt: 'Mokysimės programuoti Python kalba.' },
        format: 'blended',
        onlineUrl: 'https://meet.example.org/code',
        venues: [plympton],
        ageMin: 14,
        ageMax: 19,
        languages: ['lt'],
      },
      undefined,
      trustedOrganisationId,
    );
    await publish('on-demand', {
      title: { en: 'Spreadsheet basics (self-paced)' },
      format: 'online',
      venues: [],
      onlineUrl: 'https://learn.example.org/sheets',
      scheduleKind: 'on_demand',
      startsAt: null,
      endsAt: null,
      signupMode: 'none',
      capacity: null,
      ageMin: null,
      ageMax: null,
    });
    // Sessions around one summer weekend (Sat 10–Sun 11 July 2027, British Summer Time).
    const weekend = (title: string, startsAt: string) =>
      publish(title, {
        title: { en: title },
        venues: [library],
        startsAt,
        endsAt: new Date(new Date(startsAt).getTime() + 3_600_000).toISOString(),
        tags: ['weekendtest'],
        ageMin: 18,
        ageMax: 99,
      });
    await weekend('Friday late stargazing', '2027-07-09T21:30:00Z'); // 22:30–23:30 Friday local
    await weekend('Saturday small hours stargazing', '2027-07-09T23:30:00Z'); // 00:30 Saturday local
    await weekend('Sunday night stargazing', '2027-07-11T22:00:00Z'); // 23:00 Sunday local
    await weekend('Monday small hours stargazing', '2027-07-11T23:30:00Z'); // 00:30 Monday local
    // Twenty-three chess clubs with the same title and start: ties for every sort.
    const start = new Date(Date.now() + 10 * 86_400_000);
    start.setUTCHours(16, 0, 0, 0);
    for (let i = 0; i < 23; i++) {
      await publish(`chess-${i}`, {
        title: { en: 'Chess club' },
        description: { en: 'Openings, endgames and friendly games.' },
        venues: [library],
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
        tags: ['chess'],
        ageMin: 18,
        ageMax: 99,
      });
    }
    // A finished activity leaves the catalogue.
    const finished = await publish('finished', { title: { en: 'Finished pottery course' }, venues: [library] });
    await t.db.query("UPDATE activities SET last_end_at = now() - interval '1 day' WHERE id = $1", [finished.id]);
    await publish(
      'cucina',
      {
        title: { it: 'Corsi di cucina piemontese' },
        description: { it: 'Impariamo a cucinare gli agnolotti.' },
        format: 'online',
        onlineUrl: 'https://meet.example.org/cucina',
        venues: [],
        languages: ['it'],
      },
      otherCity,
    );
    // A draft never shows.
    await createActivity(t.db, city, organisationId, activityInput({ title: { en: 'Robotics draft' } }), systemCaller);
  }, 120_000);
  afterAll(() => t.close());

  it('finds words by their stems and prefixes, in each of the city’s languages', async () => {
    expect(titles(await search('q=runs'))).toEqual(['Running club']);
    expect(titles(await search('q=robot'))).toContain('Robotics club for beginners');
    expect(titles(await search('q=chess%20opening')).length).toBe(20);
    // Lithuanian stemming: "mokymas" and "mokymai" share the stem; "program" is a prefix of "Programavimo".
    const lithuanian = await search('q=mokymas&lang=lt');
    expect(lithuanian.items).toHaveLength(1);
    expect(lithuanian.items[0]?.title).toBe('Programavimo mokymai jaunimui');
    expect((await search('q=b%C4%97gimai&lang=lt')).items.map((i) => i.title)).toEqual(['Bėgimo klubas']);
    // Italian stemming in Turin: "corso" finds "Corsi".
    expect(titles(await search('q=corso', 'plymouth-elsewhere'))).toEqual(['Corsi di cucina piemontese']);
    expect(titles(await search('q=agnolott', 'plymouth-elsewhere'))).toEqual(['Corsi di cucina piemontese']);
    // Every word must match; a phrase in quotes must match in order.
    expect(titles(await search('q=robotics%20harbour'))).toEqual(['Watercolour painting workshop']);
    expect(titles(await search('q=%22club%20robotics%22'))).toEqual([]);
    expect(titles(await search('q=%22robotics%20club%22'))).toEqual(['Robotics club for beginners']);
  });

  it('ranks title matches before description matches', async () => {
    const body = await search('q=robotics');
    expect(body.sort).toBe('relevance');
    expect(titles(body)).toEqual(['Robotics club for beginners', 'Watercolour painting workshop']);
    expect(titles(await search('q=robotics&sort=date')).sort()).toEqual(titles(body).sort());
  });

  it('never shows drafts, other cities’ activities or finished ones', async () => {
    const all = await search('limit=100');
    expect(all.total).toBe(5 + 4 + 23);
    expect(titles(all)).not.toContain('Robotics draft');
    expect(titles(all)).not.toContain('Corsi di cucina piemontese');
    expect(titles(all)).not.toContain('Finished pottery course');
  });

  it('filters by each facet and counts each facet without its own filter', async () => {
    const online = await search('format=online');
    expect(online.total).toBe(2);
    expect(online.items.every((item) => item.format === 'online')).toBe(true);
    expect(count(online, 'format', 'online')).toBe(2);
    expect(count(online, 'format', 'in_person')).toBe(29);
    expect(count(online, 'format', 'blended')).toBe(1);
    expect(online.facets?.format?.find((v) => v.value === 'online')?.selected).toBe(true);
    // Other facets count within the format filter.
    expect(count(online, 'cost', 'paid')).toBe(1);
    expect(count(online, 'cost', 'free')).toBe(1);

    const twoFormats = await search('format=online&format=blended&cost=free');
    expect(twoFormats.total).toBe(2);
    expect(count(twoFormats, 'format', 'in_person')).toBe(29);

    const teens = await search('age=teens');
    expect(titles(teens).sort()).toEqual([
      'Programming lessons for young people',
      'Robotics club for beginners',
      'Spreadsheet basics (self-paced)',
    ]);
    expect(count(teens, 'age', 'adults')).toBeGreaterThanOrEqual(1);
    const learner = await search('ageMin=17&ageMax=17');
    expect(titles(learner).sort()).toEqual([
      'Programming lessons for young people',
      'Running club',
      'Spreadsheet basics (self-paced)',
    ]);

    const paid = await search('cost=paid');
    expect(titles(paid)).toEqual(['Watercolour painting workshop']);

    const lithuanian = await search('language=lt');
    expect(titles(lithuanian).sort()).toEqual(['Programming lessons for young people', 'Running club']);
    expect(count(lithuanian, 'language', 'en')).toBeGreaterThan(20);

    const stepFree = await search('accessibility=step_free');
    expect(titles(stepFree).sort()).toEqual(['Robotics club for beginners', 'Running club']);
    expect(count(stepFree, 'accessibility', 'hearing_loop')).toBe(1);
    expect(titles(await search('accessibility=step_free&accessibility=hearing_loop'))).toEqual([
      'Robotics club for beginners',
    ]);

    const drake = await search('district=Drake');
    expect(drake.total).toBe(1 + 4 + 23);
    const districts = drake.facets?.district ?? [];
    expect(districts.length).toBeGreaterThanOrEqual(3);
    expect(districts.find((d) => d.value === 'Drake')).toMatchObject({ count: 28, selected: true });

    const organisation = await search('organisation=plymouth-central-library');
    expect(titles(organisation)).toEqual(['Programming lessons for young people']);
    expect(organisation.facets?.organisation?.find((o) => o.value === 'plymouth-central-library')).toMatchObject({
      label: 'Central Library',
      count: 1,
      selected: true,
    });
    expect(count(organisation, 'organisation', 'plymouth-stonehouse-makers')).toBe(31);

    // A broader skill finds activities tagged with its narrower skills.
    expect(titles(await search(`skill=${narrowSkillId}`))).toEqual(['Robotics club for beginners']);
    const broad = await search(`skill=${broadSkillId}`);
    expect(titles(broad)).toEqual(['Robotics club for beginners']);
    expect(broad.facets?.skill?.find((s) => s.value === narrowSkillId)?.count).toBe(1);
    expect(titles(await search('framework=digcomp'))).toEqual(['Robotics club for beginners']);
    expect(titles(await search('framework=greencomp'))).toEqual([]);
  });

  it('filters by the map view and by distance, and sorts by distance', async () => {
    const aroundLibrary = await search('bbox=-4.15,50.37,-4.13,50.38');
    expect(aroundLibrary.total).toBe(1 + 4 + 23);
    const west = await search('bbox=-4.19,50.36,-4.17,50.375');
    expect(titles(west)).toEqual(['Running club']);
    const near = await search(`near=${plympton.lat},${plympton.lon}&radiusKm=7&sort=distance&limit=3`);
    expect(near.sort).toBe('distance');
    expect(near.items[0]?.title).toBe('Programming lessons for young people');
    expect(near.items[0]?.distanceKm).toBeLessThan(0.05);
    expect(near.items[1]?.distanceKm).toBeGreaterThan(5);
    expect(near.total).toBe(1 + 1 + 4 + 23);
    // Devonport lies about 8.9 km from Plympton: outside 7 km, inside 10 km.
    expect((await search(`near=${plympton.lat},${plympton.lon}&radiusKm=10`)).total).toBe(1 + 1 + 1 + 4 + 23);
  });

  it('reads "this weekend" in the city’s time zone, and leaves on-demand activities out of date filters', async () => {
    const wednesday = new Date('2027-07-07T12:00:00Z');
    const weekend = await searchActivities(t.db, city, parseSearchParams({ when: 'weekend', q: 'stargazing' }), {
      language: 'en',
      now: wednesday,
    });
    expect(weekend.items.map((i) => i.title).sort()).toEqual([
      'Saturday small hours stargazing',
      'Sunday night stargazing',
    ]);
    const range = await searchActivities(t.db, city, parseSearchParams({ from: '2027-07-12', to: '2027-07-12' }), {
      language: 'en',
      now: wednesday,
    });
    expect(range.items.map((i) => i.title)).toEqual(['Monday small hours stargazing']);
    const today = await searchActivities(t.db, city, parseSearchParams({ when: 'today' }), {
      language: 'en',
      now: new Date('2027-07-09T20:00:00Z'),
    });
    expect(today.items.map((i) => i.title)).toEqual(['Friday late stargazing']);
    const now = await searchActivities(t.db, city, parseSearchParams({ when: 'now' }), {
      language: 'en',
      now: new Date('2027-07-11T22:30:00Z'),
    });
    expect(now.items.map((i) => i.title)).toEqual(['Sunday night stargazing']);
    const dated = await search('when=week&q=spreadsheet');
    expect(dated.total).toBe(0);
    expect((await search('q=spreadsheet')).items[0]?.title).toBe('Spreadsheet basics (self-paced)');
  });

  it('pages with keyset cursors: every row exactly once, ties included', async () => {
    for (const query of [
      'q=chess&sort=relevance',
      'q=chess&sort=date',
      `near=${library.lat},${library.lon}&sort=distance`,
      'format=in_person',
    ]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      let total = 0;
      do {
        const body: SearchBody = await search(
          `${query}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...body.items.map((item) => item.id));
        total = body.total;
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(new Set(seen).size, query).toBe(seen.length);
      expect(seen.length, query).toBe(total);
    }
    const first = await search('q=chess&limit=5');
    const wrongSort = await t.app.inject({
      url: `/api/v1/cities/plymouth/activities?q=chess&sort=date&cursor=${first.nextCursor}`,
    });
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json().error.details[0].field).toBe('/cursor');
    const garbage = await t.app.inject({ url: '/api/v1/cities/plymouth/activities?cursor=bm90LWEtY3Vyc29y' });
    expect(garbage.statusCode).toBe(400);
  });

  it('treats tsquery syntax and quotes in the words as plain text', async () => {
    for (const q of [
      "'",
      '&|!',
      ':*',
      "robot' | !chess",
      'robot:* & (',
      '\\',
      '""',
      '<->',
      "'; DROP TABLE activities; --",
    ]) {
      const response = await t.app.inject({ url: `/api/v1/cities/plymouth/activities?q=${encodeURIComponent(q)}` });
      expect(response.statusCode, q).toBe(200);
    }
    expect(titles(await search(`q=${encodeURIComponent("robot' | !chess")}`))).toEqual([]);
    expect(titles(await search(`q=${encodeURIComponent('robot:*')}`))).toContain('Robotics club for beginners');
    // Stop words alone search for nothing in particular rather than failing.
    expect((await search('q=the')).total).toBeGreaterThanOrEqual(0);
  });

  it('answers 404 for an unknown city and 400 naming a bad parameter', async () => {
    const missing = await t.app.inject({ url: '/api/v1/cities/atlantis/activities' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CITY_NOT_FOUND');
    for (const [query, field] of [
      ['bbox=1,2,3', '/bbox'],
      ['bbox=10,50,5,51', '/bbox'],
      ['bbox=-4.2,95,-4.1,96', '/bbox'],
      ['near=50.3', '/near'],
      ['sort=distance', '/near'],
      ['from=2027-02-30', '/from'],
      ['ageMin=20&ageMax=10', '/ageMax'],
    ]) {
      const response = await t.app.inject({ url: `/api/v1/cities/plymouth/activities?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      expect(
        response.json().error.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
    const bad = await t.app.inject({ url: '/api/v1/cities/plymouth/activities?format=underwater' });
    expect(bad.statusCode).toBe(400);
    const map = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/map?bbox=nonsense' });
    expect(map.statusCode).toBe(400);
    expect(map.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('draws the map as clusters at city zoom and single activities close up', async () => {
    const whole = await t.app.inject({
      url: `/api/v1/cities/plymouth/activities/map?zoom=11&bbox=${city.boundsWest},${city.boundsSouth},${city.boundsEast},${city.boundsNorth}`,
    });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toContain('application/geo+json');
    const data = whole.json();
    expect(data.type).toBe('FeatureCollection');
    expect(data.total).toBe(1 + 1 + 1 + 4 + 23);
    const clusters = data.features.filter((f: { properties: { cluster: boolean } }) => f.properties.cluster);
    const library = clusters.find((f: { properties: { count: number } }) => f.properties.count === 28);
    expect(library.properties.expansionZoom).toBe(15);
    const singles = data.features.filter((f: { properties: { cluster: boolean } }) => !f.properties.cluster);
    expect(singles.map((f: { properties: { title: string } }) => f.properties.title).sort()).toEqual([
      'Programming lessons for young people',
      'Running club',
    ]);
    expect(singles[0].properties.url).toMatch(/^\/c\/plymouth\/activities\//);
    const lithuanian = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/map?zoom=16&lang=lt&q=running' });
    expect(lithuanian.json().features[0].properties).toMatchObject({ cluster: false, title: 'Bėgimo klubas' });
    const close = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/map?zoom=16&format=online' });
    // Online activities without a venue are not on the map.
    expect(close.json().total).toBe(0);
  });

  it('finds words within a small view or a radius through the per-square index, phrases in order', async () => {
    const aroundLibrary = 'bbox=-4.15,50.37,-4.13,50.38';
    const west = 'bbox=-4.19,50.36,-4.17,50.375';
    expect((await search(`q=chess&${aroundLibrary}`)).total).toBe(23);
    expect(titles(await search(`q=robot&${aroundLibrary}`))).toEqual(['Robotics club for beginners']);
    expect(titles(await search(`q=robot&${west}`))).toEqual([]);
    expect(titles(await search(`q=runs&${west}`))).toEqual(['Running club']);
    expect(titles(await search(`q=%22robotics%20club%22&${aroundLibrary}`))).toEqual(['Robotics club for beginners']);
    expect(titles(await search(`q=%22club%20robotics%22&${aroundLibrary}`))).toEqual([]);
    const nearPlympton = `near=${plympton.lat},${plympton.lon}`;
    expect(titles(await search(`q=programming&${nearPlympton}&radiusKm=2`))).toEqual([
      'Programming lessons for young people',
    ]);
    expect(titles(await search(`q=chess&${nearPlympton}&radiusKm=2`))).toEqual([]);
    const facets = await search(`q=club&format=in_person&age=teens&${aroundLibrary}`);
    expect(titles(facets)).toEqual(['Robotics club for beginners']);
    expect(count(facets, 'age', 'adults')).toBe(23);
    expect(count(facets, 'format', 'in_person')).toBe(1);
  });

  it('gives the same page and facet counts from one pass as from separate statements', async () => {
    const words = async (text: string) => {
      const built = await buildTsqueries(t.db, [[text]], city.languages);
      return { tsquery: built?.all ?? null, titleTsquery: built?.title ?? null };
    };
    const plain = plainFilter(city.id);
    const aroundLibrary = { west: -4.15, south: 50.37, east: -4.13, north: 50.38 };
    const filters: ResolvedFilter[] = [
      { ...plain, ...(await words('club')) },
      { ...plain, ...(await words('club')), formats: ['in_person'], cost: 'free', ageBandIds: ['adults'] },
      { ...plain, ...(await words('chess')), bbox: aroundLibrary, bboxIndexed: true, accessibility: [] },
      { ...plain, bbox: aroundLibrary, bboxIndexed: true, languages: ['en'], districts: ['Drake'] },
      { ...plain, near: { lat: library.lat, lon: library.lon, radiusKm: 12 }, formats: ['in_person', 'blended'] },
    ];
    for (const [index, filter] of filters.entries()) {
      const sorts = [
        ...(filter.tsquery ? (['relevance'] as const) : []),
        'date' as const,
        ...(filter.near ? (['distance'] as const) : []),
      ];
      const counted = await countFacets(t.db, filter, accessibilityFeatures, 20);
      for (const sort of sorts) {
        let after = null;
        for (let pageNumber = 0; pageNumber < 3; pageNumber++) {
          const options = { sort, limit: 4, after };
          const separate = await searchRows(t.db, filter, options);
          const together = await searchRowsWithFacets(t.db, filter, options, accessibilityFeatures, 20);
          const label = `filter ${index}, ${sort}, page ${pageNumber + 1}`;
          expect(together.rows, label).toEqual(separate);
          expect(together.total, label).toBe(counted.total);
          expect(together.counts, label).toEqual(counted.counts);
          const last = separate.at(-2);
          if (separate.length <= 4 || !last) break;
          after = { key: last.sortKey, id: last.id };
        }
      }
    }
  });

  it('exports a search as CSV, iCalendar and JSON', async () => {
    const csv = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/export.csv?q=robotics' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('Robotics club for beginners');
    expect(csv.body).toContain('Watercolour painting workshop');
    const ics = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/export.ics?q=chess' });
    expect(ics.headers['content-type']).toContain('text/calendar');
    expect(ics.body.match(/BEGIN:VEVENT/g)).toHaveLength(23);
    const json = await t.app.inject({ url: '/api/v1/cities/plymouth/activities/export.json?format=online' });
    expect(json.json().items).toHaveLength(2);
  });

  it('renders the search page without JavaScript, and its results fragment', async () => {
    const page = await t.app.inject({ url: '/c/plymouth/activities?q=robotics&format=in_person' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Robotics club for beginners');
    expect(page.body).not.toContain('Watercolour painting workshop');
    expect(page.body).toContain('name="format" value="online"');
    expect(page.body).toContain('/api/v1/cities/plymouth/activities/export.csv?q=robotics&amp;format=in_person');
    expect(page.body).toContain('id="catalogue-map"');
    const next = await t.app.inject({ url: '/c/plymouth/activities?q=chess&limit=10' });
    expect(next.body).toMatch(/rel="next" href="\/c\/plymouth\/activities\?q=chess&amp;limit=10&amp;cursor=/);
    const empty = await t.app.inject({ url: '/c/plymouth/activities?q=robotics&cost=paid&format=in_person' });
    expect(empty.body).toContain('No activities match this search.');
    expect(empty.body).toContain('Remove “In person”');
    const fragment = await t.app.inject({ url: '/c/plymouth/activities?q=robotics&fragment=results' });
    expect(fragment.body).toContain('id="search-results"');
    expect(fragment.body).not.toContain('<header');
    const bad = await t.app.inject({ url: '/c/plymouth/activities?bbox=1,2', headers: { accept: 'text/html' } });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps the map cells equal to counting the activities, through every kind of write', async () => {
    const located = { ...plainFilter(city.id), locatedOnly: true };
    const key = (c: ClusterCell) => [c.count, c.minLon, c.minLat, c.maxLon, c.maxLat].join(' ');
    const compare = async (step: string, now = new Date()) => {
      for (const zoom of [3, 11, 13, 14]) {
        const [stored, live] = await Promise.all([
          storedClusterCells(t.db, city.id, now, zoom),
          clusterCells(t.db, { ...located, now }, cellSize(zoom, city.centerLat).lon),
        ]);
        expect(stored.map(key).sort(), `${step}, zoom ${zoom}`).toEqual(live.map(key).sort());
        const centres = new Map(live.map((c) => [key(c), c]));
        for (const cell of stored) {
          expect(Number(cell.lon)).toBeCloseTo(Number(centres.get(key(cell))?.lon), 9);
          expect(Number(cell.lat)).toBeCloseTo(Number(centres.get(key(cell))?.lat), 9);
        }
      }
    };
    const [kept] = await t.db.query<{ cells: number }>(
      'SELECT count(*)::int AS cells FROM activity_map_cells WHERE city_id = $1',
      [city.id],
    );
    expect(kept?.cells).toBeGreaterThan(1);
    await compare('as published');
    const kayaking = await publish('kayaking', {
      title: { en: 'Harbour kayaking' },
      venues: [{ name: 'Mount Batten', lat: 50.3597, lon: -4.1289 }],
    });
    await compare('a new activity in a new cell');
    await t.db.query('UPDATE activities SET location = point(location[0] + 0.004, location[1]) WHERE id = $1', [
      kayaking.id,
    ]);
    await compare('an activity moved');
    // Twenty-eight activities share the library's point: archiving one takes it from the edge of its cell.
    await t.db.query("UPDATE activities SET status = 'archived' WHERE id = $1", [ids['chess-0']]);
    await compare('an activity archived');
    await t.db.query('UPDATE activities SET location = point(location[0], location[1] + 0.0001) WHERE city_id = $1', [
      city.id,
    ]);
    await compare('every activity moved in one statement');
    await t.db.query('DELETE FROM activities WHERE id = $1', [kayaking.id]);
    await compare('an activity deleted');
    // The clock past every session: only activities without dates are left, however the cells stand.
    await compare('every session over', new Date(Date.now() + 5 * 365 * 86_400_000));
    // The hourly refresh clears a next date: that activity leaves the cells, and readers before its end add it back.
    await t.db.query('UPDATE activities SET next_start_at = NULL WHERE id = $1', [ids.robotics]);
    await compare('a next date cleared before the end');
    // A new centre changes the grid's cell height: the city's cells are laid again.
    await t.db.query('UPDATE cities SET center_lat = center_lat + 1 WHERE id = $1', [city.id]);
    await compare('the grid redrawn');
    await t.db.query('UPDATE cities SET center_lat = center_lat - 1 WHERE id = $1', [city.id]);
    await t.db.query('UPDATE activities SET location = point(location[0], location[1] - 0.0001) WHERE city_id = $1', [
      city.id,
    ]);
    await t.db.query("UPDATE activities SET status = 'published' WHERE id = $1", [ids['chess-0']]);
    await refreshSessionSummary(t.db, ids.robotics as string);
    await compare('restored');
  });

  /** Rows where the search's copy and the published activities differ (none while the triggers keep it). */
  const differingSearchRows = async () => {
    const columns = `id, city_id, organisation_id, status, format, next_start_at, last_end_at, published_at, age_min,
      age_max, cost_kind, languages, accessibility, skill_ids, location[0] AS lon, location[1] AS lat, district,
      search_vector::text AS words`;
    return t.db.query<{ id: string }>(
      `(SELECT ${columns} FROM activities WHERE status = 'published' EXCEPT SELECT ${columns} FROM activity_search_rows)
       UNION ALL
       (SELECT ${columns} FROM activity_search_rows EXCEPT SELECT ${columns} FROM activities WHERE status = 'published')`,
    );
  };

  it('keeps the search’s copy equal to the published activities through every kind of write, and reorders it by place', async () => {
    const placeOf = async (id: string) =>
      (
        await t.db.query<{ place: string }>('SELECT ctid::text AS place FROM activity_search_rows WHERE id = $1', [id])
      )[0]?.place;
    const copied = async () =>
      (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM activity_search_rows'))[0]?.n ?? 0;
    expect(await copied()).toBeGreaterThan(20);
    expect(await differingSearchRows()).toEqual([]);
    const canoeing = await publish('canoeing', {
      title: { en: 'Canoeing on the Plym' },
      venues: [{ name: 'Saltram', lat: 50.3801, lon: -4.0941 }],
    });
    expect(await differingSearchRows()).toEqual([]);
    // A change the search does not read leaves the copy's row where it is.
    const place = await placeOf(canoeing.id);
    await t.db.query(`UPDATE activities SET moderation_note = 'seen', updated_at = now() WHERE id = $1`, [canoeing.id]);
    expect(await placeOf(canoeing.id)).toBe(place);
    // Words, a place and every row of the city at once; archived and back; skills through activity_skills; a delete.
    await t.db.query(`UPDATE activities SET title = '{"en": "Canoe trips on the Plym"}' WHERE id = $1`, [canoeing.id]);
    await t.db.query('UPDATE activities SET location = point(location[0] + 0.001, location[1]) WHERE city_id = $1', [
      city.id,
    ]);
    expect(await differingSearchRows()).toEqual([]);
    await t.db.query("UPDATE activities SET status = 'archived' WHERE id = $1", [canoeing.id]);
    expect(await placeOf(canoeing.id)).toBeUndefined();
    await t.db.query("UPDATE activities SET status = 'published' WHERE id = $1", [canoeing.id]);
    await t.db.query('INSERT INTO activity_skills (city_id, activity_id, skill_id, level) VALUES ($1, $2, $3, 2)', [
      city.id,
      canoeing.id,
      broadSkillId,
    ]);
    expect(await differingSearchRows()).toEqual([]);
    const total = await copied();

    // The nightly reorder: the same rows, now in the order of the search's squares (rows without a place last).
    expect(await reorderSearchRows(t.db)).toEqual({ rows: total });
    expect(await differingSearchRows()).toEqual([]);
    const stored = await t.db.query<{ city: string; x: number | null; y: number | null }>(
      `SELECT city_id::text AS city, floor(location[0] / 0.01)::int AS x, floor(location[1] / 0.01)::int AS y
         FROM activity_search_rows ORDER BY ctid`,
    );
    const byPlace = (a: (typeof stored)[number], b: (typeof stored)[number]) =>
      a.city.localeCompare(b.city) ||
      (a.x ?? Number.MAX_VALUE) - (b.x ?? Number.MAX_VALUE) ||
      (a.y ?? Number.MAX_VALUE) - (b.y ?? Number.MAX_VALUE);
    expect(stored).toEqual([...stored].sort(byPlace));
    // Writes after it reach the new table, and a search within a map view finds them through it.
    await t.db.query(`UPDATE activities SET title = '{"en": "Kayak and canoe trips"}' WHERE id = $1`, [canoeing.id]);
    await t.db.query('DELETE FROM activities WHERE id = $1', [ids['chess-1']]);
    expect(await differingSearchRows()).toEqual([]);
    expect(titles(await search('q=kayak&bbox=-4.1,50.37,-4.09,50.39'))).toEqual(['Kayak and canoe trips']);
    await t.db.query('DELETE FROM activities WHERE id = $1', [canoeing.id]);
    expect(await differingSearchRows()).toEqual([]);
  });

  it.runIf(testEngine === 'postgres')('lets writes wait for the reorder, then reach the new table', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let swapped = () => {};
    const reordered = new Promise<void>((resolve) => {
      swapped = resolve;
    });
    const reorder = t.db.transaction(async (tx) => {
      await tx.query('SELECT activity_search_rows_reorder()');
      swapped();
      await held;
    });
    await reordered;
    let written = false;
    const write = t.db
      .query(`UPDATE activities SET title = '{"en": "Robotics club for everyone"}' WHERE id = $1`, [ids.robotics])
      .then(() => {
        written = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written).toBe(false);
    release();
    await reorder;
    await write;
    expect(await differingSearchRows()).toEqual([]);
    expect(titles(await search('q=everyone&bbox=-4.15,50.37,-4.13,50.38'))).toEqual(['Robotics club for everyone']);
  });

  it('keeps each activity’s skill ids equal to its activity_skills rows, through every kind of write', async () => {
    const differing = async () =>
      t.db.query<{ id: string }>(
        `SELECT a.id FROM activities a
          WHERE a.skill_ids IS DISTINCT FROM coalesce((SELECT array_agg(x.skill_id ORDER BY x.skill_id)
                                                         FROM activity_skills x WHERE x.activity_id = a.id), '{}')`,
      );
    const skillIdsOf = async (key: string) =>
      (
        await t.db.query<{ skillIds: string[] }>('SELECT skill_ids AS "skillIds" FROM activities WHERE id = $1', [
          ids[key],
        ])
      )[0]?.skillIds;
    expect(await differing()).toEqual([]);
    expect(await skillIdsOf('robotics')).toEqual([narrowSkillId]);
    // Several activities in one statement, then one skill moved to another.
    await t.db.query(
      `INSERT INTO activity_skills (city_id, activity_id, skill_id, level)
       SELECT $1, id, $2, 1 FROM activities WHERE id = ANY($3::uuid[])`,
      [city.id, broadSkillId, [ids.robotics, ids.painting, ids.running]],
    );
    expect(await differing()).toEqual([]);
    expect(await skillIdsOf('robotics')).toEqual([narrowSkillId, broadSkillId].sort());
    await t.db.query('UPDATE activity_skills SET activity_id = $1 WHERE activity_id = $2 AND skill_id = $3', [
      ids.programming,
      ids.painting,
      broadSkillId,
    ]);
    expect(await differing()).toEqual([]);
    expect(await skillIdsOf('painting')).toEqual([]);
    expect(await skillIdsOf('programming')).toEqual([broadSkillId]);
    // The skill facet and filter read the array: the broad skill's filter finds what has it or a narrower skill.
    const withBroad = await search(`skill=${broadSkillId}&facets=true`);
    expect(withBroad.items.map((item) => item.id).sort()).toEqual([ids.robotics, ids.running, ids.programming].sort());
    expect(count(withBroad, 'skill', broadSkillId)).toBe(3);
    await t.db.query('DELETE FROM activity_skills WHERE skill_id = $1', [broadSkillId]);
    expect(await differing()).toEqual([]);
    expect(await skillIdsOf('robotics')).toEqual([narrowSkillId]);
    expect(await skillIdsOf('programming')).toEqual([]);
  });
});
