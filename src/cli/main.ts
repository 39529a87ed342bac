import { Command, CommanderError, Option } from 'commander';
import { createAdminCommand, migrateCommand, openApiCommand, seedDemoCommand, serveCommand } from './commands.ts';
import { registerSkillsCommands } from './skills.ts';
import { createCityCommand, registerCitiesCommands, withCreateCityOptions } from './cities.ts';
import { registerActivitiesCommands } from './activities.ts';
import { registerOrganisationsCommands } from './organisations.ts';
import { createOutput, EXIT_USAGE, reportError, type Output } from './output.ts';
import { registerUsersCommands } from './users.ts';

const configHelp = `
Configuration comes from the same environment variables as the server (see .env.example):
  DATABASE_URL  PostgreSQL connection string; without it the embedded database in DATA_DIR is used
  DATA_DIR      where the embedded database and files live (default ./data)`;

/** Wraps a command action: `--json` output, errors that say what to do, and the right exit code. */
function run<O>(action: (options: O, out: Output) => Promise<void>) {
  return async (options: O) => {
    const json = Boolean((options as { json?: boolean }).json);
    try {
      await action(options, createOutput(json));
    } catch (error) {
      process.exitCode = reportError(error, json);
    }
  };
}

export function buildCli(): Command {
  const program = new Command('learnscape')
    .description('Learnscape: cities of learning. Administer a deployment from the command line.')
    .addHelpText('after', configHelp)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('Migrate the database, seed the demo when it is empty (unless SEED_DEMO=false) and serve HTTP')
    .action(async () => {
      try {
        await serveCommand();
      } catch (error) {
        process.exitCode = reportError(error, false);
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
  registerUsersCommands(program, run);

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes with 2.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(error, argv.includes('--json'));
  }
}

await runCli(process.argv.slice(2));
