import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { languageName } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { checkboxGroup, selectField, textareaField } from './form-controls.ts';
import { imageFileField, numberField, radioGroup, skillsFieldset } from './organiser-form-controls.ts';
import type { PickerSkill } from './skills-picker.ts';

/**
 * The organiser's activity form (new and edit). Every value is a string exactly as typed, so a form that failed
 * validation comes back with everything the person entered; `activities.pages.ts` turns these values into an
 * `ActivityInput` (dates from the city's local time, the recurrence builder into an RRULE) and back.
 */

export interface VenueFormValues {
  name: string;
  street: string;
  postcode: string;
  locality: string;
  lat: string;
  lon: string;
}

export const emptyVenue: VenueFormValues = { name: '', street: '', postcode: '', locality: '', lat: '', lon: '' };

export const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface ActivityFormValues {
  title: Record<string, string>;
  description: Record<string, string>;
  format: string;
  onlineUrl: string;
  venues: VenueFormValues[];
  scheduleKind: string;
  /** `datetime-local` values (YYYY-MM-DDTHH:mm) in the city's time zone. */
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  /** Recurrence builder: '' (not used), 'weekly' or 'monthly'. */
  repeat: string;
  interval: string;
  byDay: string[];
  /** Monthly: 'day' (same day of the month) or 'weekday' (e.g. the second Tuesday). */
  monthlyBy: string;
  /** 'count' or 'until'. */
  endBy: string;
  count: string;
  /** A date (YYYY-MM-DD) in the city's time zone. */
  until: string;
  /** A hand-written RRULE; when filled in it is used instead of the builder. */
  rruleAdvanced: string;
  /** Skipped dates, one per line (YYYY-MM-DD, or YYYY-MM-DDTHH:mm). */
  exdates: string;
  ageMin: string;
  ageMax: string;
  costKind: string;
  price: string;
  currency: string;
  concessions: string;
  languages: string[];
  otherLanguages: string;
  accessibility: string[];
  accessibilityNotes: string;
  capacity: string;
  signupMode: string;
  signupUrl: string;
  tags: string;
  skills: { id: string; level: string }[];
  skillsQuery: string;
  version: string;
}

/** The recurrence builder's fields (and the hand-written rule that replaces it). */
export type RecurrenceFormValues = Pick<
  ActivityFormValues,
  'repeat' | 'interval' | 'byDay' | 'monthlyBy' | 'endBy' | 'count' | 'until' | 'rruleAdvanced'
>;

/** The recurrence builder as a new form shows it: not repeating, ending after a count, no hand-written rule. */
export function emptyRecurrence(): RecurrenceFormValues {
  return {
    repeat: '',
    interval: '1',
    byDay: [],
    monthlyBy: 'day',
    endBy: 'count',
    count: '',
    until: '',
    rruleAdvanced: '',
  };
}

export function emptyActivityForm(languages: readonly string[], currency: string): ActivityFormValues {
  const perLanguage = Object.fromEntries(languages.map((language) => [language, '']));
  return {
    title: { ...perLanguage },
    description: { ...perLanguage },
    format: 'in_person',
    onlineUrl: '',
    venues: [{ ...emptyVenue }],
    scheduleKind: 'once',
    startsAt: '',
    endsAt: '',
    allDay: false,
    ...emptyRecurrence(),
    exdates: '',
    ageMin: '',
    ageMax: '',
    costKind: 'free',
    price: '',
    currency,
    concessions: '',
    languages: languages.slice(0, 1),
    otherLanguages: '',
    accessibility: [],
    accessibilityNotes: '',
    capacity: '',
    signupMode: 'none',
    signupUrl: '',
    tags: '',
    skills: [],
    skillsQuery: '',
    version: '',
  };
}

export interface ImageView {
  id: string;
  url: string;
  width: number;
  height: number;
  alt: Record<string, string>;
}

