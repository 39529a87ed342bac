import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Who may call a route. Every route declares one in `config.access`; a route without one stops the app at start-up,
 * so no endpoint is ever reachable by accident. Later capabilities add rules (learner, organisation staff, curator
 * of the route's city, network admin) next to the session support that checks them.
 */
export const accessRules = ['public'] as const;
export type AccessRule = (typeof accessRules)[number];

/** Routes added by third-party plugins that serve public, static documentation. */
const publicPrefixes = ['/api/docs'];

export interface RouteAccess {
  method: string;
  url: string;
  access: AccessRule;
}

/**
 * Refuses routes without an access rule and records every route's rule in `routes`
 * (the authorisation tests and docs read it).
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
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method, url: route.url, access });
    }
  });
}
