import { localDateTime } from './time-zones.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type ActivityPageData, activityPage } from '../../../web/pages/activity-page.ts';
import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { resolveLanguage, sendPage } from '../../plugins/web.ts';
import { canActForOrganisation } from '../accounts/actor.ts';
import { listBadgesOfActivity } from '../badges/badge-classes.repo.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages } from '../cities/cities.service.ts';
import { mapStyleUrlFor } from '../geo/geo.style.ts';
import { cityPageContext } from '../organisations/form-body.ts';
import { skillPagePath } from '../skills/skills.service.ts';
import { activitiesToICalendar } from './activities.export.ts';
import { type ActivityDetails, getActivity, listSessions, type SessionRecord } from './activities.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const ActivitySlug = Type.String({ minLength: 1, maxLength: 200, pattern: '^[a-z0-9-]+$' });
export const ActivityPageParams = Type.Object({ citySlug: Slug, slug: ActivitySlug });

/** How many upcoming dates the page lists. */
const UPCOMING_SESSIONS = 12;

export function activityPath(citySlug: string, activitySlug: string): string {
  return `/c/${citySlug}/activities/${activitySlug}`;
}

/** Text in the page language, else the city's default, else any of the city's languages, else whatever exists. */
export function textIn(
  texts: Record<string, string> | undefined,
  language: string,
  city: Pick<CityRecord, 'defaultLanguage' | 'languages'>,
): { text: string; language: string } {
  for (const candidate of [language, city.defaultLanguage, ...city.languages]) {
    const text = texts?.[candidate];
    if (text) return { text, language: candidate };
  }
  const [first] = Object.entries(texts ?? {}).filter(([, text]) => text);
  return first ? { text: first[1], language: first[0] } : { text: '', language };
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** Sanitised HTML as plain text (for meta descriptions and JSON-LD); the result is escaped again where it is used. */
export function plainText(markup: string): string {
  return markup
    .replace(/<(br|\/p|\/li|\/h\d)[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => entities[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Places left in a session: its own capacity or the activity's, minus confirmed places; null when unlimited. */
export function placesLeft(session: SessionRecord, activityCapacity: number | null): number | null {
  const capacity = session.capacity ?? activityCapacity;
  return capacity === null ? null : Math.max(0, capacity - session.confirmedCount);
}

const schemaDays: Record<string, string> = {
  MO: 'https://schema.org/Monday',
  TU: 'https://schema.org/Tuesday',
  WE: 'https://schema.org/Wednesday',
  TH: 'https://schema.org/Thursday',
  FR: 'https://schema.org/Friday',
  SA: 'https://schema.org/Saturday',
  SU: 'https://schema.org/Sunday',
};

function rruleParts(rrule: string): Map<string, string> {
  return new Map(
    rrule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((part) => part.split('='))
      .map(([key, value]) => [(key ?? '').toUpperCase(), value ?? ''] as const),
  );
}

/** schema.org `Schedule` for a recurring activity (https://schema.org/Schedule). */
function eventSchedule(activity: ActivityDetails, timeZone: string): Record<string, unknown> | undefined {
  if (activity.scheduleKind !== 'recurring' || !activity.rrule || !activity.startsAt) return undefined;
  const parts = rruleParts(activity.rrule);
  const unit = { DAILY: 'D', WEEKLY: 'W', MONTHLY: 'M', YEARLY: 'Y' }[parts.get('FREQ') ?? ''];
  const interval = Math.max(1, Number(parts.get('INTERVAL') ?? 1) || 1);
  const start = localDateTime(activity.startsAt, timeZone);
  const days = (parts.get('BYDAY') ?? '')
    .split(',')
    .map((day) => schemaDays[day.replace(/^[+-]?\d+/, '')])
    .filter(Boolean);
  const count = Number(parts.get('COUNT') ?? 0);
  return {
    '@type': 'Schedule',
    startDate: start.date,
    ...(activity.lastEndAt ? { endDate: localDateTime(activity.lastEndAt, timeZone).date } : {}),
    ...(activity.allDay
      ? {}
      : {
          startTime: start.time,
          ...(activity.endsAt ? { endTime: localDateTime(activity.endsAt, timeZone).time } : {}),
        }),
    ...(unit ? { repeatFrequency: `P${interval}${unit}` } : {}),
    ...(days.length > 0 ? { byDay: days } : {}),
    ...(count > 0 ? { repeatCount: count } : {}),
    ...(activity.exdates.length > 0 ? { exceptDate: activity.exdates.map((d) => new Date(d).toISOString()) } : {}),
    scheduleTimezone: timeZone,
  };
}

export interface JsonLdOptions {
  url: string;
  origin: string;
  citySlug: string;
  timeZone: string;
  /** The page language (skill names). */
  language: string;
  title: string;
  summary: string;
  imageUrls: string[];
  sessions: SessionRecord[];
}

/**
 * schema.org JSON-LD: an `Event` for dated activities (with `eventSchedule` when recurring), a `Course` for
 * on-demand ones. Dates are ISO 8601 instants; all-day events use calendar dates in the city's zone.
 */
export function activityJsonLd(activity: ActivityDetails, options: JsonLdOptions): Record<string, unknown> {
  const { timeZone } = options;
  const organisation = {
    '@type': 'Organization',
    name: activity.organisation.name,
    url: `${options.origin}/c/${options.citySlug}/organisations/${activity.organisation.slug}`,
  };
  const places = activity.venues.map((venue) => ({
    '@type': 'Place',
    name: venue.name || venue.street,
    address: {
      '@type': 'PostalAddress',
      ...(venue.street ? { streetAddress: venue.street } : {}),
      ...(venue.postcode ? { postalCode: venue.postcode } : {}),
      ...(venue.locality ? { addressLocality: venue.locality } : {}),
      ...(venue.district ? { addressRegion: venue.district } : {}),
    },
    geo: { '@type': 'GeoCoordinates', latitude: venue.lat, longitude: venue.lon },
  }));
  const virtual =
    activity.format === 'in_person' ? [] : [{ '@type': 'VirtualLocation', url: activity.onlineUrl ?? options.url }];
  const locations = [...places, ...virtual];
  const upcoming = options.sessions.filter((s) => !s.cancelledAt && s.startsAt.getTime() > Date.now());
  const full =
    activity.signupMode === 'internal' &&
    upcoming.length > 0 &&
    upcoming.every((session) => placesLeft(session, activity.capacity) === 0);
  const free = activity.costKind === 'free' || !activity.priceCents;
  const offers = {
    '@type': 'Offer',
    url: activity.signupMode === 'external' && activity.signupUrl ? activity.signupUrl : options.url,
    price: free ? 0 : Number(((activity.priceCents ?? 0) / 100).toFixed(2)),
    ...(activity.currency ? { priceCurrency: activity.currency } : {}),
    availability: full ? 'https://schema.org/SoldOut' : 'https://schema.org/InStock',
  };
  const ageRange =
    activity.ageMin !== null || activity.ageMax !== null ? `${activity.ageMin ?? ''}-${activity.ageMax ?? ''}` : null;
  const common = {
    '@context': 'https://schema.org',
    name: options.title,
    ...(options.summary ? { description: options.summary } : {}),
    url: options.url,
    ...(options.imageUrls.length > 0 ? { image: options.imageUrls } : {}),
    ...(activity.languages.length > 0
      ? { inLanguage: activity.languages.length === 1 ? activity.languages[0] : activity.languages }
      : {}),
    ...(ageRange ? { typicalAgeRange: ageRange } : {}),
    isAccessibleForFree: free,
    offers,
  };
  if (activity.scheduleKind === 'on_demand') {
    const courseMode = { in_person: 'onsite', online: 'online', blended: 'blended' }[activity.format];
    return {
      ...common,
      '@type': 'Course',
      provider: organisation,
      ...(activity.skills.length > 0
        ? {
            teaches: activity.skills.map(
              (skill) => skill.label[options.language] ?? Object.values(skill.label)[0] ?? skill.code,
            ),
          }
        : {}),
      hasCourseInstance: {
        '@type': 'CourseInstance',
        courseMode,
        courseSchedule: { '@type': 'Schedule', repeatFrequency: 'P1D' },
        ...(locations.length > 0 ? { location: locations.length === 1 ? locations[0] : locations } : {}),
      },
    };
  }
  const attendance = {
    in_person: 'https://schema.org/OfflineEventAttendanceMode',
    online: 'https://schema.org/OnlineEventAttendanceMode',
    blended: 'https://schema.org/MixedEventAttendanceMode',
  }[activity.format];
  const instant = (date: Date) => (activity.allDay ? localDateTime(date, timeZone).date : new Date(date).toISOString());
  // All-day ends are the midnight after the last day; schema.org wants the last day itself.
  const endOf = (date: Date) => (activity.allDay ? new Date(date.getTime() - 1) : date);
  const end = activity.scheduleKind === 'once' ? activity.endsAt : (activity.lastEndAt ?? activity.endsAt);
  const schedule = eventSchedule(activity, timeZone);
  return {
    ...common,
    '@type': 'Event',
    eventStatus: 'https://schema.org/EventScheduled',
    eventAttendanceMode: attendance,
    ...(activity.startsAt ? { startDate: instant(activity.startsAt) } : {}),
    ...(end ? { endDate: instant(endOf(end)) } : {}),
    ...(locations.length > 0 ? { location: locations.length === 1 ? locations[0] : locations } : {}),
    organizer: organisation,
    ...(schedule ? { eventSchedule: schedule } : {}),
  };
}

/** One page of an organisation's published activities that have dates to come (or are on demand). */
export async function listOrganisationUpcomingActivities(
  db: SqlRunner,
  cityId: string,
  organisationId: string,
  page: { limit: number; offset: number },
): Promise<{
  items: {
    slug: string;
    title: Record<string, string>;
    nextStartAt: Date | null;
    format: string;
    district: string | null;
  }[];
  total: number;
}> {
  const where = `city_id = $1 AND organisation_id = $2 AND status = 'published'
    AND (schedule_kind = 'on_demand' OR last_end_at >= now())`;
  const [items, count] = await Promise.all([
    db.query<{
      slug: string;
      title: Record<string, string>;
      nextStartAt: Date | null;
      format: string;
      district: string | null;
    }>(
      `SELECT slug, title, next_start_at AS "nextStartAt", format, district FROM activities
        WHERE ${where} ORDER BY next_start_at NULLS LAST, slug LIMIT $3 OFFSET $4`,
      [cityId, organisationId, page.limit, page.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM activities WHERE ${where}`, [
      cityId,
      organisationId,
    ]),
  ]);
  return { items, total: count[0]?.total ?? 0 };
}

export async function activityPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/c/:citySlug/activities/:slug',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        params: ActivityPageParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await getActivity(app.db, city, request.params.slug, request.actor);
      const context = cityPageContext(request, reply, city);
      const language = context.language;
      const [sessions, badges] = await Promise.all([
        listSessions(app.db, city.id, activity.id, { from: new Date(), limit: UPCOMING_SESSIONS }),
        listBadgesOfActivity(app.db, city.id, activity.id),
      ]);
      const origin = app.config.publicUrl;
      const path = activityPath(city.slug, activity.slug);
      const canonicalUrl = `${origin}${path}`;
      const title = textIn(activity.title, language, city);
      const description = textIn(activity.description, language, city);
      const summary = plainText(description.text);
      const images = activity.images.map((image) => ({
        url: image.url,
        alt: textIn(image.alt, language, city).text,
        width: image.width,
        height: image.height,
      }));
      const published = activity.status === 'published';
      const now = Date.now();
      const data: ActivityPageData = {
        status: activity.status,
        moderationNote: activity.moderationNote,
        title: title.text,
        titleLanguage: title.language,
        descriptionHtml: description.text,
        descriptionLanguage: description.language,
        summary,
        organisation: {
          name: activity.organisation.name,
          href: `/c/${city.slug}/organisations/${activity.organisation.slug}`,
        },
        format: activity.format,
        onlineUrl: activity.signupMode === 'none' ? activity.onlineUrl : null,
        venues: activity.venues,
        scheduleKind: activity.scheduleKind,
        rrule: activity.rrule,
        startsAt: activity.startsAt,
        lastEndAt: activity.lastEndAt,
        allDay: activity.allDay,
        timeZone: city.timeZone,
        sessions: sessions.map((session) => ({
          id: session.id,
          startsAt: new Date(session.startsAt),
          endsAt: new Date(session.endsAt),
          allDay: session.allDay,
          placesLeft: placesLeft(session, activity.capacity),
          cancelled: session.cancelledAt !== null,
          signupHref:
            published &&
            activity.signupMode === 'internal' &&
            session.cancelledAt === null &&
            new Date(session.startsAt).getTime() > now
              ? `${path}/sign-up?session=${session.id}`
              : null,
        })),
        ageMin: activity.ageMin,
        ageMax: activity.ageMax,
        costKind: activity.costKind,
        priceCents: activity.priceCents,
        currency: activity.currency,
        concessions: activity.concessions,
        languages: activity.languages,
        accessibility: activity.accessibility,
        accessibilityNotes: activity.accessibilityNotes,
        capacity: activity.capacity,
        signupMode: activity.signupMode,
        signupUrl: activity.signupUrl,
        skills: activity.skills.map((skill) => ({
          label: textIn(skill.label, language, city).text || skill.code,
          href: skillPagePath(city.slug, skill.skillId),
          level: skill.level,
          framework: '',
        })),
        tags: activity.tags,
        images,
        canonicalUrl,
        ogImage: images[0] ? { url: `${origin}${images[0].url}`, alt: images[0].alt } : null,
        calendarHref: activity.scheduleKind === 'on_demand' ? null : `${path}/calendar.ics`,
        mapStyleUrl: mapStyleUrlFor(app.config, city.slug),
        jsonLd: activityJsonLd(activity, {
          url: canonicalUrl,
          origin,
          citySlug: city.slug,
          timeZone: city.timeZone,
          language,
          title: title.text,
          summary,
          imageUrls: images.map((image) => `${origin}${image.url}`),
          sessions,
        }),
        badges: badges.map((badge) => ({
          name: textIn(badge.name, language, city),
          href: `/c/${city.slug}/badges/${badge.slug}`,
          awardOnAttendance: badge.awardOnAttendance,
        })),
        manageHref: canActForOrganisation(request.actor, activity.organisationId, 'staff')
          ? `/c/${city.slug}/manage/${activity.organisationId}/activities/${activity.id}`
          : null,
      };
      return sendPage(reply, activityPage(context, data));
    },
  );

  // "Add to calendar": the activity as an iCalendar file (one event, recurring ones with RRULE/EXDATE in the city's zone).
  app.get(
    '/c/:citySlug/activities/:slug/calendar.ics',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        params: ActivityPageParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const activity = await getActivity(app.db, city, request.params.slug, request.actor);
      if (activity.scheduleKind === 'on_demand' || !activity.startsAt) {
        throw new AppError('NOT_FOUND', 'This activity has no dates to add to a calendar.');
      }
      const languages = cityLanguages(city);
      const language = resolveLanguage(request, reply, languages, languages[0] ?? 'en');
      const sessions = await listSessions(app.db, city.id, activity.id, { limit: 500 });
      const title = textIn(activity.title, language, city).text;
      const body = activitiesToICalendar([{ ...activity, sessions }], {
        publicUrl: app.config.publicUrl,
        citySlug: city.slug,
        language,
        timeZone: city.timeZone,
        calendarName: title,
      });
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${activity.slug}.ics"`)
        .header('cache-control', activity.status === 'published' ? 'public, max-age=300' : 'private, no-cache')
        .send(body);
    },
  );
}
