import { Type } from 'typebox';
import { MAX_EVIDENCE_TEXT, MAX_EVIDENCE_URL, MAX_FEEDBACK_LENGTH } from './evidence.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const HttpUrl = Type.String({
  maxLength: MAX_EVIDENCE_URL,
  pattern: '^https?://',
  examples: ['https://example.org/my-work'],
});
const SubmissionStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('more_info'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
]);

export const CityParams = Type.Object({ citySlug: CitySlug });
export const LearnerBadgeParams = Type.Object({ citySlug: CitySlug, badgeId: Uuid });
export const PeerRequestParams = Type.Object({ citySlug: CitySlug, badgeId: Uuid, submissionId: Uuid });
export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const SubmissionParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, submissionId: Uuid });
export const SubmissionFileParams = Type.Object({
  citySlug: CitySlug,
  organisationId: Uuid,
  submissionId: Uuid,
  fileId: Uuid,
});

export const EvidenceBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          requirement: Type.Integer({
            minimum: 0,
            maximum: 50,
            description: 'The requirement answered (0-based, in the badge’s order)',
          }),
          text: Type.Optional(Type.String({ maxLength: MAX_EVIDENCE_TEXT, description: 'For a text requirement' })),
          url: Type.Optional(HttpUrl),
          file: Type.Optional(
            Type.Object(
              {
                name: Type.String({ maxLength: 255, examples: ['poster.pdf'] }),
                data: Type.String({ description: 'The file, base64; PNG, JPEG, WebP or PDF of at most 5 MB' }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  {
    additionalProperties: false,
    description:
      'JSON as here, or multipart/form-data with fields `item-<n>` (text or link) and file parts `file-<n>`, where <n> is the requirement.',
  },
);

export const FeedbackBody = Type.Object(
  {
    feedback: Type.String({
      minLength: 1,
      maxLength: MAX_FEEDBACK_LENGTH,
      examples: ['Please add a photo of the finished repair.'],
    }),
  },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  {
    feedback: Type.Optional(
      Type.String({ maxLength: MAX_FEEDBACK_LENGTH, description: 'A note to the learner; carried as the narrative' }),
    ),
  },
  { additionalProperties: false },
);

export const PeerRequestBody = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: MAX_EVIDENCE_TEXT, description: 'What the earners should know' })),
    url: Type.Optional(HttpUrl),
  },
  { additionalProperties: false },
);

export const QueueQuery = Type.Object({
  badgeId: Type.Optional(Uuid),
  status: Type.Optional(SubmissionStatus),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
});

export const PageOnlyQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
});

export const SubmissionSchema = Type.Object(
  {
    id: Uuid,
    badge: Type.Object({ id: Uuid, slug: Type.String(), name: Type.Record(Type.String(), Type.String()) }),
    organisationId: Uuid,
    learner: Type.Object({
      userId: Uuid,
      name: Type.String(),
      email: Type.String({ description: 'Empty for accounts waiting for a guardian’s consent' }),
    }),
    review: Type.Union([Type.Literal('organiser'), Type.Literal('peer')]),
    status: SubmissionStatus,
    items: Type.Array(
      Type.Object({
        requirement: Type.Integer(),
        text: Type.Optional(Type.String()),
        url: Type.Optional(Type.String()),
      }),
    ),
    files: Type.Array(
      Type.Object({
        id: Uuid,
        requirement: Type.Integer(),
        name: Type.String(),
        contentType: Type.String(),
        size: Type.Integer(),
        url: Type.String({ description: 'Download address (for the learner and the organisation only)' }),
      }),
    ),
    feedback: Nullable(Type.String()),
    confirmations: Type.Integer({ description: 'Peer checks: how many earners confirmed' }),
    credentialId: Nullable(Uuid),
    createdAt: DateTime,
    updatedAt: DateTime,
    reviewedAt: Nullable(DateTime),
  },
  { $id: 'EvidenceSubmission', title: 'EvidenceSubmission' },
);

export const SubmissionListSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('EvidenceSubmission')),
    total: Type.Optional(Type.Integer()),
    page: Type.Optional(Type.Integer()),
    next: Type.Optional(Nullable(Type.Integer({ description: 'The next page number; null on the last page' }))),
  },
  { $id: 'EvidenceSubmissionList', title: 'EvidenceSubmissionList' },
);

export const PeerConfirmationSchema = Type.Object(
  {
    submission: Type.Ref('EvidenceSubmission'),
    required: Type.Integer({ description: 'How many earners must confirm' }),
    credentialId: Nullable(Uuid),
  },
  { $id: 'PeerConfirmation', title: 'PeerConfirmation' },
);
