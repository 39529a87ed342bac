import { csrfField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { selectField } from './form-controls.ts';

/**
 * The organiser's bulk issuing pages: upload a CSV (with past uploads listed below), the check of every row before
 * anything is issued, and a batch's progress with its report. The server picks texts and formats dates; these
 * functions lay them out.
 */

export interface BulkProblemView {
  code: string;
  params?: Record<string, string | number>;
}

export interface BatchListItem {
  fileName: string;
  createdAt: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: { total: number; issued: number; skipped: number; failed: number; pending: number };
  url: string;
}

export interface BulkHomeView {
  organisation: { name: string; manageUrl: string };
  uploadUrl: string;
  badges: { value: string; label: string }[];
  chosenBadge: string;
  uploadErrors: BulkProblemView[];
  batches: BatchListItem[];
  nextUrl: string | null;
  firstUrl: string | null;
}

export interface PreviewRowView {
  line: number;
  email: string;
  name: string;
  badge: string;
  problems: BulkProblemView[];
  alreadyIssued: boolean;
}

export interface BulkPreviewView {
  organisation: { name: string; manageUrl: string };
  homeUrl: string;
  confirmUrl: string;
  uploadUrl: string;
  fileName: string;
  csv: string;
  badge: string;
  idempotencyKey: string;
  badges: { value: string; label: string }[];
  fatal: BulkProblemView[];
  ignoredColumns: string[];
  counts: { rows: number; valid: number; invalid: number; alreadyIssued: number; toIssue: number };
  rows: PreviewRowView[];
  /** Why the confirmation was refused (the file changed meanwhile …). */
  confirmError?: string;
}

export interface BatchPageView {
  homeUrl: string;
  statusUrl: string;
  reportUrl: string;
  fileName: string;
  createdAt: string;
  finishedAt: string | null;
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: { total: number; issued: number; skipped: number; failed: number; pending: number; done: number };
  failedRows: { line: number; email: string; error: string }[];
  notice?: string;
}

export function problemText(context: PageContext, problem: BulkProblemView): string {
  return context.t(`bulk:problems.${problem.code}`, problem.params ?? {});
}

function columnsHelp(context: PageContext): SafeHtml {
  const { t } = context;
  return html`<details>
    <summary>${t('bulk:upload.columnsSummary')}</summary>
    <dl class="facts">
      ${['email', 'name', 'badge', 'evidence_url', 'narrative'].map(
        (column) => html`<dt><code>${column}</code></dt><dd>${t(`bulk:columns.${column}`)}</dd>`,
      )}
    </dl>
    <p>${t('bulk:upload.example')}</p>
    <pre><code>email,name,badge,evidence_url,narrative
ada@example.org,Ada Lovelace,repair-cafe-helper,https://example.org/photos/12,Helped at three repair cafés</code></pre>
  </details>`;
}

function uploadForm(
  context: PageContext,
  view: { uploadUrl: string; badges: { value: string; label: string }[]; chosenBadge: string },
  errors: BulkProblemView[],
  heading: string,
): SafeHtml {
  const { t } = context;
  const errorId = 'field-file-error';
  return html`<section aria-labelledby="upload-heading" class="card">
  <h2 id="upload-heading">${heading}</h2>
  <form method="post" action="${view.uploadUrl}" enctype="multipart/form-data" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    <div class="field">
      <label for="field-file">${t('bulk:upload.file')}</label>
      <p class="hint" id="field-file-hint">${t('bulk:upload.fileHint')}</p>
      ${
        errors.length
          ? html`<div class="field-error" id="${errorId}"><ul>${errors.map((e) => html`<li>${problemText(context, e)}</li>`)}</ul></div>`
          : ''
      }
      <input id="field-file" name="file" type="file" accept=".csv,text/csv" required aria-describedby="field-file-hint${errors.length ? ` ${errorId}` : ''}"${
        errors.length ? html` aria-invalid="true"` : ''
      }>
    </div>
    ${selectField({
      name: 'badge',
      label: t('bulk:upload.badge'),
      value: view.chosenBadge,
      choices: [{ value: '', label: t('bulk:upload.badgeFromFile') }, ...view.badges],
    })}
    ${columnsHelp(context)}
    <div><button class="button" type="submit">${t('bulk:upload.submit')}</button></div>
  </form>
</section>`;
}

const statusLabel = (context: PageContext, status: string) => context.t(`bulk:status.${status}`);

export function bulkHomePage(context: PageContext, view: BulkHomeView): SafeHtml {
  const { t } = context;
  const title = t('bulk:home.title', { organisation: view.organisation.name });
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1>${title}</h1>
  <p><a href="${view.organisation.manageUrl}">${t('bulk:home.back', { organisation: view.organisation.name })}</a></p>
  <p>${t('bulk:home.intro')}</p>
  ${
    view.uploadErrors.length
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${t('forms.errorSummaryTitle')}</h2>
    <ul>${view.uploadErrors.map((e) => html`<li><a href="#field-file">${problemText(context, e)}</a></li>`)}</ul>
  </div>`
      : ''
  }
  ${uploadForm(context, view, view.uploadErrors, t('bulk:upload.heading'))}
  <section aria-labelledby="batches-heading">
    <h2 id="batches-heading">${t('bulk:list.heading')}</h2>
    ${
      view.batches.length === 0
        ? html`<p>${t('bulk:list.empty')}</p>`
        : html`<div class="table-scroll"><table class="data">
      <caption class="visually-hidden">${t('bulk:list.heading')}</caption>
      <thead><tr>
        <th scope="col">${t('bulk:list.file')}</th><th scope="col">${t('bulk:list.uploaded')}</th>
        <th scope="col">${t('bulk:list.status')}</th><th scope="col">${t('bulk:list.result')}</th>
      </tr></thead>
      <tbody>${view.batches.map(
        (batch) => html`<tr>
        <td><a href="${batch.url}">${batch.fileName}</a></td>
        <td>${batch.createdAt}</td>
        <td>${statusLabel(context, batch.status)}</td>
        <td>${t('bulk:list.counts', batch.counts)}</td>
      </tr>`,
      )}</tbody>
    </table></div>`
    }
    ${
      view.firstUrl || view.nextUrl
        ? html`<nav class="pagination" aria-label="${t('bulk:list.pages')}"><ul>
      ${view.firstUrl ? html`<li><a href="${view.firstUrl}">${t('bulk:list.firstPage')}</a></li>` : ''}
      ${view.nextUrl ? html`<li><a href="${view.nextUrl}" rel="next">${t('bulk:list.nextPage')}</a></li>` : ''}
    </ul></nav>`
        : ''
    }
  </section>
</div>`,
  });
}

