#!/usr/bin/env node
// The `learnscape` command. TypeScript runs directly through tsx, so a checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
