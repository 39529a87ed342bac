import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The demo cities' bundled geodata (`data/geo/<city slug>/*.geojson`, sources and licences in its README): the city
 * boundary, district polygons or neighbourhood centres, and points of interest. Everything here is pure and
 * synchronous: the files are small, read once per process and cached. A city without a directory (any city created
 * at runtime) has no bundled geodata, and every question about it falls back to what the caller knows (its bounds).
 */
export const geoDataDir = fileURLToPath(new URL('../../../../data/geo', import.meta.url));

/** The layer files a city directory may hold; the map routes serve exactly these. */
export const geoLayers = ['boundary', 'districts', 'neighbourhoods', 'pois'] as const;
export type GeoLayer = (typeof geoLayers)[number];

type Position = [number, number];
type Ring = Position[];
type PolygonCoordinates = Ring[];

export interface GeoFeature {
  type: 'Feature';
  properties: Record<string, unknown> | null;
  geometry:
    | { type: 'Point'; coordinates: Position }
    | { type: 'Polygon'; coordinates: PolygonCoordinates }
    | { type: 'MultiPolygon'; coordinates: PolygonCoordinates[] };
}

export interface GeoFeatureCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
}

/** [west, south, east, north] */
export type BoundingBox = [number, number, number, number];

interface NamedArea {
  name: string;
  polygons: PolygonCoordinates[];
  bbox: BoundingBox;
}

interface NamedPoint {
  name: string;
  lon: number;
  lat: number;
}

export interface CityGeodata {
  slug: string;
  /** Each layer as served (the file's text) and parsed; a layer the city lacks is absent. */
  layers: Partial<Record<GeoLayer, { text: string; collection: GeoFeatureCollection }>>;
  boundary: { polygons: PolygonCoordinates[]; bbox: BoundingBox } | null;
  /** District polygons (Plymouth wards). */
  districts: NamedArea[];
  /** Neighbourhood centres (Vilnius elderships, Turin quartieri), used when a city has no district polygons. */
  neighbourhoods: NamedPoint[];
  /** The bounding box of everything bundled; the fallback when there is no boundary. */
  bbox: BoundingBox | null;
  /** The attribution text to show with the city's map (from data/geo/README.md). */
  attribution: string | null;
}

/** What to show under each demo city's map; the README gives the sources and licences behind it. */
const attributions: Record<string, string> = {
  plymouth:
    'Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © ' +
    'Crown copyright and database right 2019. Library data: Plymouth City Council (Plymouth Libraries open data).',
  vilnius:
    'Ribos: Registrų centras (Adresų registras), via govlt/national-basemap. Seniūnijų centrai: Learnscape ' +
    '(apytiksliai).',
  torino: 'Confini: ISTAT, elaborazione Openpolis (CC BY 4.0). Centri dei quartieri: Learnscape (approssimativi).',
};

const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
const cache = new Map<string, CityGeodata | null>();

function polygonsOf(feature: GeoFeature): PolygonCoordinates[] {
  if (feature.geometry.type === 'Polygon') return [feature.geometry.coordinates];
  if (feature.geometry.type === 'MultiPolygon') return feature.geometry.coordinates;
  return [];
}

function extend(bbox: BoundingBox | null, lon: number, lat: number): BoundingBox {
  if (!bbox) return [lon, lat, lon, lat];
  return [Math.min(bbox[0], lon), Math.min(bbox[1], lat), Math.max(bbox[2], lon), Math.max(bbox[3], lat)];
}

function bboxOfPolygons(polygons: PolygonCoordinates[], start: BoundingBox | null = null): BoundingBox | null {
  let bbox = start;
  for (const polygon of polygons) for (const [lon, lat] of polygon[0] ?? []) bbox = extend(bbox, lon, lat);
  return bbox;
}

function featureName(feature: GeoFeature): string | null {
  const name = feature.properties?.name;
  return typeof name === 'string' && name.trim() !== '' ? name : null;
}

function readLayer(slug: string, layer: GeoLayer): { text: string; collection: GeoFeatureCollection } | undefined {
  const file = path.join(geoDataDir, slug, `${layer}.geojson`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const collection = JSON.parse(text) as GeoFeatureCollection;
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new Error(`${file} is not a GeoJSON FeatureCollection`);
  }
  return { text, collection };
}

