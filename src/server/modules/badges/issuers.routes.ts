import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { organisationInCity } from '../organisations/organisations.service.ts';
import { renderPublicIssuerPage } from './issuers.pages.ts';
import {
  ImportKeyBody,
  IssuerKeySchema,
  IssuerParams,
  IssuerSchema,
  JsonDocument,
  KeyChangeSchema,
  OrganisationParams,
  RotateHeaders,
} from './issuers.schemas.ts';
import {
  type ImportedKeyInput,
  type IssuerKeySummary,
  type IssuerOverview,
  issuerDid,
  issuerDidDocument,
  issuerOb2Url,
  issuerOverview,
  issuerProfileJson,
  ob2IssuerJson,
  rotateIssuerKey,
} from './issuer-keys.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toIssuerKeyJson(config: Config, key: IssuerKeySummary) {
  return {
    id: key.id,
    publicKeyMultibase: key.publicKeyMultibase,
    verificationMethod: `${issuerDid(config, key.organisationId)}#${key.publicKeyMultibase}`,
    status: key.status,
    imported: key.imported,
    createdAt: iso(key.createdAt) as string,
    retiredAt: iso(key.retiredAt),
  };
}

export function toIssuerJson(config: Config, overview: IssuerOverview) {
  return {
    organisationId: overview.organisation.id,
    did: overview.did,
    profileUrl: overview.profileUrl,
    didDocumentUrl: overview.didDocumentUrl,
    ob2IssuerUrl: issuerOb2Url(config, overview.organisation.id),
    keys: overview.keys.map((key) => toIssuerKeyJson(config, key)),
  };
}

interface MediaRange {
  type: string;
  quality: number;
}

/**
 * The offered media type the Accept header prefers: highest quality, then the most specific matching range
 * (an exact type beats `type/*`, which beats `*∕*`), then the order offered. No header: the first offered.
 */
export function preferredMediaType(accept: string | undefined, offered: readonly string[]): string | undefined {
  if (!accept?.trim()) return offered[0];
  const ranges: MediaRange[] = accept.split(',').map((part) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { type: type.trim(), quality: Number.isFinite(quality) ? quality : 0 };
  });
  let best: { type: string; quality: number; specificity: number } | undefined;
  for (const type of offered) {
    const [major] = type.split('/');
    let match: { quality: number; specificity: number } | undefined;
    for (const range of ranges) {
      const specificity =
        range.type === type ? 3 : range.type === `${major}/*` ? 2 : range.type === '*/*' || range.type === '*' ? 1 : 0;
      if (specificity > 0 && (!match || specificity > match.specificity))
        match = { quality: range.quality, specificity };
    }
    if (!match || match.quality <= 0) continue;
    if (
      !best ||
      match.quality > best.quality ||
      (match.quality === best.quality && match.specificity > best.specificity)
    ) {
      best = { type, ...match };
    }
  }
  return best?.type;
}

/** Public JSON documents: readable from any origin (they hold nothing private) and cached briefly. */
function sendPublicJson(reply: FastifyReply, contentType: string, document: unknown, vary?: string): FastifyReply {
  reply
    .header('content-type', `${contentType}; charset=utf-8`)
    .header('cache-control', 'public, max-age=300')
    .header('access-control-allow-origin', '*');
  if (vary) reply.header('vary', vary);
  return reply.send(JSON.stringify(document));
}

const profileTypes = ['application/ld+json', 'application/json', 'text/html'] as const;

