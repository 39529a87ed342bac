// The venue picker island (MapLibre GL): a small map in each venue fieldset of the activity form. Clicking the map,
// or pressing Enter on it after moving it with the arrow keys, puts the venue's pin there and fills in the latitude
// and longitude fields; the pin can be dragged; typing in the fields moves the pin. Without this script (or without
// WebGL) the map stays hidden and the typed fields are the way to give the place.
import maplibregl from 'maplibre-gl';

const DECIMALS = 6;

function numbers(text: string | undefined, count: number): number[] | null {
  const values = (text ?? '').split(',').map(Number);
  return values.length === count && values.every(Number.isFinite) ? values : null;
}

function readCoordinate(input: HTMLInputElement, min: number, max: number): number | null {
  const value = Number(input.value.trim().replace(',', '.'));
  return input.value.trim() !== '' && Number.isFinite(value) && value >= min && value <= max ? value : null;
}

function enhance(root: HTMLElement): void {
  const container = root.querySelector<HTMLElement>('[data-map-canvas]');
  const latInput = document.getElementById(root.dataset.latInput ?? '') as HTMLInputElement | null;
  const lonInput = document.getElementById(root.dataset.lonInput ?? '') as HTMLInputElement | null;
  const status = root.querySelector<HTMLElement>('[data-map-status]');
  const center = numbers(root.dataset.center, 2);
  const bounds = numbers(root.dataset.bounds, 4);
  if (!container || !latInput || !lonInput || !center || !bounds) return;
  const [west, south, east, north] = bounds as [number, number, number, number];
  const padLon = (east - west) * 0.25;
  const padLat = (north - south) * 0.25;

  root.hidden = false;
  let map: maplibregl.Map;
  try {
    map = new maplibregl.Map({
      container,
      style: root.dataset.styleUrl ?? '',
      center: center as [number, number],
      zoom: Number(root.dataset.zoom ?? 12),
      maxBounds: [
        [west - padLon, south - padLat],
        [east + padLon, north + padLat],
      ],
      attributionControl: { compact: true },
    });
  } catch {
    // No WebGL here: the typed fields remain.
    root.hidden = true;
    return;
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', root.dataset.label ?? '');
  canvas.setAttribute('aria-describedby', root.querySelector('.hint')?.id ?? '');

  const marker = new maplibregl.Marker({ draggable: true, color: '#0b4f8a' });
  let placed = false;

  const showTyped = (recentre: boolean) => {
    const lat = readCoordinate(latInput, -90, 90);
    const lon = readCoordinate(lonInput, -180, 180);
    if (lat === null || lon === null) return;
    marker.setLngLat([lon, lat]);
    if (!placed) {
      marker.addTo(map);
      placed = true;
    }
    if (recentre) map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 14) });
  };

  const place = (lngLat: { lng: number; lat: number }) => {
    latInput.value = lngLat.lat.toFixed(DECIMALS);
    lonInput.value = lngLat.lng.toFixed(DECIMALS);
    for (const input of [latInput, lonInput]) {
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    showTyped(false);
    if (status) {
      status.textContent = (root.dataset.textPlaced ?? '')
        .replace('{{lat}}', latInput.value)
        .replace('{{lon}}', lonInput.value);
    }
  };

  map.on('click', (event) => place(event.lngLat));
  marker.on('dragend', () => place(marker.getLngLat()));
  canvas.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    place(map.getCenter());
  });
  for (const input of [latInput, lonInput]) input.addEventListener('change', () => showTyped(true));
  map.on('load', () => showTyped(true));
  // A basemap that cannot be fetched leaves a blank map; clicking still places the pin.
  map.on('error', () => {});
  showTyped(false);
}

for (const root of document.querySelectorAll<HTMLElement>('[data-venue-picker]')) enhance(root);
