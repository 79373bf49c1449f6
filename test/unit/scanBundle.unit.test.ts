// The leak scan ships as its own lazily loaded bundle: the VS Code module imports dist/scanner.js on the first scan,
// so the matcher and the git sources never weigh on activation.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
// @ts-expect-error: a plain .mjs module without type declarations
import { buildOptions } from '../../scripts/buildOptions.mjs';

type Options = Record<'extension' | 'scanner' | 'errors', esbuild.BuildOptions>;

async function bundle(options: esbuild.BuildOptions): Promise<string> {
  const result = await esbuild.build({ ...options, write: false, logLevel: 'silent', sourcemap: false });
  return result.outputFiles.map((file) => file.text).join('\n');
}

/** Strings only the scanning code has: git's batch reader, the fsmonitor override, the walk's skip list. */
const SCANNER_ONLY = ['cat-file', 'core.fsmonitor=false', '--deduplicate', 'node_modules'];

describe('the leak scan bundle', () => {
  it('leaves the scanning code out of the extension host bundle and loads ./scanner.js instead', async () => {
    const { extension } = buildOptions({ production: true }) as Options;
    const host = await bundle({ ...extension, entryPoints: { leakScanner: 'src/vscode/scan/leakScanner.ts' } });
    assert.match(host, /["']\.\/scanner\.js["']/);
    for (const needle of SCANNER_ONLY) assert.ok(!host.includes(needle), `the extension host bundle contains ${needle}`);
  });

  it('puts it in dist/scanner.js, which exports scan (the positive control)', async () => {
    const { scanner, errors } = buildOptions({ production: true }) as Options;
    // Built beside dist/errors.js, as shipped: the scanner loads the shared error hierarchy from there.
    const dir = mkdtempSync(path.join(tmpdir(), 'crucible-keys-scanner-'));
    try {
      await esbuild.build({ ...scanner, outdir: dir, logLevel: 'silent', sourcemap: false });
      await esbuild.build({ ...errors, outdir: dir, logLevel: 'silent', sourcemap: false });
      const lazy = readFileSync(path.join(dir, 'scanner.js'), 'utf8');
      for (const needle of SCANNER_ONLY) assert.ok(lazy.includes(needle), needle);
      const loaded = createRequire(path.join(dir, 'index.js'))('./scanner.js') as Record<string, unknown>;
      assert.equal(typeof loaded.scan, 'function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
