import { parse } from 'csv-parse/sync';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  type ActivityInput,
  type ActivitySkillInput,
  accessibilityFeatures,
  type VenueInput,
} from './activities.model.ts';
import {
  boundRecurrence,
  derivedUid,
  type FatalProblem,
  type ImportRow,
  localToUtc,
  type ParsedImport,
  type RowProblem,
  rowProblem,
  textToHtml,
  zonedParts,
} from './activities.ical.ts';
import { type ImportNote, type ImportProblemKey, importNote, type ProblemParams } from './activities.problems.ts';

/**
 * CSV → `ActivityInput`s, for organisers' spreadsheets: `parseCsv` reads the file (BOM, `,` `;` or tab separators as
 * Excel writes them in Lithuania and Italy, quoted newlines), `suggestMapping` guesses which column is which field from
 * the headers (English, Lithuanian and Italian spellings; `title_lt`, `Title (IT)` for per-language text), and
 * `rowsToInputs` turns every row into an input or the problems (line and column) that stop it. Pure: no database.
 *
 * Values: dates are ISO 8601 (`2025-03-04T18:00:00+02:00`) or local times in the city's time zone
 * (`2025-03-04 18:00`, `04/03/2025 18:00`, `04.03.2025 18:00`); a date without a time is an all-day session. Lists
 * (languages, tags, accessibility, skills, exdates) are separated by `,`, `;` or `|`. Skills are `CODE` or
 * `FRAMEWORK:CODE`, with an optional level `@3`. Prices are `5`, `£5.50`, `3,50 €`, or `free`/`0`.
 *
 * Venues: the `venue_*` columns are the primary venue; further venues are numbered groups of the same columns,
 * `venue_2_name`, `venue_2_street`, `venue_2_postcode`, `venue_2_locality`, `venue_2_lat`, `venue_2_lon`, then
 * `venue_3_…`, up to MAX_CSV_VENUES (headers such as `Venue 2 name` or `Venue 2 latitude` are recognised too). The
 * CSV export writes this form, so an exported file imports back with all its venues.
 *
 * Every problem and note carries a stable key and params (`imports:problems.<key>`) beside its English text.
 */

/** Fields a column can be mapped to (besides `title:<lang>` and `description:<lang>`); '' ignores the column. */
export const csvFields = [
  'external_id',
  'slug',
  'title',
  'description',
  'format',
  'online_url',
  'start',
  'end',
  'start_time',
  'end_time',
  'all_day',
  'rrule',
  'exdates',
  'venue_name',
  'venue_street',
  'venue_postcode',
  'venue_locality',
  'venue_lat',
  'venue_lon',
  'ages',
  'age_min',
  'age_max',
  'price',
  'currency',
  'concessions',
  'languages',
  'accessibility',
  'accessibility_notes',
  'capacity',
  'signup_mode',
  'signup_url',
  'tags',
  'skills',
] as const;
export type CsvField = (typeof csvFields)[number];

/** Venues a CSV row may give: the primary (`venue_*`) and numbered groups `venue_2_*` … `venue_10_*`. */
export const MAX_CSV_VENUES = 10;
export const venueParts = ['name', 'street', 'postcode', 'locality', 'lat', 'lon'] as const;
export type VenuePart = (typeof venueParts)[number];

/** The field of one part of the n-th venue (1 is the primary): `venue_name`, `venue_2_name`, `venue_3_lat`, … */
export function venueField(n: number, part: VenuePart): string {
  return n === 1 ? `venue_${part}` : `venue_${n}_${part}`;
}

const numberedVenueField = /^venue_(\d{1,2})_(name|street|postcode|locality|lat|lon)$/;

/** The venue number and part of a numbered venue field (`venue_2_lat` → 2, lat), or undefined. */
export function parseVenueField(field: string): { n: number; part: VenuePart } | undefined {
  const match = numberedVenueField.exec(field);
  const n = Number(match?.[1]);
  if (!match || n < 2 || n > MAX_CSV_VENUES) return undefined;
  return { n, part: match[2] as VenuePart };
}

/** Column header → field (`title`, `title:lt`, …) or '' to ignore it. */
export type CsvMapping = Record<string, string>;

export interface CsvTable {
  headers: string[];
  rows: { line: number; cells: string[] }[];
  delimiter: string;
}

/**
 * The fields a column may be mapped to in a city: the plain fields, per-language title and description, and the
 * numbered venues 2 … `venues` (the mapping screen offers as many as the file uses, and one more).
 */
export function mappableFields(languages: readonly string[], venues = 1): string[] {
  const fields: string[] = [];
  for (const field of csvFields) {
    fields.push(field);
    if (field === 'title' || field === 'description')
      for (const language of languages) fields.push(`${field}:${language}`);
    if (field === 'venue_lon') {
      for (let n = 2; n <= Math.min(venues, MAX_CSV_VENUES); n++)
        for (const part of venueParts) fields.push(venueField(n, part));
    }
  }
  return fields;
}

/** How many venues a mapping uses (1 when it maps no numbered venue). */
export function venuesInMapping(mapping: CsvMapping): number {
  let most = 1;
  for (const field of Object.values(mapping)) most = Math.max(most, parseVenueField(field)?.n ?? 1);
  return most;
}

/** True for '' (ignore), a plain field, `title:<lang>`/`description:<lang>` of the city, or a numbered venue field. */
export function isMappableField(field: string, languages: readonly string[]): boolean {
  return field === '' || parseVenueField(field) !== undefined || mappableFields(languages).includes(field);
}

