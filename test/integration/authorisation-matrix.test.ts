import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db/client.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { hashPassword } from '../../src/server/modules/accounts/passwords.ts';
import { startSession } from '../../src/server/modules/accounts/sessions.service.ts';
import { cliAuditContext } from '../../src/server/modules/audit/audit.service.ts';
import { createCity } from '../../src/server/modules/cities/cities.service.ts';
import {
  type Caller,
  createApiToken,
  inviteMember,
} from '../../src/server/modules/organisations/organisations.service.ts';
import type { AccessRule } from '../../src/server/plugins/access.ts';
import { TEST_PASSWORD } from '../helpers/auth.ts';
import { createTestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

/**
 * The authorisation matrix: every route the app declares (`app.routeAccess`) × every role, with the expected answer
 * derived from the route's declared rule — so a new route is covered the moment it is registered. Path parameters are
 * filled with real ids from a seeded fixture; JSON bodies and required query parameters are generated from the
 * route's OpenAPI schema so that validation passes and the access rule decides.
 *
 * "Allowed" means the access layer let the request through: the answer is not UNAUTHENTICATED/FORBIDDEN/CSRF_FAILED
 * and not a 5xx (a handler may still answer 400, 404, 409 or a business 401/403 such as INVITATION_EMAIL_MISMATCH).
 * "Denied" means exactly 401 (anonymous) or 403 (signed in without the right).
 */

const roles = [
  'anonymous',
  'learner',
  'organisation staff',
  'organisation admin',
  'curator of this city',
  'curator of another city',
  'network admin',
] as const;
type Role = (typeof roles)[number];
type Expectation = 'allowed' | 401 | 403;

const expectations: Record<AccessRule, Record<Role, Expectation>> = {
  public: Object.fromEntries(roles.map((role) => [role, 'allowed'])) as Record<Role, Expectation>,
  authenticated: {
    anonymous: 401,
    learner: 'allowed',
    'organisation staff': 'allowed',
    'organisation admin': 'allowed',
    'curator of this city': 'allowed',
    'curator of another city': 'allowed',
    'network admin': 'allowed',
  },
  network_admin: {
    anonymous: 401,
    learner: 403,
    'organisation staff': 403,
    'organisation admin': 403,
    'curator of this city': 403,
    'curator of another city': 403,
    'network admin': 'allowed',
  },
  city_curator: {
    anonymous: 401,
    learner: 403,
    'organisation staff': 403,
    'organisation admin': 403,
    'curator of this city': 'allowed',
    'curator of another city': 403,
    'network admin': 'allowed',
  },
  organisation_staff: {
    anonymous: 401,
    learner: 403,
    'organisation staff': 'allowed',
    'organisation admin': 'allowed',
    'curator of this city': 403,
    'curator of another city': 403,
    'network admin': 'allowed',
  },
  organisation_admin: {
    anonymous: 401,
    learner: 403,
    'organisation staff': 403,
    'organisation admin': 'allowed',
    'curator of this city': 403,
    'curator of another city': 403,
    'network admin': 'allowed',
  },
};

const accessLayerCodes = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'CSRF_FAILED', 'INSUFFICIENT_SCOPE']);

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  format?: string;
  minLength?: number;
  minItems?: number;
  minimum?: number;
  pattern?: string;
};

const patternCandidates = [
  'sample-value',
  'en',
  '2000-01-01',
  'abc',
  'a',
  '1',
  '00000000-0000-4000-8000-000000000000',
  'sample@example.org',
  '#0b5cad',
];

/** A value that satisfies a JSON schema: examples and defaults first, then the simplest value of the type. */
function sample(schema: JsonSchema | undefined, components: Record<string, JsonSchema>): unknown {
  if (!schema) return undefined;
  if (schema.$ref) return sample(components[schema.$ref.split('/').pop() as string], components);
  if (schema.examples?.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return sample(options.find((o) => o.type !== 'null') ?? options[0], components);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((key) => [key, sample(schema.properties?.[key], components)]),
      );
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, components));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      switch (schema.format) {
        case 'email':
          return 'matrix.sample@example.org';
        case 'uuid':
          return randomUUID();
        case 'date':
          return '2000-01-01';
        case 'date-time':
          return '2000-01-01T00:00:00Z';
        case 'uri':
          return 'https://example.org/';
        default: {
          const fallback = 'sample-value'.padEnd(schema.minLength ?? 0, 'x');
          if (!schema.pattern) return fallback;
          // Schemas with a pattern but no example: the first of a few common shapes that matches.
          const pattern = new RegExp(schema.pattern, 'u');
          return patternCandidates.find((candidate) => pattern.test(candidate)) ?? fallback;
        }
      }
    default:
      return undefined;
  }
}

const t = await createTestApp();
const db: Database = t.db;
let passwordHash = '';
const params: Record<string, string> = {};
const roleOptions = { organisationId: '', thisCity: '', otherCity: '' };

