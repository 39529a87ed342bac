import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { PageContext } from '../../../web/layout.ts';
import {
  type FrameworkPageData,
  frameworkPage,
  type SkillLink,
  skillPage,
  skillsBrowsePage,
} from '../../../web/pages/skills.ts';
import type { PickerSkill } from '../../../web/pages/skills-picker.ts';
import { AppError } from '../../errors.ts';
import { isCityCurator } from '../accounts/actor.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages, cityName } from '../cities/cities.service.ts';
import { countFrameworkSkills, type FrameworkRecord } from './skills.repo.ts';
import {
  browseFramework,
  getCitySpine,
  getSpineSkill,
  listCityCrosswalks,
  pickText,
  type SkillWithFramework,
  searchSpine,
  skillPagePath,
  toAlignment,
  toFrameworkView,
  toSkillSummary,
} from './skills.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const citySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });

export function skillsPath(slug: string): string {
  return `/c/${slug}/skills`;
}

function frameworkPath(slug: string, frameworkSlug: string): string {
  return `/c/${slug}/skills/frameworks/${frameworkSlug}`;
}

function cityContext(request: FastifyRequest, reply: FastifyReply, city: CityRecord): PageContext {
  const languages = cityLanguages(city);
  const fallback = languages[0] ?? 'en';
  const homePath = `/c/${city.slug}`;
  const context = pageContext(request, reply, {
    languages,
    defaultLanguage: fallback,
    city: { slug: city.slug, name: cityName(city, fallback), homePath, status: city.status },
  });
  context.city = { slug: city.slug, name: cityName(city, context.language), homePath, status: city.status };
  return context;
}

function frameworkData(
  framework: FrameworkRecord,
  city: CityRecord,
  language: string,
  skillCount?: number,
): FrameworkPageData {
  return {
    ...toFrameworkView(framework, language),
    ...(skillCount === undefined ? {} : { skillCount }),
    href: frameworkPath(city.slug, framework.slug),
  };
}

function link(skill: SkillWithFramework, city: CityRecord, language: string, childCount?: number): SkillLink {
  return {
    ...toSkillSummary(skill, language, [city.defaultLanguage]),
    href: skillPagePath(city.slug, skill.id),
    ...(childCount === undefined ? {} : { childCount }),
  };
}

/** Builds a nested list from one framework level (and, for small frameworks, the level below). */
async function treeOf(
  request: FastifyRequest,
  framework: FrameworkRecord,
  city: CityRecord,
  language: string,
  page: { limit: number; offset: number },
  depth: number,
): Promise<{ items: SkillLink[]; total: number }> {
  const db = request.server.db;
  const level = await browseFramework(db, framework, null, page);
  const items: SkillLink[] = [];
  for (const skill of level.items) {
    const node = link(skill, city, language, skill.childCount);
    if (depth > 1 && skill.childCount > 0) {
      const children = await browseFramework(db, framework, skill.id, { limit: 200, offset: 0 });
      node.children = children.items.map((child) => link(child, city, language, child.childCount));
      if (depth > 2) {
        for (const child of node.children) {
          if ((child.childCount ?? 0) === 0) continue;
          const grandChildren = await browseFramework(db, framework, child.id, { limit: 200, offset: 0 });
          child.children = grandChildren.items.map((g) => link(g, city, language, g.childCount));
        }
      }
    }
    items.push(node);
  }
  return { items, total: level.total };
}

