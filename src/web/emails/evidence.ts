import { isSupportedLanguage, type Language, translatorFor } from '../i18n.ts';
import { type RenderedEmail, renderEmail } from './email.ts';

/**
 * The emails of the evidence and peer-check claim routes, with how many paragraphs each has in
 * `claims:emails.<kind>`: to the organisation's people when evidence arrives, and to the learner on each decision.
 */
const emailShapes = {
  /** To the organisation's staff: a learner sent evidence for review. */
  submitted: { paragraphs: 2 },
  /** To the organisation's staff: a learner sent more evidence after being asked. */
  resubmitted: { paragraphs: 2 },
  /**
   * To the learner: approved with a note. The one email of the approval: it announces the credential (what the
   * credential's own email would say) and carries the organiser's note, so the credential's own email is not sent.
   */
  approved: { paragraphs: 3 },
  rejected: { paragraphs: 3 },
  moreInfo: { paragraphs: 3 },
} as const;

export type EvidenceEmailKind = keyof typeof emailShapes;

export interface EvidenceEmail {
  kind: EvidenceEmailKind;
  language: string;
  /** Values for the strings' {{variables}}: name, badge, organisation, learner, feedback, city. */
  vars: Record<string, string>;
  /** The button's link: the review page, the credential, or the learner's application. */
  url: string;
}

export function renderEvidenceEmail(email: EvidenceEmail): RenderedEmail {
  const language: Language = isSupportedLanguage(email.language) ? email.language : 'en';
  const t = translatorFor(language);
  const shape = emailShapes[email.kind];
  const key = (part: string) => `claims:emails.${email.kind}.${part}`;
  return renderEmail(language, {
    subject: t(key('subject'), email.vars),
    greeting: email.vars.name ? t('claims:emails.greeting', email.vars) : t('claims:emails.greetingNoName'),
    paragraphs: Array.from({ length: shape.paragraphs }, (_, i) => t(key(`p${i + 1}`), email.vars)),
    action: { label: t(key('action'), email.vars), url: email.url },
  });
}
