import type { Config } from '../../config.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityGeodata, type GeoLayer } from './geo.ts';

/**
 * The offline basemap: a MapLibre GL style (spec version 8) drawn only from the city's bundled GeoJSON, served by our
 * own routes, so the map works with no network, no tile server and no glyph server (no `symbol` layers at all).
 * Operators who want real tiles set `MAP_STYLE_URL`; pages ask `mapStyleUrlFor` which style to load.
 *
 * The palette is greyscale on purpose: the search map draws colour-blind-safe markers (Okabe–Ito hues with dark
 * outlines) on top, and a neutral light basemap keeps every marker colour at good contrast. Neighbourhood centres are
 * hollow grey rings so they can never be mistaken for a filled activity marker.
 */
export const offlineMapColours = {
  background: '#dde4ea',
  cityFill: '#f8f8f5',
  districtOutline: '#8a939c',
  boundaryOutline: '#3b4550',
  neighbourhoodFill: '#ffffff',
  neighbourhoodStroke: '#66707a',
} as const;

/** A MapLibre style document; only the parts this module writes are typed. */
export interface MapStyle {
  version: 8;
  name: string;
  metadata: Record<string, unknown>;
  center: [number, number];
  zoom: number;
  sources: Record<string, { type: 'geojson'; data: string; attribution?: string }>;
  layers: Record<string, unknown>[];
}

/** The URL of one of a city's bundled layers; `baseUrl` is the public URL, or '' for a root-relative URL. */
export function mapLayerUrl(baseUrl: string, citySlug: string, layer: GeoLayer): string {
  return `${baseUrl}/c/${encodeURIComponent(citySlug)}/map/layers/${layer}.geojson`;
}

/**
 * The offline style of a city. `baseUrl` prefixes the GeoJSON source URLs: the public URL, or '' for root-relative
 * URLs, which MapLibre resolves against the page — what the style route serves, so the map works on whichever host
 * name or port the page came from (city host names, tests on random ports).
 */
export function offlineMapStyle(city: CityRecord, baseUrl: string): MapStyle {
  const geodata = cityGeodata(city.slug);
  const attribution = geodata?.attribution ?? undefined;
  const cityName = city.name[city.defaultLanguage] ?? Object.values(city.name)[0] ?? city.slug;
  const style: MapStyle = {
    version: 8,
    name: `${cityName} (offline)`,
    metadata: {
      'learnscape:offline': true,
      'learnscape:city': city.slug,
      'learnscape:attribution': attribution ?? null,
      'learnscape:bounds': [city.boundsWest, city.boundsSouth, city.boundsEast, city.boundsNorth],
    },
    center: [city.centerLon, city.centerLat],
    zoom: city.defaultZoom,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': offlineMapColours.background } }],
  };
  const source = (layer: GeoLayer) => {
    style.sources[layer] = {
      type: 'geojson',
      data: mapLayerUrl(baseUrl, city.slug, layer),
      ...(attribution ? { attribution } : {}),
    };
  };
  const layers = geodata?.layers ?? {};

  if (layers.boundary) {
    source('boundary');
    style.layers.push({
      id: 'city-fill',
      type: 'fill',
      source: 'boundary',
      paint: { 'fill-color': offlineMapColours.cityFill },
    });
  }
  if (layers.districts) {
    source('districts');
    if (!layers.boundary) {
      style.layers.push({
        id: 'city-fill',
        type: 'fill',
        source: 'districts',
        paint: { 'fill-color': offlineMapColours.cityFill },
      });
    }
    style.layers.push({
      id: 'district-outlines',
      type: 'line',
      source: 'districts',
      paint: {
        'line-color': offlineMapColours.districtOutline,
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 15, 1.5],
        'line-dasharray': [3, 2],
      },
    });
  }
  if (layers.boundary) {
    style.layers.push({
      id: 'city-outline',
      type: 'line',
      source: 'boundary',
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': offlineMapColours.boundaryOutline,
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.5, 15, 3],
      },
    });
  }
  if (layers.neighbourhoods) {
    source('neighbourhoods');
    style.layers.push({
      id: 'neighbourhood-centres',
      type: 'circle',
      source: 'neighbourhoods',
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.5, 15, 5],
        'circle-color': offlineMapColours.neighbourhoodFill,
        'circle-stroke-color': offlineMapColours.neighbourhoodStroke,
        'circle-stroke-width': 1.5,
      },
    });
  }
  return style;
}

/**
 * The style URL a page hands to MapLibre for a city: the operator's `MAP_STYLE_URL` when set (a `{city}` in it is
 * replaced by the city's slug), else the bundled offline style, root-relative so it works on every host name.
 */
export function mapStyleUrlFor(config: Pick<Config, 'mapStyleUrl'>, citySlug: string): string {
  if (config.mapStyleUrl) return config.mapStyleUrl.replaceAll('{city}', encodeURIComponent(citySlug));
  return `/c/${encodeURIComponent(citySlug)}/map/style.json`;
}
