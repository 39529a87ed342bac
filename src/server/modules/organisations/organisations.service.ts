import type { Database, SqlRunner } from '../../db/client.ts';
import { type MembershipRole, membershipRoles, type OrganisationKind, organisationKinds } from '../../db/schema.ts';
import { AppError, type ErrorCode, type ErrorDetail } from '../../errors.ts';
import { queueEmail } from '../../mail/email-jobs.ts';
import { renderEmail } from '../../../web/emails/email.ts';
import { isSupportedLanguage, translatorFor } from '../../../web/i18n.ts';
import {
  type Actor,
  canDecideApplications,
  canGrantMembershipRole,
  canManageApiTokens,
  canManageMembers,
  canActForOrganisation,
  isNetworkAdmin,
  organisationRole,
} from '../accounts/actor.ts';
import { API_TOKEN_PREFIX, hashSecret, newSecret } from '../accounts/sessions.service.ts';
import { recordAudit, type AuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import {
  type AddressRecord,
  type ApiTokenRecord,
  consumeInvitation,
  deleteAddress,
  deleteInvitation,
  deleteMember,
  findInvitationByTokenHash,
  findMember,
  findOrganisationInCity,
  findOrganisationInCityBySlug,
  insertAddress,
  insertApiToken,
  insertApplication,
  insertInvitation,
  insertOrganisation,
  type InvitationRecord,
  listAddresses,
  listApiTokens,
  listMembers,
  listOpenInvitations,
  listOrganisationsInCity,
  lockOwners,
  type MemberRecord,
  type OrganisationInCity,
  revokeApiToken,
  setApplicationStatus,
  setTrusted,
  setVerified,
  updateOrganisation,
  upsertMember,
} from './organisations.repo.ts';

/** Who is acting: a person or token from a request, or the operator's command line (`system`), with audit context. */
export interface Caller {
  actor: Actor | 'system';
  audit: AuditContext;
}

/** Scopes an API token may carry; routes name the scope they need in `config.scope`. */
export const apiTokenScopes = [
  'organisation:read',
  'members:read',
  'activities:read',
  'activities:write',
  'badges:read',
  'badges:issue',
  'badges:write',
] as const;
export type ApiTokenScope = (typeof apiTokenScopes)[number];

export const INVITATION_LIFETIME_DAYS = 14;
const reservedSlugs = new Set(['new', 'applications', 'manage']);
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(email: string): boolean {
  return emailPattern.test(email) && email.length <= 254;
}

function actorOf(caller: Caller): Actor | null {
  return caller.actor === 'system' ? null : caller.actor;
}

function allowed(caller: Caller, check: (actor: Actor | null) => boolean): boolean {
  return caller.actor === 'system' || check(caller.actor);
}

function requirePerson(caller: Caller): void {
  if (caller.actor !== 'system' && caller.actor.kind !== 'user') throw new AppError('PERSON_REQUIRED');
}

function userIdOf(caller: Caller): string | null {
  return caller.actor !== 'system' && caller.actor.kind === 'user' ? caller.actor.userId : null;
}

/** A URL-safe short name from a display name: "Café Čiurlionis" → "cafe-ciurlionis". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || 'organisation';
}

/**
 * The slug of a city's new or renamed page (an activity, a badge): the one asked for, refused with `takenCode` when
 * another page has it, or else the name's (in the city's language) with the first free `-2`, `-3`… suffix.
 */
export async function freePageSlug(options: {
  wanted: string | null | undefined;
  name: Record<string, string>;
  city: CityRecord;
  /** The slug when the name gives none. */
  fallback: string;
  takenCode: ErrorCode;
  taken: (slug: string) => Promise<boolean>;
  startingWith: (base: string) => Promise<Set<string>>;
}): Promise<string> {
  if (options.wanted) {
    if (await options.taken(options.wanted)) throw new AppError(options.takenCode);
    return options.wanted;
  }
  const fromName = slugify(options.name[options.city.defaultLanguage] ?? Object.values(options.name)[0] ?? '');
  const base = fromName === 'organisation' ? options.fallback : fromName;
  const taken = await options.startingWith(base);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export interface AddressInput {
  label?: string;
  street: string;
  postcode?: string;
  locality?: string;
  lat: number;
  lon: number;
}

export interface OrganisationProfileInput {
  name: string;
  description?: string;
  kinds: string[];
  website?: string | null;
  contactEmail?: string | null;
}

export interface CreateOrganisationInput extends OrganisationProfileInput {
  slug?: string;
  applicationNote?: string;
  addresses?: AddressInput[];
}

function validateProfile(input: OrganisationProfileInput, problems: ErrorDetail[]) {
  const name = input.name.trim();
  if (name.length < 2 || name.length > 120)
    problems.push({ field: '/name', problem: 'Give a name of 2–120 characters.' });
  const kinds = [...new Set(input.kinds)];
  if (kinds.length === 0) problems.push({ field: '/kinds', problem: 'Choose at least one kind of organisation.' });
  for (const kind of kinds) {
    if (!(organisationKinds as readonly string[]).includes(kind)) {
      problems.push({ field: '/kinds', problem: `"${kind}" is not a kind; use ${organisationKinds.join(', ')}.` });
    }
  }
  const description = (input.description ?? '').trim();
  if (description.length > 4000)
    problems.push({ field: '/description', problem: 'Keep the description under 4000 characters.' });
  const website = input.website?.trim() || null;
  if (website) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(website).protocol) && website.length <= 500;
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ field: '/website', problem: 'Give a full web address starting with https://.' });
  }
  const contactEmail = input.contactEmail?.trim() || null;
  if (contactEmail && !isValidEmail(contactEmail))
    problems.push({ field: '/contactEmail', problem: 'Give a valid email address.' });
  return { name, description, kinds: kinds as OrganisationKind[], website, contactEmail };
}

