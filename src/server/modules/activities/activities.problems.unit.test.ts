import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localeResources, supportedLanguages, translatorFor } from '../../../web/i18n.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import type { ActivityInput } from './activities.model.ts';
import { keyedProblem, problemKeys, problemRecord, problemText } from './activities.problems.ts';
import { validateActivityInput } from './activities.validation.ts';

const vilnius: CityRecord = {
  id: '00000000-0000-4000-8000-000000000002',
  slug: 'vilnius-problems',
  name: { lt: 'Vilnius' },
  defaultLanguage: 'lt',
  languages: ['lt', 'en'],
  timeZone: 'Europe/Vilnius',
  boundsWest: 25.0246,
  boundsSouth: 54.5689,
  boundsEast: 25.4815,
  boundsNorth: 54.8323,
  centerLon: 25.28,
  centerLat: 54.69,
  defaultZoom: 12,
  hostName: null,
  status: 'active',
  consentAge: 14,
  logoUrl: null,
  primaryColour: null,
  contactEmail: null,
  createdAt: new Date(0),
};

const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const messages = (language: (typeof supportedLanguages)[number]) =>
  (localeResources[language].activities as { problems?: Record<string, string> }).problems ?? {};

/** Inputs that between them break every rule `validateActivityInput` checks. */
const badInputs: ActivityInput[] = [
  {
    title: { lt: 'ab', fr: 'Titre' },
    description: { de: 'Text', lt: 'x'.repeat(20_001) },
    slug: 'Not A Slug',
    format: 'by_pigeon' as ActivityInput['format'],
    onlineUrl: 'ftp://example.org',
    venues: [
      { name: '', street: '', lat: 54.7, lon: 25.3 },
      { name: 'Far away', lat: 51.5, lon: -0.12 },
      { name: 'Nowhere', lat: Number.NaN, lon: 0 },
      ...Array.from({ length: 8 }, () => ({ name: 'Hall', lat: 54.7, lon: 25.3 })),
    ],
    scheduleKind: 'recurring',
    startsAt: '2030-03-01T10:00:00Z',
    endsAt: '2030-03-01T09:00:00Z',
    rrule: null,
    exdates: ['soon'],
    rdates: ['later'],
    ageMin: 130,
    ageMax: -1,
    costKind: 'paid',
    priceCents: 0,
    currency: '12$',
    languages: ['english', ...Array.from({ length: 12 }, (_, i) => `l${String.fromCharCode(97 + i)}`)],
    accessibility: ['teleport'],
    capacity: 0,
    signupMode: 'sometimes' as ActivityInput['signupMode'],
    tags: Array.from({ length: 21 }, (_, i) => `tag${i}`),
    skills: [
      { skillId: 'not-a-uuid' },
      { skillId: '00000000-0000-4000-8000-0000000000aa', level: 9 },
      ...Array.from({ length: 31 }, (_, i) => ({ skillId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })),
    ],
  },
  { title: 'none' as unknown as Record<string, string>, format: 'online', scheduleKind: 'sometimes' as 'once' },
  { title: {}, format: 'in_person', scheduleKind: 'once', signupMode: 'external', costKind: 'gift' as 'free' },
  { title: { lt: 'Būrelis' }, format: 'online', scheduleKind: 'on_demand', signupMode: 'internal', signupUrl: 'x' },
  {
    title: { lt: 'Būrelis' },
    format: 'online',
    scheduleKind: 'once',
    startsAt: '2030-03-01T10:00:00Z',
    endsAt: '2030-06-01T10:00:00Z',
  },
  ...[
    'NOT A RULE',
    'FREQ=FORTNIGHTLY',
    'FREQ=HOURLY;COUNT=3',
    'FREQ=WEEKLY',
    'FREQ=WEEKLY;UNTIL=20350101T000000Z',
    'FREQ=DAILY;COUNT=500',
    'FREQ=DAILY;COUNT=1',
  ].map(
    (rrule): ActivityInput => ({
      title: { lt: 'Būrelis' },
      format: 'online',
      scheduleKind: 'recurring',
      startsAt: '2030-03-01T10:00:00Z',
      endsAt: '2030-03-01T11:00:00Z',
      rrule,
      exdates: ['2030-03-01T10:00:00Z'],
    }),
  ),
  {
    title: { lt: 'Būrelis' },
    format: 'online',
    scheduleKind: 'once',
    startsAt: '2030-03-01T10:00:00Z',
    endsAt: '2030-03-01T11:00:00Z',
    rdates: ['2033-03-01T10:00:00Z'],
  },
  {
    title: { lt: 'Būrelis' },
    format: 'online',
    scheduleKind: 'recurring',
    startsAt: '2030-03-01T10:00:00Z',
    endsAt: '2030-03-01T11:00:00Z',
    rrule: 'FREQ=DAILY;COUNT=400',
    rdates: ['2030-12-24T15:00:00Z'],
  },
];

