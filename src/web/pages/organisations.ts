import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { type OrganisationActivitiesData, organisationActivitiesSection } from './activity-page.ts';
import { checkboxGroup, selectField, textareaField } from './form-controls.ts';

/** Pages of organisations: the public directory and profiles, registration, and the members' management page. */

export interface OrganisationCard {
  id: string;
  slug: string;
  name: string;
  description: string;
  kinds: string[];
  verified: boolean;
  status: 'pending' | 'approved' | 'rejected' | 'suspended';
  decisionReason: string | null;
  website: string | null;
  contactEmail: string | null;
  addresses: {
    id: string;
    label: string;
    street: string;
    postcode: string;
    locality: string;
    lat: number;
    lon: number;
  }[];
}

const kindsList = ['provider', 'employer', 'endorser'] as const;

function kindLabels(context: PageContext, kinds: string[]): string {
  return kinds.map((kind) => context.t(`organisations:kinds.${kind}`)).join(', ');
}

function cityPath(context: PageContext): string {
  return context.city?.homePath ?? '/';
}

export function organisationDirectoryPage(
  context: PageContext,
  data: {
    organisations: OrganisationCard[];
    kind: string | undefined;
    isCurator: boolean;
    isNetworkAdmin: boolean;
    mine: { id: string; name: string }[];
  },
): SafeHtml {
  const { t } = context;
  const base = `${cityPath(context)}/organisations`;
  return layout(context, {
    title: t('organisations:directory.title'),
    description: t('organisations:directory.intro'),
    body: html`<div class="container section">
  <h1>${t('organisations:directory.title')}</h1>
  <p>${t('organisations:directory.intro')}</p>
  <p><a class="button" href="${base}/new">${t('organisations:directory.register')}</a>
  ${data.isCurator ? html` <a class="button button-secondary" href="${cityPath(context)}/curate">${t('organisations:directory.curatorTools')}</a>` : ''}
  ${data.isNetworkAdmin ? html` <a class="button button-secondary" href="/admin/cities">${t('organisations:directory.networkTools')}</a>` : ''}</p>
  ${
    data.mine.length > 0
      ? html`<section aria-labelledby="mine-heading"><h2 id="mine-heading">${t('organisations:directory.mine')}</h2>
  <ul>${data.mine.map((o) => html`<li><a href="${cityPath(context)}/manage/${o.id}">${o.name}</a></li>`)}</ul></section>`
      : ''
  }
  <nav aria-label="${t('organisations:directory.filter')}"><ul class="filter-list">
    <li><a href="${base}"${data.kind ? '' : html` aria-current="page"`}>${t('organisations:directory.all')}</a></li>
    ${kindsList.map(
      (kind) =>
        html`<li><a href="${base}?kind=${kind}"${data.kind === kind ? html` aria-current="page"` : ''}>${t(`organisations:kindsPlural.${kind}`)}</a></li>`,
    )}
  </ul></nav>
  ${
    data.organisations.length === 0
      ? html`<p>${t('organisations:directory.empty')}</p>`
      : html`<ul class="card-list">${data.organisations.map(
          (o) => html`<li class="card">
    <h2 class="card-title"><a href="${base}/${o.slug}">${o.name}</a></h2>
    <p>${kindLabels(context, o.kinds)}${o.verified ? html` · <span class="badge-label">${t('organisations:profile.verified')}</span>` : ''}</p>
    ${o.addresses[0]?.locality ? html`<p>${o.addresses[0].locality}</p>` : ''}
  </li>`,
        )}</ul>`
  }
</div>`,
  });
}

