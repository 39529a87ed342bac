import { findCityBySlug } from '../cities/cities.repo.ts';
import { isSupportedLanguage, supportedLanguages, translatorFor } from '../../../web/i18n.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { CrosswalkRelation, SkillLabelKind } from '../../db/schema.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { type AuditContext, recordAudit } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  type CityFrameworkRecord,
  type CrosswalkRecord,
  countChildSkills,
  countFrameworkSkills,
  deleteCrosswalk as deleteCrosswalkRow,
  deleteLocalSkill as deleteLocalSkillRow,
  ensureLocalFramework,
  type FrameworkRecord,
  findLocalFramework,
  findLocalSkill,
  findLocalSkillByCode,
  findNetworkFramework,
  findNetworkSkill,
  findSkillsByIds,
  findSpineSkill,
  insertCrosswalk,
  insertLocalSkill,
  type LocalSkillInput,
  listAncestors,
  listChildSkills,
  listCityFrameworks,
  listCrosswalks,
  listCrosswalksTouching,
  listLabels,
  listNetworkFrameworks,
  listOccupationsForSkill,
  listRelatedEscoSkills,
  lockCityCrosswalks,
  replaceCityFrameworks,
  replaceSkillLabels,
  type SkillRecord,
  searchLabels,
  updateLocalSkill as updateLocalSkillRow,
  wouldNestUnderItself,
} from './skills.repo.ts';

export type SkillWithFramework = SkillRecord & { framework: FrameworkRecord };

// ── Text per language ───────────────────────────────────────────────────────────────────────────────────────────

/** A text in the wanted language, else English, else any; with the language it is in (for `lang` attributes). */
export function pickText(
  texts: Record<string, string> | undefined,
  language: string,
  fallbacks: string[] = [],
): { text: string; language: string } {
  for (const candidate of [language, 'en', ...fallbacks]) {
    const text = texts?.[candidate];
    if (text) return { text, language: candidate };
  }
  const [first] = Object.entries(texts ?? {});
  return first ? { text: first[1], language: first[0] } : { text: '', language };
}

// ── Views ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** A framework as the API shows it: the record's public fields, with the title in one language. */
export type FrameworkView = Pick<
  FrameworkRecord,
  'slug' | 'kind' | 'shortTitle' | 'version' | 'publisher' | 'licence' | 'url' | 'citation' | 'attribution' | 'levels'
> & { title: string };

/** The name shown in tags: a local framework is called by its title ("Vilnius local skills"). */
export function frameworkShortTitle(framework: FrameworkRecord, language: string): string {
  return framework.kind === 'local' ? pickText(framework.title, language).text : framework.shortTitle;
}

export function toFrameworkView(framework: FrameworkRecord, language: string): FrameworkView {
  return {
    slug: framework.slug,
    kind: framework.kind,
    title: pickText(framework.title, language).text,
    shortTitle: frameworkShortTitle(framework, language),
    version: framework.version,
    publisher: framework.publisher,
    licence: framework.licence,
    url: framework.url,
    citation: framework.citation,
    attribution: framework.attribution,
    levels: framework.levels,
  };
}

export interface SkillSummary {
  id: string;
  code: string;
  kind: SkillRecord['kind'];
  label: string;
  /** The language `label` is in: the asked one, or a fallback. */
  labelLanguage: string;
  framework: { slug: string; shortTitle: string; kind: FrameworkRecord['kind'] };
  /** The framework's proficiency levels, for a level choice next to the skill (empty when it has none). */
  levels: { id: string; name: string }[];
}

export function toSkillSummary(skill: SkillWithFramework, language: string, fallbacks: string[] = []): SkillSummary {
  const label = pickText(skill.label, language, fallbacks);
  return {
    id: skill.id,
    code: skill.code,
    kind: skill.kind,
    label: label.text,
    labelLanguage: label.language,
    framework: {
      slug: skill.framework.slug,
      shortTitle: frameworkShortTitle(skill.framework, language),
      kind: skill.framework.kind,
    },
    levels: skill.framework.levels.map((level) => ({ id: level.id, name: level.name })),
  };
}

// ── Open Badges 3.0 alignment ───────────────────────────────────────────────────────────────────────────────────

