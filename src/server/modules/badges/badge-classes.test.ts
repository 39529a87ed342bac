import { randomUUID } from 'node:crypto';
import jsonld from 'jsonld';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { contextDocumentLoader, OB_V3_CONTEXT, VC_V2_CONTEXT } from '../../../credentials/index.ts';
import type { AppError } from '../../errors.ts';
import { createActivity } from '../activities/activities.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { setCityFrameworks } from '../skills/skills.service.ts';
import type { BadgeClassInput } from './badge-classes.model.ts';
import { countCredentialsAtVersion, listBadgesOfActivity } from './badge-classes.repo.ts';
import {
  achievementUrl,
  badgeForIssuing,
  badgeImageBytes,
  createBadgeClass,
  publishBadgeClass,
  updateBadgeClass,
} from './badge-classes.service.ts';
import { MAX_UPLOAD_BYTES } from './badge-image.ts';

/** A complete badge; override any field. */
function badgeInput(overrides: Partial<BadgeClassInput> = {}): BadgeClassInput {
  return {
    kind: 'skill',
    name: { en: 'Young maker', lt: 'Jaunasis meistras' },
    description: { en: 'Built and shared a project in the makerspace.' },
    criteria: { en: 'Finish a project and show it to the group.' },
    imageAlt: { en: 'A blue circle with a star and the words Young maker' },
    ...overrides,
  };
}

