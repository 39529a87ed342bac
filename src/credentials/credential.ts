/**
 * Builds unsigned Open Badges 3.0 credentials (OpenBadgeCredential, EndorsementCredential)
 * from plain inputs. Output uses the VC Data Model 2.0 context and one pinned OB context.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OB_V3_CONTEXT, VC_V2_CONTEXT } from './contexts.ts';
import { CredentialError } from './errors.ts';

/** A string in the default language, or a map of BCP 47 language tag → text. */
export type LocalizedText = string | Record<string, string>;

export interface LanguageValue {
  '@value': string;
  '@language': string;
}

/** Plain string for one language; an array of language-tagged values for several. */
export type TextValue = string | LanguageValue[];

export interface IssuerProfileInput {
  id: string;
  name: LocalizedText;
  url?: string;
  email?: string;
  description?: LocalizedText;
  image?: ImageInput;
  /** The profile's public web page, when it differs from id (for example id is a did:web). */
  otherIdentifiers?: { identifier: string; identifierType: string }[];
}

export interface ImageInput {
  id: string;
  /** Alternative text; OB 3.0 carries it as the image caption. */
  caption?: LocalizedText;
}

export interface AlignmentInput {
  targetName: LocalizedText;
  targetUrl: string;
  targetCode?: string;
  targetFramework?: string;
  targetDescription?: LocalizedText;
  /** OB alignment target type, e.g. 'ceasn:Competency', 'CFItem', 'ext:EscoSkill'. */
  targetType?: string;
}

export interface AchievementInput {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  criteria: { id?: string; narrative?: LocalizedText };
  image?: ImageInput;
  /** OB achievementType vocabulary ('Badge', 'Competency', …) or an 'ext:' extension. */
  achievementType?: string;
  alignments?: AlignmentInput[];
  tags?: string[];
  creator?: IssuerProfileInput;
  /** Signed EndorsementCredentials of this achievement. */
  endorsements?: Record<string, unknown>[];
  /** Language of the default-language strings. */
  inLanguage?: string;
  version?: string;
}

export type SubjectInput =
  | { did: string }
  | {
      email: string;
      /** Supply to make the hash reproducible (tests); otherwise 16 random bytes. */
      salt?: string;
    };

export interface EvidenceInput {
  id?: string;
  name?: LocalizedText;
  narrative?: LocalizedText;
  description?: LocalizedText;
  genre?: string;
  audience?: string;
}

export type StatusPurpose = 'revocation' | 'suspension';

export interface StatusEntryInput {
  statusListCredential: string;
  statusListIndex: number;
  statusPurpose: StatusPurpose;
}

export interface OpenBadgeCredentialInput {
  id: string;
  issuer: IssuerProfileInput;
  achievement: AchievementInput;
  subject: SubjectInput;
  /** Credential name; defaults to the achievement name. */
  name?: LocalizedText;
  description?: LocalizedText;
  validFrom: Date | string;
  validUntil?: Date | string;
  evidence?: EvidenceInput[];
  status?: StatusEntryInput[];
  /** Signed EndorsementCredentials of this credential. */
  endorsements?: Record<string, unknown>[];
  /** Language of the default-language strings, for single-language text. */
  defaultLanguage?: string;
}

export type JsonObject = Record<string, unknown>;

/** Seconds precision, UTC: the form every verifier accepts. */
export function toDateTime(value: Date | string, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CredentialError('INVALID_INPUT', `${field} is not a valid date.`);
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function localizedValue(text: LocalizedText, field: string, defaultLanguage?: string): TextValue {
  if (typeof text === 'string') {
    if (text.trim() === '') throw new CredentialError('INVALID_INPUT', `${field} must not be empty.`);
    return text;
  }
  const entries = Object.entries(text).filter(([, value]) => value.trim() !== '');
  if (entries.length === 0) throw new CredentialError('INVALID_INPUT', `${field} needs text in at least one language.`);
  for (const [language] of entries) {
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) {
      throw new CredentialError('INVALID_INPUT', `${field}: "${language}" is not a language tag.`);
    }
  }
  // One language needs no tagging; the default language goes first for readers that take the first value.
  if (entries.length === 1) return (entries[0] as [string, string])[1];
  entries.sort(([a], [b]) => (a === defaultLanguage ? -1 : b === defaultLanguage ? 1 : a.localeCompare(b)));
  return entries.map(([language, value]) => ({ '@value': value, '@language': language }));
}

