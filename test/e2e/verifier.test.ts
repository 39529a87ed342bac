import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakePng } from '../../src/credentials/index.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { signedDidKeyCredential } from '../../src/server/modules/verifier/verifier.test-support.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';
import { solidPng } from '../helpers/images.ts';

describe.runIf(browserAvailable())('the badge verifier in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  let credentialJson = '';

  beforeAll(async () => {
    // The verifier needs no demo data: a did:key credential signed here verifies without any fetching.
    server = await startDemoServer({ SEED_DEMO: 'false' });
    browser = await launchBrowser();
    const context = await browser.newContext({ locale: 'en-GB' });
    page = await context.newPage();
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(server.url) && !url.startsWith('data:')) outside.push(url);
    });
    credentialJson = JSON.stringify((await signedDidKeyCredential()).credential, null, 2);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const checks = () => page.locator('.verifier-checks li').allTextContents();

  it('is linked from every page and has no serious accessibility problems', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Verify a badge' }).click();
    await page.waitForURL(/\/verify$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Verify a badge');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('verifies a pasted credential and lists every check as passed, in words', async () => {
    await page.goto(`${server.url}/verify`);
    await page.getByLabel('Credential (JSON or JWT)').fill(credentialJson);
    await page.getByRole('button', { name: 'Verify the pasted credential' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    await expect(page.locator('.verifier-verdict').textContent()).resolves.toContain('Verified: this badge is genuine');
    const items = await checks();
    expect(items.length).toBeGreaterThanOrEqual(4);
    for (const item of items) expect(item).toContain('Passed:');
    expect(items.join(' ')).toMatch(/Signature — The signature is valid/);
    await expect(page.locator('.verifier-summary').textContent()).resolves.toContain('Soldering basics');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Long DIDs and hashes wrap: nothing scrolls sideways on a 320 px wide screen (WCAG 1.4.10).
    await page.setViewportSize({ width: 320, height: 800 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('shows the failed check when one character of the credential is changed, keeping the text', async () => {
    await page.goto(`${server.url}/verify`);
    const tampered = credentialJson.replace('Soldering basics', 'Soldering basicz');
    await page.getByLabel('Credential (JSON or JWT)').fill(tampered);
    await page.getByRole('button', { name: 'Verify the pasted credential' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    await expect(page.locator('.verifier-verdict').textContent()).resolves.toContain('Not verified');
    const failed = (await checks()).filter((item) => item.includes('Failed:'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/Signature — The signature does not match/);
    await expect(page.getByLabel('Credential (JSON or JWT)').inputValue()).resolves.toBe(tampered);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('verifies an uploaded baked PNG', async () => {
    await page.goto(`${server.url}/verify`);
    await page.getByLabel('Badge file', { exact: true }).setInputFiles({
      name: 'badge.png',
      mimeType: 'image/png',
      buffer: bakePng(solidPng(16, 16), credentialJson),
    });
    await page.getByRole('button', { name: 'Verify the file' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    await expect(page.locator('.verifier-verdict').textContent()).resolves.toContain('Verified: this badge is genuine');
    await expect(page.locator('.verifier-summary').textContent()).resolves.toContain(
      'Open Badges 3.0 credential with an embedded proof',
    );
  });

  it('puts an error beside the field it concerns, announced in the summary', async () => {
    await page.goto(`${server.url}/verify?lang=lt`);
    await page.getByLabel('Ženklelio failas', { exact: true }).setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: solidPng(4, 4),
    });
    await page.getByRole('button', { name: 'Patikrinti failą' }).click();
    await page.locator('#field-file-error').waitFor();
    await expect(page.locator('#field-file-error').textContent()).resolves.toContain('nėra ženklelio');
    await expect(page.locator('#field-file').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('.error-summary a[href="#field-file"]').count()).resolves.toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(outside).toEqual([]);
  });
});
