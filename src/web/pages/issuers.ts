import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { textareaField } from './form-controls.ts';

/**
 * Issuer pages: the public page of an issuer (`/issuers/:id`), the organisation's issuer and keys page with rotation
 * and import, and its endorsements page (make, list and withdraw endorsements).
 */

export interface IssuerKeyRow {
  id: string;
  publicKeyMultibase: string;
  status: 'active' | 'retired';
  imported: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

function formatDate(context: PageContext, value: Date | string | null, timeZone = 'UTC'): string {
  if (value === null) return '';
  return new Intl.DateTimeFormat(context.language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(value),
  );
}

/** Text in the reader's language when there is one, marked with its own language when it is another. */
function localized(context: PageContext, texts: Record<string, string>, fallbackLanguage?: string): SafeHtml {
  const language = texts[context.language] ? context.language : (Object.keys(texts).find((key) => texts[key]) ?? '');
  const text = texts[language] ?? '';
  if (language === '' || language === context.language || language === fallbackLanguage) return html`${text}`;
  return html`<span lang="${language}">${text}</span>`;
}

function pageLinks(
  context: PageContext,
  options: { basePath: string; param: string; page: number; pageSize: number; total: number; label: string },
): SafeHtml | '' {
  const { t } = context;
  const last = Math.max(1, Math.ceil(options.total / options.pageSize));
  if (last <= 1) return '';
  const link = (page: number) =>
    `${options.basePath}${options.basePath.includes('?') ? '&' : '?'}${options.param}=${page}`;
  return html`<nav class="pagination" aria-label="${options.label}">
  <p>${t('issuers:paging.summary', { page: options.page, pages: last })}</p>
  <ul>
    ${options.page > 1 ? html`<li><a href="${link(options.page - 1)}" rel="prev">${t('issuers:paging.previous')}</a></li>` : ''}
    ${options.page < last ? html`<li><a href="${link(options.page + 1)}" rel="next">${t('issuers:paging.next')}</a></li>` : ''}
  </ul>
</nav>`;
}

// ── The public issuer page ───────────────────────────────────────────────────────────────────────────────────────

export interface EndorsementView {
  id: string;
  url: string;
  endorserName: string;
  target: { kind: 'badge' | 'organisation'; name: Record<string, string>; href: string | null };
  comment: Record<string, string>;
  createdAt: Date;
  withdrawnAt: Date | null;
}

export interface PublicIssuerData {
  name: string;
  description: string;
  website: string | null;
  did: string;
  profileUrl: string;
  didDocumentUrl: string;
  ob2Url: string;
  keyCount: number;
  badges: {
    items: { name: Record<string, string>; cityName: string; href: string; kind: string }[];
    page: number;
    pageSize: number;
    total: number;
  };
  endorsements: EndorsementView[];
}

export function publicIssuerPage(context: PageContext, data: PublicIssuerData): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('issuers:public.title', { name: data.name }),
    description: data.description.slice(0, 300) || t('issuers:public.intro', { name: data.name }),
    head: html`<link rel="alternate" type="application/ld+json" href="${data.profileUrl}?format=json">`,
    body: html`<div class="container section">
  <h1>${data.name}</h1>
  <p class="lead">${t('issuers:public.intro', { name: data.name })}</p>
  ${data.description ? html`<p>${data.description}</p>` : ''}
  <dl class="facts">
    ${
      data.website
        ? html`<dt>${t('issuers:public.website')}</dt><dd><a href="${data.website}" rel="nofollow noopener">${data.website}</a></dd>`
        : ''
    }
    <dt>${t('issuers:public.did')}</dt><dd><code class="small">${data.did}</code></dd>
    <dt>${t('issuers:public.keys')}</dt><dd>${t('issuers:public.keyCount', { count: data.keyCount })}
      · <a href="${data.didDocumentUrl}">${t('issuers:public.didDocument')}</a></dd>
    <dt>${t('issuers:public.machineReadable')}</dt><dd><a href="${data.profileUrl}?format=json">${t('issuers:public.profileJson')}</a>
      · <a href="${data.ob2Url}">${t('issuers:public.ob2')}</a></dd>
  </dl>
  <section aria-labelledby="issuer-badges">
    <h2 id="issuer-badges">${t('issuers:public.badges')}</h2>
    ${
      data.badges.items.length === 0
        ? html`<p>${t('issuers:public.noBadges')}</p>`
        : html`<ul class="card-list">${data.badges.items.map(
            (badge) => html`<li class="card">
        <h3 class="card-title"><a href="${badge.href}">${localized(context, badge.name)}</a></h3>
        <p>${t(`issuers:kinds.${badge.kind}`)} · ${badge.cityName}</p>
      </li>`,
          )}</ul>`
    }
    ${pageLinks(context, {
      basePath: data.profileUrl.replace(/^https?:\/\/[^/]+/, ''),
      param: 'page',
      page: data.badges.page,
      pageSize: data.badges.pageSize,
      total: data.badges.total,
      label: t('issuers:public.badgesPaging'),
    })}
  </section>
  <section aria-labelledby="issuer-endorsements">
    <h2 id="issuer-endorsements">${t('issuers:public.endorsements')}</h2>
    ${
      data.endorsements.length === 0
        ? html`<p>${t('issuers:public.noEndorsements')}</p>`
        : html`<ul class="endorsement-list">${data.endorsements.map((endorsement) => endorsementItem(context, endorsement))}</ul>`
    }
  </section>
</div>`,
  });
}

