import type { ActivityFormat, CostKind, ScheduleKind, SignupMode } from '../../db/schema.ts';

/**
 * The shape every way of writing an activity shares: the API, the organiser's form, CSV and iCalendar imports and the
 * demo seed all build an `ActivityInput`, and `validateActivityInput` judges it the same way for each.
 */

/** Accessibility features an activity can state; shown as facets and icons. */
export const accessibilityFeatures = [
  'step_free',
  'accessible_toilet',
  'hearing_loop',
  'sign_language',
  'audio_description',
  'easy_read',
  'quiet_space',
  'large_print',
] as const;
export type AccessibilityFeature = (typeof accessibilityFeatures)[number];

/** Age bands of the search facet (inclusive); an activity is in every band its age range overlaps. */
export const ageBands = [
  { id: 'early_years', min: 0, max: 5 },
  { id: 'children', min: 6, max: 11 },
  { id: 'teens', min: 12, max: 15 },
  { id: 'young_people', min: 16, max: 18 },
  { id: 'young_adults', min: 19, max: 29 },
  { id: 'adults', min: 30, max: 120 },
] as const;
export type AgeBandId = (typeof ageBands)[number]['id'];

export interface VenueInput {
  name?: string;
  street?: string;
  postcode?: string;
  locality?: string;
  /** Neighbourhood or ward; when omitted it is found from the city's bundled district boundaries, if it has any. */
  district?: string | null;
  lat: number;
  lon: number;
}

export interface ActivitySkillInput {
  skillId: string;
  /** Framework proficiency level 1–8 (DigComp's eight levels; other frameworks use fewer). */
  level?: number | null;
}

export interface ActivityInput {
  slug?: string;
  /** Per language code; at least one of the city's languages. */
  title: Record<string, string>;
  /** Per language code; HTML, sanitised when saved. */
  description?: Record<string, string>;
  format: ActivityFormat;
  onlineUrl?: string | null;
  venues?: VenueInput[];
  scheduleKind: ScheduleKind;
  /** ISO 8601 with an offset or Z. Required unless `on_demand`. */
  startsAt?: string | null;
  endsAt?: string | null;
  /** All-day sessions (iCalendar DATE values): starts at local midnight, ends at local midnight after the last day. */
  allDay?: boolean;
  /** RFC 5545 RRULE body, e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=10`; must end (COUNT or UNTIL). */
  rrule?: string | null;
  /** Occurrence start times (ISO 8601) that are skipped. */
  exdates?: string[];
  /**
   * Extra session start times (ISO 8601), besides the start and the rule's: iCalendar RDATE. Each session lasts as
   * long as the first; exceptions remove them too; MAX_SESSIONS and MAX_SCHEDULE_YEARS count them. They are not a
   * column of the activity: they become rows of its session list only. Left out (undefined), an edit keeps the extra
   * sessions the activity already has; `[]` removes them.
   */
  rdates?: string[];
  ageMin?: number | null;
  ageMax?: number | null;
  costKind?: CostKind;
  priceCents?: number | null;
  currency?: string | null;
  concessions?: string;
  /** Language codes the activity is held in (BCP 47 primary tags: en, lt, it, uk, …). */
  languages?: string[];
  accessibility?: string[];
  accessibilityNotes?: string;
  capacity?: number | null;
  signupMode?: SignupMode;
  signupUrl?: string | null;
  tags?: string[];
  skills?: ActivitySkillInput[];
  /** The iCalendar UID or CSV external id an import matches on. */
  externalUid?: string | null;
}

/** Limits for recurring schedules: a rule must end, and is expanded to at most this many sessions. */
export const MAX_SESSIONS = 400;
export const MAX_SCHEDULE_YEARS = 2;
