import type { SqlRunner } from '../../db/client.ts';

export interface CityRecord {
  id: string;
  slug: string;
  name: Record<string, string>;
  defaultLanguage: string;
  languages: string[];
  timeZone: string;
  boundsWest: number;
  boundsSouth: number;
  boundsEast: number;
  boundsNorth: number;
  centerLon: number;
  centerLat: number;
  defaultZoom: number;
  hostName: string | null;
  status: 'active' | 'archived';
  consentAge: number;
  /** Branding, set by the city's curators. */
  logoUrl: string | null;
  primaryColour: string | null;
  contactEmail: string | null;
  createdAt: Date;
}

export type NewCity = Omit<
  CityRecord,
  'id' | 'createdAt' | 'status' | 'consentAge' | 'logoUrl' | 'primaryColour' | 'contactEmail'
>;

const columns = `id, slug, name, default_language AS "defaultLanguage", languages, time_zone AS "timeZone",
  bounds_west AS "boundsWest", bounds_south AS "boundsSouth", bounds_east AS "boundsEast", bounds_north AS "boundsNorth",
  center_lon AS "centerLon", center_lat AS "centerLat", default_zoom AS "defaultZoom", host_name AS "hostName", status,
  consent_age AS "consentAge", logo_url AS "logoUrl", primary_colour AS "primaryColour", contact_email AS "contactEmail",
  created_at AS "createdAt"`;

// The cities table is the tenant list itself, so these functions are network-level and take no city id.

export function listCities(db: SqlRunner): Promise<CityRecord[]> {
  return db.query<CityRecord>(`SELECT ${columns} FROM cities ORDER BY status, slug`);
}

export async function findCityBySlug(db: SqlRunner, slug: string): Promise<CityRecord | undefined> {
  const [row] = await db.query<CityRecord>(`SELECT ${columns} FROM cities WHERE slug = $1`, [slug]);
  return row;
}

export async function findCityByHostName(db: SqlRunner, hostName: string): Promise<CityRecord | undefined> {
  const [row] = await db.query<CityRecord>(`SELECT ${columns} FROM cities WHERE host_name = $1`, [
    hostName.toLowerCase(),
  ]);
  return row;
}

/** Inserts a city; returns undefined when the slug or host name is already taken. */
export async function insertCity(db: SqlRunner, city: NewCity): Promise<CityRecord | undefined> {
  const [row] = await db.query<CityRecord>(
    `INSERT INTO cities (slug, name, default_language, languages, time_zone, bounds_west, bounds_south, bounds_east,
       bounds_north, center_lon, center_lat, default_zoom, host_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT DO NOTHING
     RETURNING ${columns}`,
    [
      city.slug,
      JSON.stringify(city.name),
      city.defaultLanguage,
      city.languages,
      city.timeZone,
      city.boundsWest,
      city.boundsSouth,
      city.boundsEast,
      city.boundsNorth,
      city.centerLon,
      city.centerLat,
      city.defaultZoom,
      city.hostName?.toLowerCase() ?? null,
    ],
  );
  return row;
}
