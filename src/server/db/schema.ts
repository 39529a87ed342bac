import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('cities_slug_key').on(t.slug),
    uniqueIndex('cities_host_name_key').on(t.hostName),
    check('cities_status_check', sql`${t.status} in ('active', 'archived')`),
    check('cities_slug_format_check', sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'`),
    check(
      'cities_bounds_check',
      sql`${t.boundsWest} < ${t.boundsEast} and ${t.boundsSouth} < ${t.boundsNorth} and ${t.boundsSouth} >= -90 and ${t.boundsNorth} <= 90 and ${t.boundsWest} >= -180 and ${t.boundsEast} <= 180`,
    ),
    check('cities_default_language_check', sql`${t.defaultLanguage} = any(${t.languages})`),
  ],
);

/** A person. Emails are unique regardless of case. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const roleNames = ['network_admin', 'city_curator'] as const;
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
    check('role_assignments_role_check', sql`${t.role} in ('network_admin', 'city_curator')`),
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
