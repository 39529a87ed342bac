import path from 'node:path';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { CrosswalkRelation } from '../../db/schema.ts';
import { findCityBySlug } from '../cities/cities.repo.ts';
import { ensureBundledFrameworks, frameworksDir } from './bundled-frameworks.ts';
import { importEsco } from './esco-import.ts';
import { findLocalSkillByCode, findNetworkFramework, listCityFrameworks, countFrameworkSkills } from './skills.repo.ts';
import { createCrosswalk, createLocalSkill, setCityFrameworks } from './skills.service.ts';

/** A subset of ESCO v1.1.1 (green and transversal skills), official rows unchanged; see data/frameworks/README.md. */
export const escoSampleDir = path.join(frameworksDir, 'esco-sample', 'v1.1.1');

interface DemoLocalSkill {
  code: string;
  parent?: string;
  label: Record<string, string>;
  description: Record<string, string>;
  alternativeLabels?: Record<string, string[]>;
}

interface DemoCrosswalk {
  local?: string;
  from?: { framework: string; code: string };
  to: { framework: string; code: string };
  relation: CrosswalkRelation;
}

interface DemoSpine {
  city: string;
  frameworks: string[];
  localSkills: DemoLocalSkill[];
  crosswalks: DemoCrosswalk[];
}

const escoSkill = (id: string) => ({ framework: 'esco', code: `http://data.europa.eu/esco/skill/${id}` });

/** Fictional local skills; the frameworks and ESCO concepts they map to are real. */
const demoSpines: DemoSpine[] = [
  {
    city: 'vilnius',
    frameworks: ['digcomp', 'entrecomp'],
    localSkills: [
      {
        code: 'youth-work',
        label: { lt: 'Jaunimo darbuotojo kompetencijos', en: 'Youth worker competences' },
        description: {
          lt: 'Vilniaus jaunimo darbuotojų kompetencijos, kurias miestas pripažįsta ženkleliais.',
          en: 'The competences of youth workers in Vilnius that the city recognises with badges.',
        },
      },
      {
        code: 'youth-work.relationships',
        parent: 'youth-work',
        label: { lt: 'Santykių su jaunimu kūrimas', en: 'Building relationships with young people' },
        description: {
          lt: 'Užmegzti pasitikėjimu grįstus santykius su jaunais žmonėmis ir juos palaikyti.',
          en: 'Build and keep relationships of trust with young people.',
        },
        alternativeLabels: { en: ['rapport with young people'] },
      },
      {
        code: 'youth-work.planning',
        parent: 'youth-work',
        label: { lt: 'Neformaliojo ugdymo veiklų planavimas', en: 'Planning non-formal learning activities' },
        description: {
          lt: 'Planuoti neformaliojo ugdymo veiklas kartu su jaunimu, atsižvelgiant į jų poreikius.',
          en: 'Plan non-formal learning activities with young people, starting from their needs.',
        },
      },
      {
        code: 'youth-work.digital',
        parent: 'youth-work',
        label: { lt: 'Skaitmeninis darbas su jaunimu', en: 'Digital youth work' },
        description: {
          lt: 'Naudoti skaitmenines priemones ir aplinkas darbe su jaunimu.',
          en: 'Use digital tools and spaces in youth work.',
        },
        alternativeLabels: { en: ['online youth work'], lt: ['darbas su jaunimu internete'] },
      },
      {
        code: 'youth-work.initiative',
        parent: 'youth-work',
        label: { lt: 'Jaunimo iniciatyvų skatinimas', en: 'Encouraging youth initiatives' },
        description: {
          lt: 'Padėti jauniems žmonėms įgyvendinti savo idėjas ir iniciatyvas.',
          en: 'Help young people carry out their own ideas and initiatives.',
        },
      },
    ],
    crosswalks: [
      { local: 'youth-work.digital', to: { framework: 'digcomp', code: '2.4' }, relation: 'related' },
      { local: 'youth-work.digital', to: { framework: 'digcomp', code: '2.1' }, relation: 'related' },
      { local: 'youth-work.planning', to: { framework: 'entrecomp', code: '3.2' }, relation: 'broader' },
      { local: 'youth-work.initiative', to: { framework: 'entrecomp', code: '3.1' }, relation: 'exact' },
      { local: 'youth-work.relationships', to: { framework: 'entrecomp', code: '2.5' }, relation: 'related' },
    ],
  },
  {
    city: 'torino',
    frameworks: ['greencomp', 'esco'],
    localSkills: [],
    crosswalks: [
      {
        from: { framework: 'greencomp', code: '4.3' },
        to: escoSkill('001115fb-569f-4ee6-8381-c6807ef2527f'),
        relation: 'related',
      },
      {
        from: { framework: 'greencomp', code: '1.1' },
        to: escoSkill('469e19ed-a0bd-445a-ae2d-4ba9430e296b'),
        relation: 'related',
      },
      {
        from: { framework: 'greencomp', code: '2.2' },
        to: escoSkill('7dd94ad3-13d6-43fe-8b94-51fcbf67ced9'),
        relation: 'exact',
      },
      {
        from: { framework: 'greencomp', code: '4.2' },
        to: escoSkill('7f321b88-3d16-4e30-8163-5494ca8ce978'),
        relation: 'narrower',
      },
    ],
  },
  { city: 'plymouth', frameworks: ['digcomp', 'lifecomp', 'entrecomp'], localSkills: [], crosswalks: [] },
];

