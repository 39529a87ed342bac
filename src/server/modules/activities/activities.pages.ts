import { fillFreePlacesOfActivity } from './signups.service.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import {
  type ActivityFormPage,
  type ActivityFormValues,
  activityFieldNames,
  activityFormPage,
  emptyActivityForm,
  emptyRecurrence,
  emptyVenue,
  type RecurrenceFormValues,
  type VenueFormValues,
  weekdays,
} from '../../../web/pages/activity-form.ts';
import {
  type ActivityRow,
  activityHistoryPage,
  activityListPage,
  listTabs,
  moderationQueuePage,
  removeImagePage,
} from '../../../web/pages/activity-manage.ts';
import type { PageContext } from '../../../web/layout.ts';
import { AppError } from '../../errors.ts';
import {
  acceptMultipartUploads,
  CityParams,
  integerOrInvalid,
  OrganiserQuery,
  listTab,
  longText,
  manageBase,
  nearestFormField,
  OrgParams,
  rethrowUnlessFormProblem,
  skillLevelOf,
  skillPickerOf,
  Slug,
  uploadedImage,
  Uuid,
} from '../../organiser-pages.ts';
import { cityOf } from '../../plugins/auth.ts';
import { sendPage } from '../../plugins/web.ts';
import type { MultipartBody } from '../accounts/multipart.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages } from '../cities/cities.service.ts';
import { mapStyleUrlFor } from '../geo/geo.style.ts';
import { cityPageContext, decimal, field, type FormBody, fields } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { organisationInCity } from '../organisations/organisations.service.ts';
import { pickText } from '../skills/skills.service.ts';
import { accessibilityFeatures, type ActivityInput, type VenueInput } from './activities.model.ts';
import { type ProblemLike, problemText } from './activities.problems.ts';
import {
  type ActivityDetails,
  type ActivitySummary,
  addActivityImage,
  approveActivity,
  archiveActivity,
  createActivity,
  getActivity,
  listActivityRevisions,
  listModerationQueue,
  listOrganisationActivities,
  MAX_IMAGE_BYTES,
  removeActivityImage,
  returnActivity,
  submitActivity,
  updateActivity,
} from './activities.service.ts';
import { allowedDescriptionTags, validateActivityInput } from './activities.validation.ts';
import { instantOf, parseWallTime, toLocalInput, type WallTime, wallTimeIn } from './time-zones.ts';

/**
 * The organiser's pages for activities (list, form, history, images) under the organisation's management pages,
 * `/c/:citySlug/manage/:organisationId/activities…`, and the curators' moderation queue at
 * `/c/:citySlug/curate/activities`. Every write goes through the activities service; these pages turn form fields
 * into an `ActivityInput` (local times in the city's time zone, the recurrence builder into an RRULE) and back.
 */

// ── Form values ⇄ ActivityInput ─────────────────────────────────────────────────────────────────────────────────

/** Languages offered as "held in" checkboxes besides the city's own. */
const commonLanguages = ['en', 'lt', 'it', 'uk', 'ru', 'pl', 'de', 'fr', 'es', 'ar'];
const currencies = ['EUR', 'GBP', 'CHF', 'PLN', 'SEK', 'DKK', 'NOK', 'CZK', 'HUF', 'USD'];
const currencyByZone: Record<string, string> = {
  'Europe/London': 'GBP',
  'Europe/Zurich': 'CHF',
  'Europe/Warsaw': 'PLN',
  'Europe/Stockholm': 'SEK',
  'Europe/Copenhagen': 'DKK',
  'Europe/Oslo': 'NOK',
  'Europe/Prague': 'CZK',
  'Europe/Budapest': 'HUF',
};

