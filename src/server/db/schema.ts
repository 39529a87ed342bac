import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  point,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The Drizzle schema. `npm run db:generate` turns changes here into a new plain-SQL migration in db/migrations.
 * Tables owned by a city carry `city_id` themselves and lead their main indexes with it.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** A city or region: the tenant. Names are per language: `{ "en": "Vilnius", "lt": "Vilnius" }`. */
export const cities = pgTable(
  'cities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: jsonb('name').$type<Record<string, string>>().notNull(),
    defaultLanguage: text('default_language').notNull(),
    languages: text('languages').array().notNull(),
    timeZone: text('time_zone').notNull(),
    boundsWest: doublePrecision('bounds_west').notNull(),
    boundsSouth: doublePrecision('bounds_south').notNull(),
    boundsEast: doublePrecision('bounds_east').notNull(),
    boundsNorth: doublePrecision('bounds_north').notNull(),
    centerLon: doublePrecision('center_lon').notNull(),
    centerLat: doublePrecision('center_lat').notNull(),
    defaultZoom: doublePrecision('default_zoom').notNull().default(11),
    hostName: text('host_name'),
    status: text('status').notNull().default('active'),
    /** Under this age a learner needs a guardian's consent before their account is fully usable. */
    consentAge: integer('consent_age').notNull().default(16),
    /** Branding (curators): a logo image URL, a brand colour that carries white text (WCAG AA), the team's address. */
    logoUrl: text('logo_url'),
    primaryColour: text('primary_colour'),
    contactEmail: text('contact_email'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('cities_slug_key').on(t.slug),
    check('cities_consent_age_check', sql`${t.consentAge} between 13 and 18`),
    uniqueIndex('cities_host_name_key').on(t.hostName),
    check('cities_status_check', sql`${t.status} in ('active', 'archived')`),
    check('cities_slug_format_check', sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'`),
    check(
      'cities_bounds_check',
      sql`${t.boundsWest} < ${t.boundsEast} and ${t.boundsSouth} < ${t.boundsNorth} and ${t.boundsSouth} >= -90 and ${t.boundsNorth} <= 90 and ${t.boundsWest} >= -180 and ${t.boundsEast} <= 180`,
    ),
    check('cities_default_language_check', sql`${t.defaultLanguage} = any(${t.languages})`),
    check('cities_primary_colour_check', sql`${t.primaryColour} is null or ${t.primaryColour} ~ '^#[0-9a-fA-F]{6}$'`),
  ],
);

export const userStatuses = ['active', 'limited', 'deleted'] as const;
export type UserStatus = (typeof userStatuses)[number];

/**
 * A person. Emails are unique regardless of case. `limited` is a minor whose guardian has not yet consented:
 * no public profile, no sharing, no contact by employers. `deleted` keeps only the row others' records point to.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    dateOfBirth: date('date_of_birth'),
    pronouns: text('pronouns'),
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    interests: text('interests').array().notNull().default(sql`'{}'::text[]`),
    homeCityId: uuid('home_city_id').references(() => cities.id, { onDelete: 'set null' }),
    homeDistrict: text('home_district'),
    avatarPath: text('avatar_path'),
    /** The learner's own DID (for example from a wallet); badges name it as the subject when present. */
    did: text('did'),
    status: text('status').$type<UserStatus>().notNull().default('active'),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    check('users_status_check', sql`${t.status} in ('active', 'limited', 'deleted')`),
  ],
);

/** The cities a person takes part in as a learner (joined at sign-up or later). */
export const userCities = pgTable(
  'user_cities',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'user_cities_pkey', columns: [t.cityId, t.userId] }),
    index('user_cities_user_idx').on(t.userId),
  ],
);

/** Server-side sessions: the cookie holds a random token, the table only its SHA-256. Revocable one by one or all. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

export const oneTimeTokenPurposes = [
  'verify_email',
  'reset_password',
  'change_email',
  'guardian_consent',
  'invitation',
] as const;
export type OneTimeTokenPurpose = (typeof oneTimeTokenPurposes)[number];

/** Single-use links sent by email (verification, reset, guardian consent, invitations). Only the hash is stored. */
export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: text('purpose').$type<OneTimeTokenPurpose>().notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    email: text('email'),
    payload: jsonb('payload').notNull().default({}),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('one_time_tokens_token_hash_key').on(t.tokenHash),
    index('one_time_tokens_user_idx').on(t.userId, t.purpose),
    check(
      'one_time_tokens_purpose_check',
      sql`${t.purpose} in ('verify_email', 'reset_password', 'change_email', 'guardian_consent', 'invitation')`,
    ),
  ],
);

/** A minor's guardian consent: asked by email at sign-up, given by link, withdrawable later. */
export const guardianConsents = pgTable(
  'guardian_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    guardianEmail: text('guardian_email').notNull(),
    status: text('status').$type<'pending' | 'given' | 'withdrawn'>().notNull().default('pending'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    givenAt: timestamp('given_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('guardian_consents_user_key').on(t.userId),
    index('guardian_consents_city_idx').on(t.cityId, t.status),
    check('guardian_consents_status_check', sql`${t.status} in ('pending', 'given', 'withdrawn')`),
  ],
);

/** Accounts at an OpenID Connect provider linked to a user (single sign-on). */
export const userIdentities = pgTable(
  'user_identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'user_identities_pkey', columns: [t.provider, t.subject] }),
    index('user_identities_user_idx').on(t.userId),
  ],
);

export const roleNames = ['network_admin', 'city_curator', 'quality_assessor'] as const;
export type RoleName = (typeof roleNames)[number];

/** Who holds which role where. `city_id` is null for network-wide roles. */
export const roleAssignments = pgTable(
  'role_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<RoleName>().notNull(),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('role_assignments_unique').on(t.userId, t.role, t.cityId).nullsNotDistinct(),
    index('role_assignments_city_idx').on(t.cityId, t.role),
    check('role_assignments_role_check', sql`${t.role} in ('network_admin', 'city_curator', 'quality_assessor')`),
    check(
      'role_assignments_scope_check',
      sql`(${t.role} = 'network_admin' and ${t.cityId} is null) or (${t.role} <> 'network_admin' and ${t.cityId} is not null)`,
    ),
  ],
);

