import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './support';

describe('activation', () => {
  it('activates in the real extension host and exposes only a value-free API', async () => {
    const exports = await api();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    assert.deepEqual(Object.keys(exports).sort(), ['inspectSecretStorage', 'refreshed']);
  });

  it('registers every crucibleKeys command of the stable interface', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['addKey', 'verifyKey', 'verifyAll', 'copyToEnv', 'importFromEnv', 'removeKey', 'copyKeyToClipboard', 'openKeyPage', 'openStatusPage', 'generateEncryptionKey', 'rotateEncryptionKey', 'unlock', 'showLogs', 'openSettings', 'forgetAll']) {
      assert.ok(commands.includes(`crucibleKeys.${id}`), id);
    }
  });

  it('declares only the activation event VS Code cannot derive (panel revival), and runs as a workspace extension', () => {
    const packageJSON = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.deepEqual(packageJSON.activationEvents, ['onWebviewPanel:crucibleKeys.settings']);
    assert.deepEqual(packageJSON.extensionKind, ['workspace']);
    assert.equal(packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('reads its settings with their documented defaults, and the test run\'s base URLs from user settings', () => {
    const config = vscode.workspace.getConfiguration('crucibleKeys');
    assert.equal(config.get('envFile'), '.env');
    assert.equal(config.get('verifyOnStartup'), false);
    assert.deepEqual(config.get('customProviders'), []);
    assert.match(String(config.get<Record<string, string>>('baseUrls')?.openrouter), /^http:\/\/127\.0\.0\.1:\d+\/openrouter$/);
  });
});
