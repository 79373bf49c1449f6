import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './support';

describe('activation', () => {
  it('activates in the real extension host and offers other extensions nothing (the test build adds only its test API)', async () => {
    await api();
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(extension.isActive);
    assert.deepEqual(Object.keys(extension.exports as object), ['testing']);
  });

  it('registers every crucibleKeys command of the stable interface', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['addKey', 'verifyKey', 'verifyAll', 'copyToEnv', 'importFromEnv', 'removeKey', 'copyKeyToClipboard', 'openKeyPage', 'openStatusPage', 'generateEncryptionKey',
      'rotateProjectEncryptionKey', 'restoreProjectEncryptionKey', 'adoptProjectEncryptionKey', 'writeVaultPassphraseToProject', 'rotateEncryptionKey', 'unlock', 'showLogs', 'openSettings', 'forgetAll']) {
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
    assert.match(String(config.get<Record<string, string>>('baseUrls')?.openrouter), /^http:\/\/127\.0\.0\.1:\d+\/openrouter$/);
  });

  it('activated although the machine settings hold only broken custom providers, and skipped each one', async () => {
    const raw = vscode.workspace.getConfiguration('crucibleKeys').get<unknown[]>('customProviders') ?? [];
    assert.ok(raw.length >= 5, 'the runner wrote hostile customProviders into the machine settings');
    const snapshot = (await api()).snapshot();
    assert.deepEqual(snapshot.providers.map((view) => view.id), ['openrouter', 'openai', 'anthropic', 'google', 'deepseek', 'xai', 'eden_ai']);
  });
});
