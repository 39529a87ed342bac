import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translatorFor } from '../../src/web/i18n.ts';
import { skillPicker } from '../../src/web/pages/skills-picker.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { browserAvailable, launchBrowser, seriousAxeViolations, startDemoServer } from '../helpers/browser.ts';

describe.runIf(browserAvailable())('the skills spine in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let outside: string[];

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
    outside = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    page.on('close', () => expect(outside).toEqual([]));
  });

  const combobox = () => page.getByRole('combobox', { name: 'Find a skill' });

  it('suggests skills as you type and opens one with the keyboard', async () => {
    await page.goto(`${server.url}/c/vilnius/skills`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Skills in Vilnius');
    const input = combobox();
    await input.focus();
    await page.keyboard.type('collab');
    const option = page.getByRole('option', { name: /^Collaborating through digital technologies/ });
    await option.waitFor();
    await expect(input.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(option.textContent()).resolves.toContain('DigComp 2.2');
    await page.keyboard.press('ArrowDown');
    const activeId = await input.getAttribute('aria-activedescendant');
    expect(activeId).toBeTruthy();
    await expect(page.locator(`#${activeId}`).getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/c\/vilnius\/skills\/[0-9a-f-]{36}$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Collaborating through digital technologies');
    await expect(page.getByText('Digital youth work').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.skill-earners').textContent()).resolves.toContain('Fewer than 5 people');
    await expect(page.getByText('DigComp 2.2 © European Union').first().isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('finds alternative labels, closes on Escape, and announces results', async () => {
    await page.goto(`${server.url}/c/vilnius/skills`);
    await combobox().fill('rapport');
    const option = page.getByRole('option', { name: /^Building relationships with young people/ });
    await option.waitFor();
    await expect(option.textContent()).resolves.toContain('also called “rapport with young people”');
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/2 skills found/);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('listbox').isHidden()).resolves.toBe(true);
    await expect(combobox().getAttribute('aria-expanded')).resolves.toBe('false');
    await page.close();
  });

  it('searches in Lithuanian with the typeahead', async () => {
    await page.goto(`${server.url}/c/vilnius/skills?lang=lt`);
    await page.getByRole('combobox', { name: 'Rasti gebėjimą' }).fill('skaitmen');
    await page.getByRole('option', { name: /^Skaitmeninis darbas su jaunimu/ }).waitFor();
    await page.close();
  });

  it('works without the island: Enter submits the search form and lists results', async () => {
    await page.goto(`${server.url}/c/torino/skills?lang=en`);
    await combobox().fill('environmental legislation');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?q=environmental\+legislation/);
    await expect(page.locator('.skill-results-heading').textContent()).resolves.toBe(
      'Results for “environmental legislation”',
    );
    await page.getByRole('link', { name: 'ensure compliance with environmental legislation' }).click();
    await page.getByRole('heading', { name: 'Occupations that use this skill' }).waitFor();
    await expect(page.getByText('This service uses the ESCO classification').first().isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('collects skills with a level in a form (select mode, as activity and badge forms use it)', async () => {
    await page.goto(`${server.url}/c/vilnius/skills`);
    const markup = skillPicker(
      {
        t: translatorFor('en'),
        language: 'en',
        languages: ['en'],
        currentUrl: '/',
        assets: server.app.assets,
        requestId: 'e2e',
        account: null,
        csrfToken: '',
      },
      { mode: 'select', citySlug: 'vilnius', id: 'badge-skills', name: 'skills' },
    ).value;
    // Mount the server-rendered field in a form and start the island on it, as a form page would.
    await page.evaluate(async (html) => {
      const src = (document.querySelector('script[src*="skill-picker"]') as HTMLScriptElement).src;
      const main = document.querySelector('main') as HTMLElement;
      main.innerHTML = `<div class="container"><h1>Badge</h1><form id="badge-form">${html}</form></div>`;
      const script = document.createElement('script');
      script.type = 'module';
      script.src = `${src}?select`;
      await new Promise((resolve) => {
        script.onload = resolve;
        document.body.append(script);
      });
    }, markup);
    await combobox().fill('collab');
    await page.getByRole('option', { name: /^Collaborating through digital technologies/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const chip = page.locator('.skill-chip');
    await chip.waitFor();
    await expect(combobox().inputValue()).resolves.toBe('');
    await expect(combobox().evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page
      .getByRole('combobox', { name: 'Level for Collaborating through digital technologies' })
      .selectOption('5');
    const data = await page.evaluate(() => [...new FormData(document.getElementById('badge-form') as HTMLFormElement)]);
    const skillId = data.find(([name]) => name === 'skills')?.[1];
    expect(skillId).toMatch(/^[0-9a-f-]{36}$/);
    expect(data).toContainEqual([`skillsLevel[${skillId}]`, '5']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Remove Collaborating through digital technologies' }).click();
    await expect(chip.count()).resolves.toBe(0);
    await page.close();
  });

  it.each([
    '/c/vilnius/skills',
    '/c/vilnius/skills?q=digital',
    '/c/vilnius/skills?lang=lt',
    '/c/vilnius/skills/frameworks/digcomp',
    '/c/torino/skills?lang=it',
    '/c/torino/skills/frameworks/esco?lang=it',
  ])('has no serious accessibility violations on %s', async (url) => {
    await page.goto(`${server.url}${url}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });

  it('has no serious accessibility violations on a skill page and with the suggestions open', async () => {
    await page.goto(`${server.url}/c/vilnius/skills?q=initiative`);
    await page.getByRole('link', { name: 'Encouraging youth initiatives' }).first().click();
    await page.getByRole('heading', { name: 'Encouraging youth initiatives' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.goto(`${server.url}/c/vilnius/skills`);
    await combobox().fill('digital');
    await page.getByRole('option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });
});