describe(`badge classes: design, publishing and versions on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let trustedOrganisationId: string;
  let staff: Record<string, string>;
  let skillId: string;
  const base = () => `/api/v1/cities/plymouth/organisations/${organisationId}/badges`;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId, trustedOrganisationId, otherCity } = await createCatalogueCity(t.db));
    await setCityFrameworks(t.db, city.id, ['digcomp'], null);
    const [skill] = await t.db.query<{ id: string }>(
      `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
        WHERE f.slug = 'digcomp' AND s.parent_id IS NOT NULL ORDER BY s.code LIMIT 1`,
    );
    skillId = skill?.id as string;
    staff = (await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' })).headers;
  }, 180_000);
  afterAll(() => t.close());

  const create = (body: object, headers = staff) =>
    t.app.inject({ method: 'POST', url: base(), headers, payload: body });
  const put = (id: string, body: object, headers = staff) =>
    t.app.inject({ method: 'PUT', url: `${base()}/${id}`, headers, payload: body });
  const action = (id: string, name: 'publish' | 'archive', headers = staff) =>
    t.app.inject({ method: 'POST', url: `${base()}/${id}/${name}`, headers });
  const upload = (id: string, bytes: Buffer, contentType: string, query = '') =>
    t.app.inject({
      method: 'PUT',
      url: `${base()}/${id}/image${query}`,
      headers: { ...staff, 'content-type': contentType },
      payload: bytes,
    });
  /** The problems' fields of a service call that must fail validation. */
  const problemFields = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
      return (error as AppError).details.map((detail) => detail.field);
    }
    throw new Error('accepted');
  };
  const createBy = (input: BadgeClassInput, organisation = organisationId) =>
    createBadgeClass(t.db, city, organisation, input, systemCaller);

  it('creates a draft with a slug from its name and a generated image only its organisation sees', async () => {
    const response = await create(badgeInput({ tags: ['Making', 'making', 'electronics'] }));
    expect(response.statusCode, response.body).toBe(201);
    const badge = response.json();
    expect(badge).toMatchObject({
      status: 'draft',
      slug: 'young-maker',
      kind: 'skill',
      version: 1,
      rowVersion: 1,
      tags: ['making', 'electronics'],
      image: { source: 'generated', contentType: 'image/png' },
    });
    expect(badge.image.design).toMatchObject({ shape: 'circle', text: 'Young maker', icon: 'star' });
    expect(badge.achievementUrl).toBe(`http://learnscape.test/c/plymouth/badges/${badge.id}/versions/1`);
    const again = await create(badgeInput());
    expect(again.json().slug).toBe('young-maker-2');

    const png = await t.app.inject({ url: `/c/plymouth/badges/young-maker/image.png`, headers: staff });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(await sharp(png.rawPayload).metadata()).toMatchObject({ width: 512, height: 512 });
    const svg = await t.app.inject({ url: `/c/plymouth/badges/young-maker/image.svg`, headers: staff });
    expect(svg.body).toContain('<title id="badge-title">A blue circle with a star and the words Young maker</title>');
    expect(svg.headers['content-security-policy']).toContain("default-src 'none'");
    // Nobody else sees a draft, nor its image or achievement.
    expect((await t.app.inject({ url: `/c/plymouth/badges/young-maker/image.png` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/c/plymouth/badges/${badge.id}/versions/1` })).statusCode).toBe(404);
    const [audit] = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY created_at`,
      [badge.id],
    );
    expect(audit?.action).toBe('badge_class.create');
  });

  it('refuses bad input with a JSON pointer for every rule, and writes nothing', async () => {
    const response = await create(
      badgeInput({
        name: { lt: 'Tik lietuviškai' },
        description: { it: 'Solo italiano' },
        imageAlt: {},
        validityMonths: 601,
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
    expect(response.json().error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/validityMonths']),
    );
    const semantic = await create(
      badgeInput({ name: { lt: 'Tik lietuviškai' }, description: { it: 'Solo italiano' }, imageAlt: {} }),
    );
    expect(semantic.statusCode).toBe(400);
    expect(semantic.json().error.details.map((d: { field: string }) => d.field)).toEqual([
      '/name/en',
      '/description/it',
      '/imageAlt/en',
    ]);

    const fields = await problemFields(() =>
      createBy(
        badgeInput({
          slug: 'Not A Slug',
          kind: 'trophy' as 'skill',
          name: { en: 'Yo' },
          criteria: { en: 'x'.repeat(10_001) },
          requirements: [
            { kind: 'video' as 'text', instructions: {} },
            ...Array.from({ length: 10 }, () => ({ kind: 'text' as const, instructions: { en: 'Say why.' } })),
          ],
          image: {
            source: 'generated',
            design: {
              shape: 'blob' as 'circle',
              background: 'blue',
              foreground: '#777777',
              accent: '#000000',
              icon: 'rocket',
              text: 'x'.repeat(25),
            },
          },
          tags: Array.from({ length: 21 }, (_, i) => `tag ${i}`),
          validityMonths: 0,
          skills: [{ skillId: 'not-a-uuid' }, { skillId: skillId, level: 9 }],
          prerequisites: ['nope'],
          activities: [{ activityId: 'nope' }],
          peerConfirmationsRequired: 21,
        }),
      ),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        '/slug',
        '/kind',
        '/name/en',
        '/criteria/en',
        '/requirements',
        '/requirements/0/kind',
        '/requirements/0/instructions/en',
        '/image/design/shape',
        '/image/design/background',
        '/image/design/icon',
        '/image/design/text',
        '/tags',
        '/validityMonths',
        '/skills/0/skillId',
        '/skills/1/level',
        '/prerequisites/0',
        '/activities/0/activityId',
        '/peerConfirmationsRequired',
      ]),
    );
    // Contrast is judged between text and background: grey on white is too faint, white on blue is fine.
    const contrast = await problemFields(() =>
      createBy(
        badgeInput({
          image: {
            source: 'generated',
            design: {
              shape: 'circle',
              background: '#ffffff',
              foreground: '#777777',
              accent: '#000000',
              icon: 'star',
              text: '',
            },
          },
        }),
      ),
    );
    expect(contrast).toEqual(['/image/design/foreground']);
    const tooMany = await problemFields(() =>
      createBy(badgeInput({ skills: Array.from({ length: 21 }, () => ({ skillId: randomUUID() })) })),
    );
    expect(tooMany).toEqual(['/skills']);
    const [count] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM badge_classes WHERE slug = 'yo'");
    expect(count?.n).toBe(0);
  });

  it('checks skills against the spine, prerequisites and activities against the city', async () => {
    const first = await createBy(badgeInput({ name: { en: 'Prerequisite one' }, skills: [{ skillId, level: 3 }] }));
    expect(first.skills).toEqual([expect.objectContaining({ skillId, level: 3 })]);
    const second = await createBy(badgeInput({ name: { en: 'Prerequisite two' }, prerequisites: [first.id] }));
    expect(second.prerequisites.map((p) => p.id)).toEqual([first.id]);

    // Not in the spine: a skill of a framework the city does not use.
    const [outside] = await t.db.query<{ id: string }>(
      `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
        WHERE f.slug <> 'digcomp' AND f.city_id IS NULL LIMIT 1`,
    );
    if (outside) {
      expect(await problemFields(() => createBy(badgeInput({ skills: [{ skillId: outside.id }] })))).toEqual([
        '/skills/0/skillId',
      ]);
    }
    // Itself, and a circle: one requires two, so two cannot require one.
    expect(
      await problemFields(() =>
        updateBadgeClass(t.db, city, second.id, badgeInput({ prerequisites: [second.id] }), systemCaller),
      ),
    ).toEqual(['/prerequisites/0']);
    const circle = await problemFields(() =>
      updateBadgeClass(
        t.db,
        city,
        first.id,
        badgeInput({ name: { en: 'Prerequisite one' }, prerequisites: [second.id] }),
        systemCaller,
      ),
    );
    expect(circle).toEqual(['/prerequisites/0']);
    // Another organisation's draft and another city's badge are not found.
    const othersDraft = await createBy(badgeInput({ name: { en: 'Library draft' } }), trustedOrganisationId);
    expect(await problemFields(() => createBy(badgeInput({ prerequisites: [othersDraft.id] })))).toEqual([
      '/prerequisites/0',
    ]);
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
      otherCity.id,
      organisationId,
    ]);
    const elsewhere = await createBadgeClass(
      t.db,
      otherCity,
      organisationId,
      {
        kind: 'participation',
        name: { it: 'Altrove' },
        description: { it: 'Un distintivo di un’altra città.' },
        criteria: { it: 'Partecipare.' },
        imageAlt: { it: 'Un cerchio blu' },
      },
      systemCaller,
    );
    expect(await problemFields(() => createBy(badgeInput({ prerequisites: [elsewhere.id] })))).toEqual([
      '/prerequisites/0',
    ]);

    // Activities: the organisation's own may award on attendance; another's published one may only be linked.
    const own = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: 'Our club' } }),
      systemCaller,
    );
    const theirs = await createActivity(
      t.db,
      city,
      trustedOrganisationId,
      activityInput({ title: { en: 'Library club' } }),
      systemCaller,
      { publish: true },
    );
    const theirsDraft = await createActivity(
      t.db,
      city,
      trustedOrganisationId,
      activityInput({ title: { en: 'Library draft club' } }),
      systemCaller,
    );
    const linked = await createBy(
      badgeInput({
        name: { en: 'Club member' },
        activities: [{ activityId: own.id, awardOnAttendance: true }, { activityId: theirs.id }],
      }),
    );
    expect(linked.activities).toHaveLength(2);
    expect(
      await problemFields(() =>
        createBy(
          badgeInput({
            activities: [{ activityId: theirs.id, awardOnAttendance: true }, { activityId: theirsDraft.id }],
          }),
        ),
      ),
    ).toEqual(['/activities/0/awardOnAttendance', '/activities/1/activityId']);
    // The public activity page lists published badges only: none yet.
    expect(await listBadgesOfActivity(t.db, city.id, own.id)).toEqual([]);
    await publishBadgeClass(t.db, city, linked.id, systemCaller);
    expect((await listBadgesOfActivity(t.db, city.id, theirs.id)).map((badge) => badge.id)).toEqual([linked.id]);
  });

  it('takes PNG and safe SVG uploads and refuses scripts, text and files over 2 MB', async () => {
    const badge = (await create(badgeInput({ name: { en: 'Uploaded image' } }))).json();
    const png = await upload(badge.id, solidPng(600, 600), 'image/png', '?alt=A%20green%20square');
    expect(png.statusCode, png.body).toBe(200);
    expect(png.json().image).toMatchObject({ source: 'upload', contentType: 'image/png', design: null, svgUrl: null });
    expect(png.json().image.alt.en).toBe('A green square');
    const current = await t.app.inject({ url: `/c/plymouth/badges/uploaded-image/image.png`, headers: staff });
    expect(await sharp(current.rawPayload).metadata()).toMatchObject({ format: 'png', width: 600, height: 600 });
    expect(
      (await t.app.inject({ url: `/c/plymouth/badges/uploaded-image/image.svg`, headers: staff })).statusCode,
    ).toBe(404);

    const evil = await upload(
      badge.id,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'image/svg+xml',
    );
    expect(evil.statusCode).toBe(400);
    expect(evil.json().error.code).toBe('BADGE_IMAGE_INVALID');
    expect(evil.json().error.details[0].problem).toMatch(/script/);
    const text = await upload(badge.id, Buffer.from('Just a note, not a picture.'), 'application/octet-stream');
    expect(text.json().error.code).toBe('BADGE_IMAGE_INVALID');
    const large = await upload(badge.id, Buffer.alloc(MAX_UPLOAD_BYTES + 100, 0x89), 'image/png');
    expect(large.statusCode).toBe(413);
    expect(large.json().error.code).toBe('BADGE_IMAGE_TOO_LARGE');

    const svg = await upload(
      badge.id,
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#c00"/></svg>',
      ),
      'image/svg+xml',
    );
    expect(svg.statusCode, svg.body).toBe(200);
    expect(svg.json().image.contentType).toBe('image/svg+xml');
    const served = await t.app.inject({ url: `/c/plymouth/badges/uploaded-image/image.svg`, headers: staff });
    expect(served.body).toContain('<circle cx="5" cy="5" r="4" fill="#c00"/>');
    const rendered = await t.app.inject({ url: `/c/plymouth/badges/uploaded-image/image.png`, headers: staff });
    expect(await sharp(rendered.rawPayload).metadata()).toMatchObject({ format: 'png', width: 512 });

    // Multipart form data works as well, and a generated design can replace an upload.
    const boundary = 'badge-boundary';
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="b.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      solidPng(32, 32),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const viaForm = await upload(badge.id, multipart, `multipart/form-data; boundary=${boundary}`);
    expect(viaForm.statusCode, viaForm.body).toBe(200);
    expect(viaForm.json().image.contentType).toBe('image/png');
    const design = {
      shape: 'shield',
      background: '#1b4332',
      foreground: '#ffffff',
      accent: '#f2b705',
      icon: 'leaf',
      text: 'Green',
    };
    const generated = await put(
      badge.id,
      badgeInput({
        name: { en: 'Uploaded image' },
        image: { source: 'generated', design } as BadgeClassInput['image'],
      }),
    );
    expect(generated.json().image).toMatchObject({ source: 'generated', design });
  });

  it('publishes complete badges of approved organisations, and archives them', async () => {
    const [pending] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('pending-club', 'Pending club', '{provider}') RETURNING id`,
    );
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'pending')`, [
      city.id,
      pending?.id,
    ]);
    const pendingBadge = await createBy(badgeInput({ name: { en: 'Pending badge' } }), pending?.id as string);
    await expect(publishBadgeClass(t.db, city, pendingBadge.id, systemCaller)).rejects.toMatchObject({
      code: 'BADGE_STATE_CONFLICT',
    });

    const required = await createBy(badgeInput({ name: { en: 'Required first' } }));
    const badge = (await create(badgeInput({ name: { en: 'Needs another' }, prerequisites: [required.id] }))).json();
    const refused = await action(badge.id, 'publish');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([expect.objectContaining({ field: '/prerequisites/0' })]);
    await publishBadgeClass(t.db, city, required.id, systemCaller);
    const published = await action(badge.id, 'publish');
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', rowVersion: 2 });
    expect((await action(badge.id, 'publish')).json().error.code).toBe('BADGE_STATE_CONFLICT');
    expect((await t.app.inject({ url: '/c/plymouth/badges/needs-another/image.png' })).statusCode).toBe(200);

    const archived = await action(badge.id, 'archive');
    expect(archived.json()).toMatchObject({ status: 'archived' });
    await expect(badgeForIssuing(t.db, t.config, city, badge.id)).rejects.toMatchObject({
      code: 'BADGE_NOT_PUBLISHED',
    });
    const edit = await put(badge.id, badgeInput({ name: { en: 'Needs another' } }));
    expect(edit.json().error.code).toBe('BADGE_STATE_CONFLICT');
    // Still there for its earners: the achievement and image resolve.
    expect((await t.app.inject({ url: `/c/plymouth/badges/${badge.id}/versions/1` })).statusCode).toBe(200);
    expect((await action(badge.id, 'publish')).json().status).toBe('published');
    const actions = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY created_at, id`,
      [badge.id],
    );
    expect(actions.map((row) => row.action)).toEqual([
      'badge_class.create',
      'badge_class.publish',
      'badge_class.archive',
      'badge_class.publish',
    ]);
  });

  it('refuses a stale edit with BADGE_VERSION_CONFLICT', async () => {
    const badge = (await create(badgeInput({ name: { en: 'Concurrent' } }))).json();
    const first = await put(badge.id, { ...badgeInput({ name: { en: 'Concurrent one' } }), expectedRowVersion: 1 });
    expect(first.statusCode).toBe(200);
    expect(first.json().rowVersion).toBe(2);
    const second = await put(badge.id, { ...badgeInput({ name: { en: 'Concurrent two' } }), expectedRowVersion: 1 });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('BADGE_VERSION_CONFLICT');
    const slugTaken = await put(badge.id, badgeInput({ slug: 'young-maker', name: { en: 'Concurrent one' } }));
    expect(slugTaken.json().error.code).toBe('BADGE_SLUG_TAKEN');
  });

  it('serves the OB 3.0 Achievement of each version; an edit after issuing makes a new version', async () => {
    const badge = (
      await create(badgeInput({ name: { en: 'Versioned', lt: 'Versijuotas' }, skills: [{ skillId, level: 4 }] }))
    ).json();
    await action(badge.id, 'publish');
    const v1Url = `/c/plymouth/badges/${badge.id}/versions/1`;
    const live = await t.app.inject({ url: v1Url });
    expect(live.headers['cache-control']).toBe('public, max-age=60');

    const issuing = await badgeForIssuing(t.db, t.config, city, badge.id);
    expect(issuing).toMatchObject({ id: badge.id, version: 1, status: 'published', prerequisiteIds: [] });
    expect(issuing.achievement).toMatchObject({
      id: achievementUrl(t.config, 'plymouth', badge.id, 1),
      name: { en: 'Versioned', lt: 'Versijuotas' },
      achievementType: 'Competency',
      criteria: { id: `http://learnscape.test/c/plymouth/badges/${badge.id}` },
      image: { id: `http://learnscape.test/c/plymouth/badges/${badge.id}/versions/1/image.png` },
      inLanguage: 'en',
      version: '1',
    });
    expect(issuing.achievement.creator?.id).toMatch(/^did:web:learnscape\.test:issuers:/);
    expect(issuing.achievement.alignments).toEqual([
      expect.objectContaining({ targetType: 'ceasn:Competency', targetFramework: expect.any(String) }),
    ]);
    // Idempotent: the first snapshot stays.
    expect((await badgeForIssuing(t.db, t.config, city, badge.id)).achievement).toEqual(issuing.achievement);

    const document = await t.app.inject({ url: v1Url, headers: { accept: 'application/json' } });
    expect(document.statusCode).toBe(200);
    expect(document.headers['cache-control']).toBe('public, max-age=3600');
    const achievement = JSON.parse(document.body);
    expect(achievement['@context']).toEqual([VC_V2_CONTEXT, OB_V3_CONTEXT]);
    expect(achievement).toMatchObject({
      id: `http://learnscape.test${v1Url}`,
      type: ['Achievement'],
      achievementType: 'Competency',
      name: [
        { '@value': 'Versioned', '@language': 'en' },
        { '@value': 'Versijuotas', '@language': 'lt' },
      ],
    });
    // Every term is defined by the pinned contexts (safe mode fails on anything that would be dropped).
    const expanded = await jsonld.expand(achievement, { documentLoader: contextDocumentLoader, safe: true } as never);
    expect(JSON.stringify(expanded)).toContain('https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement');
    const html = await t.app.inject({ url: v1Url, headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe('/c/plymouth/badges/versioned');
    const ob2 = (await t.app.inject({ url: `${v1Url}/ob2` })).json();
    expect(ob2).toMatchObject({ type: 'BadgeClass', id: `http://learnscape.test${v1Url}/ob2`, name: 'Versioned' });
    expect(ob2.issuer).toMatch(/\/issuers\/.+\/ob2$/);

    // No credential carries version 1 yet: an edit is made in place.
    expect(await countCredentialsAtVersion(t.db, city.id, badge.id, 1)).toBe(0);
    const inPlace = await put(badge.id, badgeInput({ name: { en: 'Versioned again' } }));
    expect(inPlace.json().version).toBe(1);
    expect(JSON.parse((await t.app.inject({ url: v1Url })).body).name).toBe('Versioned again');

    // A credential of version 1 (rows made directly; the credentials module issues them for real).
    await badgeForIssuing(t.db, t.config, city, badge.id);
    await insertCredential(t, city.id, organisationId, badge.id, 1);
    expect(await countCredentialsAtVersion(t.db, city.id, badge.id, 1)).toBe(1);
    const oldPng = Buffer.from((await badgeImageBytes(t.db, city, badge.id)).png);

    // Changing something credentials do not carry keeps the version.
    const sameVersion = await put(badge.id, badgeInput({ name: { en: 'Versioned again' }, validityMonths: 12 }));
    expect(sameVersion.json().version).toBe(1);
    const newVersion = await put(
      badge.id,
      badgeInput({
        name: { en: 'Versioned, second edition' },
        validityMonths: 12,
        image: {
          source: 'generated',
          design: {
            shape: 'star',
            background: '#000000',
            foreground: '#ffffff',
            accent: '#ff0000',
            icon: 'code',
            text: '2',
          },
        },
      }),
    );
    expect(newVersion.json().version).toBe(2);
    expect(newVersion.json().achievementUrl).toMatch(/\/versions\/2$/);
    // Version 1 stays as issued, with its image.
    const v1Again = JSON.parse((await t.app.inject({ url: v1Url })).body);
    expect(v1Again.name).toBe('Versioned again');
    const v1Image = await t.app.inject({ url: `${v1Url}/image.png` });
    expect(v1Image.headers['cache-control']).toContain('immutable');
    expect(Buffer.compare(v1Image.rawPayload, oldPng)).toBe(0);
    expect(Buffer.compare(Buffer.from((await badgeImageBytes(t.db, city, badge.id, 1)).png), oldPng)).toBe(0);
    const v1Svg = await t.app.inject({ url: `${v1Url}/image.svg` });
    expect(v1Svg.body).toContain('>Versioned</text>');
    const v2 = JSON.parse((await t.app.inject({ url: `/c/plymouth/badges/${badge.id}/versions/2` })).body);
    expect(v2).toMatchObject({ name: 'Versioned, second edition', version: '2' });
    expect((await t.app.inject({ url: `/c/plymouth/badges/${badge.id}/versions/3` })).statusCode).toBe(404);
    expect((await badgeForIssuing(t.db, t.config, city, badge.id)).version).toBe(2);
  });

  it('keeps each issued version’s image: a new upload after issuing leaves the old version’s image as it was', async () => {
    const badge = (await create(badgeInput({ name: { en: 'Image kept' } }))).json();
    const circle =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#036"/></svg>';
    expect((await upload(badge.id, Buffer.from(circle), 'image/svg+xml')).statusCode).toBe(200);
    // The SVG upload is stored with its PNG: the row holds both, and its content type is the PNG's.
    const [row] = await t.db.query<{ image_content_type: string; image_svg: string | null }>(
      'SELECT image_content_type, image_svg FROM badge_classes WHERE id = $1',
      [badge.id],
    );
    expect(row).toMatchObject({ image_content_type: 'image/png', image_svg: expect.stringContaining('fill="#036"') });
    await action(badge.id, 'publish');
    expect((await badgeForIssuing(t.db, t.config, city, badge.id)).achievement).not.toHaveProperty('_image');
    await insertCredential(t, city.id, organisationId, badge.id, 1);
    const v1Url = `/c/plymouth/badges/${badge.id}/versions/1`;
    const oldPng = (await t.app.inject({ url: `${v1Url}/image.png` })).rawPayload;
    const oldSvg = (await t.app.inject({ url: `${v1Url}/image.svg` })).body;
    expect(oldSvg).toContain('fill="#036"');

    const changed = await upload(badge.id, solidPng(300, 300), 'image/png');
    expect(changed.json()).toMatchObject({ version: 2, image: { contentType: 'image/png', svgUrl: null } });
    const v1Png = await t.app.inject({ url: `${v1Url}/image.png` });
    expect(v1Png.headers['cache-control']).toContain('immutable');
    expect(Buffer.compare(v1Png.rawPayload, oldPng)).toBe(0);
    expect((await t.app.inject({ url: `${v1Url}/image.svg` })).body).toBe(oldSvg);
    expect(Buffer.compare(Buffer.from((await badgeImageBytes(t.db, city, badge.id, 1)).png), oldPng)).toBe(0);
    // The badge itself and its next version show the new image.
    const current = await t.app.inject({ url: '/c/plymouth/badges/image-kept/image.png' });
    expect(await sharp(current.rawPayload).metadata()).toMatchObject({ width: 300, height: 300 });
    const v2 = `/c/plymouth/badges/${badge.id}/versions/2`;
    expect(Buffer.compare((await t.app.inject({ url: `${v2}/image.png` })).rawPayload, current.rawPayload)).toBe(0);
    expect((await t.app.inject({ url: `${v2}/image.svg` })).statusCode).toBe(404);
  });

  it('lets API tokens with badges:write change badges, and badges:read only read them', async () => {
    const writer = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'badges', scopes: ['badges:read', 'badges:write'] },
      systemCaller,
    );
    const made = await create(badgeInput({ name: { en: 'Token badge' } }), {
      authorization: `Bearer ${writer.secret}`,
    });
    expect(made.statusCode, made.body).toBe(201);
    const reader = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'read', scopes: ['badges:read'] },
      systemCaller,
    );
    const listed = await t.app.inject({ url: base(), headers: { authorization: `Bearer ${reader.secret}` } });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((item: { id: string }) => item.id)).toContain(made.json().id);
    const refused = await create(badgeInput(), { authorization: `Bearer ${reader.secret}` });
    expect(refused.json().error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('lists an organisation’s badges by status in keyset pages', async () => {
    const first = await t.app.inject({ url: `${base()}?status=draft&limit=2`, headers: staff });
    expect(first.json().items).toHaveLength(2);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    const second = await t.app.inject({
      url: `${base()}?status=draft&limit=2&cursor=${first.json().nextCursor}`,
      headers: staff,
    });
    const ids = [...first.json().items, ...second.json().items].map((item: { id: string }) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of [...first.json().items, ...second.json().items]) expect(item.status).toBe('draft');
    const bad = await t.app.inject({ url: `${base()}?cursor=garbage`, headers: staff });
    expect(bad.json().error.details[0].field).toBe('/cursor');
  });

  it('keeps badges in their city: another city’s paths and other organisations find nothing', async () => {
    const badge = (await create(badgeInput({ name: { en: 'Plymouth only' } }))).json();
    const viaOtherCity = await t.app.inject({
      url: `/api/v1/cities/plymouth-elsewhere/organisations/${organisationId}/badges/${badge.id}`,
      headers: staff,
    });
    expect(viaOtherCity.statusCode).toBe(404);
    const viaOtherOrganisation = await t.app.inject({
      url: `/api/v1/cities/plymouth/organisations/${trustedOrganisationId}/badges/${badge.id}`,
      headers: (
        await signIn(t.app, t.db, { role: 'organisation', organisationId: trustedOrganisationId, membership: 'admin' })
      ).headers,
    });
    expect(viaOtherOrganisation.statusCode).toBe(404);
    await expect(badgeForIssuing(t.db, t.config, otherCity, badge.id)).rejects.toMatchObject({
      code: 'BADGE_NOT_FOUND',
    });
    expect((await t.app.inject({ url: `/c/plymouth-elsewhere/badges/${badge.id}/versions/1` })).statusCode).toBe(404);
  });

  it('has a public directory of published badges: search, kind and skill filters, pages', async () => {
    const publishNew = async (name: string, kind: BadgeClassInput['kind'], extra: Partial<BadgeClassInput> = {}) => {
      const made = await createBy(badgeInput({ name: { en: name }, kind, ...extra }));
      await publishBadgeClass(t.db, city, made.id, systemCaller);
      return made;
    };
    await publishNew('Zebra crossing helper', 'participation', { tags: ['road safety'] });
    const aligned = await publishNew('Zebra finch watcher', 'skill', { skills: [{ skillId }] });
    await createBy(badgeInput({ name: { en: 'Zebra draft' } }));
    const search = (query: string) => t.app.inject({ url: `/api/v1/cities/plymouth/badges?${query}` });
    const zebras = (await search('q=zebra')).json();
    expect(zebras.items.map((item: { name: { en: string } }) => item.name.en)).toEqual([
      'Zebra crossing helper',
      'Zebra finch watcher',
    ]);
    expect(zebras.items[0].pageUrl).toBe('http://learnscape.test/c/plymouth/badges/zebra-crossing-helper');
    expect((await search('q=road%20safety')).json().total).toBe(1);
    expect((await search('q=zebra&kind=participation')).json().items).toHaveLength(1);
    const bySkill = (await search(`skill=${skillId}`)).json();
    expect(bySkill.items.map((item: { id: string }) => item.id)).toContain(aligned.id);
    expect(bySkill.items.every((item: { status: string }) => item.status === 'published')).toBe(true);
    const paged = (await search('q=zebra&pageSize=1&page=2')).json();
    expect(paged).toMatchObject({ page: 2, pageSize: 1, total: 2 });
    expect(paged.items[0].name.en).toBe('Zebra finch watcher');
    expect((await t.app.inject({ url: '/api/v1/cities/plymouth-elsewhere/badges?q=zebra' })).json().total).toBe(0);
  });

  // ── The organiser's and public pages (forms post like browsers: urlencoded, `_csrf`, session cookie) ──────────

  const page = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
  const postForm = (url: string, fields: [string, string][]) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: {
        accept: 'text/html',
        cookie: staff.cookie as string,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams([['_csrf', staff['x-csrf-token'] as string], ...fields]).toString(),
    });
  const manage = () => `/c/plymouth/manage/${organisationId}/badges`;
  const formFields = (name: string): [string, string][] => [
    ['kind', 'competence'],
    ['name-en', name],
    ['description-en', 'Looked after the community garden all season.'],
    ['criteria-en', 'Tend a bed for a season.\n\nShare the harvest.'],
    ['alt-en', 'A green shield with a leaf'],
    ['imageSource', 'generated'],
    ['design-shape', 'shield'],
    ['design-background', '#1b4332'],
    ['design-foreground', '#ffffff'],
    ['design-accent', '#f2b705'],
    ['design-icon', 'leaf'],
    ['design-text', 'Gardener'],
    ['tags', 'gardens, outdoors'],
    ['validityMonths', '24'],
    ['skills', skillId],
    [`skillsLevel[${skillId}]`, '2'],
    ['requirements-0-kind', 'photo'],
    ['requirements-0-instructions-en', 'A photo of your bed in bloom.'],
    ['evidenceClaimsOpen', 'true'],
    ['peerConfirmationsRequired', '2'],
  ];

  it('the organiser designs a badge in the form: previews, errors beside fields, saves, publishes', async () => {
    const empty = await page(manage(), staff);
    expect(empty.statusCode).toBe(200);
    const form = await page(`${manage()}/new`, staff);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('id="field-name-en"');
    expect(form.body).toContain('data:image/svg+xml;base64,');

    // Preview: the design is drawn, nothing is saved, everything typed stays.
    const preview = await postForm(`${manage()}/new`, [...formFields('Community gardener'), ['intent', 'preview']]);
    expect(preview.statusCode).toBe(200);
    const svg = Buffer.from(/data:image\/svg\+xml;base64,([^"]+)"/.exec(preview.body)?.[1] ?? '', 'base64').toString();
    expect(svg).toContain('>Gardener</text>');
    expect(svg).toContain('<title id="badge-title">A green shield with a leaf</title>');
    expect(preview.body).toContain('value="Community gardener"');
    const added = await postForm(`${manage()}/new`, [
      ...formFields('Community gardener'),
      ['intent', 'addRequirement'],
    ]);
    expect(added.body).toContain('id="field-requirements-1-kind"');

    // Problems come back beside their fields, with nothing typed lost.
    const invalid = await postForm(`${manage()}/new`, [
      ...formFields('Community gardener').filter(([name]) => !['alt-en', 'design-foreground'].includes(name)),
      ['design-foreground', '#2b5342'],
      ['alt-en', ''],
      ['intent', 'save'],
    ]);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toMatch(/id="field-alt-en-error">[^<]+</);
    expect(invalid.body).toMatch(/id="field-design-foreground-error">[^<]*contrast/);
    expect(invalid.body).toContain('Tend a bed for a season.');
    expect(invalid.body).toContain('value="#2b5342"');

    const saved = await postForm(`${manage()}/new`, [...formFields('Community gardener'), ['intent', 'save']]);
    expect(saved.statusCode).toBe(303);
    const id = /\/badges\/([0-9a-f-]{36})\?done=created$/.exec(saved.headers.location as string)?.[1] as string;
    const edit = await page(`${manage()}/${id}?done=created`, staff);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('role="status"');
    expect(edit.body).toContain('A photo of your bed in bloom.');
    const stored = (await t.app.inject({ url: `${base()}/${id}`, headers: staff })).json();
    expect(stored).toMatchObject({
      kind: 'competence',
      slug: 'community-gardener',
      validityMonths: 24,
      evidenceClaimsOpen: true,
      peerConfirmationsRequired: 2,
      tags: ['gardens', 'outdoors'],
      requirements: [{ kind: 'photo', instructions: { en: 'A photo of your bed in bloom.' } }],
      skills: [expect.objectContaining({ skillId, level: 2 })],
      image: { design: { shape: 'shield', icon: 'leaf', text: 'Gardener' } },
    });

    // A stale form says so instead of overwriting.
    const stale = await postForm(`${manage()}/${id}`, [
      ...formFields('Community gardener'),
      ['version', '0'],
      ['intent', 'save'],
    ]);
    expect(stale.statusCode).toBe(409);

    // Publishing asks first; then the public page and the directory show it.
    const confirm = await page(`${manage()}/${id}/publish`, staff);
    expect(confirm.body).toContain(`action="${manage()}/${id}/publish"`);
    const published = await postForm(`${manage()}/${id}/publish`, []);
    expect(published.statusCode).toBe(303);
    expect(published.headers.location).toBe(`${manage()}?status=published&done=published`);
    const listed = await page(`${manage()}?status=published&done=published`, staff);
    expect(listed.body).toContain('Community gardener');

    const publicPage = await page('/c/plymouth/badges/community-gardener');
    expect(publicPage.statusCode).toBe(200);
    expect(publicPage.body).toContain('<h1 lang="en">Community gardener</h1>');
    expect(publicPage.body).toContain('alt="A green shield with a leaf"');
    expect(publicPage.body).toContain(`href="/issuers/${organisationId}"`);
    expect(publicPage.body).toContain(
      '<meta property="og:image" content="http://learnscape.test/c/plymouth/badges/community-gardener/image.png',
    );
    expect(publicPage.body).toContain(`/c/plymouth/skills/${skillId}`);
    expect(publicPage.body).toContain('Send evidence');
    expect(publicPage.body).toMatch(/Ask 2 people who hold this badge/);
    expect(publicPage.body).toContain('href="/c/plymouth/badges/community-gardener/apply"');
    expect(publicPage.body).toContain('href="/c/plymouth/badges/community-gardener/peer-requests"');
    expect(publicPage.body).toContain('Tend a bed for a season.</p><p>Share the harvest.');
    // The stable id address (the credentials' criteria URL) leads to the page.
    const byId = await page(`/c/plymouth/badges/${id}`);
    expect(byId.statusCode).toBe(301);
    expect(byId.headers.location).toBe('/c/plymouth/badges/community-gardener');
    const directory = await page('/c/plymouth/badges?q=gardener');
    expect(directory.body).toContain('href="/c/plymouth/badges/community-gardener"');
    const none = await page('/c/plymouth/badges?q=nothing-like-this');
    expect(none.body).toContain('No badge matches your search');
    const sitemap = await t.app.inject({ url: '/c/plymouth/sitemap.xml' });
    expect(sitemap.body).toContain('http://learnscape.test/c/plymouth/badges/community-gardener');
    expect(sitemap.body).not.toContain('/c/plymouth/badges/zebra-draft');

    // Archiving asks first too.
    const archived = await postForm(`${manage()}/${id}/archive`, []);
    expect(archived.headers.location).toBe(`${manage()}?status=archived&done=archived`);
    expect((await page('/c/plymouth/badges/community-gardener')).body).toContain('no longer awarded');
  });

  it('refuses to publish an incomplete badge on the confirmation page, and uploads images from the form', async () => {
    const required = await createBy(badgeInput({ name: { en: 'Draft prerequisite' } }));
    const badge = await createBy(badgeInput({ name: { en: 'Form upload' }, prerequisites: [required.id] }));
    const refused = await postForm(`${manage()}/${badge.id}/publish`, []);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('must be published first');

    const boundary = 'form-boundary';
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = (file: Buffer, type: string) =>
      Buffer.concat([
        Buffer.from(part('_csrf', staff['x-csrf-token'] as string) + part('upload-alt-en', 'A red dot')),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x"\r\nContent-Type: ${type}\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const send = (file: Buffer, type: string) =>
      t.app.inject({
        method: 'POST',
        url: `${manage()}/${badge.id}/image`,
        headers: {
          accept: 'text/html',
          cookie: staff.cookie as string,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: body(file, type),
      });
    const bad = await send(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>'),
      'image/svg+xml',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="field-image-error">[^<]*foreignObject/);
    const good = await send(solidPng(40, 40), 'image/png');
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toContain('done=imageUploaded');
    const stored = (await t.app.inject({ url: `${base()}/${badge.id}`, headers: staff })).json();
    expect(stored.image).toMatchObject({ source: 'upload', alt: { en: 'A red dot' } });
  });

  it('shows the badges an activity leads to on the activity page', async () => {
    const activity = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: 'Garden club' } }),
      systemCaller,
      { publish: true },
    );
    const badge = await createBy(
      badgeInput({
        name: { en: 'Garden club member' },
        activities: [{ activityId: activity.id, awardOnAttendance: true }],
      }),
    );
    await publishBadgeClass(t.db, city, badge.id, systemCaller);
    const activityPage = await page(`/c/plymouth/activities/${activity.slug}`);
    expect(activityPage.body).toContain('Badges this activity leads to');
    expect(activityPage.body).toContain('href="/c/plymouth/badges/garden-club-member"');
    expect(activityPage.body).toContain('awarded when you attend');
    const badgePage = await page('/c/plymouth/badges/garden-club-member');
    expect(badgePage.body).toContain(`href="/c/plymouth/activities/${activity.slug}"`);
    expect(badgePage.body).toContain('the badge is awarded when you are marked as attended');
  });
});