/** Checks an address; coordinates must lie inside the city's map bounds. */
export function validateAddress(city: CityRecord, address: AddressInput, field = '/address'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!address.street?.trim() || address.street.trim().length > 200) {
    problems.push({ field: `${field}/street`, problem: 'Give the street and number (up to 200 characters).' });
  }
  const { lat, lon } = address;
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) {
    problems.push({ field: `${field}/lat`, problem: 'Give the latitude and longitude in degrees.' });
  } else if (lat < city.boundsSouth || lat > city.boundsNorth || lon < city.boundsWest || lon > city.boundsEast) {
    problems.push({
      field: `${field}/lat`,
      problem: `The place must lie inside the city's map area (latitude ${city.boundsSouth}–${city.boundsNorth}, longitude ${city.boundsWest}–${city.boundsEast}).`,
    });
  }
  return problems;
}

function cleanAddress(address: AddressInput): Omit<AddressRecord, 'id'> {
  return {
    label: (address.label ?? '').trim().slice(0, 120),
    street: address.street.trim(),
    postcode: (address.postcode ?? '').trim().slice(0, 20),
    locality: (address.locality ?? '').trim().slice(0, 120),
    lat: address.lat,
    lon: address.lon,
  };
}

export function assertCityOpen(city: CityRecord): void {
  if (city.status === 'archived') throw new AppError('CITY_ARCHIVED');
}

/** The organisation as it takes part in the city; 404 for organisations of other cities (ids copied or guessed). */
export async function organisationInCity(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
): Promise<OrganisationInCity> {
  const organisation = await findOrganisationInCity(db, city.id, organisationId);
  if (!organisation) throw new AppError('ORGANISATION_NOT_FOUND');
  return organisation;
}

/**
 * Creates an organisation and its application to join the city, with its addresses; the person creating it becomes
 * its owner. The city's curators decide the application.
 */