function endorsementItem(context: PageContext, endorsement: EndorsementView): SafeHtml {
  const { t } = context;
  const target = localized(context, endorsement.target.name);
  return html`<li>
  <p><strong>${t('issuers:public.endorsedBy', { endorser: endorsement.endorserName })}</strong>
    ${endorsement.target.kind === 'badge' ? html`· ${endorsement.target.href ? html`<a href="${endorsement.target.href}">${target}</a>` : target}` : ''}
    · <a href="${endorsement.url}">${t('issuers:public.signedCredential')}</a></p>
  <blockquote>${localized(context, endorsement.comment)}</blockquote>
</li>`;
}

// ── The organisation's issuer and keys page ──────────────────────────────────────────────────────────────────────

export interface ImportFormValues {
  jwk: string;
  publicKeyMultibase: string;
  secretKeyMultibase: string;
  errors: FieldErrors;
}

export const emptyImportForm: ImportFormValues = {
  jwk: '',
  publicKeyMultibase: '',
  secretKeyMultibase: '',
  errors: {},
};

export interface IssuerManageData {
  manageBase: string;
  organisation: { id: string; name: string };
  did: string;
  profilePath: string;
  didDocumentPath: string;
  ob2Path: string;
  keys: IssuerKeyRow[];
  canAdmin: boolean;
  timeZone: string;
  notice?: string;
  importForm: ImportFormValues;
}

function breadcrumb(context: PageContext, manageBase: string, organisationName: string, current: string): SafeHtml {
  return html`<nav aria-label="${context.t('issuers:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${manageBase}">${organisationName}</a></li>
    <li aria-current="page">${current}</li>
  </ol></nav>`;
}