export interface ActivityFormPage {
  mode: 'new' | 'edit';
  /** `/c/{city}/manage/{organisationId}`. */
  manageBase: string;
  organisation: { id: string; name: string; trusted: boolean };
  activity?: {
    id: string;
    slug: string;
    status: string;
    moderationNote: string | null;
    images: ImageView[];
    title: string;
  };
  values: ActivityFormValues;
  errors: FieldErrors;
  /** A problem with the whole form (an edit conflict, a state change), shown at the top. */
  formError?: string;
  notice?: string;
  /** The city's languages, default first. */
  languages: readonly string[];
  timeZone: string;
  /** Languages offered as checkboxes for "held in" (city languages first). */
  languageChoices: readonly string[];
  accessibilityFeatures: readonly string[];
  currencies: readonly string[];
  map: {
    styleUrl: string;
    center: { lon: number; lat: number };
    zoom: number;
    bounds: { west: number; south: number; east: number; north: number };
  };
  skills: { selected: (PickerSkill & { level?: string | null })[]; results: PickerSkill[] };
  /** Tags a description may use (the service removes everything else when it saves). */
  descriptionTags: readonly string[];
  /** Where the organiser sees sign-ups and attendance (activities with internal sign-up). */
  signupsHref?: string;
  imageErrors?: FieldErrors;
  imageAlt?: Record<string, string>;
}

/** The id suffix of a field: `field-<key>` is the control, so the error summary links to it. */
export const venueKey = (index: number, part: keyof VenueFormValues) => `venues-${index}-${part}`;

/**
 * The form's fields that errors are shown beside, by the name of their `field-<name>` element (besides the title and
 * description in each language and the venue rows); each has a label `activities:fields.<name>`.
 */
export const activityFieldNames = [
  'title',
  'description',
  'format',
  'onlineUrl',
  'venues',
  'scheduleKind',
  'startsAt',
  'endsAt',
  'allDay',
  'repeat',
  'interval',
  'byDay',
  'count',
  'until',
  'rrule',
  'exdates',
  'ageMin',
  'ageMax',
  'costKind',
  'price',
  'currency',
  'concessions',
  'languages',
  'accessibility',
  'accessibilityNotes',
  'capacity',
  'signupMode',
  'signupUrl',
  'tags',
  'skills',
] as const;

/** Labels of every field, keyed like the errors, for the error summary. */
export function activityFieldLabels(
  context: PageContext,
  languages: readonly string[],
  venueCount: number,
): Record<string, string> {
  const { t } = context;
  const labels: Record<string, string> = {};
  for (const name of activityFieldNames) labels[name] = t(`activities:fields.${name}`);
  for (const language of languages) {
    labels[`title-${language}`] = t('activities:form.titleIn', { language: languageName(language as 'en') });
    labels[`description-${language}`] = t('activities:form.descriptionIn', {
      language: languageName(language as 'en'),
    });
  }
  for (let i = 0; i < venueCount; i++) {
    for (const part of ['name', 'street', 'postcode', 'locality', 'lat', 'lon'] as const) {
      labels[venueKey(i, part)] = t('activities:form.venueField', {
        number: i + 1,
        field: t(`activities:venue.${part}`),
      });
    }
  }
  return labels;
}

function venueFieldset(context: PageContext, page: ActivityFormPage, venue: VenueFormValues, index: number) {
  const { t } = context;
  const { errors } = page;
  const count = page.values.venues.length;
  const field = (part: keyof VenueFormValues, extra: { autocomplete?: string; inputmode?: string } = {}) =>
    inputField({
      name: venueKey(index, part),
      label: t(`activities:venue.${part}`),
      value: venue[part],
      error: errors[venueKey(index, part)],
      ...extra,
    });
  const legend = t('activities:venue.legend', { number: index + 1 });
  return html`<fieldset class="field venue" data-venue id="field-venues-${index}" tabindex="-1">
    <legend>${legend}</legend>
    ${errors[`venues-${index}`] ? html`<p class="field-error">${errors[`venues-${index}`]}</p>` : ''}
    <div class="venue-map" data-venue-picker hidden
      data-lat-input="field-${venueKey(index, 'lat')}" data-lon-input="field-${venueKey(index, 'lon')}"
      data-style-url="${page.map.styleUrl}" data-center="${page.map.center.lon},${page.map.center.lat}"
      data-zoom="${page.map.zoom}"
      data-bounds="${page.map.bounds.west},${page.map.bounds.south},${page.map.bounds.east},${page.map.bounds.north}"
      data-label="${t('activities:venue.mapLabel', { number: index + 1 })}"
      data-text-placed="${t('activities:venue.mapPlaced', { lat: '{{lat}}', lon: '{{lon}}' })}">
      <p class="hint" id="venue-map-hint-${index}">${t('activities:venue.mapHint')}</p>
      <div class="venue-map-canvas" data-map-canvas></div>
      <p class="visually-hidden" role="status" data-map-status></p>
    </div>
    ${field('name')}
    ${field('street', { autocomplete: 'off' })}
    ${field('postcode', { autocomplete: 'off' })}
    ${field('locality')}
    <div class="coordinates">
      ${field('lat', { inputmode: 'decimal' })}
      ${field('lon', { inputmode: 'decimal' })}
    </div>
    ${
      count > 1
        ? html`<div><button class="link-button" type="submit" name="intent" value="removeVenue:${index}" formnovalidate>${t(
            'activities:venue.remove',
            { number: index + 1 },
          )}</button></div>`
        : ''
    }
  </fieldset>`;
}