export const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** Background work. Workers claim rows with `FOR UPDATE SKIP LOCKED`; progress feeds the progress bars. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().default({}),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    lockedBy: text('locked_by'),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    progressMessage: text('progress_message'),
    result: jsonb('result'),
    lastError: text('last_error'),
    idempotencyKey: text('idempotency_key'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_queue_idx').on(t.runAt).where(sql`${t.status} = 'queued'`),
    index('jobs_city_idx').on(t.cityId, t.createdAt),
    uniqueIndex('jobs_idempotency_key').on(t.type, t.idempotencyKey),
    check('jobs_status_check', sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
    check('jobs_attempts_check', sql`${t.attempts} >= 0 and ${t.maxAttempts} >= 1`),
    check(
      'jobs_progress_check',
      sql`${t.progressDone} >= 0 and (${t.progressTotal} is null or ${t.progressTotal} >= 0)`,
    ),
  ],
);

export const organisationKinds = ['provider', 'employer', 'endorser'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** A provider/issuer, employer or endorser (or several). It takes part in cities through `organisation_cities`. */
export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    kinds: text('kinds').array().$type<OrganisationKind[]>().notNull(),
    website: text('website'),
    contactEmail: text('contact_email'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('organisations_slug_key').on(t.slug),
    check(
      'organisations_kinds_check',
      sql`cardinality(${t.kinds}) > 0 and ${t.kinds} <@ array['provider', 'employer', 'endorser']::text[]`,
    ),
  ],
);

export const organisationCityStatuses = ['pending', 'approved', 'rejected', 'suspended'] as const;
export type OrganisationCityStatus = (typeof organisationCityStatuses)[number];

/** An organisation's standing in one city: it applies, the city's curator approves or rejects with a reason. */
export const organisationCities = pgTable(
  'organisation_cities',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    status: text('status').$type<OrganisationCityStatus>().notNull().default('pending'),
    applicationNote: text('application_note').notNull().default(''),
    decisionReason: text('decision_reason'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** Trusted organisations publish activities without moderation. */
    trusted: boolean('trusted').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'organisation_cities_pkey', columns: [t.cityId, t.organisationId] }),
    index('organisation_cities_status_idx').on(t.cityId, t.status),
    index('organisation_cities_organisation_idx').on(t.organisationId),
    check('organisation_cities_status_check', sql`${t.status} in ('pending', 'approved', 'rejected', 'suspended')`),
  ],
);

/** Where an organisation is, per city; coordinates for the map. */
export const organisationAddresses = pgTable(
  'organisation_addresses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    label: text('label').notNull().default(''),
    street: text('street').notNull(),
    postcode: text('postcode').notNull().default(''),
    locality: text('locality').notNull().default(''),
    lat: doublePrecision('lat').notNull(),
    lon: doublePrecision('lon').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('organisation_addresses_city_idx').on(t.cityId, t.organisationId),
    check(
      'organisation_addresses_coordinates_check',
      sql`${t.lat} between -90 and 90 and ${t.lon} between -180 and 180`,
    ),
  ],
);

export const membershipRoles = ['owner', 'admin', 'staff'] as const;
export type MembershipRole = (typeof membershipRoles)[number];

/** People who act for an organisation. */
export const memberships = pgTable(
  'memberships',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<MembershipRole>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'memberships_pkey', columns: [t.organisationId, t.userId] }),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql`${t.role} in ('owner', 'admin', 'staff')`),
  ],
);

/** Tokens for integrations: scoped, expiring, tied to an organisation in a city; shown once, stored hashed. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenPrefix: text('token_prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash),
    index('api_tokens_organisation_idx').on(t.cityId, t.organisationId),
  ],
);

/** Privileged actions: who, what, when, from where, before and after. Curators read their city's; admins all. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorApiTokenId: uuid('actor_api_token_id').references(() => apiTokens.id, { onDelete: 'set null' }),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_city_idx').on(t.cityId, t.createdAt),
    index('audit_log_target_idx').on(t.targetType, t.targetId),
  ],
);

// ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// Skills spine (issue 5): competence frameworks, ESCO, local skills per city, crosswalks, and each city's choice.
// Framework and ESCO concepts are network-level (shared by every city, `city_id` null); a city's local framework and
// local skills carry its `city_id`. Labels live in one table so one full-text index serves the skill picker.
// ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────

import { type AnyPgColumn, customType } from 'drizzle-orm/pg-core';

/** A PostgreSQL `tsvector` column (full-text search; runs on PostgreSQL 15 and PGlite alike, no extension). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** Raw bytes (images). */
const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' });

export const skillFrameworkKinds = ['bundled', 'esco', 'local'] as const;
export type SkillFrameworkKind = (typeof skillFrameworkKinds)[number];

/** A proficiency level of a framework, e.g. DigComp "Foundation – level 1". */
export interface SkillFrameworkLevel {
  id: string;
  name: string;
  description: string;
  band?: string;
}

/**
 * A competence framework: the bundled EU frameworks and ESCO (network-level, `city_id` null), or a city's own local
 * framework (`kind` local, one per city). Titles per language.
 */
