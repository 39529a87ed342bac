import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { selectField, textareaField } from './form-controls.ts';

/**
 * Pages of issued badges: the public credential page, the organiser's award form and list of issued credentials with
 * revoke / suspend / reinstate / correct (each behind a confirmation page), the emailed claim link, and "My badges".
 * The server formats dates and picks texts in the page language; these functions lay them out.
 */

export type ShownStatusView = 'active' | 'suspended' | 'revoked' | 'expired';

export interface BadgeImageView {
  url: string | null;
  alt: string;
}

function badgeImage(image: BadgeImageView, size: number): SafeHtml | '' {
  return image.url
    ? html`<img src="${image.url}" alt="${image.alt}" width="${size}" height="${size}" loading="lazy">`
    : '';
}

function statusClass(status: ShownStatusView): string {
  return status === 'active' ? 'success' : 'notice';
}

// ---------------------------------------------------------------- the public credential page

export interface CredentialPageView {
  badgeName: string;
  description: string;
  criteria: string;
  image: BadgeImageView;
  recipientName: string;
  organisationName: string;
  issuerUrl: string;
  issuedOn: string;
  validUntil: string | null;
  status: ShownStatusView;
  statusReason: string | null;
  statusDate: string | null;
  /** The corrected credential that replaced this one. */
  replacementUrl: string | null;
  /** The credential this one corrected. */
  originalUrl: string | null;
  evidence: { url: string | null; narrative: string | null }[];
  verifyUrl: string;
  downloads: { json: string; jwt: string; png: string; svg: string; ob2Png: string; ob2: string };
}

function statusSentence(context: PageContext, view: CredentialPageView): string {
  const { t } = context;
  switch (view.status) {
    case 'active':
      return view.validUntil
        ? t('credentials:statusSentence.activeUntil', { date: view.validUntil })
        : t('credentials:statusSentence.active');
    case 'suspended':
      return t('credentials:statusSentence.suspended', { reason: view.statusReason ?? '' });
    case 'expired':
      return t('credentials:statusSentence.expired', { date: view.validUntil ?? '' });
    case 'revoked':
      return view.replacementUrl
        ? t('credentials:statusSentence.superseded', { date: view.statusDate ?? '' })
        : t('credentials:statusSentence.revoked', { date: view.statusDate ?? '', reason: view.statusReason ?? '' });
  }
}

export function credentialPage(context: PageContext, view: CredentialPageView): SafeHtml {
  const { t } = context;
  const d = view.downloads;
  return layout(context, {
    title: view.badgeName,
    description: view.description,
    head: html`<link rel="alternate" type="application/ld+json" href="${d.json}">`,
    body: html`<div class="container section narrow">
  <h1>${view.badgeName}</h1>
  <p class="${statusClass(view.status)}" role="status"><strong>${t(`credentials:status.${view.status}`)}.</strong> ${statusSentence(context, view)}</p>
  ${view.replacementUrl ? html`<p><a href="${view.replacementUrl}">${t('credentials:page.seeReplacement')}</a></p>` : ''}
  ${view.originalUrl ? html`<p>${t('credentials:page.correctsEarlier')} <a href="${view.originalUrl}">${t('credentials:page.seeOriginal')}</a></p>` : ''}
  ${badgeImage(view.image, 200)}
  <dl class="facts">
    ${view.recipientName ? html`<dt>${t('credentials:page.awardedTo')}</dt><dd>${view.recipientName}</dd>` : ''}
    <dt>${t('credentials:page.issuedBy')}</dt><dd><a href="${view.issuerUrl}">${view.organisationName}</a></dd>
    <dt>${t('credentials:page.issuedOn')}</dt><dd>${view.issuedOn}</dd>
    <dt>${t('credentials:page.validUntil')}</dt><dd>${view.validUntil ?? t('credentials:page.never')}</dd>
  </dl>
  ${view.description ? html`<h2>${t('credentials:page.description')}</h2><p>${view.description}</p>` : ''}
  ${view.criteria ? html`<h2>${t('credentials:page.criteria')}</h2><p>${view.criteria}</p>` : ''}
  ${
    view.evidence.length
      ? html`<h2>${t('credentials:page.evidence')}</h2><ul>${view.evidence.map(
          (item, index) =>
            html`<li>${item.narrative ? html`<p>${item.narrative}</p>` : ''}${
              item.url
                ? html`<a href="${item.url}" rel="nofollow noopener">${t('credentials:page.evidenceLink', { number: index + 1 })}</a>`
                : ''
            }</li>`,
        )}</ul>`
      : ''
  }
  <h2>${t('credentials:page.verifyHeading')}</h2>
  <p>${t('credentials:page.verifyHint')}</p>
  <p><a class="button" href="${view.verifyUrl}">${t('credentials:page.verify')}</a></p>
  <h2>${t('credentials:page.downloads')}</h2>
  <ul>
    <li><a href="${d.png}" download>${t('credentials:page.downloadPng')}</a></li>
    <li><a href="${d.svg}" download>${t('credentials:page.downloadSvg')}</a></li>
    <li><a href="${d.json}">${t('credentials:page.downloadJson')}</a></li>
    <li><a href="${d.jwt}" download>${t('credentials:page.downloadJwt')}</a></li>
    <li><a href="${d.ob2Png}" download>${t('credentials:page.downloadOb2Png')}</a></li>
    <li><a href="${d.ob2}">${t('credentials:page.downloadOb2')}</a></li>
  </ul>
</div>`,
  });
}

