import { type Static, Type } from 'typebox';

const citySlug = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
  description: 'The city slug, e.g. `vilnius`.',
});
const frameworkSlug = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$',
  description: 'A framework slug: `digcomp`, `entrecomp`, `lifecomp`, `greencomp`, `esco`.',
});
const languageCode = Type.String({ pattern: '^[a-z]{2,3}$' });
const perLanguage = (description: string, maxLength: number) =>
  Type.Record(languageCode, Type.String({ maxLength }), { description });

export const CityParams = Type.Object({ citySlug });
export const CitySkillParams = Type.Object({ citySlug, skillId: Type.String({ format: 'uuid' }) });
export const CityCrosswalkParams = Type.Object({ citySlug, crosswalkId: Type.String({ format: 'uuid' }) });
export const FrameworkParams = Type.Object({ frameworkSlug });
export const SkillParams = Type.Object({ skillId: Type.String({ format: 'uuid' }) });

export const LanguageQuery = Type.Object({
  lang: Type.Optional(Type.String({ pattern: '^[a-z]{2}$', description: 'Language of labels; English fallback.' })),
});

export const BrowseQuery = Type.Object({
  lang: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
  parent: Type.Optional(Type.String({ format: 'uuid', description: 'List the children of this skill.' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'What the person typed; matches word prefixes.' }),
  lang: Type.Optional(Type.String({ pattern: '^[a-z]{2}$', description: 'Language of labels; English fallback.' })),
  framework: Type.Optional(Type.Array(frameworkSlug, { description: 'Only these frameworks (`local` for local).' })),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
});

const Level = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  band: Type.Optional(Type.String()),
});

export const SkillFramework = Type.Object(
  {
    slug: Type.String(),
    kind: Type.Union([Type.Literal('bundled'), Type.Literal('esco'), Type.Literal('local')]),
    title: Type.String(),
    shortTitle: Type.String(),
    version: Type.String(),
    publisher: Type.String(),
    licence: Type.String(),
    url: Type.Union([Type.String(), Type.Null()]),
    citation: Type.String(),
    attribution: Type.String({ description: 'Show this wherever the framework’s content is shown.' }),
    levels: Type.Array(Level, { description: 'Proficiency levels; empty when the framework has none.' }),
    skillCount: Type.Optional(Type.Integer()),
  },
  { $id: 'SkillFramework', title: 'SkillFramework' },
);

export const SkillFrameworkList = Type.Object(
  { items: Type.Array(Type.Ref('SkillFramework')) },
  { $id: 'SkillFrameworkList', title: 'SkillFrameworkList' },
);

export const SkillSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    code: Type.String({ description: 'The framework’s own id (e.g. `1.1`), the ESCO concept URI, or a local code.' }),
    kind: Type.String({ description: 'area, competence, skill_group, skill, knowledge or local' }),
    label: Type.String(),
    labelLanguage: Type.String({ description: 'The language of `label` (the asked one or a fallback).' }),
    framework: Type.Object({ slug: Type.String(), shortTitle: Type.String(), kind: Type.String() }),
    levels: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    childCount: Type.Optional(Type.Integer()),
  },
  { $id: 'SkillSummary', title: 'SkillSummary' },
);

export const SkillSearchResult = Type.Object(
  {
    ...SkillSummary.properties,
    matched: Type.Union([Type.String(), Type.Null()], {
      description: 'The alternative label that matched, when it is not the label shown.',
    }),
    via: Type.Union([
      Type.Object({ skillId: Type.String({ format: 'uuid' }), label: Type.String(), relation: Type.String() }),
      Type.Null(),
    ]),
  },
  { $id: 'SkillSearchResult', title: 'SkillSearchResult' },
);

export const SkillSearchResults = Type.Object(
  { items: Type.Array(Type.Ref('SkillSearchResult')) },
  { $id: 'SkillSearchResults', title: 'SkillSearchResults' },
);