// ── Reading the file ──────────────────────────────────────────────────────────────────────────────────────────────

/** Which separator a header line uses (outside quotes): the most frequent of `,` `;` and tab. */
function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char in counts) counts[char] = (counts[char] ?? 0) + 1;
  }
  const [best, count] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] as [string, number];
  return count > 0 ? best : ',';
}

/** Reads CSV text; a fatal problem when it is empty, binary or not CSV. Blank lines are dropped; lines are counted. */
export function parseCsv(text: string): { table: CsvTable; fatal: FatalProblem[] } {
  const empty: CsvTable = { headers: [], rows: [], delimiter: ',' };
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (source.trim() === '') return { table: empty, fatal: [importNote('file_empty')] };
  if (source.includes('\u0000') || /^\s*BEGIN:VCALENDAR/i.test(source)) {
    return { table: empty, fatal: [importNote('file_not_csv')] };
  }
  const delimiter = detectDelimiter(source.slice(0, source.indexOf('\n') === -1 ? undefined : source.indexOf('\n')));
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(source, {
      delimiter,
      info: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  } catch (error) {
    return { table: empty, fatal: [unreadableCsv(error, source, delimiter)] };
  }
  const rows = records
    .map(({ record, info, raw }) => {
      // info.lines is the line the record ends on; subtract the line breaks inside it for the line it starts on.
      const inner = (raw.replace(/\n$/, '').match(/\n/g) ?? []).length;
      return { line: info.lines - inner, cells: record.map((cell) => cell.trim()) };
    })
    .filter((row) => row.cells.some((cell) => cell !== ''));
  const header = rows.shift();
  if (!header) return { table: empty, fatal: [importNote('file_empty')] };
  // Duplicate or empty headers get a number so every column has its own name.
  const seen = new Map<string, number>();
  const headers = header.cells.map((cell, index) => {
    const name = cell === '' ? `column ${index + 1}` : cell;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count > 1 ? `${name} (${count})` : name;
  });
  if (rows.length === 0) return { table: { headers, rows, delimiter }, fatal: [importNote('csv_no_rows')] };
  return { table: { headers, rows, delimiter }, fatal: [] };
}

/**
 * The line on which a quoted field opens and never closes, scanning as csv-parse does: a quote opens a field only at
 * its start; inside, `""` is a quote and `"` closes it. Undefined when every quote closes.
 */
function unclosedQuoteLine(source: string, delimiter: string): number | undefined {
  let line = 1;
  let openedOn: number | undefined;
  let atFieldStart = true;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (openedOn !== undefined) {
      if (char === '"') {
        if (source[i + 1] === '"') i++;
        else {
          openedOn = undefined;
          atFieldStart = false;
        }
      } else if (char === '\n') line++;
      continue;
    }
    if (char === '"' && atFieldStart) openedOn = line;
    else if (char === '\n') {
      line++;
      atFieldStart = true;
    } else atFieldStart = char === delimiter;
  }
  return openedOn;
}

/** Why csv-parse could not read a file, as a keyed fatal problem (its own messages are English-only). */
function unreadableCsv(error: unknown, source: string, delimiter: string): ImportNote {
  const code = (error as { code?: unknown }).code;
  const reported = Number((error as { lines?: unknown }).lines);
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return importNote('csv_quote_not_closed', {
      line: unclosedQuoteLine(source, delimiter) ?? (Number.isInteger(reported) ? reported : 1),
    });
  }
  return importNote('csv_unreadable', { line: Number.isInteger(reported) && reported > 0 ? reported : 1 });
}

// ── Suggesting a mapping ──────────────────────────────────────────────────────────────────────────────────────────

