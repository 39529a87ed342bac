/**
 * Skills spine benchmark: an ESCO-sized import and skill-picker typeahead latency, on PGlite and PostgreSQL.
 *
 * Generates a synthetic ESCO export in the official CSV layout (≈14k skills, 640 skill groups, ≈3k occupations,
 * ≈125k occupation–skill relations, ≈20k broader relations; labels with alternative labels), imports it with the same
 * code as `learnscape import esco`, then times the typeahead search route (`GET /api/v1/cities/:city/skills?q=…`)
 * through the whole app with the full set loaded.
 *
 *   npm run bench:skills
 *   BENCH_QUERIES=1000 npm run bench:skills
 *   BENCH_ESCO_DIR=../shared/data/frameworks/esco/v1.1.1 npm run bench:skills   # the real export instead
 *
 * Targets (this machine, 2 cores): import < 60 s; typeahead p95 < 30 ms on PostgreSQL and < 60 ms on PGlite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { type Database, openDatabase } from '../src/server/db/client.ts';
import { migrate } from '../src/server/db/migrate.ts';
import { createCity } from '../src/server/modules/cities/cities.service.ts';
import { ensureBundledFrameworks } from '../src/server/modules/skills/bundled-frameworks.ts';
import { importEsco } from '../src/server/modules/skills/esco-import.ts';
import { setCityFrameworks } from '../src/server/modules/skills/skills.service.ts';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const queryCount = Number(process.env.BENCH_QUERIES ?? 500);
const sizes = { skills: 13_896, groups: 640, occupations: 3_007, occupationSkills: 125_000, skillSkills: 5_900 };

// ── A deterministic synthetic ESCO export ───────────────────────────────────────────────────────────────────────

let seed = 42;
/** mulberry32: a small deterministic PRNG, so every run generates the same export. */
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;

const syllables = 'ka lo mi ter san dra pel vo nu ri sta gen ple cor tra mon fil dis pro man ver ang lex bio'.split(
  ' ',
);
const words = Array.from(
  new Set(Array.from({ length: 4000 }, () => pick(syllables) + pick(syllables) + pick(syllables))),
);
const phrase = (min: number, max: number) =>
  Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick(words)).join(' ');
const uuid = () => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(random() * 16).toString(16));
const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const csvLine = (fields: string[]) => `${fields.map(csvField).join(',')}\n`;

function writeCsv(file: string, header: string[], rows: Iterable<string[]>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, csvLine(header));
  let buffer = '';
  for (const row of rows) {
    buffer += csvLine(row);
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = '';
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
}

