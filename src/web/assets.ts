import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * Builds the CSS and client islands in memory when the server starts (no separate build step), and names each
 * output by its content hash so browsers may cache it for a year.
 */
const webDir = path.dirname(fileURLToPath(import.meta.url));

/** Logical asset names (what pages ask for) → source entry points. */
const entryPoints = {
  'main.css': path.join(webDir, 'styles/main.css'),
  'enhance.js': path.join(webDir, 'client/enhance.ts'),
  'skill-picker.js': path.join(webDir, 'client/skill-picker.ts'),
  'catalogue-map.js': path.join(webDir, 'client/catalogue-map.ts'),
  'venue-picker.js': path.join(webDir, 'client/venue-picker.ts'),
  'maplibre.css': path.join(webDir, 'styles/maplibre.css'),
  'catalogue.css': path.join(webDir, 'styles/catalogue.css'),
  'activity-map.js': path.join(webDir, 'client/activity-map.ts'),
  'bulk-progress.js': path.join(webDir, 'client/bulk-progress.ts'),
} as const;

export type AssetName = keyof typeof entryPoints;

export interface BuiltAsset {
  fileName: string;
  contentType: string;
  body: Buffer;
}

export interface AssetBundle {
  /** URL path of a logical asset, e.g. `/assets/main.3f2a9c1d.css`. */
  url(name: AssetName): string;
  /** The asset with this hashed file name, if any. */
  get(fileName: string): BuiltAsset | undefined;
}

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

async function buildAssets(): Promise<AssetBundle> {
  const byLogicalName = new Map<string, string>();
  const byFileName = new Map<string, BuiltAsset>();
  await Promise.all(
    Object.entries(entryPoints).map(async ([logicalName, entry]) => {
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        write: false,
        format: 'esm',
        target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
        outdir: '/',
        logLevel: 'silent',
      });
      const [output] = result.outputFiles;
      if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
      const extension = path.extname(logicalName);
      const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 12);
      const fileName = `${path.basename(logicalName, extension)}.${hash}${extension}`;
      byLogicalName.set(logicalName, `/assets/${fileName}`);
      byFileName.set(fileName, {
        fileName,
        contentType: contentTypes[extension] ?? 'application/octet-stream',
        body: Buffer.from(output.contents),
      });
    }),
  );
  return {
    url(name) {
      const url = byLogicalName.get(name);
      if (!url) throw new Error(`Unknown asset ${name}`);
      return url;
    },
    get: (fileName) => byFileName.get(fileName),
  };
}

let built: Promise<AssetBundle> | undefined;

/** The assets of this process, built once. */
export function loadAssets(): Promise<AssetBundle> {
  built ??= buildAssets().catch((error) => {
    built = undefined;
    throw error;
  });
  return built;
}
