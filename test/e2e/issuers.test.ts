import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('an organiser looks after the issuer identity and rotates its key', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let organisationId: string;
  const outside: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    const [row] = await server.db.query<{ id: string }>(
      "SELECT id FROM organisations WHERE slug = 'stonehouse-makers'",
    );
    organisationId = row?.id as string;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function accessible(label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  it('opens the issuer page, rotates the key after confirming, and sees both keys', async () => {
    // A verifier resolving the DID gives the approved provider its first key.
    const document = await (await fetch(`${server.url}/issuers/${organisationId}/did.json`)).json();
    expect(document.verificationMethod).toHaveLength(1);

    await page.goto(`${server.url}/c/plymouth/manage/${organisationId}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email address').fill('owner.stonehouse@demo.learnscape.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/c/plymouth/manage/${organisationId}$`));
    await page.getByRole('link', { name: 'Issuer identity and keys' }).click();
    await page.waitForURL(/\/issuer$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Issuer identity and keys');
    const keys = page.getByRole('table', { name: "The organisation's signing keys, the active one first" });
    await expect(keys.locator('tbody tr').count()).resolves.toBe(1);
    await accessible('issuer page');

    await page.getByRole('link', { name: 'Rotate key' }).click();
    await page.waitForURL(/\/issuer\/rotate$/);
    await expect(page.getByText('keeps verifying').isVisible()).resolves.toBe(true);
    await accessible('rotation confirmation');
    await page.getByRole('button', { name: 'Yes, rotate the key' }).click();
    await page.waitForURL(/\/issuer\?done=rotated$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('The key was rotated');
    await expect(keys.locator('tbody tr').count()).resolves.toBe(2);
    await expect(keys.locator('tbody tr').first().textContent()).resolves.toContain('Active');
    await expect(keys.locator('tbody tr').nth(1).textContent()).resolves.toContain('Retired');
    await accessible('issuer page after the rotation');

    // The import form shows its problem beside the field and keeps what was typed.
    await page.getByLabel('Private key as a JWK').fill('{"kty": "OKP"');
    await page.getByRole('button', { name: 'Import key' }).click();
    await expect(page.locator('#field-jwk-error').textContent()).resolves.toContain('not valid JSON');
    await expect(page.getByLabel('Private key as a JWK').inputValue()).resolves.toBe('{"kty": "OKP"');
    await accessible('import form with an error');

    // The DID document lists both keys; the public issuer page and the endorsements page read well.
    const after = await (await fetch(`${server.url}/issuers/${organisationId}/did.json`)).json();
    expect(after.verificationMethod).toHaveLength(2);
    await page.getByRole('link', { name: 'Open the public issuer page' }).click();
    await page.waitForURL(new RegExp(`/issuers/${organisationId}$`));
    await expect(page.locator('h1').textContent()).resolves.toBe('Stonehouse Makers Collective');
    await accessible('public issuer page');
    await page.goto(`${server.url}/c/plymouth/manage/${organisationId}/endorsements`);
    await accessible('endorsements page');
    expect(outside).toEqual([]);
  });
});