export async function createOrganisation(
  db: Database,
  city: CityRecord,
  input: CreateOrganisationInput,
  caller: Caller,
  ownerUserId: string | null,
): Promise<OrganisationInCity> {
  assertCityOpen(city);
  requirePerson(caller);
  const problems: ErrorDetail[] = [];
  const profile = validateProfile(input, problems);
  const explicitSlug = input.slug?.trim() || undefined;
  if (explicitSlug && (!slugPattern.test(explicitSlug) || reservedSlugs.has(explicitSlug))) {
    problems.push({ field: '/slug', problem: 'Use 1–64 lowercase letters, digits and hyphens (not "new").' });
  }
  const note = (input.applicationNote ?? '').trim();
  if (note.length > 2000) problems.push({ field: '/applicationNote', problem: 'Keep the note under 2000 characters.' });
  (input.addresses ?? []).forEach((address, index) => {
    problems.push(...validateAddress(city, address, `/addresses/${index}`));
  });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);

  return db.transaction(async (tx) => {
    let organisationId: string | undefined;
    const base = explicitSlug ?? slugify(profile.name);
    for (let attempt = 1; attempt <= (explicitSlug ? 1 : 25) && !organisationId; attempt++) {
      const slug = attempt === 1 && !reservedSlugs.has(base) ? base : `${base.slice(0, 58)}-${attempt}`;
      organisationId = await insertOrganisation(tx, { slug, ...profile });
    }
    if (!organisationId) {
      throw new AppError('ORGANISATION_SLUG_TAKEN', undefined, [{ field: '/slug', problem: 'taken' }]);
    }
    await insertApplication(tx, city.id, organisationId, note);
    for (const address of input.addresses ?? [])
      await insertAddress(tx, city.id, organisationId, cleanAddress(address));
    if (ownerUserId) await upsertMember(tx, organisationId, ownerUserId, 'owner');
    const created = (await findOrganisationInCity(tx, city.id, organisationId)) as OrganisationInCity;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.apply',
      targetType: 'organisation',
      targetId: organisationId,
      after: {
        slug: created.slug,
        name: created.name,
        kinds: created.kinds,
        status: created.status,
        owner: ownerUserId,
      },
    });
    return created;
  });
}

/** An existing organisation (of another city) applies to join this one. */
export async function applyToCity(
  db: Database,
  city: CityRecord,
  organisationId: string,
  note: string,
  caller: Caller,
): Promise<OrganisationInCity> {
  assertCityOpen(city);
  requirePerson(caller);
  if (!allowed(caller, (actor) => canManageMembers(actor, organisationId))) throw new AppError('FORBIDDEN');
  if (note.trim().length > 2000) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/applicationNote', problem: 'Keep the note under 2000 characters.' },
    ]);
  }
  return db.transaction(async (tx) => {
    const [exists] = await tx.query('SELECT 1 FROM organisations WHERE id = $1', [organisationId]);
    if (!exists) throw new AppError('ORGANISATION_NOT_FOUND');
    if (!(await insertApplication(tx, city.id, organisationId, note.trim())))
      throw new AppError('ORGANISATION_ALREADY_IN_CITY');
    const organisation = (await findOrganisationInCity(tx, city.id, organisationId)) as OrganisationInCity;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.apply',
      targetType: 'organisation',
      targetId: organisationId,
      after: { slug: organisation.slug, status: 'pending' },
    });
    return organisation;
  });
}

/** Approved organisations, for the public directory. */
export function listPublicOrganisations(
  db: SqlRunner,
  city: CityRecord,
  kind?: OrganisationKind,
): Promise<OrganisationInCity[]> {
  return listOrganisationsInCity(db, city.id, { status: 'approved', kind });
}

/** The curator's queue (pending by default) or any other status. */
export function listApplications(
  db: SqlRunner,
  city: CityRecord,
  status: OrganisationInCity['status'] = 'pending',
): Promise<OrganisationInCity[]> {
  return listOrganisationsInCity(db, city.id, { status });
}

