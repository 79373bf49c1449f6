// The esbuild options of every bundle, shared by esbuild.mjs, the bench and the test that checks what ships.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Modules the extension loads only when first needed, each its own bundle beside dist/extension.js: the network code
 * (the verifier, the Crucible client, and undici, most of the bytes) on the first request; the leak scan (matcher,
 * git sources) on the first scan; the compose file reader (and yaml) when Diagnose finds a compose file. Only the lazy
 * import sites are redirected; the CLI bundles everything directly.
 */
const LAZY = [
  { filter: /\/core\/network$/, importers: ['verificationService.ts', 'crucibleSession.ts'], bundle: './network.js' },
  { filter: /\/scan\/scanner$/, importers: ['leakScanner.ts'], bundle: './scanner.js' },
  { filter: /(?:^|\/)composeModel$/, importers: ['composeChecks.ts'], bundle: './compose.js' },
];
const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    for (const lazy of LAZY) {
      build.onResolve({ filter: lazy.filter }, (args) => (lazy.importers.some((importer) => args.importer.endsWith(importer)) ? { path: lazy.bundle, external: true } : undefined));
    }
  },
};

/** The modules of the error hierarchy, loaded once from dist/errors.js by every bundle of the extension. */
const SHARED_ERRORS = ['src/core/errors.ts', 'src/core/crucible/errors.ts'].map((file) => path.resolve(file));
const sharedErrors = {
  name: 'shared-errors',
  setup(build) {
    build.onResolve({ filter: /(?:^|\/)errors$/ }, (args) => (SHARED_ERRORS.includes(path.resolve(args.resolveDir, `${args.path}.ts`)) ? { path: './errors.js', external: true } : undefined));
  },
};

/**
 * Every module that does `import * as vscode from 'vscode'` would get its own copy of the API object's few hundred
 * properties (esbuild's CommonJS interop, about 10 ms at activation for 20 modules); one module re-exports it instead,
 * so the copy is made once and shared.
 */
const sharedVscode = {
  name: 'shared-vscode',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'shared-vscode' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'shared-vscode' }));
    build.onLoad({ filter: /.*/, namespace: 'shared-vscode' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
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
    extension: { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', external: ['vscode'], plugins: [lazyModules, sharedErrors, sharedVscode], define: { CRUCIBLE_KEYS_TEST_API: testApi ? 'true' : 'false' } },
    network: { ...node, entryPoints: { network: 'src/core/network.ts' }, outdir: 'dist', plugins: [sharedErrors] },
    errors: { ...node, entryPoints: { errors: 'src/core/sharedErrors.ts' }, outdir: 'dist' },
    scanner: { ...node, entryPoints: { scanner: 'src/core/scan/scanner.ts' }, outdir: 'dist', plugins: [sharedErrors] },
    compose: { ...node, entryPoints: { compose: 'src/core/diagnose/composeModel.ts' }, outdir: 'dist', plugins: [sharedErrors] },
    webview: { ...browser, entryPoints: { webview: 'src/webview/main.ts' } },
    diagnoseWebview: { ...browser, entryPoints: { diagnose: 'src/webview/diagnose.ts' } },
  };
}
