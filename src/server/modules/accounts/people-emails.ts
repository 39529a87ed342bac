import { renderEmail } from '../../../web/emails/email.ts';
import { isSupportedLanguage, translatorFor, type Language } from '../../../web/i18n.ts';
import type { SqlRunner } from '../../db/client.ts';
import { queueEmail } from '../../mail/email-jobs.ts';

/** Every email the people flows send, with how many paragraphs each has in `accounts:emails.<kind>`. */
const emailShapes = {
  verifyEmail: { paragraphs: 2, action: true, footer: true },
  signupExisting: { paragraphs: 2, action: true, footer: true },
  guardianRequest: { paragraphs: 3, action: true, footer: true },
  guardianGiven: { paragraphs: 2, action: true, footer: false },
  guardianWithdrawn: { paragraphs: 2, action: true, footer: false },
  passwordReset: { paragraphs: 1, action: true, footer: true },
  passwordChanged: { paragraphs: 2, action: false, footer: false },
  emailChangeConfirm: { paragraphs: 1, action: true, footer: true },
  emailChangeRequested: { paragraphs: 2, action: false, footer: false },
  emailChanged: { paragraphs: 2, action: false, footer: false },
  emailTaken: { paragraphs: 2, action: false, footer: true },
  exportReady: { paragraphs: 2, action: true, footer: false },
} as const;

export type PeopleEmailKind = keyof typeof emailShapes;

export interface PeopleEmail {
  kind: PeopleEmailKind;
  to: string;
  language: string;
  /** Values for the {{variables}} of the email's strings; `name` is used in the greeting. */
  vars: Record<string, string>;
  /** The link of the email's button, when it has one. */
  url?: string;
}

export function renderPeopleEmail(email: PeopleEmail) {
  const language: Language = isSupportedLanguage(email.language) ? email.language : 'en';
  const t = translatorFor(language);
  const shape = emailShapes[email.kind];
  const key = (part: string) => `accounts:emails.${email.kind}.${part}`;
  const paragraphs = Array.from({ length: shape.paragraphs }, (_, i) => t(key(`p${i + 1}`), email.vars));
  return renderEmail(language, {
    subject: t(key('subject'), email.vars),
    greeting: email.vars.name ? t('accounts:emails.greeting', email.vars) : t('accounts:emails.greetingNoName'),
    paragraphs,
    action: shape.action && email.url ? { label: t(key('action'), email.vars), url: email.url } : undefined,
    footer: shape.footer ? t(key('footer'), email.vars) : undefined,
  });
}

/** Queues a localized people email; call it inside the transaction that made it necessary. */
export async function queuePeopleEmail(db: SqlRunner, cityId: string | null, email: PeopleEmail): Promise<void> {
  const rendered = renderPeopleEmail(email);
  await queueEmail(db, cityId, {
    to: email.to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    language: rendered.language,
  });
}
