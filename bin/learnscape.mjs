#!/usr/bin/env node
// The `learnscape` command. TypeScript runs directly through tsx, so a checkout needs no build step.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// Settings may live in a .env file in the working directory (see .env.example); real environment variables win.
if (existsSync('.env')) process.loadEnvFile('.env');

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
