import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { demoCities } from '../../demo/demo-cities.ts';
import { seedDemoOrganisations } from '../../demo/seed-organisations.ts';
import { createCity } from '../cities/cities.service.ts';
import { seedSkillsDemo } from '../skills/skills.demo.ts';
import { emptyActivityForm } from '../../../web/pages/activity-form.ts';
import { activityInputFrom, builderFromRrule, descriptionForEditing, errorsFromDetails } from './activities.pages.ts';

/** The organiser's and curator's activity pages: forms post like browsers do (urlencoded, `_csrf`, session cookie). */
describe(`activity pages on ${testEngine}`, () => {
  let t: TestApp;
  type Who = { cookie: string; csrf: string };
  let staff: Who;
  let otherStaff: Who;
  let curator: Who;
  let vilniusCurator: Who;
  let orgId: string;
  let otherOrgId: string;
  let activityId: string;

  const who = async (as: Parameters<typeof signIn>[2]): Promise<Who> => {
    const signed = await signIn(t.app, t.db, as);
    return { cookie: signed.headers.cookie, csrf: signed.headers['x-csrf-token'] };
  };
  const get = (url: string, as: Who) =>
    t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: as.cookie } });
  const post = (url: string, as: Who, fields: [string, string][], options: { csrf?: boolean } = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { accept: 'text/html', cookie: as.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(options.csrf === false ? fields : [['_csrf', as.csrf], ...fields]).toString(),
    });
  const fieldError = (html: string, id: string) =>
    html.match(new RegExp(`id="field-${id}-error">([^<]*)<`))?.[1] ?? null;
  const inputValue = (html: string, id: string) =>
    html.match(new RegExp(`id="field-${id}" name="[^"]*" type="[^"]*" value="([^"]*)"`))?.[1] ?? null;
  const row = async (id: string) => {
    const [found] = await t.db.query<{
      status: string;
      rrule: string | null;
      starts_at: Date;
      moderation_note: string | null;
      version: number;
      title: Record<string, string>;
    }>('SELECT status, rrule, starts_at, moderation_note, version, title FROM activities WHERE id = $1', [id]);
    return found;
  };

  const validFields = (title: string): [string, string][] => [
    ['title-en', title],
    ['description-en', 'We build robots.\n\nBring a friend & a snack.'],
    ['format', 'in_person'],
    ['venues-0-name', 'Stonehouse Makers workshop'],
    ['venues-0-street', '12 Union Street'],
    ['venues-0-postcode', 'PL1 3EZ'],
    ['venues-0-locality', 'Stonehouse'],
    ['venues-0-lat', '50.3704'],
    ['venues-0-lon', '-4.1518'],
    ['scheduleKind', 'recurring'],
    ['startsAt', '2030-06-04T18:00'],
    ['endsAt', '2030-06-04T20:00'],
    ['repeat', 'weekly'],
    ['interval', '1'],
    ['byDay', 'TU'],
    ['byDay', 'TH'],
    ['endBy', 'count'],
    ['count', '6'],
    ['ageMin', '11'],
    ['ageMax', '16'],
    ['costKind', 'paid'],
    ['price', '4.50'],
    ['currency', 'GBP'],
    ['languages', 'en'],
    ['accessibility', 'step_free'],
    ['capacity', '12'],
    ['signupMode', 'internal'],
    ['tags', 'robots, electronics'],
  ];

  beforeAll(async () => {
    t = await createTestApp();
    // The demo cities, skills spines and organisations (not the demo activities: these tests make their own).
    for (const city of demoCities) await createCity(t.db, city);
    await seedSkillsDemo(t.db);
    await seedDemoOrganisations(t.db);
    const orgs = await t.db.query<{ id: string; slug: string }>(
      "SELECT id, slug FROM organisations WHERE slug IN ('stonehouse-makers', 'devonport-dockside-skills')",
    );
    orgId = orgs.find((o) => o.slug === 'stonehouse-makers')?.id as string;
    otherOrgId = orgs.find((o) => o.slug === 'devonport-dockside-skills')?.id as string;
    staff = await who({ role: 'organisation', organisationId: orgId, membership: 'staff' });
    otherStaff = await who({ role: 'organisation', organisationId: otherOrgId, membership: 'staff' });
    curator = await who({ role: 'city_curator', citySlug: 'plymouth' });
    vilniusCurator = await who({ role: 'city_curator', citySlug: 'vilnius' });
    // Loading the skills spines takes a while on the embedded engine.
  }, 150_000);
  afterAll(() => t?.close());

  const base = () => `/c/plymouth/manage/${orgId}/activities`;

  it('lists the organisation activities with links to create and import', async () => {
    const page = await get(`${base()}?lang=en`, staff);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${base()}/new"`);
    expect(page.body).toContain(`href="/c/plymouth/manage/${orgId}/activity-imports"`);
    expect(page.body).toContain('aria-current="page">Drafts<');
    const form = await get(`${base()}/new`, staff);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="_csrf"');
    expect(form.body).toContain('type="datetime-local"');
    expect(form.body).toContain('data-venue-picker');
    expect(form.body).toContain('/c/plymouth/map/style.json');
  });

  it('re-renders a form with errors next to the fields and keeps what was typed', async () => {
    const fields = validFields('Robot club').map(([name, value]): [string, string] =>
      name === 'venues-0-lat' ? [name, '51.5'] : name === 'venues-0-lon' ? [name, '-0.12'] : [name, value],
    );
    fields.push(['ageMax', '9']);
    const count = async () => (await t.db.query('SELECT 1 FROM activities WHERE organisation_id = $1', [orgId])).length;
    const before = await count();
    const response = await post(`${base()}/new`, staff, [
      ...fields.filter(([name]) => name !== 'ageMax'),
      ['ageMax', '9'],
    ]);
    expect(response.statusCode).toBe(400);
    expect(fieldError(response.body, 'venues-0-lat')).toContain('inside the city');
    expect(fieldError(response.body, 'ageMax')).toContain('highest age');
    expect(response.body).toContain('class="error-summary"');
    expect(response.body).toContain('href="#field-venues-0-lat"');
    // Everything typed comes back.
    expect(inputValue(response.body, 'title-en')).toBe('Robot club');
    expect(inputValue(response.body, 'venues-0-lat')).toBe('51.5');
    expect(response.body).toContain('We build robots.\n\nBring a friend &amp; a snack.');
    expect(response.body).toMatch(/value="TH" checked/);
    expect(response.body).toMatch(/<option value="weekly" selected>/);
    expect(await count()).toBe(before);
  });

  it('says the problems of a Lithuanian organiser’s form in Lithuanian, next to their fields', async () => {
    const [organisation] = await t.db.query<{ id: string }>(
      "SELECT id FROM organisations WHERE slug = 'snipiskes-dirbtuves'",
    );
    const lithuanian = await who({
      role: 'organisation',
      organisationId: organisation?.id as string,
      membership: 'staff',
    });
    const url = `/c/vilnius/manage/${organisation?.id}/activities/new?lang=lt`;
    const fields: [string, string][] = [
      ['title-lt', 'Robotikos būrelis'],
      ['format', 'in_person'],
      ['venues-0-name', 'Šnipiškių dirbtuvės'],
      ['venues-0-lat', '51.5'],
      ['venues-0-lon', '-0.12'],
      ['scheduleKind', 'once'],
      ['startsAt', '2030-06-04T18:00'],
      ['endsAt', '2030-06-04T17:00'],
      ['ageMin', '14'],
      ['ageMax', '10'],
      ['costKind', 'free'],
      ['signupMode', 'none'],
    ];
    const response = await post(url, lithuanian, fields);
    expect(response.statusCode).toBe(400);
    expect(fieldError(response.body, 'endsAt')).toBe('Pabaiga negali būti ankstesnė už pradžią.');
    expect(fieldError(response.body, 'ageMax')).toBe('Didžiausias amžius negali būti mažesnis už mažiausią.');
    expect(fieldError(response.body, 'venues-0-lat')).toBe(
      'Vieta turi būti mieste (platuma 54.5689–54.8323, ilguma 25.0246–25.4815).',
    );
    // The same form in English says the API's words.
    const english = await post(url.replace('lang=lt', 'lang=en'), lithuanian, fields);
    expect(fieldError(english.body, 'endsAt')).toBe('The end must not be before the start.');
  });

  it('needs the CSRF token', async () => {
    const response = await post(`${base()}/new`, staff, validFields('Robot club'), { csrf: false });
    expect(response.statusCode).toBe(403);
  });

  it('saves a draft: local times in the city zone, the builder as an RRULE, sessions expanded', async () => {
    const response = await post(`${base()}/new`, staff, [...validFields('Robot club'), ['intent', 'save']]);
    expect(response.statusCode).toBe(303);
    const match = /\/activities\/([0-9a-f-]{36})\/edit\?done=created$/.exec(response.headers.location as string);
    expect(match).not.toBeNull();
    activityId = match?.[1] as string;
    const saved = await row(activityId);
    expect(saved?.status).toBe('draft');
    expect(saved?.rrule).toBe('FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6');
    // 18:00 in Plymouth in June (BST) is 17:00 UTC.
    expect(new Date(saved?.starts_at as Date).toISOString()).toBe('2030-06-04T17:00:00.000Z');
    const sessions = await t.db.query('SELECT 1 FROM activity_sessions WHERE activity_id = $1', [activityId]);
    expect(sessions).toHaveLength(6);

    const edit = await get(`${base()}/${activityId}/edit?done=created&lang=en`, staff);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('The draft is saved.');
    expect(inputValue(edit.body, 'startsAt')).toBe('2030-06-04T18:00');
    expect(edit.body).toMatch(/<option value="weekly" selected>/);
    expect(inputValue(edit.body, 'count')).toBe('6');
    expect(inputValue(edit.body, 'price')).toBe('4.50');
    // The plain paragraphs come back as text, not HTML.
    expect(edit.body).toContain('We build robots.\n\nBring a friend &amp; a snack.</textarea>');
  });

  it('adds and removes venue rows without scripts', async () => {
    const added = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club'),
      ['intent', 'addVenue'],
    ]);
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('id="field-venues-1-lat"');
    const removed = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club'),
      ['venues-1-name', ''],
      ['intent', 'removeVenue:1'],
    ]);
    expect(removed.body).not.toContain('id="field-venues-1-lat"');
  });

  it('searches skills without scripts and links the chosen ones with their level', async () => {
    const [skill] = await t.db.query<{ id: string; label: string }>(
      `SELECT s.id, s.label->>'en' AS label FROM skills s
         JOIN skill_frameworks f ON f.id = s.framework_id
         JOIN city_skill_frameworks c ON c.framework_id = f.id JOIN cities ci ON ci.id = c.city_id
        WHERE ci.slug = 'plymouth' AND jsonb_array_length(f.levels) > 0 AND s.label ? 'en'
        ORDER BY s.code LIMIT 1`,
    );
    if (!skill) throw new Error('The Plymouth spine has no skill with levels.');
    const word = skill.label.split(/\s+/)[0] as string;
    const version = String((await row(activityId))?.version);
    const search = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club'),
      ['version', version],
      ['skillsQuery', word],
      ['intent', 'searchSkills'],
    ]);
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain(`name="skills" value="${skill?.id}"`);
    expect((await row(activityId))?.version).toBe(Number(version));
    const saved = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club'),
      ['version', version],
      ['skills', skill?.id as string],
      [`skillsLevel[${skill?.id}]`, '3'],
    ]);
    expect(saved.statusCode).toBe(303);
    const linked = await t.db.query<{ level: number }>('SELECT level FROM activity_skills WHERE activity_id = $1', [
      activityId,
    ]);
    expect(linked).toEqual([{ level: 3 }]);
    const edit = await get(`${base()}/${activityId}/edit`, staff);
    expect(edit.body).toContain(`name="skillsLevel[${skill?.id}]"`);
    expect(edit.body).toMatch(/<option value="3" selected>/);
  });

  it('refuses a stale edit with the version conflict message, keeping the typed values', async () => {
    const current = await row(activityId);
    const first = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club for beginners'),
      ['version', String(current?.version)],
    ]);
    expect(first.statusCode).toBe(303);
    const stale = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club (stale)'),
      ['version', String(current?.version)],
    ]);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else changed this activity');
    expect(inputValue(stale.body, 'title-en')).toBe('Robot club (stale)');
    expect((await row(activityId))?.title.en).toBe('Robot club for beginners');
  });

  it('keeps other organisations and other cities out', async () => {
    // Staff of another organisation: 403 under this organisation, 404 for this activity under their own.
    expect((await get(`${base()}`, otherStaff)).statusCode).toBe(403);
    expect((await get(`${base()}/${activityId}/edit`, otherStaff)).statusCode).toBe(403);
    const theirs = `/c/plymouth/manage/${otherOrgId}/activities/${activityId}`;
    expect((await get(`${theirs}/edit`, otherStaff)).statusCode).toBe(404);
    expect((await post(`${theirs}/submit`, otherStaff, [])).statusCode).toBe(404);
    expect((await post(`${theirs}/edit`, otherStaff, validFields('Taken over'))).statusCode).toBe(404);
    // Curators of another city.
    expect((await get('/c/plymouth/curate/activities', vilniusCurator)).statusCode).toBe(403);
    expect((await post(`/c/plymouth/curate/activities/${activityId}/approve`, vilniusCurator, [])).statusCode).toBe(
      403,
    );
    expect((await get('/c/plymouth/curate/activities', staff)).statusCode).toBe(403);
    expect((await row(activityId))?.status).toBe('draft');
  });

  it('submits, the curator returns it with a required comment, the organiser sees it and resubmits', async () => {
    const version = String((await row(activityId))?.version);
    const submitted = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club for beginners'),
      ['version', version],
      ['intent', 'submit'],
    ]);
    expect(submitted.statusCode).toBe(303);
    expect(submitted.headers.location).toBe(`${base()}?status=submitted&done=submitted`);
    expect((await row(activityId))?.status).toBe('submitted');

    const queue = await get('/c/plymouth/curate/activities?lang=en', curator);
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Robot club for beginners');
    expect(queue.body).toContain(`href="/c/plymouth/activities/robot-club`);

    const noNote = await post(`/c/plymouth/curate/activities/${activityId}/return`, curator, [['note', '']]);
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain('Write a comment');
    expect((await row(activityId))?.status).toBe('submitted');

    const returned = await post(`/c/plymouth/curate/activities/${activityId}/return`, curator, [
      ['note', 'Please add the age range to the description.'],
    ]);
    expect([returned.statusCode, returned.headers.location]).toEqual([
      303,
      '/c/plymouth/curate/activities?done=returned',
    ]);
    expect(await row(activityId)).toMatchObject({
      status: 'draft',
      moderation_note: 'Please add the age range to the description.',
    });
    const list = await get(`${base()}?status=draft&lang=en`, staff);
    expect(list.body).toContain('Returned with comments');
    expect(list.body).toContain('Please add the age range to the description.');

    const resubmitted = await post(`${base()}/${activityId}/submit`, staff, []);
    expect(resubmitted.statusCode).toBe(303);
    expect((await row(activityId))?.status).toBe('submitted');
    // Submitting again is a state conflict shown on the list.
    const again = await post(`${base()}/${activityId}/submit`, staff, []);
    expect(again.statusCode).toBe(409);
  });

  it('approves from the queue; edits to a published activity stay live and show in the history', async () => {
    const approved = await post(`/c/plymouth/curate/activities/${activityId}/approve`, curator, []);
    expect([approved.statusCode, approved.headers.location]).toEqual([
      303,
      '/c/plymouth/curate/activities?done=approved',
    ]);
    expect((await row(activityId))?.status).toBe('published');

    const edit = await get(`${base()}/${activityId}/edit?lang=en`, staff);
    expect(edit.body).toContain('Changes you save go live at once');
    const version = String((await row(activityId))?.version);
    const saved = await post(`${base()}/${activityId}/edit`, staff, [
      ...validFields('Robot club for beginners').map(([name, value]): [string, string] =>
        name === 'capacity' ? [name, '15'] : [name, value],
      ),
      ['version', version],
    ]);
    expect(saved.statusCode).toBe(303);
    expect((await row(activityId))?.status).toBe('published');

    const history = await get(`${base()}/${activityId}/history?lang=en`, staff);
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain('Places per session');
    expect(history.body).toMatch(/<td>12<\/td><td>15<\/td>/);
    expect(history.body).toContain('Returned with comments');
    expect(history.body).toContain('Please add the age range to the description.');
    const curatorHistory = await get(`/c/plymouth/curate/activities/${activityId}/history?lang=en`, curator);
    expect(curatorHistory.statusCode).toBe(200);
    expect(curatorHistory.body).toContain('Published');
  });

  it('uploads an image with alt text, refuses a file that is not an image, and removes after confirming', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const upload = (file: Buffer, alt: string) => {
      const boundary = '----activity-image-test';
      const part = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const payload = Buffer.concat([
        Buffer.from(part('_csrf', staff.csrf) + part('alt-en', alt)),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="robot.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return t.app.inject({
        method: 'POST',
        url: `${base()}/${activityId}/images`,
        headers: {
          accept: 'text/html',
          cookie: staff.cookie,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
    };
    const bad = await upload(Buffer.from('<svg onload="alert(1)"></svg>'), 'A robot');
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'image')).toContain('not a PNG, JPEG or WebP');
    const noAlt = await upload(png, '');
    expect(noAlt.statusCode).toBe(400);
    const ok = await upload(png, 'A small robot on a workbench');
    expect(ok.statusCode).toBe(303);
    const [image] = await t.db.query<{ id: string }>('SELECT id FROM activity_images WHERE activity_id = $1', [
      activityId,
    ]);
    const edit = await get(`${base()}/${activityId}/edit?lang=en`, staff);
    expect(edit.body).toContain('alt="A small robot on a workbench"');
    const confirm = await get(`${base()}/${activityId}/images/${image?.id}/remove?lang=en`, staff);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Yes, remove the image');
    const removed = await post(`${base()}/${activityId}/images/${image?.id}/remove`, staff, []);
    expect(removed.statusCode).toBe(303);
    expect(await t.db.query('SELECT 1 FROM activity_images WHERE activity_id = $1', [activityId])).toHaveLength(0);
  });

  it('archives from the list', async () => {
    const archived = await post(`${base()}/${activityId}/archive`, staff, []);
    expect([archived.statusCode, archived.headers.location]).toEqual([303, `${base()}?status=archived&done=archived`]);
    expect((await row(activityId))?.status).toBe('archived');
  });
});

