import { csrfField, type FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { textareaField } from './form-controls.ts';

/** The organiser's list of activities, the history of an activity, and the curators' moderation queue. */

export const listTabs = ['draft', 'submitted', 'published', 'archived'] as const;
export type ListTab = (typeof listTabs)[number];

export interface ActivityRow {
  id: string;
  slug: string;
  status: string;
  title: { text: string; language: string };
  organisation: { id: string; slug: string; name: string };
  nextStartAt: Date | null;
  district: string | null;
  format: string;
  updatedAt: Date;
  submittedAt: Date | null;
  moderationNote: string | null;
}

export interface RevisionRow {
  id: string;
  action: string;
  note: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  actorName: string | null;
  createdAt: Date;
}

function cityPath(context: PageContext): string {
  return context.city?.homePath ?? '/';
}

/** A date and time in the city's time zone, in the reader's language. */
export function formatWhen(context: PageContext, value: Date | string | null, timeZone: string): string {
  if (value === null) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(context.language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

function titleOf(context: PageContext, row: { title: { text: string; language: string } }): SafeHtml {
  const text = row.title.text || context.t('activities:list.untitled');
  return row.title.language === context.language || !row.title.text
    ? html`${text}`
    : html`<span lang="${row.title.language}">${text}</span>`;
}

function manageCss(context: PageContext): SafeHtml {
  return html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`;
}

export function activityListPage(
  context: PageContext,
  data: {
    manageBase: string;
    organisation: { id: string; name: string; trusted: boolean };
    tab: ListTab;
    items: ActivityRow[];
    nextCursor: string | null;
    firstPage: boolean;
    timeZone: string;
    notice?: string;
    error?: string;
  },
): SafeHtml {
  const { t } = context;
  const base = `${data.manageBase}/activities`;
  const title = t('activities:list.titleFor', { organisation: data.organisation.name });
  return layout(context, {
    title,
    head: manageCss(context),
    body: html`<div class="container section">
  <nav aria-label="${t('activities:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${data.manageBase}">${data.organisation.name}</a></li>
    <li aria-current="page">${t('activities:list.title')}</li>
  </ol></nav>
  <h1>${title}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${data.error ? html`<p class="error-summary" role="alert">${data.error}</p>` : ''}
  <p>${data.organisation.trusted ? t('activities:list.trustedIntro') : t('activities:list.intro')}</p>
  <p class="button-row">
    <a class="button" href="${base}/new">${t('activities:list.new')}</a>
    <a class="button button-secondary" href="${data.manageBase}/activity-imports">${t('activities:list.import')}</a>
  </p>
  <nav aria-label="${t('activities:list.tabsLabel')}"><ul class="filter-list activity-tabs">
    ${listTabs.map(
      (tab) =>
        html`<li><a href="${base}?status=${tab}"${tab === data.tab ? html` aria-current="page"` : ''}>${t(`activities:tabs.${tab}`)}</a></li>`,
    )}
  </ul></nav>
  <h2 class="visually-hidden">${t(`activities:tabs.${data.tab}`)}</h2>
  ${
    data.items.length === 0
      ? html`<p>${t(`activities:list.empty.${data.tab}`)}</p>`
      : html`<ul class="card-list activity-rows">${data.items.map((row) => activityRowCard(context, data, row))}</ul>`
  }
  ${
    data.nextCursor || !data.firstPage
      ? html`<nav class="pagination" aria-label="${t('activities:list.paging')}"><ul>
    ${data.firstPage ? '' : html`<li><a href="${base}?status=${data.tab}">${t('activities:list.firstPage')}</a></li>`}
    ${data.nextCursor ? html`<li><a rel="next" href="${base}?status=${data.tab}&cursor=${encodeURIComponent(data.nextCursor)}">${t('activities:list.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
</div>`,
  });
}

function activityRowCard(
  context: PageContext,
  data: { manageBase: string; timeZone: string; tab: ListTab },
  row: ActivityRow,
): SafeHtml {
  const { t } = context;
  const base = `${data.manageBase}/activities/${row.id}`;
  const name = row.title.text || t('activities:list.untitled');
  const returned = row.status === 'draft' && row.moderationNote;
  return html`<li class="card activity-row">
    <h3 class="card-title"><a href="${base}/edit">${titleOf(context, row)}</a></h3>
    <p>${t(`activities:statuses.${row.status}`)}${returned ? html` · <strong>${t('activities:list.returned')}</strong>` : ''}
      · ${t(`activities:formats.${row.format}`)}${row.district ? html` · ${row.district}` : ''}</p>
    ${
      returned
        ? html`<div class="notice returned-note"><p><strong>${t('activities:list.curatorNote')}</strong></p><p>${row.moderationNote}</p></div>`
        : ''
    }
    <dl class="facts">
      <dt>${t('activities:list.next')}</dt><dd>${row.nextStartAt ? formatWhen(context, row.nextStartAt, data.timeZone) : t('activities:list.noDates')}</dd>
      <dt>${t('activities:list.updated')}</dt><dd>${formatWhen(context, row.updatedAt, data.timeZone)}</dd>
    </dl>
    <div class="button-row">
      <a class="button button-secondary" href="${base}/edit">${t('activities:list.edit')}<span class="visually-hidden"> ${name}</span></a>
      <a href="${base}/history">${t('activities:list.history')}<span class="visually-hidden"> ${name}</span></a>
      ${
        row.status === 'published' || row.status === 'submitted'
          ? html`<a href="${cityPath(context)}/activities/${row.slug}">${t('activities:list.view')}<span class="visually-hidden"> ${name}</span></a>`
          : ''
      }
      ${
        row.status === 'draft'
          ? html`<form class="inline-form" method="post" action="${base}/submit">${csrfField(context.csrfToken)}
        <button class="button" type="submit">${t('activities:list.submit')}<span class="visually-hidden"> ${name}</span></button></form>`
          : ''
      }
      ${
        row.status !== 'archived'
          ? html`<form class="inline-form" method="post" action="${base}/archive" data-confirm="${t('activities:list.archiveConfirm', { title: name })}">${csrfField(context.csrfToken)}
        <button class="link-button" type="submit">${t('activities:list.archive')}<span class="visually-hidden"> ${name}</span></button></form>`
          : ''
      }
    </div>
  </li>`;
}

/** A value of a revision's change, readably: texts per language, lists, dates, numbers, or "—". */
function changeValue(context: PageContext, value: unknown, timeZone: string): SafeHtml | string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    if (value.every((item) => typeof item !== 'object' || item === null)) return value.map(String).join(', ');
    return html`<ul class="change-list">${value.map((item) => html`<li>${changeValue(context, item, timeZone)}</li>`)}</ul>`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, item]) => item !== null && item !== undefined && item !== '',
    );
    if (entries.length === 0) return '—';
    return html`<dl class="change-map">${entries.map(
      ([key, item]) => html`<dt>${key}</dt><dd>${changeValue(context, item, timeZone)}</dd>`,
    )}</dl>`;
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    return formatWhen(context, value, timeZone);
  }
  if (typeof value === 'boolean') return context.t(value ? 'activities:history.yes' : 'activities:history.no');
  const text = String(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function fieldName(context: PageContext, field: string): string {
  const key = `activities:fields.${field}`;
  const label = context.t(key);
  return label === key || label === `fields.${field}` ? field : label;
}

export function activityHistoryPage(
  context: PageContext,
  data: {
    activity: { id: string; slug: string; status: string; title: { text: string; language: string } };
    trail: { href: string; label: string }[];
    revisions: RevisionRow[];
    timeZone: string;
  },
): SafeHtml {
  const { t } = context;
  const name = data.activity.title.text || t('activities:list.untitled');
  const title = t('activities:history.title', { title: name });
  return layout(context, {
    title,
    head: manageCss(context),
    body: html`<div class="container section">
  <nav aria-label="${t('activities:breadcrumb')}" class="breadcrumb"><ol>
    ${data.trail.map((step) => html`<li><a href="${step.href}">${step.label}</a></li>`)}
    <li aria-current="page">${t('activities:history.short')}</li>
  </ol></nav>
  <h1>${title}</h1>
  <p>${t('activities:form.statusLine', { status: t(`activities:statuses.${data.activity.status}`) })}
    · <a href="${cityPath(context)}/activities/${data.activity.slug}">${t('activities:history.viewPage')}</a></p>
  ${
    data.revisions.length === 0
      ? html`<p>${t('activities:history.empty')}</p>`
      : html`<ol class="revision-list">${data.revisions.map((revision) => {
          const changes = Object.entries(revision.changes ?? {});
          return html`<li class="card revision">
      <h2 class="card-title">${t(`activities:history.actions.${revision.action}`)}</h2>
      <p>${t('activities:history.byWhen', {
        who: revision.actorName ?? t('activities:history.system'),
        when: formatWhen(context, revision.createdAt, data.timeZone),
      })}</p>
      ${revision.note ? html`<p><strong>${t('activities:history.note')}</strong> ${revision.note}</p>` : ''}
      ${
        changes.length > 0
          ? html`<div class="table-scroll"><table class="data changes">
        <caption class="visually-hidden">${t('activities:history.changesCaption', { when: formatWhen(context, revision.createdAt, data.timeZone) })}</caption>
        <thead><tr><th scope="col">${t('activities:history.field')}</th><th scope="col">${t('activities:history.before')}</th><th scope="col">${t('activities:history.after')}</th></tr></thead>
        <tbody>${changes.map(
          ([field, change]) => html`<tr><th scope="row">${fieldName(context, field)}</th>
          <td>${changeValue(context, change?.before, data.timeZone)}</td><td>${changeValue(context, change?.after, data.timeZone)}</td></tr>`,
        )}</tbody></table></div>`
          : ''
      }
    </li>`;
        })}</ol>`
  }
</div>`,
  });
}

export function moderationQueuePage(
  context: PageContext,
  data: {
    items: ActivityRow[];
    nextCursor: string | null;
    firstPage: boolean;
    timeZone: string;
    errors: Record<string, FieldErrors>;
    values: Record<string, string>;
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  const base = `${cityPath(context)}/curate/activities`;
  return layout(context, {
    title: t('activities:queue.title'),
    head: manageCss(context),
    body: html`<div class="container section">
  <nav aria-label="${t('activities:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${cityPath(context)}/curate">${t('organisations:curate.hubTitle')}</a></li>
    <li aria-current="page">${t('activities:queue.title')}</li>
  </ol></nav>
  <h1>${t('activities:queue.title')}</h1>
  <p>${t('activities:queue.intro')}</p>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${data.items.length === 0 ? html`<p>${t('activities:queue.empty')}</p>` : ''}
  ${data.items.map((row) => {
    const errors = data.errors[row.id] ?? {};
    const name = row.title.text || t('activities:list.untitled');
    return html`<article class="card application" aria-labelledby="queue-${row.id}">
    <h2 id="queue-${row.id}">${titleOf(context, row)}</h2>
    <dl class="facts">
      <dt>${t('activities:queue.organisation')}</dt><dd><a href="${cityPath(context)}/organisations/${row.organisation.slug}">${row.organisation.name}</a></dd>
      <dt>${t('activities:queue.submitted')}</dt><dd>${formatWhen(context, row.submittedAt ?? row.updatedAt, data.timeZone)}</dd>
      <dt>${t('activities:fields.format')}</dt><dd>${t(`activities:formats.${row.format}`)}</dd>
      <dt>${t('activities:list.next')}</dt><dd>${row.nextStartAt ? formatWhen(context, row.nextStartAt, data.timeZone) : t('activities:list.noDates')}</dd>
      ${row.district ? html`<dt>${t('activities:queue.district')}</dt><dd>${row.district}</dd>` : ''}
    </dl>
    <p class="button-row">
      <a href="${cityPath(context)}/activities/${row.slug}">${t('activities:queue.preview')}<span class="visually-hidden"> ${name}</span></a>
      <a href="${base}/${row.id}/history">${t('activities:list.history')}<span class="visually-hidden"> ${name}</span></a>
    </p>
    ${errors._form ? html`<p class="field-error" role="alert">${errors._form}</p>` : ''}
    <form class="inline-form" method="post" action="${base}/${row.id}/approve">${csrfField(context.csrfToken)}
      <button class="button" type="submit">${t('activities:queue.approve', { title: name })}</button>
    </form>
    <form class="form" method="post" action="${base}/${row.id}/return" novalidate>
      ${csrfField(context.csrfToken)}
      ${textareaField({
        name: 'note',
        id: `note-${row.id}`,
        label: t('activities:queue.note'),
        hint: t('activities:queue.noteHint'),
        value: data.values[row.id] ?? '',
        error: errors.note,
        required: true,
        rows: 3,
      })}
      <div><button class="button button-secondary" type="submit">${t('activities:queue.return', { title: name })}</button></div>
    </form>
  </article>`;
  })}
  ${
    data.nextCursor || !data.firstPage
      ? html`<nav class="pagination" aria-label="${t('activities:list.paging')}"><ul>
    ${data.firstPage ? '' : html`<li><a href="${base}">${t('activities:list.firstPage')}</a></li>`}
    ${data.nextCursor ? html`<li><a rel="next" href="${base}?cursor=${encodeURIComponent(data.nextCursor)}">${t('activities:list.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
</div>`,
  });
}

export function removeImagePage(
  context: PageContext,
  data: {
    activityTitle: string;
    image: { url: string; alt: string; width: number; height: number };
    action: string;
    cancelHref: string;
  },
): SafeHtml {
  const { t } = context;
  const title = t('activities:images.removeTitle');
  return layout(context, {
    title,
    head: manageCss(context),
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p>${t('activities:images.removeQuestion', { title: data.activityTitle })}</p>
  <p><img class="activity-image-preview" src="${data.image.url}" alt="${data.image.alt}" width="${data.image.width}" height="${data.image.height}"></p>
  <form method="post" action="${data.action}" class="button-row">
    ${csrfField(context.csrfToken)}
    <button class="button button-danger" type="submit">${t('activities:images.removeConfirm')}</button>
    <a href="${data.cancelHref}">${t('activities:images.removeCancel')}</a>
  </form>
</div>`,
  });
}
