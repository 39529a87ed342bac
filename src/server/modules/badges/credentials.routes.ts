import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { UserActor } from '../accounts/actor.ts';
import { auditContext } from '../audit/audit.http.ts';
import {
  AwardBody,
  AwardResultSchema,
  BadgeParams,
  CityParams,
  CorrectionBody,
  CorrectionResultSchema,
  CredentialListQuery,
  CredentialListSchema,
  CredentialSchema,
  IdempotencyHeaders,
  MyCredentialListSchema,
  OptionalReasonBody,
  OrganisationCredentialParams,
  PublicCredentialParams,
  ReasonBody,
  StatusListParams,
} from './credentials.schemas.ts';
import {
  awardBadge,
  bakedBadge,
  correctCredential,
  type CredentialRecord,
  credentialJwt,
  credentialUrl,
  downloadName,
  getCredential,
  getOrganisationCredential,
  listCredentialsOfBadge,
  listCredentialsOfLearner,
  ob2Assertion,
  reinstateCredential,
  revokeCredential,
  shownStatus,
  suspendCredential,
} from './credentials.service.ts';
import { statusListCredential } from './status-lists.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const tags = ['credentials'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];
const hide = true;

/** JSON-LD documents of credentials and status lists. */
export const JSON_LD = 'application/ld+json';

export function toCredentialJson(config: Config, citySlug: string, record: CredentialRecord, withDocument = false) {
  return {
    id: record.id,
    url: credentialUrl(config, citySlug, record.id),
    badge: { id: record.badgeClassId, slug: record.badgeSlug, name: record.badgeName, version: record.badgeVersion },
    organisationId: record.organisationId,
    recipient: {
      userId: record.recipientUserId,
      email: record.recipientEmail,
      name: record.recipientName,
      claimPending: record.claimPending,
    },
    status: shownStatus(record),
    statusReason: record.statusReason,
    statusChangedAt: iso(record.statusChangedAt),
    route: record.claimRoute,
    validFrom: iso(record.validFrom) as string,
    validUntil: iso(record.validUntil),
    issuedAt: iso(record.issuedAt) as string,
    supersedesId: record.supersedesId,
    supersededById: record.supersededById,
    ...(withDocument ? { document: record.document } : {}),
  };
}

/**
 * JSON with object keys in sorted order: documents come back from jsonb in its own key order, so sorting makes the
 * same document the same bytes (and the same ETag) whether it was just signed or read from the database.
 */
export function stableJson(value: unknown): string {
  const sorted = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(sorted)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(
            Object.keys(node as Record<string, unknown>)
              .sort()
              .map((key) => [key, sorted((node as Record<string, unknown>)[key])]),
          )
        : node;
  return JSON.stringify(sorted(value));
}

/** A strong ETag of a response body; a matching If-None-Match answers 304 without the body. */
export function sendWithEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  body: string | Buffer,
  contentType: string,
  cacheControl: string,
): FastifyReply {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'Accept');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*'))
    return reply.code(304).send();
  return reply.code(200).type(contentType).send(body);
}

function attachment(reply: FastifyReply, fileName: string): FastifyReply {
  return reply.header('content-disposition', `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`);
}

