import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('an organiser issues badges from a CSV file', () => {
  let server: RunningServer;
  let browser: Browser;
  let organisationId: string;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    const [organisation] = await server.db.query<{ id: string }>(
      "SELECT id FROM organisations WHERE slug = 'stonehouse-makers'",
    );
    if (!organisation) throw new Error('The demo seed has no Stonehouse Makers.');
    organisationId = organisation.id;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function expectAccessible(page: Page, label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  it('checks every row, shows the bad one beside it, issues the valid rows and offers the report', async () => {
    const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    const home = `/c/plymouth/manage/${organisationId}/bulk-issues`;
    await page.goto(`${server.url}${home}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email address').fill(`staff.stonehouse@${DEMO_EMAIL_DOMAIN}`);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === home);
    await page.getByRole('heading', { name: 'Issue badges from a file: Stonehouse Makers Collective' }).waitFor();
    await expectAccessible(page, 'upload page');

    const csv = [
      'Email;Name;Narrative',
      'ada.volunteer@example.org;Ada Volunteer;Ran the soldering table',
      'not-an-email;Broken Row;',
      'ben.volunteer@example.org;Ben Volunteer;Fixed three radios',
    ].join('\r\n');
    await page.getByLabel('CSV file').setInputFiles({
      name: 'volunteers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${csv}\r\n`),
    });
    await page
      .getByLabel('Badge for the whole file')
      .selectOption({ label: 'Maker night regular (stonehouse-maker-night)' });
    await page.getByRole('button', { name: 'Check the file' }).click();

    // The preview: counts, and the problem in the row that has it.
    await page.getByRole('heading', { name: 'Check before issuing: volunteers.csv' }).waitFor();
    await page.getByText('3 rows read: 2 ready, 1 with problems.').waitFor();
    const badRow = page.getByRole('row', { name: /not-an-email/ });
    await expect(badRow.getByText('The email address is not valid.').isVisible()).resolves.toBe(true);
    await expect(
      page
        .getByRole('row', { name: /ada\.volunteer@example\.org/ })
        .getByText('Ready')
        .isVisible(),
    ).resolves.toBe(true);
    await expectAccessible(page, 'preview');

    await page.getByRole('button', { name: 'Issue the valid rows (2) and skip the rows with problems (1)' }).click();
    await page.waitForURL(/\/bulk-issues\/[0-9a-f-]{36}\?done=started$/);
    await page.getByRole('heading', { name: 'Bulk issue: volunteers.csv' }).waitFor();
    await expectAccessible(page, 'progress page while issuing');
    // The island polls the batch and reloads the page when it has finished.
    await page.getByText('Finished: 2 issued, 1 skipped, 0 failed, of 3 rows.').waitFor({ timeout: 60_000 });
    await expect(page.locator('#bulk-progress-bar').getAttribute('value')).resolves.toBe('3');
    await expectAccessible(page, 'progress page finished');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the report of every row (CSV)' }).click(),
    ]);
    const report = fs.readFileSync((await download.path()) as string, 'utf8');
    const lines = report.trim().split('\r\n');
    expect(lines[0]).toBe('line,email,badge,outcome,credential_url,error');
    expect(lines[1]).toMatch(
      /^2,ada\.volunteer@example\.org,stonehouse-maker-night,issued,http:\/\/localhost:\d+\/c\/plymouth\/credentials\//,
    );
    expect(lines[2]).toBe('3,not-an-email,stonehouse-maker-night,invalid,,the email address is not valid');
    expect(lines[3]).toMatch(/^4,ben\.volunteer@example\.org,stonehouse-maker-night,issued,/);

    // The upload page lists the batch.
    await page.getByRole('link', { name: 'All bulk issues' }).click();
    await page.getByRole('link', { name: 'volunteers.csv' }).waitFor();
    await context.close();
  }, 180_000);
});
