import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { SkillFrameworkLevel } from '../../db/schema.ts';
import { findNetworkFramework, refreshSkillSearchIndexes, upsertNetworkFramework } from './skills.repo.ts';

/** The bundled EU competence frameworks, as data files in `data/frameworks/` (see its README for sources). */
export const frameworksDir = fileURLToPath(new URL('../../../../data/frameworks', import.meta.url));

export const bundledFrameworkFiles = {
  digcomp: 'digcomp-2.2.json',
  entrecomp: 'entrecomp.json',
  lifecomp: 'lifecomp.json',
  greencomp: 'greencomp.json',
} as const;
export type BundledFrameworkSlug = keyof typeof bundledFrameworkFiles;

/** Short names shown in lists and the picker. */
const shortTitles: Record<BundledFrameworkSlug, string> = {
  digcomp: 'DigComp 2.2',
  entrecomp: 'EntreComp',
  lifecomp: 'LifeComp',
  greencomp: 'GreenComp',
};

interface FrameworkFile {
  framework: {
    id: string;
    title: string;
    version: string;
    publisher: string;
    licence: string;
    url: string;
    doi?: string;
    citation: string;
    attribution: string;
  };
  areas: {
    id: string;
    title: string;
    competences: {
      id: string;
      title: string;
      description: string;
      hint?: string;
      descriptors?: { id: string; description: string }[];
    }[];
  }[];
  levels: SkillFrameworkLevel[];
}

async function readFrameworkFile(fileName: string): Promise<{ data: FrameworkFile; checksum: string }> {
  const text = await fs.readFile(path.join(frameworksDir, fileName), 'utf8');
  return { data: JSON.parse(text) as FrameworkFile, checksum: createHash('sha256').update(text).digest('hex') };
}

async function upsertConcept(
  db: SqlRunner,
  frameworkId: string,
  concept: {
    code: string;
    kind: 'area' | 'competence';
    parentId: string | null;
    title: string;
    description: string;
    details: Record<string, unknown>;
    position: number;
  },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO skills (city_id, framework_id, code, kind, parent_id, label, description, details, position)
     VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT ON CONSTRAINT skills_city_framework_code_key DO UPDATE SET
       kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id, label = EXCLUDED.label,
       description = EXCLUDED.description, details = EXCLUDED.details, position = EXCLUDED.position, updated_at = now()
     RETURNING id`,
    [
      frameworkId,
      concept.code,
      concept.kind,
      concept.parentId,
      JSON.stringify({ en: concept.title }),
      JSON.stringify(concept.description ? { en: concept.description } : {}),
      JSON.stringify(concept.details),
      concept.position,
    ],
  );
  const id = (row as { id: string }).id;
  await db.query('DELETE FROM skill_labels WHERE city_id IS NULL AND skill_id = $1', [id]);
  await db.query(
    `INSERT INTO skill_labels (city_id, skill_id, framework_id, language, kind, label)
     VALUES (NULL, $1, $2, 'en', 'preferred', $3)`,
    [id, frameworkId, concept.title],
  );
  return id;
}

/** Loads one bundled framework (areas → competences, levels); a no-op when the file has not changed. */
async function loadBundledFramework(db: SqlRunner, slug: BundledFrameworkSlug): Promise<boolean> {
  const { data, checksum } = await readFrameworkFile(bundledFrameworkFiles[slug]);
  const existing = await findNetworkFramework(db, slug);
  if (existing?.sourceChecksum === checksum) return false;
  const meta = data.framework;
  const framework = await upsertNetworkFramework(db, {
    slug,
    kind: 'bundled',
    title: { en: meta.title },
    shortTitle: shortTitles[slug],
    version: meta.version,
    publisher: meta.publisher,
    licence: meta.licence,
    url: meta.url,
    citation: meta.citation,
    attribution: meta.attribution,
    levels: data.levels,
    sourceChecksum: checksum,
  });
  let areaPosition = 0;
  for (const area of data.areas) {
    const areaId = await upsertConcept(db, framework.id, {
      code: area.id,
      kind: 'area',
      parentId: null,
      title: area.title,
      description: '',
      details: {},
      position: areaPosition++,
    });
    let position = 0;
    for (const competence of area.competences) {
      await upsertConcept(db, framework.id, {
        code: competence.id,
        kind: 'competence',
        parentId: areaId,
        title: competence.title,
        description: competence.description,
        details: competence.descriptors ? { descriptors: competence.descriptors } : {},
        position: position++,
      });
    }
  }
  return true;
}

const loaded = new WeakSet<object>();

/**
 * Makes sure the bundled frameworks are in the database and current. Idempotent and cheap when nothing changed
 * (a checksum per file); serialised by an advisory lock so app servers starting together do not race.
 */
export async function ensureBundledFrameworks(db: Database): Promise<string[]> {
  if (loaded.has(db)) return [];
  const updated = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('learnscape:bundled-frameworks'))`);
    const changed: string[] = [];
    for (const slug of Object.keys(bundledFrameworkFiles) as BundledFrameworkSlug[]) {
      if (await loadBundledFramework(tx, slug)) changed.push(slug);
    }
    return changed;
  });
  if (updated.length > 0) await refreshSkillSearchIndexes(db);
  loaded.add(db);
  return updated;
}
