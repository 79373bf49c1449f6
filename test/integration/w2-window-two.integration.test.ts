// Window two: another folder, no .env at all. The key window one saved is not locked here, and this window saves one.
import assert from 'node:assert/strict';
import { addKey, api, exportedKeys } from './support';
import { WINDOW_KEYS } from './windows';

describe('window two of three (another folder, no passphrase anywhere)', () => {
  it('opens the key saved in window one without asking anything, and saves another', async () => {
    const testing = await api();
    const openrouter = testing.snapshot().providers.find((view) => view.id === 'openrouter')!;
    assert.notEqual(openrouter.status, 'locked');
    assert.notEqual(openrouter.status, 'not_set');
    assert.equal(testing.snapshot().encryption.lockedCount, 0);
    assert.deepEqual(await exportedKeys('other', ['openrouter']), { ROUNDTABLE_OPENROUTER_API_KEY: WINDOW_KEYS.openrouter });
    assert.equal(await addKey('xai', WINDOW_KEYS.xai), 'xai');
  });
});
