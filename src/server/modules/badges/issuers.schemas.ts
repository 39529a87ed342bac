import { Type } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const DateTime = Type.String({ format: 'date-time' });

export const IssuerParams = Type.Object({ organisationId: Uuid });
export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });

/** Public JSON documents (DID document, OB 3.0 Profile, OB 2.0 Issuer) are passed through as built. */
export const JsonDocument = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const IssuerKeySchema = Type.Object(
  {
    id: Uuid,
    publicKeyMultibase: Type.String({ description: 'The Ed25519 public key as Multikey (z6Mk…)' }),
    verificationMethod: Type.String({ description: 'The key’s id in the DID document: `<did>#<publicKeyMultibase>`' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
    imported: Type.Boolean({ description: 'Imported by the organisation rather than generated here' }),
    createdAt: DateTime,
    retiredAt: Type.Union([DateTime, Type.Null()]),
  },
  { $id: 'IssuerKey', title: 'IssuerKey' },
);

export const IssuerSchema = Type.Object(
  {
    organisationId: Uuid,
    did: Type.String({ examples: ['did:web:learnscape.example:issuers:0b6f…'] }),
    profileUrl: Type.String({ description: 'The OB 3.0 issuer profile (HTML for browsers, JSON-LD otherwise)' }),
    didDocumentUrl: Type.String(),
    ob2IssuerUrl: Type.String({ description: 'The Open Badges 2.0 Issuer document' }),
    keys: Type.Array(Type.Ref('IssuerKey'), {
      description: 'The active key first, then retired keys (which keep verifying what they signed)',
    }),
  },
  { $id: 'Issuer', title: 'Issuer' },
);

export const KeyChangeSchema = Type.Object({
  created: Type.Boolean({
    description: 'False when an earlier request with the same Idempotency-Key made this key (nothing was changed)',
  }),
  key: Type.Ref('IssuerKey'),
  issuer: Type.Ref('Issuer'),
});

export const RotateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Repeat a rotation safely: the same key within 24 hours returns the first result',
    }),
  ),
});

export const ImportKeyBody = Type.Union([
  Type.Object(
    {
      publicKeyMultibase: Type.String({ maxLength: 200, description: 'Ed25519 public key as Multikey (z6Mk…)' }),
      secretKeyMultibase: Type.String({ maxLength: 300, description: 'Its secret key as Multikey' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      jwk: Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'A private Ed25519 JWK: {"kty":"OKP","crv":"Ed25519","x":"…","d":"…"}',
        },
      ),
    },
    { additionalProperties: false },
  ),
]);
