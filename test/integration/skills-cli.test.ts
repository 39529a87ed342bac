import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment, type CliEnvironment } from '../helpers/cli.ts';
import { testEngine } from '../helpers/test-db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = path.join(root, 'test/fixtures/esco/v1.1.1-sample');

describe(`learnscape import on ${testEngine}`, () => {
  let environment: CliEnvironment;
  beforeAll(async () => {
    environment = await createCliEnvironment();
  });
  afterAll(() => environment.drop());

  // Commands run in this process (the same program, far cheaper); one runs as the real `learnscape` process below.
  const cli = (args: string[], input?: string) => environment.runInProcess(args, input);

  it('lists the import commands in --help', async () => {
    const run = await cli(['import', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('esco [options] <folder>');
    expect(run.stdout).toContain('frameworks');
  });

  it('imports ESCO with progress and a summary, and re-imports idempotently', async () => {
    const first = await cli(['import', 'esco', fixture, '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      version: '1.1.1',
      languages: ['en'],
      skills: { created: 77, updated: 0 },
      skillGroups: { created: 93, updated: 0 },
      occupations: { created: 12, updated: 0 },
      labels: 834,
      broaderRelations: 204,
      occupationSkillRelations: 113,
      skillSkillRelations: 6,
    });
    // Progress goes to stderr so --json output stays parseable.
    expect(first.stderr).toContain('Checking classification-en/skills_en.csv: 77 done');
    expect(first.stderr).toContain('Writing labels: 834 done');

    const again = await cli(['import', 'esco', fixture]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('skills and knowledge   0 new, 77 updated');
  });

  it('names file, line and problem for a broken file, imports nothing and exits with 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-esco-bad-'));
    fs.cpSync(fixture, dir, { recursive: true });
    const file = path.join(dir, 'classification-en/skills_en.csv');
    const lines = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      `${lines}KnowledgeSkillCompetence,not-a-uri,skill/competence,cross-sector,new skill,,,released,,,,,x\n`,
    );
    const run = await cli(['import', 'esco', dir, '--json']);
    expect(run.code).toBe(2);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe('ESCO_IMPORT_INVALID');
    expect(error.details[0]).toMatchObject({
      file: 'classification-en/skills_en.csv',
      problem: 'conceptUri "not-a-uri" is not a URI',
    });
    expect(error.details[0].line).toBeGreaterThan(77);

    // As an operator sees it: the real command, exit code 2 and the problem on stderr.
    const text = await environment.run(['import', 'esco', dir]);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/classification-en\/skills_en\.csv, line \d+: conceptUri "not-a-uri" is not a URI/);

    const empty = await cli(['import', 'esco', fs.mkdtempSync(path.join(os.tmpdir(), 'ls-esco-empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No ESCO skills file');
  });

  it('loads the bundled frameworks', async () => {
    const run = await cli(['import', 'frameworks', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).updated).toEqual(expect.any(Array));
    const again = await cli(['import', 'frameworks']);
    expect(again.stdout).toContain('up to date');
  });
});
