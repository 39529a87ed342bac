import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { UserActor } from '../accounts/actor.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  BadgeClaimCodesParams,
  ClaimCodeBody,
  ClaimCodeListQuery,
  ClaimCodeListSchema,
  ClaimCodeParams,
  ClaimCodeSchema,
  ClaimResultSchema,
  LearnerClaimParams,
} from './claims.schemas.ts';
import {
  type ClaimCodeRecord,
  claimCodeState,
  claimCodeUrl,
  claimPaths,
  claimWithCode,
  createClaimCode,
  disableClaimCode,
  formatClaimCode,
  getClaimCode,
  listClaimCodes,
} from './claims.service.ts';
import { credentialUrl } from './credentials.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const tags = ['claims'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Claims per person and address: enough for a queue at an event, too few to guess codes. */
export const claimRateLimit = { max: 20, timeWindow: '1 minute' };

export function toClaimCodeJson(config: Config, city: CityRecord, organisationId: string, record: ClaimCodeRecord) {
  const page = claimPaths.one(city.slug, organisationId, record.badgeClassId, record.id);
  return {
    id: record.id,
    badgeClassId: record.badgeClassId,
    code: record.code,
    display: formatClaimCode(record.code),
    label: record.label,
    maxUses: record.maxUses,
    uses: record.uses,
    expiresAt: iso(record.expiresAt),
    disabledAt: iso(record.disabledAt),
    state: claimCodeState(record),
    claimUrl: claimCodeUrl(config, city.slug, record.code),
    qrSvgUrl: `${config.publicUrl}${page}/qr.svg`,
    qrPngUrl: `${config.publicUrl}${page}/qr.png`,
    posterUrl: `${config.publicUrl}${page}/poster`,
    createdAt: iso(record.createdAt) as string,
  };
}

/** Claim codes: the organisation API (create, list, disable) and the learner's claim. */
export async function claimsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [ClaimCodeSchema, ClaimCodeListSchema, ClaimResultSchema]) app.addSchema(schema);
  const config = app.config;
  const base = '/api/v1/cities/:citySlug/organisations/:organisationId/badges/:badgeId/claim-codes';

  app.post(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: {
        operationId: 'createClaimCode',
        tags,
        summary: 'Make a claim code (and QR poster) for one of the organisation’s published badges',
        description:
          'Learners who enter the code — or scan its QR code — while signed in get the badge. `maxUses` 1 makes a ' +
          'single-use code; a larger number lets that many people claim it. The code is drawn at random (eight ' +
          'characters without 0, O, 1 or I) and is unique in the city.',
        params: BadgeClaimCodesParams,
        body: ClaimCodeBody,
        security,
        response: { 201: Type.Ref('ClaimCode'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const { organisationId, badgeId } = request.params;
      const record = await createClaimCode(app.db, city, auditContext(request), organisationId, badgeId, request.body);
      return reply.code(201).send(toClaimCodeJson(config, city, organisationId, record));
    },
  );

  app.get(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listClaimCodes',
        tags,
        summary: 'The claim codes of one of the organisation’s badges, newest first, with their uses',
        params: BadgeClaimCodesParams,
        querystring: ClaimCodeListQuery,
        security,
        response: { 200: Type.Ref('ClaimCodeList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { organisationId, badgeId } = request.params;
      const page = await listClaimCodes(app.db, city, organisationId, badgeId, { page: request.query.page });
      return {
        items: page.items.map((record) => toClaimCodeJson(config, city, organisationId, record)),
        page: page.page,
        next: page.hasNext ? page.page + 1 : null,
      };
    },
  );

  app.get(
    `${base}/:codeId`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getClaimCode',
        tags,
        summary: 'One claim code of the badge, with its uses',
        params: ClaimCodeParams,
        security,
        response: { 200: Type.Ref('ClaimCode'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { organisationId, badgeId, codeId } = request.params;
      const record = await getClaimCode(app.db, city, organisationId, badgeId, codeId);
      return toClaimCodeJson(config, city, organisationId, record);
    },
  );

  app.post(
    `${base}/:codeId/disable`,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: {
        operationId: 'disableClaimCode',
        tags,
        summary: 'Switch a claim code off for good (badges already claimed with it stay)',
        params: ClaimCodeParams,
        security,
        response: { 200: Type.Ref('ClaimCode'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { organisationId, badgeId, codeId } = request.params;
      const record = await disableClaimCode(app.db, city, auditContext(request), organisationId, badgeId, codeId);
      return toClaimCodeJson(config, city, organisationId, record);
    },
  );

  app.post(
    '/api/v1/cities/:citySlug/claim-codes/:code/claim',
    {
      config: { access: 'authenticated', rateLimit: claimRateLimit },
      schema: {
        operationId: 'claimBadgeWithCode',
        tags,
        summary: 'Claim a badge with a claim code, as the signed-in learner',
        description:
          'Takes one use of the code and issues the badge to the signed-in person in one step. Claiming again — or ' +
          'claiming a badge one already holds — returns the credential one has (`created: false`) without using ' +
          'the code again. Unknown codes answer 404 `CLAIM_CODE_INVALID`, expired or switched-off ones 410 ' +
          '`CLAIM_CODE_EXPIRED`, used-up ones 409 `CLAIM_CODE_USED_UP`. Rate-limited.',
        params: LearnerClaimParams,
        security: [{ session: [] }],
        response: {
          200: Type.Ref('ClaimResult'),
          201: Type.Ref('ClaimResult'),
          ...errorResponses(401, 403, 404, 409, 410, 429),
        },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const userId = (request.actor as UserActor).userId;
      const result = await claimWithCode(app.db, config, city, auditContext(request), request.params.code, userId);
      return reply.code(result.created ? 201 : 200).send({
        credentialId: result.credentialId,
        badgeClassId: result.badgeClassId,
        created: result.created,
        url: credentialUrl(config, city.slug, result.credentialId),
      });
    },
  );
}
