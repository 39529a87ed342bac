import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PickerSkill } from '../web/pages/skills-picker.ts';
import type { SqlRunner } from './db/client.ts';
import { AppError } from './errors.ts';
import { type MultipartBody, parseMultipart } from './modules/accounts/multipart.ts';
import type { CityRecord } from './modules/cities/cities.repo.ts';
import type { FormBody } from './modules/organisations/form-body.ts';
import { getSpineSkill, searchSpine, toSkillSummary } from './modules/skills/skills.service.ts';

/**
 * What the organisers' activity and badge pages (`/c/:citySlug/manage/:organisationId/activities…` and `…/badges…`)
 * share: their route schemas, image uploads, reading their forms, the skill picker and which errors a form shows.
 */

export const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
export const Uuid = Type.String({ format: 'uuid' });
export const CityParams = Type.Object({ citySlug: Slug });
export const OrgParams = Type.Object({ citySlug: Slug, organisationId: Uuid });
/** The query of the organisers' pages: the language, the notice after a redirect, a list's tab and page cursor. */
export const OrganiserQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  done: Type.Optional(Type.String({ maxLength: 40 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
});

export const manageBase = (city: CityRecord, organisationId: string) => `/c/${city.slug}/manage/${organisationId}`;

/** The list tab a `?status=` names, or the drafts. */
export function listTab<T extends string>(tabs: readonly T[], status: string | undefined): T | 'draft' {
  return (tabs as readonly string[]).includes(status ?? '') ? (status as T) : 'draft';
}

/** Image uploads post multipart/form-data (to the plugin given only); text fields become strings, the file a buffer. */
export function acceptMultipartUploads(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch {
      done(new AppError('BAD_REQUEST'), undefined);
    }
  });
}

/** The bytes of the uploaded `image`; a validation problem on `/image` saying `problem` when no file was chosen. */
export function uploadedImage(body: MultipartBody, problem: string): Buffer {
  const file = body.image;
  if (!file || typeof file === 'string' || file.bytes.length === 0) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/image', problem }]);
  }
  return file.bytes;
}

/** Rethrows what no form shows (server errors, sign-in, access, not found); the rest is shown with the form. */
export function rethrowUnlessFormProblem(error: unknown): asserts error is AppError {
  if (!(error instanceof AppError) || error.status >= 500 || [401, 403, 404].includes(error.status)) throw error;
}

/**
 * The form field a JSON pointer names (its segments joined by `-`), or its nearest parent that is a field of the
 * form; '' when none is.
 */
export function nearestFormField(segments: readonly string[], known: ReadonlySet<string>): string {
  for (let length = segments.length; length > 0; length--) {
    const candidate = segments.slice(0, length).join('-');
    if (known.has(candidate)) return candidate;
  }
  return '';
}

/** Multi-line text as typed (line ends made Unix), without surrounding blank space. */
export function longText(body: FormBody, name: string): string {
  const value = body[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).replace(/\r\n/g, '\n').trim();
}

/** A whole number as typed, null when empty; NaN (which the service refuses next to the field) when not a number. */
export const integerOrInvalid = (value: string): number | null => {
  if (value === '') return null;
  return /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
};

/** The level chosen for a skill in the picker: `skillsLevel[<id>]`, flat or as the nested object some parsers make. */
export function skillLevelOf(body: FormBody, skillId: string): string {
  const flat = body[`skillsLevel[${skillId}]`];
  if (typeof flat === 'string') return flat.trim();
  const nested = (body as unknown as { skillsLevel?: Record<string, string> }).skillsLevel;
  return typeof nested?.[skillId] === 'string' ? nested[skillId].trim() : '';
}

/**
 * The skill picker of a form: the chosen skills that are still in the city's spine, with their levels, and the
 * results of a search (when `query` is given) that are not chosen yet.
 */
export async function skillPickerOf(
  db: SqlRunner,
  city: CityRecord,
  language: string,
  chosen: { id: string; level: string }[],
  query: string,
): Promise<{ selected: (PickerSkill & { level?: string | null })[]; results: PickerSkill[] }> {
  const results = query ? await searchSpine(db, city, { query, language, limit: 20 }) : [];
  const selected: (PickerSkill & { level?: string | null })[] = [];
  for (const skill of chosen) {
    try {
      const detail = await getSpineSkill(db, city.id, skill.id);
      selected.push({ ...toSkillSummary(detail.skill, language, [city.defaultLanguage]), level: skill.level || null });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'SKILL_NOT_FOUND')) throw error;
    }
  }
  return { selected, results: results.filter((result) => !chosen.some((skill) => skill.id === result.id)) };
}
