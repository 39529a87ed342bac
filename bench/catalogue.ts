/**
 * Catalogue benchmark: a city with 1,000,000 activities on PostgreSQL (100,000 on PGlite), spread over realistic
 * geography (clustered around neighbourhood centres) with their sessions, skills and organisations, generated with
 * set-based SQL. Then, with the whole app on that database, it measures:
 *
 *   - search: words + 3 facets + the map view (bounding box), through the HTTP route with facet counts — p50/p95,
 *     the time spent waiting for the database, and the slowest searches
 *   - facet counts: a broad word search with every facet counted, and the whole city with no filter
 *   - map clusters: the map endpoint for the whole city at its default zoom and at 13 (from the kept cells, checked
 *     against a live count), filtered, and one neighbourhood's
 *   - activity page: server time of the public activity page (`app.inject`)
 *
 * and prints EXPLAIN (ANALYZE, BUFFERS) of the main statements.
 *
 *   npm run bench:catalogue                        # PGlite 100k, then PostgreSQL 1M
 *   BENCH_ENGINES=postgres BENCH_ACTIVITIES=100000 npm run bench:catalogue
 *   BENCH_KEEP=1 …                                  # keep the PostgreSQL database (its name is printed)
 *   BENCH_DATABASE=name …                           # measure a kept database again (pending migrations are applied)
 *   BENCH_PREWARM=1 …                               # read the catalogue into shared buffers first (pg_prewarm)
 *
 * Targets at 1M activities on PostgreSQL: search p95 ≤ 50 ms, clusters ≤ 150 ms, activity page ≤ 20 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { type Database, openDatabase, type SqlRunner } from '../src/server/db/client.ts';
import { migrate } from '../src/server/db/migrate.ts';
import { findCityBySlug } from '../src/server/modules/cities/cities.repo.ts';
import { createCity } from '../src/server/modules/cities/cities.service.ts';
import { ensureBundledFrameworks } from '../src/server/modules/skills/bundled-frameworks.ts';
import { reorderSearchRows } from '../src/server/modules/activities/search-rows.repo.ts';
import { clearAnswerCache } from '../src/server/modules/activities/search.service.ts';
import { setCityFrameworks } from '../src/server/modules/skills/skills.service.ts';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const engines = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const runs = Number(process.env.BENCH_QUERIES ?? 200);

// Vilnius-sized territory (the bench city has no bundled geodata, so nothing checks venues against a boundary).
const bounds = { west: 25.0246, south: 54.5689, east: 25.4815, north: 54.8323 };
const centres = 48;

let seed = 7;
/** mulberry32: deterministic, so every run asks the same questions. */
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const englishWords =
  `coding robotics painting drawing music guitar piano singing choir theatre drama dance ballet football
  basketball swimming climbing chess photography film video animation design fashion sewing knitting pottery ceramics
  woodwork carpentry electronics soldering gardening cooking baking nutrition science chemistry physics biology astronomy
  mathematics statistics history archaeology geography languages english spanish french german italian writing poetry
  journalism podcasting radio debating leadership entrepreneurship business marketing finance budgeting volunteering
  citizenship ecology recycling cycling running yoga meditation wellbeing firstaid nursing care parenting reading library
  storytelling comics printing making hackathon python javascript web apps games minecraft drones sustainability energy
  climate repair mechanics welding plumbing electrics careers interview mentoring apprenticeship lab club workshop course
  studio camp bootcamp masterclass introduction beginners advanced weekend evening summer family youth adults seniors`
    .split(/\s+/)
    .filter(Boolean);
const fillerWords = `learn learning build make try explore discover friendly group session sessions week weeks every
  each together team project projects skills skill new first small big help helps start starting people young everyone
  welcome free bring book booking place places time times day days evening morning afternoon local community centre
  space room open practice practise fun easy step steps ideas share sharing work working create creating hands
  experience no needed all ages level levels guide guided support mentors tutor tutors volunteers friends home own
  your you we our with and the for from into about at in on of to a an or by after before during`
  .split(/\s+/)
  .filter(Boolean);
