import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { api, envOf, folder, read, run } from './support';

const KEYS = { openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'valid'), xai: fakeKey('xai', 'valid') };

async function exported(): Promise<Record<string, string>> {
  const file = path.join(folder('app'), 'check.env');
  try {
    await run('copyToEnv', { file, providers: Object.keys(KEYS) });
    return parse(read(file));
  } finally {
    try { unlinkSync(file); } catch { /* not written */ }
  }
}

function setWorkspacePassphrase(value: string): void {
  const file = envOf('app');
  const text = read(file).replace(/^API_KEY_ENCRYPTION_KEY=.*$/m, `API_KEY_ENCRYPTION_KEY=${value}\r`);
  writeFileSync(file, text);
}

describe('encryption passphrase lifecycle', () => {
  const original = read(envOf('app'));
  before(async () => {
    await run('forgetAll', { confirm: true });
    for (const [id, key] of Object.entries(KEYS)) await run('addKey', id, key);
  });
  after(() => writeFileSync(envOf('app'), original));

  it('shows keys as locked after the passphrase changes, deleting nothing', async () => {
    setWorkspacePassphrase('Workspace-passphrase-number-one-0123456789ab');
    await (await api()).refreshed();
    const unlock = await run<{ unlocked: string[]; stillLocked: string[] }>('unlock', '');
    // The passphrase Crucible Keys generated is remembered, so unlocking finds it without asking.
    assert.deepEqual(unlock.unlocked.sort(), ['openai', 'openrouter', 'xai']);
    assert.deepEqual(unlock.stillLocked, []);
    assert.deepEqual(await exported(), { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter, OPENAI_API_KEY: KEYS.openai, XAI_API_KEY: KEYS.xai });
  });

  it('unlocks with a previous passphrase typed by the user and reports the count', async () => {
    setWorkspacePassphrase('Workspace-passphrase-number-two-abcdef012345');
    await (await api()).refreshed();
    const copy = await run<{ skipped: string[] }>('copyToEnv', { file: path.join(folder('app'), 'locked.env'), providers: Object.keys(KEYS) });
    assert.equal(copy, undefined, 'copying locked keys reports an error instead of writing');
    const wrong = await run<{ unlocked: string[]; stillLocked: string[] }>('unlock', 'not-the-right-passphrase-at-all-000000000');
    assert.deepEqual(wrong.unlocked, []);
    assert.equal(wrong.stillLocked.length, 3);
    const right = await run<{ unlocked: string[]; stillLocked: string[] }>('unlock', 'Workspace-passphrase-number-one-0123456789ab');
    assert.deepEqual(right.unlocked.sort(), ['openai', 'openrouter', 'xai']);
    assert.deepEqual(right.stillLocked, []);
    assert.equal(Object.keys(await exported()).length, 3);
  });

  it('rotates: re-encrypts every key under a new passphrase written to .env, losing none', async () => {
    const before = parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY;
    const rotated = await run<{ moved: number }>('rotateEncryptionKey', { confirm: true });
    assert.equal(rotated.moved, 3);
    const after = parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY;
    assert.notEqual(after, before);
    assert.match(after, /^[A-Za-z0-9_-]{43}$/);
    assert.match(read(envOf('app')), /^# Crucible settings\r\n/, 'the rest of the file is kept');
    assert.deepEqual(await exported(), { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter, OPENAI_API_KEY: KEYS.openai, XAI_API_KEY: KEYS.xai });
    const entries = await (await api()).inspectSecretStorage();
    assert.equal(entries.filter((entry) => entry.kind === 'fernet-token').length, 3);
  });
});
