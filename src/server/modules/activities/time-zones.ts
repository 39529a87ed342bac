/**
 * Wall-clock time in a city's time zone, with nothing but `Intl`: recurring sessions keep their local time across
 * daylight-saving changes, and dates typed without an offset ("2026-03-14 18:00") are read in the city's zone.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time an instant shows in a time zone. */
export function wallTimeIn(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

const asUtc = (wall: WallTime) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(instant: Date, timeZone: string): number {
  return asUtc(wallTimeIn(instant, timeZone)) - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time names in a time zone. A time that does not exist (skipped by a spring-forward) moves
 * forward by the gap; an ambiguous one (autumn) takes the earlier instant, as RFC 5545 says.
 */
export function instantOf(wall: WallTime, timeZone: string): Date {
  const guess = asUtc(wall);
  const day = 86_400_000;
  // The offsets a day either side cover any transition; a candidate is right when it shows the wall time asked for.
  const before = guess - offsetAt(new Date(guess - day), timeZone);
  const after = guess - offsetAt(new Date(guess + day), timeZone);
  const shows = (candidate: number) => asUtc(wallTimeIn(new Date(candidate), timeZone)) === guess;
  const valid = [before, after].filter(shows);
  // No valid candidate: the time falls in a spring-forward gap; the offset before the gap moves it forward.
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/** Reads "YYYY-MM-DD", "YYYY-MM-DDTHH:mm[:ss]" or "YYYY-MM-DD HH:mm" as a wall time; null when it is not one. */
export function parseWallTime(text: string): WallTime | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!match) return null;
  const wall = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
  };
  const check = new Date(asUtc(wall));
  if (check.getUTCMonth() !== wall.month - 1 || check.getUTCDate() !== wall.day || wall.hour > 23 || wall.minute > 59)
    return null;
  return wall;
}

/**
 * An instant from text: ISO 8601 with an offset or Z is taken as written; a date or date-time without one is read as
 * wall time in the time zone. Null when the text is not a date.
 */
export function parseInstant(text: string, timeZone: string): Date | null {
  const trimmed = text.trim();
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && /^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const wall = parseWallTime(trimmed);
  return wall ? instantOf(wall, timeZone) : null;
}

/** `YYYY-MM-DDTHH:mm` of an instant in a time zone: the value of a `datetime-local` input. */
export function toLocalInput(instant: Date, timeZone: string): string {
  const w = wallTimeIn(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar date (`YYYY-MM-DD`), time (`HH:mm`) and hour of an instant in a zone. */
export function localDateTime(instant: Date, timeZone: string): { date: string; time: string; hour: number } {
  const w = wallTimeIn(new Date(instant), timeZone);
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, time: `${pad(w.hour)}:${pad(w.minute)}`, hour: w.hour };
}
