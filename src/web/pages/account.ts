import { csrfField, errorSummary, inputField, type FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Translate } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { limitedBanner } from './people-forms.ts';

export interface AccountPageData {
  email: string;
  emailVerified: boolean;
  displayName: string;
  pronouns: string;
  languages: string;
  interests: string;
  homeDistrict: string;
  homeCityName: string | null;
  dateOfBirth: string | null;
  status: 'active' | 'limited' | 'deleted';
  hasPassword: boolean;
  hasAvatar: boolean;
  avatarUrl: string;
  guardianConsent: { status: 'pending' | 'given' | 'withdrawn'; guardianEmail: string } | null;
  identities: { provider: string }[];
  sessions: { current: boolean; userAgent: string | null; createdAt: string; lastSeenAt: string }[];
  cities: { slug: string; name: string }[];
  /** Which form the errors belong to, and a message to confirm what just happened. */
  form?: 'profile' | 'avatar' | 'email' | 'password' | 'dateOfBirth';
  errors: FieldErrors;
  notice?: string;
}

function when(iso: string, language: string): string {
  return (
    new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date(iso),
    ) + ' UTC'
  );
}

function formErrors(data: AccountPageData, form: AccountPageData['form']): FieldErrors {
  return data.form === form ? data.errors : {};
}

