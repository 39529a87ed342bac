import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * Rate limits are opt-in per route (`config.rateLimit`), for sign-in, sign-up, resets and other public writes.
 * Counters live in this process's memory: with several app servers each counts on its own, so the effective limit
 * is the per-server limit times the number of servers (documented in docs/operations.md).
 */
export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // After body parsing, so a limit can key on the submitted email as well as the address.
    hook: 'preValidation',
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many attempts; try again in ${Math.ceil(context.ttl / 1000)} seconds.`, [
        { problem: `limit ${context.max} per ${context.after}` },
      ]),
  });
}

/** A limiter key from the client address plus a normalised form field (e.g. the email being signed in). */
export function keyByIpAnd(field: string) {
  return (request: FastifyRequest): string => {
    const body = request.body as Record<string, unknown> | undefined;
    const value = body && typeof body[field] === 'string' ? (body[field] as string).trim().toLowerCase() : '';
    return `${request.ip}|${value}`;
  };
}
