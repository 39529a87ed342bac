import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Who may call a route. Every route declares one in `config.access`; a route without one stops the app at start-up,
 * so no endpoint is ever reachable by accident. The rules are checked server-side in `plugins/auth.ts`:
 * - `public`: anyone.
 * - `authenticated`: any signed-in person (API tokens do not count).
 * - `network_admin`: network admins.
 * - `city_curator`: curators of the city named by the route's `:citySlug`, and network admins.
 * - `organisation_staff` / `organisation_admin`: members of the organisation named by `:organisationId` (any role /
 *   owner or admin), an API token of that organisation in that city, and network admins. The organisation must take
 *   part in the route's city.
 */
export const accessRules = [
  'public',
  'authenticated',
  'network_admin',
  'city_curator',
  'organisation_staff',
  'organisation_admin',
] as const;
export type AccessRule = (typeof accessRules)[number];

/** Rules whose routes must name a city in `:citySlug`. */
export const cityScopedRules: readonly AccessRule[] = ['city_curator', 'organisation_staff', 'organisation_admin'];

/** Routes added by third-party plugins that serve public, static documentation. */
const publicPrefixes = ['/api/docs'];

export interface RouteAccess {
  method: string;
  url: string;
  access: AccessRule;
}

/**
 * Refuses routes without an access rule (or a city-scoped rule on a route without `:citySlug`) and records every
 * route's rule in `routes` (the authorisation tests and docs read it).
 */
export function enforceAccessDeclarations(app: FastifyInstance, routes: RouteAccess[]): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { access?: AccessRule };
    let access = config.access;
    if (access === undefined && publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      access = 'public';
      route.config = { ...config, access };
    }
    if (!access || !(accessRules as readonly string[]).includes(access)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule (config.access).`);
    }
    if (cityScopedRules.includes(access) && !route.url.includes(':citySlug')) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} uses the city rule "${access}" but has no :citySlug.`,
      );
    }
    if (access.startsWith('organisation_') && !route.url.includes(':organisationId')) {
      throw new Error(`Route ${String(route.method)} ${route.url} uses "${access}" but has no :organisationId.`);
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method, url: route.url, access });
    }
  });
}
