import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { cleanHeader, CsvProblem, readCsv } from './csv.ts';
import { findNetworkFramework, refreshSkillSearchIndexes, upsertNetworkFramework } from './skills.repo.ts';

/**
 * Imports the official ESCO CSV export (skills, skill groups, occupations and their relations, in one or more
 * languages) into the network-level `esco` framework. Files are read as streams and checked completely before
 * anything is written; then everything is written in one transaction, so a broken file set imports nothing.
 * Concepts are matched by their ESCO URI, so importing again updates rather than duplicates.
 */

export const ESCO_ATTRIBUTION = 'This service uses the ESCO classification of the European Commission.';

type FileKind = 'skills' | 'skillGroups' | 'occupations' | 'broader' | 'occupationSkills' | 'skillSkills';

/** The columns each file must have (the official export may have more; they are ignored). */
const requiredColumns: Record<FileKind, string[]> = {
  skills: ['conceptType', 'conceptUri', 'skillType', 'reuseLevel', 'preferredLabel', 'altLabels', 'description'],
  skillGroups: ['conceptType', 'conceptUri', 'preferredLabel', 'altLabels', 'description', 'code'],
  occupations: ['conceptType', 'conceptUri', 'iscoGroup', 'preferredLabel', 'altLabels', 'description', 'code'],
  broader: ['conceptType', 'conceptUri', 'broaderType', 'broaderUri'],
  occupationSkills: ['occupationUri', 'relationType', 'skillType', 'skillUri'],
  skillSkills: ['originalSkillUri', 'relationType', 'relatedSkillUri'],
};

const conceptFilePattern = /^(skills|skillGroups|occupations)_([a-z]{2,3})\.csv$/;
const relationFiles: Record<string, FileKind> = {
  'broaderRelationsSkillPillar.csv': 'broader',
  'occupationSkillRelations.csv': 'occupationSkills',
  'skillSkillRelations.csv': 'skillSkills',
};

interface EscoFile {
  kind: FileKind;
  path: string;
  /** Path relative to the imported folder, as shown in messages. */
  name: string;
  language?: string;
}

export interface EscoProgress {
  phase: 'read' | 'write';
  step: string;
  done: number;
  total?: number;
}

export interface EscoImportSummary {
  folder: string;
  version: string;
  languages: string[];
  files: { file: string; rows: number }[];
  ignoredFiles: string[];
  skills: { created: number; updated: number };
  skillGroups: { created: number; updated: number };
  occupations: { created: number; updated: number };
  labels: number;
  broaderRelations: number;
  occupationSkillRelations: number;
  skillSkillRelations: number;
  skipped: { file: string; rows: number; reason: string }[];
  durationMs: number;
}

interface Concept {
  kind: 'skill' | 'knowledge' | 'skill_group';
  label: Record<string, string>;
  description: Record<string, string>;
  altLabels: Record<string, string[]>;
  hiddenLabels: Record<string, string[]>;
  details: Record<string, unknown>;
}

interface Occupation {
  code: string;
  iscoGroup: string;
  label: Record<string, string>;
  description: Record<string, string>;
  altLabels: Record<string, string[]>;
}

const MAX_PROBLEMS = 20;
const BATCH = 2000;

async function findFiles(folder: string): Promise<{ files: EscoFile[]; ignored: string[] }> {
  let entries: string[];
  try {
    entries = (await fs.readdir(folder, { recursive: true })) as string[];
  } catch (error) {
    throw new AppError('ESCO_IMPORT_INVALID', `Cannot read the folder ${folder}: ${(error as Error).message}`);
  }
  const files: EscoFile[] = [];
  const ignored: string[] = [];
  for (const entry of entries.sort()) {
    const base = path.basename(entry);
    if (!base.toLowerCase().endsWith('.csv')) continue;
    const full = path.join(folder, entry);
    const concept = conceptFilePattern.exec(base);
    if (concept) {
      files.push({ kind: concept[1] as FileKind, path: full, name: entry, language: concept[2] as string });
    } else if (relationFiles[base]) {
      files.push({ kind: relationFiles[base] as FileKind, path: full, name: entry });
    } else {
      ignored.push(entry);
    }
  }
  return { files, ignored };
}

