import { isSupportedLanguage, type Language, translatorFor } from '../i18n.ts';
import { type RenderedEmail, renderEmail } from './email.ts';

/**
 * The emails a learner gets about a badge credential, with how many paragraphs each has in
 * `credentials:emails.<kind>`. Every one names the badge and the organisation that issued it.
 */
const emailShapes = {
  /** Issued to an account: a link to the credential. */
  issued: { paragraphs: 2, footer: false },
  /** Issued to an email address without an account: the claim link. */
  claim: { paragraphs: 3, footer: true },
  revoked: { paragraphs: 2, footer: false },
  suspended: { paragraphs: 2, footer: false },
  reinstated: { paragraphs: 2, footer: false },
  /** A correction replaced the credential; the link is the new credential (or its claim link). */
  corrected: { paragraphs: 3, footer: false },
} as const;

export type CredentialEmailKind = keyof typeof emailShapes;

export interface CredentialEmail {
  kind: CredentialEmailKind;
  language: string;
  /** Values for the strings' {{variables}}: name, badge, organisation, city, reason. */
  vars: Record<string, string>;
  /** The button's link: the credential page, the claim link or "My badges". */
  url?: string;
}

export function renderCredentialEmail(email: CredentialEmail): RenderedEmail {
  const language: Language = isSupportedLanguage(email.language) ? email.language : 'en';
  const t = translatorFor(language);
  const shape = emailShapes[email.kind];
  const key = (part: string) => `credentials:emails.${email.kind}.${part}`;
  return renderEmail(language, {
    subject: t(key('subject'), email.vars),
    greeting: email.vars.name ? t('credentials:emails.greeting', email.vars) : t('credentials:emails.greetingNoName'),
    paragraphs: Array.from({ length: shape.paragraphs }, (_, i) => t(key(`p${i + 1}`), email.vars)).filter(Boolean),
    action: email.url ? { label: t(key('action'), email.vars), url: email.url } : undefined,
    footer: shape.footer ? t(key('footer'), email.vars) : undefined,
  });
}
