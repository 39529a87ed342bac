import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { ensureUser } from '../../src/server/modules/accounts/accounts.service.ts';
import { TEST_PASSWORD } from '../helpers/auth.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('an organisation applies to a city and its curator approves it', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer({ JOB_POLL_INTERVAL_MS: '200' });
    await ensureUser(server.db, {
      email: 'founder@efford.example.org',
      displayName: 'Sam Founder',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-GB' });
    page = await context.newPage();
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

  async function signInAs(email: string, password: string) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('walks through applying, approving and the public profile', async () => {
    // The directory invites organisations to register; registering needs an account.
    await page.goto(`${server.url}/c/plymouth/organisations`);
    await accessible('directory');
    await page.getByRole('link', { name: 'Register your organisation' }).click();
    await page.waitForURL(/\/login\?next=/);
    await signInAs('founder@efford.example.org', TEST_PASSWORD);
    await page.waitForURL(/\/c\/plymouth\/organisations\/new$/);
    await accessible('registration form');

    // A first try with a place outside Plymouth shows the error next to the field.
    await page.getByLabel('Name of the organisation').fill('Efford Coding Club');
    await page.getByLabel(/Learning provider/).check();
    await page.getByLabel('Street and number').fill('Efford Lane 2');
    await page.getByLabel('Neighbourhood or district').fill('Efford and Lipson');
    await page.getByLabel('Latitude').fill('51.5');
    await page.getByLabel('Longitude').fill('-0.12');
    await page.getByRole('button', { name: 'Send the application' }).click();
    await expect(page.locator('#field-lat-error').textContent()).resolves.toContain("city's map area");
    await accessible('registration form with errors');
    await page.getByLabel('Latitude').fill('50.3842');
    await page.getByLabel('Longitude').fill('-4.1063');
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.waitForURL(/\/c\/plymouth\/manage\/[0-9a-f-]+\?done=applied/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('sent to the city');
    await accessible('members page');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The curator of Plymouth approves it from the queue.
    await page.goto(`${server.url}/c/plymouth/curate/organisations`);
    await page.waitForURL(/\/login\?next=/);
    await signInAs('curator.plymouth@demo.learnscape.test', DEMO_PASSWORD);
    await page.waitForURL(/\/c\/plymouth\/curate\/organisations$/);
    await accessible('curator queue');
    const application = page.getByRole('article', { name: 'Efford Coding Club' });
    await application.getByLabel('Reason').fill('Welcome to the network!');
    await application.getByLabel('Also mark the organisation as verified').check();
    await application.getByRole('button', { name: 'Approve Efford Coding Club' }).click();
    await page.waitForURL(/done=approve/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('approved');
    await accessible('curator queue after the decision');

    await page.goto(`${server.url}/c/plymouth/curate/audit-log`);
    await expect(page.getByText('organisation.approve').first().isVisible()).resolves.toBe(true);
    await accessible('audit log');

    // The organisation is public now, and the applicant was emailed.
    await page.goto(`${server.url}/c/plymouth/organisations`);
    await page.getByRole('link', { name: 'Efford Coding Club' }).click();
    await page.waitForURL(/\/c\/plymouth\/organisations\/efford-coding-club$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Efford Coding Club');
    await expect(page.getByText('Verified').first().isVisible()).resolves.toBe(true);
    await accessible('public profile');
    const mail = await (server.devInbox as NonNullable<RunningServer['devInbox']>).waitFor(
      (m) => m.to.includes('founder@efford.example.org'),
      20_000,
    );
    expect(mail.subject).toBe('Efford Coding Club is approved in Plymouth');
    expect(mail.text).toContain('Welcome to the network!');
    expect(outside).toEqual([]);
  });
});