/** Whether the actor may see the organisation although it is not (yet) approved: its members and curators. */
function canSeeUnapproved(actor: Actor | null, city: CityRecord, organisationId: string): boolean {
  return canActForOrganisation(actor, organisationId, 'staff') || canDecideApplications(actor, city.id);
}

export interface OrganisationDetails extends OrganisationInCity {
  addresses: AddressRecord[];
}

/** One organisation in the city. The public sees approved ones only; members and curators see theirs in any state. */
export async function getOrganisation(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
  actor: Actor | null,
): Promise<OrganisationDetails> {
  const organisation = await organisationInCity(db, city, organisationId);
  if (organisation.status !== 'approved' && !canSeeUnapproved(actor, city, organisationId)) {
    throw new AppError('ORGANISATION_NOT_FOUND');
  }
  return { ...organisation, addresses: await listAddresses(db, city.id, organisationId) };
}

export async function getOrganisationBySlug(
  db: SqlRunner,
  city: CityRecord,
  slug: string,
  actor: Actor | null,
): Promise<OrganisationDetails> {
  const organisation = await findOrganisationInCityBySlug(db, city.id, slug);
  if (!organisation || (organisation.status !== 'approved' && !canSeeUnapproved(actor, city, organisation.id))) {
    throw new AppError('ORGANISATION_NOT_FOUND');
  }
  return { ...organisation, addresses: await listAddresses(db, city.id, organisation.id) };
}

export async function updateOrganisationProfile(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: OrganisationProfileInput,
  caller: Caller,
): Promise<OrganisationInCity> {
  assertCityOpen(city);
  const problems: ErrorDetail[] = [];
  const profile = validateProfile(input, problems);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    const before = await organisationInCity(tx, city, organisationId);
    await updateOrganisation(tx, city.id, organisationId, profile);
    const after = (await findOrganisationInCity(tx, city.id, organisationId)) as OrganisationInCity;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.update',
      targetType: 'organisation',
      targetId: organisationId,
      before: pickProfile(before),
      after: pickProfile(after),
    });
    return after;
  });
}

function pickProfile(o: OrganisationInCity) {
  return { name: o.name, description: o.description, kinds: o.kinds, website: o.website, contactEmail: o.contactEmail };
}

export async function addAddress(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: AddressInput,
  caller: Caller,
): Promise<AddressRecord> {
  assertCityOpen(city);
  const problems = validateAddress(city, input, '');
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const address = await insertAddress(tx, city.id, organisationId, cleanAddress(input));
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.address.add',
      targetType: 'organisation_address',
      targetId: address.id,
      after: { organisationId, ...address },
    });
    return address;
  });
}

export async function removeAddress(
  db: Database,
  city: CityRecord,
  organisationId: string,
  addressId: string,
  caller: Caller,
): Promise<void> {
  assertCityOpen(city);
  await db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const removed = await deleteAddress(tx, city.id, organisationId, addressId);
    if (!removed) throw new AppError('ADDRESS_NOT_FOUND');
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.address.remove',
      targetType: 'organisation_address',
      targetId: addressId,
      before: { organisationId, ...removed },
    });
  });
}

export interface Decision {
  decision: 'approve' | 'reject';
  reason?: string;
  /** Approving may also mark the organisation as verified (its identity checked by the curator). */
  verify?: boolean;
}

/**
 * A curator approves or rejects an application (a rejection needs a reason). The organisation's owners and admins,
 * and its contact address, are emailed the outcome in the city's default language.
 */
