import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { checkboxGroup, pagination, selectField, textareaField } from './form-controls.ts';

/** Pages for city curators (application queue, city settings, audit log) and network admins (cities). */

function cityPath(context: PageContext): string {
  return context.city?.homePath ?? '/';
}

export function curatorHubPage(context: PageContext, counts: { pending: number }): SafeHtml {
  const { t } = context;
  const base = `${cityPath(context)}/curate`;
  return layout(context, {
    title: t('organisations:curate.hubTitle'),
    body: html`<div class="container section">
  <h1>${t('organisations:curate.hubTitle')}</h1>
  <ul class="card-list">
    <li class="card"><h2 class="card-title"><a href="${base}/organisations">${t('organisations:curate.queueTitle')}</a></h2>
      <p>${t('organisations:curate.pendingCount', { count: counts.pending })}</p></li>
    <li class="card"><h2 class="card-title"><a href="${base}/settings">${t('organisations:settings.title')}</a></h2>
      <p>${t('organisations:settings.intro')}</p></li>
    <li class="card"><h2 class="card-title"><a href="${base}/skills">${t('skills:curate.title')}</a></h2>
      <p>${t('skills:curate.hubIntro')}</p></li>
    <li class="card"><h2 class="card-title"><a href="${base}/activities">${t('activities:links.queue')}</a></h2>
      <p>${t('activities:links.queueIntro')}</p></li>
    <li class="card"><h2 class="card-title"><a href="${base}/audit-log">${t('audit:title')}</a></h2>
      <p>${t('audit:intro')}</p></li>
  </ul>
</div>`,
  });
}

export interface ApplicationView {
  id: string;
  slug: string;
  name: string;
  kinds: string[];
  description: string;
  website: string | null;
  contactEmail: string | null;
  applicationNote: string;
  appliedAt: Date;
  status: string;
  decisionReason: string | null;
  trusted: boolean;
  addresses: { street: string; locality: string; lat: number; lon: number }[];
}

