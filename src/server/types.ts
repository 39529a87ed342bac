import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { ActorCache } from './modules/accounts/actor-cache.ts';
import type { AccessRule, RouteAccess } from './plugins/access.ts';
import type { AssetBundle } from '../web/assets.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    assets: AssetBundle;
    routeAccess: RouteAccess[];
    actorCache: ActorCache;
  }
  interface FastifyContextConfig {
    /** Who may call this route. Every route must say; the app refuses to start otherwise. */
    access?: AccessRule;
  }
}