export async function decideApplication(
  db: Database,
  city: CityRecord,
  organisationId: string,
  decision: Decision,
  caller: Caller,
  publicUrl: string,
): Promise<OrganisationInCity> {
  assertCityOpen(city);
  if (!allowed(caller, (actor) => canDecideApplications(actor, city.id))) throw new AppError('FORBIDDEN');
  const reason = (decision.reason ?? '').trim();
  if (decision.decision === 'reject' && reason.length < 3) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/reason', problem: 'Give the applicant a reason for the rejection.' },
    ]);
  }
  if (reason.length > 2000) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/reason', problem: 'Keep the reason under 2000 characters.' },
    ]);
  }
  return db.transaction(async (tx) => {
    const before = await organisationInCity(tx, city, organisationId);
    if (before.status !== 'pending') throw new AppError('APPLICATION_ALREADY_DECIDED');
    const status = decision.decision === 'approve' ? 'approved' : 'rejected';
    const changed = await setApplicationStatus(tx, city.id, organisationId, {
      status,
      reason: reason || null,
      decidedBy: userIdOf(caller),
      onlyFrom: 'pending',
    });
    if (!changed) throw new AppError('APPLICATION_ALREADY_DECIDED');
    if (decision.decision === 'approve' && decision.verify) await setVerified(tx, city.id, organisationId, true);
    const after = (await findOrganisationInCity(tx, city.id, organisationId)) as OrganisationInCity;
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: `organisation.${decision.decision}`,
      targetType: 'organisation',
      targetId: organisationId,
      before: { status: before.status, verified: before.verifiedAt !== null },
      after: { status: after.status, verified: after.verifiedAt !== null, reason: reason || null },
    });
    await emailDecision(tx, city, after, publicUrl);
    return after;
  });
}

async function emailDecision(tx: SqlRunner, city: CityRecord, organisation: OrganisationInCity, publicUrl: string) {
  const language = isSupportedLanguage(city.defaultLanguage) ? city.defaultLanguage : 'en';
  const t = translatorFor(language);
  const recipients = new Set(
    (await listMembers(tx, organisation.id)).filter((m) => m.role !== 'staff').map((m) => m.email.toLowerCase()),
  );
  if (organisation.contactEmail) recipients.add(organisation.contactEmail.toLowerCase());
  const approved = organisation.status === 'approved';
  const vars = { organisation: organisation.name, city: cityName(city, language) };
  const content = renderEmail(language, {
    subject: t(approved ? 'organisations:emails.approved.subject' : 'organisations:emails.rejected.subject', vars),
    greeting: t('organisations:emails.greeting'),
    paragraphs: [
      t(approved ? 'organisations:emails.approved.body' : 'organisations:emails.rejected.body', vars),
      ...(organisation.decisionReason
        ? [t('organisations:emails.reason', { reason: organisation.decisionReason })]
        : []),
    ],
    action: approved
      ? {
          label: t('organisations:emails.approved.action'),
          url: `${publicUrl}/c/${city.slug}/organisations/${organisation.slug}`,
        }
      : undefined,
  });
  for (const to of recipients) await queueEmail(tx, city.id, { to, ...content });
}

// Members

/**
 * A curator marks an approved organisation as trusted (its activities are published without review) or takes the
 * trust away. Recorded in the audit log.
 */
export async function setOrganisationTrust(
  db: Database,
  city: CityRecord,
  organisationId: string,
  trusted: boolean,
  caller: Caller,
): Promise<OrganisationInCity> {
  assertCityOpen(city);
  if (!allowed(caller, (actor) => canDecideApplications(actor, city.id))) throw new AppError('FORBIDDEN');
  return db.transaction(async (tx) => {
    const before = await organisationInCity(tx, city, organisationId);
    if (before.status !== 'approved') {
      throw new AppError('CONFLICT', 'Only an approved organisation can be trusted to publish without review.');
    }
    await setTrusted(tx, city.id, organisationId, trusted);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'organisation.trust',
      targetType: 'organisation',
      targetId: organisationId,
      before: { trusted: before.trusted },
      after: { trusted },
    });
    return organisationInCity(tx, city, organisationId);
  });
}

