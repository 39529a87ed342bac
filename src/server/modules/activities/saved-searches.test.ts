import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createActivity } from './activities.service.ts';
import { runSavedSearchDigest, SAVED_SEARCH_DIGEST, scheduleSavedSearchDigests } from './saved-searches.service.ts';

const form = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params.toString();
};

describe(`saved searches and their daily digest on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let learner: SignedIn;
  let other: SignedIn;
  const base = '/api/v1/cities/plymouth/saved-searches';

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId } = await createCatalogueCity(t.db));
    learner = await signIn(t.app, t.db, { role: 'learner' }, 'robot.fan@example.org');
    other = await signIn(t.app, t.db, { role: 'learner' });
  });
  afterAll(() => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: SignedIn, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers, ...(payload ? { payload } : {}) });

  it('saves, lists, renames, switches and deletes searches through the API; only the owner sees them', async () => {
    const created = await api('POST', base, learner, {
      name: 'Robots for teens',
      query: { q: 'robotics', format: ['in_person'], cursor: 'ignored', limit: '5' },
    });
    expect(created.statusCode).toBe(201);
    const saved = created.json();
    expect(saved).toMatchObject({
      name: 'Robots for teens',
      query: { q: 'robotics', format: ['in_person'] },
      alertDaily: true,
      searchUrl: 'http://learnscape.test/c/plymouth/activities?q=robotics&format=in_person',
    });
    expect(saved.query).not.toHaveProperty('cursor');
    expect(saved.query).not.toHaveProperty('limit');

    const list = await api('GET', base, learner);
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([saved.id]);
    expect((await api('GET', base, other)).json().items).toEqual([]);
    expect((await api('GET', base)).statusCode).toBe(401);

    const patched = await api('PATCH', `${base}/${saved.id}`, learner, { alertDaily: false, name: 'Robotics' });
    expect(patched.json()).toMatchObject({ alertDaily: false, name: 'Robotics' });
    const stranger = await api('PATCH', `${base}/${saved.id}`, other, { alertDaily: true });
    expect([stranger.statusCode, stranger.json().error.code]).toEqual([404, 'SAVED_SEARCH_NOT_FOUND']);
    const strangerDelete = await api('DELETE', `${base}/${saved.id}`, other);
    expect([strangerDelete.statusCode, strangerDelete.json().error.code]).toEqual([404, 'SAVED_SEARCH_NOT_FOUND']);
    // Someone else's search is not found in another city either.
    const elsewhere = await api('DELETE', `/api/v1/cities/plymouth-elsewhere/saved-searches/${saved.id}`, learner);
    expect(elsewhere.statusCode).toBe(404);

    expect((await api('DELETE', `${base}/${saved.id}`, learner)).statusCode).toBe(204);
    expect((await api('DELETE', `${base}/${saved.id}`, learner)).statusCode).toBe(404);
  });

  it('refuses searches the search itself would refuse, naming the parameter', async () => {
    const bad = await api('POST', base, learner, { name: 'Bad', query: { format: 'underwater', age: 'teens' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('/query/format');
  });

  it('saves from the search page form and manages searches on "My saved searches"', async () => {
    const posted = await t.app.inject({
      method: 'POST',
      url: '/c/plymouth/saved-searches',
      headers: { ...learner.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: learner.headers['x-csrf-token'], name: 'Free coding', q: 'coding', cost: 'free' }),
    });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/c/plymouth/saved-searches?done=saved');
    const [row] = await t.db.query<{ id: string; query: Record<string, string> }>(
      `SELECT id, query FROM saved_searches WHERE user_id = $1 AND name = 'Free coding'`,
      [learner.userId],
    );
    expect(row?.query).toEqual({ q: 'coding', cost: 'free' });
    const page = await t.app.inject({
      method: 'GET',
      url: '/c/plymouth/saved-searches?done=saved',
      headers: { ...learner.headers, accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your search was saved.');
    expect(page.body).toContain('Free coding');
    expect(page.body).toContain('href="/c/plymouth/activities?q=coding&amp;cost=free"');
    expect(page.body).toContain('Daily email alerts are on.');
    // Nobody else sees it.
    const theirs = await t.app.inject({
      method: 'GET',
      url: '/c/plymouth/saved-searches',
      headers: { ...other.headers, accept: 'text/html' },
    });
    expect(theirs.body).not.toContain('Free coding');
    const off = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/saved-searches/${row?.id}/alerts`,
      headers: { ...learner.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: learner.headers['x-csrf-token'], alertDaily: 'off' }),
    });
    expect(off.statusCode).toBe(303);
    const [switched] = await t.db.query<{ alertDaily: boolean }>(
      'SELECT alert_daily AS "alertDaily" FROM saved_searches WHERE id = $1',
      [row?.id],
    );
    expect(switched?.alertDaily).toBe(false);
    const forged = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/saved-searches/${row?.id}/delete`,
      headers: { ...other.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: other.headers['x-csrf-token'] }),
    });
    expect(forged.statusCode).toBe(404);
    const deleted = await t.app.inject({
      method: 'POST',
      url: `/c/plymouth/saved-searches/${row?.id}/delete`,
      headers: { ...learner.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: learner.headers['x-csrf-token'] }),
    });
    expect([deleted.statusCode, deleted.headers.location]).toEqual([303, '/c/plymouth/saved-searches?done=deleted']);
    // Anonymous browsers are sent to sign in.
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/c/plymouth/saved-searches',
      headers: { accept: 'text/html' },
    });
    expect(anonymous.statusCode).toBe(303);
  });

  it('emails one daily digest per person with new matches, moves the mark, and never repeats', async () => {
    const minor = await signIn(t.app, t.db, { role: 'learner' }, 'minor@example.org');
    await t.db.query(`UPDATE users SET status = 'limited' WHERE id = $1`, [minor.userId]);
    for (const who of [learner, minor]) {
      const created = await api('POST', base, who, { name: 'Robotics', query: { q: 'robotics' } });
      expect(created.statusCode).toBe(201);
    }
    await api('POST', base, learner, { name: 'Drawing', query: { q: 'drawing' } });
    // A search with alerts off gets nothing.
    const quiet = await api('POST', base, learner, { name: 'Quiet', query: { q: 'robotics' }, alertDaily: false });
    expect(quiet.statusCode).toBe(201);
    await t.db.query(`UPDATE saved_searches SET last_alerted_at = now() - interval '1 day'`);

    const match = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: 'Robotics workshop for beginners' } }),
      systemCaller,
      { publish: true },
    );
    await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: 'Pottery evening' } }),
      systemCaller,
      {
        publish: true,
      },
    );
    // Matching but never published: not new.
    await createActivity(t.db, city, organisationId, activityInput({ title: { en: 'Robotics draft' } }), systemCaller);

    const night = new Date();
    night.setUTCHours(3, 0, 0, 0);
    expect(await scheduleSavedSearchDigests(t.db, night, 'http://learnscape.test')).toBe(0);
    const morning = new Date();
    morning.setUTCHours(10, 0, 0, 0);
    expect(await scheduleSavedSearchDigests(t.db, morning, 'http://learnscape.test')).toBe(1);
    // The hourly maintenance calling again the same day adds nothing.
    expect(await scheduleSavedSearchDigests(t.db, morning, 'http://learnscape.test')).toBe(1);
    const jobs = await t.db.query('SELECT id FROM jobs WHERE type = $1', [SAVED_SEARCH_DIGEST]);
    expect(jobs).toHaveLength(1);

    await t.worker.drain();
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.to.includes('robot.fan@example.org'));
    expect(mail.subject).toBe('1 new activity in Plymouth');
    expect(mail.text).toContain('For “Robotics”:');
    expect(mail.text).toContain(
      `Robotics workshop for beginners: http://learnscape.test/c/plymouth/activities/${match.slug}`,
    );
    expect(mail.text).not.toContain('Pottery');
    expect(mail.text).not.toContain('Robotics draft');
    expect(mail.text).not.toContain('Drawing');
    expect(mail.text).toContain('http://learnscape.test/c/plymouth/saved-searches');
    expect(t.inbox.list().filter((m) => m.to.includes('robot.fan@example.org'))).toHaveLength(1);
    // The account awaiting a guardian's consent gets no email, and its mark stays for later.
    expect(t.inbox.list().some((m) => m.to.includes('minor@example.org'))).toBe(false);
    const marks = await t.db.query<{ userId: string; name: string; moved: boolean }>(
      `SELECT user_id AS "userId", name, last_alerted_at > now() - interval '1 hour' AS moved FROM saved_searches
        WHERE alert_daily ORDER BY name`,
    );
    for (const mark of marks) expect(mark.moved).toBe(mark.userId === learner.userId);

    // Nothing new since: the next run sends nothing.
    const again = await runSavedSearchDigest(t.db, city, { publicUrl: 'http://learnscape.test' });
    expect(again).toMatchObject({ emails: 0, matches: 0 });
  });

  it('writes the digest in the language the person uses, among the city languages', async () => {
    const reader = await signIn(t.app, t.db, { role: 'learner' }, 'skaitytojas@example.org');
    await t.db.query(`UPDATE users SET languages = '{lt}' WHERE id = $1`, [reader.userId]);
    await api('POST', base, reader, { name: 'Robotai', query: { q: 'robotics' } });
    await t.db.query(`UPDATE saved_searches SET last_alerted_at = now() - interval '1 day' WHERE user_id = $1`, [
      reader.userId,
    ]);
    const result = await runSavedSearchDigest(t.db, city, { publicUrl: 'http://learnscape.test' });
    expect(result.emails).toBe(1);
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.to.includes('skaitytojas@example.org'));
    expect(mail.subject).toBe('1 nauja veikla mieste Plymouth');
    expect(mail.text).toContain('Paieškai „Robotai“:');
  });
});