/** Credentials: the organisation API (award, list, revoke, suspend, reinstate, correct), "my badges", and the public documents. */
export async function credentialsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [
    AwardResultSchema,
    CredentialSchema,
    CredentialListSchema,
    MyCredentialListSchema,
    CorrectionResultSchema,
  ]) {
    app.addSchema(schema);
  }
  const config = app.config;
  const badgeBase = '/api/v1/cities/:citySlug/organisations/:organisationId/badges/:badgeId/credentials';
  const credentialBase = '/api/v1/cities/:citySlug/organisations/:organisationId/credentials/:credentialId';

  app.post(
    badgeBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: {
        operationId: 'awardBadge',
        tags,
        summary: 'Award a badge to one or many people (up to 100): all are issued, or none',
        description:
          'Everything is checked first (email addresses, duplicates, prerequisites); when any recipient cannot get the ' +
          'badge, nothing is issued and `AWARD_REJECTED` names each one in `details`. People with an account get the ' +
          'credential directly; anyone else gets a claim link by email. Send an `Idempotency-Key` to make retries safe.',
        params: BadgeParams,
        headers: IdempotencyHeaders,
        body: AwardBody,
        security,
        response: {
          200: Type.Ref('AwardResult'),
          201: Type.Ref('AwardResult'),
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const outcomes = await awardBadge(
        app.db,
        config,
        city,
        auditContext(request),
        request.params.organisationId,
        request.params.badgeId,
        request.body,
        { idempotencyKey: request.headers['idempotency-key'] },
      );
      return reply.code(outcomes.some((outcome) => outcome.created) ? 201 : 200).send({
        items: outcomes.map((outcome) => ({
          index: outcome.index,
          credentialId: outcome.credentialId,
          created: outcome.created,
          url: credentialUrl(config, city.slug, outcome.credentialId),
        })),
      });
    },
  );

  app.get(
    badgeBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listBadgeCredentials',
        tags,
        summary: 'The credentials issued of one of the organisation’s badges, newest first',
        params: BadgeParams,
        querystring: CredentialListQuery,
        security,
        response: { 200: Type.Ref('CredentialList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const page = await listCredentialsOfBadge(
        app.db,
        city,
        request.params.organisationId,
        request.params.badgeId,
        request.query,
      );
      return { items: page.items.map((record) => toCredentialJson(config, city.slug, record)), next: page.next };
    },
  );

  app.get(
    credentialBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getOrganisationCredential',
        tags,
        summary: 'One credential the organisation issued, with the signed document',
        params: OrganisationCredentialParams,
        security,
        response: { 200: Type.Ref('Credential'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const record = await getOrganisationCredential(
        app.db,
        city,
        request.params.organisationId,
        request.params.credentialId,
      );
      return toCredentialJson(config, city.slug, record, true);
    },
  );

  for (const [action, summary, body, run] of [
    [
      'revoke',
      'Revoke a credential for good (a reason is required); its status list shows it and the learner is told',
      ReasonBody,
      revokeCredential,
    ],
    [
      'suspend',
      'Suspend an active credential until it is reinstated (a reason is required); the learner is told',
      ReasonBody,
      suspendCredential,
    ],
    ['reinstate', 'Reinstate a suspended credential; the learner is told', OptionalReasonBody, reinstateCredential],
  ] as const) {
    app.post(
      `${credentialBase}/${action}`,
      {
        config: { access: 'organisation_staff', scope: 'badges:issue' },
        schema: {
          operationId: `${action}Credential`,
          tags,
          summary,
          params: OrganisationCredentialParams,
          body,
          security,
          response: { 200: Type.Ref('Credential'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const city = cityOf(request);
        const { organisationId, credentialId } = request.params;
        const reason = (request.body as { reason?: string }).reason ?? '';
        await app.db.transaction((tx) =>
          run(tx, config, city, auditContext(request), credentialId, reason, { organisationId }),
        );
        return toCredentialJson(config, city.slug, await getCredential(app.db, city, credentialId));
      },
    );
  }

  app.post(
    `${credentialBase}/correct`,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: {
        operationId: 'correctCredential',
        tags,
        summary: 'Correct a credential (name, issue date, evidence): a replacement is issued, the old one revoked',
        description:
          'The replacement has the same badge version and links to the old credential (`supersedesId`); the old one is ' +
          'revoked with the reason "superseded". The learner gets one email.',
        params: OrganisationCredentialParams,
        body: CorrectionBody,
        security,
        response: { 201: Type.Ref('CorrectionResult'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const { organisationId, credentialId } = request.params;
      const newId = await app.db.transaction((tx) =>
        correctCredential(tx, config, city, auditContext(request), credentialId, request.body, { organisationId }),
      );
      return reply
        .code(201)
        .send({ credentialId: newId, url: credentialUrl(config, city.slug, newId), supersedesId: credentialId });
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/me/badges',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listMyBadges',
        tags,
        summary: 'The signed-in learner’s badge credentials in the city, newest first',
        params: CityParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('MyCredentialList'), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const records = await listCredentialsOfLearner(app.db, city.id, (request.actor as UserActor).userId);
      return { items: records.map((record) => toCredentialJson(config, city.slug, record, true)) };
    },
  );

  // ── Public documents of a credential (a revoked or suspended one still answers, and says so) ──────────────────────

  const publicBase = '/c/:citySlug/credentials/:credentialId';
  const publicOptions = { config: { access: 'public' as const }, schema: { hide, params: PublicCredentialParams } };
  const recordOf = (request: FastifyRequest) =>
    getCredential(app.db, cityOf(request), (request.params as { credentialId: string }).credentialId);

  app.get(`${publicBase}/credential.json`, publicOptions, async (request, reply) => {
    const record = await recordOf(request);
    // The signed document never changes; its status is in the status lists.
    return sendWithEtag(request, reply, stableJson(record.document), JSON_LD, 'public, max-age=3600');
  });

  app.get(`${publicBase}/credential.jwt`, publicOptions, async (request, reply) => {
    const record = await recordOf(request);
    const jwt = await credentialJwt(app.db, config, record);
    return attachment(reply, downloadName(record, '.jwt'))
      .header('cache-control', 'no-cache')
      .type('application/jwt')
      .send(jwt);
  });

  for (const [suffix, format, contentType] of [
    ['badge.png', 'png', 'image/png'],
    ['badge.svg', 'svg', 'image/svg+xml'],
    ['ob2/badge.png', 'ob2-png', 'image/png'],
  ] as const) {
    app.get(`${publicBase}/${suffix}`, publicOptions, async (request, reply) => {
      const city = cityOf(request);
      const record = await recordOf(request);
      const image = await bakedBadge(app.db, config, city, record, format);
      const name = downloadName(record, format === 'ob2-png' ? '-ob2.png' : `.${format}`);
      return attachment(reply, name)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .type(contentType)
        .send(image);
    });
  }

  app.get(`${publicBase}/ob2`, publicOptions, async (request, reply) => {
    const city = cityOf(request);
    const record = await recordOf(request);
    // Hosted verification compares this document with the one a verifier holds: it must answer the same bytes until
    // the credential's status changes.
    return sendWithEtag(request, reply, stableJson(ob2Assertion(config, city, record)), JSON_LD, 'no-cache');
  });

  app.get(
    '/c/:citySlug/status-lists/:listId',
    { config: { access: 'public' }, schema: { hide, params: StatusListParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const credential = await statusListCredential(app.db, config, city, request.params.listId);
      return sendWithEtag(request, reply, stableJson(credential), JSON_LD, 'public, max-age=300');
    },
  );
}
