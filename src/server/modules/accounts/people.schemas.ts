import { Type } from 'typebox';

const Email = Type.String({ minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const Token = Type.String({ minLength: 20, maxLength: 100, description: 'The token from the emailed link.' });
const Language = Type.Optional(
  Type.String({ pattern: '^[a-z]{2}$', description: 'Language of the emails; default from Accept-Language.' }),
);
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'ISO date, YYYY-MM-DD.' });

export const CitySlugParam = Type.Object({
  citySlug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }),
});

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.String({ minLength: 1, maxLength: 120 }),
    dateOfBirth: IsoDate,
    guardianEmail: Type.Optional(
      Type.String({ maxLength: 254, description: 'Required under the city’s consent age.' }),
    ),
    language: Language,
  },
  { additionalProperties: false },
);

export const CheckEmailResult = Type.Object(
  {
    status: Type.Literal('check_email', {
      description: 'Always the same, whether or not the address has an account: the next step is in the email.',
    }),
  },
  { $id: 'CheckEmailResult', title: 'CheckEmailResult' },
);

export const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });
export const EmailBody = Type.Object({ email: Email, language: Language }, { additionalProperties: false });
export const ResetConfirmBody = Type.Object({ token: Token, password: Password }, { additionalProperties: false });
export const VerifiedResult = Type.Object({
  verified: Type.Literal(true),
  status: Type.Union([Type.Literal('active'), Type.Literal('limited'), Type.Literal('deleted')]),
});
export const EndedSessionsResult = Type.Object({ endedSessions: Type.Integer({ minimum: 0 }) });

export const ConsentResult = Type.Object({
  consentStatus: Type.Union([Type.Literal('pending'), Type.Literal('given'), Type.Literal('withdrawn')]),
  minorName: Type.String(),
  cityName: Type.String(),
});

export const AccountSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    displayName: Type.String(),
    pronouns: Type.Union([Type.String(), Type.Null()]),
    languages: Type.Array(Type.String()),
    interests: Type.Array(Type.String()),
    homeDistrict: Type.Union([Type.String(), Type.Null()]),
    homeCity: Type.Union([
      Type.Object({ slug: Type.String(), name: Type.Record(Type.String(), Type.String()) }),
      Type.Null(),
    ]),
    cities: Type.Array(
      Type.Object({ slug: Type.String(), name: Type.Record(Type.String(), Type.String()), joinedAt: Type.String() }),
    ),
    dateOfBirth: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('active'), Type.Literal('limited'), Type.Literal('deleted')], {
      description:
        '`limited`: a minor without guardian consent (or no date of birth yet) — no public profile, no sharing, no contact by employers.',
    }),
    hasPassword: Type.Boolean(),
    hasAvatar: Type.Boolean(),
    guardianConsent: Type.Union([
      Type.Object({
        status: Type.Union([Type.Literal('pending'), Type.Literal('given'), Type.Literal('withdrawn')]),
        guardianEmail: Type.String(),
      }),
      Type.Null(),
    ]),
    identities: Type.Array(Type.Object({ provider: Type.String(), linkedAt: Type.String() })),
  },
  { $id: 'Account', title: 'Account' },
);

export const ProfileBody = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 120 }),
    pronouns: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    languages: Type.Optional(
      Type.Array(Type.String({ maxLength: 10 }), { maxItems: 12, description: 'Language codes, e.g. `en`, `lt`.' }),
    ),
    interests: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 12 })),
    homeDistrict: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 80, description: 'A district or neighbourhood name — never an address.' }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const DateOfBirthBody = Type.Object(
  {
    dateOfBirth: IsoDate,
    guardianEmail: Type.Optional(Type.String({ maxLength: 254 })),
    citySlug: Type.Optional(Type.String({ maxLength: 64, description: 'Home city, when the account has none yet.' })),
    language: Language,
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ maxLength: 256 }), newPassword: Password },
  { additionalProperties: false },
);

export const ChangeEmailBody = Type.Object(
  { newEmail: Email, password: Type.String({ maxLength: 256 }), language: Language },
  { additionalProperties: false },
);

export const SessionsResult = Type.Object({
  sessions: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      current: Type.Boolean(),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String(),
      lastSeenAt: Type.String(),
    }),
  ),
});

export const ExportStarted = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  statusUrl: Type.String({ description: 'Poll this for progress.' }),
});

export const ExportStatusSchema = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  status: Type.String(),
  percent: Type.Union([Type.Number(), Type.Null()]),
  ready: Type.Boolean(),
  expired: Type.Boolean(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

export const JobIdParam = Type.Object({ jobId: Type.String({ format: 'uuid' }) });

export const DeleteAccountBody = Type.Object(
  {
    confirm: Type.String({ maxLength: 20, description: 'Must be `DELETE`.' }),
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const DeletionResultSchema = Type.Object({
  deleted: Type.Literal(true),
  kept: Type.Array(Type.Object({ item: Type.String(), what: Type.String(), why: Type.String() })),
});