/** An Open Badges 3.0 `Alignment` object. */
export interface Alignment {
  type: ['Alignment'];
  targetName: string;
  targetUrl: string;
  targetDescription?: string;
  targetCode: string;
  targetFramework: string;
  targetType: 'ceasn:Competency';
}

/** A skill's public page in a city. */
export function skillPagePath(citySlug: string, skillId: string): string {
  return `/c/${citySlug}/skills/${skillId}`;
}

/**
 * The skill as an Open Badges 3.0 alignment, for badge classes and jobs. ESCO concepts keep their concept URI;
 * bundled framework competences use `<framework url>#<competence id>`; local skills use their public page.
 */
export function toAlignment(
  skill: SkillWithFramework,
  options: { publicUrl: string; citySlug: string; language: string },
): Alignment {
  const { framework } = skill;
  const name = pickText(skill.label, options.language).text;
  const description = pickText(skill.description, options.language).text;
  const targetUrl =
    framework.kind === 'esco'
      ? skill.code
      : framework.kind === 'bundled' && framework.url
        ? `${framework.url}#${encodeURIComponent(skill.code)}`
        : `${options.publicUrl}${skillPagePath(options.citySlug, skill.id)}`;
  return {
    type: ['Alignment'],
    targetName: name,
    targetUrl,
    ...(description ? { targetDescription: description } : {}),
    targetCode: skill.code,
    targetFramework:
      framework.kind === 'local' ? pickText(framework.title, options.language).text : framework.shortTitle,
    targetType: 'ceasn:Competency',
  };
}

/** The alignment of a skill in the city's spine; what the badges, playlists and jobs capabilities call. */
export async function skillAlignment(
  db: SqlRunner,
  city: Pick<CityRecord, 'id' | 'slug'>,
  skillId: string,
  options: { publicUrl: string; language: string },
): Promise<Alignment> {
  const skill = await findSpineSkill(db, city.id, skillId);
  if (!skill) throw new AppError('SKILL_NOT_FOUND');
  return toAlignment(skill, { ...options, citySlug: city.slug });
}

// ── Earners (small numbers suppressed) ──────────────────────────────────────────────────────────────────────────

/** Counts the people in a city who have shown a skill (e.g. hold a badge aligned to it). Capabilities register one. */
export type SkillEarnerCounter = (db: SqlRunner, cityId: string, skillId: string) => Promise<number>;

const earnerCounters: SkillEarnerCounter[] = [];

/** Lets a capability that records earned skills (badges, …) contribute to skill pages' earner counts. */
export function registerSkillEarnerCounter(counter: SkillEarnerCounter): void {
  if (!earnerCounters.includes(counter)) earnerCounters.push(counter);
}

/** Counts under this are never shown, so no one can be singled out. */
export const EARNER_COUNT_THRESHOLD = 5;

export interface EarnerCount {
  /** The count, or null when it is under the threshold and therefore hidden. */
  count: number | null;
  suppressed: boolean;
  threshold: number;
}

export function suppressSmallCount(count: number, threshold = EARNER_COUNT_THRESHOLD): EarnerCount {
  return count < threshold ? { count: null, suppressed: true, threshold } : { count, suppressed: false, threshold };
}

export async function skillEarnerCount(db: SqlRunner, cityId: string, skillId: string): Promise<EarnerCount> {
  let total = 0;
  for (const counter of earnerCounters) total += await counter(db, cityId, skillId);
  return suppressSmallCount(total);
}

