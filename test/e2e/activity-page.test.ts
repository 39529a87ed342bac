import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('the public activity page in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];
  let slug = '';
  let organisationSlug = '';

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-GB' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    // Nothing may leave the machine: no share widgets, fonts or tiles from elsewhere.
    // (MapLibre's web worker starts from a blob: URL made in the page itself.)
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    // A published, dated, in-person demo activity with sign-up here.
    const [row] = await server.db.query<{ slug: string; organisationSlug: string }>(
      `SELECT a.slug, o.slug AS "organisationSlug" FROM activities a
         JOIN cities c ON c.id = a.city_id JOIN organisations o ON o.id = a.organisation_id
        WHERE c.slug = 'plymouth' AND a.status = 'published' AND a.format = 'in_person' AND a.signup_mode = 'internal'
          AND a.next_start_at > now() AND EXISTS (SELECT 1 FROM activity_venues v WHERE v.activity_id = a.id)
        ORDER BY a.next_start_at LIMIT 1`,
    );
    if (!row) throw new Error('The demo has no published Plymouth activity with sign-up.');
    ({ slug, organisationSlug } = row);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the activity with its venue map, dates, sign-up, sharing and valid JSON-LD, accessibly', async () => {
    await page.goto(`${server.url}/c/plymouth/activities/${slug}`);
    const title = await page.locator('h1').textContent();
    expect(title?.trim()).toBeTruthy();
    // The venue map starts, with an accessible name; the addresses are the text alternative.
    const canvas = page.locator('.activity-map canvas');
    await canvas.waitFor();
    await expect(canvas.getAttribute('aria-label')).resolves.toBe(`Map of where “${title?.trim()}” takes place`);
    await expect(page.locator('.activity-addresses address').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.activity-map .maplibregl-marker').count()).resolves.toBeGreaterThan(0);
    // Dates with sign-up links for each session.
    const signUp = page.locator('.activity-session a[href*="/sign-up?session="]').first();
    await expect(signUp.isVisible()).resolves.toBe(true);
    // Copy link works once the island has enabled it.
    const copy = page.getByRole('button', { name: 'Copy link' });
    await copy.waitFor();
    await copy.click();
    await page.getByText('Link copied.').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(
      await page.locator('#activity-share-url').inputValue(),
    );
    // JSON-LD parses and is an Event.
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}');
    expect(ld['@type']).toBe('Event');
    expect(ld.name).toBe(title?.trim());
    // "Add to calendar" downloads an iCalendar file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Add to calendar (.ics)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${slug}.ics`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(outside).toEqual([]);
  });

  it("lists the activity on its organisation's page", async () => {
    await page.goto(`${server.url}/c/plymouth/organisations/${organisationSlug}`);
    await page.getByRole('heading', { name: 'Activities coming up' }).waitFor();
    await expect(page.locator(`a[href="/c/plymouth/activities/${slug}"]`).count()).resolves.toBeGreaterThan(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('lets a learner keep saved searches and switch their alerts', async () => {
    await page.goto(`${server.url}/c/plymouth/saved-searches`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email address').fill('learner.amara.plymouth@demo.learnscape.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/c\/plymouth\/saved-searches/);
    // Save a search the way the search page's form does.
    await page.evaluate(() => {
      const csrf = (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value;
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/c/plymouth/saved-searches';
      for (const [name, value] of [
        ['_csrf', csrf],
        ['name', 'Coding for adults'],
        ['q', 'coding'],
        ['format', 'in_person'],
      ]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name as string;
        input.value = value as string;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    });
    await page.getByText('Your search was saved.').waitFor();
    await page.getByRole('heading', { name: 'Coding for adults' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Turn alerts off' }).first().click();
    await page.getByText('Email alerts are off.').first().waitFor();
    await page.getByRole('button', { name: 'Delete the saved search “Coding for adults”' }).click();
    await page.getByText('The saved search was deleted.').waitFor();
    expect(outside).toEqual([]);
  });
});