function loadFromDisk(slug: string): CityGeodata | null {
  const layers: CityGeodata['layers'] = {};
  for (const layer of geoLayers) {
    const read = readLayer(slug, layer);
    if (read) layers[layer] = read;
  }
  if (Object.keys(layers).length === 0) return null;

  const boundaryPolygons = (layers.boundary?.collection.features ?? []).flatMap(polygonsOf);
  const boundaryBbox = bboxOfPolygons(boundaryPolygons);
  const districts: NamedArea[] = [];
  for (const feature of layers.districts?.collection.features ?? []) {
    const name = featureName(feature);
    const polygons = polygonsOf(feature);
    const bbox = bboxOfPolygons(polygons);
    if (name && bbox) districts.push({ name, polygons, bbox });
  }
  const neighbourhoods: NamedPoint[] = [];
  for (const feature of layers.neighbourhoods?.collection.features ?? []) {
    const name = featureName(feature);
    if (name && feature.geometry.type === 'Point') {
      const [lon, lat] = feature.geometry.coordinates;
      neighbourhoods.push({ name, lon, lat });
    }
  }
  let bbox = boundaryBbox;
  for (const district of districts) bbox = bboxOfPolygons(district.polygons, bbox);
  for (const point of neighbourhoods) bbox = extend(bbox, point.lon, point.lat);
  for (const feature of layers.pois?.collection.features ?? []) {
    if (feature.geometry.type === 'Point') bbox = extend(bbox, ...feature.geometry.coordinates);
  }
  return {
    slug,
    layers,
    boundary: boundaryBbox ? { polygons: boundaryPolygons, bbox: boundaryBbox } : null,
    districts,
    neighbourhoods,
    bbox,
    attribution: attributions[slug] ?? null,
  };
}

/** The bundled geodata of a city, or null when it has none. Read once per process. */
export function cityGeodata(slug: string): CityGeodata | null {
  if (!slugPattern.test(slug)) return null;
  if (!cache.has(slug)) cache.set(slug, loadFromDisk(slug));
  return cache.get(slug) ?? null;
}

/** Ray casting: whether the point is inside the ring (points exactly on an edge may go either way). */
function inRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position;
    const [xj, yj] = ring[j] as Position;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inBbox(lon: number, lat: number, bbox: BoundingBox): boolean {
  return lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3];
}

/** Whether the point lies in any of the polygons (inside an outer ring and outside that polygon's holes). */
export function pointInPolygons(lon: number, lat: number, polygons: PolygonCoordinates[]): boolean {
  return polygons.some(
    ([outer, ...holes]) => outer !== undefined && inRing(lon, lat, outer) && !holes.some((h) => inRing(lon, lat, h)),
  );
}

/** A city's stored bounds, as `CityRecord` carries them. */
export interface CityBounds {
  boundsWest: number;
  boundsSouth: number;
  boundsEast: number;
  boundsNorth: number;
}

/**
 * Whether a point lies in the city: inside its bundled boundary polygon; without one, inside the bounding box of its
 * bundled data, or else the bounds the caller passes (a city's stored bounds). Nothing known means false.
 */
export function pointInCity(slug: string, lon: number, lat: number, fallbackBounds?: CityBounds): boolean {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return false;
  const geodata = cityGeodata(slug);
  if (geodata?.boundary) {
    return inBbox(lon, lat, geodata.boundary.bbox) && pointInPolygons(lon, lat, geodata.boundary.polygons);
  }
  if (geodata?.bbox) return inBbox(lon, lat, geodata.bbox);
  if (fallbackBounds) {
    const { boundsWest, boundsSouth, boundsEast, boundsNorth } = fallbackBounds;
    return inBbox(lon, lat, [boundsWest, boundsSouth, boundsEast, boundsNorth]);
  }
  return false;
}

