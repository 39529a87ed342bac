import { csrfField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface SavedSearchView {
  id: string;
  name: string;
  query: Record<string, string | string[]>;
  alertDaily: boolean;
  createdAt: Date;
  /** The search page that runs it again. */
  href: string;
}

export interface SavedSearchesPageData {
  cityName: string;
  citySlug: string;
  timeZone: string;
  searches: SavedSearchView[];
  notice?: string;
  error?: string;
  /** The account awaits a guardian's consent: searches are kept but alerts are not emailed. */
  limited: boolean;
}

/** The filters of a saved search in words: the search words, then each chosen value (codes translated). */
export function describeQuery(context: PageContext, query: Record<string, string | string[]>): string {
  const { t } = context;
  const words: string[] = [];
  for (const [name, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (name === 'q') words.push(`“${value}”`);
      else if (name === 'format') words.push(t(`activity:format.${value}`, { defaultValue: value }));
      else if (name === 'accessibility')
        words.push(t(`activity:accessibility.features.${value}`, { defaultValue: value }));
      else if (name === 'cost' && value === 'free') words.push(t('activity:cost.free'));
      else if (name === 'sort' || name === 'near' || name === 'bbox' || name === 'radiusKm') continue;
      else words.push(value);
    }
  }
  return words.length > 0
    ? t('activity:savedSearches.filters', { filters: words.join(', ') })
    : t('activity:savedSearches.noFilters');
}

/** "My saved searches": each search with a link to run it, its alert switch and a delete button. */
export function savedSearchesPage(context: PageContext, data: SavedSearchesPageData): SafeHtml {
  const { t } = context;
  const base = `/c/${data.citySlug}/saved-searches`;
  const dateFormat = new Intl.DateTimeFormat(context.language, { dateStyle: 'long', timeZone: data.timeZone });
  return layout(context, {
    title: t('activity:savedSearches.title'),
    head: html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`,
    body: html`<div class="container section">
  <h1>${t('activity:savedSearches.title')}</h1>
  <p>${t('activity:savedSearches.intro', { city: data.cityName })}</p>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${data.error ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><p>${data.error}</p></div>` : ''}
  ${data.limited ? html`<p class="notice" role="status">${t('activity:savedSearches.limitedNotice')}</p>` : ''}
  ${
    data.searches.length === 0
      ? html`<p>${t('activity:savedSearches.none')}</p>`
      : html`<ul class="saved-search-list">
    ${data.searches.map(
      (search) => html`<li id="saved-search-${search.id}">
      <h2>${search.name}</h2>
      <p>${describeQuery(context, search.query)}</p>
      <p class="hint">${t('activity:savedSearches.created', { date: dateFormat.format(search.createdAt) })} · ${
        search.alertDaily ? t('activity:savedSearches.alertsOn') : t('activity:savedSearches.alertsOff')
      }</p>
      <div class="saved-search-actions">
        <a class="button" href="${search.href}">${t('activity:savedSearches.open')}</a>
        <form method="post" action="${base}/${search.id}/alerts" class="inline-form" aria-label="${t('activity:savedSearches.toggleLabel', { name: search.name })}">
          ${csrfField(context.csrfToken)}
          <input type="hidden" name="alertDaily" value="${search.alertDaily ? 'off' : 'on'}">
          <button type="submit" class="button button-secondary">${
            search.alertDaily ? t('activity:savedSearches.turnOff') : t('activity:savedSearches.turnOn')
          }</button>
        </form>
        <form method="post" action="${base}/${search.id}/delete" class="inline-form">
          ${csrfField(context.csrfToken)}
          <button type="submit" class="button button-danger" aria-label="${t('activity:savedSearches.deleteLabel', { name: search.name })}">${t('activity:savedSearches.delete')}</button>
        </form>
      </div>
    </li>`,
    )}
  </ul>`
  }
  <p><a href="/c/${data.citySlug}/activities">${t('activity:savedSearches.searchLink')}</a></p>
</div>`,
  });
}
