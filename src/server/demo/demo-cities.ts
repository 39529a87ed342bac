import type { CreateCityInput } from '../modules/cities/cities.service.ts';

/**
 * The demo network: real cities with real map bounds (from the bounding boxes of the boundary files in
 * ../shared/data/geo). Everything else in the demo — organisations, people, activities — is fictional.
 * Each city also answers at its own host name (`vilnius.localhost`; browsers send *.localhost to this machine),
 * so both ways of reaching a city — host name and `/c/{slug}` — work in the demo.
 */
export const demoCities: CreateCityInput[] = [
  {
    slug: 'plymouth',
    hostName: 'plymouth.localhost',
    name: { en: 'Plymouth' },
    languages: ['en'],
    timeZone: 'Europe/London',
    bounds: { west: -4.2053, south: 50.3331, east: -4.0196, north: 50.4442 },
    center: { lon: -4.1427, lat: 50.3755 },
    defaultZoom: 12,
  },
  {
    slug: 'vilnius',
    hostName: 'vilnius.localhost',
    name: { lt: 'Vilnius', en: 'Vilnius' },
    languages: ['lt', 'en'],
    timeZone: 'Europe/Vilnius',
    bounds: { west: 25.0246, south: 54.5689, east: 25.4815, north: 54.8323 },
    center: { lon: 25.2797, lat: 54.6872 },
    defaultZoom: 11,
  },
  {
    slug: 'torino',
    hostName: 'torino.localhost',
    name: { it: 'Torino', en: 'Turin' },
    languages: ['it', 'en'],
    timeZone: 'Europe/Rome',
    bounds: { west: 7.5778, south: 45.008, east: 7.7727, north: 45.1402 },
    center: { lon: 7.6869, lat: 45.0703 },
    defaultZoom: 12,
  },
];

/** Shown on start so a person can sign in to every role. Demo only: never seeded in production by default. */
export const DEMO_PASSWORD = 'learnscape-demo';
export const DEMO_EMAIL_DOMAIN = 'demo.learnscape.test';
