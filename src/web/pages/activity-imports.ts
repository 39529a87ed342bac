import { problemText } from '../../server/modules/activities/activities.problems.ts';
import { csrfField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { isSupportedLanguage, languageName } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';

/** The organisation's "Import activities" pages: upload, column mapping with preview and row report, result, feeds. */

export interface ImportListItem {
  id: string;
  fileName: string;
  status: 'uploaded' | 'committed';
  createdAt: Date;
  report: { created: number; updated: number; skipped: number; failed: number } | null;
}

export interface FeedItem {
  id: string;
  url: string;
  syncIntervalMinutes: number;
  enabled: boolean;
  lastSyncedAt: Date | null;
  lastStatus: string | null;
  /** The last sync's failure in English; with its key and params it is said in the page's language. */
  lastError: string | null;
  lastErrorKey?: string | null;
  lastErrorParams?: Record<string, string | number> | null;
  /** The events the last sync could not import, each with its keyed problems. */
  lastErrorEvents?: { line: number; problems: ImportProblemItem[] }[] | null;
  lastCounts: Record<string, number> | null;
}

export interface ImportsHomeData {
  organisation: { id: string; name: string };
  imports: ImportListItem[];
  feeds: FeedItem[];
  uploadError?: string;
  /** The add-a-feed form as sent, and why it was refused (said in the page's language when it has a key). */
  feedForm?: { url: string; syncIntervalMinutes: string; error?: ImportProblemItem };
  notice?: string;
}

/**
 * A problem or note: English text, and a key and params that say it in the page's language (the file readers' own
 * `imports:problems.<key>` or the catalogue's validation `activities:problems.<key>`).
 */
export interface ImportProblemItem {
  /** The line of the file, where a list mixes problems of several rows. */
  line?: number;
  column?: string;
  field?: string;
  problem: string;
  key?: string;
  params?: Record<string, string | number>;
}

export interface ImportRowItem {
  line: number;
  externalUid: string | null;
  title: string;
  valid: boolean;
  problems: ImportProblemItem[];
  warningDetails: ImportProblemItem[];
}

export interface ImportDetailData {
  organisation: { id: string; name: string };
  view: {
    id: string;
    fileName: string;
    kind: 'csv' | 'ical';
    status: 'uploaded' | 'committed';
    headers: string[];
    mapping: Record<string, string>;
    fields: string[];
    preview: { line: number; cells: string[] }[];
    fatal: ImportProblemItem[];
    warningDetails: ImportProblemItem[];
    rows: ImportRowItem[];
    counts: { rows: number; valid: number; invalid: number; skipped: number };
    report: {
      created: number;
      updated: number;
      skipped: number;
      failed: number;
      /** `problemDetails` is in reports committed since problems have keys; older ones have only `problems`. */
      items: {
        line: number;
        outcome: string;
        slug: string | null;
        problems: string[];
        problemDetails?: ImportProblemItem[];
      }[];
    } | null;
  };
  notice?: string;
  /** Why committing or changing the columns failed, with the problems behind it when there are some. */
  commitError?: { message: string; problems?: ImportProblemItem[] };
}

function cityPath(context: PageContext): string {
  return context.city?.homePath ?? '/';
}

const intervals = [60, 180, 360, 720, 1440];

function intervalLabel(context: PageContext, minutes: number): string {
  return intervals.includes(minutes)
    ? context.t(`imports:feeds.intervals.m${minutes}`)
    : context.t('imports:feeds.minutesValue', { minutes });
}

const day = (value: Date | null) => (value ? new Date(value).toISOString().slice(0, 16).replace('T', ' ') : '');

/** The label of a mapping field (`title`, `title:lt`, `venue_lat`) in the page language. */
export function fieldLabel(context: PageContext, field: string): string {
  const { t } = context;
  if (field === '') return t('imports:mapping.ignore');
  const numbered = /^venue_(\d{1,2})_([a-z]+)$/.exec(field);
  if (numbered) {
    return t('imports:fields.venueNumbered', { number: numbered[1], field: t(`imports:fields.venue_${numbered[2]}`) });
  }
  const [base, language] = field.split(':');
  const label = t(`imports:fields.${base}`);
  if (!language) return label;
  const name = isSupportedLanguage(language) ? languageName(language) : language;
  return t('imports:fields.inLanguage', { field: label, language: name });
}

function reportCounts(
  context: PageContext,
  report: { created: number; updated: number; skipped: number; failed: number },
) {
  return context.t('imports:report.counts', {
    created: report.created,
    updated: report.updated,
    skipped: report.skipped,
    failed: report.failed,
  });
}

/**
 * Why a feed's last sync failed, in the page's language when it was recorded with a key (else as stored, in English),
 * with the events it could not import.
 */
function feedError(context: PageContext, feed: FeedItem): SafeHtml | '' {
  if (!feed.lastError) return '';
  const message = problemText(
    { problem: feed.lastError, key: feed.lastErrorKey, params: feed.lastErrorParams ?? {} },
    context.t,
  );
  const events = feed.lastErrorKey ? (feed.lastErrorEvents ?? []) : [];
  return html`<br><span class="field-error">${message}</span>${
    events.length > 0
      ? html`<ul class="problems">${events.map(
          (event) =>
            html`<li>${context.t('imports:rows.onLine', { line: event.line })} ${event.problems
              .map((p) => problemText(p, context.t))
              .join('; ')}</li>`,
        )}</ul>`
      : ''
  }`;
}

export function importsHomePage(context: PageContext, data: ImportsHomeData): SafeHtml {
  const { t } = context;
  const base = `${cityPath(context)}/manage/${data.organisation.id}/imports`;
  const feedForm = data.feedForm ?? { url: '', syncIntervalMinutes: '360' };
  return layout(context, {
    title: t('imports:home.title', { organisation: data.organisation.name }),
    body: html`<div class="container section">
  <p><a href="${cityPath(context)}/manage/${data.organisation.id}">${t('imports:home.back', { organisation: data.organisation.name })}</a></p>
  <h1>${t('imports:home.title', { organisation: data.organisation.name })}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p>${t('imports:home.intro')}</p>

  <section class="section" aria-labelledby="upload-heading">
    <h2 id="upload-heading">${t('imports:upload.heading')}</h2>
    <form class="form" method="post" action="${base}" enctype="multipart/form-data">
      ${csrfField(context.csrfToken)}
      <div class="field">
        <label for="field-file">${t('imports:upload.file')}</label>
        <p class="hint" id="field-file-hint">${t('imports:upload.hint')}</p>
        ${data.uploadError ? html`<p class="field-error" id="field-file-error" role="alert">${data.uploadError}</p>` : ''}
        <input id="field-file" name="file" type="file" accept=".csv,.ics,text/csv,text/calendar" required aria-describedby="field-file-hint${data.uploadError ? ' field-file-error' : ''}"${data.uploadError ? html` aria-invalid="true"` : ''}>
      </div>
      <button class="button" type="submit">${t('imports:upload.submit')}</button>
    </form>
  </section>

  ${
    data.imports.length > 0
      ? html`<section class="section" aria-labelledby="recent-heading">
    <h2 id="recent-heading">${t('imports:recent.heading')}</h2>
    <table class="data">
      <caption class="visually-hidden">${t('imports:recent.heading')}</caption>
      <thead><tr><th scope="col">${t('imports:recent.file')}</th><th scope="col">${t('imports:recent.uploaded')}</th><th scope="col">${t('imports:recent.result')}</th></tr></thead>
      <tbody>${data.imports.map(
        (item) => html`<tr>
        <td><a href="${base}/${item.id}">${item.fileName}</a></td>
        <td>${day(item.createdAt)}</td>
        <td>${item.status === 'committed' && item.report ? reportCounts(context, item.report) : t('imports:recent.notCommitted')}</td>
      </tr>`,
      )}</tbody>
    </table>
  </section>`
      : ''
  }

  <section class="section" aria-labelledby="feeds-heading">
    <h2 id="feeds-heading">${t('imports:feeds.heading')}</h2>
    <p>${t('imports:feeds.intro')}</p>
    ${
      data.feeds.length === 0
        ? html`<p>${t('imports:feeds.none')}</p>`
        : html`<table class="data">
      <caption class="visually-hidden">${t('imports:feeds.heading')}</caption>
      <thead><tr><th scope="col">${t('imports:feeds.url')}</th><th scope="col">${t('imports:feeds.every')}</th><th scope="col">${t('imports:feeds.last')}</th><th scope="col">${t('imports:feeds.actions')}</th></tr></thead>
      <tbody>${data.feeds.map(
        (feed) => html`<tr>
        <td><code>${feed.url}</code>${feed.enabled ? '' : html` <span class="notice">${t('imports:feeds.paused')}</span>`}</td>
        <td>${intervalLabel(context, feed.syncIntervalMinutes)}</td>
        <td>${
          feed.lastSyncedAt
            ? html`${day(feed.lastSyncedAt)} · ${
                feed.lastStatus === 'ok'
                  ? t('imports:feeds.ok', {
                      created: feed.lastCounts?.created ?? 0,
                      updated: feed.lastCounts?.updated ?? 0,
                      archived: feed.lastCounts?.archived ?? 0,
                      failed: feed.lastCounts?.failed ?? 0,
                    })
                  : t('imports:feeds.failed')
              }${feedError(context, feed)}`
            : t('imports:feeds.never')
        }</td>
        <td>
          <form method="post" action="${base}/feeds/${feed.id}/sync" class="inline-form">
            ${csrfField(context.csrfToken)}
            <button class="button button-secondary" type="submit">${t('imports:feeds.syncNow')}<span class="visually-hidden"> ${feed.url}</span></button>
          </form>
          <form method="post" action="${base}/feeds/${feed.id}/remove" class="inline-form">
            ${csrfField(context.csrfToken)}
            <button class="link-button" type="submit">${t('imports:feeds.remove')}<span class="visually-hidden"> ${feed.url}</span></button>
          </form>
        </td>
      </tr>`,
      )}</tbody>
    </table>`
    }
    <h3>${t('imports:feeds.addHeading')}</h3>
    <form class="form" method="post" action="${base}/feeds" novalidate>
      ${csrfField(context.csrfToken)}
      <div class="field">
        <label for="field-url">${t('imports:feeds.url')}</label>
        <p class="hint" id="field-url-hint">${t('imports:feeds.urlHint')}</p>
        ${feedForm.error ? html`<p class="field-error" id="field-url-error" role="alert">${problemText(feedForm.error, t)}</p>` : ''}
        <input id="field-url" name="url" type="url" value="${feedForm.url}" required aria-describedby="field-url-hint${feedForm.error ? ' field-url-error' : ''}"${feedForm.error ? html` aria-invalid="true"` : ''}>
      </div>
      <div class="field">
        <label for="field-interval">${t('imports:feeds.every')}</label>
        <select id="field-interval" name="syncIntervalMinutes">${intervals.map(
          (minutes) =>
            html`<option value="${String(minutes)}"${String(minutes) === feedForm.syncIntervalMinutes ? html` selected` : ''}>${intervalLabel(context, minutes)}</option>`,
        )}</select>
      </div>
      <button class="button" type="submit">${t('imports:feeds.add')}</button>
    </form>
  </section>
</div>`,
  });
}

function problemList(context: PageContext, problems: ImportProblemItem[]): SafeHtml {
  return html`<ul class="problems">${problems.map(
    (p) =>
      html`<li>${p.line === undefined ? '' : html`${context.t('imports:rows.onLine', { line: p.line })} `}${
        p.column ? html`<strong>${p.column}</strong>: ` : ''
      }${problemText(p, context.t)}</li>`,
  )}</ul>`;
}

/** A report item's problems in the page language when the report kept their keys, else as stored (English). */
function reportProblems(
  context: PageContext,
  item: { problems: string[]; problemDetails?: ImportProblemItem[] },
): string {
  const details: ImportProblemItem[] = Array.isArray(item.problemDetails)
    ? item.problemDetails
    : item.problems.map((problem) => ({ problem }));
  return details.map((p) => `${p.column ? `${p.column}: ` : ''}${problemText(p, context.t)}`).join('; ');
}

export function importDetailPage(context: PageContext, data: ImportDetailData): SafeHtml {
  const { t } = context;
  const { view } = data;
  const base = `${cityPath(context)}/manage/${data.organisation.id}/imports`;
  const hasErrors = view.fatal.length > 0 || view.counts.invalid > 0;
  const rowsByLine = new Map(view.rows.map((row) => [row.line, row]));
  const title = t('imports:detail.title', { file: view.fileName });
  return layout(context, {
    title,
    body: html`<div class="container section">
  <p><a href="${base}">${t('imports:detail.back')}</a></p>
  <h1>${title}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${
    data.commitError
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><p>${data.commitError.message}</p>${
          data.commitError.problems?.length ? problemList(context, data.commitError.problems) : ''
        }</div>`
      : ''
  }
  ${
    view.status === 'committed' && view.report
      ? html`<section class="section" aria-labelledby="report-heading">
    <h2 id="report-heading">${t('imports:report.heading')}</h2>
    <p class="success">${reportCounts(context, view.report)}</p>
    <table class="data">
      <caption class="visually-hidden">${t('imports:report.heading')}</caption>
      <thead><tr><th scope="col">${t('imports:rows.line')}</th><th scope="col">${t('imports:report.outcome')}</th><th scope="col">${t('imports:rows.problems')}</th></tr></thead>
      <tbody>${view.report.items.map(
        (item) => html`<tr>
        <td>${item.line}</td>
        <td>${item.slug ? html`<a href="${cityPath(context)}/activities/${item.slug}">${t(`imports:report.outcomes.${item.outcome}`)}</a>` : t(`imports:report.outcomes.${item.outcome}`)}</td>
        <td>${reportProblems(context, item)}</td>
      </tr>`,
      )}</tbody>
    </table>
  </section>`
      : html`<p>${t('imports:detail.summary', { rows: view.counts.rows, valid: view.counts.valid, invalid: view.counts.invalid, skipped: view.counts.skipped })}</p>`
  }
  ${
    view.fatal.length > 0
      ? html`<div class="error-summary" role="alert"><h2>${t('imports:detail.fatal')}</h2><ul>${view.fatal.map((f) => html`<li>${problemText(f, context.t)}</li>`)}</ul></div>`
      : ''
  }
  ${
    view.warningDetails.length > 0
      ? html`<ul class="notice">${view.warningDetails.map((w) => html`<li>${problemText(w, context.t)}</li>`)}</ul>`
      : ''
  }

  ${
    view.kind === 'csv' && view.status === 'uploaded' && view.headers.length > 0
      ? html`<section class="section" aria-labelledby="mapping-heading">
    <h2 id="mapping-heading">${t('imports:mapping.heading')}</h2>
    <p>${t('imports:mapping.intro')}</p>
    <form method="post" action="${base}/${view.id}/mapping">
      ${csrfField(context.csrfToken)}
      <div class="table-scroll">
      <table class="data">
        <caption>${t('imports:mapping.caption', { shown: view.preview.length, rows: view.counts.rows })}</caption>
        <thead>
          <tr><th scope="col">${t('imports:rows.line')}</th>${view.headers.map(
            (header, index) => html`<th scope="col">
            <label for="map-${String(index)}">${header}</label>
            <input type="hidden" name="header${String(index)}" value="${header}">
            <select id="map-${String(index)}" name="field${String(index)}">${['', ...view.fields].map(
              (field) =>
                html`<option value="${field}"${(view.mapping[header] ?? '') === field ? html` selected` : ''}>${fieldLabel(context, field)}</option>`,
            )}</select>
          </th>`,
          )}<th scope="col">${t('imports:rows.status')}</th></tr>
        </thead>
        <tbody>${view.preview.map((row) => {
          const checked = rowsByLine.get(row.line);
          return html`<tr${checked && !checked.valid ? html` class="row-error"` : ''}>
          <th scope="row">${row.line}</th>${view.headers.map((_, index) => html`<td>${row.cells[index] ?? ''}</td>`)}
          <td>${checked ? (checked.valid ? t('imports:rows.ok') : problemList(context, checked.problems)) : ''}</td>
        </tr>`;
        })}</tbody>
      </table>
      </div>
      <button class="button button-secondary" type="submit">${t('imports:mapping.apply')}</button>
    </form>
  </section>`
      : ''
  }

  ${
    view.status === 'uploaded'
      ? html`<section class="section" aria-labelledby="rows-heading">
    <h2 id="rows-heading">${t('imports:rows.heading')}</h2>
    <table class="data">
      <caption class="visually-hidden">${t('imports:rows.heading')}</caption>
      <thead><tr><th scope="col">${t('imports:rows.line')}</th><th scope="col">${t('imports:rows.activity')}</th><th scope="col">${t('imports:rows.status')}</th></tr></thead>
      <tbody>${view.rows.map(
        (row) => html`<tr${row.valid ? '' : html` class="row-error"`}>
        <th scope="row">${row.line}</th>
        <td>${row.title || row.externalUid || ''}</td>
        <td>${row.valid ? t('imports:rows.ok') : problemList(context, row.problems)}${
          row.warningDetails.length > 0
            ? html`<ul class="hint">${row.warningDetails.map((w) => html`<li>${problemText(w, context.t)}</li>`)}</ul>`
            : ''
        }</td>
      </tr>`,
      )}</tbody>
    </table>
    ${
      hasErrors
        ? html`<p class="notice">${t('imports:commit.blocked')}</p>`
        : html`<form method="post" action="${base}/${view.id}/commit">
      ${csrfField(context.csrfToken)}
      <p>${t('imports:commit.explain', { valid: view.counts.valid })}</p>
      <button class="button" type="submit">${t('imports:commit.submit')}</button>
    </form>`
    }
  </section>`
      : ''
  }
</div>`,
  });
}