function generateEsco(dir: string): void {
  const scheme = 'http://data.europa.eu/esco/concept-scheme/skills';
  const groups = Array.from({ length: sizes.groups }, () => `http://data.europa.eu/esco/skill/${uuid()}`);
  const skills = Array.from({ length: sizes.skills }, () => `http://data.europa.eu/esco/skill/${uuid()}`);
  const occupations = Array.from(
    { length: sizes.occupations },
    () => `http://data.europa.eu/esco/occupation/${uuid()}`,
  );
  const classification = path.join(dir, 'classification-en');
  const relations = path.join(dir, 'relations');

  writeCsv(
    path.join(classification, 'skills_en.csv'),
    'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description'.split(
      ',',
    ),
    skills.map((uri) => {
      const label = phrase(2, 4);
      const alts = Array.from({ length: 3 + Math.floor(random() * 6) }, () => phrase(2, 4));
      return [
        'KnowledgeSkillCompetence',
        uri,
        random() < 0.78 ? 'skill/competence' : 'knowledge',
        pick(['sector-specific', 'cross-sector', 'occupation-specific', 'transversal']),
        label,
        alts.join('\n'),
        random() < 0.1 ? phrase(1, 2) : '',
        'released',
        '2016-12-20T17:43:43Z',
        '',
        '',
        scheme,
        `${phrase(8, 20)}.`,
      ];
    }),
  );
  writeCsv(
    path.join(classification, 'skillGroups_en.csv'),
    'conceptType,conceptUri,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,inScheme,description,code'.split(
      ',',
    ),
    groups.map((uri, i) => [
      'SkillGroup',
      uri,
      phrase(2, 4),
      '',
      '',
      'released',
      '',
      '',
      scheme,
      phrase(8, 16),
      `S${i}`,
    ]),
  );
  writeCsv(
    path.join(classification, 'occupations_en.csv'),
    'conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code'.split(
      ',',
    ),
    occupations.map((uri, i) => [
      'Occupation',
      uri,
      String(1000 + (i % 400)),
      phrase(1, 3),
      Array.from({ length: 5 }, () => phrase(1, 3)).join('\n'),
      '',
      'released',
      '2016-07-05T13:58:41Z',
      '',
      '',
      '',
      'http://data.europa.eu/esco/concept-scheme/occupations',
      phrase(10, 25),
      `${1000 + (i % 400)}.${i}`,
    ]),
  );
  // A four-level group tree (top 8 groups), each skill under one or two groups: ≈20k broader relations.
  function* broader() {
    for (let i = 8; i < groups.length; i++)
      yield ['SkillGroup', groups[i] as string, 'SkillGroup', groups[Math.floor(i / 8)] as string];
    for (const uri of skills) {
      yield ['KnowledgeSkillCompetence', uri, 'SkillGroup', pick(groups)];
      if (random() < 0.42) yield ['KnowledgeSkillCompetence', uri, 'SkillGroup', pick(groups)];
    }
  }
  writeCsv(
    path.join(relations, 'broaderRelationsSkillPillar.csv'),
    ['conceptType', 'conceptUri', 'broaderType', 'broaderUri'],
    broader(),
  );
  function* occupationSkills() {
    const seen = new Set<string>();
    while (seen.size < sizes.occupationSkills) {
      const occupation = pick(occupations);
      const skill = pick(skills);
      const key = `${occupation} ${skill}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield [occupation, random() < 0.5 ? 'essential' : 'optional', 'skill/competence', skill];
    }
  }
  writeCsv(
    path.join(relations, 'occupationSkillRelations.csv'),
    ['occupationUri', 'relationType', 'skillType', 'skillUri'],
    occupationSkills(),
  );
  writeCsv(
    path.join(relations, 'skillSkillRelations.csv'),
    ['originalSkillUri', 'originalSkillType', 'relationType', 'relatedSkillType', 'relatedSkillUri'],
    Array.from({ length: sizes.skillSkills }, () => [pick(skills), 'knowledge', 'optional', 'knowledge', pick(skills)]),
  );
}

// ── Measurements ────────────────────────────────────────────────────────────────────────────────────────────────

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Typeahead queries as people type them: 2–6 letters of a word, sometimes a second word. */
function typeaheadQueries(count: number): string[] {
  return Array.from({ length: count }, () => {
    const first = pick(words).slice(0, 2 + Math.floor(random() * 5));
    return random() < 0.3 ? `${pick(words)} ${first}` : first;
  });
}

async function benchEngine(engine: 'pglite' | 'postgres', escoDir: string, db: Database) {
  await migrate(db);
  await ensureBundledFrameworks(db);
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const summary = await importEsco(db, escoDir);
  const importSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = process.memoryUsage();

  const reimportStarted = performance.now();
  const again = await importEsco(db, escoDir);
  const reimportSeconds = (performance.now() - reimportStarted) / 1000;

  const city = await createCity(db, {
    slug: 'bench',
    name: { en: 'Bench' },
    languages: ['en'],
    timeZone: 'Europe/London',
    bounds: { west: -1, south: 50, east: 0, north: 51 },
  });
  await setCityFrameworks(db, city.id, ['esco', 'digcomp', 'entrecomp', 'lifecomp', 'greencomp'], null);
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), db, logger: false });
  await app.ready();
  const queries = typeaheadQueries(queryCount);
  for (const q of queries.slice(0, 30))
    await app.inject(`/api/v1/cities/bench/skills?q=${encodeURIComponent(q)}&lang=en`);
  const times: number[] = [];
  let results = 0;
  for (const q of queries) {
    const t = performance.now();
    const response = await app.inject(`/api/v1/cities/bench/skills?q=${encodeURIComponent(q)}&lang=en&limit=10`);
    times.push(performance.now() - t);
    if (response.statusCode !== 200) throw new Error(`search failed: ${response.statusCode} ${response.body}`);
    results += (response.json() as { items: unknown[] }).items.length;
  }
  await app.close();
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  const target = engine === 'postgres' ? 30 : 60;
  console.log(
    [
      `${engine}:`,
      `  import     ${importSeconds.toFixed(1)} s (target < 60 s) — ${summary.skills.created} skills, ${summary.skillGroups.created} groups, ${summary.occupations.created} occupations, ${summary.labels} labels, ${summary.broaderRelations} broader, ${summary.occupationSkillRelations} occupation–skill, ${summary.skillSkillRelations} skill–skill`,
      `  memory     RSS +${mb(peakRss - before.rss)} during the import (peak ${mb(peakRss)}, the process incl. any PGlite WASM heap); JS heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}`,
      `  re-import  ${reimportSeconds.toFixed(1)} s (${again.skills.updated} updated, ${again.skills.created} new)`,
      `  typeahead  ${queryCount} queries through the HTTP route: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${(times.at(-1) ?? 0).toFixed(1)} ms (target p95 < ${target} ms) — ${(results / queryCount).toFixed(1)} results per query`,
      `  verdict    import ${importSeconds < 60 ? 'OK' : 'SLOW'}, typeahead ${p95 < target ? 'OK' : 'SLOW'}`,
    ].join('\n'),
  );
}

const escoDir = process.env.BENCH_ESCO_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-esco-'));
if (!process.env.BENCH_ESCO_DIR) {
  const t = performance.now();
  generateEsco(escoDir);
  const bytes = fs
    .readdirSync(escoDir, { recursive: true })
    .map((file) => path.join(escoDir, String(file)))
    .filter((file) => fs.statSync(file).isFile())
    .reduce((sum, file) => sum + fs.statSync(file).size, 0);
  console.log(
    `Synthetic ESCO export in the official layout: ${Math.round(bytes / 1024 / 1024)} MB in ${escoDir} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
}
console.log(`Learnscape skills benchmark: ${os.cpus().length} cores, Node ${process.version}`);

const pglite = await openDatabase({});
try {
  await benchEngine('pglite', escoDir, pglite);
} finally {
  await pglite.close();
}

const database = `ls_bench_skills_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const postgres = await openDatabase({ databaseUrl: url.toString(), poolMax: 4 });
  try {
    await benchEngine('postgres', escoDir, postgres);
  } finally {
    await postgres.close();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  if (!process.env.BENCH_ESCO_DIR) fs.rmSync(escoDir, { recursive: true, force: true });
}
