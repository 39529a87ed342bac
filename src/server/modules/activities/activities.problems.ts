import { translatorFor } from '../../../web/i18n.ts';
import type { ErrorDetail } from '../../errors.ts';

/**
 * The catalogue's validation problems, each with a stable `key` and the `params` of its message, so a page can say it
 * in the reader's language (`activities:problems.<key>` in `src/web/locales/<lang>/activities.json`) while the API
 * keeps its English `problem` text. The English text is the `en` translation of the key, so there is one wording.
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

const knownKeys = new Set<string>(problemKeys);
const english = translatorFor('en');

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
  if (typeof detail.key !== 'string' || !knownKeys.has(detail.key)) return detail.problem;
  const params =
    detail.params && typeof detail.params === 'object' && !Array.isArray(detail.params)
      ? (detail.params as Record<string, unknown>)
      : {};
  return t(`activities:problems.${detail.key}`, params);
}

/** Only the parts of a problem worth storing or showing again: its text and, when it has them, key and params. */
export function problemRecord(detail: ProblemLike): { problem: string; key?: ProblemKey; params?: ProblemParams } {
  if (typeof detail.key !== 'string' || !knownKeys.has(detail.key)) return { problem: detail.problem };
  return {
    problem: detail.problem,
    key: detail.key as ProblemKey,
    params: (detail.params && typeof detail.params === 'object' ? detail.params : {}) as ProblemParams,
  };
}
