import type { SqlRunner } from '../../db/client.ts';
import {
  countAllAuditEntries,
  countCityAuditEntries,
  insertAuditEntries,
  insertAuditEntry,
  listAllAuditEntries,
  listCityAuditEntries,
  type AuditEntryRecord,
  type NewAuditEntry,
} from './audit.repo.ts';

/**
 * Who did something and from where. Web requests fill it from the request (see audit.http.ts); the command line
 * uses `cliAuditContext()` (actor label "cli").
 */
export interface AuditContext {
  actorUserId: string | null;
  actorApiTokenId: string | null;
  /** A readable name that outlives the account: `user:ada@example.org`, `token:CRM sync`, `cli`. */
  actorLabel: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEvent {
  /** The city the action concerns; null for network-level actions. */
  cityId: string | null;
  /** Dotted verb, e.g. `organisation.approve`, `city.archive`, `api_token.create`. */
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Records a privileged action. Call it inside the transaction that makes the change, so the log never claims a
 * change that was rolled back, and a change is never made without its entry.
 */
export function recordAudit(db: SqlRunner, context: AuditContext, event: AuditEvent): Promise<string> {
  return insertAuditEntry(db, event.cityId, auditEntry(context, event));
}

/** Records many events of one city and one actor in one statement (a bulk issue's chunk), like `recordAudit` each. */
export async function recordAudits(
  db: SqlRunner,
  context: AuditContext,
  cityId: string | null,
  events: Omit<AuditEvent, 'cityId'>[],
): Promise<void> {
  await insertAuditEntries(
    db,
    cityId,
    events.map((event) => auditEntry(context, event)),
  );
}

function auditEntry(context: AuditContext, event: Omit<AuditEvent, 'cityId'>): NewAuditEntry {
  return {
    actorUserId: context.actorUserId,
    actorApiTokenId: context.actorApiTokenId,
    actorLabel: context.actorLabel,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    ip: context.ip,
    userAgent: context.userAgent,
    requestId: context.requestId,
  };
}

/** The audit context of the command line: no person, no address; the operator's shell is the actor. */
export function cliAuditContext(): AuditContext {
  return { actorUserId: null, actorApiTokenId: null, actorLabel: 'cli', ip: null, userAgent: null, requestId: null };
}

export interface AuditPage {
  items: AuditEntryRecord[];
  page: number;
  pageSize: number;
  total: number;
}

export const AUDIT_PAGE_SIZE = 50;

function paging(page: number, pageSize: number) {
  const size = Math.min(Math.max(1, Math.trunc(pageSize)), 200);
  const number = Math.max(1, Math.trunc(page));
  return { limit: size, offset: (number - 1) * size, size, number };
}

/** A city's audit log, newest first (curators of the city, network admins). */
export async function cityAuditLog(
  db: SqlRunner,
  cityId: string,
  page = 1,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<AuditPage> {
  const p = paging(page, pageSize);
  const [items, total] = await Promise.all([listCityAuditEntries(db, cityId, p), countCityAuditEntries(db, cityId)]);
  return { items, page: p.number, pageSize: p.size, total };
}

/** The whole deployment's audit log (network admins). */
export async function networkAuditLog(db: SqlRunner, page = 1, pageSize = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  const p = paging(page, pageSize);
  const [items, total] = await Promise.all([listAllAuditEntries(db, p), countAllAuditEntries(db)]);
  return { items, page: p.number, pageSize: p.size, total };
}

export type { AuditEntryRecord };