export function accountPage(context: PageContext, data: AccountPageData): SafeHtml {
  const { t } = context;
  const profileErrors = formErrors(data, 'profile');
  const profileLabels = {
    displayName: t('accounts:account.displayName'),
    pronouns: t('accounts:account.pronouns'),
    languages: t('accounts:account.languages'),
    interests: t('accounts:account.interests'),
    homeDistrict: t('accounts:account.homeDistrict'),
  };
  const emailErrors = formErrors(data, 'email');
  const passwordErrors = formErrors(data, 'password');
  const avatarErrors = formErrors(data, 'avatar');
  const dobErrors = formErrors(data, 'dateOfBirth');
  const consent = data.guardianConsent;
  return layout(context, {
    title: t('accounts:account.title'),
    body: html`<div class="container section">
  <h1>${t('accounts:account.title')}</h1>
  ${data.status === 'limited' ? limitedBanner(t, data.dateOfBirth !== null) : ''}
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${
    data.dateOfBirth === null
      ? html`<section class="section" aria-labelledby="dob-heading">
    <h2 id="dob-heading">${t('accounts:account.dobHeading')}</h2>
    <p>${t('accounts:account.dobIntro')}</p>
    ${errorSummary(t, dobErrors, { dateOfBirth: t('accounts:signup.dateOfBirth'), guardianEmail: t('accounts:signup.guardianEmail'), citySlug: t('accounts:account.city') })}
    <form class="form" method="post" action="/account/date-of-birth" novalidate>
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'dateOfBirth', label: t('accounts:signup.dateOfBirth'), type: 'date', autocomplete: 'bday', required: true, error: dobErrors.dateOfBirth })}
      ${inputField({ name: 'guardianEmail', label: t('accounts:signup.guardianEmail'), type: 'email', hint: t('accounts:signup.guardianEmailHint', { age: 16 }), error: dobErrors.guardianEmail })}
      ${
        data.homeCityName === null
          ? html`<div class="field">
        <label for="field-citySlug">${t('accounts:account.city')}</label>
        ${dobErrors.citySlug ? html`<p class="field-error" id="field-citySlug-error">${dobErrors.citySlug}</p>` : ''}
        <select id="field-citySlug" name="citySlug"${dobErrors.citySlug ? html` aria-describedby="field-citySlug-error" aria-invalid="true"` : ''}>
          ${data.cities.map((c) => html`<option value="${c.slug}">${c.name}</option>`)}
        </select>
      </div>`
          : ''
      }
      <div><button class="button" type="submit">${t('accounts:account.dobSubmit')}</button></div>
    </form>
  </section>`
      : ''
  }
  ${
    consent
      ? html`<section class="section" aria-labelledby="consent-heading">
    <h2 id="consent-heading">${t('accounts:account.consentHeading')}</h2>
    <p>${t(`accounts:account.consent_${consent.status}`, { email: consent.guardianEmail })}</p>
  </section>`
      : ''
  }
  <section class="section" aria-labelledby="profile-heading">
    <h2 id="profile-heading">${t('accounts:account.profileHeading')}</h2>
    ${errorSummary(t, profileErrors, profileLabels)}
    <form class="form" method="post" action="/account/profile" novalidate>
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'displayName', label: profileLabels.displayName, value: data.displayName, autocomplete: 'nickname', required: true, error: profileErrors.displayName })}
      ${inputField({ name: 'pronouns', label: profileLabels.pronouns, value: data.pronouns, hint: t('accounts:account.pronounsHint'), error: profileErrors.pronouns })}
      ${inputField({ name: 'languages', label: profileLabels.languages, value: data.languages, hint: t('accounts:account.languagesHint'), error: profileErrors.languages })}
      ${inputField({ name: 'interests', label: profileLabels.interests, value: data.interests, hint: t('accounts:account.interestsHint'), error: profileErrors.interests })}
      ${inputField({ name: 'homeDistrict', label: profileLabels.homeDistrict, value: data.homeDistrict, hint: t('accounts:account.homeDistrictHint'), error: profileErrors.homeDistrict })}
      <div><button class="button" type="submit">${t('accounts:account.saveProfile')}</button></div>
    </form>
  </section>
  <section class="section" aria-labelledby="avatar-heading">
    <h2 id="avatar-heading">${t('accounts:account.avatarHeading')}</h2>
    ${data.hasAvatar ? html`<p><img class="avatar" src="${data.avatarUrl}" alt="${t('accounts:account.avatarAlt')}" width="96" height="96"></p>` : ''}
    <form class="form" method="post" action="/account/avatar" enctype="multipart/form-data">
      ${csrfField(context.csrfToken)}
      <div class="field">
        <label for="field-avatar">${t('accounts:account.avatar')}</label>
        <p class="hint" id="field-avatar-hint">${t('accounts:account.avatarHint')}</p>
        ${avatarErrors.avatar ? html`<p class="field-error" id="field-avatar-error">${avatarErrors.avatar}</p>` : ''}
        <input id="field-avatar" name="avatar" type="file" accept="image/png,image/jpeg,image/webp" aria-describedby="field-avatar-hint${avatarErrors.avatar ? ' field-avatar-error' : ''}">
      </div>
      <div><button class="button" type="submit">${t('accounts:account.uploadAvatar')}</button></div>
    </form>
    ${
      data.hasAvatar
        ? html`<form method="post" action="/account/avatar/delete" class="inline-form">${csrfField(context.csrfToken)}<button class="link-button" type="submit">${t('accounts:account.removeAvatar')}</button></form>`
        : ''
    }
  </section>
  <section class="section" aria-labelledby="email-heading">
    <h2 id="email-heading">${t('accounts:account.emailHeading')}</h2>
    <p>${t('accounts:account.currentEmail', { email: data.email })}${data.emailVerified ? '' : html` <strong>${t('accounts:account.unverified')}</strong>`}</p>
    ${errorSummary(t, emailErrors, { newEmail: t('accounts:account.newEmail'), password: t('accounts:account.currentPassword') })}
    <form class="form" method="post" action="/account/email" novalidate>
      ${csrfField(context.csrfToken)}
      ${inputField({ name: 'newEmail', label: t('accounts:account.newEmail'), type: 'email', autocomplete: 'email', required: true, error: emailErrors.newEmail })}
      ${data.hasPassword ? inputField({ name: 'password', label: t('accounts:account.currentPassword'), type: 'password', autocomplete: 'current-password', required: true, error: emailErrors.password }) : ''}
      <div><button class="button" type="submit">${t('accounts:account.changeEmail')}</button></div>
    </form>
  </section>
  <section class="section" aria-labelledby="password-heading">
    <h2 id="password-heading">${t('accounts:account.passwordHeading')}</h2>
    ${errorSummary(t, passwordErrors, { currentPassword: t('accounts:account.currentPassword'), newPassword: t('accounts:account.newPassword') })}
    <form class="form" method="post" action="/account/password" novalidate>
      ${csrfField(context.csrfToken)}
      ${data.hasPassword ? inputField({ name: 'currentPassword', label: t('accounts:account.currentPassword'), type: 'password', autocomplete: 'current-password', required: true, error: passwordErrors.currentPassword }) : html`<input type="hidden" name="currentPassword" value="">`}
      ${inputField({ name: 'newPassword', label: t('accounts:account.newPassword'), type: 'password', hint: t('accounts:signup.passwordHint'), autocomplete: 'new-password', required: true, error: passwordErrors.newPassword })}
      <div><button class="button" type="submit">${t('accounts:account.changePassword')}</button></div>
    </form>
    ${data.identities.length > 0 ? html`<p>${t('accounts:account.ssoLinked', { providers: data.identities.map((i) => i.provider).join(', ') })}</p>` : ''}
  </section>
  <section class="section" aria-labelledby="sessions-heading">
    <h2 id="sessions-heading">${t('accounts:account.sessionsHeading')}</h2>
    <ul class="session-list">
      ${data.sessions.map(
        (
          s,
        ) => html`<li>${s.userAgent ?? t('accounts:account.unknownDevice')}${s.current ? html` <strong>(${t('accounts:account.sessionCurrent')})</strong>` : ''}<br>
        <span class="hint">${t('accounts:account.sessionTimes', { started: when(s.createdAt, context.language), lastSeen: when(s.lastSeenAt, context.language) })}</span></li>`,
      )}
    </ul>
    <form method="post" action="/account/logout-everywhere">
      ${csrfField(context.csrfToken)}
      <button class="button button-secondary" type="submit">${t('accounts:account.logoutEverywhere')}</button>
    </form>
  </section>
  <section class="section" aria-labelledby="data-heading">
    <h2 id="data-heading">${t('accounts:account.dataHeading')}</h2>
    <p>${t('accounts:account.dataIntro')}</p>
    <form method="post" action="/account/export">
      ${csrfField(context.csrfToken)}
      <button class="button" type="submit">${t('accounts:account.exportSubmit')}</button>
    </form>
    <p><a href="/account/delete">${t('accounts:account.deleteLink')}</a></p>
  </section>
</div>`,
  });
}

