import { accessibilityFeatures } from '../../server/modules/activities/activities.model.ts';
import {
  DEFAULT_SEARCH_LIMIT,
  type FacetValue,
  hasFilters,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  searchQueryEntries,
  searchWhens,
} from '../../server/modules/activities/search.service.ts';
import { csrfField } from '../forms.ts';
import { html, jsonForScript, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/**
 * The public search page of a city's catalogue: a GET form (words, facets with counts, dates, distance, sort) that
 * works without JavaScript, the results with keyset pages, exports and "save this search" — and the map island
 * (`catalogue-map.js`) beside the list, which the list fully replaces for keyboard and screen-reader users.
 */

export interface CatalogueMapConfig {
  styleUrl: string;
  /** The map data endpoint (GeoJSON clusters) without a query string. */
  dataUrl: string;
  center: [number, number];
  zoom: number;
  bounds: [number, number, number, number];
}

export interface CatalogueSearchView {
  cityName: string;
  citySlug: string;
  timeZone: string;
  /** The page's own path (`/c/vilnius/activities`). */
  actionPath: string;
  query: SearchQuery;
  result: SearchResult;
  /** `map=zoom/lat/lon` from the URL, passed through to links and the island. */
  mapState: string | null;
  /** Export endpoints without extension (`/api/v1/cities/vilnius/activities/export`). */
  exportBase: string;
  exportCap: number;
  map: CatalogueMapConfig;
  /** Where "save this search" posts, for signed-in people; null hides the form. */
  saveSearchAction: string | null;
}

const localeOf = (language: string) => (language === 'en' ? 'en-GB' : language);

/** Query string of the search with extra pairs, keeping the map view. */
function searchHref(view: CatalogueSearchView, query: SearchQuery, extra: [string, string][] = []): string {
  const entries = [...searchQueryEntries(query), ...extra];
  if (query.limit !== DEFAULT_SEARCH_LIMIT)
    entries.splice(entries.length - extra.length, 0, ['limit', String(query.limit)]);
  if (view.mapState) entries.push(['map', view.mapState]);
  const text = new URLSearchParams(entries).toString();
  return `${view.actionPath}${text ? `?${text}` : ''}`;
}

function without(query: SearchQuery, change: Partial<SearchQuery>): SearchQuery {
  return { ...query, ...change, cursor: null };
}

function languageLabel(code: string, language: string): string {
  try {
    const name = new Intl.DisplayNames([localeOf(language)], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(language) + name.slice(1) : code;
  } catch {
    return code;
  }
}

function facetLabel(context: PageContext, facet: string, value: FacetValue): string {
  switch (facet) {
    case 'format':
      return context.t(`catalogue:format.${value.value}`);
    case 'age':
      return context.t(`catalogue:age.${value.value}`);
    case 'cost':
      return context.t(`catalogue:cost.${value.value}`);
    case 'accessibility':
      return context.t(`catalogue:accessibility.${value.value}`);
    case 'language':
      return languageLabel(value.value, context.language);
    default:
      return value.label ?? value.value;
  }
}

// Symbols every system font has (no emoji font is assumed); the text beside each says what it is.
const accessibilityIcons: Record<string, string> = {
  step_free: '♿',
  accessible_toilet: '♿',
  hearing_loop: '◎',
  sign_language: '☝',
  audio_description: '♪',
  easy_read: '✎',
  quiet_space: '☾',
  large_print: 'A',
};

function checkboxFacet(
  context: PageContext,
  name: 'format' | 'age' | 'skill' | 'organisation' | 'district' | 'language' | 'accessibility',
  values: FacetValue[],
): SafeHtml | '' {
  if (values.length === 0) return '';
  const id = `facet-${name}`;
  return html`<fieldset class="facet" id="${id}">
  <legend>${context.t(`catalogue:facet.${name}`)}</legend>
  <ul class="facet-options${values.length > 8 ? ' facet-options-long' : ''}">
    ${values.map(
      (value, index) =>
        html`<li><label class="checkbox"><input type="checkbox" name="${name}" value="${value.value}" id="${id}-${index}"${
          value.selected ? html` checked` : ''
        }> ${context.t('catalogue:facet.option', { label: facetLabel(context, name, value), count: value.count })}</label></li>`,
    )}
  </ul>
</fieldset>`;
}

function filtersPanel(context: PageContext, view: CatalogueSearchView): SafeHtml {
  const { t } = context;
  const { query, result } = view;
  const facets = result.facets;
  const costValues = facets?.cost ?? [];
  const radii = [1, 2, 5, 10, 25];
  return html`<div class="search-filters" id="search-filters">
  <h2 id="filters-heading">${t('catalogue:search.filtersHeading')}</h2>
  <fieldset class="facet facet-when" id="facet-when">
    <legend>${t('catalogue:facet.when')}</legend>
    <ul class="facet-options chips">
      <li><label class="chip"><input type="radio" name="when" value=""${query.when ? '' : html` checked`}> ${t('catalogue:when.any')}</label></li>
      ${searchWhens.map(
        (when) =>
          html`<li><label class="chip"><input type="radio" name="when" value="${when}"${
            query.when === when ? html` checked` : ''
          }> ${t(`catalogue:when.${when}`)}</label></li>`,
      )}
    </ul>
    <p class="hint" id="date-range-hint">${t('catalogue:when.rangeHint')}</p>
    <div class="date-range">
      <div class="field"><label for="search-from">${t('catalogue:when.from')}</label>
        <input type="date" id="search-from" name="from" value="${query.from ?? ''}" aria-describedby="date-range-hint"></div>
      <div class="field"><label for="search-to">${t('catalogue:when.to')}</label>
        <input type="date" id="search-to" name="to" value="${query.to ?? ''}" aria-describedby="date-range-hint"></div>
    </div>
  </fieldset>
  ${checkboxFacet(context, 'format', facets?.format ?? [])}
  ${checkboxFacet(context, 'age', facets?.age ?? [])}
  ${
    costValues.length > 0
      ? html`<fieldset class="facet" id="facet-cost">
    <legend>${t('catalogue:facet.cost')}</legend>
    <ul class="facet-options">
      <li><label class="checkbox"><input type="radio" name="cost" value=""${query.cost ? '' : html` checked`}> ${t('catalogue:cost.any')}</label></li>
      ${costValues.map(
        (value) =>
          html`<li><label class="checkbox"><input type="radio" name="cost" value="${value.value}"${
            value.selected ? html` checked` : ''
          }> ${t('catalogue:facet.option', { label: facetLabel(context, 'cost', value), count: value.count })}</label></li>`,
      )}
    </ul>
  </fieldset>`
      : ''
  }
  ${checkboxFacet(context, 'language', facets?.language ?? [])}
  ${checkboxFacet(context, 'accessibility', facets?.accessibility ?? [])}
  ${checkboxFacet(context, 'district', facets?.district ?? [])}
  ${checkboxFacet(context, 'organisation', facets?.organisation ?? [])}
  ${checkboxFacet(context, 'skill', facets?.skill ?? [])}
  <fieldset class="facet facet-distance" id="facet-distance">
    <legend>${t('catalogue:distance.heading')}</legend>
    ${
      query.near
        ? html`<p>${t('catalogue:distance.active')} <a href="${searchHref(view, without(query, { near: null, radiusKm: null, sort: query.sort === 'distance' ? null : query.sort }))}">${t('catalogue:distance.forget')}</a></p>
    <input type="hidden" name="near" value="${`${query.near.lat},${query.near.lon}`}">`
        : ''
    }
    <p><button type="button" class="button button-secondary use-location" data-locating="${t('catalogue:distance.locating')}" data-located="${t('catalogue:distance.located')}" data-unavailable="${t('catalogue:distance.unavailable')}" hidden>${t('catalogue:distance.useLocation')}</button></p>
    <p class="location-status" role="status"></p>
    <div class="field">
      <label for="search-radius">${t('catalogue:distance.radius')}</label>
      <select id="search-radius" name="radiusKm"${query.near ? '' : html` disabled`}>
        <option value="">${t('catalogue:distance.any')}</option>
        ${radii.map(
          (km) =>
            html`<option value="${km}"${query.radiusKm === km ? html` selected` : ''}>${t('catalogue:distance.km', { count: km })}</option>`,
        )}
      </select>
    </div>
  </fieldset>
  <div class="field">
    <label for="search-sort">${t('catalogue:search.sortLabel')}</label>
    <select id="search-sort" name="sort">
      ${(['relevance', 'date', 'distance'] as const)
        .filter((sort) =>
          sort === 'relevance' ? result.terms.length > 0 : sort === 'distance' ? query.near !== null : true,
        )
        .map(
          (sort) =>
            html`<option value="${sort}"${result.sort === sort ? html` selected` : ''}>${t(`catalogue:sort.${sort}`)}</option>`,
        )}
    </select>
  </div>
  <div class="button-row">
    <button type="submit" class="button">${t('catalogue:search.apply')}</button>
    ${hasFilters(query) ? html`<a href="${view.actionPath}">${t('catalogue:search.clearAll')}</a>` : ''}
  </div>
</div>`;
}

function formatDate(hit: SearchHit, context: PageContext, timeZone: string): SafeHtml {
  const session = hit.nextSession;
  if (!session) return html`${context.t('catalogue:results.onDemand')}`;
  const options: Intl.DateTimeFormatOptions = hit.allDay
    ? { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
    : {
        timeZone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      };
  const text = new Intl.DateTimeFormat(localeOf(context.language), options).format(session.startsAt);
  return html`<time datetime="${session.startsAt.toISOString()}">${text}</time>`;
}

function agesText(hit: SearchHit, context: PageContext): string {
  const { t } = context;
  if (hit.ageMin !== null && hit.ageMax !== null)
    return t('catalogue:results.ages', { min: hit.ageMin, max: hit.ageMax });
  if (hit.ageMin !== null) return t('catalogue:results.agesFrom', { min: hit.ageMin });
  if (hit.ageMax !== null) return t('catalogue:results.agesTo', { max: hit.ageMax });
  return t('catalogue:results.allAges');
}

function costText(hit: SearchHit, context: PageContext): string {
  if (hit.costKind === 'free' || !hit.priceCents) return context.t('catalogue:cost.free');
  try {
    return new Intl.NumberFormat(localeOf(context.language), {
      style: 'currency',
      currency: hit.currency ?? 'EUR',
    }).format(hit.priceCents / 100);
  } catch {
    return `${(hit.priceCents / 100).toFixed(2)} ${hit.currency ?? ''}`.trim();
  }
}

function resultCard(hit: SearchHit, context: PageContext, view: CatalogueSearchView): SafeHtml {
  const { t } = context;
  const href = `/c/${view.citySlug}/activities/${hit.slug}`;
  const where =
    hit.format === 'online'
      ? t('catalogue:results.online')
      : [
          hit.district,
          hit.distanceKm !== null
            ? t('catalogue:distance.away', { distance: hit.distanceKm.toLocaleString(localeOf(context.language)) })
            : null,
        ]
          .filter(Boolean)
          .join(' · ');
  return html`<li class="result-card" id="activity-${hit.id}" data-activity-id="${hit.id}"${
    hit.lon !== null && hit.lat !== null ? html` data-lon="${hit.lon}" data-lat="${hit.lat}"` : ''
  }>
  <h3 class="result-title"><a href="${href}"${hit.titleLanguage !== context.language ? html` lang="${hit.titleLanguage}"` : ''}>${hit.title}</a></h3>
  <p class="result-organisation">${t('catalogue:results.by', { organisation: hit.organisation.name })}</p>
  ${hit.summary ? html`<p class="result-summary"${hit.titleLanguage !== context.language ? html` lang="${hit.titleLanguage}"` : ''}>${hit.summary}</p>` : ''}
  <dl class="result-facts">
    <div><dt>${t('catalogue:results.nextDate')}</dt><dd>${formatDate(hit, context, view.timeZone)}</dd></div>
    ${where ? html`<div><dt>${t('catalogue:results.where')}</dt><dd>${where}</dd></div>` : ''}
    <div><dt>${t('catalogue:results.format')}</dt><dd><span class="format-marker format-${hit.format}" aria-hidden="true"></span>${t(`catalogue:format.${hit.format}`)}</dd></div>
    <div><dt>${t('catalogue:results.agesLabel')}</dt><dd>${agesText(hit, context)}</dd></div>
    <div><dt>${t('catalogue:results.cost')}</dt><dd>${costText(hit, context)}</dd></div>
  </dl>
  ${
    hit.accessibility.length > 0
      ? html`<ul class="result-accessibility" aria-label="${t('catalogue:results.accessibility')}">${hit.accessibility
          .filter((code) => (accessibilityFeatures as readonly string[]).includes(code))
          .map(
            (code) =>
              html`<li><span class="a11y-icon" aria-hidden="true">${accessibilityIcons[code] ?? ''}</span> ${t(`catalogue:accessibility.${code}`)}</li>`,
          )}</ul>`
      : ''
  }
</li>`;
}

/** Links that each take one filter away, for the empty state. */
function removalLinks(context: PageContext, view: CatalogueSearchView): SafeHtml[] {
  const { t } = context;
  const { query } = view;
  const links: { label: string; query: SearchQuery }[] = [];
  if (query.q)
    links.push({ label: t('catalogue:results.filterQuery', { query: query.q }), query: without(query, { q: '' }) });
  if (query.bbox) links.push({ label: t('catalogue:results.filterArea'), query: without(query, { bbox: null }) });
  if (query.near && query.radiusKm)
    links.push({ label: t('catalogue:results.filterNear'), query: without(query, { radiusKm: null }) });
  if (query.when || query.from || query.to)
    links.push({
      label: t('catalogue:results.filterDates'),
      query: without(query, { when: null, from: null, to: null }),
    });
  const facetValue = (facet: string, value: string, label?: string) =>
    facetLabel(context, facet, { value, label, count: 0, selected: true });
  for (const value of query.format)
    links.push({
      label: facetValue('format', value),
      query: without(query, { format: query.format.filter((v) => v !== value) }),
    });
  for (const value of query.age)
    links.push({
      label: facetValue('age', value),
      query: without(query, { age: query.age.filter((v) => v !== value) }),
    });
  if (query.cost) links.push({ label: facetValue('cost', query.cost), query: without(query, { cost: null }) });
  for (const value of query.language)
    links.push({
      label: facetValue('language', value),
      query: without(query, { language: query.language.filter((v) => v !== value) }),
    });
  for (const value of query.accessibility)
    links.push({
      label: facetValue('accessibility', value),
      query: without(query, { accessibility: query.accessibility.filter((v) => v !== value) }),
    });
  for (const value of query.district)
    links.push({ label: value, query: without(query, { district: query.district.filter((v) => v !== value) }) });
  for (const value of query.organisation) {
    const label = view.result.facets?.organisation.find((o) => o.value === value)?.label ?? value;
    links.push({ label, query: without(query, { organisation: query.organisation.filter((v) => v !== value) }) });
  }
  for (const value of query.skill) {
    const label = view.result.facets?.skill.find((s) => s.value === value)?.label ?? value;
    links.push({ label, query: without(query, { skill: query.skill.filter((v) => v !== value) }) });
  }
  if (query.ageMin !== null || query.ageMax !== null)
    links.push({ label: t('catalogue:facet.age'), query: without(query, { ageMin: null, ageMax: null }) });
  if (query.framework) links.push({ label: query.framework, query: without(query, { framework: null }) });
  return links.map(
    (link) =>
      html`<li><a href="${searchHref(view, link.query)}">${t('catalogue:results.remove', { filter: link.label })}</a></li>`,
  );
}

/** The results: count, list, next page, exports. Also the fragment the map island swaps in (`?fragment=results`). */
export function catalogueResults(context: PageContext, view: CatalogueSearchView): SafeHtml {
  const { t } = context;
  const { result, query } = view;
  const exportQuery = new URLSearchParams([...searchQueryEntries(query), ['lang', context.language]]).toString();
  return html`<div class="search-results" id="search-results" data-total="${result.total}">
  <h2 id="results-heading" tabindex="-1">${t('catalogue:results.count', { count: result.total })}${
    query.q ? html` <span class="results-query">${t('catalogue:results.forQuery', { query: query.q })}</span>` : ''
  }</h2>
  ${query.bbox ? html`<p class="notice area-notice">${t('catalogue:area.active')} <a href="${searchHref(view, without(query, { bbox: null }))}">${t('catalogue:area.clear')}</a></p>` : ''}
  ${
    result.items.length > 0
      ? html`<ol class="result-list">${result.items.map((hit) => resultCard(hit, context, view))}</ol>`
      : html`<div class="empty-state">
    <p>${t('catalogue:results.empty')}</p>
    ${hasFilters(query) ? html`<p>${t('catalogue:results.emptyHint')}</p><ul class="filter-removals">${removalLinks(context, view)}</ul>` : ''}
  </div>`
  }
  ${
    result.nextCursor || query.cursor
      ? html`<nav class="pagination" aria-label="${t('catalogue:results.heading')}">
    <ul>
      ${query.cursor ? html`<li><a href="${searchHref(view, { ...query, cursor: null })}">${t('catalogue:results.first')}</a></li>` : ''}
      ${result.nextCursor ? html`<li><a rel="next" href="${searchHref(view, query, [['cursor', result.nextCursor]])}">${t('catalogue:results.next')}</a></li>` : ''}
    </ul>
  </nav>`
      : ''
  }
  ${
    result.total > 0
      ? html`<section class="search-exports" aria-labelledby="exports-heading">
    <h3 id="exports-heading">${t('catalogue:export.heading')}</h3>
    <ul class="export-links">
      <li><a href="${view.exportBase}.csv?${exportQuery}" download>${t('catalogue:export.csv')}</a></li>
      <li><a href="${view.exportBase}.ics?${exportQuery}" download>${t('catalogue:export.ics')}</a></li>
      <li><a href="${view.exportBase}.json?${exportQuery}" download>${t('catalogue:export.json')}</a></li>
    </ul>
    <p class="hint">${t('catalogue:export.note', { count: view.exportCap })}</p>
  </section>`
      : ''
  }
</div>`;
}

function saveSearchForm(context: PageContext, view: CatalogueSearchView): SafeHtml | '' {
  if (!view.saveSearchAction) return '';
  const { t } = context;
  const name = view.query.q ? view.query.q : t('catalogue:save.defaultName', { city: view.cityName });
  return html`<section class="save-search" aria-labelledby="save-search-heading">
  <h2 id="save-search-heading">${t('catalogue:save.heading')}</h2>
  <p>${t('catalogue:save.intro')}</p>
  <form method="post" action="${view.saveSearchAction}" class="form">
    ${csrfField(context.csrfToken)}
    ${searchQueryEntries(view.query).map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`)}
    <div class="field">
      <label for="save-search-name">${t('catalogue:save.name')}</label>
      <input id="save-search-name" name="name" type="text" maxlength="120" required value="${name.slice(0, 120)}">
    </div>
    <div class="field"><label class="checkbox"><input type="checkbox" name="alertDaily" value="on" checked> ${t('catalogue:save.alerts')}</label><input type="hidden" name="alertDaily" value="off"></div>
    <button type="submit" class="button button-secondary">${t('catalogue:save.submit')}</button>
  </form>
</section>`;
}

function mapPanel(context: PageContext, view: CatalogueSearchView): SafeHtml {
  const { t } = context;
  const config = {
    ...view.map,
    mapState: view.mapState,
    query: searchQueryEntries(view.query),
    language: context.language,
    labels: {
      openActivity: t('catalogue:map.openActivity'),
      loading: t('catalogue:map.loading'),
      failed: t('catalogue:map.failed'),
      formats: {
        in_person: t('catalogue:format.in_person'),
        online: t('catalogue:format.online'),
        blended: t('catalogue:format.blended'),
      },
    },
  };
  return html`<section class="search-map-panel" aria-label="${t('catalogue:map.label', { city: view.cityName })}">
  <a class="skip-map" href="#results-heading">${t('catalogue:map.skip')}</a>
  <div class="catalogue-map" id="catalogue-map" role="region" aria-label="${t('catalogue:map.label', { city: view.cityName })}" aria-describedby="map-list-note"></div>
  <script type="application/json" id="catalogue-map-config">${jsonForScript(config)}</script>
  <div class="map-controls">
    <button type="button" class="button map-search-area" hidden>${t('catalogue:map.searchArea')}</button>
    <label class="checkbox map-follow" hidden><input type="checkbox" id="map-update-on-move"> ${t('catalogue:map.updateOnMove')}</label>
  </div>
  <p class="hint" id="map-list-note">${t('catalogue:map.listAlternative')}</p>
  <details class="map-legend">
    <summary>${t('catalogue:map.legend')}</summary>
    <ul>
      ${(['in_person', 'online', 'blended'] as const).map(
        (format) =>
          html`<li><span class="format-marker format-${format}" aria-hidden="true"></span> ${t(`catalogue:format.${format}`)}</li>`,
      )}
      <li><span class="format-marker format-cluster" aria-hidden="true"></span> ${t('catalogue:map.legendCluster')}</li>
    </ul>
  </details>
</section>`;
}

export function catalogueSearchPage(context: PageContext, view: CatalogueSearchView): SafeHtml {
  const { t } = context;
  const { query } = view;
  const title = query.q
    ? t('catalogue:search.titleWithQuery', { query: query.q })
    : t('catalogue:search.title', { city: view.cityName });
  return layout(context, {
    title,
    description: t('catalogue:search.description', { city: view.cityName }),
    head: html`<link rel="stylesheet" href="${context.assets.url('maplibre.css')}">
<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">
<script type="module" src="${context.assets.url('catalogue-map.js')}"></script>`,
    body: html`<div class="container catalogue-search">
  <h1>${t('catalogue:search.title', { city: view.cityName })}</h1>
  <p class="lead">${t('catalogue:search.intro')}</p>
  <form method="get" action="${view.actionPath}" class="search-form" id="search-form" role="search">
    <div class="search-box field">
      <label for="search-q">${t('catalogue:search.label')}</label>
      <p class="hint" id="search-q-hint">${t('catalogue:search.hint')}</p>
      <div class="search-box-row">
        <input type="search" id="search-q" name="q" value="${query.q}" maxlength="200" aria-describedby="search-q-hint" autocomplete="off">
        <button type="submit" class="button">${t('catalogue:search.submit')}</button>
      </div>
    </div>
    ${query.bbox ? html`<input type="hidden" name="bbox" value="${[query.bbox.west, query.bbox.south, query.bbox.east, query.bbox.north].join(',')}">` : ''}
    ${view.mapState ? html`<input type="hidden" name="map" value="${view.mapState}">` : ''}
    <div class="search-layout">
      ${filtersPanel(context, view)}
      <div class="search-main">
        ${mapPanel(context, view)}
        ${catalogueResults(context, view)}
      </div>
    </div>
  </form>
  ${saveSearchForm(context, view)}
</div>`,
  });
}

/** The parts of the page the map island replaces after moving the map: the filters (counts) and the results. */
export function catalogueSearchFragment(context: PageContext, view: CatalogueSearchView): SafeHtml {
  return html`<!doctype html><html lang="${context.language}"><body>${filtersPanel(context, view)}${catalogueResults(context, view)}</body></html>`;
}
