import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { BadgeClassKind, BadgeDesign } from '../../db/schema.ts';
import { DEMO_EMAIL_DOMAIN } from '../../demo/demo-cities.ts';
import { AppError } from '../../errors.ts';
import type { AuditContext } from '../audit/audit.service.ts';
import { type CityRecord, findCityBySlug } from '../cities/cities.repo.ts';
import type { Caller } from '../organisations/organisations.service.ts';
import type { BadgeClassInput, BadgeIcon } from './badge-classes.model.ts';
import { createBadgeClass, publishBadgeClass } from './badge-classes.service.ts';
import { claimCodeUrl, createClaimCode, formatClaimCode } from './claims.service.ts';
import { correctCredential, issueCredential, revokeCredential } from './credentials.service.ts';
import { createEndorsement } from './endorsements.service.ts';

/**
 * The demo's badges. Each demo provider organisation has published badges with generated designs — a participation
 * badge, a skill badge aligned to a skill of the city's spine, and (for the first provider of each city) a meta badge
 * that requires both — some endorsed by another demo organisation and linked to the provider's demo activities (the
 * participation badge is awarded on attendance). Demo learners hold about 25 credentials, all issued through
 * `issueCredential`: one revoked, and one expired (an issue date corrected to 14 months ago on a badge valid for 12,
 * so the replacement is signed with a `validUntil` in the past). Plymouth's participation badge has a claim code that
 * works, printed on start.
 *
 * Idempotent: badges are found by their short name, credentials by their idempotency key, the claim code by its
 * label; a second run adds only what is missing.
 */

const audit: AuditContext = {
  actorUserId: null,
  actorApiTokenId: null,
  actorLabel: 'demo seed',
  ip: null,
  userAgent: null,
  requestId: null,
};
const caller: Caller = { actor: 'system', audit };
export const DEMO_CLAIM_CODE_LABEL = 'Demo open day';

type Texts = { en: string; lt?: string; it?: string };

interface DemoBadge {
  slug: string;
  kind: BadgeClassKind;
  name: Texts;
  description: Texts;
  criteria: Texts;
  alt: Texts;
  design: Omit<BadgeDesign, 'text'> & { icon: BadgeIcon };
  /** A skill of the city's spine: framework slug and code (left out when the spine lacks it). */
  skill?: { framework: string; code: string; level: number };
  /** Short names of badges (of this demo) required first. */
  requires?: string[];
  validityMonths?: number;
  /** Link the organisation's first demo activities; the first one awards the badge on attendance. */
  activities?: 'attendance' | 'link';
  /** The demo organisation (short name) that endorses it. */
  endorsedBy?: string;
  /** Demo learners (keys) who hold it. */
  holders: string[];
}

interface DemoProviderBadges {
  organisation: string;
  badges: DemoBadge[];
}

const circle = { shape: 'circle', background: '#0b5cad', foreground: '#ffffff', accent: '#f2b705' } as const;
const hexagon = { shape: 'hexagon', background: '#1b5e20', foreground: '#ffffff', accent: '#a5d6a7' } as const;
const shield = { shape: 'shield', background: '#6a1b9a', foreground: '#ffffff', accent: '#ffd54f' } as const;
const star = { shape: 'star', background: '#b71c1c', foreground: '#ffffff', accent: '#ffe082' } as const;