const lithuanianWords =
  `programavimas robotika tapyba piešimas muzika gitara dainavimas choras teatras šokiai futbolas plaukimas
  šachmatai fotografija filmai animacija dizainas siuvimas mezgimas keramika drožyba elektronika sodininkystė maisto
  gaminimas kepimas mokslas chemija fizika biologija astronomija matematika istorija geografija kalbos rašymas poezija
  žurnalistika radijas lyderystė verslumas finansai savanorystė ekologija dviračiai bėgimas joga sveikata skaitymas
  biblioteka komiksai žaidimai dronai energija klimatas remontas karjera mentorystė būrelis dirbtuvės kursai stovykla
  pradedantiesiems pažengusiems savaitgalio vakaro vasaros šeimos jaunimo suaugusiųjų senjorų`
    .split(/\s+/)
    .filter(Boolean);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const sqlArray = (words: string[]) => `(ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[])`;

/** Generates the city's activities, sessions and skills with INSERT … SELECT generate_series, in batches. */
async function generate(db: Database, cityId: string, total: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await db.query(
    `INSERT INTO organisations (slug, name, kinds)
     SELECT 'bench-org-' || g, 'Bench organisation ' || g, '{provider}' FROM generate_series(1, 2000) g`,
  );
  await db.query(
    `INSERT INTO organisation_cities (city_id, organisation_id, status)
     SELECT $1, id, 'approved' FROM organisations WHERE slug LIKE 'bench-org-%'`,
    [cityId],
  );
  // Neighbourhood centres, each with its own spread (dense centre, sparser suburbs).
  await db.exec(`CREATE TEMP TABLE bench_centres AS
    SELECT g AS n, 'District ' || g AS district,
           ${bounds.west} + (${bounds.east - bounds.west}) * (0.1 + 0.8 * random()) AS lon,
           ${bounds.south} + (${bounds.north - bounds.south}) * (0.1 + 0.8 * random()) AS lat,
           0.004 + 0.02 * random() AS spread
      FROM generate_series(1, ${centres}) g`);
  await db.exec(`CREATE TEMP TABLE bench_orgs AS
    SELECT row_number() OVER (ORDER BY slug) AS n, id FROM organisations WHERE slug LIKE 'bench-org-%'`);
  await db.exec(`CREATE TEMP TABLE bench_skills AS
    SELECT row_number() OVER (ORDER BY s.code) AS n, s.id FROM skills s
      JOIN skill_frameworks f ON f.id = s.framework_id WHERE f.slug = 'digcomp'`);
  const [skillCount] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_skills');
  const batch = db.engine === 'pglite' ? 20_000 : 100_000;
  const en = sqlArray(englishWords);
  // Descriptions read like text: mostly common words, the rest from a long tail of rarer ones (a skewed draw from
  // ~20,000 syllable words), so a topic word matches a few per cent of activities and not a fifth of them.
  const filler = sqlArray(fillerWords);
  const syllables = sqlArray(['ka', 'lo', 'mi', 'ter', 'san', 'dra', 'pel', 'vo', 'nu', 'ri', 'sta', 'gen']);
  const lt = sqlArray(lithuanianWords);
  const accessibility = sqlArray([
    'step_free',
    'accessible_toilet',
    'hearing_loop',
    'sign_language',
    'audio_description',
    'easy_read',
    'quiet_space',
    'large_print',
  ]);
  for (let offset = 0; offset < total; offset += batch) {
    const size = Math.min(batch, total - offset);
    const t = performance.now();
    await db.query(
      `WITH src AS (
         SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                1 + floor(random() * ${centres})::int AS centre,
                sqrt(-2 * ln(greatest(random(), 1e-9))) * cos(2 * pi() * random()) AS nx,
                sqrt(-2 * ln(greatest(random(), 1e-9))) * cos(2 * pi() * random()) AS ny,
                1 + floor(random() * 2000)::int AS org,
                (ARRAY[0, 6, 12, 14, 16, 18, 25, NULL]::int[])[1 + (g % 8)] AS age_min,
                1 + floor(random() * 120)::int AS start_days,
                (1 + floor(random() * 6))::int * 7 AS length_days,
                ${en} AS en, ${lt} AS lt, ${filler} AS filler, ${syllables} AS syl
           FROM generate_series($2::int + 1, $2::int + $3::int) g
       )
       INSERT INTO activities (city_id, organisation_id, slug, status, title, description, format, online_url,
         schedule_kind, starts_at, ends_at, age_min, age_max, cost_kind, price_cents, currency, languages, accessibility,
         tags, location, district, published_at, next_start_at, last_end_at, skill_ids)
       SELECT $1, o.id, 'bench-activity-' || s.g, 'published',
              jsonb_build_object(
                'en', initcap(s.en[1 + floor(s.r1 * array_length(s.en, 1))::int]) || ' ' || s.en[1 + floor(s.r2 * array_length(s.en, 1))::int] || ' ' || s.en[1 + floor(s.r3 * array_length(s.en, 1))::int],
                'lt', initcap(s.lt[1 + floor(s.r1 * array_length(s.lt, 1))::int]) || ' ' || s.lt[1 + floor(s.r2 * array_length(s.lt, 1))::int]),
              jsonb_build_object('en', '<p>' || (SELECT string_agg(CASE WHEN random() < 0.7
                  THEN s.filler[1 + floor(random() * array_length(s.filler, 1))::int]
                  ELSE s.syl[1 + floor(power(random(), 2) * 12)::int] || s.syl[1 + floor(power(random(), 2) * 12)::int]
                       || s.syl[1 + floor(random() * 12)::int] || s.syl[1 + (w % 12)] END, ' ')
                  FROM generate_series(1, 25 + (s.g % 20)) w) || '.</p>'),
              CASE WHEN s.r4 < 0.75 THEN 'in_person' WHEN s.r4 < 0.9 THEN 'online' ELSE 'blended' END,
              CASE WHEN s.r4 >= 0.75 THEN 'https://meet.example.org/' || s.g END,
              CASE WHEN s.r5 < 0.05 THEN 'on_demand' WHEN s.r5 < 0.6 THEN 'recurring' ELSE 'once' END,
              CASE WHEN s.r5 >= 0.05 THEN now() + make_interval(days => s.start_days, hours => 9 + (s.g % 10)) END,
              CASE WHEN s.r5 >= 0.05 THEN now() + make_interval(days => s.start_days + CASE WHEN s.r5 < 0.6 THEN s.length_days ELSE 0 END, hours => 11 + (s.g % 10)) END,
              s.age_min,
              CASE WHEN (s.g / 8) % 4 = 0 THEN NULL
                   ELSE least(120, coalesce(s.age_min, 0) + (ARRAY[3, 5, 8, 40])[1 + (s.g / 8) % 4]) END,
              CASE WHEN s.r3 < 0.6 THEN 'free' ELSE 'paid' END,
              CASE WHEN s.r3 >= 0.6 THEN 500 + (s.g % 40) * 100 END,
              CASE WHEN s.r3 >= 0.6 THEN 'EUR' END,
              CASE WHEN s.r2 < 0.5 THEN '{lt}'::text[] WHEN s.r2 < 0.85 THEN '{lt,en}'::text[] ELSE '{en}'::text[] END,
              CASE WHEN s.r1 < 0.5 THEN '{}'::text[]
                   ELSE ARRAY[${accessibility}[1 + (s.g % 8)], ${accessibility}[1 + ((s.g / 8) % 8)]] END,
              ARRAY[s.en[1 + floor(s.r5 * array_length(s.en, 1))::int]],
              CASE WHEN s.r4 < 0.9 THEN point(
                least(${bounds.east}, greatest(${bounds.west}, c.lon + s.nx * c.spread)),
                least(${bounds.north}, greatest(${bounds.south}, c.lat + s.ny * c.spread * 0.6))) END,
              CASE WHEN s.r4 < 0.9 THEN c.district END,
              now() - make_interval(days => (s.g % 90)),
              CASE WHEN s.r5 >= 0.05 THEN now() + make_interval(days => s.start_days, hours => 9 + (s.g % 10)) END,
              CASE WHEN s.r5 >= 0.05 THEN now() + make_interval(days => s.start_days + CASE WHEN s.r5 < 0.6 THEN s.length_days ELSE 0 END, hours => 11 + (s.g % 10)) END,
              -- One or two DigComp skills; written here (sorted, as the triggers keep them) so that inserting the
              -- activity_skills rows below finds every array already right and rewrites no activity.
              ARRAY(SELECT DISTINCT sk.id FROM generate_series(0, abs(hashtext('bench-activity-' || s.g)) % 2) k
                      JOIN bench_skills sk ON sk.n = 1 + abs(hashtext('bench-activity-' || s.g || k)) % ${skillCount?.n ?? 1}
                     ORDER BY sk.id)
         FROM src s JOIN bench_centres c ON c.n = s.centre JOIN bench_orgs o ON o.n = s.org`,
      [cityId, offset, size],
    );
    log(`  activities ${offset + size} / ${total} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  // Sessions: one for one-offs, weekly for recurring ones (1–6 weeks), none on demand.
  let t = performance.now();
  await db.query(
    `INSERT INTO activity_sessions (city_id, activity_id, starts_at, ends_at)
     SELECT a.city_id, a.id, a.starts_at + make_interval(days => 7 * w), a.starts_at + make_interval(days => 7 * w, hours => 2)
       FROM activities a
       CROSS JOIN LATERAL generate_series(0, CASE WHEN a.schedule_kind = 'recurring'
                                                 THEN (extract(epoch FROM a.ends_at - a.starts_at) / 604800)::int ELSE 0 END) w
      WHERE a.city_id = $1 AND a.schedule_kind <> 'on_demand'`,
    [cityId],
  );
  // next_start_at and last_end_at were written with the rows: the first session's start, the last one's end.
  log(`  sessions (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  t = performance.now();
  await db.query(
    `INSERT INTO activity_skills (city_id, activity_id, skill_id, level)
     SELECT a.city_id, a.id, skill_id, 1 + (abs(hashtext(a.slug)) % 8)
       FROM activities a CROSS JOIN LATERAL unnest(a.skill_ids) AS skill_id
      WHERE a.city_id = $1`,
    [cityId],
  );
  log(`  skills (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  // The rows went into the search's copy (activity_search_rows) in the order they were written, as a day of writes
  // leaves them; the nightly job puts them in place order.
  t = performance.now();
  const { rows } = await reorderSearchRows(db);
  log(
    `  the nightly reorder of the search's ${rows.toLocaleString('en')} rows (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  t = performance.now();
  for (const table of ['activities', 'activity_sessions', 'activity_skills', 'organisations']) {
    await db.query(`VACUUM ANALYZE ${table}`);
  }
  log(
    `  VACUUM ANALYZE (${((performance.now() - t) / 1000).toFixed(1)} s); generated in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** Records the statements the app sends, so the slowest can be explained afterwards. */
function recording(db: Database): { db: Database; take(): { text: string; params: unknown[]; ms: number }[] } {
  let statements: { text: string; params: unknown[]; ms: number }[] = [];
  const wrapped: Database = Object.create(db);
  wrapped.query = async <Row>(text: string, params?: unknown[], options?: { name?: string }) => {
    const t = performance.now();
    const rows = await db.query<Row>(text, params, options);
    statements.push({ text, params: params ?? [], ms: performance.now() - t });
    return rows;
  };
  return {
    db: wrapped,
    take() {
      const taken = statements;
      statements = [];
      return taken;
    },
  };
}

async function explain(db: SqlRunner, label: string, statement: { text: string; params: unknown[] }): Promise<void> {
  const rows = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.params);
  console.log(`\n── EXPLAIN ${label}\n${rows.map((row) => Object.values(row)[0]).join('\n')}`);
}

/**
 * What this machine's kernel says about huge pages (the bench talks to a server on loopback): PostgreSQL 15 cannot tell
 * whether `huge_pages = try` got them, and without them every new connection pays a page fault per 4 kB of shared
 * buffers it touches for the first time (docs/operations.md).
 */
function hugePagesInUse(): string {
  try {
    const info = fs.readFileSync('/proc/meminfo', 'utf8');
    const value = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const total = value('HugePages_Total');
    if (total === 0) return ' (this machine has no huge pages reserved: vm.nr_hugepages = 0)';
    return ` (this machine: ${total - value('HugePages_Free') + value('HugePages_Rsvd')} of ${total} huge pages of ${value('Hugepagesize')} kB in use or reserved)`;
  } catch {
    return '';
  }
}

async function timeIt(count: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await work(i);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

const summary = (times: number[]) =>
  `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${(times.at(-1) ?? 0).toFixed(1)} ms`;

async function benchEngine(engine: 'pglite' | 'postgres', base: Database, total: number): Promise<void> {
  const log = (line: string) => console.log(line);
  console.log(`\n${engine}: ${total.toLocaleString('en')} activities`);
  await migrate(base);
  await ensureBundledFrameworks(base);
  const existing = await findCityBySlug(base, 'bench');
  if (existing) {
    log('  reusing the generated city in this database');
    await base.exec(`CREATE TEMP TABLE IF NOT EXISTS bench_centres AS
      SELECT row_number() OVER () AS n, avg(location[0]) AS lon, avg(location[1]) AS lat FROM activities
       WHERE district IS NOT NULL GROUP BY district`);
  }
  const city =
    existing ??
    (await createCity(base, {
      slug: 'bench',
      name: { en: 'Benchford', lt: 'Benčiai' },
      languages: ['lt', 'en'],
      timeZone: 'Europe/Vilnius',
      bounds,
      center: { lon: 25.2797, lat: 54.6872 },
      defaultZoom: 11,
    }));
  if (!existing) {
    await setCityFrameworks(base, city.id, ['digcomp'], null);
    await generate(base, city.id, total, log);
  }
  if (process.env.BENCH_EXTRA_SQL) {
    const t = performance.now();
    await base.exec(process.env.BENCH_EXTRA_SQL);
    log(`  extra SQL (${((performance.now() - t) / 1000).toFixed(1)} s): ${process.env.BENCH_EXTRA_SQL}`);
  }
  const [size] = await base.query<{ activities: string; searchRows: string; sessions: string; skills: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('activities')) AS activities,
            pg_size_pretty(pg_total_relation_size('activity_search_rows')) AS "searchRows",
            pg_size_pretty(pg_total_relation_size('activity_sessions')) AS sessions,
            pg_size_pretty(pg_total_relation_size('activity_skills')) AS skills`,
  );
  log(
    `  sizes (with indexes): activities ${size?.activities}, the search's copy ${size?.searchRows}, sessions ${size?.sessions}, skills ${size?.skills}`,
  );
  if (engine === 'postgres') {
    const [memory] = await base.query<{ buffers: string; buffer_bytes: string; catalogue_bytes: string; huge: string }>(
      `SELECT current_setting('shared_buffers') AS buffers, pg_size_bytes(current_setting('shared_buffers')) AS buffer_bytes,
              pg_total_relation_size('activities') + pg_total_relation_size('activity_search_rows') AS catalogue_bytes,
              current_setting('huge_pages') AS huge`,
    );
    const fits = Number(memory?.buffer_bytes) >= Number(memory?.catalogue_bytes);
    log(
      `  shared_buffers ${memory?.buffers}${fits ? '' : ' — smaller than the catalogue and its indexes: searches read pages from the OS cache (docs/operations.md, "Memory")'}`,
    );
    log(`  huge_pages ${memory?.huge}${hugePagesInUse()}`);
    // BENCH_PREWARM=1: the catalogue's tables and indexes read into shared buffers first, as on a server that has
    // been answering searches for a while (or restarted with pg_prewarm's autoprewarm).
    if (process.env.BENCH_PREWARM) {
      const t = performance.now();
      await base.exec('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
      const [warmed] = await base.query<{ blocks: number }>(
        `SELECT sum(pg_prewarm(c.oid))::int AS blocks FROM pg_class c
          WHERE c.oid = ANY($1::regclass[])
             OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY($1::regclass[]))`,
        [
          [
            'activities',
            'activity_search_rows',
            'activity_sessions',
            'activity_venues',
            'activity_skills',
            'organisations',
          ],
        ],
      );
      log(`  prewarmed ${warmed?.blocks} blocks (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
  }
  if (process.env.BENCH_GENERATE_ONLY) return;

  const recorder = recording(base);
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), db: recorder.db, logger: false });
  await app.ready();
  const [centre] = await base.query<{ lon: number; lat: number }>(
    'SELECT lon, lat FROM bench_centres ORDER BY n LIMIT 1',
  );
  const centreRows = await base.query<{ lon: number; lat: number }>('SELECT lon, lat FROM bench_centres');
  const get = async (url: string) => {
    const response = await app.inject({ url });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return response;
  };

  // 1. Words + three facets + the map view, with facet counts, through the route.
  const searchUrl = () => {
    const c = pick(centreRows);
    const halfLon = 0.02 + random() * 0.03;
    const halfLat = halfLon * 0.58;
    const word = pick(englishWords);
    const q = word.slice(0, Math.max(4, Math.min(word.length, 4 + Math.floor(random() * 4))));
    const bbox = [c.lon - halfLon, c.lat - halfLat, c.lon + halfLon, c.lat + halfLat]
      .map((v) => v.toFixed(5))
      .join(',');
    return `/api/v1/cities/bench/activities?q=${encodeURIComponent(q)}&format=in_person&cost=free&age=teens&bbox=${bbox}&lang=en`;
  };
  for (let i = 0; i < 20; i++) await get(searchUrl());
  let results = 0;
  recorder.take();
  const databaseTimes: number[] = [];
  let statementCount = 0;
  const slowSearches: { url: string; ms: number; total: number }[] = [];
  const searchTimes = await timeIt(runs, async () => {
    const url = searchUrl();
    const t = performance.now();
    const total = (await get(url)).json().total;
    slowSearches.push({ url, ms: performance.now() - t, total });
    results += total;
    const statements = recorder.take();
    statementCount += statements.length;
    databaseTimes.push(statements.reduce((sum, statement) => sum + statement.ms, 0));
  });
  log(
    `  search (words + 3 facets + bbox, with facet counts) ${runs}×: ${summary(searchTimes)} (target p95 ≤ 50 ms) — ${(results / runs).toFixed(0)} matches on average`,
  );
  log(
    `    of which waiting for the database (${(statementCount / runs).toFixed(1)} statements a search): ${summary(databaseTimes.sort((a, b) => a - b))}`,
  );
  for (const slow of slowSearches.sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(runs / 20))) {
    log(
      `    slowest: ${slow.ms.toFixed(1)} ms, ${slow.total} found — ${decodeURIComponent(slow.url.split('?')[1] ?? '')}`,
    );
  }
  const commonTimes = await timeIt(Math.max(10, runs / 4), async () => {
    await get(searchUrl().replace(/q=[^&]*/, `q=${pick(['learn', 'together', 'friendly', 'skills'])}`));
  });
  recorder.take();
  log(`  search with a very common word instead (in ~half the descriptions): ${summary(commonTimes)}`);
  const sampleSearch = searchUrl();
  await get(sampleSearch);
  const searchStatements = recorder.take();

  // 2. Facet counts: a broad word over the whole city, and the whole city without a filter.
  const broadTimes = await timeIt(Math.max(10, runs / 10), async () => {
    clearAnswerCache();
    await get(`/api/v1/cities/bench/activities?q=${pick(['club', 'course', 'workshop', 'coding', 'music'])}&lang=en`);
  });
  recorder.take();
  log(`  facet counts, one broad word over the whole city (cold): ${summary(broadTimes)}`);
  const wholeTimes = await timeIt(5, async () => {
    clearAnswerCache();
    await get('/api/v1/cities/bench/activities?lang=en');
  });
  const wholeStatements = recorder.take();
  log(`  facet counts, the whole city without any filter (cold): ${summary(wholeTimes)}`);
  const wholeWarm = await timeIt(20, async () => {
    await get('/api/v1/cities/bench/activities?lang=en');
  });
  recorder.take();
  log(`  facet counts, the whole city without any filter (kept for a minute): ${summary(wholeWarm)}`);

  // 3. Map clusters of the whole city at its default zoom.
  const mapUrl = `/api/v1/cities/bench/activities/map?zoom=11&bbox=${bounds.west},${bounds.south},${bounds.east},${bounds.north}&lang=en`;
  for (let i = 0; i < 3; i++) await get(mapUrl);
  recorder.take();
  let features = 0;
  const mapTimes = await timeIt(Math.max(10, runs / 10), async () => {
    clearAnswerCache();
    features = (await get(mapUrl)).json().features.length;
  });
  const mapStatements = recorder.take();
  log(`  map clusters, whole city at zoom 11 (cold): ${summary(mapTimes)} (target ≤ 150 ms) — ${features} features`);
  // The kept cells must count what a live count finds.
  const [onMap] = await base.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM activities WHERE city_id = $1 AND status = 'published'
        AND location IS NOT NULL AND (last_end_at IS NULL OR last_end_at > now())`,
    [city.id],
  );
  const mapTotal = (await get(mapUrl)).json().total;
  log(
    `  map total from the cells ${mapTotal.toLocaleString('en')}, live count ${(onMap?.count ?? 0).toLocaleString('en')}: ${mapTotal === onMap?.count ? 'equal' : 'DIFFERENT'}`,
  );
  const mapWarm = await timeIt(Math.max(10, runs / 10), async () => {
    await get(mapUrl);
  });
  recorder.take();
  log(
    `  map clusters, whole city at zoom 11, again (unfiltered maps are read from the cells every time): ${summary(mapWarm)}`,
  );
  const deepTimes = await timeIt(Math.max(10, runs / 10), async () => {
    clearAnswerCache();
    await get(mapUrl.replace('zoom=11', 'zoom=13'));
  });
  recorder.take();
  log(`  map clusters, whole city at zoom 13 (a large screen's view; cold): ${summary(deepTimes)}`);
  const mapFiltered = `${mapUrl}&q=club&format=in_person`;
  const mapFilteredTimes = await timeIt(Math.max(10, runs / 10), async () => {
    clearAnswerCache();
    await get(mapFiltered);
  });
  recorder.take();
  log(`  map clusters, whole city, "club" + in person (cold): ${summary(mapFilteredTimes)}`);
  const zoomedTimes = await timeIt(Math.max(10, runs / 10), async () => {
    const c = pick(centreRows);
    await get(
      `/api/v1/cities/bench/activities/map?zoom=14&bbox=${c.lon - 0.03},${c.lat - 0.015},${c.lon + 0.03},${c.lat + 0.015}&lang=en`,
    );
  });
  recorder.take();
  log(`  map clusters, one neighbourhood at zoom 14: ${summary(zoomedTimes)}`);

  // 4. The public activity page (server time).
  const slugs = (
    await base.query<{ slug: string }>(
      `SELECT slug FROM activities WHERE city_id = $1 AND schedule_kind = 'recurring' ORDER BY random() LIMIT 200`,
      [city.id],
    )
  ).map((row) => row.slug);
  const pageUrl = (slug: string) => `/c/bench/activities/${slug}`;
  let pageStatus = 200;
  const probe = await app.inject({ url: pageUrl(slugs[0] as string) });
  pageStatus = probe.statusCode;
  if (pageStatus === 200) {
    for (const slug of slugs.slice(0, 20)) await get(pageUrl(slug));
    recorder.take();
    const pageTimes = await timeIt(Math.min(runs, slugs.length), async (i) => {
      await get(pageUrl(slugs[i % slugs.length] as string));
    });
    log(`  activity page (app.inject) ${Math.min(runs, slugs.length)}×: ${summary(pageTimes)} (target ≤ 20 ms)`);
  } else {
    log(`  activity page: ${pageUrl(slugs[0] as string)} answered ${pageStatus}; skipped`);
  }
  const pageStatements = recorder.take();

  // 5. Recent sorted page of the whole city (keyset; the date index).
  const dateTimes = await timeIt(20, async () => {
    clearAnswerCache();
    await get('/api/v1/cities/bench/activities?facets=false&sort=date&lang=en');
  });
  recorder.take();
  log(`  first page by date, whole city, no facets (cold count): ${summary(dateTimes)}`);
  await app.close();

  if (process.env.BENCH_EXPLAIN !== '0') {
    const slowest = (statements: { text: string; params: unknown[]; ms: number }[], n: number) =>
      [...statements].sort((a, b) => b.ms - a.ms).slice(0, n);
    for (const [index, statement] of slowest(searchStatements, 3).entries())
      await explain(base, `search statement ${index + 1} (${statement.ms.toFixed(1)} ms) ${sampleSearch}`, statement);
    for (const statement of slowest(mapStatements, 1))
      await explain(base, `map clusters, whole city (${statement.ms.toFixed(1)} ms)`, statement);
    for (const statement of slowest(wholeStatements.slice(-6), 1))
      await explain(base, `whole-city facet counts (${statement.ms.toFixed(1)} ms)`, statement);
    for (const statement of slowest(pageStatements.slice(-15), 2))
      await explain(base, `activity page statement (${statement.ms.toFixed(1)} ms)`, statement);
  }
  void centre;
}

console.log(`Learnscape catalogue benchmark: ${os.cpus().length} cores, Node ${process.version}`);
if (engines.includes('pglite')) {
  const pglite = await openDatabase({});
  try {
    await benchEngine(
      'pglite',
      pglite,
      Number(process.env.BENCH_PGLITE_ACTIVITIES ?? process.env.BENCH_ACTIVITIES ?? 100_000),
    );
  } finally {
    await pglite.close();
  }
}
if (engines.includes('postgres')) {
  // BENCH_DATABASE names a database kept by an earlier run (BENCH_KEEP=1) to measure again without generating.
  const reuse = process.env.BENCH_DATABASE;
  const name = reuse ?? `ls_bench_catalogue_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  if (!reuse) await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const postgres = await openDatabase({ databaseUrl: url.toString(), poolMax: 8 });
    try {
      await benchEngine('postgres', postgres, Number(process.env.BENCH_ACTIVITIES ?? 1_000_000));
    } finally {
      await postgres.close();
    }
  } finally {
    if (process.env.BENCH_KEEP || reuse) console.log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