// ---------------------------------------------------------------- awarding

export interface OrganiserBadgeView {
  name: string;
  published: boolean;
  manageUrl: string;
  awardUrl: string;
  issuedUrl: string;
}

export interface AwardForm {
  recipients: string;
  evidenceUrl: string;
  narrative: string;
}

export interface AwardResultView {
  email: string;
  name: string;
  created: boolean;
  claimPending: boolean;
  url: string;
}

export interface AwardPageView {
  badge: OrganiserBadgeView;
  form: AwardForm;
  errors: FieldErrors;
  /** After "Check the list": who would get the badge, and the key that makes the confirming request safe to repeat. */
  preview: { people: { email: string; name: string }[]; idempotencyKey: string } | null;
  results: AwardResultView[] | null;
}

function badgeLinks(context: PageContext, badge: OrganiserBadgeView): SafeHtml {
  const { t } = context;
  return html`<p><a href="${badge.manageUrl}">${t('credentials:award.backToBadge')}</a> · <a href="${badge.issuedUrl}">${t('credentials:issued.link')}</a></p>`;
}

export function awardPage(context: PageContext, view: AwardPageView): SafeHtml {
  const { t } = context;
  const labels = {
    recipients: t('credentials:award.recipients'),
    evidenceUrl: t('credentials:award.evidenceUrl'),
    narrative: t('credentials:award.narrative'),
  };
  const title = t('credentials:award.title', { badge: view.badge.name });
  const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  const results = view.results;
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${badgeLinks(context, view.badge)}
  ${
    results
      ? html`<section aria-labelledby="results-heading">
    <h2 id="results-heading" tabindex="-1">${t('credentials:award.resultsHeading', { count: results.filter((r) => r.created).length })}</h2>
    <p class="success" role="status">${t('credentials:award.resultsIntro')}</p>
    <ul>${results.map(
      (r) =>
        html`<li><a href="${r.url}">${r.name ? `${r.name} <${r.email}>` : r.email}</a> — ${
          !r.created
            ? t('credentials:award.resultExisting')
            : r.claimPending
              ? t('credentials:award.resultClaimLink')
              : t('credentials:award.resultIssued')
        }</li>`,
    )}</ul>
    <p><a class="button button-secondary" href="${view.badge.awardUrl}">${t('credentials:award.again')}</a></p>
  </section>`
      : ''
  }
  ${view.badge.published ? '' : html`<p class="notice">${t('credentials:award.notPublished')}</p>`}
  ${errorSummary(t, view.errors, labels)}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  ${
    view.preview
      ? html`<section aria-labelledby="preview-heading" class="card">
    <h2 id="preview-heading" tabindex="-1">${t('credentials:award.previewHeading', { count: view.preview.people.length, badge: view.badge.name })}</h2>
    <ul>${view.preview.people.map((p) => html`<li>${p.name ? `${p.name} <${p.email}>` : p.email}</li>`)}</ul>
    <form method="post" action="${view.badge.awardUrl}" class="form">
      ${csrfField(context.csrfToken)}
      ${hidden('step', 'issue')}
      ${hidden('recipients', view.form.recipients)}
      ${hidden('evidenceUrl', view.form.evidenceUrl)}
      ${hidden('narrative', view.form.narrative)}
      ${hidden('idempotencyKey', view.preview.idempotencyKey)}
      <div><button class="button" type="submit">${t('credentials:award.confirm', { count: view.preview.people.length })}</button></div>
    </form>
    <p class="hint">${t('credentials:award.previewHint')}</p>
  </section>`
      : ''
  }
  <form method="post" action="${view.badge.awardUrl}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${hidden('step', 'preview')}
    ${textareaField({
      name: 'recipients',
      label: labels.recipients,
      hint: t('credentials:award.recipientsHint'),
      value: view.form.recipients,
      error: view.errors.recipients,
      required: true,
      rows: 8,
    })}
    ${inputField({
      name: 'evidenceUrl',
      label: labels.evidenceUrl,
      hint: t('credentials:award.evidenceUrlHint'),
      type: 'url',
      value: view.form.evidenceUrl,
      error: view.errors.evidenceUrl,
    })}
    ${textareaField({
      name: 'narrative',
      label: labels.narrative,
      hint: t('credentials:award.narrativeHint'),
      value: view.form.narrative,
      error: view.errors.narrative,
      rows: 4,
    })}
    <div><button class="button${view.preview ? ' button-secondary' : ''}" type="submit">${t('credentials:award.check')}</button></div>
  </form>
</div>`,
  });
}

// ---------------------------------------------------------------- the issued list

export interface IssuedRowView {
  recipientName: string;
  recipientEmail: string;
  claimPending: boolean;
  issuedOn: string;
  status: ShownStatusView;
  statusReason: string | null;
  pageUrl: string;
  actions: { revoke?: string; suspend?: string; reinstate?: string; correct?: string };
}

export interface IssuedListView {
  badge: OrganiserBadgeView;
  filter: string;
  rows: IssuedRowView[];
  /** Link to the first page when this is a later page. */
  firstUrl: string | null;
  nextUrl: string | null;
  notice?: string;
}

export function issuedListPage(context: PageContext, view: IssuedListView): SafeHtml {
  const { t } = context;
  const title = t('credentials:issued.title', { badge: view.badge.name });
  const filterChoices = ['', 'active', 'suspended', 'revoked', 'expired'].map((value) => ({
    value,
    label: value ? t(`credentials:status.${value}`) : t('credentials:issued.all'),
  }));
  const action = (url: string | undefined, label: string, who: string) =>
    url ? html`<li><a href="${url}">${label}<span class="visually-hidden"> (${who})</span></a></li>` : '';
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1>${title}</h1>
  ${badgeLinks(context, view.badge)}
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  <p><a class="button" href="${view.badge.awardUrl}">${t('credentials:issued.award')}</a></p>
  <form method="get" action="${view.badge.issuedUrl}" class="form inline-form">
    ${selectField({ name: 'status', label: t('credentials:issued.filter'), value: view.filter, choices: filterChoices })}
    <div><button class="button button-secondary" type="submit">${t('credentials:issued.apply')}</button></div>
  </form>
  ${
    view.rows.length === 0
      ? html`<p>${view.filter ? t('credentials:issued.noneWithStatus') : t('credentials:issued.none')}</p>`
      : html`<div class="table-scroll"><table class="data">
    <caption class="visually-hidden">${title}</caption>
    <thead><tr><th scope="col">${t('credentials:issued.recipient')}</th><th scope="col">${t('credentials:page.issuedOn')}</th><th scope="col">${t('credentials:page.status')}</th><th scope="col">${t('credentials:issued.actions')}</th></tr></thead>
    <tbody>${view.rows.map((row) => {
      const who = row.recipientName || row.recipientEmail;
      return html`<tr>
      <td>${row.recipientName ? html`${row.recipientName}<br>` : ''}<span class="hint">${row.recipientEmail}</span>${
        row.claimPending ? html`<br><span class="hint">${t('credentials:issued.claimPending')}</span>` : ''
      }</td>
      <td>${row.issuedOn}</td>
      <td>${t(`credentials:status.${row.status}`)}${row.statusReason ? html`<br><span class="hint">${row.statusReason}</span>` : ''}</td>
      <td><ul class="filter-list">
        <li><a href="${row.pageUrl}">${t('credentials:issued.view')}<span class="visually-hidden"> (${who})</span></a></li>
        ${action(row.actions.correct, t('credentials:actions.correct.link'), who)}
        ${action(row.actions.suspend, t('credentials:actions.suspend.link'), who)}
        ${action(row.actions.reinstate, t('credentials:actions.reinstate.link'), who)}
        ${action(row.actions.revoke, t('credentials:actions.revoke.link'), who)}
      </ul></td>
    </tr>`;
    })}</tbody>
  </table></div>`
  }
  ${
    view.firstUrl || view.nextUrl
      ? html`<nav class="pagination" aria-label="${t('credentials:issued.pages')}"><ul>
    ${view.firstUrl ? html`<li><a href="${view.firstUrl}">${t('credentials:issued.firstPage')}</a></li>` : ''}
    ${view.nextUrl ? html`<li><a href="${view.nextUrl}" rel="next">${t('credentials:issued.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
</div>`,
  });
}

