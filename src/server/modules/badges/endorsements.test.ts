import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCredential } from '../../../credentials/index.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createCatalogueCity } from '../../../../test/helpers/catalogue.ts';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { listEndorsementsOfBadge, listEndorsementsOfIssuer } from './endorsements.service.ts';
import { issuerDid } from './issuer-keys.service.ts';
import { injectFetch, insertPublishedBadge } from './issuers.test-support.ts';

describe(`endorsements on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  /** The endorser (Stonehouse Makers) and the endorsed (Central Library). */
  let endorserId: string;
  let endorsedId: string;
  let endorsedBadgeId: string;
  let ownBadgeId: string;
  let draftBadgeId: string;
  let otherCityBadgeId: string;
  let otherCityOrgId: string;
  let admin: SignedIn;
  let staff: SignedIn;
  let endorsedAdmin: SignedIn;
  const api = (organisationId: string, citySlug = 'plymouth') =>
    `/api/v1/cities/${citySlug}/organisations/${organisationId}/endorsements`;
  const endorse = (payload: object, as: SignedIn = admin, organisationId = endorserId) =>
    t.app.inject({ method: 'POST', url: api(organisationId), headers: as.headers, payload });

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    ({ city, otherCity } = fixture);
    endorserId = fixture.organisationId;
    endorsedId = fixture.trustedOrganisationId;
    endorsedBadgeId = await insertPublishedBadge(t, city.id, endorsedId, 'library-reader');
    ownBadgeId = await insertPublishedBadge(t, city.id, endorserId, 'makers-own');
    draftBadgeId = await insertPublishedBadge(t, city.id, endorsedId, 'library-draft', 'draft');
    const [elsewhere] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('torino-club', 'Torino Club', '{provider}') RETURNING id`,
    );
    otherCityOrgId = elsewhere?.id as string;
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
      otherCity.id,
      otherCityOrgId,
    ]);
    otherCityBadgeId = await insertPublishedBadge(t, otherCity.id, otherCityOrgId, 'torino-badge');
    admin = await signIn(t.app, t.db, { role: 'organisation', organisationId: endorserId, membership: 'admin' });
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId: endorserId, membership: 'staff' });
    endorsedAdmin = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: endorsedId,
      membership: 'owner',
    });
  });
  afterAll(() => t.close());

  it('endorses a badge with a signed EndorsementCredential that verifies, public at its URL', async () => {
    const response = await endorse({
      targetBadgeClassId: endorsedBadgeId,
      comment: { en: 'Fair and well taught.', lt: 'Sąžininga ir gerai išmokyta.' },
    });
    expect(response.statusCode).toBe(201);
    const endorsement = response.json();
    expect(endorsement).toMatchObject({
      endorser: { id: endorserId, name: 'Stonehouse Makers' },
      target: { type: 'badge', id: endorsedBadgeId, name: { en: 'Badge library-reader' } },
      comment: { en: 'Fair and well taught.', lt: 'Sąžininga ir gerai išmokyta.' },
      withdrawnAt: null,
    });
    const credential = endorsement.credential;
    expect(credential.type).toEqual(['VerifiableCredential', 'EndorsementCredential']);
    expect(credential.id).toBe(`${t.config.publicUrl}/c/plymouth/endorsements/${endorsement.id}`);
    expect(credential.issuer.id).toBe(issuerDid(t.config, endorserId));
    expect(credential.credentialSubject).toMatchObject({
      id: `${t.config.publicUrl}/c/plymouth/badges/${endorsedBadgeId}/versions/1`,
      type: ['EndorsementSubject'],
      endorsementComment: [
        { '@value': 'Fair and well taught.', '@language': 'en' },
        { '@value': 'Sąžininga ir gerai išmokyta.', '@language': 'lt' },
      ],
    });
    expect(credential.name).toEqual([
      { '@value': 'Endorsement of Badge library-reader', '@language': 'en' },
      { '@value': 'Rekomendacija: Ženklelis library-reader', '@language': 'lt' },
    ]);
    const result = await verifyCredential(credential, { fetchJson: injectFetch(t) });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);

    const published = await t.app.inject({ method: 'GET', url: `/c/plymouth/endorsements/${endorsement.id}` });
    expect(published.statusCode).toBe(200);
    expect(published.headers['cache-control']).toBe('public, max-age=300');
    expect(published.json()).toEqual(credential);
    expect((await verifyCredential(published.json(), { fetchJson: injectFetch(t) })).verified).toBe(true);
    expect(await listEndorsementsOfBadge(t.db, city.id, endorsedBadgeId)).toEqual([credential]);
    // Endorsements of the badge are its own: none leak to the issuer or to another city.
    expect(await listEndorsementsOfIssuer(t.db, city.id, endorsedId)).toEqual([]);
    expect(await listEndorsementsOfBadge(t.db, otherCity.id, endorsedBadgeId)).toEqual([]);

    const again = await endorse({ targetBadgeClassId: endorsedBadgeId, comment: { en: 'Twice.' } });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'ENDORSEMENT_EXISTS']);
    const [audit] = await t.db.query<{ city_id: string }>(
      `SELECT city_id FROM audit_log WHERE action = 'endorsement.create' AND target_id = $1`,
      [endorsement.id],
    );
    expect(audit?.city_id).toBe(city.id);
  });

  it('endorses an issuer by its DID', async () => {
    const response = await endorse({ targetOrganisationId: endorsedId, comment: { en: 'A reliable issuer.' } });
    expect(response.statusCode).toBe(201);
    const credential = response.json().credential;
    expect(credential.credentialSubject.id).toBe(issuerDid(t.config, endorsedId));
    expect(credential.credentialSubject.endorsementComment).toBe('A reliable issuer.');
    expect((await verifyCredential(credential, { fetchJson: injectFetch(t) })).verified).toBe(true);
    expect(await listEndorsementsOfIssuer(t.db, city.id, endorsedId)).toEqual([credential]);
    const received = await t.app.inject({
      method: 'GET',
      url: `${api(endorsedId)}?direction=received`,
      headers: endorsedAdmin.headers,
    });
    expect(
      received
        .json()
        .items.map((item: { target: { type: string } }) => item.target.type)
        .sort(),
    ).toEqual(['badge', 'organisation']);
    // The endorsed issuer's public page shows it.
    const page = await t.app.inject({ method: 'GET', url: `/issuers/${endorsedId}`, headers: { accept: 'text/html' } });
    expect(page.body).toContain('Endorsed by Stonehouse Makers');
    expect(page.body).toContain('A reliable issuer.');
  });

  it('refuses self-endorsement, other cities, drafts, bad comments and staff', async () => {
    const self = await endorse({ targetOrganisationId: endorserId, comment: { en: 'We are great.' } });
    expect([self.statusCode, self.json().error.code]).toEqual([409, 'ENDORSEMENT_SELF']);
    const ownBadge = await endorse({ targetBadgeClassId: ownBadgeId, comment: { en: 'Our badge is great.' } });
    expect([ownBadge.statusCode, ownBadge.json().error.code]).toEqual([409, 'ENDORSEMENT_SELF']);
    for (const target of [
      { targetBadgeClassId: otherCityBadgeId },
      { targetOrganisationId: otherCityOrgId },
      { targetBadgeClassId: draftBadgeId },
      { targetBadgeClassId: randomUUID() },
    ]) {
      const refused = await endorse({ ...target, comment: { en: 'Across the border.' } });
      expect([refused.statusCode, refused.json().error.code], JSON.stringify(target)).toEqual([
        404,
        'ENDORSEMENT_TARGET_NOT_FOUND',
      ]);
    }
    // An organisation of another city cannot endorse through this city.
    const otherAdmin = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherCityOrgId,
      membership: 'admin',
    });
    const outsider = await endorse(
      { targetBadgeClassId: endorsedBadgeId, comment: { en: 'From Torino.' } },
      otherAdmin,
      otherCityOrgId,
    );
    expect([outsider.statusCode, outsider.json().error.code]).toEqual([404, 'ORGANISATION_NOT_FOUND']);
    const both = await endorse({
      targetBadgeClassId: endorsedBadgeId,
      targetOrganisationId: endorsedId,
      comment: { en: 'Both.' },
    });
    expect(both.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: '/target' }] });
    const empty = await endorse({ targetOrganisationId: endorsedId, comment: { en: '   ' } });
    expect(empty.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: '/comment' }] });
    const foreign = await endorse({ targetOrganisationId: endorsedId, comment: { it: 'Bravi.' } });
    expect(foreign.json().error.details[0].field).toBe('/comment/it');
    expect((await endorse({ targetOrganisationId: endorsedId, comment: { en: 'x' } }, staff)).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: api(endorserId), headers: staff.headers });
    expect([list.statusCode, list.json().total]).toEqual([200, 2]);
    expect((await t.db.query('SELECT 1 FROM badge_endorsements')).length).toBe(2);
  });

  it('withdraws an endorsement: gone from listings, 410 at its URL, and only by its author', async () => {
    const created = await endorse({ targetOrganisationId: endorsedId, comment: { en: 'Soon withdrawn.' } });
    // The standing endorsement of the issuer from the previous test blocks a second one.
    expect(created.json().error.code).toBe('ENDORSEMENT_EXISTS');
    const id = created.json().error.details[0].endorsementId as string;
    const byOther = await t.app.inject({
      method: 'POST',
      url: `${api(endorsedId)}/${id}/withdraw`,
      headers: endorsedAdmin.headers,
    });
    expect([byOther.statusCode, byOther.json().error.code]).toEqual([404, 'ENDORSEMENT_NOT_FOUND']);
    const withdrawn = await t.app.inject({
      method: 'POST',
      url: `${api(endorserId)}/${id}/withdraw`,
      headers: admin.headers,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().withdrawnAt).not.toBeNull();
    const repeated = await t.app.inject({
      method: 'POST',
      url: `${api(endorserId)}/${id}/withdraw`,
      headers: admin.headers,
    });
    expect([repeated.statusCode, repeated.json().withdrawnAt]).toEqual([200, withdrawn.json().withdrawnAt]);
    const gone = await t.app.inject({ method: 'GET', url: `/c/plymouth/endorsements/${id}` });
    expect([gone.statusCode, gone.json().error.code]).toEqual([410, 'ENDORSEMENT_WITHDRAWN']);
    expect(await listEndorsementsOfIssuer(t.db, city.id, endorsedId)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/c/${otherCity.slug}/endorsements/${id}` })).statusCode).toBe(
      404,
    );
    // Once withdrawn, a new endorsement of the same issuer may be written.
    expect((await endorse({ targetOrganisationId: endorsedId, comment: { en: 'Back again.' } })).statusCode).toBe(201);
  });

  it('endorses and withdraws from the organiser page, with errors beside the fields and a confirmation step', async () => {
    const base = `/c/plymouth/manage/${endorserId}/endorsements`;
    const page = await t.app.inject({ method: 'GET', url: base, headers: admin.headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="organisation:${endorsedId}"`);
    expect(page.body).toContain(`value="badge:${endorsedBadgeId}"`);
    expect(page.body).not.toContain(`value="badge:${ownBadgeId}"`);
    expect(page.body).not.toContain(`value="organisation:${endorserId}"`);
    const staffPage = await t.app.inject({ method: 'GET', url: base, headers: staff.headers });
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.body).not.toContain('name="target"');

    const form = (fields: Record<string, string>, url = base) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    const missing = await form({ target: '', 'comment-en': 'Kept as typed' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="field-target-error"');
    expect(missing.body).toContain('Kept as typed');
    const exists = await form({ target: `badge:${endorsedBadgeId}`, 'comment-lt': 'Dar kartą' });
    expect(exists.body).toContain('already endorses this');
    expect(exists.body).toContain('Dar kartą');

    const [badge] = await t.db.query<{ id: string }>(
      `INSERT INTO badge_classes (city_id, organisation_id, slug, status, kind, name, description, criteria,
         image_content_type, image_bytes, image_alt)
       SELECT city_id, organisation_id, 'library-second', status, kind, name, description, criteria,
         image_content_type, image_bytes, image_alt FROM badge_classes WHERE id = $1 RETURNING id`,
      [endorsedBadgeId],
    );
    const created = await form({ target: `badge:${badge?.id}`, 'comment-en': 'Another good one.' });
    expect([created.statusCode, created.headers.location]).toEqual([303, `${base}?done=created`]);
    const [row] = await t.db.query<{ id: string }>(
      'SELECT id FROM badge_endorsements WHERE target_badge_class_id = $1',
      [badge?.id],
    );
    const listed = await t.app.inject({ method: 'GET', url: `${base}?done=created`, headers: admin.headers });
    expect(listed.body).toContain('Another good one.');
    expect(listed.body).toContain(`href="${base}/${row?.id}/withdraw"`);

    const confirm = await t.app.inject({ method: 'GET', url: `${base}/${row?.id}/withdraw`, headers: admin.headers });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('name="confirmed" value="yes"');
    const unconfirmed = await form({}, `${base}/${row?.id}/withdraw`);
    expect(unconfirmed.statusCode).toBe(200);
    expect((await listEndorsementsOfBadge(t.db, city.id, badge?.id as string)).length).toBe(1);
    const done = await form({ confirmed: 'yes' }, `${base}/${row?.id}/withdraw`);
    expect([done.statusCode, done.headers.location]).toEqual([303, `${base}?done=withdrawn`]);
    expect(await listEndorsementsOfBadge(t.db, city.id, badge?.id as string)).toEqual([]);
  });

  it('keeps one standing endorsement per target when submissions race (the unique index decides)', async () => {
    const raceBadgeId = await insertPublishedBadge(t, city.id, endorsedId, 'library-race');
    const responses = await Promise.all(
      Array.from({ length: 4 }, (_, n) => endorse({ targetBadgeClassId: raceBadgeId, comment: { en: `Race ${n}` } })),
    );
    const created = responses.filter((response) => response.statusCode === 201);
    expect(created).toHaveLength(1);
    for (const refused of responses.filter((response) => response.statusCode !== 201)) {
      expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'ENDORSEMENT_EXISTS']);
      expect(refused.json().error.details[0].endorsementId).toBe(created[0]?.json().id);
    }
    const rows = await t.db.query('SELECT 1 FROM badge_endorsements WHERE target_badge_class_id = $1', [raceBadgeId]);
    expect(rows).toHaveLength(1);
  });
});
