import { type BadgeClassKind, type BadgeDesign, type BadgeRequirement, badgeClassKinds } from '../../db/schema.ts';
import type { ErrorDetail } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  BADGE_LIMITS,
  type BadgeClassInput,
  badgeIcons,
  badgeShapes,
  MIN_DESIGN_CONTRAST,
  requirementKinds,
} from './badge-classes.model.ts';
import { contrastRatio, hexColour } from './badge-image.ts';

/** What the database stores for a badge class after validation: cleaned values, ids not yet checked against it. */
export interface BadgeClassWrite {
  slug: string | null;
  kind: BadgeClassKind;
  name: Record<string, string>;
  description: Record<string, string>;
  criteria: Record<string, string>;
  requirements: BadgeRequirement[];
  /** null: keep the image the badge has (an upload); a design: draw it. */
  design: BadgeDesign | null;
  imageAlt: Record<string, string>;
  tags: string[];
  validityMonths: number | null;
  skills: { skillId: string; level: number | null }[];
  prerequisites: string[];
  activities: { activityId: string; awardOnAttendance: boolean }[];
  evidenceClaimsOpen: boolean;
  peerConfirmationsRequired: number | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const badgeSlugPattern = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

function optionalInteger(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'number' && Number.isInteger(value) ? value : 'invalid';
}

/** Plain text: trimmed, Windows line ends made Unix, other control characters removed. */
function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return (
    value
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .trim()
  );
}

/**
 * Text per language: only the city's languages, within the length limits, and (when `required`) present in the
 * city's default language. Problems point at `/<field>/<language>`.
 */
function perLanguage(
  city: CityRecord,
  field: string,
  value: unknown,
  options: { min?: number; max: number; required: boolean; what: string },
  problems: ErrorDetail[],
): Record<string, string> {
  const result: Record<string, string> = {};
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    problems.push({ field, problem: `Give the ${options.what} as text per language, e.g. {"en": "…"}.` });
    return result;
  }
  for (const [language, raw] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const text = cleanText(raw);
    if (!text) continue;
    if (!city.languages.includes(language)) {
      problems.push({
        field: `${field}/${language}`,
        problem: `The city publishes in ${city.languages.join(', ')}; "${language}" is not one of them.`,
      });
    } else if (text.length < (options.min ?? 1) || text.length > options.max) {
      problems.push({
        field: `${field}/${language}`,
        problem:
          options.min && options.min > 1
            ? `Give ${options.what} of ${options.min}–${options.max} characters.`
            : `Keep the ${options.what} under ${options.max.toLocaleString('en')} characters.`,
      });
    } else result[language] = text;
  }
  if (options.required && !result[city.defaultLanguage] && !problems.some((p) => p.field?.startsWith(`${field}/`))) {
    problems.push({
      field: `${field}/${city.defaultLanguage}`,
      problem: `Give the ${options.what} in the city's main language (${city.defaultLanguage}).`,
    });
  }
  return result;
}

function validateDesign(design: unknown, problems: ErrorDetail[]): BadgeDesign | null {
  const field = '/image/design';
  if (!design || typeof design !== 'object') {
    problems.push({ field, problem: 'Describe the design: shape, colours, icon and text.' });
    return null;
  }
  const d = design as Record<string, unknown>;
  const before = problems.length;
  const shape = String(d.shape ?? '');
  if (!(badgeShapes as readonly string[]).includes(shape)) {
    problems.push({ field: `${field}/shape`, problem: `Choose one of ${badgeShapes.join(', ')}.` });
  }
  const colours: Record<string, string> = {};
  for (const part of ['background', 'foreground', 'accent'] as const) {
    const value = typeof d[part] === 'string' ? (d[part] as string).trim().toLowerCase() : '';
    if (!hexColour.test(value)) {
      problems.push({ field: `${field}/${part}`, problem: 'Give the colour as #rrggbb, e.g. #0b5cad.' });
    } else colours[part] = value;
  }
  if (colours.foreground && colours.background) {
    const ratio = contrastRatio(colours.foreground, colours.background);
    if (ratio < MIN_DESIGN_CONTRAST) {
      problems.push({
        field: `${field}/foreground`,
        problem: `The text and icon colour has a contrast of ${ratio.toFixed(2)}:1 against the background; it needs at least ${MIN_DESIGN_CONTRAST}:1 to be legible.`,
      });
    }
  }
  const icon = String(d.icon ?? '');
  if (!(badgeIcons as readonly string[]).includes(icon)) {
    problems.push({ field: `${field}/icon`, problem: `Choose one of the icons: ${badgeIcons.join(', ')}.` });
  }
  const text = cleanText(d.text ?? '').replace(/\s+/g, ' ');
  if (text.length > BADGE_LIMITS.designText) {
    problems.push({
      field: `${field}/text`,
      problem: `The text on the badge may have at most ${BADGE_LIMITS.designText} characters.`,
    });
  }
  if (problems.length > before) return null;
  return {
    shape: shape as BadgeDesign['shape'],
    background: colours.background as string,
    foreground: colours.foreground as string,
    accent: colours.accent as string,
    icon,
    text,
  };
}

