// The catalogue map island (MapLibre GL) of the search page: clustered markers from the map endpoint, list and map in
// step both ways, "search this area", the view in the URL, the user's location on request. The server-rendered list
// stays the complete, keyboard-accessible alternative: everything here only adds to it.
import type { FeatureCollection } from 'geojson';
import maplibregl, { type GeoJSONSource, type MapGeoJSONFeature } from 'maplibre-gl';

interface MapConfig {
  styleUrl: string;
  dataUrl: string;
  center: [number, number];
  zoom: number;
  bounds: [number, number, number, number];
  mapState: string | null;
  /** The page's search as query-string pairs. */
  query: [string, string][];
  language: string;
  labels: { openActivity: string; loading: string; failed: string; formats: Record<string, string> };
}

interface FeatureProperties {
  cluster: boolean;
  count?: number;
  expansionZoom?: number;
  id?: string;
  title?: string;
  format?: string;
  url?: string;
}

// Okabe–Ito colours (safe for the common colour-vision deficiencies); formats also differ in shape: filled,
// hollow ring, and filled with a thick dark outline, so colour is never the only difference.
const colours = {
  in_person: '#0072B2',
  online: '#E69F00',
  blended: '#009E73',
  cluster: '#56B4E9',
  highlight: '#D55E00',
};
const dark = '#1b1f24';

