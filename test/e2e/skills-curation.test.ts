import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-cities.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('a curator builds the skills spine in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ locale: 'en-GB' });
    page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    // The delete button asks with a confirm() dialog (data-confirm); the test says yes.
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function accessible(label: string) {
    expect(await seriousAxeViolations(page), label).toEqual([]);
  }

  const base = () => `${server.url}/c/vilnius/curate/skills`;

  it('creates a local skill, crosswalks it to DigComp with the picker, and deletes it', async () => {
    // Sign in from the curator pages.
    await page.goto(`${base()}?lang=en`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email address').fill('curator.vilnius@demo.learnscape.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/c\/vilnius\/curate\/skills(\?lang=en)?$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Skills spine');
    await accessible('skills curation index');

    // The curator area and the public skills page link here.
    await page.goto(`${server.url}/c/vilnius/curate`);
    await accessible('curator area');
    await page.getByRole('link', { name: 'Skills spine' }).click();
    await page.waitForURL(/\/curate\/skills$/);
    await page.goto(`${server.url}/c/vilnius/skills`);
    await accessible('public skills page for a curator');
    await page.getByRole('link', { name: 'Manage the skills spine of Vilnius' }).click();
    await page.waitForURL(/\/curate\/skills$/);

    // The frameworks of the city.
    await page.getByRole('link', { name: 'Change the frameworks' }).click();
    await page.waitForURL(/\/curate\/skills\/frameworks$/);
    await accessible('frameworks form');
    await expect(page.getByLabel(/^DigComp 2\.2/).isChecked()).resolves.toBe(true);
    await page.getByLabel(/^GreenComp/).check();
    await page.getByRole('button', { name: 'Save the frameworks' }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('frameworks are saved');
    await expect(page.getByLabel(/^GreenComp/).isChecked()).resolves.toBe(true);
    await accessible('frameworks saved');

    // A new local skill: a first try without a name shows the error next to the field, keyboard first.
    await page.getByRole('link', { name: 'Skills spine' }).click();
    await page.getByRole('link', { name: 'Add a local skill' }).click();
    await page.waitForURL(/\/curate\/skills\/new$/);
    await accessible('new local skill form');
    await page.getByLabel('Description in English').fill('Help young people resolve conflicts peacefully.');
    await page.getByRole('button', { name: 'Create the skill' }).click();
    await expect(page.locator('#field-label-error').textContent()).resolves.toBe(
      'Give the skill a name in at least one language.',
    );
    await accessible('new local skill form with errors');
    await page.getByRole('link', { name: /^Name: Give the skill a name/ }).click();
    await page.getByLabel('Name in Lietuvių').fill('Konfliktų sprendimas');
    await page.getByLabel('Name in English').fill('Resolving conflicts');
    await page.getByLabel('Part of').selectOption({ label: 'Youth worker competences' });
    await page.getByLabel('Name in English').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/curate\/skills\?done=created$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('The local skill is created.');
    await accessible('index with the new skill');

    // Its crosswalks: pick DigComp's "Collaborating through digital technologies" with the typeahead.
    await page.getByRole('link', { name: '0 crosswalks Resolving conflicts' }).click();
    await page.waitForURL(/\/crosswalks$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Crosswalks of “Resolving conflicts”');
    await accessible('crosswalks page');
    const combobox = page.getByRole('combobox', { name: 'Find a skill' });
    await combobox.focus();
    await page.keyboard.type('collab');
    await page.getByRole('option', { name: /^Collaborating through digital technologies/ }).waitFor();
    await accessible('crosswalks page with suggestions open');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.skill-chip').waitFor();
    await page.getByLabel('Relation').selectOption('exact');
    await page.getByRole('button', { name: 'Add the crosswalk' }).click();
    await page.waitForURL(/\/crosswalks\?done=added$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('The crosswalk is added.');
    const row = page.getByRole('row', { name: /Collaborating through digital technologies/ });
    await expect(row.textContent()).resolves.toContain('DigComp 2.2');
    await expect(row.textContent()).resolves.toContain('same skill');
    await accessible('crosswalks page with the crosswalk');

    // The public page of the new skill shows the crosswalk.
    await page.getByRole('link', { name: "See the skill's public page" }).click();
    await page.getByRole('heading', { name: 'Resolving conflicts' }).waitFor();
    await expect(page.getByRole('link', { name: 'Collaborating through digital technologies' }).count()).resolves.toBe(
      1,
    );

    // A crosswalk that closes a circle is refused with the error next to the relation.
    await page.goto(`${base()}`);
    await page.getByRole('link', { name: /crosswalks? Planning non-formal learning activities$/ }).click();
    await combobox.fill('planning and management');
    await page
      .getByRole('option', { name: /^Planning and management/ })
      .first()
      .waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.skill-chip').waitFor();
    await page.getByLabel('Relation').selectOption('narrower');
    await page.getByRole('button', { name: 'Add the crosswalk' }).click();
    await expect(page.locator('#field-relation-error').textContent()).resolves.toMatch(
      /^This crosswalk would make a skill broader than itself/,
    );
    await accessible('crosswalk cycle error');

    // Deleting asks first: the confirmation page without scripts, a dialog with them.
    await page.goto(`${base()}`);
    await page.getByRole('link', { name: 'Edit Resolving conflicts' }).click();
    await page.waitForURL(/\/edit$/);
    await accessible('edit form');
    const editUrl = page.url();
    await page.goto(editUrl.replace(/\/edit$/, '/delete'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Delete “Resolving conflicts”');
    await accessible('delete confirmation page');
    await page.goto(editUrl);
    await page.getByRole('button', { name: 'Delete Resolving conflicts' }).click();
    await page.waitForURL(/\/curate\/skills\?done=deleted$/);
    expect(dialogs).toEqual(['Delete the local skill “Resolving conflicts”?']);
    await expect(page.getByText('Resolving conflicts').count()).resolves.toBe(0);
    await accessible('index after deleting');
    expect(outside).toEqual([]);
  });
});