export function organisationProfilePage(
  context: PageContext,
  o: OrganisationCard,
  canManage: boolean,
  activities?: OrganisationActivitiesData,
): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: o.name,
    description: o.description.slice(0, 160) || kindLabels(context, o.kinds),
    ...(activities ? { head: html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">` } : {}),
    body: html`<div class="container section">
  <h1>${o.name}</h1>
  <p>${kindLabels(context, o.kinds)}${o.verified ? html` · <span class="badge-label">${t('organisations:profile.verified')}</span>` : ''}</p>
  ${o.status !== 'approved' ? html`<p class="notice" role="status">${t(`organisations:status.${o.status}`)}</p>` : ''}
  ${canManage ? html`<p><a href="${cityPath(context)}/manage/${o.id}">${t('organisations:profile.manage')}</a></p>` : ''}
  ${o.description ? html`<p class="lead">${o.description}</p>` : ''}
  <dl class="facts">
    ${o.website ? html`<dt>${t('organisations:fields.website')}</dt><dd><a href="${o.website}" rel="nofollow noopener">${o.website}</a></dd>` : ''}
    ${o.contactEmail ? html`<dt>${t('organisations:fields.contactEmail')}</dt><dd><a href="mailto:${o.contactEmail}">${o.contactEmail}</a></dd>` : ''}
  </dl>
  ${
    o.addresses.length > 0
      ? html`<h2>${t('organisations:profile.addresses')}</h2>
  <ul class="address-list">${o.addresses.map(
    (a) =>
      html`<li>${a.label ? html`<strong>${a.label}</strong><br>` : ''}${a.street}${a.postcode ? `, ${a.postcode}` : ''}${
        a.locality ? html`<br>${a.locality}` : ''
      }<br><span class="hint">${t('organisations:profile.coordinates', { lat: a.lat.toFixed(5), lon: a.lon.toFixed(5) })}</span></li>`,
  )}</ul>`
      : ''
  }
  ${activities ? organisationActivitiesSection(context, activities) : ''}
  <p><a href="${cityPath(context)}/organisations">${t('organisations:profile.back')}</a></p>
</div>`,
  });
}

export interface OrganisationFormValues {
  name: string;
  kinds: string[];
  description: string;
  website: string;
  contactEmail: string;
  street: string;
  postcode: string;
  locality: string;
  lat: string;
  lon: string;
  applicationNote: string;
}

export const emptyOrganisationForm: OrganisationFormValues = {
  name: '',
  kinds: [],
  description: '',
  website: '',
  contactEmail: '',
  street: '',
  postcode: '',
  locality: '',
  lat: '',
  lon: '',
  applicationNote: '',
};

