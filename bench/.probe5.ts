import { bundledContextUrls, loadBundledContext } from '../src/credentials/contexts.ts';
const names = new Set<string>();
const collect = (v: any, path: string): void => { if (Array.isArray(v)) v.forEach((x) => collect(x, path)); else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) { if (['did','urn','http','https','data','mailto'].includes(k)) console.log(k, path); collect(c, path + '/' + k); } };
for (const u of bundledContextUrls()) collect(loadBundledContext(u).document, u);
