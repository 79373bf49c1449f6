// The CLI's contract, on the built bin: every failure is exactly one line on stderr with its documented exit code,
// input is refused rather than mangled, secrets stay out of argv, and concurrent or killed writers lose nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { parse } from 'dotenv';
import { Fernet, generateFernetKey } from '../../src/core/fernet';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE } from '../../src/core/passphrase';
import { CLI, ensureBuilt, runCli } from '../support/cli';
import { python, requirePythonCryptography } from '../support/python';
import { tempDir } from '../support/tempDir';

const PASSPHRASE = 'Zt3q8v1yQk2w9m0pXc4b7n5r6s1a2d3f4g5h6j7k8l9';
const KEY = 'sk-or-v1-' + 'f00d'.repeat(16);
const LATIN1 = Buffer.from([0x73, 0x6b, 0x2d, 0xe9, 0x0a]);

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the bin with raw bytes or a file descriptor on stdin (runCli only takes text). */
function runRaw(args: string[], stdin: Buffer | number, env: Record<string, string> = {}, cwd?: string): Run {
  const run = spawnSync(CLI, args, { input: typeof stdin === 'number' ? undefined : stdin, stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env }, cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function assertOneLine(run: Run, code: number, pattern: RegExp, label: string): void {
  assert.equal(run.code, code, `${label}: exit ${run.code}, stderr ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, /^[^\n]+\n$/, `${label}: stderr must be exactly one line, got ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, pattern, label);
  for (const secret of [KEY, PASSPHRASE]) assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), `${label}: a secret was printed`);
}

