import { AppError } from '../../errors.ts';
import type { Actor, UserActor } from './actor.ts';

/**
 * A minor whose guardian has not consented (status `limited`) may learn and earn, but has no public profile, shares
 * nothing and cannot be contacted by employers. Every capability that publishes or exposes a person calls this.
 */
export function requireFullAccount(actor: Actor | null): asserts actor is UserActor {
  if (!actor) throw new AppError('UNAUTHENTICATED');
  if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'This needs a signed-in person, not an API token.');
  if (actor.status === 'limited') throw new AppError('ACCOUNT_LIMITED');
}

/** True when the person may have a public profile, share and be contacted (for lists that filter rather than refuse). */
export function isFullAccount(status: string): boolean {
  return status === 'active';
}
