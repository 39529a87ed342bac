import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { selectField, textareaField } from './form-controls.ts';

/**
 * Evidence and peer-check pages: the learner's application (answer each requirement of a badge, or send it again when
 * asked for more), "My evidence", the organisation's review queue, the review page with its decisions (rejecting is
 * confirmed on a page of its own), and a badge's peer-check page (request a check, or confirm others' as an earner).
 */

export type SubmissionStatusView = 'pending' | 'more_info' | 'approved' | 'rejected';

export interface BadgeHeaderView {
  name: string;
  imageUrl: string;
  imageAlt: string;
  pageUrl: string;
}

function badgeHeader(view: BadgeHeaderView): SafeHtml {
  return html`<p class="claim-badge" style="display: flex; align-items: center; gap: 1rem"><img src="${view.imageUrl}" alt="${view.imageAlt}" width="96" height="96"> <a href="${view.pageUrl}">${view.name}</a></p>`;
}

function statusText(context: PageContext, status: SubmissionStatusView): string {
  return context.t(`claims:status.${status}`);
}

function paragraphs(text: string): SafeHtml {
  return html`${text
    .split(/\n\s*\n/)
    .filter((block) => block.trim())
    .map(
      (block) => html`<p>${block.split('\n').map((line, index) => html`${index > 0 ? html`<br>` : ''}${line}`)}</p>`,
    )}`;
}

function fileSize(context: PageContext, bytes: number): string {
  return bytes >= 1024 * 1024
    ? context.t('claims:files.megabytes', { size: (bytes / (1024 * 1024)).toFixed(1) })
    : context.t('claims:files.kilobytes', { size: Math.max(1, Math.round(bytes / 1024)) });
}

export interface FileView {
  name: string;
  size: number;
  url: string;
}

function fileList(context: PageContext, files: FileView[]): SafeHtml | '' {
  if (files.length === 0) return '';
  return html`<ul>${files.map(
    (file) =>
      html`<li><a href="${file.url}" download>${file.name}</a> <span class="hint">(${fileSize(context, file.size)})</span></li>`,
  )}</ul>`;
}

// ── The learner's application ───────────────────────────────────────────────────────────────────────────────────

export interface RequirementView {
  kind: 'text' | 'link' | 'file' | 'photo';
  instructions: string;
  /** What is filled in (typed text or link). */
  value: string;
  /** Files already sent for it (a resubmission keeps them unless a new one is chosen). */
  files: FileView[];
}

export interface ApplyView {
  badge: BadgeHeaderView;
  /** Why the form is not offered, if it is not. */
  closed: 'notOpen' | 'held' | 'pending' | null;
  heldUrl: string | null;
  status: SubmissionStatusView | null;
  feedback: string | null;
  sentOn: string | null;
  requirements: RequirementView[];
  formAction: string;
  errors: FieldErrors;
  notice?: string;
  myEvidenceUrl: string;
}

