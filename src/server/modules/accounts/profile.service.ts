import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { consentStateFor } from './guardian.service.ts';
import { checkDisplayName, problem } from './people-validation.ts';
import {
  findPersonById,
  listIdentities,
  listPersonCities,
  listSessions,
  setAvatarPath,
  updateProfile,
  type PersonRecord,
} from './people.repo.ts';
import { throwProblems } from './signup.service.ts';

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const MAX_LIST_ITEMS = 12;

export interface ProfileInput {
  displayName: string;
  pronouns?: string | null | undefined;
  languages?: string[] | undefined;
  interests?: string[] | undefined;
  homeDistrict?: string | null | undefined;
}

/** Language codes such as `en`, `lt`, `uk` or `pt-BR`, known to the runtime's language names. */
const languageTag = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;
const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

function cleanList(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];
}

/** Checks and normalises a profile. A home area is a district or neighbourhood name: never an address. */
export function validateProfile(input: ProfileInput): {
  profile: Parameters<typeof updateProfile>[2];
  problems: ErrorDetail[];
} {
  const problems: ErrorDetail[] = [];
  const displayName = input.displayName.trim();
  checkDisplayName(displayName, problems);
  const pronouns = input.pronouns?.trim() || null;
  if (pronouns && pronouns.length > 40) problems.push(problem('pronouns', 'pronouns', 'Use at most 40 characters.'));
  const languages = cleanList(input.languages);
  if (languages.length > MAX_LIST_ITEMS)
    problems.push(problem('languages', 'tooMany', `Give at most ${MAX_LIST_ITEMS}.`));
  for (const code of languages) {
    if (!languageTag.test(code) || !languageNames.of(code)) {
      problems.push(problem('languages', 'languageCode', `"${code}" is not a language code such as en, lt or uk.`));
      break;
    }
  }
  const interests = cleanList(input.interests);
  if (interests.length > MAX_LIST_ITEMS)
    problems.push(problem('interests', 'tooMany', `Give at most ${MAX_LIST_ITEMS}.`));
  if (interests.some((i) => i.length > 60))
    problems.push(problem('interests', 'interestLength', 'Keep each interest under 60 characters.'));
  const homeDistrict = input.homeDistrict?.trim() || null;
  // Digits mean house numbers or postcodes: an address, which we never keep.
  if (homeDistrict && (homeDistrict.length > 80 || /\d/.test(homeDistrict))) {
    problems.push(
      problem('homeDistrict', 'homeDistrict', 'Give only a district or neighbourhood name, not an address.'),
    );
  }
  return { profile: { displayName, pronouns, languages, interests, homeDistrict }, problems };
}

export async function saveProfile(db: Database, userId: string, input: ProfileInput): Promise<AccountView> {
  const { profile, problems } = validateProfile(input);
  throwProblems(problems);
  await db.transaction((tx) => updateProfile(tx, userId, profile));
  return accountView(db, userId);
}

/** What the account page and `GET /api/v1/account` show the person about themselves. */
export interface AccountView {
  id: string;
  email: string;
  emailVerified: boolean;
  displayName: string;
  pronouns: string | null;
  languages: string[];
  interests: string[];
  homeDistrict: string | null;
  homeCity: { slug: string; name: Record<string, string> } | null;
  cities: { slug: string; name: Record<string, string>; joinedAt: string }[];
  dateOfBirth: string | null;
  status: PersonRecord['status'];
  hasPassword: boolean;
  hasAvatar: boolean;
  guardianConsent: { status: 'pending' | 'given' | 'withdrawn'; guardianEmail: string } | null;
  identities: { provider: string; linkedAt: string }[];
}