function normalise(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Header spellings (normalised: lower case, no accents, words separated by one space) → field. */
const synonyms: Record<string, CsvField> = {};
function spell(field: CsvField, ...names: string[]) {
  for (const name of [field.replace(/_/g, ' '), ...names]) synonyms[normalise(name)] = field;
}
spell(
  'external_id',
  'id',
  'uid',
  'external id',
  'externalid',
  'event id',
  'ref',
  'reference',
  'identifier',
  'kodas',
  'identificativo',
  'codice evento',
);
spell('slug', 'short name');
spell(
  'title',
  'name',
  'event',
  'event name',
  'event title',
  'activity',
  'activity name',
  'activity title',
  'summary',
  'course',
  'pavadinimas',
  'renginys',
  'veikla',
  'titolo',
  'nome',
  'nome attivita',
  'evento',
  'attivita',
);
spell('description', 'details', 'about', 'body', 'text', 'aprasymas', 'descrizione', 'dettagli');
spell('format', 'mode', 'delivery', 'type of delivery', 'formatas', 'formato', 'modalita');
spell(
  'online_url',
  'online link',
  'meeting link',
  'meeting url',
  'stream',
  'stream url',
  'zoom',
  'zoom link',
  'nuoroda i transliacija',
  'link online',
);
spell(
  'start',
  'starts',
  'starts at',
  'start date',
  'start datetime',
  'date',
  'begin',
  'begins',
  'from',
  'dtstart',
  'when',
  'pradzia',
  'data',
  'pradzios data',
  'inizio',
  'data inizio',
  'dal',
);
spell(
  'end',
  'ends',
  'ends at',
  'end date',
  'end datetime',
  'finish',
  'to',
  'until',
  'dtend',
  'pabaiga',
  'pabaigos data',
  'fine',
  'data fine',
  'al',
);
spell('start_time', 'start time', 'time', 'from time', 'pradzios laikas', 'laikas', 'ora inizio', 'ora');
spell('end_time', 'end time', 'to time', 'finish time', 'pabaigos laikas', 'ora fine');
spell('all_day', 'all day', 'allday', 'whole day', 'visa diena', 'tutto il giorno', 'giornata intera');
spell('rrule', 'recurrence', 'recurrence rule', 'repeat', 'repeats', 'kartojimas', 'ricorrenza');
spell('exdates', 'exdate', 'exceptions', 'excluded dates', 'except', 'isimtys', 'eccezioni', 'date escluse');
spell(
  'venue_name',
  'venue',
  'place',
  'location',
  'location name',
  'venue title',
  'vieta',
  'vietos pavadinimas',
  'luogo',
  'sede',
);
spell('venue_street', 'address', 'street', 'street address', 'venue address', 'adresas', 'gatve', 'indirizzo', 'via');
spell(
  'venue_postcode',
  'postcode',
  'post code',
  'postal code',
  'zip',
  'zip code',
  'pasto kodas',
  'cap',
  'codice postale',
);
spell('venue_locality', 'locality', 'town', 'city', 'miestas', 'vietove', 'citta', 'comune', 'localita');
spell('venue_lat', 'lat', 'latitude', 'venue latitude', 'platuma', 'latitudine');
spell('venue_lon', 'lon', 'lng', 'long', 'longitude', 'venue longitude', 'ilguma', 'longitudine');
spell('ages', 'age', 'age range', 'ages', 'amzius', 'amziaus grupe', 'eta', 'fascia di eta');
spell('age_min', 'min age', 'minimum age', 'age from', 'from age', 'amzius nuo', 'eta minima', 'eta min', 'eta da');
spell('age_max', 'max age', 'maximum age', 'age to', 'to age', 'amzius iki', 'eta massima', 'eta max', 'eta a');
spell('price', 'cost', 'fee', 'price gbp', 'price eur', 'kaina', 'prezzo', 'costo', 'quota');
spell('currency', 'valiuta', 'valuta');
spell('concessions', 'discounts', 'reduced price', 'lengvatos', 'nuolaidos', 'riduzioni', 'agevolazioni');
spell('languages', 'language', 'kalbos', 'kalba', 'lingue', 'lingua');
spell('accessibility', 'access', 'accessibility features', 'prieinamumas', 'accessibilita');
spell(
  'accessibility_notes',
  'access notes',
  'accessibility information',
  'prieinamumo informacija',
  'note accessibilita',
);
spell(
  'capacity',
  'places',
  'spaces',
  'seats',
  'max participants',
  'maximum participants',
  'vietos',
  'vietu skaicius',
  'dalyviu skaicius',
  'posti',
  'capienza',
  'numero massimo partecipanti',
);
spell('signup_mode', 'signup', 'sign up', 'booking mode', 'registracijos budas', 'modalita iscrizione');
spell(
  'signup_url',
  'sign up url',
  'signup link',
  'sign up link',
  'booking',
  'booking url',
  'booking link',
  'registration',
  'registration url',
  'registration link',
  'register',
  'url',
  'link',
  'tickets',
  'registracija',
  'registracijos nuoroda',
  'iscrizione',
  'link iscrizione',
  'prenotazione',
);
spell(
  'tags',
  'tag',
  'categories',
  'category',
  'keywords',
  'topics',
  'zymos',
  'kategorija',
  'kategorijos',
  'categoria',
  'categorie',
  'parole chiave',
);
spell(
  'skills',
  'skill',
  'skill codes',
  'competences',
  'competencies',
  'igudziai',
  'kompetencijos',
  'competenze',
  'abilita',
);

/** Columns the exporter writes for information only; the importer leaves them out. */
const informational = new Set(['organisation', 'status', 'page url', 'next start', 'activity id']);

const languageSuffix = /^(.*?)\s+([a-z]{2})$/;
/** `venue 2 name`, `venue_3_lat`, `location 2 address`, `vieta 2 pavadinimas` (normalised): a numbered venue. */
const numberedVenueHeader = /^(venue|place|location|vieta|luogo|sede)\s*(\d{1,2})\s+(.+)$/;

function numberedVenueOf(name: string): string | undefined {
  const match = numberedVenueHeader.exec(name);
  if (!match) return undefined;
  const n = Number(match[2]);
  const rest = match[3] as string;
  const field = synonyms[`venue ${rest}`] ?? synonyms[`${match[1]} ${rest}`] ?? synonyms[rest];
  if (!field?.startsWith('venue_') || n < 1 || n > MAX_CSV_VENUES) return undefined;
  return venueField(n, field.slice('venue_'.length) as VenuePart);
}
const knownLanguageCodes = new Set([
  'en',
  'lt',
  'it',
  'de',
  'fr',
  'es',
  'pl',
  'ru',
  'uk',
  'lv',
  'et',
  'pt',
  'nl',
  'ro',
  'ar',
]);

/**
 * Guesses the field of each column from its header. Per-language title/description columns are recognised by a
 * language code after the name (`title_lt`, `Title (IT)`, `pavadinimas lt`); `languages` limits which codes count.
 */
export function suggestMapping(headers: readonly string[], languages: readonly string[] = []): CsvMapping {
  const codes = languages.length > 0 ? new Set(languages) : knownLanguageCodes;
  const mapping: CsvMapping = {};
  const taken = new Set<string>();
  for (const header of headers) {
    const name = normalise(header.replace(/\s*\(\d+\)$/, ''));
    let field: string = '';
    if (informational.has(name)) field = '';
    else if (synonyms[name]) field = synonyms[name] as string;
    else if (numberedVenueOf(name)) field = numberedVenueOf(name) as string;
    else {
      const match = languageSuffix.exec(name);
      const base = match?.[1] ? synonyms[match[1]] : undefined;
      if (match && base && (base === 'title' || base === 'description') && codes.has(match[2] as string)) {
        field = `${base}:${match[2]}`;
      }
    }
    // Each field takes the first column that claims it.
    if (field && taken.has(field)) field = '';
    if (field) taken.add(field);
    mapping[header] = field;
  }
  return mapping;
}

/** Problems with a mapping that stop the whole file: no title, a field mapped twice, unknown fields. */
export function mappingProblems(
  mapping: CsvMapping,
  headers: readonly string[],
  languages: readonly string[],
): FatalProblem[] {
  const problems: FatalProblem[] = [];
  const used = new Map<string, string>();
  for (const [header, field] of Object.entries(mapping)) {
    if (!headers.includes(header)) problems.push(importNote('mapping_unknown_column', { column: header }));
    if (!field) continue;
    if (!isMappableField(field, languages))
      problems.push(importNote('mapping_unknown_field', { field, column: header }));
    const other = used.get(field);
    if (other) problems.push(importNote('mapping_field_twice', { first: other, second: header, field }));
    used.set(field, header);
  }
  if (![...used.keys()].some((field) => field === 'title' || field.startsWith('title:'))) {
    problems.push(importNote('mapping_no_title'));
  }
  return problems;
}

// ── Values ────────────────────────────────────────────────────────────────────────────────────────────────────────

const truthy = new Set(['yes', 'y', 'true', '1', 'x', 'taip', 'si', 'sì', 'vero', 'all day', 'tutto il giorno']);
const falsy = new Set(['no', 'n', 'false', '0', 'ne', 'falso', '']);

export function parseBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (truthy.has(v)) return true;
  if (falsy.has(v)) return false;
  return undefined;
}

