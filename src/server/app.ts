import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { loadAssets } from '../web/assets.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { activitiesPages } from './modules/activities/activities.pages.ts';
import { signupsPages } from './modules/activities/signups.pages.ts';
import { signupsRoutes } from './modules/activities/signups.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { citiesAdminPages } from './modules/cities/cities.admin.pages.ts';
import { citiesAdminRoutes } from './modules/cities/cities.admin.routes.ts';
import { citiesPages } from './modules/cities/cities.pages.ts';
import { citiesRoutes } from './modules/cities/cities.routes.ts';
import { ACTOR_CHANGED_CHANNEL, ActorCache } from './modules/accounts/actor-cache.ts';
import { authPages } from './modules/accounts/auth.pages.ts';
import { authRoutes } from './modules/accounts/auth.routes.ts';
import { oidcRoutes } from './modules/accounts/oidc.routes.ts';
import { peoplePages } from './modules/accounts/people.pages.ts';
import { peopleRoutes } from './modules/accounts/people.routes.ts';
import { activityPages } from './modules/activities/activity-page.pages.ts';
import { savedSearchesPages } from './modules/activities/saved-searches.pages.ts';
import { savedSearchesRoutes } from './modules/activities/saved-searches.routes.ts';
import { sitemapRoutes } from './modules/activities/sitemap.routes.ts';
import { devMailPages } from './modules/devmail/devmail.pages.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { badgeClassesPages } from './modules/badges/badge-classes.pages.ts';
import { badgeClassesRoutes } from './modules/badges/badge-classes.routes.ts';
import { endorsementsRoutes } from './modules/badges/endorsements.routes.ts';
import { issuersPages } from './modules/badges/issuers.pages.ts';
import { issuersRoutes } from './modules/badges/issuers.routes.ts';
import { credentialsPages } from './modules/badges/credentials.pages.ts';
import { credentialsRoutes } from './modules/badges/credentials.routes.ts';
import { claimsPages } from './modules/badges/claims.pages.ts';
import { claimsRoutes } from './modules/badges/claims.routes.ts';
import { evidencePages } from './modules/badges/evidence.pages.ts';
import { evidenceRoutes } from './modules/badges/evidence.routes.ts';
import { bulkIssuePages } from './modules/badges/bulk-issue.pages.ts';
import { bulkIssueRoutes } from './modules/badges/bulk-issue.routes.ts';
import { verifierPages } from './modules/verifier/verifier.pages.ts';
import { verifierRoutes } from './modules/verifier/verifier.routes.ts';
import { importsPages } from './modules/activities/imports.pages.ts';
import { importsRoutes } from './modules/activities/imports.routes.ts';
import type { DevInbox } from './mail/dev-inbox.ts';
import { geoRoutes } from './modules/geo/geo.routes.ts';
import { jobsRoutes } from './modules/jobs/jobs.routes.ts';
import { activitiesRoutes } from './modules/activities/activities.routes.ts';
import { organisationsPages } from './modules/organisations/organisations.pages.ts';
import { organisationsRoutes } from './modules/organisations/organisations.routes.ts';
import { skillsCurationPages } from './modules/skills/skills.curation.pages.ts';
import { skillsPages } from './modules/skills/skills.pages.ts';
import { skillsRoutes } from './modules/skills/skills.routes.ts';
import { enforceAccessDeclarations, type RouteAccess } from './plugins/access.ts';
import { assetRoutes } from './plugins/assets.ts';
import { searchPages } from './modules/activities/search.pages.ts';
import { searchRoutes } from './modules/activities/search.routes.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import './types.ts';

export interface BuildAppOptions {
  config: Config;
  db: Database;
  /** Overrides the logger built from config (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
  /** The in-process SMTP inbox; its pages are served when given (demo and tests only). */
  devInbox?: DevInbox;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;

/** Builds the Fastify app with every plugin and route. It never listens; `main.ts` and tests decide that. */
export async function buildApp({ config, db, logger, devInbox }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Keep a caller's request id (load balancers set one) so logs line up across services.
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  });

  const routeAccess: RouteAccess[] = [];
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('assets', await loadAssets());
  app.decorate('routeAccess', routeAccess);
  enforceAccessDeclarations(app, routeAccess);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
  });

  registerErrorHandling(app);
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await registerRateLimit(app);
  // Who is behind a session is cached per process; database triggers notify changes so entries go at once.
  const actorCache = new ActorCache();
  const stopListening = await db.listen(
    ACTOR_CHANGED_CHANNEL,
    (userId) => actorCache.evictUser(userId),
    () => actorCache.clear(),
  );
  app.addHook('onClose', async () => stopListening());
  app.decorate('actorCache', actorCache);
  registerAuth(app);
  await registerOpenApi(app);

  await app.register(healthRoutes);
  await app.register(assetRoutes);
  await app.register(citiesRoutes);
  await app.register(jobsRoutes);
  await app.register(citiesPages);
  await app.register(skillsRoutes);
  await app.register(skillsPages);
  await app.register(skillsCurationPages);
  await app.register(authRoutes);
  await app.register(authPages);
  await app.register(citiesAdminRoutes);
  await app.register(citiesAdminPages);
  await app.register(organisationsRoutes);
  await app.register(organisationsPages);
  await app.register(auditRoutes);
  await app.register(peopleRoutes);
  await app.register(peoplePages);
  await app.register(oidcRoutes);
  // The opportunity catalogue: activities, search and map, activity pages, sign-ups, imports, saved searches.
  await app.register(importsRoutes);
  await app.register(importsPages);
  await app.register(activityPages);
  await app.register(sitemapRoutes);
  await app.register(savedSearchesRoutes);
  await app.register(savedSearchesPages);
  await app.register(signupsRoutes);
  await app.register(signupsPages);
  await app.register(searchRoutes);
  await app.register(searchPages);
  await app.register(activitiesPages);
  await app.register(activitiesRoutes);
  await app.register(geoRoutes);
  // Open Badges (issue #7): issuers and keys, badge classes, credentials and claim routes, the verifier.
  // ── issuers
  await app.register(issuersRoutes);
  await app.register(issuersPages);
  await app.register(endorsementsRoutes);
  // ── badge classes
  await app.register(badgeClassesRoutes);
  await app.register(badgeClassesPages);
  // ── credentials
  await app.register(credentialsRoutes);
  await app.register(credentialsPages);
  // ── claims
  await app.register(claimsRoutes);
  await app.register(claimsPages);
  await app.register(evidenceRoutes);
  await app.register(evidencePages);
  // ── verifier
  await app.register(verifierRoutes);
  await app.register(verifierPages);
  // ── bulk issuing
  await app.register(bulkIssueRoutes);
  await app.register(bulkIssuePages);
  if (devInbox) await app.register(devMailPages(devInbox));

  return app;
}
