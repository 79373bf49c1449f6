import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeKey } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';
import { type CliRun, ensureBuilt, spawnCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const server = new FakeProviderServer();

/** Runs verify against the fake providers. */
function verify(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> {
  const baseUrls = Object.entries(server.baseUrls()).flatMap(([id, url]) => id === 'custom' ? [] : ['--base-url', `${id}=${url}`]);
  return spawnCli(['verify', ...baseUrls, ...args], { cwd, env: { HOME: undefined, ...env } });
}

describe('crucible-keys verify', () => {
  before(async () => { ensureBuilt(); await server.start(); });
  after(() => server.stop());

  it('exits 0 and prints JSON in the documented shape when every key is valid', async () => {
    const keys = { OPENROUTER_API_KEY: fakeKey('openrouter', 'valid'), DEEPSEEK_API_KEY: fakeKey('deepseek', 'valid') };
    const run = await verify(['--json', '--env-file', '/nonexistent/.env'], keys);
    assert.equal(run.code, 0, run.stderr);
    const results = JSON.parse(run.stdout);
    assert.deepEqual(results.map((r: { provider: string; verdict: string; httpStatus: number }) => [r.provider, r.verdict, r.httpStatus]), [['openrouter', 'valid', 200], ['deepseek', 'valid', 200]]);
    assert.deepEqual(Object.keys(results[0]).sort(), ['credits', 'httpStatus', 'key', 'latencyMs', 'message', 'provider', 'verdict']);
    for (const key of Object.values(keys)) assert.ok(!run.stdout.includes(key) && !run.stderr.includes(key));
  });

  it('prints the note, the day\'s and month\'s usage and the key kind; a management or admin key exits 1', async () => {
    const keys = { OPENROUTER_API_KEY: fakeKey('openrouter', 'nolimit'), OPENAI_API_KEY: fakeKey('openai', 'admin') };
    const json = await verify(['--json', '--env-file', '/nonexistent/.env'], keys);
    assert.equal(json.code, 1, json.stderr);
    assert.equal(json.stderr, 'crucible-keys: 1 key was refused or out of credit.\n');
    const [openrouter, openai] = JSON.parse(json.stdout);
    assert.equal(openrouter.verdict, 'valid');
    assert.equal(openrouter.note, 'no key limit: the account balance is not visible with this key');
    assert.deepEqual(openrouter.credits, { currency: 'USD', scope: 'key', usage: 12.5, usageDaily: 0.75, usageWeekly: 3.25, usageMonthly: 12.5 });
    assert.equal(openrouter.key.kind, 'inference');
    assert.deepEqual([openai.verdict, openai.httpStatus, openai.key], ['rejected', null, { kind: 'admin' }]);
    const text = await verify(['--env-file', '/nonexistent/.env'], keys);
    assert.match(text.stdout, /openrouter\s+valid\s+200 .* The key is valid\. It has no key limit\. \(no key limit: the account balance is not visible with this key\) Usage today \$0\.75, this month \$12\.50\./);
    assert.match(text.stdout, /openai\s+rejected\s+- .*OPENAI_API_KEY=sk-admin-…\S+ +This is an admin key for OpenAI/);
    for (const key of Object.values(keys)) assert.ok(!json.stdout.includes(key) && !text.stdout.includes(key) && !text.stderr.includes(key));
  });

  it('reads keys from .env under Crucible\'s names and exits 1 when one is rejected or out of credit', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), `ROUNDTABLE_OPENROUTER_API_KEY=${fakeKey('openrouter', 'valid')}\nOPENAI_API_KEY=${fakeKey('openai', 'rejected')}\nXAI_API_KEY=${fakeKey('xai', 'nocredit')}\n`);
    const run = await verify([], {}, dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^PROVIDER\s+VERDICT\s+HTTP\s+TIME\s+KEY\s+MESSAGE/);
    assert.match(run.stdout, /openai\s+rejected\s+401/);
    assert.match(run.stdout, /xai\s+no_credit\s+403/);
    assert.match(run.stdout, /ROUNDTABLE_OPENROUTER_API_KEY=sk-or-v1-…/);
  });

  it('exits 3 when a key could not be decided, and --provider narrows the check', async () => {
    const env = { OPENAI_API_KEY: fakeKey('openai', 'e503'), ANTHROPIC_API_KEY: fakeKey('anthropic', 'valid') };
    assert.equal((await verify(['--env-file', '/nonexistent/.env'], env)).code, 3);
    assert.equal((await verify(['--env-file', '/nonexistent/.env', '--provider', 'anthropic'], env)).code, 0);
  });

  it('honours --timeout', async () => {
    const run = await verify(['--env-file', '/nonexistent/.env', '--timeout', '300', '--json'], { OPENAI_API_KEY: fakeKey('openai', 'stallheaders') });
    assert.equal(run.code, 3);
    assert.equal(JSON.parse(run.stdout)[0].verdict, 'unreachable');
  });

  it('answers bad input with one sentence and exit 2', async () => {
    for (const args of [['--base-url', 'openai'], ['--base-url', 'nope=http://x'], ['--timeout', 'soon'], ['--provider', 'xai']]) {
      const run = await verify(['--env-file', '/nonexistent/.env', ...args], { OPENAI_API_KEY: fakeKey('openai', 'valid') });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    }
    assert.equal((await verify(['--env-file', '/nonexistent/.env'])).code, 2);
  });
});