export const skillFrameworks = pgTable(
  'skill_frameworks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    kind: text('kind').$type<SkillFrameworkKind>().notNull(),
    title: jsonb('title').$type<Record<string, string>>().notNull(),
    shortTitle: text('short_title').notNull(),
    version: text('version').notNull().default(''),
    publisher: text('publisher').notNull().default(''),
    licence: text('licence').notNull().default(''),
    url: text('url'),
    citation: text('citation').notNull().default(''),
    attribution: text('attribution').notNull().default(''),
    levels: jsonb('levels').$type<SkillFrameworkLevel[]>().notNull().default([]),
    /** SHA-256 of the bundled data file last loaded, so start-up reloads only changed files. */
    sourceChecksum: text('source_checksum'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('skill_frameworks_city_slug_key').on(t.cityId, t.slug).nullsNotDistinct(),
    check('skill_frameworks_kind_check', sql`${t.kind} in ('bundled', 'esco', 'local')`),
    check(
      'skill_frameworks_scope_check',
      sql`(${t.kind} = 'local' and ${t.cityId} is not null) or (${t.kind} <> 'local' and ${t.cityId} is null)`,
    ),
    check('skill_frameworks_slug_format_check', sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$'`),
  ],
);

export const skillKinds = ['area', 'competence', 'skill_group', 'skill', 'knowledge', 'local'] as const;
export type SkillKind = (typeof skillKinds)[number];

/**
 * A concept of a framework: an area or competence of a bundled framework, an ESCO skill, knowledge concept or skill
 * group, or a city's local skill. `code` is the framework's own id ("1.1"), the ESCO concept URI, or a local slug.
 * `parent_id` is the primary broader concept (ESCO's extra broader links are in `skill_broader`).
 */
export const skills = pgTable(
  'skills',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => skillFrameworks.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    kind: text('kind').$type<SkillKind>().notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => skills.id),
    /** Preferred label per language. */
    label: jsonb('label').$type<Record<string, string>>().notNull(),
    description: jsonb('description').$type<Record<string, string>>().notNull().default({}),
    /** ESCO's skill type and reuse level, EntreComp descriptors and other framework-specific extras. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('skills_city_framework_code_key').on(t.cityId, t.frameworkId, t.code).nullsNotDistinct(),
    index('skills_city_framework_parent_idx').on(t.cityId, t.frameworkId, t.parentId, t.position),
    index('skills_parent_idx').on(t.parentId),
    check('skills_kind_check', sql`${t.kind} in ('area', 'competence', 'skill_group', 'skill', 'knowledge', 'local')`),
    check('skills_not_own_parent_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
    check(
      'skills_local_scope_check',
      sql`(${t.kind} = 'local' and ${t.cityId} is not null) or (${t.kind} <> 'local' and ${t.cityId} is null)`,
    ),
  ],
);

export const skillLabelKinds = ['preferred', 'alternative', 'hidden'] as const;
export type SkillLabelKind = (typeof skillLabelKinds)[number];

/**
 * Every searchable label of a skill, one row per label and language, with its full-text vector (`simple`
 * configuration: lower-cased words, no stemming, so it suits every language). Local skills' labels carry the city.
 */
export const skillLabels = pgTable(
  'skill_labels',
  {
    cityId: uuid('city_id').references(() => cities.id, { onDelete: 'cascade' }),
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => skillFrameworks.id, { onDelete: 'cascade' }),
    language: text('language').notNull(),
    kind: text('kind').$type<SkillLabelKind>().notNull(),
    label: text('label').notNull(),
    search: tsvector('search').notNull().generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, label)`),
  },
  (t) => [
    index('skill_labels_city_skill_idx').on(t.cityId, t.skillId),
    index('skill_labels_search_idx').using('gin', t.search),
    index('skill_labels_prefix_idx').on(t.language, sql`lower(${t.label}) text_pattern_ops`),
    check('skill_labels_kind_check', sql`${t.kind} in ('preferred', 'alternative', 'hidden')`),
  ],
);

/** Further broader concepts (ESCO is a polyhierarchy); the primary one is also `skills.parent_id`. */
export const skillBroader = pgTable(
  'skill_broader',
  {
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    broaderId: uuid('broader_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'skill_broader_pkey', columns: [t.skillId, t.broaderId] }),
    index('skill_broader_broader_idx').on(t.broaderId),
  ],
);

/** ESCO's skill-to-skill relations (`essential` / `optional`), network-level. */
export const skillRelations = pgTable(
  'skill_relations',
  {
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    relatedSkillId: uuid('related_skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    relationType: text('relation_type').notNull(),
  },
  (t) => [
    primaryKey({ name: 'skill_relations_pkey', columns: [t.skillId, t.relatedSkillId] }),
    index('skill_relations_related_idx').on(t.relatedSkillId),
  ],
);

/** ESCO occupations (network-level), identified by their concept URI. */
export const occupations = pgTable(
  'occupations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uri: text('uri').notNull(),
    code: text('code').notNull().default(''),
    iscoGroup: text('isco_group').notNull().default(''),
    label: jsonb('label').$type<Record<string, string>>().notNull(),
    altLabels: jsonb('alt_labels').$type<Record<string, string[]>>().notNull().default({}),
    description: jsonb('description').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('occupations_uri_key').on(t.uri)],
);

/** Which skills an ESCO occupation needs (`essential` / `optional`). */
export const occupationSkills = pgTable(
  'occupation_skills',
  {
    occupationId: uuid('occupation_id')
      .notNull()
      .references(() => occupations.id, { onDelete: 'cascade' }),
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    relationType: text('relation_type').notNull(),
  },
  (t) => [
    primaryKey({ name: 'occupation_skills_pkey', columns: [t.occupationId, t.skillId] }),
    index('occupation_skills_skill_idx').on(t.skillId),
    check('occupation_skills_relation_check', sql`${t.relationType} in ('essential', 'optional')`),
  ],
);

/** The frameworks that form a city's spine, in the order the city shows them. */
export const citySkillFrameworks = pgTable(
  'city_skill_frameworks',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => skillFrameworks.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'city_skill_frameworks_pkey', columns: [t.cityId, t.frameworkId] }),
    index('city_skill_frameworks_framework_idx').on(t.frameworkId),
  ],
);

export const crosswalkRelations = ['exact', 'broader', 'narrower', 'related'] as const;
export type CrosswalkRelation = (typeof crosswalkRelations)[number];

/**
 * A city's mapping between two skills (SKOS-style): `target` is an exact / broader / narrower / related match of
 * `source`. One crosswalk per pair of skills in a city, whichever the direction.
 */
export const skillCrosswalks = pgTable(
  'skill_crosswalks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    sourceSkillId: uuid('source_skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    targetSkillId: uuid('target_skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    relation: text('relation').$type<CrosswalkRelation>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('skill_crosswalks_pair_key').on(
      t.cityId,
      sql`least(${t.sourceSkillId}, ${t.targetSkillId})`,
      sql`greatest(${t.sourceSkillId}, ${t.targetSkillId})`,
    ),
    index('skill_crosswalks_city_source_idx').on(t.cityId, t.sourceSkillId),
    index('skill_crosswalks_city_target_idx').on(t.cityId, t.targetSkillId),
    check('skill_crosswalks_relation_check', sql`${t.relation} in ('exact', 'broader', 'narrower', 'related')`),
    check('skill_crosswalks_distinct_check', sql`${t.sourceSkillId} <> ${t.targetSkillId}`),
  ],
);

// ---------------------------------------------------------------------------------------------------------------------
// The opportunity catalogue: activities, their venues, dates, skills, images, sign-ups, history, imports and feeds.

export const activityStatuses = ['draft', 'submitted', 'published', 'archived'] as const;
export type ActivityStatus = (typeof activityStatuses)[number];
export const activityFormats = ['in_person', 'online', 'blended'] as const;
export type ActivityFormat = (typeof activityFormats)[number];
export const scheduleKinds = ['once', 'recurring', 'on_demand'] as const;
export type ScheduleKind = (typeof scheduleKinds)[number];
export const costKinds = ['free', 'paid'] as const;
export type CostKind = (typeof costKinds)[number];
export const signupModes = ['none', 'internal', 'external'] as const;
export type SignupMode = (typeof signupModes)[number];
export const activitySources = ['manual', 'csv', 'ical'] as const;
export type ActivitySource = (typeof activitySources)[number];

/**
 * A learning opportunity. Text is per language (`{ "en": "…", "lt": "…" }`; descriptions are sanitised HTML).
 * The primary venue's coordinates and district are copied onto the row (`location`, `district`) so search, facets and
 * the map read one table; `next_start_at`/`last_end_at` summarise `activity_sessions` for date sorting and filters.
 * `search_vector` is generated by `activity_search_vector()` (migration 0006): stemmed per language plus unstemmed.
 */
export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    status: text('status').$type<ActivityStatus>().notNull().default('draft'),
    /** The curator's comments when returning a submission for changes. */
    moderationNote: text('moderation_note'),
    title: jsonb('title').$type<Record<string, string>>().notNull(),
    description: jsonb('description').$type<Record<string, string>>().notNull().default({}),
    format: text('format').$type<ActivityFormat>().notNull(),
    onlineUrl: text('online_url'),
    scheduleKind: text('schedule_kind').$type<ScheduleKind>().notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    allDay: boolean('all_day').notNull().default(false),
    /** RFC 5545 recurrence rule (without DTSTART; the first session is `starts_at`), always bounded by COUNT or UNTIL. */
    rrule: text('rrule'),
    exdates: timestamp('exdates', { withTimezone: true }).array().notNull().default(sql`'{}'`),
    nextStartAt: timestamp('next_start_at', { withTimezone: true }),
    lastEndAt: timestamp('last_end_at', { withTimezone: true }),
    ageMin: integer('age_min'),
    ageMax: integer('age_max'),
    costKind: text('cost_kind').$type<CostKind>().notNull().default('free'),
    priceCents: integer('price_cents'),
    currency: text('currency'),
    concessions: text('concessions').notNull().default(''),
    languages: text('languages').array().notNull().default(sql`'{}'`),
    accessibility: text('accessibility').array().notNull().default(sql`'{}'`),
    accessibilityNotes: text('accessibility_notes').notNull().default(''),
    capacity: integer('capacity'),
    signupMode: text('signup_mode').$type<SignupMode>().notNull().default('none'),
    signupUrl: text('signup_url'),
    tags: text('tags').array().notNull().default(sql`'{}'`),
    /**
     * The ids of the activity's skills (`activity_skills`), sorted, kept by statement triggers on that table in the
     * writing transaction (migration 0012), so the search filters and counts skills from the row it already reads.
     */
    skillIds: uuid('skill_ids').array().notNull().default(sql`'{}'`),
    location: point('location', { mode: 'xy' }),
    district: text('district'),
    source: text('source').$type<ActivitySource>().notNull().default('manual'),
    /** The iCalendar UID or CSV `external_id` an import matched on. */
    externalUid: text('external_uid'),
    feedId: uuid('feed_id'),
    version: integer('version').notNull().default(1),
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(sql`activity_search_vector(title, description, tags)`),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('activities_city_slug_key').on(t.cityId, t.slug),
    uniqueIndex('activities_external_uid_key').on(t.cityId, t.organisationId, t.externalUid),
    index('activities_city_status_next_idx').on(t.cityId, t.status, t.nextStartAt),
    index('activities_organisation_idx').on(t.organisationId, t.cityId, t.status),
    index('activities_search_idx').using('gin', t.searchVector),
    index('activities_skill_ids_idx').using('gin', t.skillIds),
    // The map and bounding-box indexes carry extra columns (INCLUDE), which Drizzle cannot declare: migration 0008.
    // Words within a map view: the search vector's lexemes prefixed with the key of the 0.01° square the activity is
    // in (`activity_area_search_vector()`, migration 0010), so a view reads only the posting lists of its squares.
    index('activities_area_search_idx').using(
      'gin',
      sql`activity_area_search_vector(${t.searchVector}, ${t.location})`,
    ),
    // The few published activities the map cells are out of date for (see activity_map_cells): finished but not yet
    // moved on by the hourly refresh, or moved on although a reader's instant is before their end.
    index('activities_map_upcoming_end_idx')
      .on(t.cityId, t.lastEndAt)
      .where(sql`${t.status} = 'published' and ${t.location} is not null and ${t.nextStartAt} is not null`),
    index('activities_map_finished_end_idx')
      .on(t.cityId, t.lastEndAt)
      .where(sql`${t.status} = 'published' and ${t.location} is not null and ${t.nextStartAt} is null`),
    check('activities_status_check', sql`${t.status} in ('draft', 'submitted', 'published', 'archived')`),
    check('activities_format_check', sql`${t.format} in ('in_person', 'online', 'blended')`),
    check('activities_schedule_kind_check', sql`${t.scheduleKind} in ('once', 'recurring', 'on_demand')`),
    check('activities_cost_kind_check', sql`${t.costKind} in ('free', 'paid')`),
    check('activities_signup_mode_check', sql`${t.signupMode} in ('none', 'internal', 'external')`),
    check('activities_source_check', sql`${t.source} in ('manual', 'csv', 'ical')`),
    check(
      'activities_ages_check',
      sql`(${t.ageMin} is null or ${t.ageMin} between 0 and 120) and (${t.ageMax} is null or ${t.ageMax} between 0 and 120) and (${t.ageMin} is null or ${t.ageMax} is null or ${t.ageMin} <= ${t.ageMax})`,
    ),
    check('activities_dates_check', sql`${t.endsAt} is null or ${t.startsAt} is null or ${t.endsAt} >= ${t.startsAt}`),
    check('activities_capacity_check', sql`${t.capacity} is null or ${t.capacity} > 0`),
    check('activities_price_check', sql`${t.priceCents} is null or ${t.priceCents} >= 0`),
  ],
);

/**
 * The search's own copy of each published activity's searchable columns (migration 0013), kept by statement triggers
 * on `activities` in the writing transaction and rewritten every night in the order of the 0.01° squares of
 * `activity_area_search_vector()` (`reorderSearchRows`). A search for words within a map view reads its candidates
 * from here: narrow rows of one place share pages, where in `activities` each candidate is a page of its own.
 */
export const activitySearchRows = pgTable(
  'activity_search_rows',
  {
    id: uuid('id').primaryKey(),
    cityId: uuid('city_id').notNull(),
    organisationId: uuid('organisation_id').notNull(),
    status: text('status').$type<ActivityStatus>().notNull(),
    format: text('format').$type<ActivityFormat>().notNull(),
    nextStartAt: timestamp('next_start_at', { withTimezone: true }),
    lastEndAt: timestamp('last_end_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    ageMin: integer('age_min'),
    ageMax: integer('age_max'),
    costKind: text('cost_kind').$type<CostKind>().notNull(),
    languages: text('languages').array().notNull(),
    accessibility: text('accessibility').array().notNull(),
    skillIds: uuid('skill_ids').array().notNull(),
    location: point('location', { mode: 'xy' }),
    district: text('district'),
    searchVector: tsvector('search_vector').notNull(),
  },
  (t) => [
    index('activity_search_rows_area_idx').using(
      'gin',
      sql`activity_area_search_vector(${t.searchVector}, ${t.location})`,
    ),
  ],
);

/**
 * The map of a city's published activities, precomputed: one row per non-empty cell of the map grid at zoom 14 (the
 * finest clustering level; coarser levels are unions of these cells), with the count, coordinate sums and extent of
 * the activities in it. Kept by statement triggers on `activities` in the same transaction as every write (migration
 * 0010). It counts published activities with a place that have no dates or a next date still set
 * (`next_start_at`, which the hourly refresh clears once the last session has ended); readers correct the few
 * finished since from `activities` (see `storedClusterCells` in search.repo.ts), so the whole city's map never scans
 * the whole catalogue.
 */
export const activityMapCells = pgTable(
  'activity_map_cells',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    cellX: integer('cell_x').notNull(),
    cellY: integer('cell_y').notNull(),
    activities: integer('activities').notNull(),
    lonSum: doublePrecision('lon_sum').notNull(),
    latSum: doublePrecision('lat_sum').notNull(),
    lonMin: doublePrecision('lon_min').notNull(),
    lonMax: doublePrecision('lon_max').notNull(),
    latMin: doublePrecision('lat_min').notNull(),
    latMax: doublePrecision('lat_max').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_map_cells_pkey', columns: [t.cityId, t.cellX, t.cellY] }),
    check('activity_map_cells_activities_check', sql`${t.activities} >= 0`),
  ],
);

/** Where an activity happens. The first (position 0) is the primary venue shown on the map. */
export const activityVenues = pgTable(
  'activity_venues',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    name: text('name').notNull().default(''),
    street: text('street').notNull().default(''),
    postcode: text('postcode').notNull().default(''),
    locality: text('locality').notNull().default(''),
    district: text('district'),
    lat: doublePrecision('lat').notNull(),
    lon: doublePrecision('lon').notNull(),
  },
  (t) => [
    index('activity_venues_activity_idx').on(t.activityId, t.position),
    check('activity_venues_coordinates_check', sql`${t.lat} between -90 and 90 and ${t.lon} between -180 and 180`),
  ],
);

/**
 * One dated session of an activity (a one-off has one; a recurring one has its RRULE expanded). Sign-ups are per
 * session; `confirmed_count` is moved in the same statement that checks capacity so two people never get one place.
 */
export const activitySessions = pgTable(
  'activity_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    allDay: boolean('all_day').notNull().default(false),
    capacity: integer('capacity'),
    confirmedCount: integer('confirmed_count').notNull().default(0),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('activity_sessions_activity_start_key').on(t.activityId, t.startsAt),
    index('activity_sessions_city_start_idx').on(t.cityId, t.startsAt),
    check('activity_sessions_dates_check', sql`${t.endsAt} >= ${t.startsAt}`),
    check(
      'activity_sessions_capacity_check',
      sql`${t.confirmedCount} >= 0 and (${t.capacity} is null or ${t.confirmedCount} <= ${t.capacity})`,
    ),
  ],
);

/** Skills an activity develops, with an optional framework proficiency level (e.g. DigComp 1–8). */
export const activitySkills = pgTable(
  'activity_skills',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    level: integer('level'),
  },
  (t) => [
    primaryKey({ name: 'activity_skills_pkey', columns: [t.activityId, t.skillId] }),
    index('activity_skills_city_skill_idx').on(t.cityId, t.skillId),
    check('activity_skills_level_check', sql`${t.level} is null or ${t.level} between 1 and 8`),
  ],
);

/** Images of an activity, stored in the database (small, checked to be real PNG/JPEG/WebP), with alt text per language. */
export const activityImages = pgTable(
  'activity_images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    contentType: text('content_type').notNull(),
    bytes: bytea('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    alt: jsonb('alt').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('activity_images_activity_idx').on(t.activityId, t.position)],
);

export const activityRevisionActions = [
  'created',
  'updated',
  'submitted',
  'published',
  'returned',
  'archived',
  'imported',
] as const;
export type ActivityRevisionAction = (typeof activityRevisionActions)[number];

/** The change history of an activity: who did what, with the fields that changed (before and after). */
export const activityRevisions = pgTable(
  'activity_revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').$type<ActivityRevisionAction>().notNull(),
    note: text('note'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('activity_revisions_activity_idx').on(t.activityId, t.createdAt)],
);

export const signupStatuses = ['confirmed', 'waitlisted', 'cancelled'] as const;
export type SignupStatus = (typeof signupStatuses)[number];

/** A learner's place (or waiting-list place, in `created_at` order) in one session. */
export const activitySignups = pgTable(
  'activity_signups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => activitySessions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status').$type<SignupStatus>().notNull(),
    /** The hash of the secret in the cancel link of the confirmation email (cancel without signing in). */
    cancelTokenHash: text('cancel_token_hash').notNull(),
    attended: boolean('attended'),
    attendanceMarkedAt: timestamp('attendance_marked_at', { withTimezone: true }),
    reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('activity_signups_live_key').on(t.sessionId, t.userId).where(sql`${t.status} <> 'cancelled'`),
    index('activity_signups_session_idx').on(t.sessionId, t.status, t.createdAt),
    index('activity_signups_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('activity_signups_cancel_token_key').on(t.cancelTokenHash),
    check('activity_signups_status_check', sql`${t.status} in ('confirmed', 'waitlisted', 'cancelled')`),
  ],
);

/** A learner's saved search (the search form's parameters) with an optional daily email of new matches. */
export const savedSearches = pgTable(
  'saved_searches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    query: jsonb('query').$type<Record<string, string | string[]>>().notNull(),
    alertDaily: boolean('alert_daily').notNull().default(true),
    lastAlertedAt: timestamp('last_alerted_at', { withTimezone: true }).notNull().defaultNow(),
    /** The hash of the secret in the latest digest's "turn off these emails" link (works without signing in). */
    unsubscribeTokenHash: text('unsubscribe_token_hash'),
    createdAt: createdAt(),
  },
  (t) => [
    index('saved_searches_user_idx').on(t.userId, t.cityId),
    uniqueIndex('saved_searches_unsubscribe_token_key').on(t.unsubscribeTokenHash),
  ],
);

/** An organisation's iCalendar feed, re-read on a schedule; events are matched on their UID. */
export const icalFeeds = pgTable(
  'ical_feeds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    syncIntervalMinutes: integer('sync_interval_minutes').notNull().default(360),
    enabled: boolean('enabled').notNull().default(true),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    lastStatus: text('last_status'),
    /** The last sync's failure in English (logs, API); its stable key and params say it in any language. */
    lastError: text('last_error'),
    lastErrorKey: text('last_error_key'),
    lastErrorParams: jsonb('last_error_params').$type<Record<string, string | number>>(),
    /** Events the last sync could not import (at most five), each with its line, UID and keyed problems. */
    lastErrorEvents: jsonb('last_error_events').$type<unknown[]>(),
    lastCounts: jsonb('last_counts').$type<Record<string, number>>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ical_feeds_url_key').on(t.cityId, t.organisationId, t.url),
    check('ical_feeds_interval_check', sql`${t.syncIntervalMinutes} between 15 and 10080`),
  ],
);

/** An uploaded CSV awaiting the organiser's column mapping and confirmation; its report once committed. */
export const activityImports = pgTable(
  'activity_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    fileName: text('file_name').notNull(),
    content: text('content').notNull(),
    mapping: jsonb('mapping').$type<Record<string, string>>().notNull().default({}),
    status: text('status').notNull().default('uploaded'),
    report: jsonb('report'),
    createdAt: createdAt(),
    committedAt: timestamp('committed_at', { withTimezone: true }),
  },
  (t) => [
    index('activity_imports_organisation_idx').on(t.cityId, t.organisationId, t.createdAt),
    check('activity_imports_status_check', sql`${t.status} in ('uploaded', 'committed')`),
  ],
);

// ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// Open Badges (issue 7): issuer keys, badge classes and their issued versions, credentials, status lists,
// endorsements, claim codes, evidence submissions with peer checks, and bulk issuing batches.
// Keys belong to the organisation (one issuer identity across cities); everything else is city-owned.
// ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────

export const issuerKeyStatuses = ['active', 'retired'] as const;
export type IssuerKeyStatus = (typeof issuerKeyStatuses)[number];

/**
 * An organisation's Ed25519 signing keys. Exactly one is active; retired keys stay here (and in the did:web
 * document) forever so credentials they signed keep verifying. The secret key is an AES-256-GCM envelope made
 * with the configured key-encryption key, bound to the key's id.
 */
export const issuerKeys = pgTable(
  'issuer_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    publicKeyMultibase: text('public_key_multibase').notNull(),
    secretKeyEnvelope: text('secret_key_envelope').notNull(),
    status: text('status').$type<IssuerKeyStatus>().notNull().default('active'),
    imported: boolean('imported').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('issuer_keys_public_key_key').on(t.publicKeyMultibase),
    uniqueIndex('issuer_keys_active_key').on(t.organisationId).where(sql`${t.status} = 'active'`),
    index('issuer_keys_organisation_idx').on(t.organisationId, t.createdAt),
    check('issuer_keys_status_check', sql`${t.status} in ('active', 'retired')`),
  ],
);

export const badgeClassKinds = ['participation', 'skill', 'competence', 'meta'] as const;
export type BadgeClassKind = (typeof badgeClassKinds)[number];
export const badgeClassStatuses = ['draft', 'published', 'archived'] as const;
export type BadgeClassStatus = (typeof badgeClassStatuses)[number];

/** A generated badge image: shape, colours, icon and text, rendered to SVG (and PNG) by the server. */
export interface BadgeDesign {
  shape: 'circle' | 'hexagon' | 'shield' | 'square' | 'star';
  background: string;
  foreground: string;
  accent: string;
  icon: string;
  text: string;
}

/** A task a learner completes or evidence they supply, with instructions per language. */
export interface BadgeRequirement {
  kind: 'text' | 'file' | 'link' | 'photo';
  instructions: Record<string, string>;
}

/**
 * An organisation's badge (OB 3.0 Achievement) in a city. Text is per language. `version` is the content version:
 * editing a badge that has credentials at its current version makes a new version (see `badge_class_versions`);
 * `row_version` is for optimistic concurrency of edits.
 */
export const badgeClasses = pgTable(
  'badge_classes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    status: text('status').$type<BadgeClassStatus>().notNull().default('draft'),
    kind: text('kind').$type<BadgeClassKind>().notNull(),
    name: jsonb('name').$type<Record<string, string>>().notNull(),
    description: jsonb('description').$type<Record<string, string>>().notNull(),
    criteria: jsonb('criteria').$type<Record<string, string>>().notNull(),
    requirements: jsonb('requirements').$type<BadgeRequirement[]>().notNull().default([]),
    /** 'upload' (re-encoded PNG, or sanitised SVG) or 'generated' from `design`. */
    imageSource: text('image_source').notNull().default('generated'),
    design: jsonb('design').$type<BadgeDesign>(),
    imageContentType: text('image_content_type').notNull(),
    /** The PNG (uploaded and re-encoded, or drawn from the design or the SVG). */
    imageBytes: bytea('image_bytes').notNull(),
    /** The sanitised SVG of an SVG upload; generated designs are re-drawn from `design`. */
    imageSvg: text('image_svg'),
    imageAlt: jsonb('image_alt').$type<Record<string, string>>().notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'`),
    /** Credentials expire this many months after issue; null = never. */
    validityMonths: integer('validity_months'),
    /** How many existing earners must confirm a peer-check request; null = no peer route. */
    peerConfirmationsRequired: integer('peer_confirmations_required'),
    /** Learners may submit evidence for review. */
    evidenceClaimsOpen: boolean('evidence_claims_open').notNull().default(false),
    version: integer('version').notNull().default(1),
    rowVersion: integer('row_version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('badge_classes_city_slug_key').on(t.cityId, t.slug),
    index('badge_classes_organisation_idx').on(t.cityId, t.organisationId, t.status),
    check('badge_classes_status_check', sql`${t.status} in ('draft', 'published', 'archived')`),
    check('badge_classes_kind_check', sql`${t.kind} in ('participation', 'skill', 'competence', 'meta')`),
    check('badge_classes_image_source_check', sql`${t.imageSource} in ('upload', 'generated')`),
    check('badge_classes_validity_check', sql`${t.validityMonths} is null or ${t.validityMonths} between 1 and 600`),
    check(
      'badge_classes_peer_check',
      sql`${t.peerConfirmationsRequired} is null or ${t.peerConfirmationsRequired} between 1 and 20`,
    ),
  ],
);

