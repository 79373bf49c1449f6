// The first of three windows opened in turn over one SecretStorage (w2-, w3- files run in the next two): this one has
// a project whose .env sets API_KEY_ENCRYPTION_KEY, and saves a key while it is open.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { addKey, api, envOf, read, run } from './support';
import { WINDOW_KEYS, WINDOW_ONE_PASSPHRASE } from './windows';

describe('window one of three (a project with its own passphrase)', () => {
  it('saves a key while the project\'s .env sets API_KEY_ENCRYPTION_KEY', async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    writeFileSync(envOf('app'), read(envOf('app')).replace(/^API_KEY_ENCRYPTION_KEY=.*$/m, `API_KEY_ENCRYPTION_KEY=${WINDOW_ONE_PASSPHRASE}`));
    await (await api()).refreshed();
    assert.equal(await addKey('openrouter', WINDOW_KEYS.openrouter), 'openrouter');
    assert.equal((await api()).snapshot().encryption.lockedCount, 0);
  });
});