function fileField(
  context: PageContext,
  name: string,
  label: string,
  kind: 'file' | 'photo',
  error: string | undefined,
  kept: FileView[],
): SafeHtml {
  const id = `field-${name}`;
  const hint = context.t(kind === 'photo' ? 'claims:apply.photoHint' : 'claims:apply.fileHint');
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${label}</label>
  <p class="hint" id="${id}-hint">${hint}${kept.length ? html` ${context.t('claims:apply.keptFile', { name: kept.map((file) => file.name).join(', ') })}` : ''}</p>
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  <input id="${id}" name="${name}" type="file" accept="${kind === 'photo' ? 'image/png,image/jpeg,image/webp' : 'image/png,image/jpeg,image/webp,application/pdf'}" aria-describedby="${describedBy}"${
    error ? html` aria-invalid="true"` : ''
  }>
</div>`;
}

export function applyPage(context: PageContext, view: ApplyView): SafeHtml {
  const { t } = context;
  const title = t('claims:apply.title', { badge: view.badge.name });
  const labels = Object.fromEntries(
    view.requirements.map((requirement, index) => [
      requirement.kind === 'file' || requirement.kind === 'photo' ? `file-${index}` : `item-${index}`,
      t('claims:apply.requirementLabel', { number: index + 1 }),
    ]),
  );
  const status = view.status
    ? html`<p class="${view.status === 'rejected' || view.status === 'more_info' ? 'notice' : 'success'}" role="status"><strong>${statusText(context, view.status)}.</strong> ${
        view.sentOn ? t('claims:apply.sentOn', { date: view.sentOn }) : ''
      }</p>${
        view.feedback
          ? html`<section aria-labelledby="feedback-heading" class="card"><h2 id="feedback-heading">${t('claims:apply.feedbackHeading')}</h2>${paragraphs(view.feedback)}</section>`
          : ''
      }`
    : '';
  let body: SafeHtml;
  if (view.closed === 'held') {
    body = html`<p class="success" role="status">${t('claims:apply.held')} <a href="${view.heldUrl ?? ''}">${t('claims:apply.seeBadge')}</a></p>`;
  } else if (view.closed === 'notOpen') {
    body = html`<p class="notice">${t('claims:apply.notOpen')}</p>`;
  } else if (view.closed === 'pending') {
    body = html`${status}<p>${t('claims:apply.pendingExplain')}</p>`;
  } else {
    body = html`${status}
  <p>${view.status === 'more_info' ? t('claims:apply.moreInfoIntro') : t('claims:apply.intro')}</p>
  ${errorSummary(t, view.errors, labels)}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  <form method="post" action="${view.formAction}" class="form" enctype="multipart/form-data" novalidate>
    ${csrfField(context.csrfToken)}
    ${view.requirements.map((requirement, index) => {
      const label = `${t('claims:apply.requirementLabel', { number: index + 1 })} (${t(`claims:kinds.${requirement.kind}`)})`;
      const instructions = html`<p class="requirement-instructions">${requirement.instructions}</p>`;
      if (requirement.kind === 'file' || requirement.kind === 'photo')
        return html`<fieldset class="field"><legend>${label}</legend>${instructions}${fileField(
          context,
          `file-${index}`,
          t(requirement.kind === 'photo' ? 'claims:apply.choosePhoto' : 'claims:apply.chooseFile'),
          requirement.kind,
          view.errors[`file-${index}`],
          requirement.files,
        )}</fieldset>`;
      if (requirement.kind === 'link')
        return html`<fieldset class="field"><legend>${label}</legend>${instructions}${inputField({
          name: `item-${index}`,
          label: t('claims:apply.link'),
          hint: t('claims:apply.linkHint'),
          type: 'url',
          value: requirement.value,
          error: view.errors[`item-${index}`],
          required: true,
        })}</fieldset>`;
      return html`<fieldset class="field"><legend>${label}</legend>${instructions}${textareaField({
        name: `item-${index}`,
        label: t('claims:apply.answer'),
        value: requirement.value,
        error: view.errors[`item-${index}`],
        required: true,
        rows: 6,
      })}</fieldset>`;
    })}
    <div><button class="button" type="submit">${view.status === 'more_info' ? t('claims:apply.resubmit') : t('claims:apply.submit')}</button></div>
  </form>`;
  }
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${badgeHeader(view.badge)}
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  ${body}
  <p><a href="${view.myEvidenceUrl}">${t('claims:mine.link')}</a></p>
</div>`,
  });
}

// ── My evidence ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface MyEvidenceRowView {
  badgeName: string;
  kind: 'organiser' | 'peer';
  status: SubmissionStatusView;
  sentOn: string;
  feedback: string | null;
  confirmations: number;
  required: number | null;
  url: string;
  credentialUrl: string | null;
  files: FileView[];
}