export function defaultCurrency(city: Pick<CityRecord, 'timeZone'>): string {
  return currencyByZone[city.timeZone] ?? 'EUR';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateOf = (wall: WallTime) => `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;

function addDays(wall: WallTime, days: number): WallTime {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: 0,
    minute: 0,
    second: 0,
  };
}

const rruleInstant = (date: Date) => `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/** The index of each venue row in the form (rows are numbered `venues-<n>-<part>`; gaps are closed). */
function venueRows(body: FormBody): VenueFormValues[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(body)) {
    const match = /^venues-(\d{1,2})-/.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((index) => {
      const venue = { ...emptyVenue };
      for (const part of Object.keys(emptyVenue) as (keyof VenueFormValues)[]) {
        venue[part] = field(body, `venues-${index}-${part}`);
      }
      return venue;
    });
}

/** The form as the person filled it in: strings as typed, nothing dropped. */
export function readActivityForm(body: FormBody, languages: readonly string[]): ActivityFormValues {
  const perLanguage = (prefix: string) =>
    Object.fromEntries(languages.map((language) => [language, field(body, `${prefix}-${language}`)]));
  const skillIds = [...new Set(fields(body, 'skills'))];
  const venues = venueRows(body);
  return {
    title: perLanguage('title'),
    description: Object.fromEntries(languages.map((language) => [language, longText(body, `description-${language}`)])),
    format: field(body, 'format') || 'in_person',
    onlineUrl: field(body, 'onlineUrl'),
    venues: venues.length > 0 ? venues : [{ ...emptyVenue }],
    scheduleKind: field(body, 'scheduleKind') || 'once',
    startsAt: field(body, 'startsAt'),
    endsAt: field(body, 'endsAt'),
    allDay: field(body, 'allDay') === 'true',
    repeat: field(body, 'repeat'),
    interval: field(body, 'interval'),
    byDay: fields(body, 'byDay').filter((day) => (weekdays as readonly string[]).includes(day)),
    monthlyBy: field(body, 'monthlyBy') === 'weekday' ? 'weekday' : 'day',
    endBy: field(body, 'endBy') === 'until' ? 'until' : 'count',
    count: field(body, 'count'),
    until: field(body, 'until'),
    rruleAdvanced: field(body, 'rrule'),
    exdates: (Array.isArray(body.exdates) ? (body.exdates[0] ?? '') : (body.exdates ?? '')).trim(),
    ageMin: field(body, 'ageMin'),
    ageMax: field(body, 'ageMax'),
    costKind: field(body, 'costKind') || 'free',
    price: field(body, 'price'),
    currency: field(body, 'currency'),
    concessions: field(body, 'concessions'),
    languages: fields(body, 'languages'),
    otherLanguages: field(body, 'otherLanguages'),
    accessibility: fields(body, 'accessibility'),
    accessibilityNotes: field(body, 'accessibilityNotes'),
    capacity: field(body, 'capacity'),
    signupMode: field(body, 'signupMode') || 'none',
    signupUrl: field(body, 'signupUrl'),
    tags: field(body, 'tags'),
    skills: skillIds.map((id) => ({ id, level: skillLevelOf(body, id) })),
    skillsQuery: field(body, 'skillsQuery'),
    version: field(body, 'version'),
  };
}

const blankVenue = (venue: VenueFormValues) => Object.values(venue).every((value) => value === '');

/** The weekday of a wall time as an RRULE day (MO…SU). */
const weekdayOf = (wall: WallTime) =>
  weekdays[(new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7] as string;

/** The RRULE the builder describes, or the advanced rule when one was typed; null when neither. */
export function buildRrule(
  values: ActivityFormValues,
  start: WallTime | null,
  timeZone: string,
  errors: FieldErrors,
  t: (key: string) => string,
): string | null {
  if (values.rruleAdvanced) return values.rruleAdvanced;
  if (values.repeat !== 'weekly' && values.repeat !== 'monthly') return null;
  const parts = [`FREQ=${values.repeat.toUpperCase()}`];
  if (values.interval && values.interval !== '1') {
    if (!/^\d{1,2}$/.test(values.interval) || Number(values.interval) < 1) {
      errors.interval = t('activities:errors.wholeNumber');
    } else parts.push(`INTERVAL=${Number(values.interval)}`);
  }
  if (values.repeat === 'weekly' && values.byDay.length > 0) parts.push(`BYDAY=${values.byDay.join(',')}`);
  if (values.repeat === 'monthly' && values.monthlyBy === 'weekday' && start) {
    const nth = Math.ceil(start.day / 7);
    const daysInMonth = new Date(Date.UTC(start.year, start.month, 0)).getUTCDate();
    parts.push(`BYDAY=${start.day + 7 > daysInMonth ? '-1' : String(nth)}${weekdayOf(start)}`);
  }
  if (values.endBy === 'until' && values.until) {
    const day = parseWallTime(values.until);
    if (!day) errors.until = t('activities:errors.date');
    else parts.push(`UNTIL=${rruleInstant(instantOf({ ...day, hour: 23, minute: 59, second: 59 }, timeZone))}`);
  } else if (values.count) {
    if (!/^\d{1,3}$/.test(values.count) || Number(values.count) < 1) errors.count = t('activities:errors.wholeNumber');
    else parts.push(`COUNT=${Number(values.count)}`);
  }
  return parts.join(';');
}

/**
 * The `ActivityInput` of a filled-in form, the problems the form itself finds (a malformed number or date in the
 * recurrence builder), and which form row each venue of the input came from (empty rows are left out).
 */
export function activityInputFrom(
  values: ActivityFormValues,
  city: Pick<CityRecord, 'timeZone'>,
  t: (key: string) => string,
): { input: ActivityInput; errors: FieldErrors; venueRows: number[] } {
  const errors: FieldErrors = {};
  const zone = city.timeZone;
  const onDemand = values.scheduleKind === 'on_demand';
  const startWall = parseWallTime(values.startsAt);
  const endWall = parseWallTime(values.endsAt);
  // A date that cannot be read goes to the service as written, which reports it next to the field.
  let startsAt: string | null = values.startsAt || null;
  let endsAt: string | null = values.endsAt || null;
  if (values.allDay) {
    if (startWall) startsAt = instantOf({ ...startWall, hour: 0, minute: 0, second: 0 }, zone).toISOString();
    const lastDay = endWall ?? startWall;
    if (lastDay && (endWall || !values.endsAt)) endsAt = instantOf(addDays(lastDay, 1), zone).toISOString();
  } else {
    if (startWall) startsAt = instantOf(startWall, zone).toISOString();
    if (endWall) endsAt = instantOf(endWall, zone).toISOString();
  }
  const exdates = values.exdates
    .split(/[\n,;]+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const wall = parseWallTime(line);
      if (!wall) return line;
      const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(line);
      const time = values.allDay || !startWall ? { hour: 0, minute: 0, second: 0 } : startWall;
      return instantOf(
        dateOnly ? { ...wall, hour: time.hour, minute: time.minute, second: time.second } : wall,
        zone,
      ).toISOString();
    });
  const rrule = values.scheduleKind === 'recurring' ? buildRrule(values, startWall, zone, errors, t) : null;

  const rows: number[] = [];
  const venues: VenueInput[] = [];
  values.venues.forEach((venue, index) => {
    if (blankVenue(venue)) return;
    rows.push(index);
    venues.push({
      name: venue.name,
      street: venue.street,
      postcode: venue.postcode,
      locality: venue.locality,
      lat: decimal(venue.lat),
      lon: decimal(venue.lon),
    });
  });

  let priceCents: number | null = null;
  if (values.costKind === 'paid') {
    const normalised = values.price.replace(',', '.');
    if (!/^\d{1,7}(?:\.\d{1,2})?$/.test(normalised) || Number(normalised) <= 0)
      errors.price = t('activities:errors.price');
    else priceCents = Math.round(Number(normalised) * 100);
  }
  const otherLanguages = values.otherLanguages
    .split(/[\s,;]+/)
    .map((code) => code.trim().toLowerCase())
    .filter(Boolean);
  const input: ActivityInput = {
    title: Object.fromEntries(Object.entries(values.title).filter(([, text]) => text !== '')),
    description: Object.fromEntries(Object.entries(values.description).filter(([, text]) => text !== '')),
    format: values.format as ActivityInput['format'],
    onlineUrl: values.onlineUrl || null,
    venues,
    scheduleKind: values.scheduleKind as ActivityInput['scheduleKind'],
    startsAt: onDemand ? null : startsAt,
    endsAt: onDemand ? null : endsAt,
    allDay: !onDemand && values.allDay,
    rrule,
    exdates: onDemand ? [] : exdates,
    ageMin: integerOrInvalid(values.ageMin),
    ageMax: integerOrInvalid(values.ageMax),
    costKind: values.costKind as ActivityInput['costKind'],
    priceCents,
    currency: values.costKind === 'paid' ? values.currency : null,
    concessions: values.concessions,
    languages: [...new Set([...values.languages, ...otherLanguages])],
    accessibility: values.accessibility,
    accessibilityNotes: values.accessibilityNotes,
    capacity: integerOrInvalid(values.capacity),
    signupMode: values.signupMode as ActivityInput['signupMode'],
    signupUrl: values.signupUrl || null,
    tags: values.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean),
    skills: values.skills.map((skill) => ({
      skillId: skill.id,
      level: skill.level === '' ? null : Number(skill.level),
    })),
  };
  return { input, errors, venueRows: rows };
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};