export function newOrganisationPage(
  context: PageContext,
  form: OrganisationFormValues,
  errors: FieldErrors,
  bounds: { south: number; north: number; west: number; east: number },
): SafeHtml {
  const { t } = context;
  const labels: Record<string, string> = {
    name: t('organisations:fields.name'),
    kinds: t('organisations:fields.kinds'),
    description: t('organisations:fields.description'),
    website: t('organisations:fields.website'),
    contactEmail: t('organisations:fields.contactEmail'),
    street: t('organisations:fields.street'),
    postcode: t('organisations:fields.postcode'),
    locality: t('organisations:fields.locality'),
    lat: t('organisations:fields.lat'),
    lon: t('organisations:fields.lon'),
    applicationNote: t('organisations:fields.applicationNote'),
  };
  return layout(context, {
    title: t('organisations:new.title'),
    body: html`<div class="container section">
  <h1>${t('organisations:new.title')}</h1>
  <p>${t('organisations:new.intro')}</p>
  ${errorSummary(t, errors, labels)}
  <form class="form" method="post" action="${cityPath(context)}/organisations/new" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'name', label: labels.name as string, value: form.name, required: true, error: errors.name, autocomplete: 'organization' })}
    ${checkboxGroup({
      name: 'kinds',
      legend: labels.kinds as string,
      hint: t('organisations:new.kindsHint'),
      checked: form.kinds,
      error: errors.kinds,
      choices: kindsList.map((kind) => ({
        value: kind,
        label: t(`organisations:kinds.${kind}`),
        hint: t(`organisations:kindHints.${kind}`),
      })),
    })}
    ${textareaField({ name: 'description', label: labels.description as string, value: form.description, error: errors.description })}
    ${inputField({ name: 'website', label: labels.website as string, type: 'url', value: form.website, error: errors.website, hint: t('organisations:new.websiteHint'), autocomplete: 'url' })}
    ${inputField({ name: 'contactEmail', label: labels.contactEmail as string, type: 'email', value: form.contactEmail, error: errors.contactEmail, autocomplete: 'email' })}
    <fieldset class="field">
      <legend>${t('organisations:new.addressLegend')}</legend>
      <p class="hint">${t('organisations:new.addressHint', { south: bounds.south, north: bounds.north, west: bounds.west, east: bounds.east })}</p>
      ${inputField({ name: 'street', label: labels.street as string, value: form.street, error: errors.street ?? errors.addresses, autocomplete: 'street-address' })}
      ${inputField({ name: 'postcode', label: labels.postcode as string, value: form.postcode, error: errors.postcode, autocomplete: 'postal-code' })}
      ${inputField({ name: 'locality', label: labels.locality as string, value: form.locality, error: errors.locality, hint: t('organisations:new.localityHint') })}
      ${inputField({ name: 'lat', label: labels.lat as string, value: form.lat, error: errors.lat, inputmode: 'decimal' })}
      ${inputField({ name: 'lon', label: labels.lon as string, value: form.lon, error: errors.lon, inputmode: 'decimal' })}
    </fieldset>
    ${textareaField({ name: 'applicationNote', label: labels.applicationNote as string, value: form.applicationNote, error: errors.applicationNote, hint: t('organisations:new.noteHint') })}
    <div><button class="button" type="submit">${t('organisations:new.submit')}</button></div>
  </form>
</div>`,
  });
}

export interface ManageData {
  organisation: OrganisationCard;
  viewerUserId: string | null;
  canAdmin: boolean;
  members: { userId: string; email: string; displayName: string; role: string }[];
  invitations: { id: string; email: string; role: string; expiresAt: Date }[];
  tokens: {
    id: string;
    name: string;
    prefix: string;
    scopes: string[];
    expiresAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
  }[];
  scopes: readonly string[];
  /** Shown once, right after creating a token. */
  newSecret?: string;
  notice?: string;
  inviteForm?: { email: string; role: string; errors: FieldErrors };
  tokenForm?: { name: string; scopes: string[]; expiresInDays: string; errors: FieldErrors };
  addressForm?: { values: Record<string, string>; errors: FieldErrors };
  profileForm?: {
    values: { name: string; kinds: string[]; description: string; website: string; contactEmail: string };
    errors: FieldErrors;
  };
  memberError?: string;
}

