import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('the web shell in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    page = await context.newPage();
    // Nothing may leave the machine: any request not to our server fails the test.
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    page.on('close', () => expect(outside).toEqual([]));
  });

  it('renders the network home and opens a city', async () => {
    await page.goto(`${server.url}/`);
    await expect(page.title()).resolves.toContain('Cities of learning');
    await page.getByRole('link', { name: 'Vilnius' }).click();
    await page.waitForURL(/\/c\/vilnius/);
    // The city's default language is Lithuanian; this English-speaking browser gets English, offered by the city.
    await expect(page.locator('h1').textContent()).resolves.toBe('Welcome to Vilnius, a city of learning');
    await expect(page.locator('.brand-city').textContent()).resolves.toBe('Vilnius');
    expect(await page.evaluate(() => document.documentElement.classList.contains('js'))).toBe(true);
    await page.close();
  });

  it('switches language with the language switcher and keeps the choice', async () => {
    await page.goto(`${server.url}/c/vilnius`);
    await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Lietuvių' }).click();
    await page.waitForURL(/lang=lt/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('lt');
    await expect(page.locator('h1').textContent()).resolves.toBe('Vilnius – mokymosi miestas. Sveiki atvykę!');
    await page.goto(`${server.url}/c/vilnius`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('lt');
    await page.close();
  });

  it('lets keyboard users skip to the main content', async () => {
    await page.goto(`${server.url}/c/torino`);
    await page.keyboard.press('Tab');
    const skip = page.locator('.skip-link');
    await expect(skip.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(skip.isVisible()).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    await page.close();
  });

  it.each(['/', '/c/plymouth', '/c/vilnius?lang=lt', '/c/torino?lang=it', '/no/such/page'])(
    'has no serious accessibility violations on %s',
    async (url) => {
      await page.goto(`${server.url}${url}`);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.close();
    },
  );

  it('shows the API documentation without the network', async () => {
    await page.goto(`${server.url}/api/docs`);
    await page.getByText('Learnscape API').first().waitFor();
    await expect(page.getByText('/api/v1/cities').first().isVisible()).resolves.toBe(true);
    await page.close();
  });
});
