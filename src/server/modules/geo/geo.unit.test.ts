import { describe, expect, it } from 'vitest';
import {
  cityGeodata,
  distanceMetres,
  districtAt,
  districtCentre,
  districtNames,
  pointInCity,
  pointsOfInterest,
} from './geo.ts';
import { mapStyleUrlFor, offlineMapStyle } from './geo.style.ts';
import type { CityRecord } from '../cities/cities.repo.ts';

const newtownBounds = { boundsWest: 1, boundsSouth: 50, boundsEast: 2, boundsNorth: 51 };

describe('bundled geodata', () => {
  it('loads what a city has and nothing for a city without a directory', () => {
    const plymouth = cityGeodata('plymouth');
    expect(Object.keys(plymouth?.layers ?? {}).sort()).toEqual(['boundary', 'districts', 'pois']);
    expect(plymouth?.districts).toHaveLength(20);
    expect(cityGeodata('vilnius')?.neighbourhoods.length).toBeGreaterThanOrEqual(18);
    expect(cityGeodata('torino')?.neighbourhoods.length).toBeGreaterThanOrEqual(18);
    expect(cityGeodata('newtown')).toBeNull();
    // A slug is never a path.
    expect(cityGeodata('../frameworks')).toBeNull();
    expect(cityGeodata('plymouth')).toBe(plymouth);
  });

  it('knows which points are in Plymouth, including the islands, and which are in the sea or Cornwall', () => {
    expect(pointInCity('plymouth', -4.142905, 50.373163)).toBe(true); // Central Library, Armada Way
    expect(pointInCity('plymouth', -4.1534, 50.3554)).toBe(true); // Drake's Island
    expect(pointInCity('plymouth', -4.14, 50.35)).toBe(false); // Plymouth Sound
    expect(pointInCity('plymouth', -4.195, 50.375)).toBe(false); // Torpoint, across the Tamar but inside the bbox
    expect(pointInCity('plymouth', -3.5339, 50.7184)).toBe(false); // Exeter
    expect(pointInCity('plymouth', Number.NaN, 50.37)).toBe(false);
  });

  it('finds the Plymouth ward polygon that contains a point', () => {
    expect(districtAt('plymouth', -4.142905, 50.373163)).toBe('St Peter and the Waterfront');
    expect(districtAt('plymouth', -4.1534, 50.3554)).toBe('St Peter and the Waterfront'); // Drake's Island
    expect(districtAt('plymouth', -4.145356, 50.39397)).toBe('Peverell'); // Peverell Library
    expect(districtAt('plymouth', -4.055512, 50.388459)).toBe('Plympton St Mary'); // Plympton Library
    expect(districtAt('plymouth', -4.14, 50.35)).toBeNull();
  });

  it('gives Vilnius and Turin points the nearest neighbourhood centre, and none outside the city', () => {
    expect(districtAt('vilnius', 25.2877, 54.6858)).toBe('Senamiestis'); // Cathedral Square
    expect(districtAt('vilnius', 25.2147, 54.6872)).toBe('Karoliniškės'); // TV tower
    expect(pointInCity('vilnius', 24.934, 54.638)).toBe(false); // Trakai
    expect(districtAt('vilnius', 24.934, 54.638)).toBeNull();
    expect(districtAt('torino', 7.6858, 45.0711)).toBe('Centro'); // Piazza Castello
    expect(districtAt('torino', 7.6413, 45.1096)).toBe('Vallette'); // the stadium
    expect(pointInCity('torino', 9.19, 45.4642)).toBe(false); // Milan
  });

  it('lists district names, and every district centre lies in its own district', () => {
    expect(districtNames('plymouth')).toContain('Sutton and Mount Gould');
    expect(districtNames('vilnius')).toEqual(expect.arrayContaining(['Žvėrynas', 'Šnipiškės', 'Naujoji Vilnia']));
    expect(districtNames('torino')).toEqual(expect.arrayContaining(['San Salvario', 'Barriera di Milano']));
    expect(districtNames('newtown')).toEqual([]);
    for (const slug of ['plymouth', 'vilnius', 'torino']) {
      for (const name of districtNames(slug)) {
        const centre = districtCentre(slug, name);
        expect(centre, `${slug}/${name}`).not.toBeNull();
        expect(pointInCity(slug, centre?.lon ?? 0, centre?.lat ?? 0), `${slug}/${name}`).toBe(true);
        expect(districtAt(slug, centre?.lon ?? 0, centre?.lat ?? 0), `${slug}/${name}`).toBe(name);
      }
    }
  });

  it('falls back to the caller’s bounds for a city without bundled data', () => {
    expect(pointInCity('newtown', 1.5, 50.5, newtownBounds)).toBe(true);
    expect(pointInCity('newtown', 2.5, 50.5, newtownBounds)).toBe(false);
    expect(pointInCity('newtown', 1.5, 50.5)).toBe(false);
    expect(districtAt('newtown', 1.5, 50.5)).toBeNull();
  });

  it('has Plymouth’s twelve libraries inside the city', () => {
    const libraries = pointsOfInterest('plymouth');
    expect(libraries).toHaveLength(12);
    for (const library of libraries) expect(pointInCity('plymouth', library.lon, library.lat)).toBe(true);
  });

  it('measures distances', () => {
    // Plymouth Central Library to Peverell Library: about 2.3 km.
    expect(distanceMetres(-4.142905, 50.373163, -4.145356, 50.39397)).toBeGreaterThan(2200);
    expect(distanceMetres(-4.142905, 50.373163, -4.145356, 50.39397)).toBeLessThan(2400);
  });
});

