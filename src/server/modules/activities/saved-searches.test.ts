import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { hashSecret } from '../accounts/sessions.service.ts';
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

  it('stops one search’s emails through the digest’s link without signing in; only the newest link works', async () => {
    const stargazer = await signIn(t.app, t.db, { role: 'learner' }, 'stargazer@example.org');
    for (const [name, q] of [
      ['Stars', 'astronomy'],
      ['Telescopes', 'telescope'],
    ]) {
      expect((await api('POST', base, stargazer, { name, query: { q } })).statusCode).toBe(201);
    }
    await t.db.query(`UPDATE saved_searches SET last_alerted_at = now() - interval '1 day' WHERE user_id = $1`, [
      stargazer.userId,
    ]);
    const publish = (title: string) =>
      createActivity(t.db, city, organisationId, activityInput({ title: { en: title } }), systemCaller, {
        publish: true,
      });
    await publish('Astronomy night');
    await publish('Telescope building');

    const mailsOf = () => t.inbox.list().filter((m) => m.to.includes('stargazer@example.org'));
    const linkIn = (text: string, name: string) => {
      const found = new RegExp(
        `Stop emails for “${name}”: http://learnscape\\.test(/c/plymouth/saved-searches/unsubscribe/[\\w-]+)`,
      ).exec(text);
      return found?.[1] as string;
    };
    const searchRow = async (name: string) => {
      const [row] = await t.db.query<{ alertDaily: boolean; hash: string | null }>(
        `SELECT alert_daily AS "alertDaily", unsubscribe_token_hash AS hash FROM saved_searches
          WHERE user_id = $1 AND name = $2`,
        [stargazer.userId, name],
      );
      return row as { alertDaily: boolean; hash: string | null };
    };
    const page = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string) =>
      t.app.inject({ method, url, headers: { accept: 'text/html', ...headers }, ...(payload ? { payload } : {}) });

    expect((await runSavedSearchDigest(t.db, city, { publicUrl: 'http://learnscape.test' })).emails).toBeGreaterThan(0);
    await t.worker.drain();
    const first = await t.inbox.waitFor((m) => m.to.includes('stargazer@example.org'));
    const starsLink = linkIn(first.text, 'Stars');
    const oldTelescopesLink = linkIn(first.text, 'Telescopes');
    expect(starsLink).toBeTruthy();
    expect(oldTelescopesLink).toBeTruthy();
    expect(starsLink).not.toBe(oldTelescopesLink);
    expect(first.html).toContain(`http://learnscape.test${starsLink}`);
    // Only the secret's hash is stored.
    const starsToken = starsLink.split('/').at(-1) as string;
    expect((await searchRow('Stars')).hash).toBe(hashSecret(starsToken));

    // Opening the link (as a mail scanner would) shows the search and a button, and changes nothing.
    const opened = await page('GET', starsLink);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('<meta name="referrer" content="no-referrer">');
    expect(opened.body).toContain('<h1>Stop emails for this saved search?</h1>');
    expect(opened.body).toContain('Stars');
    expect(opened.body).toContain(`<form method="post" action="${starsLink}"`);
    expect(opened.body).toContain('<button type="submit" class="button">Stop these emails</button>');
    expect(await searchRow('Stars')).toEqual({ alertDaily: true, hash: hashSecret(starsToken) });
    const lithuanian = await page('GET', starsLink, { 'accept-language': 'lt' });
    expect(lithuanian.body).toContain('Nebesiųsti laiškų apie šią išsaugotą paiešką?');

    // The form is an anonymous form: without the double-submit cookie it is refused.
    const csrfCookie = opened.cookies.find((c) => c.name === 'ls_csrf')?.value as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(opened.body)?.[1] as string;
    expect(csrf).toBe(csrfCookie);
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', cookie: `ls_csrf=${csrfCookie}` };
    const forged = await page(
      'POST',
      starsLink,
      { 'content-type': 'application/x-www-form-urlencoded' },
      form({ _csrf: csrf }),
    );
    expect(forged.statusCode).toBe(403);
    expect((await searchRow('Stars')).alertDaily).toBe(true);

    const stopped = await page('POST', starsLink, formHeaders, form({ _csrf: csrf }));
    expect(stopped.statusCode).toBe(200);
    expect(stopped.body).toContain('<h1>Emails stopped</h1>');
    expect(stopped.body).toContain('You will no longer get daily emails for “Stars”.');
    expect(stopped.body).toContain('href="/c/plymouth/saved-searches"');
    expect(await searchRow('Stars')).toEqual({ alertDaily: false, hash: null });
    // The other search of the email keeps its alerts.
    expect((await searchRow('Telescopes')).alertDaily).toBe(true);

    // The link works once.
    const again = await page('POST', starsLink, formHeaders, form({ _csrf: csrf }));
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('<h1>This link no longer works</h1>');
    expect((await page('GET', starsLink)).statusCode).toBe(410);
    expect((await page('GET', '/c/plymouth/saved-searches/unsubscribe/nonsense')).statusCode).toBe(410);

    // The next digest does not mail the search that was turned off, and its links replace the older ones.
    await publish('Astronomy for beginners');
    await publish('Telescope evening');
    await runSavedSearchDigest(t.db, city, { publicUrl: 'http://learnscape.test' });
    await t.worker.drain();
    const second = await t.inbox.waitFor((m) => m.to.includes('stargazer@example.org') && m.id !== first.id);
    expect(mailsOf()).toHaveLength(2);
    expect(second.text).toContain('For “Telescopes”:');
    expect(second.text).toContain('Telescope evening');
    expect(second.text).not.toContain('Stars');
    expect(second.text).not.toContain('Astronomy for beginners');
    const newTelescopesLink = linkIn(second.text, 'Telescopes');
    expect(newTelescopesLink).toBeTruthy();
    expect(newTelescopesLink).not.toBe(oldTelescopesLink);
    expect((await page('GET', oldTelescopesLink)).statusCode).toBe(410);
    const stale = await page('POST', oldTelescopesLink, formHeaders, form({ _csrf: csrf }));
    expect(stale.statusCode).toBe(410);
    expect((await searchRow('Telescopes')).alertDaily).toBe(true);
    // The link belongs to its city: under another city's address it is unknown.
    const elsewhere = newTelescopesLink.replace('/c/plymouth/', '/c/plymouth-elsewhere/');
    expect((await page('GET', elsewhere)).statusCode).toBe(410);
    const current = await page('GET', newTelescopesLink);
    expect(current.statusCode).toBe(200);
    expect(current.body).toContain('Telescopes');
    // Alerts turned off on "My saved searches" meanwhile: the link says so and offers no button.
    const [telescopes] = await t.db.query<{ id: string }>(
      `SELECT id FROM saved_searches WHERE user_id = $1 AND name = 'Telescopes'`,
      [stargazer.userId],
    );
    await api('PATCH', `${base}/${telescopes?.id}`, stargazer, { alertDaily: false });
    const already = await page('GET', newTelescopesLink);
    expect(already.statusCode).toBe(200);
    expect(already.body).toContain('<h1>These emails are already off</h1>');
    expect(already.body).not.toContain('<form method="post"');
  });
});
