import type { Database } from '../db/client.ts';
import type { MembershipRole, OrganisationKind } from '../db/schema.ts';
import { ensureUser } from '../modules/accounts/accounts.service.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';
import { findCityBySlug } from '../modules/cities/cities.repo.ts';
import {
  findOrganisationAnywhere,
  findOrganisationInCity,
  setApplicationStatus,
  setVerified,
  upsertMember,
} from '../modules/organisations/organisations.repo.ts';
import { type Caller, createOrganisation } from '../modules/organisations/organisations.service.ts';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from './demo-cities.ts';
import type { DemoLogin } from './seed.ts';

interface DemoOrganisation {
  slug: string;
  name: string;
  kinds: OrganisationKind[];
  description: string;
  website: string;
  address: { street: string; postcode: string; locality: string; lat: number; lon: number };
  /** Demo people: local part of the email → role in the organisation. */
  people: { login: string; name: string; role: MembershipRole; label: string }[];
}

/**
 * Fictional organisations in real neighbourhoods of the demo cities (Plymouth wards, Vilnius elderships, Turin
 * districts), with coordinates inside each city's bounds. Names, people and websites are invented.
 */
export const demoOrganisations: Record<string, DemoOrganisation[]> = {
  plymouth: [
    {
      slug: 'stonehouse-makers',
      name: 'Stonehouse Makers Collective',
      kinds: ['provider'],
      description: 'Electronics, woodwork and digital making for young people in Stonehouse.',
      website: 'https://stonehouse-makers.example.org',
      address: { street: '12 Union Street', postcode: 'PL1 3EZ', locality: 'Stonehouse', lat: 50.3704, lon: -4.1518 },
      people: [
        { login: 'owner.stonehouse', name: 'Ada Pengelly (demo)', role: 'owner', label: 'organisation owner' },
        { login: 'staff.stonehouse', name: 'Jamie Tregear (demo)', role: 'staff', label: 'organisation staff' },
      ],
    },
    {
      slug: 'devonport-dockside-skills',
      name: 'Devonport Dockside Skills',
      kinds: ['provider', 'employer'],
      description: 'Marine engineering taster days and apprenticeships around the dockyard.',
      website: 'https://dockside-skills.example.org',
      address: { street: '5 Fore Street', postcode: 'PL1 4DW', locality: 'Devonport', lat: 50.3688, lon: -4.1779 },
      people: [{ login: 'employer.plymouth', name: 'Morwenna Hicks (demo)', role: 'owner', label: 'employer' }],
    },
    {
      slug: 'plympton-green-jobs',
      name: 'Plympton Green Jobs Network',
      kinds: ['employer'],
      description: 'Local employers offering green-skills placements and volunteering.',
      website: 'https://plympton-green.example.org',
      address: { street: '3 Ridgeway', postcode: 'PL7 2AA', locality: 'Plympton St Mary', lat: 50.3869, lon: -4.0509 },
      people: [],
    },
    {
      slug: 'mutley-community-trust',
      name: 'Mutley Plain Community Trust',
      kinds: ['endorser'],
      description: 'A community trust that endorses badges earned in local volunteering.',
      website: 'https://mutley-trust.example.org',
      address: { street: '40 Mutley Plain', postcode: 'PL4 6LE', locality: 'Drake', lat: 50.3812, lon: -4.1376 },
      people: [{ login: 'endorser.plymouth', name: 'Kit Rowe (demo)', role: 'owner', label: 'endorser' }],
    },
  ],
  vilnius: [
    {
      slug: 'snipiskes-dirbtuves',
      name: 'Šnipiškių kūrybinės dirbtuvės',
      kinds: ['provider'],
      description: 'Robotikos, dizaino ir programavimo būreliai jaunimui Šnipiškėse.',
      website: 'https://snipiskes-dirbtuves.example.org',
      address: { street: 'Kalvarijų g. 3', postcode: '09310', locality: 'Šnipiškės', lat: 54.6953, lon: 25.2836 },
      people: [
        { login: 'owner.snipiskes', name: 'Rūta Kazlauskienė (demo)', role: 'owner', label: 'organisation owner' },
        { login: 'staff.snipiskes', name: 'Tomas Petraitis (demo)', role: 'staff', label: 'organisation staff' },
      ],
    },
    {
      slug: 'antakalnio-jaunimo-centras',
      name: 'Antakalnio jaunimo centras',
      kinds: ['provider'],
      description: 'Atviras jaunimo centras: žygiai, savanorystė ir lyderystės dirbtuvės.',
      website: 'https://antakalnio-jc.example.org',
      address: { street: 'Antakalnio g. 20', postcode: '10312', locality: 'Antakalnis', lat: 54.6998, lon: 25.3148 },
      people: [],
    },
    {
      slug: 'naujamiescio-it-karjera',
      name: 'Naujamiesčio IT karjera',
      kinds: ['employer'],
      description: 'IT įmonių tinklas, siūlantis praktikas ir pirmąsias darbo vietas.',
      website: 'https://it-karjera.example.org',
      address: { street: 'Savanorių pr. 16', postcode: '03116', locality: 'Naujamiestis', lat: 54.6786, lon: 25.2648 },
      people: [{ login: 'employer.vilnius', name: 'Mantas Jonaitis (demo)', role: 'owner', label: 'employer' }],
    },
    {
      slug: 'zirmunu-bendruomenes-fondas',
      name: 'Žirmūnų bendruomenės fondas',
      kinds: ['endorser'],
      description: 'Bendruomenės fondas, rekomenduojantis savanorystės ženkliukus.',
      website: 'https://zirmunu-fondas.example.org',
      address: { street: 'Žirmūnų g. 70', postcode: '09124', locality: 'Žirmūnai', lat: 54.7072, lon: 25.3003 },
      people: [{ login: 'endorser.vilnius', name: 'Eglė Vaitkutė (demo)', role: 'owner', label: 'endorser' }],
    },
  ],
  torino: [
    {
      slug: 'officina-san-salvario',
      name: 'Officina San Salvario',
      kinds: ['provider'],
      description: 'Laboratori di fabbricazione digitale e riparazione per ragazze e ragazzi.',
      website: 'https://officina-sansalvario.example.org',
      address: { street: 'Via Nizza 45', postcode: '10125', locality: 'San Salvario', lat: 45.0578, lon: 7.6801 },
      people: [
        { login: 'owner.sansalvario', name: 'Giulia Ferrero (demo)', role: 'owner', label: 'organisation owner' },
        { login: 'staff.sansalvario', name: 'Luca Bianchi (demo)', role: 'staff', label: 'organisation staff' },
      ],
    },
    {
      slug: 'aurora-lab-giovani',
      name: 'Aurora Lab Giovani',
      kinds: ['provider'],
      description: 'Musica, video e giornalismo di quartiere ad Aurora.',
      website: 'https://auroralab.example.org',
      address: { street: 'Corso Giulio Cesare 30', postcode: '10152', locality: 'Aurora', lat: 45.0829, lon: 7.6884 },
      people: [],
    },
    {
      slug: 'lingotto-lavoro',
      name: 'Lingotto Lavoro',
      kinds: ['employer', 'endorser'],
      description: 'Imprese della zona Lingotto che offrono tirocini e riconoscono i badge.',
      website: 'https://lingotto-lavoro.example.org',
      address: { street: 'Via Nizza 230', postcode: '10126', locality: 'Lingotto', lat: 45.0305, lon: 7.6655 },
      people: [{ login: 'employer.torino', name: 'Marco Rossi (demo)', role: 'owner', label: 'employer' }],
    },
    {
      slug: 'fondazione-crocetta',
      name: "Fondazione Crocetta per l'Apprendimento",
      kinds: ['endorser'],
      description: 'Fondazione che garantisce per i percorsi di apprendimento del quartiere.',
      website: 'https://fondazione-crocetta.example.org',
      address: { street: 'Corso De Gasperi 10', postcode: '10129', locality: 'Crocetta', lat: 45.0582, lon: 7.6621 },
      people: [{ login: 'endorser.torino', name: 'Chiara Conti (demo)', role: 'owner', label: 'endorser' }],
    },
  ],
};

