import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { translatorFor } from '../../../web/i18n.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { importProblemKeys } from './activities.problems.ts';
import { addFeed, FeedFetchError, fetchFeed, scheduleFeedSyncs, syncFeed } from './feeds.service.ts';
import { commitImport } from './imports.service.ts';

const fixture = (name: string) =>
  fs.readFileSync(new URL(`../../../../test/fixtures/catalogue/${name}`, import.meta.url), 'utf8');

const goodAndBad = [
  'external_id,Title,Start,End,Venue,Latitude,Longitude,Price',
  'K-1,Knitting circle,2026-12-01 18:00,2026-12-01 20:00,Central Library,50.3722,-4.1425,free',
  'K-2,Woodwork taster,2026-12-32 10:00,2026-12-02 12:00,Central Library,50.3722,-4.1425,£5',
  'K-3,Chess club,2026-12-03 18:00,2026-12-03 20:00,Central Library,50.3722,-4.1425,free',
].join('\n');

const kickOff = [
  'external_id,Title,Kick-off,End,Venue,Latitude,Longitude',
  'M-1,Pottery morning,2026-12-05 10:00,2026-12-05 12:00,Central Library,50.3722,-4.1425',
  'M-2,Sewing afternoon,2026-12-05 14:00,2026-12-05 16:00,Central Library,50.3722,-4.1425',
].join('\n');