async function frameworkSkillId(db: Database, framework: string, code: string): Promise<string | undefined> {
  const found = await findNetworkFramework(db, framework);
  if (!found) return undefined;
  const [row] = await db.query<{ id: string }>(
    'SELECT id FROM skills WHERE city_id IS NULL AND framework_id = $1 AND code = $2',
    [found.id, code],
  );
  return row?.id;
}

export interface SkillsDemoReport {
  escoImported: boolean;
  localSkillsCreated: number;
  crosswalksCreated: number;
}

/**
 * The demo cities' skills spines. Idempotent: frameworks are chosen only for a city without a choice, local skills
 * and crosswalks only when missing.
 */
export async function seedSkillsDemo(db: Database): Promise<SkillsDemoReport> {
  const report: SkillsDemoReport = { escoImported: false, localSkillsCreated: 0, crosswalksCreated: 0 };
  await ensureBundledFrameworks(db);
  const esco = await findNetworkFramework(db, 'esco');
  if (!esco || (await countFrameworkSkills(db, esco.id)) === 0) {
    await importEsco(db, escoSampleDir, { version: '1.1.1' });
    report.escoImported = true;
  }
  for (const spine of demoSpines) {
    const city = await findCityBySlug(db, spine.city);
    if (!city) continue;
    if ((await listCityFrameworks(db, city.id)).length === 0)
      await setCityFrameworks(db, city.id, spine.frameworks, null);
    for (const local of spine.localSkills) {
      if (await findLocalSkillByCode(db, city.id, local.code)) continue;
      const parent = local.parent ? await findLocalSkillByCode(db, city.id, local.parent) : undefined;
      await createLocalSkill(
        db,
        city,
        {
          code: local.code,
          parentId: parent?.id ?? null,
          label: local.label,
          description: local.description,
          alternativeLabels: local.alternativeLabels ?? {},
        },
        null,
      );
      report.localSkillsCreated++;
    }
    for (const crosswalk of spine.crosswalks) {
      const sourceId = crosswalk.local
        ? (await findLocalSkillByCode(db, city.id, crosswalk.local))?.id
        : crosswalk.from && (await frameworkSkillId(db, crosswalk.from.framework, crosswalk.from.code));
      const targetId = await frameworkSkillId(db, crosswalk.to.framework, crosswalk.to.code);
      if (!sourceId || !targetId) continue;
      try {
        await createCrosswalk(
          db,
          city.id,
          { sourceSkillId: sourceId, targetSkillId: targetId, relation: crosswalk.relation },
          null,
        );
        report.crosswalksCreated++;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'CROSSWALK_EXISTS')) throw error;
      }
    }
  }
  return report;
}