export async function skillsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/c/:citySlug/skills',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        params: Type.Object({ citySlug }),
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityContext(request, reply, city);
      const language = context.language;
      const spine = await getCitySpine(app.db, city.id);
      const query = (request.query.q ?? '').trim();
      const results: PickerSkill[] = query
        ? (await searchSpine(app.db, city, { query, language, limit: 20 })).map((result) => ({
            ...result,
            href: skillPagePath(city.slug, result.id),
          }))
        : [];
      const local = spine.local
        ? (await treeOf(request, spine.local, city, language, { limit: 500, offset: 0 }, 3)).items
        : [];
      const crosswalks = (await listCityCrosswalks(app.db, city.id)).map((c) => ({
        relation: c.relation,
        source: link(c.source, city, language),
        target: link(c.target, city, language),
      }));
      const frameworks = await Promise.all(
        spine.frameworks.map(async (framework) =>
          frameworkData(framework, city, language, await countFrameworkSkills(app.db, framework.id)),
        ),
      );
      return sendPage(
        reply,
        skillsBrowsePage(context, {
          cityName: context.city?.name ?? city.slug,
          citySlug: city.slug,
          frameworks,
          localSkills: local,
          crosswalks,
          query,
          results,
          ...(isCityCurator(request.actor, city.id) ? { curateHref: `/c/${city.slug}/curate/skills` } : {}),
        }),
      );
    },
  );

  app.get(
    '/c/:citySlug/skills/frameworks/:frameworkSlug',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        params: Type.Object({ citySlug, frameworkSlug: Type.String({ pattern: '^[a-z0-9.-]{1,64}$' }) }),
        querystring: Type.Object({ offset: Type.Integer({ minimum: 0, default: 0 }) }),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityContext(request, reply, city);
      const spine = await getCitySpine(app.db, city.id);
      const framework = [...spine.frameworks, ...(spine.local ? [spine.local] : [])].find(
        (f) => f.slug === request.params.frameworkSlug,
      );
      if (!framework) {
        throw new AppError(
          'SKILL_FRAMEWORK_NOT_FOUND',
          context.t('skills:framework.notInCity', { city: context.city?.name ?? city.slug }),
        );
      }
      const limit = 100;
      const offset = request.query.offset;
      // Small frameworks show areas with their competences; ESCO shows one level at a time.
      const depth = framework.kind === 'esco' ? 1 : 3;
      const tree = await treeOf(request, framework, city, context.language, { limit, offset }, depth);
      return sendPage(
        reply,
        frameworkPage(context, {
          cityName: context.city?.name ?? city.slug,
          skillsHref: skillsPath(city.slug),
          framework: frameworkData(framework, city, context.language),
          items: tree.items,
          total: tree.total,
          offset,
          limit,
        }),
      );
    },
  );

  app.get(
    '/c/:citySlug/skills/:skillId',
    {
      config: { access: 'public' },
      schema: { hide: true, params: Type.Object({ citySlug, skillId: Type.String({ format: 'uuid' }) }) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityContext(request, reply, city);
      const language = context.language;
      const detail = await getSpineSkill(app.db, city.id, request.params.skillId);
      const { skill } = detail;
      const fallbacks = [city.defaultLanguage];
      const description = pickText(skill.description, language, fallbacks);
      const alignment = toAlignment(skill, { publicUrl: app.config.publicUrl, citySlug: city.slug, language });
      return sendPage(
        reply,
        skillPage(context, {
          cityName: context.city?.name ?? city.slug,
          skillsHref: skillsPath(city.slug),
          skill: {
            ...link(skill, city, language),
            description: description.text,
            descriptionLanguage: description.language,
            alternativeLabels: detail.alternativeLabels.filter((alt) =>
              [language, 'en', city.defaultLanguage].includes(alt.language),
            ),
          },
          framework: frameworkData(skill.framework, city, language),
          ancestors: detail.ancestors.map((a) => link({ ...a, framework: skill.framework }, city, language)),
          children: detail.children.map((c) =>
            link({ ...c, framework: skill.framework }, city, language, c.childCount),
          ),
          childCount: detail.childCount,
          crosswalks: detail.crosswalks.map((c) => ({ relation: c.relation, skill: link(c.skill, city, language) })),
          related: detail.related.map((r) => ({ relationType: r.relationType, skill: link(r.skill, city, language) })),
          occupations: detail.occupations.map((o) => ({
            uri: o.uri,
            label: pickText(o.label, language).text || o.uri,
            relationType: o.relationType,
          })),
          earners: detail.earners,
          alignmentJson: JSON.stringify(alignment, null, 2),
        }),
      );
    },
  );
}