function scheduleSection(context: PageContext, page: ActivityFormPage): SafeHtml {
  const { t } = context;
  const { values: v, errors } = page;
  return html`<section class="section" aria-labelledby="schedule-heading">
  <h2 id="schedule-heading">${t('activities:form.scheduleHeading')}</h2>
  ${radioGroup({
    name: 'scheduleKind',
    legend: t('activities:fields.scheduleKind'),
    value: v.scheduleKind,
    error: errors.scheduleKind,
    choices: ['once', 'recurring', 'on_demand'].map((kind) => ({
      value: kind,
      label: t(`activities:scheduleKinds.${kind}`),
      hint: t(`activities:scheduleHints.${kind}`),
    })),
  })}
  <p class="hint" id="schedule-zone-hint">${t('activities:form.timeZoneHint', { zone: page.timeZone })}</p>
  <div class="date-pair">
    ${inputField({ name: 'startsAt', label: t('activities:fields.startsAt'), type: 'datetime-local', value: v.startsAt, error: errors.startsAt })}
    ${inputField({ name: 'endsAt', label: t('activities:fields.endsAt'), type: 'datetime-local', value: v.endsAt, error: errors.endsAt })}
  </div>
  <div class="checkbox field" id="field-allDay">
    <input type="checkbox" id="field-allDay-input" name="allDay" value="true"${v.allDay ? html` checked` : ''}>
    <label for="field-allDay-input">${t('activities:fields.allDay')} <span class="hint">${t('activities:form.allDayHint')}</span></label>
  </div>
  <fieldset class="field recurrence" id="field-repeat" tabindex="-1"${errors.repeat ? html` aria-describedby="field-repeat-error"` : ''}>
    <legend>${t('activities:form.recurrenceLegend')}</legend>
    <p class="hint">${t('activities:form.recurrenceHint')}</p>
    ${errors.repeat ? html`<p class="field-error" id="field-repeat-error">${errors.repeat}</p>` : ''}
    ${selectField({
      name: 'repeat',
      id: 'field-repeat-select',
      label: t('activities:fields.repeat'),
      value: v.repeat,
      choices: [
        { value: '', label: t('activities:repeat.none') },
        { value: 'weekly', label: t('activities:repeat.weekly') },
        { value: 'monthly', label: t('activities:repeat.monthly') },
      ],
    })}
    ${numberField({ name: 'interval', label: t('activities:fields.interval'), hint: t('activities:form.intervalHint'), value: v.interval, error: errors.interval, min: 1, max: 52 })}
    ${checkboxGroup({
      name: 'byDay',
      legend: t('activities:fields.byDay'),
      hint: t('activities:form.byDayHint'),
      checked: v.byDay,
      error: errors.byDay,
      choices: weekdays.map((day) => ({ value: day, label: t(`activities:weekdays.${day}`) })),
    })}
    ${radioGroup({
      name: 'monthlyBy',
      legend: t('activities:form.monthlyByLegend'),
      value: v.monthlyBy,
      choices: [
        { value: 'day', label: t('activities:form.monthlyByDay') },
        { value: 'weekday', label: t('activities:form.monthlyByWeekday') },
      ],
    })}
    ${radioGroup({
      name: 'endBy',
      legend: t('activities:form.endByLegend'),
      hint: t('activities:form.endByHint'),
      value: v.endBy,
      choices: [
        { value: 'count', label: t('activities:form.endByCount') },
        { value: 'until', label: t('activities:form.endByUntil') },
      ],
    })}
    <div class="date-pair">
      ${numberField({ name: 'count', label: t('activities:fields.count'), value: v.count, error: errors.count, min: 1, max: 400 })}
      ${inputField({ name: 'until', label: t('activities:fields.until'), type: 'date', value: v.until, error: errors.until })}
    </div>
    <details${v.rruleAdvanced || errors.rrule ? html` open` : ''}>
      <summary>${t('activities:form.advanced')}</summary>
      ${inputField({ name: 'rrule', label: t('activities:fields.rrule'), hint: t('activities:form.rruleHint'), value: v.rruleAdvanced, error: errors.rrule })}
    </details>
    ${textareaField({ name: 'exdates', label: t('activities:fields.exdates'), hint: t('activities:form.exdatesHint'), value: v.exdates, error: errors.exdates, rows: 3 })}
  </fieldset>
</section>`;
}