/** A minimal credential row of a badge version, with the issuer key and status lists it needs. */
async function insertCredential(
  t: TestApp,
  cityId: string,
  organisationId: string,
  badgeClassId: string,
  version: number,
) {
  const [key] = await t.db.query<{ id: string }>(
    `SELECT id FROM issuer_keys WHERE organisation_id = $1 AND status = 'active'`,
    [organisationId],
  );
  const list = async (purpose: string) =>
    (
      await t.db.query<{ id: string }>(
        `INSERT INTO status_lists (city_id, organisation_id, purpose, sequence, length, encoded_list)
         VALUES ($1, $2, $3, (SELECT coalesce(max(sequence), 0) + 1 FROM status_lists WHERE city_id = $1 AND organisation_id = $2 AND purpose = $3), 131072, 'u')
         RETURNING id`,
        [cityId, organisationId, purpose],
      )
    )[0]?.id;
  await t.db.query(
    `INSERT INTO badge_credentials (city_id, organisation_id, badge_class_id, badge_version, recipient_email,
       identity_salt, document, signing_key_id, revocation_list_id, revocation_index, suspension_list_id,
       suspension_index, claim_route)
     VALUES ($1, $2, $3, $4, 'learner@example.org', 'salt', '{}', $5, $6, 0, $7, 0, 'award')`,
    [cityId, organisationId, badgeClassId, version, key?.id, await list('revocation'), await list('suspension')],
  );
}