/** A new person with the role and a fresh session, so one route's action (log out, delete account) never affects another. */
async function headersFor(role: Role): Promise<Record<string, string>> {
  if (role === 'anonymous') return {};
  const [user] = await db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, password_hash, email_verified_at) VALUES ($1, $2, $3, now()) RETURNING id`,
    [`matrix-${randomUUID()}@example.org`, `Matrix ${role}`, passwordHash],
  );
  const userId = (user as { id: string }).id;
  const grant = (r: string, cityId: string | null) =>
    db.query('INSERT INTO role_assignments (user_id, role, city_id) VALUES ($1, $2, $3)', [userId, r, cityId]);
  const member = (r: string) =>
    db.query('INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, $3)', [
      roleOptions.organisationId,
      userId,
      r,
    ]);
  if (role === 'organisation staff') await member('staff');
  if (role === 'organisation admin') await member('admin');
  if (role === 'curator of this city') await grant('city_curator', roleOptions.thisCity);
  if (role === 'curator of another city') await grant('city_curator', roleOptions.otherCity);
  if (role === 'network admin') await grant('network_admin', null);
  const session = await startSession(db, userId, { ip: '127.0.0.1', userAgent: 'matrix' });
  return { cookie: `ls_session=${session.token}`, 'x-csrf-token': session.csrfToken };
}

beforeAll(async () => {
  await seedDemo(db, { catalogue: false });
  passwordHash = await hashPassword(TEST_PASSWORD);
  const system: Caller = { actor: 'system', audit: cliAuditContext() };
  await createCity(db, {
    slug: 'matrix-spare',
    name: { en: 'Matrix Spare' },
    languages: ['en'],
    timeZone: 'Europe/London',
    bounds: { west: -1, south: 51, east: 0, north: 52 },
  });
  const [vilnius] = await db.query<{ id: string }>("SELECT id FROM cities WHERE slug = 'vilnius'");
  const [plymouth] = await db.query<{ id: string }>("SELECT id FROM cities WHERE slug = 'plymouth'");
  const [org] = await db.query<{ id: string; slug: string }>(
    "SELECT id, slug FROM organisations WHERE slug = 'snipiskes-dirbtuves'",
  );
  if (!vilnius || !plymouth || !org) throw new Error('The demo seed did not create the fixture.');
  roleOptions.organisationId = org.id;
  roleOptions.thisCity = vilnius.id;
  roleOptions.otherCity = plymouth.id;
  const [target] = await db.query<{ id: string }>(
    "INSERT INTO users (email, display_name, password_hash, email_verified_at) VALUES ('matrix-target@example.org', 'Target', $1, now()) RETURNING id",
    [passwordHash],
  );
  await db.query("INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'staff')", [
    org.id,
    target?.id,
  ]);
  const [address] = await db.query<{ id: string }>('SELECT id FROM organisation_addresses WHERE organisation_id = $1', [
    org.id,
  ]);
  const city = (await import('../../src/server/modules/cities/cities.repo.ts')).findCityBySlug;
  const vilniusCity = await city(db, 'vilnius');
  if (!vilniusCity) throw new Error('no Vilnius');
  const { token } = await createApiToken(db, vilniusCity, org.id, { name: 'matrix', scopes: ['members:read'] }, system);
  const { invitation, url } = await inviteMember(
    db,
    vilniusCity,
    org.id,
    { email: 'matrix-invitee@example.org', role: 'staff' },
    system,
    t.config.publicUrl,
  );
  Object.assign(params, {
    citySlug: 'vilnius',
    slug: 'matrix-spare',
    organisationId: org.id,
    organisationSlug: org.slug,
    userId: target?.id,
    addressId: address?.id,
    tokenId: token.id,
    invitationId: invitation.id,
    token: url.split('/').pop(),
    '*': 'index.html',
  });
});
afterAll(() => t.close());

const document = () =>
  t.app.swagger() as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content?: Record<string, { schema: JsonSchema }> };
          parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
        }
      >
    >;
    components?: { schemas?: Record<string, JsonSchema> };
  };

function fill(url: string): string {
  return url.replace(/:(\w+)|\*/g, (_match, name: string | undefined) => {
    const key = name ?? '*';
    if (params[key]) return encodeURIComponent(params[key] as string);
    // A parameter no fixture knows yet: ids get a random UUID, names a slug (the access rule still decides).
    return key.endsWith('Id') ? randomUUID() : 'matrix-unknown';
  });
}

const routes = t.app.routeAccess.filter((route) => route.method !== 'HEAD' && route.method !== 'OPTIONS');

describe(`the authorisation matrix on ${testEngine}`, () => {
  it('covers every route, and every route declares a rule', () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) expect(Object.keys(expectations)).toContain(route.access);
  });

  it.each(routes.map((route) => [`${route.method} ${route.url} (${route.access})`, route] as const))(
    '%s',
    async (_name, route) => {
      const openApi = document();
      const operation = openApi.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const components = openApi.components?.schemas ?? {};
      const bodySchema = operation?.requestBody?.content?.['application/json']?.schema;
      const query = new URLSearchParams();
      for (const parameter of operation?.parameters ?? []) {
        if (parameter.in === 'query' && parameter.required)
          query.set(parameter.name, String(sample(parameter.schema, components)));
      }
      const url = fill(route.url) + (query.size > 0 ? `?${query}` : '');
      const hasBody = !['GET', 'DELETE'].includes(route.method);
      const failures: string[] = [];
      for (const role of roles) {
        const expected = expectations[route.access][role];
        const response = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: { accept: 'application/json', ...(await headersFor(role)) },
          remoteAddress: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
          ...(hasBody ? { payload: (sample(bodySchema, components) as object | undefined) ?? {} } : {}),
        });
        let code: string | undefined;
        try {
          code = response.json().error?.code;
        } catch {
          code = undefined;
        }
        const seen = `${response.statusCode}${code ? ` ${code}` : ''}`;
        if (expected === 'allowed') {
          if (response.statusCode >= 500 || (code && accessLayerCodes.has(code)))
            failures.push(`${role}: expected allowed, got ${seen} ${response.body.slice(0, 300)}`);
        } else if (response.statusCode !== expected) {
          failures.push(`${role}: expected ${expected}, got ${seen} ${response.body.slice(0, 300)}`);
        }
      }
      expect(failures, `${route.method} ${route.url} (${route.access})`).toEqual([]);
    },
  );
});
