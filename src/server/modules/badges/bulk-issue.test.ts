import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { createTestDatabase, testEngine } from '../../../../test/helpers/test-db.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { JobWorker } from '../../jobs/worker.ts';
import { cliAuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createCity } from '../cities/cities.service.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { createBadgeClass, publishBadgeClass } from './badge-classes.service.ts';
import { injectFetch } from './issuers.test-support.ts';
import { verifyCredential } from '../../../credentials/index.ts';
import { BULK_ISSUE_JOB, bulkIssueHandler, bulkRowKey, processBulkIssue, readBulkCsv } from './bulk-issue.service.ts';
import { type IssueRequest, issueCredentials } from './credentials.service.ts';

type Json = Record<string, unknown>;
const credentialUrl = /^http:\/\/learnscape\.test\/c\/plymouth\/credentials\/[0-9a-f-]{36}$/;
const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe(`bulk issuing on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let badgeId: string;
  let secondBadgeId: string;
  let draftBadgeId: string;
  let advancedBadgeId: string;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let learner: SignedIn;
  /** A worker with only the bulk handler: queued emails stay queued (they are counted, not sent). */
  let bulkWorker: JobWorker;

  const api = (suffix = '', org = organisationId, inCity = city) =>
    `/api/v1/cities/${inCity.slug}/organisations/${org}/bulk-issues${suffix}`;
  const pages = () => `/c/${city.slug}/manage/${organisationId}/bulk-issues`;
  const csvPost = (csv: string, headers: Record<string, string>, query = '') => ({
    method: 'POST' as const,
    url: `${api()}${query}`,
    headers: { ...headers, 'content-type': 'text/csv' },
    payload: csv,
  });
  const credentialsIssuedBy = async (route = 'bulk') =>
    (
      await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM badge_credentials WHERE city_id = $1 AND claim_route = $2',
        [city.id, route],
      )
    )[0]?.n ?? 0;
  const batchRow = async (batchId: string) =>
    (
      await t.db.query<{ status: string; total: number; issued: number; skipped: number; failed: number }>(
        `SELECT status, total_rows AS total, issued_rows AS issued, skipped_rows AS skipped, failed_rows AS failed
           FROM badge_issue_batches WHERE id = $1`,
        [batchId],
      )
    )[0];
  /** Every key of a batch has exactly one credential. */
  const credentialsPerKey = (batchId: string) =>
    t.db.query<{ key: string; n: number }>(
      `SELECT r.input->>'key' AS key, count(c.id)::int AS n
         FROM badge_issue_batch_rows r LEFT JOIN badge_credentials c
           ON c.city_id = r.city_id AND c.idempotency_key = r.input->>'key'
        WHERE r.batch_id = $1 AND r.input->>'key' <> '' GROUP BY 1`,
      [batchId],
    );

  async function makeBadge(name: string, extra: { prerequisites?: string[]; publish?: boolean } = {}) {
    const created = await createBadgeClass(
      t.db,
      city,
      organisationId,
      {
        kind: 'participation',
        name: { en: name },
        description: { en: `${name}: helping at the monthly repair café.` },
        criteria: { en: 'Help at three repair cafés.' },
        imageAlt: { en: `${name} badge: a spanner on a green circle` },
        ...(extra.prerequisites ? { prerequisites: extra.prerequisites } : {}),
      },
      systemCaller,
    );
    if (extra.publish !== false) await publishBadgeClass(t.db, city, created.id, systemCaller);
    return created.id;
  }

  const slugOf = async (id: string) =>
    (await t.db.query<{ slug: string }>('SELECT slug FROM badge_classes WHERE id = $1', [id]))[0]?.slug as string;

  function peopleCsv(count: number, badge: string, prefix = 'person'): string {
    const lines = ['email,name,badge,evidence_url,narrative'];
    for (let i = 1; i <= count; i++)
      lines.push(`${prefix}${i}@example.org,Person ${i},${badge},https://example.org/evidence/${i},Helped on day ${i}`);
    return `${lines.join('\r\n')}\r\n`;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    city = fixture.city;
    otherCity = fixture.otherCity;
    organisationId = fixture.organisationId;
    otherOrganisationId = fixture.trustedOrganisationId;
    badgeId = await makeBadge('Repair Café helper');
    secondBadgeId = await makeBadge('Repair Café host');
    draftBadgeId = await makeBadge('Repair Café draft', { publish: false });
    advancedBadgeId = await makeBadge('Repair Café mentor', { prerequisites: [badgeId] });
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    otherStaff = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherOrganisationId,
      membership: 'admin',
    });
    learner = await signIn(t.app, t.db, { role: 'learner' });
    bulkWorker = new JobWorker(t.db).register(BULK_ISSUE_JOB, bulkIssueHandler(t.config));
  }, 180_000);
  afterAll(() => t.close());

  it('reads CSV with a byte-order mark, semicolons, header names in any case and quoted line breaks', () => {
    const read = readBulkCsv(
      '\uFEFFE-Mail;NAME;Badge;Evidence URL;Narrative;Notes\n"a@example.org";"Ada";x;;"two\nlines";n\n\n;;;;;\n',
    );
    expect(read.fatal).toEqual([]);
    expect(read.ignoredColumns).toEqual(['Notes']);
    expect(read.rows).toEqual([
      { line: 2, email: 'a@example.org', name: 'Ada', badge: 'x', evidenceUrl: '', narrative: 'two\nlines' },
    ]);
    expect(readBulkCsv('name,badge\nAda,x\n').fatal.map((p) => p.code)).toEqual(['email_column_missing']);
    expect(readBulkCsv('').fatal.map((p) => p.code)).toEqual(['file_empty']);
    expect(readBulkCsv('email\n').fatal.map((p) => p.code)).toEqual(['no_rows']);
    expect(readBulkCsv(`email\n${'a@example.org\n'.repeat(10_001)}`).fatal.map((p) => p.code)).toEqual([
      'too_many_rows',
    ]);
  });

  it('shows every row’s problems in a preview and issues nothing until confirmed', async () => {
    const slug = await slugOf(badgeId);
    const draftSlug = await slugOf(draftBadgeId);
    const csv = [
      'Email;Name;BADGE;evidence_url;narrative',
      `ok@example.org;Ok Person;${slug};https://example.org/e/1;Helped`,
      `not-an-email;Bad Email;${slug};;`,
      'nobadge@example.org;No Badge;no-such-badge;;',
      `draft@example.org;Draft;${draftSlug};;`,
      `OK@example.org;Ok Again;${slug};https://example.org/e/1;Helped`,
      `link@example.org;Link;${slug};ftp://example.org/x;`,
      `fromform@example.org;From Form;;;`,
    ].join('\n');
    const preview = await t.app.inject({
      method: 'POST',
      url: api('/preview'),
      headers: { ...staff.headers, 'content-type': 'text/csv' },
      payload: `\uFEFF${csv}`,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json();
    expect(body.counts).toEqual({ rows: 7, valid: 1, invalid: 6, alreadyIssued: 0, toIssue: 1 });
    const problems = Object.fromEntries(
      (body.rows as { line: number; problems: { code: string }[] }[]).map((row) => [
        row.line,
        row.problems.map((p) => p.code),
      ]),
    );
    expect(problems).toEqual({
      2: [],
      3: ['email_invalid'],
      4: ['badge_unknown'],
      5: ['badge_unpublished'],
      6: ['duplicate'],
      7: ['evidence_url_invalid'],
      8: ['badge_missing'],
    });
    // The badge chosen for the whole file fills rows that name none.
    const withDefault = await t.app.inject({
      method: 'POST',
      url: api(`/preview?badge=${secondBadgeId}`),
      headers: { ...staff.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(withDefault.json().rows[6]).toMatchObject({ line: 8, badgeId: secondBadgeId, valid: true });

    const refused = await t.app.inject(csvPost(csv, staff.headers));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('BULK_ISSUE_HAS_ERRORS');
    expect(refused.json().error.details).toContainEqual(
      expect.objectContaining({ line: 3, code: 'email_invalid', field: '/rows/2/email' }),
    );
    expect(await t.db.query('SELECT 1 FROM badge_issue_batches WHERE city_id = $1', [city.id])).toHaveLength(0);

    // Skipping the rows with problems on purpose: only the valid row is issued; the others are in the report.
    const started = await t.app.inject(csvPost(csv, staff.headers, '?skipInvalid=true&fileName=mixed.csv'));
    expect(started.statusCode, started.body).toBe(202);
    const batch = started.json();
    expect(batch).toMatchObject({ fileName: 'mixed.csv', status: 'queued', counts: { total: 7, skipped: 6 } });
    await bulkWorker.drain();
    expect(await batchRow(batch.id)).toEqual({ status: 'completed', total: 7, issued: 1, skipped: 6, failed: 0 });
    const report = await t.app.inject({ method: 'GET', url: api(`/${batch.id}/report.csv`), headers: staff.headers });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = parse(report.body) as string[][];
    expect(lines[0]).toEqual(['line', 'email', 'badge', 'outcome', 'credential_url', 'error']);
    expect(lines[1]).toEqual(['2', 'ok@example.org', slug, 'issued', expect.stringMatching(credentialUrl), '']);
    expect(lines[2]).toEqual(['3', 'not-an-email', slug, 'invalid', '', 'the email address is not valid']);
    expect(lines[5]).toEqual([
      '6',
      'OK@example.org',
      slug,
      'invalid',
      '',
      'repeats line 2 (same badge, email, evidence and narrative)',
    ]);
  }, 240_000);

  it('issues a 200-row file as a background job with progress, and the same file again issues nothing', async () => {
    const csv = peopleCsv(200, await slugOf(secondBadgeId), 'crowd');
    const before = await credentialsIssuedBy();
    const started = await t.app.inject(csvPost(csv, staff.headers, '?fileName=crowd.csv'));
    expect(started.statusCode, started.body).toBe(202);
    const batchId = started.json().id as string;
    expect(started.headers.location).toBe(api(`/${batchId}`));
    expect(await bulkWorker.drain()).toBe(1);
    expect(await batchRow(batchId)).toEqual({ status: 'completed', total: 200, issued: 200, skipped: 0, failed: 0 });
    expect((await credentialsIssuedBy()) - before).toBe(200);
    const [job] = await t.db.query<{ status: string; progress_done: number; progress_total: number }>(
      `SELECT status, progress_done, progress_total FROM jobs WHERE type = $1 AND payload->>'batchId' = $2`,
      [BULK_ISSUE_JOB, batchId],
    );
    expect(job).toEqual({ status: 'succeeded', progress_done: 200, progress_total: 200 });
    // Each learner's email is queued with the credential.
    const [emails] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE type = 'email.send' AND payload->>'to' LIKE 'crowd%@example.org'`,
    );
    expect(emails?.n).toBe(200);
    const status = await t.app.inject({ method: 'GET', url: api(`/${batchId}`), headers: staff.headers });
    expect(status.json()).toMatchObject({
      status: 'completed',
      counts: { total: 200, issued: 200, skipped: 0, failed: 0, pending: 0, done: 200, percent: 100 },
    });
    expect((await credentialsPerKey(batchId)).every((row) => row.n === 1)).toBe(true);

    // The preview already tells which rows were issued; confirming anyway issues none of them again.
    const preview = await t.app.inject({
      method: 'POST',
      url: api('/preview'),
      headers: { ...staff.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(preview.json().counts).toEqual({ rows: 200, valid: 200, invalid: 0, alreadyIssued: 200, toIssue: 0 });
    const again = await t.app.inject(csvPost(csv, staff.headers, '?fileName=crowd-again.csv'));
    expect(again.statusCode).toBe(202);
    await bulkWorker.drain();
    expect(await batchRow(again.json().id)).toEqual({
      status: 'completed',
      total: 200,
      issued: 0,
      skipped: 200,
      failed: 0,
    });
    expect((await credentialsIssuedBy()) - before).toBe(200);
    const firstReport = await t.app.inject({
      method: 'GET',
      url: api(`/${batchId}/report.csv`),
      headers: staff.headers,
    });
    const againReport = await t.app.inject({
      method: 'GET',
      url: api(`/${again.json().id}/report.csv`),
      headers: staff.headers,
    });
    const urls = (body: string) =>
      body
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[4]);
    expect(urls(againReport.body)).toEqual(urls(firstReport.body));
    expect(againReport.body).toContain(',already_issued,');

    const list = await t.app.inject({ method: 'GET', url: api('?limit=1'), headers: staff.headers });
    expect(list.json().items.map((item: Json) => item.id)).toEqual([again.json().id]);
    const older = await t.app.inject({
      method: 'GET',
      url: api(`?limit=1&after=${encodeURIComponent(list.json().next)}`),
      headers: staff.headers,
    });
    expect(older.json().items.map((item: Json) => item.id)).toEqual([batchId]);
  }, 240_000);

  it('takes JSON rows and an Idempotency-Key: a retried request returns the same batch', async () => {
    const rows = [
      { email: 'json1@example.org', name: 'Json One' },
      { email: 'json2@example.org', badge: await slugOf(secondBadgeId), evidenceUrl: 'https://example.org/j/2' },
    ];
    const send = (payload: object, key: string) =>
      t.app.inject({
        method: 'POST',
        url: api(),
        headers: { ...staff.headers, 'idempotency-key': key },
        payload,
      });
    const first = await send({ rows, badge: badgeId }, 'json-upload-1');
    expect(first.statusCode, first.body).toBe(202);
    const retried = await send({ rows, badge: badgeId }, 'json-upload-1');
    expect(retried.statusCode).toBe(200);
    expect(retried.json().id).toBe(first.json().id);
    const reused = await send({ rows: rows.slice(0, 1), badge: badgeId }, 'json-upload-1');
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('BULK_ISSUE_KEY_REUSED');
    await bulkWorker.drain();
    expect(await batchRow(first.json().id)).toMatchObject({ status: 'completed', issued: 2 });
    const invalid = await send({ rows: [{ email: 'x' }] }, 'json-upload-2');
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.details[0]).toMatchObject({ field: '/rows/0/email', code: 'email_invalid' });
  });

  it('records a row refused at issue time (a missing prerequisite) as failed and issues the others', async () => {
    const slug = await slugOf(advancedBadgeId);
    // holder@ first gets the prerequisite, through a small batch of its own.
    const holder = await t.app.inject({
      method: 'POST',
      url: api(),
      headers: staff.headers,
      payload: { rows: [{ email: 'holder@example.org' }], badge: badgeId },
    });
    await bulkWorker.drain();
    expect(await batchRow(holder.json().id)).toMatchObject({ issued: 1 });
    const csv = `email,badge\nholder@example.org,${slug}\nnewcomer@example.org,${slug}\n`;
    const started = await t.app.inject(csvPost(csv, staff.headers));
    await bulkWorker.drain();
    expect(await batchRow(started.json().id)).toEqual({
      status: 'completed',
      total: 2,
      issued: 1,
      skipped: 0,
      failed: 1,
    });
    const report = await t.app.inject({
      method: 'GET',
      url: api(`/${started.json().id}/report.csv`),
      headers: staff.headers,
    });
    expect((parse(report.body) as string[][])[2]).toEqual([
      '3',
      'newcomer@example.org',
      slug,
      'failed',
      '',
      'The learner does not yet hold every badge this one requires. (needs the badge "Repair Café helper" first)',
    ]);
    // The refused row left nothing behind: no credential, and the status lists took entries only for the issued one.
    expect(
      await t.db.query("SELECT 1 FROM badge_credentials WHERE recipient_email = 'newcomer@example.org'"),
    ).toHaveLength(0);
  }, 240_000);

  // PGlite only persists on a clean close, so a process kill cannot be tested on it: there the crash is simulated in
  // process, by failing the database mid-chunk (the chunk's transaction rolls back, as a killed process's would) and
  // running the job again. On PostgreSQL the next test kills a real server process.
  it('resumes after a crash mid-chunk: every row is issued exactly once', async () => {
    const csv = peopleCsv(60, await slugOf(badgeId), 'resume');
    const started = await t.app.inject(csvPost(csv, staff.headers, '?fileName=resume.csv'));
    const batchId = started.json().id as string;
    // A database that fails while the second chunk (rows 21–40) is being written: the first chunk (rows 1–20) is
    // committed; the second chunk's credentials are signed and stored and its status entries taken, then writing its
    // emails fails, so everything of it rolls back — as when a process dies mid-chunk.
    let emailStatements = 0;
    const crashing = (runner: SqlRunner): SqlRunner => ({
      exec: (text) => runner.exec(text),
      async query(text, params, options) {
        if (text.includes('INSERT INTO jobs') && ++emailStatements > 1) throw new Error('simulated crash');
        return runner.query(text, params, options);
      },
    });
    const crashingDb: Database = {
      ...t.db,
      query: (text, params, options) => t.db.query(text, params, options),
      exec: (text) => t.db.exec(text),
      transaction: (work) => t.db.transaction((tx) => work(crashing(tx))),
    };
    await expect(
      processBulkIssue(crashingDb, t.config, city.id, batchId, cliAuditContext(), { chunkSize: 20 }),
    ).rejects.toThrow('simulated crash');
    expect(await batchRow(batchId)).toEqual({ status: 'running', total: 60, issued: 20, skipped: 0, failed: 0 });
    expect(await credentialsPerKey(batchId).then((rows) => rows.filter((row) => row.n > 0).length)).toBe(20);

    // The job (queued when the batch was confirmed) carries on with the rows still pending.
    expect(await bulkWorker.drain()).toBe(1);
    expect(await batchRow(batchId)).toEqual({ status: 'completed', total: 60, issued: 60, skipped: 0, failed: 0 });
    const perKey = await credentialsPerKey(batchId);
    expect(perKey).toHaveLength(60);
    expect(perKey.every((row) => row.n === 1)).toBe(true);
    const keys = readBulkCsv(csv).rows.map((row) => bulkRowKey({ badgeId, ...row }));
    expect(new Set(perKey.map((row) => row.key))).toEqual(new Set(keys));
  }, 240_000);

  it.runIf(testEngine === 'postgres')(
    'resumes after the server process is killed mid-run: every row is issued exactly once',
    async () => {
      const database = await createTestDatabase();
      const databaseUrl = database.databaseUrl as string;
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bulk-kill-'));
      let server: ChildProcess | undefined;
      try {
        // The server's own database: a city, an organisation, a published badge and an API token to upload with.
        const db = database.db;
        const killCity = await createCity(db, {
          slug: 'kill-city',
          name: { en: 'Kill City' },
          languages: ['en'],
          timeZone: 'Europe/London',
          bounds: { west: -4.2053, south: 50.3331, east: -4.0196, north: 50.4442 },
        });
        const [org] = await db.query<{ id: string }>(
          `INSERT INTO organisations (slug, name, kinds) VALUES ('kill-org', 'Kill Org', '{provider}') RETURNING id`,
        );
        const orgId = (org as { id: string }).id;
        await db.query(
          `INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`,
          [killCity.id, orgId],
        );
        const badge = await createBadgeClass(
          db,
          killCity,
          orgId,
          {
            kind: 'participation',
            name: { en: 'Survivor' },
            description: { en: 'Stayed to the end.' },
            criteria: { en: 'Stay to the end.' },
            imageAlt: { en: 'A survivor badge' },
          },
          systemCaller,
        );
        await publishBadgeClass(db, killCity, badge.id, systemCaller);
        const token = await createApiToken(
          db,
          killCity,
          orgId,
          { name: 'bulk', scopes: ['badges:issue'] },
          systemCaller,
        );
        const port = await freePort();
        const env = {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          DATABASE_URL: databaseUrl,
          DATA_DIR: dataDir,
          PORT: String(port),
          PUBLIC_URL: 'http://learnscape.test',
          SEED_DEMO: 'false',
          JOB_POLL_INTERVAL_MS: '50',
          CREDENTIAL_KEY_ENCRYPTION_KEY: Buffer.from(t.config.credentialKeyEncryptionKey as Uint8Array).toString(
            'base64',
          ),
        };
        const start = async () => {
          const child = spawn(process.execPath, [path.join(root, 'bin/learnscape.mjs'), 'serve'], {
            cwd: root,
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          await new Promise<void>((resolve, reject) => {
            let output = '';
            child.stdout?.on('data', (chunk: Buffer) => {
              output += chunk.toString();
              if (output.includes('Learnscape is running')) resolve();
            });
            child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
            child.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
          });
          return child;
        };
        const batchState = async (batchId: string) =>
          (
            await db.query<{ status: string; issued: number; skipped: number; failed: number }>(
              `SELECT status, issued_rows AS issued, skipped_rows AS skipped, failed_rows AS failed
                 FROM badge_issue_batches WHERE id = $1`,
              [batchId],
            )
          )[0] as { status: string; issued: number; skipped: number; failed: number };

        server = await start();
        const rows = 300;
        const response = await fetch(
          `http://127.0.0.1:${port}/api/v1/cities/kill-city/organisations/${orgId}/bulk-issues?badge=${badge.id}`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'text/csv' },
            body: peopleCsv(rows, badge.id, 'killed'),
          },
        );
        expect(response.status).toBe(202);
        const batchId = ((await response.json()) as { id: string }).id;
        // Kill the server once some chunks are committed and more are still pending.
        for (;;) {
          const state = await batchState(batchId);
          if (state.issued >= 50) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        server.kill('SIGKILL');
        await new Promise((resolve) => server?.once('exit', resolve));
        server = undefined;
        const atKill = await batchState(batchId);
        expect(atKill.issued).toBeLessThan(rows);
        // The killed worker's heartbeat stops; once it is stale (five minutes — here we pretend they have passed) a
        // worker takes the job again.
        await db.query(`UPDATE jobs SET locked_at = now() - interval '1 hour' WHERE type = $1 AND status = 'running'`, [
          BULK_ISSUE_JOB,
        ]);
        server = await start();
        const deadline = Date.now() + 150_000;
        while ((await batchState(batchId)).status !== 'completed' && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await batchState(batchId)).toEqual({ status: 'completed', issued: rows, skipped: 0, failed: 0 });
        const perKey = await db.query<{ n: number }>(
          `SELECT count(c.id)::int AS n FROM badge_issue_batch_rows r
             LEFT JOIN badge_credentials c ON c.city_id = r.city_id AND c.idempotency_key = r.input->>'key'
            WHERE r.batch_id = $1 GROUP BY r.line`,
          [batchId],
        );
        expect(perKey).toHaveLength(rows);
        expect(perKey.every((row) => row.n === 1)).toBe(true);
        const [all] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM badge_credentials');
        expect(all?.n).toBe(rows);
      } finally {
        if (server) {
          server.kill('SIGKILL');
          await new Promise((resolve) => server?.once('exit', resolve));
        }
        await database.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    240_000,
  );

  it('lets only the organisation’s staff and tokens with the right scope use bulk issuing', async () => {
    const csv = `email\nscope@example.org\n`;
    expect((await t.app.inject({ method: 'GET', url: api() })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: api(), headers: learner.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: api(), headers: otherStaff.headers })).statusCode).toBe(403);
    expect((await t.app.inject(csvPost(csv, otherStaff.headers, `?badge=${badgeId}`))).statusCode).toBe(403);
    const reader = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'reader', scopes: ['badges:read'] },
      systemCaller,
    );
    const issuer = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'issuer', scopes: ['badges:issue', 'badges:read'] },
      systemCaller,
    );
    const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
    expect((await t.app.inject({ method: 'GET', url: api(), headers: bearer(reader.secret) })).statusCode).toBe(200);
    const denied = await t.app.inject(csvPost(csv, bearer(reader.secret), `?badge=${badgeId}`));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('INSUFFICIENT_SCOPE');
    const allowed = await t.app.inject(csvPost(csv, bearer(issuer.secret), `?badge=${badgeId}`));
    expect(allowed.statusCode, allowed.body).toBe(202);
    const batchId = allowed.json().id as string;

    // Another organisation's staff and other cities see nothing of it.
    const other = `/api/v1/cities/${city.slug}/organisations/${otherOrganisationId}/bulk-issues/${batchId}`;
    expect((await t.app.inject({ method: 'GET', url: other, headers: otherStaff.headers })).statusCode).toBe(404);
    const elsewhere = api(`/${batchId}`, organisationId, otherCity);
    expect((await t.app.inject({ method: 'GET', url: elsewhere, headers: bearer(issuer.secret) })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ method: 'GET', url: elsewhere, headers: staff.headers })).statusCode).toBe(404);
    const missing = await t.app.inject({
      method: 'GET',
      url: api('/00000000-0000-4000-8000-000000000000'),
      headers: staff.headers,
    });
    expect(missing.json().error.code).toBe('BULK_ISSUE_NOT_FOUND');
    await bulkWorker.drain();
  });

  it('issues a batch as one by one would: per-request refusals, repeated keys, prerequisites met within the batch', async () => {
    const audit = cliAuditContext();
    const lists = async () =>
      (
        await t.db.query<{ n: number }>(
          'SELECT coalesce(sum(allocated), 0)::int AS n FROM status_lists WHERE city_id = $1 AND organisation_id = $2',
          [city.id, organisationId],
        )
      )[0]?.n ?? 0;
    const countOf = async (sql: string) => (await t.db.query<{ n: number }>(sql))[0]?.n ?? 0;
    const emailsBefore = await countOf(`SELECT count(*)::int AS n FROM jobs WHERE type = 'email.send'`);
    const auditBefore = await countOf(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'badge_credential.issue'`,
    );
    const entriesBefore = await lists();
    const requests: IssueRequest[] = [
      {
        badgeClassId: badgeId,
        recipient: { email: 'batch-a@example.org', name: 'Batch A' },
        route: 'bulk',
        idempotencyKey: 'batch:a',
      },
      { badgeClassId: badgeId, recipient: { email: 'not an email' }, route: 'bulk', idempotencyKey: 'batch:bad' },
      {
        badgeClassId: draftBadgeId,
        recipient: { email: 'batch-b@example.org' },
        route: 'bulk',
        idempotencyKey: 'batch:draft',
      },
      // Needs the helper badge, which nobody gave batch-c.
      {
        badgeClassId: advancedBadgeId,
        recipient: { email: 'batch-c@example.org' },
        route: 'bulk',
        idempotencyKey: 'batch:c',
      },
      // The same key as the first request: its credential, not a second one.
      { badgeClassId: badgeId, recipient: { email: 'batch-a@example.org' }, route: 'bulk', idempotencyKey: 'batch:a' },
      // batch-a got the helper badge above, in this same batch: the mentor badge can follow.
      {
        badgeClassId: advancedBadgeId,
        recipient: { email: 'BATCH-A@example.org' },
        route: 'bulk',
        idempotencyKey: 'batch:a2',
      },
      // Evidence the engine refuses (not a URL): refused alone, taking no status entry.
      {
        badgeClassId: badgeId,
        recipient: { email: 'batch-d@example.org' },
        route: 'bulk',
        idempotencyKey: 'batch:d',
        evidence: [{ id: 'not a url' }],
      },
      { badgeClassId: badgeId, recipient: { email: 'batch-e@example.org' }, route: 'bulk', idempotencyKey: 'batch:e' },
    ];
    const outcomes = await t.db.transaction((tx) => issueCredentials(tx, t.config, city, audit, requests));
    const summary = outcomes.map((outcome) =>
      outcome.ok ? (outcome.created ? 'created' : 'existing') : outcome.error.code,
    );
    expect(summary).toEqual([
      'created',
      'VALIDATION_FAILED',
      'BADGE_NOT_PUBLISHED',
      'BADGE_PREREQUISITES_MISSING',
      'existing',
      'created',
      'VALIDATION_FAILED',
      'created',
    ]);
    const [first, , , , repeated] = outcomes as { ok: true; credentialId: string }[];
    expect(repeated?.credentialId).toBe(first?.credentialId);
    // Exactly the created credentials left something behind: two status entries, an email and an audit entry each.
    expect((await lists()) - entriesBefore).toBe(3 * 2);
    expect((await countOf(`SELECT count(*)::int AS n FROM jobs WHERE type = 'email.send'`)) - emailsBefore).toBe(3);
    expect(
      (await countOf(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'badge_credential.issue'`)) - auditBefore,
    ).toBe(3);
    // The batch again: everything it created is found by its key; the refusals are refused again.
    const again = await t.db.transaction((tx) => issueCredentials(tx, t.config, city, audit, requests));
    expect(again.map((outcome) => (outcome.ok ? outcome.created : outcome.error.code))).toEqual([
      false,
      'VALIDATION_FAILED',
      'BADGE_NOT_PUBLISHED',
      'BADGE_PREREQUISITES_MISSING',
      false,
      false,
      'VALIDATION_FAILED',
      false,
    ]);
    // A key reused for another badge is refused, as issueCredential refuses it.
    const [reused] = await t.db.transaction((tx) =>
      issueCredentials(tx, t.config, city, audit, [
        {
          badgeClassId: secondBadgeId,
          recipient: { email: 'batch-a@example.org' },
          route: 'bulk',
          idempotencyKey: 'batch:a',
        },
      ]),
    );
    expect(reused?.ok === false && reused.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('issues credentials that verify, with their issuer’s DID document and status lists', async () => {
    const csv = peopleCsv(60, await slugOf(secondBadgeId), 'verified');
    const started = await t.app.inject(csvPost(csv, staff.headers, '?fileName=verified.csv'));
    await bulkWorker.drain();
    expect(await batchRow(started.json().id)).toMatchObject({ status: 'completed', issued: 60 });
    const documents = await t.db.query<{ document: Json }>(
      `SELECT document FROM badge_credentials WHERE city_id = $1 AND recipient_email LIKE 'verified%' ORDER BY random() LIMIT 3`,
      [city.id],
    );
    const fetchJson = injectFetch(t);
    for (const { document } of documents) {
      const result = await verifyCredential(document, { fetchJson });
      expect(result.checks.filter((check) => !check.passed)).toEqual([]);
      expect(result.verified).toBe(true);
    }
  });

  it('walks an organiser through the pages: upload, the check beside each row, confirm, progress', async () => {
    const home = await t.app.inject({ method: 'GET', url: pages(), headers: staff.headers });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('enctype="multipart/form-data"');
    expect(home.body).toContain('resume.csv');
    const boundary = '----learnscape-bulk';
    const part = (name: string, value: string, file?: string) =>
      [
        `--${boundary}`,
        `Content-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}`,
        ...(file ? ['Content-Type: text/csv'] : []),
        '',
        value,
      ].join('\r\n');
    const multipart = (parts: string[]) => `${parts.join('\r\n')}\r\n--${boundary}--\r\n`;
    const headers = { cookie: staff.headers.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const csv = `email,name\npage1@example.org,Page One\nbroken-address,Broken\n`;
    const preview = await t.app.inject({
      method: 'POST',
      url: `${pages()}/preview`,
      headers,
      payload: multipart([
        part('_csrf', staff.headers['x-csrf-token']),
        part('badge', badgeId),
        part('file', csv, 'pages.csv'),
      ]),
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.body).toMatch(
      /<th scope="row">3<\/th>\s*<td>broken-address<\/td>[\s\S]*?The email address is not valid\./,
    );
    expect(preview.body).toContain('Issue the valid rows (1) and skip the rows with problems (1)');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(preview.body)?.[1] as string;
    const csvField = /name="csv" value="([^"]*)"/.exec(preview.body)?.[1] as string;
    expect(csvField).toContain('broken-address');
    const confirm = () =>
      t.app.inject({
        method: 'POST',
        url: pages(),
        headers,
        payload: multipart([
          part('_csrf', staff.headers['x-csrf-token']),
          part('csv', csv),
          part('fileName', 'pages.csv'),
          part('badge', badgeId),
          part('idempotencyKey', key),
          part('skipInvalid', '1'),
        ]),
      });
    const confirmed = await confirm();
    expect(confirmed.statusCode, confirmed.body).toBe(303);
    const batchUrl = (confirmed.headers.location as string).replace(/\?.*$/, '');
    // Pressing the button twice makes one batch.
    expect(((await confirm()).headers.location as string).replace(/\?.*$/, '')).toBe(batchUrl);
    const waiting = await t.app.inject({ method: 'GET', url: batchUrl, headers: staff.headers });
    expect(waiting.body).toMatch(/<progress id="bulk-progress-bar" max="2" value="1"/);
    expect(waiting.body).toContain('bulk-progress');
    await bulkWorker.drain();
    const finished = await t.app.inject({ method: 'GET', url: batchUrl, headers: staff.headers });
    expect(finished.body).toContain('Finished: 1 issued, 1 skipped, 0 failed, of 2 rows.');
    expect(finished.body).toMatch(/<progress id="bulk-progress-bar" max="2" value="2"/);
    expect(finished.body).toContain('/report.csv');
    // Without the CSRF token nothing happens.
    const forged = await t.app.inject({
      method: 'POST',
      url: pages(),
      headers,
      payload: multipart([part('csv', csv), part('badge', badgeId)]),
    });
    expect(forged.statusCode).toBe(403);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
