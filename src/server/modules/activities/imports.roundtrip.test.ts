import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../../../test/helpers/auth.ts';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { parseICalendar } from './activities.ical.ts';
import { createActivity, updateActivity } from './activities.service.ts';
import { commitImport, createImport, type ImportReport } from './imports.service.ts';

/**
 * Imports meeting the rest of the catalogue: problems said in the organiser's language on the import pages (stored
 * reports old and new), iCalendar RDATE as extra sessions that edits keep and re-imports replace, and a CSV export
 * with several venues imported back.
 */

function repairCafe(rdates: string | null): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'X-WR-TIMEZONE:Europe/London',
    'BEGIN:VEVENT',
    'UID:repair-cafe@library.example',
    'DTSTAMP:20261101T000000Z',
    'DTSTART;TZID=Europe/London:20261201T180000',
    'DTEND;TZID=Europe/London:20261201T200000',
    'RRULE:FREQ=WEEKLY;COUNT=3',
    ...(rdates ? [rdates] : []),
    'SUMMARY:Repair café',
    'LOCATION:Central Library\\, Armada Way',
    'GEO:50.3722;-4.1425',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
const withRdates = repairCafe('RDATE;TZID=Europe/London:20261205T100000,20261219T100000');

describe(`imports in the reader's language, RDATE and CSV round trips on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let organisationId: string;
  let trustedOrganisationId: string;
  let staff: Record<string, string>;

  const sessionStarts = async (activityId: string) =>
    (
      await t.db.query<{ starts_at: Date }>(
        'SELECT starts_at FROM activity_sessions WHERE activity_id = $1 AND cancelled_at IS NULL ORDER BY starts_at',
        [activityId],
      )
    ).map((row) => new Date(row.starts_at).toISOString());
  const importFile = async (content: string, fileName: string, org: string): Promise<ImportReport> => {
    const view = await createImport(t.db, city, org, { fileName, content }, systemCaller);
    return commitImport(t.db, city, org, view.id, systemCaller);
  };

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, organisationId, trustedOrganisationId } = await createCatalogueCity(t.db));
    staff = (await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' })).headers;
  }, 180_000);
  afterAll(() => t.close());

  it('shows row problems in the page language, in new reports and in reports stored before problems had keys', async () => {
    const csv = [
      'external_id,Title,Start,End,Venue,Latitude,Longitude',
      'L-1,Knitting circle,2026-12-01 18:00,2026-12-01 20:00,Central Library,50.3722,-4.1425',
      'L-2,Talk far away,2026-12-02 18:00,2026-12-02 20:00,Somewhere else,51.5,-0.12',
    ].join('\n');
    const view = await createImport(t.db, city, organisationId, { fileName: 'talks.csv', content: csv }, systemCaller);
    expect(view.rows[1]).toMatchObject({
      valid: false,
      problems: [{ column: 'Latitude', field: '/venues/0/lat', key: 'venue_outside_city' }],
    });
    const page = `/c/plymouth/manage/${organisationId}/imports/${view.id}`;
    const get = (lang: string) =>
      t.app.inject({ method: 'GET', url: `${page}?lang=${lang}`, headers: { cookie: staff.cookie } });
    const lithuanian = await get('lt');
    expect(lithuanian.statusCode).toBe(200);
    expect(lithuanian.body).toContain('<strong>Latitude</strong>: Vieta turi būti mieste (platuma');
    expect(lithuanian.body).not.toContain('must lie inside the city');
    // The API keeps the English text, beside the key and params.
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/activity-imports/${view.id}`,
      headers: staff,
    });
    expect(api.json().rows[1].problems[0]).toEqual({
      column: 'Latitude',
      field: '/venues/0/lat',
      problem: expect.stringMatching(/^The place must lie inside the city \(latitude 50\.3331–50\.4442/),
      key: 'venue_outside_city',
      params: expect.objectContaining({ south: 50.3331, north: 50.4442 }),
    });

    // Committed with the bad row skipped (as the command line does): the report keeps keys and params.
    const report = await commitImport(t.db, city, organisationId, view.id, systemCaller, { skipInvalid: true });
    expect(report).toMatchObject({ created: 1, failed: 1 });
    const failed = report.items.find((item) => item.outcome === 'failed');
    expect(failed?.problems[0]).toMatch(/inside the city/);
    expect(failed?.problemDetails?.[0]).toMatchObject({ column: 'Latitude', key: 'venue_outside_city' });
    expect((await get('lt')).body).toContain('Latitude: Vieta turi būti mieste');
    const apiReport = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/activity-imports/${view.id}`,
      headers: staff,
    });
    expect(apiReport.json().report.items[1]).toEqual(
      expect.objectContaining({ problems: failed?.problems, problemDetails: failed?.problemDetails }),
    );

    // A report stored before problems had keys is shown as it was written.
    await t.db.query(`UPDATE activity_imports SET report = report #- '{items,1,problemDetails}' WHERE id = $1`, [
      view.id,
    ]);
    const old = await get('lt');
    expect(old.statusCode).toBe(200);
    expect(old.body).toContain('The place must lie inside the city');
  });

  it('imports RDATE as extra sessions, keeps them through edits that do not name them, and re-imports replace them', async () => {
    const first = await importFile(withRdates, 'repair.ics', trustedOrganisationId);
    expect(first).toMatchObject({ created: 1, failed: 0 });
    const activityId = first.items[0]?.activityId as string;
    const all = [
      '2026-12-01T18:00:00.000Z',
      '2026-12-05T10:00:00.000Z',
      '2026-12-08T18:00:00.000Z',
      '2026-12-15T18:00:00.000Z',
      '2026-12-19T10:00:00.000Z',
    ];
    expect(await sessionStarts(activityId)).toEqual(all);

    // The same file again changes nothing.
    expect(await importFile(withRdates, 'repair.ics', trustedOrganisationId)).toMatchObject({ unchanged: 1 });

    // An edit through the form or the API (no extra dates in its input) keeps them, and the history shows no change.
    const { rdates: _rdates, ...input } = parseICalendar(withRdates, city).rows[0]?.input ?? activityInput();
    await updateActivity(
      t.db,
      city,
      activityId,
      { ...input, title: { en: 'Repair café at the library' } },
      systemCaller,
    );
    expect(await sessionStarts(activityId)).toEqual(all);
    const [edit] = await t.db.query<{ changes: Record<string, unknown> }>(
      `SELECT changes FROM activity_revisions WHERE activity_id = $1 AND action = 'updated' ORDER BY created_at DESC LIMIT 1`,
      [activityId],
    );
    expect(Object.keys(edit?.changes ?? {})).toEqual(['title']);

    // The publisher drops the RDATE line: the next import removes those sessions and records the change.
    const dropped = await importFile(repairCafe(null), 'repair.ics', trustedOrganisationId);
    expect(dropped).toMatchObject({ updated: 1 });
    expect(await sessionStarts(activityId)).toEqual([all[0], all[2], all[3]]);
    const [imported] = await t.db.query<{ changes: Record<string, { before: unknown; after: unknown }> }>(
      `SELECT changes FROM activity_revisions WHERE activity_id = $1 AND action = 'imported' ORDER BY created_at DESC LIMIT 1`,
      [activityId],
    );
    expect(imported?.changes.rdates).toEqual({ before: [all[1], all[4]], after: [] });
  });

  it('exports activities with several venues as CSV that imports back with every venue', async () => {
    const venues = [
      {
        name: 'Central Library',
        street: '167 Armada Way',
        postcode: 'PL1 1HZ',
        locality: 'Plymouth',
        lat: 50.3722,
        lon: -4.1425,
      },
      {
        name: 'Devonport Guildhall',
        street: 'Ker Street',
        postcode: 'PL1 4EL',
        locality: 'Devonport',
        lat: 50.3686,
        lon: -4.1699,
      },
      {
        name: 'The Box',
        street: 'Tavistock Place',
        postcode: 'PL4 8AX',
        locality: 'Plymouth',
        lat: 50.3755,
        lon: -4.1393,
      },
    ];
    const tour = await createActivity(
      t.db,
      city,
      trustedOrganisationId,
      activityInput({ title: { en: 'Heritage walking tour' }, venues }),
      systemCaller,
      { publish: true },
    );
    const exported = await t.app.inject(`/api/v1/cities/plymouth/activities/export.csv?q=heritage`);
    expect(exported.statusCode).toBe(200);
    const [header] = exported.body.split('\r\n');
    expect(header).toContain('venue_2_name,venue_2_street,venue_2_postcode,venue_2_locality,venue_2_lat,venue_2_lon');
    expect(header).toContain('venue_3_lon');

    // Another organisation imports the file: a new activity (matched on the exported id) with the same venues.
    const report = await importFile(exported.body, 'export.csv', organisationId);
    expect(report).toMatchObject({ created: 1, failed: 0 });
    const [copy] = await t.db.query<{ id: string }>(
      'SELECT id FROM activities WHERE organisation_id = $1 AND external_uid = $2',
      [organisationId, tour.id],
    );
    const copied = await t.db.query(
      `SELECT name, street, postcode, locality, lat, lon FROM activity_venues WHERE activity_id = $1 ORDER BY position`,
      [copy?.id],
    );
    expect(copied.map((venue) => ({ ...venue, lat: Number(venue.lat), lon: Number(venue.lon) }))).toEqual(venues);
  });
});
