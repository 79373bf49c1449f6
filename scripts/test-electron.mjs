// npm run test:electron: the same integration suite under @vscode/test-electron, for machines with desktop
// VS Code downloads and a display (not part of npm test here, where VS Code cannot be downloaded).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { createMultiRootWorkspace } from './host/fixtures.mjs';
import { REPO_ROOT } from './host/provision.mjs';
import { startFakeProviders } from './host/fakeServer.mjs';
import { buildSuite } from './host/run-integration.mjs';

if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);
const suite = await buildSuite();
const root = mkdtempSync(path.join(tmpdir(), 'crucible-keys-electron-'));
const fixture = createMultiRootWorkspace(path.join(root, 'workspace'));
const fake = await startFakeProviders();
const userData = path.join(root, 'user-data');
const { writeUserSettings } = await import('./host/codeServer.mjs');
writeUserSettings({ userData }, { 'crucibleKeys.baseUrls': fake.baseUrls, 'crucibleKeys.requestTimeoutMs': 3000 });
let code = 1;
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: suite,
    extensionTestsEnv: { CRUCIBLE_KEYS_TEST_RESULT: path.join(root, 'mocha-result.json') },
    launchArgs: [fixture.workspaceFile, '--user-data-dir', userData, '--disable-extensions', '--disable-workspace-trust', '--password-store=basic'],
  });
  code = 0;
} catch (error) {
  console.error(`test:electron: ${error.message ?? error}`);
} finally {
  await fake.stop();
}
process.exit(code);