function parseNumber(value: string): number {
  const v = value.trim().replace(/\s/g, '');
  if (v === '') return Number.NaN;
  // "1.234,56" and "1,234.56" both mean 1234.56; a lone comma is a decimal comma.
  if (/^-?\d{1,3}(\.\d{3})+,\d+$/.test(v)) return Number(v.replace(/\./g, '').replace(',', '.'));
  if (/^-?\d{1,3}(,\d{3})+\.\d+$/.test(v)) return Number(v.replace(/,/g, ''));
  return Number(v.replace(',', '.'));
}

function parseWholeNumber(value: string): number | undefined {
  const n = parseNumber(value);
  return Number.isInteger(n) ? n : undefined;
}

export function splitList(value: string): string[] {
  return value
    .split(/[,;|\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}

export interface ParsedDate {
  /** The instant, for values with a time. */
  instant?: Date;
  /** The calendar day, for values with a date (always set). */
  date: { year: number; month: number; day: number };
  hasTime: boolean;
  /** A time of day without a date (`18:00`), for start_time/end_time columns. */
  time?: { hour: number; minute: number; second: number };
}

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function validDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseTimeOfDay(value: string): { hour: number; minute: number; second: number } | undefined {
  const match = /^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm)?$/i.exec(value.trim());
  if (!match) return undefined;
  let hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = Number(match[3] ?? 0);
  const meridiem = match[4]?.toLowerCase();
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { hour, minute, second };
}

/**
 * A date or date-time: ISO 8601 with an offset (taken as is), or a local `YYYY-MM-DD[ T]HH:mm[:ss]`,
 * `DD/MM/YYYY HH:mm`, `DD.MM.YYYY HH:mm` or `YYYY.MM.DD HH:mm` in the city's time zone. Undefined when unreadable.
 */
export function parseDateTime(value: string, timeZone: string): ParsedDate | undefined {
  const v = value.trim();
  if (isoWithZone.test(v)) {
    const instant = new Date(v);
    if (Number.isNaN(instant.getTime())) return undefined;
    const [year, month, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
    if (!validDay(year, month, day)) return undefined;
    return { instant, date: { year, month, day }, hasTime: true };
  }
  const match =
    /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T\s]+(.+))?$/.exec(v) ??
    /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[T\s,]+(.+))?$/.exec(v);
  if (!match) return undefined;
  const yearFirst = (match[1] as string).length === 4;
  const year = Number(yearFirst ? match[1] : match[3]);
  const month = Number(match[2]);
  const day = Number(yearFirst ? match[3] : match[1]);
  if (!validDay(year, month, day)) return undefined;
  if (!match[4]) return { date: { year, month, day }, hasTime: false };
  const time = parseTimeOfDay(match[4]);
  if (!time) return undefined;
  return {
    instant: localToUtc({ year, month, day, ...time }, timeZone),
    date: { year, month, day },
    hasTime: true,
  };
}

