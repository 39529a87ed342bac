import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { type ActivityDetails, addActivityImage, createActivity } from './activities.service.ts';

const xssTitle = '</script><script>alert("x")</script> & <b>Robots</b>';

/** The JSON-LD blocks of a page, parsed. */
function jsonLd(page: string): Record<string, unknown>[] {
  return [...page.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map(
    (match) => JSON.parse(match[1] as string) as Record<string, unknown>,
  );
}

const meta = (page: string, property: string) =>
  new RegExp(`<meta property="${property}" content="([^"]*)">`).exec(page)?.[1];

describe(`the public activity page on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let recurring: ActivityDetails;
  let draft: ActivityDetails;
  let onDemand: ActivityDetails;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId } = await createCatalogueCity(t.db));
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(16, 0, 0, 0);
    recurring = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({
        title: { en: xssTitle, lt: 'Robotų klubas' },
        description: { en: '<p>Build <strong>robots</strong> &amp; games.</p>' },
        scheduleKind: 'recurring',
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 90 * 60_000).toISOString(),
        rrule: 'FREQ=WEEKLY;COUNT=6',
        venues: [
          { name: 'Central Library', street: 'Drake Circus', postcode: 'PL4 8AL', lat: 50.3752, lon: -4.1397 },
          { name: 'Devonport Hub', street: 'Fore Street', postcode: 'PL1 4DW', lat: 50.3685, lon: -4.1797 },
        ],
        costKind: 'paid',
        priceCents: 450,
        currency: 'GBP',
        concessions: 'Half price for students',
        accessibility: ['step_free', 'hearing_loop'],
        accessibilityNotes: 'Lift to the first floor.',
        capacity: 2,
        signupMode: 'internal',
        languages: ['en', 'lt'],
        tags: ['robots', 'stem'],
      }),
      systemCaller,
      { publish: true },
    );
    await addActivityImage(
      t.db,
      city,
      recurring.id,
      { bytes: solidPng(1, 1), alt: { en: 'Two teenagers building a robot' } },
      systemCaller,
    );
    draft = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({ title: { en: 'Secret draft workshop' } }),
      systemCaller,
    );
    onDemand = await createActivity(
      t.db,
      city,
      organisationId,
      activityInput({
        title: { en: 'Online Python course' },
        format: 'online',
        onlineUrl: 'https://learn.example.org/python',
        venues: [],
        scheduleKind: 'on_demand',
        startsAt: null,
        endsAt: null,
        costKind: 'free',
        signupMode: 'external',
        signupUrl: 'https://learn.example.org/join',
      }),
      systemCaller,
      { publish: true },
    );
  });
  afterAll(() => t.close());

  const page = (slug: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: `/c/plymouth/activities/${slug}`,
      headers: { accept: 'text/html', ...headers },
    });

  it('renders a published activity with every part, escaping the title everywhere', async () => {
    const response = await page(recurring.slug);
    expect(response.statusCode).toBe(200);
    const body = response.body;
    // Escaped in the heading, the title and the meta tags; never a live script.
    expect(body).not.toContain('<script>alert');
    expect(body).toContain(
      '&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Robots&lt;/b&gt;',
    );
    expect(meta(body, 'og:title')).toBe(
      '&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Robots&lt;/b&gt;',
    );
    // The description is sanitised HTML and rendered as such.
    expect(body).toContain('<p>Build <strong>robots</strong> &amp; games.</p>');
    expect(meta(body, 'og:description')).toBe('Build robots &amp; games.');
    const canonical = `http://learnscape.test/c/plymouth/activities/${recurring.slug}`;
    expect(body).toContain(`<link rel="canonical" href="${canonical}">`);
    expect(meta(body, 'og:url')).toBe(canonical);
    expect(meta(body, 'og:image')).toMatch(
      /^http:\/\/learnscape\.test\/c\/plymouth\/activities\/.+\/images\/[0-9a-f-]{36}$/,
    );
    // Organiser, venues with addresses and the map island, accessibility, cost, languages, tags.
    expect(body).toContain('href="/c/plymouth/organisations/plymouth-stonehouse-makers"');
    expect(body).toContain('Drake Circus');
    expect(body).toContain('Devonport Hub');
    expect(body).toContain('data-style-url="/c/plymouth/map/style.json"');
    expect(body).toContain('Step-free access');
    expect(body).toContain('Hearing loop');
    expect(body).toContain('Lift to the first floor.');
    expect(body).toContain('£4.50');
    expect(body).toContain('Concessions: Half price for students');
    expect(body).toMatch(/English and Lithuanian/);
    expect(body).toContain('Every week, 6 sessions in all');
    expect(body).toContain('Two teenagers building a robot');
    // Next dates with places left and sign-up links, add to calendar, share links.
    expect(body.match(/\/sign-up\?session=[0-9a-f-]{36}/g)?.length).toBe(6);
    expect(body).toContain('2 places left');
    expect(body).toContain(`/c/plymouth/activities/${recurring.slug}/calendar.ics`);
    expect(body).toContain(`https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(canonical)}`);
    expect(body).toContain('mailto:?subject=');
    expect(body).not.toMatch(/<script[^>]+src="https?:/);
  });

  it('describes the activity as a schema.org Event in JSON-LD that parses and cannot break out', async () => {
    const body = (await page(recurring.slug)).body;
    const ldText = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(body)?.[1] ?? '';
    expect(ldText).not.toContain('<');
    expect(ldText).toContain('\\u003c/script\\u003e');
    const [event] = jsonLd(body);
    expect(event).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Event',
      name: xssTitle,
      eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
      startDate: new Date(recurring.startsAt as Date).toISOString(),
      endDate: new Date(recurring.lastEndAt as Date).toISOString(),
      organizer: { '@type': 'Organization', name: 'Stonehouse Makers' },
      offers: { '@type': 'Offer', price: 4.5, priceCurrency: 'GBP' },
      typicalAgeRange: '12-16',
      inLanguage: ['en', 'lt'],
      eventSchedule: { '@type': 'Schedule', repeatFrequency: 'P1W', repeatCount: 6, scheduleTimezone: 'Europe/London' },
    });
    const locations = event?.location as { '@type': string; address: object; geo: object }[];
    expect(locations).toHaveLength(2);
    expect(locations[0]).toMatchObject({
      '@type': 'Place',
      address: { '@type': 'PostalAddress', streetAddress: 'Drake Circus', postalCode: 'PL4 8AL' },
      geo: { '@type': 'GeoCoordinates', latitude: 50.3752, longitude: -4.1397 },
    });
  });

  it('shows the page in the chosen language, falling back to the city default for missing text', async () => {
    const body = (await page(`${recurring.slug}?lang=lt`)).body;
    expect(body).toContain('<h1 lang="lt">Robotų klubas</h1>');
    expect(body).toContain('Organizuoja');
    // No Lithuanian description: the English one, marked as English.
    expect(body).toContain('<div class="activity-description" lang="en">');
  });

  it('describes on-demand activities as a Course with the external sign-up link and no calendar', async () => {
    const response = await page(onDemand.slug);
    expect(response.statusCode).toBe(200);
    const [course] = jsonLd(response.body);
    expect(course).toMatchObject({
      '@type': 'Course',
      name: 'Online Python course',
      provider: { '@type': 'Organization', name: 'Stonehouse Makers' },
      isAccessibleForFree: true,
      offers: { price: 0, url: 'https://learn.example.org/join' },
      hasCourseInstance: { '@type': 'CourseInstance', courseMode: 'online' },
    });
    expect(course).not.toHaveProperty('startDate');
    expect(response.body).toContain('On demand');
    expect(response.body).toContain('href="https://learn.example.org/join"');
    expect(response.body).not.toContain('calendar.ics');
    const ics = await t.app.inject({ method: 'GET', url: `/c/plymouth/activities/${onDemand.slug}/calendar.ics` });
    expect(ics.statusCode).toBe(404);
  });

  it('hides drafts from everyone but the organisation and curators, who see a status banner', async () => {
    expect((await page(draft.slug)).statusCode).toBe(404);
    const learner = await signIn(t.app, t.db, { role: 'learner' });
    expect((await page(draft.slug, learner.headers)).statusCode).toBe(404);
    const staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    const asStaff = await page(draft.slug, staff.headers);
    expect(asStaff.statusCode).toBe(200);
    expect(asStaff.body).toContain('This activity is a draft');
    expect(asStaff.body).toContain('<meta name="robots" content="noindex">');
    expect(asStaff.body).toContain(`/c/plymouth/manage/${organisationId}/activities/${draft.id}`);
    // No sign-up links on a page that is not public yet.
    expect(asStaff.body).not.toContain('/sign-up?session=');
    const curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' });
    expect((await page(draft.slug, curator.headers)).statusCode).toBe(200);
    const ics = await t.app.inject({ method: 'GET', url: `/c/plymouth/activities/${draft.slug}/calendar.ics` });
    expect(ics.statusCode).toBe(404);
  });

  it('answers 404 for unknown activities and other cities', async () => {
    expect((await page('no-such-activity')).statusCode).toBe(404);
    const other = await t.app.inject({
      method: 'GET',
      url: `/c/plymouth-elsewhere/activities/${recurring.slug}`,
      headers: { accept: 'text/html' },
    });
    expect(other.statusCode).toBe(404);
  });

  it('serves an .ics file that ical.js reads back with the rule, the zone and the page link', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/c/plymouth/activities/${recurring.slug}/calendar.ics`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${recurring.slug}.ics"`);
    const calendar = new ICAL.Component(ICAL.parse(response.body));
    const [vevent] = calendar.getAllSubcomponents('vevent');
    expect(vevent).toBeDefined();
    const event = new ICAL.Event(vevent);
    expect(event.summary).toBe(xssTitle);
    expect(event.isRecurring()).toBe(true);
    expect(String(vevent?.getFirstPropertyValue('rrule'))).toContain('COUNT=6');
    expect(event.startDate.toJSDate().toISOString()).toBe(new Date(recurring.startsAt as Date).toISOString());
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/London');
  });

  it('serves the images with their content type and caching', async () => {
    const [image] = (await t.db.query<{ id: string }>('SELECT id FROM activity_images WHERE activity_id = $1', [
      recurring.id,
    ])) as { id: string }[];
    const response = await t.app.inject({
      method: 'GET',
      url: `/c/plymouth/activities/${recurring.slug}/images/${image?.id}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(response.rawPayload.subarray(1, 4).toString()).toBe('PNG');
  });

  it("lists an organisation's published upcoming activities on its page, a page at a time", async () => {
    const orgPage = (query = '') =>
      t.app.inject({
        method: 'GET',
        url: `/c/plymouth/organisations/plymouth-stonehouse-makers${query}`,
        headers: { accept: 'text/html' },
      });
    const first = await orgPage();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Activities coming up');
    expect(first.body).toContain(`href="/c/plymouth/activities/${recurring.slug}"`);
    expect(first.body).toContain(`href="/c/plymouth/activities/${onDemand.slug}"`);
    expect(first.body).not.toContain('Secret draft workshop');
    expect(first.body).not.toContain('<script>alert');
    for (let i = 0; i < 20; i++) {
      await createActivity(
        t.db,
        city,
        organisationId,
        activityInput({ title: { en: `Weekly chess ${i}` } }),
        systemCaller,
        { publish: true },
      );
    }
    const paged = await orgPage();
    expect(paged.body).toContain('Page 1 of 2');
    expect(paged.body).toContain('?page=2#activities');
    const second = await orgPage('?page=2');
    expect(second.body).toContain('Page 2 of 2');
    expect(second.body.match(/href="\/c\/plymouth\/activities\//g)?.length).toBe(2);
  });
});