/** The skills a badge aligns to, from the city's spine, with an optional level (1–8). */
export const badgeClassSkills = pgTable(
  'badge_class_skills',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    skillId: uuid('skill_id')
      .notNull()
      .references(() => skills.id, { onDelete: 'cascade' }),
    level: integer('level'),
  },
  (t) => [
    primaryKey({ name: 'badge_class_skills_pkey', columns: [t.badgeClassId, t.skillId] }),
    index('badge_class_skills_skill_idx').on(t.cityId, t.skillId),
    check('badge_class_skills_level_check', sql`${t.level} is null or ${t.level} between 1 and 8`),
  ],
);

/** Badges a learner must hold before this one is issued. */
export const badgeClassPrerequisites = pgTable(
  'badge_class_prerequisites',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    requiredBadgeClassId: uuid('required_badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'badge_class_prerequisites_pkey', columns: [t.badgeClassId, t.requiredBadgeClassId] }),
    index('badge_class_prerequisites_required_idx').on(t.cityId, t.requiredBadgeClassId),
    check('badge_class_prerequisites_self_check', sql`${t.badgeClassId} <> ${t.requiredBadgeClassId}`),
  ],
);

/**
 * Activities that lead to a badge (shown on both pages). `award_on_attendance` issues the badge automatically when
 * an organiser marks a learner as attended.
 */