export function myEvidencePage(context: PageContext, view: { rows: MyEvidenceRowView[]; notice?: string }): SafeHtml {
  const { t } = context;
  const title = t('claims:mine.title');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  ${
    view.rows.length === 0
      ? html`<p>${t('claims:mine.none')}</p>`
      : html`<ul class="card-list">${view.rows.map(
          (row) => html`<li class="card">
    <h2 class="card-title"><a href="${row.url}">${row.badgeName}</a></h2>
    <p>${t(row.kind === 'peer' ? 'claims:mine.peerCheck' : 'claims:mine.evidence')} · ${statusText(context, row.status)} · ${t('claims:apply.sentOn', { date: row.sentOn })}</p>
    ${row.kind === 'peer' && row.required ? html`<p>${t('claims:peer.progress', { count: row.confirmations, required: row.required })}</p>` : ''}
    ${row.feedback ? html`<div><strong>${t('claims:apply.feedbackHeading')}</strong>${paragraphs(row.feedback)}</div>` : ''}
    ${fileList(context, row.files)}
    ${row.credentialUrl ? html`<p><a href="${row.credentialUrl}">${t('claims:apply.seeBadge')}</a></p>` : ''}
  </li>`,
        )}</ul>`
  }
</div>`,
  });
}

// ── Organisers: queue and review ────────────────────────────────────────────────────────────────────────────────

export interface QueueRowView {
  learner: string;
  badgeName: string;
  status: SubmissionStatusView;
  sentOn: string;
  reviewUrl: string;
}

export interface QueueView {
  organisationName: string;
  rows: QueueRowView[];
  badges: { value: string; label: string }[];
  badgeFilter: string;
  statusFilter: string;
  formAction: string;
  total: number;
  page: number;
  previousUrl: string | null;
  nextUrl: string | null;
  notice?: string;
}

export function queuePage(context: PageContext, view: QueueView): SafeHtml {
  const { t } = context;
  const title = t('claims:queue.title', { organisation: view.organisationName });
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1>${title}</h1>
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  <form method="get" action="${view.formAction}" class="form inline-form">
    ${selectField({
      name: 'badge',
      label: t('claims:queue.badge'),
      value: view.badgeFilter,
      choices: [{ value: '', label: t('claims:queue.allBadges') }, ...view.badges],
    })}
    ${selectField({
      name: 'status',
      label: t('claims:queue.status'),
      value: view.statusFilter,
      choices: [
        { value: '', label: t('claims:queue.allStatuses') },
        ...(['pending', 'more_info', 'approved', 'rejected'] as const).map((status) => ({
          value: status,
          label: statusText(context, status),
        })),
      ],
    })}
    <div><button class="button button-secondary" type="submit">${t('claims:queue.apply')}</button></div>
  </form>
  ${
    view.rows.length === 0
      ? html`<p>${view.badgeFilter || view.statusFilter ? t('claims:queue.noneFiltered') : t('claims:queue.none')}</p>`
      : html`<div class="table-scroll"><table class="data">
    <caption class="visually-hidden">${title}</caption>
    <thead><tr><th scope="col">${t('claims:queue.learner')}</th><th scope="col">${t('claims:queue.badge')}</th><th scope="col">${t('claims:queue.status')}</th><th scope="col">${t('claims:queue.sent')}</th><th scope="col"><span class="visually-hidden">${t('claims:queue.actions')}</span></th></tr></thead>
    <tbody>${view.rows.map(
      (row) => html`<tr>
      <td>${row.learner}</td><td>${row.badgeName}</td><td>${statusText(context, row.status)}</td><td>${row.sentOn}</td>
      <td><a href="${row.reviewUrl}">${t('claims:queue.review')}<span class="visually-hidden"> (${row.learner}, ${row.badgeName})</span></a></td>
    </tr>`,
    )}</tbody>
  </table></div>`
  }
  ${
    view.previousUrl || view.nextUrl
      ? html`<nav class="pagination" aria-label="${t('claims:queue.pages')}">
    <p>${t('claims:queue.summary', { page: view.page, total: view.total })}</p>
    <ul>
    ${view.previousUrl ? html`<li><a href="${view.previousUrl}" rel="prev">${t('claims:manage.previousPage')}</a></li>` : ''}
    ${view.nextUrl ? html`<li><a href="${view.nextUrl}" rel="next">${t('claims:manage.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
</div>`,
  });
}

export interface ReviewView {
  learner: string;
  learnerEmail: string;
  badgeName: string;
  badgePageUrl: string;
  status: SubmissionStatusView;
  sentOn: string;
  feedback: string | null;
  answers: { kind: string; instructions: string; text: string | null; url: string | null; files: FileView[] }[];
  credentialUrl: string | null;
  backUrl: string;
  approveAction: string;
  requestMoreAction: string;
  rejectUrl: string;
  errors: FieldErrors;
  form: { note: string; feedback: string };
}

