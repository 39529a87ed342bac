import { csrfField, errorSummary, inputField, type FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { messageBlock } from './people-forms.ts';

export interface SignUpFormState {
  email: string;
  displayName: string;
  dateOfBirth: string;
  guardianEmail: string;
  errors: FieldErrors;
}

export function signUpPage(
  context: PageContext,
  city: { slug: string; name: string; archived: boolean; consentAge: number },
  form: SignUpFormState,
  sso: { name: string } | null,
): SafeHtml {
  const { t } = context;
  const labels = {
    email: t('accounts:signup.email'),
    displayName: t('accounts:signup.displayName'),
    password: t('accounts:signup.password'),
    dateOfBirth: t('accounts:signup.dateOfBirth'),
    guardianEmail: t('accounts:signup.guardianEmail'),
  };
  const title = t('accounts:signup.title', { city: city.name });
  if (city.archived) {
    return layout(context, { title, body: messageBlock(title, [t('accounts:signup.closed', { city: city.name })]) });
  }
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p>${t('accounts:signup.intro', { city: city.name })}</p>
  ${errorSummary(t, form.errors, labels)}
  ${form.errors._form ? html`<p class="field-error" role="alert">${form.errors._form}</p>` : ''}
  <form class="form" method="post" action="/c/${city.slug}/signup" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'displayName', label: labels.displayName, value: form.displayName, hint: t('accounts:signup.displayNameHint'), autocomplete: 'nickname', required: true, error: form.errors.displayName })}
    ${inputField({ name: 'email', label: labels.email, type: 'email', value: form.email, autocomplete: 'email', required: true, error: form.errors.email })}
    ${inputField({ name: 'password', label: labels.password, type: 'password', hint: t('accounts:signup.passwordHint'), autocomplete: 'new-password', required: true, error: form.errors.password })}
    ${inputField({ name: 'dateOfBirth', label: labels.dateOfBirth, type: 'date', value: form.dateOfBirth, hint: t('accounts:signup.dateOfBirthHint'), autocomplete: 'bday', required: true, error: form.errors.dateOfBirth })}
    ${inputField({ name: 'guardianEmail', label: labels.guardianEmail, type: 'email', value: form.guardianEmail, hint: t('accounts:signup.guardianEmailHint', { age: city.consentAge }), error: form.errors.guardianEmail })}
    <div><button class="button" type="submit">${t('accounts:signup.submit')}</button></div>
  </form>
  ${sso ? html`<p><a class="button button-secondary" href="/auth/oidc/start?city=${city.slug}">${t('accounts:login.sso', { provider: sso.name })}</a></p>` : ''}
  <p>${t('accounts:signup.haveAccount')} <a href="/login">${t('accounts:login.submit')}</a></p>
</div>`,
  });
}

export function chooseCityPage(context: PageContext, cities: { name: string; slug: string }[]): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('accounts:signup.chooseCityTitle'),
    body: html`<div class="container section narrow">
  <h1>${t('accounts:signup.chooseCityTitle')}</h1>
  <p>${t('accounts:signup.chooseCityIntro')}</p>
  <ul>${cities.map((c) => html`<li><a href="/c/${c.slug}/signup">${c.name}</a></li>`)}</ul>
</div>`,
  });
}

export function checkEmailPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('accounts:checkEmail.title'),
    body: messageBlock(
      t('accounts:checkEmail.title'),
      [t('accounts:checkEmail.body')],
      html`<p><a href="/verify-email/resend">${t('accounts:checkEmail.resendLink')}</a></p>`,
    ),
  });
}
