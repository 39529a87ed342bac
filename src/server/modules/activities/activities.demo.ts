import { insertPublishedInBulk } from './activities.repo.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import type { ActivityFormat, OrganisationKind } from '../../db/schema.ts';
import { demoOrganisations } from '../../demo/seed-organisations.ts';
import { DEMO_EMAIL_DOMAIN } from '../../demo/demo-cities.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { type CityRecord, findCityBySlug } from '../cities/cities.repo.ts';
import { districtAt, districtCentre, districtNames, pointInCity, pointsOfInterest } from '../geo/geo.ts';
import { findOrganisationAnywhere, setApplicationStatus, setVerified } from '../organisations/organisations.repo.ts';
import { type Caller, createOrganisation, slugify } from '../organisations/organisations.service.ts';
import type { ActivityInput, VenueInput } from './activities.model.ts';
import { createActivity } from './activities.service.ts';
import { type ActivityWrite, validateActivityInput } from './activities.validation.ts';
import { instantOf, wallTimeIn } from './time-zones.ts';

/**
 * The demo catalogue: several hundred fictional activities per demo city, spread over the city's real neighbourhoods
 * (venues scattered around the bundled district centres, inside the boundary; Plymouth also uses its real public
 * libraries), over a season of dates from the seed day, with varied providers, ages, costs, languages, accessibility,
 * sign-up modes and skills from the city's spine. Generated from templates with a seeded PRNG, so the same day and
 * the same organisations always give the same catalogue. Every demo activity carries an external id starting with
 * `DEMO_UID_PREFIX`; seeding again creates only the ones that are missing.
 */

export const DEMO_UID_PREFIX = 'learnscape-demo:';
export const DEMO_ACTIVITIES_PER_CITY = 250;
/** Activities per city left for the curator's moderation queue (submitted) and as organisers' drafts. */
export const DEMO_SUBMITTED_PER_CITY = 5;
export const DEMO_DRAFTS_PER_CITY = 3;
/** The season the demo dates cover, in days from the seed day. */
export const DEMO_SEASON_DAYS = 120;

type Language = 'en' | 'lt' | 'it';
type Text3 = Record<Language, string>;
type AgeRange = [number | null, number | null];

/** What kind of place an organisation is; templates say which kinds run them. */
export type ProviderProfile =
  | 'library'
  | 'youth'
  | 'museum'
  | 'college'
  | 'makerspace'
  | 'sports'
  | 'employer'
  | 'arts';

type Audience = 'early' | 'kids' | 'teens' | 'young' | 'adults' | 'seniors' | 'family';
type Schedule = 'weekly' | 'fortnightly' | 'monthly' | 'once' | 'camp' | 'allday' | 'on_demand';
type SignupChoice = 'internal' | 'external' | 'none';

interface Variant {
  /** `{min}`/`{max}` are the ages, `{cityLanguage}` the city's language named in English. */
  title: Text3;
  ages: AgeRange[];
}

interface Template {
  key: string;
  profiles: ProviderProfile[];
  audience: Audience;
  variants: Variant[];
  description: Text3;
  schedules: Schedule[];
  minutes: [number, number];
  /** Share of activities that are free; the rest cost between `price` (whole units of the currency). */
  free: number;
  price?: [number, number];
  signup: SignupChoice[];
  capacity?: [number, number];
  /** Share held online (on its own) and blended (venue + link). */
  online?: number;
  blended?: number;
  tags: Record<Language, string[]>;
  /** `framework:code` of the skills it builds: digcomp, entrecomp, lifecomp, greencomp, esco (uuid), local. */
  skills: string[];
  /** Languages the activity is held in, per city, when they differ from the usual. */
  languages?: Record<string, string[][]>;
}

const esco = {
  showInitiative: 'esco:001115fb-569f-4ee6-8381-c6807ef2527f',
  thinkCritically: 'esco:7dd94ad3-13d6-43fe-8b94-51fcbf67ced9',
  thinkCreatively: 'esco:c624c6a3-b0ba-4a31-a296-0d433fe47e41',
  thinkInnovatively: 'esco:c2a0c52c-0b4b-4180-a918-92650ea3b458',
  workInTeams: 'esco:60c78287-22eb-4103-9c8c-28deaa460da0',
  ictSafety: 'esco:426ceaba-6867-481c-bb6b-aee3933da7d2',
  instructOthers: 'esco:699e7c26-6502-4e78-a823-3656ff5a5b8b',
  manageTime: 'esco:d9013e0e-e937-43d5-ab71-0e917ee882b8',
  promoteSustainability: 'esco:469e19ed-a0bd-445a-ae2d-4ba9430e296b',
  reduceConsumption: 'esco:4c3ab565-747c-4db3-8c47-79e8d6f98cf4',
  promoteEnergy: 'esco:1a6c7e0d-fc13-41d7-a5c0-8ca00606de89',
  analyseEnergy: 'esco:29bfe2cd-f011-4f94-a3aa-f77768e60460',
  energyEfficiency: 'esco:83fc0b2b-6cd2-46af-b1ff-d3fc83604c26',
  engageOthersGreen: 'esco:7f321b88-3d16-4e30-8163-5494ca8ce978',
  personalImpact: 'esco:2aaad52d-599e-4e77-a681-bbc236825821',
  manageWaste: 'esco:73a9561d-112c-4d8a-9d5f-b2c11c5bbd5f',
  climateImpact: 'esco:1565b401-1754-4b07-8f1a-eb5869e64d95',
  digitalFootprint: 'esco:c4ba12d1-4698-42fa-8abb-789462ea2586',
  healthRisks: 'esco:c4180af3-befd-4bd8-9a65-6a496f9d9f15',
  safety: 'esco:d2d9051a-10e1-41c5-9cfb-bbdc58016176',
  qualitativeInformation: 'esco:9af1bd12-01bd-4d6a-947b-69e64f23150a',
  sustainableFinance: 'esco:203083ca-b051-4c28-8986-fc8731bacee5',
  plantsIndoorClimate: 'esco:34147067-562c-4e5f-8dec-40972ccf29b6',
} as const;

