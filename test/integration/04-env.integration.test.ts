import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, copyToEnv, envOf, exportedKeys, folder, read, run } from './support';

const OPENROUTER = fakeKey('openrouter', 'valid');
const OPENAI = fakeKey('openai', 'valid');

describe('.env export and import on fixture workspaces', () => {
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    await addKey('openrouter', OPENROUTER);
    await addKey('openai', OPENAI);
  });

  it('copies into the chosen folder of a multi-root workspace, keeping comments, quoting and CRLF', async () => {
    const before = read(envOf('app'));
    const outcome = await copyToEnv({ folder: 'app', file: envOf('app'), providers: ['openrouter'], confirm: 'Write' });
    assert.equal(outcome.status, 'written');
    assert.deepEqual(outcome.updated, ['ROUNDTABLE_OPENROUTER_API_KEY']);
    const prompt = (await api()).prompts().find((candidate) => candidate.id === 'writeConfirm')!;
    assert.equal(prompt.title, `Write ROUNDTABLE_OPENROUTER_API_KEY to ${envOf('app')}?`, 'the person sees the real target and the names');
    assert.ok(!JSON.stringify((await api()).prompts()).includes(OPENROUTER), 'no value in any prompt');
    const after = read(envOf('app'));
    assert.equal(after, before.replace('ROUNDTABLE_OPENROUTER_API_KEY=  #', `ROUNDTABLE_OPENROUTER_API_KEY=${OPENROUTER}  #`));
    assert.equal(parse(after).POSTGRES_PASSWORD, 's3cret # not a comment');
    assert.equal(read(envOf('legacy')), 'OPENAI_API_KEY=\nDEBUG=true\n', 'the other folder is untouched');
  });

  it('writes nothing when the person does not confirm, even into an ignored file', async () => {
    const before = read(envOf('app'));
    const outcome = await copyToEnv({ folder: 'app', file: envOf('app'), providers: ['openai'] });
    assert.equal(outcome.status, 'cancelled');
    assert.equal(read(envOf('app')), before);
  });

  it('warns before writing a tracked .env, offers to stop tracking it, and writes only after a yes', async () => {
    const before = read(envOf('legacy'));
    const refused = await copyToEnv({ folder: 'legacy', file: envOf('legacy'), providers: ['openai'] });
    assert.equal(refused.status, 'cancelled');
    const prompt = (await api()).prompts().find((candidate) => candidate.id === 'writeConfirm')!;
    assert.deepEqual(prompt.options, ['Stop Tracking and Write', 'Write Anyway']);
    assert.match(prompt.detail ?? '', /is tracked by git/);
    assert.equal(read(envOf('legacy')), before);
    const written = await copyToEnv({ folder: 'legacy', file: envOf('legacy'), providers: ['openai'], confirm: 'Write Anyway' });
    assert.equal(written.status, 'written');
    assert.equal(read(envOf('legacy')), `OPENAI_API_KEY=${OPENAI}\nDEBUG=true\n`);
    execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') });
  });

  it('adds an unignored .env to .gitignore when the person chooses so', async () => {
    const file = path.join(folder('legacy'), 'fresh.env');
    const outcome = await copyToEnv({ folder: 'legacy', file, providers: ['openai'], confirm: 'Add to .gitignore and Write' });
    assert.equal(outcome.status, 'written');
    assert.match(read(path.join(folder('legacy'), '.gitignore')), /^\/fresh\.env$/m);
    assert.equal(execFileSync('git', ['check-ignore', 'fresh.env'], { cwd: folder('legacy'), encoding: 'utf8' }).trim(), 'fresh.env');
  });

  it('shows where a symlinked .env really leads: an ignored link to a tracked file is reported as tracked', async () => {
    const legacy = folder('legacy');
    writeFileSync(path.join(legacy, 'config.txt'), 'SETTING=1\n');
    execFileSync('git', ['add', 'config.txt'], { cwd: legacy });
    const link = path.join(legacy, 'linked.env');
    writeFileSync(path.join(legacy, '.gitignore'), `${read(path.join(legacy, '.gitignore'))}linked.env\n`);
    symlinkSync('config.txt', link);
    try {
      const outcome = await copyToEnv({ folder: 'legacy', file: link, providers: ['openai'] });
      assert.equal(outcome.status, 'cancelled');
      const prompt = (await api()).prompts().find((candidate) => candidate.id === 'writeConfirm')!;
      assert.equal(prompt.title, `Write OPENAI_API_KEY to ${path.join(legacy, 'config.txt')}?`);
      assert.match(prompt.detail ?? '', /linked\.env is a symlink: the keys are written to .*config\.txt/);
      assert.match(prompt.detail ?? '', /config\.txt is tracked by git/);
      assert.equal(read(path.join(legacy, 'config.txt')), 'SETTING=1\n');
    } finally {
      unlinkSync(link);
      execFileSync('git', ['rm', '-q', '--cached', 'config.txt'], { cwd: legacy });
      unlinkSync(path.join(legacy, 'config.txt'));
    }
  });

  it('writes nothing when the values are already there', async () => {
    const outcome = await copyToEnv({ folder: 'app', file: envOf('app'), providers: ['openrouter'], confirm: 'Write' });
    assert.equal(outcome.status, 'unchanged');
  });

  it('imports new keys from a .env under every alias Crucible reads, and replaces a stored key only after a yes', async () => {
    const gemini = fakeKey('google', 'valid');
    const staleOpenAi = fakeKey('openai', 'rejected');
    const legacyEnv = read(envOf('legacy'));
    writeFileSync(envOf('legacy'), `GEMINI_API_KEY=${gemini}\nOPENAI_API_KEY=${staleOpenAi}\n`);
    try {
      const imported = await run<string[]>('importFromEnv', { folder: 'legacy', importChoice: ['google', 'openai'].map((id) => id === 'google' ? 'Google Gemini' : 'OpenAI') });
      assert.deepEqual(imported, ['google'], 'the stored OpenAI key is not replaced without the confirmation');
      assert.deepEqual(await exportedKeys('app', ['google', 'openai']), { GOOGLE_API_KEY: gemini, OPENAI_API_KEY: OPENAI });
      const replaced = await run<string[]>('importFromEnv', { folder: 'legacy', importChoice: ['OpenAI'], importReplace: 'Replace' });
      assert.deepEqual(replaced, ['openai']);
      assert.ok((await (await api()).secretEntries()).every((entry) => entry.kind !== 'other'));
    } finally {
      writeFileSync(envOf('legacy'), legacyEnv);
      execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') });
    }
    assert.ok(!existsSync(path.join(folder('legacy'), 'linked.env')));
  });
});