const demoBadges: Record<string, DemoProviderBadges[]> = {
  plymouth: [
    {
      organisation: 'stonehouse-makers',
      badges: [
        {
          slug: 'stonehouse-maker-night',
          kind: 'participation',
          name: { en: 'Maker night regular' },
          description: { en: 'Came to the Stonehouse maker nights and built something with others.' },
          criteria: { en: 'Take part in a maker night at Stonehouse Makers Collective.' },
          alt: { en: 'A blue circle with a spanner and screwdriver' },
          design: { ...circle, icon: 'tools' },
          activities: 'attendance',
          holders: ['amara', 'jack', 'kai'],
        },
        {
          slug: 'stonehouse-digital-making',
          kind: 'skill',
          name: { en: 'Digital making' },
          description: { en: 'Designs and builds a small electronic project and explains how it works.' },
          criteria: { en: 'Build and document a working circuit or microcontroller project.' },
          alt: { en: 'A green hexagon with code brackets' },
          design: { ...hexagon, icon: 'code' },
          skill: { framework: 'digcomp', code: '3.1', level: 3 },
          activities: 'link',
          endorsedBy: 'mutley-community-trust',
          validityMonths: 12,
          holders: ['amara', 'jack', 'isla'],
        },
        {
          slug: 'stonehouse-maker-mentor',
          kind: 'meta',
          name: { en: 'Maker mentor' },
          description: { en: 'A regular maker who now helps newcomers with their first projects.' },
          criteria: { en: 'Hold the maker night and digital making badges, then mentor two newcomers.' },
          alt: { en: 'A purple shield with a trophy' },
          design: { ...shield, icon: 'trophy' },
          requires: ['stonehouse-maker-night', 'stonehouse-digital-making'],
          holders: ['amara'],
        },
      ],
    },
    {
      organisation: 'devonport-dockside-skills',
      badges: [
        {
          slug: 'dockside-taster-day',
          kind: 'participation',
          name: { en: 'Marine engineering taster day' },
          description: { en: 'Spent a day in the dockyard workshops trying marine engineering tasks.' },
          criteria: { en: 'Take part in a full taster day at Devonport Dockside Skills.' },
          alt: { en: 'A red star with a globe' },
          design: { ...star, icon: 'globe' },
          endorsedBy: 'plympton-green-jobs',
          holders: ['maureen', 'kai'],
        },
        {
          slug: 'dockside-teamwork',
          kind: 'skill',
          name: { en: 'Teamwork on the workshop floor' },
          description: { en: 'Works safely with others on a shared engineering task.' },
          criteria: { en: 'Complete a team task in the workshop, observed by an instructor.' },
          alt: { en: 'A green hexagon with people' },
          design: { ...hexagon, icon: 'people' },
          skill: { framework: 'entrecomp', code: '3.4', level: 2 },
          holders: ['maureen'],
        },
      ],
    },
  ],
  vilnius: [
    {
      organisation: 'snipiskes-dirbtuves',
      badges: [
        {
          slug: 'snipiskes-robotikos-vakarai',
          kind: 'participation',
          name: { lt: 'Robotikos vakarų dalyvis', en: 'Robotics evenings participant' },
          description: {
            lt: 'Dalyvavo Šnipiškių dirbtuvių robotikos vakaruose ir kartu su kitais sukūrė robotą.',
            en: 'Took part in the Šnipiškės robotics evenings and built a robot with others.',
          },
          criteria: { lt: 'Dalyvaukite robotikos vakare.', en: 'Take part in a robotics evening.' },
          alt: { lt: 'Mėlynas apskritimas su lemputės ženklu', en: 'A blue circle with a light bulb' },
          design: { ...circle, icon: 'lightbulb' },
          activities: 'attendance',
          holders: ['ruta', 'mantas', 'lukas'],
        },
        {
          slug: 'snipiskes-programavimas',
          kind: 'skill',
          name: { lt: 'Programavimo pradmenys', en: 'Programming basics' },
          description: {
            lt: 'Parašo nedidelę programą, kuri valdo robotą, ir paaiškina, kaip ji veikia.',
            en: 'Writes a small program that drives a robot and explains how it works.',
          },
          criteria: {
            lt: 'Užprogramuokite robotą įveikti kliūčių ruožą.',
            en: 'Program a robot to complete an obstacle course.',
          },
          alt: { lt: 'Žalias šešiakampis su kodo skliaustais', en: 'A green hexagon with code brackets' },
          design: { ...hexagon, icon: 'code' },
          skill: { framework: 'digcomp', code: '3.4', level: 2 },
          endorsedBy: 'zirmunu-bendruomenes-fondas',
          holders: ['ruta', 'mantas'],
        },
        {
          slug: 'snipiskes-jaunasis-mentorius',
          kind: 'meta',
          name: { lt: 'Jaunasis mentorius', en: 'Young mentor' },
          description: {
            lt: 'Patyręs dirbtuvių narys, padedantis naujokams.',
            en: 'An experienced member of the workshop who helps newcomers.',
          },
          criteria: {
            lt: 'Turėkite abu dirbtuvių ženkliukus ir padėkite dviem naujokams.',
            en: 'Hold both workshop badges and help two newcomers.',
          },
          alt: { lt: 'Violetinis skydas su taure', en: 'A purple shield with a trophy' },
          design: { ...shield, icon: 'trophy' },
          requires: ['snipiskes-robotikos-vakarai', 'snipiskes-programavimas'],
          holders: ['ruta'],
        },
      ],
    },
    {
      organisation: 'antakalnio-jaunimo-centras',
      badges: [
        {
          slug: 'antakalnis-savanoris',
          kind: 'participation',
          name: { lt: 'Jaunimo centro savanoris', en: 'Youth centre volunteer' },
          description: {
            lt: 'Savanoriavo Antakalnio jaunimo centro renginiuose.',
            en: 'Volunteered at events of the Antakalnis youth centre.',
          },
          criteria: { lt: 'Savanoriaukite bent viename renginyje.', en: 'Volunteer at one event or more.' },
          alt: { lt: 'Raudona žvaigždė su širdimi', en: 'A red star with a heart' },
          design: { ...star, icon: 'heart' },
          holders: ['ona', 'emilija'],
        },
      ],
    },
  ],
  torino: [
    {
      organisation: 'officina-san-salvario',
      badges: [
        {
          slug: 'san-salvario-laboratorio',
          kind: 'participation',
          name: { it: 'Partecipante ai laboratori', en: 'Workshop participant' },
          description: {
            it: "Ha partecipato ai laboratori dell'Officina San Salvario costruendo qualcosa insieme agli altri.",
            en: 'Took part in the Officina San Salvario workshops, making something with others.',
          },
          criteria: { it: 'Partecipa a un laboratorio.', en: 'Take part in a workshop.' },
          alt: { it: 'Un cerchio blu con una tavolozza', en: 'A blue circle with a palette' },
          design: { ...circle, icon: 'palette' },
          activities: 'attendance',
          holders: ['giulia', 'omar', 'sofia'],
        },
        {
          slug: 'san-salvario-riuso-creativo',
          kind: 'skill',
          name: { it: 'Riuso creativo', en: 'Creative reuse' },
          description: {
            it: 'Trasforma materiali di scarto in oggetti utili, scegliendo i materiali con attenzione.',
            en: 'Turns waste materials into useful objects, choosing materials with care.',
          },
          criteria: {
            it: 'Realizza un oggetto con materiali di recupero e racconta le tue scelte.',
            en: 'Make an object from reclaimed materials and explain your choices.',
          },
          alt: { it: 'Un esagono verde con una foglia', en: 'A green hexagon with a leaf' },
          design: { ...hexagon, icon: 'leaf' },
          skill: { framework: 'greencomp', code: '4.3', level: 2 },
          endorsedBy: 'fondazione-crocetta',
          holders: ['giulia', 'omar'],
        },
        {
          slug: 'san-salvario-maestro',
          kind: 'meta',
          name: { it: 'Maestro di bottega', en: 'Workshop master' },
          description: {
            it: "Un partecipante esperto che guida i nuovi arrivati nell'officina.",
            en: 'An experienced participant who guides newcomers in the workshop.',
          },
          criteria: {
            it: "Possiedi entrambi i badge dell'officina e guida due nuovi arrivati.",
            en: 'Hold both workshop badges and guide two newcomers.',
          },
          alt: { it: 'Uno scudo viola con un trofeo', en: 'A purple shield with a trophy' },
          design: { ...shield, icon: 'trophy' },
          requires: ['san-salvario-laboratorio', 'san-salvario-riuso-creativo'],
          holders: ['giulia'],
        },
      ],
    },
    {
      organisation: 'aurora-lab-giovani',
      badges: [
        {
          slug: 'aurora-musica-insieme',
          kind: 'participation',
          name: { it: 'Musica insieme', en: 'Making music together' },
          description: {
            it: "Ha suonato in gruppo durante le serate musicali dell'Aurora Lab.",
            en: 'Played in a group at the Aurora Lab music evenings.',
          },
          criteria: { it: 'Suona in una serata musicale.', en: 'Play at a music evening.' },
          alt: { it: 'Una stella rossa con una nota musicale', en: 'A red star with a musical note' },
          design: { ...star, icon: 'music' },
          endorsedBy: 'lingotto-lavoro',
          holders: ['franco'],
        },
      ],
    },
  ],
};

