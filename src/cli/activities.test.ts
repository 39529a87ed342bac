import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment, type CliEnvironment } from '../../test/helpers/cli.ts';
import { testEngine } from '../../test/helpers/test-db.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/catalogue/', import.meta.url));

/** `learnscape activities import`: bulk loads from CSV and iCalendar with counts and each failure's line. */
describe(`the activities import command on ${testEngine}`, () => {
  let environment: CliEnvironment;
  let scratch: string;
  beforeAll(async () => {
    environment = await createCliEnvironment({ PUBLIC_URL: 'http://learnscape.test' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-import-'));
    const setup = [
      [
        'cities',
        'create',
        '--slug',
        'plymouth',
        '--name',
        'en=Plymouth',
        '--languages',
        'en',
        '--time-zone',
        'Europe/London',
        '--bounds',
        '-4.2053,50.3331,-4.0196,50.4442',
      ],
      ['organisations', 'create', '--city', 'plymouth', '--name', 'Central Library', '--kinds', 'provider'],
      ['organisations', 'approve', '--city', 'plymouth', '--organisation', 'central-library'],
    ];
    for (const args of setup) expect((await environment.runInProcess([...args, '--json'])).code).toBe(0);
  }, 300_000);
  afterAll(async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    await environment.drop();
  });

  const importArgs = (file: string, ...extra: string[]) => [
    'activities',
    'import',
    '--city',
    'plymouth',
    '--org',
    'central-library',
    '--file',
    file,
    ...extra,
  ];
  // Imports run in this process (the same program, far cheaper); one runs as the real `learnscape` process below.
  const importFile = async (file: string, ...extra: string[]) => {
    const run = await environment.runInProcess(importArgs(file, ...extra));
    return { ...run, body: extra.includes('--json') ? JSON.parse(run.stdout || '{}') : null };
  };

  it('imports a CSV file, and the same file again changes nothing', async () => {
    const first = await importFile(path.join(fixtures, 'plymouth-activities.csv'), '--json');
    expect([first.code, first.body]).toMatchObject([0, { kind: 'csv', written: true, created: 3, failed: 0 }]);
    expect(first.body.warnings[0]).toMatch(/line 2: the recurrence never ends/);
    const again = await importFile(path.join(fixtures, 'plymouth-activities.csv'));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 created, 0 updated, 3 skipped, 0 failed');
  }, 240_000);

  it('writes nothing from a file with a bad row unless told to skip it, and names each failing line', async () => {
    const file = path.join(scratch, 'mixed.csv');
    fs.writeFileSync(
      file,
      [
        'id,title,start,end,venue,lat,lon',
        'X-1,Reading group,2026-12-01 18:00,2026-12-01 19:00,Library,50.3722,-4.1425',
        'X-2,Lost in the sea,2026-12-02 18:00,2026-12-02 19:00,Eddystone,50.18,-4.26',
        'X-3,Poetry night,2026-12-03 18:00,not a date,Library,50.3722,-4.1425',
      ].join('\n'),
    );
    // As an operator sees it: the real command, exit code 2 and the report on stdout.
    const refused = await environment.run(importArgs(file));
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(
      'Nothing imported from mixed.csv (CSV) for central-library in plymouth: 0 created',
    );
    expect(refused.stdout).toMatch(/line 3: lat: The place must lie inside the city/);
    expect(refused.stdout).toMatch(/line 4: end: "not a date" is not a date/);
    const skipped = await importFile(file, '--skip-invalid', '--json');
    expect(skipped.code).toBe(0);
    expect(skipped.body).toMatchObject({ written: true, created: 1, failed: 2 });
    expect(skipped.body.failures.map((f: { line: number }) => f.line)).toEqual([3, 4]);
    // JSON keeps each problem's stable key and params beside the English text.
    expect(skipped.body.failures[0].problemDetails[0]).toMatchObject({ column: 'lat', key: 'venue_outside_city' });
    expect(skipped.body.failures[1].problemDetails).toEqual([
      {
        column: 'end',
        field: '/endsAt',
        key: 'csv_not_date_time',
        params: { value: 'not a date' },
        problem: '"not a date" is not a date (use 2025-03-04 18:00 or ISO 8601)',
      },
    ]);
  }, 240_000);

  it('imports an iCalendar file and reports bad input with exit code 2', async () => {
    const ics = await importFile(path.join(fixtures, 'outlook-exchange.ics'), '--json');
    expect(ics.body).toMatchObject({ kind: 'ical', created: 2 });
    const broken = await importFile(path.join(fixtures, 'broken-no-events.ics'), '--json');
    expect([broken.code, broken.body.error.code]).toEqual([2, 'IMPORT_HAS_ERRORS']);
    expect(broken.body.error.details).toEqual([
      { key: 'ical_no_events', params: {}, problem: 'the calendar has no events' },
    ]);
    // The readers' messages in English, whatever the city's languages.
    const badDate = path.join(scratch, 'bad-date.ics');
    fs.writeFileSync(
      badDate,
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'UID:bad-date@example.org',
        'SUMMARY:Month thirteen',
        'DTSTART:20261301T180000Z',
        'GEO:50.3722;-4.1425',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    );
    const refused = await importFile(badDate);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('line 3: the event’s DTSTART is not a real date or date-time');
    const missing = await importFile(path.join(scratch, 'nope.csv'), '--json');
    expect([missing.code, missing.body.error.code]).toEqual([2, 'USAGE']);
    const unknown = await environment.runInProcess([
      'activities',
      'import',
      '--city',
      'plymouth',
      '--org',
      'nobody',
      '--file',
      path.join(fixtures, 'plymouth-activities.csv'),
      '--json',
    ]);
    expect([unknown.code, JSON.parse(unknown.stdout).error.code]).toEqual([2, 'ORGANISATION_NOT_FOUND']);
  }, 300_000);
});
