import { html, jsonForScript, raw, type SafeHtml } from '../html.ts';
import type { Translate } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { activityBadgesSection } from './badge-pages.ts';

/** A dated session as the activity page lists it. */
export interface ActivitySessionView {
  id: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  /** Places left (capacity − confirmed); null when the session has no capacity limit. */
  placesLeft: number | null;
  cancelled: boolean;
  /** The internal sign-up page for this session, when people sign up here. */
  signupHref: string | null;
}

export interface ActivityVenueView {
  name: string;
  street: string;
  postcode: string;
  locality: string;
  district: string | null;
  lat: number;
  lon: number;
}

/** Everything the public activity page shows, already in the page language where text is per language. */
export interface ActivityPageData {
  status: 'draft' | 'submitted' | 'published' | 'archived';
  moderationNote: string | null;
  title: string;
  titleLanguage: string;
  /** Sanitised HTML (activities are sanitised when saved). */
  descriptionHtml: string;
  descriptionLanguage: string;
  /** The description as plain text, for meta tags. */
  summary: string;
  organisation: { name: string; href: string };
  format: 'in_person' | 'online' | 'blended';
  /** Shown only when the activity needs no sign-up (otherwise the link is for the people who signed up). */
  onlineUrl: string | null;
  venues: ActivityVenueView[];
  scheduleKind: 'once' | 'recurring' | 'on_demand';
  rrule: string | null;
  /** First and last dates of the whole schedule. */
  startsAt: Date | null;
  lastEndAt: Date | null;
  allDay: boolean;
  timeZone: string;
  sessions: ActivitySessionView[];
  ageMin: number | null;
  ageMax: number | null;
  costKind: 'free' | 'paid';
  priceCents: number | null;
  currency: string | null;
  concessions: string;
  languages: string[];
  accessibility: string[];
  accessibilityNotes: string;
  capacity: number | null;
  signupMode: 'none' | 'internal' | 'external';
  signupUrl: string | null;
  skills: { label: string; href: string; level: number | null; framework: string }[];
  tags: string[];
  images: { url: string; alt: string; width: number; height: number }[];
  /** Absolute canonical URL of the page. */
  canonicalUrl: string;
  /** Absolute URL of the first image, for Open Graph. */
  ogImage: { url: string; alt: string } | null;
  calendarHref: string | null;
  mapStyleUrl: string;
  /** schema.org Event or Course. */
  jsonLd: Record<string, unknown>;
  /** Where organisation staff and curators manage the activity, when the viewer may. */
  manageHref: string | null;
  /** Published badges the activity leads to. */
  badges?: { name: { text: string; language: string }; href: string; awardOnAttendance: boolean }[];
}

const weekdayCodes = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

/** "Tuesday" for `TU` in a language (1 Jan 2023 was a Sunday). */
function weekdayName(language: string, code: string): string {
  const index = weekdayCodes.indexOf(code as (typeof weekdayCodes)[number]);
  if (index < 0) return code;
  return new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2023, 0, 1 + index)),
  );
}

function dateFormat(language: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(language, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  });
}

/** A session's dates in the city's time zone; all-day sessions end at midnight after their last day. */
export function formatSessionDates(
  language: string,
  timeZone: string,
  session: { startsAt: Date; endsAt: Date; allDay: boolean },
): string {
  const format = dateFormat(language, timeZone, !session.allDay);
  const end = session.allDay ? new Date(session.endsAt.getTime() - 1) : session.endsAt;
  if (end.getTime() <= session.startsAt.getTime()) return format.format(session.startsAt);
  return format.formatRange(session.startsAt, end);
}