export function manageOrganisationPage(context: PageContext, data: ManageData): SafeHtml {
  const { t } = context;
  const o = data.organisation;
  const base = `${cityPath(context)}/manage/${o.id}`;
  const date = (value: Date) => new Date(value).toISOString().slice(0, 10);
  const roles = ['staff', 'admin', 'owner'].map((role) => ({ value: role, label: t(`organisations:roles.${role}`) }));
  const invite = data.inviteForm ?? { email: '', role: 'staff', errors: {} };
  const tokenForm = data.tokenForm ?? { name: '', scopes: [], expiresInDays: '90', errors: {} };
  return layout(context, {
    title: t('organisations:manage.title', { organisation: o.name }),
    body: html`<div class="container section">
  <h1>${t('organisations:manage.title', { organisation: o.name })}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p class="${o.status === 'approved' ? 'success' : 'notice'}">${t(`organisations:status.${o.status}`)}${
    o.decisionReason ? html` ${t('organisations:manage.reason', { reason: o.decisionReason })}` : ''
  }</p>
  <p><a href="${cityPath(context)}/organisations/${o.slug}">${t('organisations:manage.viewProfile')}</a></p>
  <p><a class="button" href="${base}/activities">${t('activities:links.manage')}</a> <span class="hint">${t('activities:links.manageIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/imports">${t('imports:links.manage')}</a> <span class="hint">${t('imports:links.manageIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/badges">${t('badges:links.manage')}</a> <span class="hint">${t('badges:links.manageIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/bulk-issues">${t('bulk:links.manage')}</a> <span class="hint">${t('bulk:links.manageIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/evidence">${t('claims:links.evidence')}</a> <span class="hint">${t('claims:links.evidenceIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/endorsements">${t('issuers:links.endorsements')}</a> <span class="hint">${t('issuers:links.endorsementsIntro')}</span></p>
  <p><a class="button button-secondary" href="${base}/issuer">${t('issuers:links.manage')}</a> <span class="hint">${t('issuers:links.manageIntro')}</span></p>

  <section class="section" aria-labelledby="members-heading">
    <h2 id="members-heading">${t('organisations:manage.members')}</h2>
    ${data.memberError ? html`<p class="field-error" role="alert">${data.memberError}</p>` : ''}
    <table class="data">
      <caption class="visually-hidden">${t('organisations:manage.members')}</caption>
      <thead><tr><th scope="col">${t('organisations:manage.name')}</th><th scope="col">${t('organisations:manage.email')}</th><th scope="col">${t('organisations:manage.role')}</th>${
        data.canAdmin ? html`<th scope="col">${t('organisations:manage.actions')}</th>` : ''
      }</tr></thead>
      <tbody>${data.members.map(
        (m) => html`<tr>
        <td>${m.displayName}</td><td>${m.email}</td><td>${t(`organisations:roles.${m.role}`)}</td>
        ${
          data.canAdmin
            ? html`<td>
          <form method="post" action="${base}/members/${m.userId}" class="inline-form">
            ${csrfField(context.csrfToken)}
            ${selectField({ name: 'role', id: `role-${m.userId}`, label: t('organisations:manage.roleFor', { name: m.displayName }), value: m.role, choices: roles })}
            <button class="button button-secondary" type="submit">${t('organisations:manage.changeRole')}</button>
          </form>
          <form method="post" action="${base}/members/${m.userId}/remove" class="inline-form">
            ${csrfField(context.csrfToken)}
            <button class="link-button" type="submit">${t('organisations:manage.remove', { name: m.displayName })}</button>
          </form>
        </td>`
            : ''
        }
      </tr>`,
      )}</tbody>
    </table>
  </section>

  ${data.canAdmin ? profileSection(context, data, base) : ''}

  ${data.canAdmin ? addressesSection(context, data, base) : ''}

  ${
    data.canAdmin
      ? html`<section class="section" aria-labelledby="invite-heading">
    <h2 id="invite-heading">${t('organisations:manage.inviteHeading')}</h2>
    <form class="form" method="post" action="${base}/invitations" novalidate>
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'email', label: t('organisations:manage.inviteEmail'), type: 'email', value: invite.email, error: invite.errors.email, required: true })}
      ${selectField({ name: 'role', label: t('organisations:manage.role'), value: invite.role, choices: roles, error: invite.errors.role })}
      <div><button class="button" type="submit">${t('organisations:manage.inviteSubmit')}</button></div>
    </form>
    ${
      data.invitations.length > 0
        ? html`<h3>${t('organisations:manage.openInvitations')}</h3>
    <ul>${data.invitations.map(
      (
        i,
      ) => html`<li>${t('organisations:manage.invitationLine', { email: i.email, role: t(`organisations:roles.${i.role}`), date: date(i.expiresAt) })}
      <form method="post" action="${base}/invitations/${i.id}/revoke" class="inline-form">${csrfField(context.csrfToken)}
      <button class="link-button" type="submit">${t('organisations:manage.withdraw', { email: i.email })}</button></form></li>`,
    )}</ul>`
        : ''
    }
  </section>

  <section class="section" aria-labelledby="tokens-heading">
    <h2 id="tokens-heading">${t('organisations:tokens.heading')}</h2>
    <p>${t('organisations:tokens.intro')}</p>
    ${
      data.newSecret
        ? html`<div class="success" role="status"><p><strong>${t('organisations:tokens.shownOnce')}</strong></p>
    <p><code class="secret" id="new-token-secret">${data.newSecret}</code></p></div>`
        : ''
    }
    <form class="form" method="post" action="${base}/api-tokens" novalidate>
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'name', label: t('organisations:tokens.name'), value: tokenForm.name, error: tokenForm.errors.name, required: true })}
      ${checkboxGroup({ name: 'scopes', legend: t('organisations:tokens.scopes'), checked: tokenForm.scopes, error: tokenForm.errors.scopes, choices: data.scopes.map((scope) => ({ value: scope, label: scope })) })}
      ${inputField({ name: 'expiresInDays', label: t('organisations:tokens.expiresInDays'), value: tokenForm.expiresInDays, error: tokenForm.errors.expiresInDays, inputmode: 'numeric' })}
      <div><button class="button" type="submit">${t('organisations:tokens.create')}</button></div>
    </form>
    ${
      data.tokens.length > 0
        ? html`<table class="data">
      <caption class="visually-hidden">${t('organisations:tokens.heading')}</caption>
      <thead><tr><th scope="col">${t('organisations:tokens.name')}</th><th scope="col">${t('organisations:tokens.prefix')}</th><th scope="col">${t('organisations:tokens.scopes')}</th><th scope="col">${t('organisations:tokens.expires')}</th><th scope="col">${t('organisations:tokens.state')}</th></tr></thead>
      <tbody>${data.tokens.map(
        (
          token,
        ) => html`<tr><td>${token.name}</td><td><code>${token.prefix}…</code></td><td>${token.scopes.join(', ')}</td><td>${date(token.expiresAt)}</td>
        <td>${
          token.revokedAt
            ? t('organisations:tokens.revoked')
            : html`<form method="post" action="${base}/api-tokens/${token.id}/revoke" class="inline-form">${csrfField(context.csrfToken)}
          <button class="link-button" type="submit">${t('organisations:tokens.revoke', { name: token.name })}</button></form>`
        }</td></tr>`,
      )}</tbody></table>`
        : ''
    }
  </section>`
      : ''
  }
</div>`,
  });
}