export async function listOrganisationMembers(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
): Promise<MemberRecord[]> {
  await organisationInCity(db, city, organisationId);
  return listMembers(db, organisationId);
}

/** Changes a member's role. Only owners touch the owner role; the last owner cannot be demoted. */
export async function changeMemberRole(
  db: Database,
  city: CityRecord,
  organisationId: string,
  userId: string,
  role: MembershipRole,
  caller: Caller,
): Promise<MemberRecord> {
  assertCityOpen(city);
  requirePerson(caller);
  if (!(membershipRoles as readonly string[]).includes(role)) {
    throw new AppError('VALIDATION_FAILED', undefined, [
      { field: '/role', problem: `Use ${membershipRoles.join(', ')}.` },
    ]);
  }
  return db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const member = await findMember(tx, organisationId, userId);
    if (!member) throw new AppError('MEMBER_NOT_FOUND');
    if (!allowed(caller, (actor) => canManageMembers(actor, organisationId))) throw new AppError('FORBIDDEN');
    if (
      (role === 'owner' || member.role === 'owner') &&
      !allowed(caller, (actor) => canGrantMembershipRole(actor, organisationId, 'owner'))
    ) {
      throw new AppError('OWNER_ONLY');
    }
    if (member.role === 'owner' && role !== 'owner') {
      const owners = await lockOwners(tx, organisationId);
      if (owners.length <= 1) throw new AppError('LAST_OWNER');
    }
    await upsertMember(tx, organisationId, userId, role);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'member.role_change',
      targetType: 'membership',
      targetId: `${organisationId}:${userId}`,
      before: { role: member.role, email: member.email },
      after: { role, email: member.email },
    });
    return { ...member, role };
  });
}

export async function removeMember(
  db: Database,
  city: CityRecord,
  organisationId: string,
  userId: string,
  caller: Caller,
): Promise<void> {
  assertCityOpen(city);
  requirePerson(caller);
  await db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const member = await findMember(tx, organisationId, userId);
    if (!member) throw new AppError('MEMBER_NOT_FOUND');
    if (!allowed(caller, (actor) => canManageMembers(actor, organisationId))) throw new AppError('FORBIDDEN');
    if (member.role === 'owner') {
      if (!allowed(caller, (actor) => canGrantMembershipRole(actor, organisationId, 'owner')))
        throw new AppError('OWNER_ONLY');
      if ((await lockOwners(tx, organisationId)).length <= 1) throw new AppError('LAST_OWNER');
    }
    await deleteMember(tx, organisationId, userId);
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'member.remove',
      targetType: 'membership',
      targetId: `${organisationId}:${userId}`,
      before: { role: member.role, email: member.email },
    });
  });
}

// Invitations

export interface NewInvitation {
  invitation: InvitationRecord;
  /** The link sent by email; shown once to the command line, never stored (only its hash is). */
  url: string;
}