function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

export function bulkPreviewPage(context: PageContext, view: BulkPreviewView): SafeHtml {
  const { t } = context;
  const title = t('bulk:preview.title', { file: view.fileName });
  const c = view.counts;
  const confirmFields = html`${csrfField(context.csrfToken)}
      ${hidden('csv', view.csv)}
      ${hidden('fileName', view.fileName)}
      ${hidden('badge', view.badge)}
      ${hidden('idempotencyKey', view.idempotencyKey)}`;
  const shown = view.rows.length;
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1 id="preview-heading" tabindex="-1">${title}</h1>
  <p><a href="${view.homeUrl}">${t('bulk:preview.back')}</a></p>
  ${
    view.fatal.length
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${t('bulk:preview.fatal')}</h2>
    <ul>${view.fatal.map((p) => html`<li><a href="#field-file">${problemText(context, p)}</a></li>`)}</ul>
  </div>`
      : html`<p role="status" class="${c.invalid ? 'notice' : 'success'}">${t('bulk:preview.summary', c)}</p>`
  }
  ${view.confirmError ? html`<p class="field-error" role="alert">${view.confirmError}</p>` : ''}
  ${view.ignoredColumns.length ? html`<p class="hint">${t('bulk:preview.ignoredColumns', { columns: view.ignoredColumns.join(', ') })}</p>` : ''}
  ${
    view.fatal.length === 0
      ? html`<section aria-labelledby="rows-heading">
    <h2 id="rows-heading">${t('bulk:preview.rowsHeading')}</h2>
    ${shown < c.rows ? html`<p class="hint">${t('bulk:preview.shown', { shown, rows: c.rows })}</p>` : ''}
    <div class="table-scroll"><table class="data">
      <caption class="visually-hidden">${t('bulk:preview.rowsHeading')}</caption>
      <thead><tr>
        <th scope="col">${t('bulk:preview.line')}</th><th scope="col">${t('bulk:columns.emailHeading')}</th>
        <th scope="col">${t('bulk:columns.nameHeading')}</th><th scope="col">${t('bulk:columns.badgeHeading')}</th>
        <th scope="col">${t('bulk:preview.check')}</th>
      </tr></thead>
      <tbody>${view.rows.map(
        (row) => html`<tr${row.problems.length ? html` class="row-error"` : ''}>
        <th scope="row">${row.line}</th>
        <td>${row.email}</td>
        <td>${row.name}</td>
        <td>${row.badge}</td>
        <td>${
          row.problems.length
            ? html`<ul class="field-error">${row.problems.map((p) => html`<li>${problemText(context, p)}</li>`)}</ul>`
            : row.alreadyIssued
              ? t('bulk:preview.alreadyIssued')
              : t('bulk:preview.ready')
        }</td>
      </tr>`,
      )}</tbody>
    </table></div>
  </section>
  <section aria-labelledby="confirm-heading" class="card">
    <h2 id="confirm-heading">${t('bulk:confirm.heading')}</h2>
    ${
      c.invalid === 0
        ? html`<p>${t('bulk:confirm.explain', c)}</p>
    <form method="post" action="${view.confirmUrl}" enctype="multipart/form-data" class="form">
      ${confirmFields}
      <div><button class="button" type="submit">${t('bulk:confirm.submit', { count: c.valid })}</button></div>
    </form>`
        : c.valid > 0
          ? html`<p>${t('bulk:confirm.hasErrors', c)}</p>
    <form method="post" action="${view.confirmUrl}" enctype="multipart/form-data" class="form">
      ${confirmFields}
      ${hidden('skipInvalid', '1')}
      <div><button class="button" type="submit">${t('bulk:confirm.skipInvalid', { count: c.valid, invalid: c.invalid })}</button></div>
    </form>`
          : html`<p>${t('bulk:confirm.nothingValid')}</p>`
    }
  </section>`
      : ''
  }
  ${uploadForm(context, { uploadUrl: view.uploadUrl, badges: view.badges, chosenBadge: view.badge }, [], t('bulk:preview.uploadAgain'))}
</div>`,
  });
}

