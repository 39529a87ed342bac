import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { ensureUser } from '../../src/server/modules/accounts/accounts.service.ts';
import { cliAuditContext } from '../../src/server/modules/audit/audit.service.ts';
import { createBadgeClass, publishBadgeClass } from '../../src/server/modules/badges/badge-classes.service.ts';
import { type CityRecord, findCityBySlug } from '../../src/server/modules/cities/cities.repo.ts';
import { TEST_PASSWORD } from '../helpers/auth.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

const LEARNER_PASSWORD = 'amber lantern over the harbour';

function yearsAgo(years: number): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - 40);
  return date.toISOString().slice(0, 10);
}

describe.runIf(browserAvailable())(
  'an organiser awards a badge; the learner claims it; the organiser revokes it',
  () => {
    let server: RunningServer;
    let browser: Browser;
    let organisationId: string;
    let badgeId: string;

    beforeAll(async () => {
      server = await startDemoServer();
      browser = await launchBrowser();
      const city = (await findCityBySlug(server.db, 'plymouth')) as CityRecord;
      const [organisation] = await server.db.query<{ id: string }>(
        `SELECT o.id FROM organisations o JOIN organisation_cities oc ON oc.organisation_id = o.id
        WHERE oc.city_id = $1 AND oc.status = 'approved' ORDER BY o.slug LIMIT 1`,
        [city.id],
      );
      if (!organisation) throw new Error('The demo seed has no approved organisation in Plymouth.');
      organisationId = organisation.id;
      const caller = { actor: 'system' as const, audit: cliAuditContext() };
      const badge = await createBadgeClass(
        server.db,
        city,
        organisationId,
        {
          kind: 'participation',
          name: { en: 'Harbour clean-up volunteer' },
          description: { en: 'Took part in a morning clean-up of the harbour.' },
          criteria: { en: 'Join one clean-up morning from start to finish.' },
          imageAlt: { en: 'A wave over a litter picker on a blue circle' },
        },
        caller,
      );
      await publishBadgeClass(server.db, city, badge.id, caller);
      badgeId = badge.id;
      const { user } = await ensureUser(server.db, {
        email: 'awarding.organiser@example.org',
        displayName: 'Ola Organiser',
        password: TEST_PASSWORD,
        emailVerified: true,
      });
      await server.db.query(
        "INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'staff') ON CONFLICT DO NOTHING",
        [organisationId, user.id],
      );
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

    async function signInOnPage(page: Page, email: string, password: string) {
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    /** The newest link to `pathPart` in an email to `to`, on this server. */
    async function linkFromMail(to: string, pathPart: string): Promise<string> {
      const inbox = server.devInbox;
      if (!inbox) throw new Error('no development inbox');
      const mail = await inbox.waitFor((m) => m.to.includes(to) && m.text.includes(pathPart), 20_000);
      const url = new URL(
        new RegExp(`https?://\\S+${pathPart.replace(/[/?]/g, '\\$&')}\\S*`).exec(mail.text)?.[0] ?? '',
      );
      return `${server.url}${url.pathname}${url.search}`;
    }

    it('awards by email, the learner signs up and claims it, the organiser revokes it with a reason', async () => {
      const learnerEmail = 'kai.harbour@example.org';
      const organiser = await newPage();
      const awardPath = `/c/plymouth/manage/${organisationId}/badges/${badgeId}/award`;
      await organiser.page.goto(`${server.url}${awardPath}`);
      await organiser.page.waitForURL(/\/login\?next=/);
      await signInOnPage(organiser.page, 'awarding.organiser@example.org', TEST_PASSWORD);
      await organiser.page.waitForURL((url) => url.pathname === awardPath);
      await expectAccessible(organiser.page, 'award page');

      // A bad line is shown beside the field, with everything typed kept.
      const recipients = organiser.page.getByLabel('People to award the badge to');
      await recipients.fill(`${learnerEmail}, Kai Harbour\nnot-an-address`);
      await organiser.page.getByLabel('Why the badge is awarded (optional)').fill('Cleared the east slipway.');
      await organiser.page.getByRole('button', { name: 'Check the list' }).click();
      await organiser.page.locator('#field-recipients-error').getByText('Line 2').waitFor();
      await expect(recipients.inputValue()).resolves.toContain(learnerEmail);
      await expect(organiser.page.getByLabel('Why the badge is awarded (optional)').inputValue()).resolves.toBe(
        'Cleared the east slipway.',
      );
      await expectAccessible(organiser.page, 'award page with an error');

      await recipients.fill(`${learnerEmail}, Kai Harbour`);
      await organiser.page.getByRole('button', { name: 'Check the list' }).click();
      await organiser.page.getByRole('heading', { name: /People on the list: 1/ }).waitFor();
      await expectAccessible(organiser.page, 'award preview');
      await organiser.page.getByRole('button', { name: 'Award the badge to everyone listed (1)' }).click();
      await organiser.page.getByRole('heading', { name: 'New badges issued: 1' }).waitFor();
      await organiser.page.getByText('issued; a link to claim it was emailed').waitFor();
      await expectAccessible(organiser.page, 'award results');

      // The learner has no account yet: the email carries a claim link.
      const claimLink = await linkFromMail(learnerEmail, '/c/plymouth/claim/');
      const learner = await newPage();
      await learner.page.goto(claimLink);
      await learner.page.getByRole('heading', { name: 'Claim your badge: Harbour clean-up volunteer' }).waitFor();
      await expectAccessible(learner.page, 'claim page, signed out');
      await learner.page.getByRole('link', { name: 'Create an account' }).click();
      await learner.page.waitForURL(/\/c\/plymouth\/signup/);
      await learner.page.getByLabel('Your name').fill('Kai Harbour');
      await learner.page.getByLabel('Email address', { exact: true }).fill(learnerEmail);
      await learner.page.getByLabel('Password', { exact: true }).fill(LEARNER_PASSWORD);
      await learner.page.getByLabel('Date of birth').fill(yearsAgo(24));
      await learner.page.getByRole('button', { name: 'Create account' }).click();
      await expect(learner.page.locator('h1').textContent()).resolves.toBe('Check your email');
      await learner.page.goto(await linkFromMail(learnerEmail, '/verify-email?token='));

      // Back to the claim link: signing in returns to it, and one button claims the badge.
      await learner.page.goto(claimLink);
      await learner.page.getByRole('link', { name: 'Sign in to claim it' }).click();
      await learner.page.waitForURL(/\/login\?next=/);
      await signInOnPage(learner.page, learnerEmail, LEARNER_PASSWORD);
      await learner.page.waitForURL((url) => url.pathname.startsWith('/c/plymouth/claim/'));
      await expectAccessible(learner.page, 'claim page, signed in');
      await learner.page.getByRole('button', { name: 'Add to my badges' }).click();
      await learner.page.waitForURL(/\/c\/plymouth\/my\/badges\?done=claimed$/);
      await learner.page.getByText('The badge has been added to your badges.').waitFor();
      await learner.page.getByRole('link', { name: 'Harbour clean-up volunteer', exact: true }).waitFor();
      await expectAccessible(learner.page, 'my badges');

      // The organiser revokes it from the issued list, through the confirmation page.
      await organiser.page.getByRole('link', { name: 'Issued badges' }).click();
      await organiser.page.getByRole('cell', { name: /^Kai Harbour/ }).waitFor();
      await expectAccessible(organiser.page, 'issued list');
      await organiser.page.getByRole('link', { name: 'Revoke (Kai Harbour)' }).click();
      await organiser.page.getByRole('heading', { name: 'Revoke the badge “Harbour clean-up volunteer”' }).waitFor();
      await expectAccessible(organiser.page, 'revoke confirmation');
      await organiser.page.getByRole('button', { name: 'Revoke the badge' }).click();
      await organiser.page.locator('#field-reason-error').waitFor();
      await organiser.page.getByLabel('Reason').fill('Awarded to the wrong person');
      await organiser.page.getByRole('button', { name: 'Revoke the badge' }).click();
      await organiser.page.getByText('The badge has been revoked and the learner has been told.').waitFor();
      await organiser.context.close();

      // The credential page still answers, and says it is revoked and why.
      await learner.page.reload();
      await learner.page.getByRole('link', { name: 'Harbour clean-up volunteer', exact: true }).click();
      await learner.page.waitForURL(/\/c\/plymouth\/credentials\/[0-9a-f-]{36}$/);
      await learner.page.getByText('The issuer withdrew this badge').waitFor();
      await learner.page.getByText('Awarded to the wrong person').waitFor();
      await expectAccessible(learner.page, 'credential page, revoked');
      await learner.context.close();
    }, 180_000);
  },
);
