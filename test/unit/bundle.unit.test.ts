// What ships: the published extension bundle carries no test API, with the test build as the positive control.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
// @ts-expect-error: a plain .mjs module without type declarations
import { buildOptions } from '../../scripts/buildOptions.mjs';
import { TEST_API_MARKER } from '../../src/vscode/testing/marker';

async function bundle(options: { production: boolean; testApi: boolean }): Promise<string> {
  const { extension } = buildOptions(options) as { extension: esbuild.BuildOptions };
  const result = await esbuild.build({ ...extension, write: false, logLevel: 'silent', sourcemap: false });
  return result.outputFiles.map((file) => file.text).join('\n');
}

describe('the published bundle', () => {
  it('contains no test API, no scripted prompts and no raw secret access', async () => {
    const published = await bundle({ production: true, testApi: false });
    for (const needle of [TEST_API_MARKER, 'rawSecrets', 'useRealPrompts', 'secretEntries', 'refused: ']) {
      assert.ok(!published.includes(needle), `the production bundle contains ${needle}`);
    }
  });

  it('does contain them in the test build (so the check above can fail)', async () => {
    const test = await bundle({ production: false, testApi: true });
    for (const needle of [TEST_API_MARKER, 'rawSecrets', 'useRealPrompts']) assert.ok(test.includes(needle), needle);
  });

  it('leaves undici (the verifier and the Crucible client) and the leak scan to their lazily loaded bundles', async () => {
    const published = await bundle({ production: true, testApi: false });
    assert.ok(published.includes('"./network.js"') && published.includes('"./scanner.js"'), 'the lazy import sites point at their bundles');
    for (const needle of ['undici', 'UND_ERR_', 'Crucible Keys does not follow redirects']) assert.ok(!published.includes(needle), `the activation bundle contains ${needle}`);
    const { network } = buildOptions({ production: true }) as { network: esbuild.BuildOptions };
    const lazy = (await esbuild.build({ ...network, write: false, logLevel: 'silent', sourcemap: false })).outputFiles.map((file) => file.text).join('\n');
    assert.ok(lazy.includes('UND_ERR_'), 'the network bundle carries undici (so the check above can fail)');
  });

  it('shares one error hierarchy across its bundles: what the lazily loaded client throws is recognised by type', async () => {
    const { network, errors } = buildOptions({ production: true }) as Record<string, esbuild.BuildOptions>;
    const dir = mkdtempSync(path.join(tmpdir(), 'crucible-keys-bundles-'));
    try {
      await esbuild.build({ ...network, outdir: dir, logLevel: 'silent', sourcemap: false });
      await esbuild.build({ ...errors, outdir: dir, logLevel: 'silent', sourcemap: false });
      const load = createRequire(path.join(dir, 'index.js'));
      const shared = load('./errors.js') as typeof import('../../src/core/sharedErrors');
      const { CrucibleClient } = load('./network.js') as typeof import('../../src/core/network');
      const { Redactor } = await import('../../src/core/redact');
      const client = new CrucibleClient({ apiUrl: 'http://127.0.0.1:9/api', redactor: new Redactor(), timeoutMs: 2000 });
      const error = await client.health().then(() => undefined, (caught: unknown) => caught);
      await client.close();
      assert.ok(error instanceof shared.CrucibleUnreachableError, 'the activation bundle\'s class recognises the lazy bundle\'s error');
      assert.ok(error instanceof shared.CrucibleKeysError);
      assert.throws(() => new CrucibleClient({ apiUrl: 'ftp://x', redactor: new Redactor() }), shared.InputError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires vscode once, so the API is copied into one shared namespace instead of one per importing module', async () => {
    const requires = (text: string) => text.split('require("vscode")').length - 1;
    assert.equal(requires(await bundle({ production: true, testApi: false })), 1);
    const { extension } = buildOptions({ production: true }) as { extension: esbuild.BuildOptions };
    const plugins = extension.plugins!.filter((plugin) => plugin.name !== 'shared-vscode');
    const unshared = (await esbuild.build({ ...extension, plugins, write: false, logLevel: 'silent', sourcemap: false })).outputFiles.map((file) => file.text).join('\n');
    assert.ok(requires(unshared) > 1, 'without the plugin every importing module requires vscode (so the check above can fail)');
  });

  it('refuses to build a production bundle with the test API', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['esbuild.mjs', '--production', '--test-api'], { encoding: 'utf8' });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /never carries the test API/);
  });
});

describe('Diagnose in the bundles', () => {
  it('keeps the compose reader and yaml out of the extension bundle, in dist/compose.js', async () => {
    const { extension, compose } = buildOptions({ production: true, testApi: false }) as { extension: esbuild.BuildOptions; compose: esbuild.BuildOptions };
    // The extension does not import Diagnose yet: bundle its report builder with the extension's own options.
    const host = await esbuild.build({ ...extension, entryPoints: { diagnose: 'src/core/diagnose/report.ts' }, write: false, logLevel: 'silent', sourcemap: false });
    const hostText = host.outputFiles.map((file) => file.text).join('\n');
    assert.ok(hostText.includes('import("./compose.js")'), 'the extension side does not load dist/compose.js');
    assert.ok(!hostText.includes('YAMLParseError'), 'yaml is in the extension-side bundle');
    const lazy = await esbuild.build({ ...compose, write: false, logLevel: 'silent', sourcemap: false });
    assert.ok(lazy.outputFiles.map((file) => file.text).join('\n').includes('YAMLParseError'), 'yaml is not in dist/compose.js');
  });

  it('builds the Diagnose webview without HTML strings', async () => {
    const { diagnoseWebview } = buildOptions({ production: true, testApi: false }) as { diagnoseWebview: esbuild.BuildOptions };
    const result = await esbuild.build({ ...diagnoseWebview, write: false, logLevel: 'silent', sourcemap: false });
    const text = result.outputFiles.map((file) => file.text).join('\n');
    for (const needle of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write']) assert.ok(!text.includes(needle), needle);
  });
});
