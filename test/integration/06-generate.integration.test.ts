import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { api, envOf, folder, read, run } from './support';

const KEY = fakeKey('xai', 'valid');

describe('generating an encryption key for a project', () => {
  before(async () => {
    await run('forgetAll', { confirm: true });
    await run('addKey', 'xai', KEY);
  });
  after(() => execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') }));

  it('writes a Crucible-style passphrase into .env and moves the stored keys to it, losing none', async () => {
    assert.equal(parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY, undefined);
    assert.equal(await run('generateEncryptionKey', { folder: folder('legacy'), write: true }), envOf('legacy'));
    const written = parse(read(envOf('legacy'))).API_KEY_ENCRYPTION_KEY;
    assert.match(written, /^[A-Za-z0-9_-]{43}$/);
    assert.match(read(envOf('legacy')), /^OPENAI_API_KEY=\nDEBUG=true\n/, 'the rest of the file is kept');
    await (await api()).refreshed();
    const file = path.join(folder('legacy'), 'after-generate.env');
    await run('copyToEnv', { file, providers: ['xai'] });
    assert.equal(parse(read(file)).XAI_API_KEY, KEY);
    unlinkSync(file);
  });

  it('refuses to replace an existing passphrase (that is what rotation is for)', async () => {
    const before = read(envOf('legacy'));
    assert.equal(await run('generateEncryptionKey', { folder: folder('legacy'), write: true }), undefined);
    assert.equal(read(envOf('legacy')), before);
  });
});
