import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/**
 * Claim code pages: the learner's "enter a code" page (also what a QR code opens, with the code filled in), and the
 * organiser's list of a badge's codes with the form for a new one, the confirmation to switch one off, and the
 * printable poster with the code in large type and its QR code.
 */

export interface ClaimBadgeView {
  name: string;
  organisationName: string;
  imageUrl: string;
  imageAlt: string;
  pageUrl: string;
}

export type ClaimCodeStateView = 'active' | 'expired' | 'used_up' | 'disabled';

export interface ClaimEntryView {
  formAction: string;
  /** The code as typed or as the QR code carried it. */
  code: string;
  error?: string;
  /** What the code gives, when it is known (the QR page). */
  badge: ClaimBadgeView | null;
  /** The credential page when the person already holds the badge. */
  heldUrl: string | null;
  myBadgesUrl: string;
}

export function claimEntryPage(context: PageContext, view: ClaimEntryView): SafeHtml {
  const { t } = context;
  const title = view.badge ? t('claims:enter.titleFor', { badge: view.badge.name }) : t('claims:enter.title');
  const label = t('claims:enter.code');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${
    view.badge
      ? html`<div class="card claim-badge" style="display: flex; align-items: center; gap: 1rem">
    <img src="${view.badge.imageUrl}" alt="${view.badge.imageAlt}" width="160" height="160">
    <p><a href="${view.badge.pageUrl}">${view.badge.name}</a><br><span class="hint">${t('claims:enter.from', { organisation: view.badge.organisationName })}</span></p>
  </div>`
      : html`<p>${t('claims:enter.intro')}</p>`
  }
  ${
    view.heldUrl
      ? html`<p class="success" role="status">${t('claims:enter.alreadyHeld')} <a href="${view.heldUrl}">${t('claims:enter.seeBadge')}</a></p>`
      : html`${errorSummary(t, view.error ? { code: view.error } : {}, { code: label })}
  <form method="post" action="${view.formAction}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({
      name: 'code',
      label,
      hint: t('claims:enter.codeHint'),
      value: view.code,
      error: view.error,
      required: true,
      autocomplete: 'off',
    })}
    <div><button class="button" type="submit">${t('claims:enter.submit')}</button></div>
  </form>`
  }
  <p><a href="${view.myBadgesUrl}">${t('claims:enter.myBadges')}</a></p>
</div>`,
  });
}

// ── Organisers ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface ClaimCodesBadgeView {
  name: string;
  published: boolean;
  manageUrl: string;
  listUrl: string;
}

export interface ClaimCodeRowView {
  display: string;
  label: string;
  uses: number;
  maxUses: number;
  expires: string | null;
  state: ClaimCodeStateView;
  posterUrl: string;
  qrSvgUrl: string;
  qrPngUrl: string;
  disableUrl: string | null;
}

export interface ClaimCodeForm {
  label: string;
  maxUses: string;
  expiresAt: string;
}

export interface ClaimCodesView {
  badge: ClaimCodesBadgeView;
  rows: ClaimCodeRowView[];
  form: ClaimCodeForm;
  errors: FieldErrors;
  notice?: string;
  timeZone: string;
  previousUrl: string | null;
  nextUrl: string | null;
}

export function claimCodesPage(context: PageContext, view: ClaimCodesView): SafeHtml {
  const { t } = context;
  const title = t('claims:manage.title', { badge: view.badge.name });
  const labels = {
    label: t('claims:manage.label'),
    maxUses: t('claims:manage.maxUses'),
    expiresAt: t('claims:manage.expiresAt'),
  };
  return layout(context, {
    title,
    body: html`<div class="container section">
  <h1>${title}</h1>
  <p><a href="${view.badge.manageUrl}">${t('claims:manage.backToBadge')}</a></p>
  ${view.notice ? html`<p class="success" role="status">${view.notice}</p>` : ''}
  <p>${t('claims:manage.intro')}</p>
  ${
    view.rows.length === 0
      ? html`<p>${t('claims:manage.none')}</p>`
      : html`<div class="table-scroll"><table class="data">
    <caption class="visually-hidden">${title}</caption>
    <thead><tr><th scope="col">${t('claims:manage.code')}</th><th scope="col">${t('claims:manage.uses')}</th><th scope="col">${t('claims:manage.expires')}</th><th scope="col">${t('claims:manage.state')}</th><th scope="col">${t('claims:manage.actions')}</th></tr></thead>
    <tbody>${view.rows.map(
      (row) => html`<tr>
      <td><strong class="claim-code-value">${row.display}</strong>${row.label ? html`<br><span class="hint">${row.label}</span>` : ''}</td>
      <td>${t('claims:manage.usesOf', { uses: row.uses, max: row.maxUses })}</td>
      <td>${row.expires ?? t('claims:manage.never')}</td>
      <td>${t(`claims:states.${row.state}`)}</td>
      <td><ul class="filter-list">
        <li><a href="${row.posterUrl}">${t('claims:manage.poster')}<span class="visually-hidden"> (${row.display})</span></a></li>
        <li><a href="${row.qrSvgUrl}" download>${t('claims:manage.qrSvg')}<span class="visually-hidden"> (${row.display})</span></a></li>
        <li><a href="${row.qrPngUrl}" download>${t('claims:manage.qrPng')}<span class="visually-hidden"> (${row.display})</span></a></li>
        ${row.disableUrl ? html`<li><a href="${row.disableUrl}">${t('claims:manage.disable')}<span class="visually-hidden"> (${row.display})</span></a></li>` : ''}
      </ul></td>
    </tr>`,
    )}</tbody>
  </table></div>`
  }
  ${
    view.previousUrl || view.nextUrl
      ? html`<nav class="pagination" aria-label="${t('claims:manage.pages')}"><ul>
    ${view.previousUrl ? html`<li><a href="${view.previousUrl}" rel="prev">${t('claims:manage.previousPage')}</a></li>` : ''}
    ${view.nextUrl ? html`<li><a href="${view.nextUrl}" rel="next">${t('claims:manage.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
  <h2 id="new-code">${t('claims:manage.newHeading')}</h2>
  ${
    view.badge.published
      ? html`${errorSummary(t, view.errors, labels)}
  ${view.errors._form ? html`<p class="field-error" role="alert">${view.errors._form}</p>` : ''}
  <form method="post" action="${view.badge.listUrl}" class="form" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'label', label: labels.label, hint: t('claims:manage.labelHint'), value: view.form.label, error: view.errors.label })}
    ${inputField({
      name: 'maxUses',
      label: labels.maxUses,
      hint: t('claims:manage.maxUsesHint'),
      type: 'number',
      value: view.form.maxUses,
      error: view.errors.maxUses,
      required: true,
      inputmode: 'numeric',
    })}
    ${inputField({
      name: 'expiresAt',
      label: labels.expiresAt,
      hint: t('claims:manage.expiresAtHint', { timeZone: view.timeZone }),
      type: 'datetime-local',
      value: view.form.expiresAt,
      error: view.errors.expiresAt,
    })}
    <div><button class="button" type="submit">${t('claims:manage.create')}</button></div>
  </form>`
      : html`<p class="notice">${t('claims:manage.notPublished')}</p>`
  }
</div>`,
  });
}

export interface DisableClaimCodeView {
  badgeName: string;
  display: string;
  label: string;
  uses: number;
  maxUses: number;
  formAction: string;
  backUrl: string;
}

/** The confirmation step before a code is switched off. */
export function disableClaimCodePage(context: PageContext, view: DisableClaimCodeView): SafeHtml {
  const { t } = context;
  const title = t('claims:disable.title', { code: view.display });
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <dl class="facts">
    <dt>${t('claims:disable.badge')}</dt><dd>${view.badgeName}</dd>
    ${view.label ? html`<dt>${t('claims:manage.label')}</dt><dd>${view.label}</dd>` : ''}
    <dt>${t('claims:manage.uses')}</dt><dd>${t('claims:manage.usesOf', { uses: view.uses, max: view.maxUses })}</dd>
  </dl>
  <p>${t('claims:disable.explain')}</p>
  <form method="post" action="${view.formAction}" class="form">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="confirmed" value="yes">
    <p class="button-row"><button class="button button-danger" type="submit">${t('claims:disable.button')}</button>
    <a class="button button-secondary" href="${view.backUrl}">${t('claims:disable.cancel')}</a></p>
  </form>
</div>`,
  });
}

export interface PosterView {
  badgeName: string;
  organisationName: string;
  imageUrl: string;
  imageAlt: string;
  display: string;
  /** The QR code as SVG markup, generated by the `qrcode` package from the claim URL (no user text inside). */
  qrSvg: string;
  claimUrl: string;
  enterUrl: string;
  expires: string | null;
  state: ClaimCodeStateView;
  backUrl: string;
  qrSvgUrl: string;
  qrPngUrl: string;
}

const posterStyles = raw(`<style>
.poster { text-align: center; max-width: 42rem; margin: 0 auto; }
.poster-code { font-size: clamp(2.5rem, 9vw, 5rem); font-weight: 700; letter-spacing: 0.12em; font-family: ui-monospace, monospace; margin: 0.5rem 0; }
.poster-qr svg { width: min(20rem, 80vw); height: auto; }
.poster-url { word-break: break-all; }
@media print {
  .site-header, .site-footer, .skip-link, .poster-actions, .poster-state { display: none !important; }
  body { background: #fff; color: #000; }
  .poster { max-width: none; }
  .poster h1 { font-size: 2.4rem; }
  .poster-qr svg { width: 11cm; }
  @page { margin: 1.5cm; }
}
</style>`);

/** The printable poster: badge, name, the code in large type and the QR code of its claim URL. */
export function claimPosterPage(context: PageContext, view: PosterView): SafeHtml {
  const { t } = context;
  const title = t('claims:poster.title', { badge: view.badgeName });
  return layout(context, {
    title,
    head: posterStyles,
    body: html`<div class="container section">
  <p class="poster-actions"><a href="${view.backUrl}">${t('claims:poster.back')}</a> · <a href="${view.qrSvgUrl}" download>${t('claims:manage.qrSvg')}</a> · <a href="${view.qrPngUrl}" download>${t('claims:manage.qrPng')}</a></p>
  <p class="poster-actions hint">${t('claims:poster.printHint')}</p>
  ${view.state === 'active' ? '' : html`<p class="notice poster-state" role="status">${t(`claims:states.${view.state}`)}</p>`}
  <article class="poster">
    <img src="${view.imageUrl}" alt="${view.imageAlt}" width="220" height="220">
    <h1>${t('claims:poster.heading', { badge: view.badgeName })}</h1>
    <p>${t('claims:poster.from', { organisation: view.organisationName })}</p>
    <figure class="poster-qr">
      <div role="img" aria-label="${t('claims:poster.qrAlt', { url: view.claimUrl })}">${raw(view.qrSvg)}</div>
      <figcaption>${t('claims:poster.scan')}</figcaption>
    </figure>
    <p>${t('claims:poster.orEnter', { url: view.enterUrl })}</p>
    <p class="poster-code">${view.display}</p>
    ${view.expires ? html`<p>${t('claims:poster.until', { date: view.expires })}</p>` : ''}
    <p class="poster-url hint">${view.claimUrl}</p>
  </article>
</div>`,
  });
}
