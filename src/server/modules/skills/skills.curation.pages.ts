import { isNetworkAdmin } from '../accounts/actor.ts';
import { listCities } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import { languageName } from '../../../web/i18n.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  type CurationSkillNode,
  crosswalksPage,
  deleteLocalSkillPage,
  type LocalSkillFormValues,
  localSkillFormPage,
  relations,
  skillsCurationIndexPage,
  skillsCurationPath,
  skillsFrameworksPage,
} from '../../../web/pages/skills-curation.ts';
import type { PickerSkill } from '../../../web/pages/skills-picker.ts';
import type { CrosswalkRelation } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages } from '../cities/cities.service.ts';
import { cityPageContext, field, fields, FormBody } from '../organisations/form-body.ts';
import type { FrameworkRecord } from './skills.repo.ts';
import {
  browseFramework,
  createCrosswalk,
  createLocalSkill,
  deleteCrosswalk,
  deleteLocalSkill,
  frameworkShortTitle,
  getCitySpine,
  getSpineSkill,
  listCityCrosswalks,
  listFrameworks,
  pickText,
  type SkillDetail,
  type SkillWithFramework,
  searchSpine,
  setCityFrameworks,
  shareCityFrameworksWith,
  skillPagePath,
  toSkillSummary,
  updateLocalSkill,
} from './skills.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const citySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const skillId = Type.String({ format: 'uuid' });
const Query = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Local skills nest a few levels at most; deeper levels are still reachable from their parent's page. */
const TREE_DEPTH = 8;

/**
 * Field errors for a skills form, in the page language: the service's error codes and fields map to messages next
 * to the field they concern. Anything that is not the caller's input to fix (403, 404 without a field, 500) goes
 * to the error handler.
 */