export function invitationPage(
  context: PageContext,
  data: {
    token: string;
    citySlug: string;
    organisationName: string;
    cityName: string;
    role: string;
    email: string;
    signedIn: boolean;
    error?: string;
  },
): SafeHtml {
  const { t } = context;
  const vars = {
    organisation: data.organisationName,
    city: data.cityName,
    role: t(`organisations:roles.${data.role}`),
  };
  return layout(context, {
    title: t('organisations:invitation.title'),
    body: html`<div class="container section">
  <h1>${t('organisations:invitation.title')}</h1>
  <p>${t('organisations:invitation.body', vars)}</p>
  <p>${t('organisations:invitation.sentTo', { email: data.email })}</p>
  ${data.error ? html`<p class="field-error" role="alert">${data.error}</p>` : ''}
  ${
    data.signedIn
      ? html`<form method="post" action="/invitations/${data.token}">${csrfField(context.csrfToken)}
    <button class="button" type="submit">${t('organisations:invitation.accept')}</button></form>`
      : html`<p>${t('organisations:invitation.signInFirst')}</p>
    <p><a class="button" href="/login?next=${encodeURIComponent(`/invitations/${data.token}`)}">${t('organisations:invitation.signIn')}</a></p>
    <p><a href="/c/${data.citySlug}/signup">${t('organisations:invitation.signUp')}</a></p>`
  }
</div>`,
  });
}

