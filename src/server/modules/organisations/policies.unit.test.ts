import { describe, expect, it } from 'vitest';
import {
  type Actor,
  actsAsOrganisationKind,
  canDecideApplications,
  canGrantMembershipRole,
  canManageApiTokens,
  canManageMembers,
  canReadAuditLog,
  isQualityAssessor,
  organisationRole,
  type UserActor,
} from '../accounts/actor.ts';

const person = (overrides: Partial<UserActor> = {}): UserActor => ({
  kind: 'user',
  userId: 'u1',
  email: 'a@example.org',
  displayName: 'A',
  status: 'active',
  emailVerified: true,
  sessionId: 's',
  csrfToken: 'c',
  roles: [],
  memberships: [],
  ...overrides,
});

const token: Actor = {
  kind: 'api_token',
  tokenId: 't',
  name: 'sync',
  cityId: 'city-a',
  organisationId: 'org',
  scopes: ['members:read'],
};

describe('organisation, city and audit policies', () => {
  const owner = person({ memberships: [{ organisationId: 'org', role: 'owner' }] });
  const admin = person({ memberships: [{ organisationId: 'org', role: 'admin' }] });
  const staff = person({ memberships: [{ organisationId: 'org', role: 'staff' }] });
  const curatorA = person({ roles: [{ role: 'city_curator', cityId: 'city-a' }] });
  const networkAdmin = person({ roles: [{ role: 'network_admin', cityId: null }] });
  const assessor = person({ roles: [{ role: 'quality_assessor', cityId: 'city-a' }] });

  it('owners and admins manage members; only owners (and network admins) grant the owner role', () => {
    expect([owner, admin, staff, curatorA, networkAdmin, token].map((a) => canManageMembers(a, 'org'))).toEqual([
      true,
      true,
      false,
      false,
      true,
      false,
    ]);
    expect(canGrantMembershipRole(admin, 'org', 'admin')).toBe(true);
    expect(canGrantMembershipRole(admin, 'org', 'owner')).toBe(false);
    expect(canGrantMembershipRole(owner, 'org', 'owner')).toBe(true);
    expect(canGrantMembershipRole(networkAdmin, 'org', 'owner')).toBe(true);
    expect(organisationRole(staff, 'org')).toBe('staff');
    expect(organisationRole(token, 'org')).toBeNull();
  });

  it('API tokens never manage tokens or members', () => {
    expect(canManageApiTokens(token, 'org')).toBe(false);
    expect(canManageApiTokens(admin, 'org')).toBe(true);
  });

  it('curators decide applications and read the audit log of their own city only; admins everywhere', () => {
    expect(canDecideApplications(curatorA, 'city-a')).toBe(true);
    expect(canDecideApplications(curatorA, 'city-b')).toBe(false);
    expect(canReadAuditLog(curatorA, 'city-a')).toBe(true);
    expect(canReadAuditLog(curatorA, null)).toBe(false);
    expect(canReadAuditLog(networkAdmin, null)).toBe(true);
  });

  it('employers, endorsers and quality assessors', () => {
    const employer = { id: 'org', kinds: ['employer'] };
    expect(actsAsOrganisationKind(staff, employer, 'employer')).toBe(true);
    expect(actsAsOrganisationKind(staff, employer, 'endorser')).toBe(false);
    expect(actsAsOrganisationKind(person(), employer, 'employer')).toBe(false);
    expect(isQualityAssessor(assessor, 'city-a')).toBe(true);
    expect(isQualityAssessor(assessor, 'city-b')).toBe(false);
    expect(isQualityAssessor(curatorA, 'city-a')).toBe(false);
  });
});
