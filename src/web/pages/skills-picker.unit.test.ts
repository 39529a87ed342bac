import { describe, expect, it } from 'vitest';
import type { AssetBundle } from '../assets.ts';
import { translatorFor } from '../i18n.ts';
import type { PageContext } from '../layout.ts';
import { type PickerSkill, skillPicker } from './skills-picker.ts';

const context = (language: 'en' | 'lt'): PageContext => ({
  t: translatorFor(language),
  language,
  languages: ['en', 'lt'],
  currentUrl: '/c/vilnius/skills',
  assets: { url: (name: string) => `/assets/${name}`, get: () => undefined } as AssetBundle,
  requestId: 'test',
  account: null,
  csrfToken: '',
});

const skill = (overrides: Partial<PickerSkill> = {}): PickerSkill => ({
  id: '00000000-0000-4000-8000-000000000001',
  label: 'Netiquette',
  labelLanguage: 'en',
  framework: { shortTitle: 'DigComp 2.2' },
  kind: 'competence',
  levels: [
    { id: '1', name: 'Foundation – level 1' },
    { id: '2', name: 'Foundation – level 2' },
  ],
  ...overrides,
});

describe('the skill picker, server-rendered', () => {
  it('navigate mode: a GET search form and result links, readable without JavaScript', () => {
    const markup = skillPicker(context('en'), {
      mode: 'navigate',
      citySlug: 'vilnius',
      id: 'search',
      query: 'net<script>',
      results: [skill({ href: '/c/vilnius/skills/x', matched: 'online etiquette' })],
    }).value;
    expect(markup).toContain('<form role="search" method="get" action="/c/vilnius/skills">');
    expect(markup).toContain('name="q"');
    expect(markup).toContain('value="net&lt;script&gt;"');
    expect(markup).not.toContain('<script>');
    expect(markup).toContain('<a href="/c/vilnius/skills/x">Netiquette</a>');
    expect(markup).toContain('also called “online etiquette”');
    expect(markup).toContain('data-search-url="/api/v1/cities/vilnius/skills"');
  });

  it('select mode: chosen skills as hidden inputs with a level choice, results as checkboxes', () => {
    const markup = skillPicker(context('lt'), {
      mode: 'select',
      citySlug: 'vilnius',
      id: 'badge',
      name: 'skills',
      query: 'net',
      selected: [{ ...skill(), level: '2' }],
      results: [skill({ id: '00000000-0000-4000-8000-000000000002', label: 'Other', labelLanguage: 'en' })],
    }).value;
    expect(markup).not.toContain('<form');
    expect(markup).toContain('<input type="hidden" name="skills" value="00000000-0000-4000-8000-000000000001">');
    expect(markup).toContain('name="skillsLevel[00000000-0000-4000-8000-000000000001]"');
    expect(markup).toContain('<option value="2" selected>Foundation – level 2</option>');
    expect(markup).toContain('<input type="checkbox" name="skills" value="00000000-0000-4000-8000-000000000002">');
    // A label shown in English on a Lithuanian page says so, for screen readers.
    expect(markup).toContain('<span lang="en">Other</span>');
    expect(markup).toContain('name="skillsQuery"');
    expect(markup).toContain('Pašalinti: Netiquette');
  });

  it('gives the island every plural form of the result count', () => {
    const markup = skillPicker(context('lt'), { mode: 'navigate', citySlug: 'vilnius', id: 's' }).value;
    expect(markup).toContain('data-text-count-one="Rastas {{count}} gebėjimas"');
    expect(markup).toContain('data-text-count-few="Rasti {{count}} gebėjimai"');
    expect(markup).toContain('data-text-count-other="Rasta {{count}} gebėjimų"');
  });
});