const formatWords: Record<string, ActivityInput['format']> = {
  in_person: 'in_person',
  'in person': 'in_person',
  'in-person': 'in_person',
  'face to face': 'in_person',
  onsite: 'in_person',
  'on site': 'in_person',
  gyvai: 'in_person',
  kontaktinis: 'in_person',
  'in presenza': 'in_person',
  online: 'online',
  virtual: 'online',
  remote: 'online',
  nuotoliu: 'online',
  nuotolinis: 'online',
  'a distanza': 'online',
  blended: 'blended',
  hybrid: 'blended',
  mixed: 'blended',
  misrus: 'blended',
  hibridinis: 'blended',
  ibrido: 'blended',
  misto: 'blended',
};

const accessibilityWords: Record<string, string> = {
  wheelchair: 'step_free',
  'wheelchair accessible': 'step_free',
  'step free': 'step_free',
  'level access': 'step_free',
  'accessible toilet': 'accessible_toilet',
  'accessible toilets': 'accessible_toilet',
  'induction loop': 'hearing_loop',
  'hearing loop': 'hearing_loop',
  bsl: 'sign_language',
  lis: 'sign_language',
  lgk: 'sign_language',
  'sign language': 'sign_language',
  'audio description': 'audio_description',
  'easy read': 'easy_read',
  'quiet space': 'quiet_space',
  'quiet room': 'quiet_space',
  'large print': 'large_print',
};

function accessibilityCode(value: string): string | undefined {
  const key = normalise(value);
  const code = key.replace(/ /g, '_');
  if ((accessibilityFeatures as readonly string[]).includes(code)) return code;
  return accessibilityWords[key];
}

let languageNames: Map<string, string> | undefined;
/** Language names in English, Lithuanian and Italian (and each language's own name) → code, from Intl. */
function languageCode(value: string): string | undefined {
  const v = normalise(value);
  if (/^[a-z]{2,3}$/.test(v)) return v;
  if (!languageNames) {
    languageNames = new Map();
    const codes = [
      'en',
      'lt',
      'it',
      'de',
      'fr',
      'es',
      'pl',
      'ru',
      'uk',
      'lv',
      'et',
      'pt',
      'nl',
      'ro',
      'ar',
      'zh',
      'tr',
      'be',
      'sq',
      'fa',
      'ur',
      'hi',
      'bn',
      'so',
      'ti',
    ];
    for (const display of ['en', 'lt', 'it']) {
      const names = new Intl.DisplayNames([display], { type: 'language' });
      for (const code of codes) languageNames.set(normalise(names.of(code) ?? code), code);
    }
    for (const code of codes)
      languageNames.set(normalise(new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code), code);
  }
  return languageNames.get(v);
}

const currencySymbols: Record<string, string> = { '£': 'GBP', '€': 'EUR', $: 'USD' };
const freeWords = new Set([
  'free',
  'gratis',
  'nemokamai',
  'nemokama',
  'gratuito',
  'gratuita',
  'libero',
  '0',
  '0.00',
  '0,00',
]);

export function parsePrice(value: string): { free: true } | { cents: number; currency?: string } | undefined {
  const v = value.trim();
  if (freeWords.has(v.toLowerCase())) return { free: true };
  let currency: string | undefined;
  for (const [symbol, code] of Object.entries(currencySymbols)) if (v.includes(symbol)) currency = code;
  const codeMatch = /\b([A-Z]{3})\b/.exec(v.toUpperCase());
  if (codeMatch) currency = codeMatch[1];
  const amount = parseNumber(v.replace(/[£€$]/g, '').replace(/[A-Za-z]{3}/g, ''));
  if (!Number.isFinite(amount) || amount < 0) return undefined;
  if (amount === 0) return { free: true };
  return { cents: Math.round(amount * 100), ...(currency ? { currency } : {}) };
}

/** A skills index for `rowsToInputs`: lower-case `framework:code` and plain `code` → skill id (null when ambiguous). */
export type SkillIndex = Map<string, string | null>;

export function buildSkillIndex(skills: { id: string; code: string; frameworkSlug: string }[]): SkillIndex {
  const index: SkillIndex = new Map();
  for (const skill of skills) {
    index.set(`${skill.frameworkSlug}:${skill.code}`.toLowerCase(), skill.id);
    const plain = skill.code.toLowerCase();
    index.set(plain, index.has(plain) && index.get(plain) !== skill.id ? null : skill.id);
  }
  return index;
}

/** The skill references (`fw:code@level`) in a cell, for looking them up before `rowsToInputs`. */
export function skillReferences(value: string): { ref: string; level: number | null; text: string }[] {
  return splitList(value).map((text) => {
    const match = /^(.*?)\s*(?:@\s*(\d+))?$/.exec(text);
    return { ref: (match?.[1] ?? text).trim().toLowerCase(), level: match?.[2] ? Number(match[2]) : null, text };
  });
}

/** The currency of a city without a currency column: pounds in the UK, euros in the euro area. */
export function defaultCurrencyFor(timeZone: string): string | null {
  if (['Europe/London', 'Europe/Belfast', 'Europe/Guernsey', 'Europe/Jersey', 'Europe/Isle_of_Man'].includes(timeZone))
    return 'GBP';
  const euro = [
    'Vilnius',
    'Rome',
    'Riga',
    'Tallinn',
    'Helsinki',
    'Berlin',
    'Paris',
    'Madrid',
    'Lisbon',
    'Dublin',
    'Vienna',
    'Brussels',
    'Amsterdam',
    'Luxembourg',
    'Athens',
    'Bratislava',
    'Ljubljana',
    'Zagreb',
    'Malta',
    'Monaco',
    'San_Marino',
    'Vatican',
  ];
  return euro.some((city) => timeZone === `Europe/${city}`) ? 'EUR' : null;
}

