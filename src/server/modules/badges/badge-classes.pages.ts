import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { readText } from '../../../credentials/index.ts';
import type { FieldErrors } from '../../../web/forms.ts';
import {
  type BadgeFormPage,
  type BadgeFormValues,
  badgeConfirmPage,
  badgeFieldNames,
  badgeFormPage,
  badgeListPage,
  badgeListTabs,
  type Choice,
  designDefaults,
  designParts,
  emptyBadgeForm,
  type RequirementFormValues,
} from '../../../web/pages/badge-form.ts';
import { type BadgePageData, badgeDirectoryPage, badgePage, type LocalText } from '../../../web/pages/badge-pages.ts';
import { type BadgeClassKind, badgeClassKinds, type BadgeRequirement } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import {
  acceptMultipartUploads,
  CityParams,
  integerOrInvalid,
  listTab,
  longText,
  manageBase,
  nearestFormField,
  OrganiserQuery,
  OrgParams,
  rethrowUnlessFormProblem,
  skillLevelOf,
  skillPickerOf,
  Slug,
  uploadedImage,
  Uuid,
} from '../../organiser-pages.ts';
import { cityOf } from '../../plugins/auth.ts';
import { sendPage } from '../../plugins/web.ts';
import type { MultipartBody } from '../accounts/multipart.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages } from '../cities/cities.service.ts';
import { cityPageContext, field, type FormBody, fields } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { organisationInCity } from '../organisations/organisations.service.ts';
import { findSkillsByIds } from '../skills/skills.repo.ts';
import { frameworkShortTitle, skillPagePath } from '../skills/skills.service.ts';
import { type BadgeClassInput, badgeIcons, badgeShapes, requirementKinds } from './badge-classes.model.ts';
import {
  listActivityChoices,
  listBadgeNames,
  listPrerequisiteChoices,
  listPublishedActivitiesOfBadge,
} from './badge-classes.repo.ts';
import {
  type BadgeClassDetails,
  achievementUrl,
  archiveBadgeClass,
  badgeDirectory,
  badgePagePath,
  canEditBadges,
  createBadgeClass,
  currentImagePath,
  DIRECTORY_PAGE_SIZE,
  getBadgeClass,
  getOrganisationBadgeClass,
  listOrganisationBadges,
  publishBadgeClass,
  setBadgeImage,
  updateBadgeClass,
} from './badge-classes.service.ts';
import { badgeIconMarkup, contrastRatio, hexColour, MAX_UPLOAD_BYTES, renderBadgeSvg } from './badge-image.ts';
import { listEndorsementsOfBadge } from './endorsements.service.ts';
import { evidencePaths } from './evidence.service.ts';