/** Records a curator's or admin's change in the audit log, inside its transaction (the demo seed passes null). */
async function audit(
  tx: SqlRunner,
  context: AuditContext | null,
  event: {
    cityId: string;
    action: string;
    targetType: string;
    targetId: string | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  if (context) await recordAudit(tx, context, event);
}

const auditSkill = (skill: SkillRecord) => ({
  code: skill.code,
  parentId: skill.parentId,
  label: skill.label,
  description: skill.description,
});

// ── Frameworks and the city's choice ────────────────────────────────────────────────────────────────────────────

export async function listFrameworks(db: SqlRunner): Promise<(FrameworkRecord & { skillCount: number })[]> {
  const frameworks = await listNetworkFrameworks(db);
  return Promise.all(
    frameworks.map(async (framework) => ({ ...framework, skillCount: await countFrameworkSkills(db, framework.id) })),
  );
}

export async function getFramework(db: SqlRunner, slug: string): Promise<FrameworkRecord> {
  const framework = await findNetworkFramework(db, slug);
  if (!framework) throw new AppError('SKILL_FRAMEWORK_NOT_FOUND', `No framework "${slug}" exists here.`);
  return framework;
}

export interface CitySpine {
  frameworks: CityFrameworkRecord[];
  local: FrameworkRecord | undefined;
}

export async function getCitySpine(db: SqlRunner, cityId: string): Promise<CitySpine> {
  const [frameworks, local] = await Promise.all([listCityFrameworks(db, cityId), findLocalFramework(db, cityId)]);
  return { frameworks, local };
}

/** Sets which network frameworks form the city's spine (its local skills are always part of it). */
export async function setCityFrameworks(
  db: Database,
  cityId: string,
  slugs: string[],
  context: AuditContext | null,
): Promise<CitySpine> {
  const unique = [...new Set(slugs)];
  return db.transaction(async (tx) => {
    const problems: ErrorDetail[] = [];
    const ids: string[] = [];
    for (const [index, slug] of unique.entries()) {
      const framework = await findNetworkFramework(tx, slug);
      if (framework) ids.push(framework.id);
      else problems.push({ field: `/frameworks/${index}`, problem: `No framework "${slug}" exists here.` });
    }
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
    const before = (await listCityFrameworks(tx, cityId)).map((framework) => framework.slug);
    await replaceCityFrameworks(tx, cityId, ids);
    await audit(tx, context, {
      cityId,
      action: 'skills.frameworks.set',
      targetType: 'city',
      targetId: cityId,
      before,
      after: unique,
    });
    return getCitySpine(tx, cityId);
  });
}

/** Copies one city's framework choice to other cities (a network admin sharing a spine). */
/**
 * Gives the cities named by slug the same framework choice as `fromCityId` (network admins). Unknown slugs fail the
 * whole request with CITY_NOT_FOUND; the source city itself is skipped.
 */
export async function shareCityFrameworksWith(
  db: Database,
  fromCityId: string,
  citySlugs: string[],
  context: AuditContext | null,
): Promise<number> {
  if (citySlugs.length === 0) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/cities', problem: 'Choose at least one city.' }]);
  }
  const targets: string[] = [];
  for (const slug of new Set(citySlugs)) {
    const city = await findCityBySlug(db, slug);
    if (!city)
      throw new AppError('CITY_NOT_FOUND', `No city "${slug}" exists here.`, [
        { field: '/cities', problem: `unknown city ${slug}` },
      ]);
    if (city.id !== fromCityId) targets.push(city.id);
  }
  return shareCityFrameworks(db, fromCityId, targets, context);
}

export async function shareCityFrameworks(
  db: Database,
  fromCityId: string,
  toCityIds: string[],
  context: AuditContext | null,
): Promise<number> {
  return db.transaction(async (tx) => {
    const chosen = await listCityFrameworks(tx, fromCityId);
    for (const cityId of toCityIds) {
      await replaceCityFrameworks(
        tx,
        cityId,
        chosen.map((framework) => framework.id),
      );
      await audit(tx, context, {
        cityId,
        action: 'skills.frameworks.share',
        targetType: 'city',
        targetId: cityId,
        after: { from: fromCityId, frameworks: chosen.map((framework) => framework.slug) },
      });
    }
    return toCityIds.length;
  });
}

// ── Browsing ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface SkillTreePage {
  items: (SkillWithFramework & { childCount: number })[];
  total: number;
}

/** One level of a framework's tree (top level when `parentId` is null). */
export async function browseFramework(
  db: SqlRunner,
  framework: FrameworkRecord,
  parentId: string | null,
  page: { limit: number; offset: number },
): Promise<SkillTreePage> {
  const [rows, total] = await Promise.all([
    listChildSkills(db, framework.cityId, framework.id, parentId, page.limit, page.offset),
    countChildSkills(db, framework.cityId, framework.id, parentId),
  ]);
  return { items: rows.map((row) => ({ ...row, framework })), total };
}