const seedCaller: Caller = {
  actor: 'system',
  audit: {
    actorUserId: null,
    actorApiTokenId: null,
    actorLabel: 'demo seed',
    ip: null,
    userAgent: null,
    requestId: null,
  },
};

/**
 * Seeds the demo organisations, approved and verified, with their people. Idempotent: an organisation whose slug
 * exists and a person whose email exists are kept as they are.
 */
export async function seedDemoOrganisations(db: Database): Promise<{ created: number; logins: DemoLogin[] }> {
  let created = 0;
  const logins: DemoLogin[] = [];
  for (const [citySlug, organisations] of Object.entries(demoOrganisations)) {
    const city = await findCityBySlug(db, citySlug);
    if (!city) continue;
    for (const demo of organisations) {
      let organisationId = (await findOrganisationAnywhere(db, demo.slug))?.id;
      if (!organisationId) {
        const organisation = await createOrganisation(
          db,
          city,
          { ...demo, contactEmail: `hello.${demo.slug}@${DEMO_EMAIL_DOMAIN}`, addresses: [demo.address] },
          seedCaller,
          null,
        );
        organisationId = organisation.id;
        await db.transaction(async (tx) => {
          await setApplicationStatus(tx, city.id, organisation.id, {
            status: 'approved',
            reason: null,
            decidedBy: null,
          });
          await setVerified(tx, city.id, organisation.id, true);
          await recordAudit(tx, seedCaller.audit, {
            cityId: city.id,
            action: 'organisation.approve',
            targetType: 'organisation',
            targetId: organisation.id,
            before: { status: 'pending' },
            after: { status: 'approved', verified: true },
          });
        });
      }
      if (!(await findOrganisationInCity(db, city.id, organisationId))) continue;
      for (const person of demo.people) {
        const user = await ensureUser(db, {
          email: `${person.login}@${DEMO_EMAIL_DOMAIN}`,
          displayName: person.name,
          password: DEMO_PASSWORD,
          emailVerified: true,
        });
        created += Number(user.created);
        if (user.created) await upsertMember(db, organisationId, user.user.id, person.role);
        logins.push({ role: person.label, city: citySlug, email: user.user.email, password: DEMO_PASSWORD });
      }
    }
  }
  return { created, logins };
}
