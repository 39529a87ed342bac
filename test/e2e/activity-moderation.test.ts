import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('an organiser creates and submits an activity; the curator approves it', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let organisationId: string;
  const outside: string[] = [];
  const title = 'Soldering for beginners at Union Street';

  beforeAll(async () => {
    server = await startDemoServer({ JOB_POLL_INTERVAL_MS: '200' });
    const [organisation] = await server.db.query<{ id: string }>(
      "SELECT id FROM organisations WHERE slug = 'stonehouse-makers'",
    );
    organisationId = organisation?.id as string;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) outside.push(request.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function accessible(label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  async function signInAs(email: string) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('goes from the form through the queue to the public page', async () => {
    const manage = `${server.url}/c/plymouth/manage/${organisationId}`;
    await page.goto(`${manage}/activities`);
    await page.waitForURL(/\/login\?next=/);
    await signInAs(`staff.stonehouse@${DEMO_EMAIL_DOMAIN}`);
    await page.waitForURL(/\/activities$/);
    await accessible('activity list');
    await page.getByRole('link', { name: 'New activity' }).click();
    await page.waitForURL(/\/activities\/new$/);
    await accessible('activity form');

    await page.getByLabel('Title (English)').fill(title);
    await page.getByLabel('Description (English)').fill('Make a blinking badge.\n\nTools are provided.');
    await page.getByLabel('Name of the place').fill('Stonehouse Makers workshop');
    await page.getByLabel('Street and number').fill('12 Union Street');

    // The venue picker: clicking the map fills in the coordinates (the map is centred on the city).
    const map = page.locator('[data-venue-picker] canvas');
    await map.waitFor({ state: 'visible', timeout: 15_000 });
    const box = await map.boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.click((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + (box?.height ?? 0) / 2);
    await expect.poll(() => page.getByLabel('Latitude').inputValue()).toMatch(/^50\.\d+$/);
    await expect.poll(() => page.getByLabel('Longitude').inputValue()).toMatch(/^-4\.\d+$/);
    // The typed fields are the accessible alternative: set the exact place by typing.
    await page.getByLabel('Latitude').fill('50.3704');
    await page.getByLabel('Longitude').fill('-4.1518');

    await page.getByLabel('Starts').fill('2030-06-04T18:00');
    await page.getByLabel('Ends').fill('2030-06-04T20:00');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.waitForURL(/\/activities\?status=submitted&done=submitted$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Submitted');
    await expect(page.getByRole('link', { name: title, exact: true }).isVisible()).resolves.toBe(true);
    await accessible('submitted list');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The curator approves it from the queue.
    await page.goto(`${server.url}/c/plymouth/curate`);
    await page.waitForURL(/\/login\?next=/);
    await signInAs(`curator.plymouth@${DEMO_EMAIL_DOMAIN}`);
    await page.waitForURL(/\/c\/plymouth\/curate$/);
    await page.getByRole('link', { name: 'Activities waiting for review' }).click();
    await page.waitForURL(/\/c\/plymouth\/curate\/activities$/);
    await accessible('moderation queue');
    const item = page.getByRole('article', { name: title });
    await expect(item.getByRole('link', { name: /Preview/ }).getAttribute('href')).resolves.toMatch(
      /^\/c\/plymouth\/activities\/soldering-for-beginners/,
    );
    await item.getByRole('button', { name: `Approve and publish “${title}”` }).click();
    await page.waitForURL(/done=approved$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('approved');
    await accessible('queue after approval');

    // The activity is public now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${server.url}/c/plymouth/activities/soldering-for-beginners-at-union-street`);
    await expect(page.locator('h1').textContent()).resolves.toContain(title);
    expect(outside).toEqual([]);
  });
});
