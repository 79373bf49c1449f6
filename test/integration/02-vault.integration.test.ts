import assert from 'node:assert/strict';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, exportedKeys, run } from './support';

const OPENROUTER = fakeKey('openrouter', 'valid');
const ANTHROPIC = fakeKey('anthropic', 'valid');

describe('vault in SecretStorage', () => {
  before(async () => { await run('forgetAll', { forgetAllConfirm: 'Forget All' }); });

  it('stores keys as Fernet tokens under one vault passphrase, and reads them back exactly', async () => {
    const testing = await api();
    assert.equal(await addKey('openrouter', `  ${OPENROUTER}\n`), 'openrouter');
    assert.equal(await addKey('anthropic', `"${ANTHROPIC}"`), 'anthropic');
    const entries = await testing.secretEntries();
    assert.deepEqual(entries.filter((entry) => entry.kind === 'fernet-token').map((entry) => entry.name), ['crucibleKeys.development.anthropic', 'crucibleKeys.development.openrouter']);
    assert.equal(entries.filter((entry) => entry.name.startsWith('crucibleKeys.vault.passphrase.')).length, 1, 'one vault passphrase');
    assert.ok(entries.every((entry) => entry.kind !== 'other'), JSON.stringify(entries));
    assert.deepEqual(await exportedKeys('app', ['openrouter', 'anthropic']), { ROUNDTABLE_OPENROUTER_API_KEY: OPENROUTER, ANTHROPIC_API_KEY: ANTHROPIC });
  });

  it('removes a key only when a person confirms', async () => {
    assert.equal(await run('removeKey', {}, 'anthropic'), false);
    assert.ok((await (await api()).secretEntries()).some((entry) => entry.name === 'crucibleKeys.development.anthropic'));
    assert.equal(await run('removeKey', { removeConfirm: 'Remove' }, 'anthropic'), true);
    assert.ok(!(await (await api()).secretEntries()).some((entry) => entry.name === 'crucibleKeys.development.anthropic'));
  });

  it('refuses a key with whitespace or a curly quote inside, storing nothing', async () => {
    const testing = await api();
    const before = await testing.secretEntries();
    assert.equal(await addKey('openai', 'sk-proj-abc def'), undefined);
    assert.equal(await addKey('openai', `\u201csk-proj-abcdefghijklmnopqrstuv\u201d`), undefined);
    assert.match(testing.prompts().at(-1)?.detail ?? '', /left double quotation mark \(U\+201C\) at position 1/);
    assert.deepEqual(await testing.secretEntries(), before);
  });
});