/** Approximate ground distance in metres (equirectangular; accurate to well under 1% across a city). */
export function distanceMetres(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const radians = Math.PI / 180;
  const x = (lon2 - lon1) * radians * Math.cos(((lat1 + lat2) / 2) * radians);
  const y = (lat2 - lat1) * radians;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

/**
 * The district a point is in: the district polygon that contains it (Plymouth's wards), or, for a city with
 * neighbourhood centres instead (Vilnius, Turin), the nearest centre when the point is inside the city. Null for a
 * point outside the city (or outside every polygon) and for a city without bundled districts.
 */
export function districtAt(slug: string, lon: number, lat: number): string | null {
  const geodata = cityGeodata(slug);
  if (!geodata || !Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  if (geodata.districts.length > 0) {
    const found = geodata.districts.find(
      (district) => inBbox(lon, lat, district.bbox) && pointInPolygons(lon, lat, district.polygons),
    );
    return found?.name ?? null;
  }
  if (geodata.neighbourhoods.length === 0 || !pointInCity(slug, lon, lat)) return null;
  let nearest: NamedPoint | null = null;
  let best = Number.POSITIVE_INFINITY;
  for (const point of geodata.neighbourhoods) {
    const distance = distanceMetres(lon, lat, point.lon, point.lat);
    if (distance < best) {
      best = distance;
      nearest = point;
    }
  }
  return nearest?.name ?? null;
}

/** The names of a city's bundled districts (or neighbourhoods), sorted; empty for a city without any. */
export function districtNames(slug: string): string[] {
  const geodata = cityGeodata(slug);
  if (!geodata) return [];
  const names =
    geodata.districts.length > 0 ? geodata.districts.map((d) => d.name) : geodata.neighbourhoods.map((n) => n.name);
  return [...new Set(names)].sort((a, b) => a.localeCompare(b));
}

/** The area-weighted centroid of a ring (the shoelace formula), or its first point when it is degenerate. */
function ringCentroid(ring: Ring): { lon: number; lat: number; area: number } {
  let area = 0;
  let x = 0;
  let y = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position;
    const [xj, yj] = ring[j] as Position;
    const cross = xj * yi - xi * yj;
    area += cross;
    x += (xi + xj) * cross;
    y += (yi + yj) * cross;
  }
  if (area === 0) return { lon: ring[0]?.[0] ?? 0, lat: ring[0]?.[1] ?? 0, area: 0 };
  return { lon: x / (3 * area), lat: y / (3 * area), area: Math.abs(area / 2) };
}

/** A point inside the polygons near their middle: the centroid of the largest, or the inside grid point nearest it. */
function interiorPoint(polygons: PolygonCoordinates[], bbox: BoundingBox): { lon: number; lat: number } {
  const largest = polygons.map((polygon) => ringCentroid(polygon[0] ?? [])).reduce((a, b) => (b.area > a.area ? b : a));
  if (pointInPolygons(largest.lon, largest.lat, polygons)) return { lon: largest.lon, lat: largest.lat };
  let best: { lon: number; lat: number } | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const steps = 40;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const lon = bbox[0] + ((bbox[2] - bbox[0]) * i) / steps;
      const lat = bbox[1] + ((bbox[3] - bbox[1]) * j) / steps;
      if (!pointInPolygons(lon, lat, polygons)) continue;
      const distance = distanceMetres(lon, lat, largest.lon, largest.lat);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = { lon, lat };
      }
    }
  }
  return best ?? { lon: largest.lon, lat: largest.lat };
}

/** A district's centre: the neighbourhood point, or a point inside the district polygon near its middle. */
export function districtCentre(slug: string, name: string): { lon: number; lat: number } | null {
  const geodata = cityGeodata(slug);
  if (!geodata) return null;
  const point = geodata.neighbourhoods.find((n) => n.name === name);
  if (point) return { lon: point.lon, lat: point.lat };
  const area = geodata.districts.find((d) => d.name === name);
  return area ? interiorPoint(area.polygons, area.bbox) : null;
}

/** The bundled points of interest (Plymouth's libraries), with their properties. */
export function pointsOfInterest(slug: string): { lon: number; lat: number; properties: Record<string, unknown> }[] {
  const features = cityGeodata(slug)?.layers.pois?.collection.features ?? [];
  return features.flatMap((feature) =>
    feature.geometry.type === 'Point'
      ? [
          {
            lon: feature.geometry.coordinates[0],
            lat: feature.geometry.coordinates[1],
            properties: feature.properties ?? {},
          },
        ]
      : [],
  );
}
