import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import {
  CACHE_MIN_ROWS,
  cached,
  cellSize,
  clearAnswerCache,
  dateRangeOf,
  decodeCursor,
  encodeCursor,
  expansionZoomOf,
  hasFilters,
  parseSearchParams,
  plainSummary,
  POINTS_ZOOM,
  searchQueryString,
  searchTerms,
  viewFilter,
} from './search.service.ts';
import { AREA_DEGREES, areaKeys, areaTsqueries, MAX_AREAS, minimalBranches } from './search.repo.ts';

function problems(raw: Record<string, string | string[]>): string[] {
  try {
    parseSearchParams(raw);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    return (error as AppError).details.map((detail) => detail.field ?? '');
  }
}

describe('search parameters', () => {
  it('reads every parameter, repeated ones as lists', () => {
    const query = parseSearchParams({
      q: '  robots  ',
      format: ['online', 'blended', 'online'],
      age: 'teens',
      cost: 'free',
      language: ['lt'],
      accessibility: ['step_free'],
      district: 'Naujamiestis',
      organisation: ['coderdojo-vilnius'],
      when: 'weekend',
      bbox: '25.1,54.6,25.3,54.8',
      near: '54.68,25.28',
      radiusKm: '5',
      sort: 'distance',
      limit: '50',
    });
    expect(query).toMatchObject({
      q: 'robots',
      format: ['online', 'blended'],
      age: ['teens'],
      cost: 'free',
      bbox: { west: 25.1, south: 54.6, east: 25.3, north: 54.8 },
      near: { lat: 54.68, lon: 25.28 },
      radiusKm: 5,
      limit: 50,
    });
    expect(searchQueryString(query)).toBe(
      '?q=robots&format=online&format=blended&age=teens&cost=free&organisation=coderdojo-vilnius&district=Naujamiestis&language=lt&accessibility=step_free&when=weekend&near=54.68%2C25.28&radiusKm=5&bbox=25.1%2C54.6%2C25.3%2C54.8&sort=distance',
    );
    expect(hasFilters(query)).toBe(true);
    expect(hasFilters(parseSearchParams({ sort: 'date' }))).toBe(false);
    expect(parseSearchParams({}).limit).toBe(20);
  });

  it('names each bad parameter', () => {
    expect(problems({ bbox: '1,2,3' })).toEqual(['/bbox']);
    expect(problems({ bbox: '5,50,4,51' })).toEqual(['/bbox']);
    expect(problems({ bbox: '-181,50,4,51' })).toEqual(['/bbox']);
    expect(problems({ bbox: '1e3,50,4,51' })).toEqual(['/bbox']);
    expect(problems({ near: '91,0' })).toEqual(['/near']);
    expect(problems({ radiusKm: '5' })).toEqual(['/near']);
    expect(problems({ sort: 'distance' })).toEqual(['/near']);
    expect(problems({ format: 'underwater', age: 'ancient' })).toEqual(['/format', '/age']);
    expect(problems({ from: '2027-02-29' })).toEqual(['/from']);
    expect(problems({ from: '2027-03-02', to: '2027-03-01' })).toEqual(['/to']);
    expect(problems({ limit: '1000' })).toEqual(['/limit']);
    expect(problems({ skill: 'not-a-uuid' })).toEqual(['/skill']);
    expect(problems({ cursor: 'garbage' })).toEqual(['/cursor']);
    expect(problems({ q: 'x'.repeat(201) })).toEqual(['/q']);
  });
});

describe('search words', () => {
  it('keeps letters and digits of any script and drops tsquery syntax', () => {
    expect(searchTerms('Robotics & coding | !chess:*')).toEqual([['robotics'], ['coding'], ['chess']]);
    expect(searchTerms("Šiaurės  Žvaigždė CITTÀ perché l'arte 3D")).toEqual([
      ['šiaurės'],
      ['žvaigždė'],
      ['città'],
      ['perché'],
      ['l'],
      ['arte'],
      ['3d'],
    ]);
    expect(searchTerms('\'"();:*<->')).toEqual([]);
  });

  it('reads quoted words as a phrase, even with an unclosed quote', () => {
    expect(searchTerms('"digital art" club')).toEqual([['digital', 'art'], ['club']]);
    expect(searchTerms('club "digital art')).toEqual([['club'], ['digital', 'art']]);
    expect(searchTerms('"solo"')).toEqual([['solo']]);
  });

  it('keeps at most eight terms and no duplicates', () => {
    expect(searchTerms('a b c d e f g h i j')).toHaveLength(8);
    expect(searchTerms('club Club CLUB')).toEqual([['club']]);
  });
});

