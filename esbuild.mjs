// Builds the CLI, the extension host bundle and the webview bundle. `--production` minifies; `--watch` rebuilds.
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production,
  legalComments: 'none', logLevel: 'warning',
};

const contexts = [
  {
    ...node,
    entryPoints: { cli: 'src/cli/index.ts' },
    outdir: 'dist',
    // `--` ends Node's own option parsing, so Node never reads our --env-file flag as its own (it exits 9 when the file is missing).
    banner: { js: '#!/usr/bin/env -S node --' },
    define: { CRUCIBLE_KEYS_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  },
];
/** Keeps the verifier (and undici, most of the bytes) in dist/verifier.js, loaded on the first key check only. */
const lazyVerifier = {
  name: 'lazy-verifier',
  setup(build) {
    build.onResolve({ filter: /\/verify\/verifier$/ }, (args) => (args.importer.endsWith('verification.ts') ? { path: './verifier.js', external: true } : undefined));
  },
};
if (existsSync('src/vscode/extension.ts')) {
  contexts.push({ ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', external: ['vscode'], plugins: [lazyVerifier] });
  contexts.push({ ...node, entryPoints: { verifier: 'src/core/verify/verifier.ts' }, outdir: 'dist' });
}
if (existsSync('src/webview/main.ts')) {
  contexts.push({
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    legalComments: 'none', logLevel: 'warning', entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist/webview',
  });
}

const built = await Promise.all(contexts.map((options) => esbuild.context(options)));
if (watch) {
  await Promise.all(built.map((context) => context.watch()));
} else {
  await Promise.all(built.map((context) => context.rebuild()));
  await Promise.all(built.map((context) => context.dispose()));
  await chmod('dist/cli.js', 0o755);
}
// Codicons for the webview (font-src is limited to the webview's own resources).
await mkdir('dist/webview', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) await copyFile(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);
