import { Type, type Static } from 'typebox';

export const CitySlugParams = Type.Object({
  slug: Type.String({
    pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
    description: 'The city slug, e.g. `vilnius`.',
  }),
});

export const CityPublic = Type.Object(
  {
    slug: Type.String(),
    name: Type.Record(Type.String(), Type.String(), { description: 'The city name per language code.' }),
    defaultLanguage: Type.String(),
    languages: Type.Array(Type.String()),
    timeZone: Type.String({ description: 'IANA time zone, e.g. `Europe/Vilnius`.' }),
    bounds: Type.Object({ west: Type.Number(), south: Type.Number(), east: Type.Number(), north: Type.Number() }),
    center: Type.Object({ lon: Type.Number(), lat: Type.Number() }),
    defaultZoom: Type.Number(),
    consentAge: Type.Integer({ description: 'Under this age a learner needs a guardian’s consent.' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
    homeUrl: Type.String({ description: 'Absolute URL of the city home page.' }),
    branding: Type.Object({
      primaryColour: Type.Union([Type.String(), Type.Null()], {
        description: '#rrggbb; carries white text at WCAG AA contrast.',
      }),
      logoUrl: Type.Union([Type.String(), Type.Null()]),
      contactEmail: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { $id: 'CityPublic', title: 'City' },
);
export type CityPublic = Static<typeof CityPublic>;

export const CityList = Type.Object(
  { items: Type.Array(Type.Ref('CityPublic')) },
  { $id: 'CityList', title: 'CityList' },
);