export function invitationInvalidPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('organisations:invitation.invalidTitle'),
    body: html`<div class="container section">
  <h1>${t('organisations:invitation.invalidTitle')}</h1>
  <p>${t('organisations:invitation.invalidBody')}</p>
  <p><a href="/">${t('organisations:invitation.home')}</a></p>
</div>`,
  });
}

function addressesSection(context: PageContext, data: ManageData, base: string): SafeHtml {
  const { t } = context;
  const form = data.addressForm ?? { values: {}, errors: {} };
  const v = (name: string) => form.values[name] ?? '';
  return html`<section class="section" aria-labelledby="addresses-heading">
    <h2 id="addresses-heading">${t('organisations:profile.addresses')}</h2>
    ${
      data.organisation.addresses.length === 0
        ? html`<p>${t('organisations:manage.noAddresses')}</p>`
        : html`<ul class="address-list">${data.organisation.addresses.map(
            (
              a,
            ) => html`<li>${a.label ? html`<strong>${a.label}</strong> ` : ''}${a.street}${a.locality ? `, ${a.locality}` : ''}
      <form method="post" action="${base}/addresses/${a.id}/remove" class="inline-form">${csrfField(context.csrfToken)}
      <button class="link-button" type="submit">${t('organisations:manage.removeAddress', { street: a.street })}</button></form></li>`,
          )}</ul>`
    }
    <h3 id="add-address-heading">${t('organisations:manage.addAddress')}</h3>
    <form class="form" method="post" action="${base}/addresses" novalidate aria-labelledby="add-address-heading">
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'label', label: t('organisations:manage.addressLabel'), value: v('label'), error: form.errors.label })}
      ${inputField({ name: 'street', label: t('organisations:fields.street'), value: v('street'), error: form.errors.street, required: true })}
      ${inputField({ name: 'postcode', label: t('organisations:fields.postcode'), value: v('postcode'), error: form.errors.postcode })}
      ${inputField({ name: 'locality', label: t('organisations:fields.locality'), value: v('locality'), error: form.errors.locality })}
      ${inputField({ name: 'lat', label: t('organisations:fields.lat'), value: v('lat'), error: form.errors.lat, inputmode: 'decimal', required: true })}
      ${inputField({ name: 'lon', label: t('organisations:fields.lon'), value: v('lon'), error: form.errors.lon, inputmode: 'decimal', required: true })}
      <div><button class="button" type="submit">${t('organisations:manage.addAddressSubmit')}</button></div>
    </form>
  </section>`;
}

function profileSection(context: PageContext, data: ManageData, base: string): SafeHtml {
  const { t } = context;
  const o = data.organisation;
  const form = data.profileForm ?? {
    values: {
      name: o.name,
      kinds: o.kinds,
      description: o.description,
      website: o.website ?? '',
      contactEmail: o.contactEmail ?? '',
    },
    errors: {},
  };
  return html`<section class="section" aria-labelledby="profile-heading">
    <h2 id="profile-heading">${t('organisations:manage.profileHeading')}</h2>
    <form class="form" method="post" action="${base}/profile" novalidate aria-labelledby="profile-heading">
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'profileName', label: t('organisations:fields.name'), value: form.values.name, error: form.errors.name, required: true })}
      ${checkboxGroup({
        name: 'kinds',
        legend: t('organisations:fields.kinds'),
        checked: form.values.kinds,
        error: form.errors.kinds,
        choices: kindsList.map((kind) => ({ value: kind, label: t(`organisations:kinds.${kind}`) })),
      })}
      ${textareaField({ name: 'description', label: t('organisations:fields.description'), value: form.values.description, error: form.errors.description })}
      ${inputField({ name: 'website', label: t('organisations:fields.website'), type: 'url', value: form.values.website, error: form.errors.website })}
      ${inputField({ name: 'contactEmail', label: t('organisations:fields.contactEmail'), type: 'email', value: form.values.contactEmail, error: form.errors.contactEmail })}
      <div><button class="button" type="submit">${t('organisations:manage.saveProfile')}</button></div>
    </form>
  </section>`;
}