/** Plymouth's credentials that become revoked and expired, by badge and holder. */
const revoked = { city: 'plymouth', badge: 'dockside-taster-day', holder: 'kai', reason: 'Awarded by mistake' };
const expired = { city: 'plymouth', badge: 'stonehouse-digital-making', holder: 'isla' };

export interface DemoBadgesReport {
  badgesCreated: number;
  credentialsIssued: number;
  claimCodes: { city: string; badge: string; code: string; url: string }[];
}

const learnerEmail = (citySlug: string, key: string) => `learner.${key}.${citySlug}@${DEMO_EMAIL_DOMAIN}`;
const demoKey = (citySlug: string, badgeSlug: string, key: string) => `demo:${citySlug}:${badgeSlug}:${key}`;

/** Texts in the city's languages (English fills a language the demo has no words for). */
function textsFor(city: CityRecord, texts: Texts): Record<string, string> {
  return Object.fromEntries(city.languages.map((language) => [language, texts[language as keyof Texts] ?? texts.en]));
}

async function organisationIdBySlug(db: Database, slug: string): Promise<string | undefined> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM organisations WHERE slug = $1', [slug]);
  return row?.id;
}

async function skillId(db: Database, city: CityRecord, skill: { framework: string; code: string }) {
  const [row] = await db.query<{ id: string }>(
    `SELECT s.id FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
       JOIN city_skill_frameworks c ON c.framework_id = f.id AND c.city_id = $1
      WHERE f.slug = $2 AND s.code = $3 LIMIT 1`,
    [city.id, skill.framework, skill.code],
  );
  return row?.id;
}

