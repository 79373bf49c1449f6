// The esbuild options of every bundle, shared by esbuild.mjs, the bench and the test that checks what ships.
import { readFileSync } from 'node:fs';

/** Keeps the verifier (and undici, most of the bytes) in dist/verifier.js, loaded on the first key check only. */
const lazyVerifier = {
  name: 'lazy-verifier',
  setup(build) {
    build.onResolve({ filter: /\/verify\/verifier$/ }, (args) => (args.importer.endsWith('verificationService.ts') ? { path: './verifier.js', external: true } : undefined));
  },
};

/** Keeps the leak scan (matcher, git sources) in dist/scanner.js, loaded on the first scan only. */
const lazyScanner = {
  name: 'lazy-scanner',
  setup(build) {
    build.onResolve({ filter: /\/scan\/scanner$/ }, (args) => (args.importer.endsWith('leakScanner.ts') ? { path: './scanner.js', external: true } : undefined));
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
  const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);
  return {
    cli: {
      ...node, entryPoints: { cli: 'src/cli/index.ts' }, outdir: 'dist',
      // `--` ends Node's own option parsing, so Node never reads our --env-file flag as its own (it exits 9 when the file is missing).
      banner: { js: '#!/usr/bin/env -S node --' },
      define: { CRUCIBLE_KEYS_VERSION: version },
    },
    extension: { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', external: ['vscode'], plugins: [lazyVerifier, lazyScanner], define: { CRUCIBLE_KEYS_TEST_API: testApi ? 'true' : 'false' } },
    verifier: { ...node, entryPoints: { verifier: 'src/core/verify/verifier.ts' }, outdir: 'dist' },
    scanner: { ...node, entryPoints: { scanner: 'src/core/scan/scanner.ts' }, outdir: 'dist' },
    webview: {
      bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
      legalComments: 'none', logLevel: 'warning', entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist/webview',
    },
  };
}
