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