// ── Search ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Turns what a person typed into a prefix full-text query (`data:* & anal:*`); undefined when nothing is left. */
export function toPrefixQuery(query: string): { tsQuery: string; lowered: string } | undefined {
  const lowered = query.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
  const words = lowered
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (words.length === 0) return undefined;
  return { tsQuery: words.map((word) => `${word}:*`).join(' & '), lowered };
}

export interface SkillSearchResult extends SkillSummary {
  /** The label that matched when it is not the one shown (an alternative label, or another language). */
  matched: string | null;
  /** Set when the skill was found through a crosswalk from a skill that matched. */
  via: { skillId: string; label: string; relation: CrosswalkRelation } | null;
}

/** The search languages: the asked one, English, then the city's default (labels of local skills). */
export function searchLanguages(language: string, cityDefault?: string): string[] {
  return [...new Set([language, 'en', ...(cityDefault ? [cityDefault] : [])])];
}

/**
 * Searches every label and alternative label of the city's spine in the reader's language with English as fallback,
 * and adds the skills linked to the matches by the city's crosswalks, so a search for one finds the others.
 */
export async function searchSpine(
  db: SqlRunner,
  city: Pick<CityRecord, 'id' | 'defaultLanguage'>,
  options: { query: string; language: string; limit: number; frameworks?: string[] },
): Promise<SkillSearchResult[]> {
  const parsed = toPrefixQuery(options.query);
  if (!parsed) return [];
  const spine = await getCitySpine(db, city.id);
  const allowed = [...spine.frameworks, ...(spine.local ? [spine.local] : [])].filter(
    (framework) => !options.frameworks?.length || options.frameworks.includes(framework.slug),
  );
  if (allowed.length === 0) return [];
  const languages = searchLanguages(options.language, city.defaultLanguage);
  const hits = await searchLabels(db, city.id, {
    ...parsed,
    frameworkIds: allowed.map((framework) => framework.id),
    languages,
    limit: options.limit,
  });
  const ids = hits.map((hit) => hit.skillId);
  const crosswalks = await listCrosswalksTouching(db, city.id, ids);
  const viaIds = crosswalks
    .map((c) => (ids.includes(c.sourceSkillId) ? c.targetSkillId : c.sourceSkillId))
    .filter((id) => !ids.includes(id));
  const skills = new Map(
    (await findSkillsByIds(db, city.id, [...ids, ...viaIds])).map((skill) => [skill.id, skill] as const),
  );
  const fallbacks = [city.defaultLanguage];
  const results: SkillSearchResult[] = [];
  for (const hit of hits) {
    const skill = skills.get(hit.skillId);
    if (!skill) continue;
    const summary = toSkillSummary(skill, options.language, fallbacks);
    const showMatched = hit.matchedKind === 'alternative' && hit.matchedLabel !== summary.label;
    results.push({ ...summary, matched: showMatched ? hit.matchedLabel : null, via: null });
  }
  const seen = new Set(results.map((result) => result.id));
  for (const crosswalk of crosswalks) {
    const fromSource = ids.includes(crosswalk.sourceSkillId);
    const otherId = fromSource ? crosswalk.targetSkillId : crosswalk.sourceSkillId;
    const matchedId = fromSource ? crosswalk.sourceSkillId : crosswalk.targetSkillId;
    const other = skills.get(otherId);
    const matched = skills.get(matchedId);
    if (!other || !matched || seen.has(otherId)) continue;
    if (!allowed.some((framework) => framework.id === other.frameworkId)) continue;
    seen.add(otherId);
    results.push({
      ...toSkillSummary(other, options.language, fallbacks),
      matched: null,
      via: {
        skillId: matched.id,
        label: pickText(matched.label, options.language, fallbacks).text,
        relation: fromSource ? crosswalk.relation : inverseRelation(crosswalk.relation),
      },
    });
  }
  return results.slice(0, options.limit);
}

/** The relation read from the other end: if B is broader than A, A is narrower than B. */
export function inverseRelation(relation: CrosswalkRelation): CrosswalkRelation {
  return relation === 'broader' ? 'narrower' : relation === 'narrower' ? 'broader' : relation;
}

// ── One skill with its relations ────────────────────────────────────────────────────────────────────────────────