// ---------------------------------------------------------------- revoke, suspend, reinstate, correct

export interface CredentialSummaryView {
  badgeName: string;
  recipient: string;
  issuedOn: string;
  status: ShownStatusView;
}

function summaryFacts(context: PageContext, summary: CredentialSummaryView): SafeHtml {
  const { t } = context;
  return html`<dl class="facts">
    <dt>${t('credentials:issued.recipient')}</dt><dd>${summary.recipient}</dd>
    <dt>${t('credentials:page.issuedOn')}</dt><dd>${summary.issuedOn}</dd>
    <dt>${t('credentials:page.status')}</dt><dd>${t(`credentials:status.${summary.status}`)}</dd>
  </dl>`;
}

export interface StatusActionView {
  action: 'revoke' | 'suspend' | 'reinstate';
  summary: CredentialSummaryView;
  formAction: string;
  backUrl: string;
  reason: string;
  error?: string;
}

/** The confirmation step: what will happen, a reason (required to revoke or suspend), and the button. */
export function statusActionPage(context: PageContext, view: StatusActionView): SafeHtml {
  const { t } = context;
  const key = (part: string) => `credentials:actions.${view.action}.${part}`;
  const title = t(key('title'), { badge: view.summary.badgeName });
  const required = view.action !== 'reinstate';
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${summaryFacts(context, view.summary)}
  <p>${t(key('explain'))}</p>
  ${view.error ? errorSummary(t, { reason: view.error }, { reason: t(key('reason')) }) : ''}
  <form method="post" action="${view.formAction}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${textareaField({
      name: 'reason',
      label: t(key('reason')),
      hint: t(key('reasonHint')),
      value: view.reason,
      error: view.error,
      required,
      rows: 3,
    })}
    <p class="button-row"><button class="button${view.action === 'reinstate' ? '' : ' button-danger'}" type="submit">${t(key('button'))}</button>
    <a class="button button-secondary" href="${view.backUrl}">${t('credentials:actions.cancel')}</a></p>
  </form>
