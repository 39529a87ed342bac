import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment, type CliEnvironment } from '../../test/helpers/cli.ts';
import { testEngine } from '../../test/helpers/test-db.ts';

describe(`the learnscape command on ${testEngine}`, () => {
  let environment: CliEnvironment;
  beforeAll(async () => {
    environment = await createCliEnvironment();
  });
  afterAll(() => environment.drop());

  // Most commands run in this process (the same program, far cheaper); `operator` runs the real `learnscape` process
  // for the cases that show what an operator sees: exit codes, stdout and stderr, a password piped to stdin.
  const cli = (args: string[], input?: string) => environment.runInProcess(args, input);
  const operator = (args: string[], input?: string) => environment.run(args, input);

  it('explains itself with --help and lists every command', async () => {
    const run = await operator(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed-demo', 'create-city', 'create-admin'])
      expect(run.stdout).toContain(command);
    const sub = await cli(['create-city', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--bounds <west,south,east,north>');
  });

  it('fails with exit code 2 and a hint on unknown commands or missing options', async () => {
    const unknown = await operator(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await cli(['create-city', '--slug', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option/);
  });

  it('migrates, then reports nothing to do', async () => {
    const first = await cli(['migrate', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0000_foundation');
    const second = await cli(['migrate']);
    expect(second.stdout).toContain('up to date');
  });

  it('seeds the demo idempotently', async () => {
    const first = JSON.parse((await cli(['seed-demo', '--json'])).stdout);
    expect(first.citiesCreated).toEqual(['plymouth', 'vilnius', 'torino']);
    const second = JSON.parse((await cli(['seed-demo', '--json'])).stdout);
    expect(second.citiesCreated).toEqual([]);
    expect(second.usersCreated).toBe(0);
    expect(second.logins.length).toBe(first.logins.length);
  });

  it('creates a city, and rejects bad input with every problem listed', async () => {
    const ok = await cli([
      'create-city',
      '--slug',
      'gent',
      '--name',
      'en=Ghent',
      '--name',
      'it=Gand',
      '--languages',
      'en,it',
      '--time-zone',
      'Europe/Brussels',
      '--bounds',
      '3.58,50.98,3.85,51.19',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ slug: 'gent', languages: ['en', 'it'], timeZone: 'Europe/Brussels' });

    const taken = await cli([
      'create-city',
      '--slug',
      'gent',
      '--name',
      'en=Ghent',
      '--languages',
      'en',
      '--time-zone',
      'Europe/Brussels',
      '--bounds',
      '3.58,50.98,3.85,51.19',
      '--json',
    ]);
    expect(taken.code).toBe(2);
    expect(JSON.parse(taken.stdout).error.code).toBe('CITY_SLUG_TAKEN');

    const bad = await cli([
      'create-city',
      '--slug',
      'Bad Slug',
      '--name',
      'en=X',
      '--languages',
      'en,xx',
      '--time-zone',
      'Mars/Olympus',
      '--bounds',
      '10,50,5,51',
    ]);
    expect(bad.code).toBe(2);
    for (const field of ['/slug', '/languages', '/timeZone', '/bounds']) expect(bad.stderr).toContain(field);

    const malformed = await cli([
      'create-city',
      '--slug',
      'y',
      '--name',
      'Y',
      '--languages',
      'en',
      '--time-zone',
      'UTC',
      '--bounds',
      '1,2',
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--name takes LANG=NAME|--bounds needs 4/);
  });

  it('creates a network admin with a generated or piped password, and is idempotent', async () => {
    const generated = await cli(['create-admin', '--email', 'ops@example.org', '--name', 'Ops', '--json']);
    expect(generated.code).toBe(0);
    const result = JSON.parse(generated.stdout);
    expect(result).toMatchObject({ email: 'ops@example.org', created: true, role: 'network_admin' });
    expect(result.password.length).toBeGreaterThanOrEqual(20);

    const again = await cli(['create-admin', '--email', 'OPS@example.org']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already existed');

    const piped = await operator(
      ['create-admin', '--email', 'piped@example.org', '--password-stdin'],
      'a long enough secret\n',
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('a long enough secret');

    const weak = await cli(['create-admin', '--email', 'weak@example.org', '--password-stdin', '--json'], 'short\n');
    expect(weak.code).toBe(2);
    expect(JSON.parse(weak.stdout).error.details[0].field).toBe('/password');
  });

  it('stops with a one-line message naming a wrong configuration variable', async () => {
    const saved = environment.env.PORT;
    environment.env.PORT = 'eighty';
    const run = await operator(['migrate']);
    environment.env.PORT = saved;
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('Error: Invalid configuration: PORT must be a whole number, got "eighty"');
  });
});