describe('dates in the city’s time zone', () => {
  const zone = 'Europe/Vilnius';
  const range = (when: 'now' | 'today' | 'weekend' | 'week', now: string) => {
    const r = dateRangeOf({ when, from: null, to: null }, zone, new Date(now));
    return r && { from: r.from.toISOString(), to: r.to.toISOString() };
  };

  it('takes the coming weekend from a weekday, and the rest of it during the weekend', () => {
    // Wednesday 7 July 2027, summer time (UTC+3): Saturday starts Friday 21:00 UTC.
    expect(range('weekend', '2027-07-07T10:00:00Z')).toEqual({
      from: '2027-07-09T21:00:00.000Z',
      to: '2027-07-11T21:00:00.000Z',
    });
    // Saturday 22:30 UTC is already Sunday in Vilnius: the rest of Sunday.
    expect(range('weekend', '2027-07-10T22:30:00Z')).toEqual({
      from: '2027-07-10T22:30:00.000Z',
      to: '2027-07-11T21:00:00.000Z',
    });
    // Friday 21:30 UTC is Saturday 00:30 local.
    expect(range('weekend', '2027-07-09T21:30:00Z')?.from).toBe('2027-07-09T21:30:00.000Z');
  });

  it('ends today at local midnight and this week at the end of Sunday, across a clock change', () => {
    expect(range('today', '2027-01-12T20:00:00Z')).toEqual({
      from: '2027-01-12T20:00:00.000Z',
      to: '2027-01-12T22:00:00.000Z',
    });
    // Thursday 25 March 2027; summer time starts on Sunday the 28th, so Monday 00:00 is 21:00 UTC.
    expect(range('week', '2027-03-25T12:00:00Z')?.to).toBe('2027-03-28T21:00:00.000Z');
    expect(range('now', '2027-03-25T12:00:00Z')).toEqual({
      from: '2027-03-25T12:00:00.000Z',
      to: '2027-03-25T12:00:00.001Z',
    });
  });

  it('reads from and to as whole local days, overlapping a chip when both are given', () => {
    const r = dateRangeOf({ when: null, from: '2027-07-01', to: '2027-07-02' }, zone, new Date('2027-06-01T00:00:00Z'));
    expect(r).toEqual({ from: new Date('2027-06-30T21:00:00Z'), to: new Date('2027-07-02T21:00:00Z') });
    const both = dateRangeOf({ when: 'weekend', from: '2027-07-11', to: null }, zone, new Date('2027-07-07T10:00:00Z'));
    expect(both?.from.toISOString()).toBe('2027-07-10T21:00:00.000Z');
    expect(both?.to.toISOString()).toBe('2027-07-11T21:00:00.000Z');
    expect(dateRangeOf({ when: null, from: null, to: null }, zone, new Date())).toBeNull();
  });
});