const splitList = (value: string | undefined, separator: RegExp): string[] =>
  (value ?? '')
    .split(separator)
    .map((item) => item.trim())
    .filter(Boolean);

const isUri = (value: string) => /^https?:\/\/\S+$/.test(value);

/** What the read phase collects, before anything is written. */
interface Parsed {
  concepts: Map<string, Concept>;
  occupations: Map<string, Occupation>;
  broader: { uri: string; broaderUri: string }[] | undefined;
  occupationSkills: { occupationUri: string; skillUri: string; relationType: string }[] | undefined;
  skillSkills: { skillUri: string; relatedUri: string; relationType: string }[] | undefined;
  rows: Map<string, number>;
}

async function readFileSet(
  files: EscoFile[],
  problems: ErrorDetail[],
  onProgress: (progress: EscoProgress) => void,
): Promise<Parsed> {
  const parsed: Parsed = {
    concepts: new Map(),
    occupations: new Map(),
    broader: undefined,
    occupationSkills: undefined,
    skillSkills: undefined,
    rows: new Map(),
  };
  const broaderLines: number[] = [];
  let broaderFile = '';
  const problem = (file: string, line: number, text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ file, line, field: `${file}:${line}`, problem: text });
  };

  for (const file of files) {
    let header: string[] | undefined;
    let index: Record<string, number> = {};
    let rows = 0;
    const seen = new Set<string>();
    try {
      for await (const record of readCsv(file.path, file.name)) {
        if (!header) {
          header = record.fields.map(cleanHeader);
          index = Object.fromEntries(header.map((name, i) => [name, i]));
          const missing = requiredColumns[file.kind].filter((column) => !(column in index));
          if (missing.length > 0) {
            problem(
              file.name,
              1,
              `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (is this an ESCO CSV export?)`,
            );
            break;
          }
          if (file.kind === 'broader') {
            parsed.broader ??= [];
            broaderFile = file.name;
          }
          if (file.kind === 'occupationSkills') parsed.occupationSkills ??= [];
          if (file.kind === 'skillSkills') parsed.skillSkills ??= [];
          continue;
        }
        const fields = record.fields;
        if (fields.length === 1 && fields[0] === '') continue;
        rows++;
        if (rows % 5000 === 0) onProgress({ phase: 'read', step: file.name, done: rows });
        if (fields.length !== header.length) {
          problem(file.name, record.line, `has ${fields.length} fields but the header has ${header.length}`);
          continue;
        }
        const get = (column: string) => (index[column] === undefined ? '' : (fields[index[column]] ?? '').trim());
        switch (file.kind) {
          case 'skills':
          case 'skillGroups': {
            const uri = get('conceptUri');
            const expectedType = file.kind === 'skills' ? 'KnowledgeSkillCompetence' : 'SkillGroup';
            if (get('conceptType') !== expectedType) {
              problem(file.name, record.line, `conceptType is "${get('conceptType')}", expected ${expectedType}`);
              continue;
            }
            if (!isUri(uri)) {
              problem(file.name, record.line, `conceptUri "${uri}" is not a URI`);
              continue;
            }
            const label = get('preferredLabel');
            if (!label) {
              problem(file.name, record.line, 'preferredLabel is empty');
              continue;
            }
            if (seen.has(uri)) {
              problem(file.name, record.line, `conceptUri ${uri} appears twice in this file`);
              continue;
            }
            seen.add(uri);
            const language = file.language as string;
            const concept = parsed.concepts.get(uri) ?? {
              kind:
                file.kind === 'skillGroups' ? 'skill_group' : get('skillType') === 'knowledge' ? 'knowledge' : 'skill',
              label: {},
              description: {},
              altLabels: {},
              hiddenLabels: {},
              details: {},
            };
            concept.label[language] = label;
            const description = get('description') || get('definition');
            if (description) concept.description[language] = description;
            concept.altLabels[language] = splitList(get('altLabels'), /\r?\n/).filter((alt) => alt !== label);
            concept.hiddenLabels[language] = splitList(get('hiddenLabels'), /\r?\n/);
            if (file.kind === 'skills') {
              concept.details = {
                ...concept.details,
                skillType: get('skillType') || null,
                reuseLevel: get('reuseLevel') || null,
                status: get('status') || null,
              };
            } else {
              concept.details = { ...concept.details, code: get('code') || null, status: get('status') || null };
            }
            parsed.concepts.set(uri, concept);
            break;
          }
          case 'occupations': {
            const uri = get('conceptUri');
            if (get('conceptType') !== 'Occupation') {
              problem(file.name, record.line, `conceptType is "${get('conceptType')}", expected Occupation`);
              continue;
            }
            if (!isUri(uri)) {
              problem(file.name, record.line, `conceptUri "${uri}" is not a URI`);
              continue;
            }
            const label = get('preferredLabel');
            if (!label) {
              problem(file.name, record.line, 'preferredLabel is empty');
              continue;
            }
            const language = file.language as string;
            const occupation = parsed.occupations.get(uri) ?? {
              code: get('code'),
              iscoGroup: get('iscoGroup'),
              label: {},
              description: {},
              altLabels: {},
            };
            occupation.label[language] = label;
            if (get('description')) occupation.description[language] = get('description');
            occupation.altLabels[language] = splitList(get('altLabels'), /\r?\n/).filter((alt) => alt !== label);
            parsed.occupations.set(uri, occupation);
            break;
          }
          case 'broader': {
            const uri = get('conceptUri');
            const broaderUri = get('broaderUri');
            if (!isUri(uri) || !isUri(broaderUri)) {
              problem(file.name, record.line, 'conceptUri and broaderUri must both be URIs');
              continue;
            }
            if (uri === broaderUri) {
              problem(file.name, record.line, `${uri} is given as broader than itself`);
              continue;
            }
            parsed.broader?.push({ uri, broaderUri });
            broaderLines.push(record.line);
            break;
          }
          case 'occupationSkills': {
            const relationType = get('relationType');
            if (relationType !== 'essential' && relationType !== 'optional') {
              problem(file.name, record.line, `relationType is "${relationType}", expected essential or optional`);
              continue;
            }
            if (!isUri(get('occupationUri')) || !isUri(get('skillUri'))) {
              problem(file.name, record.line, 'occupationUri and skillUri must both be URIs');
              continue;
            }
            parsed.occupationSkills?.push({
              occupationUri: get('occupationUri'),
              skillUri: get('skillUri'),
              relationType,
            });
            break;
          }
          case 'skillSkills': {
            const relationType = get('relationType');
            if (!relationType) {
              problem(file.name, record.line, 'relationType is empty');
              continue;
            }
            if (!isUri(get('originalSkillUri')) || !isUri(get('relatedSkillUri'))) {
              problem(file.name, record.line, 'originalSkillUri and relatedSkillUri must both be URIs');
              continue;
            }
            parsed.skillSkills?.push({
              skillUri: get('originalSkillUri'),
              relatedUri: get('relatedSkillUri'),
              relationType,
            });
            break;
          }
        }
      }
    } catch (error) {
      if (error instanceof CsvProblem) problem(error.file, error.line, error.problem);
      else throw error;
    }
    if (!header && problems.length < MAX_PROBLEMS) problem(file.name, 1, 'the file is empty (no header row)');
    parsed.rows.set(file.name, rows);
    onProgress({ phase: 'read', step: file.name, done: rows, total: rows });
  }

  // A pair listed twice counts once (the last relation type wins).
  if (parsed.occupationSkills) {
    const pairs = new Map(parsed.occupationSkills.map((r) => [`${r.occupationUri} ${r.skillUri}`, r]));
    parsed.occupationSkills = [...pairs.values()];
  }
  if (parsed.skillSkills) {
    const pairs = new Map(parsed.skillSkills.map((r) => [`${r.skillUri} ${r.relatedUri}`, r]));
    parsed.skillSkills = [...pairs.values()];
  }

  if (parsed.broader && problems.length === 0) {
    const cycle = findCycle(parsed.broader);
    if (cycle) {
      problem(
        broaderFile,
        broaderLines[cycle.edgeIndex] ?? 1,
        `the broader relations form a cycle: ${cycle.path.join(' → ')}`,
      );
    }
  }
  return parsed;
}