export interface SkillDetail {
  skill: SkillWithFramework;
  ancestors: SkillRecord[];
  children: (SkillRecord & { childCount: number })[];
  childCount: number;
  alternativeLabels: { language: string; label: string }[];
  crosswalks: { id: string; relation: CrosswalkRelation; skill: SkillWithFramework }[];
  related: { relationType: string; skill: SkillWithFramework }[];
  occupations: { uri: string; label: Record<string, string>; relationType: string; iscoGroup: string }[];
  earners: EarnerCount;
}

export async function getSpineSkill(db: SqlRunner, cityId: string, skillId: string): Promise<SkillDetail> {
  const skill = await findSpineSkill(db, cityId, skillId);
  if (!skill) throw new AppError('SKILL_NOT_FOUND');
  return skillDetail(db, cityId, skill);
}

/** A network skill (bundled framework or ESCO) without a city: no crosswalks or earners. */
export async function getNetworkSkill(db: SqlRunner, skillId: string): Promise<SkillDetail> {
  const skill = await findNetworkSkill(db, skillId);
  if (!skill) throw new AppError('SKILL_NOT_FOUND', 'No framework skill with this id exists.');
  return skillDetail(db, null, skill);
}

async function skillDetail(db: SqlRunner, cityId: string | null, skill: SkillWithFramework): Promise<SkillDetail> {
  const [ancestors, children, childCount, labels, crosswalks, relatedRows, occupations, earners] = await Promise.all([
    listAncestors(db, skill.id),
    listChildSkills(db, skill.cityId, skill.frameworkId, skill.id, 200, 0),
    countChildSkills(db, skill.cityId, skill.frameworkId, skill.id),
    listLabels(db, [skill.id]),
    cityId ? listCrosswalks(db, cityId, skill.id) : Promise.resolve([] as CrosswalkRecord[]),
    listRelatedEscoSkills(db, skill.id, 50),
    listOccupationsForSkill(db, skill.id, 50),
    cityId ? skillEarnerCount(db, cityId, skill.id) : Promise.resolve(suppressSmallCount(0)),
  ]);
  const otherIds = [
    ...crosswalks.map((c) => (c.sourceSkillId === skill.id ? c.targetSkillId : c.sourceSkillId)),
    ...relatedRows.map((r) => r.skillId),
  ];
  const others = new Map((await findSkillsByIds(db, cityId, otherIds)).map((s) => [s.id, s] as const));
  return {
    skill,
    ancestors,
    children,
    childCount,
    alternativeLabels: labels
      .filter((label) => label.kind === 'alternative')
      .map((label) => ({ language: label.language, label: label.label })),
    crosswalks: crosswalks.flatMap((c) => {
      const fromHere = c.sourceSkillId === skill.id;
      const other = others.get(fromHere ? c.targetSkillId : c.sourceSkillId);
      return other ? [{ id: c.id, relation: fromHere ? c.relation : inverseRelation(c.relation), skill: other }] : [];
    }),
    related: relatedRows.flatMap((r) => {
      const other = others.get(r.skillId);
      return other ? [{ relationType: r.relationType, skill: other }] : [];
    }),
    occupations,
    earners,
  };
}

// ── Local skills (curators) ─────────────────────────────────────────────────────────────────────────────────────

export interface LocalSkillFields {
  code?: string;
  parentId?: string | null;
  label: Record<string, string>;
  description?: Record<string, string>;
  alternativeLabels?: Record<string, string[]>;
  position?: number;
}

const codePattern = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;

/** A code from a label: "Youth work — Facilitation" → "youth-work-facilitation". */
export function codeFromLabel(label: string): string {
  return (
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/g, '') || 'skill'
  );
}

function validateLocalSkill(fields: LocalSkillFields): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const checkLanguages = (field: string, map: Record<string, unknown> | undefined) => {
    for (const language of Object.keys(map ?? {})) {
      if (!isSupportedLanguage(language)) {
        problems.push({
          field: `/${field}/${language}`,
          problem: `"${language}" is not a supported language; use ${supportedLanguages.join(', ')}.`,
        });
      }
    }
  };
  checkLanguages('label', fields.label);
  checkLanguages('description', fields.description);
  checkLanguages('alternativeLabels', fields.alternativeLabels);
  if (!Object.values(fields.label).some((text) => text.trim())) {
    problems.push({ field: '/label', problem: 'Give the skill a name in at least one language.' });
  }
  if (fields.code !== undefined && !codePattern.test(fields.code)) {
    problems.push({ field: '/code', problem: 'Use 1–64 lowercase letters, digits, dots and hyphens.' });
  }
  return problems;
}

