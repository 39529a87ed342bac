import { isSupportedLanguage, type Language, translatorFor } from '../i18n.ts';
import { type RenderedEmail, renderEmail } from './email.ts';

/**
 * The emails of taking part in an activity, with how many paragraphs each has in `signups:emails.<kind>`.
 * Every one names the activity, when (in the city's time zone) and where.
 */
const emailShapes = {
  confirmed: { paragraphs: 4, footer: true },
  waitlisted: { paragraphs: 4, footer: true },
  promoted: { paragraphs: 4, footer: false },
  cancelled: { paragraphs: 2, footer: false },
  sessionCancelled: { paragraphs: 2, footer: false },
  reminder: { paragraphs: 3, footer: false },
} as const;

export type SignupEmailKind = keyof typeof emailShapes;

export interface SignupEmail {
  kind: SignupEmailKind;
  language: string;
  /** Values for the strings' {{variables}}: name, activity, organisation, when, where, position. */
  vars: Record<string, string>;
  /** The button's link: the cancel link, "My activities" or the activity page. */
  url?: string;
}

export function renderSignupEmail(email: SignupEmail): RenderedEmail {
  const language: Language = isSupportedLanguage(email.language) ? email.language : 'en';
  const t = translatorFor(language);
  const shape = emailShapes[email.kind];
  const key = (part: string) => `signups:emails.${email.kind}.${part}`;
  return renderEmail(language, {
    subject: t(key('subject'), email.vars),
    greeting: email.vars.name ? t('signups:emails.greeting', email.vars) : t('signups:emails.greetingNoName'),
    paragraphs: Array.from({ length: shape.paragraphs }, (_, i) => t(key(`p${i + 1}`), email.vars)),
    action: email.url ? { label: t(key('action'), email.vars), url: email.url } : undefined,
    footer: shape.footer ? t(key('footer'), email.vars) : undefined,
  });
}

const locales: Record<Language, string> = { en: 'en-GB', lt: 'lt-LT', it: 'it-IT' };

/** A session's date and time in the city's time zone, as a range ("Tuesday 3 June 2025, 18:00–20:00"). */
export function formatSessionWhen(
  session: { startsAt: Date; endsAt: Date; allDay: boolean },
  timeZone: string,
  language: string,
): string {
  const locale = locales[isSupportedLanguage(language) ? language : 'en'];
  if (session.allDay) {
    // All-day sessions end at the local midnight after their last day.
    const lastMoment = new Date(Math.max(session.startsAt.getTime(), session.endsAt.getTime() - 1));
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone }).formatRange(session.startsAt, lastMoment);
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).formatRange(
    session.startsAt,
    session.endsAt,
  );
}

/** A short date and time for tables ("3 Jun 2025, 18:00"). */
export function formatSessionShort(
  session: { startsAt: Date; allDay: boolean },
  timeZone: string,
  language: string,
): string {
  const locale = locales[isSupportedLanguage(language) ? language : 'en'];
  return new Intl.DateTimeFormat(
    locale,
    session.allDay ? { dateStyle: 'medium', timeZone } : { dateStyle: 'medium', timeStyle: 'short', timeZone },
  ).format(session.startsAt);
}

/** Where a session takes place: the primary venue's name and address, or that it is online. */
export function describeVenue(
  venue: {
    format: string;
    onlineUrl: string | null;
    venueName: string | null;
    venueStreet: string | null;
    venuePostcode: string | null;
    venueLocality: string | null;
  },
  language: string,
): string {
  const t = translatorFor(isSupportedLanguage(language) ? language : 'en');
  const address = [
    venue.venueName,
    venue.venueStreet,
    [venue.venuePostcode, venue.venueLocality].filter(Boolean).join(' '),
  ]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(', ');
  const online = venue.onlineUrl ? t('signups:where.onlineAt', { url: venue.onlineUrl }) : t('signups:where.online');
  if (venue.format === 'online') return online;
  if (venue.format === 'blended') return address ? t('signups:where.blended', { address, online }) : online;
  return address || t('signups:where.toBeAnnounced');
}