export async function inviteMember(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: { email: string; role: MembershipRole; language?: string },
  caller: Caller,
  publicUrl: string,
): Promise<NewInvitation> {
  assertCityOpen(city);
  requirePerson(caller);
  const email = input.email.trim();
  const problems: ErrorDetail[] = [];
  if (!isValidEmail(email)) problems.push({ field: '/email', problem: 'Give a valid email address.' });
  if (!(membershipRoles as readonly string[]).includes(input.role)) {
    problems.push({ field: '/role', problem: `Use ${membershipRoles.join(', ')}.` });
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  if (!allowed(caller, (actor) => canGrantMembershipRole(actor, organisationId, input.role))) {
    throw new AppError(input.role === 'owner' ? 'OWNER_ONLY' : 'FORBIDDEN');
  }
  return db.transaction(async (tx) => {
    const organisation = await organisationInCity(tx, city, organisationId);
    const token = newSecret();
    const invitation = await insertInvitation(tx, city.id, {
      tokenHash: hashSecret(token),
      email,
      organisationId,
      role: input.role,
      invitedBy: userIdOf(caller),
      expiresAt: new Date(Date.now() + INVITATION_LIFETIME_DAYS * 24 * 3600 * 1000),
    });
    const url = `${publicUrl}/invitations/${token}`;
    const language =
      isSupportedLanguage(input.language) && city.languages.includes(input.language)
        ? input.language
        : isSupportedLanguage(city.defaultLanguage)
          ? city.defaultLanguage
          : 'en';
    const t = translatorFor(language);
    const vars = {
      organisation: organisation.name,
      city: cityName(city, language),
      role: t(`organisations:roles.${input.role}`),
      days: INVITATION_LIFETIME_DAYS,
    };
    await queueEmail(tx, city.id, {
      to: email,
      ...renderEmail(language, {
        subject: t('organisations:emails.invitation.subject', vars),
        greeting: t('organisations:emails.greeting'),
        paragraphs: [
          t('organisations:emails.invitation.body', vars),
          t('organisations:emails.invitation.expiry', vars),
        ],
        action: { label: t('organisations:emails.invitation.action'), url },
        footer: t('organisations:emails.invitation.footer'),
      }),
    });
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'member.invite',
      targetType: 'invitation',
      targetId: invitation.id,
      after: { organisationId, email, role: input.role, expiresAt: invitation.expiresAt },
    });
    return { invitation, url };
  });
}

export async function listInvitations(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
): Promise<InvitationRecord[]> {
  await organisationInCity(db, city, organisationId);
  return listOpenInvitations(db, city.id, organisationId);
}

export async function revokeInvitation(
  db: Database,
  city: CityRecord,
  organisationId: string,
  invitationId: string,
  caller: Caller,
): Promise<void> {
  assertCityOpen(city);
  await db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const removed = await deleteInvitation(tx, city.id, organisationId, invitationId);
    if (!removed) throw new AppError('INVITATION_NOT_FOUND');
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'member.invitation_revoke',
      targetType: 'invitation',
      targetId: invitationId,
      before: { organisationId, email: removed.email, role: removed.role },
    });
  });
}

export interface InvitationView {
  invitation: InvitationRecord;
  organisation: OrganisationInCity;
  citySlug: string;
}

/** What an invitation link offers; INVITATION_INVALID when unknown, expired or used. */
export async function describeInvitation(db: SqlRunner, token: string): Promise<InvitationView> {
  const invitation = await findInvitationByTokenHash(db, hashSecret(token));
  if (!invitation || invitation.usedAt || new Date(invitation.expiresAt).getTime() <= Date.now()) {
    throw new AppError('INVITATION_INVALID');
  }
  const organisation = await findOrganisationInCity(db, invitation.cityId, invitation.organisationId);
  const [city] = await db.query<{ slug: string }>('SELECT slug FROM cities WHERE id = $1', [invitation.cityId]);
  if (!organisation || !city) throw new AppError('INVITATION_INVALID');
  return { invitation, organisation, citySlug: city.slug };
}

/** The signed-in person accepts: they become a member with the invited role. Single use; the email must match. */
export async function acceptInvitation(db: Database, token: string, caller: Caller): Promise<InvitationView> {
  const actor = actorOf(caller);
  if (actor?.kind !== 'user') throw new AppError('PERSON_REQUIRED');
  return db.transaction(async (tx) => {
    const view = await describeInvitation(tx, token);
    if (view.invitation.email.toLowerCase() !== actor.email.toLowerCase())
      throw new AppError('INVITATION_EMAIL_MISMATCH');
    if (!(await consumeInvitation(tx, view.invitation.cityId, view.invitation.id)))
      throw new AppError('INVITATION_INVALID');
    const existing = await findMember(tx, view.organisation.id, actor.userId);
    // Accepting never lowers a role someone already has.
    const rank: Record<MembershipRole, number> = { staff: 1, admin: 2, owner: 3 };
    const role = existing && rank[existing.role] >= rank[view.invitation.role] ? existing.role : view.invitation.role;
    await upsertMember(tx, view.organisation.id, actor.userId, role);
    await recordAudit(tx, caller.audit, {
      cityId: view.invitation.cityId,
      action: 'member.join',
      targetType: 'membership',
      targetId: `${view.organisation.id}:${actor.userId}`,
      before: existing ? { role: existing.role } : null,
      after: { role, email: actor.email, invitationId: view.invitation.id },
    });
    return view;
  });
}