export function applicationQueuePage(
  context: PageContext,
  data: {
    pending: ApplicationView[];
    decided: ApplicationView[];
    errors: Record<string, FieldErrors>;
    values: Record<string, string>;
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  const base = `${cityPath(context)}/curate/organisations`;
  const kinds = (list: string[]) => list.map((k) => t(`organisations:kinds.${k}`)).join(', ');
  return layout(context, {
    title: t('organisations:curate.queueTitle'),
    body: html`<div class="container section">
  <h1>${t('organisations:curate.queueTitle')}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${data.pending.length === 0 ? html`<p>${t('organisations:curate.empty')}</p>` : ''}
  ${data.pending.map((o) => {
    const errors = data.errors[o.id] ?? {};
    return html`<article class="card application" aria-labelledby="app-${o.id}">
    <h2 id="app-${o.id}">${o.name}</h2>
    <dl class="facts">
      <dt>${t('organisations:fields.kinds')}</dt><dd>${kinds(o.kinds)}</dd>
      <dt>${t('organisations:curate.applied')}</dt><dd>${new Date(o.appliedAt).toISOString().slice(0, 10)}</dd>
      ${o.website ? html`<dt>${t('organisations:fields.website')}</dt><dd>${o.website}</dd>` : ''}
      ${o.contactEmail ? html`<dt>${t('organisations:fields.contactEmail')}</dt><dd>${o.contactEmail}</dd>` : ''}
      ${o.addresses.map((a) => html`<dt>${t('organisations:profile.addresses')}</dt><dd>${a.street}${a.locality ? `, ${a.locality}` : ''} (${a.lat.toFixed(4)}, ${a.lon.toFixed(4)})</dd>`)}
    </dl>
    ${o.description ? html`<p>${o.description}</p>` : ''}
    ${o.applicationNote ? html`<p><strong>${t('organisations:fields.applicationNote')}:</strong> ${o.applicationNote}</p>` : ''}
    <form class="form" method="post" action="${base}/${o.id}" novalidate>
      ${csrfField(context.csrfToken)}
      ${textareaField({ name: 'reason', id: `reason-${o.id}`, label: t('organisations:curate.reason'), hint: t('organisations:curate.reasonHint'), value: data.values[o.id] ?? '', error: errors.reason, rows: 3 })}
      <div class="checkbox"><input type="checkbox" id="verify-${o.id}" name="verify" value="true"><label for="verify-${o.id}">${t('organisations:curate.verify')}</label></div>
      <div class="button-row">
        <button class="button" type="submit" name="decision" value="approve">${t('organisations:curate.approve', { name: o.name })}</button>
        <button class="button button-secondary" type="submit" name="decision" value="reject">${t('organisations:curate.reject', { name: o.name })}</button>
      </div>
    </form>
  </article>`;
  })}
  ${
    data.decided.length > 0
      ? html`<h2>${t('organisations:curate.decided')}</h2>
  <table class="data"><caption class="visually-hidden">${t('organisations:curate.decided')}</caption>
  <thead><tr><th scope="col">${t('organisations:fields.name')}</th><th scope="col">${t('organisations:curate.status')}</th><th scope="col">${t('organisations:curate.reason')}</th><th scope="col">${t('organisations:curate.trusted')}</th></tr></thead>
  <tbody>${data.decided.map(
    (o) =>
      html`<tr><td>${o.status === 'approved' ? html`<a href="${cityPath(context)}/organisations/${o.slug}">${o.name}</a>` : o.name}</td><td>${t(`organisations:statusShort.${o.status}`)}</td><td>${o.decisionReason ?? ''}</td><td>${
        o.status === 'approved'
          ? html`<form method="post" action="${base}/${o.id}/trust" class="inline-form">${csrfField(context.csrfToken)}<input type="hidden" name="trusted" value="${o.trusted ? 'false' : 'true'}"><span>${o.trusted ? t('organisations:curate.trustedYes') : t('organisations:curate.trustedNo')}</span> <button class="button button-secondary" type="submit">${o.trusted ? t('organisations:curate.untrust', { name: o.name }) : t('organisations:curate.trust', { name: o.name })}</button></form>`
          : ''
      }</td></tr>`,
  )}</tbody></table>`
      : ''
  }
</div>`,
  });
}

export interface SettingsValues {
  languages: string[];
  defaultLanguage: string;
  names: Record<string, string>;
  primaryColour: string;
  logoUrl: string;
  contactEmail: string;
  consentAge: string;
}

export function citySettingsPage(
  context: PageContext,
  data: {
    values: SettingsValues;
    errors: FieldErrors;
    notice?: string;
    languageChoices: { value: string; label: string }[];
  },
): SafeHtml {
  const { t } = context;
  const labels: Record<string, string> = {
    languages: t('organisations:settings.languages'),
    defaultLanguage: t('organisations:settings.defaultLanguage'),
    name: t('organisations:settings.names'),
    primaryColour: t('organisations:settings.primaryColour'),
    logoUrl: t('organisations:settings.logoUrl'),
    contactEmail: t('organisations:settings.contactEmail'),
    consentAge: t('organisations:settings.consentAge'),
  };
  return layout(context, {
    title: t('organisations:settings.title'),
    body: html`<div class="container section">
  <h1>${t('organisations:settings.title')}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${errorSummary(t, data.errors, labels)}
  <form class="form" method="post" action="${cityPath(context)}/curate/settings" novalidate>
    ${csrfField(context.csrfToken)}
    ${checkboxGroup({ name: 'languages', legend: labels.languages as string, checked: data.values.languages, error: data.errors.languages, choices: data.languageChoices })}
    ${selectField({ name: 'defaultLanguage', label: labels.defaultLanguage as string, value: data.values.defaultLanguage, choices: data.languageChoices, error: data.errors.defaultLanguage })}
    <fieldset class="field" id="field-name" tabindex="-1"><legend>${labels.name}</legend>
    ${data.errors.name ? html`<p class="field-error">${data.errors.name}</p>` : ''}
    ${data.languageChoices.map((choice) => inputField({ name: `name_${choice.value}`, label: choice.label, value: data.values.names[choice.value] ?? '' }))}
    </fieldset>
    <fieldset class="field"><legend>${t('organisations:settings.branding')}</legend>
    ${inputField({ name: 'primaryColour', label: labels.primaryColour as string, value: data.values.primaryColour, hint: t('organisations:settings.primaryColourHint'), error: data.errors.primaryColour })}
    ${inputField({ name: 'logoUrl', label: labels.logoUrl as string, type: 'url', value: data.values.logoUrl, hint: t('organisations:settings.logoUrlHint'), error: data.errors.logoUrl })}
    ${inputField({ name: 'contactEmail', label: labels.contactEmail as string, type: 'email', value: data.values.contactEmail, error: data.errors.contactEmail })}
    </fieldset>
    ${inputField({ name: 'consentAge', label: labels.consentAge as string, type: 'number', inputmode: 'numeric', value: data.values.consentAge, hint: t('organisations:settings.consentAgeHint'), error: data.errors.consentAge })}
    <div><button class="button" type="submit">${t('organisations:settings.save')}</button></div>
  </form>
</div>`,
  });
}

export interface AuditRow {
  createdAt: Date;
  citySlug: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  requestId: string | null;
}

export function auditLogPage(
  context: PageContext,
  data: { items: AuditRow[]; page: number; pageSize: number; total: number; basePath: string; showCity: boolean },
): SafeHtml {
  const { t } = context;
  const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));
  const first = data.total === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  const last = Math.min(data.total, data.page * data.pageSize);
  return layout(context, {
    title: t('audit:title'),
    body: html`<div class="container section">
  <h1>${t('audit:title')}</h1>
  <p>${t('audit:intro')}</p>
  ${
    data.items.length === 0
      ? html`<p>${t('audit:empty')}</p>`
      : html`<div class="table-scroll" role="region" aria-labelledby="audit-caption" tabindex="0"><table class="data audit">
    <caption id="audit-caption">${t('audit:caption', { first, last, total: data.total })}</caption>
    <thead><tr><th scope="col">${t('audit:when')}</th>${data.showCity ? html`<th scope="col">${t('audit:city')}</th>` : ''}<th scope="col">${t('audit:who')}</th><th scope="col">${t('audit:what')}</th><th scope="col">${t('audit:target')}</th><th scope="col">${t('audit:change')}</th><th scope="col">${t('audit:from')}</th></tr></thead>
    <tbody>${data.items.map(
      (row) => html`<tr>
      <td><time datetime="${new Date(row.createdAt).toISOString()}">${new Date(row.createdAt).toISOString().replace('T', ' ').slice(0, 19)} UTC</time></td>
      ${data.showCity ? html`<td>${row.citySlug ?? '—'}</td>` : ''}
      <td>${row.actorLabel}</td>
      <td><code>${row.action}</code></td>
      <td>${row.targetType}${row.targetId ? html`<br><code class="small">${row.targetId}</code>` : ''}</td>
      <td>${row.before !== null && row.before !== undefined ? html`<div><strong>${t('audit:before')}</strong> <code class="small">${json(row.before)}</code></div>` : ''}${
        row.after !== null && row.after !== undefined
          ? html`<div><strong>${t('audit:after')}</strong> <code class="small">${json(row.after)}</code></div>`
          : ''
      }</td>
      <td>${row.ip ?? ''}${row.requestId ? html`<br><code class="small">${row.requestId}</code>` : ''}</td>
    </tr>`,
    )}</tbody></table></div>`
  }
  ${pagination({
    basePath: data.basePath,
    page: data.page,
    pageSize: data.pageSize,
    total: data.total,
    labels: {
      previous: t('audit:previous'),
      next: t('audit:next'),
      navigation: t('audit:pages'),
      summary: t('audit:pageOf', { page: data.page, pages: Math.max(1, Math.ceil(data.total / data.pageSize)) }),
    },
  })}
</div>`,
  });
}

