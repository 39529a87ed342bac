import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { ensureUser } from '../../src/server/modules/accounts/accounts.service.ts';
import { cliAuditContext } from '../../src/server/modules/audit/audit.service.ts';
import { createBadgeClass, publishBadgeClass } from '../../src/server/modules/badges/badge-classes.service.ts';
import { type CityRecord, findCityBySlug } from '../../src/server/modules/cities/cities.repo.ts';
import { TEST_PASSWORD } from '../helpers/auth.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';
import { solidPng } from '../helpers/images.ts';

describe.runIf(browserAvailable())(
  'claim codes and evidence: an organiser prints a code, a learner claims it; evidence is sent and approved',
  () => {
    let server: RunningServer;
    let browser: Browser;
    let organisationId: string;
    let codeBadgeId: string;
    let evidenceBadgeSlug: string;
    const organiserEmail = 'claims.organiser@example.org';
    const learnerEmail = 'claims.learner@example.org';

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
      const make = async (name: string, extra: Record<string, unknown>) => {
        const badge = await createBadgeClass(
          server.db,
          city,
          organisationId,
          {
            kind: 'participation',
            name: { en: name },
            description: { en: `${name}: part of the harbour festival.` },
            criteria: { en: 'Take part in the festival.' },
            imageAlt: { en: `${name}: a sailing boat on a blue circle` },
            ...extra,
          },
          caller,
        );
        await publishBadgeClass(server.db, city, badge.id, caller);
        return badge;
      };
      codeBadgeId = (await make('Harbour festival visitor', {})).id;
      evidenceBadgeSlug = (
        await make('Harbour festival helper', {
          evidenceClaimsOpen: true,
          requirements: [
            { kind: 'text', instructions: { en: 'Tell us how you helped at the festival.' } },
            { kind: 'photo', instructions: { en: 'Add a photo of your stand.' } },
          ],
        })
      ).slug;
      for (const [email, name] of [
        [organiserEmail, 'Orla Organiser'],
        [learnerEmail, 'Lee Learner'],
      ] as const) {
        const { user } = await ensureUser(server.db, {
          email,
          displayName: name,
          password: TEST_PASSWORD,
          emailVerified: true,
        });
        if (email === organiserEmail)
          await server.db.query(
            "INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'staff') ON CONFLICT DO NOTHING",
            [organisationId, user.id],
          );
      }
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

    it('the organiser makes a claim code and opens its poster; the learner enters the code and gets the badge', async () => {
      const organiser = await newPage();
      const codesPath = `/c/plymouth/manage/${organisationId}/badges/${codeBadgeId}/claim-codes`;
      await organiser.page.goto(`${server.url}${codesPath}`);
      await organiser.page.waitForURL(/\/login\?next=/);
      await signInOnPage(organiser.page, organiserEmail);
      await organiser.page.waitForURL((url) => url.pathname === codesPath);
      await organiser.page.getByRole('heading', { name: 'Claim codes for “Harbour festival visitor”' }).waitFor();
      await expectAccessible(organiser.page, 'claim codes, none yet');

      // A bad number is explained beside the field, with the label kept.
      await organiser.page.getByLabel('Label (optional)').fill('Festival gate');
      await organiser.page.getByLabel('How many people may use it').fill('0');
      await organiser.page.getByRole('button', { name: 'Make the code' }).click();
      await organiser.page.locator('#field-maxUses-error').waitFor();
      await expect(organiser.page.getByLabel('Label (optional)').inputValue()).resolves.toBe('Festival gate');
      await expectAccessible(organiser.page, 'claim codes with an error');
      await organiser.page.getByLabel('How many people may use it').fill('30');
      await organiser.page.getByRole('button', { name: 'Make the code' }).click();
      await organiser.page.getByText('The claim code has been made.').waitFor();
      await expectAccessible(organiser.page, 'claim codes, one made');

      await organiser.page.getByRole('link', { name: /^Poster/ }).click();
      await organiser.page.getByRole('heading', { name: 'Get the badge “Harbour festival visitor”' }).waitFor();
      await organiser.page.locator('.poster-qr svg path').first().waitFor();
      await expectAccessible(organiser.page, 'poster');
      const code = ((await organiser.page.locator('.poster-code').textContent()) ?? '').trim();
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
      await organiser.context.close();

      const learner = await newPage();
      await learner.page.goto(`${server.url}/c/plymouth/claim-code`);
      await learner.page.waitForURL(/\/login\?next=/);
      await signInOnPage(learner.page, learnerEmail);
      await learner.page.waitForURL((url) => url.pathname === '/c/plymouth/claim-code');
      await expectAccessible(learner.page, 'claim page');
      await learner.page.getByLabel('Claim code').fill('WRNG-C0DE');
      await learner.page.getByRole('button', { name: 'Claim the badge' }).click();
      await learner.page.locator('#field-code-error').waitFor();
      await expectAccessible(learner.page, 'claim page with an error');
      await learner.page.getByLabel('Claim code').fill(code.toLowerCase());
      await learner.page.getByRole('button', { name: 'Claim the badge' }).click();
      await learner.page.waitForURL(/\/c\/plymouth\/my\/badges\?done=claimed$/);
      await learner.page.getByRole('link', { name: 'Harbour festival visitor', exact: true }).waitFor();

      // The QR target, opened again, says the badge is already theirs.
      await learner.page.goto(`${server.url}/c/plymouth/claim-code/${code.replace('-', '')}`);
      await learner.page.getByText('You already hold this badge.').waitFor();
      await expectAccessible(learner.page, 'claim page, badge held');
      await learner.context.close();
    }, 180_000);

    it('the learner sends evidence with a photo; the organiser reviews and approves it', async () => {
      const learner = await newPage();
      const applyPath = `/c/plymouth/badges/${evidenceBadgeSlug}/apply`;
      await learner.page.goto(`${server.url}${applyPath}`);
      await learner.page.waitForURL(/\/login\?next=/);
      await signInOnPage(learner.page, learnerEmail);
      await learner.page.waitForURL((url) => url.pathname === applyPath);
      await learner.page.getByRole('heading', { name: 'Apply for the badge “Harbour festival helper”' }).waitFor();
      await expectAccessible(learner.page, 'apply page');

      // Nothing chosen: each requirement says what is missing, and the typed answer stays.
      await learner.page.getByLabel('Your answer').fill('I ran the lost-and-found stand all Saturday.');
      await learner.page.getByRole('button', { name: 'Send for review' }).click();
      await learner.page.locator('#field-file-1-error').waitFor();
      await expect(learner.page.getByLabel('Your answer').inputValue()).resolves.toBe(
        'I ran the lost-and-found stand all Saturday.',
      );
      await expectAccessible(learner.page, 'apply page with an error');
      await learner.page
        .getByLabel('Choose a photo')
        .setInputFiles({ name: 'stand.png', mimeType: 'image/png', buffer: solidPng(8, 8) });
      await learner.page.getByRole('button', { name: 'Send for review' }).click();
      await learner.page.waitForURL(/\/c\/plymouth\/my\/evidence\?done=submitted/);
      await learner.page.getByText('Your evidence has been sent.').waitFor();
      await expectAccessible(learner.page, 'my evidence');

      const organiser = await newPage();
      const queuePath = `/c/plymouth/manage/${organisationId}/evidence`;
      await organiser.page.goto(`${server.url}${queuePath}`);
      await organiser.page.waitForURL(/\/login\?next=/);
      await signInOnPage(organiser.page, organiserEmail);
      await organiser.page.waitForURL((url) => url.pathname === queuePath);
      await expectAccessible(organiser.page, 'evidence queue');
      await organiser.page
        .getByRole('link', { name: /^Review/ })
        .first()
        .click();
      await organiser.page
        .getByRole('heading', { name: 'Lee Learner: evidence for “Harbour festival helper”' })
        .waitFor();
      await organiser.page.getByText('I ran the lost-and-found stand all Saturday.').waitFor();
      await organiser.page.getByRole('link', { name: 'stand.png' }).waitFor();
      await expectAccessible(organiser.page, 'review page');
      await organiser.page.getByLabel('Note to the learner (optional)').fill('Thank you for a smooth festival.');
      await organiser.page.getByRole('button', { name: 'Approve and issue the badge' }).click();
      await organiser.page.waitForURL(/\/evidence\?done=approve$/);
      await organiser.page.getByText('Approved: the badge has been issued and the learner told.').waitFor();
      await expectAccessible(organiser.page, 'queue after approving');
      await organiser.context.close();

      await learner.page.goto(`${server.url}/c/plymouth/my/badges`);
      await learner.page.getByRole('link', { name: 'Harbour festival helper', exact: true }).click();
      await learner.page.getByText('Thank you for a smooth festival.').waitFor();
      await learner.page.getByText('I ran the lost-and-found stand all Saturday.').waitFor();
      await learner.context.close();
    }, 180_000);
  },
);
