import { csrfField, errorSummary, inputField, type FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface LoginForm {
  email: string;
  next: string;
  errors: FieldErrors;
  /** The single sign-on provider, when one is configured. */
  sso?: { name: string } | null;
}

export function loginPage(context: PageContext, form: LoginForm): SafeHtml {
  const { t } = context;
  const labels = { email: t('accounts:login.email'), password: t('accounts:login.password') };
  return layout(context, {
    title: t('accounts:login.title'),
    body: html`<div class="container section">
  <h1>${t('accounts:login.title')}</h1>
  <p>${t('accounts:login.intro')}</p>
  ${errorSummary(t, form.errors, labels)}
  <form class="form" method="post" action="/login" novalidate>
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="next" value="${form.next}">
    ${inputField({ name: 'email', label: labels.email, type: 'email', value: form.email, autocomplete: 'username', required: true, error: form.errors.email })}
    ${inputField({ name: 'password', label: labels.password, type: 'password', autocomplete: 'current-password', required: true, error: form.errors.password })}
    <div><button class="button" type="submit">${t('accounts:login.submit')}</button></div>
  </form>
  ${
    form.sso
      ? html`<p>${t('accounts:login.or')}</p>
  <p><a class="button button-secondary" href="/auth/oidc/start?next=${encodeURIComponent(form.next)}">${t('accounts:login.sso', { provider: form.sso.name })}</a></p>`
      : ''
  }
  <p><a href="/forgot-password">${t('accounts:login.forgotPassword')}</a></p>
  <p>${t('accounts:login.noAccount')} <a href="/signup">${t('accounts:login.signUp')}</a></p>
  <p><a href="/verify-email/resend">${t('accounts:login.resendVerification')}</a></p>
</div>`,
  });
}