const templates: Template[] = [
  {
    key: 'coding-club',
    profiles: ['makerspace', 'library', 'college', 'youth'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Coding club for {min}–{max} year olds',
          lt: 'Programavimo būrelis {min}–{max} metų vaikams',
          it: 'Club di programmazione per ragazzi di {min}-{max} anni',
        },
        ages: [
          [8, 11],
          [11, 14],
          [12, 16],
        ],
      },
      {
        title: {
          en: 'Scratch and Python coding club',
          lt: 'Scratch ir Python programavimo būrelis',
          it: 'Coding club: da Scratch a Python',
        },
        ages: [[9, 14]],
      },
    ],
    description: {
      en: 'Build games, animations and small apps step by step with volunteer mentors. No experience needed: beginners start with Scratch, and those who are ready move on to Python.',
      lt: 'Žingsnis po žingsnio su savanoriais mentoriais kursime žaidimus, animacijas ir nedideles programėles. Patirties nereikia: pradedantieji mokosi su Scratch, o pasiruošę pereina prie Python.',
      it: 'Creiamo giochi, animazioni e piccole app passo dopo passo con mentori volontari. Non serve esperienza: chi inizia usa Scratch, chi è pronto passa a Python.',
    },
    schedules: ['weekly', 'weekly', 'fortnightly'],
    minutes: [90, 90],
    free: 0.85,
    price: [3, 8],
    signup: ['internal', 'internal', 'external'],
    capacity: [12, 20],
    tags: {
      en: ['coding', 'stem', 'computers'],
      lt: ['programavimas', 'stem', 'kompiuteriai'],
      it: ['programmazione', 'stem', 'informatica'],
    },
    skills: ['digcomp:3.4', 'digcomp:5.3', 'entrecomp:1.2', 'lifecomp:L1', esco.thinkCreatively, esco.thinkCritically],
  },
  {
    key: 'robotics',
    profiles: ['makerspace', 'museum', 'employer', 'college'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Robotics lab for {min}–{max} year olds',
          lt: 'Robotikos laboratorija {min}–{max} metų vaikams',
          it: 'Laboratorio di robotica per ragazzi di {min}-{max} anni',
        },
        ages: [
          [9, 12],
          [11, 15],
          [13, 17],
        ],
      },
      {
        title: {
          en: 'Build and program your own robot',
          lt: 'Sukonstruok ir užprogramuok savo robotą',
          it: 'Costruisci e programma il tuo robot',
        },
        ages: [[10, 15]],
      },
    ],
    description: {
      en: 'Put together motors, sensors and microcontrollers, then teach your robot to follow a line, dodge obstacles and race the others. All kit is provided and stays at the lab.',
      lt: 'Sujungsite variklius, jutiklius ir mikrovaldiklius, o tada išmokysite robotą sekti liniją, apeiti kliūtis ir lenktyniauti su kitais. Visą įrangą suteikiame, ji lieka laboratorijoje.',
      it: 'Montiamo motori, sensori e microcontrollori, poi insegniamo al robot a seguire una linea, evitare gli ostacoli e sfidare gli altri. Tutto il materiale è fornito e resta in laboratorio.',
    },
    schedules: ['weekly', 'once', 'fortnightly'],
    minutes: [120, 120],
    free: 0.6,
    price: [5, 15],
    signup: ['internal', 'external'],
    capacity: [10, 16],
    tags: {
      en: ['robotics', 'stem', 'electronics'],
      lt: ['robotika', 'stem', 'elektronika'],
      it: ['robotica', 'stem', 'elettronica'],
    },
    skills: ['digcomp:3.4', 'digcomp:5.1', 'entrecomp:3.4', 'lifecomp:S3', esco.workInTeams, esco.thinkInnovatively],
  },
  {
    key: 'digital-seniors',
    profiles: ['library', 'college'],
    audience: 'seniors',
    variants: [
      {
        title: {
          en: 'Digital skills for over-60s',
          lt: 'Skaitmeninio raštingumo kursai senjorams',
          it: 'Competenze digitali per over 60',
        },
        ages: [[60, null]],
      },
      {
        title: {
          en: 'Smartphone and tablet basics for older people',
          lt: 'Išmanusis telefonas ir planšetė: pradžiamokslis senjorams',
          it: 'Smartphone e tablet senza paura: corso per over 60',
        },
        ages: [[55, null]],
      },
    ],
    description: {
      en: 'Learn at your own pace to video-call your family, use online banking and public services safely, and spot scam messages. Bring your own phone or tablet, or borrow one of ours.',
      lt: 'Savo tempu išmoksite skambinti artimiesiems vaizdo skambučiu, saugiai naudotis internetine bankininkyste ir e. paslaugomis, atpažinti sukčių žinutes. Atsineškite savo telefoną ar planšetę arba pasiskolinkite mūsų.',
      it: "Impara con calma a fare videochiamate con la famiglia, a usare l'home banking e i servizi pubblici online in sicurezza e a riconoscere i messaggi truffa. Porta il tuo telefono o tablet, oppure usa uno dei nostri.",
    },
    schedules: ['weekly', 'weekly', 'once'],
    minutes: [90, 90],
    free: 0.9,
    price: [2, 5],
    signup: ['internal', 'none'],
    capacity: [8, 12],
    tags: {
      en: ['digital skills', 'older people', 'smartphones'],
      lt: ['skaitmeninis raštingumas', 'senjorai', 'išmanieji telefonai'],
      it: ['competenze digitali', 'anziani', 'smartphone'],
    },
    skills: ['digcomp:1.1', 'digcomp:2.1', 'digcomp:4.2', 'lifecomp:L1', esco.ictSafety],
  },
  {
    key: 'online-safety-parents',
    profiles: ['library', 'college', 'youth'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Keeping children safe online: a session for parents',
          lt: 'Vaikų saugumas internete: susitikimas tėvams',
          it: 'Sicurezza online dei figli: incontro per genitori',
        },
        ages: [[18, null]],
      },
    ],
    description: {
      en: 'Social media, gaming chats, screen time and privacy settings explained in plain language, with time for your own questions. Leave with a checklist you can go through at home.',
      lt: 'Paprastai paaiškiname apie socialinius tinklus, žaidimų pokalbius, ekrano laiką ir privatumo nustatymus, atsakome į jūsų klausimus. Išeisite su kontroliniu sąrašu, kurį galėsite peržiūrėti namuose.',
      it: 'Social network, chat nei videogiochi, tempo davanti allo schermo e impostazioni della privacy spiegati in modo semplice, con spazio per le vostre domande. Si torna a casa con una lista di controllo da usare in famiglia.',
    },
    schedules: ['once'],
    minutes: [90, 90],
    free: 1,
    signup: ['internal', 'external', 'none'],
    capacity: [20, 40],
    online: 0.4,
    tags: {
      en: ['online safety', 'parents'],
      lt: ['saugumas internete', 'tėvams'],
      it: ['sicurezza online', 'genitori'],
    },
    skills: ['digcomp:4.2', 'digcomp:4.3', 'digcomp:2.6', 'lifecomp:S1', esco.ictSafety, esco.healthRisks],
  },
  {
    key: 'game-design',
    profiles: ['makerspace', 'youth', 'college'],
    audience: 'teens',
    variants: [
      {
        title: { en: 'Game design studio', lt: 'Žaidimų kūrimo studija', it: 'Studio di game design' },
        ages: [
          [12, 15],
          [13, 17],
        ],
      },
      {
        title: {
          en: 'Game jam for {min}–{max} year olds',
          lt: 'Žaidimų kūrimo maratonas {min}–{max} metų jaunimui',
          it: 'Game jam per ragazzi di {min}-{max} anni',
        },
        ages: [
          [13, 17],
          [14, 18],
        ],
      },
    ],
    description: {
      en: "Design characters, levels and rules, then build a playable game in a small team using free tools. At the end everyone plays each other's games and gives feedback.",
      lt: 'Komandoje sukursite veikėjus, lygius ir taisykles, o nemokamais įrankiais – žaidžiamą žaidimą. Pabaigoje visi išbando vieni kitų žaidimus ir pasidalija įspūdžiais.',
      it: 'Progettiamo personaggi, livelli e regole, poi in piccoli gruppi costruiamo un gioco giocabile con strumenti gratuiti. Alla fine tutti provano i giochi degli altri e si scambiano commenti.',
    },
    schedules: ['weekly', 'once', 'camp'],
    minutes: [120, 120],
    free: 0.8,
    price: [5, 20],
    signup: ['internal', 'external'],
    capacity: [12, 20],
    tags: {
      en: ['games', 'design', 'coding'],
      lt: ['žaidimai', 'dizainas', 'programavimas'],
      it: ['videogiochi', 'design', 'programmazione'],
    },
    skills: ['digcomp:3.1', 'digcomp:3.4', 'entrecomp:1.2', 'entrecomp:3.4', esco.thinkCreatively, esco.workInTeams],
  },
  {
    key: '3d-printing',
    profiles: ['makerspace', 'library', 'college'],
    audience: 'teens',
    variants: [
      {
        title: { en: 'Introduction to 3D printing', lt: '3D spausdinimo pradmenys', it: 'Introduzione alla stampa 3D' },
        ages: [
          [12, 17],
          [16, null],
          [14, null],
        ],
      },
    ],
    description: {
      en: 'From an idea to a printed object: learn to model simple parts on the computer, prepare the file and run the printer safely. You take home what you make.',
      lt: 'Nuo idėjos iki atspausdinto daikto: išmoksite kompiuteriu sumodeliuoti paprastas detales, paruošti failą ir saugiai naudotis spausdintuvu. Pasigamintą daiktą išsinešite namo.',
      it: "Dall'idea all'oggetto stampato: impariamo a modellare semplici pezzi al computer, a preparare il file e a usare la stampante in sicurezza. Quello che realizzi lo porti a casa.",
    },
    schedules: ['once', 'weekly'],
    minutes: [150, 150],
    free: 0.5,
    price: [8, 25],
    signup: ['internal', 'external'],
    capacity: [6, 10],
    tags: {
      en: ['3d printing', 'making', 'design'],
      lt: ['3d spausdinimas', 'kūryba', 'dizainas'],
      it: ['stampa 3d', 'maker', 'design'],
    },
    skills: ['digcomp:3.1', 'digcomp:5.3', 'entrecomp:1.2', esco.thinkInnovatively, esco.safety],
  },
  {
    key: 'python-evening',
    profiles: ['college', 'employer', 'library'],
    audience: 'adults',
    variants: [
      {
        title: { en: 'Python for beginners', lt: 'Python pradedantiesiems', it: 'Python per principianti' },
        ages: [[16, null]],
      },
      {
        title: {
          en: 'Learn to code in the evenings: Python from scratch',
          lt: 'Vakariniai Python kursai nuo nulio',
          it: 'Corso serale di Python da zero',
        },
        ages: [[18, null]],
      },
    ],
    description: {
      en: 'An evening course for adults who have never programmed: variables, loops, functions and working with data files, with a small project of your own by the last week.',
      lt: 'Vakariniai kursai suaugusiesiems, niekada neprogramavusiems: kintamieji, ciklai, funkcijos, darbas su duomenų failais, o paskutinę savaitę – jūsų pačių nedidelis projektas.',
      it: "Un corso serale per adulti che non hanno mai programmato: variabili, cicli, funzioni e lavoro con file di dati, fino a un piccolo progetto personale nell'ultima settimana.",
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 0.5,
    price: [20, 60],
    signup: ['internal', 'external'],
    capacity: [12, 24],
    blended: 0.3,
    tags: {
      en: ['coding', 'python', 'adult learning'],
      lt: ['programavimas', 'python', 'suaugusiųjų švietimas'],
      it: ['programmazione', 'python', 'formazione adulti'],
    },
    skills: ['digcomp:3.4', 'digcomp:1.3', 'entrecomp:3.5', 'lifecomp:L3', esco.qualitativeInformation],
  },
  {
    key: 'web-bootcamp',
    profiles: ['employer'],
    audience: 'young',
    variants: [
      {
        title: {
          en: 'Web development bootcamp',
          lt: 'Interneto svetainių kūrimo intensyvūs kursai',
          it: 'Bootcamp di sviluppo web',
        },
        ages: [[18, 29]],
      },
    ],
    description: {
      en: 'Twelve intensive sessions on HTML, CSS and JavaScript taught by working developers, ending with a portfolio site and a mock technical interview. Priority for people looking for their first job in tech.',
      lt: 'Dvylika intensyvių užsiėmimų apie HTML, CSS ir JavaScript, kuriuos veda praktikai programuotojai. Pabaigoje – jūsų portfolio svetainė ir bandomasis techninis pokalbis. Pirmenybė ieškantiems pirmojo darbo IT srityje.',
      it: 'Dodici incontri intensivi su HTML, CSS e JavaScript tenuti da sviluppatori professionisti, per arrivare a un sito portfolio e a una simulazione di colloquio tecnico. Precedenza a chi cerca il primo lavoro nel digitale.',
    },
    schedules: ['weekly'],
    minutes: [180, 180],
    free: 0.7,
    price: [50, 150],
    signup: ['external', 'internal'],
    capacity: [15, 25],
    blended: 0.4,
    tags: {
      en: ['web development', 'jobs', 'coding'],
      lt: ['svetainių kūrimas', 'darbas', 'programavimas'],
      it: ['sviluppo web', 'lavoro', 'programmazione'],
    },
    skills: ['digcomp:3.1', 'digcomp:3.4', 'entrecomp:3.1', esco.manageTime, esco.workInTeams],
  },
  {
    key: 'cv-interviews',
    profiles: ['employer', 'library', 'youth', 'college'],
    audience: 'young',
    variants: [
      {
        title: {
          en: 'CV and job interview workshop',
          lt: 'CV ir darbo pokalbio dirbtuvės',
          it: 'Laboratorio: curriculum e colloquio di lavoro',
        },
        ages: [
          [16, 29],
          [18, null],
        ],
      },
    ],
    description: {
      en: 'Rewrite your CV with a local recruiter, practise answering common interview questions and get honest feedback in a friendly setting.',
      lt: 'Kartu su vietos darbdavių atstovu atnaujinsite savo CV, pasipraktikuosite atsakyti į dažniausius darbo pokalbio klausimus ir gausite atvirą grįžtamąjį ryšį draugiškoje aplinkoje.',
      it: 'Riscrivi il tuo curriculum con un selezionatore del territorio, prova a rispondere alle domande più comuni dei colloqui e ricevi consigli sinceri in un clima amichevole.',
    },
    schedules: ['once'],
    minutes: [120, 120],
    free: 1,
    signup: ['internal', 'external'],
    capacity: [10, 16],
    online: 0.2,
    tags: {
      en: ['jobs', 'careers', 'cv'],
      lt: ['darbas', 'karjera', 'cv'],
      it: ['lavoro', 'orientamento', 'curriculum'],
    },
    skills: ['entrecomp:2.1', 'entrecomp:2.2', 'lifecomp:S2', 'digcomp:2.6', esco.showInitiative, esco.manageTime],
  },
  {
    key: 'news-lab',
    profiles: ['youth', 'library', 'arts'],
    audience: 'teens',
    variants: [
      {
        title: { en: 'Neighbourhood news lab', lt: 'Kaimynystės naujienų laboratorija', it: 'Redazione di quartiere' },
        ages: [
          [13, 17],
          [14, 19],
        ],
      },
    ],
    description: {
      en: 'Find stories on your own streets, interview neighbours, check facts and publish short articles and videos on the youth news site.',
      lt: 'Ieškosite istorijų savo kaimynystėje, kalbinsite kaimynus, tikrinsite faktus ir skelbsite trumpus straipsnius bei vaizdo įrašus jaunimo naujienų svetainėje.',
      it: 'Cerca le storie del tuo quartiere, intervista i vicini, verifica le fonti e pubblica brevi articoli e video sul sito di notizie dei giovani.',
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 1,
    signup: ['internal', 'none'],
    capacity: [10, 15],
    tags: { en: ['journalism', 'media'], lt: ['žurnalistika', 'medijos'], it: ['giornalismo', 'media'] },
    skills: [
      'digcomp:1.2',
      'digcomp:3.1',
      'digcomp:2.3',
      'lifecomp:L2',
      'local:youth-work.digital',
      esco.thinkCritically,
      esco.qualitativeInformation,
    ],
  },
  {
    key: 'podcast-video',
    profiles: ['youth', 'arts', 'library', 'makerspace'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Podcast and video studio for {min}–{max} year olds',
          lt: 'Tinklalaidžių ir vaizdo studija {min}–{max} metų jaunimui',
          it: 'Studio podcast e video per ragazzi di {min}-{max} anni',
        },
        ages: [
          [12, 15],
          [14, 18],
          [15, 19],
        ],
      },
    ],
    description: {
      en: 'Plan, record and edit your own podcast episode or short film with professional microphones and cameras. Sessions cover storytelling, sound, lighting and editing.',
      lt: 'Suplanuosite, įrašysite ir sumontuosite savo tinklalaidės epizodą ar trumpametražį filmą naudodami profesionalius mikrofonus ir kameras. Kalbėsime apie pasakojimą, garsą, apšvietimą ir montažą.',
      it: 'Progetta, registra e monta il tuo episodio di podcast o un cortometraggio con microfoni e videocamere professionali. Si lavora su racconto, suono, luci e montaggio.',
    },
    schedules: ['weekly', 'fortnightly'],
    minutes: [120, 120],
    free: 0.8,
    price: [3, 10],
    signup: ['internal'],
    capacity: [8, 12],
    tags: {
      en: ['media', 'podcast', 'film'],
      lt: ['medijos', 'tinklalaidės', 'kinas'],
      it: ['media', 'podcast', 'video'],
    },
    skills: ['digcomp:3.1', 'digcomp:3.3', 'lifecomp:S2', 'entrecomp:1.2', esco.thinkCreatively],
  },
  {
    key: 'music-production',
    profiles: ['youth', 'arts'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Music production and DJ workshop',
          lt: 'Muzikos kūrimo ir DJ dirbtuvės',
          it: 'Laboratorio di produzione musicale e DJ',
        },
        ages: [
          [13, 18],
          [15, 21],
          [16, 24],
        ],
      },
    ],
    description: {
      en: 'Make beats, record vocals and mix your own tracks on laptops and controllers, guided by local producers. Open to complete beginners.',
      lt: 'Kursite ritmus, įrašinėsite vokalą ir miksuosite savo kūrinius nešiojamaisiais kompiuteriais ir pulteliais, padedami vietos prodiuserių. Laukiame ir visiškų naujokų.',
      it: 'Crea basi, registra voci e mixa i tuoi brani con computer e controller, seguito da produttori del territorio. Aperto anche a chi parte da zero.',
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 0.75,
    price: [3, 10],
    signup: ['internal', 'none'],
    capacity: [8, 14],
    tags: { en: ['music', 'creative'], lt: ['muzika', 'kūryba'], it: ['musica', 'creatività'] },
    skills: ['digcomp:3.1', 'digcomp:3.2', 'entrecomp:1.2', 'lifecomp:P3', esco.thinkCreatively],
  },
  {
    key: 'repair-cafe',
    profiles: ['makerspace', 'library', 'college', 'employer'],
    audience: 'adults',
    variants: [
      {
        title: { en: 'Repair café', lt: 'Taisymo kavinė', it: 'Repair café: ripariamo insieme' },
        ages: [
          [12, null],
          [null, null],
        ],
      },
    ],
    description: {
      en: 'Bring a broken lamp, toaster, bike light or torn jacket and fix it together with volunteer repairers instead of throwing it away. Tea and cake included.',
      lt: 'Atsineškite sugedusią lempą, skrudintuvą, dviračio žibintą ar suplyšusią striukę ir sutaisykite kartu su savanoriais meistrais, užuot išmetę. Arbata ir pyragas – vietoje.',
      it: 'Porta una lampada rotta, un tostapane, la luce della bici o una giacca strappata e riparala insieme ai volontari invece di buttarla. Tè e torta offerti.',
    },
    schedules: ['monthly', 'once'],
    minutes: [180, 180],
    free: 1,
    signup: ['none'],
    tags: {
      en: ['repair', 'sustainability', 'zero waste'],
      lt: ['taisymas', 'tvarumas', 'be atliekų'],
      it: ['riparazione', 'sostenibilità', 'rifiuti zero'],
    },
    skills: [
      'greencomp:4.3',
      'greencomp:1.1',
      'entrecomp:1.5',
      'digcomp:4.4',
      esco.reduceConsumption,
      esco.manageWaste,
    ],
  },
  {
    key: 'community-garden',
    profiles: ['youth', 'museum', 'sports', 'library'],
    audience: 'family',
    variants: [
      {
        title: {
          en: 'Community garden and compost club',
          lt: 'Bendruomenės daržo ir komposto klubas',
          it: 'Orto di quartiere e compostaggio',
        },
        ages: [
          [6, null],
          [8, 14],
        ],
      },
    ],
    description: {
      en: 'Sow, plant, water and harvest in raised beds with experienced growers, and keep the compost going through the winter. Learn about soil, seasons and pollinators, and take home a share of what grows.',
      lt: 'Kartu su patyrusiais daržininkais sėsime, sodinsime, laistysime ir nuimsime derlių pakeltose lysvėse, o žiemą prižiūrėsime kompostą. Sužinosite apie dirvožemį, metų laikus ir apdulkintojus, o dalį derliaus parsinešite namo.',
      it: "Seminiamo, piantiamo, annaffiamo e raccogliamo nelle aiuole rialzate insieme a ortolani esperti, e d'inverno curiamo il compost. Si impara su terra, stagioni e impollinatori, e una parte del raccolto va a casa con voi.",
    },
    schedules: ['weekly', 'fortnightly'],
    minutes: [120, 120],
    free: 1,
    signup: ['none', 'internal'],
    capacity: [15, 25],
    tags: {
      en: ['gardening', 'nature', 'families'],
      lt: ['daržininkystė', 'gamta', 'šeimoms'],
      it: ['orto', 'natura', 'famiglie'],
    },
    skills: [
      'greencomp:1.3',
      'greencomp:2.1',
      'lifecomp:P3',
      'entrecomp:3.4',
      esco.plantsIndoorClimate,
      esco.promoteSustainability,
    ],
  },
  {
    key: 'energy-home',
    profiles: ['college', 'employer', 'library'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Save energy at home: bills, insulation and heat pumps',
          lt: 'Taupykime energiją namuose: sąskaitos, šiltinimas ir šilumos siurbliai',
          it: 'Risparmiare energia in casa: bollette, isolamento e pompe di calore',
        },
        ages: [[18, null]],
      },
    ],
    description: {
      en: 'Understand your energy bill, find where heat escapes and compare what insulation, smart thermostats and heat pumps really save, with an independent energy adviser.',
      lt: 'Su nepriklausomu energetikos konsultantu išsiaiškinsite savo sąskaitą, rasite, pro kur išeina šiluma, ir palyginsite, kiek iš tikrųjų sutaupo šiltinimas, išmanieji termostatai ir šilumos siurbliai.',
      it: 'Con un consulente energetico indipendente impari a leggere la bolletta, a capire da dove si disperde il calore e a confrontare quanto fanno davvero risparmiare isolamento, termostati intelligenti e pompe di calore.',
    },
    schedules: ['once'],
    minutes: [90, 90],
    free: 1,
    signup: ['internal', 'none', 'external'],
    capacity: [20, 40],
    online: 0.3,
    tags: {
      en: ['energy', 'sustainability', 'money'],
      lt: ['energija', 'tvarumas', 'pinigai'],
      it: ['energia', 'sostenibilità', 'risparmio'],
    },
    skills: [
      'greencomp:2.1',
      'greencomp:4.3',
      'entrecomp:2.4',
      esco.analyseEnergy,
      esco.energyEfficiency,
      esco.promoteEnergy,
    ],
  },
  {
    key: 'climate-lab',
    profiles: ['museum', 'youth', 'college'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Climate action lab for {min}–{max} year olds',
          lt: 'Klimato veiksmų laboratorija {min}–{max} metų jaunimui',
          it: 'Laboratorio di azione per il clima per ragazzi di {min}-{max} anni',
        },
        ages: [
          [12, 15],
          [14, 18],
          [15, 19],
        ],
      },
    ],
    description: {
      en: 'Explore the science of climate change with real data, imagine how the neighbourhood could look in 2050, and plan a small project that makes a difference where you live.',
      lt: 'Remdamiesi tikrais duomenimis nagrinėsite klimato kaitos mokslą, įsivaizduosite, kaip jūsų rajonas galėtų atrodyti 2050 metais, ir suplanuosite nedidelį projektą, kuris ką nors pakeistų jūsų aplinkoje.',
      it: 'Esploriamo la scienza del cambiamento climatico con dati reali, immaginiamo il quartiere nel 2050 e progettiamo una piccola azione concreta per il posto in cui viviamo.',
    },
    schedules: ['weekly', 'once'],
    minutes: [120, 120],
    free: 1,
    signup: ['internal'],
    capacity: [12, 24],
    tags: {
      en: ['climate', 'science', 'sustainability'],
      lt: ['klimatas', 'mokslas', 'tvarumas'],
      it: ['clima', 'scienza', 'sostenibilità'],
    },
    skills: [
      'greencomp:3.1',
      'greencomp:4.2',
      'greencomp:2.2',
      'entrecomp:1.3',
      'entrecomp:1.5',
      'lifecomp:L2',
      esco.climateImpact,
      esco.engageOthersGreen,
    ],
  },
  {
    key: 'bike-repair',
    profiles: ['makerspace', 'sports', 'youth'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Fix your bike: maintenance workshop',
          lt: 'Susitvarkyk dviratį: priežiūros dirbtuvės',
          it: 'Ciclofficina: impara a sistemare la bici',
        },
        ages: [
          [11, 16],
          [14, null],
          [16, null],
        ],
      },
    ],
    description: {
      en: 'Learn to fix a puncture, adjust brakes and gears and keep your chain running smoothly. Bring your own bike; tools and spare parts are here.',
      lt: 'Išmoksite užlopyti padangą, sureguliuoti stabdžius ir pavaras, prižiūrėti grandinę. Atsiveskite savo dviratį – įrankius ir atsargines dalis turime.',
      it: 'Impara a riparare una foratura, regolare freni e cambio e tenere la catena in ordine. Porta la tua bici: attrezzi e ricambi li mettiamo noi.',
    },
    schedules: ['weekly', 'once'],
    minutes: [120, 120],
    free: 0.8,
    price: [2, 6],
    signup: ['none', 'internal'],
    capacity: [8, 12],
    tags: { en: ['cycling', 'repair'], lt: ['dviračiai', 'taisymas'], it: ['bicicletta', 'riparazione'] },
    skills: ['greencomp:4.3', 'entrecomp:3.5', 'lifecomp:L1', esco.safety, esco.reduceConsumption],
  },
  {
    key: 'nature-walk',
    profiles: ['museum', 'sports', 'youth'],
    audience: 'family',
    variants: [
      {
        title: {
          en: 'Family nature walk and wildlife spotting',
          lt: 'Šeimų pažintinis žygis gamtoje',
          it: 'Passeggiata naturalistica per famiglie',
        },
        ages: [
          [4, null],
          [5, 12],
        ],
      },
    ],
    description: {
      en: 'A gentle guided walk to discover birds, trees and insects along the river and in the parks, with binoculars, identification cards and a short quiz for children.',
      lt: 'Neskubus žygis su gidu: pažinsime paukščius, medžius ir vabzdžius palei upę ir parkuose. Turėsime žiūronus, atpažinimo korteles ir trumpą viktoriną vaikams.',
      it: 'Una passeggiata tranquilla con guida alla scoperta di uccelli, alberi e insetti lungo il fiume e nei parchi, con binocoli, schede di riconoscimento e un piccolo quiz per i bambini.',
    },
    schedules: ['once'],
    minutes: [120, 120],
    free: 0.8,
    price: [2, 6],
    signup: ['internal', 'none'],
    capacity: [15, 30],
    tags: {
      en: ['nature', 'families', 'outdoors'],
      lt: ['gamta', 'šeimoms', 'lauke'],
      it: ['natura', 'famiglie', "all'aperto"],
    },
    skills: ['greencomp:1.3', 'greencomp:1.1', 'lifecomp:P3', 'entrecomp:3.4', esco.promoteSustainability],
  },
  {
    key: 'zero-waste-cooking',
    profiles: ['college', 'library', 'youth'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Zero-waste cooking on a budget',
          lt: 'Taupus maisto gaminimas be atliekų',
          it: 'Cucina antispreco con poca spesa',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Plan meals, use leftovers and store food so less ends up in the bin. We cook three simple seasonal dishes together and share the recipes.',
      lt: 'Išmoksite planuoti valgiaraštį, panaudoti likučius ir laikyti maistą taip, kad mažiau jo atsidurtų šiukšliadėžėje. Kartu pagaminsime tris paprastus sezoninius patiekalus ir pasidalinsime receptais.',
      it: 'Impara a pianificare i pasti, usare gli avanzi e conservare il cibo per sprecarne meno. Cuciniamo insieme tre piatti semplici di stagione e ci scambiamo le ricette.',
    },
    schedules: ['once', 'fortnightly'],
    minutes: [150, 150],
    free: 0.6,
    price: [5, 12],
    signup: ['internal'],
    capacity: [8, 14],
    tags: {
      en: ['cooking', 'food', 'zero waste'],
      lt: ['maisto gaminimas', 'maistas', 'be atliekų'],
      it: ['cucina', 'cibo', 'antispreco'],
    },
    skills: ['greencomp:1.1', 'greencomp:4.3', 'entrecomp:2.4', 'lifecomp:P3', esco.reduceConsumption],
  },
  {
    key: 'science-explorers',
    profiles: ['museum', 'library'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Science explorers: hands-on experiments for {min}–{max} year olds',
          lt: 'Jaunieji tyrėjai: eksperimentai {min}–{max} metų vaikams',
          it: 'Piccoli scienziati: esperimenti per bambini di {min}-{max} anni',
        },
        ages: [
          [5, 8],
          [7, 11],
          [8, 12],
        ],
      },
    ],
    description: {
      en: 'Launch water rockets, grow crystals, mix colourful solutions and find out why it all works. Lab coats and goggles provided; parents are welcome to join in.',
      lt: 'Leisime vandens raketas, auginsime kristalus, maišysime spalvotus tirpalus ir aiškinsimės, kodėl visa tai veikia. Chalatus ir apsauginius akinius duosime, tėveliai kviečiami prisijungti.',
      it: 'Lanciamo razzi ad acqua, facciamo crescere cristalli, mescoliamo soluzioni colorate e scopriamo perché tutto funziona. Camici e occhialini li forniamo noi; i genitori possono partecipare.',
    },
    schedules: ['once', 'weekly', 'camp'],
    minutes: [90, 90],
    free: 0.5,
    price: [3, 8],
    signup: ['internal', 'external'],
    capacity: [12, 20],
    tags: {
      en: ['science', 'families', 'stem'],
      lt: ['mokslas', 'šeimoms', 'stem'],
      it: ['scienza', 'famiglie', 'stem'],
    },
    skills: ['greencomp:3.3', 'lifecomp:L1', 'entrecomp:1.2', esco.thinkCritically, esco.thinkCreatively],
  },
  {
    key: 'creative-writing',
    profiles: ['library', 'arts', 'college'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Creative writing workshop',
          lt: 'Kūrybinio rašymo dirbtuvės',
          it: 'Laboratorio di scrittura creativa',
        },
        ages: [[16, null]],
      },
      {
        title: {
          en: "Young writers' club for {min}–{max} year olds",
          lt: 'Jaunųjų rašytojų klubas {min}–{max} metų jaunimui',
          it: 'Club dei giovani scrittori ({min}-{max} anni)',
        },
        ages: [
          [11, 14],
          [13, 17],
        ],
      },
    ],
    description: {
      en: 'Short exercises, prompts and friendly feedback to help you find your voice in stories, poems and personal essays. Each session ends with an open reading for anyone who wants to share.',
      lt: 'Trumpi pratimai, užduotys ir draugiški komentarai padės atrasti savo balsą apsakymuose, eilėraščiuose ir esė. Kiekvienas susitikimas baigiasi atvirais skaitymais norintiems pasidalinti.',
      it: 'Brevi esercizi, spunti e commenti costruttivi per trovare la tua voce in racconti, poesie e testi personali. Ogni incontro si chiude con una lettura aperta per chi vuole condividere.',
    },
    schedules: ['weekly', 'fortnightly'],
    minutes: [90, 90],
    free: 0.7,
    price: [3, 8],
    signup: ['internal', 'none'],
    capacity: [8, 14],
    tags: { en: ['writing', 'literature'], lt: ['rašymas', 'literatūra'], it: ['scrittura', 'letteratura'] },
    skills: ['lifecomp:S2', 'entrecomp:1.2', 'digcomp:3.1', esco.thinkCreatively],
  },
  {
    key: 'rhyme-time',
    profiles: ['library'],
    audience: 'early',
    variants: [
      {
        title: {
          en: 'Rhyme time for babies and toddlers',
          lt: 'Eilėraščių ir dainelių rytmetis mažyliams',
          it: 'Filastrocche e letture per i più piccoli',
        },
        ages: [
          [0, 5],
          [0, 3],
        ],
      },
    ],
    description: {
      en: 'Songs, rhymes and picture books for children under five and their grown-ups. A relaxed half hour that supports early language, followed by time to play and borrow books.',
      lt: 'Dainelės, eilėraščiai ir paveikslėlių knygos vaikams iki penkerių metų ir juos lydintiems suaugusiesiems. Atpalaiduojantis pusvalandis, skatinantis kalbos raidą, o po jo – laikas žaisti ir pasiskolinti knygų.',
      it: "Canzoni, filastrocche e albi illustrati per bambini sotto i cinque anni e i loro adulti. Mezz'ora rilassata che aiuta lo sviluppo del linguaggio, poi tempo per giocare e prendere libri in prestito.",
    },
    schedules: ['weekly'],
    minutes: [45, 45],
    free: 1,
    signup: ['none'],
    tags: {
      en: ['early years', 'reading', 'families'],
      lt: ['mažyliams', 'skaitymas', 'šeimoms'],
      it: ['prima infanzia', 'lettura', 'famiglie'],
    },
    skills: ['lifecomp:S2', 'lifecomp:S1', 'entrecomp:3.4', esco.instructOthers],
  },
  {
    key: 'homework-club',
    profiles: ['library', 'youth'],
    audience: 'kids',
    variants: [
      {
        title: { en: 'Homework club', lt: 'Namų darbų klubas', it: 'Doposcuola: aiuto compiti' },
        ages: [
          [8, 12],
          [11, 16],
        ],
      },
    ],
    description: {
      en: 'A quiet, friendly space after school with volunteer tutors, computers and printers. Get help with maths, reading and projects, or just get your homework done with a snack.',
      lt: 'Rami ir draugiška erdvė po pamokų su savanoriais korepetitoriais, kompiuteriais ir spausdintuvais. Gausite pagalbos su matematika, skaitymu ir projektais arba tiesiog ramiai atliksite namų darbus prie užkandžio.',
      it: 'Uno spazio tranquillo e accogliente dopo la scuola, con tutor volontari, computer e stampanti. Aiuto in matematica, lettura e ricerche, o semplicemente un posto dove fare i compiti con la merenda.',
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 1,
    signup: ['none', 'internal'],
    capacity: [15, 25],
    tags: { en: ['homework', 'education'], lt: ['namų darbai', 'mokymasis'], it: ['compiti', 'scuola'] },
    skills: ['lifecomp:L3', 'lifecomp:P1', 'digcomp:1.1', 'entrecomp:2.2', esco.manageTime],
  },
  {
    key: 'language-cafe',
    profiles: ['library', 'college', 'youth'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: '{cityLanguage} conversation café for newcomers',
          lt: 'Lietuvių kalbos pokalbių kavinė atvykusiems',
          it: 'Caffè linguistico: italiano per nuovi arrivati',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Practise everyday {cityLanguage} over a cup of tea with volunteers and other learners: shopping, doctors, school and work. All levels welcome, including complete beginners.',
      lt: 'Praktikuokitės kasdienės lietuvių kalbos prie arbatos puodelio su savanoriais ir kitais besimokančiaisiais: parduotuvėje, pas gydytoją, mokykloje ir darbe. Laukiami visų lygių dalyviai, net visiški pradedantieji.',
      it: "Pratica l'italiano di tutti i giorni davanti a un tè con volontari e altri studenti: la spesa, il medico, la scuola, il lavoro. Tutti i livelli sono benvenuti, anche chi parte da zero.",
    },
    schedules: ['weekly'],
    minutes: [90, 90],
    free: 1,
    signup: ['none'],
    tags: {
      en: ['languages', 'newcomers', 'conversation'],
      lt: ['kalbos', 'atvykusiems', 'pokalbiai'],
      it: ['lingue', 'nuovi arrivati', 'conversazione'],
    },
    skills: ['lifecomp:S2', 'lifecomp:S1', 'entrecomp:2.5', 'local:youth-work.relationships', esco.workInTeams],
    languages: {
      plymouth: [['en', 'uk', 'ar'], ['en', 'pl'], ['en']],
      vilnius: [['lt', 'uk', 'ru'], ['lt', 'en'], ['lt']],
      torino: [['it', 'ar', 'en'], ['it', 'fr'], ['it']],
    },
  },
  {
    key: 'first-aid',
    profiles: ['sports', 'college', 'youth'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'First aid for young people',
          lt: 'Pirmosios pagalbos mokymai jaunimui',
          it: 'Primo soccorso per ragazzi',
        },
        ages: [[12, 17]],
      },
      {
        title: {
          en: 'Emergency first aid certificate course',
          lt: 'Pirmosios pagalbos kursai su pažymėjimu',
          it: 'Corso di primo soccorso con attestato',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Learn what to do in the first minutes of an emergency: recovery position, CPR with a training manikin, using a defibrillator, bleeding and burns. Practical and hands-on.',
      lt: 'Išmoksite, ką daryti pirmosiomis nelaimės minutėmis: stabilus šoninis padėjimas, gaivinimas su treniruokliu-manekenu, defibriliatoriaus naudojimas, kraujavimo stabdymas ir nudegimai. Daug praktikos.',
      it: "Cosa fare nei primi minuti di un'emergenza: posizione laterale di sicurezza, rianimazione su manichino, uso del defibrillatore, emorragie e ustioni. Un corso pratico, con molte esercitazioni.",
    },
    schedules: ['once'],
    minutes: [180, 240],
    free: 0.4,
    price: [15, 45],
    signup: ['internal', 'external'],
    capacity: [10, 16],
    tags: {
      en: ['first aid', 'health', 'safety'],
      lt: ['pirmoji pagalba', 'sveikata', 'saugumas'],
      it: ['primo soccorso', 'salute', 'sicurezza'],
    },
    skills: ['lifecomp:P3', 'lifecomp:S1', 'entrecomp:3.3', esco.healthRisks, esco.safety],
  },
  {
    key: 'photo-walk',
    profiles: ['arts', 'museum', 'library'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Photography walk: the city through your lens',
          lt: 'Fotografijos pasivaikščiojimas: miestas per objektyvą',
          it: 'Passeggiata fotografica: la città nel tuo obiettivo',
        },
        ages: [
          [14, null],
          [12, 17],
        ],
      },
    ],
    description: {
      en: 'Explore the neighbourhood with a photographer and learn composition, light and storytelling with whatever camera you have — a phone is fine. The best shots go into a small exhibition.',
      lt: 'Su fotografu tyrinėsite rajoną ir mokysitės kompozicijos, šviesos ir pasakojimo bet kokiu turimu fotoaparatu – tiks ir telefonas. Geriausios nuotraukos pateks į nedidelę parodą.',
      it: 'Esplora il quartiere con un fotografo e impara composizione, luce e racconto con qualsiasi fotocamera, anche quella del telefono. Gli scatti migliori finiranno in una piccola mostra.',
    },
    schedules: ['once', 'fortnightly'],
    minutes: [150, 150],
    free: 0.6,
    price: [5, 15],
    signup: ['internal', 'external'],
    capacity: [10, 15],
    tags: {
      en: ['photography', 'art', 'outdoors'],
      lt: ['fotografija', 'menas', 'lauke'],
      it: ['fotografia', 'arte', "all'aperto"],
    },
    skills: ['digcomp:3.1', 'digcomp:3.3', 'lifecomp:L2', 'entrecomp:1.2', esco.thinkCreatively],
  },
  {
    key: 'drawing',
    profiles: ['arts', 'library', 'museum'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Drawing and illustration for {min}–{max} year olds',
          lt: 'Piešimo ir iliustravimo studija {min}–{max} metų vaikams',
          it: 'Disegno e illustrazione per bambini di {min}-{max} anni',
        },
        ages: [
          [7, 10],
          [9, 12],
        ],
      },
      {
        title: { en: 'Life drawing evenings', lt: 'Piešimo iš natūros vakarai', it: 'Serate di disegno dal vero' },
        ages: [[18, null]],
      },
    ],
    description: {
      en: 'Pencils, ink and watercolour: learn to observe, sketch and build up a picture step by step in a relaxed studio, with all materials provided.',
      lt: 'Pieštukai, tušas ir akvarelė: atsipalaidavusioje studijoje mokysitės stebėti, eskizuoti ir žingsnis po žingsnio kurti piešinį. Visas priemones suteikiame.',
      it: "Matite, china e acquerello: impara a osservare, schizzare e costruire un'immagine passo dopo passo in un atelier rilassato, con tutto il materiale fornito.",
    },
    schedules: ['weekly'],
    minutes: [90, 120],
    free: 0.5,
    price: [4, 12],
    signup: ['internal', 'none'],
    capacity: [8, 14],
    tags: { en: ['art', 'drawing'], lt: ['menas', 'piešimas'], it: ['arte', 'disegno'] },
    skills: ['entrecomp:1.2', 'lifecomp:P1', 'greencomp:3.3', esco.thinkCreatively],
  },
  {
    key: 'youth-theatre',
    profiles: ['arts', 'youth'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Youth theatre group for {min}–{max} year olds',
          lt: 'Jaunimo teatro studija {min}–{max} metų jaunimui',
          it: 'Laboratorio teatrale per ragazzi di {min}-{max} anni',
        },
        ages: [
          [8, 11],
          [11, 14],
          [14, 18],
        ],
      },
    ],
    description: {
      en: 'Games, improvisation and voice work that build confidence, then a short play created and performed by the group for families at the end of the season.',
      lt: 'Žaidimai, improvizacija ir balso lavinimas, stiprinantys pasitikėjimą savimi, o sezono pabaigoje – trumpas grupės sukurtas spektaklis šeimoms.',
      it: 'Giochi, improvvisazione e lavoro sulla voce per acquistare sicurezza, e a fine stagione un breve spettacolo creato e recitato dal gruppo per le famiglie.',
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 0.7,
    price: [3, 8],
    signup: ['internal'],
    capacity: [12, 20],
    tags: {
      en: ['theatre', 'drama', 'confidence'],
      lt: ['teatras', 'vaidyba', 'pasitikėjimas'],
      it: ['teatro', 'recitazione', 'autostima'],
    },
    skills: ['lifecomp:S2', 'lifecomp:S3', 'lifecomp:P2', 'entrecomp:2.1', esco.workInTeams],
  },
  {
    key: 'youth-leadership',
    profiles: ['youth', 'sports', 'library'],
    audience: 'young',
    variants: [
      {
        title: {
          en: 'Youth leadership and volunteering programme',
          lt: 'Jaunimo lyderystės ir savanorystės programa',
          it: 'Percorso di leadership e volontariato per giovani',
        },
        ages: [
          [15, 19],
          [16, 25],
          [14, 18],
        ],
      },
    ],
    description: {
      en: 'Plan and run a real project for your community with other young people: a clean-up, a fundraiser, an event. Training sessions cover teamwork, planning and speaking up.',
      lt: 'Su kitais jaunais žmonėmis suplanuosite ir įgyvendinsite tikrą projektą savo bendruomenei: talką, labdaros akciją ar renginį. Mokymuose – komandinis darbas, planavimas ir viešasis kalbėjimas.',
      it: "Con altri giovani progetti e realizzi un'iniziativa vera per la tua comunità: una pulizia del parco, una raccolta fondi, un evento. Gli incontri di formazione riguardano lavoro di squadra, pianificazione e parlare in pubblico.",
    },
    schedules: ['weekly', 'fortnightly'],
    minutes: [120, 120],
    free: 1,
    signup: ['internal'],
    capacity: [12, 20],
    tags: {
      en: ['volunteering', 'leadership', 'community'],
      lt: ['savanorystė', 'lyderystė', 'bendruomenė'],
      it: ['volontariato', 'leadership', 'comunità'],
    },
    skills: [
      'entrecomp:2.5',
      'entrecomp:3.1',
      'entrecomp:3.2',
      'local:youth-work.initiative',
      'local:youth-work.planning',
      'greencomp:4.2',
      'lifecomp:S3',
      esco.showInitiative,
    ],
  },
  {
    key: 'start-business',
    profiles: ['employer', 'college', 'library'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Start your own business: from idea to first customer',
          lt: 'Pradėk savo verslą: nuo idėjos iki pirmojo kliento',
          it: "Avvia la tua impresa: dall'idea al primo cliente",
        },
        ages: [
          [18, null],
          [16, 30],
        ],
      },
    ],
    description: {
      en: 'Test your business idea, work out costs and prices, and learn the basics of registering, marketing and finding funding, with mentors from local companies.',
      lt: 'Kartu su vietos įmonių mentoriais patikrinsite savo verslo idėją, apskaičiuosite kaštus ir kainas, sužinosite registravimo, rinkodaros ir finansavimo paieškos pagrindus.',
      it: "Metti alla prova la tua idea d'impresa, calcola costi e prezzi e impara le basi di apertura, marketing e ricerca di finanziamenti con mentori di aziende del territorio.",
    },
    schedules: ['weekly', 'once'],
    minutes: [150, 150],
    free: 0.6,
    price: [10, 40],
    signup: ['internal', 'external'],
    capacity: [12, 24],
    blended: 0.25,
    tags: { en: ['entrepreneurship', 'business'], lt: ['verslumas', 'verslas'], it: ['imprenditorialità', 'impresa'] },
    skills: [
      'entrecomp:1.1',
      'entrecomp:1.4',
      'entrecomp:2.4',
      'entrecomp:3.2',
      esco.thinkInnovatively,
      esco.sustainableFinance,
    ],
  },
  {
    key: 'money-skills',
    profiles: ['college', 'library', 'youth', 'employer'],
    audience: 'young',
    variants: [
      {
        title: {
          en: 'Money skills for young people',
          lt: 'Finansinis raštingumas jaunimui',
          it: 'Educazione finanziaria per giovani',
        },
        ages: [
          [15, 19],
          [16, 25],
        ],
      },
    ],
    description: {
      en: 'Budgeting, bank accounts, payslips, saving and avoiding debt traps, explained with real examples and a budgeting app you can keep using.',
      lt: 'Biudžeto planavimas, banko sąskaitos, algalapiai, taupymas ir kaip nepakliūti į skolų spąstus – su tikrais pavyzdžiais ir biudžeto programėle, kuria galėsite naudotis ir toliau.',
      it: "Bilancio personale, conti in banca, buste paga, risparmio e come evitare le trappole del debito, con esempi reali e un'app per il budget da continuare a usare.",
    },
    schedules: ['once', 'weekly'],
    minutes: [90, 90],
    free: 1,
    signup: ['internal', 'none'],
    capacity: [12, 25],
    online: 0.2,
    tags: {
      en: ['money', 'life skills'],
      lt: ['pinigai', 'gyvenimo įgūdžiai'],
      it: ['denaro', 'competenze per la vita'],
    },
    skills: ['entrecomp:2.4', 'lifecomp:P1', 'digcomp:2.1', esco.sustainableFinance, esco.manageTime],
  },
  {
    key: 'sports',
    profiles: ['sports'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Climbing wall taster for {min}–{max} year olds',
          lt: 'Laipiojimo sienelės užsiėmimai {min}–{max} metų vaikams',
          it: 'Prova di arrampicata per ragazzi di {min}-{max} anni',
        },
        ages: [
          [8, 12],
          [11, 16],
        ],
      },
      {
        title: {
          en: 'Rowing and paddling taster session',
          lt: 'Irklavimo ir baidarių bandomoji treniruotė',
          it: 'Prova di canottaggio e canoa',
        },
        ages: [[12, 17]],
      },
      {
        title: {
          en: 'Basketball club for {min}–{max} year olds',
          lt: 'Krepšinio treniruotės {min}–{max} metų vaikams',
          it: 'Basket per ragazzi di {min}-{max} anni',
        },
        ages: [
          [8, 11],
          [12, 15],
        ],
      },
    ],
    description: {
      en: 'Qualified coaches, all equipment provided and a focus on fun, teamwork and trying something new. No experience or fitness level needed.',
      lt: 'Kvalifikuoti treneriai, visa reikalinga įranga ir dėmesys linksmybei, komandiniam darbui bei naujų dalykų išbandymui. Patirties ar ypatingo pasirengimo nereikia.',
      it: 'Allenatori qualificati, tutta l’attrezzatura fornita e l’obiettivo di divertirsi, fare squadra e provare qualcosa di nuovo. Non servono esperienza né una preparazione particolare.',
    },
    schedules: ['weekly', 'once', 'weekly'],
    minutes: [90, 90],
    free: 0.5,
    price: [3, 8],
    signup: ['internal', 'external'],
    capacity: [10, 20],
    tags: {
      en: ['sport', 'health', 'teamwork'],
      lt: ['sportas', 'sveikata', 'komandinis darbas'],
      it: ['sport', 'salute', 'squadra'],
    },
    skills: ['lifecomp:P3', 'lifecomp:S3', 'entrecomp:2.2', 'entrecomp:3.4', esco.workInTeams],
  },
  {
    key: 'careers-taster',
    profiles: ['employer'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Careers taster day: engineering and technology',
          lt: 'Karjeros diena: inžinerija ir technologijos',
          it: 'Giornata di orientamento: ingegneria e tecnologia',
        },
        ages: [[14, 19]],
      },
      {
        title: {
          en: 'Apprenticeship open evening',
          lt: 'Pameistrystės atvirų durų vakaras',
          it: "Serata di presentazione dell'apprendistato",
        },
        ages: [[15, 24]],
      },
    ],
    description: {
      en: 'Meet apprentices and engineers, try real tasks in the workshop and find out about apprenticeships, placements and entry routes. Parents and carers welcome.',
      lt: 'Susitiksite su pameistriais ir inžinieriais, išbandysite tikras užduotis dirbtuvėse ir sužinosite apie pameistrystę, praktikas ir kelius į profesiją. Kviečiame ir tėvus.',
      it: 'Incontra apprendisti e ingegneri, prova attività vere in officina e scopri apprendistato, tirocini e percorsi di accesso. Genitori benvenuti.',
    },
    schedules: ['once'],
    minutes: [180, 300],
    free: 1,
    signup: ['internal', 'external'],
    capacity: [15, 40],
    tags: {
      en: ['careers', 'engineering', 'apprenticeships'],
      lt: ['karjera', 'inžinerija', 'pameistrystė'],
      it: ['orientamento', 'ingegneria', 'apprendistato'],
    },
    skills: ['entrecomp:1.1', 'entrecomp:2.1', 'digcomp:5.4', esco.safety, esco.showInitiative],
  },
  {
    key: 'wellbeing',
    profiles: ['youth', 'sports', 'college', 'library'],
    audience: 'teens',
    variants: [
      {
        title: {
          en: 'Mindfulness and wellbeing for teens',
          lt: 'Sąmoningumas ir gera savijauta paaugliams',
          it: 'Mindfulness e benessere per adolescenti',
        },
        ages: [
          [13, 17],
          [14, 18],
        ],
      },
    ],
    description: {
      en: 'Simple breathing, movement and journaling techniques to handle exam stress, sleep better and look after your mental health, in a small and welcoming group.',
      lt: 'Paprasti kvėpavimo, judesio ir dienoraščio rašymo būdai, padedantys įveikti egzaminų stresą, geriau miegoti ir rūpintis psichikos sveikata, – nedidelėje ir draugiškoje grupėje.',
      it: "Semplici tecniche di respirazione, movimento e scrittura per gestire l'ansia da esami, dormire meglio e prendersi cura della propria salute mentale, in un piccolo gruppo accogliente.",
    },
    schedules: ['weekly'],
    minutes: [60, 60],
    free: 1,
    signup: ['internal', 'none'],
    capacity: [8, 14],
    tags: {
      en: ['wellbeing', 'mental health'],
      lt: ['gera savijauta', 'psichikos sveikata'],
      it: ['benessere', 'salute mentale'],
    },
    skills: ['lifecomp:P1', 'lifecomp:P3', 'lifecomp:L1', 'entrecomp:2.1', esco.healthRisks],
  },
  {
    key: 'online-course',
    profiles: ['college', 'library', 'employer'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Digital basics online: a self-paced course',
          lt: 'Skaitmeninis raštingumas internetu: savarankiškas kursas',
          it: 'Competenze digitali di base: corso online al tuo ritmo',
        },
        ages: [[16, null]],
      },
      {
        title: {
          en: 'Online course: cyber security essentials',
          lt: 'Nuotolinis kursas: kibernetinio saugumo pagrindai',
          it: 'Corso online: le basi della sicurezza informatica',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Short videos, quizzes and practical tasks you can do whenever suits you, with a tutor answering questions on the forum. About six hours in total.',
      lt: 'Trumpi vaizdo įrašai, testai ir praktinės užduotys, kurias galite atlikti jums patogiu metu, o forume į klausimus atsako dėstytojas. Iš viso apie šešias valandas.',
      it: 'Brevi video, quiz ed esercizi pratici da fare quando vuoi, con un tutor che risponde alle domande nel forum. Circa sei ore in tutto.',
    },
    schedules: ['on_demand'],
    minutes: [60, 60],
    free: 0.8,
    price: [10, 30],
    signup: ['external', 'none'],
    online: 1,
    tags: {
      en: ['online', 'digital skills'],
      lt: ['nuotolinis', 'skaitmeninis raštingumas'],
      it: ['online', 'competenze digitali'],
    },
    skills: ['digcomp:1.1', 'digcomp:4.1', 'digcomp:4.2', 'digcomp:5.4', esco.ictSafety, esco.digitalFootprint],
  },
  {
    key: 'green-jobs-webinar',
    profiles: ['employer', 'college'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Webinar: green jobs and how to get into them',
          lt: 'Vebinaras: žalieji darbai ir kaip juos gauti',
          it: 'Webinar: i lavori verdi e come arrivarci',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Employers in renewable energy, retrofit and recycling explain the jobs they are hiring for, the skills they look for and the training that leads there. Questions in the chat.',
      lt: 'Atsinaujinančios energetikos, pastatų renovacijos ir perdirbimo darbdaviai papasakos, kokių darbuotojų ieško, kokių įgūdžių reikia ir kokie mokymai veda į šias profesijas. Klausimus užduokite pokalbių lange.',
      it: 'Aziende di energie rinnovabili, riqualificazione edilizia e riciclo raccontano chi stanno cercando, quali competenze servono e quali percorsi formativi portano lì. Domande in chat.',
    },
    schedules: ['once'],
    minutes: [60, 60],
    free: 1,
    signup: ['external', 'none'],
    online: 1,
    tags: {
      en: ['green jobs', 'careers', 'online'],
      lt: ['žalieji darbai', 'karjera', 'nuotolinis'],
      it: ['lavori verdi', 'orientamento', 'online'],
    },
    skills: [
      'greencomp:3.2',
      'greencomp:1.1',
      'entrecomp:1.1',
      'entrecomp:1.5',
      esco.promoteSustainability,
      esco.promoteEnergy,
    ],
  },
  {
    key: 'collections-tour',
    profiles: ['museum', 'arts'],
    audience: 'adults',
    variants: [
      {
        title: {
          en: 'Behind the scenes: a guided tour of the collections',
          lt: 'Užkulisiuose: ekskursija po rinkinius',
          it: 'Dietro le quinte: visita guidata alle collezioni',
        },
        ages: [
          [12, null],
          [null, null],
        ],
      },
    ],
    description: {
      en: 'Curators open the stores and workshops that visitors rarely see and tell the stories behind the objects. Includes a hands-on session handling real specimens.',
      lt: 'Kuratoriai atvers saugyklas ir dirbtuves, kurių lankytojai paprastai nemato, ir papasakos eksponatų istorijas. Galėsite ir patys paliesti tikrus eksponatus.',
      it: 'I curatori aprono depositi e laboratori che i visitatori non vedono quasi mai e raccontano le storie dietro gli oggetti. Con un momento in cui maneggiare reperti veri.',
    },
    schedules: ['once'],
    minutes: [90, 90],
    free: 0.4,
    price: [4, 10],
    signup: ['internal', 'external'],
    capacity: [12, 25],
    tags: {
      en: ['museum', 'history', 'heritage'],
      lt: ['muziejus', 'istorija', 'paveldas'],
      it: ['museo', 'storia', 'patrimonio'],
    },
    skills: ['lifecomp:L2', 'greencomp:1.3', 'entrecomp:1.3', esco.thinkCritically],
  },
  {
    key: 'makers-festival',
    profiles: ['museum', 'makerspace', 'college'],
    audience: 'family',
    variants: [
      {
        title: {
          en: 'Makers and science weekend festival',
          lt: 'Kūrėjų ir mokslo savaitgalio festivalis',
          it: 'Festival dei maker e della scienza',
        },
        ages: [[null, null]],
      },
    ],
    description: {
      en: 'Two days of drop-in demonstrations, workshops and talks for all ages: robots, 3D printers, chemistry shows, repair stations and local makers showing their projects.',
      lt: 'Dvi dienos ateinantiems be registracijos: demonstracijos, dirbtuvės ir pokalbiai visoms amžiaus grupėms – robotai, 3D spausdintuvai, chemijos šou, taisymo stotelės ir vietos kūrėjų projektai.',
      it: 'Due giorni di dimostrazioni, laboratori e incontri a ingresso libero per tutte le età: robot, stampanti 3D, spettacoli di chimica, postazioni di riparazione e maker del territorio con i loro progetti.',
    },
    schedules: ['allday'],
    minutes: [0, 0],
    free: 1,
    signup: ['none'],
    tags: {
      en: ['festival', 'families', 'stem'],
      lt: ['festivalis', 'šeimoms', 'stem'],
      it: ['festival', 'famiglie', 'stem'],
    },
    skills: ['digcomp:5.3', 'greencomp:3.3', 'entrecomp:1.2', 'lifecomp:L1', esco.thinkCreatively],
  },
  {
    key: 'holiday-camp',
    profiles: ['youth', 'makerspace', 'sports', 'museum'],
    audience: 'kids',
    variants: [
      {
        title: {
          en: 'Holiday STEM camp for {min}–{max} year olds',
          lt: 'Atostogų STEAM stovykla {min}–{max} metų vaikams',
          it: 'Campus STEM delle vacanze per bambini di {min}-{max} anni',
        },
        ages: [
          [7, 11],
          [8, 12],
        ],
      },
    ],
    description: {
      en: 'A week of building, coding, outdoor games and experiments during the school holidays, 9:30 to 15:30 each day. Bring a packed lunch; snacks provided.',
      lt: 'Savaitė konstravimo, programavimo, žaidimų lauke ir eksperimentų per mokinių atostogas, kasdien nuo 9.30 iki 15.30. Atsineškite priešpiečius, užkandžius suteiksime.',
      it: 'Una settimana di costruzioni, coding, giochi all’aperto ed esperimenti durante le vacanze scolastiche, dalle 9:30 alle 15:30. Pranzo al sacco; la merenda la offriamo noi.',
    },
    schedules: ['camp'],
    minutes: [360, 360],
    free: 0.3,
    price: [60, 150],
    signup: ['internal'],
    capacity: [16, 24],
    tags: {
      en: ['holiday camp', 'stem', 'children'],
      lt: ['stovykla', 'steam', 'vaikams'],
      it: ['campus', 'stem', 'bambini'],
    },
    skills: ['digcomp:3.4', 'entrecomp:3.4', 'greencomp:3.3', 'lifecomp:S3', esco.workInTeams],
  },
  {
    key: 'tech-help',
    profiles: ['library'],
    audience: 'seniors',
    variants: [
      {
        title: {
          en: 'Tech help drop-in',
          lt: 'Techninės pagalbos valandos',
          it: 'Sportello digitale: aiuto con PC e smartphone',
        },
        ages: [[16, null]],
      },
    ],
    description: {
      en: 'Stuck with a form online, an email account or a new phone? Volunteers help one to one with whatever you bring. No appointment needed.',
      lt: 'Nepavyksta užpildyti formos internete, susitvarkyti el. pašto ar naujo telefono? Savanoriai padės individualiai su tuo, ką atsinešite. Registruotis nereikia.',
      it: 'Bloccato con un modulo online, la posta elettronica o un telefono nuovo? I volontari ti aiutano uno a uno con quello che porti. Non serve appuntamento.',
    },
    schedules: ['weekly'],
    minutes: [120, 120],
    free: 1,
    signup: ['none'],
    tags: {
      en: ['digital help', 'drop-in'],
      lt: ['skaitmeninė pagalba', 'be registracijos'],
      it: ['aiuto digitale', 'sportello'],
    },
    skills: ['digcomp:1.1', 'digcomp:2.1', 'digcomp:5.1', 'lifecomp:L3', esco.ictSafety],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Providers: the demo organisations of seed-organisations.ts that run activities, and a few more per city here.

interface DemoProvider {
  slug: string;
  name: string;
  kinds: OrganisationKind[];
  profile: ProviderProfile;
  description: string;
  website: string;
  address: { street: string; postcode: string; locality: string; lat: number; lon: number };
}

/** What the organisations of `seed-organisations.ts` are, for choosing their activities (endorsers run none). */
const seededProviderProfiles: Record<string, ProviderProfile> = {
  'stonehouse-makers': 'makerspace',
  'devonport-dockside-skills': 'employer',
  'plympton-green-jobs': 'employer',
  'snipiskes-dirbtuves': 'makerspace',
  'antakalnio-jaunimo-centras': 'youth',
  'naujamiescio-it-karjera': 'employer',
  'officina-san-salvario': 'makerspace',
  'aurora-lab-giovani': 'youth',
  'lingotto-lavoro': 'employer',
};

/** More fictional providers in real neighbourhoods, so each demo city has ten. */
export const demoProviders: Record<string, DemoProvider[]> = {
  plymouth: [
    {
      slug: 'pages-and-pixels',
      name: 'Pages and Pixels Library Learning',
      kinds: ['provider'],
      profile: 'library',
      description: 'Volunteer-led reading, digital and family learning sessions in Plymouth’s public libraries.',
      website: 'https://pages-and-pixels.example.org',
      address: { street: '167 Armada Way', postcode: 'PL1 1HZ', locality: 'Plymouth', lat: 50.373163, lon: -4.142905 },
    },
    {
      slug: 'north-prospect-youth-club',
      name: 'North Prospect Youth Club',
      kinds: ['provider'],
      profile: 'youth',
      description: 'An open youth club with music, sport, cooking and trips for 11–19 year olds.',
      website: 'https://np-youth.example.org',
      address: {
        street: '160 North Prospect Road',
        postcode: 'PL2 2NB',
        locality: 'North Prospect',
        lat: 50.3918,
        lon: -4.1655,
      },
    },
    {
      slug: 'waterfront-discovery-centre',
      name: 'Waterfront Discovery Centre',
      kinds: ['provider'],
      profile: 'museum',
      description: 'A hands-on museum of the sea, ships and the science of the Sound.',
      website: 'https://waterfront-discovery.example.org',
      address: { street: 'Sutton Harbour', postcode: 'PL4 0DW', locality: 'Coxside', lat: 50.3675, lon: -4.1315 },
    },
    {
      slug: 'tamar-community-college',
      name: 'Tamar Community College',
      kinds: ['provider'],
      profile: 'college',
      description: 'Adult and community learning: digital, languages, money and green skills courses.',
      website: 'https://tamar-college.example.org',
      address: { street: 'Kings Road', postcode: 'PL1 5QG', locality: 'Devonport', lat: 50.3735, lon: -4.1655 },
    },
    {
      slug: 'sound-rowing-sailing',
      name: 'Plymouth Sound Rowing and Sailing Club',
      kinds: ['provider'],
      profile: 'sports',
      description: 'Rowing, paddling, sailing and climbing tasters for young people and families.',
      website: 'https://sound-rowing.example.org',
      address: { street: 'Lawrence Road', postcode: 'PL9 9SJ', locality: 'Mount Batten', lat: 50.3585, lon: -4.1205 },
    },
    {
      slug: 'dockyard-digital-academy',
      name: 'Dockyard Digital Academy',
      kinds: ['employer', 'provider'],
      profile: 'employer',
      description: 'Local tech and marine employers training the next generation of developers and engineers.',
      website: 'https://dockyard-digital.example.org',
      address: { street: 'Millbay Road', postcode: 'PL1 3LF', locality: 'Millbay', lat: 50.3678, lon: -4.1505 },
    },
    {
      slug: 'hoe-arts-studio',
      name: 'Hoe Arts Studio',
      kinds: ['provider'],
      profile: 'arts',
      description: 'Drawing, photography, theatre and writing workshops near the Hoe.',
      website: 'https://hoe-arts.example.org',
      address: { street: 'Notte Street', postcode: 'PL1 2AG', locality: 'The Hoe', lat: 50.3688, lon: -4.1415 },
    },
  ],
  vilnius: [
    {
      slug: 'pasilaiciu-mokymosi-klubas',
      name: 'Pašilaičių bibliotekos mokymosi klubas',
      kinds: ['provider'],
      profile: 'library',
      description: 'Savanorių vedami skaitymo, skaitmeninio raštingumo ir šeimų užsiėmimai bibliotekoje.',
      website: 'https://pasilaiciu-klubas.example.org',
      address: { street: 'Medeinos g. 8', postcode: '06320', locality: 'Vilnius', lat: 54.7318, lon: 25.2262 },
    },
    {
      slug: 'zveryno-gamtos-namai',
      name: 'Žvėryno gamtos ir mokslo namai',
      kinds: ['provider'],
      profile: 'museum',
      description: 'Interaktyvūs gamtos ir mokslo užsiėmimai vaikams, jaunimui ir šeimoms.',
      website: 'https://zveryno-gamta.example.org',
      address: { street: 'Vytauto g. 34', postcode: '01141', locality: 'Vilnius', lat: 54.6925, lon: 25.2592 },
    },
    {
      slug: 'neries-krantu-kolegija',
      name: 'Neries krantų kolegija',
      kinds: ['provider'],
      profile: 'college',
      description: 'Suaugusiųjų ir jaunimo kursai: skaitmeniniai įgūdžiai, kalbos, finansai ir verslumas.',
      website: 'https://neries-kolegija.example.org',
      address: { street: 'Žirmūnų g. 139', postcode: '09120', locality: 'Vilnius', lat: 54.7178, lon: 25.2992 },
    },
    {
      slug: 'sporto-klubas-banga',
      name: 'Fabijoniškių sporto klubas „Banga“',
      kinds: ['provider'],
      profile: 'sports',
      description: 'Krepšinis, laipiojimas, irklavimas ir pirmosios pagalbos mokymai jaunimui.',
      website: 'https://banga-sportas.example.org',
      address: { street: 'S. Stanevičiaus g. 20', postcode: '07126', locality: 'Vilnius', lat: 54.7283, lon: 25.2445 },
    },
    {
      slug: 'senamiescio-menu-studija',
      name: 'Senamiesčio menų studija',
      kinds: ['provider'],
      profile: 'arts',
      description: 'Piešimo, fotografijos, teatro ir kūrybinio rašymo dirbtuvės senamiestyje.',
      website: 'https://menu-studija.example.org',
      address: { street: 'Literatų g. 5', postcode: '01125', locality: 'Vilnius', lat: 54.6818, lon: 25.2905 },
    },
    {
      slug: 'lazdynu-jaunimo-erdve',
      name: 'Lazdynų jaunimo erdvė',
      kinds: ['provider'],
      profile: 'youth',
      description: 'Atvira jaunimo erdvė: muzika, medijos, savanorystė ir pagalba ruošiant pamokas.',
      website: 'https://lazdynu-erdve.example.org',
      address: { street: 'Architektų g. 60', postcode: '04111', locality: 'Vilnius', lat: 54.6728, lon: 25.2028 },
    },
    {
      slug: 'zaliuju-inovaciju-akademija',
      name: 'Žaliųjų inovacijų akademija',
      kinds: ['employer', 'provider'],
      profile: 'employer',
      description: 'Energetikos ir IT įmonių akademija: praktikos, intensyvūs kursai ir karjeros dienos.',
      website: 'https://zalioji-akademija.example.org',
      address: { street: 'Saulėtekio al. 15', postcode: '10224', locality: 'Vilnius', lat: 54.7212, lon: 25.3362 },
    },
  ],
  torino: [
    {
      slug: 'amici-biblioteche-quartiere',
      name: 'Amici delle Biblioteche di Quartiere',
      kinds: ['provider'],
      profile: 'library',
      description: 'Volontari che animano letture, sportelli digitali e doposcuola nelle biblioteche di quartiere.',
      website: 'https://amici-biblioteche.example.org',
      address: {
        street: 'Via Chiesa della Salute 12',
        postcode: '10147',
        locality: 'Torino',
        lat: 45.0988,
        lon: 7.6792,
      },
    },
    {
      slug: 'museo-scienza-vanchiglia',
      name: 'Museo Diffuso della Scienza Vanchiglia',
      kinds: ['provider'],
      profile: 'museum',
      description: 'Esperimenti, visite e laboratori di scienza e natura per scuole e famiglie.',
      website: 'https://scienza-vanchiglia.example.org',
      address: { street: 'Via Giulia di Barolo 20', postcode: '10124', locality: 'Torino', lat: 45.0712, lon: 7.6982 },
    },
    {
      slug: 'istituto-formazione-mirafiori',
      name: 'Istituto di Formazione Mirafiori',
      kinds: ['provider'],
      profile: 'college',
      description: 'Corsi per adulti e giovani: competenze digitali, lingue, energia e impresa.',
      website: 'https://formazione-mirafiori.example.org',
      address: {
        street: 'Corso Unione Sovietica 400',
        postcode: '10135',
        locality: 'Torino',
        lat: 45.0378,
        lon: 7.6268,
      },
    },
    {
      slug: 'polisportiva-parella',
      name: 'Polisportiva Parella',
      kinds: ['provider'],
      profile: 'sports',
      description: 'Basket, arrampicata, canoa sul Po e corsi di primo soccorso per ragazzi.',
      website: 'https://polisportiva-parella.example.org',
      address: { street: 'Via Pietro Cossa 150', postcode: '10146', locality: 'Torino', lat: 45.0822, lon: 7.6268 },
    },
    {
      slug: 'centro-giovani-barriera',
      name: 'Centro Giovani Barriera',
      kinds: ['provider'],
      profile: 'youth',
      description: 'Spazio aperto per ragazze e ragazzi: musica, media, volontariato e orientamento.',
      website: 'https://giovani-barriera.example.org',
      address: { street: 'Via Baltea 5', postcode: '10152', locality: 'Torino', lat: 45.0932, lon: 7.6988 },
    },
    {
      slug: 'laboratorio-teatrale-san-donato',
      name: 'Laboratorio Teatrale San Donato',
      kinds: ['provider'],
      profile: 'arts',
      description: 'Teatro, disegno, fotografia e scrittura per bambini, ragazzi e adulti.',
      website: 'https://teatro-sandonato.example.org',
      address: { street: 'Via San Donato 40', postcode: '10144', locality: 'Torino', lat: 45.0782, lon: 7.6612 },
    },
    {
      slug: 'accademia-energia-pulita',
      name: 'Accademia Energia Pulita',
      kinds: ['employer', 'provider'],
      profile: 'employer',
      description: 'Imprese delle rinnovabili e del digitale che formano giovani e adulti ai lavori verdi.',
      website: 'https://energia-pulita.example.org',
      address: { street: 'Via Nizza 300', postcode: '10127', locality: 'Torino', lat: 45.0388, lon: 7.6718 },
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// The pure generator.

/** An organisation that runs demo activities, with the place it works from. */
export interface DemoProviderRef {
  id: string;
  slug: string;
  name: string;
  website: string | null;
  trusted: boolean;
  profile: ProviderProfile;
  home: VenueInput;
}

/** A skill of the city's spine: `framework` is the framework's slug (`local` for the city's own skills). */
export interface DemoSkillRef {
  id: string;
  framework: string;
  code: string;
}

export interface DemoActivityPlan {
  externalUid: string;
  organisationId: string;
  organisationSlug: string;
  /** published, or left in the moderation queue (submitted) or as the organiser's draft. */
  status: 'published' | 'submitted' | 'draft';
  input: ActivityInput;
}

/** mulberry32: small, fast and good enough for demo data; seeded from a string with FNV-1a. */
function prng(seed: string): () => number {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ (char.codePointAt(0) ?? 0), 16777619);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Picker {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  one<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  some<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0)
      chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return chosen;
  }
}

const cityLanguageName: Record<string, string> = { plymouth: 'English', vilnius: 'Lithuanian', torino: 'Italian' };
const currencyOf: Record<string, string> = { plymouth: 'GBP', vilnius: 'EUR', torino: 'EUR' };
const weekdayCodes = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
const DAY_MS = 86_400_000;

/** A calendar day as days since 1970-01-01 (no time zone: it names a date on the city's wall calendar). */
const dayOf = (year: number, month: number, day: number) => Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
const weekdayOf = (day: number) => new Date(day * DAY_MS).getUTCDay();
function calendarOf(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The instant of a wall-clock time on a calendar day in the city. */
function at(day: number, minutes: number, timeZone: string): Date {
  const { year, month, day: date } = calendarOf(day);
  return instantOf(
    { year, month, day: date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 },
    timeZone,
  );
}

const rruleDate = (instant: Date) =>
  instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** When each audience can come: weekdays and start times (minutes after midnight) for weekdays and weekends. */
const timing: Record<Audience, { days: number[]; weekday: number[]; weekend: number[] }> = {
  early: { days: [1, 2, 3, 4, 5, 6], weekday: [9 * 60 + 30, 10 * 60, 10 * 60 + 30], weekend: [10 * 60] },
  kids: {
    days: [1, 2, 3, 4, 5, 6],
    weekday: [15 * 60 + 30, 16 * 60, 16 * 60 + 30],
    weekend: [10 * 60, 11 * 60, 14 * 60],
  },
  teens: { days: [1, 2, 3, 4, 5, 6], weekday: [16 * 60 + 30, 17 * 60, 18 * 60], weekend: [11 * 60, 14 * 60] },
  young: { days: [1, 2, 3, 4, 6], weekday: [17 * 60 + 30, 18 * 60, 18 * 60 + 30], weekend: [10 * 60, 13 * 60] },
  adults: {
    days: [1, 2, 3, 4, 6],
    weekday: [18 * 60, 18 * 60 + 30, 19 * 60],
    weekend: [10 * 60, 10 * 60 + 30, 14 * 60],
  },
  seniors: { days: [1, 2, 3, 4, 5], weekday: [10 * 60, 10 * 60 + 30, 11 * 60, 14 * 60], weekend: [] },
  family: { days: [6, 0], weekday: [16 * 60], weekend: [10 * 60, 11 * 60, 14 * 60] },
};

const practical: Record<SignupChoice, Text3> = {
  internal: {
    en: 'Places are limited: book a place for the session you want on this page.',
    lt: 'Vietų skaičius ribotas: registruokitės pasirinktam užsiėmimui šiame puslapyje.',
    it: "Posti limitati: prenota il tuo posto per l'incontro che preferisci da questa pagina.",
  },
  external: {
    en: "Book through the organiser's website.",
    lt: 'Registracija – organizatoriaus svetainėje.',
    it: "Iscrizioni sul sito dell'organizzatore.",
  },
  none: {
    en: 'Just come along — no need to book.',
    lt: 'Tiesiog ateikite – registruotis nereikia.',
    it: 'Ingresso libero, senza prenotazione.',
  },
};
const runBy: Text3 = { en: 'Run by {org}.', lt: 'Organizuoja {org}.', it: 'A cura di {org}.' };
const onlineNote: Text3 = {
  en: 'It takes place online; the link is sent after you book.',
  lt: 'Vyksta nuotoliu – nuorodą atsiųsime užsiregistravusiems.',
  it: 'Si svolge online: il link arriva dopo l’iscrizione.',
};
const blendedNote: Text3 = {
  en: 'Join in person or follow online.',
  lt: 'Galite dalyvauti gyvai arba nuotoliu.',
  it: 'Puoi partecipare in presenza oppure online.',
};

const concessionTexts: Record<string, string[]> = {
  plymouth: [
    'Free for under-18s, students and people on Universal Credit.',
    'Half price for over-60s and carers; ask us if cost is a barrier.',
  ],
  vilnius: [
    'Nemokamai moksleiviams, studentams ir senjorams.',
    '50 % nuolaida asmenims su negalia ir daugiavaikėms šeimoms.',
  ],
  torino: ['Ridotto per studenti, under 26 e over 65.', 'Gratuito per chi ha un ISEE sotto i 15.000 €.'],
};
const accessibilityNoteTexts: Record<string, string[]> = {
  plymouth: [
    'Step-free entrance and a lift to all floors; a quiet room is available on request.',
    'Ground-floor room with level access; large-print handouts on request.',
  ],
  vilnius: [
    'Įėjimas be laiptų, liftas į visus aukštus; pageidaujant – rami patalpa.',
    'Patalpa pirmame aukšte, įėjimas be laiptų; pageidaujant – didesnio šrifto medžiaga.',
  ],
  torino: [
    'Ingresso senza gradini e ascensore a tutti i piani; su richiesta una stanza tranquilla.',
    'Sala al piano terra senza barriere; materiali a caratteri grandi su richiesta.',
  ],
};

/** Venue names around a district; `{d}` is the district, `{g}` its Lithuanian genitive. */
const venueNames: Record<string, string[]> = {
  plymouth: [
    '{d} Community Centre',
    '{d} Primary School hall',
    '{d} Youth Hub',
    '{d} Methodist Church Hall',
    '{d} Sports Pavilion',
  ],
  vilnius: [
    '{g} bendruomenės centras',
    '{g} progimnazija',
    '{g} jaunimo erdvė',
    '{g} kultūros namai',
    '{g} sporto salė',
  ],
  torino: [
    'Centro civico {d}',
    'Casa del quartiere {d}',
    'Scuola media {d}, aula magna',
    "Centro d'incontro {d}",
    'Spazio giovani {d}',
  ],
};
const lithuanianGenitive: Record<string, string> = {
  Senamiestis: 'Senamiesčio',
  Naujamiestis: 'Naujamiesčio',
  Žvėrynas: 'Žvėryno',
  Antakalnis: 'Antakalnio',
  Šnipiškės: 'Šnipiškių',
  Žirmūnai: 'Žirmūnų',
  Verkiai: 'Verkių',
  Fabijoniškės: 'Fabijoniškių',
  Pašilaičiai: 'Pašilaičių',
  Justiniškės: 'Justiniškių',
  Viršuliškės: 'Viršuliškių',
  Šeškinė: 'Šeškinės',
  Karoliniškės: 'Karoliniškių',
  Lazdynai: 'Lazdynų',
  Pilaitė: 'Pilaitės',
  'Naujoji Vilnia': 'Naujosios Vilnios',
  Rasos: 'Rasų',
  Vilkpėdė: 'Vilkpėdės',
  Naujininkai: 'Naujininkų',
  Grigiškės: 'Grigiškių',
  Paneriai: 'Panerių',
};
const cityLocality: Record<string, string> = { plymouth: 'Plymouth', vilnius: 'Vilnius', torino: 'Torino' };

/** A few places in each district, scattered around its centre and checked to lie in it. */
function venuePool(city: CityRecord, pick: Picker): Map<string, VenueInput[]> {
  const pool = new Map<string, VenueInput[]>();
  const names = venueNames[city.slug] ?? venueNames.plymouth ?? [];
  for (const district of districtNames(city.slug)) {
    const centre = districtCentre(city.slug, district);
    if (!centre) continue;
    const venues: VenueInput[] = [];
    for (const template of pick.some(names, 3)) {
      let lon = centre.lon;
      let lat = centre.lat;
      for (let attempt = 0; attempt < 40; attempt++) {
        const radius = 120 + pick.next() * 650;
        const angle = pick.next() * 2 * Math.PI;
        const candidateLat = centre.lat + (radius * Math.sin(angle)) / 111_320;
        const candidateLon =
          centre.lon + (radius * Math.cos(angle)) / (111_320 * Math.cos((centre.lat * Math.PI) / 180));
        if (
          pointInCity(city.slug, candidateLon, candidateLat) &&
          districtAt(city.slug, candidateLon, candidateLat) === district
        ) {
          lon = candidateLon;
          lat = candidateLat;
          break;
        }
      }
      venues.push({
        name: template.replace('{d}', district).replace('{g}', lithuanianGenitive[district] ?? district),
        locality: cityLocality[city.slug] ?? '',
        lat: Math.round(lat * 1e6) / 1e6,
        lon: Math.round(lon * 1e6) / 1e6,
      });
    }
    pool.set(district, venues);
  }
  return pool;
}

/** Plymouth's real public libraries (data/geo/plymouth/pois.geojson) as venues. */
function libraryVenues(citySlug: string): VenueInput[] {
  return pointsOfInterest(citySlug)
    .filter((poi) => poi.properties.type === 'library' && typeof poi.properties.name === 'string')
    .map((poi) => ({
      name: String(poi.properties.name),
      street: String(poi.properties.address ?? '').split(',')[0] ?? '',
      postcode: String(poi.properties.postcode ?? ''),
      locality: cityLocality[citySlug] ?? '',
      lat: poi.lat,
      lon: poi.lon,
    }));
}

function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

const levelledFrameworks = new Set(['digcomp', 'entrecomp']);
const audienceLevel: Record<Audience, [number, number]> = {
  early: [1, 1],
  kids: [1, 2],
  teens: [2, 3],
  young: [3, 4],
  adults: [3, 5],
  seniors: [1, 2],
  family: [1, 2],
};

function resolveSkills(keys: string[], skills: DemoSkillRef[]): DemoSkillRef[] {
  const found: DemoSkillRef[] = [];
  for (const key of keys) {
    const [framework, code] = key.split(/:(.*)/s) as [string, string];
    const skill = skills.find(
      (s) => s.framework === framework && (framework === 'esco' ? s.code.endsWith(`/${code}`) : s.code === code),
    );
    if (skill) found.push(skill);
  }
  return found;
}

/** Skills any activity builds when its template names none from the city's spine (working with others). */
const fallbackSkillKeys = ['entrecomp:3.4', 'lifecomp:S3', esco.workInTeams, 'greencomp:4.2'];

/**
 * The demo activities of a city: `count` plans from the templates, spread over the given organisations (each with
 * its profile and home venue), the city's districts and the season from `today`. Pure and deterministic: the same
 * city, organisations, skills and day give the same plans.
 */
export function demoActivityInputs(
  city: CityRecord,
  organisations: DemoProviderRef[],
  skills: DemoSkillRef[],
  today: Date,
  count = DEMO_ACTIVITIES_PER_CITY,
): DemoActivityPlan[] {
  if (organisations.length === 0) return [];
  const pick = new Picker(prng(`learnscape-demo-activities:${city.slug}`));
  const pool = venuePool(city, pick);
  const districts = [...pool.keys()];
  const libraries = libraryVenues(city.slug);
  const languages = city.languages.filter((l): l is Language => l === 'en' || l === 'lt' || l === 'it');
  const main = (languages.includes(city.defaultLanguage as Language) ? city.defaultLanguage : 'en') as Language;
  const currency = currencyOf[city.slug] ?? 'EUR';
  const wall = wallTimeIn(today, city.timeZone);
  const firstDay = dayOf(wall.year, wall.month, wall.day);
  const seasonEnd = firstDay + DEMO_SEASON_DAYS;
  const byProfile = new Map<ProviderProfile, Template[]>();
  for (const template of templates) {
    for (const profile of template.profiles) byProfile.set(profile, [...(byProfile.get(profile) ?? []), template]);
  }
  const unpublished = DEMO_SUBMITTED_PER_CITY + DEMO_DRAFTS_PER_CITY;

  const plans: DemoActivityPlan[] = [];
  let outreach = 0;
  for (let index = 0; index < count; index++) {
    // Every organisation in turn, so each runs a fair share; templates that suit it, at random.
    const organisation = organisations[index % organisations.length] as DemoProviderRef;
    const template = pick.one(byProfile.get(organisation.profile) ?? templates);
    const variant = pick.one(template.variants);
    const [ageMin, ageMax] = pick.one(variant.ages);
    const schedule = pick.one(template.schedules);
    const isOnline = schedule === 'on_demand' || pick.chance(template.online ?? 0);
    const format: ActivityFormat = isOnline ? 'online' : pick.chance(template.blended ?? 0) ? 'blended' : 'in_person';
    const site = (organisation.website ?? `https://${organisation.slug}.example.org`).replace(/\/+$/, '');

    // Where: at home, at one of Plymouth's libraries (library providers), or out in a district, evenly spread.
    let venue: VenueInput | null = null;
    if (format !== 'online') {
      if (organisation.profile === 'library' && libraries.length > 0) venue = pick.one(libraries);
      else if (pick.chance(0.45)) venue = organisation.home;
      else venue = pick.one(pool.get(districts[outreach++ % districts.length] as string) ?? [organisation.home]);
    }

    // When.
    const times = timing[template.audience];
    const pickDay = (from: number, to: number, weekdays: number[]) => {
      const allowed = weekdays.length > 0 ? weekdays : [1, 2, 3, 4, 5];
      for (let attempt = 0; attempt < 60; attempt++) {
        const day = firstDay + pick.int(from, to);
        if (allowed.includes(weekdayOf(day))) return day;
      }
      return firstDay + from;
    };
    const startMinutes = (day: number) => {
      const weekend = [0, 6].includes(weekdayOf(day));
      return pick.one(weekend && times.weekend.length > 0 ? times.weekend : times.weekday);
    };
    const duration = pick.int(template.minutes[0] / 15, template.minutes[1] / 15) * 15;
    const input: ActivityInput = { title: {}, description: {}, format, scheduleKind: 'once' };
    if (schedule === 'on_demand') {
      input.scheduleKind = 'on_demand';
    } else if (schedule === 'allday') {
      const day = pickDay(10, DEMO_SEASON_DAYS - 10, [6]);
      const days = 2;
      Object.assign(input, {
        allDay: true,
        startsAt: at(day, 0, city.timeZone).toISOString(),
        endsAt: at(day + days, 0, city.timeZone).toISOString(),
      });
    } else if (schedule === 'camp') {
      const monday = pickDay(7, DEMO_SEASON_DAYS - 14, [1]);
      const start = at(monday, 9 * 60 + 30, city.timeZone);
      Object.assign(input, {
        scheduleKind: 'recurring',
        startsAt: start.toISOString(),
        endsAt: at(monday, 15 * 60 + 30, city.timeZone).toISOString(),
        rrule: 'FREQ=DAILY;COUNT=5',
      });
    } else if (schedule === 'once') {
      const day = pickDay(1, DEMO_SEASON_DAYS - 5, times.days);
      const minutes = startMinutes(day);
      Object.assign(input, {
        startsAt: at(day, minutes, city.timeZone).toISOString(),
        endsAt: at(day, minutes + duration, city.timeZone).toISOString(),
      });
    } else {
      // Weekly and fortnightly clubs (some started a few weeks ago), or monthly on the nth weekday.
      const weekday = pick.one(times.days);
      let first: number;
      let rule: string;
      if (schedule === 'monthly') {
        const nth = pick.int(1, 3);
        const { year, month } = calendarOf(firstDay);
        const nthWeekday = (y: number, m: number) => {
          const start = dayOf(y, m, 1);
          return start + ((weekday - weekdayOf(start) + 7) % 7) + (nth - 1) * 7;
        };
        first = nthWeekday(year, month);
        if (first < firstDay) first = nthWeekday(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1);
        rule = `FREQ=MONTHLY;BYDAY=${nth}${weekdayCodes[weekday]};COUNT=${pick.int(3, 4)}`;
      } else {
        const interval = schedule === 'fortnightly' ? 2 : 1;
        first = pickDay(-28, 35, [weekday]);
        const step = 7 * interval;
        const needed = Math.max(0, Math.ceil((firstDay + 14 - first) / step)) + 1;
        const prefix = `FREQ=WEEKLY${interval > 1 ? `;INTERVAL=${interval}` : ''};BYDAY=${weekdayCodes[weekday]}`;
        if (pick.chance(0.6)) {
          rule = `${prefix};COUNT=${Math.max(needed, pick.int(interval > 1 ? 4 : 6, interval > 1 ? 8 : 14))}`;
        } else {
          rule = `${prefix};UNTIL=${rruleDate(at(seasonEnd, 23 * 60 + 59, city.timeZone))}`;
        }
      }
      const minutes = startMinutes(first);
      const start = at(first, minutes, city.timeZone);
      Object.assign(input, {
        scheduleKind: 'recurring',
        startsAt: start.toISOString(),
        endsAt: at(first, minutes + duration, city.timeZone).toISOString(),
        rrule: rule,
      });
      // Now and then a session is skipped (a holiday, the hall is booked).
      if (schedule === 'weekly' && pick.chance(0.2)) {
        input.exdates = [at(first + 7 * pick.int(2, 4), minutes, city.timeZone).toISOString()];
      }
    }

    // Who, what it costs, how to join.
    input.ageMin = ageMin;
    input.ageMax = ageMax;
    if (template.price && !pick.chance(template.free)) {
      const [low, high] = template.price;
      input.costKind = 'paid';
      input.priceCents = pick.int(low * 2, high * 2) * 50;
      input.currency = currency;
      if (pick.chance(0.6)) input.concessions = pick.one(concessionTexts[city.slug] ?? ['']);
    } else {
      input.costKind = 'free';
    }
    let signup = pick.one(template.signup);
    if (signup === 'internal' && input.scheduleKind === 'on_demand') signup = 'external';
    input.signupMode = signup;
    if (signup === 'external') input.signupUrl = `${site}/book/${template.key}`;
    if (template.capacity && (signup !== 'none' || pick.chance(0.3))) {
      input.capacity = pick.int(template.capacity[0], template.capacity[1]);
    }
    if (format !== 'in_person') input.onlineUrl = `${site}/online/${template.key}`;
    if (venue) input.venues = [venue];

    // Languages: the city's main language, now and then with English or a community language.
    const special = template.languages?.[city.slug];
    if (special) input.languages = pick.one(special);
    else if (city.slug === 'plymouth') input.languages = pick.chance(0.06) ? ['en', 'pl'] : ['en'];
    else if (pick.chance(0.2)) input.languages = [main, 'en'];
    else if (pick.chance(0.04)) input.languages = ['en'];
    else input.languages = [main];

    // Accessibility.
    if (venue) {
      const features: string[] = [];
      if (pick.chance(0.65)) features.push('step_free');
      if (pick.chance(0.45)) features.push('accessible_toilet');
      if (pick.chance(0.15)) features.push('hearing_loop');
      if (pick.chance(0.12)) features.push('quiet_space');
      if (pick.chance(0.08)) features.push('easy_read');
      if (template.audience === 'seniors' && pick.chance(0.5)) features.push('large_print');
      if (pick.chance(0.04)) features.push('sign_language');
      if (organisation.profile === 'museum' && pick.chance(0.2)) features.push('audio_description');
      input.accessibility = features;
      if (features.includes('step_free') && pick.chance(0.4)) {
        input.accessibilityNotes = pick.one(accessibilityNoteTexts[city.slug] ?? ['']);
      }
    } else {
      input.accessibility = pick.chance(0.3) ? ['easy_read'] : [];
    }

    // Words: every city language most of the time; sometimes only the main one.
    const titleLanguages = languages.length > 1 && pick.chance(0.15) ? [main] : languages;
    const values = { min: ageMin ?? '', max: ageMax ?? '', cityLanguage: cityLanguageName[city.slug] ?? 'English' };
    for (const language of titleLanguages) {
      const title = input.title as Record<string, string>;
      const description = input.description as Record<string, string>;
      title[language] = fill(variant.title[language], values);
      const notes = [practical[signup][language], fill(runBy[language], { org: organisation.name })];
      if (format === 'online') notes.unshift(onlineNote[language]);
      if (format === 'blended') notes.unshift(blendedNote[language]);
      description[language] = `<p>${fill(template.description[language], values)}</p><p>${notes.join(' ')}</p>`;
    }
    input.tags = [...template.tags[main]];

    // Skills from the city's spine, with a level where the framework has levels.
    let chosen = resolveSkills(template.skills, skills);
    if (chosen.length === 0) chosen = resolveSkills(fallbackSkillKeys, skills);
    const [lowLevel, highLevel] = audienceLevel[template.audience];
    input.skills = pick.some(chosen, pick.int(1, 3)).map((skill) => ({
      skillId: skill.id,
      level: levelledFrameworks.has(skill.framework) ? pick.int(lowLevel, highLevel) : null,
    }));

    const externalUid = `${DEMO_UID_PREFIX}${city.slug}:${String(index + 1).padStart(4, '0')}`;
    input.externalUid = externalUid;
    // The last few stay unpublished; only organisations the city does not trust have to wait for the curator.
    let status: DemoActivityPlan['status'] = 'published';
    if (index >= count - unpublished) {
      status = index >= count - DEMO_DRAFTS_PER_CITY || organisation.trusted ? 'draft' : 'submitted';
    }
    plans.push({ externalUid, organisationId: organisation.id, organisationSlug: organisation.slug, status, input });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding.

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

/** The extra demo providers, approved and verified, like the organisations of seed-organisations.ts. */
async function ensureDemoProviders(db: Database, city: CityRecord): Promise<number> {
  let created = 0;
  for (const provider of demoProviders[city.slug] ?? []) {
    if (await findOrganisationAnywhere(db, provider.slug)) continue;
    const organisation = await createOrganisation(
      db,
      city,
      {
        slug: provider.slug,
        name: provider.name,
        kinds: provider.kinds,
        description: provider.description,
        website: provider.website,
        contactEmail: `hello.${provider.slug}@${DEMO_EMAIL_DOMAIN}`,
        addresses: [provider.address],
      },
      seedCaller,
      null,
    );
    await db.transaction(async (tx) => {
      await setApplicationStatus(tx, city.id, organisation.id, { status: 'approved', reason: null, decidedBy: null });
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
    created++;
  }
  return created;
}

/** The city's demo providers as the generator needs them: approved in the city, with a home venue inside it. */
async function providerRefs(db: Database, city: CityRecord): Promise<DemoProviderRef[]> {
  const sources = [
    ...(demoOrganisations[city.slug] ?? []).flatMap((o) => {
      const profile = seededProviderProfiles[o.slug];
      return profile ? [{ slug: o.slug, profile, address: o.address }] : [];
    }),
    ...(demoProviders[city.slug] ?? []).map((p) => ({ slug: p.slug, profile: p.profile, address: p.address })),
  ];
  const rows = await db.query<{ id: string; slug: string; name: string; website: string | null; trusted: boolean }>(
    `SELECT o.id, o.slug, o.name, o.website, oc.trusted FROM organisations o
       JOIN organisation_cities oc ON oc.organisation_id = o.id
      WHERE oc.city_id = $1 AND oc.status = 'approved' AND o.slug = ANY($2::text[])`,
    [city.id, sources.map((s) => s.slug)],
  );
  const refs: DemoProviderRef[] = [];
  for (const source of sources) {
    const row = rows.find((r) => r.slug === source.slug);
    if (!row) continue;
    const { street, postcode, lat, lon } = source.address;
    let home: VenueInput = { name: row.name, street, postcode, locality: cityLocality[city.slug] ?? '', lat, lon };
    if (!pointInCity(city.slug, lon, lat)) {
      // A home address off the city's outline (e.g. on the water's edge): meet at the nearest district centre instead.
      const centre = districtCentre(city.slug, districtNames(city.slug)[0] ?? '');
      if (!centre) continue;
      home = { ...home, lat: centre.lat, lon: centre.lon };
    }
    refs.push({ ...row, profile: source.profile, home });
  }
  return refs;
}

/** The skills of the city's spine: its frameworks' competences and skills, and its own local skills. */
async function spineSkills(db: Database, cityId: string): Promise<DemoSkillRef[]> {
  return db.query<DemoSkillRef>(
    `SELECT s.id, f.slug AS framework, s.code FROM skills s JOIN skill_frameworks f ON f.id = s.framework_id
      WHERE (s.city_id = $1 AND s.kind = 'local')
         OR (s.city_id IS NULL AND s.kind IN ('competence', 'skill', 'knowledge')
             AND s.framework_id IN (SELECT framework_id FROM city_skill_frameworks WHERE city_id = $1))
      ORDER BY f.slug, s.code`,
    [cityId],
  );
}

/**
 * Writes published demo activities set-based: a handful of statements per city instead of some twenty per activity,
 * which keeps the whole demo seed quick on the embedded database (every test that seeds the demo pays for it). Each
 * input goes through `validateActivityInput`, the same rules as `createActivity`; the rows written are the ones
 * `insertActivity`, `replaceVenues`, `replaceSkills`, `syncSessions`, `refreshSessionSummary` and `insertRevision`
 * write (the demo test checks that both paths give the same activity). Skills come from the city's spine already.
 */
export async function insertPublishedActivities(
  tx: SqlRunner,
  city: CityRecord,
  plans: DemoActivityPlan[],
  takenSlugs: Set<string>,
): Promise<number> {
  if (plans.length === 0) return 0;
  const rows = plans.map((plan) => {
    const { problems, write } = validateActivityInput(city, plan.input);
    if (!write) throw new Error(`Demo activity ${plan.externalUid} is invalid: ${JSON.stringify(problems)}`);
    return { plan, write, slug: freeDemoSlug(city, write, takenSlugs) };
  });
  const ids = await insertPublishedInBulk(
    tx,
    city.id,
    rows.map(({ plan, write, slug }) => ({ write, slug, organisationId: plan.organisationId })),
  );
  return ids.length;
}

/** The slug `createActivity` would give: from the title in the city's language, numbered when taken. */
function freeDemoSlug(city: CityRecord, write: ActivityWrite, taken: Set<string>): string {
  const title = write.title[city.defaultLanguage] ?? Object.values(write.title)[0] ?? '';
  const fromTitle = slugify(title);
  const base = fromTitle === 'organisation' ? 'activity' : fromTitle;
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  taken.add(slug);
  return slug;
}

export interface DemoActivitiesReport {
  providersCreated: number;
  /** Activities created per city slug. */
  created: Record<string, number>;
}

/**
 * Seeds the demo catalogue of every demo city (after its organisations and skills spine). Idempotent: an activity
 * whose external id exists is skipped, so seeding twice adds nothing. `today` fixes the season (default: now).
 */
export async function seedDemoActivities(db: Database, options: { today?: Date } = {}): Promise<DemoActivitiesReport> {
  const report: DemoActivitiesReport = { providersCreated: 0, created: {} };
  const today = options.today ?? new Date();
  // The cities are independent: on PostgreSQL they seed side by side on the pool (PGlite runs them in turn anyway).
  await Promise.all(
    Object.keys(demoProviders).map(async (citySlug) => {
      const city = await findCityBySlug(db, citySlug);
      if (city?.status !== 'active') return;
      report.providersCreated += await ensureDemoProviders(db, city);
      const existing = new Set(
        (
          await db.query<{ uid: string }>(
            'SELECT external_uid AS uid FROM activities WHERE city_id = $1 AND external_uid LIKE $2',
            [city.id, `${DEMO_UID_PREFIX}%`],
          )
        ).map((r) => r.uid),
      );
      report.created[city.slug] = 0;
      if (existing.size >= DEMO_ACTIVITIES_PER_CITY) return;
      const plans = demoActivityInputs(
        city,
        await providerRefs(db, city),
        await spineSkills(db, city.id),
        today,
      ).filter((plan) => !existing.has(plan.externalUid));
      // Published ones in bulk; the few left for moderation through the service, as an organiser's would be.
      report.created[city.slug] = await db.transaction(async (tx) => {
        const slugs = await tx.query<{ slug: string }>('SELECT slug FROM activities WHERE city_id = $1', [city.id]);
        const taken = new Set(slugs.map((row) => row.slug));
        return insertPublishedActivities(
          tx,
          city,
          plans.filter((plan) => plan.status === 'published'),
          taken,
        );
      });
      for (const plan of plans.filter((p) => p.status !== 'published')) {
        await createActivity(db, city, plan.organisationId, plan.input, seedCaller, {
          submit: plan.status === 'submitted',
        });
        report.created[city.slug] = (report.created[city.slug] ?? 0) + 1;
      }
    }),
  );
  return report;
}

/**
 * The demo activities that take sign-ups here (published, `signup_mode = internal`), with their sessions still to
 * come — for the demo sign-ups and attendance, which another part of the seed adds.
 */
export async function listDemoSignupActivities(
  db: Database,
  cityId: string,
): Promise<{ id: string; slug: string; organisationId: string; capacity: number | null; externalUid: string }[]> {
  return db.query(
    `SELECT id, slug, organisation_id AS "organisationId", capacity, external_uid AS "externalUid" FROM activities
      WHERE city_id = $1 AND external_uid LIKE $2 AND status = 'published' AND signup_mode = 'internal'
      ORDER BY external_uid`,
    [cityId, `${DEMO_UID_PREFIX}%`],
  );
}
