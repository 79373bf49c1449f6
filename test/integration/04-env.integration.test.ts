import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { api, envOf, folder, read, run } from './support';

const OPENROUTER = fakeKey('openrouter', 'valid');
const OPENAI = fakeKey('openai', 'valid');

describe('.env export and import on fixture workspaces', () => {
  before(async () => {
    await run('forgetAll', { confirm: true });
    await run('addKey', 'openrouter', OPENROUTER);
    await run('addKey', 'openai', OPENAI);
  });

  it('copies into the chosen folder of a multi-root workspace, keeping comments, quoting and CRLF', async () => {
    const before = read(envOf('app'));
    const outcome = await run<{ status: string; updated: string[]; added: string[]; git: string }>('copyToEnv', { folder: folder('app'), file: envOf('app'), providers: ['openrouter'] });
    assert.equal(outcome.status, 'written');
    assert.equal(outcome.git, 'ignored');
    assert.deepEqual(outcome.updated, ['ROUNDTABLE_OPENROUTER_API_KEY']);
    const after = read(envOf('app'));
    assert.equal(after, before.replace('ROUNDTABLE_OPENROUTER_API_KEY=  #', `ROUNDTABLE_OPENROUTER_API_KEY=${OPENROUTER}  #`));
    assert.equal(parse(after).POSTGRES_PASSWORD, 's3cret # not a comment');
    assert.equal(read(envOf('legacy')), 'OPENAI_API_KEY=\nDEBUG=true\n', 'the other folder is untouched');
  });

  it('does not write a tracked .env without confirmation, and does with it', async () => {
    const before = read(envOf('legacy'));
    const refused = await run<{ status: string; git: string }>('copyToEnv', { folder: folder('legacy'), file: envOf('legacy'), providers: ['openai'], confirmTracked: false });
    assert.deepEqual([refused.status, refused.git], ['cancelled', 'tracked']);
    assert.equal(read(envOf('legacy')), before);
    const written = await run<{ status: string }>('copyToEnv', { folder: folder('legacy'), file: envOf('legacy'), providers: ['openai'], confirmTracked: true });
    assert.equal(written.status, 'written');
    assert.equal(read(envOf('legacy')), `OPENAI_API_KEY=${OPENAI}\nDEBUG=true\n`);
    execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') });
  });

  it('adds an unignored .env to .gitignore when asked', async () => {
    const file = `${folder('legacy')}/fresh.env`;
    const outcome = await run<{ status: string; git: string }>('copyToEnv', { file, providers: ['openai'], addToGitignore: true });
    assert.deepEqual([outcome.status, outcome.git], ['written', 'not_ignored']);
    assert.match(read(`${folder('legacy')}/.gitignore`), /^fresh\.env$/m);
    assert.equal(execFileSync('git', ['check-ignore', 'fresh.env'], { cwd: folder('legacy'), encoding: 'utf8' }).trim(), 'fresh.env');
  });

  it('writes nothing when the values are already there', async () => {
    const outcome = await run<{ status: string }>('copyToEnv', { folder: folder('app'), file: envOf('app'), providers: ['openrouter'] });
    assert.equal(outcome.status, 'unchanged');
  });

  it('imports new keys from a .env under every alias Crucible reads, and never overwrites without asking', async () => {
    const gemini = fakeKey('google', 'valid');
    const staleOpenAi = fakeKey('openai', 'rejected');
    writeFileSync(`${folder('legacy')}/import.env`, `GEMINI_API_KEY=${gemini}\nOPENAI_API_KEY=${staleOpenAi}\n`);
    const imported = await run<string[]>('importFromEnv', { file: `${folder('legacy')}/import.env`, providers: ['google', 'openai'] });
    assert.deepEqual(imported, ['google']);
    const check = `${folder('legacy')}/after-import.env`;
    await run('copyToEnv', { file: check, providers: ['google', 'openai'] });
    assert.deepEqual(parse(read(check)), { GOOGLE_API_KEY: gemini, OPENAI_API_KEY: OPENAI });
    const replaced = await run<string[]>('importFromEnv', { file: `${folder('legacy')}/import.env`, providers: ['openai'], replace: true });
    assert.deepEqual(replaced, ['openai']);
    const entries = await (await api()).inspectSecretStorage();
    assert.ok(entries.every((entry) => entry.kind !== 'other'));
  });
});
