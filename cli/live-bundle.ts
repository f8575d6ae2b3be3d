// The live page's script: render/live/page.ts and the engine it runs, bundled for the browser
// by esbuild, with KaTeX taken from the copy the site ships and no mathjs. Built once a process.
import { buildSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let bundle: string | undefined;

export function liveBundle(): string {
  bundle ??= buildSync({
    entryPoints: [join(root, 'render', 'live', 'page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    // One named function, so the page can hand its own source to the worker it trains in (render/live/retrain.ts).
    banner: { js: '(function chainbookLive(){' },
    footer: { js: '})();' },
    alias: { mathjs: join(root, 'render', 'live', 'no-mathjs.ts'), katex: join(root, 'render', 'live', 'katex-global.ts') },
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
  return bundle;
}