describe('validation problems in the reader’s language', () => {
  it.each(supportedLanguages)('%s has a message for every problem key, with the English variables', (language) => {
    const english = messages('en');
    const translated = messages(language);
    expect(Object.keys(translated).sort()).toEqual([...problemKeys].sort());
    for (const key of problemKeys) {
      expect(translated[key]?.trim(), `${language}:${key}`).toBeTruthy();
      expect(variables(translated[key] as string), `${language}:${key}`).toEqual(variables(english[key] as string));
    }
  });

  it('uses only known keys in the validation and the service', () => {
    const used = new Set<string>();
    for (const file of ['activities.validation.ts', 'activities.service.ts']) {
      const source = fs.readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      for (const call of source.split('keyedProblem(').slice(1)) {
        // The key is the first quoted word of the call (the field before it is a pointer with slashes).
        const key = /'([a-z_]+)'/.exec(call.slice(0, 200))?.[1];
        expect(key, call.slice(0, 80)).toBeDefined();
        used.add(key as string);
      }
    }
    expect(used.size).toBeGreaterThan(40);
    for (const key of used) expect(problemKeys, key).toContain(key);
  });

  it('gives every problem of the validation a key, its params and the English text API clients read', () => {
    const seen = new Set<string>();
    for (const input of badInputs) {
      for (const problem of validateActivityInput(vilnius, input).problems) {
        seen.add(problem.key);
        expect(problem.problem).toBe(translatorFor('en')(`activities:problems.${problem.key}`, problem.params));
        for (const language of supportedLanguages) {
          const text = problemText(problem, translatorFor(language));
          expect(text, `${language}:${problem.key}`).not.toMatch(/\{\{|problems\./);
          if (language !== 'en') expect(text).not.toBe(problem.problem);
        }
      }
    }
    // Every key the validation itself can give turned up (the service's own keys are checked with the database).
    const serviceKeys = ['skill_not_in_spine', 'capacity_below_signups', 'external_id_missing'];
    expect([...problemKeys].filter((key) => !seen.has(key) && !serviceKeys.includes(key))).toEqual([]);
  });

  it('keeps the English wording of the API', () => {
    expect(keyedProblem('/endsAt', 'ends_before_start')).toEqual({
      field: '/endsAt',
      key: 'ends_before_start',
      params: {},
      problem: 'The end must not be before the start.',
    });
    expect(keyedProblem('/rrule', 'rrule_endless', { max: 400 }).problem).toBe(
      'A repeating activity must end: give a number of sessions (COUNT, at most 400) or an end date (UNTIL).',
    );
    expect(keyedProblem('/capacity', 'capacity_below_signups', { most: 3 }).problem).toBe(
      '3 people already have a place in one session; the capacity cannot be lower.',
    );
  });

  it('translates keyed problems and leaves others (and old stored reports) as they are', () => {
    const lt = translatorFor('lt');
    expect(problemText(keyedProblem('/endsAt', 'ends_before_start'), lt)).toBe(
      'Pabaiga negali būti ankstesnė už pradžią.',
    );
    expect(problemText({ problem: 'the file is empty' }, lt)).toBe('the file is empty');
    expect(problemText({ problem: 'Something', key: 'no_such_key' }, lt)).toBe('Something');
    expect(problemRecord({ problem: 'Something', key: 'no_such_key', params: { a: 1 } })).toEqual({
      problem: 'Something',
    });
    expect(problemText(problemRecord(keyedProblem('/x', 'session_too_long', { days: 62 })), translatorFor('it'))).toBe(
      'Un incontro può durare al massimo 62 giorni.',
    );
  });
});