/** A readable summary of an RRULE: "Every week, on Tuesday and Thursday, until Friday 30 June 2026". */
export function recurrenceSummary(t: Translate, language: string, timeZone: string, rrule: string): string {
  const parts = new Map(
    rrule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((part) => part.split('=') as [string, string])
      .map(([key, value]) => [key.toUpperCase(), value ?? ''] as const),
  );
  const frequency = (parts.get('FREQ') ?? '').toLowerCase();
  const interval = Math.max(1, Number(parts.get('INTERVAL') ?? 1) || 1);
  const phrases: string[] = [];
  if (['daily', 'weekly', 'monthly', 'yearly'].includes(frequency)) {
    phrases.push(t(`activity:schedule.${frequency}`, { count: interval }));
  }
  const byDay = (parts.get('BYDAY') ?? '').split(',').filter(Boolean);
  if (byDay.length > 0 && byDay.every((day) => /^[A-Z]{2}$/.test(day))) {
    const days = new Intl.ListFormat(language, { type: 'conjunction' }).format(
      byDay.map((day) => weekdayName(language, day)),
    );
    phrases.push(t('activity:schedule.onDays', { days }));
  }
  const until = parts.get('UNTIL');
  const count = Number(parts.get('COUNT') ?? 0);
  if (until) {
    const match = /^(\d{4})(\d{2})(\d{2})/.exec(until);
    if (match) {
      const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12));
      phrases.push(t('activity:schedule.until', { date: dateFormat(language, timeZone, false).format(date) }));
    }
  } else if (count > 0) {
    phrases.push(t('activity:schedule.times', { count }));
  }
  return phrases.join(', ');
}

export function formatAgeRange(t: Translate, min: number | null, max: number | null): string {
  if (min !== null && max !== null) return t('activity:age.range', { min, max });
  if (min !== null) return t('activity:age.from', { min });
  if (max !== null) return t('activity:age.upTo', { max });
  return t('activity:age.all');
}

export function formatPrice(language: string, priceCents: number, currency: string): string {
  try {
    return new Intl.NumberFormat(language, { style: 'currency', currency }).format(priceCents / 100);
  } catch {
    return `${(priceCents / 100).toFixed(2)} ${currency}`;
  }
}

