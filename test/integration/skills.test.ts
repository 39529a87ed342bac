import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { AppError } from '../../src/server/errors.ts';
import { ensureBundledFrameworks } from '../../src/server/modules/skills/bundled-frameworks.ts';
import { findCycle, importEsco } from '../../src/server/modules/skills/esco-import.ts';
import {
  findCrosswalkCycle,
  registerSkillEarnerCounter,
  skillAlignment,
  suppressSmallCount,
  toPrefixQuery,
} from '../../src/server/modules/skills/skills.service.ts';
import { signIn } from '../helpers/auth.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

const fixture = path.resolve('test/fixtures/esco/v1.1.1-sample');
const SHOW_INITIATIVE = 'http://data.europa.eu/esco/skill/001115fb-569f-4ee6-8381-c6807ef2527f';
const MANAGE_WASTE = 'http://data.europa.eu/esco/skill/73a9561d-112c-4d8a-9d5f-b2c11c5bbd5f';
const COMPLIANCE = 'http://data.europa.eu/esco/skill/089ee650-297e-4716-87d1-440743b70a0d';

/** A copy of the fixture that a test may break. */
function fixtureCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-esco-'));
  fs.cpSync(fixture, dir, { recursive: true });
  return dir;
}

describe(`skills spine on ${testEngine}`, () => {
  let t: TestApp;
  let vilnius: { id: string; slug: string };
  let torino: { id: string; slug: string };
  let curatorVilnius: { headers: Record<string, string> };
  let curatorTorino: { headers: Record<string, string> };

  const skillId = async (framework: string, code: string): Promise<string> => {
    const [row] = await t.db.query<{ id: string }>(
      `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
       WHERE f.slug = $1 AND f.city_id IS NULL AND s.code = $2`,
      [framework, code],
    );
    if (!row) throw new Error(`no skill ${framework} ${code}`);
    return row.id;
  };
  const localId = async (cityId: string, code: string): Promise<string> => {
    const [row] = await t.db.query<{ id: string }>('SELECT id FROM skills WHERE city_id = $1 AND code = $2', [
      cityId,
      code,
    ]);
    if (!row) throw new Error(`no local skill ${code}`);
    return row.id;
  };
  const search = async (city: string, q: string, lang = 'en') =>
    (await t.app.inject(`/api/v1/cities/${city}/skills?q=${encodeURIComponent(q)}&lang=${lang}`)).json().items as {
      id: string;
      label: string;
      labelLanguage: string;
      code: string;
      matched: string | null;
      via: { label: string; relation: string } | null;
      framework: { slug: string; shortTitle: string };
    }[];

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
    const cities = await t.db.query<{ id: string; slug: string }>('SELECT id, slug FROM cities');
    vilnius = cities.find((c) => c.slug === 'vilnius') as { id: string; slug: string };
    torino = cities.find((c) => c.slug === 'torino') as { id: string; slug: string };
    curatorVilnius = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' });
    curatorTorino = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'torino' });
  });
  afterAll(() => t?.close());

  describe('bundled frameworks', () => {
    it('loads DigComp, EntreComp, LifeComp and GreenComp with areas, competences, levels and attribution', async () => {
      const response = await t.app.inject('/api/v1/skill-frameworks');
      expect(response.statusCode).toBe(200);
      const bySlug = Object.fromEntries(
        (response.json().items as { slug: string; skillCount: number; levels: unknown[]; attribution: string }[]).map(
          (f) => [f.slug, f],
        ),
      );
      expect(bySlug.digcomp).toMatchObject({ skillCount: 5 + 21 });
      expect(bySlug.digcomp?.levels).toHaveLength(8);
      expect(bySlug.entrecomp).toMatchObject({ skillCount: 3 + 15 });
      expect(bySlug.lifecomp).toMatchObject({ skillCount: 3 + 9, levels: [] });
      expect(bySlug.greencomp).toMatchObject({ skillCount: 4 + 12, levels: [] });
      expect(bySlug.digcomp?.attribution).toContain('© European Union');
      expect(bySlug.esco?.attribution).toBe('This service uses the ESCO classification of the European Commission.');
    });

    it('reloads only when a data file changed, and browses a framework tree', async () => {
      expect(await ensureBundledFrameworks(t.db)).toEqual([]);
      const top = (await t.app.inject('/api/v1/skill-frameworks/digcomp/skills')).json();
      expect(top.total).toBe(5);
      expect(top.items[0]).toMatchObject({ code: '1', kind: 'area', childCount: 3 });
      const children = (await t.app.inject(`/api/v1/skill-frameworks/digcomp/skills?parent=${top.items[0].id}`)).json();
      expect(children.items.map((s: { code: string }) => s.code)).toEqual(['1.1', '1.2', '1.3']);
      const missing = await t.app.inject('/api/v1/skill-frameworks/nope');
      expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'SKILL_FRAMEWORK_NOT_FOUND']);
    });
  });

  describe('ESCO import', () => {
    it('imports the sample (skills, groups, occupations, relations) and re-imports without duplicates', async () => {
      const count = async () =>
        (
          await t.db.query<{ skills: number; labels: number; occupations: number; links: number }>(
            `SELECT (SELECT count(*)::int FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id WHERE f.slug = 'esco') AS skills,
               (SELECT count(*)::int FROM skill_labels l JOIN skill_frameworks f ON f.id = l.framework_id WHERE f.slug = 'esco') AS labels,
               (SELECT count(*)::int FROM occupations) AS occupations,
               (SELECT count(*)::int FROM occupation_skills) AS links`,
          )
        )[0];
      const before = await count();
      expect(before).toEqual({ skills: 77 + 93, labels: 834, occupations: 12, links: 113 });
      const again = await importEsco(t.db, fixture);
      expect(again.skills).toEqual({ created: 0, updated: 77 });
      expect(again.skillGroups).toEqual({ created: 0, updated: 93 });
      expect(again.occupations).toEqual({ created: 0, updated: 12 });
      expect(again.version).toBe('1.1.1');
      expect(again.ignoredFiles).toEqual(['classification-en/skillsHierarchy_en.csv']);
      expect(await count()).toEqual(before);
    });

    it('keeps ESCO URIs as identifiers and links skills to groups, occupations and related skills', async () => {
      const id = await skillId('esco', COMPLIANCE);
      const detail = (await t.app.inject(`/api/v1/cities/torino/skills/${id}?lang=en`)).json();
      expect(detail).toMatchObject({
        label: 'ensure compliance with environmental legislation',
        code: COMPLIANCE,
        kind: 'skill',
      });
      expect(detail.related.length).toBe(2);
      expect(detail.ancestors.length).toBeGreaterThan(0);
      expect(detail.occupations.length).toBeGreaterThan(0);
      expect(detail.alternativeLabels.length).toBeGreaterThan(0);
      expect(detail.alignment).toEqual({
        type: ['Alignment'],
        targetName: 'ensure compliance with environmental legislation',
        targetUrl: COMPLIANCE,
        targetDescription: expect.any(String),
        targetCode: COMPLIANCE,
        targetFramework: 'ESCO 1.1.1',
        targetType: 'ceasn:Competency',
      });
    });

    it('a partial file set changes only the concepts and relations it contains', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-esco-part-'));
      const lines = fs.readFileSync(path.join(fixture, 'classification-en/skills_en.csv'), 'utf8');
      const header = lines.slice(0, lines.indexOf('\n') + 1);
      fs.writeFileSync(
        path.join(dir, 'skills_en.csv'),
        `${header}KnowledgeSkillCompetence,${SHOW_INITIATIVE},skill/competence,transversal,show initiative,take the initiative,,released,,,,,Be proactive.\n`,
      );
      const countLinks = async () =>
        (
          await t.db.query<{ labels: number; broader: number; occupations: number }>(
            `SELECT (SELECT count(*)::int FROM skill_labels l JOIN skill_frameworks f ON f.id = l.framework_id WHERE f.slug = 'esco') AS labels,
               (SELECT count(*)::int FROM skill_broader) AS broader, (SELECT count(*)::int FROM occupation_skills) AS occupations`,
          )
        )[0];
      const before = await countLinks();
      const summary = await importEsco(t.db, dir);
      expect(summary.skills).toEqual({ created: 0, updated: 1 });
      const after = await countLinks();
      expect(after?.broader).toBe(before?.broader);
      expect(after?.occupations).toBe(before?.occupations);
      // Only the one concept's labels changed (it lost some alternative labels).
      expect(after?.labels).toBeLessThan(before?.labels ?? 0);
      expect(after?.labels).toBeGreaterThan((before?.labels ?? 0) - 20);
      expect((await search('torino', 'manage waste'))[0]?.label).toBe('manage waste');
      await importEsco(t.db, fixture);
      expect(await countLinks()).toEqual(before);
    });

    it('adds a second language from skills_<lang>.csv and searches it with English fallback', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-esco-it-'));
      fs.writeFileSync(
        path.join(dir, 'skills_it.csv'),
        'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description\n' +
          `KnowledgeSkillCompetence,${MANAGE_WASTE},skill/competence,cross-sector,gestire i rifiuti,"smaltire i rifiuti\nraccolta differenziata",,released,,,,,Gestire i rifiuti in modo sicuro.\n`,
      );
      const summary = await importEsco(t.db, dir);
      expect(summary.languages).toEqual(['it']);
      const italian = await search('torino', 'raccolta', 'it');
      expect(italian[0]).toMatchObject({
        label: 'gestire i rifiuti',
        labelLanguage: 'it',
        matched: 'raccolta differenziata',
      });
      // English labels stay; other skills fall back to English for an Italian reader.
      expect((await search('torino', 'manage waste', 'en'))[0]).toMatchObject({ label: 'manage waste' });
      expect((await search('torino', 'show init', 'it'))[0]).toMatchObject({
        label: 'show initiative',
        labelLanguage: 'en',
      });
    });

    const breakers: [string, (dir: string) => void, RegExp][] = [
      [
        'a missing column',
        (dir) => {
          const file = path.join(dir, 'classification-en/skills_en.csv');
          fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('preferredLabel', 'prefLabel'));
        },
        /skills_en\.csv.*line 1.*missing column preferredLabel/,
      ],
      [
        'a wrong encoding',
        (dir) => {
          const file = path.join(dir, 'classification-en/occupations_en.csv');
          fs.appendFileSync(
            file,
            Buffer.from('Occupation,http://data.europa.eu/esco/occupation/x,1,caf\xe9,,,,,,,,,,1\n', 'latin1'),
          );
        },
        /occupations_en\.csv.*not valid UTF-8/,
      ],
      [
        'an unterminated quote',
        (dir) => {
          fs.appendFileSync(
            path.join(dir, 'relations/skillSkillRelations.csv'),
            `${SHOW_INITIATIVE},skill/competence,"optional,skill/competence,${MANAGE_WASTE}\n`,
          );
        },
        /skillSkillRelations\.csv.*never closed/,
      ],
      [
        'a row with too few fields',
        (dir) => {
          fs.appendFileSync(path.join(dir, 'relations/occupationSkillRelations.csv'), 'http://x.test/a,essential\n');
        },
        /occupationSkillRelations\.csv.*has 2 fields but the header has 4/,
      ],
      [
        'a cyclic hierarchy',
        (dir) => {
          const file = path.join(dir, 'relations/broaderRelationsSkillPillar.csv');
          const first = fs.readFileSync(file, 'utf8').split('\n')[1]?.split(',') as string[];
          fs.appendFileSync(file, `SkillGroup,${first[3]},SkillGroup,${first[1]}\n`);
        },
        /broaderRelationsSkillPillar\.csv.*cycle/,
      ],
    ];

    it.each(breakers)('rejects %s with file and line, and imports nothing', async (_name, breakIt, message) => {
      const dir = fixtureCopy();
      breakIt(dir);
      const [before] = await t.db.query<{ n: number; updated: string }>(
        'SELECT count(*)::int AS n, max(updated_at)::text AS updated FROM skills',
      );
      const error = await importEsco(t.db, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('ESCO_IMPORT_INVALID');
      const details = (error as AppError).details;
      expect(details[0]).toMatchObject({ file: expect.any(String), line: expect.any(Number) });
      expect(`${details[0]?.file}: line ${details[0]?.line}: ${details[0]?.problem}`).toMatch(message);
      const [after] = await t.db.query<{ n: number; updated: string }>(
        'SELECT count(*)::int AS n, max(updated_at)::text AS updated FROM skills',
      );
      expect(after).toEqual(before);
    });

    it('finds cycles in broader relations', () => {
      expect(
        findCycle([
          { uri: 'a', broaderUri: 'b' },
          { uri: 'b', broaderUri: 'c' },
        ]),
      ).toBeUndefined();
      expect(
        findCycle([
          { uri: 'a', broaderUri: 'b' },
          { uri: 'b', broaderUri: 'c' },
          { uri: 'c', broaderUri: 'a' },
        ]),
      ).toEqual({ path: ['a', 'b', 'c', 'a'], edgeIndex: 2 });
    });
  });

  describe('search', () => {
    it('builds prefix queries from what people type', () => {
      expect(toPrefixQuery('  Data  anal ')).toEqual({ tsQuery: 'data:* & anal:*', lowered: 'data anal' });
      expect(toPrefixQuery("C++ & ' :*")).toEqual({ tsQuery: 'c:*', lowered: "c++ & ' :*" });
      expect(toPrefixQuery(' -- ')).toBeUndefined();
    });

    it('matches preferred and alternative labels by word prefix, best matches first', async () => {
      const results = await search('vilnius', 'collab');
      expect(results[0]).toMatchObject({ code: '2.4', framework: { slug: 'digcomp' } });
      const alternative = await search('vilnius', 'rapport');
      expect(alternative[0]).toMatchObject({
        code: 'youth-work.relationships',
        label: 'Building relationships with young people',
        matched: 'rapport with young people',
      });
    });

    it("uses the reader's language with English and the city's language as fallback", async () => {
      const lithuanian = await search('vilnius', 'skaitmen', 'lt');
      expect(lithuanian[0]).toMatchObject({ label: 'Skaitmeninis darbas su jaunimu', labelLanguage: 'lt' });
      // DigComp has English labels only: a Lithuanian reader still finds it, labelled in English.
      const fallback = await search('vilnius', 'netiquette', 'lt');
      expect(fallback[0]).toMatchObject({ label: 'Netiquette', labelLanguage: 'en' });
    });

    it('finds skills linked by crosswalks to a match', async () => {
      const results = await search('vilnius', 'management');
      const planning = results.find((r) => r.code === 'youth-work.planning');
      expect(planning?.via).toEqual({
        skillId: await skillId('entrecomp', '3.2'),
        label: 'Planning and management',
        relation: 'narrower',
      });
    });

    it("searches only the city's chosen frameworks and its own local skills", async () => {
      expect((await search('vilnius', 'manage waste')).length).toBe(0);
      expect((await search('torino', 'youth')).length).toBe(0);
      expect((await search('torino', 'manage waste'))[0]?.framework.slug).toBe('esco');
      const filtered = await t.app.inject('/api/v1/cities/vilnius/skills?q=digital&framework=local');
      expect(filtered.json().items.every((s: { framework: { slug: string } }) => s.framework.slug === 'local')).toBe(
        true,
      );
    });

    it('validates the query', async () => {
      const empty = await t.app.inject('/api/v1/cities/vilnius/skills?q=');
      expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const nowhere = await t.app.inject('/api/v1/cities/atlantis/skills?q=a');
      expect([nowhere.statusCode, nowhere.json().error.code]).toEqual([404, 'CITY_NOT_FOUND']);
    });
  });

  describe('skills, alignment and earners', () => {
    it('gives a local skill with its hierarchy, crosswalks and suppressed earner count', async () => {
      const id = await localId(vilnius.id, 'youth-work.initiative');
      const detail = (await t.app.inject(`/api/v1/cities/vilnius/skills/${id}?lang=en`)).json();
      expect(detail).toMatchObject({
        label: 'Encouraging youth initiatives',
        labels: { lt: 'Jaunimo iniciatyvų skatinimas' },
        framework: { slug: 'local', shortTitle: 'Vilnius local skills' },
        earners: { count: null, suppressed: true, threshold: 5 },
        pageUrl: `http://learnscape.test/c/vilnius/skills/${id}`,
      });
      expect(detail.ancestors.map((a: { code: string }) => a.code)).toEqual(['youth-work']);
      expect(detail.crosswalks).toEqual([
        expect.objectContaining({
          relation: 'exact',
          skill: expect.objectContaining({ code: '3.1', label: 'Taking the initiative' }),
        }),
      ]);
      expect(detail.alignment).toEqual({
        type: ['Alignment'],
        targetName: 'Encouraging youth initiatives',
        targetUrl: `http://learnscape.test/c/vilnius/skills/${id}`,
        targetDescription: 'Help young people carry out their own ideas and initiatives.',
        targetCode: 'youth-work.initiative',
        targetFramework: 'Vilnius local skills',
        targetType: 'ceasn:Competency',
      });
    });

    it('aligns framework competences to <framework url>#<id> through the service later capabilities call', async () => {
      const alignment = await skillAlignment(t.db, vilnius, await skillId('digcomp', '1.1'), {
        publicUrl: 'http://learnscape.test',
        language: 'en',
      });
      expect(alignment).toMatchObject({
        targetName: 'Browsing, searching and filtering data, information and digital content',
        targetUrl: 'https://publications.jrc.ec.europa.eu/repository/handle/JRC128415#1.1',
        targetCode: '1.1',
        targetFramework: 'DigComp 2.2',
      });
      await expect(
        skillAlignment(t.db, vilnius, await skillId('greencomp', '1.1'), { publicUrl: '', language: 'en' }),
      ).rejects.toMatchObject({ code: 'SKILL_NOT_FOUND' });
      const route = await t.app.inject(`/api/v1/cities/vilnius/skills/${await skillId('digcomp', '1.1')}/alignment`);
      expect(route.json()).toMatchObject({ targetCode: '1.1', type: ['Alignment'] });
    });

    it('suppresses earner counts under the threshold and shows them from it', async () => {
      expect(suppressSmallCount(0)).toEqual({ count: null, suppressed: true, threshold: 5 });
      expect(suppressSmallCount(4)).toEqual({ count: null, suppressed: true, threshold: 5 });
      expect(suppressSmallCount(5)).toEqual({ count: 5, suppressed: false, threshold: 5 });
      const target = await skillId('lifecomp', 'P1');
      registerSkillEarnerCounter(async (_db, _cityId, id) => (id === target ? 7 : 0));
      const plymouth = (await t.app.inject(`/api/v1/cities/plymouth/skills/${target}`)).json();
      expect(plymouth.earners).toEqual({ count: 7, suppressed: false, threshold: 5 });
    });

    it('serves network-level framework skills without a city', async () => {
      const response = await t.app.inject(`/api/v1/skills/${await skillId('entrecomp', '3.2')}`);
      expect(response.json()).toMatchObject({ label: 'Planning and management', crosswalks: [], pageUrl: null });
      const local = await t.app.inject(`/api/v1/skills/${await localId(vilnius.id, 'youth-work')}`);
      expect(local.statusCode).toBe(404);
    });
  });

  describe('curators', () => {
    it('choose the city frameworks; unknown frameworks are refused', async () => {
      const unauthenticated = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/cities/plymouth/skill-frameworks',
        payload: { frameworks: ['digcomp'] },
      });
      expect(unauthenticated.statusCode).toBe(401);
      const plymouthCurator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' });
      const bad = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/cities/plymouth/skill-frameworks',
        headers: plymouthCurator.headers,
        payload: { frameworks: ['digcomp', 'nope'] },
      });
      expect([bad.statusCode, bad.json().error.details[0].field]).toEqual([400, '/frameworks/1']);
      const ok = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/cities/plymouth/skill-frameworks',
        headers: plymouthCurator.headers,
        payload: { frameworks: ['lifecomp', 'greencomp', 'digcomp', 'entrecomp'] },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().frameworks.map((f: { slug: string }) => f.slug)).toEqual([
        'lifecomp',
        'greencomp',
        'digcomp',
        'entrecomp',
      ]);
      expect((await search('plymouth', 'valuing sustain'))[0]?.framework.slug).toBe('greencomp');
    });

    it('a network admin shares one city’s framework choice with others', async () => {
      const admin = await signIn(t.app, t.db, { role: 'network_admin' });
      const denied = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cities/vilnius/skill-frameworks/share',
        headers: curatorVilnius.headers,
        payload: { cities: ['plymouth'] },
      });
      expect(denied.statusCode).toBe(403);
      const shared = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cities/vilnius/skill-frameworks/share',
        headers: admin.headers,
        payload: { cities: ['plymouth'] },
      });
      expect(shared.json()).toEqual({ updated: 1 });
      const spine = (await t.app.inject('/api/v1/cities/plymouth/skill-frameworks')).json();
      expect(spine.frameworks.map((f: { slug: string }) => f.slug)).toEqual(['digcomp', 'entrecomp']);
    });

    it('create, nest, rename and delete local skills; cycles and bad input change nothing', async () => {
      const post = (payload: object) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cities/torino/local-skills',
          headers: curatorTorino.headers,
          payload,
        });
      const parent = await post({
        label: { it: 'Educazione ambientale', en: 'Environmental education' },
        description: { it: 'Educare alla sostenibilità nei quartieri.' },
      });
      expect(parent.statusCode).toBe(201);
      expect(parent.json()).toMatchObject({
        code: 'educazione-ambientale',
        label: 'Educazione ambientale',
        kind: 'local',
      });
      const [entry] = await t.db.query<{ action: string; actor_label: string }>(
        'SELECT action, actor_label FROM audit_log WHERE city_id = $1 AND target_id = $2',
        [torino.id, parent.json().id],
      );
      expect(entry).toMatchObject({ action: 'skills.local.create', actor_label: expect.stringMatching(/^user:/) });
      const child = await post({
        label: { it: 'Laboratori di riciclo' },
        parentId: parent.json().id,
        alternativeLabels: { it: ['laboratori del riuso'] },
      });
      expect(child.json()).toMatchObject({
        parentId: parent.json().id,
        ancestors: [{ code: 'educazione-ambientale' }],
      });
      expect((await search('torino', 'riuso', 'it'))[0]).toMatchObject({ label: 'Laboratori di riciclo' });

      const taken = await post({ label: { it: 'Educazione ambientale' } });
      expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'SKILL_CODE_TAKEN']);
      const invalid = await post({ label: { xx: 'Nope' } });
      expect(invalid.statusCode).toBe(400);
      const noName = await post({ label: { it: '   ' } });
      expect(noName.json().error.details[0].field).toBe('/label');

      const patch = (id: string, payload: object) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/cities/torino/local-skills/${id}`,
          headers: curatorTorino.headers,
          payload,
        });
      const cycle = await patch(parent.json().id, { parentId: child.json().id });
      expect([cycle.statusCode, cycle.json().error.code]).toEqual([409, 'SKILL_HIERARCHY_CYCLE']);
      const renamed = await patch(child.json().id, {
        label: { it: 'Laboratori del riciclo', en: 'Recycling workshops' },
      });
      expect(renamed.json()).toMatchObject({
        label: 'Laboratori del riciclo',
        alternativeLabels: [{ label: 'laboratori del riuso' }],
      });
      expect((await search('torino', 'recycling work', 'en'))[0]).toMatchObject({ label: 'Recycling workshops' });

      const del = (id: string) =>
        t.app.inject({
          method: 'DELETE',
          url: `/api/v1/cities/torino/local-skills/${id}`,
          headers: curatorTorino.headers,
        });
      const hasChildren = await del(parent.json().id);
      expect([hasChildren.statusCode, hasChildren.json().error.code]).toEqual([409, 'SKILL_HAS_CHILDREN']);
      expect((await del(child.json().id)).statusCode).toBe(204);
      expect((await del(parent.json().id)).statusCode).toBe(204);
      expect((await search('torino', 'riciclo', 'it')).filter((s) => s.framework.slug === 'local')).toEqual([]);
    });

    it('map skills with crosswalks; duplicates and cycles are refused', async () => {
      const post = (payload: object) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cities/vilnius/crosswalks',
          headers: curatorVilnius.headers,
          payload,
        });
      const digital = await localId(vilnius.id, 'youth-work.digital');
      const digcomp31 = await skillId('digcomp', '3.1');
      const created = await post({ sourceSkillId: digital, targetSkillId: digcomp31, relation: 'broader' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ relation: 'broader', source: { id: digital }, target: { code: '3.1' } });

      const duplicate = await post({ sourceSkillId: digcomp31, targetSkillId: digital, relation: 'related' });
      expect([duplicate.statusCode, duplicate.json().error.code]).toEqual([409, 'CROSSWALK_EXISTS']);
      // 3.1 is broader than the local skill, so the local skill cannot be broader than 3.1's own area.
      const area3 = await skillId('digcomp', '3');
      const cycle = await post({ sourceSkillId: digital, targetSkillId: area3, relation: 'narrower' });
      expect([cycle.statusCode, cycle.json().error.code]).toEqual([409, 'CROSSWALK_CYCLE']);
      expect(cycle.json().error.message).toContain('Digital youth work');
      const self = await post({ sourceSkillId: digital, targetSkillId: digital, relation: 'exact' });
      expect(self.statusCode).toBe(400);
      const sameFramework = await post({ sourceSkillId: digcomp31, targetSkillId: area3, relation: 'related' });
      expect(sameFramework.statusCode).toBe(400);

      const list = (await t.app.inject('/api/v1/cities/vilnius/crosswalks')).json().items;
      expect(list.some((c: { id: string }) => c.id === created.json().id)).toBe(true);
      const removed = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/cities/vilnius/crosswalks/${created.json().id}`,
        headers: curatorVilnius.headers,
      });
      expect(removed.statusCode).toBe(204);
    });

    it('finds crosswalk cycles through exact matches and framework hierarchies', () => {
      const parents = [
        { id: 'area', parentId: 'root' },
        { id: 'comp', parentId: 'area' },
      ];
      expect(
        findCrosswalkCycle([{ sourceSkillId: 'x', targetSkillId: 'comp', relation: 'broader' }], parents),
      ).toBeUndefined();
      expect(
        findCrosswalkCycle(
          [
            { sourceSkillId: 'x', targetSkillId: 'comp', relation: 'broader' },
            { sourceSkillId: 'x', targetSkillId: 'area', relation: 'narrower' },
          ],
          parents,
        ),
      ).toBeDefined();
      expect(
        findCrosswalkCycle(
          [
            { sourceSkillId: 'x', targetSkillId: 'comp', relation: 'exact' },
            { sourceSkillId: 'x', targetSkillId: 'area', relation: 'exact' },
          ],
          parents,
        ),
      ).toBeDefined();
      expect(
        findCrosswalkCycle(
          [
            { sourceSkillId: 'x', targetSkillId: 'comp', relation: 'related' },
            { sourceSkillId: 'x', targetSkillId: 'area', relation: 'related' },
          ],
          parents,
        ),
      ).toBeUndefined();
    });
  });

  describe('tenant isolation', () => {
    let torinoSkill: string;
    let torinoCrosswalk: string;
    beforeAll(async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cities/torino/local-skills',
        headers: curatorTorino.headers,
        payload: { code: 'orti-urbani', label: { it: 'Orti urbani condivisi', en: 'Shared urban gardens' } },
      });
      torinoSkill = created.json().id;
      const crosswalk = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cities/torino/crosswalks',
        headers: curatorTorino.headers,
        payload: { sourceSkillId: torinoSkill, targetSkillId: await skillId('greencomp', '1.3'), relation: 'related' },
      });
      torinoCrosswalk = crosswalk.json().id;
    });

    // A Vilnius curator tries to change Torino's skills spine, through Torino's routes and through Vilnius's.
    const attempts: [
      string,
      () => Promise<{ method: 'POST' | 'PATCH' | 'DELETE' | 'PUT'; url: string; payload?: object }>,
      number,
    ][] = [
      [
        'create a local skill in Torino',
        async () => ({ method: 'POST', url: '/api/v1/cities/torino/local-skills', payload: { label: { it: 'X' } } }),
        403,
      ],
      [
        'rename a Torino skill via Torino',
        async () => ({
          method: 'PATCH',
          url: `/api/v1/cities/torino/local-skills/${torinoSkill}`,
          payload: { label: { it: 'X' } },
        }),
        403,
      ],
      [
        'rename a Torino skill via Vilnius',
        async () => ({
          method: 'PATCH',
          url: `/api/v1/cities/vilnius/local-skills/${torinoSkill}`,
          payload: { label: { it: 'X' } },
        }),
        404,
      ],
      [
        'delete a Torino skill via Torino',
        async () => ({ method: 'DELETE', url: `/api/v1/cities/torino/local-skills/${torinoSkill}` }),
        403,
      ],
      [
        'delete a Torino skill via Vilnius',
        async () => ({ method: 'DELETE', url: `/api/v1/cities/vilnius/local-skills/${torinoSkill}` }),
        404,
      ],
      [
        'nest under a Torino skill',
        async () => ({
          method: 'POST',
          url: '/api/v1/cities/vilnius/local-skills',
          payload: { label: { en: 'Y' }, parentId: torinoSkill },
        }),
        400,
      ],
      [
        'crosswalk in Torino',
        async () => ({
          method: 'POST',
          url: '/api/v1/cities/torino/crosswalks',
          payload: {
            sourceSkillId: torinoSkill,
            targetSkillId: await skillId('greencomp', '1.1'),
            relation: 'related',
          },
        }),
        403,
      ],
      [
        'crosswalk a Torino skill in Vilnius',
        async () => ({
          method: 'POST',
          url: '/api/v1/cities/vilnius/crosswalks',
          payload: { sourceSkillId: torinoSkill, targetSkillId: await skillId('digcomp', '1.1'), relation: 'related' },
        }),
        404,
      ],
      [
        'delete a Torino crosswalk via Torino',
        async () => ({ method: 'DELETE', url: `/api/v1/cities/torino/crosswalks/${torinoCrosswalk}` }),
        403,
      ],
      [
        'delete a Torino crosswalk via Vilnius',
        async () => ({ method: 'DELETE', url: `/api/v1/cities/vilnius/crosswalks/${torinoCrosswalk}` }),
        404,
      ],
      [
        'choose Torino frameworks',
        async () => ({ method: 'PUT', url: '/api/v1/cities/torino/skill-frameworks', payload: { frameworks: [] } }),
        403,
      ],
    ];

    it.each(attempts)('a Vilnius curator cannot %s', async (_name, build, status) => {
      const request = await build();
      const response = await t.app.inject({ ...request, headers: curatorVilnius.headers });
      expect(response.statusCode).toBe(status);
      const [skill] = await t.db.query<{ label: Record<string, string> }>('SELECT label FROM skills WHERE id = $1', [
        torinoSkill,
      ]);
      expect(skill?.label).toEqual({ it: 'Orti urbani condivisi', en: 'Shared urban gardens' });
      const [crosswalks] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM skill_crosswalks WHERE city_id = $1',
        [torino.id],
      );
      expect(crosswalks?.n).toBe(5);
      const [frameworks] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM city_skill_frameworks WHERE city_id = $1',
        [torino.id],
      );
      expect(frameworks?.n).toBe(2);
    });

    it('anonymous visitors and learners cannot write at all', async () => {
      const learner = await signIn(t.app, t.db, { role: 'learner' });
      for (const headers of [{}, learner.headers]) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/cities/vilnius/local-skills',
          headers,
          payload: { label: { en: 'Z' } },
        });
        expect(response.statusCode).toBe(Object.keys(headers).length === 0 ? 401 : 403);
      }
    });

    it("never lists or shows one city's local skills in another", async () => {
      expect((await search('vilnius', 'urban gardens')).length).toBe(0);
      expect((await search('torino', 'urban gardens'))[0]?.id).toBe(torinoSkill);
      const api = await t.app.inject(`/api/v1/cities/vilnius/skills/${torinoSkill}`);
      expect([api.statusCode, api.json().error.code]).toEqual([404, 'SKILL_NOT_FOUND']);
      const page = await t.app.inject({ url: `/c/vilnius/skills/${torinoSkill}`, headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(404);
      const vilniusPage = await t.app.inject({ url: '/c/vilnius/skills?lang=en', headers: { accept: 'text/html' } });
      expect(vilniusPage.body).not.toContain('Shared urban gardens');
      const crosswalks = (await t.app.inject('/api/v1/cities/vilnius/crosswalks')).json().items;
      expect(crosswalks.some((c: { id: string }) => c.id === torinoCrosswalk)).toBe(false);
      const localFramework = await t.app.inject({
        url: '/c/vilnius/skills/frameworks/local',
        headers: { accept: 'text/html' },
      });
      expect(localFramework.body).not.toContain('Shared urban gardens');
    });
  });

  describe('pages', () => {
    const page = (url: string) => t.app.inject({ url, headers: { accept: 'text/html', 'accept-language': 'en' } });

    it('browse page: frameworks with attribution, local skills tree, crosswalks and the picker', async () => {
      const response = await page('/c/vilnius/skills');
      expect(response.statusCode).toBe(200);
      const body = response.body;
      expect(body).toContain('<h1>Skills in Vilnius</h1>');
      expect(body).toContain('DigComp 2.2 © European Union');
      expect(body).toContain('Youth worker competences');
      expect(body).toContain('data-skill-picker');
      expect(body).toMatch(/src="\/assets\/skill-picker\.[0-9a-f]{12}\.js"/);
    });

    it('search works without JavaScript (?q=)', async () => {
      const body = (await page('/c/vilnius/skills?q=netiq')).body;
      expect(body).toContain('Results for “netiq”');
      expect(body).toMatch(/<a href="\/c\/vilnius\/skills\/[0-9a-f-]{36}">Netiquette<\/a>/);
      expect((await page('/c/vilnius/skills?q=zzzzqqq')).body).toContain('No skill matches “zzzzqqq”');
    });

    it('skill page: description, framework, attribution, related skills and suppressed earners', async () => {
      const id = await skillId('entrecomp', '3.1');
      const body = (await page(`/c/vilnius/skills/${id}`)).body;
      expect(body).toContain('<h1>Taking the initiative</h1>');
      expect(body).toContain('EntreComp © European Union, 2016');
      expect(body).toContain('Encouraging youth initiatives');
      expect(body).toContain('same as (crosswalk of Vilnius)');
      expect(body).toContain('Fewer than 5 people in Vilnius have shown this skill so far.');
      expect(body).toContain('&quot;targetType&quot;: &quot;ceasn:Competency&quot;');
    });

    it('marks fallback-language text with lang attributes, and translates the page', async () => {
      const id = await skillId('digcomp', '2.5');
      const body = (await t.app.inject({ url: `/c/vilnius/skills/${id}?lang=lt`, headers: { accept: 'text/html' } }))
        .body;
      expect(body).toContain('<h1 lang="en">Netiquette</h1>');
      expect(body).toContain('Šaltinis ir licencija');
    });

    it('ESCO skill page lists occupations; framework pages show levels; other frameworks are 404', async () => {
      const body = (await page(`/c/torino/skills/${await skillId('esco', COMPLIANCE)}`)).body;
      expect(body).toContain('Occupations that use this skill');
      expect(body).toContain('This service uses the ESCO classification of the European Commission.');
      const digcomp = (await page('/c/vilnius/skills/frameworks/digcomp')).body;
      expect(digcomp).toContain('Foundation – level 1');
      expect(digcomp).toContain('Netiquette');
      expect((await page('/c/vilnius/skills/frameworks/greencomp')).statusCode).toBe(404);
      expect((await page('/c/vilnius/skills/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    });
  });
});