/** Reads a text value back: the requested language, else the first value. */
export function readText(value: unknown, language?: string): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const values = value.filter((item): item is LanguageValue => typeof item?.['@value'] === 'string');
    return (values.find((item) => item['@language'] === language) ?? values[0])?.['@value'];
  }
  if (value && typeof value === 'object' && typeof (value as LanguageValue)['@value'] === 'string')
    return (value as LanguageValue)['@value'];
  return undefined;
}

function assertUrl(value: string, field: string): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value))
    throw new CredentialError('INVALID_INPUT', `${field} must be an absolute URL or URN, got "${value}".`);
  return value;
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

function image(input: ImageInput, field: string, language?: string): JsonObject {
  return {
    id: assertUrl(input.id, `${field}.id`),
    type: 'Image',
    ...optional(
      'caption',
      input.caption === undefined ? undefined : localizedValue(input.caption, `${field}.caption`, language),
    ),
  };
}

export function buildIssuerProfile(input: IssuerProfileInput, language?: string): JsonObject {
  return {
    id: assertUrl(input.id, 'issuer.id'),
    type: ['Profile'],
    name: localizedValue(input.name, 'issuer.name', language),
    ...optional('url', input.url === undefined ? undefined : assertUrl(input.url, 'issuer.url')),
    ...optional('email', input.email),
    ...optional(
      'description',
      input.description === undefined ? undefined : localizedValue(input.description, 'issuer.description', language),
    ),
    ...optional('image', input.image && image(input.image, 'issuer.image', language)),
    ...optional(
      'otherIdentifier',
      input.otherIdentifiers?.map((other) => ({
        type: 'IdentifierEntry',
        identifier: other.identifier,
        identifierType: other.identifierType,
      })),
    ),
  };
}

export function buildAchievement(input: AchievementInput, language?: string): JsonObject {
  const lang = input.inLanguage ?? language;
  if (!input.criteria.id && input.criteria.narrative === undefined) {
    throw new CredentialError('INVALID_INPUT', 'achievement.criteria needs an id (URL) or a narrative.');
  }
  return {
    id: assertUrl(input.id, 'achievement.id'),
    type: ['Achievement'],
    ...optional('achievementType', input.achievementType),
    name: localizedValue(input.name, 'achievement.name', lang),
    description: localizedValue(input.description, 'achievement.description', lang),
    criteria: {
      ...optional(
        'id',
        input.criteria.id === undefined ? undefined : assertUrl(input.criteria.id, 'achievement.criteria.id'),
      ),
      ...optional(
        'narrative',
        input.criteria.narrative === undefined
          ? undefined
          : localizedValue(input.criteria.narrative, 'achievement.criteria.narrative', lang),
      ),
    },
    ...optional('image', input.image && image(input.image, 'achievement.image', lang)),
    ...optional(
      'alignment',
      input.alignments?.map((alignment, index) => ({
        type: ['Alignment'],
        targetName: localizedValue(alignment.targetName, `achievement.alignment[${index}].targetName`, lang),
        targetUrl: assertUrl(alignment.targetUrl, `achievement.alignment[${index}].targetUrl`),
        ...optional('targetCode', alignment.targetCode),
        ...optional('targetFramework', alignment.targetFramework),
        ...optional(
          'targetDescription',
          alignment.targetDescription === undefined
            ? undefined
            : localizedValue(alignment.targetDescription, `achievement.alignment[${index}].targetDescription`, lang),
        ),
        ...optional('targetType', alignment.targetType),
      })),
    ),
    ...optional('tag', input.tags?.length ? input.tags : undefined),
    ...optional('creator', input.creator && buildIssuerProfile(input.creator, lang)),
    ...optional('inLanguage', input.inLanguage),
    ...optional('version', input.version),
    ...optional('endorsement', input.endorsements?.length ? input.endorsements : undefined),
  };
}

/** `sha256$<hex>` of the email (trimmed, lower-cased) followed by the salt, as OB 2.0 and 3.0 define. */
export function hashEmail(email: string, salt: string): string {
  return `sha256$${createHash('sha256')
    .update(email.trim().toLowerCase() + salt, 'utf8')
    .digest('hex')}`;
}

function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

function subjectIdentity(subject: SubjectInput): JsonObject {
  if ('did' in subject) {
    if (!subject.did.startsWith('did:')) throw new CredentialError('INVALID_INPUT', `"${subject.did}" is not a DID.`);
    return { id: subject.did };
  }
  if (!isEmail(subject.email))
    throw new CredentialError('INVALID_INPUT', `"${subject.email}" is not an email address.`);
  const salt = subject.salt ?? randomBytes(16).toString('hex');
  return {
    identifier: [
      {
        type: 'IdentityObject',
        identityHash: hashEmail(subject.email, salt),
        identityType: 'emailAddress',
        hashed: true,
        salt,
      },
    ],
  };
}