describe('cursors', () => {
  const id = '2b1f7c9e-5d4a-4b8e-9f00-1a2b3c4d5e6f';
  it('round-trip the sort key and id, and refuse anything else', () => {
    for (const key of [0.123456789, 1.5, null, '2027-07-10 09:00:00.123456']) {
      const sort = typeof key === 'number' ? 'relevance' : 'date';
      expect(decodeCursor(encodeCursor(sort, { key, id }))).toEqual({ sort, key, id });
    }
    expect(decodeCursor('not base64 json')).toBeNull();
    expect(decodeCursor(Buffer.from('{"s":"date","k":"1; DROP","i":"x"}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from(`{"s":"distance","k":"3","i":"${id}"}`).toString('base64url'))).toBeNull();
  });
});

describe('map grid', () => {
  it('sizes cells by zoom and splits a cluster at the zoom its extent needs', () => {
    const at11 = cellSize(11, 54.7);
    expect(at11.lon).toBeCloseTo(0.0439, 3);
    expect(at11.lat).toBeCloseTo(0.0439 * Math.cos((54.7 * Math.PI) / 180), 3);
    expect(cellSize(12, 0).lon).toBeCloseTo(at11.lon / 2, 6);
    expect(expansionZoomOf(11, { lon: 0, lat: 0 }, 54.7)).toBe(POINTS_ZOOM);
    expect(expansionZoomOf(11, { lon: 0.03, lat: 0.001 }, 54.7)).toBe(12);
    expect(expansionZoomOf(11, { lon: 0.001, lat: 0.001 }, 54.7)).toBe(POINTS_ZOOM);
    expect(expansionZoomOf(11, { lon: 0.004, lat: 0 }, 54.7)).toBe(15);
  });
});

describe('summaries', () => {
  it('turns description HTML into a short plain text', () => {
    expect(plainSummary('<p>Fish &amp; chips</p><p>at the <strong>Hoe</strong></p>')).toBe('Fish & chips at the Hoe');
    const long = plainSummary(`<p>${'word '.repeat(100)}</p>`, 50);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('map views as filters', () => {
  const city = { boundsWest: 25.0, boundsSouth: 54.5, boundsEast: 25.5, boundsNorth: 55.0 };
  it('clips to the city, drops a view of all of it, and keeps large views out of the spatial index', () => {
    expect(viewFilter(city, null)).toEqual({ bbox: null, bboxIndexed: false, locatedOnly: false });
    expect(viewFilter(city, { west: 24, south: 54, east: 26, north: 56 })).toEqual({
      bbox: null,
      bboxIndexed: false,
      locatedOnly: true,
    });
    expect(viewFilter(city, { west: 25.1, south: 54.6, east: 25.2, north: 54.7 })).toEqual({
      bbox: { west: 25.1, south: 54.6, east: 25.2, north: 54.7 },
      bboxIndexed: true,
      locatedOnly: false,
    });
    expect(viewFilter(city, { west: 24.9, south: 54.4, east: 25.3, north: 54.8 })).toEqual({
      bbox: { west: 25.0, south: 54.5, east: 25.3, north: 54.8 },
      bboxIndexed: false,
      locatedOnly: false,
    });
    expect(viewFilter(city, { west: 10, south: 10, east: 11, north: 11 }).bboxIndexed).toBe(true);
  });
});

describe('tsquery branches', () => {
  it('keeps only the shortest prefix of each word, and phrases as they are', () => {
    expect(minimalBranches(["'theatre':*", "'theatr':*", "'theatr':*"])).toEqual(["'theatr':*"]);
    expect(minimalBranches(["'corsi':*A", "'cors':*A"])).toEqual(["'cors':*A"]);
    expect(minimalBranches(["'run':*", "'runs':*", "'bėgim':*"])).toEqual(["'run':*", "'bėgim':*"]);
    expect(minimalBranches(["'digit':* <-> 'art':*", "'digital':* <-> 'art':*"])).toEqual([
      "'digit':* <-> 'art':*",
      "'digital':* <-> 'art':*",
    ]);
    expect(minimalBranches(["'l''art':*", "'l''a':*"])).toEqual(["'l''a':*"]);
  });
});

describe('words within a map view', () => {
  it('names the squares a view touches, as the index keys them, and none for a view too large', () => {
    expect(areaKeys({ west: 25.385, south: 54.775, east: 25.395, north: 54.785 })).toEqual([
      '2538,5477|',
      '2538,5478|',
      '2539,5477|',
      '2539,5478|',
    ]);
    // West of Greenwich and south of the equator: floor, not truncation.
    expect(areaKeys({ west: -4.155, south: -0.005, east: -4.145, north: 0.005 })).toEqual([
      '-416,-1|',
      '-416,0|',
      '-415,-1|',
      '-415,0|',
    ]);
    // A point on a square's edge belongs to the square above it, in SQL's floor as here.
    expect(areaKeys({ west: 0.04, south: 0.04, east: 0.04, north: 0.04 })).toEqual([
      `${Math.floor(0.04 / AREA_DEGREES)},${Math.floor(0.04 / AREA_DEGREES)}|`,
    ]);
    const side = Math.ceil(Math.sqrt(MAX_AREAS)) + 1;
    expect(areaKeys({ west: 0.001, south: 0.001, east: side * AREA_DEGREES, north: side * AREA_DEGREES })).toBeNull();
  });

  it('asks for the words once per square, every lexeme prefixed, operators and weights in place', () => {
    expect(areaTsqueries("( 'cycl':* | 'cyclin':* ) & 'club':*A", ['1,2|', '1,3|'])).toEqual([
      "( '1,2|cycl':* | '1,2|cyclin':* ) & '1,2|club':*A",
      "( '1,3|cycl':* | '1,3|cyclin':* ) & '1,3|club':*A",
    ]);
    // The squares' vector has no positions: a phrase's words are asked for together, and in order on the row.
    expect(areaTsqueries("'robot' <-> 'club' <2> 'kit'", ['0,0|'])).toEqual(["'0,0|robot' & '0,0|club' & '0,0|kit'"]);
    // Doubled quotes inside a lexeme stay one lexeme.
    expect(areaTsqueries("'l''art':*", ['0,0|'])).toEqual(["'0,0|l''art':*"]);
  });
});

describe('the answer cache', () => {
  const pool = { transaction: () => Promise.resolve() } as unknown as Database;
  const transaction = { query: () => Promise.resolve([]) } as unknown as SqlRunner;
  afterEach(() => {
    vi.useRealTimers();
    clearAnswerCache();
  });
  const counter = () => {
    let calls = 0;
    let release: (() => void) | null = null;
    return {
      get calls() {
        return calls;
      },
      /** Counts once; the answer is the number of the call, given when `finish` is called (or at once). */
      compute(hold = false) {
        return () => {
          calls += 1;
          const answer = calls;
          return hold ? new Promise<number>((resolve) => (release = () => resolve(answer))) : Promise.resolve(answer);
        };
      },
      finish() {
        release?.();
      },
    };
  };
  const large = () => CACHE_MIN_ROWS;

  it('keeps a large answer a minute, then gives it while one background count replaces it', async () => {
    vi.useFakeTimers();
    const count = counter();
    expect(await cached(pool, 'k', count.compute(), large)).toBe(1);
    vi.advanceTimersByTime(59_000);
    expect(await cached(pool, 'k', count.compute(), large)).toBe(1);
    expect(count.calls).toBe(1);
    vi.advanceTimersByTime(2_000);
    // Past its minute: the kept answer at once, and one count in the background however many ask meanwhile.
    expect(await cached(pool, 'k', count.compute(true), large)).toBe(1);
    expect(await cached(pool, 'k', count.compute(true), large)).toBe(1);
    expect(count.calls).toBe(2);
    count.finish();
    await vi.waitFor(async () => expect(await cached(pool, 'k', count.compute(), large)).toBe(2));
    expect(count.calls).toBe(2);
  });

  it('counts afresh when the answer is small, too old, or the caller is a transaction', async () => {
    vi.useFakeTimers();
    const count = counter();
    expect(await cached(pool, 'small', count.compute(), () => CACHE_MIN_ROWS - 1)).toBe(1);
    expect(await cached(pool, 'small', count.compute(), () => CACHE_MIN_ROWS - 1)).toBe(2);
    expect(await cached(pool, 'old', count.compute(), large)).toBe(3);
    vi.advanceTimersByTime(12 * 60_000);
    expect(await cached(pool, 'old', count.compute(), large)).toBe(4);
    vi.advanceTimersByTime(2 * 60_000);
    expect(await cached(transaction, 'old', count.compute(), large)).toBe(5);
  });

  it('forgets a kept answer whose background count came out small', async () => {
    vi.useFakeTimers();
    expect(await cached(pool, 'k', () => Promise.resolve(1), large)).toBe(1);
    vi.advanceTimersByTime(61_000);
    expect(
      await cached(
        pool,
        'k',
        () => Promise.resolve(2),
        () => CACHE_MIN_ROWS - 1,
      ),
    ).toBe(1);
    await vi.waitFor(async () => expect(await cached(pool, 'k', () => Promise.resolve(3), large)).toBe(3));
  });

  it('forgets an answer whose background count failed', async () => {
    vi.useFakeTimers();
    expect(await cached(pool, 'k', () => Promise.resolve(1), large)).toBe(1);
    vi.advanceTimersByTime(61_000);
    expect(await cached(pool, 'k', () => Promise.reject(new Error('gone')), large)).toBe(1);
    await vi.waitFor(async () => expect(await cached(pool, 'k', () => Promise.resolve(3), large)).toBe(3));
  });
});