export const activityBadges = pgTable(
  'activity_badges',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    awardOnAttendance: boolean('award_on_attendance').notNull().default(false),
  },
  (t) => [
    primaryKey({ name: 'activity_badges_pkey', columns: [t.activityId, t.badgeClassId] }),
    index('activity_badges_badge_idx').on(t.cityId, t.badgeClassId),
  ],
);

/** Each issued version of a badge: the OB 3.0 Achievement JSON exactly as credentials of that version carry it. */
export const badgeClassVersions = pgTable(
  'badge_class_versions',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The AchievementInput (src/credentials) that credentials of this version were built from. */
    achievement: jsonb('achievement').$type<Record<string, unknown>>().notNull(),
    /** The version's image as issued (the badge row holds only the current one). */
    imageContentType: text('image_content_type'),
    imageBytes: bytea('image_bytes'),
    imageSvg: text('image_svg'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'badge_class_versions_pkey', columns: [t.badgeClassId, t.version] })],
);

export const statusPurposes = ['revocation', 'suspension'] as const;
export type StatusPurposeName = (typeof statusPurposes)[number];

/**
 * A Bitstring Status List of one issuing organisation in a city, for one purpose. Indexes are handed out by
 * `allocated` (a counter mapped to a scattered position so neighbours in time are not neighbours in the list);
 * `signed_credential` is the cached signed BitstringStatusListCredential, cleared when a bit changes.
 */
