import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface MailSummary {
  id: string;
  receivedAt: Date;
  to: string[];
  subject: string;
}

export function devMailListPage(context: PageContext, messages: MailSummary[]): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('devmail:title'),
    body: html`<div class="container section">
  <h1>${t('devmail:title')}</h1>
  <p>${t('devmail:intro')}</p>
  ${
    messages.length === 0
      ? html`<p>${t('devmail:empty')}</p>`
      : html`<table class="data">
    <thead><tr><th scope="col">${t('devmail:received')}</th><th scope="col">${t('devmail:to')}</th><th scope="col">${t('devmail:subject')}</th></tr></thead>
    <tbody>${messages.map(
      (m) => html`<tr><td>${m.receivedAt.toISOString().replace('T', ' ').slice(0, 19)}</td><td>${m.to.join(', ')}</td>
      <td><a href="/dev/mail/${m.id}">${m.subject}</a></td></tr>`,
    )}</tbody>
  </table>`
  }
</div>`,
  });
}

/** One message, shown as its text part with links made clickable (the HTML part is not trusted into the page). */
export function devMailMessagePage(
  context: PageContext,
  message: MailSummary & { from: string; text: string },
): SafeHtml {
  const { t } = context;
  const parts = message.text.split(/(https?:\/\/[^\s<>"]+)/g);
  return layout(context, {
    title: message.subject,
    body: html`<div class="container section">
  <p><a href="/dev/mail">${t('devmail:back')}</a></p>
  <h1>${message.subject}</h1>
  <dl class="facts"><dt>${t('devmail:to')}</dt><dd>${message.to.join(', ')}</dd><dt>${t('devmail:received')}</dt><dd>${message.receivedAt.toISOString()}</dd></dl>
  <pre class="mail-text">${parts.map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}</pre>
</div>`,
  });
}