export function issuerManagePage(context: PageContext, data: IssuerManageData): SafeHtml {
  const { t } = context;
  const title = t('issuers:manage.title', { organisation: data.organisation.name });
  const form = data.importForm;
  const labels = {
    jwk: t('issuers:import.jwk'),
    publicKeyMultibase: t('issuers:import.publicKey'),
    secretKeyMultibase: t('issuers:import.secretKey'),
  };
  return layout(context, {
    title,
    body: html`<div class="container section">
  ${breadcrumb(context, data.manageBase, data.organisation.name, t('issuers:manage.short'))}
  <h1>${title}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p class="lead">${t('issuers:manage.intro')}</p>
  <dl class="facts">
    <dt>${t('issuers:public.did')}</dt><dd><code class="small">${data.did}</code></dd>
    <dt>${t('issuers:manage.profile')}</dt><dd><a href="${data.profilePath}">${t('issuers:manage.profileLink')}</a></dd>
    <dt>${t('issuers:public.machineReadable')}</dt><dd><a href="${data.didDocumentPath}">${t('issuers:public.didDocument')}</a>
      · <a href="${data.ob2Path}">${t('issuers:public.ob2')}</a></dd>
  </dl>
  <p><a href="${data.manageBase}/endorsements">${t('issuers:manage.endorsementsLink')}</a></p>

  <section aria-labelledby="keys-heading">
    <h2 id="keys-heading">${t('issuers:keys.heading')}</h2>
    ${
      data.keys.length === 0
        ? html`<p>${t('issuers:keys.empty')}</p>`
        : html`<div class="table-scroll"><table class="data">
      <caption class="visually-hidden">${t('issuers:keys.caption')}</caption>
      <thead><tr>
        <th scope="col">${t('issuers:keys.key')}</th><th scope="col">${t('issuers:keys.status')}</th>
        <th scope="col">${t('issuers:keys.origin')}</th><th scope="col">${t('issuers:keys.created')}</th>
        <th scope="col">${t('issuers:keys.retired')}</th>
      </tr></thead>
      <tbody>${data.keys.map(
        (key) => html`<tr>
        <td><code class="small">${key.publicKeyMultibase}</code></td>
        <td>${key.status === 'active' ? html`<strong>${t('issuers:keys.active')}</strong>` : t('issuers:keys.retiredStatus')}</td>
        <td>${key.imported ? t('issuers:keys.imported') : t('issuers:keys.generated')}</td>
        <td>${formatDate(context, key.createdAt, data.timeZone)}</td>
        <td>${key.retiredAt ? formatDate(context, key.retiredAt, data.timeZone) : '—'}</td>
      </tr>`,
      )}</tbody></table></div>`
    }
    <p class="hint">${t('issuers:keys.retiredNote')}</p>
  </section>
  ${
    data.canAdmin
      ? html`<section aria-labelledby="rotate-heading">
    <h2 id="rotate-heading">${t('issuers:rotate.heading')}</h2>
    <p>${t('issuers:rotate.intro')}</p>
    <p><a class="button" href="${data.manageBase}/issuer/rotate">${t('issuers:rotate.start')}</a></p>
  </section>
  <section aria-labelledby="import-heading">
    <h2 id="import-heading">${t('issuers:import.heading')}</h2>
    <p>${t('issuers:import.intro')}</p>
    ${errorSummary(t, form.errors, labels)}
    <form class="form" method="post" action="${data.manageBase}/issuer/import" novalidate>
      ${csrfField(context.csrfToken)}
      ${form.errors._form ? html`<p class="field-error" role="alert">${form.errors._form}</p>` : ''}
      ${textareaField({
        name: 'jwk',
        label: labels.jwk,
        hint: t('issuers:import.jwkHint'),
        value: form.jwk,
        error: form.errors.jwk,
        rows: 5,
      })}
      <p>${t('issuers:import.or')}</p>
      ${inputField({
        name: 'publicKeyMultibase',
        label: labels.publicKeyMultibase,
        hint: t('issuers:import.publicKeyHint'),
        value: form.publicKeyMultibase,
        error: form.errors.publicKeyMultibase,
        autocomplete: 'off',
      })}
      ${inputField({
        name: 'secretKeyMultibase',
        label: labels.secretKeyMultibase,
        hint: t('issuers:import.secretKeyHint'),
        value: form.secretKeyMultibase,
        error: form.errors.secretKeyMultibase,
        autocomplete: 'off',
      })}
      <div><button class="button button-secondary" type="submit">${t('issuers:import.submit')}</button></div>
    </form>
  </section>`
      : html`<p>${t('issuers:manage.adminsOnly')}</p>`
  }
</div>`,
  });
}

