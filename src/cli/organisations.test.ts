import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/client.ts';
import { createCliEnvironment, type CliEnvironment } from '../../test/helpers/cli.ts';
import { testEngine } from '../../test/helpers/test-db.ts';

/** `learnscape cities|organisations|users …`: the same validation and audit log as the web, audit actor "cli". */
describe(`the admin commands on ${testEngine}`, () => {
  let environment: CliEnvironment;
  beforeAll(async () => {
    environment = await createCliEnvironment({ PUBLIC_URL: 'http://learnscape.test' });
  });
  afterAll(() => environment.drop());

  // Commands run in this process (the same program, far cheaper); one runs as the real `learnscape` process below.
  const cli = (args: string[], input?: string) => environment.runInProcess(args, input);
  const json = async (args: string[]) => {
    const run = await cli([...args, '--json']);
    return { code: run.code, body: JSON.parse(run.stdout || '{}'), stderr: run.stderr };
  };

  it('lists the commands', async () => {
    const help = await cli(['--help']);
    for (const command of ['cities', 'organisations', 'users', 'create-city', 'create-admin'])
      expect(help.stdout).toContain(command);
    expect((await cli(['users', 'set-role', '--help'])).stdout).toContain('--organisation');
  });

  it('creates, lists and archives cities', async () => {
    expect((await cli(['seed-demo', '--json'])).code).toBe(0);
    const created = await json([
      'cities',
      'create',
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
    ]);
    expect([created.code, created.body.slug]).toEqual([0, 'gent']);
    const bad = await json([
      'cities',
      'create',
      '--slug',
      'Bad Slug',
      '--name',
      'en=X',
      '--languages',
      'xx',
      '--time-zone',
      'Mars/Base',
      '--bounds',
      '5,50,3,51',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/slug', '/languages', '/timeZone', '/bounds']),
    );
    const list = await json(['cities', 'list']);
    expect(list.body.items.map((c: { slug: string }) => c.slug)).toEqual(['gent', 'plymouth', 'torino', 'vilnius']);
    expect(list.body.items.find((c: { slug: string }) => c.slug === 'vilnius')).toMatchObject({
      curators: 1,
      organisations: 11, // 4 from the organisations seed, 7 providers from the catalogue seed
    });
    const archived = await json(['cities', 'archive', '--city', 'gent']);
    expect(archived.body).toEqual({ slug: 'gent', status: 'archived' });
    const unknown = await json(['cities', 'archive', '--city', 'atlantis']);
    expect([unknown.code, unknown.body.error.code]).toEqual([2, 'CITY_NOT_FOUND']);
  });

  it('creates an organisation, lists the pending queue and approves it', async () => {
    const user = await json(['users', 'create', '--email', 'owner@club.example.org', '--name', 'Club Owner']);
    expect(user.body.password).toMatch(/^[\w-]{20,}$/);
    const created = await json([
      'organisations',
      'create',
      '--city',
      'plymouth',
      '--name',
      'Keyham Chess Club',
      '--kinds',
      'provider',
      '--owner',
      'owner@club.example.org',
    ]);
    expect(created.body).toMatchObject({ slug: 'keyham-chess-club', status: 'pending' });
    const badKinds = await json([
      'organisations',
      'create',
      '--city',
      'plymouth',
      '--name',
      'Nope',
      '--kinds',
      'pirate',
    ]);
    expect([badKinds.code, badKinds.body.error.details[0].field]).toEqual([2, '/kinds']);
    const archivedCity = await json([
      'organisations',
      'create',
      '--city',
      'gent',
      '--name',
      'Late',
      '--kinds',
      'provider',
    ]);
    expect(archivedCity.body.error.code).toBe('CITY_ARCHIVED');
    const pending = await json(['organisations', 'list', '--city', 'plymouth', '--status', 'pending']);
    expect(pending.body.items.map((o: { slug: string }) => o.slug)).toEqual(['keyham-chess-club']);
    const rejectWithoutReason = await json([
      'organisations',
      'approve',
      '--city',
      'plymouth',
      '--organisation',
      'keyham-chess-club',
      '--reject',
    ]);
    expect(rejectWithoutReason.body.error.details[0].field).toBe('/reason');
    const approved = await json([
      'organisations',
      'approve',
      '--city',
      'plymouth',
      '--organisation',
      'keyham-chess-club',
      '--verify',
    ]);
    expect(approved.body).toMatchObject({ status: 'approved', verified: true });
    // As an operator sees it: the real command, its exit code and text output.
    const listed = await environment.run(['organisations', 'list', '--city', 'plymouth']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('Keyham Chess Club (verified)');
  });

  it('invites people and sets roles, recording each action with the actor "cli"', async () => {
    const invite = await json([
      'users',
      'invite',
      '--email',
      'helper@example.org',
      '--city',
      'plymouth',
      '--organisation',
      'keyham-chess-club',
      '--role',
      'admin',
    ]);
    expect(invite.body).toMatchObject({ email: 'helper@example.org', role: 'admin' });
    expect(invite.body.url).toMatch(/^http:\/\/learnscape\.test\/invitations\/[\w-]{30,}$/);
    const curator = await json([
      'users',
      'set-role',
      '--email',
      'owner@club.example.org',
      '--role',
      'city_curator',
      '--city',
      'torino',
    ]);
    expect(curator.body).toMatchObject({ role: 'city_curator', citySlug: 'torino', changed: true });
    const noCity = await json(['users', 'set-role', '--email', 'owner@club.example.org', '--role', 'quality_assessor']);
    expect(noCity.body.error.details[0].field).toBe('/city');
    const demote = await json([
      'users',
      'set-role',
      '--email',
      'owner@club.example.org',
      '--role',
      'staff',
      '--organisation',
      'keyham-chess-club',
      '--city',
      'plymouth',
    ]);
    expect(demote.body.error.code).toBe('LAST_OWNER');
    const listed = await json(['users', 'list', '--city', 'torino']);
    expect(listed.body.items.find((u: { email: string }) => u.email === 'owner@club.example.org').roles).toEqual([
      'city_curator@torino',
    ]);

    // The audit log holds every change, by "cli".
    const db = await openDatabase({
      databaseUrl: environment.env.DATABASE_URL || undefined,
      dataDir: environment.env.DATABASE_URL ? undefined : environment.env.DATA_DIR,
    });
    try {
      const rows = await db.query<{ action: string; actor_label: string }>(
        `SELECT action, actor_label FROM audit_log WHERE actor_label = 'cli' ORDER BY created_at`,
      );
      expect(rows.map((r) => r.action)).toEqual([
        'city.create',
        'city.archive',
        'user.create',
        'organisation.apply',
        'organisation.approve',
        'member.invite',
        'user.role_grant',
      ]);
    } finally {
      await db.close();
    }
  });
});
