// Window three: back in window one's workspace. Both keys open; deleting the project's .env changes nothing.
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { api, envOf, exportedKeys } from './support';
import { WINDOW_KEYS } from './windows';

describe('window three of three (window one\'s workspace again)', () => {
  it('opens the key saved in window two, and still opens both after the project\'s .env is deleted', async () => {
    const testing = await api();
    assert.equal(testing.snapshot().encryption.lockedCount, 0);
    const expected = { ROUNDTABLE_OPENROUTER_API_KEY: WINDOW_KEYS.openrouter, XAI_API_KEY: WINDOW_KEYS.xai };
    assert.deepEqual(await exportedKeys('app', ['openrouter', 'xai']), expected);
    unlinkSync(envOf('app'));
    await testing.refreshed();
    assert.equal(testing.snapshot().encryption.lockedCount, 0);
    assert.deepEqual(await exportedKeys('app', ['openrouter', 'xai']), expected);
  });
});
