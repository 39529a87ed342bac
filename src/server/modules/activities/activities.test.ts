import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { createActivity, importActivity, listSessions } from './activities.service.ts';
import { refreshNextDatesHandler, scheduleCatalogueJobs } from './catalogue.jobs.ts';

describe(`activities: writing, moderation and history on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let trustedOrganisationId: string;
  let staff: Record<string, string>;
  let curator: Record<string, string>;
  const base = () => `/api/v1/cities/plymouth/organisations/${organisationId}/activities`;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId, trustedOrganisationId } = await createCatalogueCity(t.db));
    staff = (await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' })).headers;
    curator = (await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' })).headers;
  });
  afterAll(() => t.close());

  const create = (body: object, headers = staff) =>
    t.app.inject({ method: 'POST', url: base(), headers, payload: body });

  it('creates a draft with a slug from its title, its district and its session', async () => {
    const response = await create(activityInput());
    expect(response.statusCode).toBe(201);
    const activity = response.json();
    expect(activity).toMatchObject({ status: 'draft', slug: 'coding-club-for-teenagers', format: 'in_person' });
    expect(activity.district).toBe('Drake'); // the ward of the 2019 pattern the library lies in
    expect(activity.pageUrl).toMatch(/\/c\/plymouth\/activities\/coding-club-for-teenagers$/);
    const again = await create(activityInput());
    expect(again.json().slug).toBe('coding-club-for-teenagers-2');
    const sessions = await listSessions(t.db, city.id, activity.id, {});
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.capacity).toBe(12);
    // Nobody outside the organisation sees a draft.
    const anonymous = await t.app.inject({ url: `/api/v1/cities/plymouth/activities/${activity.slug}` });
    expect(anonymous.statusCode).toBe(404);
    expect(anonymous.json().error.code).toBe('ACTIVITY_NOT_FOUND');
  });

  it('refuses bad input with a field for each problem and writes nothing', async () => {
    const start = new Date(Date.now() + 86_400_000);
    const response = await create(
      activityInput({
        title: { en: 'Sea swim', it: 'Nuoto' },
        venues: [{ name: 'Eddystone', lat: 50.18, lon: -4.26 }],
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() - 3_600_000).toISOString(),
        ageMin: 18,
        ageMax: 9,
        costKind: 'paid',
        signupMode: 'external',
      }),
    );
    expect(response.statusCode).toBe(400);
    const fields = response.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        '/title/it',
        '/venues/0/lat',
        '/endsAt',
        '/ageMax',
        '/priceCents',
        '/currency',
        '/signupUrl',
      ]),
    );
    const [count] = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM activities WHERE slug = 'sea-swim'",
    );
    expect(count?.n).toBe(0);
  });

  it('places venues by the stored bounds in a city without bundled geodata', async () => {
    const [elsewhereOrg] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('altrove-club', 'Altrove club', '{provider}') RETURNING id`,
    );
    const cityWithoutGeodata = (await import('../cities/cities.repo.ts')).findCityBySlug;
    const elsewhere = await cityWithoutGeodata(t.db, 'plymouth-elsewhere');
    if (!elsewhere || !elsewhereOrg) throw new Error('fixture');
    await t.db.query("INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')", [
      elsewhere.id,
      elsewhereOrg.id,
    ]);
    const created = await createActivity(
      t.db,
      elsewhere,
      elsewhereOrg.id,
      activityInput({
        title: { it: 'Laboratorio di robotica' },
        description: { it: 'Costruiamo robot.' },
        venues: [{ name: 'Aula', lat: 45.07, lon: 7.68 }],
      }),
      systemCaller,
    );
    expect(created.venues[0]).toMatchObject({ lat: 45.07, lon: 7.68, district: null });
  });

  it('refuses a repeating schedule that never ends, or gives too many sessions', async () => {
    const endless = await create(activityInput({ scheduleKind: 'recurring', rrule: 'FREQ=WEEKLY;BYDAY=TU' }));
    expect(endless.statusCode).toBe(400);
    expect(endless.json().error.details[0]).toMatchObject({ field: '/rrule' });
    expect(endless.json().error.details[0].problem).toMatch(/must end/);
    const tooMany = await create(activityInput({ scheduleKind: 'recurring', rrule: 'FREQ=DAILY;COUNT=1000' }));
    expect(tooMany.statusCode).toBe(400);
    const hourly = await create(activityInput({ scheduleKind: 'recurring', rrule: 'FREQ=HOURLY;COUNT=3' }));
    expect(hourly.json().error.details[0].field).toBe('/rrule');
    const garbage = await create(activityInput({ scheduleKind: 'recurring', rrule: 'EVERY TUESDAY' }));
    expect(garbage.statusCode).toBe(400);
  });

  it('keeps a weekly session at the same local time across the change to summer time', async () => {
    const created = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({
        title: { en: 'Spring chess club' },
        scheduleKind: 'recurring',
        startsAt: '2027-03-16T18:00:00Z', // 18:00 GMT
        endsAt: '2027-03-16T19:30:00Z',
        rrule: 'FREQ=WEEKLY;COUNT=4',
        exdates: ['2027-03-30T17:00:00Z'], // 18:00 BST on the 30th is skipped
      }),
      systemCaller,
    );
    const sessions = await listSessions(t.db, city.id, created.id, { from: new Date('2027-01-01') });
    expect(sessions.map((s) => new Date(s.startsAt).toISOString())).toEqual([
      '2027-03-16T18:00:00.000Z',
      '2027-03-23T18:00:00.000Z',
      '2027-04-06T17:00:00.000Z',
    ]);
    expect(new Date(sessions[2]?.endsAt as Date).toISOString()).toBe('2027-04-06T18:30:00.000Z');
  });

  it('sanitises descriptions against OWASP XSS vectors', async () => {
    const vectors = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<svg/onload=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="JaVaScRiPt:alert(1)">y</a>',
      '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
      '<p style="background:url(javascript:alert(1))" onclick="alert(1)">styled</p>',
      '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
      '"><script>alert(1)</script>',
      '<body onload=alert(1)>',
    ];
    const response = await create(
      activityInput({ title: { en: 'Safe HTML club' }, description: { en: `<p>Hello</p>${vectors.join('')}` } }),
    );
    expect(response.statusCode).toBe(201);
    const description = response.json().description.en as string;
    expect(description).toContain('<p>Hello</p>');
    expect(description).not.toMatch(/<script|onerror|onload|onclick|javascript:|<iframe|<svg|<img|style=/i);
    // Plain text keeps its paragraphs and is escaped.
    const plain = await create(
      activityInput({ title: { en: 'Plain text club' }, description: { en: 'Ages 8 < 12\nwelcome\n\nSecond & last' } }),
    );
    expect(plain.json().description.en).toBe('<p>Ages 8 &lt; 12<br />welcome</p><p>Second &amp; last</p>');
  });

  it('goes draft → submitted → returned with comments → submitted → published, and records each step', async () => {
    const draft = (await create(activityInput({ title: { en: 'Museum explorers' } }))).json();
    const one = `${base()}/${draft.id}`;
    const submitted = await t.app.inject({ method: 'POST', url: `${one}/submit`, headers: staff });
    expect(submitted.json().status).toBe('submitted');
    const queue = await t.app.inject({ url: '/api/v1/cities/plymouth/activity-moderation', headers: curator });
    expect(queue.json().items.map((i: { id: string }) => i.id)).toContain(draft.id);
    const returned = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/plymouth/activity-moderation/${draft.id}/return`,
      headers: curator,
      payload: { note: 'Please say whether the venue is step-free.' },
    });
    expect(returned.json()).toMatchObject({
      status: 'draft',
      moderationNote: 'Please say whether the venue is step-free.',
    });
    // Approving a draft is a state conflict.
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/plymouth/activity-moderation/${draft.id}/approve`,
      headers: curator,
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('ACTIVITY_STATE_CONFLICT');
    await t.app.inject({ method: 'POST', url: `${one}/submit`, headers: staff });
    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/plymouth/activity-moderation/${draft.id}/approve`,
      headers: curator,
    });
    expect(approved.json()).toMatchObject({ status: 'published' });
    expect(approved.json().publishedAt).not.toBeNull();
    const publicView = await t.app.inject({ url: `/api/v1/cities/plymouth/activities/${draft.slug}` });
    expect(publicView.statusCode).toBe(200);
    const history = await t.app.inject({ url: `${one}/revisions`, headers: staff });
    expect(history.json().items.map((r: { action: string }) => r.action)).toEqual([
      'published',
      'submitted',
      'returned',
      'submitted',
      'created',
    ]);
    const [audit] = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE target_id = $1 AND action IN ('activity.approve', 'activity.return')",
      [draft.id],
    );
    expect(audit?.n).toBe(2);
  });

  it('keeps a published activity live when edited, records the change and refuses a stale version', async () => {
    const trustedStaff = (
      await signIn(t.app, t.db, { role: 'organisation', organisationId: trustedOrganisationId, membership: 'staff' })
    ).headers;
    const url = `/api/v1/cities/plymouth/organisations/${trustedOrganisationId}/activities`;
    const created = await t.app.inject({
      method: 'POST',
      url,
      headers: trustedStaff,
      payload: { ...activityInput({ title: { en: 'Library story time' } }), submit: true },
    });
    // A trusted organisation's submission is published at once.
    expect(created.json().status).toBe('published');
    const { id, version } = created.json();
    const edited = await t.app.inject({
      method: 'PUT',
      url: `${url}/${id}`,
      headers: trustedStaff,
      payload: { ...activityInput({ title: { en: 'Library story time' }, capacity: 20 }), expectedVersion: version },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ status: 'published', capacity: 20, version: version + 1 });
    const stale = await t.app.inject({
      method: 'PUT',
      url: `${url}/${id}`,
      headers: trustedStaff,
      payload: { ...activityInput({ title: { en: 'Library story time' } }), expectedVersion: version },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('ACTIVITY_VERSION_CONFLICT');
    const history = await t.app.inject({ url: `${url}/${id}/revisions`, headers: trustedStaff });
    const update = history.json().items.find((r: { action: string }) => r.action === 'updated');
    expect(update.changes.capacity).toEqual({ before: 12, after: 20 });
    // Another organisation's staff cannot reach it through their own organisation's path, nor through this one.
    const viaOwn = await t.app.inject({
      method: 'PUT',
      url: `${base()}/${id}`,
      headers: staff,
      payload: activityInput(),
    });
    expect(viaOwn.statusCode).toBe(404);
    const viaOther = await t.app.inject({
      method: 'PUT',
      url: `${url}/${id}`,
      headers: staff,
      payload: activityInput(),
    });
    expect(viaOther.statusCode).toBe(403);
  });

  it('stores real images only, serves them, and removes them', async () => {
    const activity = (await create(activityInput({ title: { en: 'Photo walk' } }))).json();
    const url = `${base()}/${activity.id}/images`;
    const fake = await t.app.inject({
      method: 'POST',
      url: `${url}?alt=${encodeURIComponent('A harbour')}`,
      headers: { ...staff, 'content-type': 'image/png' },
      payload: Buffer.from('<svg onload=alert(1)>not a png</svg>'),
    });
    expect(fake.statusCode).toBe(400);
    expect(fake.json().error.code).toBe('IMAGE_INVALID');
    const tooLarge = await t.app.inject({
      method: 'POST',
      url: `${url}?alt=big`,
      headers: { ...staff, 'content-type': 'image/png' },
      payload: Buffer.concat([solidPng(2, 1), Buffer.alloc(2 * 1024 * 1024 + 2048)]),
    });
    expect(tooLarge.statusCode).toBe(413);
    const stored = await t.app.inject({
      method: 'POST',
      url: `${url}?alt=${encodeURIComponent('Boats in Sutton Harbour')}`,
      headers: { ...staff, 'content-type': 'image/png' },
      payload: solidPng(2, 1),
    });
    expect(stored.statusCode).toBe(201);
    expect(stored.json()).toMatchObject({ contentType: 'image/png', width: 2, height: 1 });
    const file = await t.app.inject({
      url: `/c/plymouth/activities/${activity.slug}/images/${stored.json().id}`,
      headers: staff,
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    // A draft's image is not public.
    const anonymous = await t.app.inject({ url: `/c/plymouth/activities/${activity.slug}/images/${stored.json().id}` });
    expect(anonymous.statusCode).toBe(404);
    const removed = await t.app.inject({ method: 'DELETE', url: `${url}/${stored.json().id}`, headers: staff });
    expect(removed.statusCode).toBe(204);
  });

  it('lets an API token with activities:write create, and refuses one without it', async () => {
    const { secret } = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'sync', scopes: ['activities:write', 'activities:read'] },
      systemCaller,
    );
    const created = await create(activityInput({ title: { en: 'Token-made workshop' } }), {
      authorization: `Bearer ${secret}`,
    });
    expect(created.statusCode).toBe(201);
    const { secret: readOnly } = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'read', scopes: ['activities:read'] },
      systemCaller,
    );
    const refused = await create(activityInput(), { authorization: `Bearer ${readOnly}` });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('imports by external id: created, then unchanged, then updated', async () => {
    const input = activityInput({ title: { en: 'Imported talk' }, externalUid: 'evt-42@example.org' });
    const first = await importActivity(t.db, city, organisationId, input, systemCaller, { source: 'ical' });
    expect(first.outcome).toBe('created');
    expect(first.activity.status).toBe('submitted');
    const second = await importActivity(t.db, city, organisationId, input, systemCaller, { source: 'ical' });
    expect(second.outcome).toBe('unchanged');
    const third = await importActivity(
      t.db,
      city,
      organisationId,
      { ...input, title: { en: 'Imported talk (moved)' } },
      systemCaller,
      { source: 'ical' },
    );
    expect(third.outcome).toBe('updated');
    expect(third.activity.id).toBe(first.activity.id);
  });

  it('gives waiting people their places when an edit raises the capacity', async () => {
    const input = activityInput({ title: { en: 'Tiny pottery class' }, capacity: 1 });
    const created = await createActivity(t.db, city, organisationId, input, systemCaller, { publish: true });
    const [session] = await listSessions(t.db, city.id, created.id, {});
    const signUp = async () => {
      const learner = await signIn(t.app, t.db, { role: 'learner' });
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/cities/plymouth/activities/${created.id}/sessions/${session?.id}/signups`,
        headers: learner.headers,
      });
    };
    expect((await signUp()).json().status).toBe('confirmed');
    const waiting = await signUp();
    expect(waiting.json().status).toBe('waitlisted');
    const edited = await t.app.inject({
      method: 'PUT',
      url: `${base()}/${created.id}`,
      headers: staff,
      payload: { ...input, capacity: 2 },
    });
    expect(edited.statusCode).toBe(200);
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM activity_signups WHERE id = $1', [
      waiting.json().id,
    ]);
    expect(row?.status).toBe('confirmed');
    // Lowering it below the people who have places is refused, beside the field.
    const lower = await t.app.inject({
      method: 'PUT',
      url: `${base()}/${created.id}`,
      headers: staff,
      payload: { ...input, capacity: 1 },
    });
    expect(lower.statusCode).toBe(400);
    expect(lower.json().error.details[0].field).toBe('/capacity');
  });

  it('moves next dates on hourly, with the catalogue jobs enqueued once per time slot', async () => {
    const start = new Date(Date.now() - 2 * 86_400_000);
    const created = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({
        title: { en: 'Daily walk' },
        scheduleKind: 'recurring',
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
        rrule: 'FREQ=DAILY;COUNT=5',
      }),
      systemCaller,
    );
    const upcoming = (await listSessions(t.db, city.id, created.id, { from: new Date() }))[0];
    expect(new Date(created.nextStartAt as Date).toISOString()).toBe(
      new Date(upcoming?.startsAt as Date).toISOString(),
    );
    await t.db.query('UPDATE activities SET next_start_at = $2 WHERE id = $1', [created.id, start]);
    expect(await refreshNextDatesHandler({} as never, { db: t.db } as never)).toMatchObject({ moved: 1 });
    const [row] = await t.db.query<{ next: Date }>('SELECT next_start_at AS next FROM activities WHERE id = $1', [
      created.id,
    ]);
    expect(new Date(row?.next as Date).toISOString()).toBe(new Date(upcoming?.startsAt as Date).toISOString());
    const now = new Date('2026-12-01T10:30:00Z');
    await scheduleCatalogueJobs(t.db, 'http://learnscape.test', now);
    await scheduleCatalogueJobs(t.db, 'http://learnscape.test', now);
    const jobs = async () =>
      t.db.query<{ type: string; n: number }>(
        `SELECT type, count(*)::int AS n FROM jobs
          WHERE type IN ('activities.refresh-next-dates', 'activities.signup-reminders', 'activities.reorder-search-rows')
          GROUP BY type ORDER BY type`,
      );
    expect(await jobs()).toEqual([
      { type: 'activities.refresh-next-dates', n: 1 },
      { type: 'activities.signup-reminders', n: 1 },
    ]);
    // The search's rows are put back in place order once a night, in the 02:00 UTC hour.
    const night = new Date('2026-12-02T02:10:00Z');
    await scheduleCatalogueJobs(t.db, 'http://learnscape.test', night);
    await scheduleCatalogueJobs(t.db, 'http://learnscape.test', night);
    expect(await jobs()).toContainEqual({ type: 'activities.reorder-search-rows', n: 1 });
  });

  it('lets a curator trust an organisation, whose submissions are then published without review', async () => {
    const trust = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/trust`,
      headers: curator,
      payload: { trusted: true },
    });
    expect(trust.statusCode).toBe(200);
    expect(trust.json().trusted).toBe(true);
    const created = await create({ ...activityInput({ title: { en: 'Trusted at once' } }), submit: true });
    expect(created.json().status).toBe('published');
    // The curators' page toggles it back (a form post with the session's CSRF token).
    const page = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/curate/organisations/${organisationId}/trust`,
      headers: { ...curator, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'trusted=false',
    });
    expect(page.statusCode).toBe(303);
    const again = await create({ ...activityInput({ title: { en: 'Reviewed again' } }), submit: true });
    expect(again.json().status).toBe('submitted');
    const staffTrying = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/trust`,
      headers: staff,
      payload: { trusted: true },
    });
    expect(staffTrying.statusCode).toBe(403);
  });

  it('does not let a curator of another city moderate, nor an organisation of another city be used', async () => {
    const otherCurator = (await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth-elsewhere' })).headers;
    const refused = await t.app.inject({ url: '/api/v1/cities/plymouth/activity-moderation', headers: otherCurator });
    expect(refused.statusCode).toBe(403);
    const wrongCity = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/plymouth-elsewhere/organisations/${organisationId}/activities`,
      headers: staff,
      payload: activityInput(),
    });
    expect(wrongCity.statusCode).toBe(404);
  });
});
