import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  savedSearchesPage,
  savedSearchUnsubscribeInvalidPage,
  savedSearchUnsubscribePage,
} from '../../../web/pages/saved-searches.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityPageContext, field, FormBody } from '../organisations/form-body.ts';
import {
  createSavedSearch,
  deleteSavedSearch,
  describeUnsubscribeLink,
  listSavedSearches,
  MAX_SAVED_SEARCHES,
  SAVED_SEARCH_LIMIT_PROBLEM,
  type SavedSearchRecord,
  savedSearchPath,
  savedSearchUnsubscribePath,
  unsubscribeByLink,
  updateSavedSearch,
} from './saved-searches.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const CityParams = Type.Object({ citySlug: Slug });
const SavedSearchParams = Type.Object({ citySlug: Slug, savedSearchId: Type.String({ format: 'uuid' }) });
const PageQuery = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });
const TokenParams = Type.Object({ citySlug: Slug, token: Type.String({ maxLength: 200 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String()) });
/** The "stop these emails" link is public and carries a secret: limited like the other emailed links. */
const tokenRateLimit = { max: 30, timeWindow: '1 minute' };

const notices: Record<string, string> = {
  saved: 'activity:savedSearches.saved',
  deleted: 'activity:savedSearches.deleted',
  alerts: 'activity:savedSearches.alertsChanged',
};

async function renderList(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { done?: string; error?: string; status?: number } = {},
) {
  const app = request.server;
  const city = cityOf(request);
  const context = cityPageContext(request, reply, city);
  const searches = await listSavedSearches(app.db, city, request.actor);
  const noticeKey = options.done ? notices[options.done] : undefined;
  return sendPage(
    reply,
    savedSearchesPage(context, {
      cityName: context.city?.name ?? city.slug,
      citySlug: city.slug,
      timeZone: city.timeZone,
      searches: searches.map((search) => ({
        id: search.id,
        name: search.name,
        query: search.query,
        alertDaily: search.alertDaily,
        createdAt: new Date(search.createdAt),
        href: savedSearchPath(city.slug, search.query),
      })),
      ...(noticeKey ? { notice: context.t(noticeKey) } : {}),
      ...(options.error ? { error: options.error } : {}),
      limited: request.actor?.kind === 'user' && request.actor.status === 'limited',
    }),
    options.status ?? 200,
  );
}

/**
 * The page of a digest's "stop these emails" link in the page language; an unknown, used or replaced link gets a page
 * saying so with the error's status (410).
 */
async function renderUnsubscribe(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  load: (city: CityRecord) => Promise<{ search: SavedSearchRecord; state: 'confirm' | 'done' | 'already' }>,
) {
  const city = cityOf(request);
  const context = cityPageContext(request, reply, city);
  try {
    const { search, state } = await load(city);
    return sendPage(
      reply,
      savedSearchUnsubscribePage(context, {
        state,
        name: search.name,
        query: search.query,
        citySlug: city.slug,
        formAction: savedSearchUnsubscribePath(city.slug, token),
      }),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'SAVED_SEARCH_LINK_INVALID') {
      return sendPage(reply, savedSearchUnsubscribeInvalidPage(context, city.slug), error.status);
    }
    throw error;
  }
}

/** "My saved searches" and the forms that save, switch alerts and delete (the search page posts the first). */
export async function savedSearchesPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;
  const base = '/c/:citySlug/saved-searches';

  app.get(
    base,
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => renderList(request, reply, { done: request.query.done }),
  );

  app.post(
    base,
    {
      config: { access: 'authenticated', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { hide, params: CityParams, body: FormBody },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      try {
        await createSavedSearch(
          app.db,
          city,
          request.actor,
          {
            name: field(request.body, 'name'),
            query: request.body,
            alertDaily: field(request.body, 'alertDaily') !== 'off',
          },
          context.t('activity:savedSearches.defaultName'),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
          const limit = error.details.some((detail) => detail.problem === SAVED_SEARCH_LIMIT_PROBLEM);
          const problem = limit
            ? context.t('activity:savedSearches.tooMany', { max: MAX_SAVED_SEARCHES })
            : error.details
                .map((detail) => `${detail.field?.replace(/^\/query\//, '') ?? ''}: ${detail.problem}`)
                .join('; ');
          return renderList(request, reply, { error: problem, status: 400 });
        }
        throw error;
      }
      return reply.redirect(`/c/${city.slug}/saved-searches?done=saved`, 303);
    },
  );

  // The digest's "stop these emails" link works without signing in. Opening it changes nothing (mail scanners open
  // links): the page asks, and its form (CSRF double-submit cookie, as for every anonymous form) turns the alerts off.
  app.get(
    `${base}/unsubscribe/:token`,
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: { hide, params: TokenParams, querystring: LangQuery },
    },
    async (request, reply) =>
      renderUnsubscribe(request, reply, request.params.token, async (city) => {
        const search = await describeUnsubscribeLink(app.db, city, request.params.token);
        return { search, state: search.alertDaily ? 'confirm' : 'already' };
      }),
  );

  app.post(
    `${base}/unsubscribe/:token`,
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: { hide, params: TokenParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) =>
      renderUnsubscribe(request, reply, request.params.token, async (city) => ({
        search: await unsubscribeByLink(app.db, city, request.params.token),
        state: 'done',
      })),
  );

  app.post(
    `${base}/:savedSearchId/alerts`,
    { config: { access: 'authenticated' }, schema: { hide, params: SavedSearchParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      await updateSavedSearch(app.db, city, request.actor, request.params.savedSearchId, {
        alertDaily: field(request.body, 'alertDaily') === 'on',
      });
      return reply.redirect(
        `/c/${city.slug}/saved-searches?done=alerts#saved-search-${request.params.savedSearchId}`,
        303,
      );
    },
  );

  app.post(
    `${base}/:savedSearchId/delete`,
    { config: { access: 'authenticated' }, schema: { hide, params: SavedSearchParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      await deleteSavedSearch(app.db, city, request.actor, request.params.savedSearchId);
      return reply.redirect(`/c/${city.slug}/saved-searches?done=deleted`, 303);
    },
  );
}