</div>`,
  });
}

export interface CorrectionForm {
  recipientName: string;
  issueDate: string;
  narrative: string;
  evidenceUrl: string;
}

export interface CorrectionPageView {
  summary: CredentialSummaryView;
  formAction: string;
  backUrl: string;
  form: CorrectionForm;
  errors: FieldErrors;
}

export function correctionPage(context: PageContext, view: CorrectionPageView): SafeHtml {
  const { t } = context;
  const title = t('credentials:actions.correct.title', { badge: view.summary.badgeName });
  const labels = {
    recipientName: t('credentials:actions.correct.recipientName'),
    validFrom: t('credentials:actions.correct.issueDate'),
    narrative: t('credentials:award.narrative'),
    evidenceUrl: t('credentials:award.evidenceUrl'),
  };
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${summaryFacts(context, view.summary)}
  <p>${t('credentials:actions.correct.explain')}</p>
  ${errorSummary(t, view.errors, labels)}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  <form method="post" action="${view.formAction}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({
      name: 'recipientName',
      label: labels.recipientName,
      value: view.form.recipientName,
      error: view.errors.recipientName,
      autocomplete: 'off',
    })}
    ${inputField({
      name: 'validFrom',
      label: labels.validFrom,
      type: 'date',
      value: view.form.issueDate,
      error: view.errors.validFrom,
    })}
    ${textareaField({
      name: 'narrative',
      label: labels.narrative,
      value: view.form.narrative,
      error: view.errors.narrative,
      rows: 4,
    })}
    ${inputField({
      name: 'evidenceUrl',
      label: labels.evidenceUrl,
      type: 'url',
      value: view.form.evidenceUrl,
      error: view.errors.evidenceUrl,
    })}
    <p class="button-row"><button class="button" type="submit">${t('credentials:actions.correct.button')}</button>
    <a class="button button-secondary" href="${view.backUrl}">${t('credentials:actions.cancel')}</a></p>
  </form>
</div>`,
  });
}

