import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { ensureUser } from '../../src/server/modules/accounts/accounts.service.ts';
import { TEST_PASSWORD } from '../helpers/auth.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('a learner signs up for a session; the organiser sees the list', () => {
  let server: RunningServer;
  let browser: Browser;
  let target: { slug: string; id: string; organisationId: string; sessionId: string };

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    // A published demo activity that takes sign-ups here, with a session to come that has room.
    const [row] = await server.db.query<typeof target>(
      `SELECT a.slug, a.id, a.organisation_id AS "organisationId", se.id AS "sessionId"
         FROM activities a JOIN activity_sessions se ON se.activity_id = a.id JOIN cities c ON c.id = a.city_id
        WHERE c.slug = 'plymouth' AND a.status = 'published' AND a.signup_mode = 'internal' AND se.cancelled_at IS NULL
          AND se.starts_at > now() + interval '2 days' AND (se.capacity IS NULL OR se.confirmed_count < se.capacity)
        ORDER BY se.starts_at, a.slug LIMIT 1`,
    );
    if (!row) throw new Error('The demo seed has no Plymouth activity taking sign-ups.');
    target = row;
    await ensureUser(server.db, {
      email: 'nia@example.org',
      displayName: 'Nia Learner',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    const { user } = await ensureUser(server.db, {
      email: 'organiser@example.org',
      displayName: 'Olu Organiser',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    await server.db.query(
      "INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'staff') ON CONFLICT DO NOTHING",
      [target.organisationId, user.id],
    );
    // Starting the demo server seeds the whole demo catalogue first.
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    return { context, page: await context.newPage() };
  }

  async function expectAccessible(page: Page, label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  async function signInOnPage(page: Page, email: string) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in from the sign-up page, confirms, sees the result and gets the email; the organiser sees them', async () => {
    const { context, page } = await newPage();
    const signUpPath = `/c/plymouth/activities/${target.slug}/sign-up?session=${target.sessionId}`;
    await page.goto(`${server.url}${signUpPath}`);
    await expectAccessible(page, 'sign-up page, signed out');
    await page.getByRole('link', { name: 'Sign in to sign up' }).click();
    await page.waitForURL(/\/login\?next=/);
    await signInOnPage(page, 'nia@example.org');
    await page.waitForURL((url) => url.pathname.endsWith('/sign-up') && url.search.includes(target.sessionId));
    await expectAccessible(page, 'sign-up page, signed in');
    await page.getByRole('button', { name: 'Confirm my place' }).click();
    await page.waitForURL(/\/c\/plymouth\/sign-ups\/[0-9a-f-]{36}\?done=signed-up$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('You have a place');
    await page.getByText('We have sent the details to nia@example.org').waitFor();
    await expectAccessible(page, 'result page');

    const inbox = server.devInbox;
    if (!inbox) throw new Error('no development inbox');
    const mail = await inbox.waitFor(
      (m) => m.to.includes('nia@example.org') && m.subject.startsWith('Your place is confirmed'),
      20_000,
    );
    const cancelPath = /\/c\/plymouth\/sign-ups\/cancel\/[\w-]+/.exec(mail.text)?.[0];
    expect(cancelPath).toBeTruthy();

    await page.getByRole('link', { name: 'See my activities' }).click();
    await page.waitForURL(/\/c\/plymouth\/my\/activities$/);
    await expectAccessible(page, 'my activities');
    expect(await page.locator('#upcoming-signups tbody tr').count()).toBe(1);

    // The organiser's attendee list names Nia; the page passes axe with its attendance form and CSV link.
    const organiser = await newPage();
    const attendeesPath = `/c/plymouth/manage/${target.organisationId}/activities/${target.id}/sessions/${target.sessionId}/attendees`;
    await organiser.page.goto(`${server.url}${attendeesPath}`);
    await organiser.page.waitForURL(/\/login\?next=/);
    await signInOnPage(organiser.page, 'organiser@example.org');
    await organiser.page.waitForURL((url) => url.pathname === attendeesPath);
    await organiser.page.locator('#confirmed-attendees').getByText('Nia Learner').waitFor();
    await organiser.page.getByRole('link', { name: 'Download the list (CSV)' }).waitFor();
    await expectAccessible(organiser.page, 'attendee list');
    await organiser.page.getByRole('link', { name: 'All dates of this activity' }).click();
    await expectAccessible(organiser.page, 'sessions of the activity');
    await organiser.context.close();

    // The emailed link cancels without signing in, after asking.
    const visitor = await newPage();
    await visitor.page.goto(`${server.url}${cancelPath}`);
    await expect(visitor.page.locator('h1').textContent()).resolves.toBe('Cancel your place?');
    await expectAccessible(visitor.page, 'cancel link page');
    await visitor.page.getByRole('button', { name: 'Yes, cancel my place' }).click();
    await expect(visitor.page.locator('h1').textContent()).resolves.toBe('Your sign-up is cancelled');
    await expectAccessible(visitor.page, 'cancelled page');
    await visitor.context.close();

    await page.reload();
    expect(await page.locator('#upcoming-signups').count()).toBe(0);
    await context.close();
  }, 120_000);
});