/** Finds a cycle in "narrower → broader" edges; returns the concepts on it and the edge that closes it. */
export function findCycle(
  edges: { uri: string; broaderUri: string }[],
): { path: string[]; edgeIndex: number } | undefined {
  const next = new Map<string, { to: string; index: number }[]>();
  edges.forEach((edge, index) => {
    const list = next.get(edge.uri) ?? [];
    list.push({ to: edge.broaderUri, index });
    next.set(edge.uri, list);
  });
  const state = new Map<string, 1 | 2>(); // 1 on the current path, 2 finished
  for (const startNode of next.keys()) {
    if (state.has(startNode)) continue;
    const stack: { node: string; edge: number }[] = [{ node: startNode, edge: 0 }];
    const pathNodes: string[] = [startNode];
    state.set(startNode, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: string; edge: number };
      const outgoing = next.get(top.node) ?? [];
      if (top.edge >= outgoing.length) {
        state.set(top.node, 2);
        stack.pop();
        pathNodes.pop();
        continue;
      }
      const { to, index } = outgoing[top.edge++] as { to: string; index: number };
      const seen = state.get(to);
      if (seen === 1) return { path: [...pathNodes.slice(pathNodes.indexOf(to)), to], edgeIndex: index };
      if (seen === undefined) {
        state.set(to, 1);
        stack.push({ node: to, edge: 0 });
        pathNodes.push(to);
      }
    }
  }
  return undefined;
}

