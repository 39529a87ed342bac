import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db/client.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { cliAuditContext } from '../../src/server/modules/audit/audit.service.ts';
import { type CityRecord, findCityBySlug } from '../../src/server/modules/cities/cities.repo.ts';
import {
  type Caller,
  createApiToken,
  inviteMember,
} from '../../src/server/modules/organisations/organisations.service.ts';
import { createActivity } from '../../src/server/modules/activities/activities.service.ts';
import { createBadgeClass, publishBadgeClass } from '../../src/server/modules/badges/badge-classes.service.ts';
import { issueCredential } from '../../src/server/modules/badges/credentials.service.ts';
import { createEndorsement } from '../../src/server/modules/badges/endorsements.service.ts';
import { createCrosswalk, createLocalSkill } from '../../src/server/modules/skills/skills.service.ts';
import { type SignedIn, signIn } from '../helpers/auth.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

/**
 * Tenant isolation: people and tokens of city A (Vilnius) cannot list, read, change or delete city B's (Plymouth)
 * data by any route, with ids guessed or copied from B. One row per attempt; a module adds rows for its resources
 * (activities, badges, skills …) to `attempts` below, using the fixture's ids of city B.
 */

interface Fixture {
  a: { city: CityRecord; organisationId: string; organisationSlug: string; tokenSecret: string; localSkillId: string };
  b: {
    city: CityRecord;
    organisationId: string;
    organisationSlug: string;
    pendingOrganisationId: string;
    memberUserId: string;
    addressId: string;
    tokenId: string;
    invitationId: string;
    localSkillId: string;
    crosswalkId: string;
    publishedActivityId: string;
    publishedActivitySlug: string;
    submittedActivityId: string;
    draftActivityId: string;
    /** Published in B (with a twin), but placed by hand in a corner of A's map: only B's map cells may hold them. */
    strayActivityId: string;
    strayActivitySlug: string;
    publishedBadgeId: string;
    publishedBadgeSlug: string;
    draftBadgeId: string;
    badgeCredentialId: string;
    statusListId: string;
    endorsementId: string;
  };
}

type Actor = 'curator of A' | 'admin of organisation A' | 'staff of organisation A' | 'API token of organisation A';

interface Attempt {
  /** The resource type, for the test name and for grouping. */
  resource: string;
  what: string;
  as: Actor;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (f: Fixture) => string;
  body?: (f: Fixture) => object;
  /** Acceptable refusals (404 when the id does not exist in the route's city, 403 when the role does not apply). */
  expect: number[];
  /** For listings allowed in A: nothing of B may appear in the answer. */
  mustNotContain?: (f: Fixture) => string[];
  /** A check that B's data is unchanged afterwards. */
  unchanged?: (db: Database, f: Fixture) => Promise<void>;
}

const org = (f: Fixture, city: 'a' | 'b', id: string) => `/api/v1/cities/${f[city].city.slug}/organisations/${id}`;