const tags = ['issuers'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Issuer identities: the public DID document, profile and OB 2.0 issuer, and each organisation's key management. */
export async function issuersRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [IssuerKeySchema, IssuerSchema]) app.addSchema(schema);

  app.get(
    '/issuers/:organisationId/did.json',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getIssuerDidDocument',
        tags,
        summary: 'The issuer’s did:web DID document: its active key and every retired key',
        description:
          'Credentials name a key of this document in their proof; retired keys stay listed so what they signed keeps verifying.',
        params: IssuerParams,
        response: { 200: JsonDocument('A DID document (DID Core 1.0, Multikey)'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const document = await issuerDidDocument(app.db, app.config, request.params.organisationId);
      const type = preferredMediaType(request.headers.accept, ['application/json', 'application/did+json']);
      return sendPublicJson(reply, type ?? 'application/json', document, 'Accept');
    },
  );

  app.get(
    '/issuers/:organisationId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getIssuerProfile',
        tags,
        summary: 'The issuer’s Open Badges 3.0 Profile (JSON-LD), or its public page for browsers',
        description:
          'Answers JSON-LD when the Accept header prefers application/ld+json or application/json (or with `?format=json`), HTML otherwise.',
        params: IssuerParams,
        querystring: Type.Object({
          format: Type.Optional(Type.Literal('json')),
          lang: Type.Optional(Type.String()),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        }),
        response: { 200: JsonDocument('An OB 3.0 Profile'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const type =
        request.query.format === 'json' ? 'application/json' : preferredMediaType(request.headers.accept, profileTypes);
      if (type === 'text/html') return renderPublicIssuerPage(app, request, reply, request.query.page ?? 1);
      const profile = await issuerProfileJson(app.db, app.config, request.params.organisationId);
      return sendPublicJson(reply, type ?? 'application/ld+json', profile, 'Accept');
    },
  );

  app.get(
    '/issuers/:organisationId/ob2',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getIssuerOb2',
        tags,
        summary: 'The issuer as an Open Badges 2.0 Issuer, for tools that only read 2.0',
        params: IssuerParams,
        response: { 200: JsonDocument('An OB 2.0 Issuer'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) =>
      sendPublicJson(reply, 'application/json', await ob2IssuerJson(app.db, app.config, request.params.organisationId)),
  );

  const one = '/api/v1/cities/:citySlug/organisations/:organisationId/issuer';

  app.get(
    one,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getOrganisationIssuer',
        tags,
        summary: 'The organisation’s issuer identity: DID, profile and keys (never a secret key)',
        params: OrganisationParams,
        security,
        response: { 200: Type.Ref('Issuer'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await organisationInCity(app.db, cityOf(request), request.params.organisationId);
      return toIssuerJson(app.config, await issuerOverview(app.db, app.config, request.params.organisationId));
    },
  );

  async function changeKey(request: FastifyRequest, reply: FastifyReply, imported?: ImportedKeyInput) {
    const { organisationId } = request.params as { organisationId: string };
    const city = cityOf(request);
    await organisationInCity(app.db, city, organisationId);
    const caller = callerOf(request);
    const idempotencyKey = (request.headers as Record<string, string | undefined>)['idempotency-key'];
    const result = await rotateIssuerKey(app.db, app.config, caller.audit, organisationId, imported, {
      cityId: city.id,
      createdBy: caller.audit.actorUserId,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    const overview = await issuerOverview(app.db, app.config, organisationId);
    return reply.code(result.created ? 201 : 200).send({
      created: result.created,
      key: toIssuerKeyJson(app.config, result.key),
      issuer: toIssuerJson(app.config, overview),
    });
  }

  app.post(
    `${one}/keys/rotate`,
    {
      config: { access: 'organisation_admin', scope: 'badges:write' },
      schema: {
        operationId: 'rotateIssuerKey',
        tags,
        summary: 'Rotate the signing key: a new key signs from now on, the old one is retired and keeps verifying',
        description:
          'Send an `Idempotency-Key` header to retry safely: the same key within 24 hours answers 200 with the key the first request made.',
        params: OrganisationParams,
        headers: RotateHeaders,
        security,
        response: { 200: KeyChangeSchema, 201: KeyChangeSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => changeKey(request, reply),
  );

  app.post(
    `${one}/keys/import`,
    {
      config: { access: 'organisation_admin', scope: 'badges:write' },
      schema: {
        operationId: 'importIssuerKey',
        tags,
        summary: 'Import the organisation’s existing Ed25519 key; it signs from now on and the old key is retired',
        description:
          'Give `publicKeyMultibase` and `secretKeyMultibase` (Multikey) or a private `jwk`. The key must sign and verify a probe; otherwise 400 ISSUER_KEY_INVALID says which field is wrong.',
        params: OrganisationParams,
        body: ImportKeyBody,
        security,
        response: { 201: KeyChangeSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => changeKey(request, reply, request.body as ImportedKeyInput),
  );
}