export function languageLabel(language: string, code: string): string {
  try {
    return new Intl.DisplayNames([language], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function formatCost(context: PageContext, data: ActivityPageData): string {
  if (data.costKind === 'free' || !data.priceCents) return context.t('activity:cost.free');
  return formatPrice(context.language, data.priceCents, data.currency ?? 'EUR');
}

function addressLines(venue: ActivityVenueView): string[] {
  return [venue.name, venue.street, [venue.postcode, venue.locality].filter(Boolean).join(' '), venue.district ?? '']
    .map((line) => line.trim())
    .filter(Boolean)
    .filter((line, index, lines) => lines.indexOf(line) === index);
}

function statusBanner(context: PageContext, data: ActivityPageData): SafeHtml | '' {
  if (data.status === 'published') return '';
  const { t } = context;
  return html`<div class="notice activity-status" role="status">
    <p><strong>${t(`activity:status.${data.status}`)}</strong></p>
    ${data.moderationNote ? html`<p>${t('activity:status.moderationNote', { note: data.moderationNote })}</p>` : ''}
  </div>`;
}

function venuesSection(context: PageContext, data: ActivityPageData): SafeHtml | '' {
  const { t } = context;
  if (data.venues.length === 0) return '';
  const mapVenues = data.venues.map((venue) => ({
    name: venue.name || venue.street,
    lat: venue.lat,
    lon: venue.lon,
  }));
  return html`<section class="section activity-venues" aria-labelledby="activity-venues-heading">
  <h2 id="activity-venues-heading">${t('activity:venues.heading', { count: data.venues.length })}</h2>
  <ul class="activity-addresses">
    ${data.venues.map(
      (venue) =>
        html`<li><address>${addressLines(venue).map((line, index) => html`${index > 0 ? html`<br>` : ''}${line}`)}</address></li>`,
    )}
  </ul>
  <div class="activity-map" data-activity-map data-style-url="${data.mapStyleUrl}"
    data-label="${t('activity:venues.mapLabel', { title: data.title })}"
    data-zoom-in="${t('activity:venues.zoomIn')}" data-zoom-out="${t('activity:venues.zoomOut')}">
    <script type="application/json" data-venues>${jsonForScript(mapVenues)}</script>
  </div>
  <p class="hint">${t('activity:venues.mapHint')}</p>
</section>`;
}

function datesSection(context: PageContext, data: ActivityPageData): SafeHtml {
  const { t, language } = context;
  const summary =
    data.scheduleKind === 'recurring' && data.rrule ? recurrenceSummary(t, language, data.timeZone, data.rrule) : '';
  const internal = data.signupMode === 'internal' && data.status === 'published';
  return html`<section class="section activity-dates" aria-labelledby="activity-dates-heading">
  <h2 id="activity-dates-heading">${t('activity:dates.heading')}</h2>
  ${data.scheduleKind === 'on_demand' ? html`<p>${t('activity:dates.onDemand')}</p>` : ''}
  ${summary ? html`<p class="activity-recurrence">${summary}</p>` : ''}
  ${
    data.scheduleKind !== 'on_demand' && data.sessions.length === 0
      ? html`<p>${t('activity:dates.noUpcoming')}</p>`
      : ''
  }
  ${
    data.sessions.length > 0
      ? html`<ul class="activity-sessions">
    ${data.sessions.map(
      (session) => html`<li class="activity-session${session.cancelled ? ' is-cancelled' : ''}">
      <time datetime="${session.startsAt.toISOString()}">${formatSessionDates(language, data.timeZone, session)}</time>
      ${
        session.cancelled
          ? html`<span class="badge-label">${t('activity:dates.cancelled')}</span>`
          : internal
            ? html`<span class="activity-places">${
                session.placesLeft === null
                  ? ''
                  : session.placesLeft > 0
                    ? t('activity:signup.placesLeft', { count: session.placesLeft })
                    : t('activity:signup.waitingList')
              }</span>
      ${
        session.signupHref
          ? html`<a class="button button-secondary" href="${session.signupHref}">${
              session.placesLeft === 0 ? t('activity:signup.joinWaitingList') : t('activity:signup.signUp')
            }<span class="visually-hidden"> ${t('activity:signup.forSession', {
              date: formatSessionDates(language, data.timeZone, session),
            })}</span></a>`
          : ''
      }`
            : ''
      }
    </li>`,
    )}
  </ul>`
      : ''
  }
  ${
    data.calendarHref
      ? html`<p><a class="button button-secondary" href="${data.calendarHref}" download>${t('activity:calendar.add')}</a></p>`
      : ''
  }
</section>`;
}

function signupSection(context: PageContext, data: ActivityPageData): SafeHtml | '' {
  const { t } = context;
  if (data.status !== 'published') return '';
  if (data.signupMode === 'external' && data.signupUrl) {
    return html`<section class="section activity-signup" aria-labelledby="activity-signup-heading">
  <h2 id="activity-signup-heading">${t('activity:signup.heading')}</h2>
  <p><a class="button" href="${data.signupUrl}" rel="noopener nofollow">${t('activity:signup.external')}</a></p>
  <p class="hint">${t('activity:signup.externalHint', { organisation: data.organisation.name })}</p>
</section>`;
  }
  if (data.signupMode === 'internal') {
    return html`<section class="section activity-signup" aria-labelledby="activity-signup-heading">
  <h2 id="activity-signup-heading">${t('activity:signup.heading')}</h2>
  <p>${data.sessions.some((s) => s.signupHref) ? t('activity:signup.internalHint') : t('activity:signup.noSessions')}</p>
</section>`;
  }
  return '';
}

function detailsSection(context: PageContext, data: ActivityPageData): SafeHtml {
  const { t, language } = context;
  return html`<section class="section activity-details" aria-labelledby="activity-details-heading">
  <h2 id="activity-details-heading">${t('activity:details.heading')}</h2>
  <dl class="facts">
    <dt>${t('activity:details.format')}</dt><dd>${t(`activity:format.${data.format}`)}${
      data.onlineUrl
        ? html` · <a href="${data.onlineUrl}" rel="noopener nofollow">${t('activity:details.joinOnline')}</a>`
        : ''
    }</dd>
    <dt>${t('activity:details.age')}</dt><dd>${formatAgeRange(t, data.ageMin, data.ageMax)}</dd>
    <dt>${t('activity:details.cost')}</dt><dd>${formatCost(context, data)}${
      data.concessions
        ? html`<br><span class="activity-concessions">${t('activity:cost.concessions', { concessions: data.concessions })}</span>`
        : ''
    }</dd>
    ${
      data.languages.length > 0
        ? html`<dt>${t('activity:details.languages')}</dt><dd>${new Intl.ListFormat(language, {
            type: 'conjunction',
          }).format(data.languages.map((code) => languageLabel(language, code)))}</dd>`
        : ''
    }
    ${
      data.capacity !== null
        ? html`<dt>${t('activity:details.capacity')}</dt><dd>${t('activity:details.places', { count: data.capacity })}</dd>`
        : ''
    }
  </dl>
  ${
    data.accessibility.length > 0 || data.accessibilityNotes
      ? html`<h3>${t('activity:accessibility.heading')}</h3>
  ${
    data.accessibility.length > 0
      ? html`<ul class="activity-accessibility">${data.accessibility.map(
          (code) => html`<li>${t(`activity:accessibility.features.${code}`, { defaultValue: code })}</li>`,
        )}</ul>`
      : ''
  }
  ${data.accessibilityNotes ? html`<p>${data.accessibilityNotes}</p>` : ''}`
      : ''
  }
</section>`;
}

function skillsSection(context: PageContext, data: ActivityPageData): SafeHtml | '' {
  const { t } = context;
  if (data.skills.length === 0 && data.tags.length === 0) return '';
  return html`<section class="section activity-skills" aria-labelledby="activity-skills-heading">
  <h2 id="activity-skills-heading">${t('activity:skills.heading')}</h2>
  ${
    data.skills.length > 0
      ? html`<ul class="activity-skill-list">${data.skills.map(
          (skill) =>
            html`<li><a href="${skill.href}">${skill.label}</a>${skill.framework ? html` <span class="hint">(${skill.framework})</span>` : ''}${
              skill.level !== null ? html` · ${t('activity:skills.level', { level: skill.level })}` : ''
            }</li>`,
        )}</ul>`
      : ''
  }
  ${
    data.tags.length > 0
      ? html`<h3>${t('activity:skills.tags')}</h3>
  <ul class="activity-tags">${data.tags.map((tag) => html`<li>${tag}</li>`)}</ul>`
      : ''
  }
</section>`;
}

function shareSection(context: PageContext, data: ActivityPageData): SafeHtml {
  const { t } = context;
  const url = encodeURIComponent(data.canonicalUrl);
  const text = encodeURIComponent(data.title);
  const networks = [
    { name: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${url}` },
    { name: 'X', href: `https://x.com/intent/post?url=${url}&text=${text}` },
    { name: 'LinkedIn', href: `https://www.linkedin.com/sharing/share-offsite/?url=${url}` },
    { name: 'WhatsApp', href: `https://wa.me/?text=${encodeURIComponent(`${data.title} ${data.canonicalUrl}`)}` },
    {
      name: 'Bluesky',
      href: `https://bsky.app/intent/compose?text=${encodeURIComponent(`${data.title} ${data.canonicalUrl}`)}`,
    },
  ];
  const mail = `mailto:?subject=${text}&body=${encodeURIComponent(
    t('activity:share.emailBody', { title: data.title, url: data.canonicalUrl }),
  )}`;
  return html`<section class="section activity-share" aria-labelledby="activity-share-heading">
  <h2 id="activity-share-heading">${t('activity:share.heading')}</h2>
  <div class="activity-share-link">
    <label for="activity-share-url">${t('activity:share.linkLabel')}</label>
    <input id="activity-share-url" type="url" readonly value="${data.canonicalUrl}">
    <button type="button" class="button button-secondary" data-copy-link="activity-share-url" data-copied="${t('activity:share.copied')}" hidden>${t('activity:share.copy')}</button>
    <span class="activity-share-status" role="status" aria-live="polite"></span>
  </div>
  <ul class="activity-share-networks">
    <li><a href="${mail}">${t('activity:share.email')}</a></li>
    ${networks.map(
      (network) =>
        html`<li><a href="${network.href}" rel="noopener noreferrer nofollow">${t('activity:share.on', { network: network.name })}</a></li>`,
    )}
  </ul>
</section>`;
}

function headTags(context: PageContext, data: ActivityPageData): SafeHtml {
  return html`<link rel="canonical" href="${data.canonicalUrl}">
<link rel="stylesheet" href="${context.assets.url('maplibre.css')}">
<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">
<script type="module" src="${context.assets.url('activity-map.js')}"></script>
<meta property="og:type" content="website">
<meta property="og:title" content="${data.title}">
<meta property="og:description" content="${data.summary.slice(0, 300)}">
<meta property="og:url" content="${data.canonicalUrl}">
<meta property="og:site_name" content="${context.t('site.name')}">
<meta property="og:locale" content="${context.language}">
${
  data.ogImage
    ? html`<meta property="og:image" content="${data.ogImage.url}">
<meta property="og:image:alt" content="${data.ogImage.alt}">
<meta name="twitter:card" content="summary_large_image">`
    : html`<meta name="twitter:card" content="summary">`
}
${data.status === 'published' ? '' : html`<meta name="robots" content="noindex">`}
<script type="application/ld+json">${jsonForScript(data.jsonLd)}</script>`;
}

/** The public page of one activity: details, venue map, next dates, sign-up, organiser, skills, sharing. */
export function activityPage(context: PageContext, data: ActivityPageData): SafeHtml {
  const { t } = context;
  const [lead, ...otherImages] = data.images;
  return layout(context, {
    title: data.title,
    description: data.summary.slice(0, 160),
    head: headTags(context, data),
    body: html`<article class="container section activity-page">
  ${statusBanner(context, data)}
  <header class="activity-header">
    <h1 lang="${data.titleLanguage}">${data.title}</h1>
    <p class="activity-organiser">${t('activity:organisedBy')} <a href="${data.organisation.href}">${data.organisation.name}</a></p>
    ${data.manageHref ? html`<p><a href="${data.manageHref}">${t('activity:manage')}</a></p>` : ''}
  </header>
  ${
    lead
      ? html`<figure class="activity-lead-image"><img src="${lead.url}" alt="${lead.alt}" width="${lead.width}" height="${lead.height}"></figure>`
      : ''
  }
  <div class="activity-layout">
    <div class="activity-main">
      ${data.descriptionHtml ? html`<div class="activity-description" lang="${data.descriptionLanguage}">${raw(data.descriptionHtml)}</div>` : ''}
      ${detailsSection(context, data)}
      ${skillsSection(context, data)}
      ${activityBadgesSection(context, data.badges ?? [])}
      ${
        otherImages.length > 0
          ? html`<section class="section" aria-labelledby="activity-images-heading">
        <h2 id="activity-images-heading">${t('activity:images.heading')}</h2>
        <ul class="activity-images">${otherImages.map(
          (image) =>
            html`<li><img src="${image.url}" alt="${image.alt}" width="${image.width}" height="${image.height}" loading="lazy"></li>`,
        )}</ul>
      </section>`
          : ''
      }
    </div>
    <div class="activity-aside">
      ${datesSection(context, data)}
      ${signupSection(context, data)}
      ${venuesSection(context, data)}
      ${shareSection(context, data)}
    </div>
  </div>
</article>`,
  });
}

/** An organisation's published activities with dates to come, as its public page lists them (one page of them). */
export interface OrganisationActivitiesData {
  items: {
    title: string;
    titleLanguage: string;
    href: string;
    nextStartAt: Date | null;
    format: string;
    district: string | null;
  }[];
  timeZone: string;
  page: number;
  pages: number;
  /** The organisation page's path, for the pager links. */
  basePath: string;
}

export function organisationActivitiesSection(context: PageContext, data: OrganisationActivitiesData): SafeHtml {
  const { t, language } = context;
  const when = new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'short', timeZone: data.timeZone });
  const pageHref = (page: number) => (page === 1 ? data.basePath : `${data.basePath}?page=${page}`);
  return html`<section class="section" aria-labelledby="organisation-activities-heading" id="activities">
  <h2 id="organisation-activities-heading">${t('activity:organisation.heading')}</h2>
  ${
    data.items.length === 0
      ? html`<p>${t('activity:organisation.none')}</p>`
      : html`<ul class="organisation-activities">${data.items.map(
          (item) => html`<li><a href="${item.href}" lang="${item.titleLanguage}">${item.title}</a>
      <span class="hint">${
        item.nextStartAt
          ? t('activity:organisation.next', { date: when.format(new Date(item.nextStartAt)) })
          : t('activity:organisation.onDemand')
      } · ${t(`activity:format.${item.format}`)}${item.district ? ` · ${item.district}` : ''}</span></li>`,
        )}</ul>`
  }
  ${
    data.pages > 1
      ? html`<nav class="pager" aria-label="${t('activity:organisation.pageOf', { page: data.page, pages: data.pages })}">
    ${data.page > 1 ? html`<a href="${pageHref(data.page - 1)}#activities" rel="prev">${t('activity:organisation.previous')}</a>` : ''}
    <span>${t('activity:organisation.pageOf', { page: data.page, pages: data.pages })}</span>
    ${data.page < data.pages ? html`<a href="${pageHref(data.page + 1)}#activities" rel="next">${t('activity:organisation.more')}</a>` : ''}
  </nav>`
      : ''
  }
</section>`;
}
