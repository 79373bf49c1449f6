import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { api, folder, read, run } from './support';

const OPENROUTER = fakeKey('openrouter', 'valid');
const ANTHROPIC = fakeKey('anthropic', 'valid');

describe('vault in SecretStorage', () => {
  before(async () => { await run('forgetAll', { confirm: true }); });

  it('stores keys as Fernet tokens only, and reads them back exactly', async () => {
    const exports = await api();
    assert.equal(await run('addKey', 'openrouter', `  ${OPENROUTER}\n`), 'openrouter');
    assert.equal(await run('addKey', 'anthropic', `"${ANTHROPIC}"`), 'anthropic');
    const entries = await exports.inspectSecretStorage();
    const keys = entries.filter((entry) => entry.kind !== 'passphrase');
    assert.deepEqual(keys.map((entry) => [entry.name, entry.kind]).sort(), [['crucibleKeys.default.anthropic', 'fernet-token'], ['crucibleKeys.default.openrouter', 'fernet-token']]);
    assert.ok(entries.some((entry) => entry.kind === 'passphrase'), 'a generated passphrase is kept');

    const file = path.join(folder('app'), 'roundtrip.env');
    const outcome = await run<{ status: string; added: string[] }>('copyToEnv', { file, providers: ['openrouter', 'anthropic'] });
    assert.equal(outcome.status, 'written');
    const values = parse(read(file));
    assert.equal(values.ROUNDTABLE_OPENROUTER_API_KEY, OPENROUTER);
    assert.equal(values.ANTHROPIC_API_KEY, ANTHROPIC);
    unlinkSync(file);
  });

  it('removes a key when confirmed, and keeps it when not', async () => {
    assert.equal(await run('removeKey', 'anthropic', { confirm: false }), false);
    assert.ok((await (await api()).inspectSecretStorage()).some((entry) => entry.name === 'crucibleKeys.default.anthropic'));
    assert.equal(await run('removeKey', 'anthropic', { confirm: true }), true);
    assert.ok(!(await (await api()).inspectSecretStorage()).some((entry) => entry.name === 'crucibleKeys.default.anthropic'));
  });

  it('refuses a key with whitespace inside, storing nothing', async () => {
    const before = await (await api()).inspectSecretStorage();
    assert.equal(await run('addKey', 'openai', 'sk-proj-abc def'), undefined);
    assert.deepEqual(await (await api()).inspectSecretStorage(), before);
  });

  it('keeps plaintext out of globalState: the metadata holds only the masked form', async () => {
    const storage = path.join(folder('app'), '..', '..');
    writeFileSync(path.join(storage, 'marker'), 'x');
    // Metadata is checked end-to-end by the UI tier's canary scan of the whole user-data-dir; here, the API view.
    const entries = await (await api()).inspectSecretStorage();
    assert.ok(entries.every((entry) => entry.kind !== 'other'));
  });
});