/**
 * A stored description for the textarea: the service turns plain paragraphs into `<p>` and `<br>`, so a description
 * that is only that goes back to plain text (saving it again gives the same HTML); richer HTML is shown as HTML.
 */
export function descriptionForEditing(stored: string): string {
  const onlyParagraphs = /^(?:<p>(?:(?!<\/?p>)[\s\S])*<\/p>)+$/.test(stored);
  const otherTags = stored.replace(/<\/?p>|<br\s*\/?>/g, '');
  if (!onlyParagraphs || /<[a-z/]/i.test(otherTags)) return stored;
  return stored
    .replace(/^<p>|<\/p>$/g, '')
    .split(/<\/p><p>/)
    .map((paragraph) =>
      paragraph.replace(/<br\s*\/?>/g, '\n').replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => entities[e] ?? e),
    )
    .join('\n\n');
}

/** The recurrence builder's fields for a stored rule it can show; anything else goes to the advanced field. */
export function builderFromRrule(rule: string, timeZone: string): RecurrenceFormValues {
  const advanced = { ...emptyRecurrence(), rruleAdvanced: rule };
  const parts = new Map<string, string>();
  for (const part of rule.split(';')) {
    const [key, value] = part.split('=');
    if (!key || value === undefined || parts.has(key)) return advanced;
    parts.set(key.toUpperCase(), value.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'WEEKLY' && freq !== 'MONTHLY') return advanced;
  if ([...parts.keys()].some((key) => !['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL'].includes(key))) return advanced;
  const interval = parts.get('INTERVAL') ?? '1';
  if (!/^\d{1,2}$/.test(interval)) return advanced;
  const byDay = parts.get('BYDAY')?.split(',') ?? [];
  let monthlyBy = 'day';
  if (freq === 'WEEKLY' && !byDay.every((day) => (weekdays as readonly string[]).includes(day))) return advanced;
  if (freq === 'MONTHLY' && byDay.length > 0) {
    if (byDay.length > 1 || !/^(?:-1|[1-4])(?:MO|TU|WE|TH|FR|SA|SU)$/.test(byDay[0] as string)) return advanced;
    monthlyBy = 'weekday';
  }
  let until = '';
  const untilText = parts.get('UNTIL');
  if (untilText) {
    const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(untilText);
    if (!match) return advanced;
    const instant = new Date(
      Date.UTC(
        Number(match[1]),
        Number(match[2]) - 1,
        Number(match[3]),
        Number(match[4] ?? 0),
        Number(match[5] ?? 0),
        Number(match[6] ?? 0),
      ),
    );
    until = dateOf(wallTimeIn(instant, timeZone));
  }
  return {
    repeat: freq.toLowerCase(),
    interval,
    byDay: freq === 'WEEKLY' ? byDay : [],
    monthlyBy,
    endBy: untilText ? 'until' : 'count',
    count: parts.get('COUNT') ?? '',
    until,
    rruleAdvanced: '',
  };
}

/** The form filled with a stored activity, in the city's local time. */
export function formFromActivity(activity: ActivityDetails, city: CityRecord): ActivityFormValues {
  const languages = cityLanguages(city);
  const zone = city.timeZone;
  const empty = emptyActivityForm(languages, defaultCurrency(city));
  const startsAt = activity.startsAt ? new Date(activity.startsAt) : null;
  const endsAt = activity.endsAt ? new Date(activity.endsAt) : null;
  const shownEnd = endsAt && activity.allDay ? new Date(endsAt.getTime() - 60_000) : endsAt;
  const startTime = startsAt ? wallTimeIn(startsAt, zone) : null;
  const exdates = activity.exdates.map((date) => {
    const wall = wallTimeIn(new Date(date), zone);
    const sameTime = startTime && wall.hour === startTime.hour && wall.minute === startTime.minute;
    return sameTime || activity.allDay ? dateOf(wall) : toLocalInput(new Date(date), zone);
  });
  const languagesOf = (texts: Record<string, string>, transform: (text: string) => string = (text) => text) => ({
    ...Object.fromEntries(languages.map((language) => [language, ''])),
    ...Object.fromEntries(Object.entries(texts).map(([language, text]) => [language, transform(text)])),
  });
  return {
    ...empty,
    title: languagesOf(activity.title),
    description: languagesOf(activity.description, descriptionForEditing),
    format: activity.format,
    onlineUrl: activity.onlineUrl ?? '',
    venues:
      activity.venues.length > 0
        ? activity.venues.map((venue) => ({
            name: venue.name,
            street: venue.street,
            postcode: venue.postcode,
            locality: venue.locality,
            lat: String(venue.lat),
            lon: String(venue.lon),
          }))
        : [{ ...emptyVenue }],
    scheduleKind: activity.scheduleKind,
    startsAt: startsAt ? toLocalInput(startsAt, zone) : '',
    endsAt: shownEnd ? toLocalInput(shownEnd, zone) : '',
    allDay: activity.allDay,
    ...(activity.rrule ? builderFromRrule(activity.rrule, zone) : {}),
    exdates: exdates.join('\n'),
    ageMin: activity.ageMin === null ? '' : String(activity.ageMin),
    ageMax: activity.ageMax === null ? '' : String(activity.ageMax),
    costKind: activity.costKind,
    price: activity.priceCents === null ? '' : (activity.priceCents / 100).toFixed(2),
    currency: activity.currency ?? empty.currency,
    concessions: activity.concessions,
    languages: activity.languages,
    otherLanguages: '',
    accessibility: activity.accessibility,
    accessibilityNotes: activity.accessibilityNotes,
    capacity: activity.capacity === null ? '' : String(activity.capacity),
    signupMode: activity.signupMode,
    signupUrl: activity.signupUrl ?? '',
    tags: activity.tags.join(', '),
    skills: activity.skills.map((skill) => ({
      id: skill.skillId,
      level: skill.level === null ? '' : String(skill.level),
    })),
    skillsQuery: '',
    version: String(activity.version),
  };
}

/**
 * Field errors keyed like the form's fields (`venues-0-lat`, `title-en`, `price`) from the service's JSON pointers;
 * a pointer to something the form has no field for goes to its nearest parent, or to the whole form.
 */
export function errorsFromDetails(
  details: ProblemLike[],
  values: ActivityFormValues,
  venueRowsOfInput: number[],
  t: (key: string, params?: Record<string, unknown>) => string,
): FieldErrors {
  const known = new Set<string>([
    ...activityFieldNames,
    ...Object.keys(values.title).map((language) => `title-${language}`),
    ...Object.keys(values.description).map((language) => `description-${language}`),
  ]);
  values.venues.forEach((_, index) => {
    known.add(`venues-${index}`);
    for (const part of Object.keys(emptyVenue)) known.add(`venues-${index}-${part}`);
  });
  const errors: FieldErrors = {};
  for (const detail of details) {
    const segments = (detail.field ?? '').split('/').filter(Boolean);
    if (segments[0] === 'venues' && segments[1] !== undefined) {
      segments[1] = String(venueRowsOfInput[Number(segments[1])] ?? segments[1]);
    }
    if (segments[0] === 'priceCents') {
      errors.price ??= t('activities:errors.price');
      continue;
    }
    if (segments[0] === 'rrule' && !values.rruleAdvanced) segments[0] = 'repeat';
    // Problems with a key are said in the page's language; others as the service wrote them.
    errors[nearestFormField(segments, known) || '_form'] ??= problemText(detail, t);
  }
  return errors;
}

// ── Routes ──────────────────────────────────────────────────────────────────────────────────────────────────────

const ActivityParams = Type.Object({ citySlug: Slug, organisationId: Uuid, activityId: Uuid });
const ImageParams = Type.Object({ citySlug: Slug, organisationId: Uuid, activityId: Uuid, imageId: Uuid });
const CuratorParams = Type.Object({ citySlug: Slug, activityId: Uuid });
/** Form bodies: every field optional, so the access rule and then the service answer (descriptions may be long). */
const ActivityFormBody = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: 25_000 }), Type.Array(Type.String({ maxLength: 25_000 }), { maxItems: 200 })]),
);

