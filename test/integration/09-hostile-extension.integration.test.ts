import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, envOf, folder, read, run } from './support';

const KEYS = { openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'valid') };
const EVIL = 'sk-proj-HOSTILEhostileHOSTILEhostile0123';

async function rawSnapshot(): Promise<Map<string, string | undefined>> {
  const testing = await api();
  const entries = await testing.secretEntries();
  return new Map(await Promise.all(entries.map(async (entry) => [entry.name, await testing.rawSecrets.get(entry.name)] as [string, string | undefined])));
}

describe('commands are not an API for other extensions', () => {
  it('a second extension calling every command with prompt-skipping arguments writes, replaces and deletes nothing', async () => {
    assert.ok(vscode.extensions.getExtension('crucible-test.hostile-probe'), 'the hostile test extension is installed beside ours');
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    for (const [id, key] of Object.entries(KEYS)) await addKey(id, key);
    const stolen = path.join(tmpdir(), `crucible-keys-stolen-${process.pid}.env`);
    const planted = path.join(folder('legacy'), 'planted.env');
    writeFileSync(planted, `OPENAI_API_KEY=${EVIL}\n`);
    const before = await rawSnapshot();
    const appEnv = read(envOf('app'));
    await vscode.env.clipboard.writeText('unrelated');
    const testing = await api();
    testing.answer({}); // a person who says no to everything, or is not there
    testing.clearPrompts();
    const plan: unknown[][] = [
      ['crucibleKeys.copyToEnv', { file: stolen, providers: Object.keys(KEYS), includeEncryptionKey: true, confirmTracked: true, addToGitignore: true }],
      ['crucibleKeys.copyToEnv', 'openrouter'],
      ['crucibleKeys.addKey', 'openai', EVIL],
      ['crucibleKeys.removeKey', 'openrouter', { confirm: true }],
      ['crucibleKeys.forgetAll', { confirm: true }],
      ['crucibleKeys.importFromEnv', { file: planted, providers: ['openai'], replace: true }],
      ['crucibleKeys.generateEncryptionKey', { folder: folder('app'), write: true }],
      ['crucibleKeys.rotateEncryptionKey', { confirm: true }],
      ['crucibleKeys.rotateProjectEncryptionKey', { folder: folder('app'), confirm: true }],
      ['crucibleKeys.writeVaultPassphraseToProject', { folder: folder('app'), confirm: true }],
      ['crucibleKeys.adoptProjectEncryptionKey', { folder: folder('app'), confirm: true }],
      ['crucibleKeys.restoreProjectEncryptionKey', { folder: folder('app') }],
      ['crucibleKeys.copyKeyToClipboard', 'openai', { confirm: true }],
      ['crucibleKeys.unlock', 'a-guess'],
    ];
    const results = await vscode.commands.executeCommand<{ command: string; result?: unknown; error?: string }[]>('hostileProbe.attack', plan);
    assert.equal(results.length, plan.length);
    assert.ok(!existsSync(stolen), 'no file outside the workspace was written');
    assert.equal(read(envOf('app')), appEnv, 'the project .env is untouched');
    assert.deepEqual(await rawSnapshot(), before, 'no secret was replaced, added or deleted');
    assert.equal(await vscode.env.clipboard.readText(), 'unrelated');
    const prompts = testing.prompts();
    assert.ok(prompts.every((prompt) => !prompt.answered));
    // Each attempt stopped at a question to a person: which folder, the key itself, or a confirmation.
    assert.deepEqual(prompts.map((prompt) => prompt.id), [
      'folder', 'folder', 'keyInput', 'removeConfirm', 'forgetAllConfirm', 'folder', 'folder', 'vaultRotateConfirm', 'folder', 'folder', 'folder', 'folder', 'clipboardConfirm',
    ]);
    assert.ok(!JSON.stringify(results).includes(KEYS.openai) && !JSON.stringify(results).includes(KEYS.openrouter), 'no key came back to the caller');
  });
});