describe('activity form conversions', () => {
  const t = (key: string) => key;
  const zone = 'Europe/Vilnius';

  it('turns the recurrence builder into an RRULE and back', () => {
    const values = {
      ...emptyActivityForm(['lt', 'en'], 'EUR'),
      scheduleKind: 'recurring',
      startsAt: '2030-03-12T17:30',
      endsAt: '2030-03-12T19:00',
      repeat: 'monthly',
      interval: '2',
      monthlyBy: 'weekday',
      endBy: 'until',
      until: '2030-12-31',
    };
    const { input, errors } = activityInputFrom(values, { timeZone: zone }, t);
    expect(errors).toEqual({});
    // 12 March 2030 is the second Tuesday; the last day ends at 23:59:59 in Vilnius (21:59:59 UTC in winter).
    expect(input.rrule).toBe('FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20301231T215959Z');
    expect(input.startsAt).toBe('2030-03-12T15:30:00.000Z');
    expect(builderFromRrule(input.rrule as string, zone)).toMatchObject({
      repeat: 'monthly',
      interval: '2',
      monthlyBy: 'weekday',
      endBy: 'until',
      until: '2030-12-31',
      rruleAdvanced: '',
    });
    expect(builderFromRrule('FREQ=DAILY;COUNT=3', zone).rruleAdvanced).toBe('FREQ=DAILY;COUNT=3');
  });

  it('reads all-day dates, exception dates and bad numbers', () => {
    const values = {
      ...emptyActivityForm(['lt'], 'EUR'),
      scheduleKind: 'recurring',
      startsAt: '2030-07-01T10:00',
      endsAt: '2030-07-02T10:00',
      allDay: true,
      repeat: 'weekly',
      count: 'x',
      exdates: '2030-07-08\n2030-07-15T09:00',
      costKind: 'paid',
      price: '-3',
    };
    const { input, errors } = activityInputFrom(values, { timeZone: zone }, t);
    expect(input.startsAt).toBe('2030-06-30T21:00:00.000Z');
    expect(input.endsAt).toBe('2030-07-02T21:00:00.000Z');
    expect(input.exdates).toEqual(['2030-07-07T21:00:00.000Z', '2030-07-15T06:00:00.000Z']);
    expect(errors).toEqual({ count: 'activities:errors.wholeNumber', price: 'activities:errors.price' });
  });

  it('maps JSON pointers to the form rows the venues came from', () => {
    const values = {
      ...emptyActivityForm(['en'], 'GBP'),
      venues: [
        { name: '', street: '', postcode: '', locality: '', lat: '', lon: '' },
        { name: 'Hall', street: '', postcode: '', locality: '', lat: '1', lon: '2' },
      ],
    };
    const { venueRows } = activityInputFrom(values, { timeZone: 'Europe/London' }, t);
    expect(venueRows).toEqual([1]);
    expect(
      errorsFromDetails(
        [
          { field: '/venues/0/lat', problem: 'outside' },
          { field: '/title/en', problem: 'short' },
          { field: '/skills/0/skillId', problem: 'unknown' },
          { field: '/rrule', problem: 'never ends' },
          { field: '/slug', problem: 'taken' },
        ],
        values,
        venueRows,
        t,
      ),
    ).toEqual({
      'venues-1-lat': 'outside',
      'title-en': 'short',
      skills: 'unknown',
      repeat: 'never ends',
      _form: 'taken',
    });
  });

  it('shows stored paragraphs as text and richer HTML as HTML', () => {
    expect(descriptionForEditing('<p>One &amp; two<br />three</p><p>Four</p>')).toBe('One & two\nthree\n\nFour');
    expect(descriptionForEditing('<p>See <a href="https://x.example">this</a></p>')).toBe(
      '<p>See <a href="https://x.example">this</a></p>',
    );
  });
});
