import type { MembershipRole, RoleName, UserStatus } from '../../db/schema.ts';

/** Who is making a request: a signed-in person, or an integration holding an API token. */
export type Actor = UserActor | ApiTokenActor;

export interface UserActor {
  kind: 'user';
  userId: string;
  email: string;
  displayName: string;
  status: UserStatus;
  emailVerified: boolean;
  sessionId: string;
  csrfToken: string;
  roles: { role: RoleName; cityId: string | null }[];
  memberships: { organisationId: string; role: MembershipRole }[];
}

export interface ApiTokenActor {
  kind: 'api_token';
  tokenId: string;
  name: string;
  cityId: string;
  organisationId: string;
  scopes: string[];
}

// Policies: pure functions over an actor, so services and routes decide the same way.

export function isNetworkAdmin(actor: Actor | null): boolean {
  return actor?.kind === 'user' && actor.roles.some((r) => r.role === 'network_admin');
}

export function isCityCurator(actor: Actor | null, cityId: string): boolean {
  return (
    isNetworkAdmin(actor) ||
    (actor?.kind === 'user' && actor.roles.some((r) => r.role === 'city_curator' && r.cityId === cityId))
  );
}

export function hasCityRole(actor: Actor | null, role: RoleName, cityId: string): boolean {
  return actor?.kind === 'user' && actor.roles.some((r) => r.role === role && r.cityId === cityId);
}

const membershipRank: Record<MembershipRole, number> = { staff: 1, admin: 2, owner: 3 };

/** True when the actor acts for the organisation with at least the given membership role. */
export function canActForOrganisation(actor: Actor | null, organisationId: string, atLeast: MembershipRole): boolean {
  if (!actor) return false;
  if (isNetworkAdmin(actor)) return true;
  if (actor.kind === 'api_token') return actor.organisationId === organisationId;
  const membership = actor.memberships.find((m) => m.organisationId === organisationId);
  return membership !== undefined && membershipRank[membership.role] >= membershipRank[atLeast];
}

// Policies for organisations, cities and the audit log (issue 4).

/** The actor's membership role in an organisation, or null. API tokens have none (they are not people). */
export function organisationRole(actor: Actor | null, organisationId: string): MembershipRole | null {
  if (actor?.kind !== 'user') return null;
  return actor.memberships.find((m) => m.organisationId === organisationId)?.role ?? null;
}

/** Owners and admins manage members and invitations; only owners give or take away the owner role. */
export function canManageMembers(actor: Actor | null, organisationId: string): boolean {
  return actor?.kind === 'user' && canActForOrganisation(actor, organisationId, 'admin');
}

export function canGrantMembershipRole(actor: Actor | null, organisationId: string, role: MembershipRole): boolean {
  if (!canManageMembers(actor, organisationId)) return false;
  return role !== 'owner' || isNetworkAdmin(actor) || organisationRole(actor, organisationId) === 'owner';
}

/** API tokens are made by people who administer the organisation, never by another token. */
export function canManageApiTokens(actor: Actor | null, organisationId: string): boolean {
  return canManageMembers(actor, organisationId);
}

/** A city's curators (and network admins) decide organisations' applications to join the city. */
export function canDecideApplications(actor: Actor | null, cityId: string): boolean {
  return isCityCurator(actor, cityId);
}

/** Curators read their city's audit log; network admins read every city's and the network's. */
export function canReadAuditLog(actor: Actor | null, cityId: string | null): boolean {
  return cityId === null ? isNetworkAdmin(actor) : isCityCurator(actor, cityId);
}

/** Network admins create and archive cities and appoint curators; curators edit their city's branding. */
export function canAdministerCities(actor: Actor | null): boolean {
  return isNetworkAdmin(actor);
}

export function canEditCitySettings(actor: Actor | null, cityId: string): boolean {
  return isCityCurator(actor, cityId);
}

/** Quality assessors review Quality Label applications in one city. */
export function isQualityAssessor(actor: Actor | null, cityId: string): boolean {
  return hasCityRole(actor, 'quality_assessor', cityId);
}

/** Employers and endorsers are members of organisations of that kind (approved in the city). */
export function actsAsOrganisationKind(
  actor: Actor | null,
  organisation: { id: string; kinds: readonly string[] },
  kind: 'provider' | 'employer' | 'endorser',
): boolean {
  return organisation.kinds.includes(kind) && canActForOrganisation(actor, organisation.id, 'staff');
}
