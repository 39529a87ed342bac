import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function notFoundPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('errors.notFoundTitle'),
    body: html`<div class="container section">
  <h1>${t('errors.notFoundTitle')}</h1>
  <p>${t('errors.notFoundBody')}</p>
  <p><a href="${context.city?.homePath ?? '/'}">${t('errors.backHome')}</a></p>
</div>`,
  });
}

export function serverErrorPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('errors.serverErrorTitle'),
    body: html`<div class="container section">
  <h1>${t('errors.serverErrorTitle')}</h1>
  <p>${t('errors.serverErrorBody')}</p>
  <p>${t('errors.requestId', { requestId: context.requestId })}</p>
  <p><a href="/">${t('errors.backHome')}</a></p>
</div>`,
  });
}

/** Any other refusal (403, 409, 429 …) shown to a browser, with the error's own message. */
export function requestErrorPage(context: PageContext, message: string): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('errors.requestErrorTitle'),
    body: html`<div class="container section">
  <h1>${t('errors.requestErrorTitle')}</h1>
  <p>${message}</p>
  <p><a href="${context.city?.homePath ?? '/'}">${t('errors.backHome')}</a></p>
</div>`,
  });
}