async function demoActivityIds(db: Database, city: CityRecord, organisationId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM activities WHERE city_id = $1 AND organisation_id = $2 AND status = 'published'
      ORDER BY external_uid NULLS LAST, id LIMIT 2`,
    [city.id, organisationId],
  );
  return rows.map((row) => row.id);
}

async function ensureBadge(
  db: Database,
  city: CityRecord,
  organisationId: string,
  badge: DemoBadge,
  ids: Map<string, string>,
): Promise<{ id: string; created: boolean }> {
  const [existing] = await db.query<{ id: string; status: string }>(
    'SELECT id, status FROM badge_classes WHERE city_id = $1 AND slug = $2',
    [city.id, badge.slug],
  );
  if (existing) return { id: existing.id, created: false };
  const skill = badge.skill ? await skillId(db, city, badge.skill) : undefined;
  const activities = badge.activities ? await demoActivityIds(db, city, organisationId) : [];
  const name = textsFor(city, badge.name);
  const input: BadgeClassInput = {
    slug: badge.slug,
    kind: badge.kind,
    name,
    description: textsFor(city, badge.description),
    criteria: textsFor(city, badge.criteria),
    imageAlt: textsFor(city, badge.alt),
    image: {
      source: 'generated',
      design: { ...badge.design, text: (name[city.defaultLanguage] ?? badge.name.en).slice(0, 24) },
    },
    tags: ['demo'],
    validityMonths: badge.validityMonths ?? null,
    skills: skill && badge.skill ? [{ skillId: skill, level: badge.skill.level }] : [],
    prerequisites: (badge.requires ?? []).flatMap((slug) => (ids.get(slug) ? [ids.get(slug) as string] : [])),
    activities: activities.map((activityId, index) => ({
      activityId,
      awardOnAttendance: badge.activities === 'attendance' && index === 0,
    })),
  };
  const created = await createBadgeClass(db, city, organisationId, input, caller);
  await publishBadgeClass(db, city, created.id, caller);
  return { id: created.id, created: true };
}

async function endorse(db: Database, config: Config, city: CityRecord, badgeId: string, endorser: string) {
  const endorserId = await organisationIdBySlug(db, endorser);
  if (!endorserId) return;
  try {
    await createEndorsement(
      db,
      config,
      city,
      endorserId,
      {
        targetBadgeClassId: badgeId,
        comment: textsFor(city, {
          en: 'We have seen learners earn this badge and vouch for what it stands for.',
          lt: 'Matėme, kaip besimokantieji pelno šį ženkliuką, ir patvirtiname, ką jis reiškia.',
          it: 'Abbiamo visto chi apprende guadagnare questo badge e garantiamo ciò che rappresenta.',
        }),
      },
      caller,
    );
  } catch (error) {
    // Seeding again: the standing endorsement is already there.
    if (!(error instanceof AppError) || error.code !== 'ENDORSEMENT_EXISTS') throw error;
  }
}

async function credentialByKey(db: Database, city: CityRecord, key: string) {
  const [row] = await db.query<{ id: string; status: string }>(
    'SELECT id, status FROM badge_credentials WHERE city_id = $1 AND idempotency_key = $2',
    [city.id, key],
  );
  return row;
}

/** Seeds the demo badges of every demo city that exists; needs the configuration to sign. */
export async function seedDemoBadges(db: Database, config: Config): Promise<DemoBadgesReport> {
  const report: DemoBadgesReport = { badgesCreated: 0, credentialsIssued: 0, claimCodes: [] };
  for (const [citySlug, providers] of Object.entries(demoBadges)) {
    const city = await findCityBySlug(db, citySlug);
    if (city?.status !== 'active') continue;
    const ids = new Map<string, string>();
    for (const provider of providers) {
      const organisationId = await organisationIdBySlug(db, provider.organisation);
      if (!organisationId) continue;
      for (const badge of provider.badges) {
        const ensured = await ensureBadge(db, city, organisationId, badge, ids);
        ids.set(badge.slug, ensured.id);
        if (!ensured.created) continue;
        report.badgesCreated++;
        // Endorsed before anything is issued, so the endorsement travels in every credential of the badge.
        if (badge.endorsedBy) await endorse(db, config, city, ensured.id, badge.endorsedBy);
      }
    }
    // Holders in the order of the badges, so prerequisites are held before the meta badges are issued.
    for (const provider of providers) {
      for (const badge of provider.badges) {
        const badgeId = ids.get(badge.slug);
        if (!badgeId) continue;
        for (const holder of badge.holders) {
          const key = demoKey(citySlug, badge.slug, holder);
          if (await credentialByKey(db, city, key)) continue;
          const email = learnerEmail(citySlug, holder);
          const [learner] = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = $1', [email]);
          if (!learner) continue;
          await db.transaction((tx) =>
            issueCredential(tx, config, city, audit, {
              badgeClassId: badgeId,
              recipient: { userId: learner.id },
              route: 'award',
              idempotencyKey: key,
              narrative: textsFor(city, {
                en: 'Awarded at the end of the season.',
                lt: 'Suteikta sezono pabaigoje.',
                it: 'Assegnato alla fine della stagione.',
              })[city.defaultLanguage],
            }),
          );
          report.credentialsIssued++;
        }
      }
    }
    if (citySlug === revoked.city) {
      const record = await credentialByKey(db, city, demoKey(citySlug, revoked.badge, revoked.holder));
      if (record?.status === 'active')
        await db.transaction((tx) => revokeCredential(tx, config, city, audit, record.id, revoked.reason));
    }
    if (citySlug === expired.city) {
      // A correction of the issue date to 14 months ago keeps the badge's 12-month validity: the replacement is
      // signed with a validUntil two months in the past, and the original is revoked as "superseded".
      const record = await credentialByKey(db, city, demoKey(citySlug, expired.badge, expired.holder));
      if (record?.status === 'active') {
        const validFrom = new Date();
        validFrom.setUTCMonth(validFrom.getUTCMonth() - 14);
        await db.transaction((tx) => correctCredential(tx, config, city, audit, record.id, { validFrom }));
      }
    }
    const claimBadge = providers[0]?.badges[0];
    const claimBadgeId = claimBadge ? ids.get(claimBadge.slug) : undefined;
    const organisationId = providers[0] ? await organisationIdBySlug(db, providers[0].organisation) : undefined;
    if (citySlug === 'plymouth' && claimBadge && claimBadgeId && organisationId) {
      const [existing] = await db.query<{ code: string }>(
        `SELECT code FROM badge_claim_codes
          WHERE city_id = $1 AND badge_class_id = $2 AND label = $3 AND disabled_at IS NULL`,
        [city.id, claimBadgeId, DEMO_CLAIM_CODE_LABEL],
      );
      const code =
        existing?.code ??
        (
          await createClaimCode(db, city, audit, organisationId, claimBadgeId, {
            label: DEMO_CLAIM_CODE_LABEL,
            maxUses: 1000,
          })
        ).code;
      report.claimCodes.push({
        city: citySlug,
        badge: claimBadge.slug,
        code: formatClaimCode(code),
        url: claimCodeUrl(config, citySlug, code),
      });
    }
  }
  return report;
}
