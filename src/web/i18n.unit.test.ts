import { describe, expect, it } from 'vitest';
import { localeResources, negotiateLanguage, supportedLanguages, translatorFor } from './i18n.ts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.set(path, value);
    else for (const [k, v] of flatten(value, path)) entries.set(k, v);
  }
  return entries;
}

const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  // Namespaces flatten to `namespace:key.path`.
  const all = (language: (typeof supportedLanguages)[number]) => {
    const entries = new Map<string, string>();
    for (const [namespace, messages] of Object.entries(localeResources[language])) {
      for (const [key, text] of flatten(messages as Tree)) entries.set(`${namespace}:${key}`, text);
    }
    return entries;
  };
  const english = all('en');

  it.each(supportedLanguages.filter((language) => language !== 'en'))('%s has exactly the English keys', (language) => {
    expect(Object.keys(localeResources[language]).sort()).toEqual(Object.keys(localeResources.en).sort());
    expect([...all(language).keys()].sort()).toEqual([...english.keys()].sort());
  });

  it.each(supportedLanguages)('%s has no empty text and keeps every {{variable}}', (language) => {
    for (const [key, text] of all(language)) {
      expect(text.trim(), `${language}:${key}`).not.toBe('');
      expect(variables(text), `${language}:${key}`).toEqual(variables(english.get(key) ?? ''));
    }
  });

  it('translates with interpolation', () => {
    expect(translatorFor('it')('city.welcome', { city: 'Torino' })).toBe(
      "Benvenuti a Torino, città dell'apprendimento",
    );
  });

  it('negotiates Accept-Language among offered languages', () => {
    expect(negotiateLanguage('lt-LT,lt;q=0.9,en;q=0.8', ['en', 'lt'])).toBe('lt');
    expect(negotiateLanguage('fr;q=1, en;q=0.1', ['lt', 'en'])).toBe('en');
    expect(negotiateLanguage('en;q=0, lt', ['en', 'lt'])).toBe('lt');
    expect(negotiateLanguage('de', ['en', 'lt'])).toBeUndefined();
    expect(negotiateLanguage(undefined, ['en'])).toBeUndefined();
  });
});