const trimMap = (map: Record<string, string> | undefined) =>
  Object.fromEntries(
    Object.entries(map ?? {})
      .map(([language, text]) => [language, text.trim()] as const)
      .filter(([, text]) => text),
  );

function labelsOf(fields: LocalSkillFields): { language: string; kind: SkillLabelKind; label: string }[] {
  const labels: { language: string; kind: SkillLabelKind; label: string }[] = [];
  for (const [language, label] of Object.entries(trimMap(fields.label)))
    labels.push({ language, kind: 'preferred', label });
  for (const [language, list] of Object.entries(fields.alternativeLabels ?? {})) {
    for (const label of new Set(list.map((item) => item.trim()).filter(Boolean)))
      labels.push({ language, kind: 'alternative', label });
  }
  return labels;
}

/** The title of a city's local framework in each of its languages, e.g. "Vilnius local skills". */
function localFrameworkTitle(city: Pick<CityRecord, 'name' | 'languages' | 'defaultLanguage'>) {
  const title: Record<string, string> = {};
  for (const language of new Set([...city.languages, 'en'])) {
    if (!isSupportedLanguage(language)) continue;
    const name = city.name[language] ?? city.name[city.defaultLanguage] ?? Object.values(city.name)[0] ?? '';
    title[language] = translatorFor(language)('skills:localFramework', { city: name });
  }
  return title;
}

async function checkParent(
  tx: SqlRunner,
  cityId: string,
  skillId: string | null,
  parentId: string | null | undefined,
): Promise<void> {
  if (!parentId) return;
  const parent = await findLocalSkill(tx, cityId, parentId);
  if (!parent) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/parentId', problem: 'The parent must be another local skill of this city.' },
    ]);
  }
  if (skillId && (parentId === skillId || (await wouldNestUnderItself(tx, cityId, skillId, parentId)))) {
    throw new AppError('SKILL_HIERARCHY_CYCLE');
  }
}

export async function createLocalSkill(
  db: Database,
  city: Pick<CityRecord, 'id' | 'name' | 'languages' | 'defaultLanguage'>,
  fields: LocalSkillFields,
  context: AuditContext | null,
): Promise<SkillWithFramework> {
  const problems = validateLocalSkill(fields);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    const framework = await ensureLocalFramework(tx, city.id, localFrameworkTitle(city), 'Local');
    await checkParent(tx, city.id, null, fields.parentId);
    const label = trimMap(fields.label);
    const code = fields.code ?? codeFromLabel(pickText(label, city.defaultLanguage).text);
    const input: LocalSkillInput = {
      code,
      parentId: fields.parentId ?? null,
      label,
      description: trimMap(fields.description),
      details: {},
      position: fields.position ?? 0,
    };
    const skill = await insertLocalSkill(tx, city.id, framework.id, input);
    if (!skill) {
      throw new AppError('SKILL_CODE_TAKEN', `Another local skill already uses the code "${code}".`, [
        { field: '/code', problem: 'taken' },
      ]);
    }
    await replaceSkillLabels(tx, city.id, skill, labelsOf(fields));
    await audit(tx, context, {
      cityId: city.id,
      action: 'skills.local.create',
      targetType: 'skill',
      targetId: skill.id,
      after: auditSkill(skill),
    });
    return { ...skill, framework };
  });
}

