import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, envOf, exportedKeys, folder, projectBackups, read, run } from './support';

const KEY = fakeKey('xai', 'valid');

describe('a project\'s API_KEY_ENCRYPTION_KEY', () => {
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    await addKey('xai', KEY);
  });
  after(() => execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') }));

  it('is generated Crucible-style into the project\'s .env after a confirmation, backed up, and leaves the vault alone', async () => {
    const testing = await api();
    const vaultBefore = await testing.rawSecrets.get('crucibleKeys.vault.current');
    assert.equal(parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY, undefined);
    assert.equal(await run('generateEncryptionKey', { folder: 'legacy' }), undefined, 'nothing without the write confirmation');
    assert.equal(parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY, undefined);
    assert.equal(await run('generateEncryptionKey', { folder: 'legacy', writeConfirm: 'Write Anyway' }), envOf('legacy'));
    const written = parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY;
    assert.match(written, /^[A-Za-z0-9_-]{43}$/);
    assert.match(read(envOf('legacy')), /^OPENAI_API_KEY=\nDEBUG=true\n/, 'the rest of the file is kept');
    assert.equal(await testing.rawSecrets.get('crucibleKeys.vault.current'), vaultBefore, 'the vault passphrase did not change');
    assert.equal((await projectBackups(folder('legacy')))[0], written);
    assert.equal((await exportedKeys('app', ['xai'])).XAI_API_KEY, KEY);
  });

  it('is never replaced by Generate: that offers rotation, which keeps the old value as a backup', async () => {
    const before = read(envOf('legacy'));
    assert.equal(await run('generateEncryptionKey', { folder: 'legacy' }), undefined);
    assert.equal((await api()).prompts()[1]?.id, 'projectPassphraseExists');
    assert.equal(read(envOf('legacy')), before);
    const old = parse(before).API_KEY_ENCRYPTION_KEY;
    const file = await run<string>('rotateProjectEncryptionKey', { folder: 'legacy', projectRotateConfirm: 'Rotate', writeConfirm: 'Write Anyway' });
    assert.equal(file, envOf('legacy'));
    assert.notEqual(parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY, old);
    assert.deepEqual((await projectBackups(folder('legacy'))).slice(1, 2), [old]);
  });
});
