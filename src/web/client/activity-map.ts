// The activity page island: a small MapLibre GL map of the activity's venues, and the "copy link" button.
// The page works without it: the addresses are listed as text and the link is in a read-only field.
import maplibregl from 'maplibre-gl';

interface Venue {
  name: string;
  lat: number;
  lon: number;
}

function readVenues(container: HTMLElement): Venue[] {
  const script = container.querySelector('script[data-venues]');
  try {
    const parsed = JSON.parse(script?.textContent ?? '[]') as Venue[];
    return parsed.filter((v) => Number.isFinite(v.lat) && Number.isFinite(v.lon));
  } catch {
    return [];
  }
}

function startMap(container: HTMLElement): void {
  const venues = readVenues(container);
  const styleUrl = container.dataset.styleUrl;
  const first = venues[0];
  if (!first || !styleUrl) return;
  const label = container.dataset.label ?? '';
  const canvasHolder = document.createElement('div');
  canvasHolder.className = 'activity-map-canvas';
  container.append(canvasHolder);
  const map = new maplibregl.Map({
    container: canvasHolder,
    style: new URL(styleUrl, window.location.href).href,
    center: [first.lon, first.lat],
    zoom: 14,
    scrollZoom: false,
    dragRotate: false,
    pitchWithRotate: false,
    attributionControl: { compact: true },
    locale: {
      'Map.Title': label,
      'NavigationControl.ZoomIn': container.dataset.zoomIn ?? 'Zoom in',
      'NavigationControl.ZoomOut': container.dataset.zoomOut ?? 'Zoom out',
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  for (const venue of venues) {
    const marker = new maplibregl.Marker({ color: '#0b5cad' }).setLngLat([venue.lon, venue.lat]).addTo(map);
    const element = marker.getElement();
    element.setAttribute('aria-label', venue.name);
    element.setAttribute('title', venue.name);
  }
  if (venues.length > 1) {
    const bounds = new maplibregl.LngLatBounds();
    for (const venue of venues) bounds.extend([venue.lon, venue.lat]);
    map.fitBounds(bounds, { padding: 48, maxZoom: 15, duration: 0 });
  }
  container.classList.add('is-ready');
}

function enableCopyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy-link]')) {
    const input = document.getElementById(button.dataset.copyLink ?? '') as HTMLInputElement | null;
    if (!input || !navigator.clipboard) continue;
    const status = button.parentElement?.querySelector('[role="status"]');
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        if (status) status.textContent = button.dataset.copied ?? '';
      } catch {
        input.select();
      }
    });
  }
}

for (const container of document.querySelectorAll<HTMLElement>('[data-activity-map]')) {
  try {
    startMap(container);
  } catch (error) {
    // No WebGL (old devices, some headless browsers): the address list already says where it is.
    console.warn('The venue map could not start', error);
  }
}
enableCopyButtons();