/**
 * The organiser's badge pages under `/c/:citySlug/manage/:organisationId/badges…` (list, form with a preview of the
 * generated design, image upload, publish and archive with a confirmation step) and the public pages: the city's
 * badge directory `/c/:citySlug/badges` and each badge's page `/c/:citySlug/badges/:slug`. Every write goes through
 * the badge classes service; these pages turn form fields into a `BadgeClassInput` and back.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ── Form values ⇄ BadgeClassInput ───────────────────────────────────────────────────────────────────────────────

/** The form as the person filled it in: strings as typed, nothing dropped. */
export function readBadgeForm(body: FormBody, languages: readonly string[]): BadgeFormValues {
  const perLanguage = (prefix: string, read: (name: string) => string = (name) => field(body, name)) =>
    Object.fromEntries(languages.map((language) => [language, read(`${prefix}-${language}`)]));
  const rows = new Set<number>();
  for (const key of Object.keys(body)) {
    const match = /^requirements-(\d{1,2})-/.exec(key);
    if (match) rows.add(Number(match[1]));
  }
  const requirements: RequirementFormValues[] = [...rows]
    .sort((a, b) => a - b)
    .map((row) => ({
      kind: field(body, `requirements-${row}-kind`) || 'text',
      instructions: perLanguage(`requirements-${row}-instructions`, (name) => longText(body, name)),
    }));
  const skillIds = [...new Set(fields(body, 'skills'))];
  return {
    slug: field(body, 'slug'),
    kind: field(body, 'kind') || 'participation',
    name: perLanguage('name'),
    description: perLanguage('description', (name) => longText(body, name)),
    criteria: perLanguage('criteria', (name) => longText(body, name)),
    alt: perLanguage('alt'),
    requirements,
    imageSource: field(body, 'imageSource') === 'upload' ? 'upload' : 'generated',
    design: {
      shape: field(body, 'design-shape') || designDefaults.shape,
      background: field(body, 'design-background'),
      foreground: field(body, 'design-foreground'),
      accent: field(body, 'design-accent'),
      icon: field(body, 'design-icon') || designDefaults.icon,
      text: field(body, 'design-text'),
    },
    tags: field(body, 'tags'),
    validityMonths: field(body, 'validityMonths'),
    skills: skillIds.map((id) => ({ id, level: skillLevelOf(body, id) })),
    skillsQuery: field(body, 'skillsQuery'),
    prerequisites: [...new Set(fields(body, 'prerequisites'))],
    activities: [...new Set(fields(body, 'activities'))],
    awardOnAttendance: [...new Set(fields(body, 'awardOnAttendance'))],
    evidenceClaimsOpen: field(body, 'evidenceClaimsOpen') === 'true',
    peerConfirmationsRequired: field(body, 'peerConfirmationsRequired'),
    rowVersion: field(body, 'version'),
  };
}

const filled = (texts: Record<string, string>) => Object.fromEntries(Object.entries(texts).filter(([, text]) => text));

export function badgeInputFrom(values: BadgeFormValues): BadgeClassInput {
  const activities = [...new Set([...values.activities, ...values.awardOnAttendance])];
  return {
    slug: values.slug || null,
    kind: values.kind as BadgeClassKind,
    name: filled(values.name),
    description: filled(values.description),
    criteria: filled(values.criteria),
    imageAlt: filled(values.alt),
    requirements: values.requirements.map((requirement) => ({
      kind: requirement.kind as BadgeRequirement['kind'],
      instructions: filled(requirement.instructions),
    })),
    image:
      values.imageSource === 'upload'
        ? { source: 'upload' }
        : { source: 'generated', design: { ...values.design, shape: values.design.shape as 'circle' } },
    tags: values.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean),
    validityMonths: integerOrInvalid(values.validityMonths),
    skills: values.skills.map((skill) => ({ skillId: skill.id, level: integerOrInvalid(skill.level) })),
    prerequisites: values.prerequisites,
    activities: activities.map((activityId) => ({
      activityId,
      awardOnAttendance: values.awardOnAttendance.includes(activityId),
    })),
    evidenceClaimsOpen: values.evidenceClaimsOpen,
    peerConfirmationsRequired: integerOrInvalid(values.peerConfirmationsRequired),
  };
}

/** The form filled with a stored badge. */
export function formFromBadge(badge: BadgeClassDetails, languages: readonly string[]): BadgeFormValues {
  const empty = emptyBadgeForm(languages);
  const withLanguages = (texts: Record<string, string>) => ({
    ...Object.fromEntries(languages.map((language) => [language, ''])),
    ...texts,
  });
  return {
    ...empty,
    slug: badge.slug,
    kind: badge.kind,
    name: withLanguages(badge.name),
    description: withLanguages(badge.description),
    criteria: withLanguages(badge.criteria),
    alt: withLanguages(badge.imageAlt),
    requirements: badge.requirements.map((requirement) => ({
      kind: requirement.kind,
      instructions: withLanguages(requirement.instructions),
    })),
    imageSource: badge.imageSource,
    design: badge.design
      ? { ...badge.design }
      : { ...designDefaults, text: (badge.name[languages[0] ?? ''] ?? '').slice(0, 24) },
    tags: badge.tags.join(', '),
    validityMonths: badge.validityMonths === null ? '' : String(badge.validityMonths),
    skills: badge.skills.map((skill) => ({
      id: skill.skillId,
      level: skill.level === null ? '' : String(skill.level),
    })),
    prerequisites: badge.prerequisites.map((required) => required.id),
    activities: badge.activities.map((link) => link.activityId),
    awardOnAttendance: badge.activities.filter((link) => link.awardOnAttendance).map((link) => link.activityId),
    evidenceClaimsOpen: badge.evidenceClaimsOpen,
    peerConfirmationsRequired: badge.peerConfirmationsRequired === null ? '' : String(badge.peerConfirmationsRequired),
    rowVersion: String(badge.rowVersion),
  };
}

