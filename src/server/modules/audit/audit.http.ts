import type { FastifyRequest } from 'fastify';
import type { AuditContext } from './audit.service.ts';

/** The audit context of a web request: the signed-in person or API token, address, user agent and request id. */
export function auditContext(request: FastifyRequest): AuditContext {
  const actor = request.actor;
  const meta = { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null, requestId: request.id };
  if (actor?.kind === 'user') {
    return { actorUserId: actor.userId, actorApiTokenId: null, actorLabel: `user:${actor.email}`, ...meta };
  }
  if (actor?.kind === 'api_token') {
    return { actorUserId: null, actorApiTokenId: actor.tokenId, actorLabel: `token:${actor.name}`, ...meta };
  }
  return { actorUserId: null, actorApiTokenId: null, actorLabel: 'anonymous', ...meta };
}