export async function updateLocalSkill(
  db: Database,
  cityId: string,
  skillId: string,
  patch: Partial<LocalSkillFields>,
  context: AuditContext | null,
): Promise<SkillWithFramework> {
  return db.transaction(async (tx) => {
    const existing = await findLocalSkill(tx, cityId, skillId);
    if (!existing) throw new AppError('SKILL_NOT_FOUND');
    const currentLabels = await listLabels(tx, [skillId]);
    const currentAlternatives: Record<string, string[]> = {};
    for (const label of currentLabels.filter((l) => l.kind === 'alternative')) {
      currentAlternatives[label.language] = [...(currentAlternatives[label.language] ?? []), label.label];
    }
    const fields: LocalSkillFields = {
      code: patch.code ?? existing.code,
      parentId: patch.parentId === undefined ? existing.parentId : patch.parentId,
      label: patch.label ?? existing.label,
      description: patch.description ?? existing.description,
      alternativeLabels: patch.alternativeLabels ?? currentAlternatives,
      position: patch.position ?? existing.position,
    };
    const problems = validateLocalSkill(fields);
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
    await checkParent(tx, cityId, skillId, fields.parentId);
    if (fields.code !== existing.code) {
      const clash = await findLocalSkillByCode(tx, cityId, fields.code as string);
      if (clash) throw new AppError('SKILL_CODE_TAKEN', undefined, [{ field: '/code', problem: 'taken' }]);
    }
    const updated = await updateLocalSkillRow(tx, cityId, skillId, {
      code: fields.code as string,
      parentId: fields.parentId ?? null,
      label: trimMap(fields.label),
      description: trimMap(fields.description),
      details: existing.details,
      position: fields.position ?? 0,
    });
    if (!updated) throw new AppError('SKILL_NOT_FOUND');
    await replaceSkillLabels(tx, cityId, updated, labelsOf(fields));
    await audit(tx, context, {
      cityId,
      action: 'skills.local.update',
      targetType: 'skill',
      targetId: skillId,
      before: auditSkill(existing),
      after: auditSkill(updated),
    });
    const framework = (await findLocalFramework(tx, cityId)) as FrameworkRecord;
    return { ...updated, framework };
  });
}

export async function deleteLocalSkill(
  db: Database,
  cityId: string,
  skillId: string,
  context: AuditContext | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    const existing = await findLocalSkill(tx, cityId, skillId);
    if (!existing) throw new AppError('SKILL_NOT_FOUND');
    if ((await countChildSkills(tx, cityId, existing.frameworkId, skillId)) > 0)
      throw new AppError('SKILL_HAS_CHILDREN');
    await deleteLocalSkillRow(tx, cityId, skillId);
    await audit(tx, context, {
      cityId,
      action: 'skills.local.delete',
      targetType: 'skill',
      targetId: skillId,
      before: auditSkill(existing),
    });
  });
}

// ── Crosswalks (curators) ───────────────────────────────────────────────────────────────────────────────────────

export interface CrosswalkInput {
  sourceSkillId: string;
  targetSkillId: string;
  relation: CrosswalkRelation;
}

/**
 * Finds a cycle in the "is narrower than" graph made by the framework hierarchies and the city's broader/narrower
 * crosswalks, with exact matches taken as one concept. Returns the skill ids on the cycle, or undefined.
 */
export function findCrosswalkCycle(
  crosswalks: Pick<CrosswalkRecord, 'sourceSkillId' | 'targetSkillId' | 'relation'>[],
  parents: { id: string; parentId: string }[],
): string[] | undefined {
  const root = new Map<string, string>();
  const find = (id: string): string => {
    let current = id;
    while (root.has(current) && root.get(current) !== current) current = root.get(current) as string;
    root.set(id, current);
    return current;
  };
  for (const c of crosswalks) {
    if (c.relation === 'exact') {
      const a = find(c.sourceSkillId);
      const b = find(c.targetSkillId);
      if (a !== b) root.set(a, b);
    }
  }
  // Edges point from the narrower concept to the broader one.
  const edges: [string, string][] = parents.map((p) => [p.id, p.parentId]);
  for (const c of crosswalks) {
    if (c.relation === 'broader') edges.push([c.sourceSkillId, c.targetSkillId]);
    if (c.relation === 'narrower') edges.push([c.targetSkillId, c.sourceSkillId]);
  }
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const a = find(from);
    const b = find(to);
    if (a === b) return [from, to];
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const state = new Map<string, 1 | 2>();
  const visit = (node: string, trail: string[]): string[] | undefined => {
    state.set(node, 1);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === 1) return [...trail.slice(trail.indexOf(to)), node, to];
      if (!state.has(to)) {
        const found = visit(to, [...trail, node]);
        if (found) return found;
      }
    }
    state.set(node, 2);
    return undefined;
  };
  for (const node of next.keys()) {
    if (state.has(node)) continue;
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}