export async function accountView(db: SqlRunner, userId: string): Promise<AccountView> {
  const person = await findPersonById(db, userId);
  if (!person) throw new AppError('UNAUTHENTICATED');
  const [cities, consent, identities] = await Promise.all([
    listPersonCities(db, userId),
    consentStateFor(db, userId),
    listIdentities(db, userId),
  ]);
  const home = cities.find((c) => c.cityId === person.homeCityId);
  return {
    id: person.id,
    email: person.email,
    emailVerified: person.emailVerifiedAt !== null,
    displayName: person.displayName,
    pronouns: person.pronouns,
    languages: person.languages,
    interests: person.interests,
    homeDistrict: person.homeDistrict,
    homeCity: home ? { slug: home.slug, name: home.name } : null,
    cities: cities.map((c) => ({ slug: c.slug, name: c.name, joinedAt: new Date(c.joinedAt).toISOString() })),
    dateOfBirth: person.dateOfBirth,
    status: person.status,
    hasPassword: person.passwordHash !== null,
    hasAvatar: person.avatarPath !== null,
    guardianConsent: consent ? { status: consent.status, guardianEmail: consent.guardianEmail } : null,
    identities: identities.map((i) => ({ provider: i.provider, linkedAt: new Date(i.createdAt).toISOString() })),
  };
}

export async function sessionsOf(db: SqlRunner, userId: string, currentSessionId: string) {
  return (await listSessions(db, userId)).map((s) => ({
    id: s.id,
    current: s.id === currentSessionId,
    userAgent: s.userAgent,
    ip: s.ip,
    createdAt: new Date(s.createdAt).toISOString(),
    lastSeenAt: new Date(s.lastSeenAt).toISOString(),
  }));
}

// Avatars: the type is decided by the file's first bytes, never by its name or the declared content type.

export type ImageType = 'png' | 'jpeg' | 'webp';

export const imageContentTypes: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  const starts = (signature: number[], offset = 0) => signature.every((b, i) => bytes[offset + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return undefined;
}

function avatarsDir(dataDir: string): string {
  return path.join(dataDir, 'files', 'avatars');
}

/** The absolute path of a stored avatar; refuses anything that would leave the avatars folder. */
export function avatarFile(dataDir: string, avatarPath: string): string {
  const base = avatarsDir(dataDir);
  const file = path.resolve(base, path.basename(avatarPath));
  if (path.dirname(file) !== base) throw new AppError('NOT_FOUND');
  return file;
}

/** Stores a new avatar (PNG, JPEG or WebP, at most 2 MB) and removes the previous one. */
export async function setAvatar(db: Database, dataDir: string, userId: string, bytes: Buffer): Promise<void> {
  const type = sniffImage(bytes);
  if (!type || bytes.length > AVATAR_MAX_BYTES || bytes.length < 16) {
    throw new AppError('AVATAR_INVALID', undefined, [
      problem('avatar', 'avatar', 'PNG, JPEG or WebP, at most 2 MB.', 'AVATAR_INVALID'),
    ]);
  }
  const person = await findPersonById(db, userId);
  if (!person) throw new AppError('UNAUTHENTICATED');
  await fs.mkdir(avatarsDir(dataDir), { recursive: true });
  const name = `${userId}-${randomBytes(6).toString('hex')}.${type === 'jpeg' ? 'jpg' : type}`;
  const file = avatarFile(dataDir, name);
  await fs.writeFile(file, bytes, { mode: 0o640 });
  try {
    await db.transaction((tx) => setAvatarPath(tx, userId, `avatars/${name}`));
  } catch (error) {
    await fs.rm(file, { force: true });
    throw error;
  }
  if (person.avatarPath) await fs.rm(avatarFile(dataDir, person.avatarPath), { force: true });
}

export async function removeAvatar(db: Database, dataDir: string, userId: string): Promise<void> {
  const person = await findPersonById(db, userId);
  if (!person?.avatarPath) return;
  await db.transaction((tx) => setAvatarPath(tx, userId, null));
  await fs.rm(avatarFile(dataDir, person.avatarPath), { force: true });
}

export async function readAvatar(
  db: SqlRunner,
  dataDir: string,
  userId: string,
): Promise<{ bytes: Buffer; contentType: string }> {
  const person = await findPersonById(db, userId);
  if (!person?.avatarPath) throw new AppError('NOT_FOUND');
  const bytes = await fs.readFile(avatarFile(dataDir, person.avatarPath)).catch(() => {
    throw new AppError('NOT_FOUND');
  });
  const type = sniffImage(bytes);
  if (!type) throw new AppError('NOT_FOUND');
  return { bytes, contentType: imageContentTypes[type] };
}
