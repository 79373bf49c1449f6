// crucible-keys crucible status|push|remove, run as the built bin against the fake Crucible: exit codes, output, and
// canaries: no key, no password and no session token in stdout, stderr or JSON of any run, error paths included.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ExitCode } from '../../src/core/errors';
import { FAKE_CRUCIBLE_PASSWORD, FakeCrucibleServer } from '../fakeCrucible/server';
import { type CliRun, ensureBuilt, spawnCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const KEYS = {
  ROUNDTABLE_OPENROUTER_API_KEY: `sk-or-v1-${'c0ffee'.repeat(10)}beef`,
  OPENAI_API_KEY: `sk-proj-CANARY${'Op3n'.repeat(10)}`,
  ANTHROPIC_API_KEY: `sk-ant-api03-CANARY${'An7h'.repeat(10)}`,
  GOOGLE_API_KEY: `AIzaCANARY${'g'.repeat(29)}`,
};
const PASSWORD_ENV = { ROUNDTABLE_COMMUNITY_AUTH_PASSWORD: FAKE_CRUCIBLE_PASSWORD };

let fake: FakeCrucibleServer;
const runs: CliRun[] = [];
const tokens: string[] = [];

/** Runs `crucible-keys crucible ...` against the fake, in a folder without a .env unless one is given. */
async function crucible(args: string[], env: Record<string, string> = {}, cwd = tempDir()): Promise<CliRun> {
  const run = await spawnCli(['crucible', ...args, ...(args.includes('--api') ? [] : ['--api', fake.apiUrl])], { cwd, env: { HOME: undefined, ...env } });
  runs.push(run);
  return run;
}

function json(run: CliRun): Record<string, unknown> {
  assert.equal(run.stderr, '', run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('crucible-keys crucible', () => {
  before(ensureBuilt);
  beforeEach(async () => { fake = new FakeCrucibleServer(); await fake.start(); });
  afterEach(async () => { tokens.push(...fake.issuedTokens); await fake.stop(); });
  after(() => {
    // The canaries: every key, the password and every session token, in any letter case, in any output of any run.
    const canaries = [...Object.values(KEYS), FAKE_CRUCIBLE_PASSWORD, ...tokens];
    assert.ok(tokens.length > 5 && runs.length > 20, 'the canary check saw the runs');
    for (const run of runs) {
      const output = `${run.stdout}\n${run.stderr}`.toLowerCase();
      for (const canary of canaries) assert.ok(!output.includes(canary.toLowerCase()), `a secret in the output of a run:\n${run.stdout}\n${run.stderr}`);
    }
  });

  it('status: what Crucible holds beside the environment\'s keys; exit 0 when nothing differs', async () => {
    const run = await crucible(['status'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(run.code, ExitCode.ok, run.stderr);
    assert.match(run.stdout, /^Crucible at http:\/\/127\.0\.0\.1:\d+\/api \(version 0\.1\.0\)\nPROVIDER\s+STATE\s+CRUCIBLE\s+LOCAL\s+MESSAGE\n/);
    assert.match(run.stdout, /openai\s+only_in_vault\s+-\s+OPENAI_API_KEY=sk-proj-…Op3n\s+Only the environment holds a key; Crucible has none\./);
    assert.equal(run.stderr, '');
  });

  it('push: sends every key, reads each back, exits 0; then status shows them the same', async () => {
    const push = await crucible(['push'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(push.code, ExitCode.ok, push.stderr);
    assert.match(push.stdout, /openrouter: add\. The environment's OpenRouter key \(…beef, 73 characters\) would be added\./);
    assert.match(push.stdout, /google: confirmed\. Crucible now holds the environment's Google Gemini key\.\nEvery change reads back as intended\.\n$/);
    assert.deepEqual(fake.storedIds(), ['openrouter', 'openai', 'anthropic', 'google']);
    assert.equal(fake.plaintext('openai'), KEYS.OPENAI_API_KEY);
    const status = json(await crucible(['status', '--json'], { ...PASSWORD_ENV, ...KEYS }));
    assert.deepEqual((status.providers as { provider: string; state: string }[]).map((entry) => [entry.provider, entry.state]), [['openrouter', 'same'], ['openai', 'same'], ['anthropic', 'same'], ['google', 'same']]);
    assert.deepEqual(Object.keys(status), ['apiUrl', 'version', 'providers', 'others']);
    const [openrouter] = status.providers as Record<string, unknown>[];
    assert.deepEqual(openrouter, {
      provider: 'openrouter', state: 'same', storedUnder: ['openrouter'], crucible: '…beef, 73 characters',
      local: { variable: 'ROUNDTABLE_OPENROUTER_API_KEY', masked: 'sk-or-v1-…beef' },
      message: 'Crucible holds the environment\'s key: the length and the last 4 characters match (…beef, 73 characters).',
    });
  });

  it('push: a save Crucible would refuse is explained, with the fix, and not sent (exit 1)', async () => {
    const run = await crucible(['push', '--provider', 'openai', '--json'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(run.code, ExitCode.failed);
    assert.deepEqual(json(run), {
      apiUrl: fake.apiUrl, version: '0.1.0', dryRun: false, accepted: false,
      refusal: 'Crucible would refuse this: without an OpenRouter key it takes OpenAI and Anthropic keys only together, and the result would hold OpenAI without Anthropic.',
      suggestions: ['Include Anthropic from the environment as well.', 'Include OpenRouter from the environment as well.'],
      sent: false, confirmed: null,
      changes: [{ provider: 'openai', effect: 'add', planned: 'The environment\'s OpenAI key (…Op3n, 54 characters) would be added.' }],
    });
    assert.ok(!fake.requests.some((request) => request.method === 'PUT'), 'nothing sent');
  });

  it('push --dry-run shows the plan and sends nothing', async () => {
    const run = await crucible(['push', '--dry-run', '--provider', 'openrouter'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(run.code, ExitCode.ok, run.stderr);
    assert.match(run.stdout, /openrouter: add\..*\nCrucible would accept this; nothing was sent \(--dry-run\)\.\n$/);
    assert.ok(!fake.requests.some((request) => request.method === 'PUT'));
  });

  it('push writes Google under google and removes an older copy under gemini', async () => {
    fake.seed({ openrouter: KEYS.ROUNDTABLE_OPENROUTER_API_KEY, gemini: 'AIzaOldGeminiKey0123456789' });
    const run = await crucible(['push', '--provider', 'google'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(run.code, ExitCode.ok, run.stderr);
    assert.match(run.stdout, /google: replace\. Crucible's Google Gemini key \(…6789, 26 characters\) would be replaced by the environment's \(…gggg, 39 characters\) \(and the older copy under "gemini" removed\)\./);
    assert.deepEqual(fake.storedIds(), ['openrouter', 'google']);
  });

  it('remove: takes a key out, refuses (exit 1) what would break the rule, and needs --provider', async () => {
    fake.seed({ openrouter: KEYS.ROUNDTABLE_OPENROUTER_API_KEY, openai: KEYS.OPENAI_API_KEY, anthropic: KEYS.ANTHROPIC_API_KEY });
    const remove = await crucible(['remove', '--provider', 'openrouter'], PASSWORD_ENV);
    assert.equal(remove.code, ExitCode.ok, remove.stderr);
    assert.match(remove.stdout, /openrouter: confirmed\. Crucible holds no OpenRouter key now\./);
    const refused = await crucible(['remove', '--provider', 'anthropic'], PASSWORD_ENV);
    assert.equal(refused.code, ExitCode.failed);
    assert.match(refused.stdout, /Not sent\. Crucible would refuse this: .*OpenAI without Anthropic\.\n {2}Keep Anthropic in Crucible\.\n/);
    assert.deepEqual(fake.storedIds(), ['openai', 'anthropic']);
    assert.equal((await crucible(['remove'], PASSWORD_ENV)).code, ExitCode.usage);
  });

  it('status exits 1 when Crucible can no longer read a key, and says so', async () => {
    fake.seed({ openrouter: KEYS.ROUNDTABLE_OPENROUTER_API_KEY });
    await fake.restart({ passphrase: 'a-passphrase-crucible-lost-0123456789-abc' });
    const run = await crucible(['status'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(run.code, ExitCode.failed);
    assert.match(run.stdout, /openrouter\s+unreadable\s+\*\*\*error\*\*\*\s+ROUNDTABLE_OPENROUTER_API_KEY=sk-or-v1-…beef\s+Crucible can no longer read its key/);
  });

  it('reads the password and keys from the .env file, the environment winning', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), `ROUNDTABLE_COMMUNITY_AUTH_PASSWORD=${FAKE_CRUCIBLE_PASSWORD}\nROUNDTABLE_OPENROUTER_API_KEY=${KEYS.ROUNDTABLE_OPENROUTER_API_KEY}\n`);
    const fromFile = await crucible(['push'], {}, dir);
    assert.equal(fromFile.code, ExitCode.ok, fromFile.stderr);
    assert.equal(fake.plaintext('openrouter'), KEYS.ROUNDTABLE_OPENROUTER_API_KEY);
    const wrongInEnv = await crucible(['status'], { ROUNDTABLE_COMMUNITY_AUTH_PASSWORD: 'a-wrong-password' }, dir);
    assert.equal(wrongInEnv.code, ExitCode.usage);
    writeFileSync(path.join(dir, 'deploy.env'), 'ROUNDTABLE_COMMUNITY_AUTH_PASSWORD=another-wrong-one\n');
    assert.equal((await crucible(['status', '--env-file', 'deploy.env'], PASSWORD_ENV, dir)).code, ExitCode.ok);
    // --dotenv names the same file (Node 20 and later take --env-file for themselves when run as node dist/cli.js).
    rmSync(path.join(dir, '.env'));
    writeFileSync(path.join(dir, 'deploy.env'), `ROUNDTABLE_COMMUNITY_AUTH_PASSWORD=${FAKE_CRUCIBLE_PASSWORD}\n`);
    assert.equal((await crucible(['status', '--dotenv', 'deploy.env'], {}, dir)).code, ExitCode.ok);
    assert.equal((await crucible(['status'], {}, dir)).code, ExitCode.usage, 'without it there is no password (the positive control)');
  });

  it('answers each failure with one line on stderr and its exit code', async () => {
    const cases: [string, string[], Record<string, string>, number, RegExp][] = [
      ['no password', ['status'], KEYS, ExitCode.usage, /^crucible-keys: No Crucible password: set ROUNDTABLE_COMMUNITY_AUTH_PASSWORD in the environment or in .*\.env\.\n$/],
      ['wrong password', ['status'], { ...KEYS, ROUNDTABLE_COMMUNITY_AUTH_PASSWORD: 'WRONG-password-x' }, ExitCode.usage, /refused the password \(401\); check ROUNDTABLE_COMMUNITY_AUTH_PASSWORD\.\n$/],
      ['no such subcommand', ['list'], PASSWORD_ENV, ExitCode.usage, /^crucible-keys: crucible needs status, push or remove; got "list"\.\n$/],
      ['unknown provider', ['push', '--provider', 'groq'], PASSWORD_ENV, ExitCode.usage, /Unknown provider "groq"/],
      ['no key to push', ['push', '--provider', 'xai'], { ...PASSWORD_ENV, ...KEYS }, ExitCode.usage, /^crucible-keys: No key for xai: set XAI_API_KEY in the environment or the \.env file\.\n$/],
      ['nothing to push', ['push'], PASSWORD_ENV, ExitCode.usage, /No provider keys found/],
      ['dry-run with status', ['status', '--dry-run'], PASSWORD_ENV, ExitCode.usage, /--dry-run goes with push and remove/],
      ['a bad URL', ['status', '--api', 'http://user:pw@host/api'], PASSWORD_ENV, ExitCode.usage, /must not contain a user name or password/],
      ['a missing --env-file', ['status', '--env-file', 'nope.env'], PASSWORD_ENV, ExitCode.file, /nope\.env does not exist\.\n$/],
      ['both --env-file and --dotenv', ['status', '--env-file', 'a.env', '--dotenv', 'b.env'], PASSWORD_ENV, ExitCode.usage, /^crucible-keys: Give --env-file or --dotenv, not both\.\n$/],
    ];
    for (const [name, args, env, code, stderr] of cases) {
      const run = await crucible(args, env);
      assert.equal(run.code, code, `${name}: ${run.stderr}`);
      assert.match(run.stderr, stderr, name);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, name);
    }
  });

  it('exits 5 when Crucible is unreachable, is not Crucible, or fails; 1 when it refuses what was sent', async () => {
    const down = await crucible(['status', '--api', `http://127.0.0.1:${await closedPort()}/api`], PASSWORD_ENV);
    assert.deepEqual([down.code, down.stderr], [ExitCode.server, `crucible-keys: Crucible at ${down.stderr.match(/http:\/\/[^ ]+\/api/)?.[0]} is not reachable: the connection was refused; is it running?\n`]);
    const wrongPath = await crucible(['status', '--api', `http://127.0.0.1:${fake.port}`], PASSWORD_ENV);
    assert.equal(wrongPath.code, ExitCode.server);
    assert.match(wrongPath.stderr, /does not look like Crucible; check the API URL\.\n$/);
    fake.faults.set('/api/user/settings', 'e500');
    const failing = await crucible(['status'], PASSWORD_ENV);
    assert.deepEqual([failing.code, /failed \(HTTP 500\)/.test(failing.stderr)], [ExitCode.server, true]);
    fake.faults.set('/api/health', 'hang');
    const slow = await crucible(['status', '--timeout', '300'], PASSWORD_ENV);
    assert.match(slow.stderr, /did not answer within 0\.3 seconds\.\n$/);
    assert.equal(slow.code, ExitCode.server);
    fake.faults.clear();
    fake.faults.set('PUT /api/user/settings', 'echo');
    const echoed = await crucible(['push', '--provider', 'openrouter'], { ...PASSWORD_ENV, ...KEYS });
    assert.equal(echoed.code, ExitCode.failed);
    assert.match(echoed.stderr, /refused the save \(HTTP 400\): "Bad request Bearer \[token\] with \{'providerApiKeys':\{'openrouter':'sk-or-v1-…beef'\}\}"\.\n$/);
    fake.faults.set('/api/auth/login', 'echo');
    const echoedLogin = await crucible(['status', '--json'], { ...PASSWORD_ENV, ...KEYS });
    assert.match(echoedLogin.stderr, /refused the login \(HTTP 400\): .*\[passphrase\]/);
  });

  it('warns about plain http:// to a host that is not loopback', async () => {
    const run = await crucible(['status', '--api', 'http://crucible.invalid/api', '--timeout', '2000'], PASSWORD_ENV);
    assert.equal(run.code, ExitCode.server);
    assert.match(run.stderr, /^warning: The Crucible API URL uses plain http:\/\/ to crucible\.invalid, so the password and the keys would cross the network unencrypted; use https:\/\/ unless that network is private\.\ncrucible-keys: Crucible at http:\/\/crucible\.invalid\/api /);
  });

  it('documents itself', async () => {
    const help = await crucible(['--help']);
    assert.equal(help.code, ExitCode.ok);
    assert.match(help.stdout, /^Usage: crucible-keys crucible <status\|push\|remove> \[options\]/);
    assert.match(help.stdout, /5 Crucible is unreachable, is not Crucible at that URL, or failed \(5xx\)\./);
    const top = await spawnCli(['--help']);
    assert.match(top.stdout, /crucible status\|push\|remove/);
  });
});