/**
 * Checks and cleans a badge class. Returns the problems (each with a JSON-pointer field) and, when there are none,
 * the values to store. Skills, prerequisites and activities are checked against the database by the service.
 */
export function validateBadgeClassInput(
  city: CityRecord,
  input: BadgeClassInput,
): { problems: ErrorDetail[]; write: BadgeClassWrite | null } {
  const problems: ErrorDetail[] = [];

  let slug: string | null = null;
  if (input.slug !== undefined && input.slug !== null && input.slug !== '') {
    if (typeof input.slug !== 'string' || !badgeSlugPattern.test(input.slug)) {
      problems.push({
        field: '/slug',
        problem: 'Use 1–80 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
      });
    } else slug = input.slug;
  }

  const kind = input.kind;
  if (!(badgeClassKinds as readonly string[]).includes(kind)) {
    problems.push({ field: '/kind', problem: `Choose one of ${badgeClassKinds.join(', ')}.` });
  }

  const name = perLanguage(
    city,
    '/name',
    input.name,
    { min: BADGE_LIMITS.nameMin, max: BADGE_LIMITS.nameMax, required: true, what: 'a name' },
    problems,
  );
  const description = perLanguage(
    city,
    '/description',
    input.description,
    { max: BADGE_LIMITS.descriptionMax, required: true, what: 'description' },
    problems,
  );
  const criteria = perLanguage(
    city,
    '/criteria',
    input.criteria,
    { max: BADGE_LIMITS.criteriaMax, required: true, what: 'criteria (what earns the badge)' },
    problems,
  );
  const imageAlt = perLanguage(
    city,
    '/imageAlt',
    input.imageAlt,
    { max: BADGE_LIMITS.altMax, required: true, what: 'text alternative of the image' },
    problems,
  );

  const requirements: BadgeRequirement[] = [];
  const requirementInputs = Array.isArray(input.requirements) ? input.requirements : [];
  if (requirementInputs.length > BADGE_LIMITS.requirements) {
    problems.push({ field: '/requirements', problem: `Give at most ${BADGE_LIMITS.requirements} requirements.` });
  }
  requirementInputs.slice(0, BADGE_LIMITS.requirements).forEach((requirement, index) => {
    const field = `/requirements/${index}`;
    const requirementKind = requirement?.kind;
    if (!(requirementKinds as readonly string[]).includes(requirementKind)) {
      problems.push({ field: `${field}/kind`, problem: `Choose one of ${requirementKinds.join(', ')}.` });
    }
    const instructions = perLanguage(
      city,
      `${field}/instructions`,
      requirement?.instructions,
      { max: BADGE_LIMITS.instructionsMax, required: true, what: 'instructions' },
      problems,
    );
    requirements.push({ kind: requirementKind, instructions });
  });

  let design: BadgeDesign | null = null;
  const image = input.image;
  if (image !== undefined && image !== null) {
    if (typeof image !== 'object' || !['generated', 'upload'].includes((image as { source?: string }).source ?? '')) {
      problems.push({ field: '/image/source', problem: 'Choose a generated design, or keep the uploaded image.' });
    } else if (image.source === 'generated') design = validateDesign(image.design, problems);
  }

  const tags = [
    ...new Set(
      (Array.isArray(input.tags) ? input.tags : [])
        .map((tag) => cleanText(String(tag)).toLowerCase().replace(/\s+/g, ' '))
        .filter(Boolean),
    ),
  ];
  if (tags.length > BADGE_LIMITS.tags)
    problems.push({ field: '/tags', problem: `Give at most ${BADGE_LIMITS.tags} tags.` });
  tags.forEach((tag, index) => {
    if (tag.length > BADGE_LIMITS.tagLength) {
      problems.push({ field: `/tags/${index}`, problem: `Keep each tag under ${BADGE_LIMITS.tagLength} characters.` });
    }
  });

  const validityMonths = optionalInteger(input.validityMonths);
  if (
    validityMonths === 'invalid' ||
    (validityMonths !== null && (validityMonths < 1 || validityMonths > BADGE_LIMITS.validityMonthsMax))
  ) {
    problems.push({
      field: '/validityMonths',
      problem: `Give the months a badge stays valid (1–${BADGE_LIMITS.validityMonthsMax}), or leave it empty for never.`,
    });
  }

  const skills: { skillId: string; level: number | null }[] = [];
  const seenSkills = new Set<string>();
  const skillInputs = Array.isArray(input.skills) ? input.skills : [];
  if (skillInputs.length > BADGE_LIMITS.skills) {
    problems.push({ field: '/skills', problem: `Align the badge to at most ${BADGE_LIMITS.skills} skills.` });
  }
  skillInputs.slice(0, BADGE_LIMITS.skills).forEach((skill, index) => {
    if (!skill || typeof skill.skillId !== 'string' || !uuidPattern.test(skill.skillId)) {
      problems.push({ field: `/skills/${index}/skillId`, problem: 'Choose a skill from the city’s skills spine.' });
      return;
    }
    const level = optionalInteger(skill.level);
    if (level === 'invalid' || (level !== null && (level < 1 || level > 8))) {
      problems.push({ field: `/skills/${index}/level`, problem: 'Give a level from 1 to 8, or none.' });
      return;
    }
    const id = skill.skillId.toLowerCase();
    if (seenSkills.has(id)) return;
    seenSkills.add(id);
    skills.push({ skillId: id, level });
  });

  const prerequisites: string[] = [];
  const prerequisiteInputs = Array.isArray(input.prerequisites) ? input.prerequisites : [];
  if (prerequisiteInputs.length > BADGE_LIMITS.prerequisites) {
    problems.push({ field: '/prerequisites', problem: `Require at most ${BADGE_LIMITS.prerequisites} badges.` });
  }
  prerequisiteInputs.slice(0, BADGE_LIMITS.prerequisites).forEach((id, index) => {
    if (typeof id !== 'string' || !uuidPattern.test(id)) {
      problems.push({ field: `/prerequisites/${index}`, problem: 'Choose a badge of this city.' });
    } else if (!prerequisites.includes(id.toLowerCase())) prerequisites.push(id.toLowerCase());
  });

  const activities: { activityId: string; awardOnAttendance: boolean }[] = [];
  const activityInputs = Array.isArray(input.activities) ? input.activities : [];
  if (activityInputs.length > BADGE_LIMITS.activities) {
    problems.push({ field: '/activities', problem: `Link at most ${BADGE_LIMITS.activities} activities.` });
  }
  activityInputs.slice(0, BADGE_LIMITS.activities).forEach((activity, index) => {
    if (!activity || typeof activity.activityId !== 'string' || !uuidPattern.test(activity.activityId)) {
      problems.push({ field: `/activities/${index}/activityId`, problem: 'Choose an activity of this city.' });
      return;
    }
    const id = activity.activityId.toLowerCase();
    const existing = activities.find((item) => item.activityId === id);
    if (existing) existing.awardOnAttendance ||= activity.awardOnAttendance === true;
    else activities.push({ activityId: id, awardOnAttendance: activity.awardOnAttendance === true });
  });

  const peer = optionalInteger(input.peerConfirmationsRequired);
  if (peer === 'invalid' || (peer !== null && (peer < 1 || peer > BADGE_LIMITS.peerConfirmationsMax))) {
    problems.push({
      field: '/peerConfirmationsRequired',
      problem: `Give how many earners must confirm a peer check (1–${BADGE_LIMITS.peerConfirmationsMax}), or leave it empty for no peer checks.`,
    });
  }

  if (problems.length > 0) return { problems, write: null };
  return {
    problems,
    write: {
      slug,
      kind,
      name,
      description,
      criteria,
      requirements,
      design,
      imageAlt,
      tags,
      validityMonths: validityMonths as number | null,
      skills,
      prerequisites,
      activities,
      evidenceClaimsOpen: input.evidenceClaimsOpen === true,
      peerConfirmationsRequired: peer as number | null,
    },
  };
}
