// Rule: command modules load server code only with `await import()` inside actions (so `--help` is fast), and take settings and I/O from `out` (out.config(), out.io), never from process.env or process.stdout.
import { Command, CommanderError, Option } from 'commander';
import { createAdminCommand, migrateCommand, openApiCommand, seedDemoCommand, serveCommand } from './commands.ts';
import { registerSkillsCommands } from './skills.ts';
import { createCityCommand, registerCitiesCommands, withCreateCityOptions } from './cities.ts';
import { registerActivitiesCommands } from './activities.ts';
import { registerBadgesCommands } from './badges.ts';
import { registerIssuersCommands } from './issuers.ts';
import { registerOrganisationsCommands } from './organisations.ts';
import { type CliIo, createOutput, EXIT_USAGE, type Output, processIo, reportError } from './output.ts';
import { registerUsersCommands } from './users.ts';

const configHelp = `
Configuration comes from the same environment variables as the server (see .env.example):
  DATABASE_URL  PostgreSQL connection string; without it the embedded database in DATA_DIR is used
  DATA_DIR      where the embedded database and files live (default ./data)`;

/**
 * The commander program. `io` is where its settings, input and output come from: the process by default, or a test's
 * own environment and captured streams. A command's exit code is left in `process.exitCode`; nothing calls
 * `process.exit` except a running `serve` on SIGINT/SIGTERM.
 */
export function buildCli(io: CliIo = processIo()): Command {
  /** Wraps a command action: `--json` output, errors that say what to do, and the right exit code. */
  function run<O>(action: (options: O, out: Output) => Promise<void>) {
    return async (options: O) => {
      const json = Boolean((options as { json?: boolean }).json);
      try {
        await action(options, createOutput(json, io));
      } catch (error) {
        process.exitCode = reportError(error, json, io);
      }
    };
  }

  const program = new Command('learnscape')
    .description('Learnscape: cities of learning. Administer a deployment from the command line.')
    .addHelpText('after', configHelp)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    // Subcommands inherit this (commander copies it to each command created below).
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // As commander's defaults, for this run's streams (commander treats undefined as "not a terminal").
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
    });

  program
    .command('serve')
    .description('Migrate the database, seed the demo when it is empty (unless SEED_DEMO=false) and serve HTTP')
    .action(async () => {
      try {
        await serveCommand(createOutput(false, io));
      } catch (error) {
        process.exitCode = reportError(error, false, io);
      }
    });

  program
    .command('migrate')
    .description('Apply pending database migrations')
    .option('--json', 'print the result as JSON')
    .action(run(async (_options, out) => migrateCommand(out)));

  program
    .command('seed-demo')
    .description('Create the demo network (idempotent: re-running adds only what is missing)')
    .option('--json', 'print the result as JSON')
    .action(run(async (_options, out) => seedDemoCommand(out)));

  withCreateCityOptions(
    program.command('create-city').description('Create a city (tenant); the same as `cities create`'),
  ).action(run(createCityCommand));

  program
    .command('create-admin')
    .description(
      'Create a network admin, or make an existing account one. Prints a generated password unless --password-stdin is given',
    )
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name', 'Network admin')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'print the result as JSON')
    .action(run(createAdminCommand));

  program
    .command('openapi')
    .description('Print or write the OpenAPI document generated from the route schemas')
    .addOption(new Option('--out <file>', 'write to this file instead of standard output'))
    .action(run(openApiCommand));

  registerSkillsCommands(program, run);

  registerCitiesCommands(program, run);
  registerOrganisationsCommands(program, run);
  registerActivitiesCommands(program, run);
  registerIssuersCommands(program, run);
  registerBadgesCommands(program, run);
  registerUsersCommands(program, run);

  return program;
}

/** Runs `learnscape …args`; the exit code is left in `process.exitCode`. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const program = buildCli(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes with 2.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(error, argv.includes('--json'), io);
  }
}
