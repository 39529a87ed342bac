import i18next, { type TFunction } from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import it from './locales/it.json' with { type: 'json' };
import lt from './locales/lt.json' with { type: 'json' };

/** Every language the interface is translated into. A city enables a subset of these. */
export const supportedLanguages = ['en', 'lt', 'it'] as const;
export type Language = (typeof supportedLanguages)[number];

export const localeResources = { en, lt, it } satisfies Record<Language, unknown>;

export function isSupportedLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value);
}

const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(Object.entries(localeResources).map(([lang, translation]) => [lang, { translation }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...supportedLanguages],
  // Our HTML builder escapes every value itself; escaping here as well would double-escape.
  interpolation: { escapeValue: false },
  initAsync: false,
});

export type Translate = TFunction;

export function translatorFor(language: Language): Translate {
  return i18n.getFixedT(language);
}

/**
 * Picks the best language from an Accept-Language header among those offered, or undefined.
 * Quality values are honoured; `lt-LT` matches `lt`.
 */
export function negotiateLanguage(header: string | undefined, offered: readonly string[]): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { base: tag.toLowerCase().split('-')[0] ?? '', quality: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((entry) => entry.base && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { base } of ranked) {
    if (offered.includes(base) && isSupportedLanguage(base)) return base;
  }
  return undefined;
}

/** A language's own name, for the language switcher. */
export function languageName(language: Language): string {
  return translatorFor(language)('languageName');
}
