import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';

const form = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params.toString();
};

describe(`organisations on ${testEngine}`, () => {
  let t: TestApp;
  let applicant: SignedIn;
  let curator: SignedIn;
  let organisationId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
    applicant = await signIn(t.app, t.db, { role: 'learner' }, 'owner@makers.example.org');
    curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' });
  });
  afterAll(() => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: SignedIn, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers, ...(payload ? { payload } : {}) });

  it('creates an organisation that applies to the city; the creator becomes its owner', async () => {
    const response = await api('POST', '/api/v1/cities/vilnius/organisations', applicant, {
      name: 'Šnipiškės Makers',
      kinds: ['provider', 'endorser'],
      website: 'https://makers.example.org',
      applicationNote: 'We run weekly electronics clubs.',
      addresses: [{ street: 'Kalvarijų g. 1', locality: 'Šnipiškės', lat: 54.695, lon: 25.283 }],
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      slug: 'snipiskes-makers',
      status: 'pending',
      verified: false,
      kinds: ['provider', 'endorser'],
    });
    organisationId = body.id;
    const [member] = await t.db.query<{ role: string }>('SELECT role FROM memberships WHERE organisation_id = $1', [
      organisationId,
    ]);
    expect(member?.role).toBe('owner');
    // Pending organisations are not public.
    expect((await api('GET', `/api/v1/cities/vilnius/organisations/${organisationId}`)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/cities/vilnius/organisations/${organisationId}`, applicant)).statusCode).toBe(
      200,
    );
  });

  it('refuses addresses outside the city, bad kinds and duplicate slugs with field details', async () => {
    const outside = await api('POST', '/api/v1/cities/vilnius/organisations', applicant, {
      name: 'Elsewhere',
      kinds: ['employer'],
      addresses: [{ street: 'Via Roma 1', lat: 45.07, lon: 7.68 }],
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details[0].field).toBe('/addresses/0/lat');
    const taken = await api('POST', '/api/v1/cities/vilnius/organisations', applicant, {
      name: 'Again',
      slug: 'snipiskes-makers',
      kinds: ['employer'],
    });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'ORGANISATION_SLUG_TAKEN']);
  });

  it("lists the curator's queue, needs a reason to reject, approves and emails the applicant", async () => {
    const queue = await api('GET', '/api/v1/cities/vilnius/organisation-applications', curator);
    expect(queue.json().items.map((o: { id: string }) => o.id)).toContain(organisationId);
    const decision = `/api/v1/cities/vilnius/organisation-applications/${organisationId}/decision`;
    const noReason = await api('POST', decision, curator, { decision: 'reject' });
    expect([noReason.statusCode, noReason.json().error.details[0].field]).toEqual([400, '/reason']);
    const approved = await api('POST', decision, curator, { decision: 'approve', verify: true, reason: 'Welcome!' });
    expect(approved.json()).toMatchObject({ status: 'approved', verified: true });
    const again = await api('POST', decision, curator, { decision: 'reject', reason: 'Changed my mind' });
    expect(again.json().error.code).toBe('APPLICATION_ALREADY_DECIDED');
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.to.includes('owner@makers.example.org'));
    expect(mail.subject).toContain('Šnipiškės Makers');
    expect(mail.text).toContain('/c/vilnius/organisations/snipiskes-makers');
    // Lithuanian is Vilnius' default language.
    expect(mail.text).toContain('Sveiki');
    const list = await api('GET', '/api/v1/cities/vilnius/organisations?kind=endorser');
    expect(list.json().items.map((o: { slug: string }) => o.slug)).toContain('snipiskes-makers');
  });

  it('invites by email; the link works once, for the invited address only', async () => {
    const invite = await api('POST', `/api/v1/cities/vilnius/organisations/${organisationId}/invitations`, applicant, {
      email: 'new.staff@example.org',
      role: 'staff',
    });
    expect(invite.statusCode).toBe(201);
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.to.includes('new.staff@example.org'));
    const token = /\/invitations\/([\w-]+)/.exec(mail.text)?.[1] as string;
    const stored = await t.db.query<{ token_hash: string }>(
      "SELECT token_hash FROM one_time_tokens WHERE purpose = 'invitation'",
    );
    expect(stored.map((r) => r.token_hash)).not.toContain(token);

    const page = await t.app.inject({ url: `/invitations/${token}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/login?next=${encodeURIComponent(`/invitations/${token}`)}`);

    const stranger = await signIn(t.app, t.db, { role: 'learner' });
    const wrong = await api('POST', '/api/v1/invitations/accept', stranger, { token });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'INVITATION_EMAIL_MISMATCH']);
    // The page says so in the reader's language, naming the city.
    const wrongPage = await t.app.inject({
      method: 'POST',
      url: `/invitations/${token}`,
      headers: {
        ...stranger.headers,
        accept: 'text/html',
        'accept-language': 'it',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `_csrf=${stranger.headers['x-csrf-token']}`,
    });
    expect(wrongPage.statusCode).toBe(403);
    expect(wrongPage.body).toContain('Questo invito è stato inviato a un altro indirizzo email');
    expect(wrongPage.body).toMatch(/>[^<]*Vilni/);
    const invitee = await signIn(t.app, t.db, { role: 'learner' }, 'new.staff@example.org');
    const accepted = await api('POST', '/api/v1/invitations/accept', invitee, { token });
    expect(accepted.json()).toEqual({ organisationId, citySlug: 'vilnius', role: 'staff' });
    const twice = await api('POST', '/api/v1/invitations/accept', invitee, { token });
    expect([twice.statusCode, twice.json().error.code]).toEqual([410, 'INVITATION_INVALID']);
    const members = await api('GET', `/api/v1/cities/vilnius/organisations/${organisationId}/members`, invitee);
    expect(members.json().items.map((m: { email: string; role: string }) => [m.email, m.role])).toContainEqual([
      'new.staff@example.org',
      'staff',
    ]);
  });

  it('expired invitations are refused', async () => {
    await api('POST', `/api/v1/cities/vilnius/organisations/${organisationId}/invitations`, applicant, {
      email: 'late@example.org',
      role: 'admin',
    });
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.to.includes('late@example.org'));
    const token = /\/invitations\/([\w-]+)/.exec(mail.text)?.[1] as string;
    await t.db.query(
      "UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' WHERE email = 'late@example.org'",
    );
    const late = await signIn(t.app, t.db, { role: 'learner' }, 'late@example.org');
    const response = await api('POST', '/api/v1/invitations/accept', late, { token });
    expect(response.json().error.code).toBe('INVITATION_INVALID');
  });

  it('keeps the last owner and lets only owners touch the owner role', async () => {
    const [owner] = await t.db.query<{ id: string }>("SELECT id FROM users WHERE email = 'owner@makers.example.org'");
    const admin = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'admin' });
    const demote = await api(
      'PATCH',
      `/api/v1/cities/vilnius/organisations/${organisationId}/members/${owner?.id}`,
      applicant,
      {
        role: 'admin',
      },
    );
    expect([demote.statusCode, demote.json().error.code]).toEqual([409, 'LAST_OWNER']);
    const byAdmin = await api(
      'PATCH',
      `/api/v1/cities/vilnius/organisations/${organisationId}/members/${admin.userId}`,
      admin,
      {
        role: 'owner',
      },
    );
    expect(byAdmin.json().error.code).toBe('OWNER_ONLY');
    const promote = await api(
      'PATCH',
      `/api/v1/cities/vilnius/organisations/${organisationId}/members/${admin.userId}`,
      applicant,
      {
        role: 'owner',
      },
    );
    expect(promote.json().role).toBe('owner');
  });

  it('creates API tokens shown once, stored hashed, scoped, listed without secrets, and revocable', async () => {
    const created = await api('POST', `/api/v1/cities/vilnius/organisations/${organisationId}/api-tokens`, applicant, {
      name: 'Booking sync',
      scopes: ['members:read'],
      expiresInDays: 30,
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    expect(secret).toMatch(/^lsk_/);
    const [row] = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [
      token.id,
    ]);
    expect(row?.token_hash).not.toContain(secret);
    const listed = await api('GET', `/api/v1/cities/vilnius/organisations/${organisationId}/api-tokens`, applicant);
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    const bearer = { authorization: `Bearer ${secret}` };
    const members = await t.app.inject({
      url: `/api/v1/cities/vilnius/organisations/${organisationId}/members`,
      headers: bearer,
    });
    expect(members.statusCode).toBe(200);
    // A token cannot mint tokens.
    const mint = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/vilnius/organisations/${organisationId}/api-tokens`,
      headers: bearer,
      payload: { name: 'x', scopes: ['members:read'] },
    });
    expect(mint.json().error.code).toBe('PERSON_REQUIRED');
    const revoked = await api(
      'DELETE',
      `/api/v1/cities/vilnius/organisations/${organisationId}/api-tokens/${token.id}`,
      applicant,
    );
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await t.app.inject({
      url: `/api/v1/cities/vilnius/organisations/${organisationId}/members`,
      headers: bearer,
    });
    expect(after.json().error.code).toBe('INVALID_API_TOKEN');
  });

  it('records every privileged action in the audit log with who, what and from where', async () => {
    const log = await api('GET', '/api/v1/cities/vilnius/audit-log?pageSize=100', curator);
    expect(log.statusCode).toBe(200);
    const actions = log.json().items.map((e: { action: string }) => e.action);
    for (const action of [
      'organisation.apply',
      'organisation.approve',
      'member.invite',
      'member.join',
      'api_token.create',
      'api_token.revoke',
      'member.role_change',
    ]) {
      expect(actions).toContain(action);
    }
    const approve = log.json().items.find((e: { action: string }) => e.action === 'organisation.approve');
    expect(approve).toMatchObject({
      actor: { label: expect.stringMatching(/^user:/) },
      before: { status: 'pending' },
      after: { status: 'approved', verified: true },
      ip: '127.0.0.1',
    });
    expect(approve.requestId).toBeTruthy();
    // The page has pagination and the entries.
    const page = await t.app.inject({
      url: '/c/vilnius/curate/audit-log',
      headers: { ...curator.headers, accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('organisation.approve');
  });

  it('registers an organisation through the HTML form with errors next to the fields', async () => {
    const headers = { ...applicant.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const bad = await t.app.inject({
      method: 'POST',
      url: '/c/vilnius/organisations/new',
      headers,
      payload: form({ _csrf: applicant.headers['x-csrf-token'], name: 'X', street: 'Somewhere 1', lat: '1', lon: '2' }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="field-name-error"');
    expect(bad.body).toContain('id="field-kinds-error"');
    expect(bad.body).toContain('id="field-lat-error"');
    const good = await t.app.inject({
      method: 'POST',
      url: '/c/vilnius/organisations/new',
      headers,
      payload: form({
        _csrf: applicant.headers['x-csrf-token'],
        name: 'Antakalnis Youth Club',
        kinds: ['provider', 'employer'],
        street: 'Antakalnio g. 17',
        lat: '54,7',
        lon: '25.31',
      }),
    });
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toMatch(/^\/c\/vilnius\/manage\/[0-9a-f-]+\?done=applied$/);
    const manage = await t.app.inject({
      url: good.headers.location as string,
      headers: { ...applicant.headers, accept: 'text/html' },
    });
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain('Antakalnis Youth Club');
  });

  it('the curator decides through the queue page; a rejection without reason is shown next to the field', async () => {
    const [org] = await t.db.query<{ id: string }>("SELECT id FROM organisations WHERE slug = 'antakalnis-youth-club'");
    const headers = { ...curator.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const queue = await t.app.inject({
      url: '/c/vilnius/curate/organisations',
      headers: { ...curator.headers, accept: 'text/html' },
    });
    expect(queue.body).toContain('Antakalnis Youth Club');
    const reject = await t.app.inject({
      method: 'POST',
      url: `/c/vilnius/curate/organisations/${org?.id}`,
      headers,
      payload: form({ _csrf: curator.headers['x-csrf-token'], decision: 'reject', reason: '' }),
    });
    expect(reject.statusCode).toBe(400);
    expect(reject.body).toContain(`id="reason-${org?.id}-error"`);
    const reason = 'Please add your safeguarding policy and apply again.';
    const done = await t.app.inject({
      method: 'POST',
      url: `/c/vilnius/curate/organisations/${org?.id}`,
      headers,
      payload: form({ _csrf: curator.headers['x-csrf-token'], decision: 'reject', reason }),
    });
    expect(done.statusCode).toBe(303);
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.text.includes('safeguarding'));
    expect(mail.to).toContain('owner@makers.example.org');
  });

  it('owners add and remove addresses on the members page; places outside the city are refused beside the field', async () => {
    const headers = { ...applicant.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const base = `/c/vilnius/manage/${organisationId}`;
    const outside = await t.app.inject({
      method: 'POST',
      url: `${base}/addresses`,
      headers,
      payload: form({ _csrf: applicant.headers['x-csrf-token'], street: 'Via Po 1', lat: '45.07', lon: '7.69' }),
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain('id="field-lat-error"');
    const added = await t.app.inject({
      method: 'POST',
      url: `${base}/addresses`,
      headers,
      payload: form({
        _csrf: applicant.headers['x-csrf-token'],
        label: 'Workshop',
        street: 'Konstitucijos pr. 3',
        locality: 'Šnipiškės',
        lat: '54.6960',
        lon: '25.2770',
      }),
    });
    expect(added.statusCode).toBe(303);
    const [address] = await t.db.query<{ id: string }>(
      "SELECT id FROM organisation_addresses WHERE label = 'Workshop'",
    );
    const removed = await t.app.inject({
      method: 'POST',
      url: `${base}/addresses/${address?.id}/remove`,
      headers,
      payload: form({ _csrf: applicant.headers['x-csrf-token'] }),
    });
    expect(removed.statusCode).toBe(303);
    expect(await t.db.query("SELECT id FROM organisation_addresses WHERE label = 'Workshop'")).toHaveLength(0);
  });

  it('owners edit the public profile on the members page, with errors beside the fields', async () => {
    const headers = { ...applicant.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const save = (fields: Record<string, string | string[]>) =>
      t.app.inject({
        method: 'POST',
        url: `/c/vilnius/manage/${organisationId}/profile`,
        headers,
        payload: form({ _csrf: applicant.headers['x-csrf-token'], profileName: 'Šnipiškės Makers', ...fields }),
      });
    const bad = await save({ website: 'not a url' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="field-website-error"');
    expect(bad.body).toContain('id="field-kinds-error"');
    const ok = await save({ kinds: ['provider'], description: 'Robots on Tuesdays.' });
    expect(ok.statusCode).toBe(303);
    const profile = await t.app.inject({
      url: '/c/vilnius/organisations/snipiskes-makers',
      headers: { accept: 'text/html' },
    });
    expect(profile.body).toContain('Robots on Tuesdays.');
  });

  it('a manage page of one city does not show an organisation of another', async () => {
    const response = await t.app.inject({
      url: `/c/plymouth/manage/${organisationId}`,
      headers: { ...applicant.headers, accept: 'text/html' },
    });
    expect(response.statusCode).toBe(404);
  });
});
