import type { BadgeClassKind, BadgeDesign, BadgeRequirement } from '../../db/schema.ts';

/**
 * The shape every way of writing a badge class shares: the API and the organiser's form build a `BadgeClassInput`,
 * and `validateBadgeClassInput` (plus the service's database checks) judges it the same way for each.
 */

export const badgeShapes = ['circle', 'hexagon', 'shield', 'square', 'star'] as const;
export type BadgeShape = (typeof badgeShapes)[number];

export const requirementKinds = ['text', 'file', 'link', 'photo'] as const;
export type RequirementKind = (typeof requirementKinds)[number];

/** The icons a generated badge can carry; their drawings are in badge-image.ts. */
export const badgeIcons = [
  'star',
  'book',
  'code',
  'leaf',
  'tools',
  'palette',
  'people',
  'music',
  'globe',
  'heart',
  'lightbulb',
  'trophy',
] as const;
export type BadgeIcon = (typeof badgeIcons)[number];

/** The image of a badge: a design the server draws, or the uploaded image the badge already has (kept as it is). */
export type BadgeImageInput = { source: 'generated'; design: BadgeDesign } | { source: 'upload' };

export interface BadgeSkillInput {
  skillId: string;
  /** Framework proficiency level 1–8, or none. */
  level?: number | null;
}

export interface BadgeActivityInput {
  activityId: string;
  /** Issue the badge when an organiser marks a learner as attended (only the badge organisation's own activities). */
  awardOnAttendance?: boolean;
}

export interface BadgeClassInput {
  /** Short name in the URL, unique in the city; made from the name when left out. */
  slug?: string | null;
  kind: BadgeClassKind;
  /** Per language code: at least the city's default language. Plain text. */
  name: Record<string, string>;
  description: Record<string, string>;
  /** What a learner must do to earn the badge (the OB criteria narrative). */
  criteria: Record<string, string>;
  requirements?: BadgeRequirement[];
  /** Left out on a new badge: a design made from the name. Left out on an edit: the image stays as it is. */
  image?: BadgeImageInput;
  /** The image's text alternative per language; required in the city's default language. */
  imageAlt: Record<string, string>;
  tags?: string[];
  /** Credentials expire this many months after they are issued; null = never. */
  validityMonths?: number | null;
  skills?: BadgeSkillInput[];
  /** Badge class ids of the same city a learner must hold first. */
  prerequisites?: string[];
  /** Activities of the same city that lead to the badge. */
  activities?: BadgeActivityInput[];
  /** Learners may submit evidence for the organisation's review. */
  evidenceClaimsOpen?: boolean;
  /** How many earners must confirm a peer check; null = no peer checks. */
  peerConfirmationsRequired?: number | null;
}

export const BADGE_LIMITS = {
  nameMin: 3,
  nameMax: 120,
  descriptionMax: 5000,
  criteriaMax: 10_000,
  instructionsMax: 2000,
  altMax: 300,
  requirements: 10,
  tags: 20,
  tagLength: 40,
  skills: 20,
  prerequisites: 20,
  activities: 50,
  designText: 24,
  validityMonthsMax: 600,
  peerConfirmationsMax: 20,
} as const;

/** WCAG 2.2 AA contrast for normal text, which the badge's text and icon must reach against the background. */
export const MIN_DESIGN_CONTRAST = 4.5;
