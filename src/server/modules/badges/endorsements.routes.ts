import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import {
  CreateEndorsementBody,
  EndorsementList,
  EndorsementListQuery,
  EndorsementParams,
  EndorsementSchema,
  OrganisationParams,
  PublicEndorsementParams,
} from './endorsements.schemas.ts';
import {
  createEndorsement,
  type EndorsementRecord,
  endorsementUrl,
  listOrganisationEndorsements,
  publicEndorsementDocument,
  withdrawEndorsement,
} from './endorsements.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toEndorsementJson(config: Config, citySlug: string, endorsement: EndorsementRecord) {
  return {
    id: endorsement.id,
    url: endorsementUrl(config, citySlug, endorsement.id),
    endorser: { id: endorsement.endorserOrganisationId, name: endorsement.endorserName },
    target: {
      type: endorsement.targetBadgeClassId ? ('badge' as const) : ('organisation' as const),
      id: (endorsement.targetBadgeClassId ?? endorsement.targetOrganisationId) as string,
      name: endorsement.targetName,
    },
    comment: endorsement.comment,
    createdAt: iso(endorsement.createdAt) as string,
    withdrawnAt: iso(endorsement.withdrawnAt),
    credential: endorsement.document,
  };
}

const tags = ['endorsements'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Endorsements of badges and issuers: made and withdrawn by organisations, public as signed credentials. */
export async function endorsementsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(EndorsementSchema);
  const base = '/api/v1/cities/:citySlug/organisations/:organisationId/endorsements';

  app.get(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listOrganisationEndorsements',
        tags,
        summary: 'Endorsements the organisation gave in the city, or received (`direction=received`)',
        params: OrganisationParams,
        querystring: EndorsementListQuery,
        security,
        response: { 200: EndorsementList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const page = await listOrganisationEndorsements(
        app.db,
        city,
        request.params.organisationId,
        request.query.direction ?? 'given',
        request.query.page ?? 1,
        request.query.pageSize ?? 20,
      );
      return { ...page, items: page.items.map((item) => toEndorsementJson(app.config, city.slug, item)) };
    },
  );

  app.post(
    base,
    {
      config: { access: 'organisation_admin', scope: 'badges:write' },
      schema: {
        operationId: 'createEndorsement',
        tags,
        summary: 'Endorse a published badge of another organisation, or another organisation as an issuer',
        description:
          'Signed with the endorsing organisation’s issuer key as an OB 3.0 EndorsementCredential. An organisation cannot endorse itself or its own badges (409 ENDORSEMENT_SELF), nor the same thing twice while the first stands (409 ENDORSEMENT_EXISTS).',
        params: OrganisationParams,
        body: CreateEndorsementBody,
        security,
        response: { 201: Type.Ref('Endorsement'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const endorsement = await createEndorsement(
        app.db,
        app.config,
        city,
        request.params.organisationId,
        request.body,
        callerOf(request),
      );
      return reply.code(201).send(toEndorsementJson(app.config, city.slug, endorsement));
    },
  );

  app.post(
    `${base}/:endorsementId/withdraw`,
    {
      config: { access: 'organisation_admin', scope: 'badges:write' },
      schema: {
        operationId: 'withdrawEndorsement',
        tags,
        summary: 'Withdraw an endorsement; it leaves badge pages and its public URL answers 410',
        params: EndorsementParams,
        security,
        response: { 200: Type.Ref('Endorsement'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const endorsement = await withdrawEndorsement(
        app.db,
        city,
        request.params.organisationId,
        request.params.endorsementId,
        callerOf(request),
      );
      return toEndorsementJson(app.config, city.slug, endorsement);
    },
  );

  app.get(
    '/c/:citySlug/endorsements/:endorsementId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getEndorsementCredential',
        tags,
        summary: 'A signed OB 3.0 EndorsementCredential (410 once withdrawn)',
        params: PublicEndorsementParams,
        response: {
          200: Type.Object({}, { additionalProperties: true, description: 'The signed EndorsementCredential' }),
          ...errorResponses(400, 404, 410),
        },
      },
    },
    async (request, reply) => {
      const document = await publicEndorsementDocument(app.db, cityOf(request), request.params.endorsementId);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('access-control-allow-origin', '*')
        .send(document);
    },
  );
}
