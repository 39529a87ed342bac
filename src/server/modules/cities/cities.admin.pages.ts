import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { languageName, supportedLanguages } from '../../../web/i18n.ts';
import type { FieldErrors } from '../../../web/forms.ts';
import {
  adminCitiesPage,
  adminCityCuratorsPage,
  type CityFormValues,
  citySettingsPage,
  type SettingsValues,
} from '../../../web/pages/curation.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import { cityPageContext, decimal, field, fields, FormBody, formErrors } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import {
  appointCurator,
  createCityAudited,
  getCityForAdmin,
  listCurators,
  removeCurator,
  setCityArchived,
  updateCitySettings,
} from './cities.admin.service.ts';
import type { CityRecord } from './cities.repo.ts';
import { cityName, listCities } from './cities.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Query = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });
const languageChoices = supportedLanguages.map((language) => ({ value: language, label: languageName(language) }));
const emptyCityForm: CityFormValues = {
  slug: '',
  nameEn: '',
  nameLocal: '',
  languages: [],
  timeZone: '',
  west: '',
  south: '',
  east: '',
  north: '',
};

/** Pages of city administration: network admins' city list and curators, curators' city settings. */
export async function citiesAdminPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;

  async function renderCities(
    request: FastifyRequest,
    reply: FastifyReply,
    form: CityFormValues,
    errors: FieldErrors,
    status = 200,
    notice?: string,
  ) {
    const context = pageContext(request, reply);
    const counts = await app.db.query<{ cityId: string; count: number }>(
      `SELECT city_id AS "cityId", count(*)::int AS count FROM role_assignments WHERE role = 'city_curator' GROUP BY city_id`,
    );
    const cities = (await listCities(app.db)).map((city) => ({
      slug: city.slug,
      name: cityName(city, context.language),
      status: city.status,
      curators: counts.find((c) => c.cityId === city.id)?.count ?? 0,
    }));
    return sendPage(reply, adminCitiesPage(context, { cities, form, errors, notice, languageChoices }), status);
  }

  app.get(
    '/admin/cities',
    { config: { access: 'network_admin' }, schema: { hide, querystring: Query } },
    async (request, reply) => {
      const done = request.query.done;
      const notice = done
        ? pageContext(request, reply).t(
            `organisations:admin.done.${done === 'created' ? 'created' : done === 'archived' ? 'archived' : 'unarchived'}`,
          )
        : undefined;
      return renderCities(request, reply, emptyCityForm, {}, 200, notice);
    },
  );

  app.post(
    '/admin/cities',
    { config: { access: 'network_admin' }, schema: { hide, body: FormBody } },
    async (request, reply) => {
      const body = request.body;
      const form: CityFormValues = {
        slug: field(body, 'slug'),
        nameEn: field(body, 'nameEn'),
        nameLocal: field(body, 'nameLocal'),
        languages: fields(body, 'languages'),
        timeZone: field(body, 'timeZone'),
        west: field(body, 'west'),
        south: field(body, 'south'),
        east: field(body, 'east'),
        north: field(body, 'north'),
      };
      const languages = form.languages.length > 0 ? form.languages : ['en'];
      const name: Record<string, string> = {};
      if (form.nameEn) name.en = form.nameEn;
      for (const language of languages) if (language !== 'en' && form.nameLocal) name[language] = form.nameLocal;
      if (!name[languages[0] as string] && form.nameEn) name[languages[0] as string] = form.nameEn;
      try {
        await createCityAudited(
          app.db,
          {
            slug: form.slug,
            name,
            languages,
            timeZone: form.timeZone,
            bounds: {
              west: decimal(form.west),
              south: decimal(form.south),
              east: decimal(form.east),
              north: decimal(form.north),
            },
          },
          callerOf(request),
        );
        return reply.redirect('/admin/cities?done=created', 303);
      } catch (error) {
        return renderCities(request, reply, form, formErrors(error), 400);
      }
    },
  );

  for (const [verb, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/admin/cities/:slug/${verb}`,
      {
        config: { access: 'network_admin' },
        schema: { hide, params: Type.Object({ slug }), body: Type.Optional(FormBody) },
      },
      async (request, reply) => {
        await setCityArchived(app.db, request.params.slug, archived, callerOf(request));
        return reply.redirect(`/admin/cities?done=${archived ? 'archived' : 'unarchived'}`, 303);
      },
    );
  }

  async function renderCurators(
    request: FastifyRequest,
    reply: FastifyReply,
    city: CityRecord,
    email: string,
    errors: FieldErrors,
    status = 200,
    notice?: string,
  ) {
    const context = pageContext(request, reply);
    return sendPage(
      reply,
      adminCityCuratorsPage(context, {
        cityName: cityName(city, context.language),
        slug: city.slug,
        curators: await listCurators(app.db, city),
        email,
        errors,
        notice,
      }),
      status,
    );
  }

  app.get(
    '/admin/cities/:slug',
    { config: { access: 'network_admin' }, schema: { hide, params: Type.Object({ slug }), querystring: Query } },
    async (request, reply) => {
      const city = await getCityForAdmin(app.db, request.params.slug);
      const done = request.query.done;
      const notice =
        done === 'appointed' || done === 'removed'
          ? pageContext(request, reply).t(`organisations:admin.done.${done}`)
          : undefined;
      return renderCurators(request, reply, city, '', {}, 200, notice);
    },
  );

  app.post(
    '/admin/cities/:slug/curators',
    { config: { access: 'network_admin' }, schema: { hide, params: Type.Object({ slug }), body: FormBody } },
    async (request, reply) => {
      const city = await getCityForAdmin(app.db, request.params.slug);
      const email = field(request.body, 'email');
      try {
        await appointCurator(app.db, city, email, callerOf(request));
        return reply.redirect(`/admin/cities/${city.slug}?done=appointed`, 303);
      } catch (error) {
        const errors =
          error instanceof AppError && error.code === 'USER_NOT_FOUND'
            ? { email: error.details[0]?.problem ?? error.message }
            : formErrors(error);
        return renderCurators(request, reply, city, email, errors, 400);
      }
    },
  );

  app.post(
    '/admin/cities/:slug/curators/:userId/remove',
    {
      config: { access: 'network_admin' },
      schema: {
        hide,
        params: Type.Object({ slug, userId: Type.String({ format: 'uuid' }) }),
        body: Type.Optional(FormBody),
      },
    },
    async (request, reply) => {
      const city = await getCityForAdmin(app.db, request.params.slug);
      await removeCurator(app.db, city, request.params.userId, callerOf(request));
      return reply.redirect(`/admin/cities/${city.slug}?done=removed`, 303);
    },
  );

  // Curators: the city's languages, names and branding.
  const settingsValues = (city: CityRecord): SettingsValues => ({
    languages: city.languages,
    defaultLanguage: city.defaultLanguage,
    names: city.name,
    primaryColour: city.primaryColour ?? '',
    logoUrl: city.logoUrl ?? '',
    contactEmail: city.contactEmail ?? '',
    consentAge: String(city.consentAge),
  });

  app.get(
    '/c/:citySlug/curate/settings',
    {
      config: { access: 'city_curator' },
      schema: { hide, params: Type.Object({ citySlug: slug }), querystring: Query },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const notice = request.query.done === 'saved' ? context.t('organisations:settings.saved') : undefined;
      return sendPage(
        reply,
        citySettingsPage(context, {
          values: settingsValues(city),
          errors: {},
          notice,
          languageChoices,
        }),
      );
    },
  );

  app.post(
    '/c/:citySlug/curate/settings',
    { config: { access: 'city_curator' }, schema: { hide, params: Type.Object({ citySlug: slug }), body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      const body = request.body;
      const values: SettingsValues = {
        languages: fields(body, 'languages'),
        defaultLanguage: field(body, 'defaultLanguage'),
        names: Object.fromEntries(supportedLanguages.map((language) => [language, field(body, `name_${language}`)])),
        primaryColour: field(body, 'primaryColour'),
        logoUrl: field(body, 'logoUrl'),
        contactEmail: field(body, 'contactEmail'),
        consentAge: field(body, 'consentAge'),
      };
      try {
        await updateCitySettings(
          app.db,
          city,
          {
            languages: values.languages,
            defaultLanguage: values.defaultLanguage,
            name: values.names,
            primaryColour: values.primaryColour,
            logoUrl: values.logoUrl,
            contactEmail: values.contactEmail,
            // Empty keeps the current age; anything not a whole number is reported next to the field by the service.
            consentAge: values.consentAge.trim() === '' ? undefined : Number(values.consentAge),
          },
          callerOf(request),
        );
        return reply.redirect(`/c/${city.slug}/curate/settings?done=saved`, 303);
      } catch (error) {
        const errors = formErrors(error);
        return sendPage(
          reply,
          citySettingsPage(cityPageContext(request, reply, city), { values, errors, languageChoices }),
          400,
        );
      }
    },
  );
}
