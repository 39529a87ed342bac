import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { CityRecord } from '../cities/cities.repo.ts';
import { AppError } from '../../errors.ts';
import { auditContext } from '../audit/audit.http.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { ensureBundledFrameworks } from './bundled-frameworks.ts';
import {
  Alignment,
  BrowseQuery,
  CityCrosswalkParams,
  CityParams,
  CitySkillParams,
  CitySpine,
  Crosswalk,
  CrosswalkBody,
  CrosswalkList,
  FrameworkParams,
  LanguageQuery,
  LocalSkillBody,
  LocalSkillPatch,
  SearchQuery,
  SetCityFrameworksBody,
  SkillDetail,
  SkillFramework,
  SkillFrameworkList,
  SkillPage,
  SkillParams,
  SkillSearchResult,
  SkillSearchResults,
  SkillSummary,
} from './skills.schemas.ts';
import {
  browseFramework,
  type CrosswalkView,
  createCrosswalk,
  createLocalSkill,
  deleteCrosswalk,
  deleteLocalSkill,
  getCitySpine,
  getFramework,
  getNetworkSkill,
  getSpineSkill,
  listCityCrosswalks,
  listFrameworks,
  pickText,
  type SkillDetail as SkillDetailData,
  searchSpine,
  setCityFrameworks,
  shareCityFrameworksWith,
  skillPagePath,
  toAlignment,
  toFrameworkView,
  toSkillSummary,
  updateLocalSkill,
} from './skills.service.ts';

/** The city resolved by the auth plugin from `:citySlug` (it answers 404 before the handler when there is none). */
function cityOf(request: FastifyRequest): CityRecord {
  if (!request.city) throw new AppError('CITY_NOT_FOUND');
  return request.city;
}

export function toSkillDetailBody(
  detail: SkillDetailData,
  options: { language: string; publicUrl: string; city: Pick<CityRecord, 'slug' | 'defaultLanguage'> | null },
) {
  const { skill } = detail;
  const fallbacks = options.city ? [options.city.defaultLanguage] : [];
  const summary = (s: Parameters<typeof toSkillSummary>[0]) => toSkillSummary(s, options.language, fallbacks);
  const description = pickText(skill.description, options.language, fallbacks);
  return {
    ...summary(skill),
    description: description.text,
    descriptionLanguage: description.language,
    labels: skill.label,
    descriptions: skill.description,
    alternativeLabels: detail.alternativeLabels,
    parentId: skill.parentId,
    ancestors: detail.ancestors.map((a) => summary({ ...a, framework: skill.framework })),
    children: detail.children.map((c) => ({
      ...summary({ ...c, framework: skill.framework }),
      childCount: c.childCount,
    })),
    childCount: detail.childCount,
    crosswalks: detail.crosswalks.map((c) => ({ id: c.id, relation: c.relation, skill: summary(c.skill) })),
    related: detail.related.map((r) => ({ relationType: r.relationType, skill: summary(r.skill) })),
    occupations: detail.occupations.map((o) => ({
      uri: o.uri,
      label: pickText(o.label, options.language).text,
      relationType: o.relationType,
      iscoGroup: o.iscoGroup,
    })),
    earners: detail.earners,
    frameworkDetails: toFrameworkView(skill.framework, options.language),
    alignment: toAlignment(skill, {
      publicUrl: options.publicUrl,
      citySlug: options.city?.slug ?? '',
      language: options.language,
    }),
    pageUrl: options.city ? `${options.publicUrl}${skillPagePath(options.city.slug, skill.id)}` : null,
  };
}

function crosswalkBody(crosswalk: CrosswalkView, language: string, fallbacks: string[]) {
  return {
    id: crosswalk.id,
    relation: crosswalk.relation,
    source: toSkillSummary(crosswalk.source, language, fallbacks),
    target: toSkillSummary(crosswalk.target, language, fallbacks),
    createdAt: new Date(crosswalk.createdAt).toISOString(),
  };
}