/** Adds the ids of concepts that relations refer to but that an earlier import brought in. */
async function resolveSkillIds(
  tx: SqlRunner,
  frameworkId: string,
  ids: Map<string, string>,
  uris: string[],
): Promise<void> {
  const missing = [...new Set(uris)].filter((uri) => !ids.has(uri));
  for (const batch of batches(missing, 10_000)) {
    const rows = await tx.query<{ id: string; code: string }>(
      'SELECT id, code FROM skills WHERE city_id IS NULL AND framework_id = $1 AND code = ANY($2::text[])',
      [frameworkId, batch],
    );
    for (const row of rows) ids.set(row.code, row.id);
  }
}

function* batches<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function writeFileSet(
  tx: SqlRunner,
  parsed: Parsed,
  version: string,
  languages: string[],
  summary: EscoImportSummary,
  onProgress: (progress: EscoProgress) => void,
): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('learnscape:esco-import'))`);
  // A later import of one more language (often from a folder without the version in its name) keeps the version.
  const escoVersion = version || ((await findNetworkFramework(tx, 'esco'))?.version ?? '');
  summary.version = escoVersion;
  const framework = await upsertNetworkFramework(tx, {
    slug: 'esco',
    kind: 'esco',
    title: { en: 'ESCO: European Skills, Competences, Qualifications and Occupations' },
    shortTitle: escoVersion ? `ESCO ${escoVersion}` : 'ESCO',
    version: escoVersion,
    publisher: 'European Commission',
    licence: 'EC-reuse-2011/833/EU (reuse allowed provided the source is acknowledged)',
    url: 'https://esco.ec.europa.eu/',
    citation: `ESCO ${escoVersion} classification, European Commission.`,
    attribution: ESCO_ATTRIBUTION,
    levels: [],
  });

  // Concepts: labels per language merge into what other imports (other languages) left.
  const concepts = [...parsed.concepts.entries()];
  /** ESCO URI → skill id: later steps link rows by id, never by joining on the URI. */
  const ids = new Map<string, string>();
  let done = 0;
  for (const batch of batches(concepts)) {
    const rows = await tx.query<{ id: string; code: string; kind: string; inserted: boolean }>(
      `INSERT INTO skills AS s (city_id, framework_id, code, kind, label, description, details)
       SELECT NULL, $1, code, kind, label, description, details
       FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[]) AS c(code, kind, label, description, details)
       ON CONFLICT ON CONSTRAINT skills_city_framework_code_key DO UPDATE SET
         kind = EXCLUDED.kind, label = s.label || EXCLUDED.label, description = s.description || EXCLUDED.description,
         details = s.details || EXCLUDED.details, updated_at = now()
       RETURNING s.id, s.code, s.kind, (xmax = 0) AS inserted`,
      [
        framework.id,
        batch.map(([uri]) => uri),
        batch.map(([, c]) => c.kind),
        batch.map(([, c]) => JSON.stringify(c.label)),
        batch.map(([, c]) => JSON.stringify(c.description)),
        batch.map(([, c]) => JSON.stringify(c.details)),
      ],
    );
    for (const row of rows) {
      ids.set(row.code, row.id);
      const counter = row.kind === 'skill_group' ? summary.skillGroups : summary.skills;
      if (row.inserted) counter.created++;
      else counter.updated++;
    }
    done += batch.length;
    onProgress({ phase: 'write', step: 'concepts', done, total: concepts.length });
  }

  // The imported concepts' labels in the imported languages are replaced; other concepts and languages stay.
  for (const batch of batches([...ids.values()], 10_000)) {
    await tx.query('DELETE FROM skill_labels WHERE skill_id = ANY($1::uuid[]) AND language = ANY($2::text[])', [
      batch,
      languages,
    ]);
  }
  const labels: { skillId: string; language: string; kind: string; label: string }[] = [];
  for (const [uri, concept] of concepts) {
    const skillId = ids.get(uri) as string;
    for (const [language, label] of Object.entries(concept.label)) {
      labels.push({ skillId, language, kind: 'preferred', label });
      for (const alt of new Set(concept.altLabels[language] ?? []))
        labels.push({ skillId, language, kind: 'alternative', label: alt });
      for (const hidden of new Set(concept.hiddenLabels[language] ?? []))
        labels.push({ skillId, language, kind: 'hidden', label: hidden });
    }
  }
  done = 0;
  for (const batch of batches(labels, 10_000)) {
    await tx.query(
      `INSERT INTO skill_labels (city_id, skill_id, framework_id, language, kind, label)
       SELECT NULL, skill_id, $1, language, kind, label
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS l(skill_id, language, kind, label)`,
      [
        framework.id,
        batch.map((l) => l.skillId),
        batch.map((l) => l.language),
        batch.map((l) => l.kind),
        batch.map((l) => l.label),
      ],
    );
    done += batch.length;
    onProgress({ phase: 'write', step: 'labels', done, total: labels.length });
  }
  summary.labels = labels.length;

  if (parsed.broader) {
    // The broader links of every concept in the file are replaced; the first one listed is its primary parent.
    await resolveSkillIds(
      tx,
      framework.id,
      ids,
      parsed.broader.flatMap((edge) => [edge.uri, edge.broaderUri]),
    );
    const narrower = [...new Set(parsed.broader.map((edge) => ids.get(edge.uri)).filter((id) => id !== undefined))];
    for (const batch of batches(narrower, 10_000)) {
      await tx.query('DELETE FROM skill_broader WHERE skill_id = ANY($1::uuid[])', [batch]);
      await tx.query('UPDATE skills SET parent_id = NULL WHERE id = ANY($1::uuid[]) AND parent_id IS NOT NULL', [
        batch,
      ]);
    }
    const known = parsed.broader.flatMap((edge) => {
      const skillId = ids.get(edge.uri);
      const broaderId = ids.get(edge.broaderUri);
      return skillId && broaderId ? [{ skillId, broaderId }] : [];
    });
    done = 0;
    for (const batch of batches(known, 10_000)) {
      await tx.query(
        `INSERT INTO skill_broader (skill_id, broader_id)
         SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
        [batch.map((r) => r.skillId), batch.map((r) => r.broaderId)],
      );
      done += batch.length;
      onProgress({ phase: 'write', step: 'hierarchy', done, total: known.length });
    }
    const primary = new Map<string, string>();
    for (const edge of known) if (!primary.has(edge.skillId)) primary.set(edge.skillId, edge.broaderId);
    for (const batch of batches([...primary.entries()], 10_000)) {
      await tx.query(
        `UPDATE skills s SET parent_id = r.parent_id
         FROM unnest($1::uuid[], $2::uuid[]) AS r(id, parent_id) WHERE s.id = r.id`,
        [batch.map(([id]) => id), batch.map(([, parent]) => parent)],
      );
    }
    const inserted = known.length;
    summary.broaderRelations = inserted;
    const skipped = parsed.broader.length - inserted;
    if (skipped > 0) {
      summary.skipped.push({
        file: 'broaderRelationsSkillPillar.csv',
        rows: skipped,
        reason: 'refers to a concept that is not in the imported skills or skill groups (e.g. an occupation pillar)',
      });
    }
  }

  const occupations = [...parsed.occupations.entries()];
  const occupationIds = new Map<string, string>();
  done = 0;
  for (const batch of batches(occupations)) {
    const rows = await tx.query<{ id: string; uri: string; inserted: boolean }>(
      `INSERT INTO occupations AS o (uri, code, isco_group, label, alt_labels, description)
       SELECT uri, code, isco_group, label, alt_labels, description
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[])
         AS x(uri, code, isco_group, label, alt_labels, description)
       ON CONFLICT (uri) DO UPDATE SET code = EXCLUDED.code, isco_group = EXCLUDED.isco_group,
         label = o.label || EXCLUDED.label, alt_labels = o.alt_labels || EXCLUDED.alt_labels,
         description = o.description || EXCLUDED.description, updated_at = now()
       RETURNING o.id, o.uri, (xmax = 0) AS inserted`,
      [
        batch.map(([uri]) => uri),
        batch.map(([, o]) => o.code),
        batch.map(([, o]) => o.iscoGroup),
        batch.map(([, o]) => JSON.stringify(o.label)),
        batch.map(([, o]) => JSON.stringify(o.altLabels)),
        batch.map(([, o]) => JSON.stringify(o.description)),
      ],
    );
    for (const row of rows) {
      occupationIds.set(row.uri, row.id);
      if (row.inserted) summary.occupations.created++;
      else summary.occupations.updated++;
    }
    done += batch.length;
    onProgress({ phase: 'write', step: 'occupations', done, total: occupations.length });
  }

  if (parsed.occupationSkills) {
    await resolveSkillIds(
      tx,
      framework.id,
      ids,
      parsed.occupationSkills.map((r) => r.skillUri),
    );
    // Occupations not in this import may already be in the database (an earlier import).
    const missing = [...new Set(parsed.occupationSkills.map((r) => r.occupationUri))].filter(
      (u) => !occupationIds.has(u),
    );
    for (const batch of batches(missing, 10_000)) {
      const rows = await tx.query<{ id: string; uri: string }>(
        'SELECT id, uri FROM occupations WHERE uri = ANY($1::text[])',
        [batch],
      );
      for (const row of rows) occupationIds.set(row.uri, row.id);
    }
    // The skill lists of the occupations in the file are replaced.
    const listed = [...new Set(parsed.occupationSkills.map((r) => occupationIds.get(r.occupationUri)))].filter(
      (id) => id !== undefined,
    );
    for (const batch of batches(listed, 10_000)) {
      await tx.query('DELETE FROM occupation_skills WHERE occupation_id = ANY($1::uuid[])', [batch]);
    }
    const known = parsed.occupationSkills.flatMap((r) => {
      const occupationId = occupationIds.get(r.occupationUri);
      const skillId = ids.get(r.skillUri);
      return occupationId && skillId ? [{ occupationId, skillId, relationType: r.relationType }] : [];
    });
    done = 0;
    for (const batch of batches(known, 10_000)) {
      await tx.query(
        `INSERT INTO occupation_skills (occupation_id, skill_id, relation_type)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])
         ON CONFLICT (occupation_id, skill_id) DO UPDATE SET relation_type = EXCLUDED.relation_type`,
        [batch.map((r) => r.occupationId), batch.map((r) => r.skillId), batch.map((r) => r.relationType)],
      );
      done += batch.length;
      onProgress({ phase: 'write', step: 'occupation–skill relations', done, total: known.length });
    }
    const inserted = known.length;
    summary.occupationSkillRelations = inserted;
    const skipped = parsed.occupationSkills.length - inserted;
    if (skipped > 0) {
      summary.skipped.push({
        file: 'occupationSkillRelations.csv',
        rows: skipped,
        reason: 'refers to an occupation or skill that is not imported',
      });
    }
  }

  if (parsed.skillSkills) {
    await resolveSkillIds(
      tx,
      framework.id,
      ids,
      parsed.skillSkills.flatMap((r) => [r.skillUri, r.relatedUri]),
    );
    const originals = [...new Set(parsed.skillSkills.map((r) => ids.get(r.skillUri)))].filter((id) => id !== undefined);
    for (const batch of batches(originals, 10_000)) {
      await tx.query('DELETE FROM skill_relations WHERE skill_id = ANY($1::uuid[])', [batch]);
    }
    const known = parsed.skillSkills.flatMap((r) => {
      const skillId = ids.get(r.skillUri);
      const relatedId = ids.get(r.relatedUri);
      return skillId && relatedId ? [{ skillId, relatedId, relationType: r.relationType }] : [];
    });
    for (const batch of batches(known, 10_000)) {
      await tx.query(
        `INSERT INTO skill_relations (skill_id, related_skill_id, relation_type)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])
         ON CONFLICT (skill_id, related_skill_id) DO UPDATE SET relation_type = EXCLUDED.relation_type`,
        [batch.map((r) => r.skillId), batch.map((r) => r.relatedId), batch.map((r) => r.relationType)],
      );
    }
    const inserted = known.length;
    summary.skillSkillRelations = inserted;
    const skipped = parsed.skillSkills.length - inserted;
    if (skipped > 0) {
      summary.skipped.push({
        file: 'skillSkillRelations.csv',
        rows: skipped,
        reason: 'refers to a skill that is not imported',
      });
    }
  }
}

