import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/main.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The flags this machine and CI need: no sandbox as root, and no background calls to a network that is not there.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when browser tests can run; under CI a missing browser is an error, never a skip. */
export function browserAvailable(): boolean {
  const present = fs.existsSync(chromiumPath);
  if (!present && process.env.CI) {
    throw new Error(
      `Chromium is missing at ${chromiumPath}; install Debian's chromium package (CI must not skip browser tests).`,
    );
  }
  if (!present) console.warn(`Browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium).`);
  return present;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A/AA and best practice) on the page; returns serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Settings that change how the server runs, never what the demo seed writes: they share one template. */
const settingsOutsideTheData = new Set(['JOB_POLL_INTERVAL_MS']);

/**
 * The whole demo server (its own embedded database with the seeded demo, in-process mail) on a free port, for browser
 * tests. The demo is seeded once per test run into a template data directory (see browser-global-setup.ts) and each
 * server starts on a copy of it; its seed step then finds the demo complete and adds nothing.
 */
export async function startDemoServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-e2e-'));
  const configFor = (directory: string, extra: Record<string, string> = {}) =>
    loadConfig({ NODE_ENV: 'test', PORT: '0', DATA_DIR: directory, JOB_POLL_INTERVAL_MS: '50', ...env, ...extra });
  const template = configFor(dataDir).seedDemo ? await demoTemplate(env, configFor) : undefined;
  if (template) {
    fs.cpSync(template, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'learnscape.lock' });
  }
  return startServer(configFor(dataDir), () => {});
}

/**
 * The data directory of a server that seeded the demo and stopped (so the directory is closed and consistent), built
 * by the first caller of this run with these settings; undefined outside the browser project (each server seeds).
 */
async function demoTemplate(
  env: Record<string, string>,
  configFor: (directory: string, extra?: Record<string, string>) => Config,
): Promise<string | undefined> {
  const root = inject('demoTemplateRoot') as string | undefined;
  if (!root) return undefined;
  const settings = Object.entries(env)
    .filter(([name]) => !settingsOutsideTheData.has(name))
    .sort(([a], [b]) => a.localeCompare(b));
  const directory = path.join(root, createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16));
  const data = path.join(directory, 'data');
  const ready = path.join(directory, 'ready');
  const building = path.join(directory, 'building');
  fs.mkdirSync(directory, { recursive: true });
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; ) {
    if (fs.existsSync(ready)) return data;
    try {
      fs.writeFileSync(building, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another test file is building it: wait, unless that process is gone (then take over).
      const holder = Number.parseInt(readIfPresent(building), 10);
      if (Number.isInteger(holder) && !processIsAlive(holder)) fs.rmSync(building, { force: true });
      else await sleep(250);
      continue;
    }
    try {
      fs.rmSync(data, { recursive: true, force: true });
      // The server's own start-up seeds it, exactly as it would seed a fresh server; the job worker stays off so the
      // jobs the seed queues are left for the servers that start on copies, as before.
      const server = await startServer(configFor(data, { JOB_WORKER: 'false' }), () => {});
      await server.stop();
      fs.writeFileSync(ready, '');
      return data;
    } finally {
      fs.rmSync(building, { force: true });
    }
  }
  throw new Error(`Timed out waiting for the demo template in ${directory}.`);
}

function readIfPresent(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