// ── Rows → inputs ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface CsvOptions {
  /** Skills named in the file, resolved by the caller (the database); see `skillReferences`. */
  skills?: SkillIndex;
  /** Where a venue with a name or street but no coordinates goes (usually the organisation's address). */
  fallbackVenue?: VenueInput | null;
  /** Currency of prices without one; `defaultCurrencyFor(city.timeZone)` when omitted. */
  defaultCurrency?: string | null;
}

/** The column mapped to a field of `ActivityInput` named by a JSON pointer, to place validation errors. */
export function columnForPointer(pointer: string, mapping: CsvMapping, language?: string): string | undefined {
  const byField = new Map(
    Object.entries(mapping)
      .filter(([, f]) => f)
      .map(([header, field]) => [field, header]),
  );
  const segments = pointer.split('/').filter(Boolean);
  const [head, second, third] = segments;
  const candidates: string[] = [];
  switch (head) {
    case 'title':
    case 'description':
      if (second) candidates.push(`${head}:${second}`);
      if (!second || second === language) candidates.push(head);
      if (!second) candidates.push(...[...byField.keys()].filter((f) => f.startsWith(`${head}:`)));
      break;
    case 'startsAt':
      candidates.push('start', 'start_time');
      break;
    case 'endsAt':
      candidates.push('end', 'end_time');
      break;
    case 'venues': {
      // Venues are numbered in the file as they are in the input (the export writes no gaps).
      const n = second !== undefined && /^\d+$/.test(second) ? Number(second) + 1 : 1;
      if (third && (venueParts as readonly string[]).includes(third))
        candidates.push(venueField(n, third as VenuePart));
      else candidates.push(venueField(n, 'name'), venueField(n, 'lat'), venueField(n, 'street'));
      break;
    }
    case 'ageMin':
      candidates.push('age_min', 'ages');
      break;
    case 'ageMax':
      candidates.push('age_max', 'ages');
      break;
    case 'priceCents':
    case 'costKind':
      candidates.push('price');
      break;
    default: {
      const snake = (head ?? '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const aliases: Record<string, string> = {
        external_uid: 'external_id',
        exdates: 'exdates',
        signup_url: 'signup_url',
      };
      candidates.push(aliases[snake] ?? snake);
    }
  }
  for (const candidate of candidates) {
    const header = byField.get(candidate);
    if (header) return header;
  }
  return undefined;
}

/**
 * Every row → an `ActivityInput` or the problems (line, column) that stop it. Rows are checked for what the file
 * itself gets wrong (unreadable dates, numbers, unknown codes); the caller then runs `validateActivityInput` on the
 * inputs for the rules of the catalogue. Fatal problems (no title column, a field mapped twice) stop the whole file.
 */
export function rowsToInputs(
  table: CsvTable,
  mapping: CsvMapping,
  city: CityRecord,
  options: CsvOptions = {},
): ParsedImport {
  const result: ParsedImport = {
    fatal: mappingProblems(mapping, table.headers, city.languages),
    rows: [],
    skipped: [],
    warnings: [],
  };
  if (result.fatal.length > 0) return result;
  const columns = table.headers
    .map((header, index) => ({ header, index, field: mapping[header] ?? '' }))
    .filter((column) => column.field !== '');
  const defaultCurrency =
    options.defaultCurrency === undefined ? defaultCurrencyFor(city.timeZone) : options.defaultCurrency;
  const seenUids = new Map<string, number>();
  for (const row of table.rows) {
    const parsed = rowToInput(row, columns, city, options, defaultCurrency);
    if (parsed.externalUid) {
      const first = seenUids.get(parsed.externalUid);
      if (first !== undefined) {
        parsed.problems.push(
          rowProblem(
            row.line,
            '/externalUid',
            'csv_duplicate_id',
            { id: parsed.externalUid, first },
            columnForPointer('/externalUid', mapping),
          ),
        );
        parsed.input = null;
      } else seenUids.set(parsed.externalUid, row.line);
    }
    result.rows.push(parsed);
  }
  return result;
}