function imagesSection(context: PageContext, page: ActivityFormPage): SafeHtml | '' {
  const { t } = context;
  const activity = page.activity;
  if (!activity) return '';
  const base = `${page.manageBase}/activities/${activity.id}/images`;
  const errors = page.imageErrors ?? {};
  const altFor = (image: ImageView) => image.alt[context.language] ?? Object.values(image.alt)[0] ?? '';
  return html`<section class="section" aria-labelledby="images-heading" id="images">
  <h2 id="images-heading">${t('activities:images.heading')}</h2>
  ${
    activity.images.length === 0
      ? html`<p>${t('activities:images.none')}</p>`
      : html`<ul class="activity-images">${activity.images.map(
          (image, index) => html`<li>
      <img src="${image.url}" alt="${altFor(image)}" width="${image.width}" height="${image.height}" loading="lazy">
      <p>${altFor(image) || t('activities:images.noAlt')}</p>
      <p><a href="${base}/${image.id}/remove">${t('activities:images.remove', { number: index + 1 })}</a></p>
    </li>`,
        )}</ul>`
  }
  <h3 id="image-upload-heading">${t('activities:images.addHeading')}</h3>
  ${errorSummary(t, errors, { image: t('activities:images.file') })}
  <form class="form" method="post" action="${base}" enctype="multipart/form-data" aria-labelledby="image-upload-heading">
    ${csrfField(context.csrfToken)}
    ${imageFileField({
      label: t('activities:images.file'),
      hint: t('activities:images.fileHint'),
      accept: 'image/png,image/jpeg,image/webp',
      error: errors.image,
    })}
    ${page.languages.map((language) =>
      inputField({
        name: `alt-${language}`,
        label: t('activities:images.altIn', { language: languageName(language as 'en') }),
        hint: language === page.languages[0] ? t('activities:images.altHint') : undefined,
        value: page.imageAlt?.[language] ?? '',
        error: errors[`alt-${language}`],
      }),
    )}
    <div><button class="button button-secondary" type="submit">${t('activities:images.upload')}</button></div>
  </form>
</section>`;
}

