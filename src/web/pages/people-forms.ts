import type { FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Translate } from '../i18n.ts';

/** Field errors in the page language: each detail's `reason` is a key of `accounts:problems`. */
export function translatedErrors(
  t: Translate,
  details: { field?: string; problem: string; reason?: unknown }[],
  fallback?: string,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of details) {
    const name = (detail.field ?? '').replace(/^\//, '').split('/')[0] || '_form';
    const key = typeof detail.reason === 'string' ? `accounts:problems.${detail.reason}` : undefined;
    errors[name] ??= key ? t(key, { defaultValue: detail.problem }) : detail.problem;
  }
  if (Object.keys(errors).length === 0 && fallback) errors._form = fallback;
  return errors;
}

/** A page section with a heading and a short message (results of links, confirmations). */
export function messageBlock(title: string, paragraphs: (string | SafeHtml)[], extra: SafeHtml | '' = ''): SafeHtml {
  return html`<div class="container section narrow">
  <h1>${title}</h1>
  ${paragraphs.map((p) => html`<p>${p}</p>`)}
  ${extra}
</div>`;
}

/** The banner a limited account sees on its pages. */
export function limitedBanner(t: Translate, hasDateOfBirth: boolean): SafeHtml {
  return html`<div class="notice notice-limited" role="status">
  <p><strong>${t('accounts:limited.title')}</strong> ${hasDateOfBirth ? t('accounts:limited.banner') : t('accounts:limited.bannerNoDob')}</p>
</div>`;
}