export const statusLists = pgTable(
  'status_lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<StatusPurposeName>().notNull(),
    sequence: integer('sequence').notNull(),
    length: integer('length').notNull(),
    allocated: integer('allocated').notNull().default(0),
    /** The bits, gzip + base64url multibase (the `encodedList` form). */
    encodedList: text('encoded_list').notNull(),
    signedCredential: jsonb('signed_credential').$type<Record<string, unknown>>(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('status_lists_sequence_key').on(t.cityId, t.organisationId, t.purpose, t.sequence),
    check('status_lists_purpose_check', sql`${t.purpose} in ('revocation', 'suspension')`),
    check('status_lists_allocated_check', sql`${t.allocated} between 0 and ${t.length}`),
  ],
);

export const credentialStatuses = ['active', 'suspended', 'revoked'] as const;
export type CredentialStatus = (typeof credentialStatuses)[number];
export const claimRoutes = [
  'award',
  'claim_code',
  'evidence',
  'peer',
  'attendance',
  'requirements',
  'bulk',
  'cli',
] as const;
export type ClaimRoute = (typeof claimRoutes)[number];

/**
 * One badge awarded to one learner: the signed OpenBadgeCredential (`document`, OB 3.0) and its status. The learner
 * is an account (`recipient_user_id`) or, until they claim it, an email with a claim-link secret (hash stored).
 * `idempotency_key` makes retried and re-uploaded issues no-ops. A correction links old and new credentials.
 */
