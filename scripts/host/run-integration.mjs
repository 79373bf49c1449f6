// The integration tier: mocha suites that run inside code-server's real extension host (through the smoke-test
// driver), against the fake provider server, with a second (hostile) test extension installed beside ours. Three
// windows open in turn over one browser profile, so one SecretStorage: the main suite, then another folder, then the
// first workspace again. Writes {passed, failed} to --summary.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { makeRunDir, onShutdown, startCodeServer, writeUserSettings } from './codeServer.mjs';
import { startFakeCrucible } from './fakeCrucible.mjs';
import { startFakeProviders } from './fakeServer.mjs';
import { createMultiRootWorkspace } from './fixtures.mjs';
import { ensureHost, REPO_ROOT } from './provision.mjs';

const summaryArg = process.argv.indexOf('--summary');
const summaryFile = summaryArg > 0 ? process.argv[summaryArg + 1] : undefined;
const keep = process.argv.includes('--keep');
/** `--only PATTERN`: run just the main window's test files whose names match (for working on one file). */
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
const TIMEOUT_MS = Number(process.env.CRUCIBLE_KEYS_INTEGRATION_TIMEOUT_MS ?? 30 * 60_000);
const evidenceDir = path.join(REPO_ROOT, '.test-output', 'integration');

function log(message) {
  process.stdout.write(`[integration] ${message}\n`);
}

/** Each window runs the test files its pattern names, opened on its own workspace. */
const ALL_PHASES = [
  { name: 'main', files: String.raw`^\d\d-`, open: (fixture) => `workspace=${encodeURIComponent(fixture.workspaceFile)}` },
  { name: 'window-two', files: '^w2-', open: (fixture) => `folder=${encodeURIComponent(fixture.other)}` },
  { name: 'window-three', files: '^w3-', open: (fixture) => `workspace=${encodeURIComponent(fixture.workspaceFile)}` },
];
const PHASES = only ? [{ ...ALL_PHASES[0], files: only }] : ALL_PHASES;

export async function buildSuite() {
  const dir = path.join(REPO_ROOT, 'out', 'integration');
  rmSync(dir, { recursive: true, force: true });
  const tests = spawnSync('sh', ['-c', 'ls test/integration/*.integration.test.ts'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning', absWorkingDir: REPO_ROOT };
  await esbuild.build({ ...common, entryPoints: tests, outdir: dir, outbase: 'test/integration' });
  for (const phase of PHASES) {
    await esbuild.build({ ...common, entryPoints: ['test/integration/index.ts'], outfile: path.join(dir, `index-${phase.name}.js`), define: { CRUCIBLE_KEYS_TEST_PHASE: JSON.stringify(phase.name), CRUCIBLE_KEYS_TEST_FILES: JSON.stringify(phase.files) } });
  }
  return (phase) => path.join(dir, `index-${phase}.js`);
}

/** The second extension of the run: it calls our commands as any other extension could. */
function installHostileExtension(run) {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'hostile-extension', 'package.json'), 'utf8'));
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'hostile-extension'), path.join(run.extensions, `${manifest.publisher}.${manifest.name}-${manifest.version}`), { recursive: true });
}

/** Custom providers that are all broken: activation must survive them, and the built-in catalog stays as it is. */
const HOSTILE_CUSTOM_PROVIDERS = [
  { id: 'constructor' }, { label: 5 }, null, 'groq', { id: 'openai', label: 'Mine', baseUrl: 'https://x.example', envVar: 'MY_KEY' },
  { id: 'pass', label: 'Pass', baseUrl: 'https://x.example', envVar: 'API_KEY_ENCRYPTION_KEY' }, { id: 'twin', label: 'Twin', baseUrl: 'https://x.example', envVar: 'OPENAI_API_KEY' },
];

async function main() {
  const paths = await ensureHost();
  if (spawnSync(process.execPath, ['esbuild.mjs', '--test-api'], { cwd: REPO_ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const suiteFor = await buildSuite();
  const run = makeRunDir('crucible-keys-integration-');
  const fixture = createMultiRootWorkspace(run.workspace);
  fixture.other = path.join(run.workspace, 'other');
  mkdirSync(fixture.other, { recursive: true });
  const fake = await startFakeProviders();
  const crucible = await startFakeCrucible();
  writeUserSettings(run, { 'crucibleKeys.baseUrls': fake.baseUrls, 'crucibleKeys.requestTimeoutMs': 3000, 'crucibleKeys.customProviders': HOSTILE_CUSTOM_PROVIDERS, 'crucibleKeys.crucible.apiUrl': crucible.apiUrl });
  installHostileExtension(run);
  const resultFile = path.join(run.root, 'mocha-result');
  let server;
  let browser;
  const cleanup = onShutdown(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fake.stop();
    await crucible.stop();
    if (!keep) rmSync(run.root, { recursive: true, force: true });
  });
  const summary = { passed: 0, failed: 0 };
  try {
    server = await startCodeServer(paths, run, { smokeTestDriver: true, env: { CRUCIBLE_KEYS_TEST_RESULT: resultFile, CRUCIBLE_KEYS_TEST_WORKSPACE: run.workspace, CRUCIBLE_KEYS_TEST_CRUCIBLE: JSON.stringify({ apiUrl: crucible.apiUrl, controlPort: crucible.controlPort }) } });
    log(`code-server at ${server.url}`);
    browser = await launchBrowser();
    const page = await browser.newPage();
    let exited = () => undefined;
    await page.exposeFunction('codeAutomationExit', (code) => exited(code));
    await page.exposeFunction('codeAutomationLog', () => undefined);
    const remote = (file) => `vscode-remote://127.0.0.1:${server.port}${file}`;
    for (const phase of PHASES) {
      const exitCode = new Promise((resolve) => { exited = resolve; });
      const payload = [['extensionDevelopmentPath', remote(REPO_ROOT)], ['extensionTestsPath', remote(suiteFor(phase.name))], ['skipWelcome', 'true']];
      // One browser context for every window: they share its storage, and so one SecretStorage.
      await page.goto(`${server.url}/?${phase.open(fixture)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      const code = await Promise.race([exitCode, new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS))]);
      const phaseResult = `${resultFile}.${phase.name}.json`;
      if (existsSync(phaseResult)) {
        const result = JSON.parse(readFileSync(phaseResult, 'utf8'));
        for (const title of result.passes) log(`  ✔ ${title}`);
        for (const failure of result.failures) log(`  ✖ ${failure.title}\n      ${failure.error.split('\n').join('\n      ')}`);
        if (result.running) log(`  ✖ ${result.running}: still running when the window ${code === 'timeout' ? 'timed out' : 'stopped'}`);
        summary.passed += result.passes.length;
        summary.failed += result.failures.length + (code === 0 || result.failures.length ? 0 : 1);
      } else {
        log(`the ${phase.name} window wrote no results (exit: ${code})`);
        summary.failed += 1;
      }
      if (code !== 0) {
        mkdirSync(evidenceDir, { recursive: true });
        await page.screenshot({ path: path.join(evidenceDir, `failure-${phase.name}.png`) }).catch(() => undefined);
        copyFileSync(run.log, path.join(evidenceDir, 'code-server.log'));
        log(`evidence: ${path.join(evidenceDir, `failure-${phase.name}.png`)} and ${path.join(evidenceDir, 'code-server.log')}`);
      }
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
