import { AppError, type ErrorDetail } from '../../errors.ts';
import type { SqlRunner } from '../../db/client.ts';
import { isSupportedLanguage, supportedLanguages, type Language } from '../../../web/i18n.ts';
import { findCityByHostName, findCityBySlug, insertCity, listCities, type CityRecord } from './cities.repo.ts';

export interface CreateCityInput {
  slug: string;
  name: Record<string, string>;
  languages: string[];
  defaultLanguage?: string;
  timeZone: string;
  bounds: { west: number; south: number; east: number; north: number };
  center?: { lon: number; lat: number };
  defaultZoom?: number;
  hostName?: string | null;
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const hostNamePattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$/;

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a new city and lists every problem at once, so a form or CLI can show them all. */
export function validateCityInput(input: CreateCityInput): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!slugPattern.test(input.slug)) {
    problems.push({
      field: '/slug',
      problem: 'Use 1–64 lowercase letters, digits and hyphens, not starting or ending with a hyphen.',
    });
  }
  const languages = input.languages;
  if (languages.length === 0) problems.push({ field: '/languages', problem: 'Give at least one language.' });
  for (const language of languages) {
    if (!isSupportedLanguage(language)) {
      problems.push({
        field: '/languages',
        problem: `"${language}" is not supported; use ${supportedLanguages.join(', ')}.`,
      });
    }
  }
  const defaultLanguage = input.defaultLanguage ?? languages[0];
  if (defaultLanguage !== undefined && !languages.includes(defaultLanguage)) {
    problems.push({ field: '/defaultLanguage', problem: 'The default language must be one of the city languages.' });
  }
  if (defaultLanguage !== undefined && !input.name[defaultLanguage]?.trim()) {
    problems.push({ field: '/name', problem: `Give the city's name in its default language (${defaultLanguage}).` });
  }
  if (!isValidTimeZone(input.timeZone)) {
    problems.push({
      field: '/timeZone',
      problem: `"${input.timeZone}" is not an IANA time zone such as Europe/London.`,
    });
  }
  const { west, south, east, north } = input.bounds;
  const finite = [west, south, east, north].every(Number.isFinite);
  if (!finite || west >= east || south >= north || south < -90 || north > 90 || west < -180 || east > 180) {
    problems.push({
      field: '/bounds',
      problem: 'Bounds need west < east and south < north, within ±180° longitude and ±90° latitude.',
    });
  } else if (input.center) {
    const { lon, lat } = input.center;
    if (!(lon >= west && lon <= east && lat >= south && lat <= north)) {
      problems.push({ field: '/center', problem: 'The centre must lie inside the bounds.' });
    }
  }
  if (input.hostName && !hostNamePattern.test(input.hostName.toLowerCase())) {
    problems.push({
      field: '/hostName',
      problem: 'Give a host name such as learn.example.org, without scheme or path.',
    });
  }
  return problems;
}

export async function createCity(db: SqlRunner, input: CreateCityInput): Promise<CityRecord> {
  const problems = validateCityInput(input);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  const { west, south, east, north } = input.bounds;
  const created = await insertCity(db, {
    slug: input.slug,
    name: input.name,
    languages: input.languages,
    defaultLanguage: input.defaultLanguage ?? (input.languages[0] as string),
    timeZone: input.timeZone,
    boundsWest: west,
    boundsSouth: south,
    boundsEast: east,
    boundsNorth: north,
    centerLon: input.center?.lon ?? (west + east) / 2,
    centerLat: input.center?.lat ?? (south + north) / 2,
    defaultZoom: input.defaultZoom ?? 11,
    hostName: input.hostName ?? null,
  });
  if (!created) {
    const clash = await findCityBySlug(db, input.slug);
    throw clash
      ? new AppError('CITY_SLUG_TAKEN', `Another city already uses the slug "${input.slug}".`, [
          { field: '/slug', problem: 'taken' },
        ])
      : new AppError('CONFLICT', `Another city already uses the host name "${input.hostName}".`, [
          { field: '/hostName', problem: 'taken' },
        ]);
  }
  return created;
}

export async function getCity(db: SqlRunner, slug: string): Promise<CityRecord> {
  const city = await findCityBySlug(db, slug);
  if (!city) throw new AppError('CITY_NOT_FOUND', `No city "${slug}" exists here.`);
  return city;
}

export { listCities, findCityByHostName };

/** The city's name in a language, falling back to its default language. */
export function cityName(city: Pick<CityRecord, 'name' | 'defaultLanguage'>, language: string): string {
  return city.name[language] ?? city.name[city.defaultLanguage] ?? Object.values(city.name)[0] ?? '';
}

/** The interface languages a city offers, default first. */
export function cityLanguages(city: Pick<CityRecord, 'languages' | 'defaultLanguage'>): Language[] {
  const languages = city.languages.filter(isSupportedLanguage);
  return [...languages].sort((a, b) => Number(b === city.defaultLanguage) - Number(a === city.defaultLanguage));
}