function titleText(texts: Record<string, string>, context: PageContext, city: CityRecord) {
  const picked = pickText(texts, context.language, [city.defaultLanguage]);
  return { text: picked.text, language: picked.language };
}

function rowOf(summary: ActivitySummary, context: PageContext, city: CityRecord): ActivityRow {
  return { ...summary, title: titleText(summary.title, context, city) };
}

const listNotices = ['created', 'submitted', 'published', 'archived', 'saved'];
const formNotices = ['created', 'saved', 'imageAdded', 'imageRemoved'];
const queueNotices = ['approved', 'returned'];

export async function activitiesPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;

  const uploadLimit = MAX_IMAGE_BYTES * 2 + 64 * 1024;
  acceptMultipartUploads(instance, uploadLimit);

  /** The organisation (of this city) and whether its activities skip review. */
  async function organisationOf(city: CityRecord, organisationId: string) {
    const organisation = await organisationInCity(app.db, city, organisationId);
    return {
      id: organisation.id,
      name: organisation.name,
      slug: organisation.slug,
      trusted: organisation.trusted,
    };
  }

  /** An activity of the organisation in the URL; another organisation's activity is not found here. */
  async function activityOf(request: FastifyRequest, organisationId: string, activityId: string) {
    const activity = await getActivity(app.db, cityOf(request), activityId, request.actor);
    if (activity.organisationId !== organisationId) throw new AppError('ACTIVITY_NOT_FOUND');
    return activity;
  }

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      organisationId: string;
      activity?: ActivityDetails;
      values: ActivityFormValues;
      errors?: FieldErrors;
      formError?: string;
      notice?: string;
      searchSkills?: boolean;
      imageErrors?: FieldErrors;
      imageAlt?: Record<string, string>;
      status?: number;
    },
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const organisation = await organisationOf(city, options.organisationId);
    const languages = cityLanguages(city);
    const skills = await skillPickerOf(
      app.db,
      city,
      context.language,
      options.values.skills,
      options.searchSkills ? options.values.skillsQuery : '',
    );
    const { activity } = options;
    const base = manageBase(city, options.organisationId);
    const page: ActivityFormPage = {
      mode: activity ? 'edit' : 'new',
      manageBase: base,
      organisation,
      activity: activity
        ? {
            id: activity.id,
            slug: activity.slug,
            status: activity.status,
            moderationNote: activity.moderationNote,
            images: activity.images,
            title: titleText(activity.title, context, city).text,
          }
        : undefined,
      values: options.values,
      errors: options.errors ?? {},
      formError: options.formError,
      notice: options.notice,
      languages,
      timeZone: city.timeZone,
      languageChoices: [...new Set([...languages, ...commonLanguages, ...options.values.languages])],
      accessibilityFeatures,
      currencies,
      map: {
        styleUrl: mapStyleUrlFor(app.config, city.slug),
        center: { lon: city.centerLon, lat: city.centerLat },
        zoom: city.defaultZoom,
        bounds: { west: city.boundsWest, south: city.boundsSouth, east: city.boundsEast, north: city.boundsNorth },
      },
      skills,
      descriptionTags: allowedDescriptionTags,
      signupsHref:
        activity && activity.signupMode === 'internal' && activity.status === 'published'
          ? `${base}/activities/${activity.id}/sign-ups`
          : undefined,
      imageErrors: options.imageErrors,
      imageAlt: options.imageAlt,
    };
    return sendPage(reply, activityFormPage(context, page), options.status ?? 200);
  }

  /**
   * Handles a post of the form: the no-script helpers (add or remove a venue row, search skills) re-render it;
   * save and submit go to the service, and any problem comes back next to its field with everything kept.
   */
  async function handleForm(
    request: FastifyRequest,
    reply: FastifyReply,
    organisationId: string,
    body: FormBody,
    activity: ActivityDetails | undefined,
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const t = (key: string, params?: Record<string, unknown>) => context.t(key, params);
    const values = readActivityForm(body, cityLanguages(city));
    const intent = field(body, 'intent') || 'save';
    if (intent === 'addVenue') {
      values.venues.push({ ...emptyVenue });
      return renderForm(request, reply, { organisationId, activity, values });
    }
    if (intent.startsWith('removeVenue:')) {
      const index = Number(intent.slice('removeVenue:'.length));
      if (values.venues.length > 1 && Number.isInteger(index)) values.venues.splice(index, 1);
      return renderForm(request, reply, { organisationId, activity, values });
    }
    if (intent === 'searchSkills') {
      return renderForm(request, reply, { organisationId, activity, values, searchSkills: true });
    }
    const submit = intent === 'submit';
    const { input, errors: formProblems, venueRows: rows } = activityInputFrom(values, city, t);
    const fail = (errors: FieldErrors, status: number, formError?: string) =>
      renderForm(request, reply, { organisationId, activity, values, errors, formError, status });
    if (Object.keys(formProblems).length > 0) {
      const { problems } = validateActivityInput(city, input);
      return fail({ ...errorsFromDetails(problems, values, rows, t), ...formProblems }, 400);
    }
    try {
      const caller = callerOf(request);
      let saved: ActivityDetails;
      if (activity) {
        saved = await updateActivity(app.db, city, activity.id, input, caller, {
          expectedVersion: /^\d+$/.test(values.version) ? Number(values.version) : undefined,
          publicUrl: app.config.publicUrl,
        });
        await fillFreePlacesOfActivity(app.db, city, saved.id, app.config.publicUrl);
        if (submit && saved.status === 'draft') saved = await submitActivity(app.db, city, saved.id, caller);
      } else {
        saved = await createActivity(app.db, city, organisationId, input, caller, { submit });
      }
      const base = manageBase(city, organisationId);
      if (submit) {
        const done = saved.status === 'published' ? 'published' : 'submitted';
        return reply.redirect(`${base}/activities?status=${saved.status}&done=${done}`, 303);
      }
      return reply.redirect(`${base}/activities/${saved.id}/edit?done=${activity ? 'saved' : 'created'}`, 303);
    } catch (error) {
      rethrowUnlessFormProblem(error);
      if (error.code === 'ACTIVITY_VERSION_CONFLICT') {
        return fail({}, 409, t('activities:errors.versionConflict'));
      }
      if (error.details.length > 0) return fail(errorsFromDetails(error.details, values, rows, t), error.status);
      return fail({}, error.status, error.message);
    }
  }

  const base = '/c/:citySlug/manage/:organisationId/activities';

  app.get(
    base,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const organisation = await organisationOf(city, request.params.organisationId);
      const tab = listTab(listTabs, request.query.status);
      const page = await listOrganisationActivities(app.db, city, organisation.id, request.actor, {
        status: tab,
        cursor: request.query.cursor,
      });
      const done = request.query.done;
      return sendPage(
        reply,
        activityListPage(context, {
          manageBase: manageBase(city, organisation.id),
          organisation,
          tab,
          items: page.items.map((item) => rowOf(item, context, city)),
          nextCursor: page.nextCursor,
          firstPage: !request.query.cursor,
          timeZone: city.timeZone,
          notice: done && listNotices.includes(done) ? context.t(`activities:notices.${done}`) : undefined,
        }),
      );
    },
  );

  app.get(
    `${base}/new`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      if (city.status === 'archived') throw new AppError('CITY_ARCHIVED');
      return renderForm(request, reply, {
        organisationId: request.params.organisationId,
        values: emptyActivityForm(cityLanguages(city), defaultCurrency(city)),
      });
    },
  );

  app.post(
    `${base}/new`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, body: ActivityFormBody } },
    async (request, reply) => {
      await organisationOf(cityOf(request), request.params.organisationId);
      return handleForm(request, reply, request.params.organisationId, request.body ?? {}, undefined);
    },
  );

  app.get(
    `${base}/:activityId/edit`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ActivityParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      const context = cityPageContext(request, reply, city);
      const done = request.query.done;
      return renderForm(request, reply, {
        organisationId: request.params.organisationId,
        activity,
        values: formFromActivity(activity, city),
        notice: done && formNotices.includes(done) ? context.t(`activities:notices.${done}`) : undefined,
      });
    },
  );

  app.post(
    `${base}/:activityId/edit`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ActivityParams, body: ActivityFormBody } },
    async (request, reply) => {
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      return handleForm(request, reply, request.params.organisationId, request.body ?? {}, activity);
    },
  );

  /** Submit / archive from the list; a state conflict (already submitted elsewhere) is shown on the list. */
  async function changeFromList(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { organisationId: string; activityId: string },
    change: 'submit' | 'archive',
  ) {
    const city = cityOf(request);
    const activity = await activityOf(request, params.organisationId, params.activityId);
    const listBase = `${manageBase(city, params.organisationId)}/activities`;
    try {
      const changed =
        change === 'submit'
          ? await submitActivity(app.db, city, activity.id, callerOf(request))
          : await archiveActivity(app.db, city, activity.id, callerOf(request));
      const done = change === 'archive' ? 'archived' : changed.status === 'published' ? 'published' : 'submitted';
      return reply.redirect(`${listBase}?status=${changed.status}&done=${done}`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'ACTIVITY_STATE_CONFLICT') throw error;
      const context = cityPageContext(request, reply, city);
      const organisation = await organisationOf(city, params.organisationId);
      const page = await listOrganisationActivities(app.db, city, organisation.id, request.actor, {
        status: activity.status,
      });
      return sendPage(
        reply,
        activityListPage(context, {
          manageBase: manageBase(city, organisation.id),
          organisation,
          tab: activity.status,
          items: page.items.map((item) => rowOf(item, context, city)),
          nextCursor: page.nextCursor,
          firstPage: true,
          timeZone: city.timeZone,
          error: error.message,
        }),
        409,
      );
    }
  }

  app.post(
    `${base}/:activityId/submit`,
    {
      config: { access: 'organisation_staff' },
      schema: { hide, params: ActivityParams, body: Type.Optional(ActivityFormBody) },
    },
    (request, reply) => changeFromList(request, reply, request.params, 'submit'),
  );

  app.post(
    `${base}/:activityId/archive`,
    {
      config: { access: 'organisation_staff' },
      schema: { hide, params: ActivityParams, body: Type.Optional(ActivityFormBody) },
    },
    (request, reply) => changeFromList(request, reply, request.params, 'archive'),
  );

  async function renderHistory(
    request: FastifyRequest,
    reply: FastifyReply,
    activity: ActivityDetails,
    trail: (context: PageContext) => { href: string; label: string }[],
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const revisions = await listActivityRevisions(app.db, city, activity.id, request.actor);
    return sendPage(
      reply,
      activityHistoryPage(context, {
        activity: {
          id: activity.id,
          slug: activity.slug,
          status: activity.status,
          title: titleText(activity.title, context, city),
        },
        trail: trail(context),
        revisions,
        timeZone: city.timeZone,
      }),
    );
  }

  app.get(
    `${base}/:activityId/history`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ActivityParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      const organisation = await organisationOf(city, request.params.organisationId);
      const orgBase = manageBase(city, organisation.id);
      return renderHistory(request, reply, activity, (context) => [
        { href: orgBase, label: organisation.name },
        { href: `${orgBase}/activities`, label: context.t('activities:list.title') },
        { href: `${orgBase}/activities/${activity.id}/edit`, label: titleText(activity.title, context, city).text },
      ]);
    },
  );

  // Images: upload with alt text per language; removal asks first (a page of its own, so it works without scripts).

  app.post(
    `${base}/:activityId/images`,
    { config: { access: 'organisation_staff' }, bodyLimit: uploadLimit, schema: { hide, params: ActivityParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      const body = (request.body ?? {}) as MultipartBody;
      const alt: Record<string, string> = {};
      for (const language of cityLanguages(city)) {
        const text = body[`alt-${language}`];
        if (typeof text === 'string') alt[language] = text.trim();
      }
      const context = cityPageContext(request, reply, city);
      try {
        const bytes = uploadedImage(body, context.t('activities:images.choose'));
        await addActivityImage(app.db, city, activity.id, { bytes, alt }, callerOf(request));
        return reply.redirect(
          `${manageBase(city, request.params.organisationId)}/activities/${activity.id}/edit?done=imageAdded#images`,
          303,
        );
      } catch (error) {
        rethrowUnlessFormProblem(error);
        const imageErrors: FieldErrors = {};
        for (const detail of error.details.length > 0 ? error.details : [{ field: '/image', problem: error.message }]) {
          const key = (detail.field ?? '/image').replace(/^\//, '').replace('/', '-');
          imageErrors[key === 'image' || key.startsWith('alt-') ? key : 'image'] ??= detail.problem;
        }
        return renderForm(request, reply, {
          organisationId: request.params.organisationId,
          activity,
          values: formFromActivity(activity, city),
          imageErrors,
          imageAlt: alt,
          status: error.status,
        });
      }
    },
  );

  app.get(
    `${base}/:activityId/images/:imageId/remove`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ImageParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      const image = activity.images.find((candidate) => candidate.id === request.params.imageId);
      if (!image) throw new AppError('NOT_FOUND');
      const context = cityPageContext(request, reply, city);
      const editHref = `${manageBase(city, request.params.organisationId)}/activities/${activity.id}/edit`;
      return sendPage(
        reply,
        removeImagePage(context, {
          activityTitle: titleText(activity.title, context, city).text,
          image: {
            url: image.url,
            alt: pickText(image.alt, context.language, [city.defaultLanguage]).text,
            width: image.width,
            height: image.height,
          },
          action: `${manageBase(city, request.params.organisationId)}/activities/${activity.id}/images/${image.id}/remove`,
          cancelHref: `${editHref}#images`,
        }),
      );
    },
  );

  app.post(
    `${base}/:activityId/images/:imageId/remove`,
    {
      config: { access: 'organisation_staff' },
      schema: { hide, params: ImageParams, body: Type.Optional(ActivityFormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await activityOf(request, request.params.organisationId, request.params.activityId);
      await removeActivityImage(app.db, city, activity.id, request.params.imageId, callerOf(request));
      return reply.redirect(
        `${manageBase(city, request.params.organisationId)}/activities/${activity.id}/edit?done=imageRemoved#images`,
        303,
      );
    },
  );

  // Curators: the moderation queue (submitted activities, oldest first), approve, return with comments, history.

  const queueBase = '/c/:citySlug/curate/activities';

  async function renderQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      cursor?: string;
      notice?: string;
      errors?: Record<string, FieldErrors>;
      values?: Record<string, string>;
      status?: number;
    },
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const page = await listModerationQueue(app.db, city, request.actor, { cursor: options.cursor });
    return sendPage(
      reply,
      moderationQueuePage(context, {
        items: page.items.map((item) => rowOf(item, context, city)),
        nextCursor: page.nextCursor,
        firstPage: !options.cursor,
        timeZone: city.timeZone,
        errors: options.errors ?? {},
        values: options.values ?? {},
        notice: options.notice,
      }),
      options.status ?? 200,
    );
  }

  app.get(
    queueBase,
    { config: { access: 'city_curator' }, schema: { hide, params: CityParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const context = cityPageContext(request, reply, cityOf(request));
      const done = request.query.done;
      return renderQueue(request, reply, {
        cursor: request.query.cursor,
        notice: done && queueNotices.includes(done) ? context.t(`activities:notices.${done}`) : undefined,
      });
    },
  );

  async function moderate(
    request: FastifyRequest,
    reply: FastifyReply,
    activityId: string,
    body: FormBody | undefined,
    decision: 'approve' | 'return',
  ) {
    const city = cityOf(request);
    const note = field(body, 'note');
    const context = cityPageContext(request, reply, city);
    try {
      if (decision === 'return' && !note) {
        throw new AppError('VALIDATION_FAILED', undefined, [
          { field: '/note', problem: context.t('activities:queue.noteRequired') },
        ]);
      }
      if (decision === 'approve') await approveActivity(app.db, city, activityId, callerOf(request));
      else await returnActivity(app.db, city, activityId, note, callerOf(request));
      return reply.redirect(
        `/c/${city.slug}/curate/activities?done=${decision === 'approve' ? 'approved' : 'returned'}`,
        303,
      );
    } catch (error) {
      rethrowUnlessFormProblem(error);
      const errors: FieldErrors = {};
      for (const detail of error.details.length > 0 ? error.details : [{ field: '', problem: error.message }]) {
        errors[detail.field === '/note' ? 'note' : '_form'] ??= detail.problem;
      }
      return renderQueue(request, reply, {
        errors: { [activityId]: errors },
        values: { [activityId]: note },
        status: error.status,
      });
    }
  }

  app.post(
    `${queueBase}/:activityId/approve`,
    {
      config: { access: 'city_curator' },
      schema: { hide, params: CuratorParams, body: Type.Optional(ActivityFormBody) },
    },
    (request, reply) => moderate(request, reply, request.params.activityId, request.body, 'approve'),
  );

  app.post(
    `${queueBase}/:activityId/return`,
    {
      config: { access: 'city_curator' },
      schema: { hide, params: CuratorParams, body: Type.Optional(ActivityFormBody) },
    },
    (request, reply) => moderate(request, reply, request.params.activityId, request.body, 'return'),
  );

  app.get(
    `${queueBase}/:activityId/history`,
    { config: { access: 'city_curator' }, schema: { hide, params: CuratorParams, querystring: OrganiserQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await getActivity(app.db, city, request.params.activityId, request.actor);
      return renderHistory(request, reply, activity, (context) => [
        { href: `/c/${city.slug}/curate`, label: context.t('organisations:curate.hubTitle') },
        { href: `/c/${city.slug}/curate/activities`, label: context.t('activities:queue.title') },
      ]);
    },
  );
}
