// Attacks on the .env writer and the CLI contract around it: what lies beside the target (the lock file), and input
// Real processes and real files in temp dirs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { EnvFileError, updateEnvFile } from '../../src/core/envFile';
import { ensureBuilt, runCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const KEY = `sk-or-v1-${'0a1b2c3d'.repeat(8)}`;
const linux = process.platform === 'linux';

/** A folder that git knows, with .env ignored, so `env set` writes without a git warning. */
function project(): string {
  const dir = tempDir('attack-writer-');
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(path.join(dir, '.gitignore'), '.env*\n');
  return dir;
}

describe('the lock file beside .env is not a regular file', () => {
  before(ensureBuilt);

  const cases: [string, (lock: string) => void][] = [
    ['a FIFO (reading it would wait for ever)', (lock) => execFileSync('mkfifo', [lock])],
    ['a symbolic link to /dev/zero (reading it never ends)', (lock) => symlinkSync('/dev/zero', lock)],
    ['a folder', (lock) => mkdirSync(lock)],
    ['a dangling symbolic link', (lock) => symlinkSync('/nonexistent/crucible-keys-lock-target', lock)],
  ];
  for (const [what, make] of cases) {
    it(`env set refuses with one sentence on stderr and exit 4 when .env.lock is ${what}; .env is left as it was`, { skip: !linux }, () => {
      const dir = project();
      writeFileSync(path.join(dir, '.env'), 'OTHER=1\n');
      make(path.join(dir, '.env.lock'));
      const run = runCli(['env', 'set', 'openrouter', '--lock-timeout', '1'], { input: KEY, cwd: dir });
      assert.equal(run.code, 4, `exit code; stderr: ${run.stderr}`);
      const lines = run.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], /^crucible-keys: .*\.env\.lock/);
      assert.doesNotMatch(run.stderr, /unexpected error/);
      assert.equal(readFileSync(path.join(dir, '.env'), 'utf8'), 'OTHER=1\n');
      assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY));
    });
  }

  it('a stale lock whose takeover guard cannot be removed ends in the lock timeout (exit 4), not in an endless loop', { skip: !linux }, () => {
    const dir = project();
    writeFileSync(path.join(dir, '.env'), 'OTHER=1\n');
    // A lock left by a writer that died: this host, a pid that cannot be running (above pid_max).
    writeFileSync(path.join(dir, '.env.lock'), `${JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), time: Date.now(), token: 'dead' })}\n`);
    mkdirSync(path.join(dir, '.env.lock.takeover'));
    const run = runCli(['env', 'set', 'openrouter', '--lock-timeout', '0.5'], { input: KEY, cwd: dir });
    assert.equal(run.code, 4, `exit code; stderr: ${run.stderr}`);
    assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
    assert.equal(readFileSync(path.join(dir, '.env'), 'utf8'), 'OTHER=1\n');
  });

  it('updateEnvFile throws the typed EnvFileError for a lock that is a folder, and leaves the folder alone', async () => {
    const dir = tempDir('attack-writer-');
    const file = path.join(dir, '.env');
    writeFileSync(file, 'OTHER=1\n');
    mkdirSync(`${file}.lock`);
    await assert.rejects(updateEnvFile(file, { A: 'b' }, { lockTimeoutMs: 200 }), EnvFileError);
    assert.ok(lstatSync(`${file}.lock`).isDirectory());
    assert.equal(readFileSync(file, 'utf8'), 'OTHER=1\n');
  });
});