/**
 * Field errors keyed like the form's fields (`name-en`, `design-foreground`, `requirements-0-kind`) from the
 * service's JSON pointers; a pointer the form has no field for goes to its nearest parent, or to the whole form.
 */
export function errorsFromDetails(
  details: { field?: string; problem: string }[],
  values: BadgeFormValues,
  languages: readonly string[],
): FieldErrors {
  const known = new Set<string>([
    ...badgeFieldNames,
    ...designParts.map((part) => `design-${part}`),
    ...languages.flatMap((language) => [
      `name-${language}`,
      `description-${language}`,
      `criteria-${language}`,
      `alt-${language}`,
    ]),
  ]);
  values.requirements.forEach((_, index) => {
    known.add(`requirements-${index}`);
    known.add(`requirements-${index}-kind`);
    for (const language of languages) known.add(`requirements-${index}-instructions-${language}`);
  });
  const errors: FieldErrors = {};
  for (const detail of details) {
    let segments = (detail.field ?? '').split('/').filter(Boolean);
    if (segments[0] === 'imageAlt') segments[0] = 'alt';
    if (segments[0] === 'image')
      segments = segments[1] === 'design' ? ['design', ...segments.slice(2)] : ['imageSource'];
    if (segments[0] === 'design' && segments.length === 1) segments = ['design', 'shape'];
    if (segments[0] === 'activities' && segments[2] === 'awardOnAttendance') segments = ['awardOnAttendance'];
    errors[nearestFormField(segments, known) || '_form'] ??= detail.problem;
  }
  return errors;
}

/** The generated design drawn from the form's values, when they describe a complete one. */
function previewOf(values: BadgeFormValues, alt: string): BadgeFormPage['preview'] {
  if (values.imageSource !== 'generated') return undefined;
  const d = values.design;
  const colours = [d.background, d.foreground, d.accent];
  if (
    !(badgeShapes as readonly string[]).includes(d.shape) ||
    !(badgeIcons as readonly string[]).includes(d.icon) ||
    !colours.every((colour) => hexColour.test(colour))
  ) {
    return undefined;
  }
  const svg = renderBadgeSvg(
    { ...d, shape: d.shape as 'circle', background: d.background, text: d.text.slice(0, 24) },
    alt,
  );
  return {
    svgDataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    alt,
    contrast: contrastRatio(d.foreground.toLowerCase(), d.background.toLowerCase()),
  };
}

// ── Routes ──────────────────────────────────────────────────────────────────────────────────────────────────────

const BadgeParams = Type.Object({ citySlug: Slug, organisationId: Uuid, badgeId: Uuid });
const PageParams = Type.Object({
  citySlug: Slug,
  slug: Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9-]+$' }),
});
const DirectoryQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
/** Form bodies: every field optional, so the access rule and then the service answer. */
const BadgeFormBody = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: 12_000 }), Type.Array(Type.String({ maxLength: 12_000 }), { maxItems: 600 })]),
);