describe('crucible-keys: the one-line stderr contract', () => {
  before(ensureBuilt);

  it('answers every failure with exactly one line on stderr and its documented exit code', () => {
    const dir = tempDir();
    const fernetKey = generateFernetKey();
    const fifo = path.join(dir, 'fifo.env');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(path.join(dir, 'folder.env'));
    symlinkSync('nowhere/real.env', path.join(dir, 'dangling.env'));
    writeFileSync(path.join(dir, 'readonly.env'), 'A=1\n');
    chmodSync(path.join(dir, 'readonly.env'), 0o444);
    writeFileSync(path.join(dir, 'locked.env'), 'A=1\n');
    // Held by this live process; written again before each row, so it never reaches the stale age (30 s) on a slow
    // machine before the row that expects it to be held.
    const holdLock = () => writeFileSync(path.join(dir, 'locked.env.lock'), JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), token: 't' }));
    writeFileSync(path.join(dir, 'spaced.txt'), ` ${PASSPHRASE}\n`);
    writeFileSync(path.join(dir, 'pass.txt'), `${PASSPHRASE}\n`);
    const env = { API_KEY_ENCRYPTION_KEY: PASSPHRASE };
    const table: [string, string[], string | Buffer, Record<string, string>, number, RegExp][] = [
      ['unknown command', ['frobnicate'], '', {}, 2, /^crucible-keys: Unknown command "frobnicate"/],
      ['unknown option', ['encrypt', '--nope'], 'x', env, 2, /^crucible-keys: Unknown option '--nope'/],
      ['env without a subcommand', ['env'], '', {}, 2, /^crucible-keys: env needs "set PROVIDER" or "check"/],
      ['extra argument', ['gen-key', 'extra'], '', {}, 2, /takes no arguments/],
      ['bad --ttl', ['decrypt', '--ttl', 'soon'], 'x', env, 2, /--ttl takes a whole number of seconds/],
      ['impossible date', ['decrypt', `--fernet-key=${fernetKey}`, '--at', '2023-02-30'], 'x', {}, 2, /--at takes an ISO-8601 time that exists, or Unix seconds; got "2023-02-30"/],
      ['impossible hour', ['decrypt', `--fernet-key=${fernetKey}`, '--at', '2023-02-03T25:00:00Z'], 'x', {}, 2, /--at takes an ISO-8601 time that exists/],
      ['no encryption key', ['encrypt'], 'x', {}, 2, /^crucible-keys: No encryption key: set API_KEY_ENCRYPTION_KEY/],
      ['malformed Fernet key', ['encrypt', '--fernet-key', 'nope'], 'x', {}, 2, /A Fernet key must be 32 bytes of base64 with padding/],
      ['two key sources', ['encrypt', `--fernet-key=${fernetKey}`, '--passphrase-file', 'pass.txt'], 'x', {}, 2, /Give only one key source; got --fernet-key and --passphrase-file/],
      ['passphrase with whitespace in the environment', ['encrypt'], 'x', { API_KEY_ENCRYPTION_KEY: `${PASSPHRASE} ` }, 2, /API_KEY_ENCRYPTION_KEY in the environment starts or ends with whitespace/],
      ['passphrase file with whitespace', ['encrypt', '--passphrase-file', 'spaced.txt'], 'x', {}, 2, /API_KEY_ENCRYPTION_KEY in spaced\.txt starts or ends with whitespace/],
      ['non-UTF-8 plaintext, with a warning pending', ['encrypt', '--crucible-dev-default'], LATIN1, {}, 2, /^crucible-keys: Standard input is not valid UTF-8 \(byte 0xE9 at offset 3\)/],
      ['non-UTF-8 key', ['env', 'set', 'openai', '--dotenv', path.join(dir, 'a.env')], LATIN1, {}, 2, /Standard input is not valid UTF-8/],
      ['key over 1 KB', ['env', 'set', 'openai', '--dotenv', path.join(dir, 'a.env')], 'sk-' + 'a'.repeat(2000), {}, 2, /keys longer than 1024 are refused/],
      ['--env-file and --dotenv', ['env', 'check', '--env-file', 'a', '--dotenv', 'b'], '', {}, 2, /Give --env-file or --dotenv, not both/],
      ['bad --lock-timeout', ['env', 'set', 'openai', '--lock-timeout', 'soon'], KEY, {}, 2, /--lock-timeout takes seconds/],
      ['a character device', ['env', 'set', 'openrouter', '--dotenv', '/dev/null'], KEY, {}, 4, /^crucible-keys: \/dev\/null is a character device, not a regular file/],
      ['a FIFO', ['env', 'set', 'openrouter', '--dotenv', fifo], KEY, {}, 4, /is a named pipe \(FIFO\), not a regular file/],
      ['a folder', ['env', 'set', 'openrouter', '--dotenv', path.join(dir, 'folder.env')], KEY, {}, 4, /folder\.env is a folder, not a \.env file/],
      ['a dangling symlink', ['env', 'set', 'openrouter', '--dotenv', path.join(dir, 'dangling.env')], KEY, {}, 4, /is a symbolic link to .*nowhere\/real\.env, which does not exist/],
      ['a read-only file', ['env', 'set', 'openrouter', '--dotenv', path.join(dir, 'readonly.env')], KEY, {}, 4, /is read-only \(mode 0444\), so it was left untouched; pass --force to write it anyway\.\n/],
      ['a locked file', ['env', 'set', 'openrouter', '--dotenv', path.join(dir, 'locked.env'), '--lock-timeout', '0.2'], KEY, {}, 4, /is being edited by another writer .* still locked after 0\.2 s/],
      ['a missing folder', ['env', 'set', 'openrouter', '--dotenv', path.join(dir, 'no', '.env')], KEY, {}, 4, /The folder .* does not exist\./],
      ['a missing --env-file for the key', ['encrypt', '--env-file', path.join(dir, 'missing.env')], 'x', {}, 4, /missing\.env does not exist\./],
      ['a missing --passphrase-file', ['encrypt', '--passphrase-file', path.join(dir, 'missing.txt')], 'x', {}, 4, /--passphrase-file .*missing\.txt cannot be read \(ENOENT\)/],
      ['an invalid token', ['decrypt'], 'garbage', env, 1, /^invalid token\n/],
    ];
    for (const [label, args, input, extraEnv, code, pattern] of table) {
      holdLock();
      assertOneLine(runRaw(args, Buffer.from(input), extraEnv, dir), code, pattern, label);
    }
    assert.equal(readFileSync(path.join(dir, 'readonly.env'), 'utf8'), 'A=1\n');
    assert.deepEqual(readdirSync(dir).filter((name) => name.includes('crucible-keys.tmp')), []);
  });

  it('refuses a stdin that is a folder, a device or a terminal instead of reading nothing', () => {
    const dir = tempDir();
    for (const [label, fd] of [['folder', openSync(dir, 'r')], ['device', openSync('/dev/null', 'r')]] as const) {
      try {
        assertOneLine(runRaw(['encrypt', '--crucible-dev-default'], fd), 2, new RegExp(`^crucible-keys: Standard input is a ${label}`), label);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('reports a full disk and a closed pipe on stdout in one line (exit 4), never a stack trace', () => {
    assertOneLine(spawnRun('"$CLI" gen-key > /dev/full'), 4, /^crucible-keys: Standard output could not be written \(no space left on the device\)\.\n/, '/dev/full');
    const piped = spawnRun('{ sleep 0.3; "$CLI" gen-key; echo "exit=$?" >&2; } | true');
    assert.match(piped.stderr, /^crucible-keys: Standard output could not be written \(the reader closed the pipe\)\.\nexit=4\n$/);
  });

  it('prints usage on stderr for a bare invocation, and exits 70 with one line for an unexpected error', async () => {
    const bare = runCli([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /^Usage: crucible-keys <command>/);
    let stderr = '';
    const code = await main(['encrypt', '--crucible-dev-default'], { readStdin: () => Promise.reject(new TypeError('boom\nsecond line')), stdout: () => undefined, stderr: (text) => (stderr += text), env: {}, cwd: process.cwd() });
    assert.equal(code, 70);
    assert.equal(stderr, 'crucible-keys: unexpected error: boom\n');
  });
});

function spawnRun(script: string): Run {
  const run = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, CLI }, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('crucible-keys: keys and passphrases', () => {
  before(ensureBuilt);

  it('takes the passphrase from --passphrase-file /dev/fd/3 and a raw key from --fernet-key-file, keeping both out of argv', async () => {
    const token = await new Promise<Run>((resolve) => {
      const child = spawn(CLI, ['encrypt', '--passphrase-file', '/dev/fd/3'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (data) => (stdout += data));
      child.stderr!.on('data', (data) => (stderr += data));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      const secretPipe = child.stdio[3] as unknown as NodeJS.ReadWriteStream;
      secretPipe.on('error', () => undefined); // the child closes its end once it has read the passphrase
      secretPipe.end(`${PASSPHRASE}\n`);
      child.stdin!.end(KEY);
    });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(runCli(['decrypt'], { input: token.stdout, env: { API_KEY_ENCRYPTION_KEY: PASSPHRASE } }).stdout, `${KEY}\n`);

    const dir = tempDir();
    const key = generateFernetKey();
    writeFileSync(path.join(dir, 'fernet.key'), `${key}\n`);
    const viaFile = runCli(['encrypt', '--fernet-key-file', 'fernet.key'], { input: 'raw', cwd: dir });
    assert.equal(new Fernet(key).decrypt(viaFile.stdout.trim()), 'raw');
  });

  it('accepts a standard-alphabet Fernet key, as Python\'s cryptography does', () => {
    requirePythonCryptography();
    let key = generateFernetKey();
    while (!/[-_]/.test(key)) key = generateFernetKey();
    const standard = key.replace(/-/g, '+').replace(/_/g, '/');
    const run = runCli(['encrypt', `--fernet-key=${standard}`], { input: 'std' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(python<string>('import json, sys\nfrom cryptography.fernet import Fernet\nreq = json.load(sys.stdin)\nprint(json.dumps(Fernet(req["k"]).decrypt(req["t"].encode()).decode()))', { k: standard, t: run.stdout.trim() }), 'std');
  });

  it('env check takes the passphrase from the environment before .env, as Crucible does, and flags surrounding whitespace', () => {
    const repo = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(path.join(repo, '.gitignore'), '.env\n');
    writeFileSync(path.join(repo, '.env'), `API_KEY_ENCRYPTION_KEY=${CRUCIBLE_DEV_DEFAULT_PASSPHRASE}\n`);
    const fromEnvironment = runCli(['env', 'check', '--json'], { cwd: repo, env: { API_KEY_ENCRYPTION_KEY: PASSPHRASE } });
    assert.equal(fromEnvironment.code, 0, fromEnvironment.stdout);
    assert.deepEqual(JSON.parse(fromEnvironment.stdout).encryptionKey, { source: 'environment', verdict: 'ok' });
    const fromFile = runCli(['env', 'check', '--json'], { cwd: repo });
    assert.deepEqual([fromFile.code, JSON.parse(fromFile.stdout).encryptionKey], [1, { source: 'env-file', verdict: 'dev_default' }]);
    writeFileSync(path.join(repo, '.env'), `API_KEY_ENCRYPTION_KEY="${PASSPHRASE} "\n`);
    const spaced = runCli(['env', 'check'], { cwd: repo });
    assert.equal(spaced.code, 1);
    assert.match(spaced.stdout, /API_KEY_ENCRYPTION_KEY \(env-file\) starts or ends with whitespace/);
  });
});

describe('crucible-keys env set: files', () => {
  before(ensureBuilt);

  it('works as `node dist/cli.js … --dotenv PATH`, which Node 20 does not take for its own --env-file', () => {
    const file = path.join(tempDir(), 'new.env');
    const run = spawnSync(process.execPath, [CLI, 'env', 'set', 'openai', '--dotenv', file], { input: 'sk-' + 'a'.repeat(40), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(parse(readFileSync(file)).OPENAI_API_KEY, 'sk-' + 'a'.repeat(40));
  });

  it('keeps a byte-order mark with a warning naming the hidden variable, and --strip-bom removes it', () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, '\uFEFFAPI_KEY_ENCRYPTION_KEY=x\n');
    const kept = runCli(['env', 'set', 'openrouter', '--dotenv', file], { input: KEY });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stderr, /warning: The file starts with a byte-order mark, so python-dotenv \(Crucible's backend\) does not see API_KEY_ENCRYPTION_KEY/);
    assert.match(kept.stderr, /warning: --strip-bom removes the byte-order mark\./);
    assert.ok(readFileSync(file, 'utf8').startsWith('\uFEFF'));
    const stripped = runCli(['env', 'set', 'openrouter', '--dotenv', file, '--strip-bom'], { input: KEY });
    assert.equal(stripped.code, 0, stripped.stderr);
    assert.ok(readFileSync(file, 'utf8').startsWith('API_KEY_ENCRYPTION_KEY=x\n'));
  });

  it('loses no variable when one writer per provider runs at once, 10 rounds', async () => {
    const file = path.join(tempDir(), '.env');
    const providers = ['openrouter', 'openai', 'anthropic', 'google', 'deepseek', 'xai', 'eden_ai'];
    const variables = ['ROUNDTABLE_OPENROUTER_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GOOGLE_API_KEY', 'DEEPSEEK_API_KEY', 'XAI_API_KEY', 'ROUNDTABLE_EDEN_AI_API_KEY'];
    const keyFor = (provider: string, round: number) => ({ openrouter: 'sk-or-v1-', openai: 'sk-proj-', anthropic: 'sk-ant-api03-', google: 'AIza', deepseek: 'sk-', xai: 'xai-', eden_ai: 'eyJ' }[provider] + `${round}x`.padEnd(40, 'q'));
    for (let round = 1; round <= 10; round++) {
      const runs = await Promise.all(providers.map((provider) => new Promise<Run>((resolve) => {
        const child = spawn(CLI, ['env', 'set', provider, '--dotenv', file], { env: { PATH: process.env.PATH } });
        let stderr = '';
        child.stderr.on('data', (data) => (stderr += data));
        child.on('exit', (code) => resolve({ code, stdout: '', stderr }));
        child.stdin.end(keyFor(provider, round));
      })));
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const values = parse(readFileSync(file));
      assert.deepEqual(variables.map((name) => values[name]), providers.map((provider) => keyFor(provider, round)), `round ${round}`);
    }
  });

  it('leaves the old file or the new one when killed at any point, and the next write removes what the killed one left', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env');
    const filler = Array.from({ length: 40_000 }, (_, index) => `FILLER_${index}=value-${index}-${'x'.repeat(20)}`).join('\n');
    writeFileSync(file, `${filler}\nOPENAI_API_KEY=sk-start${'0'.repeat(40)}\n`);
    const duration = measure(() => runCli(['env', 'set', 'openai', '--dotenv', file], { input: `sk-warmup${'1'.repeat(40)}` }));
    const seen = { old: 0, new: 0 };
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = readFileSync(file, 'utf8');
      const key = `sk-${String(attempt).padStart(3, '0')}${'k'.repeat(40)}`;
      const child = spawn(CLI, ['env', 'set', 'openai', '--dotenv', file], { env: { PATH: process.env.PATH } });
      child.stdin.end(key);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Kill times spread over one and a half runs: from before the lock to after the rename (the run's own length varies).
      await new Promise((resolve) => setTimeout(resolve, (duration * 1.5 * ((attempt * 37) % 100)) / 100));
      child.kill('SIGKILL');
      await exited;
      const after = readFileSync(file, 'utf8');
      const value = parse(after).OPENAI_API_KEY;
      if (after === before) seen.old++;
      else {
        assert.equal(value, key, `attempt ${attempt}: the file is neither the old one nor the new one`);
        assert.equal(after.length, before.length - parse(before).OPENAI_API_KEY.length + key.length, `attempt ${attempt}: the new file is incomplete`);
        seen.new++;
      }
      const next = runCli(['env', 'set', 'openai', '--dotenv', file], { input: `sk-next${String(attempt).padStart(3, '0')}${'n'.repeat(40)}` });
      assert.equal(next.code, 0, `attempt ${attempt}: ${next.stderr}`);
      assert.deepEqual(readdirSync(dir), ['.env'], `attempt ${attempt}: a lock or temporary file survived the next write`);
    }
    assert.ok(seen.old > 0 && seen.new > 0, `killed only before (${seen.old}) or only after (${seen.new}) the rename; the timing does not cover the write`);
  });
});

function measure(action: () => Run): number {
  const started = Date.now();
  const run = action();
  assert.equal(run.code, 0, run.stderr);
  return Date.now() - started;
}