function city(slug: string, name: Record<string, string>): CityRecord {
  return {
    id: '00000000-0000-0000-0000-000000000000',
    slug,
    name,
    defaultLanguage: Object.keys(name)[0] ?? 'en',
    languages: Object.keys(name),
    timeZone: 'Europe/London',
    boundsWest: -4.2053,
    boundsSouth: 50.3331,
    boundsEast: -4.0196,
    boundsNorth: 50.4442,
    centerLon: -4.1427,
    centerLat: 50.3755,
    defaultZoom: 12,
    hostName: null,
    status: 'active',
    consentAge: 16,
    logoUrl: null,
    primaryColour: null,
    contactEmail: null,
    createdAt: new Date(),
  };
}

describe('offline map style', () => {
  it('draws the boundary and wards from our own GeoJSON, with no glyphs, sprites or text', () => {
    const style = offlineMapStyle(city('plymouth', { en: 'Plymouth' }), 'https://learn.example.org');
    expect(style.version).toBe(8);
    expect(style).not.toHaveProperty('glyphs');
    expect(style).not.toHaveProperty('sprite');
    expect(style.layers.map((layer) => layer.type)).not.toContain('symbol');
    expect(style.layers[0]).toMatchObject({ id: 'background', type: 'background' });
    expect(Object.keys(style.sources).sort()).toEqual(['boundary', 'districts']);
    expect(style.sources.boundary?.data).toBe('https://learn.example.org/c/plymouth/map/layers/boundary.geojson');
    expect(style.sources.districts?.attribution).toContain('Open Government Licence');
    expect(style.metadata['learnscape:attribution']).toContain('Office for National Statistics');
    expect(style.center).toEqual([-4.1427, 50.3755]);
  });

  it('draws neighbourhood centres where there are no district polygons, and only a background for a new city', () => {
    const vilnius = offlineMapStyle(city('vilnius', { lt: 'Vilnius' }), '');
    expect(vilnius.sources.neighbourhoods?.data).toBe('/c/vilnius/map/layers/neighbourhoods.geojson');
    expect(vilnius.layers.find((layer) => layer.id === 'neighbourhood-centres')).toMatchObject({ type: 'circle' });
    const newtown = offlineMapStyle(city('newtown', { en: 'Newtown' }), '');
    expect(newtown.sources).toEqual({});
    expect(newtown.layers).toHaveLength(1);
    expect(newtown.metadata['learnscape:attribution']).toBeNull();
  });

  it('uses the operator’s style URL when set, else the offline style', () => {
    expect(mapStyleUrlFor({ mapStyleUrl: undefined }, 'torino')).toBe('/c/torino/map/style.json');
    expect(mapStyleUrlFor({ mapStyleUrl: 'https://tiles.example.org/style.json' }, 'torino')).toBe(
      'https://tiles.example.org/style.json',
    );
    expect(mapStyleUrlFor({ mapStyleUrl: 'https://tiles.example.org/{city}/style.json' }, 'torino')).toBe(
      'https://tiles.example.org/torino/style.json',
    );
  });
});