// API tokens

export interface NewApiToken {
  token: ApiTokenRecord;
  /** The full secret, shown once. Only its SHA-256 is stored. */
  secret: string;
}

export async function createApiToken(
  db: Database,
  city: CityRecord,
  organisationId: string,
  input: { name: string; scopes: string[]; expiresInDays?: number },
  caller: Caller,
): Promise<NewApiToken> {
  assertCityOpen(city);
  requirePerson(caller);
  if (!allowed(caller, (actor) => canManageApiTokens(actor, organisationId))) throw new AppError('FORBIDDEN');
  const problems: ErrorDetail[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 80)
    problems.push({ field: '/name', problem: 'Give a name of 1–80 characters.' });
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) problems.push({ field: '/scopes', problem: 'Choose at least one scope.' });
  for (const scope of scopes) {
    if (!(apiTokenScopes as readonly string[]).includes(scope)) {
      problems.push({ field: '/scopes', problem: `"${scope}" is not a scope; use ${apiTokenScopes.join(', ')}.` });
    }
  }
  const days = input.expiresInDays ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    problems.push({ field: '/expiresInDays', problem: 'Tokens expire after 1 to 365 days.' });
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', undefined, problems);
  return db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const secret = `${API_TOKEN_PREFIX}${newSecret(32)}`;
    const token = await insertApiToken(tx, city.id, organisationId, {
      name,
      tokenPrefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
      tokenHash: hashSecret(secret),
      scopes,
      createdBy: userIdOf(caller),
      expiresAt: new Date(Date.now() + days * 24 * 3600 * 1000),
    });
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'api_token.create',
      targetType: 'api_token',
      targetId: token.id,
      after: { organisationId, name, scopes, prefix: token.tokenPrefix, expiresAt: token.expiresAt },
    });
    return { token, secret };
  });
}

export async function listOrganisationApiTokens(
  db: SqlRunner,
  city: CityRecord,
  organisationId: string,
): Promise<ApiTokenRecord[]> {
  await organisationInCity(db, city, organisationId);
  return listApiTokens(db, city.id, organisationId);
}

export async function revokeOrganisationApiToken(
  db: Database,
  city: CityRecord,
  organisationId: string,
  tokenId: string,
  caller: Caller,
): Promise<ApiTokenRecord> {
  requirePerson(caller);
  if (!allowed(caller, (actor) => canManageApiTokens(actor, organisationId))) throw new AppError('FORBIDDEN');
  return db.transaction(async (tx) => {
    await organisationInCity(tx, city, organisationId);
    const result = await revokeApiToken(tx, city.id, organisationId, tokenId);
    if (!result) throw new AppError('API_TOKEN_NOT_FOUND');
    await recordAudit(tx, caller.audit, {
      cityId: city.id,
      action: 'api_token.revoke',
      targetType: 'api_token',
      targetId: tokenId,
      before: { name: result.before.name, revokedAt: result.before.revokedAt },
      after: { name: result.after.name, revokedAt: result.after.revokedAt },
    });
    return result.after;
  });
}

/** The membership role the actor holds (for pages deciding what to show). */
export function viewerRole(actor: Actor | null, organisationId: string): MembershipRole | 'network_admin' | null {
  if (isNetworkAdmin(actor)) return 'network_admin';
  return organisationRole(actor, organisationId);
}