/** A text in the page language, else the city's main language, else any. */
function localText(texts: Record<string, string>, language: string, city: CityRecord): LocalText {
  for (const candidate of [language, city.defaultLanguage, ...city.languages]) {
    const text = texts[candidate];
    if (text) return { text, language: candidate };
  }
  const [first] = Object.entries(texts).filter(([, text]) => text);
  return first ? { text: first[1], language: first[0] } : { text: '', language };
}

/** A language-tagged JSON-LD value read in the page language (endorsement comments). */
function jsonText(value: unknown, language: string, fallback: string): LocalText | null {
  if (typeof value === 'string') return value ? { text: value, language: fallback } : null;
  if (Array.isArray(value)) {
    const values = value.filter(
      (item): item is { '@value': string; '@language': string } => typeof item?.['@value'] === 'string',
    );
    const picked = values.find((item) => item['@language'] === language) ?? values[0];
    return picked ? { text: picked['@value'], language: picked['@language'] ?? fallback } : null;
  }
  return null;
}

const listNotices = ['published', 'archived'];
const formNotices = ['created', 'saved', 'imageUploaded'];

export async function badgeClassesPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;

  const uploadLimit = MAX_UPLOAD_BYTES * 2 + 64 * 1024;
  acceptMultipartUploads(instance, uploadLimit);

  async function organisationOf(city: CityRecord, organisationId: string) {
    const organisation = await organisationInCity(app.db, city, organisationId);
    return { id: organisation.id, name: organisation.name };
  }

  async function choices(
    city: CityRecord,
    organisationId: string,
    language: string,
    values: BadgeFormValues,
    badgeId: string | undefined,
  ): Promise<{ prerequisites: Choice[]; activities: Choice[] }> {
    const badges = (await listPrerequisiteChoices(app.db, city.id, organisationId, language, 300)).filter(
      (badge) => badge.id !== badgeId,
    );
    // Chosen badges that are not offered any more (archived since) stay visible, so saving keeps them.
    const missing = values.prerequisites.filter((id) => UUID.test(id) && !badges.some((badge) => badge.id === id));
    const kept = await listBadgeNames(app.db, city.id, missing);
    const prerequisites = [
      ...badges.map((badge) => ({ ...badge, organisationName: badge.organisationName })),
      ...kept.map((badge) => ({ ...badge, organisationId, organisationName: '' })),
    ].map((badge) => {
      const name = localText(badge.name, language, city);
      return {
        id: badge.id,
        label: name.text || badge.slug,
        labelLanguage: name.language,
        organisationName: badge.organisationName,
        own: badge.organisationId === organisationId,
      };
    });
    const activities = (await listActivityChoices(app.db, city.id, organisationId, language, 500)).map((activity) => {
      const title = localText(activity.title, language, city);
      return {
        id: activity.id,
        label: title.text || activity.slug,
        labelLanguage: title.language,
        organisationName: activity.organisationName,
        own: activity.organisationId === organisationId,
      };
    });
    return { prerequisites, activities };
  }

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      organisationId: string;
      badge?: BadgeClassDetails;
      values: BadgeFormValues;
      errors?: FieldErrors;
      formError?: string;
      notice?: string;
      searchSkills?: boolean;
      uploadErrors?: FieldErrors;
      uploadAlt?: Record<string, string>;
      status?: number;
    },
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const organisation = await organisationOf(city, options.organisationId);
    const languages = cityLanguages(city);
    const { badge, values } = options;
    const base = manageBase(city, options.organisationId);
    const skills = await skillPickerOf(
      app.db,
      city,
      context.language,
      values.skills,
      options.searchSkills ? values.skillsQuery : '',
    );
    const lists = await choices(city, options.organisationId, context.language, values, badge?.id);
    const altText = values.alt[city.defaultLanguage] || Object.values(values.alt).find(Boolean) || '';
    const page: BadgeFormPage = {
      mode: badge ? 'edit' : 'new',
      manageBase: base,
      organisation,
      badge: badge
        ? {
            id: badge.id,
            slug: badge.slug,
            status: badge.status,
            version: badge.version,
            name: localText(badge.name, context.language, city).text,
            imageSource: badge.imageSource,
            imageUrl: currentImagePath(city.slug, badge, 'png'),
            imageAlt: localText(badge.imageAlt, context.language, city).text,
          }
        : undefined,
      values,
      errors: options.errors ?? {},
      formError: options.formError,
      notice: options.notice,
      languages,
      kinds: badgeClassKinds,
      shapes: badgeShapes,
      icons: badgeIcons,
      requirementKinds,
      iconMarkup: badgeIconMarkup,
      skills,
      prerequisiteChoices: lists.prerequisites,
      activityChoices: lists.activities,
      preview: previewOf(values, altText),
      uploadErrors: options.uploadErrors,
      uploadAlt: options.uploadAlt,
      awardHref: badge?.status === 'published' ? `${base}/badges/${badge.id}/award` : undefined,
      issuedHref: badge && badge.status !== 'draft' ? `${base}/badges/${badge.id}/credentials` : undefined,
    };
    return sendPage(reply, badgeFormPage(context, page), options.status ?? 200);
  }

  /**
   * A post of the form: the no-script helpers (add or remove a requirement, search skills, preview the design)
   * re-render it; save goes to the service, and any problem comes back next to its field with everything kept.
   */
  async function handleForm(
    request: FastifyRequest,
    reply: FastifyReply,
    organisationId: string,
    body: FormBody,
    badge: BadgeClassDetails | undefined,
  ) {
    const city = cityOf(request);
    const languages = cityLanguages(city);
    const values = readBadgeForm(body, languages);
    const intent = field(body, 'intent') || 'save';
    const again = (extra: { searchSkills?: boolean } = {}) =>
      renderForm(request, reply, { organisationId, badge, values, ...extra });
    if (intent === 'addRequirement') {
      if (values.requirements.length < 10) {
        values.requirements.push({ kind: 'text', instructions: Object.fromEntries(languages.map((l) => [l, ''])) });
      }
      return again();
    }
    if (intent.startsWith('removeRequirement:')) {
      const index = Number(intent.slice('removeRequirement:'.length));
      if (Number.isInteger(index)) values.requirements.splice(index, 1);
      return again();
    }
    if (intent === 'searchSkills') return again({ searchSkills: true });
    if (intent === 'preview') return again();
    const input = badgeInputFrom(values);
    try {
      const caller = callerOf(request);
      const saved = badge
        ? await updateBadgeClass(app.db, city, badge.id, input, caller, {
            expectedRowVersion: /^\d+$/.test(values.rowVersion) ? Number(values.rowVersion) : undefined,
          })
        : await createBadgeClass(app.db, city, organisationId, input, caller);
      return reply.redirect(
        `${manageBase(city, organisationId)}/badges/${saved.id}?done=${badge ? 'saved' : 'created'}`,
        303,
      );
    } catch (error) {
      rethrowUnlessFormProblem(error);
      const context = cityPageContext(request, reply, city);
      if (error.code === 'BADGE_VERSION_CONFLICT') {
        return renderForm(request, reply, {
          organisationId,
          badge,
          values,
          status: 409,
          formError: context.t('badges:errors.versionConflict'),
        });
      }
      return renderForm(request, reply, {
        organisationId,
        badge,
        values,
        status: error.status,
        errors: error.details.length > 0 ? errorsFromDetails(error.details, values, languages) : {},
        formError: error.details.length > 0 ? undefined : error.message,
      });
    }
  }

  const base = '/c/:citySlug/manage/:organisationId/badges';

  app.get(
    base,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const organisation = await organisationOf(city, request.params.organisationId);
      const tab = listTab(badgeListTabs, request.query.status);
      const page = await listOrganisationBadges(app.db, city, organisation.id, request.actor, {
        status: tab,
        cursor: request.query.cursor,
      });
      const done = request.query.done;
      return sendPage(
        reply,
        badgeListPage(context, {
          manageBase: manageBase(city, organisation.id),
          organisation,
          tab,
          items: page.items.map((item) => ({
            id: item.id,
            slug: item.slug,
            status: item.status,
            kind: item.kind,
            name: localText(item.name, context.language, city),
            imageUrl: currentImagePath(city.slug, item, 'png'),
            imageAlt: localText(item.imageAlt, context.language, city).text,
            version: item.version,
            updatedAt: item.updatedAt,
          })),
          nextCursor: page.nextCursor,
          firstPage: !request.query.cursor,
          timeZone: city.timeZone,
          notice: done && listNotices.includes(done) ? context.t(`badges:notices.${done}`) : undefined,
        }),
      );
    },
  );

  app.get(
    `${base}/new`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      if (city.status === 'archived') throw new AppError('CITY_ARCHIVED');
      return renderForm(request, reply, {
        organisationId: request.params.organisationId,
        values: emptyBadgeForm(cityLanguages(city)),
      });
    },
  );

  app.post(
    `${base}/new`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, body: BadgeFormBody } },
    async (request, reply) => {
      await organisationOf(cityOf(request), request.params.organisationId);
      return handleForm(request, reply, request.params.organisationId, request.body ?? {}, undefined);
    },
  );

  const badgeOf = (request: FastifyRequest, params: { organisationId: string; badgeId: string }) =>
    getOrganisationBadgeClass(app.db, cityOf(request), params.organisationId, params.badgeId, request.actor);

  app.get(
    `${base}/:badgeId`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const badge = await badgeOf(request, request.params);
      const context = cityPageContext(request, reply, city);
      const done = request.query.done;
      return renderForm(request, reply, {
        organisationId: request.params.organisationId,
        badge,
        values: formFromBadge(badge, cityLanguages(city)),
        notice: done && formNotices.includes(done) ? context.t(`badges:notices.${done}`) : undefined,
      });
    },
  );

  app.post(
    `${base}/:badgeId`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, body: BadgeFormBody } },
    async (request, reply) => {
      const badge = await badgeOf(request, request.params);
      return handleForm(request, reply, request.params.organisationId, request.body ?? {}, badge);
    },
  );

  app.post(
    `${base}/:badgeId/image`,
    { config: { access: 'organisation_staff' }, bodyLimit: uploadLimit, schema: { hide, params: BadgeParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const badge = await badgeOf(request, request.params);
      const body = (request.body ?? {}) as MultipartBody;
      const alt: Record<string, string> = {};
      for (const language of cityLanguages(city)) {
        const text = body[`upload-alt-${language}`];
        if (typeof text === 'string' && text.trim()) alt[language] = text.trim();
      }
      const version = typeof body.version === 'string' && /^\d+$/.test(body.version) ? Number(body.version) : undefined;
      const context = cityPageContext(request, reply, city);
      try {
        const bytes = uploadedImage(body, context.t('badges:form.chooseFile'));
        await setBadgeImage(app.db, city, badge.id, { bytes, alt }, callerOf(request), {
          expectedRowVersion: version,
        });
        return reply.redirect(
          `${manageBase(city, request.params.organisationId)}/badges/${badge.id}?done=imageUploaded#image`,
          303,
        );
      } catch (error) {
        rethrowUnlessFormProblem(error);
        const uploadErrors: FieldErrors = {};
        const details =
          error.code === 'BADGE_VERSION_CONFLICT'
            ? [{ field: '/image', problem: context.t('badges:errors.versionConflict') }]
            : error.details.length > 0
              ? error.details
              : [{ field: '/image', problem: error.message }];
        for (const detail of details) {
          const alt = /^\/imageAlt\/(\w+)$/.exec(detail.field ?? '');
          uploadErrors[alt ? `alt-${alt[1]}` : 'image'] ??= detail.problem;
        }
        return renderForm(request, reply, {
          organisationId: request.params.organisationId,
          badge,
          values: formFromBadge(badge, cityLanguages(city)),
          uploadErrors,
          uploadAlt: alt,
          status: error.status,
        });
      }
    },
  );

  // Publishing and archiving ask first, on a page of their own (so it works without scripts).
  for (const change of ['publish', 'archive'] as const) {
    async function renderConfirm(
      request: FastifyRequest,
      reply: FastifyReply,
      badge: BadgeClassDetails,
      organisationId: string,
      problems: string[] = [],
      status = 200,
    ) {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      return sendPage(
        reply,
        badgeConfirmPage(context, {
          change,
          manageBase: manageBase(city, organisationId),
          organisation: await organisationOf(city, organisationId),
          badge: {
            id: badge.id,
            name: localText(badge.name, context.language, city).text,
            imageUrl: currentImagePath(city.slug, badge, 'png'),
            imageAlt: localText(badge.imageAlt, context.language, city).text,
            rowVersion: badge.rowVersion,
          },
          problems,
        }),
        status,
      );
    }

    app.get(
      `${base}/:badgeId/${change}`,
      { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, querystring: OrganiserQuery } },
      async (request, reply) =>
        renderConfirm(request, reply, await badgeOf(request, request.params), request.params.organisationId),
    );

    app.post(
      `${base}/:badgeId/${change}`,
      {
        config: { access: 'organisation_staff' },
        schema: { hide, params: BadgeParams, body: Type.Optional(BadgeFormBody) },
      },
      async (request, reply) => {
        const city = cityOf(request);
        const badge = await badgeOf(request, request.params);
        const version = field(request.body, 'version');
        try {
          const run = change === 'publish' ? publishBadgeClass : archiveBadgeClass;
          const changed = await run(app.db, city, badge.id, callerOf(request), {
            expectedRowVersion: /^\d+$/.test(version) ? Number(version) : undefined,
          });
          return reply.redirect(
            `${manageBase(city, request.params.organisationId)}/badges?status=${changed.status}&done=${
              change === 'publish' ? 'published' : 'archived'
            }`,
            303,
          );
        } catch (error) {
          rethrowUnlessFormProblem(error);
          const context = cityPageContext(request, reply, city);
          const problems =
            error.code === 'BADGE_VERSION_CONFLICT'
              ? [context.t('badges:errors.versionConflict')]
              : error.details.length > 0
                ? error.details.map((detail) => detail.problem)
                : [error.message];
          return renderConfirm(request, reply, badge, request.params.organisationId, problems, error.status);
        }
      },
    );
  }

  // ── Public pages ──────────────────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/c/:citySlug/badges',
    { config: { access: 'public' }, schema: { hide, params: CityParams, querystring: DirectoryQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const query = (request.query.q ?? '').trim().slice(0, 100);
      const kind = (badgeClassKinds as readonly string[]).includes(request.query.kind ?? '')
        ? (request.query.kind as BadgeClassKind)
        : undefined;
      const result = await badgeDirectory(app.db, city, {
        query,
        kind,
        language: context.language,
        page: request.query.page,
        pageSize: DIRECTORY_PAGE_SIZE,
      });
      return sendPage(
        reply,
        badgeDirectoryPage(context, {
          query,
          kind: kind ?? '',
          kinds: badgeClassKinds,
          items: result.items.map((item) => ({
            name: localText(item.name, context.language, city),
            href: badgePagePath(city.slug, item.slug),
            imageUrl: currentImagePath(city.slug, item, 'png'),
            imageAlt: localText(item.imageAlt, context.language, city),
            kind: item.kind,
            issuer: item.organisation.name,
          })),
          page: result.page,
          pages: Math.max(1, Math.ceil(result.total / result.pageSize)),
          total: result.total,
          basePath: `/c/${city.slug}/badges`,
        }),
      );
    },
  );

  app.get(
    '/c/:citySlug/badges/:slug',
    { config: { access: 'public' }, schema: { hide, params: PageParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const badge = await getBadgeClass(app.db, city, request.params.slug, request.actor);
      // The id form is the badge's stable address (its credentials' criteria); the page lives at the slug.
      if (request.params.slug !== badge.slug) return reply.redirect(badgePagePath(city.slug, badge.slug), 301);
      const context = cityPageContext(request, reply, city);
      const language = context.language;
      const origin = app.config.publicUrl;
      const skills = new Map(
        (
          await findSkillsByIds(
            app.db,
            city.id,
            badge.skills.map((skill) => skill.skillId),
          )
        ).map((skill) => [skill.id, skill]),
      );
      const activities = await listPublishedActivitiesOfBadge(app.db, city.id, badge.id);
      const endorsements = await listEndorsementsOfBadge(app.db, city.id, badge.id);
      const data: BadgePageData = {
        status: badge.status,
        kind: badge.kind,
        name: localText(badge.name, language, city),
        description: localText(badge.description, language, city),
        criteria: localText(badge.criteria, language, city),
        requirements: badge.requirements.map((requirement) => ({
          kind: requirement.kind,
          instructions: localText(requirement.instructions, language, city),
        })),
        image: { url: currentImagePath(city.slug, badge, 'png'), alt: localText(badge.imageAlt, language, city) },
        tags: badge.tags,
        validityMonths: badge.validityMonths,
        skills: badge.skills.map((skill) => {
          const record = skills.get(skill.skillId);
          return {
            label: localText(record?.label ?? skill.label, language, city),
            href: skillPagePath(city.slug, skill.skillId),
            level: skill.level,
            framework: record ? frameworkShortTitle(record.framework, language) : '',
          };
        }),
        issuer: { name: badge.organisation.name, href: `/issuers/${badge.organisationId}` },
        activities: activities.map((activity) => ({
          title: localText(activity.title, language, city),
          href: `/c/${city.slug}/activities/${activity.slug}`,
          awardOnAttendance: activity.awardOnAttendance,
        })),
        prerequisites: badge.prerequisites.map((required) => ({
          name: localText(required.name, language, city),
          href: required.status === 'draft' ? null : badgePagePath(city.slug, required.slug),
        })),
        endorsements: endorsements.map((document) => {
          const subject = document.credentialSubject as Record<string, unknown> | undefined;
          const issuer = document.issuer as Record<string, unknown> | string | undefined;
          const validFrom = typeof document.validFrom === 'string' ? new Date(document.validFrom) : null;
          return {
            endorser: (typeof issuer === 'object' ? readText(issuer?.name, language) : undefined) ?? '',
            comment: jsonText(subject?.endorsementComment, language, city.defaultLanguage),
            date: validFrom && !Number.isNaN(validFrom.getTime()) ? validFrom : null,
          };
        }),
        claimRoutes: {
          claimCodeHref: `/c/${city.slug}/claim-code`,
          evidenceHref: badge.evidenceClaimsOpen ? evidencePaths.apply(city.slug, badge.slug) : null,
          peer: badge.peerConfirmationsRequired
            ? { count: badge.peerConfirmationsRequired, href: evidencePaths.peer(city.slug, badge.slug) }
            : null,
          attendance: activities.some((activity) => activity.awardOnAttendance),
        },
        canonicalUrl: `${origin}${badgePagePath(city.slug, badge.slug)}`,
        ogImageUrl: `${origin}${currentImagePath(city.slug, badge, 'png')}`,
        achievementUrl: achievementUrl(app.config, city.slug, badge.id, badge.version),
        manageHref: canEditBadges(request.actor, badge.organisationId)
          ? `${manageBase(city, badge.organisationId)}/badges/${badge.id}`
          : null,
      };
      return sendPage(reply, badgePage(context, data));
    },
  );
}