export function bulkBatchPage(context: PageContext, view: BatchPageView): SafeHtml {
  const { t } = context;
  const title = t('bulk:batch.title', { file: view.fileName });
  const c = view.counts;
  const working = view.status === 'queued' || view.status === 'running';
  const statusText = working
    ? t('bulk:batch.working', { done: c.done, total: c.total })
    : view.status === 'completed'
      ? t('bulk:batch.completed', c)
      : t('bulk:batch.failed', c);
  return layout(context, {
    title,
    head: working ? html`<script type="module" src="${context.assets.url('bulk-progress.js')}"></script>` : undefined,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p><a href="${view.homeUrl}">${t('bulk:batch.back')}</a></p>
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  <div data-bulk-progress="${view.statusUrl}" data-bulk-text="${t('bulk:batch.working', { done: '{done}', total: '{total}' })}">
    <p id="bulk-progress-text" role="status" aria-live="polite">${statusText}</p>
    <p><label for="bulk-progress-bar">${t('bulk:batch.progressLabel')}</label><br>
      <progress id="bulk-progress-bar" max="${c.total}" value="${c.done}" aria-describedby="bulk-progress-text">${t('bulk:batch.progressValue', { done: c.done, total: c.total })}</progress></p>
    ${working ? html`<p class="hint" data-bulk-refresh><a href="">${t('bulk:batch.refresh')}</a></p>` : ''}
  </div>
  <dl class="facts">
    <dt>${t('bulk:batch.uploaded')}</dt><dd>${view.createdAt}</dd>
    <dt>${t('bulk:batch.status')}</dt><dd>${statusLabel(context, view.status)}</dd>
    <dt>${t('bulk:batch.issued')}</dt><dd>${c.issued}</dd>
    <dt>${t('bulk:batch.skipped')}</dt><dd>${c.skipped}</dd>
    <dt>${t('bulk:batch.failedCount')}</dt><dd>${c.failed}</dd>
    <dt>${t('bulk:batch.pending')}</dt><dd>${c.pending}</dd>
    ${view.finishedAt ? html`<dt>${t('bulk:batch.finished')}</dt><dd>${view.finishedAt}</dd>` : ''}
  </dl>
  <p><a class="button button-secondary" href="${view.reportUrl}" download>${t('bulk:batch.report')}</a></p>
  ${
    view.failedRows.length
      ? html`<section aria-labelledby="failed-heading">
    <h2 id="failed-heading">${t('bulk:batch.failedHeading')}</h2>
    <ul>${view.failedRows.map((row) => html`<li>${t('bulk:batch.failedRow', { line: row.line, email: row.email })} ${row.error}</li>`)}</ul>
  </section>`
      : ''
  }
</div>`,
  });
}
