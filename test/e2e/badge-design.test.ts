import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('an organiser designs a badge, previews it, publishes it; the public page', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let organisationId: string;
  const outside: string[] = [];
  const name = 'Harbour photographer';

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
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function accessible(label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  it('goes from the form and its preview to the public badge page', async () => {
    const manage = `${server.url}/c/plymouth/manage/${organisationId}/badges`;
    await page.goto(manage);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email address').fill(`staff.stonehouse@${DEMO_EMAIL_DOMAIN}`);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/badges$/);
    await accessible('badge list');
    await page.getByRole('link', { name: 'New badge', exact: true }).click();
    await page.waitForURL(/\/badges\/new$/);
    await accessible('badge form');

    await page.getByRole('radio', { name: /^Skill\b/ }).check();
    await page.getByLabel('Name (English)').fill(name);
    await page.getByLabel('Description (English)').fill('Took and shared photographs of the harbour.');
    await page.getByLabel('What earns the badge (English)').fill('Share three photos of the harbour with the group.');
    await page.getByLabel('Text alternative of the image (English)').fill('A dark green hexagon with a globe');
    await page.getByLabel('Hexagon').check();
    await page.getByLabel('Background colour').fill('#1b4332');
    await page.getByLabel('Globe').check();
    await page.getByLabel('Text on the badge').fill('Photographer');
    await page.getByRole('button', { name: 'Show the preview' }).click();
    await page.waitForURL(/\/badges\/new$/);
    // The preview is drawn from the design, with the alt text; everything typed is still there.
    const preview = page.locator('.badge-preview img');
    await expect(preview.getAttribute('alt')).resolves.toBe('A dark green hexagon with a globe');
    await expect(preview.getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml;base64,/);
    await expect(page.getByLabel('Name (English)').inputValue()).resolves.toBe(name);
    await expect(page.getByLabel('Hexagon').isChecked()).resolves.toBe(true);
    await accessible('badge form with preview');

    // A colour too close to the background is refused beside its field, nothing lost.
    await page.getByLabel('Text and icon colour').fill('#2d6a4f');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.locator('#field-design-foreground-error').textContent()).resolves.toMatch(/contrast/);
    await expect(page.getByLabel('Name (English)').inputValue()).resolves.toBe(name);
    await accessible('badge form with errors');
    await page.getByLabel('Text and icon colour').fill('#ffffff');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/badges\/[0-9a-f-]{36}\?done=created$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('created as a draft');

    await page.getByRole('link', { name: 'Publish…' }).click();
    await page.waitForURL(/\/publish$/);
    await accessible('publish confirmation');
    await page.getByRole('button', { name: 'Publish the badge' }).click();
    await page.waitForURL(/\/badges\?status=published&done=published$/);
    await expect(page.getByRole('link', { name, exact: true }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The public page, for anyone.
    await page.goto(`${server.url}/c/plymouth/badges/harbour-photographer`);
    await expect(page.locator('h1').textContent()).resolves.toBe(name);
    const image = page.locator('img.badge-image');
    await expect(image.getAttribute('alt')).resolves.toBe('A dark green hexagon with a globe');
    await expect(image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(512);
    await expect(page.locator('meta[property="og:image"]').getAttribute('content')).resolves.toContain(
      '/c/plymouth/badges/harbour-photographer/image.png',
    );
    await accessible('public badge page');
    await page.goto(`${server.url}/c/plymouth/badges?q=harbour`);
    await expect(page.getByRole('link', { name, exact: true }).isVisible()).resolves.toBe(true);
    await accessible('badge directory');
    expect(outside).toEqual([]);
  });
});