export const SkillPage = Type.Object(
  {
    items: Type.Array(Type.Ref('SkillSummary')),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { $id: 'SkillPage', title: 'SkillPage' },
);

export const Alignment = Type.Object(
  {
    type: Type.Array(Type.Literal('Alignment')),
    targetName: Type.String(),
    targetUrl: Type.String(),
    targetDescription: Type.Optional(Type.String()),
    targetCode: Type.String(),
    targetFramework: Type.String(),
    targetType: Type.String(),
  },
  { $id: 'Alignment', title: 'Alignment', description: 'An Open Badges 3.0 Alignment.' },
);

export const SkillDetail = Type.Object(
  {
    ...SkillSummary.properties,
    description: Type.String(),
    descriptionLanguage: Type.String(),
    labels: Type.Record(Type.String(), Type.String(), { description: 'Preferred label per language.' }),
    descriptions: Type.Record(Type.String(), Type.String(), { description: 'Description per language.' }),
    alternativeLabels: Type.Array(Type.Object({ language: Type.String(), label: Type.String() })),
    parentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    ancestors: Type.Array(Type.Ref('SkillSummary')),
    children: Type.Array(Type.Ref('SkillSummary')),
    childCount: Type.Integer(),
    crosswalks: Type.Array(
      Type.Object({
        id: Type.String({ format: 'uuid' }),
        relation: Type.String({ description: 'How the other skill relates to this one: exact, broader, …' }),
        skill: Type.Ref('SkillSummary'),
      }),
    ),
    related: Type.Array(Type.Object({ relationType: Type.String(), skill: Type.Ref('SkillSummary') })),
    occupations: Type.Array(
      Type.Object({ uri: Type.String(), label: Type.String(), relationType: Type.String(), iscoGroup: Type.String() }),
    ),
    earners: Type.Object({
      count: Type.Union([Type.Integer(), Type.Null()], { description: 'Null when under the threshold.' }),
      suppressed: Type.Boolean(),
      threshold: Type.Integer(),
    }),
    frameworkDetails: Type.Ref('SkillFramework'),
    alignment: Type.Ref('Alignment'),
    pageUrl: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SkillDetail', title: 'SkillDetail' },
);

export const CitySpine = Type.Object(
  {
    frameworks: Type.Array(Type.Ref('SkillFramework')),
    local: Type.Union([Type.Ref('SkillFramework'), Type.Null()]),
  },
  { $id: 'CitySpine', title: 'CitySpine' },
);

export const SetCityFrameworksBody = Type.Object(
  {
    frameworks: Type.Array(frameworkSlug, {
      maxItems: 50,
      description: 'Slugs of the network frameworks that form the city’s spine, in display order.',
    }),
  },
  { additionalProperties: false },
);

export const LocalSkillBody = Type.Object(
  {
    code: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$',
        description: 'Made from the name if omitted.',
      }),
    ),
    parentId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    label: perLanguage('The name per language, e.g. `{ "lt": "…", "en": "…" }`.', 200),
    description: Type.Optional(perLanguage('Description per language.', 5000)),
    alternativeLabels: Type.Optional(
      Type.Record(languageCode, Type.Array(Type.String({ maxLength: 200 }), { maxItems: 30 })),
    ),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type LocalSkillBody = Static<typeof LocalSkillBody>;

export const LocalSkillPatch = Type.Partial(LocalSkillBody, { additionalProperties: false });

export const CrosswalkBody = Type.Object(
  {
    sourceSkillId: Type.String({ format: 'uuid' }),
    targetSkillId: Type.String({ format: 'uuid' }),
    relation: Type.Union(
      ['exact', 'broader', 'narrower', 'related'].map((r) =>
        Type.Literal(r as 'exact' | 'broader' | 'narrower' | 'related'),
      ),
      { description: 'The target is an exact / broader / narrower / related match of the source (SKOS).' },
    ),
  },
  { additionalProperties: false },
);

export const Crosswalk = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    relation: Type.String(),
    source: Type.Ref('SkillSummary'),
    target: Type.Ref('SkillSummary'),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Crosswalk', title: 'Crosswalk' },
);

export const CrosswalkList = Type.Object(
  { items: Type.Array(Type.Ref('Crosswalk')) },
  { $id: 'CrosswalkList', title: 'CrosswalkList' },
);
