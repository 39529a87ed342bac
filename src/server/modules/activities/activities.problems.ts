import { translatorFor } from '../../../web/i18n.ts';
import type { ErrorDetail } from '../../errors.ts';

/**
 * The catalogue's validation problems, each with a stable `key` and the `params` of its message, so a page can say it
 * in the reader's language (`activities:problems.<key>` in `src/web/locales/<lang>/activities.json`) while the API
 * keeps its English `problem` text. The English text is the `en` translation of the key, so there is one wording.
 *
 * The CSV and iCalendar readers' own problems and notes (a file that is not CSV, a quote never closed, an unreadable
 * date, a VEVENT without DTSTART, a rule that never ends …) work the same way with `importProblemKeys`, said as
 * `imports:problems.<key>` (`src/web/locales/<lang>/imports.json`), and so do the reasons a calendar feed's sync
 * failed (stored on the feed). The two key lists never share a key.
 */
export const problemKeys = [
  // Title, description, slug.
  'title_missing',
  'title_missing_any',
  'title_length',
  'title_language',
  'description_language',
  'description_too_long',
  'slug_invalid',
  // Format, links, venues.
  'choose_one',
  'url_invalid',
  'too_many_venues',
  'venue_required',
  'venue_coordinates',
  'venue_outside_city',
  'venue_name_missing',
  // Schedule.
  'start_missing',
  'end_missing',
  'ends_before_start',
  'session_too_long',
  'exdate_invalid',
  'rdate_invalid',
  'rrule_missing',
  'rrule_invalid',
  'rrule_frequency',
  'rrule_endless',
  'schedule_too_long',
  'rdates_too_far',
  'too_many_sessions',
  'too_many_dates',
  'no_sessions',
  // Ages, cost, languages, accessibility.
  'age_range',
  'ages_reversed',
  'cost_kind',
  'price_invalid',
  'currency_invalid',
  'too_many_languages',
  'language_code',
  'accessibility_unknown',
  // Places, sign-up, tags, skills.
  'capacity_range',
  'capacity_below_signups',
  'signup_url_missing',
  'signup_on_demand',
  'too_many_tags',
  'skill_invalid',
  'skill_level',
  'too_many_skills',
  'skill_not_in_spine',
  // Imports.
  'external_id_missing',
] as const;
export type ProblemKey = (typeof problemKeys)[number];

/** Values a message names; never `count`, `lng`, `ns` or `context`, which i18next reads as options. */
export type ProblemParams = Record<string, string | number>;

/** A problem as the validation returns it: the field (JSON pointer), its key and params, and the English text. */
export interface KeyedProblem extends ErrorDetail {
  key: ProblemKey;
  params: ProblemParams;
  problem: string;
}

/**
 * The import readers' problems (fatal ones stop a file, row ones stop a row), notes (warnings) and reasons for
 * leaving an event out, said as `imports:problems.<key>`.
 */
export const importProblemKeys = [
  // The file.
  'file_empty',
  'file_not_csv',
  'file_not_ical',
  'file_binary',
  'file_too_large',
  'file_name_too_long',
  'file_missing',
  'too_many_rows',
  'csv_quote_not_closed',
  'csv_unreadable',
  'csv_no_rows',
  'ical_unreadable',
  'ical_not_closed',
  'ical_line_invalid',
  'ical_parameters_invalid',
  'ical_no_vcalendar',
  'ical_no_events',
  // The column mapping.
  'mapping_unknown_column',
  'mapping_unknown_field',
  'mapping_field_twice',
  'mapping_no_title',
  'mapping_ical',
  // CSV rows.
  'csv_title_empty',
  'csv_not_yes_no',
  'csv_not_time',
  'csv_not_date_time',
  'csv_not_date',
  'csv_no_start',
  'csv_start_without_time',
  'csv_end_without_time',
  'csv_ends_before_start',
  'csv_recurrence_needs_start',
  'csv_not_latitude',
  'csv_not_longitude',
  'csv_lat_lon_pair',
  'csv_venue_no_coordinates',
  'csv_not_format',
  'csv_not_age_range',
  'csv_not_whole_number',
  'csv_not_price',
  'csv_not_language',
  'csv_not_accessibility',
  'csv_not_signup_mode',
  'csv_skill_ambiguous',
  'csv_skill_unknown',
  'csv_duplicate_id',
  'csv_venue_at_organisation',
  // Repeat rules (both readers).
  'recurrence_empty',
  'recurrence_unreadable',
  'recurrence_no_freq',
  'recurrence_dtstart',
  'recurrence_capped_sessions',
  'recurrence_capped_years',
  // Calendar events.
  'ical_duplicate_uid',
  'ical_no_summary',
  'ical_no_dtstart',
  'ical_bad_date',
  'ical_bad_value',
  'ical_event_unreadable',
  'ical_ends_before_start',
  'ical_place_no_geo',
  'ical_no_place',
  'ical_no_uid',
  'ical_rdate_periods',
  'ical_override_ignored',
  'ical_unknown_time_zone',
  'ical_floating_times',
  'ical_place_at_organisation',
  'ical_no_place_at_organisation',
  'ical_cancelled',
  // Writing a row.
  'activity_slug_taken',
  'organisation_not_approved',
  'row_refused',
  // A calendar feed's sync (feeds.service.ts): why the feed could not be read, and events it could not import. A feed
  // that is not a calendar gives the reader's own keys (`file_not_ical`, `ical_unreadable`, …).
  'feed_city_archived',
  'feed_bad_address',
  'feed_private_address',
  'feed_too_large',
  'feed_timeout',
  'feed_too_many_redirects',
  'feed_http_status',
  'feed_unreachable',
  'feed_events_failed',
  // Adding a calendar feed.
  'feed_url_invalid',
  'feed_url_private',
  'feed_exists',
  'feed_interval',
  // A problem stored before problems had keys: its English text is `params.text`.
  'recorded_problem',
] as const;
export type ImportProblemKey = (typeof importProblemKeys)[number];