export async function skillsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [
    SkillFramework,
    SkillFrameworkList,
    SkillSummary,
    SkillSearchResult,
    SkillSearchResults,
    SkillPage,
    Alignment,
    SkillDetail,
    CitySpine,
    Crosswalk,
    CrosswalkList,
  ]) {
    app.addSchema(schema);
  }

  // The bundled frameworks are reference data: load (or refresh) them once the database is migrated.
  app.addHook('onReady', async () => {
    const [row] = await app.db.query<{ ready: boolean }>("SELECT to_regclass('skill_frameworks') IS NOT NULL AS ready");
    if (row?.ready) await ensureBundledFrameworks(app.db);
  });

  const tags = ['skills'];
  const publicUrl = app.config.publicUrl;

  app.get(
    '/api/v1/skill-frameworks',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listSkillFrameworks',
        tags,
        summary: 'List the competence frameworks of this deployment (bundled and ESCO)',
        querystring: LanguageQuery,
        response: { 200: Type.Ref('SkillFrameworkList'), ...errorResponses(400) },
      },
    },
    async (request) => {
      const language = request.query.lang ?? 'en';
      const frameworks = await listFrameworks(app.db);
      return { items: frameworks.map((f) => ({ ...toFrameworkView(f, language), skillCount: f.skillCount })) };
    },
  );

  app.get(
    '/api/v1/skill-frameworks/:frameworkSlug',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getSkillFramework',
        tags,
        summary: 'Get one framework with its proficiency levels and attribution',
        params: FrameworkParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('SkillFramework'), ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      toFrameworkView(await getFramework(app.db, request.params.frameworkSlug), request.query.lang ?? 'en'),
  );

  app.get(
    '/api/v1/skill-frameworks/:frameworkSlug/skills',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'browseSkillFramework',
        tags,
        summary: 'Browse a framework: its top level, or the children of `parent`',
        params: FrameworkParams,
        querystring: BrowseQuery,
        response: { 200: Type.Ref('SkillPage'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { lang = 'en', parent, limit, offset } = request.query;
      const framework = await getFramework(app.db, request.params.frameworkSlug);
      const page = await browseFramework(app.db, framework, parent ?? null, { limit, offset });
      return {
        items: page.items.map((s) => ({ ...toSkillSummary(s, lang), childCount: s.childCount })),
        total: page.total,
        limit,
        offset,
      };
    },
  );

  app.get(
    '/api/v1/skills/:skillId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getFrameworkSkill',
        tags,
        summary: 'Get a framework or ESCO skill with its hierarchy, ESCO relations and occupations',
        params: SkillParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('SkillDetail'), ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      toSkillDetailBody(await getNetworkSkill(app.db, request.params.skillId), {
        language: request.query.lang ?? 'en',
        publicUrl,
        city: null,
      }),
  );

  app.get(
    '/api/v1/cities/:citySlug/skill-frameworks',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCitySkillSpine',
        tags,
        summary: 'The frameworks that form a city’s skills spine, and its local framework',
        params: CityParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('CitySpine'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const language = request.query.lang ?? city.defaultLanguage;
      const spine = await getCitySpine(app.db, city.id);
      return {
        frameworks: spine.frameworks.map((f) => toFrameworkView(f, language)),
        local: spine.local ? toFrameworkView(spine.local, language) : null,
      };
    },
  );

  app.put(
    '/api/v1/cities/:citySlug/skill-frameworks',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'setCitySkillSpine',
        tags,
        summary: 'Choose the frameworks of the city’s skills spine (curators)',
        params: CityParams,
        body: SetCityFrameworksBody,
        response: { 200: Type.Ref('CitySpine'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const spine = await setCityFrameworks(app.db, city.id, request.body.frameworks, auditContext(request));
      return {
        frameworks: spine.frameworks.map((f) => toFrameworkView(f, city.defaultLanguage)),
        local: spine.local ? toFrameworkView(spine.local, city.defaultLanguage) : null,
      };
    },
  );

  app.post(
    '/api/v1/cities/:citySlug/skill-frameworks/share',
    {
      config: { access: 'network_admin' },
      schema: {
        operationId: 'shareCitySkillSpine',
        tags,
        summary: 'Give other cities the same framework choice as this one (network admins)',
        params: CityParams,
        body: Type.Object(
          { cities: Type.Array(Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }), { minItems: 1 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ updated: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      updated: await shareCityFrameworksWith(app.db, cityOf(request).id, request.body.cities, auditContext(request)),
    }),
  );

  app.get(
    '/api/v1/cities/:citySlug/skills',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'searchCitySkills',
        tags,
        summary: 'Search the city’s skills spine (labels and alternative labels; English fallback; crosswalks)',
        params: CityParams,
        querystring: SearchQuery,
        response: { 200: Type.Ref('SkillSearchResults'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      reply.header('cache-control', 'public, max-age=60');
      const items = await searchSpine(app.db, city, {
        query: request.query.q,
        language: request.query.lang ?? city.defaultLanguage,
        limit: request.query.limit,
        frameworks: request.query.framework,
      });
      return { items };
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/skills/:skillId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCitySkill',
        tags,
        summary: 'Get a skill of the city’s spine with its relations, crosswalks, earners and OB 3.0 alignment',
        params: CitySkillParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('SkillDetail'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      return toSkillDetailBody(await getSpineSkill(app.db, city.id, request.params.skillId), {
        language: request.query.lang ?? city.defaultLanguage,
        publicUrl,
        city,
      });
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/skills/:skillId/alignment',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCitySkillAlignment',
        tags,
        summary: 'A skill as an Open Badges 3.0 Alignment',
        params: CitySkillParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('Alignment'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const detail = await getSpineSkill(app.db, city.id, request.params.skillId);
      return toAlignment(detail.skill, {
        publicUrl,
        citySlug: city.slug,
        language: request.query.lang ?? city.defaultLanguage,
      });
    },
  );

  app.post(
    '/api/v1/cities/:citySlug/local-skills',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'createLocalSkill',
        tags,
        summary: 'Create a local skill of the city (curators)',
        params: CityParams,
        body: LocalSkillBody,
        response: { 201: Type.Ref('SkillDetail'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const skill = await createLocalSkill(app.db, city, request.body, auditContext(request));
      reply.code(201);
      return toSkillDetailBody(await getSpineSkill(app.db, city.id, skill.id), {
        language: city.defaultLanguage,
        publicUrl,
        city,
      });
    },
  );

  app.patch(
    '/api/v1/cities/:citySlug/local-skills/:skillId',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'updateLocalSkill',
        tags,
        summary: 'Change a local skill (curators); only the fields given change',
        params: CitySkillParams,
        body: LocalSkillPatch,
        response: { 200: Type.Ref('SkillDetail'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      await updateLocalSkill(app.db, city.id, request.params.skillId, request.body, auditContext(request));
      return toSkillDetailBody(await getSpineSkill(app.db, city.id, request.params.skillId), {
        language: city.defaultLanguage,
        publicUrl,
        city,
      });
    },
  );

  app.delete(
    '/api/v1/cities/:citySlug/local-skills/:skillId',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'deleteLocalSkill',
        tags,
        summary: 'Delete a local skill without sub-skills (curators); its crosswalks go with it',
        params: CitySkillParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deleteLocalSkill(app.db, cityOf(request).id, request.params.skillId, auditContext(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/crosswalks',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listCrosswalks',
        tags,
        summary: 'The city’s crosswalks between skills',
        params: CityParams,
        querystring: LanguageQuery,
        response: { 200: Type.Ref('CrosswalkList'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const language = request.query.lang ?? city.defaultLanguage;
      const crosswalks = await listCityCrosswalks(app.db, city.id);
      return { items: crosswalks.map((c) => crosswalkBody(c, language, [city.defaultLanguage])) };
    },
  );

  app.post(
    '/api/v1/cities/:citySlug/crosswalks',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'createCrosswalk',
        tags,
        summary: 'Map one skill to another (curators); cycles of broader/narrower are refused',
        params: CityParams,
        body: CrosswalkBody,
        response: { 201: Type.Ref('Crosswalk'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const crosswalk = await createCrosswalk(app.db, city.id, request.body, auditContext(request));
      reply.code(201);
      return crosswalkBody(crosswalk, city.defaultLanguage, [city.defaultLanguage]);
    },
  );

  app.delete(
    '/api/v1/cities/:citySlug/crosswalks/:crosswalkId',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'deleteCrosswalk',
        tags,
        summary: 'Remove a crosswalk (curators)',
        params: CityCrosswalkParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteCrosswalk(app.db, cityOf(request).id, request.params.crosswalkId, auditContext(request));
      return reply.code(204).send(null);
    },
  );
}