export function buildStatusEntry(input: StatusEntryInput): JsonObject {
  if (!Number.isInteger(input.statusListIndex) || input.statusListIndex < 0) {
    throw new CredentialError('INVALID_INPUT', 'statusListIndex must be a non-negative integer.');
  }
  assertUrl(input.statusListCredential, 'statusListCredential');
  return {
    id: `${input.statusListCredential}#${input.statusListIndex}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: input.statusPurpose,
    statusListIndex: String(input.statusListIndex),
    statusListCredential: input.statusListCredential,
  };
}

export function buildOpenBadgeCredential(input: OpenBadgeCredentialInput): JsonObject {
  const language = input.defaultLanguage;
  const validFrom = toDateTime(input.validFrom, 'validFrom');
  const validUntil = input.validUntil === undefined ? undefined : toDateTime(input.validUntil, 'validUntil');
  if (validUntil !== undefined && validUntil <= validFrom)
    throw new CredentialError('INVALID_INPUT', 'validUntil must be after validFrom.');
  const status = input.status?.length ? input.status.map(buildStatusEntry) : undefined;
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: assertUrl(input.id, 'id'),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: localizedValue(input.name ?? input.achievement.name, 'name', language),
    ...optional(
      'description',
      input.description === undefined ? undefined : localizedValue(input.description, 'description', language),
    ),
    issuer: buildIssuerProfile(input.issuer, language),
    validFrom,
    ...optional('validUntil', validUntil),
    credentialSubject: {
      ...subjectIdentity(input.subject),
      type: ['AchievementSubject'],
      achievement: buildAchievement(input.achievement, language),
    },
    ...optional(
      'evidence',
      (input.evidence?.length ? input.evidence : undefined)?.map((evidence, index) => ({
        ...optional('id', evidence.id === undefined ? undefined : assertUrl(evidence.id, `evidence[${index}].id`)),
        type: ['Evidence'],
        ...optional(
          'name',
          evidence.name === undefined ? undefined : localizedValue(evidence.name, `evidence[${index}].name`, language),
        ),
        ...optional(
          'narrative',
          evidence.narrative === undefined
            ? undefined
            : localizedValue(evidence.narrative, `evidence[${index}].narrative`, language),
        ),
        ...optional(
          'description',
          evidence.description === undefined
            ? undefined
            : localizedValue(evidence.description, `evidence[${index}].description`, language),
        ),
        ...optional('genre', evidence.genre),
        ...optional('audience', evidence.audience),
      })),
    ),
    ...optional('credentialStatus', status === undefined ? undefined : status.length === 1 ? status[0] : status),
    ...optional('endorsement', input.endorsements?.length ? input.endorsements : undefined),
  };
}

export interface EndorsementCredentialInput {
  id: string;
  issuer: IssuerProfileInput;
  /** What is endorsed: an achievement id, an issuer profile id or a credential id. */
  endorsedId: string;
  comment?: LocalizedText;
  name: LocalizedText;
  validFrom: Date | string;
  validUntil?: Date | string;
  status?: StatusEntryInput[];
  defaultLanguage?: string;
}

export function buildEndorsementCredential(input: EndorsementCredentialInput): JsonObject {
  const language = input.defaultLanguage;
  const validFrom = toDateTime(input.validFrom, 'validFrom');
  const validUntil = input.validUntil === undefined ? undefined : toDateTime(input.validUntil, 'validUntil');
  const status = input.status?.length ? input.status.map(buildStatusEntry) : undefined;
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: assertUrl(input.id, 'id'),
    type: ['VerifiableCredential', 'EndorsementCredential'],
    name: localizedValue(input.name, 'name', language),
    issuer: buildIssuerProfile(input.issuer, language),
    validFrom,
    ...optional('validUntil', validUntil),
    credentialSubject: {
      id: assertUrl(input.endorsedId, 'endorsedId'),
      type: ['EndorsementSubject'],
      ...optional(
        'endorsementComment',
        input.comment === undefined ? undefined : localizedValue(input.comment, 'comment', language),
      ),
    },
    ...optional('credentialStatus', status === undefined ? undefined : status.length === 1 ? status[0] : status),
  };
}
