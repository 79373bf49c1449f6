// The ui tier: Playwright (Debian Chromium) drives the real code-server workbench with the packaged VSIX
// installed, against the fake provider server. Runs test/ui/*.ui.test.ts; writes {passed, failed} to --summary.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeRunDir, onShutdown, installExtension, startCodeServer, writeUserSettings } from './codeServer.mjs';
import { startSampleCrucible } from './fakeCrucible.mjs';
import { startFakeProviders } from './fakeServer.mjs';
import { createHostileRepository, createSampleWorkspace } from './fixtures.mjs';
import { packageVsix } from './package.mjs';
import { ensureHost, REPO_ROOT } from './provision.mjs';

const summaryArg = process.argv.indexOf('--summary');
const summaryFile = summaryArg > 0 ? process.argv[summaryArg + 1] : undefined;
const keep = process.argv.includes('--keep');
const only = process.argv.filter((arg) => arg.endsWith('.ui.test.ts'));
const evidenceDir = path.join(REPO_ROOT, '.test-output', 'ui');

function log(message) {
  process.stdout.write(`[ui] ${message}\n`);
}

function runTests(files, env, name = 'ui') {
  return new Promise((resolve) => {
    const tap = path.join(evidenceDir, `${name}.tap`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, TSX_DISABLE_CACHE: '1', ...env } });
    child.on('exit', () => {
      const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
      const passed = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
      const failed = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 1) + Number(/^# cancelled (\d+)$/m.exec(text)?.[1] ?? 0);
      resolve({ passed, failed });
    });
  });
}

/** The files that need workspace trust left on (Restricted Mode) run against a server of their own. */
const RESTRICTED = /\.restricted\.ui\.test\.ts$/;

async function runGroup(paths, vsix, files, { workspaceTrust }) {
  const run = makeRunDir(workspaceTrust ? 'crucible-keys-ui-restricted-' : 'crucible-keys-ui-');
  const workspace = workspaceTrust
    ? createHostileRepository(path.join(run.workspace, 'downloaded'), path.join(run.root, 'fsmonitor-ran'))
    : createSampleWorkspace(path.join(run.workspace, 'crucible'));
  if (!workspaceTrust) cpSync(path.join(workspace, '.env.example'), path.join(workspace, '.env'));
  const fake = await startFakeProviders();
  const crucible = workspaceTrust ? undefined : await startSampleCrucible(workspace);
  // Untrusted folders open in Restricted Mode without the startup dialog, as a person who clicked "No" would see them.
  writeUserSettings(run, { 'crucibleKeys.baseUrls': fake.baseUrls, 'crucibleKeys.requestTimeoutMs': 3000, ...(crucible ? { 'crucibleKeys.crucible.apiUrl': crucible.apiUrl } : {}), ...(workspaceTrust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' } : {}) });
  await installExtension(paths, run, vsix);
  let server;
  const cleanup = onShutdown(async () => {
    await server?.stop();
    await fake.stop();
    await crucible?.stop();
    if (!keep) rmSync(run.root, { recursive: true, force: true });
  });
  try {
    server = await startCodeServer(paths, run, { workspaceTrust });
    log(`code-server at ${server.url}, workspace ${workspace}${workspaceTrust ? ' (workspace trust on)' : ''}`);
    return await runTests(files, {
      CRUCIBLE_KEYS_UI: JSON.stringify({ url: server.url, workspace, run, evidenceDir, providerBaseUrls: fake.baseUrls, crucible: crucible && { apiUrl: crucible.apiUrl, controlPort: crucible.controlPort }, marker: path.join(run.root, 'fsmonitor-ran') }),
    }, workspaceTrust ? 'ui-restricted' : 'ui');
  } finally {
    await cleanup();
  }
}

async function main() {
  rmSync(evidenceDir, { recursive: true, force: true });
  mkdirSync(evidenceDir, { recursive: true });
  const paths = await ensureHost();
  const vsix = await packageVsix();
  const files = only.length ? only : readdirSync(path.join(REPO_ROOT, 'test', 'ui')).filter((name) => name.endsWith('.ui.test.ts')).sort().map((name) => path.join('test', 'ui', name));
  const summary = { passed: 0, failed: 0 };
  for (const [group, workspaceTrust] of [[files.filter((file) => !RESTRICTED.test(file)), false], [files.filter((file) => RESTRICTED.test(file)), true]]) {
    if (group.length === 0) continue;
    const result = await runGroup(paths, vsix, group, { workspaceTrust });
    summary.passed += result.passed;
    summary.failed += result.failed;
  }
  log(`${summary.passed} passed, ${summary.failed} failed`);
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify(summary));
  process.exit(summary.failed === 0 ? 0 : 1);
}

main().catch((error) => {
  log(`FAILED: ${error.stack ?? error}`);
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed: 0, failed: 1 }));
  process.exit(1);
});
