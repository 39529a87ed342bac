import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const SessionUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('limited'), Type.Literal('deleted')]),
  roles: Type.Array(Type.Object({ role: Type.String(), citySlug: Type.Union([Type.String(), Type.Null()]) })),
  memberships: Type.Array(Type.Object({ organisationId: Type.String({ format: 'uuid' }), role: Type.String() })),
});

export const SessionInfo = Type.Object(
  {
    signedIn: Type.Boolean(),
    user: Type.Union([SessionUser, Type.Null()]),
    csrfToken: Type.Union([Type.String(), Type.Null()], {
      description: 'Send it as the x-csrf-token header on every state-changing request made with the session cookie.',
    }),
  },
  { $id: 'SessionInfo', title: 'SessionInfo' },
);

export const LogoutEverywhereResult = Type.Object({ endedSessions: Type.Integer({ minimum: 0 }) });