/** Every key a problem of an import may carry: the catalogue's validation keys and the readers' own. */
export type AnyProblemKey = ProblemKey | ImportProblemKey;
export const allProblemKeys: readonly AnyProblemKey[] = [...problemKeys, ...importProblemKeys];

/** A reader's problem or note: its key and params, and the English text (what the API and the CLI say). */
export interface ImportNote {
  key: ImportProblemKey;
  params: ProblemParams;
  problem: string;
}

const knownKeys = new Set<string>(problemKeys);
const importKeys = new Set<string>(importProblemKeys);
const english = translatorFor('en');

/** Builds a reader's keyed problem or note; its `problem` is the English message. */
export function importNote(key: ImportProblemKey, params: ProblemParams = {}): ImportNote {
  return { key, params, problem: english(`imports:problems.${key}`, params) as string };
}

/** The translation key of a problem key: `activities:problems.<key>` or `imports:problems.<key>`; else undefined. */
function messageKey(key: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  if (knownKeys.has(key)) return `activities:problems.${key}`;
  if (importKeys.has(key)) return `imports:problems.${key}`;
  return undefined;
}

/** Builds a keyed problem; its `problem` is the English message (what API clients read). */
export function keyedProblem(field: string | undefined, key: ProblemKey, params: ProblemParams = {}): KeyedProblem {
  return {
    ...(field === undefined ? {} : { field }),
    key,
    params,
    problem: english(`activities:problems.${key}`, params) as string,
  };
}

/** A stored or returned problem: keyed ones carry `key` and `params`; older reports and other modules only `problem`. */
export interface ProblemLike {
  field?: string;
  problem: string;
  key?: unknown;
  params?: unknown;
}

/** The problem in the page's language when it has a known key; otherwise its text as given (English). */
export function problemText(detail: ProblemLike, t: (key: string, params?: Record<string, unknown>) => string): string {
  const message = messageKey(detail.key);
  if (!message) return detail.problem;
  const params =
    detail.params && typeof detail.params === 'object' && !Array.isArray(detail.params)
      ? (detail.params as Record<string, unknown>)
      : {};
  return t(message, params);
}

/** Only the parts of a problem worth storing or showing again: its text and, when it has them, key and params. */
export function problemRecord(detail: ProblemLike): { problem: string; key?: AnyProblemKey; params?: ProblemParams } {
  if (!messageKey(detail.key)) return { problem: detail.problem };
  return {
    problem: detail.problem,
    key: detail.key as AnyProblemKey,
    params: (detail.params && typeof detail.params === 'object' ? detail.params : {}) as ProblemParams,
  };
}

/**
 * A problem with a key for certain: its own when it has a known one, else `recorded_problem` carrying its text (a
 * report stored before problems had keys). What the API's import reports give for every problem.
 */
export function keyedRecord(detail: ProblemLike): { problem: string; key: AnyProblemKey; params: ProblemParams } {
  const record = problemRecord(detail);
  if (record.key) return { problem: record.problem, key: record.key, params: record.params ?? {} };
  return { problem: detail.problem, key: 'recorded_problem', params: { text: detail.problem } };
}