async function ancestorLinks(tx: SqlRunner, skillIds: string[]): Promise<{ id: string; parentId: string }[]> {
  if (skillIds.length === 0) return [];
  return tx.query<{ id: string; parentId: string }>(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM skills WHERE id = ANY($1::uuid[]) AND parent_id IS NOT NULL
       UNION
       SELECT s.id, s.parent_id, up.depth + 1 FROM skills s JOIN up ON s.id = up.parent_id
       WHERE s.parent_id IS NOT NULL AND up.depth < 32
     )
     SELECT DISTINCT id, parent_id AS "parentId" FROM up`,
    [skillIds],
  );
}

export interface CrosswalkView {
  id: string;
  relation: CrosswalkRelation;
  source: SkillWithFramework;
  target: SkillWithFramework;
  createdAt: Date;
}

export async function createCrosswalk(
  db: Database,
  cityId: string,
  input: CrosswalkInput,
  context: AuditContext | null,
): Promise<CrosswalkView> {
  if (input.sourceSkillId === input.targetSkillId) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/targetSkillId', problem: 'A skill cannot be crosswalked to itself.' },
    ]);
  }
  return db.transaction(async (tx) => {
    await lockCityCrosswalks(tx, cityId);
    const [source, target] = await Promise.all([
      findSpineSkill(tx, cityId, input.sourceSkillId),
      findSpineSkill(tx, cityId, input.targetSkillId),
    ]);
    const problems: ErrorDetail[] = [];
    if (!source) problems.push({ field: '/sourceSkillId', problem: 'Not a skill of this city’s spine.' });
    if (!target) problems.push({ field: '/targetSkillId', problem: 'Not a skill of this city’s spine.' });
    if (!source || !target) throw new AppError('SKILL_NOT_FOUND', undefined, problems);
    if (source.kind !== 'local' && target.kind !== 'local' && source.frameworkId === target.frameworkId) {
      throw new AppError('VALIDATION_FAILED', undefined, [
        { field: '/targetSkillId', problem: 'Crosswalks link different frameworks; these two share one.' },
      ]);
    }
    const existing = await listCrosswalks(tx, cityId);
    const candidate = { ...input };
    const involved = [
      ...new Set([...existing.flatMap((c) => [c.sourceSkillId, c.targetSkillId]), source.id, target.id]),
    ];
    const cycle = findCrosswalkCycle([...existing, candidate], await ancestorLinks(tx, involved));
    if (cycle) {
      const names = new Map(
        (await findSkillsByIds(tx, cityId, cycle)).map((s) => [s.id, pickText(s.label, 'en').text] as const),
      );
      throw new AppError(
        'CROSSWALK_CYCLE',
        `This crosswalk would make a skill broader than itself: ${cycle.map((id) => names.get(id) ?? id).join(' → ')}.`,
        [{ field: '/relation', problem: 'cycle' }],
      );
    }
    const row = await insertCrosswalk(tx, cityId, { ...input, createdBy: context?.actorUserId ?? null });
    if (!row) throw new AppError('CROSSWALK_EXISTS');
    await audit(tx, context, {
      cityId,
      action: 'skills.crosswalk.create',
      targetType: 'skill_crosswalk',
      targetId: row.id,
      after: input,
    });
    return { id: row.id, relation: row.relation, source, target, createdAt: row.createdAt };
  });
}

export async function listCityCrosswalks(db: SqlRunner, cityId: string): Promise<CrosswalkView[]> {
  const rows = await listCrosswalks(db, cityId);
  const skills = new Map(
    (
      await findSkillsByIds(
        db,
        cityId,
        rows.flatMap((r) => [r.sourceSkillId, r.targetSkillId]),
      )
    ).map((s) => [s.id, s] as const),
  );
  return rows.flatMap((row) => {
    const source = skills.get(row.sourceSkillId);
    const target = skills.get(row.targetSkillId);
    return source && target ? [{ id: row.id, relation: row.relation, source, target, createdAt: row.createdAt }] : [];
  });
}

export async function deleteCrosswalk(
  db: Database,
  cityId: string,
  crosswalkId: string,
  context: AuditContext | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await deleteCrosswalkRow(tx, cityId, crosswalkId))) throw new AppError('CROSSWALK_NOT_FOUND');
    await audit(tx, context, {
      cityId,
      action: 'skills.crosswalk.delete',
      targetType: 'skill_crosswalk',
      targetId: crosswalkId,
    });
  });
}