export interface ExportPageData {
  jobId: string;
  status: string;
  percent: number | null;
  ready: boolean;
  expired: boolean;
  expiresAt: string | null;
}

export function exportPage(context: PageContext, data: ExportPageData): SafeHtml {
  const { t } = context;
  const state = data.expired ? 'expired' : data.ready ? 'ready' : data.status === 'failed' ? 'failed' : 'working';
  return layout(context, {
    title: t('accounts:export.title'),
    body: html`<div class="container section narrow">
  <h1>${t('accounts:export.title')}</h1>
  <p role="status">${t(`accounts:export.${state}`)}</p>
  ${
    state === 'working'
      ? html`<p><progress max="100" value="${data.percent ?? 0}" aria-label="${t('accounts:export.title')}">${data.percent ?? 0}%</progress></p>
  <p><a href="/account/exports/${data.jobId}">${t('accounts:export.refresh')}</a></p>`
      : ''
  }
  ${
    state === 'ready'
      ? html`<p><a class="button" href="/account/exports/${data.jobId}/download" download>${t('accounts:export.download')}</a></p>
  <p>${t('accounts:export.expires', { date: data.expiresAt ? new Intl.DateTimeFormat(context.language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(data.expiresAt)) : '' })}</p>`
      : ''
  }
  <p><a href="/account">${t('accounts:account.back')}</a></p>
</div>`,
  });
}

export function deleteAccountPage(context: PageContext, data: { hasPassword: boolean; errors: FieldErrors }): SafeHtml {
  const { t } = context;
  const labels = { confirm: t('accounts:deletion.confirmLabel'), password: t('accounts:account.currentPassword') };
  return layout(context, {
    title: t('accounts:deletion.title'),
    body: html`<div class="container section narrow">
  <h1>${t('accounts:deletion.title')}</h1>
  <p>${t('accounts:deletion.intro')}</p>
  ${keptList(t)}
  ${errorSummary(t, data.errors, labels)}
  <form class="form" method="post" action="/account/delete" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'confirm', label: labels.confirm, hint: t('accounts:deletion.confirmHint'), required: true, autocomplete: 'off', error: data.errors.confirm })}
    ${data.hasPassword ? inputField({ name: 'password', label: labels.password, type: 'password', autocomplete: 'current-password', required: true, error: data.errors.password }) : ''}
    <div><button class="button button-danger" type="submit">${t('accounts:deletion.submit')}</button></div>
  </form>
  <p><a href="/account">${t('accounts:account.back')}</a></p>
</div>`,
  });
}

function keptList(t: Translate): SafeHtml {
  return html`<h2>${t('accounts:deletion.keptHeading')}</h2>
  <ul>${['placeholder', 'auditLog', 'organisationRecords'].map(
    (item) =>
      html`<li>${t(`accounts:deletion.kept.${item}.what`)} <em>${t(`accounts:deletion.kept.${item}.why`)}</em></li>`,
  )}</ul>`;
}

export function accountDeletedPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('accounts:deletion.doneTitle'),
    body: html`<div class="container section narrow">
  <h1>${t('accounts:deletion.doneTitle')}</h1>
  <p>${t('accounts:deletion.doneBody')}</p>
  ${keptList(t)}
  <p><a href="/">${t('errors.backHome')}</a></p>
</div>`,
  });
}
