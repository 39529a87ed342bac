import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { createActivity, listSessions } from '../activities/activities.service.ts';
import { cliAuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { afterCredentialIssued, awardIfRequirementsMet } from './automatic-awards.ts';
import type { BadgeClassInput } from './badge-classes.model.ts';
import { createBadgeClass, publishBadgeClass } from './badge-classes.service.ts';
import { issueCredential } from './credentials.service.ts';

describe(`automatic awards on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let staff: SignedIn;
  const audit = cliAuditContext();

  const learner = () => signIn(t.app, t.db, { role: 'learner' });
  const credentialsOf = (userId: string, badgeId: string) =>
    t.db.query<{ id: string; claim_route: string; document: { evidence?: unknown[] } }>(
      'SELECT id, claim_route, document FROM badge_credentials WHERE recipient_user_id = $1 AND badge_class_id = $2',
      [userId, badgeId],
    );

  async function makeBadge(name: string, extra: Partial<BadgeClassInput> = {}, orgId = organisationId) {
    const created = await createBadgeClass(
      t.db,
      city,
      orgId,
      {
        kind: 'participation',
        name: { en: name },
        description: { en: `${name}: taking part in the coding club.` },
        criteria: { en: 'Come to the club.' },
        imageAlt: { en: `${name}: a laptop on an orange circle` },
        ...extra,
      },
      systemCaller,
    );
    await publishBadgeClass(t.db, city, created.id, systemCaller);
    return created.id;
  }

  async function publishedActivity(orgId = organisationId) {
    const activity = await createActivity(
      t.db,
      city,
      orgId,
      activityInput({ title: { en: `Coding club ${Math.random().toString(36).slice(2, 7)}` } }),
      systemCaller,
      { publish: true },
    );
    const [session] = await listSessions(t.db, city.id, activity.id);
    if (!session) throw new Error('no session');
    return { activity, session };
  }

  /** Moves a session so it started an hour ago: attendance can be marked (and sign-ups have closed). */
  const start = (sessionId: string) =>
    t.db.query(
      `UPDATE activity_sessions SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour'
        WHERE id = $1`,
      [sessionId],
    );

  const signUp = async (who: SignedIn, activityId: string, sessionId: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city.slug}/activities/${activityId}/sessions/${sessionId}/signups`,
      headers: who.headers,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    city = fixture.city;
    organisationId = fixture.organisationId;
    otherOrganisationId = fixture.trustedOrganisationId;
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
  }, 240_000);
  afterAll(() => t?.close());

  it('marking a learner attended issues the activity’s badge once; unmarking revokes nothing', async () => {
    const { activity, session } = await publishedActivity();
    const badgeId = await makeBadge('Coding club attendee', {
      activities: [{ activityId: activity.id, awardOnAttendance: true }],
    });
    // A linked badge that does not award on attendance is not issued.
    const linkedOnly = await makeBadge('Coding club fan', {
      activities: [{ activityId: activity.id, awardOnAttendance: false }],
    });
    const [ana, ben, cleo] = [await learner(), await learner(), await learner()];
    const anaSignup = await signUp(ana, activity.id, session.id);
    const benSignup = await signUp(ben, activity.id, session.id);
    const cleoSignup = await signUp(cleo, activity.id, session.id);
    await start(session.id);
    const attendance = `/api/v1/cities/${city.slug}/organisations/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees`;
    const mark = (signupId: string, attended: boolean | null) =>
      t.app.inject({
        method: 'PUT',
        url: `${attendance}/${signupId}/attendance`,
        headers: staff.headers,
        payload: { attended },
      });

    expect((await mark(anaSignup, true)).statusCode).toBe(200);
    expect((await mark(benSignup, false)).statusCode).toBe(200);
    const issued = await credentialsOf(ana.userId, badgeId);
    expect(issued).toHaveLength(1);
    expect(issued[0]?.claim_route).toBe('attendance');
    expect(issued[0]?.document.evidence).toEqual([
      {
        id: `${t.config.publicUrl}/c/${city.slug}/activities/${activity.slug}`,
        type: ['Evidence'],
        name: activity.title.en,
      },
    ]);
    expect(await credentialsOf(ben.userId, badgeId)).toHaveLength(0);
    expect(await credentialsOf(ana.userId, linkedOnly)).toHaveLength(0);

    // Marking again, un-marking and marking once more: still exactly one credential, still active.
    expect((await mark(anaSignup, true)).statusCode).toBe(200);
    expect((await mark(anaSignup, null)).statusCode).toBe(200);
    expect((await mark(anaSignup, true)).statusCode).toBe(200);
    const after = await t.db.query<{ status: string }>(
      'SELECT status FROM badge_credentials WHERE recipient_user_id = $1 AND badge_class_id = $2',
      [ana.userId, badgeId],
    );
    expect(after).toEqual([{ status: 'active' }]);

    // The organiser's page form awards too.
    const page = await t.app.inject({
      method: 'POST',
      url: `/c/${city.slug}/manage/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees`,
      headers: { ...staff.headers, accept: 'text/html' },
      payload: { [`attended_${cleoSignup}`]: 'yes', _csrf: staff.headers['x-csrf-token'] },
    });
    expect(page.statusCode, page.body.slice(0, 300)).toBe(303);
    expect(await credentialsOf(cleo.userId, badgeId)).toMatchObject([{ claim_route: 'attendance' }]);
  });

  it('activities without such badges, or badges of another organisation, award nothing', async () => {
    const { activity, session } = await publishedActivity();
    // Only the activity's own organisation can award on attendance; a badge that merely links it issues nothing.
    await makeBadge(
      'Library reader',
      { activities: [{ activityId: activity.id, awardOnAttendance: false }] },
      otherOrganisationId,
    );
    const dan = await learner();
    const signupId = await signUp(dan, activity.id, session.id);
    await start(session.id);
    const marked = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/cities/${city.slug}/organisations/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees/${signupId}/attendance`,
      headers: staff.headers,
      payload: { attended: true },
    });
    expect(marked.statusCode).toBe(200);
    expect(await t.db.query('SELECT 1 FROM badge_credentials WHERE recipient_user_id = $1', [dan.userId])).toHaveLength(
      0,
    );
  });

  it('issues a meta badge when its prerequisites are complete, and only then', async () => {
    const first = await makeBadge('Maker: wood');
    const second = await makeBadge('Maker: metal');
    const meta = await makeBadge('Master maker', { kind: 'meta', prerequisites: [first, second] });
    // A skill badge with prerequisites is not awarded automatically: it has its own criteria.
    const skill = await makeBadge('Maker mentor', { kind: 'skill', prerequisites: [first] });
    const eve = await learner();
    const issue = (badgeClassId: string) =>
      t.db.transaction(async (tx) => {
        const result = await issueCredential(tx, t.config, city, audit, {
          badgeClassId,
          recipient: { userId: eve.userId },
          route: 'award',
        });
        return {
          result,
          automatic: await afterCredentialIssued(tx, t.config, city, audit, { badgeClassId, userId: eve.userId }),
        };
      });

    const one = await issue(first);
    expect(one.automatic).toEqual([]);
    expect(
      await t.db.transaction((tx) => awardIfRequirementsMet(tx, t.config, city, audit, eve.userId, meta)),
    ).toBeNull();
    const two = await issue(second);
    expect(two.automatic).toHaveLength(1);
    const [metaCredential] = await credentialsOf(eve.userId, meta);
    expect(metaCredential?.claim_route).toBe('requirements');
    expect(metaCredential?.id).toBe(two.automatic[0]);
    const evidence = metaCredential?.document.evidence as { id: string }[];
    expect(evidence.map((item) => item.id).sort()).toEqual(
      [one.result.credentialId, two.result.credentialId]
        .map((id) => `${t.config.publicUrl}/c/${city.slug}/credentials/${id}`)
        .sort(),
    );
    expect(await credentialsOf(eve.userId, skill)).toHaveLength(0);
    // Asking again returns what they hold; nothing new is issued.
    const again = await t.db.transaction((tx) => awardIfRequirementsMet(tx, t.config, city, audit, eve.userId, meta));
    expect(again).toEqual({ credentialId: metaCredential?.id, created: false });
    expect(await credentialsOf(eve.userId, meta)).toHaveLength(1);
  });

  it('a claim code that completes a meta badge issues it in the same transaction', async () => {
    const part = await makeBadge('Festival: day one');
    const meta = await makeBadge('Festival regular', { kind: 'meta', prerequisites: [part] });
    const code = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city.slug}/organisations/${organisationId}/badges/${part}/claim-codes`,
      headers: staff.headers,
      payload: { maxUses: 5 },
    });
    const fay = await learner();
    const claimed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city.slug}/claim-codes/${code.json().code}/claim`,
      headers: fay.headers,
    });
    expect(claimed.statusCode).toBe(201);
    expect(await credentialsOf(fay.userId, meta)).toMatchObject([{ claim_route: 'requirements' }]);
  });
});
