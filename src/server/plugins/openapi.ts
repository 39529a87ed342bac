import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable code from the error catalogue, e.g. `VALIDATION_FAILED`.' }),
      message: Type.String({ description: 'Human-readable explanation.' }),
      details: Type.Array(
        Type.Object(
          {
            field: Type.Optional(Type.String({ description: 'JSON pointer of the bad field.' })),
            problem: Type.String(),
          },
          { additionalProperties: true },
        ),
      ),
    }),
  },
  { $id: 'ErrorBody', title: 'ErrorBody' },
);

/** Response schemas for the error statuses a route can return, all in the one error shape. */
export function errorResponses(...statuses: number[]): Record<number, ReturnType<typeof Type.Ref>> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('ErrorBody')]));
}

export const openApiInfo = {
  title: 'Learnscape API',
  version: '1',
  description:
    'The Learnscape REST API: cities, activities, badges and more. Every error is `{ "error": { "code", "message", "details" } }` with a stable code.',
};

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ErrorBodySchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: openApiInfo,
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ls_session',
            description: 'Browser session; state-changing requests also need the x-csrf-token header.',
          },
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An organisation API token (lsk_…), scoped to one city.',
          },
        },
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'cities', description: 'Cities (tenants) of this deployment' },
        { name: 'jobs', description: 'Background jobs and their progress' },
        { name: 'skills', description: 'Skills spine: competence frameworks, ESCO, local skills and crosswalks' },
        { name: 'auth', description: 'Sessions: sign in, sign out, who am I' },
        {
          name: 'organisations',
          description: 'Organisations in a city: applications, members, invitations, API tokens',
        },
        { name: 'audit', description: 'The audit log of privileged actions' },
        {
          name: 'accounts',
          description:
            'People: sign-up, email verification, password reset, guardian consent, profile, data export and deletion',
        },
        {
          name: 'activities',
          description: 'The opportunity catalogue: activities, moderation, search, the map, imports, feeds and exports',
        },
        { name: 'signups', description: 'Taking part: sign-ups, waiting lists, attendee lists and attendance' },
        { name: 'saved searches', description: "A learner's saved searches and their daily email" },
        { name: 'issuers', description: 'Open Badges issuers: profiles, did:web documents and signing keys' },
        { name: 'badges', description: 'Badge classes (Open Badges 3.0 achievements): design, criteria, alignment' },
        {
          name: 'credentials',
          description: 'Issued badges: awarding, status (revoke, suspend, reinstate), corrections, claim links',
        },
        { name: 'endorsements', description: 'Organisations endorsing badge classes and issuers' },
        { name: 'claims', description: 'Claim codes and QR posters for events' },
        { name: 'evidence', description: 'Evidence submissions, their review, and peer checks' },
        { name: 'bulk issuing', description: 'Issuing badges from CSV as a background job with a per-row report' },
        { name: 'verifier', description: 'Verifying any Open Badges 2.0 or 3.0 credential' },
      ],
    },
    // Name components after the schemas' $id instead of def-0, def-1 …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // The UI is served from the package; no validator badge or other remote call.
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: true,
  });
}
