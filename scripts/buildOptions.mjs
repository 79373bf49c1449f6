// The esbuild options of every bundle, shared by esbuild.mjs, the bench and the test that checks what ships.
import { readFileSync } from 'node:fs';

/**
 * Modules the extension loads only when first needed, each its own bundle beside dist/extension.js: the verifier (and
 * undici, most of its bytes) on the first key check, the compose file reader (and yaml) when Diagnose finds a compose
 * file. Only the lazy import site is redirected; the CLI bundles both directly.
 */
const LAZY = [
  { filter: /\/verify\/verifier$/, importer: 'verificationService.ts', bundle: './verifier.js' },
  { filter: /(?:^|\/)composeModel$/, importer: 'composeChecks.ts', bundle: './compose.js' },
];
const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    for (const lazy of LAZY) build.onResolve({ filter: lazy.filter }, (args) => (args.importer.endsWith(lazy.importer) ? { path: lazy.bundle, external: true } : undefined));
  },
};

/**
 * `testApi` compiles the integration tier's test API into the extension (CRUCIBLE_KEYS_TEST_API = true); every other
 * build, the published one above all, defines it false so the API and its module are dropped from the bundle.
 */
export function buildOptions({ production = false, testApi = false } = {}) {
  const node = {
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production,
    legalComments: 'none', logLevel: 'warning',
  };
  const browser = {
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    legalComments: 'none', logLevel: 'warning', outdir: 'dist/webview',
  };
  const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);
  return {
    cli: {
      ...node, entryPoints: { cli: 'src/cli/index.ts' }, outdir: 'dist',
      // `--` ends Node's own option parsing, so Node never reads our --env-file flag as its own (it exits 9 when the file is missing).
      banner: { js: '#!/usr/bin/env -S node --' },
      define: { CRUCIBLE_KEYS_VERSION: version },
    },
    extension: { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', external: ['vscode'], plugins: [lazyModules], define: { CRUCIBLE_KEYS_TEST_API: testApi ? 'true' : 'false' } },
    verifier: { ...node, entryPoints: { verifier: 'src/core/verify/verifier.ts' }, outdir: 'dist' },
    compose: { ...node, entryPoints: { compose: 'src/core/diagnose/composeModel.ts' }, outdir: 'dist' },
    webview: { ...browser, entryPoints: { webview: 'src/webview/main.ts' } },
    diagnoseWebview: { ...browser, entryPoints: { diagnose: 'src/webview/diagnose.ts' } },
  };
}
