import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

const PASSWORD = 'violet kettle under moonlight';

function yearsAgo(years: number): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - 40);
  return date.toISOString().slice(0, 10);
}

describe.runIf(browserAvailable())('people flows in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    return { context, page: await context.newPage() };
  }

  async function expectAccessible(page: Page) {
    expect(await seriousAxeViolations(page)).toEqual([]);
  }

  /** The link in the newest email to `to` whose text contains `path`, made relative to this server. */
  async function linkFromMail(to: string, pathPart: string): Promise<string> {
    const inbox = server.devInbox;
    if (!inbox) throw new Error('no development inbox');
    const mail = await inbox.waitFor((m) => m.to.includes(to) && m.text.includes(pathPart), 15_000);
    const url = new URL(new RegExp(`https?://\\S+${pathPart.replace(/[/?]/g, '\\$&')}\\S*`).exec(mail.text)?.[0] ?? '');
    return `${server.url}${url.pathname}${url.search}`;
  }

  it('signs up, verifies the email from the inbox, signs in and out', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/login`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('link', { name: 'Plymouth' }).click();
    await page.waitForURL(/\/c\/plymouth\/signup/);
    await expectAccessible(page);

    // A common password is refused next to the field.
    await page.getByLabel('Your name').fill('Priya');
    await page.getByLabel('Email address', { exact: true }).fill('priya@example.org');
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByLabel('Date of birth').fill(yearsAgo(28));
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#field-password-error').waitFor();
    await expectAccessible(page);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your email');
    await expectAccessible(page);

    await page.goto(await linkFromMail('priya@example.org', '/verify-email?token='));
    await expect(page.locator('h1').textContent()).resolves.toBe('Your email address is confirmed');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await page.getByLabel('Email address', { exact: true }).fill('priya@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Signed in as Priya' }).click();
    await page.waitForURL(/\/account/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Your account');
    await expectAccessible(page);

    await page.getByLabel('Home area').fill('Stonehouse');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile has been saved.').waitFor();

    await page.getByRole('button', { name: 'Download my data' }).click();
    await page.waitForURL(/\/account\/exports\//);
    await expectAccessible(page);
    await page
      .getByRole('link', { name: 'Download ZIP file' })
      .or(page.getByRole('link', { name: 'Check again' }))
      .first()
      .waitFor();

    await page.goto(`${server.url}/account/delete`);
    await expectAccessible(page);

    await page.goto(`${server.url}/account`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto(`${server.url}/account`);
    await page.waitForURL(/\/login\?next=/);
    await context.close();
  });

  it('signs a minor up; the guardian consents from the emailed link', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/c/torino/signup?lang=en`);
    await page.getByLabel('Your name').fill('Luca');
    await page.getByLabel('Email address', { exact: true }).fill('luca@example.org');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Date of birth').fill(yearsAgo(13));
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#field-guardianEmail-error').waitFor();
    await page.getByLabel('Parent or guardian’s email address').fill('parent.luca@example.org');
    // Passwords are never sent back into a re-shown form, so it is typed again.
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your email');

    await page.goto(await linkFromMail('luca@example.org', '/verify-email?token='));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email address', { exact: true }).fill('luca@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${server.url}/account`);
    await page.locator('.notice-limited').first().waitFor();
    await expectAccessible(page);

    const guardian = await browser.newContext({ locale: 'en-GB' });
    const guardianPage = await guardian.newPage();
    await guardianPage.goto(await linkFromMail('parent.luca@example.org', '/guardian/consent?token='));
    await expect(guardianPage.locator('h1').textContent()).resolves.toBe('Consent for a young learner');
    await expectAccessible(guardianPage);
    await guardianPage.getByRole('button', { name: 'I agree' }).click();
    await expect(guardianPage.locator('h1').textContent()).resolves.toBe('Thank you');
    await expectAccessible(guardianPage);
    await guardian.close();

    await page.reload();
    await page.getByText('has agreed. Your account is complete.').waitFor();
    expect(await page.locator('.notice-limited').count()).toBe(0);
    await context.close();
  });

  it.each(['/forgot-password', '/verify-email/resend', '/signup', '/reset-password?token=x'])(
    'has no serious accessibility violations on %s',
    async (url) => {
      const { context, page } = await newPage();
      await page.goto(`${server.url}${url}`);
      await expectAccessible(page);
      await context.close();
    },
  );
});