const attempts: Attempt[] = [
  // Organisations in a city
  {
    resource: 'organisations',
    what: "list A's directory, finding none of B's organisations",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/organisations`,
    expect: [200],
    mustNotContain: (f) => [f.b.organisationId, f.b.organisationSlug],
  },
  {
    resource: 'organisations',
    what: "read B's organisation through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => org(f, 'a', f.b.organisationId),
    expect: [404],
  },
  {
    resource: 'organisations',
    what: "read B's organisation page through A's city (copied slug)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/organisations/${f.b.organisationSlug}`,
    expect: [404],
  },
  {
    resource: 'organisations',
    what: "read B's pending organisation in B",
    as: 'curator of A',
    method: 'GET',
    url: (f) => org(f, 'b', f.b.pendingOrganisationId),
    expect: [404],
  },
  {
    resource: 'organisations',
    what: "edit B's organisation through A's city",
    as: 'admin of organisation A',
    method: 'PATCH',
    url: (f) => org(f, 'a', f.b.organisationId),
    body: () => ({ name: 'Taken over', kinds: ['provider'] }),
    expect: [403, 404],
    unchanged: async (db, f) =>
      expect(
        (await db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [f.b.organisationId]))[0]
          ?.name,
      ).not.toBe('Taken over'),
  },
  {
    resource: 'organisations',
    what: "edit B's organisation in B",
    as: 'admin of organisation A',
    method: 'PATCH',
    url: (f) => org(f, 'b', f.b.organisationId),
    body: () => ({ name: 'Taken over', kinds: ['provider'] }),
    expect: [403],
  },
  {
    resource: 'organisations',
    what: "edit its own organisation through B's city",
    as: 'admin of organisation A',
    method: 'PATCH',
    url: (f) => org(f, 'b', f.a.organisationId),
    body: () => ({ name: 'Moved', kinds: ['provider'] }),
    expect: [404],
  },
  {
    resource: 'organisations',
    what: "delete B's address through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'DELETE',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/addresses/${f.b.addressId}`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(await db.query('SELECT 1 FROM organisation_addresses WHERE id = $1', [f.b.addressId])).toHaveLength(1),
  },
  // Curator actions
  {
    resource: 'curator actions',
    what: "list B's application queue",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/organisation-applications`,
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: "open B's queue page",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/curate/organisations`,
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: "approve B's application in B",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/organisation-applications/${f.b.pendingOrganisationId}/decision`,
    body: () => ({ decision: 'approve' }),
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: "approve B's application through A's city (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/organisation-applications/${f.b.pendingOrganisationId}/decision`,
    body: () => ({ decision: 'approve' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM organisation_cities WHERE organisation_id = $1', [
            f.b.pendingOrganisationId,
          ])
        )[0]?.status,
      ).toBe('pending'),
  },
  {
    resource: 'curator actions',
    what: 'approve through the queue form of A (copied id)',
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/curate/organisations/${f.b.pendingOrganisationId}`,
    body: () => ({ decision: 'approve' }),
    expect: [404],
  },
  {
    resource: 'curator actions',
    what: "change B's settings",
    as: 'curator of A',
    method: 'PATCH',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/settings`,
    body: () => ({ languages: ['en'], defaultLanguage: 'en', name: { en: 'Hijacked' } }),
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: "list B's curators",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/curators`,
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: 'appoint a curator in B',
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/curators`,
    body: () => ({ email: 'curator.vilnius@demo.learnscape.test' }),
    expect: [403],
  },
  {
    resource: 'curator actions',
    what: 'archive B',
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/archive`,
    expect: [403],
  },
  // Memberships
  {
    resource: 'memberships',
    what: "list B's members in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/members`,
    expect: [403],
  },
  {
    resource: 'memberships',
    what: "list B's members through A's city",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.b.organisationId)}/members`,
    expect: [403, 404],
  },
  {
    resource: 'memberships',
    what: "change a member of B through A's organisation (copied user id)",
    as: 'admin of organisation A',
    method: 'PATCH',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/members/${f.b.memberUserId}`,
    body: () => ({ role: 'admin' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ role: string }>('SELECT role FROM memberships WHERE user_id = $1 AND organisation_id = $2', [
            f.b.memberUserId,
            f.b.organisationId,
          ])
        )[0]?.role,
      ).toBe('staff'),
  },
  {
    resource: 'memberships',
    what: 'remove a member of B in B',
    as: 'admin of organisation A',
    method: 'DELETE',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/members/${f.b.memberUserId}`,
    expect: [403],
  },
  {
    resource: 'memberships',
    what: "withdraw B's invitation through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'DELETE',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/invitations/${f.b.invitationId}`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(await db.query('SELECT 1 FROM one_time_tokens WHERE id = $1', [f.b.invitationId])).toHaveLength(1),
  },
  {
    resource: 'memberships',
    what: "list B's invitations in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/invitations`,
    expect: [403],
  },
  {
    resource: 'memberships',
    what: "open B's members page",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/manage/${f.b.organisationId}`,
    expect: [403],
  },
  // API tokens
  {
    resource: 'API tokens',
    what: "list B's tokens in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/api-tokens`,
    expect: [403],
  },
  {
    resource: 'API tokens',
    what: "list A's tokens, finding none of B's",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/api-tokens`,
    expect: [200],
    mustNotContain: (f) => [f.b.tokenId],
  },
  {
    resource: 'API tokens',
    what: "revoke B's token through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'DELETE',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/api-tokens/${f.b.tokenId}`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM api_tokens WHERE id = $1', [f.b.tokenId])
        )[0]?.revoked_at,
      ).toBeNull(),
  },
  {
    resource: 'API tokens',
    what: "use A's token in B's city",
    as: 'API token of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.a.organisationId)}/members`,
    expect: [403],
  },
  {
    resource: 'API tokens',
    what: "use A's token on B's organisation",
    as: 'API token of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/members`,
    expect: [403],
  },
  {
    resource: 'API tokens',
    what: "use A's token on B's organisation through A's city",
    as: 'API token of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.b.organisationId)}/members`,
    expect: [403],
  },
  // Audit log
  {
    resource: 'audit log',
    what: "read B's audit log",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/audit-log`,
    expect: [403],
  },
  {
    resource: 'audit log',
    what: "open B's audit log page",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/curate/audit-log`,
    expect: [403],
  },
  {
    resource: 'audit log',
    what: "read A's audit log, finding nothing of B",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/audit-log?pageSize=200`,
    expect: [200],
    mustNotContain: (f) => [f.b.organisationId, f.b.tokenId, f.b.invitationId, `"citySlug":"${f.b.city.slug}"`],
  },
  {
    resource: 'audit log',
    what: 'read the network audit log',
    as: 'curator of A',
    method: 'GET',
    url: () => '/api/v1/audit-log',
    expect: [403],
  },
  // Skills (issue 5): local skills, crosswalks and the framework choice, through the API and the curator pages.
  {
    resource: 'skills',
    what: "search A's spine, finding none of B's local skills",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/skills?q=Plymouth%20mentoring`,
    expect: [200],
    mustNotContain: (f) => [f.b.localSkillId],
  },
  {
    resource: 'skills',
    what: "read B's local skill through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/skills/${f.b.localSkillId}`,
    expect: [404],
  },
  {
    resource: 'skills',
    what: "list A's crosswalks, finding none of B's",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/crosswalks`,
    expect: [200],
    mustNotContain: (f) => [f.b.crosswalkId, f.b.localSkillId],
  },
  {
    resource: 'skills',
    what: "choose B's frameworks",
    as: 'curator of A',
    method: 'PUT',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/skill-frameworks`,
    body: () => ({ frameworks: ['greencomp'] }),
    expect: [403],
  },
  {
    resource: 'skills',
    what: "change B's local skill through A's city (copied id)",
    as: 'curator of A',
    method: 'PATCH',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/local-skills/${f.b.localSkillId}`,
    body: () => ({ label: { en: 'Taken over' } }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ label: Record<string, string> }>('SELECT label FROM skills WHERE id = $1', [
            f.b.localSkillId,
          ])
        )[0]?.label.en,
      ).toBe('Plymouth mentoring'),
  },
  {
    resource: 'skills',
    what: "delete B's local skill in B",
    as: 'curator of A',
    method: 'DELETE',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/local-skills/${f.b.localSkillId}`,
    expect: [403],
  },
  {
    resource: 'skills',
    what: "delete B's crosswalk through A's city (copied id)",
    as: 'curator of A',
    method: 'DELETE',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/crosswalks/${f.b.crosswalkId}`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(await db.query('SELECT 1 FROM skill_crosswalks WHERE id = $1', [f.b.crosswalkId])).toHaveLength(1),
  },
  {
    resource: 'skills',
    what: "open B's skills curation page",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/curate/skills`,
    expect: [403],
  },
  {
    resource: 'skills',
    what: "save B's frameworks with the curation form",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.b.city.slug}/curate/skills/frameworks`,
    body: () => ({ frameworks: 'greencomp' }),
    expect: [403],
  },
  {
    resource: 'skills',
    what: "open the edit form of B's local skill through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/curate/skills/${f.b.localSkillId}/edit`,
    expect: [404],
  },
  {
    resource: 'skills',
    what: "edit B's local skill with A's curation form (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/curate/skills/${f.b.localSkillId}/edit`,
    body: () => ({ label_en: 'Taken over' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ label: Record<string, string> }>('SELECT label FROM skills WHERE id = $1', [
            f.b.localSkillId,
          ])
        )[0]?.label.en,
      ).toBe('Plymouth mentoring'),
  },
  {
    resource: 'skills',
    what: "delete B's local skill with A's curation form (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/curate/skills/${f.b.localSkillId}/delete`,
    body: () => ({ confirmed: 'yes' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(await db.query('SELECT 1 FROM skills WHERE id = $1', [f.b.localSkillId])).toHaveLength(1),
  },
  {
    resource: 'skills',
    what: "crosswalk A's skill to B's local skill (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/curate/skills/${f.a.localSkillId}/crosswalks`,
    body: (f) => ({ target: f.b.localSkillId, relation: 'exact', intent: 'add' }),
    expect: [400, 404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM skill_crosswalks WHERE source_skill_id = $1 OR target_skill_id = $1', [
          f.b.localSkillId,
        ]),
      ).toHaveLength(1),
  },
  {
    resource: 'skills',
    what: "remove B's crosswalk with A's curation form (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/curate/skills/${f.a.localSkillId}/crosswalks/${f.b.crosswalkId}/remove`,
    body: () => ({}),
    expect: [404],
    unchanged: async (db, f) =>
      expect(await db.query('SELECT 1 FROM skill_crosswalks WHERE id = $1', [f.b.crosswalkId])).toHaveLength(1),
  },
  // Activities
  {
    resource: 'activities',
    what: "read B's published activity through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/activities/${f.b.publishedActivityId}`,
    expect: [404],
  },
  {
    resource: 'activities',
    what: "read B's published activity page through A's city (copied slug)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/activities/${f.b.publishedActivitySlug}`,
    expect: [404],
  },
  {
    resource: 'activities',
    what: "read B's draft in B",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/activities/${f.b.draftActivityId}`,
    expect: [404],
  },
  {
    resource: 'activities',
    what: "edit B's activity through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'PUT',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/activities/${f.b.publishedActivityId}`,
    body: () => ({ title: { lt: 'Perimta veikla' }, format: 'online', scheduleKind: 'on_demand' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ version: number }>('SELECT version FROM activities WHERE id = $1', [f.b.publishedActivityId])
        )[0]?.version,
      ).toBe(1),
  },
  {
    resource: 'activities',
    what: "edit B's activity in B",
    as: 'admin of organisation A',
    method: 'PUT',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/activities/${f.b.publishedActivityId}`,
    body: () => ({ title: { en: 'Taken over' }, format: 'online', scheduleKind: 'on_demand' }),
    expect: [403],
  },
  {
    resource: 'activities',
    what: "archive B's activity through A's organisation with A's API token",
    as: 'API token of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/activities/${f.b.publishedActivityId}/archive`,
    expect: [403, 404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM activities WHERE id = $1', [f.b.publishedActivityId])
        )[0]?.status,
      ).toBe('published'),
  },
  {
    resource: 'activities',
    what: "read B's activity history through A's organisation",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/activities/${f.b.publishedActivityId}/revisions`,
    expect: [404],
  },
  {
    resource: 'activities',
    what: "approve B's submitted activity through A's moderation queue (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/activity-moderation/${f.b.submittedActivityId}/approve`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM activities WHERE id = $1', [f.b.submittedActivityId])
        )[0]?.status,
      ).toBe('submitted'),
  },
  {
    resource: 'activities',
    what: "return B's submitted activity in B",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.b.city.slug}/activity-moderation/${f.b.submittedActivityId}/return`,
    body: () => ({ note: 'Not yours to judge' }),
    expect: [403],
  },
  {
    resource: 'activities',
    what: "list A's moderation queue, finding none of B's submissions",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/activity-moderation`,
    expect: [200],
    mustNotContain: (f) => [f.b.submittedActivityId],
  },
  // Map cells (issue #6): each city's precomputed map, and words searched within a view.
  {
    resource: 'map cells',
    what: "see B's activity on A's whole-city map, read from the kept cells, where B's activity lies",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/activities/map?zoom=11&lang=en`,
    expect: [200],
    mustNotContain: (f) => [
      f.b.strayActivityId,
      f.b.strayActivitySlug,
      `${f.a.city.boundsWest + 0.005},${f.a.city.boundsSouth + 0.005}`,
    ],
  },
  {
    resource: 'map cells',
    what: "find B's activity by its words within a view of A's city, where B's activity lies",
    as: 'curator of A',
    method: 'GET',
    url: (f) =>
      `/api/v1/cities/${f.a.city.slug}/activities?q=stray&bbox=${f.a.city.boundsWest},${f.a.city.boundsSouth},${f.a.city.boundsWest + 0.02},${f.a.city.boundsSouth + 0.02}`,
    expect: [200],
    mustNotContain: (f) => [f.b.strayActivityId, f.b.strayActivitySlug],
  },
  // Badges (issue 7): badge classes, their achievements, images and pages.
  {
    resource: 'badges',
    what: "read B's badge through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}`,
    expect: [404],
  },
  {
    resource: 'badges',
    what: "read B's draft badge in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/badges/${f.b.draftBadgeId}`,
    expect: [403],
  },
  {
    resource: 'badges',
    what: "edit B's badge through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'PUT',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}`,
    body: () => ({
      kind: 'skill',
      name: { lt: 'Perimtas ženklelis' },
      description: { lt: 'Perimtas.' },
      criteria: { lt: 'Perimtas.' },
      imageAlt: { lt: 'Perimtas' },
    }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ row_version: number }>('SELECT row_version FROM badge_classes WHERE id = $1', [
            f.b.publishedBadgeId,
          ])
        )[0]?.row_version,
      ).toBe(2),
  },
  {
    resource: 'badges',
    what: "publish B's draft badge through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.draftBadgeId}/publish`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (await db.query<{ status: string }>('SELECT status FROM badge_classes WHERE id = $1', [f.b.draftBadgeId]))[0]
          ?.status,
      ).toBe('draft'),
  },
  {
    resource: 'badges',
    what: "archive B's badge through A's organisation with A's API token",
    as: 'API token of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}/archive`,
    expect: [403, 404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM badge_classes WHERE id = $1', [f.b.publishedBadgeId])
        )[0]?.status,
      ).toBe('published'),
  },
  {
    resource: 'badges',
    what: "replace the image of B's badge through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'PUT',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}/image`,
    body: () => ({}),
    expect: [404],
  },
  {
    resource: 'badges',
    what: "create a badge for B's organisation in B",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/badges`,
    body: () => ({
      kind: 'skill',
      name: { en: 'Planted badge' },
      description: { en: 'Planted.' },
      criteria: { en: 'Planted.' },
      imageAlt: { en: 'Planted' },
    }),
    expect: [403],
  },
  {
    resource: 'badges',
    what: "require B's badge first for a badge of A (copied id)",
    as: 'staff of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges`,
    body: (f) => ({
      kind: 'skill',
      name: { lt: 'Svetimas reikalavimas' },
      description: { lt: 'Bandymas.' },
      criteria: { lt: 'Bandymas.' },
      imageAlt: { lt: 'Bandymas' },
      prerequisites: [f.b.publishedBadgeId],
    }),
    expect: [400],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_class_prerequisites WHERE required_badge_class_id = $1', [
          f.b.publishedBadgeId,
        ]),
      ).toHaveLength(0),
  },
  {
    resource: 'badges',
    what: "read B's achievement through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/badges/${f.b.publishedBadgeId}/versions/1`,
    expect: [404],
  },
  {
    resource: 'badges',
    what: "open B's badge page and image through A's city (copied slug)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/badges/${f.b.publishedBadgeSlug}/image.png`,
    expect: [404],
  },
  {
    resource: 'badges',
    what: "open B's draft badge form through A's management pages (copied id)",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/manage/${f.a.organisationId}/badges/${f.b.draftBadgeId}`,
    expect: [404],
  },
  {
    resource: 'badges',
    what: "list A's badge directory, finding none of B's badges",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/badges?pageSize=100`,
    expect: [200],
    mustNotContain: (f) => [f.b.publishedBadgeId, f.b.publishedBadgeSlug],
  },
  {
    resource: 'badges',
    what: "list A's badges, finding none of B's",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges?limit=100`,
    expect: [200],
    mustNotContain: (f) => [f.b.publishedBadgeId, f.b.draftBadgeId],
  },
  // Badge credentials (issue 7): issued credentials, their status lists and the organiser's pages.
  {
    resource: 'badge credentials',
    what: "read B's credential through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/credentials/${f.b.badgeCredentialId}`,
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "revoke B's credential through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/credentials/${f.b.badgeCredentialId}/revoke`,
    body: () => ({ reason: 'Taken over' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM badge_credentials WHERE id = $1', [
            f.b.badgeCredentialId,
          ])
        )[0]?.status,
      ).toBe('active'),
  },
  {
    resource: 'badge credentials',
    what: "suspend B's credential in B",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/credentials/${f.b.badgeCredentialId}/suspend`,
    body: () => ({ reason: 'Taken over' }),
    expect: [403],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ status: string }>('SELECT status FROM badge_credentials WHERE id = $1', [
            f.b.badgeCredentialId,
          ])
        )[0]?.status,
      ).toBe('active'),
  },
  {
    resource: 'badge credentials',
    what: "correct B's credential through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/credentials/${f.b.badgeCredentialId}/correct`,
    body: () => ({ recipientName: 'Someone else' }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_credentials WHERE supersedes_id = $1', [f.b.badgeCredentialId]),
      ).toHaveLength(0),
  },
  {
    resource: 'badge credentials',
    what: "award B's badge through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}/credentials`,
    body: () => ({ recipients: [{ email: 'planted@example.org' }] }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_credentials WHERE badge_class_id = $1', [f.b.publishedBadgeId]),
      ).toHaveLength(1),
  },
  {
    resource: 'badge credentials',
    what: "list B's badge credentials in B with A's API token",
    as: 'API token of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/badges/${f.b.publishedBadgeId}/credentials`,
    expect: [403],
  },
  {
    resource: 'badge credentials',
    what: "open B's credential page and baked image through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/credentials/${f.b.badgeCredentialId}/badge.png`,
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "read B's status list through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/status-lists/${f.b.statusListId}`,
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "open the issued list of B's badge through A's management pages (copied id)",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/manage/${f.a.organisationId}/badges/${f.b.publishedBadgeId}/credentials`,
    expect: [404],
  },
  // Issuers and keys (issue 7): issuer identity and keys of an organisation, through the API and the pages.
  {
    resource: 'issuers',
    what: "read B's issuer keys in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/issuer`,
    expect: [403],
  },
  {
    resource: 'issuers',
    what: "read B's issuer keys through A's city (copied id)",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.b.organisationId)}/issuer`,
    expect: [403, 404],
  },
  {
    resource: 'issuers',
    what: "rotate B's key in B",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/issuer/keys/rotate`,
    expect: [403],
    unchanged: async (db, f) =>
      expect(
        await db.query("SELECT 1 FROM issuer_keys WHERE organisation_id = $1 AND status = 'retired'", [
          f.b.organisationId,
        ]),
      ).toHaveLength(0),
  },
  {
    resource: 'issuers',
    what: "import a key for its own organisation through B's city",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'b', f.a.organisationId)}/issuer/keys/import`,
    body: () => ({
      publicKeyMultibase: 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      secretKeyMultibase: 'zrv3kJcnBP1RpYmvNZ9jcYpKBZg41iSobWxSg3ix2U7Cp59kjwQFCT4SZTgLSL3HP8iGMdJs3nedjqYgNn6ZJmsmjRm',
    }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM issuer_keys WHERE organisation_id = $1 AND imported', [f.a.organisationId]),
      ).toHaveLength(0),
  },
  {
    resource: 'issuers',
    what: "open B's issuer and keys page",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/manage/${f.b.organisationId}/issuer`,
    expect: [403],
  },
  {
    resource: 'issuers',
    what: "rotate B's key with the page form through A's city (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/manage/${f.b.organisationId}/issuer/rotate`,
    body: () => ({ confirmed: 'yes' }),
    expect: [403, 404],
  },
  // Endorsements (issue 7): signed endorsements of badges and issuers.
  {
    resource: 'endorsements',
    what: "read B's endorsement through A's city (copied id)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/endorsements/${f.b.endorsementId}`,
    expect: [404],
  },
  {
    resource: 'endorsements',
    what: "list B's endorsements in B",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/endorsements?direction=received`,
    expect: [403],
  },
  {
    resource: 'endorsements',
    what: "list A's endorsements received, finding none of B's",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/endorsements?direction=received`,
    expect: [200],
    mustNotContain: (f) => [f.b.endorsementId, f.b.publishedBadgeId],
  },
  {
    resource: 'endorsements',
    what: "withdraw B's endorsement through A's organisation (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/endorsements/${f.b.endorsementId}/withdraw`,
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        (
          await db.query<{ withdrawn_at: Date | null }>('SELECT withdrawn_at FROM badge_endorsements WHERE id = $1', [
            f.b.endorsementId,
          ])
        )[0]?.withdrawn_at,
      ).toBeNull(),
  },
  {
    resource: 'endorsements',
    what: "withdraw B's endorsement with A's page form (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `/c/${f.a.city.slug}/manage/${f.a.organisationId}/endorsements/${f.b.endorsementId}/withdraw`,
    body: () => ({ confirmed: 'yes' }),
    expect: [404],
  },
  {
    resource: 'endorsements',
    what: "endorse B's badge through A's city (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/endorsements`,
    body: (f) => ({ targetBadgeClassId: f.b.publishedBadgeId, comment: { lt: 'Perimta rekomendacija' } }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_endorsements WHERE endorser_organisation_id = $1', [f.a.organisationId]),
      ).toHaveLength(0),
  },
  {
    resource: 'endorsements',
    what: "endorse B's organisation through A's city (copied id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/endorsements`,
    body: (f) => ({ targetOrganisationId: f.b.organisationId, comment: { lt: 'Perimta rekomendacija' } }),
    expect: [404],
  },
  // Bulk issuing
  {
    resource: 'bulk issues',
    what: "list B's bulk issues in B's city",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/bulk-issues`,
    expect: [403],
  },
  {
    resource: 'bulk issues',
    what: "issue B's badge in bulk through A's city (copied organisation and badge ids)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.b.organisationId)}/bulk-issues`,
    body: (f) => ({ rows: [{ email: 'stolen@example.org' }], badge: f.b.publishedBadgeId }),
    expect: [403, 404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_issue_batches WHERE organisation_id = $1', [f.b.organisationId]),
      ).toHaveLength(0),
  },
  {
    resource: 'bulk issues',
    what: "issue B's badge in bulk from A's own organisation (copied badge id)",
    as: 'admin of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/bulk-issues`,
    body: (f) => ({ rows: [{ email: 'stolen@example.org' }], badge: f.b.publishedBadgeId }),
    expect: [400],
    unchanged: async (db) =>
      expect(
        await db.query("SELECT 1 FROM badge_credentials WHERE recipient_email = 'stolen@example.org'"),
      ).toHaveLength(0),
  },
  {
    resource: 'bulk issues',
    what: "preview a file for B's organisation in B's city",
    as: 'API token of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/bulk-issues/preview`,
    body: () => ({ rows: [{ email: 'peek@example.org' }] }),
    expect: [403],
  },
  {
    resource: 'bulk issues',
    what: "open B's bulk issue page in B's city",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.b.city.slug}/manage/${f.b.organisationId}/bulk-issues`,
    expect: [403],
  },
  // Claim routes (issue 7): claim codes, evidence submissions and peer checks of B's badges.
  {
    resource: 'badge credentials',
    what: "make a claim code for B's badge through A's organisation (copied id)",
    as: 'staff of organisation A',
    method: 'POST',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/badges/${f.b.publishedBadgeId}/claim-codes`,
    body: () => ({ maxUses: 5 }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM badge_claim_codes WHERE badge_class_id = $1', [f.b.publishedBadgeId]),
      ).toHaveLength(0),
  },
  {
    resource: 'badge credentials',
    what: "list the claim codes of B's badge in B",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/badges/${f.b.publishedBadgeId}/claim-codes`,
    expect: [403],
  },
  {
    resource: 'badge credentials',
    what: "open the claim codes of B's badge through A's management pages (copied id)",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/manage/${f.a.organisationId}/badges/${f.b.publishedBadgeId}/claim-codes`,
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "send evidence for B's badge through A's city (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/badges/${f.b.publishedBadgeId}/evidence`,
    body: () => ({ items: [{ requirement: 0, text: 'Planted evidence' }] }),
    expect: [404],
    unchanged: async (db, f) =>
      expect(
        await db.query('SELECT 1 FROM evidence_submissions WHERE badge_class_id = $1', [f.b.publishedBadgeId]),
      ).toHaveLength(0),
  },
  {
    resource: 'badge credentials',
    what: "open the application page of B's badge through A's city (copied slug)",
    as: 'curator of A',
    method: 'GET',
    url: (f) => `/c/${f.a.city.slug}/badges/${f.b.publishedBadgeSlug}/apply`,
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "ask for a peer check of B's badge through A's city (copied id)",
    as: 'curator of A',
    method: 'POST',
    url: (f) => `/api/v1/cities/${f.a.city.slug}/badges/${f.b.publishedBadgeId}/peer-requests`,
    body: () => ({ text: 'Planted request' }),
    expect: [404],
  },
  {
    resource: 'badge credentials',
    what: "list B's evidence queue in B",
    as: 'staff of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/evidence`,
    expect: [403],
  },
  {
    resource: 'badge credentials',
    what: "list B's evidence queue in B with A's API token",
    as: 'API token of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'b', f.b.organisationId)}/evidence`,
    expect: [403],
  },
  {
    resource: 'badge credentials',
    what: "list A's evidence queue, finding none of B's",
    as: 'admin of organisation A',
    method: 'GET',
    url: (f) => `${org(f, 'a', f.a.organisationId)}/evidence`,
    expect: [200],
    mustNotContain: (f) => [f.b.publishedBadgeId, f.b.organisationId],
  },
  // Later modules add their rows here.
];