/** Imports an ESCO CSV folder. Throws `ESCO_IMPORT_INVALID` naming file, line and problem; then nothing is written. */
export async function importEsco(
  db: Database,
  folder: string,
  options: { version?: string; onProgress?: (progress: EscoProgress) => void } = {},
): Promise<EscoImportSummary> {
  const started = Date.now();
  const onProgress = options.onProgress ?? (() => {});
  const { files, ignored } = await findFiles(folder);
  const conceptFiles = files.filter((file) => file.language);
  if (!conceptFiles.some((file) => file.kind === 'skills')) {
    throw new AppError(
      'ESCO_IMPORT_INVALID',
      `No ESCO skills file (skills_<language>.csv) was found in ${folder}. Unpack the official ESCO CSV download there.`,
    );
  }
  const problems: ErrorDetail[] = [];
  const parsed = await readFileSet(files, problems, onProgress);
  if (problems.length > 0) {
    const first = problems[0] as ErrorDetail;
    throw new AppError(
      'ESCO_IMPORT_INVALID',
      `The ESCO files have ${problems.length >= MAX_PROBLEMS ? `at least ${MAX_PROBLEMS}` : problems.length} problem(s); nothing was imported. First: ${first.file}, line ${first.line}: ${first.problem}`,
      problems,
    );
  }
  const languages = [...new Set(conceptFiles.map((file) => file.language as string))].sort();
  const version = options.version ?? /v(\d+(?:\.\d+){1,2})/.exec(path.resolve(folder))?.[1] ?? '';
  const summary: EscoImportSummary = {
    folder,
    version,
    languages,
    files: files.map((file) => ({ file: file.name, rows: parsed.rows.get(file.name) ?? 0 })),
    ignoredFiles: ignored,
    skills: { created: 0, updated: 0 },
    skillGroups: { created: 0, updated: 0 },
    occupations: { created: 0, updated: 0 },
    labels: 0,
    broaderRelations: 0,
    occupationSkillRelations: 0,
    skillSkillRelations: 0,
    skipped: [],
    durationMs: 0,
  };
  await db.transaction((tx) => writeFileSet(tx, parsed, version, languages, summary, onProgress));
  await refreshSkillSearchIndexes(db);
  summary.durationMs = Date.now() - started;
  return summary;
}
