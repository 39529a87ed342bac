import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { fieldErrorsFrom, type FieldErrors } from '../../../web/forms.ts';
import { cityLanguages, cityName } from '../cities/cities.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import type { PageContext } from '../../../web/layout.ts';
import { AppError } from '../../errors.ts';
import { pageContext } from '../../plugins/web.ts';

/**
 * HTML form bodies: every field optional at the schema level, so the access rule (checked before the handler)
 * answers first and the service's validation produces errors shown next to each field.
 */
export const FormBody = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 10_000 }))]),
);
export type FormBody = Record<string, string | string[]>;

export function field(body: FormBody | undefined, name: string): string {
  const value = body?.[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

export function fields(body: FormBody | undefined, name: string): string[] {
  const value = body?.[name];
  return (Array.isArray(value) ? value : value ? [value] : []).map((v) => v.trim()).filter(Boolean);
}

/** A decimal number from a form field ("54,68" is accepted too); NaN when empty or not a number. */
export function decimal(value: string): number {
  return value === '' ? Number.NaN : Number(value.replace(',', '.'));
}

/** Field errors from a client error, or rethrows anything else (403s, 500s) to the error handler. */
export function formErrors(error: unknown): FieldErrors {
  if (
    error instanceof AppError &&
    error.status < 500 &&
    (error.code === 'VALIDATION_FAILED' || error.details.length > 0)
  ) {
    return fieldErrorsFrom(error.details.length > 0 ? error.details : [{ problem: error.message }]);
  }
  if (
    error instanceof AppError &&
    error.status < 500 &&
    error.status !== 401 &&
    error.status !== 403 &&
    error.status !== 404
  ) {
    return { _form: error.message };
  }
  throw error;
}

/** The page context for a page of one city, in one of the city's languages. */
export function cityPageContext(request: FastifyRequest, reply: FastifyReply, city: CityRecord): PageContext {
  const languages = cityLanguages(city);
  const fallback = languages[0] ?? 'en';
  const view = (language: string) => ({
    slug: city.slug,
    name: cityName(city, language),
    homePath: `/c/${city.slug}`,
    status: city.status,
    brand: { colour: city.primaryColour, logoUrl: city.logoUrl },
  });
  const context = pageContext(request, reply, { languages, defaultLanguage: fallback, city: view(fallback) });
  context.city = view(context.language);
  return context;
}