export const badgeCredentials = pgTable(
  'badge_credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'restrict' }),
    badgeVersion: integer('badge_version').notNull(),
    recipientUserId: uuid('recipient_user_id').references(() => users.id, { onDelete: 'set null' }),
    recipientEmail: text('recipient_email').notNull(),
    recipientName: text('recipient_name').notNull().default(''),
    /** The salt of the hashed email identity in the credential (kept so OB 2.0 hosted assertions can match). */
    identitySalt: text('identity_salt').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    signingKeyId: uuid('signing_key_id')
      .notNull()
      .references(() => issuerKeys.id, { onDelete: 'restrict' }),
    status: text('status').$type<CredentialStatus>().notNull().default('active'),
    statusReason: text('status_reason'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }),
    revocationListId: uuid('revocation_list_id')
      .notNull()
      .references(() => statusLists.id, { onDelete: 'restrict' }),
    revocationIndex: integer('revocation_index').notNull(),
    suspensionListId: uuid('suspension_list_id')
      .notNull()
      .references(() => statusLists.id, { onDelete: 'restrict' }),
    suspensionIndex: integer('suspension_index').notNull(),
    claimRoute: text('claim_route').$type<ClaimRoute>().notNull(),
    idempotencyKey: text('idempotency_key'),
    claimTokenHash: text('claim_token_hash'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    supersedesId: uuid('supersedes_id').references((): AnyPgColumn => badgeCredentials.id, { onDelete: 'set null' }),
    issuedBy: uuid('issued_by').references(() => users.id, { onDelete: 'set null' }),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    validUntil: timestamp('valid_until', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('badge_credentials_idempotency_key').on(t.cityId, t.idempotencyKey),
    uniqueIndex('badge_credentials_claim_token_key').on(t.claimTokenHash),
    uniqueIndex('badge_credentials_revocation_slot_key').on(t.revocationListId, t.revocationIndex),
    uniqueIndex('badge_credentials_suspension_slot_key').on(t.suspensionListId, t.suspensionIndex),
    index('badge_credentials_badge_idx').on(t.cityId, t.badgeClassId, t.issuedAt),
    index('badge_credentials_organisation_idx').on(t.cityId, t.organisationId, t.issuedAt),
    index('badge_credentials_recipient_idx').on(t.recipientUserId),
    index('badge_credentials_email_idx').on(t.cityId, sql`lower(${t.recipientEmail})`),
    index('badge_credentials_supersedes_idx').on(t.supersedesId),
    check('badge_credentials_status_check', sql`${t.status} in ('active', 'suspended', 'revoked')`),
    check(
      'badge_credentials_claim_route_check',
      sql`${t.claimRoute} in ('award', 'claim_code', 'evidence', 'peer', 'attendance', 'requirements', 'bulk', 'cli')`,
    ),
  ],
);

