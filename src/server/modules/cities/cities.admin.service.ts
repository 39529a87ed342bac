import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { isSupportedLanguage, supportedLanguages } from '../../../web/i18n.ts';
import { canAdministerCities, canEditCitySettings } from '../accounts/actor.ts';
import { findUserByEmail, grantRole } from '../accounts/accounts.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Caller } from '../organisations/organisations.service.ts';
import {
  type CuratorRecord,
  listCityCurators,
  revokeCityRole,
  setCityStatus,
  updateCityBranding,
  updateCityConsentAge,
  updateCityLanguages,
} from './cities.admin.repo.ts';
import { type CityRecord, findCityBySlug } from './cities.repo.ts';
import { createCity, type CreateCityInput } from './cities.service.ts';

function requireNetworkAdmin(caller: Caller): void {
  if (caller.actor !== 'system' && !canAdministerCities(caller.actor)) throw new AppError('FORBIDDEN');
}

function cityAudit(city: CityRecord) {
  return {
    slug: city.slug,
    name: city.name,
    languages: city.languages,
    defaultLanguage: city.defaultLanguage,
    status: city.status,
  };
}

/** Creates a city with the same validation as everywhere, and records who did it. Network admins only. */
export async function createCityAudited(db: Database, input: CreateCityInput, caller: Caller): Promise<CityRecord> {
  requireNetworkAdmin(caller);
  return db.transaction(async (tx) => {
    const city = await createCity(tx, input);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'city.create',
      targetType: 'city',
      targetId: city.id,
      after: cityAudit(city),
    });
    return city;
  });
}

export async function getCityForAdmin(db: SqlRunner, slug: string): Promise<CityRecord> {
  const city = await findCityBySlug(db, slug);
  if (!city) throw new AppError('CITY_NOT_FOUND', `No city "${slug}" exists here.`);
  return city;
}

/** Archives a city (read-only public pages, no sign-ups, no changes) or brings it back. Idempotent. */
export async function setCityArchived(
  db: Database,
  slug: string,
  archived: boolean,
  caller: Caller,
): Promise<CityRecord> {
  requireNetworkAdmin(caller);
  return db.transaction(async (tx) => {
    const before = await getCityForAdmin(tx, slug);
    const status = archived ? 'archived' : 'active';
    if (before.status === status) return before;
    await setCityStatus(tx, before.id, status);
    await recordAudit(tx, caller.audit, {
      cityId: before.id,
      action: archived ? 'city.archive' : 'city.unarchive',
      targetType: 'city',
      targetId: before.id,
      before: { status: before.status },
      after: { status },
    });
    return { ...before, status };
  });
}

export function listCurators(db: SqlRunner, city: CityRecord): Promise<CuratorRecord[]> {
  return listCityCurators(db, city.id);
}

/** Makes an existing account a curator of the city (network admins). */
export async function appointCurator(
  db: Database,
  city: CityRecord,
  email: string,
  caller: Caller,
): Promise<CuratorRecord> {
  requireNetworkAdmin(caller);
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email.trim());
    if (!user)
      throw new AppError('USER_NOT_FOUND', undefined, [
        { field: '/email', problem: 'No account has this address; ask the person to sign up first.' },
      ]);
    await grantRole(tx, user.id, 'city_curator', city.id);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'city.curator_appoint',
      targetType: 'user',
      targetId: user.id,
      after: { role: 'city_curator', email: user.email },
    });
    const curator = (await listCityCurators(tx, city.id)).find((c) => c.userId === user.id);
    return curator as CuratorRecord;
  });
}

export async function removeCurator(db: Database, city: CityRecord, userId: string, caller: Caller): Promise<void> {
  requireNetworkAdmin(caller);
  await db.transaction(async (tx) => {
    const curator = (await listCityCurators(tx, city.id)).find((c) => c.userId === userId);
    if (!curator || !(await revokeCityRole(tx, city.id, userId, 'city_curator')))
      throw new AppError('USER_NOT_FOUND', 'This person is not a curator of this city.');
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'city.curator_remove',
      targetType: 'user',
      targetId: userId,
      before: { role: 'city_curator', email: curator.email },
    });
  });
}

/** Relative luminance of an sRGB colour (WCAG 2.x). */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio between two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export const hexColourPattern = /^#[0-9a-fA-F]{6}$/;

/** Problems with a brand colour: it carries white text, so it needs at least 4.5:1 against white (WCAG AA). */
export function brandColourProblems(colour: string, field = '/primaryColour'): ErrorDetail[] {
  if (!hexColourPattern.test(colour)) return [{ field, problem: 'Give a colour as #rrggbb, e.g. #0b5cad.' }];
  const ratio = contrastRatio(colour, '#ffffff');
  return ratio >= 4.5
    ? []
    : [
        {
          field,
          problem: `White text on this colour has a contrast of ${ratio.toFixed(2)}:1; WCAG AA needs 4.5:1. Choose a darker colour.`,
        },
      ];
}

export interface CitySettingsInput {
  languages: string[];
  defaultLanguage: string;
  name: Record<string, string>;
  /** Branding: each is optional; an empty string clears it. Omitted keys keep the current value. */
  primaryColour?: string | null;
  logoUrl?: string | null;
  contactEmail?: string | null;
  /** Under this age a learner needs a guardian's consent (13–18). Omitted keeps the current value. */
  consentAge?: number;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function brandingProblems(branding: {
  primaryColour: string | null;
  logoUrl: string | null;
  contactEmail: string | null;
}): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (branding.primaryColour) problems.push(...brandColourProblems(branding.primaryColour));
  if (branding.logoUrl) {
    let ok = false;
    try {
      ok = ['https:', 'http:'].includes(new URL(branding.logoUrl).protocol) && branding.logoUrl.length <= 500;
    } catch {
      ok = false;
    }
    if (!ok)
      problems.push({ field: '/logoUrl', problem: 'Give the full address of the logo image, starting with https://.' });
  }
  if (branding.contactEmail && (!emailPattern.test(branding.contactEmail) || branding.contactEmail.length > 254)) {
    problems.push({ field: '/contactEmail', problem: 'Give a valid email address.' });
  }
  return problems;
}

