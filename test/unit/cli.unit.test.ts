import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Fernet, generateFernetKey } from '../../src/core/fernet';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE } from '../../src/core/passphrase';
import { ensureBuilt, runCli } from '../support/cli';
import { python, PY_CRUCIBLE, requirePythonCryptography } from '../support/python';
import { tempDir } from '../support/tempDir';

const PASSPHRASE = 'Zt3q8v1yQk2w9m0pXc4b7n5r6s1a2d3f4g5h6j7k8l9';
const KEY = 'sk-or-v1-' + 'f00d'.repeat(16);

describe('crucible-keys CLI (the built bin)', () => {
  before(ensureBuilt);

  it('is an executable bin whose shebang ends Node\'s own option parsing', () => {
    const file = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    assert.ok(statSync(file).mode & 0o111);
    assert.equal(readFileSync(file, 'utf8').split('\n')[0], '#!/usr/bin/env -S node --');
  });

  it('gen-key prints a 43-character Crucible-style passphrase', () => {
    const run = runCli(['gen-key']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^[A-Za-z0-9_-]{43}\n$/);
  });

  it('encrypt then decrypt round-trips, dropping one trailing newline, and Crucible reads the token', () => {
    requirePythonCryptography();
    const env = { API_KEY_ENCRYPTION_KEY: PASSPHRASE };
    const encrypted = runCli(['encrypt'], { input: `${KEY}\n`, env });
    assert.equal(encrypted.code, 0, encrypted.stderr);
    const token = encrypted.stdout.trim();
    assert.ok(!encrypted.stdout.includes(KEY));
    const decrypted = runCli(['decrypt'], { input: `${token}\n`, env });
    assert.equal(decrypted.stdout, `${KEY}\n`);
    assert.equal(python<string>(`${PY_CRUCIBLE}\nprint(json.dumps(crucible_fernet(req["p"]).decrypt(req["t"].encode()).decode()))`, { p: PASSPHRASE, t: token }), KEY);
  });

  it('takes the passphrase from --env-file, even when that file is new to Node (no exit 9)', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'crucible.env'), `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\n`);
    const token = runCli(['encrypt', '--env-file', 'crucible.env'], { input: 'secret', cwd: dir }).stdout.trim();
    assert.equal(runCli(['decrypt'], { input: token, env: { API_KEY_ENCRYPTION_KEY: PASSPHRASE } }).stdout, 'secret\n');
  });

  it('takes a raw Fernet key with --fernet-key', () => {
    const key = generateFernetKey();
    const run = runCli(['encrypt', `--fernet-key=${key}`], { input: 'raw' });
    assert.equal(new Fernet(key).decrypt(run.stdout.trim()), 'raw');
    const dashed = runCli(['encrypt', '--fernet-key', '-' + key.slice(1)], { input: 'raw' });
    assert.equal(dashed.code, 2);
    assert.equal(dashed.stderr, 'crucible-keys: The value of --fernet-key starts with "-"; write it as --fernet-key=VALUE.\n');
    const bad = runCli(['encrypt', '--fernet-key', 'nope'], { input: 'raw' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Fernet key must be 32 bytes/);
  });

  it('exits 2 naming both options when no key is given, and never falls back silently to the dev default', () => {
    const run = runCli(['encrypt'], { input: 'x' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /API_KEY_ENCRYPTION_KEY.*--env-file.*--fernet-key/);
    assert.equal(run.stdout, '');
    const explicit = runCli(['encrypt', '--crucible-dev-default'], { input: 'x' });
    assert.equal(explicit.code, 0);
    assert.match(explicit.stderr, /warning: using Crucible's public development passphrase/);
    assert.equal(runCli(['decrypt'], { input: explicit.stdout, env: { API_KEY_ENCRYPTION_KEY: CRUCIBLE_DEV_DEFAULT_PASSPHRASE } }).stdout, 'x\n');
  });

  it('decrypt prints only "invalid token" and exits 1 on any failure', () => {
    const env = { API_KEY_ENCRYPTION_KEY: PASSPHRASE };
    for (const input of ['garbage', runCli(['encrypt'], { input: 'x', env: { API_KEY_ENCRYPTION_KEY: 'another-passphrase-of-sufficient-length!' } }).stdout]) {
      const run = runCli(['decrypt'], { input, env });
      assert.equal(run.code, 1);
      assert.equal(run.stderr, 'invalid token\n');
      assert.equal(run.stdout, '');
    }
  });

  it('decrypt --ttl checks age against --at, in ISO-8601 or Unix seconds', () => {
    const key = generateFernetKey();
    const token = new Fernet(key).encrypt('aged', { atSeconds: 1_800_000_000 });
    const ok = runCli(['decrypt', `--fernet-key=${key}`, '--ttl', '60', '--at', '1800000030'], { input: token });
    assert.equal(ok.stdout, 'aged\n');
    const iso = runCli(['decrypt', `--fernet-key=${key}`, '--ttl', '60', '--at', new Date(1_800_000_030_000).toISOString()], { input: token });
    assert.equal(iso.stdout, 'aged\n');
    const expired = runCli(['decrypt', `--fernet-key=${key}`, '--ttl', '60', '--at', '1800000061'], { input: token });
    assert.equal(expired.code, 1);
    assert.equal(expired.stderr, 'invalid token\n');
    const badTime = runCli(['decrypt', `--fernet-key=${key}`, '--ttl', '60', '--at', 'yesterday'], { input: token });
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /--at takes an ISO-8601 time that exists, or Unix seconds/);
  });

  it('env set creates a new .env (0600) through the bin and keeps an existing one intact', () => {
    const dir = tempDir();
    const file = path.join(dir, 'fresh.env');
    const created = runCli(['env', 'set', 'openrouter', '--env-file', file], { input: `${KEY}\n` });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(readFileSync(file, 'utf8'), `# >>> Crucible Keys >>>\nROUNDTABLE_OPENROUTER_API_KEY=${KEY}\n# <<< Crucible Keys <<<\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!created.stdout.includes(KEY) && !created.stderr.includes(KEY));
    assert.match(created.stdout, /added ROUNDTABLE_OPENROUTER_API_KEY .*sk-or-v1-…f00d/);

    writeFileSync(file, '# mine\r\nOPENROUTER_API_KEY=old # stale alias\r\nROUNDTABLE_OPENROUTER_API_KEY=\r\n');
    const updated = runCli(['env', 'set', 'openrouter', '--env-file', file], { input: KEY });
    assert.equal(updated.code, 0);
    assert.equal(readFileSync(file, 'utf8'), `# mine\r\nOPENROUTER_API_KEY=${KEY} # stale alias\r\nROUNDTABLE_OPENROUTER_API_KEY=${KEY}\r\n`);
  });

  it('env set warns about a key that looks like another provider\'s, and refuses an unusable one', () => {
    const dir = tempDir();
    const warned = runCli(['env', 'set', 'openai', '--env-file', path.join(dir, '.env')], { input: KEY });
    assert.equal(warned.code, 0);
    assert.match(warned.stderr, /looks like an OpenRouter key/);
    const bad = runCli(['env', 'set', 'openai', '--env-file', path.join(dir, '.env')], { input: 'sk-abc def' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^crucible-keys: The key has a space or line break inside it/);
    const unknown = runCli(['env', 'set', 'nope'], { input: KEY });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown provider "nope"/);
    const missingDir = runCli(['env', 'set', 'openai', '--env-file', path.join(dir, 'no', '.env')], { input: KEY });
    assert.equal(missingDir.code, 4);
  });

  it('env check exits 1 for an unignored .env or a weak passphrase, and 0 when all is well', () => {
    const repo = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(path.join(repo, '.env'), `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\nROUNDTABLE_OPENROUTER_API_KEY=${KEY}\n`);
    const unignored = runCli(['env', 'check'], { cwd: repo });
    assert.equal(unignored.code, 1);
    assert.match(unignored.stdout, /add "\/\.env" to \.gitignore/);
    assert.ok(!unignored.stdout.includes(KEY) && !unignored.stdout.includes(PASSPHRASE));
    writeFileSync(path.join(repo, '.gitignore'), '.env\n');
    const good = runCli(['env', 'check', '--json'], { cwd: repo });
    assert.equal(good.code, 0, good.stdout);
    const report = JSON.parse(good.stdout);
    assert.deepEqual([report.git.state, report.encryptionKey.verdict, report.keys[0].masked], ['ignored', 'ok', 'sk-or-v1-…f00d']);
    writeFileSync(path.join(repo, '.env'), `API_KEY_ENCRYPTION_KEY=${CRUCIBLE_DEV_DEFAULT_PASSPHRASE}\n`);
    const weak = runCli(['env', 'check'], { cwd: repo });
    assert.equal(weak.code, 1);
    assert.match(weak.stdout, /development default/);
  });

  it('answers bad usage with one line and exit 2', () => {
    for (const args of [['frobnicate'], ['encrypt', '--nope'], ['env'], ['gen-key', 'extra'], ['decrypt', '--ttl', 'soon']]) {
      const run = runCli(args, { env: { API_KEY_ENCRYPTION_KEY: PASSPHRASE } });
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
    assert.equal(runCli(['--help']).code, 0);
    const version = runCli(['--version']);
    assert.equal(version.stdout, `${JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version}\n`);
  });
});
