import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { cliAuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import type { BadgeClassInput } from './badge-classes.model.ts';
import { createBadgeClass, publishBadgeClass } from './badge-classes.service.ts';
import { issueCredential } from './credentials.service.ts';
import { checkEvidence, sniffEvidenceType } from './evidence.service.ts';

type Part = string | { name: string; type: string; bytes: Buffer };

/** A multipart/form-data body as browsers send it. */
function multipart(fields: Record<string, Part>): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----learnscape${randomUUID().replace(/-/g, '')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const head =
      typeof value === 'string'
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.name}"\r\nContent-Type: ${value.type}\r\n\r\n`;
    chunks.push(Buffer.from(head), typeof value === 'string' ? Buffer.from(value) : value.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

describe('evidence files', () => {
  it('knows PNG, JPEG, WebP and PDF by their bytes, and nothing else', () => {
    expect(sniffEvidenceType(solidPng(2, 2))).toBe('image/png');
    expect(sniffEvidenceType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffEvidenceType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffEvidenceType(pdf)).toBe('application/pdf');
    expect(sniffEvidenceType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffEvidenceType(Buffer.from('GIF89a'))).toBeNull();
  });

  it('checks every answer at once; photos must be images; a kept file answers its requirement', () => {
    const requirements = [
      { kind: 'text' as const, instructions: { en: 'Describe' } },
      { kind: 'link' as const, instructions: { en: 'Link' } },
      { kind: 'photo' as const, instructions: { en: 'Photo' } },
    ];
    const { problems } = checkEvidence(requirements, [
      { requirement: 0, text: '  ' },
      { requirement: 1, url: 'javascript:alert(1)' },
      { requirement: 2, file: { fileName: 'a.pdf', bytes: pdf } },
      { requirement: 7, text: 'extra' },
    ]);
    expect(problems.map((p) => [p.field, p.reason])).toEqual([
      ['/items/7', undefined],
      ['/items/0', 'required'],
      ['/items/1', 'badUrl'],
      ['/items/2', 'badPhoto'],
    ]);
    const kept = checkEvidence(
      requirements,
      [
        { requirement: 0, text: 'Fixed a bike' },
        { requirement: 1, url: 'https://example.org/bike' },
      ],
      new Set([2]),
    );
    expect(kept.problems).toEqual([]);
    expect(kept.checked.items).toEqual([
      { requirement: 0, text: 'Fixed a bike' },
      { requirement: 1, url: 'https://example.org/bike' },
      { requirement: 2 },
    ]);
  });
});

describe(`evidence review and peer checks on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let evidenceBadge: { id: string; slug: string };
  let closedBadge: { id: string; slug: string };
  let peerBadge: { id: string; slug: string };
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let address = 0;

  const learner = () => signIn(t.app, t.db, { role: 'learner' });
  const from = () => `10.2.${Math.floor(++address / 250)}.${address % 250}`;
  const orgApi = (path: string) => `/api/v1/cities/${city.slug}/organisations/${organisationId}/evidence${path}`;
  const submitUrl = (badgeId: string) => `/api/v1/cities/${city.slug}/badges/${badgeId}/evidence`;
  const emailsTo = async (to: string) =>
    (
      await t.db.query<{ payload: { subject: string; text: string } }>(
        `SELECT payload FROM jobs WHERE type = 'email.send' AND lower(payload->>'to') = lower($1) ORDER BY created_at, id`,
        [to],
      )
    ).map((row) => row.payload);

  async function makeBadge(name: string, extra: Partial<BadgeClassInput>) {
    const created = await createBadgeClass(
      t.db,
      city,
      organisationId,
      {
        kind: 'skill',
        name: { en: name },
        description: { en: `${name}: repairing things people bring.` },
        criteria: { en: 'Show a repair you did.' },
        imageAlt: { en: `${name}: a spanner on a green circle` },
        ...extra,
      },
      systemCaller,
    );
    await publishBadgeClass(t.db, city, created.id, systemCaller);
    return { id: created.id, slug: created.slug };
  }

  async function submitWithFile(
    who: SignedIn,
    file = { name: 'repair.png', type: 'image/png', bytes: solidPng(4, 4) },
  ) {
    const body = multipart({
      'item-0': 'I fixed a kettle at the repair café.',
      'item-1': 'https://example.org/kettle',
      'file-2': file,
    });
    return t.app.inject({
      method: 'POST',
      url: submitUrl(evidenceBadge.id),
      headers: { ...who.headers, ...body.headers },
      payload: body.payload,
      remoteAddress: from(),
    });
  }

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    city = fixture.city;
    organisationId = fixture.organisationId;
    otherOrganisationId = fixture.trustedOrganisationId;
    evidenceBadge = await makeBadge('Repair skills', {
      evidenceClaimsOpen: true,
      requirements: [
        { kind: 'text', instructions: { en: 'Describe a repair you did.' } },
        { kind: 'link', instructions: { en: 'Link to a video or write-up of it.' } },
        { kind: 'file', instructions: { en: 'Upload a photo or a PDF of your notes.' } },
      ],
    });
    closedBadge = await makeBadge('Repair mentor', {});
    peerBadge = await makeBadge('Bike mechanic', { peerConfirmationsRequired: 2 });
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    otherStaff = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherOrganisationId,
      membership: 'admin',
    });
  }, 240_000);
  afterAll(() => t?.close());

  it('submit with a file → queue → ask for more → resubmit → approve: the credential carries the evidence', async () => {
    const ada = await learner();
    const sent = await submitWithFile(ada);
    expect(sent.statusCode, sent.body).toBe(201);
    const submission = sent.json();
    expect(submission).toMatchObject({
      status: 'pending',
      review: 'organiser',
      items: [
        { requirement: 0, text: 'I fixed a kettle at the repair café.' },
        { requirement: 1, url: 'https://example.org/kettle' },
        { requirement: 2 },
      ],
      files: [{ requirement: 2, name: 'repair.png', contentType: 'image/png' }],
    });
    // The organisation's people are told.
    const staffMail = await emailsTo(staff.email);
    expect(staffMail.at(-1)?.subject).toBe('New evidence for “Repair skills” from Test learner');
    expect(staffMail.at(-1)?.text).toContain(`/c/${city.slug}/manage/${organisationId}/evidence/${submission.id}`);
    // One open submission per learner and badge.
    const twice = await submitWithFile(ada);
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'EVIDENCE_ALREADY_OPEN']);

    const queue = await t.app.inject({ url: orgApi(''), headers: staff.headers });
    expect(queue.statusCode).toBe(200);
    expect(queue.json().items[0]).toMatchObject({
      id: submission.id,
      status: 'pending',
      learner: { email: ada.email },
    });
    const filtered = await t.app.inject({ url: orgApi(`?badgeId=${closedBadge.id}`), headers: staff.headers });
    expect(filtered.json()).toMatchObject({ items: [], total: 0 });

    const noFeedback = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${submission.id}/request-more`),
      headers: staff.headers,
      payload: {},
    });
    expect(noFeedback.statusCode).toBe(400);
    const more = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${submission.id}/request-more`),
      headers: staff.headers,
      payload: { feedback: 'Please say which part you replaced.' },
    });
    expect(more.statusCode, more.body).toBe(200);
    expect(more.json()).toMatchObject({ status: 'more_info', feedback: 'Please say which part you replaced.' });
    const askMail = (await emailsTo(ada.email)).at(-1);
    expect(askMail?.subject).toBe('More is needed for “Repair skills”');
    expect(askMail?.text).toContain('Please say which part you replaced.');
    expect(askMail?.text).toContain(`/c/${city.slug}/badges/${evidenceBadge.slug}/apply`);

    // The learner sends it again as JSON, without the file: the file they sent is kept.
    const again = await t.app.inject({
      method: 'POST',
      url: submitUrl(evidenceBadge.id),
      headers: ada.headers,
      payload: {
        items: [
          { requirement: 0, text: 'I replaced the kettle’s thermostat.' },
          { requirement: 1, url: 'https://example.org/kettle' },
        ],
      },
      remoteAddress: from(),
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: submission.id, status: 'pending', files: [{ name: 'repair.png' }] });
    expect((await emailsTo(staff.email)).at(-1)?.subject).toBe('More evidence for “Repair skills” from Test learner');

    const mailBefore = (await emailsTo(ada.email)).length;
    const approved = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${submission.id}/approve`),
      headers: staff.headers,
      payload: { feedback: 'A tidy repair.' },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', credentialId: expect.any(String) });
    const [credential] = await t.db.query<{
      claim_route: string;
      document: Record<string, unknown>;
      issued_by: string;
    }>('SELECT claim_route, document, issued_by FROM badge_credentials WHERE id = $1', [approved.json().credentialId]);
    expect(credential?.claim_route).toBe('evidence');
    expect(credential?.issued_by).toBe(staff.userId);
    const evidence = credential?.document.evidence as Record<string, unknown>[];
    expect(evidence).toEqual([
      { type: ['Evidence'], narrative: 'A tidy repair.' },
      {
        type: ['Evidence'],
        narrative: 'I replaced the kettle’s thermostat.',
        description: 'Describe a repair you did.',
      },
      { id: 'https://example.org/kettle', type: ['Evidence'], description: 'Link to a video or write-up of it.' },
    ]);
    // Private files never go into the public credential.
    expect(JSON.stringify(credential?.document)).not.toContain('/files/');
    // One email for the approval: the credential's announcement and the organiser's note together.
    const learnerMail = (await emailsTo(ada.email)).slice(mailBefore);
    expect(learnerMail.map((mail) => mail.subject)).toEqual([
      'Your evidence was approved: you have earned the badge “Repair skills”',
    ]);
    const [approvalMail] = learnerMail;
    expect(approvalMail?.text).toContain(
      'has approved your evidence for the badge “Repair skills” and issued the badge',
    );
    expect(approvalMail?.text).toContain('anyone can check that it is genuine');
    expect(approvalMail?.text).toContain('Their note: A tidy repair.');
    expect(approvalMail?.text).toContain(`/c/${city.slug}/credentials/${approved.json().credentialId}`);

    // Approving again is a conflict and issues nothing more.
    const repeat = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${submission.id}/approve`),
      headers: staff.headers,
      payload: {},
    });
    expect([repeat.statusCode, repeat.json().error.code]).toEqual([409, 'EVIDENCE_STATE_CONFLICT']);
    const held = await submitWithFile(ada);
    expect([held.statusCode, held.json().error.code]).toEqual([409, 'BADGE_ALREADY_HELD']);
    const mine = await t.app.inject({ url: `/api/v1/cities/${city.slug}/me/evidence`, headers: ada.headers });
    expect(mine.json().items).toMatchObject([{ id: submission.id, status: 'approved' }]);
  });

  it('rejects with feedback (emailed); feedback is required', async () => {
    const ben = await learner();
    const sent = (await submitWithFile(ben)).json();
    const bare = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${sent.id}/reject`),
      headers: staff.headers,
      payload: { feedback: '' },
    });
    expect(bare.statusCode).toBe(400);
    const rejected = await t.app.inject({
      method: 'POST',
      url: orgApi(`/${sent.id}/reject`),
      headers: staff.headers,
      payload: { feedback: 'The video does not show the repair.' },
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', credentialId: null });
    const mail = (await emailsTo(ben.email)).at(-1);
    expect(mail?.subject).toBe('Your evidence for “Repair skills” was not approved');
    expect(mail?.text).toContain('The video does not show the repair.');
    expect(await t.db.query('SELECT 1 FROM badge_credentials WHERE recipient_user_id = $1', [ben.userId])).toHaveLength(
      0,
    );
    // Rejected, the learner may apply again.
    expect((await submitWithFile(ben)).statusCode).toBe(201);
  });

  it('files: only the learner and the organisation may download them; wrong types and sizes are refused', async () => {
    const cleo = await learner();
    const sent = (await submitWithFile(cleo, { name: 'notes.pdf', type: 'application/pdf', bytes: pdf })).json();
    const fileId = sent.files[0].id;
    const mine = `/c/${city.slug}/my/evidence/${sent.id}/files/${fileId}`;
    const own = await t.app.inject({ url: mine, headers: cleo.headers });
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.headers['content-disposition']).toContain('attachment; filename="notes.pdf"');
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(own.rawPayload.equals(pdf)).toBe(true);
    // Someone else: not found, as for a wrong id.
    const other = await learner();
    expect((await t.app.inject({ url: mine, headers: other.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: mine, headers: staff.headers })).statusCode).toBe(404);
    // The organisation, through its pages and its API.
    const page = `/c/${city.slug}/manage/${organisationId}/evidence/${sent.id}/files/${fileId}`;
    expect((await t.app.inject({ url: page, headers: staff.headers })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: orgApi(`/${sent.id}/files/${fileId}`), headers: staff.headers })).statusCode,
    ).toBe(200);
    // Another organisation: refused, and not found through its own organisation.
    expect((await t.app.inject({ url: page, headers: otherStaff.headers })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ url: page.replace(organisationId, otherOrganisationId), headers: otherStaff.headers }))
        .statusCode,
    ).toBe(404);

    const dan = await learner();
    const renamed = await submitWithFile(dan, {
      name: 'photo.png',
      type: 'image/png',
      bytes: Buffer.from('<html><script>alert(1)</script></html>'),
    });
    expect([renamed.statusCode, renamed.json().error.code]).toEqual([400, 'EVIDENCE_FILE_INVALID']);
    expect(renamed.json().error.details[0]).toMatchObject({ field: '/items/2' });
    const big = Buffer.concat([solidPng(2, 2), Buffer.alloc(5 * 1024 * 1024 + 1)]);
    const tooBig = await submitWithFile(dan, { name: 'big.png', type: 'image/png', bytes: big });
    expect([tooBig.statusCode, tooBig.json().error.code]).toEqual([413, 'EVIDENCE_FILE_TOO_LARGE']);
    const missing = await t.app.inject({
      method: 'POST',
      url: submitUrl(evidenceBadge.id),
      headers: dan.headers,
      payload: { items: [{ requirement: 0, text: 'Only this' }] },
      remoteAddress: from(),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.map((d: { field: string }) => d.field)).toEqual(['/items/1', '/items/2']);
    expect(await t.db.query('SELECT 1 FROM evidence_submissions WHERE user_id = $1', [dan.userId])).toHaveLength(0);

    const closed = await t.app.inject({
      method: 'POST',
      url: submitUrl(closedBadge.id),
      headers: dan.headers,
      payload: { items: [{ requirement: 0, text: 'Please' }] },
      remoteAddress: from(),
    });
    expect([closed.statusCode, closed.json().error.code]).toEqual([409, 'EVIDENCE_CLAIMS_CLOSED']);
  });

  it('the pages: apply with a file, see it in the queue, review and approve', async () => {
    const eve = await learner();
    const html = { ...eve.headers, accept: 'text/html' };
    const apply = `/c/${city.slug}/badges/${evidenceBadge.slug}/apply`;
    const form = await t.app.inject({ url: apply, headers: html });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(form.body).toContain('Describe a repair you did.');
    // A bad link is shown beside its field, with what was typed kept.
    const badBody = multipart({
      _csrf: eve.headers['x-csrf-token'],
      'item-0': 'Soldered a radio.',
      'item-1': 'not a link',
      'file-2': { name: 'radio.png', type: 'image/png', bytes: solidPng(3, 3) },
    });
    const bad = await t.app.inject({
      method: 'POST',
      url: apply,
      headers: { ...html, ...badBody.headers },
      payload: badBody.payload,
      remoteAddress: from(),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an address starting with https:// or http://.');
    expect(bad.body).toContain('Soldered a radio.');
    const body = multipart({
      _csrf: eve.headers['x-csrf-token'],
      'item-0': 'Soldered a radio.',
      'item-1': 'https://example.org/radio',
      'file-2': { name: 'radio.png', type: 'image/png', bytes: solidPng(3, 3) },
    });
    const sent = await t.app.inject({
      method: 'POST',
      url: apply,
      headers: { ...html, ...body.headers },
      payload: body.payload,
      remoteAddress: from(),
    });
    expect(sent.statusCode, sent.body).toBe(303);
    expect(sent.headers.location).toMatch(new RegExp(`^/c/${city.slug}/my/evidence\\?done=submitted`));
    const [row] = await t.db.query<{ id: string }>('SELECT id FROM evidence_submissions WHERE user_id = $1', [
      eve.userId,
    ]);
    const mine = await t.app.inject({ url: `/c/${city.slug}/my/evidence?done=submitted`, headers: html });
    expect(mine.body).toContain('Your evidence has been sent.');
    expect(mine.body).toContain('radio.png');

    const staffHtml = { ...staff.headers, accept: 'text/html' };
    const queue = await t.app.inject({ url: `/c/${city.slug}/manage/${organisationId}/evidence`, headers: staffHtml });
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Waiting for review');
    const review = `/c/${city.slug}/manage/${organisationId}/evidence/${row?.id}`;
    const page = await t.app.inject({ url: review, headers: staffHtml });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Soldered a radio.');
    expect(page.body).toContain(`${review}/files/`);
    const confirm = await t.app.inject({ url: `${review}/reject`, headers: staffHtml });
    expect(confirm.body).toContain('Reject the evidence of');
    const approved = await t.app.inject({
      method: 'POST',
      url: `${review}/approve`,
      headers: staffHtml,
      payload: { note: '', _csrf: staff.headers['x-csrf-token'] },
    });
    expect([approved.statusCode, approved.headers.location]).toEqual([
      303,
      `/c/${city.slug}/manage/${organisationId}/evidence?done=approve`,
    ]);
    expect(
      await t.db.query("SELECT 1 FROM badge_credentials WHERE recipient_user_id = $1 AND claim_route = 'evidence'", [
        eve.userId,
      ]),
    ).toHaveLength(1);
    // Without a note, the credential's own email is the only one about the decision.
    expect((await emailsTo(eve.email)).map((mail) => mail.subject)).toEqual([
      'You have earned the badge “Repair skills”',
    ]);
  });

  it('peer check with N = 2: two earners confirm and the badge is issued once; self and non-earners are refused', async () => {
    const earners = [await learner(), await learner(), await learner()];
    for (const earner of earners) {
      await t.db.transaction((tx) =>
        issueCredential(tx, t.config, city, cliAuditContext(), {
          badgeClassId: peerBadge.id,
          recipient: { userId: earner.userId },
          route: 'award',
        }),
      );
    }
    const [first, second, third] = earners as [SignedIn, SignedIn, SignedIn];
    const requester = await learner();
    const base = `/api/v1/cities/${city.slug}/badges/${peerBadge.id}/peer-requests`;
    const asked = await t.app.inject({
      method: 'POST',
      url: base,
      headers: requester.headers,
      payload: { text: 'I serviced bikes at the Saturday workshop.', url: 'https://example.org/bikes' },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const requestId = asked.json().id;
    const twice = await t.app.inject({ method: 'POST', url: base, headers: requester.headers, payload: {} });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'EVIDENCE_ALREADY_OPEN']);

    const nonEarner = await learner();
    const list = await t.app.inject({ url: base, headers: nonEarner.headers });
    expect([list.statusCode, list.json().error.code]).toEqual([403, 'PEER_NOT_EARNER']);
    const earnerList = await t.app.inject({ url: base, headers: first.headers });
    expect(earnerList.statusCode).toBe(200);
    expect(earnerList.json().items).toMatchObject([
      { id: requestId, learner: { userId: requester.userId, email: '' }, confirmations: 0 },
    ]);

    const confirm = (who: SignedIn) =>
      t.app.inject({
        method: 'POST',
        url: `${base}/${requestId}/confirm`,
        headers: who.headers,
        remoteAddress: from(),
      });
    const self = await confirm(requester);
    expect([self.statusCode, self.json().error.code]).toEqual([403, 'PEER_SELF_CONFIRM']);
    const stranger = await confirm(nonEarner);
    expect([stranger.statusCode, stranger.json().error.code]).toEqual([403, 'PEER_NOT_EARNER']);

    const one = await confirm(first);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ required: 2, credentialId: null, submission: { confirmations: 1 } });
    const oneAgain = await confirm(first);
    expect(oneAgain.json()).toMatchObject({ credentialId: null, submission: { confirmations: 1 } });
    const two = await confirm(second);
    expect(two.json()).toMatchObject({ submission: { status: 'approved', confirmations: 2 } });
    expect(two.json().credentialId).toEqual(expect.any(String));
    const late = await confirm(third);
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'EVIDENCE_STATE_CONFLICT']);
    const issued = await t.db.query<{ claim_route: string; document: { evidence: unknown[] } }>(
      'SELECT claim_route, document FROM badge_credentials WHERE recipient_user_id = $1 AND badge_class_id = $2',
      [requester.userId, peerBadge.id],
    );
    expect(issued).toHaveLength(1);
    expect(issued[0]?.claim_route).toBe('peer');
    expect(issued[0]?.document.evidence).toEqual([
      {
        id: 'https://example.org/bikes',
        type: ['Evidence'],
        narrative: 'I serviced bikes at the Saturday workshop.',
      },
      {
        type: ['Evidence'],
        narrative: [
          { '@value': 'Confirmed by 2 people who hold this badge.', '@language': 'en' },
          { '@value': 'Patvirtino šį ženklelį turintys žmonės: 2.', '@language': 'lt' },
        ],
      },
    ]);
    expect((await emailsTo(requester.email)).map((mail) => mail.subject)).toContain(
      'You have earned the badge “Bike mechanic”',
    );
  });

  it('concurrent last confirmations issue the badge exactly once', async () => {
    const earners = await Promise.all(Array.from({ length: 4 }, () => learner()));
    for (const earner of earners) {
      await t.db.transaction((tx) =>
        issueCredential(tx, t.config, city, cliAuditContext(), {
          badgeClassId: peerBadge.id,
          recipient: { userId: earner.userId },
          route: 'award',
        }),
      );
    }
    const requester = await learner();
    const base = `/api/v1/cities/${city.slug}/badges/${peerBadge.id}/peer-requests`;
    const requestId = (
      await t.app.inject({ method: 'POST', url: base, headers: requester.headers, payload: {} })
    ).json().id;
    const answers = await Promise.all(
      earners.map((earner) =>
        t.app.inject({
          method: 'POST',
          url: `${base}/${requestId}/confirm`,
          headers: earner.headers,
          remoteAddress: from(),
        }),
      ),
    );
    const ok = answers.filter((answer) => answer.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(answers.every((answer) => [200, 409].includes(answer.statusCode))).toBe(true);
    expect(ok.filter((answer) => answer.json().credentialId).length).toBeGreaterThanOrEqual(1);
    const issued = await t.db.query('SELECT 1 FROM badge_credentials WHERE recipient_user_id = $1', [requester.userId]);
    expect(issued).toHaveLength(1);
    const [count] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM peer_confirmations WHERE submission_id = $1',
      [requestId],
    );
    expect(count?.n).toBe(2);
  });

  it('the peer page: earners see requests and confirm; others may ask', async () => {
    const requester = await learner();
    const page = `/c/${city.slug}/badges/${peerBadge.slug}/peer-requests`;
    const html = { ...requester.headers, accept: 'text/html' };
    const form = await t.app.inject({ url: page, headers: html });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Ask for a peer check');
    const asked = await t.app.inject({
      method: 'POST',
      url: page,
      headers: html,
      payload: { text: 'Trued wheels all summer.', url: '', _csrf: requester.headers['x-csrf-token'] },
    });
    expect([asked.statusCode, asked.headers.location]).toEqual([303, `${page}?done=requested`]);
    const waiting = await t.app.inject({ url: `${page}?done=requested`, headers: html });
    expect(waiting.body).toContain('0 of 2 confirmations');

    const earner = await learner();
    await t.db.transaction((tx) =>
      issueCredential(tx, t.config, city, cliAuditContext(), {
        badgeClassId: peerBadge.id,
        recipient: { userId: earner.userId },
        route: 'award',
      }),
    );
    const earnerHtml = { ...earner.headers, accept: 'text/html' };
    const list = await t.app.inject({ url: page, headers: earnerHtml });
    expect(list.body).toContain('Trued wheels all summer.');
    const [row] = await t.db.query<{ id: string }>(
      "SELECT id FROM evidence_submissions WHERE user_id = $1 AND review = 'peer'",
      [requester.userId],
    );
    const confirmed = await t.app.inject({
      method: 'POST',
      url: `${page}/${row?.id}/confirm`,
      headers: earnerHtml,
      payload: { _csrf: earner.headers['x-csrf-token'] },
    });
    expect([confirmed.statusCode, confirmed.headers.location]).toEqual([303, `${page}?done=confirmed`]);
    const after = await t.app.inject({ url: `${page}?done=confirmed`, headers: earnerHtml });
    expect(after.body).toContain('You have confirmed this request.');
  });
});