function feedText(events: { uid: string; title: string; day: number }[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//Feed//EN', 'X-WR-TIMEZONE:Europe/London'];
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      'DTSTAMP:20261101T000000Z',
      `DTSTART;TZID=Europe/London:202612${String(event.day).padStart(2, '0')}T180000`,
      `DTEND;TZID=Europe/London:202612${String(event.day).padStart(2, '0')}T200000`,
      `SUMMARY:${event.title}`,
      'LOCATION:Central Library\\, Armada Way',
      'GEO:50.3722;-4.1425',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

describe(`activity imports and calendar feeds on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let trustedOrganisationId: string;
  let staff: Record<string, string>;
  let trustedStaff: Record<string, string>;
  const base = (org = organisationId) => `/api/v1/cities/plymouth/organisations/${org}/activity-imports`;
  const count = async (org: string, status?: string) => {
    const [row] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM activities WHERE organisation_id = $1 AND ($2::text IS NULL OR status = $2)`,
      [org, status ?? null],
    );
    return row?.n ?? 0;
  };
  const upload = (content: string, fileName: string, org = organisationId, headers = staff) =>
    t.app.inject({
      method: 'POST',
      url: `${base(org)}?fileName=${encodeURIComponent(fileName)}`,
      headers: { ...headers, 'content-type': fileName.endsWith('.ics') ? 'text/calendar' : 'text/csv' },
      payload: content,
    });

  beforeAll(async () => {
    t = await createTestApp({ env: { ALLOW_PRIVATE_FEED_URLS: 'true' } });
    ({ city, organisationId, trustedOrganisationId } = await createCatalogueCity(t.db));
    staff = (await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' })).headers;
    trustedStaff = (
      await signIn(t.app, t.db, { role: 'organisation', organisationId: trustedOrganisationId, membership: 'staff' })
    ).headers;
  }, 180_000);
  afterAll(() => t.close());

  it('reports a bad row with its line and column and writes nothing from the file', async () => {
    const uploaded = await upload(goodAndBad, 'december.csv');
    expect(uploaded.statusCode).toBe(201);
    const view = uploaded.json();
    expect(view).toMatchObject({ kind: 'csv', status: 'uploaded', counts: { rows: 3, valid: 2, invalid: 1 } });
    expect(view.mapping).toMatchObject({ Title: 'title', Start: 'start', Latitude: 'venue_lat' });
    expect(view.preview).toHaveLength(3);
    expect(view.rows[1]).toMatchObject({ line: 3, valid: false, problems: [{ column: 'Start', field: '/startsAt' }] });
    const commit = await t.app.inject({ method: 'POST', url: `${base()}/${view.id}/commit`, headers: staff });
    expect(commit.statusCode).toBe(422);
    expect(commit.json().error).toMatchObject({ code: 'IMPORT_HAS_ERRORS' });
    expect(commit.json().error.details[0]).toMatchObject({ line: 3, column: 'Start' });
    expect(await count(organisationId)).toBe(0);
  });

  it('re-checks every row when the mapping changes', async () => {
    const uploaded = (await upload(kickOff, 'kick-off.csv')).json();
    // "Kick-off" is not a known header: the rows have an end but no start.
    expect(uploaded.mapping['Kick-off']).toBe('');
    expect(uploaded.counts).toMatchObject({ valid: 0, invalid: 2 });
    const mapped = await t.app.inject({
      method: 'PUT',
      url: `${base()}/${uploaded.id}/mapping`,
      headers: staff,
      payload: { mapping: { ...uploaded.mapping, 'Kick-off': 'start' } },
    });
    expect(mapped.statusCode).toBe(200);
    expect(mapped.json().counts).toMatchObject({ valid: 2, invalid: 0 });
    const bad = await t.app.inject({
      method: 'PUT',
      url: `${base()}/${uploaded.id}/mapping`,
      headers: staff,
      payload: { mapping: { 'Kick-off': 'teleport', Nope: 'title' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual([
      '/mapping/Kick-off',
      '/mapping/Nope',
    ]);
    const fetched = await t.app.inject({ method: 'GET', url: `${base()}/${uploaded.id}`, headers: staff });
    expect(fetched.json().mapping['Kick-off']).toBe('start');
  });

  it('commits in one go; committing twice or re-importing the file leaves one set of activities', async () => {
    const uploaded = (await upload(kickOff, 'kick-off-2.csv')).json();
    await t.app.inject({
      method: 'PUT',
      url: `${base()}/${uploaded.id}/mapping`,
      headers: staff,
      payload: { mapping: { 'Kick-off': 'start' } },
    });
    const first = await t.app.inject({ method: 'POST', url: `${base()}/${uploaded.id}/commit`, headers: staff });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ created: 2, updated: 0, skipped: 0, failed: 0 });
    // The organisation is not trusted: its imports wait for the curators.
    expect(await count(organisationId, 'submitted')).toBe(2);
    const again = await t.app.inject({ method: 'POST', url: `${base()}/${uploaded.id}/commit`, headers: staff });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('IMPORT_ALREADY_COMMITTED');
    expect(again.json().error.details[0].report).toMatchObject({ created: 2 });
    const viewed = await t.app.inject({ method: 'GET', url: `${base()}/${uploaded.id}`, headers: staff });
    expect(viewed.json()).toMatchObject({ status: 'committed', report: { created: 2 } });

    const reuploaded = (
      await upload(kickOff.replace('Pottery morning', 'Pottery morning for all'), 'kick-off-3.csv')
    ).json();
    await t.app.inject({
      method: 'PUT',
      url: `${base()}/${reuploaded.id}/mapping`,
      headers: staff,
      payload: { mapping: { 'Kick-off': 'start' } },
    });
    const second = await t.app.inject({ method: 'POST', url: `${base()}/${reuploaded.id}/commit`, headers: staff });
    expect(second.json()).toMatchObject({ created: 0, updated: 1, unchanged: 1, skipped: 1 });
    expect(await count(organisationId)).toBe(2);
  });

  it('imports the same calendar twice without duplicates (trusted organisation: published)', async () => {
    const first = (
      await upload(fixture('google-calendar.ics'), 'library.ics', trustedOrganisationId, trustedStaff)
    ).json();
    expect(first).toMatchObject({ kind: 'ical', counts: { rows: 3, valid: 3, skipped: 1 } });
    const committed = await t.app.inject({
      method: 'POST',
      url: `${base(trustedOrganisationId)}/${first.id}/commit`,
      headers: trustedStaff,
    });
    expect(committed.json()).toMatchObject({ created: 3, skipped: 1, failed: 0 });
    expect(await count(trustedOrganisationId, 'published')).toBe(3);
    const [series] = await t.db.query<{ rrule: string; sessions: number }>(
      `SELECT a.rrule, (SELECT count(*)::int FROM activity_sessions s WHERE s.activity_id = a.id) AS sessions
       FROM activities a WHERE a.external_uid = $1`,
      ['3k9v1q2m8c7b6n5x4z3a2s1d0f@google.com'],
    );
    // Ten Tuesdays less the EXDATE, the moved session and the cancelled one.
    expect(series).toMatchObject({ sessions: 7 });
    const second = (
      await upload(fixture('google-calendar.ics'), 'library.ics', trustedOrganisationId, trustedStaff)
    ).json();
    const again = await t.app.inject({
      method: 'POST',
      url: `${base(trustedOrganisationId)}/${second.id}/commit`,
      headers: trustedStaff,
    });
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await count(trustedOrganisationId)).toBe(3);
  });

  it('refuses files that are not CSV or iCalendar as fatal', async () => {
    const view = (await upload(fixture('broken-truncated.ics'), 'broken.ics')).json();
    expect(view.fatal[0].problem).toMatch(/cannot be read/);
    const commit = await t.app.inject({ method: 'POST', url: `${base()}/${view.id}/commit`, headers: staff });
    expect(commit.json().error.code).toBe('IMPORT_HAS_ERRORS');
    const other = await t.app.inject({
      method: 'GET',
      url: `${base(trustedOrganisationId)}/${view.id}`,
      headers: trustedStaff,
    });
    expect(other.statusCode).toBe(404);
  });

  it('syncs a feed from a web server: new, changed and vanished events', async () => {
    let body = feedText([
      { uid: 'a@feed.test', title: 'Astronomy night', day: 10 },
      { uid: 'b@feed.test', title: 'Beekeeping basics', day: 11 },
    ]);
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/calendar' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.ics`;
    try {
      const feedsUrl = `/api/v1/cities/plymouth/organisations/${organisationId}/ical-feeds`;
      const added = await t.app.inject({ method: 'POST', url: feedsUrl, headers: staff, payload: { url } });
      expect(added.statusCode).toBe(201);
      const feedId = added.json().id;
      const sync = await t.app.inject({ method: 'POST', url: `${feedsUrl}/${feedId}/sync`, headers: staff });
      expect(sync.statusCode).toBe(202);
      // The worker reads the server's configuration from the environment.
      vi.stubEnv('ALLOW_PRIVATE_FEED_URLS', 'true');
      await t.worker.drain();
      const listed = (await t.app.inject({ method: 'GET', url: feedsUrl, headers: staff })).json();
      expect(listed.items[0]).toMatchObject({ lastStatus: 'ok', lastCounts: { created: 2, archived: 0 } });

      body = feedText([
        { uid: 'b@feed.test', title: 'Beekeeping for beginners', day: 11 },
        { uid: 'c@feed.test', title: 'Cheese making', day: 12 },
      ]);
      const result = await syncFeed(t.db, feedId, { allowPrivateUrls: true });
      expect(result).toMatchObject({ status: 'ok', counts: { created: 1, updated: 1, archived: 1 } });
      const rows = await t.db.query<{ external_uid: string; status: string; title: { en: string } }>(
        `SELECT external_uid, status, title FROM activities WHERE feed_id = $1 ORDER BY external_uid`,
        [feedId],
      );
      expect(rows.map((r) => [r.external_uid, r.status, r.title.en])).toEqual([
        ['a@feed.test', 'archived', 'Astronomy night'],
        ['b@feed.test', 'submitted', 'Beekeeping for beginners'],
        ['c@feed.test', 'submitted', 'Cheese making'],
      ]);
      const unchanged = await syncFeed(t.db, feedId, { allowPrivateUrls: true });
      expect(unchanged.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2, archived: 0 });

      // The hourly scheduler queues a feed once per slot, and not before its interval has passed.
      expect(await scheduleFeedSyncs(t.db, new Date())).toBe(0);
      const later = new Date(Date.now() + 7 * 3_600_000);
      expect(await scheduleFeedSyncs(t.db, later)).toBe(1);
      await scheduleFeedSyncs(t.db, later);
      const [queued] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE type = 'activities.feed-sync' AND status = 'queued'`,
      );
      expect(queued?.n).toBe(1);

      // A server that answers with an error is recorded on the feed; the activities stay.
      server.removeAllListeners('request');
      server.on('request', (_request, response) => {
        response.writeHead(500);
        response.end();
      });
      const failed = await syncFeed(t.db, feedId, { allowPrivateUrls: true });
      expect(failed).toMatchObject({
        status: 'failed',
        error: 'the server answered HTTP 500',
        errorKey: 'feed_http_status',
        errorParams: { status: 500 },
      });
      expect(await count(organisationId, 'submitted')).toBeGreaterThanOrEqual(2);
    } finally {
      vi.unstubAllEnvs();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('walks an organiser through the import pages: upload, mapping, report, feeds', async () => {
    const pages = `/c/plymouth/manage/${organisationId}/imports`;
    const home = await t.app.inject({ method: 'GET', url: pages, headers: { cookie: staff.cookie } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('enctype="multipart/form-data"');
    expect(home.body).toContain('name="_csrf"');
    const boundary = '----learnscape-test';
    const csv = kickOff.replaceAll('M-', 'P-');
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="_csrf"',
      '',
      staff['x-csrf-token'] as string,
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="pottery.csv"',
      'Content-Type: text/csv',
      '',
      csv,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const uploaded = await t.app.inject({
      method: 'POST',
      url: pages,
      headers: { cookie: staff.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart,
    });
    expect(uploaded.statusCode).toBe(303);
    const detailUrl = uploaded.headers.location as string;
    const detail = await t.app.inject({ method: 'GET', url: detailUrl, headers: { cookie: staff.cookie } });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('<select id="map-2" name="field2">');
    expect(detail.body).toContain('there is an end or a time but no start');
    expect(detail.body).not.toContain(`action="${detailUrl}/commit"`);
    const form = (fields: Record<string, string>) =>
      new URLSearchParams({ _csrf: staff['x-csrf-token'] as string, ...fields }).toString();
    const mapped = await t.app.inject({
      method: 'POST',
      url: `${detailUrl}/mapping`,
      headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ header2: 'Kick-off', field2: 'start' }),
    });
    expect(mapped.statusCode).toBe(303);
    const ready = await t.app.inject({
      method: 'GET',
      url: mapped.headers.location as string,
      headers: { cookie: staff.cookie },
    });
    expect(ready.body).toContain(`action="${detailUrl}/commit"`);
    const committed = await t.app.inject({
      method: 'POST',
      url: `${detailUrl}/commit`,
      headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({}),
    });
    expect(committed.statusCode).toBe(303);
    const report = await t.app.inject({
      method: 'GET',
      url: committed.headers.location as string,
      headers: { cookie: staff.cookie },
    });
    expect(report.body).toContain('Created: 2 · Updated: 0 · Skipped: 0 · Failed: 0');
    const feed = await t.app.inject({
      method: 'POST',
      url: `${pages}/feeds`,
      headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ url: 'not a url', syncIntervalMinutes: '360' }),
    });
    expect(feed.statusCode).toBe(400);
    expect(feed.body).toContain('aria-invalid="true"');
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: `${pages}/feeds`,
      headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'url=https%3A%2F%2Fexample.org%2Ffeed.ics',
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('gives every problem and note of a file its key and params, in the API and in the page’s language', async () => {
    const rows = [
      'external_id,Title,Start,End,Venue,Latitude,Longitude,Repeat',
      'Q-1,Quilting,2026-12-07 18:00,2026-12-07 20:00,Central Library,50.3722,-4.1425,FREQ=WEEKLY',
      'Q-2,Quilting taster,2026-12-32 10:00,2026-12-08 12:00,Central Library,north,-4.1425,',
    ].join('\n');
    const view = (await upload(rows, 'quilting.csv')).json();
    expect(view.counts).toMatchObject({ valid: 1, invalid: 1 });
    expect(view.rows[0].warningDetails).toEqual([
      {
        key: 'recurrence_capped_years',
        params: { years: 2, until: '2028-12-07' },
        problem: 'the recurrence never ends; it was limited to 2 years (until 2028-12-07)',
      },
    ]);
    expect(view.rows[0].warnings).toEqual([view.rows[0].warningDetails[0].problem]);
    expect(view.rows[1].problems).toEqual([
      {
        column: 'Start',
        field: '/startsAt',
        key: 'csv_not_date_time',
        params: { value: '2026-12-32 10:00' },
        problem: '"2026-12-32 10:00" is not a date (use 2025-03-04 18:00 or ISO 8601)',
      },
      {
        column: 'Latitude',
        field: '/venues/0/lat',
        key: 'csv_not_latitude',
        params: { value: 'north' },
        problem: '"north" is not a latitude',
      },
    ]);
    const refused = await t.app.inject({ method: 'POST', url: `${base()}/${view.id}/commit`, headers: staff });
    expect(refused.json().error.details[0]).toMatchObject({
      line: 3,
      column: 'Start',
      key: 'csv_not_date_time',
      params: { value: '2026-12-32 10:00' },
      problem: 'line 3, column "Start": "2026-12-32 10:00" is not a date (use 2025-03-04 18:00 or ISO 8601)',
    });

    // Committed leaving out the bad row (as `learnscape activities import --skip-invalid` does): the stored report
    // keeps each failure's key and params, and the API gives them.
    await commitImport(t.db, city, organisationId, view.id, systemCaller, { skipInvalid: true });
    const committed = (await t.app.inject({ method: 'GET', url: `${base()}/${view.id}`, headers: staff })).json();
    expect(committed.report.items).toEqual([
      expect.objectContaining({ line: 2, outcome: 'created', problems: [], problemDetails: [] }),
      expect.objectContaining({
        line: 3,
        outcome: 'failed',
        problems: [view.rows[1].problems[0].problem, view.rows[1].problems[1].problem],
        problemDetails: view.rows[1].problems.map(({ line: _line, ...problem }: { line?: number }) => problem),
      }),
    ]);
    // The report page says them in the page's language.
    const page = `/c/plymouth/manage/${organisationId}/imports/${view.id}`;
    const lithuanian = await t.app.inject({ url: `${page}?lang=lt`, headers: { cookie: staff.cookie } });
    expect(lithuanian.body).toContain('Start: „2026-12-32 10:00“ nėra data (rašykite 2025-03-04 18:00 arba ISO 8601)');
    expect(lithuanian.body).toContain('Latitude: „north“ nėra platuma');

    // A report stored before problems had keys still answers with a key for every failure.
    await t.db.query(`UPDATE activity_imports SET report = $2 WHERE id = $1`, [
      view.id,
      JSON.stringify({
        ...committed.report,
        items: committed.report.items.map(({ problemDetails: _details, ...item }: { problemDetails: unknown }) => item),
      }),
    ]);
    const legacy = (await t.app.inject({ method: 'GET', url: `${base()}/${view.id}`, headers: staff })).json();
    expect(legacy.report.items[1].problemDetails[0]).toEqual({
      key: 'recorded_problem',
      params: { text: view.rows[1].problems[0].problem },
      problem: view.rows[1].problems[0].problem,
    });
  });

  it('says why a file cannot be read: an unclosed quote, a date that does not exist, not text at all', async () => {
    const quote = (await upload('external_id,Title\nZ-1,"Open quote\nZ-2,Closed\n', 'quote.csv')).json();
    expect(quote.fatal).toEqual([
      {
        key: 'csv_quote_not_closed',
        params: { line: 2 },
        problem: 'the file cannot be read as CSV: the quote opened on line 2 is never closed',
      },
    ]);
    const commit = await t.app.inject({ method: 'POST', url: `${base()}/${quote.id}/commit`, headers: staff });
    expect(commit.json().error.details).toEqual([{ ...quote.fatal[0] }]);

    const calendar = feedText([{ uid: 'bad-date', title: 'Bad date', day: 3 }]).replace(
      'DTSTART;TZID=Europe/London:20261203T180000',
      'DTSTART;TZID=Europe/London:20261303T180000',
    );
    const ics = await upload(calendar, 'bad-date.ics');
    expect(ics.statusCode).toBe(201);
    expect(ics.json().rows[0].problems).toEqual([
      {
        field: '/startsAt',
        key: 'ical_bad_date',
        params: { property: 'DTSTART' },
        problem: 'the event’s DTSTART is not a real date or date-time',
      },
    ]);

    const binary = await upload('Title\n\u0000\u0001', 'binary.csv');
    expect(binary.statusCode).toBe(400);
    expect(binary.json().error).toMatchObject({
      code: 'FILE_UNREADABLE',
      details: [{ field: '/file', key: 'file_binary', params: {} }],
    });
    const pages = `/c/plymouth/manage/${organisationId}/imports`;
    const boundary = '----learnscape-keys';
    const page = await t.app.inject({
      method: 'POST',
      url: `${pages}?lang=lt`,
      headers: { cookie: staff.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: [
        `--${boundary}`,
        'Content-Disposition: form-data; name="_csrf"',
        '',
        staff['x-csrf-token'] as string,
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="binary.csv"',
        'Content-Type: text/csv',
        '',
        'Title\n\u0000\u0001',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Faile yra dvejetainių duomenų, o ne tekstas');
  });

  it('refuses private and loopback feed addresses unless allowed', async () => {
    await expect(
      addFeed(t.db, city, organisationId, { url: 'http://127.0.0.1:9/feed.ics' }, systemCaller, {
        allowPrivateUrls: false,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: '/url' }] });
    await expect(
      addFeed(t.db, city, organisationId, { url: 'http://calendar.local/feed.ics' }, systemCaller, {
        allowPrivateUrls: false,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      addFeed(t.db, city, organisationId, { url: 'ftp://example.org/feed.ics' }, systemCaller, {
        allowPrivateUrls: true,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(fetchFeed('http://127.0.0.1:9/feed.ics', { allowPrivate: false })).rejects.toThrow(/private/);
    await expect(fetchFeed('http://[::1]:9/feed.ics', { allowPrivate: false })).rejects.toThrow(/private/);
    await expect(fetchFeed('http://10.1.2.3/feed.ics', { allowPrivate: false })).rejects.toThrow(/private/);
    // A feed stored while allowed is refused at sync time once the flag is off.
    const feed = await addFeed(t.db, city, organisationId, { url: 'http://localhost:9/feed.ics' }, systemCaller, {
      allowPrivateUrls: true,
    });
    expect(await syncFeed(t.db, feed.id, { allowPrivateUrls: false })).toMatchObject({
      status: 'failed',
      error: 'the address points at a private or local network',
      errorKey: 'feed_private_address',
      errorParams: {},
    });
  });

  it('records why a feed sync failed with its key and params: the API gives them, the page says them in its language', async () => {
    const good = feedText([{ uid: 'ok@errors.test', title: 'Orienteering', day: 14 }]);
    // One event without a start (DTSTART), one fine.
    const halfBroken = good.replace(
      'END:VCALENDAR',
      [
        'BEGIN:VEVENT',
        'UID:nostart@errors.test',
        'DTSTAMP:20261101T000000Z',
        'SUMMARY:No start',
        'GEO:50.3722;-4.1425',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    );
    const server = http.createServer((request, response) => {
      if (request.url === '/missing.ics') {
        response.writeHead(404);
        response.end();
      } else if (request.url === '/page.ics') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>Our events</title><p>See our calendar.</p>');
      } else if (request.url === '/half.ics') {
        response.writeHead(200, { 'content-type': 'text/calendar' });
        response.end(halfBroken);
      } else {
        response.writeHead(200, { 'content-type': 'text/calendar' });
        response.end(good);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const feedsUrl = `/api/v1/cities/plymouth/organisations/${organisationId}/ical-feeds`;
    const pages = `/c/plymouth/manage/${organisationId}/imports`;
    const feedJson = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: feedsUrl, headers: staff }))
        .json()
        .items.find((item: { id: string }) => item.id === id);
    const page = async (lang: string) =>
      (await t.app.inject({ url: `${pages}?lang=${lang}`, headers: { cookie: staff.cookie } })).body;
    try {
      // A feed answering 404, read by the job the "Read now" button queues.
      const added = await t.app.inject({
        method: 'POST',
        url: feedsUrl,
        headers: staff,
        payload: { url: `${origin}/missing.ics` },
      });
      const missingId = added.json().id as string;
      expect(
        (await t.app.inject({ method: 'POST', url: `${feedsUrl}/${missingId}/sync`, headers: staff })).statusCode,
      ).toBe(202);
      vi.stubEnv('ALLOW_PRIVATE_FEED_URLS', 'true');
      await t.worker.drain();
      const [stored] = await t.db.query<{ last_error: string; last_error_key: string; last_error_params: unknown }>(
        'SELECT last_error, last_error_key, last_error_params FROM ical_feeds WHERE id = $1',
        [missingId],
      );
      expect(stored).toEqual({
        last_error: 'the server answered HTTP 404',
        last_error_key: 'feed_http_status',
        last_error_params: { status: 404 },
      });
      expect(await feedJson(missingId)).toMatchObject({
        lastStatus: 'failed',
        lastError: 'the server answered HTTP 404',
        lastErrorKey: 'feed_http_status',
        lastErrorParams: { status: 404 },
        lastErrorEvents: [],
      });

      // A web page instead of a calendar: the iCalendar reader's own key.
      const notCalendar = await addFeed(t.db, city, organisationId, { url: `${origin}/page.ics` }, systemCaller, {
        allowPrivateUrls: true,
      });
      expect(await syncFeed(t.db, notCalendar.id, { allowPrivateUrls: true })).toMatchObject({
        status: 'failed',
        errorKey: 'file_not_ical',
        error: 'the file is not an iCalendar file (it does not start with BEGIN:VCALENDAR)',
      });
      expect(await feedJson(notCalendar.id)).toMatchObject({ lastErrorKey: 'file_not_ical', lastErrorParams: {} });

      // A calendar with an event that cannot be imported: the others are, and the failed one is kept with its problems.
      const half = await addFeed(t.db, city, organisationId, { url: `${origin}/half.ics` }, systemCaller, {
        allowPrivateUrls: true,
      });
      expect(await syncFeed(t.db, half.id, { allowPrivateUrls: true })).toMatchObject({
        status: 'ok',
        counts: { created: 1, failed: 1 },
        errorKey: 'feed_events_failed',
        errorParams: { failed: 1 },
      });
      const halfJson = await feedJson(half.id);
      expect(halfJson).toMatchObject({
        lastStatus: 'ok',
        lastError: 'line 14: the event has no DTSTART (start)',
        lastErrorKey: 'feed_events_failed',
        lastErrorParams: { failed: 1 },
        lastErrorEvents: [
          {
            line: 14,
            externalUid: 'nostart@errors.test',
            problems: [{ key: 'ical_no_dtstart', params: {}, problem: 'the event has no DTSTART (start)' }],
          },
        ],
      });

      // The imports page says each in the page's language.
      const lithuanian = await page('lt');
      expect(lithuanian).toContain('serveris atsakė HTTP 404');
      expect(lithuanian).toContain('failas nėra iCalendar failas (jis neprasideda eilute BEGIN:VCALENDAR)');
      expect(lithuanian).toContain('nepavyko importuoti srauto renginių: 1');
      expect(lithuanian).toContain('14 eilutė – renginys neturi DTSTART (pradžios)');
      expect(lithuanian).not.toContain('the server answered HTTP 404');
      const english = await page('en');
      expect(english).toContain('the server answered HTTP 404');
      expect(english).toContain('1 of the feed’s events could not be imported');

      // Refusing a feed address is said in the page's language too.
      const refused = await t.app.inject({
        method: 'POST',
        url: `${pages}/feeds?lang=lt`,
        headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: staff['x-csrf-token'] as string,
          url: 'not a url',
          syncIntervalMinutes: '360',
        }).toString(),
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Nurodykite srauto http(s) arba webcal adresą.');

      // A failure recorded before failures had keys: the page shows its English text, the API calls it recorded_problem.
      await t.db.query(
        `UPDATE ical_feeds SET last_error = 'the feed could not be reached (no answer)', last_error_key = NULL,
           last_error_params = NULL WHERE id = $1`,
        [notCalendar.id],
      );
      expect(await feedJson(notCalendar.id)).toMatchObject({
        lastError: 'the feed could not be reached (no answer)',
        lastErrorKey: 'recorded_problem',
        lastErrorParams: { text: 'the feed could not be reached (no answer)' },
      });
      expect(await page('lt')).toContain('the feed could not be reached (no answer)');

      // A sync that goes well clears the failure.
      server.removeAllListeners('request');
      server.on('request', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/calendar' });
        response.end(good);
      });
      await syncFeed(t.db, missingId, { allowPrivateUrls: true });
      expect(await feedJson(missingId)).toMatchObject({
        lastStatus: 'ok',
        lastError: null,
        lastErrorKey: null,
        lastErrorParams: null,
        lastErrorEvents: [],
      });
    } finally {
      vi.unstubAllEnvs();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives every way a feed cannot be fetched its key, said in every language', async () => {
    const server = http.createServer((request, response) => {
      if (request.url === '/big.ics') {
        response.writeHead(200, { 'content-type': 'text/calendar' });
        response.end('X'.repeat(1024 * 1024 + 1));
      } else if (request.url === '/loop.ics') {
        response.writeHead(302, { location: '/loop.ics' });
        response.end();
      }
      // Anything else never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const refusal = async (url: string, options: { allowPrivate: boolean; timeoutMs?: number; maxBytes?: number }) => {
      const error = await fetchFeed(url, options).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(FeedFetchError);
      return (error as FeedFetchError).note;
    };
    try {
      const notes = [
        await refusal('ftp://example.org/feed.ics', { allowPrivate: true }),
        await refusal(`${origin}/feed.ics`, { allowPrivate: false }),
        await refusal(`${origin}/big.ics`, { allowPrivate: true, maxBytes: 1024 * 1024 }),
        await refusal(`${origin}/slow.ics`, { allowPrivate: true, timeoutMs: 200 }),
        await refusal(`${origin}/loop.ics`, { allowPrivate: true }),
        await refusal('http://127.0.0.1:9/feed.ics', { allowPrivate: true }),
      ];
      expect(notes.map(({ key, params }) => ({ key, params }))).toEqual([
        { key: 'feed_bad_address', params: {} },
        { key: 'feed_private_address', params: {} },
        { key: 'feed_too_large', params: { megabytes: 1 } },
        { key: 'feed_timeout', params: {} },
        { key: 'feed_too_many_redirects', params: {} },
        { key: 'feed_unreachable', params: { code: 'ECONNREFUSED' } },
      ]);
      expect(notes[2]?.problem).toBe('the feed is larger than 1 MB');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    // Every feed key has its own wording in each language, with the same variables.
    const english = translatorFor('en');
    for (const key of importProblemKeys.filter((k) => k.startsWith('feed_'))) {
      const params = { megabytes: 5, status: 404, code: 'ENOTFOUND', failed: 2 };
      const en = english(`imports:problems.${key}`, params) as string;
      for (const language of ['lt', 'it'] as const) {
        const text = translatorFor(language)(`imports:problems.${key}`, params) as string;
        expect(text, `${language}:${key}`).not.toMatch(/\{\{|problems\./);
        expect(text, `${language}:${key}`).not.toBe(en);
      }
    }
  });
});
