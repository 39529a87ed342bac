import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const VerifyRequestBody = Type.Object(
  {
    credential: Type.Optional(
      Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], {
        description:
          'The credential: an OB 3.0 / VC 2.0 credential or EndorsementCredential, or an OB 2.0 assertion, as a JSON ' +
          'object or as text (JSON, a VC-JWT or an OB 2.0 JWS). At most 2 MB.',
      }),
    ),
    url: Type.Optional(
      Type.String({
        description:
          'Where the badge is published: JSON, a JWT, or a baked PNG/SVG (http or https, at most 2000 characters). ' +
          'Fetched from public addresses only.',
        examples: ['https://badges.example.org/assertions/42'],
      }),
    ),
  },
  {
    additionalProperties: true,
    description:
      'Exactly one of `credential` or `url`. A credential posted directly (a JSON object with `@context`) is read as `credential`.',
  },
);

const Check = Type.Object({
  id: Type.String({
    description:
      'What was checked: parse, format, context, open-badges, schema, signature, signature-other, validity, status, ' +
      'issuer, jwt-claims, recipient, badge, hosted',
    examples: ['signature'],
  }),
  passed: Type.Boolean(),
  message: Type.String({ description: 'What was found, in plain English' }),
});

export const VerifyResult = Type.Object({
  verified: Type.Boolean({ description: 'True when every check passed' }),
  kind: Type.Union([Type.Literal('ob3'), Type.Literal('ob3-jwt'), Type.Literal('ob2'), Type.Literal('unknown')], {
    description: 'What was verified: OB 3.0 with an embedded proof, OB 3.0 as a VC-JWT, OB 2.0, or nothing readable',
  }),
  checks: Type.Array(Check),
  summary: Type.Object({
    badgeName: Nullable(Type.String()),
    issuerName: Nullable(Type.String()),
    issuerId: Nullable(Type.String()),
    recipient: Nullable(
      Type.Object({
        type: Type.String({ description: '`did`, `id`, or the identity type (e.g. `emailAddress`, `email`)' }),
        identity: Type.String({ description: 'As the credential states it: a DID, a URI, or a salted hash' }),
        hashed: Type.Boolean(),
      }),
    ),
    issuedOn: Nullable(Type.String()),
    expires: Nullable(Type.String()),
    status: Type.Union(
      [
        Type.Literal('active'),
        Type.Literal('revoked'),
        Type.Literal('suspended'),
        Type.Literal('expired'),
        Type.Literal('not_yet_valid'),
        Type.Literal('unknown'),
      ],
      { description: 'The credential as of now: valid, revoked, suspended, expired, not yet valid, or unknown' },
    ),
  }),
});

export const VerifyPageQuery = Type.Object({
  url: Type.Optional(Type.String({ maxLength: 2000 })),
  lang: Type.Optional(Type.String()),
});