export function reviewPage(context: PageContext, view: ReviewView): SafeHtml {
  const { t } = context;
  const title = t('claims:review.title', { learner: view.learner, badge: view.badgeName });
  const open = view.status === 'pending' || view.status === 'more_info';
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p><a href="${view.backUrl}">${t('claims:review.back')}</a></p>
  <dl class="facts">
    <dt>${t('claims:queue.learner')}</dt><dd>${view.learner}${view.learnerEmail ? html` <span class="hint">&lt;${view.learnerEmail}&gt;</span>` : ''}</dd>
    <dt>${t('claims:queue.badge')}</dt><dd><a href="${view.badgePageUrl}">${view.badgeName}</a></dd>
    <dt>${t('claims:queue.status')}</dt><dd>${statusText(context, view.status)}</dd>
    <dt>${t('claims:queue.sent')}</dt><dd>${view.sentOn}</dd>
  </dl>
  ${view.credentialUrl ? html`<p class="success" role="status"><a href="${view.credentialUrl}">${t('claims:review.seeCredential')}</a></p>` : ''}
  ${
    view.feedback
      ? html`<section aria-labelledby="feedback-heading"><h2 id="feedback-heading">${t('claims:review.feedbackGiven')}</h2>${paragraphs(view.feedback)}</section>`
      : ''
  }
  <h2>${t('claims:review.answers')}</h2>
  <ol class="evidence-answers">${view.answers.map(
    (answer) => html`<li>
    <p><strong>${t(`claims:kinds.${answer.kind}`)}:</strong> ${answer.instructions}</p>
    ${answer.text ? html`<blockquote>${paragraphs(answer.text)}</blockquote>` : ''}
    ${answer.url ? html`<p><a href="${answer.url}" rel="nofollow noopener noreferrer">${answer.url}</a></p>` : ''}
    ${fileList(context, answer.files)}
    ${!answer.text && !answer.url && answer.files.length === 0 ? html`<p class="hint">${t('claims:review.noAnswer')}</p>` : ''}
  </li>`,
  )}</ol>
  ${
    open
      ? html`<h2>${t('claims:review.decide')}</h2>
  ${errorSummary(t, view.errors, { note: t('claims:review.note'), feedback: t('claims:review.feedback') })}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  <section aria-labelledby="approve-heading" class="card">
    <h3 id="approve-heading">${t('claims:review.approveHeading')}</h3>
    <form method="post" action="${view.approveAction}" class="form" novalidate>
      ${csrfField(context.csrfToken)}
      ${textareaField({ name: 'note', label: t('claims:review.note'), hint: t('claims:review.noteHint'), value: view.form.note, error: view.errors.note, rows: 3 })}
      <div><button class="button" type="submit">${t('claims:review.approve')}</button></div>
    </form>
  </section>
  ${
    view.status === 'pending'
      ? html`<section aria-labelledby="more-heading" class="card">
    <h3 id="more-heading">${t('claims:review.moreHeading')}</h3>
    <form method="post" action="${view.requestMoreAction}" class="form" novalidate>
      ${csrfField(context.csrfToken)}
      ${textareaField({ name: 'feedback', label: t('claims:review.feedback'), hint: t('claims:review.feedbackHint'), value: view.form.feedback, error: view.errors.feedback, required: true, rows: 4 })}
      <div><button class="button button-secondary" type="submit">${t('claims:review.requestMore')}</button></div>
    </form>
  </section>`
      : ''
  }
  <p><a class="button button-danger" href="${view.rejectUrl}">${t('claims:review.rejectLink')}</a></p>`
      : ''
  }
</div>`,
  });
}

export interface RejectView {
  learner: string;
  badgeName: string;
  formAction: string;
  backUrl: string;
  feedback: string;
  error?: string;
}

/** The confirmation step of a rejection, with the feedback the learner will read. */
export function rejectPage(context: PageContext, view: RejectView): SafeHtml {
  const { t } = context;
  const title = t('claims:reject.title', { learner: view.learner, badge: view.badgeName });
  const label = t('claims:review.feedback');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p>${t('claims:reject.explain')}</p>
  ${errorSummary(t, view.error ? { feedback: view.error } : {}, { feedback: label })}
  <form method="post" action="${view.formAction}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${textareaField({ name: 'feedback', label, hint: t('claims:reject.feedbackHint'), value: view.feedback, error: view.error, required: true, rows: 5 })}
    <p class="button-row"><button class="button button-danger" type="submit">${t('claims:reject.button')}</button>
    <a class="button button-secondary" href="${view.backUrl}">${t('claims:reject.cancel')}</a></p>
  </form>
</div>`,
  });
}