export interface AdminCityRow {
  slug: string;
  name: string;
  status: 'active' | 'archived';
  curators: number;
}

export interface CityFormValues {
  slug: string;
  nameEn: string;
  nameLocal: string;
  languages: string[];
  timeZone: string;
  west: string;
  south: string;
  east: string;
  north: string;
}

export function adminCitiesPage(
  context: PageContext,
  data: {
    cities: AdminCityRow[];
    form: CityFormValues;
    errors: FieldErrors;
    notice?: string;
    languageChoices: { value: string; label: string }[];
  },
): SafeHtml {
  const { t } = context;
  const labels: Record<string, string> = {
    slug: t('organisations:admin.slug'),
    name: t('organisations:admin.name'),
    languages: t('organisations:settings.languages'),
    defaultLanguage: t('organisations:settings.defaultLanguage'),
    timeZone: t('organisations:admin.timeZone'),
    bounds: t('organisations:admin.bounds'),
  };
  const f = data.form;
  return layout(context, {
    title: t('organisations:admin.title'),
    body: html`<div class="container section">
  <h1>${t('organisations:admin.title')}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p><a href="/admin/audit-log">${t('audit:networkTitle')}</a></p>
  <table class="data"><caption>${t('organisations:admin.citiesCaption')}</caption>
  <thead><tr><th scope="col">${labels.name}</th><th scope="col">${labels.slug}</th><th scope="col">${t('organisations:curate.status')}</th><th scope="col">${t('organisations:admin.curators')}</th><th scope="col">${t('organisations:manage.actions')}</th></tr></thead>
  <tbody>${data.cities.map(
    (
      c,
    ) => html`<tr><td><a href="/c/${c.slug}">${c.name}</a></td><td>${c.slug}</td><td>${t(`organisations:admin.status.${c.status}`)}</td>
    <td><a href="/admin/cities/${c.slug}">${t('organisations:admin.curatorCount', { count: c.curators })}</a></td>
    <td><form method="post" action="/admin/cities/${c.slug}/${c.status === 'active' ? 'archive' : 'unarchive'}" class="inline-form">${csrfField(context.csrfToken)}
      <button class="link-button" type="submit">${t(c.status === 'active' ? 'organisations:admin.archive' : 'organisations:admin.unarchive', { city: c.name })}</button></form></td></tr>`,
  )}</tbody></table>

  <h2 id="create-heading">${t('organisations:admin.createHeading')}</h2>
  ${errorSummary(t, data.errors, labels)}
  <form class="form" method="post" action="/admin/cities" novalidate aria-labelledby="create-heading">
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'slug', label: labels.slug as string, value: f.slug, hint: t('organisations:admin.slugHint'), error: data.errors.slug, required: true })}
    ${inputField({ name: 'nameEn', label: t('organisations:admin.nameEn'), value: f.nameEn, error: data.errors.name, required: true })}
    ${inputField({ name: 'nameLocal', label: t('organisations:admin.nameLocal'), value: f.nameLocal, hint: t('organisations:admin.nameLocalHint') })}
    ${checkboxGroup({ name: 'languages', legend: labels.languages as string, hint: t('organisations:admin.languagesHint'), checked: f.languages, error: data.errors.languages ?? data.errors.defaultLanguage, choices: data.languageChoices })}
    ${inputField({ name: 'timeZone', label: labels.timeZone as string, value: f.timeZone, hint: t('organisations:admin.timeZoneHint'), error: data.errors.timeZone, required: true })}
    <fieldset class="field" id="field-bounds" tabindex="-1"><legend>${labels.bounds}</legend>
      <p class="hint">${t('organisations:admin.boundsHint')}</p>
      ${data.errors.bounds ? html`<p class="field-error">${data.errors.bounds}</p>` : ''}
      ${inputField({ name: 'west', label: t('organisations:admin.west'), value: f.west, inputmode: 'decimal' })}
      ${inputField({ name: 'south', label: t('organisations:admin.south'), value: f.south, inputmode: 'decimal' })}
      ${inputField({ name: 'east', label: t('organisations:admin.east'), value: f.east, inputmode: 'decimal' })}
      ${inputField({ name: 'north', label: t('organisations:admin.north'), value: f.north, inputmode: 'decimal' })}
    </fieldset>
    <div><button class="button" type="submit">${t('organisations:admin.create')}</button></div>
  </form>
</div>`,
  });
}

