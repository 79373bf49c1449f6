import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { Fernet } from '../../src/core/fernet';
import { deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, envOf, exportedKeys, read, run } from './support';

const KEYS = { openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'valid'), xai: fakeKey('xai', 'valid') };
const PROJECT = 'Project-A-passphrase-in-its-env-0123456789ab';

function setProjectPassphrase(value: string): void {
  writeFileSync(envOf('app'), read(envOf('app')).replace(/^API_KEY_ENCRYPTION_KEY=.*$/m, `API_KEY_ENCRYPTION_KEY=${value}`));
}

async function vaultPassphrase(): Promise<string> {
  const testing = await api();
  const id = await testing.rawSecrets.get('crucibleKeys.vault.current');
  return JSON.parse((await testing.rawSecrets.get(`crucibleKeys.vault.passphrase.${id}`))!).value;
}

describe('one vault passphrase, whatever the project says', () => {
  const original = read(envOf('app'));
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    setProjectPassphrase(PROJECT);
    await (await api()).refreshed();
    for (const [id, key] of Object.entries(KEYS)) await addKey(id, key);
  });
  after(() => writeFileSync(envOf('app'), original));

  it('encrypts under the vault passphrase, never under the project\'s API_KEY_ENCRYPTION_KEY', async () => {
    const token = (await (await api()).rawSecrets.get('crucibleKeys.development.openai'))!;
    const vault = await vaultPassphrase();
    assert.notEqual(vault, PROJECT);
    assert.equal(new Fernet(await deriveCrucibleFernetKey(vault)).decrypt(token), KEYS.openai);
    const project = new Fernet(await deriveCrucibleFernetKey(PROJECT));
    assert.throws(() => project.decrypt(token), 'the project\'s passphrase does not open it');
  });

  it('changes nothing for the keys when the project\'s passphrase changes or its .env disappears', async () => {
    setProjectPassphrase('A-completely-different-project-passphrase-01');
    await (await api()).refreshed();
    assert.equal((await api()).snapshot().encryption.lockedCount, 0);
    writeFileSync(envOf('app'), '');
    await (await api()).refreshed();
    assert.equal((await api()).snapshot().encryption.lockedCount, 0);
    assert.deepEqual(await exportedKeys('app', Object.keys(KEYS)), { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter, OPENAI_API_KEY: KEYS.openai, XAI_API_KEY: KEYS.xai });
    writeFileSync(envOf('app'), original);
  });

  it('backs up every project passphrase it sees, and restores one into the .env after it was deleted', async () => {
    setProjectPassphrase(PROJECT);
    await (await api()).refreshed();
    writeFileSync(envOf('app'), '# emptied by git clean\n');
    await (await api()).refreshed();
    const restored = await run<string>('restoreProjectEncryptionKey', { folder: 'app', projectRestorePick: (prompt) => prompt.options[0], writeConfirm: (prompt) => prompt.options[0] });
    assert.equal(restored, envOf('app'));
    assert.equal(parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY, PROJECT);
    writeFileSync(envOf('app'), original);
  });

  it('opens, without asking, a key left under a project\'s passphrase by an older version, and moves it under the vault\'s', async () => {
    const testing = await api();
    setProjectPassphrase(PROJECT);
    const legacy = new Fernet(await deriveCrucibleFernetKey(PROJECT)).encrypt(KEYS.xai);
    await testing.rawSecrets.store('crucibleKeys.development.xai', legacy);
    await testing.refreshed();
    assert.equal(testing.snapshot().encryption.lockedCount, 0);
    const token = (await testing.rawSecrets.get('crucibleKeys.development.xai'))!;
    assert.notEqual(token, legacy);
    assert.equal(new Fernet(await deriveCrucibleFernetKey(await vaultPassphrase())).decrypt(token), KEYS.xai);
  });

  it('shows a key no known passphrase opens as locked, deletes nothing, and unlocks it with a typed passphrase', async () => {
    const testing = await api();
    const orphan = new Fernet(await deriveCrucibleFernetKey('Typed-only-passphrase-from-long-ago-0123456')).encrypt(KEYS.openrouter);
    await testing.rawSecrets.store('crucibleKeys.development.openrouter', orphan);
    await testing.refreshed();
    assert.equal(testing.snapshot().encryption.lockedCount, 1);
    assert.equal(await testing.rawSecrets.get('crucibleKeys.development.openrouter'), orphan, 'nothing is rewritten that cannot be opened');
    const wrong = await run<{ unlocked: string[]; stillLocked: string[] }>('unlock', { unlockPassphrase: 'not-the-right-one-at-all-0123456789abcdefgh' });
    assert.deepEqual(wrong, { unlocked: [], stillLocked: ['openrouter'] });
    const right = await run<{ unlocked: string[]; stillLocked: string[] }>('unlock', { unlockPassphrase: 'Typed-only-passphrase-from-long-ago-0123456' });
    assert.deepEqual(right, { unlocked: ['openrouter'], stillLocked: [] });
    assert.equal((await exportedKeys('app', ['openrouter'])).ROUNDTABLE_OPENROUTER_API_KEY, KEYS.openrouter);
  });

  it('rotates the vault passphrase: every key re-encrypted, the project\'s .env untouched', async () => {
    const before = read(envOf('app'));
    const old = await vaultPassphrase();
    const rotated = await run<{ moved: number }>('rotateEncryptionKey', { vaultRotateConfirm: 'Rotate' });
    assert.equal(rotated.moved, 3);
    assert.notEqual(await vaultPassphrase(), old);
    assert.equal(read(envOf('app')), before);
    assert.deepEqual(await exportedKeys('app', Object.keys(KEYS)), { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter, OPENAI_API_KEY: KEYS.openai, XAI_API_KEY: KEYS.xai });
  });

  it('adopts a project\'s passphrase for the vault only when asked, and keeps it after the .env is gone', async () => {
    setProjectPassphrase(PROJECT);
    await (await api()).refreshed();
    assert.equal(await run('adoptProjectEncryptionKey', { folder: 'app' }), undefined, 'not without the confirmation');
    assert.notEqual(await vaultPassphrase(), PROJECT);
    const adopted = await run<{ moved: number }>('adoptProjectEncryptionKey', { folder: 'app', adoptConfirm: 'Use for the Vault' });
    assert.equal(adopted.moved, 3);
    assert.equal(await vaultPassphrase(), PROJECT);
    writeFileSync(envOf('app'), '');
    await (await api()).refreshed();
    assert.equal((await api()).snapshot().encryption.lockedCount, 0);
    writeFileSync(envOf('app'), original);
  });
});
