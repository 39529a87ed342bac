import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';

/** Every language the interface is translated into. A city enables a subset of these. */
export const supportedLanguages = ['en', 'lt', 'it'] as const;
export type Language = (typeof supportedLanguages)[number];

type Messages = { [key: string]: string | Messages };

/**
 * Translations live in `locales/<language>/<namespace>.json`: `common` for the shell, one namespace per capability
 * (e.g. `skills`), so each module owns its own files. Keys outside `common` are written `namespace:key`.
 */
const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'locales');

function loadLocale(language: Language): Record<string, Messages> {
  const directory = path.join(localesDir, language);
  return Object.fromEntries(
    fs
      .readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => [path.basename(file, '.json'), JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'))]),
  );
}

export const localeResources: Record<Language, Record<string, Messages>> = {
  en: loadLocale('en'),
  lt: loadLocale('lt'),
  it: loadLocale('it'),
};

export function isSupportedLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value);
}

const i18n = i18next.createInstance();
void i18n.init({
  resources: localeResources,
  ns: Object.keys(localeResources.en),
  defaultNS: 'common',
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
