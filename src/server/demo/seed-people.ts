import type { Database } from '../db/client.ts';
import { findCityBySlug } from '../modules/cities/cities.repo.ts';
import { hashPassword } from '../modules/accounts/passwords.ts';
import {
  findPersonByEmail,
  insertPerson,
  setConsentStatus,
  updateProfile,
  upsertConsentRequest,
} from '../modules/accounts/people.repo.ts';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from './demo-cities.ts';
import type { DemoLogin } from './seed.ts';

type Consent = 'none' | 'given' | 'pending';

interface DemoLearner {
  key: string;
  displayName: string;
  age: number;
  consent: Consent;
  pronouns?: string;
  languages: string[];
  interests: string[];
  homeDistrict: string;
}

/** Fictional learners in real neighbourhoods of each demo city, of various ages, including two minors. */
const learnersByCity: Record<string, DemoLearner[]> = {
  plymouth: [
    {
      key: 'amara',
      displayName: 'Amara Osei',
      age: 34,
      consent: 'none',
      pronouns: 'she/her',
      languages: ['en', 'tw'],
      interests: ['digital skills', 'gardening'],
      homeDistrict: 'Stonehouse',
    },
    {
      key: 'jack',
      displayName: 'Jack Penrose',
      age: 19,
      consent: 'none',
      languages: ['en'],
      interests: ['marine biology', 'sailing'],
      homeDistrict: 'Mutley',
    },
    {
      key: 'maureen',
      displayName: 'Maureen Hext',
      age: 67,
      consent: 'none',
      languages: ['en', 'fr'],
      interests: ['local history', 'volunteering'],
      homeDistrict: 'Plympton',
    },
    {
      key: 'kai',
      displayName: 'Kai Trelawny',
      age: 14,
      consent: 'given',
      pronouns: 'he/him',
      languages: ['en'],
      interests: ['game design', 'coding'],
      homeDistrict: 'Devonport',
    },
    {
      key: 'isla',
      displayName: 'Isla Morgan',
      age: 13,
      consent: 'pending',
      languages: ['en', 'cy'],
      interests: ['drama', 'photography'],
      homeDistrict: 'Keyham',
    },
  ],
  vilnius: [
    {
      key: 'ruta',
      displayName: 'Rūta Kazlauskienė',
      age: 41,
      consent: 'none',
      pronouns: 'ji',
      languages: ['lt', 'en', 'ru'],
      interests: ['entrepreneurship', 'ceramics'],
      homeDistrict: 'Žirmūnai',
    },
    {
      key: 'mantas',
      displayName: 'Mantas Petraitis',
      age: 22,
      consent: 'none',
      languages: ['lt', 'en'],
      interests: ['robotics', 'basketball'],
      homeDistrict: 'Antakalnis',
    },
    {
      key: 'ona',
      displayName: 'Ona Vaitkienė',
      age: 71,
      consent: 'none',
      languages: ['lt', 'pl'],
      interests: ['smartphones', 'choir'],
      homeDistrict: 'Šnipiškės',
    },
    {
      key: 'lukas',
      displayName: 'Lukas Jankauskas',
      age: 15,
      consent: 'given',
      languages: ['lt', 'en'],
      interests: ['coding', 'film'],
      homeDistrict: 'Naujamiestis',
    },
    {
      key: 'emilija',
      displayName: 'Emilija Stankevičiūtė',
      age: 12,
      consent: 'pending',
      languages: ['lt'],
      interests: ['drawing', 'nature'],
      homeDistrict: 'Pašilaičiai',
    },
  ],
  torino: [
    {
      key: 'giulia',
      displayName: 'Giulia Ferrero',
      age: 29,
      consent: 'none',
      pronouns: 'lei',
      languages: ['it', 'en'],
      interests: ['design', 'sustainability'],
      homeDistrict: 'San Salvario',
    },
    {
      key: 'omar',
      displayName: 'Omar Benali',
      age: 18,
      consent: 'none',
      languages: ['it', 'ar', 'fr'],
      interests: ['electronics', 'football'],
      homeDistrict: 'Barriera di Milano',
    },
    {
      key: 'franco',
      displayName: 'Franco Bertola',
      age: 63,
      consent: 'none',
      languages: ['it'],
      interests: ['cooking', 'mentoring'],
      homeDistrict: 'Crocetta',
    },
    {
      key: 'sofia',
      displayName: 'Sofia Rinaldi',
      age: 14,
      consent: 'given',
      languages: ['it', 'en'],
      interests: ['science', 'music'],
      homeDistrict: 'Vanchiglia',
    },
    {
      key: 'matteo',
      displayName: 'Matteo Gallo',
      age: 13,
      consent: 'pending',
      languages: ['it'],
      interests: ['comics', 'skateboarding'],
      homeDistrict: 'Borgo Po',
    },
  ],
};

/** A date of birth that makes the person `age` today (their birthday was about 100 days ago). */
function dateOfBirthFor(age: number, today = new Date()): string {
  const date = new Date(Date.UTC(today.getUTCFullYear() - age, today.getUTCMonth(), today.getUTCDate()));
  date.setUTCDate(date.getUTCDate() - 100);
  return date.toISOString().slice(0, 10);
}

function roleLabel(learner: DemoLearner): string {
  if (learner.consent === 'given') return 'learner, minor (consent given)';
  if (learner.consent === 'pending') return 'learner, minor (awaiting consent)';
  return `learner, ${learner.age}`;
}

/**
 * Demo learners for every demo city that exists, through the same repository the sign-up uses. Idempotent: a learner
 * whose email exists is left as it is. Minors get a guardian (a demo address) who has consented, or not yet.
 */
export async function seedDemoPeople(db: Database): Promise<{ created: number; logins: DemoLogin[] }> {
  const logins: DemoLogin[] = [];
  let created = 0;
  let passwordHash: string | undefined;
  for (const [slug, learners] of Object.entries(learnersByCity)) {
    const city = await findCityBySlug(db, slug);
    if (!city) continue;
    for (const learner of learners) {
      const email = `learner.${learner.key}.${slug}@${DEMO_EMAIL_DOMAIN}`;
      logins.push({ role: roleLabel(learner), city: slug, email, password: DEMO_PASSWORD });
      if (await findPersonByEmail(db, email)) continue;
      passwordHash ??= await hashPassword(DEMO_PASSWORD);
      const hash = passwordHash;
      await db.transaction(async (tx) => {
        const person = await insertPerson(tx, {
          email,
          displayName: learner.displayName,
          passwordHash: hash,
          dateOfBirth: dateOfBirthFor(learner.age),
          status: learner.consent === 'pending' ? 'limited' : 'active',
          homeCityId: city.id,
          emailVerified: true,
        });
        if (!person) return;
        await updateProfile(tx, person.id, {
          displayName: learner.displayName,
          pronouns: learner.pronouns ?? null,
          languages: learner.languages,
          interests: learner.interests,
          homeDistrict: learner.homeDistrict,
        });
        if (learner.consent !== 'none') {
          await upsertConsentRequest(tx, city.id, person.id, `guardian.${learner.key}.${slug}@${DEMO_EMAIL_DOMAIN}`);
          if (learner.consent === 'given') await setConsentStatus(tx, city.id, person.id, 'given');
        }
        created++;
      });
    }
  }
  return { created, logins };
}
