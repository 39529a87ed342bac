import type { UserActor } from './actor.ts';

/** The channel database triggers notify with a user id whenever that person's sessions, roles or account change. */
export const ACTOR_CHANGED_CHANNEL = 'learnscape_actor';

/**
 * Remembers who is behind a session token for a short while, so a signed-in request does not cost a database round
 * trip each time. Entries go as soon as the database says the person changed (triggers on sessions, roles,
 * memberships and users notify `learnscape_actor`), on a missed-notification gap, and after `ttlMs` in any case.
 */
export class ActorCache {
  private readonly entries = new Map<string, { actor: UserActor; until: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 20_000,
  ) {}

  get(tokenHash: string): UserActor | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.actor;
  }

  set(tokenHash: string, actor: UserActor, sessionExpiresAt: Date): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(tokenHash, { actor, until: Math.min(Date.now() + this.ttlMs, sessionExpiresAt.getTime()) });
  }

  evictUser(userId: string): void {
    for (const [key, entry] of this.entries) if (entry.actor.userId === userId) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