describe(`tenant isolation on ${testEngine}`, () => {
  let t: TestApp;
  let fixture: Fixture;
  const actors = {} as Record<Actor, Record<string, string>>;

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
    const system: Caller = { actor: 'system', audit: cliAuditContext() };
    const cityA = (await findCityBySlug(t.db, 'vilnius')) as CityRecord;
    const cityB = (await findCityBySlug(t.db, 'plymouth')) as CityRecord;
    const bySlug = async (slug: string) =>
      (await t.db.query<{ id: string }>('SELECT id FROM organisations WHERE slug = $1', [slug]))[0]?.id as string;
    const orgA = await bySlug('snipiskes-dirbtuves');
    const orgB = await bySlug('stonehouse-makers');
    const curatorB: SignedIn = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' });
    const memberB = await signIn(t.app, t.db, { role: 'organisation', organisationId: orgB, membership: 'staff' });
    // A pending application in B, made through the API by someone of B.
    const pending = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/plymouth/organisations',
      headers: memberB.headers,
      payload: { name: 'Keyham Pending Club', kinds: ['provider'] },
    });
    const [addressB] = await t.db.query<{ id: string }>(
      'SELECT id FROM organisation_addresses WHERE organisation_id = $1',
      [orgB],
    );
    const tokenB = await createApiToken(t.db, cityB, orgB, { name: 'B sync', scopes: ['members:read'] }, system);
    const invitationB = await inviteMember(
      t.db,
      cityB,
      orgB,
      { email: 'someone.b@example.org', role: 'staff' },
      system,
      t.config.publicUrl,
    );
    const tokenA = await createApiToken(
      t.db,
      cityA,
      orgA,
      { name: 'A sync', scopes: ['members:read', 'activities:read', 'activities:write'] },
      system,
    );
    // A local skill of B, crosswalked to DigComp 2.1 (B's spine has DigComp).
    const localSkillB = await createLocalSkill(
      t.db,
      cityB,
      { code: 'plymouth-mentoring', label: { en: 'Plymouth mentoring' } },
      cliAuditContext(),
    );
    const [digcomp21] = await t.db.query<{ id: string }>(
      `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
       WHERE f.slug = 'digcomp' AND f.city_id IS NULL AND s.code = '2.1'`,
    );
    const crosswalkB = await createCrosswalk(
      t.db,
      cityB.id,
      { sourceSkillId: localSkillB.id, targetSkillId: digcomp21?.id as string, relation: 'related' },
      cliAuditContext(),
    );
    const [localSkillA] = await t.db.query<{ id: string }>(
      "SELECT id FROM skills WHERE city_id = $1 AND code = 'youth-work.digital'",
      [cityA.id],
    );
    // Activities of B: published, submitted and draft, made directly (not from the demo seed).
    const makeActivity = (title: string, options: { publish?: boolean; submit?: boolean }) =>
      createActivity(
        t.db,
        cityB,
        orgB,
        {
          title: { en: title },
          format: 'online',
          scheduleKind: 'on_demand',
        },
        system,
        options,
      );
    const publishedB = await makeActivity('Isolation published', { publish: true });
    const submittedB = await makeActivity('Isolation submitted', { submit: true });
    const draftB = await makeActivity('Isolation draft', {});
    // Two of B's activities put at one point in a corner of A: on a map that mixed cities up they would be a cluster.
    const strayB = await makeActivity('Isolation stray point', { publish: true });
    const strayTwinB = await makeActivity('Isolation stray twin', { publish: true });
    await t.db.query('UPDATE activities SET location = point($2, $3) WHERE id = ANY($1::uuid[])', [
      [strayB.id, strayTwinB.id],
      cityA.boundsWest + 0.005,
      cityA.boundsSouth + 0.005,
    ]);
    // Badges of B: published and draft.
    const makeBadge = (name: string) =>
      createBadgeClass(
        t.db,
        cityB,
        orgB,
        {
          kind: 'participation',
          name: { en: name },
          description: { en: 'A badge of B.' },
          criteria: { en: 'Take part.' },
          imageAlt: { en: 'A blue circle with a star' },
        },
        system,
      );
    const publishedBadgeB = await publishBadgeClass(t.db, cityB, (await makeBadge('Isolation badge')).id, system);
    const draftBadgeB = await makeBadge('Isolation draft badge');
    // A credential of B's published badge, and the status list it is in.
    const credentialB = await t.db.transaction((tx) =>
      issueCredential(tx, t.config, cityB, cliAuditContext(), {
        badgeClassId: publishedBadgeB.id,
        recipient: { email: 'learner.b@example.org' },
        route: 'award',
      }),
    );
    const [statusListB] = await t.db.query<{ id: string }>(
      'SELECT revocation_list_id AS id FROM badge_credentials WHERE id = $1',
      [credentialB.credentialId],
    );
    // An endorsement in B: B's community trust endorses B's published badge.
    const endorsementB = await createEndorsement(
      t.db,
      t.config,
      cityB,
      await bySlug('mutley-community-trust'),
      { targetBadgeClassId: publishedBadgeB.id, comment: { en: 'Well run.' } },
      system,
    );
    // Give B's audit log some content by a curator of B.
    await t.app.inject({ method: 'GET', url: '/api/v1/cities/plymouth/curators', headers: curatorB.headers });
    fixture = {
      a: {
        city: cityA,
        organisationId: orgA,
        organisationSlug: 'snipiskes-dirbtuves',
        tokenSecret: tokenA.secret,
        localSkillId: localSkillA?.id as string,
      },
      b: {
        city: cityB,
        organisationId: orgB,
        organisationSlug: 'stonehouse-makers',
        pendingOrganisationId: pending.json().id,
        memberUserId: memberB.userId,
        addressId: addressB?.id as string,
        tokenId: tokenB.token.id,
        invitationId: invitationB.invitation.id,
        localSkillId: localSkillB.id,
        crosswalkId: crosswalkB.id,
        publishedActivityId: publishedB.id,
        publishedActivitySlug: publishedB.slug,
        submittedActivityId: submittedB.id,
        draftActivityId: draftB.id,
        strayActivityId: strayB.id,
        strayActivitySlug: strayB.slug,
        publishedBadgeId: publishedBadgeB.id,
        publishedBadgeSlug: publishedBadgeB.slug,
        draftBadgeId: draftBadgeB.id,
        badgeCredentialId: credentialB.credentialId,
        statusListId: statusListB?.id as string,
        endorsementId: endorsementB.id,
      },
    };
    actors['curator of A'] = (await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' })).headers;
    actors['admin of organisation A'] = (
      await signIn(t.app, t.db, { role: 'organisation', organisationId: orgA, membership: 'admin' })
    ).headers;
    actors['staff of organisation A'] = (
      await signIn(t.app, t.db, { role: 'organisation', organisationId: orgA, membership: 'staff' })
    ).headers;
    actors['API token of organisation A'] = { authorization: `Bearer ${tokenA.secret}` };
  });
  afterAll(() => t.close());

  it('has a row for every resource type', () => {
    expect(new Set(attempts.map((a) => a.resource))).toEqual(
      new Set([
        'organisations',
        'curator actions',
        'memberships',
        'API tokens',
        'audit log',
        'skills',
        'activities',
        'map cells',
        'badges',
        'badge credentials',
        'issuers',
        'endorsements',
        'bulk issues',
      ]),
    );
  });

  it.each(attempts.map((attempt) => [`${attempt.resource}: ${attempt.as} cannot ${attempt.what}`, attempt] as const))(
    '%s',
    async (_name, attempt) => {
      const response = await t.app.inject({
        method: attempt.method,
        url: attempt.url(fixture),
        headers: { accept: 'application/json', ...actors[attempt.as] },
        ...(attempt.body ? { payload: attempt.body(fixture) } : {}),
      });
      expect(
        attempt.expect,
        `${attempt.method} ${attempt.url(fixture)} answered ${response.statusCode}: ${response.body.slice(0, 200)}`,
      ).toContain(response.statusCode);
      for (const secret of attempt.mustNotContain?.(fixture) ?? []) expect(response.body).not.toContain(secret);
      await attempt.unchanged?.(t.db, fixture);
    },
  );
});
