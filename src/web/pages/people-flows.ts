import { csrfField, errorSummary, inputField, type FieldErrors } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { messageBlock } from './people-forms.ts';

/** A page that only says something (a link's result, a confirmation), with an optional link onward. */
export function messagePage(
  context: PageContext,
  title: string,
  paragraphs: string[],
  link?: { href: string; label: string },
): SafeHtml {
  return layout(context, {
    title,
    body: messageBlock(
      title,
      paragraphs,
      link ? html`<p><a class="button" href="${link.href}">${link.label}</a></p>` : '',
    ),
  });
}

/** A one-field form that asks for an email address (resend verification, forgotten password). */
export function emailFormPage(
  context: PageContext,
  options: { title: string; intro: string; action: string; submit: string; email: string; errors: FieldErrors },
): SafeHtml {
  const { t } = context;
  const labels = { email: t('accounts:signup.email') };
  return layout(context, {
    title: options.title,
    body: html`<div class="container section narrow">
  <h1>${options.title}</h1>
  <p>${options.intro}</p>
  ${errorSummary(t, options.errors, labels)}
  <form class="form" method="post" action="${options.action}" novalidate>
    ${csrfField(context.csrfToken)}
    ${inputField({ name: 'email', label: labels.email, type: 'email', value: options.email, autocomplete: 'email', required: true, error: options.errors.email })}
    <div><button class="button" type="submit">${options.submit}</button></div>
  </form>
</div>`,
  });
}

export function resetPasswordPage(context: PageContext, token: string, errors: FieldErrors): SafeHtml {
  const { t } = context;
  const labels = { password: t('accounts:reset.password') };
  return layout(context, {
    title: t('accounts:reset.title'),
    body: html`<div class="container section narrow">
  <h1>${t('accounts:reset.title')}</h1>
  <p>${t('accounts:reset.intro')}</p>
  ${errorSummary(t, errors, labels)}
  <form class="form" method="post" action="/reset-password" novalidate>
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="token" value="${token}">
    ${inputField({ name: 'password', label: labels.password, type: 'password', hint: t('accounts:signup.passwordHint'), autocomplete: 'new-password', required: true, error: errors.password })}
    <div><button class="button" type="submit">${t('accounts:reset.submit')}</button></div>
  </form>
</div>`,
  });
}

export interface ConsentPageData {
  action: 'give' | 'withdraw';
  token: string;
  minorName: string;
  minorAge: number | null;
  cityName: string;
  consentStatus: 'pending' | 'given' | 'withdrawn';
}

/** What a guardian sees from the emailed link: who asked, what consent means, and one button. */
export function guardianPage(context: PageContext, data: ConsentPageData): SafeHtml {
  const { t } = context;
  const vars = { minor: data.minorName, age: data.minorAge ?? '?', city: data.cityName };
  const give = data.action === 'give';
  const title = give ? t('accounts:guardian.consentTitle') : t('accounts:guardian.withdrawTitle');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  <p>${give ? t('accounts:guardian.consentIntro', vars) : t('accounts:guardian.withdrawIntro', vars)}</p>
  ${
    give
      ? html`<ul>
    <li>${t('accounts:guardian.consentWhat1', vars)}</li>
    <li>${t('accounts:guardian.consentWhat2', vars)}</li>
    <li>${t('accounts:guardian.consentWhat3', vars)}</li>
  </ul>`
      : ''
  }
  <form class="form" method="post" action="/guardian/${give ? 'consent' : 'withdraw'}">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="token" value="${data.token}">
    <div><button class="button" type="submit">${give ? t('accounts:guardian.consentSubmit') : t('accounts:guardian.withdrawSubmit')}</button></div>
  </form>
</div>`,
  });
}