function rowToInput(
  row: CsvTable['rows'][number],
  columns: { header: string; index: number; field: string }[],
  city: CityRecord,
  options: CsvOptions,
  defaultCurrency: string | null,
): ImportRow {
  const { line } = row;
  const problems: RowProblem[] = [];
  const warnings: ImportNote[] = [];
  const values = new Map<string, { value: string; header: string }>();
  for (const column of columns) {
    const value = row.cells[column.index] ?? '';
    if (value !== '') values.set(column.field, { value, header: column.header });
  }
  const get = (field: string) => values.get(field)?.value ?? '';
  const has = (field: string) => values.has(field);
  const problem = (field: string, pointer: string, key: ImportProblemKey, params: ProblemParams = {}) =>
    problems.push(
      rowProblem(
        line,
        pointer,
        key,
        params,
        values.get(field)?.header ?? columns.find((c) => c.field === field)?.header,
      ),
    );
  const timeZone = city.timeZone;

  // Text per language.
  const title: Record<string, string> = {};
  const description: Record<string, string> = {};
  for (const [field, { value }] of values) {
    const [base, language] = field.split(':');
    if (base !== 'title' && base !== 'description') continue;
    const lang = language ?? city.defaultLanguage;
    if (base === 'title') title[lang] = value;
    // HTML is kept (the service sanitises it); plain text becomes paragraphs.
    else description[lang] = /<\/?[a-z][^>]*>/i.test(value) ? value : textToHtml(value);
  }
  if (Object.keys(title).length === 0) problem('title', '/title', 'csv_title_empty');

  const input: ActivityInput = { title, description, format: 'in_person', scheduleKind: 'on_demand' };

  // Dates.
  let startsAt: Date | undefined;
  let endsAt: Date | undefined;
  let allDay = false;
  const allDayValue = has('all_day') ? parseBoolean(get('all_day')) : undefined;
  if (has('all_day') && allDayValue === undefined)
    problem('all_day', '/allDay', 'csv_not_yes_no', { value: get('all_day') });
  const startTime = has('start_time') ? parseTimeOfDay(get('start_time')) : undefined;
  const endTime = has('end_time') ? parseTimeOfDay(get('end_time')) : undefined;
  if (has('start_time') && !startTime) problem('start_time', '/startsAt', 'csv_not_time', { value: get('start_time') });
  if (has('end_time') && !endTime) problem('end_time', '/endsAt', 'csv_not_time', { value: get('end_time') });
  const start = has('start') ? parseDateTime(get('start'), timeZone) : undefined;
  const end = has('end') ? parseDateTime(get('end'), timeZone) : undefined;
  if (has('start') && !start) problem('start', '/startsAt', 'csv_not_date_time', { value: get('start') });
  if (has('end') && !end) problem('end', '/endsAt', 'csv_not_date_time', { value: get('end') });
  if (!has('start') && (has('end') || has('start_time'))) problem('start', '/startsAt', 'csv_no_start');
  if (start) {
    if (start.hasTime) startsAt = start.instant;
    else if (startTime) startsAt = localToUtc({ ...start.date, ...startTime }, timeZone);
    else allDay = allDayValue !== false;
    if (!start.hasTime && !startTime && allDayValue === false) {
      problem('start', '/startsAt', 'csv_start_without_time');
    }
    if (allDayValue === true) allDay = true;
    if (allDay) {
      // The day in the city: an instant (as the exporter writes them) names the local day it falls on.
      const day = start.instant ? zonedParts(start.instant, timeZone) : start.date;
      startsAt = localToUtc(
        { year: day.year, month: day.month, day: day.day, hour: 0, minute: 0, second: 0 },
        timeZone,
      );
      if (end?.instant) {
        // An instant is already the (exclusive) end: local midnight after the last day.
        endsAt = end.instant;
      } else {
        // A date is the last day; all-day sessions end at local midnight after it.
        const last = end?.date ?? day;
        const after = new Date(Date.UTC(last.year, last.month - 1, last.day + 1));
        endsAt = localToUtc(
          {
            year: after.getUTCFullYear(),
            month: after.getUTCMonth() + 1,
            day: after.getUTCDate(),
            hour: 0,
            minute: 0,
            second: 0,
          },
          timeZone,
        );
      }
    } else if (end) {
      if (end.hasTime) endsAt = end.instant;
      else if (endTime) endsAt = localToUtc({ ...end.date, ...endTime }, timeZone);
      else problem('end', '/endsAt', 'csv_end_without_time');
    } else if (endTime) {
      endsAt = localToUtc({ ...start.date, ...endTime }, timeZone);
    }
  }
  if (startsAt) {
    input.scheduleKind = 'once';
    input.startsAt = startsAt.toISOString();
    input.endsAt = (endsAt ?? startsAt).toISOString();
    if (endsAt && endsAt < startsAt) problem(has('end') ? 'end' : 'end_time', '/endsAt', 'csv_ends_before_start');
    input.allDay = allDay;
  }
  if (has('rrule')) {
    if (!startsAt) problem('rrule', '/rrule', 'csv_recurrence_needs_start');
    else {
      const bounded = boundRecurrence(get('rrule'), startsAt);
      if ('problem' in bounded) problem('rrule', '/rrule', bounded.problem.key, bounded.problem.params);
      else {
        input.scheduleKind = 'recurring';
        input.rrule = bounded.rrule;
        if (bounded.warning) warnings.push(bounded.warning);
      }
    }
  }
  if (has('exdates')) {
    const exdates: string[] = [];
    for (const text of splitList(get('exdates'))) {
      const parsed = parseDateTime(text, timeZone);
      if (!parsed) {
        problem('exdates', '/exdates', 'csv_not_date', { value: text });
        continue;
      }
      let instant = parsed.instant;
      // A bare date excludes the session of that day at the series' time of day.
      if (!instant && startsAt) {
        const [h, m, s] = new Intl.DateTimeFormat('en-GB', {
          timeZone,
          hourCycle: 'h23',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        })
          .format(startsAt)
          .split(':')
          .map(Number) as [number, number, number];
        instant = localToUtc(
          { ...parsed.date, hour: allDay ? 0 : h, minute: allDay ? 0 : m, second: allDay ? 0 : s },
          timeZone,
        );
      }
      if (instant) exdates.push(instant.toISOString());
    }
    input.exdates = exdates;
  }

  // Place: the primary venue (venue_*), then venue_2_*, venue_3_*, … in order.
  const venues: VenueInput[] = [];
  for (let n = 1; n <= MAX_CSV_VENUES; n++) {
    const f = (part: VenuePart) => venueField(n, part);
    const pointer = `/venues/${venues.length}`;
    const lat = has(f('lat')) ? parseNumber(get(f('lat'))) : Number.NaN;
    const lon = has(f('lon')) ? parseNumber(get(f('lon'))) : Number.NaN;
    if (has(f('lat')) && !Number.isFinite(lat))
      problem(f('lat'), `${pointer}/lat`, 'csv_not_latitude', { value: get(f('lat')) });
    if (has(f('lon')) && !Number.isFinite(lon))
      problem(f('lon'), `${pointer}/lon`, 'csv_not_longitude', { value: get(f('lon')) });
    if (has(f('lat')) !== has(f('lon'))) problem(has(f('lat')) ? f('lon') : f('lat'), pointer, 'csv_lat_lon_pair');
    const venueText = {
      name: get(f('name')),
      street: get(f('street')),
      postcode: get(f('postcode')),
      locality: get(f('locality')),
    };
    const hasVenueText = Object.values(venueText).some((v) => v !== '');
    if (Number.isFinite(lat) && Number.isFinite(lon)) {
      venues.push({ ...venueText, lat, lon });
    } else if (hasVenueText && !has(f('lat')) && !has(f('lon'))) {
      if (n === 1 && options.fallbackVenue) {
        venues.push({ ...options.fallbackVenue, ...venueText });
        warnings.push(importNote('csv_venue_at_organisation'));
      } else {
        problem(f('lat'), `${pointer}/lat`, 'csv_venue_no_coordinates');
      }
    }
  }
  if (venues.length > 0) input.venues = venues;
  if (has('online_url')) input.onlineUrl = get('online_url');
  if (has('format')) {
    const format = formatWords[normalise(get('format'))];
    if (!format) problem('format', '/format', 'csv_not_format', { value: get('format') });
    else input.format = format;
  } else {
    input.format = input.venues && input.onlineUrl ? 'blended' : input.onlineUrl ? 'online' : 'in_person';
  }

  // Who and how much.
  if (has('ages')) {
    const match =
      /^(\d{1,3})\s*(?:[-–—]|to|iki|a)\s*(\d{1,3})$/i.exec(get('ages')) ?? /^(\d{1,3})\s*\+$/.exec(get('ages'));
    if (!match) problem('ages', '/ageMin', 'csv_not_age_range', { value: get('ages') });
    else {
      input.ageMin = Number(match[1]);
      input.ageMax = match[2] ? Number(match[2]) : null;
    }
  }
  for (const [field, key, pointer] of [
    ['age_min', 'ageMin', '/ageMin'],
    ['age_max', 'ageMax', '/ageMax'],
    ['capacity', 'capacity', '/capacity'],
  ] as const) {
    if (!has(field)) continue;
    const n = parseWholeNumber(get(field));
    if (n === undefined) problem(field, pointer, 'csv_not_whole_number', { value: get(field) });
    else input[key] = n;
  }
  if (has('price')) {
    const price = parsePrice(get('price'));
    if (!price) problem('price', '/priceCents', 'csv_not_price', { value: get('price') });
    else if ('free' in price) input.costKind = 'free';
    else {
      input.costKind = 'paid';
      input.priceCents = price.cents;
      input.currency = has('currency') ? get('currency').toUpperCase() : (price.currency ?? defaultCurrency);
    }
  } else if (has('currency')) input.currency = get('currency').toUpperCase();
  if (has('concessions')) input.concessions = get('concessions');
  if (has('languages')) {
    const codes: string[] = [];
    for (const name of splitList(get('languages'))) {
      const code = languageCode(name);
      if (code) codes.push(code);
      else problem('languages', '/languages', 'csv_not_language', { value: name });
    }
    input.languages = [...new Set(codes)];
  }
  if (has('accessibility')) {
    const codes: string[] = [];
    for (const name of splitList(get('accessibility'))) {
      const code = accessibilityCode(name);
      if (code) codes.push(code);
      else
        problem('accessibility', '/accessibility', 'csv_not_accessibility', {
          value: name,
          features: accessibilityFeatures.join(', '),
        });
    }
    input.accessibility = [...new Set(codes)];
  }
  if (has('accessibility_notes')) input.accessibilityNotes = get('accessibility_notes');

  // Sign-up.
  if (has('signup_mode')) {
    const mode = get('signup_mode').trim().toLowerCase();
    if (mode !== 'none' && mode !== 'internal' && mode !== 'external') {
      problem('signup_mode', '/signupMode', 'csv_not_signup_mode', { value: get('signup_mode') });
    } else input.signupMode = mode;
  }
  if (has('signup_url')) {
    input.signupUrl = get('signup_url');
    input.signupMode ??= 'external';
  }

  // Tags and skills.
  if (has('tags')) input.tags = [...new Set(splitList(get('tags')))];
  if (has('skills')) {
    const skills: ActivitySkillInput[] = [];
    for (const { ref, level, text } of skillReferences(get('skills'))) {
      const id = options.skills?.get(ref);
      if (id === null) problem('skills', '/skills', 'csv_skill_ambiguous', { value: text });
      else if (!id) problem('skills', '/skills', 'csv_skill_unknown', { value: text });
      else if (!skills.some((s) => s.skillId === id)) skills.push({ skillId: id, level });
    }
    input.skills = skills;
  }
  if (has('slug')) input.slug = get('slug');

  const externalUid = has('external_id')
    ? get('external_id')
    : derivedUid('csv', Object.values(title)[0], input.startsAt ?? '', get('venue_name'));
  input.externalUid = externalUid;
  return { line, externalUid, input: problems.length > 0 ? null : input, problems, warnings };
}
