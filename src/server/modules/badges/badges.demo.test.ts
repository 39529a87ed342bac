import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';

describe(`the demo badges on ${testEngine}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 180_000);
  afterAll(() => t.close());

  it('gives providers published, endorsed badges and learners credentials (one revoked, one expired), idempotently', async () => {
    const first = await seedDemo(t.db, { catalogue: false, config: t.config });
    const counts = () =>
      t.db.query<{ badges: number; meta: number; skills: number; endorsements: number; credentials: number }>(
        `SELECT (SELECT count(*)::int FROM badge_classes WHERE status = 'published') AS badges,
                (SELECT count(*)::int FROM badge_classes WHERE kind = 'meta') AS meta,
                (SELECT count(*)::int FROM badge_class_skills) AS skills,
                (SELECT count(*)::int FROM badge_endorsements WHERE target_badge_class_id IS NOT NULL) AS endorsements,
                (SELECT count(*)::int FROM badge_credentials) AS credentials`,
      );
    const before = await counts();
    expect(before).toEqual([{ badges: 13, meta: 3, skills: 4, endorsements: 5, credentials: 26 }]);
    const statuses = await t.db.query<{ status: string; expired: boolean; n: number }>(
      `SELECT status, coalesce(valid_until < now(), false) AS expired, count(*)::int AS n
         FROM badge_credentials GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(statuses).toEqual([
      { status: 'active', expired: false, n: 23 },
      { status: 'active', expired: true, n: 1 },
      // One revoked by its organisation, one superseded by the correction that made the expired one.
      { status: 'revoked', expired: false, n: 2 },
    ]);
    // The expired credential is signed so: its own validUntil is in the past.
    const [expired] = await t.db.query<{ document: { validUntil: string } }>(
      'SELECT document FROM badge_credentials WHERE valid_until < now()',
    );
    expect(new Date(expired?.document.validUntil as string).getTime()).toBeLessThan(Date.now());

    expect(first.claimCodes).toHaveLength(1);
    const [claim] = first.claimCodes;
    expect(claim?.code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    const again = await seedDemo(t.db, { catalogue: false, config: t.config });
    expect(again.claimCodes).toEqual(first.claimCodes);
    expect(await counts()).toEqual(before);

    // The claim code works: a signed-in learner gets the badge with it.
    const learner = await signIn(t.app, t.db, { role: 'learner' });
    const claimed = await t.app.inject({
      method: 'POST',
      url: '/c/plymouth/claim-code',
      headers: learner.headers,
      payload: { code: claim?.code as string },
    });
    expect(claimed.statusCode, claimed.body).toBe(303);
    const [held] = await t.db.query<{ claim_route: string; slug: string }>(
      `SELECT c.claim_route, b.slug FROM badge_credentials c JOIN badge_classes b ON b.id = c.badge_class_id
        WHERE c.recipient_user_id = $1`,
      [learner.userId],
    );
    expect(held).toEqual({ claim_route: 'claim_code', slug: claim?.badge });
  }, 240_000);
});
