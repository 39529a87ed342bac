import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('the catalogue search and map in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let outside: string[];

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
    // Nothing may leave the machine: the map's style, data and script all come from our server.
    outside = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) outside.push(request.url());
    });
    page.on('close', () => expect(outside).toEqual([]));
  });

  const mapReady = async () => {
    await page.locator('#catalogue-map[data-state="ready"]').waitFor({ timeout: 20_000 });
    await page.locator('#catalogue-map canvas').waitFor();
  };
  const resultCount = async () =>
    Number(((await page.locator('#results-heading').textContent()) ?? '').match(/\d+/)?.[0] ?? Number.NaN);

  it('searches, filters, follows the map and opens an activity', async () => {
    await page.goto(`${server.url}/c/plymouth/activities`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Activities in Plymouth');
    await mapReady();
    const everything = await resultCount();
    expect(everything).toBeGreaterThan(50);

    // Search a word.
    await page.getByRole('searchbox', { name: 'What do you want to learn?' }).fill('coding');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/[?&]q=coding/);
    const coding = await resultCount();
    expect(coding).toBeGreaterThan(0);
    expect(coding).toBeLessThan(everything);
    // Title matches rank first (search.test.ts checks the order); here: the words found reach the page.
    const titles = await page.locator('.result-title').allTextContents();
    expect(titles.some((title) => /cod/i.test(title))).toBe(true);

    // Filter a facet: ticking a box applies it at once.
    const inPerson = page.locator('#facet-format input[value="in_person"]');
    await inPerson.check();
    await page.waitForURL(/format=in_person/);
    await expect(page.locator('#facet-format input[value="in_person"]').isChecked()).resolves.toBe(true);
    const filtered = await resultCount();
    expect(filtered).toBeLessThanOrEqual(coding);
    expect(filtered).toBeGreaterThan(0);

    // The map is drawn from the same search: clusters and points loaded into its source.
    await mapReady();
    expect(Number(await page.locator('#catalogue-map').getAttribute('data-features'))).toBeGreaterThan(0);
    expect(Number(await page.locator('#catalogue-map').getAttribute('data-total'))).toBeGreaterThan(0);

    // Pan the map: the view goes into the URL and "Search this area" appears; pressing it makes the list follow.
    const canvas = page.locator('#catalogue-map canvas');
    const box = (await canvas.boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 260, box.y + box.height / 2 + 40, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL(/[?&]map=\d+(\.\d+)?%2F/);
    const searchArea = page.getByRole('button', { name: 'Search this area' });
    await searchArea.waitFor();
    await searchArea.click();
    await page.waitForURL(/[?&]bbox=/);
    await page.locator('.area-notice').waitFor();
    const inArea = await resultCount();
    expect(inArea).toBeLessThanOrEqual(filtered);
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('coding');
    expect(url.searchParams.get('format')).toBe('in_person');
    expect(url.searchParams.get('map')).toMatch(/^\d+(\.\d+)?\/50\.\d+\/-4\.\d+$/);
    const [west, south, east, north] = (url.searchParams.get('bbox') ?? '').split(',').map(Number);
    expect(west).toBeLessThan(east as number);
    expect(south).toBeLessThan(north as number);

    // The shared link opens the same view and list without any script state.
    const shared = await browser.newPage();
    await shared.goto(page.url());
    await expect(
      shared
        .locator('#results-heading')
        .textContent()
        .then((text) => Number(text?.match(/\d+/)?.[0])),
    ).resolves.toBe(inArea);
    await shared.close();

    // Open an activity from the list (back to the whole city if the panned view happens to be empty).
    if (inArea === 0) await page.getByRole('link', { name: 'Search the whole city' }).click();
    const first = page.locator('.result-title a').first();
    const title = (await first.textContent())?.trim() ?? '';
    await first.click();
    await page.waitForURL(/\/c\/plymouth\/activities\/[a-z0-9-]+$/);
    await expect(page.locator('h1').first().textContent()).resolves.toContain(title);
    await page.close();
  });

  it('shows a popup for a marker and highlights its list item', async () => {
    await page.goto(`${server.url}/c/plymouth/activities?q=coding&map=16/50.3752/-4.1397`);
    await mapReady();
    const features = Number(await page.locator('#catalogue-map').getAttribute('data-features'));
    if (features > 0) {
      // Hovering a list item draws the highlight ring (a source update; no error).
      await page.locator('.result-card').first().hover();
    }
    expect(await page.locator('.skip-map').getAttribute('href')).toBe('#results-heading');
    await page.close();
  });

  it.each([
    '/c/plymouth/activities',
    '/c/plymouth/activities?q=robot&format=in_person',
    '/c/vilnius/activities?lang=lt',
    '/c/torino/activities?lang=it&when=week',
    '/c/plymouth/activities?q=zzzzzzzz',
  ])('has no serious accessibility violations on %s (with the map)', async (url) => {
    await page.goto(`${server.url}${url}`);
    await mapReady();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });
});
