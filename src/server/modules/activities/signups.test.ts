import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { ActivityInput } from './activities.model.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { createActivity, listSessions, updateActivity } from './activities.service.ts';
import {
  listAttendance,
  scheduleSignupReminders,
  SIGNUP_REMINDERS,
  signupRemindersHandler,
} from './signups.service.ts';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe(`sign-ups, waiting lists and attendance on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let curator: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId, trustedOrganisationId: otherOrganisationId, otherCity } = await createCatalogueCity(t.db));
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    otherStaff = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherOrganisationId,
      membership: 'admin',
    });
    curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' });
  });
  afterAll(() => t.close());

  /** A published activity of the organisation and its (first) session. */
  async function publishedActivity(overrides: Partial<ActivityInput> = {}) {
    const activity = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: `Club ${Math.random().toString(36).slice(2, 8)}` }, ...overrides }),
      systemCaller,
      { publish: true },
    );
    const [session] = await listSessions(t.db, city.id, activity.id);
    if (!session) throw new Error('The activity has no session.');
    return { activity, session };
  }

  const signUpUrl = (activityId: string, sessionId: string, citySlug = 'plymouth') =>
    `/api/v1/cities/${citySlug}/activities/${activityId}/sessions/${sessionId}/signups`;
  const signUpAs = (who: SignedIn, activityId: string, sessionId: string, citySlug = 'plymouth') =>
    t.app.inject({ method: 'POST', url: signUpUrl(activityId, sessionId, citySlug), headers: who.headers });
  const learner = (name?: string) => signIn(t.app, t.db, { role: 'learner' }, name);
  const confirmedCount = async (sessionId: string) => {
    const [row] = await t.db.query<{ n: number }>('SELECT confirmed_count AS n FROM activity_sessions WHERE id = $1', [
      sessionId,
    ]);
    return row?.n;
  };
  /** Moves a session (and its activity's summary) so it started an hour ago. */
  const startSession = (sessionId: string) =>
    t.db.query(
      `UPDATE activity_sessions SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour'
       WHERE id = $1`,
      [sessionId],
    );
  const mailTo = async (to: string, subject: RegExp) => {
    await t.worker.drain();
    return t.inbox.waitFor((m) => m.to.includes(to) && subject.test(m.subject), 10_000);
  };
  const cancelTokenFrom = (text: string) => /\/c\/plymouth\/sign-ups\/cancel\/([\w-]+)/.exec(text)?.[1] ?? '';

  it('confirms places while there is room, then puts people on the waiting list; emails each', async () => {
    const { activity, session } = await publishedActivity({ capacity: 2 });
    const [ana, ben, cleo] = await Promise.all([
      learner('ana@example.org'),
      learner('ben@example.org'),
      learner('cleo@example.org'),
    ]);
    const first = await signUpAs(ana as SignedIn, activity.id, session.id);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: 'confirmed',
      waitlistPosition: null,
      session: { capacity: 2, confirmedCount: 1 },
    });
    expect((await signUpAs(ben as SignedIn, activity.id, session.id)).json().status).toBe('confirmed');
    const third = await signUpAs(cleo as SignedIn, activity.id, session.id);
    expect(third.json()).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(await confirmedCount(session.id)).toBe(2);

    const confirmation = await mailTo('ana@example.org', /Your place is confirmed/);
    expect(confirmation.text).toContain(activity.title.en);
    expect(confirmation.text).toContain('Central Library, Drake Circus, PL4 8AL');
    // The time is given in the city's time zone (the fixture starts at 17:00 UTC).
    const local = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Europe/London' }).format(
      session.startsAt,
    );
    expect(confirmation.text).toContain(local);
    expect(cancelTokenFrom(confirmation.text)).toMatch(/^[\w-]{40,}$/);
    expect(confirmation.html).toContain('Cancel my place');
    const waiting = await mailTo('cleo@example.org', /waiting list/);
    expect(waiting.text).toContain('number 1 on the waiting list');

    // Signing up twice is refused, by the API and by the partial unique index behind it.
    const twice = await signUpAs(ana as SignedIn, activity.id, session.id);
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'SIGNUP_EXISTS']);
    expect(await confirmedCount(session.id)).toBe(2);

    // Cancelling frees the place and gives it to the first person waiting, who is told.
    const mine = await t.app.inject({ url: '/api/v1/cities/plymouth/me/signups', headers: (ana as SignedIn).headers });
    const anaSignup = mine.json().upcoming[0];
    expect(anaSignup).toMatchObject({ status: 'confirmed', activity: { id: activity.id } });
    const notYours = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/plymouth/signups/${anaSignup.id}`,
      headers: (ben as SignedIn).headers,
    });
    expect([notYours.statusCode, notYours.json().error.code]).toEqual([404, 'SIGNUP_NOT_FOUND']);
    const cancelled = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/plymouth/signups/${anaSignup.id}`,
      headers: (ana as SignedIn).headers,
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', session: { confirmedCount: 2, waitlistCount: 0 } });
    const cleoNow = await t.app.inject({
      url: '/api/v1/cities/plymouth/me/signups',
      headers: (cleo as SignedIn).headers,
    });
    expect(cleoNow.json().upcoming[0]).toMatchObject({ status: 'confirmed', waitlistPosition: null });
    expect(await confirmedCount(session.id)).toBe(2);
    const promoted = await mailTo('cleo@example.org', /A place came free/);
    expect(promoted.text).toContain('http://learnscape.test/c/plymouth/my/activities');
    await mailTo('ana@example.org', /^Cancelled:/);

    // Cancelling again changes nothing; signing up again afterwards is allowed (the place is free again later).
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/plymouth/signups/${anaSignup.id}`,
      headers: (ana as SignedIn).headers,
    });
    expect(again.json().status).toBe('cancelled');
    expect(await confirmedCount(session.id)).toBe(2);
    const rejoin = await signUpAs(ana as SignedIn, activity.id, session.id);
    expect(rejoin.json()).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
  });

  it('cancels through the emailed link without signing in; looking at the link does not cancel', async () => {
    const { activity, session } = await publishedActivity({ capacity: 1 });
    const dora = await learner('dora@example.org');
    const eli = await learner('eli@example.org');
    await signUpAs(dora, activity.id, session.id);
    await signUpAs(eli, activity.id, session.id);
    const token = cancelTokenFrom((await mailTo('dora@example.org', /Your place is confirmed/)).text);

    const page = await t.app.inject({ url: `/c/plymouth/sign-ups/cancel/${token}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Cancel your place?');
    expect(await confirmedCount(session.id)).toBe(1);
    const [stillConfirmed] = await t.db.query<{ status: string }>(
      'SELECT status FROM activity_signups WHERE session_id = $1 AND user_id = $2',
      [session.id, dora.userId],
    );
    expect(stillConfirmed?.status).toBe('confirmed');

    // The anonymous form carries the double-submit CSRF token of the page.
    const csrfCookie = page.cookies.find((c) => c.name === 'ls_csrf');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const withoutToken = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/sign-ups/cancel/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({}),
    });
    expect(withoutToken.statusCode).toBe(403);
    const done = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/sign-ups/cancel/${token}`,
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `ls_csrf=${csrfCookie?.value}`,
      },
      payload: form({ _csrf: csrf }),
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your sign-up is cancelled');
    const statuses = await t.db.query<{ user_id: string; status: string }>(
      'SELECT user_id, status FROM activity_signups WHERE session_id = $1',
      [session.id],
    );
    expect(Object.fromEntries(statuses.map((s) => [s.user_id, s.status]))).toEqual({
      [dora.userId]: 'cancelled',
      [eli.userId]: 'confirmed',
    });
    expect(await confirmedCount(session.id)).toBe(1);
    await mailTo('eli@example.org', /A place came free/);

    // A token of this city is unknown in another city, and a made-up one is unknown anywhere.
    const elsewhere = await t.app.inject({
      url: `/c/${otherCity.slug}/sign-ups/cancel/${token}`,
      headers: { accept: 'text/html' },
    });
    expect(elsewhere.statusCode).toBe(404);
    const madeUp = await t.app.inject({
      url: '/c/plymouth/sign-ups/cancel/not-a-real-token-at-all-xxxxxxxx',
      headers: { accept: 'text/html' },
    });
    expect(madeUp.statusCode).toBe(404);
  });

  it('refuses sign-ups where they are not taken here, for sessions that have passed or were cancelled', async () => {
    const person = await learner();
    const external = await publishedActivity({ signupMode: 'external', signupUrl: 'https://example.org/book' });
    const refused = await signUpAs(person, external.activity.id, external.session.id);
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'SIGNUP_NOT_OPEN']);

    const past = await publishedActivity();
    await t.db.query(
      `UPDATE activity_sessions SET starts_at = now() - interval '2 days', ends_at = now() - interval '47 hours'
       WHERE id = $1`,
      [past.session.id],
    );
    const tooLate = await signUpAs(person, past.activity.id, past.session.id);
    expect([tooLate.statusCode, tooLate.json().error.code]).toEqual([409, 'SIGNUP_NOT_OPEN']);

    const called = await publishedActivity();
    await t.db.query('UPDATE activity_sessions SET cancelled_at = now() WHERE id = $1', [called.session.id]);
    expect((await signUpAs(person, called.activity.id, called.session.id)).json().error.code).toBe('SIGNUP_NOT_OPEN');

    // A draft is not found; a session of another activity is not found; anonymous callers must sign in.
    const draft = await createActivity(t.db, city, organisationId, activityInput(), systemCaller);
    const [draftSession] = await listSessions(t.db, city.id, draft.id);
    expect((await signUpAs(person, draft.id, draftSession?.id as string)).json().error.code).toBe('ACTIVITY_NOT_FOUND');
    const mixed = await signUpAs(person, external.activity.id, past.session.id);
    expect([mixed.statusCode, mixed.json().error.code]).toEqual([404, 'ACTIVITY_SESSION_NOT_FOUND']);
    const anonymous = await t.app.inject({ method: 'POST', url: signUpUrl(past.activity.id, past.session.id) });
    expect(anonymous.statusCode).toBe(401);
  });

  it('gives the last place to exactly one of many people asking at once', async () => {
    const { activity, session } = await publishedActivity({ capacity: 1 });
    const people = await Promise.all(Array.from({ length: 12 }, () => learner()));
    const responses = await Promise.all(people.map((person) => signUpAs(person, activity.id, session.id)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    const statuses = responses.map((r) => r.json().status);
    expect(statuses.filter((s) => s === 'confirmed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'waitlisted')).toHaveLength(11);
    expect(await confirmedCount(session.id)).toBe(1);
    const positions = responses
      .map((r) => r.json().waitlistPosition)
      .filter((p) => p !== null)
      .sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));

    // Two cancellations at once free two places: the first two waiting get them, in order.
    const confirmedIndex = statuses.indexOf('confirmed');
    const firstWaiting = responses.findIndex((r) => r.json().waitlistPosition === 1);
    const secondWaiting = responses.findIndex((r) => r.json().waitlistPosition === 2);
    const thirdWaiting = responses.findIndex((r) => r.json().waitlistPosition === 3);
    await Promise.all(
      [confirmedIndex, firstWaiting].map((i) =>
        t.app.inject({
          method: 'DELETE',
          url: `/api/v1/cities/plymouth/signups/${responses[i]?.json().id}`,
          headers: people[i]?.headers,
        }),
      ),
    );
    expect(await confirmedCount(session.id)).toBe(1);
    const [promoted] = await t.db.query<{ id: string }>(
      "SELECT id FROM activity_signups WHERE session_id = $1 AND status = 'confirmed'",
      [session.id],
    );
    // Whichever cancellation came first promoted the first waiting person — unless that was the one cancelling.
    expect([responses[secondWaiting]?.json().id, responses[thirdWaiting]?.json().id]).toContain(promoted?.id);
  });

  it('shows the attendee list and takes attendance only from staff of the organisation, once started', async () => {
    const { activity, session } = await publishedActivity({ capacity: 1 });
    const fay = await learner('fay@example.org');
    const gus = await learner('gus@example.org');
    const fayId = (await signUpAs(fay, activity.id, session.id)).json().id;
    const gusId = (await signUpAs(gus, activity.id, session.id)).json().id;
    const base = `/api/v1/cities/plymouth/organisations/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees`;

    const list = await t.app.inject({ url: base, headers: staff.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toMatchObject([
      { signupId: fayId, status: 'confirmed', email: 'fay@example.org', waitlistPosition: null },
      { signupId: gusId, status: 'waitlisted', waitlistPosition: 1 },
    ]);
    const csv = await t.app.inject({ url: `${base}.csv`, headers: staff.headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')[0] ?? csv.body.split('\n')[0]).toMatch(/^Name,Email,Status/);
    expect(csv.body).toContain('fay@example.org');

    // Another organisation's staff, a curator and a learner may not use the organiser's API.
    for (const who of [otherStaff, curator, fay]) {
      expect((await t.app.inject({ url: base, headers: who.headers })).statusCode).toBe(403);
    }
    // Staff of another organisation cannot reach this activity through their own organisation either.
    const viaOther = await t.app.inject({
      url: base.replace(organisationId, otherOrganisationId),
      headers: otherStaff.headers,
    });
    expect([viaOther.statusCode, viaOther.json().error.code]).toEqual([404, 'ACTIVITY_NOT_FOUND']);
    // Curators read the list on their own page.
    const curatorPage = await t.app.inject({
      url: `/c/plymouth/curate/activities/${activity.id}/sessions/${session.id}/attendees`,
      headers: { ...curator.headers, accept: 'text/html' },
    });
    expect(curatorPage.statusCode).toBe(200);
    expect(curatorPage.body).toContain('fay@example.org');
    expect(curatorPage.body).not.toContain('Save attendance');

    const mark = (who: SignedIn, signupId: string, attended: boolean | null) =>
      t.app.inject({
        method: 'PUT',
        url: `${base}/${signupId}/attendance`,
        headers: who.headers,
        payload: { attended },
      });
    const early = await mark(staff, fayId, true);
    expect([early.statusCode, early.json().error.code]).toEqual([409, 'ATTENDANCE_NOT_OPEN']);
    await startSession(session.id);
    expect((await mark(otherStaff, fayId, true)).statusCode).toBe(403);
    const marked = await mark(staff, fayId, true);
    expect(marked.statusCode).toBe(200);
    expect(marked.json()).toMatchObject({ signupId: fayId, attended: true });
    expect(marked.json().attendanceMarkedAt).toBeTruthy();
    const unknown = await mark(staff, '00000000-0000-4000-8000-000000000000', true);
    expect(unknown.json().error.code).toBe('SIGNUP_NOT_FOUND');
    expect(await listAttendance(t.db, city.id, activity.id)).toMatchObject([
      { signupId: fayId, userId: fay.userId, sessionId: session.id },
    ]);
    // No cancelling once the session has started.
    const late = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/plymouth/signups/${fayId}`,
      headers: fay.headers,
    });
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'SIGNUP_SESSION_STARTED']);

    // The bulk form marks several people at once and is audited.
    const pagePath = `/c/plymouth/manage/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees`;
    const page = await t.app.inject({ url: pagePath, headers: { ...staff.headers, accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Save attendance');
    const saved = await t.app.inject({
      method: 'POST',
      url: pagePath,
      headers: { ...staff.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        _csrf: staff.headers['x-csrf-token'],
        [`attended_${fayId}`]: 'no',
        [`attended_${gusId}`]: 'yes',
      }),
    });
    expect(saved.statusCode).toBe(303);
    const rows = await t.db.query<{ id: string; attended: boolean | null }>(
      'SELECT id, attended FROM activity_signups WHERE session_id = $1 ORDER BY created_at',
      [session.id],
    );
    expect(rows).toEqual([
      { id: fayId, attended: false },
      { id: gusId, attended: true },
    ]);
    const [audit] = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'activity_session.attendance' AND target_id = $1",
      [session.id],
    );
    expect(audit?.n).toBe(2);

    // An API token of the organisation needs activities:write to mark attendance.
    const { secret: readOnly } = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'reader', scopes: ['activities:read'] },
      systemCaller,
    );
    const byToken = (token: string, method: 'GET' | 'PUT') =>
      t.app.inject({
        method,
        url: method === 'GET' ? base : `${base}/${fayId}/attendance`,
        headers: { authorization: `Bearer ${token}` },
        ...(method === 'PUT' ? { payload: { attended: true } } : {}),
      });
    expect((await byToken(readOnly, 'GET')).statusCode).toBe(200);
    expect((await byToken(readOnly, 'PUT')).json().error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('keeps every city apart: ids and people of one city are not found through another', async () => {
    const { activity, session } = await publishedActivity();
    const hana = await learner();
    const signupId = (await signUpAs(hana, activity.id, session.id)).json().id;
    const other = otherCity.slug;
    expect((await signUpAs(hana, activity.id, session.id, other)).json().error.code).toBe('ACTIVITY_NOT_FOUND');
    const cancelElsewhere = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/${other}/signups/${signupId}`,
      headers: hana.headers,
    });
    expect([cancelElsewhere.statusCode, cancelElsewhere.json().error.code]).toEqual([404, 'SIGNUP_NOT_FOUND']);
    const mineElsewhere = await t.app.inject({ url: `/api/v1/cities/${other}/me/signups`, headers: hana.headers });
    expect(mineElsewhere.json()).toEqual({ upcoming: [], past: [] });
    const resultElsewhere = await t.app.inject({
      url: `/c/${other}/sign-ups/${signupId}`,
      headers: { ...hana.headers, accept: 'text/html' },
    });
    expect(resultElsewhere.statusCode).toBe(404);
  });

  it('tells the people signed up when an edit moves their session away (the session is kept, cancelled)', async () => {
    const { activity, session } = await publishedActivity({ capacity: 1 });
    const lea = await learner('lea@example.org');
    const max = await learner('max@example.org');
    await signUpAs(lea, activity.id, session.id);
    await signUpAs(max, activity.id, session.id);
    const later = new Date(session.startsAt.getTime() + 7 * 86_400_000);
    await updateActivity(
      t.db,
      city,
      activity.id,
      activityInput({
        title: activity.title,
        capacity: 1,
        startsAt: later.toISOString(),
        endsAt: new Date(later.getTime() + 2 * 3_600_000).toISOString(),
      }),
      systemCaller,
      { publicUrl: 'http://learnscape.test' },
    );
    const [row] = await t.db.query<{ cancelled: boolean }>(
      'SELECT cancelled_at IS NOT NULL AS cancelled FROM activity_sessions WHERE id = $1',
      [session.id],
    );
    expect(row?.cancelled).toBe(true);
    // Both the confirmed person and the one waiting are told, once, with a link to the activity's other dates.
    const toLea = await mailTo('lea@example.org', /^Session cancelled:/);
    expect(toLea.text).toContain(`http://learnscape.test/c/plymouth/activities/${activity.slug}`);
    await mailTo('max@example.org', /^Session cancelled:/);
    expect(t.inbox.list().filter((m) => /^Session cancelled:/.test(m.subject))).toHaveLength(2);
  });

  it('reminds people with a place about a day before, once', async () => {
    const soon = new Date(Date.now() + 20 * 3_600_000);
    const { activity, session } = await publishedActivity({
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 3_600_000).toISOString(),
      capacity: 1,
    });
    const ida = await learner('ida@example.org');
    const jon = await learner('jon@example.org');
    await signUpAs(ida, activity.id, session.id);
    await signUpAs(jon, activity.id, session.id);
    // They signed up days ago.
    await t.db.query("UPDATE activity_signups SET created_at = now() - interval '3 days' WHERE session_id = $1", [
      session.id,
    ]);
    await scheduleSignupReminders(t.db, new Date(), 'http://learnscape.test');
    await scheduleSignupReminders(t.db, new Date(), 'http://learnscape.test');
    const jobs = await t.db.query<{ id: string }>('SELECT id FROM jobs WHERE type = $1', [SIGNUP_REMINDERS]);
    expect(jobs).toHaveLength(1);
    await t.worker.drain();
    const reminder = await mailTo('ida@example.org', /^Reminder:/);
    expect(reminder.text).toContain('http://learnscape.test/c/plymouth/my/activities');
    // A second run finds nobody left to remind; people on the waiting list get no reminder.
    const again = await signupRemindersHandler(jobs[0] as never, {
      db: t.db,
      reportProgress: async () => {},
      signal: new AbortController().signal,
    });
    expect(again).toEqual({ sent: 0 });
    await t.worker.drain();
    expect(t.inbox.list().filter((m) => m.to.includes('ida@example.org') && /^Reminder:/.test(m.subject))).toHaveLength(
      1,
    );
    expect(t.inbox.list().some((m) => m.to.includes('jon@example.org') && /^Reminder:/.test(m.subject))).toBe(false);
  });

  it('signs up through the pages: sign-in link for visitors, confirm, result, My activities, cancel', async () => {
    const { activity, session } = await publishedActivity({ capacity: 5 });
    const path = `/c/plymouth/activities/${activity.slug}/sign-up`;
    const anonymous = await t.app.inject({ url: `${path}?session=${session.id}`, headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).toContain(`/login?next=${encodeURIComponent(`${path}?session=${session.id}`)}`);
    expect(anonymous.body).toContain('Places left: 5 of 5.');
    const choose = await t.app.inject({ url: path, headers: { accept: 'text/html' } });
    expect(choose.body).toContain(`${path}?session=${session.id}`);

    const kim = await learner('kim@example.org');
    const html = { ...kim.headers, accept: 'text/html' };
    const confirmPage = await t.app.inject({ url: `${path}?session=${session.id}`, headers: html });
    expect(confirmPage.body).toContain('Confirm my place');
    const posted = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: kim.headers['x-csrf-token'], session: session.id }),
    });
    expect(posted.statusCode).toBe(303);
    const result = await t.app.inject({ url: posted.headers.location as string, headers: html });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You have a place');
    const twice = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: kim.headers['x-csrf-token'], session: session.id }),
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('You already have a place in this session.');

    const mine = await t.app.inject({ url: '/c/plymouth/my/activities', headers: html });
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain(activity.title.en as string);
    const cancelAction = /action="(\/c\/plymouth\/my\/activities\/[^"]+\/cancel)"/.exec(mine.body)?.[1] ?? '';
    const cancelled = await t.app.inject({
      method: 'POST',
      url: cancelAction,
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: kim.headers['x-csrf-token'] }),
    });
    expect([cancelled.statusCode, cancelled.headers.location]).toEqual([
      303,
      '/c/plymouth/my/activities?done=cancelled',
    ]);
    expect(await confirmedCount(session.id)).toBe(0);

    const organiser = await t.app.inject({
      url: `/c/plymouth/manage/${organisationId}/activities/${activity.id}/sign-ups`,
      headers: { ...staff.headers, accept: 'text/html' },
    });
    expect(organiser.statusCode).toBe(200);
    expect(organiser.body).toContain(`/sessions/${session.id}/attendees`);
  });

  it('lets people whose guardian has not agreed yet sign up, without showing their email to organisers', async () => {
    const { activity, session } = await publishedActivity();
    const minor = await learner('young@example.org');
    await t.db.query("UPDATE users SET status = 'limited' WHERE id = $1", [minor.userId]);
    t.app.actorCache.clear();
    expect((await signUpAs(minor, activity.id, session.id)).json().status).toBe('confirmed');
    const list = await t.app.inject({
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/activities/${activity.id}/sessions/${session.id}/attendees`,
      headers: staff.headers,
    });
    expect(list.json().items[0]).toMatchObject({ userId: minor.userId, email: null });
  });
});