const container = document.getElementById('catalogue-map');
const configElement = document.getElementById('catalogue-map-config');
if (container && configElement) start(container, JSON.parse(configElement.textContent ?? '{}') as MapConfig);

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function start(element: HTMLElement, config: MapConfig): void {
  const form = document.getElementById('search-form') as HTMLFormElement | null;
  const searchArea = document.querySelector<HTMLButtonElement>('.map-search-area');
  const follow = document.querySelector<HTMLElement>('.map-follow');
  const followBox = document.getElementById('map-update-on-move') as HTMLInputElement | null;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  element.after(status);
  let query = config.query;

  const initial = parseMapState(config.mapState);
  const bbox = query.find(([name]) => name === 'bbox')?.[1];
  const map = new maplibregl.Map({
    container: element,
    style: config.styleUrl,
    center: initial ? [initial.lon, initial.lat] : config.center,
    zoom: initial ? initial.zoom : config.zoom,
    attributionControl: { compact: true },
    // The page scrolls with the wheel until someone clicks into the map.
    cooperativeGestures: false,
  });
  if (!initial && bbox) {
    const [west, south, east, north] = bbox.split(',').map(Number) as [number, number, number, number];
    map.fitBounds(
      [
        [west, south],
        [east, north],
      ],
      { animate: false, padding: 10 },
    );
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  element.dataset.state = 'loading';
  if (follow) follow.hidden = false;

  map.on('error', (event) => {
    if (element.dataset.state === 'loading') {
      status.textContent = config.labels.failed;
      element.dataset.state = 'failed';
    }
    console.warn('map error', event.error?.message);
  });

  const markers: maplibregl.Marker[] = [];
  let popup: maplibregl.Popup | null = null;
  let loadSequence = 0;

  function dataUrl(): string {
    const bounds = map.getBounds();
    const params = new URLSearchParams(query.filter(([name]) => name !== 'bbox' && name !== 'sort'));
    params.set(
      'bbox',
      [
        Math.max(-180, bounds.getWest()),
        Math.max(-90, bounds.getSouth()),
        Math.min(180, bounds.getEast()),
        Math.min(90, bounds.getNorth()),
      ]
        .map((v) => round(v, 5))
        .join(','),
    );
    params.set('zoom', String(round(map.getZoom(), 2)));
    params.set('lang', config.language);
    return `${config.dataUrl}?${params}`;
  }

  async function loadData(): Promise<void> {
    const sequence = ++loadSequence;
    const response = await fetch(dataUrl(), { headers: { accept: 'application/geo+json, application/json' } });
    if (!response.ok || sequence !== loadSequence) return;
    const data = (await response.json()) as FeatureCollection & { total: number };
    if (sequence !== loadSequence) return;
    (map.getSource('activities') as GeoJSONSource).setData(data);
    for (const marker of markers.splice(0)) marker.remove();
    // Counts on clusters as HTML (the offline style has no glyphs for map text); decorative: the list has it all.
    for (const feature of data.features) {
      const properties = feature.properties as FeatureProperties;
      if (!properties.cluster || feature.geometry.type !== 'Point') continue;
      const label = document.createElement('div');
      label.className = 'cluster-count';
      label.setAttribute('aria-hidden', 'true');
      label.textContent = String(properties.count);
      markers.push(
        new maplibregl.Marker({ element: label })
          .setLngLat(feature.geometry.coordinates as [number, number])
          .addTo(map),
      );
    }
    element.dataset.state = 'ready';
    element.dataset.features = String(data.features.length);
    element.dataset.total = String(data.total);
  }

  function writeUrlState(): void {
    const center = map.getCenter();
    const state = `${round(map.getZoom(), 2)}/${round(center.lat, 5)}/${round(center.lng, 5)}`;
    const url = new URL(window.location.href);
    url.searchParams.set('map', state);
    url.searchParams.delete('fragment');
    history.replaceState(history.state, '', `${url.pathname}?${url.searchParams}`);
    const hidden = form?.querySelector<HTMLInputElement>('input[name="map"]');
    if (hidden) hidden.value = state;
    else if (form) form.append(hiddenInput('map', state));
  }

  /** Reruns the page's search for the map's view and swaps in the new filters (counts) and results. */
  async function searchThisArea(): Promise<void> {
    const bounds = map.getBounds();
    const view = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((v) => round(v, 5))
      .join(',');
    const url = new URL(window.location.href);
    url.searchParams.set('bbox', view);
    url.searchParams.delete('cursor');
    url.searchParams.delete('fragment');
    const fragmentUrl = new URL(url);
    fragmentUrl.searchParams.set('fragment', 'results');
    const response = await fetch(`${fragmentUrl.pathname}?${fragmentUrl.searchParams}`, {
      headers: { accept: 'text/html' },
    });
    if (!response.ok) return;
    const documentFragment = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const id of ['search-filters', 'search-results']) {
      const incoming = documentFragment.getElementById(id);
      const current = document.getElementById(id);
      if (incoming && current) current.replaceWith(document.importNode(incoming, true));
    }
    history.replaceState(history.state, '', `${url.pathname}?${url.searchParams}`);
    query = [...url.searchParams.entries()].filter(([name]) => name !== 'map' && name !== 'lang');
    const hidden = form?.querySelector<HTMLInputElement>('input[name="bbox"]');
    if (hidden) hidden.value = view;
    else if (form) form.append(hiddenInput('bbox', view));
    if (searchArea) searchArea.hidden = true;
    status.textContent = document.getElementById('results-heading')?.textContent ?? '';
    bindList();
    bindFilters();
    void loadData();
  }

  function highlight(lon: number | null, lat: number | null): void {
    const source = map.getSource('highlight') as GeoJSONSource | undefined;
    source?.setData({
      type: 'FeatureCollection',
      features:
        lon === null || lat === null
          ? []
          : [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lon, lat] } }],
    });
  }

  function bindList(): void {
    for (const card of document.querySelectorAll<HTMLElement>('.result-card')) {
      const lon = card.dataset.lon ? Number(card.dataset.lon) : null;
      const lat = card.dataset.lat ? Number(card.dataset.lat) : null;
      const on = () => highlight(lon, lat);
      const off = () => highlight(null, null);
      card.addEventListener('mouseenter', on);
      card.addEventListener('mouseleave', off);
      card.addEventListener('focusin', on);
      card.addEventListener('focusout', off);
    }
  }

  /** Filters apply as soon as they change (the Apply button stays for keyboard users and without JavaScript). */
  function bindFilters(): void {
    const filters = document.getElementById('search-filters');
    filters?.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.type === 'date') return;
      form?.requestSubmit();
    });
    const locate = filters?.querySelector<HTMLButtonElement>('.use-location');
    const locationStatus = filters?.querySelector<HTMLElement>('.location-status');
    if (locate && 'geolocation' in navigator) {
      locate.hidden = false;
      locate.addEventListener('click', () => {
        if (locationStatus) locationStatus.textContent = locate.dataset.locating ?? '';
        navigator.geolocation.getCurrentPosition(
          (position) => {
            if (locationStatus) locationStatus.textContent = locate.dataset.located ?? '';
            const near = `${round(position.coords.latitude, 5)},${round(position.coords.longitude, 5)}`;
            const existing = form?.querySelector<HTMLInputElement>('input[name="near"]');
            if (existing) existing.value = near;
            else form?.append(hiddenInput('near', near));
            const sort = form?.querySelector<HTMLSelectElement>('select[name="sort"]');
            if (sort && !sort.querySelector('option[value="distance"]')) sort.append(new Option('', 'distance'));
            if (sort) sort.value = 'distance';
            const radius = form?.querySelector<HTMLSelectElement>('select[name="radiusKm"]');
            if (radius) radius.disabled = false;
            form?.requestSubmit();
          },
          () => {
            if (locationStatus) locationStatus.textContent = locate.dataset.unavailable ?? '';
          },
          { enableHighAccuracy: false, timeout: 10_000, maximumAge: 300_000 },
        );
      });
    }
  }

  map.on('load', () => {
    map.addSource('activities', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addSource('highlight', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: 'clusters',
      type: 'circle',
      source: 'activities',
      filter: ['==', ['get', 'cluster'], true],
      paint: {
        'circle-color': colours.cluster,
        'circle-radius': ['step', ['get', 'count'], 15, 10, 19, 100, 24, 1000, 30],
        'circle-stroke-color': dark,
        'circle-stroke-width': 2,
        'circle-opacity': 0.9,
      },
    });
    map.addLayer({
      id: 'point-halo',
      type: 'circle',
      source: 'activities',
      filter: ['==', ['get', 'cluster'], false],
      paint: { 'circle-color': dark, 'circle-radius': 10 },
    });
    map.addLayer({
      id: 'points',
      type: 'circle',
      source: 'activities',
      filter: ['==', ['get', 'cluster'], false],
      paint: {
        'circle-radius': ['match', ['get', 'format'], 'online', 5, 'blended', 6, 8],
        'circle-color': [
          'match',
          ['get', 'format'],
          'online',
          '#ffffff',
          'blended',
          colours.blended,
          colours.in_person,
        ],
        'circle-stroke-color': ['match', ['get', 'format'], 'online', colours.online, 'blended', '#ffffff', '#ffffff'],
        'circle-stroke-width': ['match', ['get', 'format'], 'online', 4, 'blended', 3, 1.5],
      },
    });
    map.addLayer({
      id: 'highlight',
      type: 'circle',
      source: 'highlight',
      paint: {
        'circle-radius': 16,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': colours.highlight,
        'circle-stroke-width': 4,
      },
    });

    map.on('click', 'clusters', (event) => {
      const feature = event.features?.[0] as MapGeoJSONFeature | undefined;
      if (feature?.geometry.type !== 'Point') return;
      const properties = feature.properties as FeatureProperties;
      map.easeTo({
        center: feature.geometry.coordinates as [number, number],
        zoom: Math.max(map.getZoom() + 1, Number(properties.expansionZoom ?? map.getZoom() + 2)),
      });
    });
    map.on('click', 'points', (event) => {
      const feature = event.features?.[0] as MapGeoJSONFeature | undefined;
      if (feature?.geometry.type !== 'Point') return;
      const properties = feature.properties as FeatureProperties;
      const content = document.createElement('div');
      content.className = 'map-popup';
      const title = document.createElement('p');
      title.className = 'map-popup-title';
      title.textContent = properties.title ?? '';
      const format = document.createElement('p');
      format.textContent = config.labels.formats[properties.format ?? ''] ?? '';
      const link = document.createElement('a');
      link.href = properties.url ?? '#';
      link.textContent = config.labels.openActivity;
      content.append(title, format, link);
      popup?.remove();
      popup = new maplibregl.Popup({ closeButton: true, maxWidth: '260px' })
        .setLngLat(feature.geometry.coordinates as [number, number])
        .setDOMContent(content)
        .addTo(map);
      for (const card of document.querySelectorAll('.result-card.is-highlighted'))
        card.classList.remove('is-highlighted');
      const card = properties.id ? document.getElementById(`activity-${properties.id}`) : null;
      if (card) {
        card.classList.add('is-highlighted');
        card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      }
    });
    for (const layer of ['clusters', 'points']) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }
    void loadData();
  });

  let moveTimer: ReturnType<typeof setTimeout> | undefined;
  map.on('moveend', () => {
    if (!map.getSource('activities')) return;
    writeUrlState();
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      void loadData();
      if (followBox?.checked) void searchThisArea();
      else if (searchArea) searchArea.hidden = false;
    }, 250);
  });
  searchArea?.addEventListener('click', () => void searchThisArea());
  bindList();
  bindFilters();
}

function hiddenInput(name: string, value: string): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'hidden';
  input.name = name;
  input.value = value;
  return input;
}

function parseMapState(state: string | null): { zoom: number; lat: number; lon: number } | null {
  if (!state) return null;
  const [zoom, lat, lon] = state.split('/').map(Number);
  if (![zoom, lat, lon].every((n) => Number.isFinite(n))) return null;
  return { zoom: zoom as number, lat: lat as number, lon: lon as number };
}
