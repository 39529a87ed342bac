import { describe, expect, it } from 'vitest';
import { instantOf, parseInstant, parseWallTime, toLocalInput, wallTimeIn } from './time-zones.ts';

describe('wall-clock time in a city', () => {
  it('reads the wall time of an instant in summer and winter', () => {
    expect(wallTimeIn(new Date('2026-07-01T12:00:00Z'), 'Europe/Vilnius')).toMatchObject({ hour: 15, minute: 0 });
    expect(wallTimeIn(new Date('2026-01-01T12:00:00Z'), 'Europe/Vilnius')).toMatchObject({ hour: 14 });
    expect(wallTimeIn(new Date('2026-12-31T23:30:00Z'), 'Europe/Rome')).toMatchObject({ year: 2027, day: 1, hour: 0 });
  });

  it('turns a wall time back into the instant, across daylight-saving changes', () => {
    const wall = { year: 2026, month: 3, day: 29, hour: 18, minute: 0, second: 0 };
    expect(instantOf(wall, 'Europe/London').toISOString()).toBe('2026-03-29T17:00:00.000Z');
    expect(instantOf({ ...wall, day: 28 }, 'Europe/London').toISOString()).toBe('2026-03-28T18:00:00.000Z');
    // 01:30 on 29 March 2026 does not exist in London (clocks go 01:00 → 02:00): it moves forward.
    expect(instantOf({ ...wall, hour: 1, minute: 30 }, 'Europe/London').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 01:30 on 25 October 2026 happens twice: the earlier (BST) one is taken.
    expect(instantOf({ ...wall, month: 10, day: 25, hour: 1, minute: 30 }, 'Europe/London').toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('parses typed dates in the city zone and keeps explicit offsets', () => {
    expect(parseInstant('2026-06-10 09:30', 'Europe/Rome')?.toISOString()).toBe('2026-06-10T07:30:00.000Z');
    expect(parseInstant('2026-06-10', 'Europe/Vilnius')?.toISOString()).toBe('2026-06-09T21:00:00.000Z');
    expect(parseInstant('2026-06-10T09:30:00+01:00', 'Europe/Rome')?.toISOString()).toBe('2026-06-10T08:30:00.000Z');
    expect(parseInstant('2026-02-30 10:00', 'Europe/Rome')).toBeNull();
    expect(parseInstant('next Tuesday', 'Europe/Rome')).toBeNull();
    expect(parseWallTime('2026-06-10T25:00')).toBeNull();
  });

  it('formats the value of a datetime-local input', () => {
    expect(toLocalInput(new Date('2026-06-10T07:30:00Z'), 'Europe/Rome')).toBe('2026-06-10T09:30');
  });
});
