// crucible-keys doctor as the built bin: the report for a clean deployment and for one with problems, --json, the
// live check against the fake providers (and none with --no-verify), and every exit code, with no key in any output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeKey } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';
import { type CliRun, ensureBuilt, spawnCli } from '../support/cli';
import { PASSPHRASE, project } from '../support/diagnose';

const server = new FakeProviderServer();
const CRUCIBLE_COMPOSE = readFileSync(path.join(__dirname, '..', 'fixtures', 'compose', 'crucible', 'docker-compose.yml'), 'utf8');
/** Crucible's compose file with the worker given what the backend reads. */
const FIXED_COMPOSE = CRUCIBLE_COMPOSE.replace('ROUNDTABLE_EDEN_AI_KEY:', 'ROUNDTABLE_EDEN_AI_API_KEY:');

function doctor(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  const baseUrls = Object.entries(server.baseUrls()).flatMap(([id, url]) => (id === 'custom' ? [] : ['--base-url', `${id}=${url}`]));
  return spawnCli(['doctor', ...baseUrls, ...args], { cwd, env: { HOME: undefined, ...env } });
}

function noSecrets(run: CliRun, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `a secret (${secret.slice(0, 8)}…) was printed`);
}

describe('crucible-keys doctor', () => {
  before(async () => { ensureBuilt(); await server.start(); });
  after(() => server.stop());

  it('exits 0 with nothing on stderr for a clean deployment, checking each key live', async () => {
    const key = fakeKey('openrouter', 'valid');
    const dir = project({ '.env': `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\nROUNDTABLE_OPENROUTER_API_KEY=${key}\n`, '.gitignore': '.env\n', 'docker-compose.yml': FIXED_COMPOSE }, { git: true });
    const before = server.requests.length;
    const run = await doctor([], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^crucible-keys doctor: .*\.env\n/);
    assert.match(run.stdout, /\n {2}ok {7}OpenRouter accepts the key\.\n {11}.*\n {11}Credits: 74\.50 USD left of 100\.00 USD/);
    assert.match(run.stdout, /\n0 problems, \d+ warnings?, \d+ ok, \d+ for information\.\n$/);
    assert.equal(server.requests.length - before, 1);
    noSecrets(run, [key, PASSPHRASE]);
  });

  it('exits 1 with one line on stderr when it finds problems, and --json prints the same report', async () => {
    const keys = [fakeKey('openrouter', 'valid'), fakeKey('openai', 'rejected')];
    const dir = project({ '.env': `ROUNDTABLE_OPENROUTER_API_KEY=${keys[0]}\nOPENAI_API_KEY=${keys[1]}\n`, 'docker-compose.yml': CRUCIBLE_COMPOSE }, { git: true });
    const text = await doctor([], dir);
    assert.equal(text.code, 1);
    const problems = (text.stdout.match(/^ {2}PROBLEM /gm) ?? []).length;
    assert.ok(problems >= 4, text.stdout);
    assert.equal(text.stderr, `crucible-keys: ${problems} problems found.\n`);
    assert.match(text.stdout, /PROBLEM {2}OpenAI rejects the key\./);
    assert.match(text.stdout, /PROBLEM {2}worker does not get the OpenAI key/);
    assert.match(text.stdout, /fix: Add \.env to \.gitignore/);
    const json = await doctor(['--json'], dir);
    assert.equal(json.code, 1);
    assert.equal(json.stderr, text.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.counts.problem, problems);
    assert.deepEqual(report.sections.map((section: { id: string }) => section.id), ['keys', 'live', 'logs', 'project', 'compose']);
    const worker = report.sections.find((section: { id: string }) => section.id === 'compose').checks.find((check: { id: string }) => check.id === 'compose.service:docker-compose.yml:worker:openai');
    assert.deepEqual(worker.fix, { kind: 'openFile', file: path.join(dir, 'docker-compose.yml'), line: 37 });
    noSecrets(text, keys);
    noSecrets(json, keys);
  });

  it('sends nothing with --no-verify, and --provider narrows the report to one provider', async () => {
    const dir = project({ '.env': `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\nOPENAI_API_KEY=${fakeKey('openai', 'rejected')}\nXAI_API_KEY=${fakeKey('xai', 'valid')}\n`, '.gitignore': '.env\n' }, { git: true });
    const before = server.requests.length;
    const run = await doctor(['--no-verify', '--provider', 'xai', '--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.requests.length, before);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.providers, ['xai']);
    assert.equal(report.sections.find((section: { id: string }) => section.id === 'live').checks[0].title, 'The xAI key was not checked with xAI (the live check is off).');
  });

  it('reads the environment before .env, as Crucible does', async () => {
    const dir = project({ '.env': `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\n`, '.gitignore': '.env\n' }, { git: true });
    const run = await doctor(['--no-verify', '--json'], dir, { API_KEY_ENCRYPTION_KEY: 'default-dev-key-32-bytes-long!!' });
    assert.equal(run.code, 1);
    const project_ = JSON.parse(run.stdout).sections.find((section: { id: string }) => section.id === 'project');
    assert.match(project_.checks.find((check: { id: string }) => check.id === 'project.passphrase').title, /development default/);
  });

  it('exits 4 for a .env it cannot read safely, and 2 for bad usage, each with one line', async () => {
    const dir = project({});
    execFileSync('mkfifo', [path.join(dir, 'pipe.env')]);
    const fifo = await doctor(['--env-file', 'pipe.env'], dir);
    assert.equal(fifo.code, 4);
    assert.match(fifo.stderr, /^crucible-keys: .*pipe\.env is a named pipe \(FIFO\), not a regular file/);
    assert.equal(fifo.stdout, '');
    for (const args of [['--bogus'], ['extra'], ['--provider', 'nope'], ['--base-url', 'openai'], ['--timeout', 'soon'], ['--env-file', 'a', '--dotenv', 'b']]) {
      const run = await doctor(args, dir);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
    }
    writeFileSync(path.join(dir, '.env'), '');
    const help = await spawnCli(['doctor', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /doctor {26}Diagnose keys/);
  });
});
