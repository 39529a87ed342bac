import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { signIn } from '../helpers/auth.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

/** The curator pages of the skills spine: forms post like browsers do (urlencoded, `_csrf` field, session cookie). */
describe(`skills curation pages on ${testEngine}`, () => {
  let t: TestApp;
  let vilniusId: string;
  let curator: { cookie: string; csrf: string };
  let torinoCurator: { cookie: string; csrf: string };
  const base = '/c/vilnius/curate/skills';

  const localId = async (code: string): Promise<string> => {
    const [row] = await t.db.query<{ id: string }>('SELECT id FROM skills WHERE city_id = $1 AND code = $2', [
      vilniusId,
      code,
    ]);
    if (!row) throw new Error(`no local skill ${code}`);
    return row.id;
  };
  const frameworkSkill = async (framework: string, code: string): Promise<string> => {
    const [row] = await t.db.query<{ id: string }>(
      `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
       WHERE f.slug = $1 AND f.city_id IS NULL AND s.code = $2`,
      [framework, code],
    );
    if (!row) throw new Error(`no skill ${framework} ${code}`);
    return row.id;
  };
  const counts = async () =>
    (
      await t.db.query<{ skills: number; crosswalks: number; frameworks: number; audit: number }>(
        `SELECT (SELECT count(*)::int FROM skills WHERE city_id = $1) AS skills,
           (SELECT count(*)::int FROM skill_crosswalks WHERE city_id = $1) AS crosswalks,
           (SELECT count(*)::int FROM city_skill_frameworks WHERE city_id = $1) AS frameworks,
           (SELECT count(*)::int FROM audit_log WHERE city_id = $1) AS audit`,
        [vilniusId],
      )
    )[0];
  const get = (url: string, who: { cookie: string } | null = curator) =>
    t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(who ? { cookie: who.cookie } : {}) } });
  /** Posts a form as a browser would; `csrf: false` leaves the token out. */
  const post = (
    url: string,
    fields: [string, string][],
    options: { who?: { cookie: string; csrf: string }; csrf?: boolean } = {},
  ) => {
    const who = options.who ?? curator;
    const body = new URLSearchParams(options.csrf === false ? fields : [['_csrf', who.csrf], ...fields]);
    return t.app.inject({
      method: 'POST',
      url,
      headers: { accept: 'text/html', cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  };
  /** The text of the error shown next to a field. */
  const fieldError = (html: string, name: string) =>
    html.match(new RegExp(`id="field-${name}-error">([^<]*)<`))?.[1] ?? null;

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
    vilniusId = (await t.db.query<{ id: string }>("SELECT id FROM cities WHERE slug = 'vilnius'"))[0]?.id as string;
    const asForm = (signedIn: { headers: { cookie: string; 'x-csrf-token': string } }) => ({
      cookie: signedIn.headers.cookie,
      csrf: signedIn.headers['x-csrf-token'],
    });
    curator = asForm(await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' }));
    torinoCurator = asForm(await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'torino' }));
  });
  afterAll(() => t?.close());

  it('lists the spine with nested local skills, linked from the curator area and the public skills page', async () => {
    const index = await get(`${base}?lang=en`);
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<h1>Skills spine</h1>');
    expect(index.body).toContain('In use: DigComp 2.2, EntreComp.');
    // Sub-skills sit in a list inside their parent's item.
    const parent = index.body.indexOf('Youth worker competences');
    const nested = index.body.indexOf('<ul class="skill-tree curation-tree">', parent);
    expect(parent).toBeGreaterThan(0);
    expect(nested).toBeGreaterThan(parent);
    expect(index.body.indexOf('Digital youth work')).toBeGreaterThan(nested);
    expect(index.body).toContain(`href="${base}/${await localId('youth-work.digital')}/crosswalks"`);
    expect(index.body).toContain('2 crosswalks');
    // The delete control: a confirming form with scripts, a confirmation page without.
    expect(index.body).toMatch(/data-confirm="Delete the local skill “Digital youth work”\?"/);
    expect(index.body).toContain(`href="${base}/${await localId('youth-work.digital')}/delete"`);

    expect((await get('/c/vilnius/curate?lang=en')).body).toContain(`href="${base}"`);
    expect((await get('/c/vilnius/skills?lang=en')).body).toContain(`href="${base}"`);
    expect((await get('/c/vilnius/skills?lang=en', null)).body).not.toContain(`href="${base}"`);
    expect((await get('/c/vilnius/skills?lang=en', torinoCurator)).body).not.toContain(`href="${base}"`);
    expect((await get(`${base}?lang=lt`)).body).toContain('<h1>Gebėjimų stuburas</h1>');
  });

  it('sets the city’s frameworks; an unknown framework shows an error and changes nothing', async () => {
    const page = await get(`${base}/frameworks?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<input type="checkbox" id="field-frameworks-digcomp" name="frameworks" value="digcomp" checked>/,
    );
    expect(page.body).toContain('value="greencomp">');
    // ESCO is offered once imported (the demo imports a sample).
    expect(page.body).toContain('value="esco">');

    const before = await counts();
    const bad = await post(`${base}/frameworks?lang=en`, [
      ['frameworks', 'digcomp'],
      ['frameworks', 'nonsense'],
    ]);
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'frameworks')).toBe('Choose among the frameworks listed.');
    expect(await counts()).toEqual(before);

    const saved = await post(`${base}/frameworks`, [
      ['frameworks', 'digcomp'],
      ['frameworks', 'entrecomp'],
      ['frameworks', 'greencomp'],
    ]);
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `${base}/frameworks?done=saved`]);
    const slugs = await t.db.query<{ slug: string }>(
      `SELECT f.slug FROM city_skill_frameworks c JOIN skill_frameworks f ON f.id = c.framework_id
       WHERE c.city_id = $1 ORDER BY f.slug`,
      [vilniusId],
    );
    expect(slugs.map((row) => row.slug)).toEqual(['digcomp', 'entrecomp', 'greencomp']);
    const after = await get(`${base}/frameworks?done=saved&lang=en`);
    expect(after.body).toContain('<p class="success" role="status">The city&#39;s frameworks are saved.</p>');
    expect(after.body).toContain('value="greencomp" checked>');
    await post(`${base}/frameworks`, [
      ['frameworks', 'digcomp'],
      ['frameworks', 'entrecomp'],
    ]);
  });

  it('creates a nested local skill with names and descriptions per city language', async () => {
    const form = await get(`${base}/new?lang=en`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<label for="field-label_lt">Name in Lietuvių</label>');
    expect(form.body).toContain('<label for="field-label_en">Name in English</label>');
    expect(form.body).toContain('<label for="field-description_en">Description in English</label>');
    expect(form.body).toContain(`<option value="${await localId('youth-work')}">Youth worker competences</option>`);
    expect(form.body).toContain('>— Digital youth work</option>');

    const created = await post(`${base}/new`, [
      ['label_lt', 'Konfliktų sprendimas'],
      ['label_en', 'Resolving conflicts'],
      ['description_lt', 'Padėti jauniems žmonėms spręsti konfliktus.'],
      ['description_en', 'Help young people resolve conflicts.'],
      ['parentId', await localId('youth-work')],
      ['code', ''],
    ]);
    expect([created.statusCode, created.headers.location]).toEqual([303, `${base}?done=created`]);
    const [row] = await t.db.query<{
      label: Record<string, string>;
      description: Record<string, string>;
      parent: string;
    }>(
      `SELECT s.label, s.description, p.code AS parent FROM skills s JOIN skills p ON p.id = s.parent_id
       WHERE s.city_id = $1 AND s.code = 'konfliktu-sprendimas'`,
      [vilniusId],
    );
    expect(row).toEqual({
      label: { lt: 'Konfliktų sprendimas', en: 'Resolving conflicts' },
      description: { lt: 'Padėti jauniems žmonėms spręsti konfliktus.', en: 'Help young people resolve conflicts.' },
      parent: 'youth-work',
    });
    const [audit] = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE city_id = $1 AND action = 'skills.local.create'",
      [vilniusId],
    );
    expect(audit?.action).toBe('skills.local.create');
    expect((await get(`${base}?done=created&lang=en`)).body).toContain('The local skill is created.');
  });

  it('shows bad input next to the field and writes nothing', async () => {
    const before = await counts();
    const noName = await post(`${base}/new?lang=en`, [
      ['label_lt', ' '],
      ['label_en', ''],
      ['description_en', 'A skill without a name'],
    ]);
    expect(noName.statusCode).toBe(400);
    expect(fieldError(noName.body, 'label')).toBe('Give the skill a name in at least one language.');
    expect(noName.body).toContain('<a href="#field-label">Name: Give the skill a name in at least one language.</a>');
    expect(noName.body).toContain('A skill without a name</textarea>'); // what was typed stays

    const duplicate = await post(`${base}/new?lang=en`, [
      ['label_en', 'Youth work again'],
      ['code', 'youth-work'],
    ]);
    expect(duplicate.statusCode).toBe(409);
    expect(fieldError(duplicate.body, 'code')).toMatch(/already uses this code/);
    expect(duplicate.body).toContain('aria-invalid="true"');

    const badCode = await post(`${base}/new?lang=en`, [
      ['label_en', 'Bad code'],
      ['code', 'Not A Code!'],
    ]);
    expect([badCode.statusCode, fieldError(badCode.body, 'code')]).toEqual([
      400,
      'Use 1–64 lowercase letters, digits, dots and hyphens.',
    ]);

    const badParent = await post(`${base}/new?lang=en`, [
      ['label_en', 'Under a framework skill'],
      ['parentId', await frameworkSkill('digcomp', '2.1')],
    ]);
    expect([badParent.statusCode, fieldError(badParent.body, 'parentId')]).toEqual([
      400,
      'Choose another local skill of this city, or none.',
    ]);

    // Nesting a skill under its own sub-skill is a cycle.
    const parentId = await localId('youth-work');
    const cycle = await post(`${base}/${parentId}/edit?lang=en`, [
      ['label_lt', 'Jaunimo darbuotojo kompetencijos'],
      ['label_en', 'Youth worker competences'],
      ['parentId', await localId('youth-work.planning')],
      ['code', 'youth-work'],
    ]);
    expect(cycle.statusCode).toBe(409);
    expect(fieldError(cycle.body, 'parentId')).toBe(
      'A skill cannot be part of itself or of one of its own sub-skills.',
    );
    expect(await counts()).toEqual(before);
    expect(
      (await t.db.query<{ parent_id: string | null }>('SELECT parent_id FROM skills WHERE id = $1', [parentId]))[0]
        ?.parent_id,
    ).toBeNull();
  });

  it('edits a local skill, keeping what the form does not show', async () => {
    const id = await localId('youth-work.relationships');
    const form = await get(`${base}/${id}/edit?lang=en`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Building relationships with young people"');
    expect(form.body).not.toContain(`<option value="${id}"`); // not its own parent
    const saved = await post(`${base}/${id}/edit`, [
      ['label_lt', 'Santykių su jaunimu kūrimas'],
      ['label_en', 'Building trust with young people'],
      ['description_lt', ''],
      ['description_en', 'Build trust with young people.'],
      ['parentId', ''],
      ['code', 'youth-work.trust'],
    ]);
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `${base}?done=updated`]);
    const [row] = await t.db.query<{
      code: string;
      label: Record<string, string>;
      description: unknown;
      parent_id: null;
    }>('SELECT code, label, description, parent_id FROM skills WHERE id = $1', [id]);
    expect(row).toEqual({
      code: 'youth-work.trust',
      label: { lt: 'Santykių su jaunimu kūrimas', en: 'Building trust with young people' },
      description: { en: 'Build trust with young people.' },
      parent_id: null,
    });
    // Its alternative label survives the edit.
    expect(
      await t.db.query("SELECT 1 FROM skill_labels WHERE skill_id = $1 AND label = 'rapport with young people'", [id]),
    ).toHaveLength(1);
  });

  it('deletes a local skill only after confirmation, and never one with sub-skills', async () => {
    const id = await localId('konfliktu-sprendimas');
    const confirm = await get(`${base}/${id}/delete?lang=en`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the local skill “Resolving conflicts”?');
    expect(confirm.body).toContain('<input type="hidden" name="confirmed" value="yes">');

    // A post without the confirmation only asks.
    const unconfirmed = await post(`${base}/${id}/delete?lang=en`, []);
    expect(unconfirmed.statusCode).toBe(200);
    expect(unconfirmed.body).toContain('Yes, delete “Resolving conflicts”');
    expect(await t.db.query('SELECT 1 FROM skills WHERE id = $1', [id])).toHaveLength(1);

    const parent = await localId('youth-work');
    const before = await counts();
    const refused = await post(`${base}/${parent}/delete?lang=en`, [['confirmed', 'yes']]);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This skill has sub-skills; move or delete them first.');
    expect(await counts()).toEqual(before);

    const deleted = await post(`${base}/${id}/delete`, [['confirmed', 'yes']]);
    expect([deleted.statusCode, deleted.headers.location]).toEqual([303, `${base}?done=deleted`]);
    expect(await t.db.query('SELECT 1 FROM skills WHERE id = $1', [id])).toHaveLength(0);
    expect((await get(`${base}/${id}/delete`)).statusCode).toBe(404);
    // Framework skills are not curated here.
    expect((await get(`${base}/${await frameworkSkill('digcomp', '2.1')}/edit`)).statusCode).toBe(404);
  });

  it('lists, adds and removes crosswalks with the skill picker; a cycle shows next to the relation', async () => {
    const planning = await localId('youth-work.planning');
    const page = await get(`${base}/${planning}/crosswalks?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Crosswalks of “Planning non-formal learning activities”');
    expect(page.body).toContain('broader than this skill');
    expect(page.body).toContain('data-skill-picker data-mode="select"');
    expect(page.body).toContain('name="targetQuery"');

    // Without scripts the picker searches by submitting the form; nothing is written.
    const before = await counts();
    const searched = await post(`${base}/${planning}/crosswalks?lang=en`, [
      ['targetQuery', 'collaborating'],
      ['relation', 'related'],
      ['intent', 'search'],
    ]);
    expect(searched.statusCode).toBe(200);
    const collaborating = await frameworkSkill('digcomp', '2.4');
    expect(searched.body).toContain(`<input type="checkbox" name="target" value="${collaborating}">`);
    expect(searched.body).toContain('<option value="related" selected>');
    expect(await counts()).toEqual(before);

    const missing = await post(`${base}/${planning}/crosswalks?lang=en`, [
      ['relation', 'exact'],
      ['intent', 'add'],
    ]);
    expect([missing.statusCode, fieldError(missing.body, 'target')]).toEqual([400, 'Choose the skill to link to.']);

    // Planning is narrower than EntreComp 3.2 already; 3.2 cannot also be narrower than planning.
    const cycle = await post(`${base}/${planning}/crosswalks?lang=en`, [
      ['target', await frameworkSkill('entrecomp', '3.2')],
      ['relation', 'narrower'],
      ['intent', 'add'],
    ]);
    expect(cycle.statusCode).toBe(409);
    expect(fieldError(cycle.body, 'relation')).toMatch(/^This crosswalk would make a skill broader than itself/);
    expect(cycle.body).toContain('data-skill-id="'); // the chosen skill stays chosen
    expect(await counts()).toEqual(before);

    const added = await post(`${base}/${planning}/crosswalks`, [
      ['target', collaborating],
      ['relation', 'related'],
      ['intent', 'add'],
    ]);
    expect([added.statusCode, added.headers.location]).toEqual([303, `${base}/${planning}/crosswalks?done=added`]);
    const [row] = await t.db.query<{ id: string; relation: string }>(
      'SELECT id, relation FROM skill_crosswalks WHERE source_skill_id = $1 AND target_skill_id = $2',
      [planning, collaborating],
    );
    expect(row?.relation).toBe('related');
    const listed = await get(`${base}/${planning}/crosswalks?done=added&lang=en`);
    expect(listed.body).toContain('The crosswalk is added.');
    expect(listed.body).toContain('Collaborating through digital technologies');

    const again = await post(`${base}/${planning}/crosswalks?lang=en`, [
      ['target', collaborating],
      ['relation', 'exact'],
      ['intent', 'add'],
    ]);
    expect([again.statusCode, fieldError(again.body, 'target')]).toEqual([409, 'These two skills are already linked.']);

    // A crosswalk of another skill is not removed from this skill's page.
    const other = await localId('youth-work.digital');
    expect((await post(`${base}/${other}/crosswalks/${row?.id}/remove`, [])).statusCode).toBe(404);
    const removed = await post(`${base}/${planning}/crosswalks/${row?.id}/remove`, []);
    expect([removed.statusCode, removed.headers.location]).toEqual([
      303,
      `${base}/${planning}/crosswalks?done=removed`,
    ]);
    expect(await t.db.query('SELECT 1 FROM skill_crosswalks WHERE id = $1', [row?.id])).toHaveLength(0);
  });

  it('requires the CSRF token on every form', async () => {
    const planning = await localId('youth-work.planning');
    const [crosswalk] = await t.db.query<{ id: string }>('SELECT id FROM skill_crosswalks WHERE source_skill_id = $1', [
      planning,
    ]);
    const before = await counts();
    const forms: [string, [string, string][]][] = [
      [`${base}/frameworks`, [['frameworks', 'lifecomp']]],
      [`${base}/new`, [['label_en', 'Forged']]],
      [`${base}/${planning}/edit`, [['label_en', 'Forged']]],
      [`${base}/${planning}/delete`, [['confirmed', 'yes']]],
      [
        `${base}/${planning}/crosswalks`,
        [
          ['target', await frameworkSkill('digcomp', '2.1')],
          ['relation', 'related'],
        ],
      ],
      [`${base}/${planning}/crosswalks/${crosswalk?.id}/remove`, []],
    ];
    for (const [url, fields] of forms) {
      const response = await post(url, fields, { csrf: false });
      expect(response.statusCode, url).toBe(403);
      expect(response.body).toContain('did not come from this site');
      const wrong = await post(url, [['_csrf', 'not-the-token'], ...fields], { csrf: false });
      expect(wrong.statusCode, url).toBe(403);
    }
    expect(await counts()).toEqual(before);
  });

  it('lets network admins give other cities the same frameworks; curators do not see or use it', async () => {
    const admin = await signIn(t.app, t.db, { role: 'network_admin' });
    const asAdmin = { cookie: admin.headers.cookie, csrf: admin.headers['x-csrf-token'] };
    expect((await get(`${base}/frameworks?lang=en`)).body).not.toContain('frameworks/share');
    const page = await get(`${base}/frameworks?lang=en`, asAdmin);
    expect(page.body).toContain(`action="${base}/frameworks/share"`);
    expect(page.body).toContain('value="torino"');
    expect(page.body).not.toContain('value="vilnius"');

    const empty = await post(`${base}/frameworks/share`, [], { who: asAdmin });
    expect(empty.statusCode).toBe(400);
    expect(fieldError(empty.body, 'cities')).toBeTruthy();
    expect((await post(`${base}/frameworks/share`, [['cities', 'torino']])).statusCode).toBe(403);

    const shared = await post(`${base}/frameworks/share`, [['cities', 'torino']], { who: asAdmin });
    expect([shared.statusCode, shared.headers.location]).toEqual([303, `${base}/frameworks?done=shared`]);
    const frameworksOf = async (slug: string) =>
      (
        await t.db.query<{ slug: string }>(
          `SELECT f.slug FROM city_skill_frameworks c JOIN skill_frameworks f ON f.id = c.framework_id
           JOIN cities ci ON ci.id = c.city_id WHERE ci.slug = $1 ORDER BY f.slug`,
          [slug],
        )
      ).map((row) => row.slug);
    expect(await frameworksOf('torino')).toEqual(await frameworksOf('vilnius'));
  });

  it('refuses a curator of another city (403) and sends anonymous people to sign in', async () => {
    const planning = await localId('youth-work.planning');
    const before = await counts();
    for (const url of [
      base,
      `${base}/frameworks`,
      `${base}/new`,
      `${base}/${planning}/edit`,
      `${base}/${planning}/crosswalks`,
    ]) {
      expect((await get(url, torinoCurator)).statusCode, url).toBe(403);
    }
    const forms: [string, [string, string][]][] = [
      [`${base}/frameworks`, [['frameworks', 'lifecomp']]],
      [`${base}/new`, [['label_en', 'Foreign']]],
      [`${base}/${planning}/edit`, [['label_en', 'Foreign']]],
      [`${base}/${planning}/delete`, [['confirmed', 'yes']]],
    ];
    for (const [url, fields] of forms) {
      expect((await post(url, fields, { who: torinoCurator })).statusCode, url).toBe(403);
    }
    expect(await counts()).toEqual(before);
    const anonymous = await get(base, null);
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([
      303,
      `/login?next=${encodeURIComponent(base)}`,
    ]);
  });
});