export function adminCityCuratorsPage(
  context: PageContext,
  data: {
    cityName: string;
    slug: string;
    curators: { userId: string; email: string; displayName: string }[];
    email: string;
    errors: FieldErrors;
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('organisations:admin.curatorsTitle', { city: data.cityName }),
    body: html`<div class="container section">
  <h1>${t('organisations:admin.curatorsTitle', { city: data.cityName })}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${
    data.curators.length === 0
      ? html`<p>${t('organisations:admin.noCurators')}</p>`
      : html`<ul>${data.curators.map(
          (c) => html`<li>${c.displayName} (${c.email})
    <form method="post" action="/admin/cities/${data.slug}/curators/${c.userId}/remove" class="inline-form">${csrfField(context.csrfToken)}
    <button class="link-button" type="submit">${t('organisations:admin.removeCurator', { name: c.displayName })}</button></form></li>`,
        )}</ul>`
  }
  <h2>${t('organisations:admin.appointHeading')}</h2>
  <form class="form" method="post" action="/admin/cities/${data.slug}/curators" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'email', label: t('organisations:manage.email'), type: 'email', value: data.email, error: data.errors.email, required: true, hint: t('organisations:admin.appointHint') })}
    <div><button class="button" type="submit">${t('organisations:admin.appoint')}</button></div>
  </form>
  <p><a href="/admin/cities">${t('organisations:admin.back')}</a></p>
</div>`,
  });
}