/** An organisation vouching for a badge class or for an issuer: a signed EndorsementCredential. */
export const badgeEndorsements = pgTable(
  'badge_endorsements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    endorserOrganisationId: uuid('endorser_organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    targetBadgeClassId: uuid('target_badge_class_id').references(() => badgeClasses.id, { onDelete: 'cascade' }),
    targetOrganisationId: uuid('target_organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    comment: jsonb('comment').$type<Record<string, string>>().notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('badge_endorsements_badge_idx').on(t.cityId, t.targetBadgeClassId),
    index('badge_endorsements_organisation_idx').on(t.cityId, t.targetOrganisationId),
    // One standing endorsement per endorser and target.
    uniqueIndex('badge_endorsements_standing_key')
      .on(t.cityId, t.endorserOrganisationId, sql`coalesce(${t.targetBadgeClassId}, ${t.targetOrganisationId})`)
      .where(sql`${t.withdrawnAt} is null`),
    check(
      'badge_endorsements_target_check',
      sql`(${t.targetBadgeClassId} is null) <> (${t.targetOrganisationId} is null)`,
    ),
  ],
);

/** A code (and QR poster) learners enter at an event to claim a badge; single- or multi-use, with expiry. */
export const badgeClaimCodes = pgTable(
  'badge_claim_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    label: text('label').notNull().default(''),
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('badge_claim_codes_code_key').on(t.cityId, t.code),
    index('badge_claim_codes_badge_idx').on(t.cityId, t.badgeClassId),
    check('badge_claim_codes_uses_check', sql`${t.maxUses} >= 1 and ${t.uses} between 0 and ${t.maxUses}`),
  ],
);

export const evidenceSubmissionStatuses = ['pending', 'more_info', 'approved', 'rejected'] as const;
export type EvidenceSubmissionStatus = (typeof evidenceSubmissionStatuses)[number];

/**
 * A learner's request for a badge: evidence for the organiser's review (`review = 'organiser'`) or a peer check
 * confirmed by N earners (`review = 'peer'`). Items are text and links; files are in `evidence_files`.
 */
export const evidenceSubmissions = pgTable(
  'evidence_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    badgeClassId: uuid('badge_class_id')
      .notNull()
      .references(() => badgeClasses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    review: text('review').notNull().default('organiser'),
    status: text('status').$type<EvidenceSubmissionStatus>().notNull().default('pending'),
    items: jsonb('items').$type<{ requirement: number; text?: string; url?: string }[]>().notNull().default([]),
    feedback: text('feedback'),
    reviewedBy: uuid('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    credentialId: uuid('credential_id').references(() => badgeCredentials.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('evidence_submissions_queue_idx').on(t.cityId, t.badgeClassId, t.status, t.createdAt),
    index('evidence_submissions_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('evidence_submissions_open_key')
      .on(t.badgeClassId, t.userId)
      .where(sql`${t.status} in ('pending', 'more_info')`),
    check('evidence_submissions_review_check', sql`${t.review} in ('organiser', 'peer')`),
    check('evidence_submissions_status_check', sql`${t.status} in ('pending', 'more_info', 'approved', 'rejected')`),
  ],
);

/** Files (documents, photos) attached to an evidence submission. */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => evidenceSubmissions.id, { onDelete: 'cascade' }),
    requirement: integer('requirement').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    bytes: bytea('bytes').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('evidence_files_submission_idx').on(t.submissionId)],
);

/** An earner confirming a peer-check request. */
export const peerConfirmations = pgTable(
  'peer_confirmations',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => evidenceSubmissions.id, { onDelete: 'cascade' }),
    confirmerUserId: uuid('confirmer_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'peer_confirmations_pkey', columns: [t.submissionId, t.confirmerUserId] })],
);

export const issueBatchStatuses = ['queued', 'running', 'completed', 'failed'] as const;
export type IssueBatchStatus = (typeof issueBatchStatuses)[number];

/**
 * A bulk issue from CSV: rows are stored first, then a job issues them (idempotency key per row content, so a
 * re-uploaded file and a restarted job issue nothing twice) and records each row's outcome for the report.
 */
export const badgeIssueBatches = pgTable(
  'badge_issue_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    fileName: text('file_name').notNull(),
    status: text('status').$type<IssueBatchStatus>().notNull().default('queued'),
    totalRows: integer('total_rows').notNull(),
    issuedRows: integer('issued_rows').notNull().default(0),
    skippedRows: integer('skipped_rows').notNull().default(0),
    failedRows: integer('failed_rows').notNull().default(0),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('badge_issue_batches_organisation_idx').on(t.cityId, t.organisationId, t.createdAt),
    check('badge_issue_batches_status_check', sql`${t.status} in ('queued', 'running', 'completed', 'failed')`),
  ],
);

export const issueBatchRowStatuses = ['pending', 'issued', 'skipped', 'failed'] as const;
export type IssueBatchRowStatus = (typeof issueBatchRowStatuses)[number];

export const badgeIssueBatchRows = pgTable(
  'badge_issue_batch_rows',
  {
    cityId: uuid('city_id')
      .notNull()
      .references(() => cities.id, { onDelete: 'cascade' }),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => badgeIssueBatches.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    input: jsonb('input').$type<Record<string, string>>().notNull(),
    status: text('status').$type<IssueBatchRowStatus>().notNull().default('pending'),
    credentialId: uuid('credential_id').references(() => badgeCredentials.id, { onDelete: 'set null' }),
    error: text('error'),
  },
  (t) => [
    primaryKey({ name: 'badge_issue_batch_rows_pkey', columns: [t.batchId, t.line] }),
    index('badge_issue_batch_rows_pending_idx').on(t.batchId, t.status),
    check('badge_issue_batch_rows_status_check', sql`${t.status} in ('pending', 'issued', 'skipped', 'failed')`),
  ],
);