export function rotateConfirmPage(
  context: PageContext,
  data: { manageBase: string; organisationName: string; requestId: string; activeKey: string | null },
): SafeHtml {
  const { t } = context;
  const title = t('issuers:rotate.confirmTitle');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  ${breadcrumb(context, data.manageBase, data.organisationName, title)}
  <h1>${title}</h1>
  <p>${t('issuers:rotate.confirmNew')}</p>
  <p>${t('issuers:rotate.confirmOld')}</p>
  ${data.activeKey ? html`<p>${t('issuers:rotate.currentKey')} <code class="small">${data.activeKey}</code></p>` : ''}
  <form method="post" action="${data.manageBase}/issuer/rotate" class="button-row">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="confirmed" value="yes">
    <input type="hidden" name="requestId" value="${data.requestId}">
    <button class="button" type="submit">${t('issuers:rotate.confirm')}</button>
    <a href="${data.manageBase}/issuer">${t('issuers:rotate.cancel')}</a>
  </form>
</div>`,
  });
}

// ── The organisation's endorsements page ─────────────────────────────────────────────────────────────────────────

export interface EndorsementFormValues {
  target: string;
  comment: Record<string, string>;
  errors: FieldErrors;
}

export interface EndorsementsManageData {
  manageBase: string;
  organisation: { id: string; name: string };
  canAdmin: boolean;
  canEndorse: boolean;
  languages: { code: string; name: string }[];
  targets: { badges: { value: string; label: string }[]; organisations: { value: string; label: string }[] };
  form: EndorsementFormValues;
  given: { items: EndorsementView[]; page: number; pageSize: number; total: number };
  received: { items: EndorsementView[]; page: number; pageSize: number; total: number };
  timeZone: string;
  notice?: string;
}

function targetSelect(context: PageContext, data: EndorsementsManageData): SafeHtml {
  const { t } = context;
  const id = 'field-target';
  const error = data.form.errors.target;
  const option = (choice: { value: string; label: string }) =>
    html`<option value="${choice.value}"${choice.value === data.form.target ? html` selected` : ''}>${choice.label}</option>`;
  return html`<div class="field">
  <label for="${id}">${t('issuers:endorse.target')}</label>
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  <select id="${id}" name="target"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
    <option value="">${t('issuers:endorse.choose')}</option>
    ${data.targets.badges.length > 0 ? html`<optgroup label="${t('issuers:endorse.badges')}">${data.targets.badges.map(option)}</optgroup>` : ''}
    ${
      data.targets.organisations.length > 0
        ? html`<optgroup label="${t('issuers:endorse.organisations')}">${data.targets.organisations.map(option)}</optgroup>`
        : ''
    }
  </select>
</div>`;
}

function givenItem(context: PageContext, data: EndorsementsManageData, endorsement: EndorsementView): SafeHtml {
  const { t } = context;
  const target = localized(context, endorsement.target.name);
  return html`<li class="card">
  <h3 class="card-title">${endorsement.target.href ? html`<a href="${endorsement.target.href}">${target}</a>` : target}</h3>
  <p>${t(`issuers:endorse.kind.${endorsement.target.kind}`)} · ${t('issuers:endorse.made', { date: formatDate(context, endorsement.createdAt, data.timeZone) })}
    ${endorsement.withdrawnAt ? html` · <strong>${t('issuers:endorse.withdrawnOn', { date: formatDate(context, endorsement.withdrawnAt, data.timeZone) })}</strong>` : ''}</p>
  <blockquote>${localized(context, endorsement.comment)}</blockquote>
  <p class="button-row">
    ${endorsement.withdrawnAt ? '' : html`<a href="${endorsement.url}">${t('issuers:public.signedCredential')}</a>`}
    ${
      data.canAdmin && !endorsement.withdrawnAt
        ? html`<a href="${data.manageBase}/endorsements/${endorsement.id}/withdraw">${t('issuers:endorse.withdraw')}<span class="visually-hidden"> ${target}</span></a>`
        : ''
    }
  </p>
</li>`;
}

export function endorsementsManagePage(context: PageContext, data: EndorsementsManageData): SafeHtml {
  const { t } = context;
  const title = t('issuers:endorse.title', { organisation: data.organisation.name });
  const noTargets = data.targets.badges.length === 0 && data.targets.organisations.length === 0;
  const labels: Record<string, string> = { target: t('issuers:endorse.target') };
  for (const language of data.languages)
    labels[`comment-${language.code}`] = t('issuers:endorse.comment', { language: language.name });
  const errors: FieldErrors = {};
  for (const [key, problem] of Object.entries(data.form.errors)) {
    // Service problems arrive as /comment/<lang> (→ "comment") or /comment; show them on the first comment field.
    errors[key === 'comment' ? `comment-${data.languages[0]?.code ?? 'en'}` : key] ??= problem;
  }
  return layout(context, {
    title,
    body: html`<div class="container section">
  ${breadcrumb(context, data.manageBase, data.organisation.name, t('issuers:endorse.short'))}
  <h1>${title}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p class="lead">${t('issuers:endorse.intro')}</p>
  ${
    data.canAdmin
      ? html`<section aria-labelledby="endorse-heading">
    <h2 id="endorse-heading">${t('issuers:endorse.heading')}</h2>
    ${
      !data.canEndorse
        ? html`<p>${t('issuers:endorse.notApproved')}</p>`
        : noTargets
          ? html`<p>${t('issuers:endorse.noTargets')}</p>`
          : html`${errorSummary(t, errors, labels)}
    <form class="form" method="post" action="${data.manageBase}/endorsements" novalidate>
      ${csrfField(context.csrfToken)}
      ${errors._form ? html`<p class="field-error" role="alert">${errors._form}</p>` : ''}
      ${targetSelect(context, { ...data, form: { ...data.form, errors } })}
      ${data.languages.map((language) =>
        textareaField({
          name: `comment-${language.code}`,
          label: labels[`comment-${language.code}`] as string,
          hint: language === data.languages[0] ? t('issuers:endorse.commentHint') : undefined,
          value: data.form.comment[language.code] ?? '',
          error: errors[`comment-${language.code}`],
          rows: 3,
        }),
      )}
      <div><button class="button" type="submit">${t('issuers:endorse.submit')}</button></div>
    </form>`
    }
  </section>`
      : ''
  }
  <section aria-labelledby="given-heading">
    <h2 id="given-heading">${t('issuers:endorse.given')}</h2>
    ${
      data.given.items.length === 0
        ? html`<p>${t('issuers:endorse.noneGiven')}</p>`
        : html`<ul class="card-list">${data.given.items.map((item) => givenItem(context, data, item))}</ul>`
    }
    ${pageLinks(context, {
      basePath: `${data.manageBase}/endorsements`,
      param: 'page',
      page: data.given.page,
      pageSize: data.given.pageSize,
      total: data.given.total,
      label: t('issuers:endorse.givenPaging'),
    })}
  </section>
  <section aria-labelledby="received-heading">
    <h2 id="received-heading">${t('issuers:endorse.received')}</h2>
    ${
      data.received.items.length === 0
        ? html`<p>${t('issuers:endorse.noneReceived')}</p>`
        : html`<ul class="endorsement-list">${data.received.items.map((item) => endorsementItem(context, item))}</ul>`
    }
    ${pageLinks(context, {
      basePath: `${data.manageBase}/endorsements`,
      param: 'receivedPage',
      page: data.received.page,
      pageSize: data.received.pageSize,
      total: data.received.total,
      label: t('issuers:endorse.receivedPaging'),
    })}
  </section>
</div>`,
  });
}

export function withdrawConfirmPage(
  context: PageContext,
  data: { manageBase: string; organisationName: string; endorsement: EndorsementView },
): SafeHtml {
  const { t } = context;
  const title = t('issuers:withdraw.title');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  ${breadcrumb(context, data.manageBase, data.organisationName, title)}
  <h1>${title}</h1>
  <p>${t('issuers:withdraw.question')} <strong>${localized(context, data.endorsement.target.name)}</strong></p>
  <blockquote>${localized(context, data.endorsement.comment)}</blockquote>
  <p>${t('issuers:withdraw.explain')}</p>
  <form method="post" action="${data.manageBase}/endorsements/${data.endorsement.id}/withdraw" class="button-row">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="confirmed" value="yes">
    <button class="button button-danger" type="submit">${t('issuers:withdraw.confirm')}</button>
    <a href="${data.manageBase}/endorsements">${t('issuers:withdraw.cancel')}</a>
  </form>
</div>`,
  });
}