// ── Peer checks ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface PeerRequestView {
  learner: string;
  sentOn: string;
  text: string | null;
  url: string | null;
  confirmations: number;
  confirmedByMe: boolean;
  confirmAction: string;
}

export interface PeerPageView {
  badge: BadgeHeaderView;
  required: number;
  /** `earner`: sees others' requests; `learner`: may ask for a check; `closed`: the badge has no peer route. */
  mode: 'earner' | 'learner' | 'closed';
  requests: PeerRequestView[];
  previousUrl: string | null;
  nextUrl: string | null;
  mine: { status: SubmissionStatusView; confirmations: number; sentOn: string; credentialUrl: string | null } | null;
  formAction: string;
  form: { text: string; url: string };
  errors: FieldErrors;
  notice?: string;
}

export function peerPage(context: PageContext, view: PeerPageView): SafeHtml {
  const { t } = context;
  const title = t('claims:peer.title', { badge: view.badge.name });
  const labels = { text: t('claims:peer.text'), url: t('claims:peer.url') };
  let body: SafeHtml;
  if (view.mode === 'closed') body = html`<p class="notice">${t('claims:peer.closed')}</p>`;
  else if (view.mode === 'earner') {
    body = html`<p>${t('claims:peer.earnerIntro', { required: view.required })}</p>
  <h2>${t('claims:peer.openHeading')}</h2>
  ${
    view.requests.length === 0
      ? html`<p>${t('claims:peer.noRequests')}</p>`
      : html`<ul class="card-list">${view.requests.map(
          (request) => html`<li class="card">
    <h3 class="card-title">${request.learner}</h3>
    <p class="hint">${t('claims:apply.sentOn', { date: request.sentOn })} · ${t('claims:peer.progress', { count: request.confirmations, required: view.required })}</p>
    ${request.text ? paragraphs(request.text) : ''}
    ${request.url ? html`<p><a href="${request.url}" rel="nofollow noopener noreferrer">${request.url}</a></p>` : ''}
    ${
      request.confirmedByMe
        ? html`<p class="success">${t('claims:peer.youConfirmed')}</p>`
        : html`<form method="post" action="${request.confirmAction}" class="form">
      ${csrfField(context.csrfToken)}
      <div><button class="button" type="submit">${t('claims:peer.confirm')}<span class="visually-hidden"> (${request.learner})</span></button></div>
    </form>`
    }
  </li>`,
        )}</ul>`
  }
  ${
    view.previousUrl || view.nextUrl
      ? html`<nav class="pagination" aria-label="${t('claims:peer.pages')}"><ul>
    ${view.previousUrl ? html`<li><a href="${view.previousUrl}" rel="prev">${t('claims:manage.previousPage')}</a></li>` : ''}
    ${view.nextUrl ? html`<li><a href="${view.nextUrl}" rel="next">${t('claims:manage.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }`;
  } else if (view.mine && view.mine.status === 'pending') {
    body = html`<p class="success" role="status"><strong>${statusText(context, 'pending')}.</strong> ${t('claims:peer.progress', { count: view.mine.confirmations, required: view.required })}</p>
  <p>${t('claims:peer.waitingExplain')}</p>`;
  } else {
    body = html`<p>${t('claims:peer.learnerIntro', { required: view.required })}</p>
  ${errorSummary(t, view.errors, labels)}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  <form method="post" action="${view.formAction}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${textareaField({ name: 'text', label: labels.text, hint: t('claims:peer.textHint'), value: view.form.text, error: view.errors.text, rows: 4 })}
    ${inputField({ name: 'url', label: labels.url, hint: t('claims:peer.urlHint'), type: 'url', value: view.form.url, error: view.errors.url })}
    <div><button class="button" type="submit">${t('claims:peer.request')}</button></div>
  </form>`;
  }
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${badgeHeader(view.badge)}
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  ${view.mine?.credentialUrl ? html`<p class="success"><a href="${view.mine.credentialUrl}">${t('claims:apply.seeBadge')}</a></p>` : ''}
  ${body}
</div>`,
  });
}
