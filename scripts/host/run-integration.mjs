// The integration tier: a mocha suite that runs inside code-server's real extension host (through the
// smoke-test driver), against the fake provider server. Writes {passed, failed} to --summary.
import { existsSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { makeRunDir, onShutdown, startCodeServer, writeUserSettings } from './codeServer.mjs';
import { startFakeProviders } from './fakeServer.mjs';
import { createMultiRootWorkspace } from './fixtures.mjs';
import { ensureHost, REPO_ROOT } from './provision.mjs';

const summaryArg = process.argv.indexOf('--summary');
const summaryFile = summaryArg > 0 ? process.argv[summaryArg + 1] : undefined;
const keep = process.argv.includes('--keep');
const TIMEOUT_MS = Number(process.env.CRUCIBLE_KEYS_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);
const evidenceDir = path.join(REPO_ROOT, '.test-output', 'integration');

function log(message) {
  process.stdout.write(`[integration] ${message}\n`);
}

export async function buildSuite() {
  const dir = path.join(REPO_ROOT, 'out', 'integration');
  rmSync(dir, { recursive: true, force: true });
  const tests = spawnSync('sh', ['-c', 'ls test/integration/*.integration.test.ts'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  await esbuild.build({
    entryPoints: ['test/integration/index.ts', ...tests], outdir: dir, outbase: 'test/integration', bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning', absWorkingDir: REPO_ROOT,
  });
  return path.join(dir, 'index.js');
}

async function main() {
  const paths = await ensureHost();
  if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const suite = await buildSuite();
  const run = makeRunDir('crucible-keys-integration-');
  const fixture = createMultiRootWorkspace(run.workspace);
  const fake = await startFakeProviders();
  writeUserSettings(run, { 'crucibleKeys.baseUrls': fake.baseUrls, 'crucibleKeys.requestTimeoutMs': 3000 });
  const resultFile = path.join(run.root, 'mocha-result.json');
  let server;
  let browser;
  const cleanup = onShutdown(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fake.stop();
    if (!keep) rmSync(run.root, { recursive: true, force: true });
  });
  let summary = { passed: 0, failed: 1 };
  try {
    server = await startCodeServer(paths, run, { smokeTestDriver: true, env: { CRUCIBLE_KEYS_TEST_RESULT: resultFile, CRUCIBLE_KEYS_TEST_WORKSPACE: run.workspace } });
    log(`code-server at ${server.url}`);
    browser = await launchBrowser();
    const page = await browser.newPage();
    const exitCode = new Promise((resolve) => void page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    await page.exposeFunction('codeAutomationLog', () => undefined);
    const remote = (file) => `vscode-remote://127.0.0.1:${server.port}${file}`;
    const payload = [['extensionDevelopmentPath', remote(REPO_ROOT)], ['extensionTestsPath', remote(suite)], ['skipWelcome', 'true']];
    await page.goto(`${server.url}/?workspace=${encodeURIComponent(fixture.workspaceFile)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exitCode, new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS))]);
    if (existsSync(resultFile)) {
      const result = JSON.parse(readFileSync(resultFile, 'utf8'));
      for (const title of result.passes) log(`  ✔ ${title}`);
      for (const failure of result.failures) log(`  ✖ ${failure.title}\n      ${failure.error.split('\n').join('\n      ')}`);
      summary = { passed: result.passes.length, failed: result.failures.length + (code === 0 || result.failures.length ? 0 : 1) };
    } else {
      log(`the suite wrote no results (exit: ${code})`);
    }
    if (code !== 0) {
      mkdirSync(evidenceDir, { recursive: true });
      await page.screenshot({ path: path.join(evidenceDir, 'failure.png') }).catch(() => undefined);
      copyFileSync(run.log, path.join(evidenceDir, 'code-server.log'));
      log(`evidence: ${path.join(evidenceDir, 'failure.png')} and ${path.join(evidenceDir, 'code-server.log')}`);
    }
  } finally {
    await cleanup();
  }
  log(`${summary.passed} passed, ${summary.failed} failed`);
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify(summary));
  process.exit(summary.failed === 0 ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((error) => {
  log(`FAILED: ${error.stack ?? error}`);
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed: 0, failed: 1 }));
  process.exit(1);
});
