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

/** The link carries a secret: no search engine lists it, and no link on the page passes it on as a referrer. */
const unsubscribeHead = html`<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">`;

export interface UnsubscribePageData {
  /** `confirm` asks first (opening the link changes nothing); `done` after the form; `already` when alerts were off. */
  state: 'confirm' | 'done' | 'already';
  name: string;
  query: Record<string, string | string[]>;
  citySlug: string;
  /** Where the confirm form posts (the link itself). */
  formAction: string;
}

/** The page of a digest's "stop these emails" link, without signing in: asks, then confirms the emails stopped. */
export function savedSearchUnsubscribePage(context: PageContext, data: UnsubscribePageData): SafeHtml {
  const { t } = context;
  const title =
    data.state === 'confirm'
      ? t('activity:unsubscribe.title')
      : data.state === 'done'
        ? t('activity:unsubscribe.doneTitle')
        : t('activity:unsubscribe.alreadyTitle');
  return layout(context, {
    title,
    head: unsubscribeHead,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <h2>${data.name}</h2>
  <p>${describeQuery(context, data.query)}</p>
  ${
    data.state === 'confirm'
      ? html`<p>${t('activity:unsubscribe.intro', { name: data.name })}</p>
  <form method="post" action="${data.formAction}" class="form">
    ${csrfField(context.csrfToken)}
    <p class="button-row"><button type="submit" class="button">${t('activity:unsubscribe.button')}</button></p>
  </form>`
      : data.state === 'done'
        ? html`<p class="success" role="status">${t('activity:unsubscribe.doneText', { name: data.name })}</p>`
        : html`<p>${t('activity:unsubscribe.alreadyText', { name: data.name })}</p>`
  }
  <p>${t('activity:unsubscribe.manageHint')}</p>
  <p><a href="/c/${data.citySlug}/saved-searches">${t('activity:savedSearches.title')}</a></p>
</div>`,
  });
}

/** The page of a "stop these emails" link that is unknown, was used, or was replaced by a newer email's link. */
export function savedSearchUnsubscribeInvalidPage(context: PageContext, citySlug: string): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('activity:unsubscribe.invalidTitle'),
    head: unsubscribeHead,
    body: html`<div class="container section narrow">
  <h1>${t('activity:unsubscribe.invalidTitle')}</h1>
  <p>${t('activity:unsubscribe.invalidText')}</p>
  <p><a href="/c/${citySlug}/saved-searches">${t('activity:savedSearches.title')}</a></p>
</div>`,
  });
}
