import { Type } from 'typebox';
import { MAX_NARRATIVE_LENGTH } from './credentials.service.ts';
import { MAX_BULK_ROWS, MAX_NAME_LENGTH } from './bulk-issue.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const BatchParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, batchId: Uuid });

export const BulkIdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Makes a retried upload safe: the same key returns the batch the first request made (while its job is kept, ' +
        '30 days). The same key with a different file is refused (`BULK_ISSUE_KEY_REUSED`).',
    }),
  ),
});

export const BulkUploadQuery = Type.Object({
  fileName: Type.Optional(
    Type.String({ maxLength: 200, description: 'The file name, when the body is the CSV itself' }),
  ),
  badge: Type.Optional(
    Type.String({ maxLength: 200, description: 'The badge (id or short name) for rows that name none' }),
  ),
  skipInvalid: Type.Optional(
    Type.Boolean({ description: 'Issue the valid rows and skip rows with problems (else nothing is issued)' }),
  ),
});

const BulkRow = Type.Object(
  {
    email: Type.String({ maxLength: 254, examples: ['ada@example.org'] }),
    name: Type.Optional(Type.String({ maxLength: MAX_NAME_LENGTH })),
    badge: Type.Optional(
      Type.String({ maxLength: 200, description: 'Badge id or short name; else the request’s badge' }),
    ),
    evidenceUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    narrative: Type.Optional(Type.String({ maxLength: MAX_NARRATIVE_LENGTH })),
  },
  { additionalProperties: false },
);

export const BulkJsonBody = Type.Object(
  {
    rows: Type.Array(BulkRow, { minItems: 1, maxItems: MAX_BULK_ROWS }),
    badge: Type.Optional(
      Type.String({ maxLength: 200, description: 'The badge (id or short name) for rows that name none' }),
    ),
    fileName: Type.Optional(Type.String({ maxLength: 200 })),
    skipInvalid: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const BulkUploadBody = {
  content: {
    'application/json': { schema: BulkJsonBody },
    'text/csv': {
      schema: Type.String({
        description:
          'Columns (header names in any case): email (required), name, badge (id or short name), evidence_url, ' +
          'narrative. Comma or semicolon separated; a byte-order mark is fine.',
      }),
    },
  },
};

const Counts = Type.Object({
  total: Type.Integer(),
  issued: Type.Integer(),
  skipped: Type.Integer({
    description: 'Rows issued before (same badge, email, evidence and narrative) or skipped as invalid',
  }),
  failed: Type.Integer(),
  pending: Type.Integer(),
  done: Type.Integer(),
  percent: Type.Integer(),
});

export const BulkIssueSchema = Type.Object(
  {
    id: Uuid,
    fileName: Type.String(),
    status: literals(['queued', 'running', 'completed', 'failed']),
    counts: Counts,
    createdAt: Type.String({ format: 'date-time' }),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
    reportUrl: Type.String({ description: 'The per-row report (CSV)' }),
    pageUrl: Type.String({ description: 'The progress page' }),
  },
  { $id: 'BulkIssue' },
);

export const BulkIssueList = Type.Object({
  items: Type.Array(Type.Ref('BulkIssue')),
  next: Nullable(Type.String({ description: 'Cursor of the next page (`after`)' })),
});

export const BulkListQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const Problem = Type.Object({
  code: Type.String(),
  problem: Type.String(),
  column: Type.Optional(Type.String()),
});

export const BulkPreviewSchema = Type.Object(
  {
    fileName: Type.String(),
    counts: Type.Object({
      rows: Type.Integer(),
      valid: Type.Integer(),
      invalid: Type.Integer(),
      alreadyIssued: Type.Integer({ description: 'Valid rows an earlier upload issued (they would be skipped)' }),
      toIssue: Type.Integer(),
    }),
    fatal: Type.Array(Problem, { description: 'Problems of the whole file: nothing can be issued from it' }),
    ignoredColumns: Type.Array(Type.String()),
    rows: Type.Array(
      Type.Object({
        line: Type.Integer({ description: 'The line of the file (the row’s position from 1 for JSON rows)' }),
        email: Type.String(),
        name: Type.String(),
        badge: Type.String(),
        badgeId: Nullable(Uuid),
        evidenceUrl: Type.String(),
        narrative: Type.String(),
        valid: Type.Boolean(),
        alreadyIssuedCredentialId: Nullable(Uuid),
        problems: Type.Array(Problem),
      }),
    ),
  },
  { $id: 'BulkIssuePreview' },
);