/**
 * Curators (and network admins) set their city's languages, names and branding. Everything is checked first —
 * the brand colour must carry white text at WCAG AA contrast — then saved in one transaction with its audit entry.
 */
export async function updateCitySettings(
  db: Database,
  city: CityRecord,
  input: CitySettingsInput,
  caller: Caller,
): Promise<CityRecord> {
  if (caller.actor !== 'system' && !canEditCitySettings(caller.actor, city.id)) throw new AppError('FORBIDDEN');
  const problems: ErrorDetail[] = [];
  const languages = [...new Set(input.languages)];
  if (languages.length === 0) problems.push({ field: '/languages', problem: 'Give at least one language.' });
  for (const language of languages) {
    if (!isSupportedLanguage(language))
      problems.push({
        field: '/languages',
        problem: `"${language}" is not supported; use ${supportedLanguages.join(', ')}.`,
      });
  }
  if (!languages.includes(input.defaultLanguage))
    problems.push({ field: '/defaultLanguage', problem: 'The default language must be one of the city languages.' });
  const name = Object.fromEntries(
    Object.entries(input.name)
      .map(([language, value]) => [language, value.trim()] as const)
      .filter(([language, value]) => value.length > 0 && languages.includes(language)),
  );
  if (!name[input.defaultLanguage])
    problems.push({ field: '/name', problem: "Give the city's name in its default language." });
  if (Object.values(name).some((value) => value.length > 120))
    problems.push({ field: '/name', problem: 'Keep names under 120 characters.' });
  const keep = (value: string | null | undefined, current: string | null) =>
    value === undefined ? current : value?.trim() || null;
  const branding = {
    primaryColour: keep(input.primaryColour, city.primaryColour)?.toLowerCase() ?? null,
    logoUrl: keep(input.logoUrl, city.logoUrl),
    contactEmail: keep(input.contactEmail, city.contactEmail),
  };
  problems.push(...brandingProblems(branding));
  const consentAge = input.consentAge ?? city.consentAge;
  if (!Number.isInteger(consentAge) || consentAge < 13 || consentAge > 18) {
    problems.push({ field: '/consentAge', problem: 'Give a whole number of years from 13 to 18.' });
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    await updateCityLanguages(tx, city.id, { name, languages, defaultLanguage: input.defaultLanguage });
    await updateCityBranding(tx, city.id, branding);
    await updateCityConsentAge(tx, city.id, consentAge);
    const after = (await findCityBySlug(tx, city.slug)) as CityRecord;
    const view = (c: CityRecord) => ({
      name: c.name,
      languages: c.languages,
      defaultLanguage: c.defaultLanguage,
      primaryColour: c.primaryColour,
      logoUrl: c.logoUrl,
      contactEmail: c.contactEmail,
      consentAge: c.consentAge,
    });
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'city.settings_update',
      targetType: 'city',
      targetId: city.id,
      before: view(city),
      after: view(after),
    });
    return after;
  });
}

export const assignableRoles = ['network_admin', 'city_curator', 'quality_assessor'] as const;
export type AssignableRole = (typeof assignableRoles)[number];

/**
 * Gives or takes away a network or city role (network admins and the command line), with an audit entry. City roles
 * need the city; `network_admin` takes none.
 */
export async function setUserRole(
  db: Database,
  input: { email: string; role: string; city: CityRecord | null; remove?: boolean },
  caller: Caller,
): Promise<{ userId: string; email: string; role: AssignableRole; citySlug: string | null; changed: boolean }> {
  requireNetworkAdmin(caller);
  if (!(assignableRoles as readonly string[]).includes(input.role)) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/role', problem: `Use ${assignableRoles.join(', ')} (or an organisation role with an organisation).` },
    ]);
  }
  const role = input.role as AssignableRole;
  const city = role === 'network_admin' ? null : input.city;
  if (role !== 'network_admin' && !city) {
    throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/city', problem: `The role ${role} needs a city.` }]);
  }
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, input.email.trim());
    if (!user) throw new AppError('USER_NOT_FOUND');
    let changed: boolean;
    if (input.remove) {
      const rows = await tx.query(
        'DELETE FROM role_assignments WHERE user_id = $1 AND role = $2 AND city_id IS NOT DISTINCT FROM $3 RETURNING id',
        [user.id, role, city?.id ?? null],
      );
      changed = rows.length > 0;
    } else {
      const rows = await tx.query(
        'INSERT INTO role_assignments (user_id, role, city_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id',
        [user.id, role, city?.id ?? null],
      );
      changed = rows.length > 0;
    }
    if (changed) {
      await recordAudit(tx, caller.audit, {
        cityId: city?.id ?? null,
        action: input.remove ? 'user.role_revoke' : 'user.role_grant',
        targetType: 'user',
        targetId: user.id,
        ...(input.remove ? { before: { role, email: user.email } } : { after: { role, email: user.email } }),
      });
    }
    return { userId: user.id, email: user.email, role, citySlug: city?.slug ?? null, changed };
  });
}
