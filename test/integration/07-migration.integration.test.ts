import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Fernet } from '../../src/core/fernet';
import { deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { fakeKey } from '../fakeProviders/keys';
import { api, envOf, exportedKeys, read, run } from './support';

const STORED = 'Generated-by-version-0.1-stored-passphrase-0';
const PREVIOUS = 'Before-the-last-rotation-in-version-0.1-abcd';
const WORKSPACE = 'Workspace-env-passphrase-in-version-0.1-wxyz';
const KEYS = { openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'valid'), xai: fakeKey('xai', 'valid'), deepseek: fakeKey('deepseek', 'valid') };

async function token(passphrase: string, key: string): Promise<string> {
  return new Fernet(await deriveCrucibleFernetKey(passphrase)).encrypt(key);
}

describe('migration of a vault made by version 0.1', () => {
  const original = read(envOf('app'));
  after(() => writeFileSync(envOf('app'), original));

  it('keeps the stored passphrase as the vault\'s, moves every key it can open, and leaves an unopenable one as it is', async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    const testing = await api();
    writeFileSync(envOf('app'), read(envOf('app')).replace(/^API_KEY_ENCRYPTION_KEY=.*$/m, `API_KEY_ENCRYPTION_KEY=${WORKSPACE}`));
    // The layout of 0.1: a stored and a previous passphrase, keys under whichever one the window resolved.
    await testing.rawSecrets.store('crucibleKeys.passphrase', STORED);
    await testing.rawSecrets.store('crucibleKeys.passphrase.previous', PREVIOUS);
    await testing.rawSecrets.store('crucibleKeys.default.openrouter', await token(STORED, KEYS.openrouter));
    await testing.rawSecrets.store('crucibleKeys.default.openai', await token(PREVIOUS, KEYS.openai));
    await testing.rawSecrets.store('crucibleKeys.default.xai', await token(WORKSPACE, KEYS.xai));
    const orphan = await token('A-passphrase-nobody-remembers-any-more-000', KEYS.deepseek);
    await testing.rawSecrets.store('crucibleKeys.default.deepseek', orphan);

    await testing.refreshed();
    const names = (await testing.secretEntries()).map((entry) => entry.name);
    assert.ok(!names.includes('crucibleKeys.passphrase') && !names.includes('crucibleKeys.passphrase.previous'), 'the old entries are gone');
    const current = await testing.rawSecrets.get('crucibleKeys.vault.current');
    assert.equal(JSON.parse((await testing.rawSecrets.get(`crucibleKeys.vault.passphrase.${current}`))!).value, STORED);
    assert.deepEqual(testing.snapshot().providers.filter((view) => view.status === 'locked').map((view) => view.id), ['deepseek']);
    assert.equal(await testing.rawSecrets.get('crucibleKeys.development.deepseek'), orphan, 'moved into the development profile as it is');
    assert.ok(!names.some((name) => name.startsWith('crucibleKeys.default.')), 'no key is left under the old profile name');
    assert.deepEqual(await exportedKeys('app', ['openrouter', 'openai', 'xai']), { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter, OPENAI_API_KEY: KEYS.openai, XAI_API_KEY: KEYS.xai });
    writeFileSync(envOf('app'), original);
    await testing.refreshed();
    assert.deepEqual(await exportedKeys('app', ['xai']), { XAI_API_KEY: KEYS.xai }, 'the workspace passphrase is no longer needed');
  });
});