export function activityFormPage(context: PageContext, page: ActivityFormPage): SafeHtml {
  const { t } = context;
  const { values: v, errors } = page;
  const labels = activityFieldLabels(context, page.languages, v.venues.length);
  const status = page.activity?.status ?? 'draft';
  const title =
    page.mode === 'new'
      ? t('activities:form.newTitle')
      : t('activities:form.editTitle', { title: page.activity?.title ?? '' });
  const action =
    page.mode === 'new'
      ? `${page.manageBase}/activities/new`
      : `${page.manageBase}/activities/${page.activity?.id}/edit`;
  const canSubmit = status === 'draft';
  const manageCss = html`<link rel="stylesheet" href="${context.assets.url('maplibre.css')}">
<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`;
  return layout(context, {
    title,
    head: manageCss,
    body: html`<div class="container section activity-form-page">
  <nav aria-label="${t('activities:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${page.manageBase}">${page.organisation.name}</a></li>
    <li><a href="${page.manageBase}/activities">${t('activities:list.title')}</a></li>
    <li aria-current="page">${title}</li>
  </ol></nav>
  <h1>${title}</h1>
  ${page.notice ? html`<p class="success" role="status">${page.notice}</p>` : ''}
  ${
    page.activity
      ? html`<p>${t('activities:form.statusLine', { status: t(`activities:statuses.${status}`) })}
    ${status === 'published' || status === 'submitted' ? html` · <a href="${context.city?.homePath}/activities/${page.activity.slug}">${t('activities:form.viewPage')}</a>` : ''}
    · <a href="${page.manageBase}/activities/${page.activity.id}/history">${t('activities:form.history')}</a>
    ${page.signupsHref ? html` · <a href="${page.signupsHref}">${t('activities:form.signups')}</a>` : ''}</p>`
      : ''
  }
  ${
    page.activity?.moderationNote && status === 'draft'
      ? html`<div class="notice returned-note"><p><strong>${t('activities:form.returnedHeading')}</strong></p><p>${page.activity.moderationNote}</p></div>`
      : ''
  }
  ${status === 'published' ? html`<p class="notice">${t('activities:form.publishedNote')}</p>` : ''}
  ${
    canSubmit
      ? html`<p class="hint">${page.organisation.trusted ? t('activities:form.trustedNote') : t('activities:form.reviewNote')}</p>`
      : ''
  }
  ${page.formError ? html`<div class="error-summary" role="alert" id="form-error"><p>${page.formError}</p></div>` : ''}
  ${errorSummary(t, errors, labels)}
  <form class="form activity-form" method="post" action="${action}" novalidate>
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="version" value="${v.version}">
    <button class="visually-hidden" type="submit" name="intent" value="save" tabindex="-1" aria-hidden="true">${t('activities:form.save')}</button>

    <section class="section" aria-labelledby="about-heading">
      <h2 id="about-heading">${t('activities:form.aboutHeading')}</h2>
      ${errors.title ? html`<p class="field-error" id="field-title" tabindex="-1">${errors.title}</p>` : ''}
      ${errors.description ? html`<p class="field-error" id="field-description" tabindex="-1">${errors.description}</p>` : ''}
      <p class="hint">${t('activities:form.languagesHint')}</p>
      ${page.languages.map(
        (language) => html`<fieldset class="field language-fields">
        <legend>${languageName(language as 'en')}</legend>
        ${inputField({
          name: `title-${language}`,
          label: labels[`title-${language}`] as string,
          value: v.title[language] ?? '',
          error: errors[`title-${language}`],
          required: language === page.languages[0],
        })}
        ${textareaField({
          name: `description-${language}`,
          label: labels[`description-${language}`] as string,
          hint: t('activities:form.descriptionHint', { tags: page.descriptionTags.map((tag) => `<${tag}>`).join(' ') }),
          value: v.description[language] ?? '',
          error: errors[`description-${language}`],
          rows: 8,
        })}
      </fieldset>`,
      )}
      ${radioGroup({
        name: 'format',
        legend: t('activities:fields.format'),
        value: v.format,
        error: errors.format,
        choices: ['in_person', 'online', 'blended'].map((format) => ({
          value: format,
          label: t(`activities:formats.${format}`),
        })),
      })}
      ${inputField({ name: 'onlineUrl', label: t('activities:fields.onlineUrl'), hint: t('activities:form.onlineUrlHint'), type: 'url', value: v.onlineUrl, error: errors.onlineUrl })}
    </section>

    <section class="section" aria-labelledby="venues-heading" id="field-venues" tabindex="-1">
      <h2 id="venues-heading">${t('activities:form.venuesHeading')}</h2>
      <p class="hint">${t('activities:form.venuesHint', {
        south: page.map.bounds.south,
        north: page.map.bounds.north,
        west: page.map.bounds.west,
        east: page.map.bounds.east,
      })}</p>
      ${errors.venues ? html`<p class="field-error">${errors.venues}</p>` : ''}
      ${v.venues.map((venue, index) => venueFieldset(context, page, venue, index))}
      <div><button class="button button-secondary" type="submit" name="intent" value="addVenue" formnovalidate>${t('activities:venue.add')}</button></div>
    </section>

    ${scheduleSection(context, page)}

    <section class="section" aria-labelledby="who-heading">
      <h2 id="who-heading">${t('activities:form.whoHeading')}</h2>
      <div class="date-pair">
        ${numberField({ name: 'ageMin', label: t('activities:fields.ageMin'), value: v.ageMin, error: errors.ageMin, min: 0, max: 120 })}
        ${numberField({ name: 'ageMax', label: t('activities:fields.ageMax'), value: v.ageMax, error: errors.ageMax, min: 0, max: 120 })}
      </div>
      ${checkboxGroup({
        name: 'languages',
        legend: t('activities:fields.languages'),
        checked: v.languages,
        error: errors.languages,
        choices: page.languageChoices.map((code) => ({ value: code, label: languageLabel(context.language, code) })),
      })}
      ${inputField({ name: 'otherLanguages', label: t('activities:fields.otherLanguages'), hint: t('activities:form.otherLanguagesHint'), value: v.otherLanguages, error: errors.otherLanguages })}
      ${checkboxGroup({
        name: 'accessibility',
        legend: t('activities:fields.accessibility'),
        checked: v.accessibility,
        error: errors.accessibility,
        choices: page.accessibilityFeatures.map((feature) => ({
          value: feature,
          label: t(`activities:accessibility.${feature}`),
        })),
      })}
      ${textareaField({ name: 'accessibilityNotes', label: t('activities:fields.accessibilityNotes'), hint: t('activities:form.accessibilityNotesHint'), value: v.accessibilityNotes, error: errors.accessibilityNotes, rows: 3 })}
    </section>

    <section class="section" aria-labelledby="cost-heading">
      <h2 id="cost-heading">${t('activities:form.costHeading')}</h2>
      ${radioGroup({
        name: 'costKind',
        legend: t('activities:fields.costKind'),
        value: v.costKind,
        error: errors.costKind,
        choices: [
          { value: 'free', label: t('activities:costKinds.free') },
          { value: 'paid', label: t('activities:costKinds.paid') },
        ],
      })}
      <div class="date-pair">
        ${numberField({ name: 'price', label: t('activities:fields.price'), hint: t('activities:form.priceHint'), value: v.price, error: errors.price, min: 0, step: '0.01' })}
        ${selectField({
          name: 'currency',
          label: t('activities:fields.currency'),
          value: v.currency,
          error: errors.currency,
          choices: [...new Set([...page.currencies, ...(v.currency ? [v.currency] : [])])].map((code) => ({
            value: code,
            label: code,
          })),
        })}
      </div>
      ${textareaField({ name: 'concessions', label: t('activities:fields.concessions'), hint: t('activities:form.concessionsHint'), value: v.concessions, error: errors.concessions, rows: 2 })}
    </section>

    <section class="section" aria-labelledby="signup-heading">
      <h2 id="signup-heading">${t('activities:form.signupHeading')}</h2>
      ${numberField({ name: 'capacity', label: t('activities:fields.capacity'), hint: t('activities:form.capacityHint'), value: v.capacity, error: errors.capacity, min: 1 })}
      ${radioGroup({
        name: 'signupMode',
        legend: t('activities:fields.signupMode'),
        value: v.signupMode,
        error: errors.signupMode,
        choices: ['none', 'internal', 'external'].map((mode) => ({
          value: mode,
          label: t(`activities:signupModes.${mode}`),
          hint: t(`activities:signupHints.${mode}`),
        })),
      })}
      ${inputField({ name: 'signupUrl', label: t('activities:fields.signupUrl'), type: 'url', value: v.signupUrl, error: errors.signupUrl })}
    </section>

    <section class="section" aria-labelledby="skills-heading">
      <h2 id="skills-heading">${t('activities:form.skillsHeading')}</h2>
      ${inputField({ name: 'tags', label: t('activities:fields.tags'), hint: t('activities:form.tagsHint'), value: v.tags, error: errors.tags })}
      ${skillsFieldset(context, {
        legend: t('activities:fields.skills'),
        hint: t('activities:form.skillsHint'),
        pickerId: 'activity-skills',
        query: v.skillsQuery,
        skills: page.skills,
        error: errors.skills,
      })}
    </section>

    <div class="button-row form-actions">
      <button class="button${canSubmit ? ' button-secondary' : ''}" type="submit" name="intent" value="save">${
        status === 'draft' ? t('activities:form.saveDraft') : t('activities:form.saveChanges')
      }</button>
      ${
        canSubmit
          ? html`<button class="button" type="submit" name="intent" value="submit">${
              page.organisation.trusted ? t('activities:form.publish') : t('activities:form.submit')
            }</button>`
          : ''
      }
      <a href="${page.manageBase}/activities">${t('activities:form.cancel')}</a>
    </div>
  </form>
  ${imagesSection(context, page)}
</div>
<script type="module" src="${context.assets.url('venue-picker.js')}"></script>
<script type="module" src="${context.assets.url('skill-picker.js')}"></script>`,
  });
}

/** A language's name in the reader's language ("Lithuanian", "lituano"), from the browser-independent ICU data. */
export function languageLabel(readerLanguage: string, code: string): string {
  try {
    const name = new Intl.DisplayNames([readerLanguage], { type: 'language' }).of(code);
    return name && name !== code ? `${name.charAt(0).toLocaleUpperCase(readerLanguage)}${name.slice(1)}` : code;
  } catch {
    return code;
  }
}