function skillFormErrors(error: unknown, t: PageContext['t']): { errors: FieldErrors; status: number } {
  if (!(error instanceof AppError) || error.status >= 500 || error.status === 401 || error.status === 403) throw error;
  const fieldOf = (detail: { field?: string }) => (detail.field ?? '').replace(/^\//, '').split('/')[0] ?? '';
  const errors: FieldErrors = {};
  switch (error.code) {
    case 'SKILL_CODE_TAKEN':
      errors.code = t('skills:curate.errors.codeTaken');
      break;
    case 'SKILL_HIERARCHY_CYCLE':
      errors.parentId = t('skills:curate.errors.hierarchyCycle');
      break;
    case 'SKILL_HAS_CHILDREN':
      errors._form = t('skills:curate.errors.hasChildren');
      break;
    case 'CROSSWALK_CYCLE':
      errors.relation = t('skills:curate.errors.crosswalkCycle');
      break;
    case 'CROSSWALK_EXISTS':
      errors.target = t('skills:curate.errors.crosswalkExists');
      break;
    case 'SKILL_NOT_FOUND':
      if (!error.details.some((detail) => fieldOf(detail) === 'targetSkillId')) throw error;
      errors.target = t('skills:curate.errors.notInSpine');
      break;
    case 'VALIDATION_FAILED':
      for (const detail of error.details) {
        const name = fieldOf(detail);
        if (name === 'label') errors.label ??= t('skills:curate.errors.nameRequired');
        else if (name === 'code') errors.code ??= t('skills:curate.errors.codeInvalid');
        else if (name === 'parentId') errors.parentId ??= t('skills:curate.errors.parentInvalid');
        else if (name === 'targetSkillId') errors.target ??= t('skills:curate.errors.targetInvalid');
        else if (name === 'frameworks') errors.frameworks ??= t('skills:curate.errors.unknownFramework');
        else errors[name || '_form'] ??= detail.problem;
      }
      if (Object.keys(errors).length === 0) errors._form = error.message;
      break;
    default:
      if (error.status === 404) throw error;
      errors._form = error.message;
  }
  // A skill named in the form that is not in the spine is the form's problem to fix, not a missing page.
  return { errors, status: error.status === 404 ? 400 : error.status };
}

/** A local skill of this city, or 404 (framework skills and other cities' skills are not curated here). */
async function localSkillOf(request: FastifyRequest, city: CityRecord, id: string): Promise<SkillDetail> {
  const detail = await getSpineSkill(request.server.db, city.id, id);
  if (detail.skill.kind !== 'local' || detail.skill.cityId !== city.id) throw new AppError('SKILL_NOT_FOUND');
  return detail;
}

function labelOf(skill: Pick<SkillWithFramework, 'label'>, city: CityRecord, language: string) {
  return pickText(skill.label, language, [city.defaultLanguage]);
}

/** The city's local skills as a tree, with the number of crosswalks each takes part in. */
async function localTree(
  request: FastifyRequest,
  city: CityRecord,
  local: FrameworkRecord | undefined,
  language: string,
): Promise<CurationSkillNode[]> {
  if (!local) return [];
  const db = request.server.db;
  const counts = new Map<string, number>();
  for (const crosswalk of await listCityCrosswalks(db, city.id)) {
    for (const id of [crosswalk.source.id, crosswalk.target.id]) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const level = async (parentId: string | null, depth: number): Promise<CurationSkillNode[]> => {
    const page = await browseFramework(db, local, parentId, { limit: 500, offset: 0 });
    return Promise.all(
      page.items.map(async (skill) => {
        const label = labelOf(skill, city, language);
        return {
          id: skill.id,
          label: label.text,
          labelLanguage: label.language,
          code: skill.code,
          href: skillPagePath(city.slug, skill.id),
          crosswalkCount: counts.get(skill.id) ?? 0,
          children: skill.childCount > 0 && depth < TREE_DEPTH ? await level(skill.id, depth + 1) : [],
        };
      }),
    );
  };
  return level(null, 1);
}

/** Options for the parent field: every local skill, indented by depth, except `exclude` and its sub-skills. */
function parentChoices(nodes: CurationSkillNode[], exclude: string | undefined, depth = 0) {
  const choices: { value: string; label: string }[] = [];
  for (const node of nodes) {
    if (node.id === exclude) continue;
    choices.push({ value: node.id, label: `${'— '.repeat(depth)}${node.label}` });
    choices.push(...parentChoices(node.children, exclude, depth + 1));
  }
  return choices;
}

function formValues(body: FormBody | undefined, languages: string[]): LocalSkillFormValues {
  return {
    code: field(body, 'code'),
    parentId: field(body, 'parentId'),
    labels: Object.fromEntries(languages.map((language) => [language, field(body, `label_${language}`)])),
    descriptions: Object.fromEntries(languages.map((language) => [language, field(body, `description_${language}`)])),
  };
}

function pickerSkill(skill: SkillWithFramework, city: CityRecord, language: string): PickerSkill {
  return { ...toSkillSummary(skill, language, [city.defaultLanguage]), href: skillPagePath(city.slug, skill.id) };
}

/** Curator pages for the city's skills spine: frameworks, local skills and crosswalks (all writes via the service). */
export async function skillsCurationPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;
  const config = { access: 'city_curator' as const };
  const cityParams = Type.Object({ citySlug });
  const skillParams = Type.Object({ citySlug, skillId });
  const doneNotice = (context: PageContext, done: string | undefined, allowed: string[]) =>
    done && allowed.includes(done) ? context.t(`skills:curate.done.${done}`) : undefined;
  const languagesOf = (city: CityRecord) => cityLanguages(city).map((code) => ({ code, name: languageName(code) }));

  // ── Index ──
  app.get(
    '/c/:citySlug/curate/skills',
    { config, schema: { hide, params: cityParams, querystring: Query } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const spine = await getCitySpine(app.db, city.id);
      return sendPage(
        reply,
        skillsCurationIndexPage(context, {
          cityName: context.city?.name ?? city.slug,
          base: skillsCurationPath(city.slug),
          publicHref: `/c/${city.slug}/skills`,
          frameworks: spine.frameworks.map((framework) => frameworkShortTitle(framework, context.language)),
          localSkills: await localTree(request, city, spine.local, context.language),
          notice: doneNotice(context, request.query.done, ['created', 'updated', 'deleted']),
        }),
      );
    },
  );

  // ── Frameworks of the city ──
  async function renderFrameworks(
    request: FastifyRequest,
    reply: FastifyReply,
    checked: string[] | undefined,
    errors: FieldErrors,
    status = 200,
    done?: string,
    shareError?: string,
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const [frameworks, spine] = await Promise.all([listFrameworks(app.db), getCitySpine(app.db, city.id)]);
    // Network admins may give this choice to other cities.
    const share = isNetworkAdmin(request.actor)
      ? {
          cities: (await listCities(app.db))
            .filter((other) => other.id !== city.id)
            .map((other) => ({ value: other.slug, label: cityName(other, context.language) })),
          error: shareError,
        }
      : undefined;
    const chosen = spine.frameworks.map((framework) => framework.slug);
    const choices = frameworks
      // ESCO is offered once it has been imported.
      .filter((framework) => framework.skillCount > 0 || chosen.includes(framework.slug))
      .map((framework) => ({
        value: framework.slug,
        label: frameworkShortTitle(framework, context.language),
        hint: context.t('skills:curate.frameworks.choiceHint', {
          title: pickText(framework.title, context.language).text,
          count: framework.skillCount,
        }),
      }));
    return sendPage(
      reply,
      skillsFrameworksPage(context, {
        cityName: context.city?.name ?? city.slug,
        base: skillsCurationPath(city.slug),
        choices,
        checked: checked ?? chosen,
        errors,
        notice: doneNotice(context, done, ['saved', 'shared']),
        share,
      }),
      status,
    );
  }

  app.get(
    '/c/:citySlug/curate/skills/frameworks',
    { config, schema: { hide, params: cityParams, querystring: Query } },
    async (request, reply) => renderFrameworks(request, reply, undefined, {}, 200, request.query.done),
  );

  app.post(
    '/c/:citySlug/curate/skills/frameworks',
    { config, schema: { hide, params: cityParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const slugs = fields(request.body, 'frameworks');
      try {
        await setCityFrameworks(app.db, city.id, slugs, auditContext(request));
      } catch (error) {
        const { errors, status } = skillFormErrors(error, cityPageContext(request, reply, city).t);
        return renderFrameworks(request, reply, slugs, errors, status);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}/frameworks?done=saved`, 303);
    },
  );

  app.post(
    '/c/:citySlug/curate/skills/frameworks/share',
    { config: { access: 'network_admin' }, schema: { hide, params: cityParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      try {
        await shareCityFrameworksWith(app.db, city.id, fields(request.body, 'cities'), auditContext(request));
      } catch (error) {
        const { errors, status } = skillFormErrors(error, cityPageContext(request, reply, city).t);
        const problem = errors.cities ?? errors._form ?? Object.values(errors)[0];
        return renderFrameworks(request, reply, undefined, {}, status, undefined, problem);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}/frameworks?done=shared`, 303);
    },
  );

  // ── Local skills: create and edit ──
  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: LocalSkillFormValues,
    errors: FieldErrors,
    status: number,
    editing?: { id: string; label: string },
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const spine = await getCitySpine(app.db, city.id);
    const tree = await localTree(request, city, spine.local, context.language);
    return sendPage(
      reply,
      localSkillFormPage(context, {
        base: skillsCurationPath(city.slug),
        ...(editing ? { skill: editing } : {}),
        languages: languagesOf(city),
        values,
        parentChoices: parentChoices(tree, editing?.id),
        errors,
      }),
      status,
    );
  }

  /** The parent field, checked for form (not domain) validity: empty, or an id. */
  const parentProblem = (values: LocalSkillFormValues, t: PageContext['t']): FieldErrors =>
    values.parentId && !uuidPattern.test(values.parentId) ? { parentId: t('skills:curate.errors.parentInvalid') } : {};

  app.get(
    '/c/:citySlug/curate/skills/new',
    { config, schema: { hide, params: cityParams, querystring: Query } },
    async (request, reply) => {
      const languages = cityLanguages(cityOf(request));
      return renderForm(request, reply, formValues(undefined, languages), {}, 200);
    },
  );

  app.post(
    '/c/:citySlug/curate/skills/new',
    { config, schema: { hide, params: cityParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const t = cityPageContext(request, reply, city).t;
      const values = formValues(request.body, cityLanguages(city));
      const invalid = parentProblem(values, t);
      if (Object.keys(invalid).length > 0) return renderForm(request, reply, values, invalid, 400);
      try {
        await createLocalSkill(
          app.db,
          city,
          {
            ...(values.code ? { code: values.code } : {}),
            parentId: values.parentId || null,
            label: values.labels,
            description: values.descriptions,
          },
          auditContext(request),
        );
      } catch (error) {
        const { errors, status } = skillFormErrors(error, t);
        return renderForm(request, reply, values, errors, status);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}?done=created`, 303);
    },
  );

  app.get(
    '/c/:citySlug/curate/skills/:skillId/edit',
    { config, schema: { hide, params: skillParams, querystring: Query } },
    async (request, reply) => {
      const city = cityOf(request);
      const { skill } = await localSkillOf(request, city, request.params.skillId);
      const languages = cityLanguages(city);
      const values: LocalSkillFormValues = {
        code: skill.code,
        parentId: skill.parentId ?? '',
        labels: Object.fromEntries(languages.map((language) => [language, skill.label[language] ?? ''])),
        descriptions: Object.fromEntries(languages.map((language) => [language, skill.description[language] ?? ''])),
      };
      const label = labelOf(skill, city, cityPageContext(request, reply, city).language).text;
      return renderForm(request, reply, values, {}, 200, { id: skill.id, label });
    },
  );

  app.post(
    '/c/:citySlug/curate/skills/:skillId/edit',
    { config, schema: { hide, params: skillParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const t = cityPageContext(request, reply, city).t;
      const { skill } = await localSkillOf(request, city, request.params.skillId);
      const editing = {
        id: skill.id,
        label: labelOf(skill, city, cityPageContext(request, reply, city).language).text,
      };
      const values = formValues(request.body, cityLanguages(city));
      const invalid = parentProblem(values, t);
      if (Object.keys(invalid).length > 0) return renderForm(request, reply, values, invalid, 400, editing);
      try {
        // Texts in languages the city does not offer (not on the form) are kept; a cleared field removes its text.
        await updateLocalSkill(
          app.db,
          city.id,
          skill.id,
          {
            ...(values.code ? { code: values.code } : {}),
            parentId: values.parentId || null,
            label: { ...skill.label, ...values.labels },
            description: { ...skill.description, ...values.descriptions },
          },
          auditContext(request),
        );
      } catch (error) {
        const { errors, status } = skillFormErrors(error, t);
        return renderForm(request, reply, values, errors, status, editing);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}?done=updated`, 303);
    },
  );

  // ── Local skills: delete, with a confirmation page for browsers without scripts ──
  async function renderDelete(
    request: FastifyRequest,
    reply: FastifyReply,
    detail: SkillDetail,
    status = 200,
    error?: string,
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const label = labelOf(detail.skill, city, context.language);
    return sendPage(
      reply,
      deleteLocalSkillPage(context, {
        base: skillsCurationPath(city.slug),
        skill: { id: detail.skill.id, label: label.text, labelLanguage: label.language },
        childCount: detail.childCount,
        ...(error ? { error } : {}),
      }),
      status,
    );
  }

  app.get(
    '/c/:citySlug/curate/skills/:skillId/delete',
    { config, schema: { hide, params: skillParams, querystring: Query } },
    async (request, reply) =>
      renderDelete(request, reply, await localSkillOf(request, cityOf(request), request.params.skillId)),
  );

  app.post(
    '/c/:citySlug/curate/skills/:skillId/delete',
    { config, schema: { hide, params: skillParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const detail = await localSkillOf(request, city, request.params.skillId);
      // Only a confirmed form deletes; anything else shows the question first.
      if (field(request.body, 'confirmed') !== 'yes') return renderDelete(request, reply, detail);
      try {
        await deleteLocalSkill(app.db, city.id, detail.skill.id, auditContext(request));
      } catch (error) {
        const { errors, status } = skillFormErrors(error, cityPageContext(request, reply, city).t);
        return renderDelete(request, reply, detail, status, Object.values(errors)[0]);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}?done=deleted`, 303);
    },
  );

  // ── Crosswalks of a local skill ──
  async function renderCrosswalks(
    request: FastifyRequest,
    reply: FastifyReply,
    detail: SkillDetail,
    form: { query: string; targets: string[]; relation: string },
    errors: FieldErrors,
    status = 200,
    done?: string,
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const language = context.language;
    const label = labelOf(detail.skill, city, language);
    const results = form.query
      ? (await searchSpine(app.db, city, { query: form.query, language, limit: 20 }))
          .filter((result) => result.id !== detail.skill.id)
          .map((result) => ({ ...result, href: skillPagePath(city.slug, result.id) }))
      : [];
    const selected: PickerSkill[] = [];
    for (const id of form.targets.filter((target) => uuidPattern.test(target))) {
      try {
        selected.push(pickerSkill((await getSpineSkill(app.db, city.id, id)).skill, city, language));
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'SKILL_NOT_FOUND')) throw error;
      }
    }
    return sendPage(
      reply,
      crosswalksPage(context, {
        base: skillsCurationPath(city.slug),
        citySlug: city.slug,
        skill: {
          id: detail.skill.id,
          label: label.text,
          labelLanguage: label.language,
          href: skillPagePath(city.slug, detail.skill.id),
        },
        crosswalks: detail.crosswalks.map((crosswalk) => {
          const other = labelOf(crosswalk.skill, city, language);
          return {
            id: crosswalk.id,
            relation: crosswalk.relation,
            skill: {
              label: other.text,
              labelLanguage: other.language,
              href: skillPagePath(city.slug, crosswalk.skill.id),
              framework: { shortTitle: frameworkShortTitle(crosswalk.skill.framework, language) },
            },
          };
        }),
        query: form.query,
        results,
        selected,
        relation: form.relation,
        errors,
        notice: doneNotice(context, done, ['added', 'removed']),
      }),
      status,
    );
  }

  app.get(
    '/c/:citySlug/curate/skills/:skillId/crosswalks',
    { config, schema: { hide, params: skillParams, querystring: Query } },
    async (request, reply) => {
      const detail = await localSkillOf(request, cityOf(request), request.params.skillId);
      return renderCrosswalks(
        request,
        reply,
        detail,
        { query: '', targets: [], relation: 'exact' },
        {},
        200,
        request.query.done,
      );
    },
  );

  app.post(
    '/c/:citySlug/curate/skills/:skillId/crosswalks',
    { config, schema: { hide, params: skillParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const t = cityPageContext(request, reply, city).t;
      const detail = await localSkillOf(request, city, request.params.skillId);
      const form = {
        query: field(request.body, 'targetQuery'),
        targets: [...new Set(fields(request.body, 'target'))],
        relation: field(request.body, 'relation'),
      };
      // Without scripts, the picker searches by submitting the form: show the results, change nothing.
      if (field(request.body, 'intent') === 'search') return renderCrosswalks(request, reply, detail, form, {});
      const errors: FieldErrors = {};
      const [target] = form.targets;
      if (!target) errors.target = t('skills:curate.errors.targetRequired');
      else if (form.targets.length > 1) errors.target = t('skills:curate.errors.oneTarget');
      else if (!uuidPattern.test(target)) errors.target = t('skills:curate.errors.notInSpine');
      if (!(relations as readonly string[]).includes(form.relation))
        errors.relation = t('skills:curate.errors.relationRequired');
      if (Object.keys(errors).length > 0) return renderCrosswalks(request, reply, detail, form, errors, 400);
      try {
        await createCrosswalk(
          app.db,
          city.id,
          {
            sourceSkillId: detail.skill.id,
            targetSkillId: target as string,
            relation: form.relation as CrosswalkRelation,
          },
          auditContext(request),
        );
      } catch (error) {
        const failed = skillFormErrors(error, t);
        return renderCrosswalks(request, reply, detail, form, failed.errors, failed.status);
      }
      return reply.redirect(`${skillsCurationPath(city.slug)}/${detail.skill.id}/crosswalks?done=added`, 303);
    },
  );

  app.post(
    '/c/:citySlug/curate/skills/:skillId/crosswalks/:crosswalkId/remove',
    {
      config,
      schema: {
        hide,
        params: Type.Object({ citySlug, skillId, crosswalkId: Type.String({ format: 'uuid' }) }),
        body: Type.Optional(FormBody),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const detail = await localSkillOf(request, city, request.params.skillId);
      // Only a crosswalk of this skill is removed from its page.
      if (!detail.crosswalks.some((crosswalk) => crosswalk.id === request.params.crosswalkId))
        throw new AppError('CROSSWALK_NOT_FOUND');
      await deleteCrosswalk(app.db, city.id, request.params.crosswalkId, auditContext(request));
      return reply.redirect(`${skillsCurationPath(city.slug)}/${detail.skill.id}/crosswalks?done=removed`, 303);
    },
  );
}