// ---------------------------------------------------------------- claim links

export interface ClaimBadgeView {
  badgeName: string;
  organisationName: string;
  description: string;
  image: BadgeImageView;
}

export type ClaimState =
  | { kind: 'anonymous'; signInUrl: string; signUpUrl: string }
  | { kind: 'signedIn'; formAction: string; accountEmail: string };

export function claimPage(context: PageContext, badge: ClaimBadgeView, state: ClaimState): SafeHtml {
  const { t } = context;
  const title = t('credentials:claim.title', { badge: badge.badgeName });
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${badgeImage(badge.image, 160)}
  <p>${t('credentials:claim.intro', { badge: badge.badgeName, organisation: badge.organisationName })}</p>
  ${badge.description ? html`<p>${badge.description}</p>` : ''}
  ${
    state.kind === 'anonymous'
      ? html`<p>${t('credentials:claim.signInHint')}</p>
  <p class="button-row"><a class="button" href="${state.signInUrl}">${t('credentials:claim.signIn')}</a>
  <a class="button button-secondary" href="${state.signUpUrl}">${t('credentials:claim.signUp')}</a></p>
  <p class="hint">${t('credentials:claim.signUpHint')}</p>`
      : html`<form method="post" action="${state.formAction}" class="form">
    ${csrfField(context.csrfToken)}
    <p>${t('credentials:claim.addTo', { email: state.accountEmail })}</p>
    <div><button class="button" type="submit">${t('credentials:claim.button')}</button></div>
  </form>`
  }
</div>`,
  });
}

export function claimInvalidPage(context: PageContext, mineUrl: string): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('credentials:claim.invalidTitle'),
    body: html`<div class="container section narrow">
  <h1>${t('credentials:claim.invalidTitle')}</h1>
  <p>${t('credentials:claim.invalidBody')}</p>
  <p><a href="${mineUrl}">${t('credentials:nav.myBadges')}</a></p>
</div>`,
  });
}

// ---------------------------------------------------------------- my badges

export interface MyBadgeView {
  badgeName: string;
  organisationName: string;
  image: BadgeImageView;
  issuedOn: string;
  status: ShownStatusView;
  pageUrl: string;
  pngUrl: string;
}

export function myBadgesPage(
  context: PageContext,
  view: { cityName: string; badges: MyBadgeView[]; notice?: string; activitiesUrl: string },
): SafeHtml {
  const { t } = context;
  const title = t('credentials:mine.title');
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1>${title}</h1>
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  ${
    context.city
      ? html`<p><a href="${context.city.homePath}/claim-code">${t('credentials:mine.enterCode')}</a> ·
    <a href="${context.city.homePath}/my/evidence">${t('credentials:mine.myEvidence')}</a></p>`
      : ''
  }
  ${
    view.badges.length === 0
      ? html`<p>${t('credentials:mine.empty', { city: view.cityName })}</p>
  <p><a class="button" href="${view.activitiesUrl}">${t('credentials:mine.findActivities')}</a></p>`
      : html`<p>${t('credentials:mine.intro', { count: view.badges.length, city: view.cityName })}</p>
  <ul class="card-list">${view.badges.map(
    (badge) => html`<li class="card">
    ${badgeImage(badge.image, 96)}
    <h2 class="card-title"><a href="${badge.pageUrl}">${badge.badgeName}</a></h2>
    <p>${t('credentials:mine.issuedBy', { organisation: badge.organisationName, date: badge.issuedOn })}</p>
    <p class="${statusClass(badge.status)}">${t(`credentials:status.${badge.status}`)}</p>
    <p><a href="${badge.pngUrl}" download>${t('credentials:mine.download')}<span class="visually-hidden"> (${badge.badgeName})</span></a></p>
  </li>`,
  )}</ul>`
  }
</div>`,
  });
}
