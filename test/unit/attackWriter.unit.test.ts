// Attacks on the .env writer and the CLI contract around it: what lies beside the target (the lock file), and input
// that makes a reader's port slow. Real processes and real files in temp dirs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as npmParse } from 'dotenv';
import { EnvFileError, updateEnvFile } from '../../src/core/envFile';
import { parseComposeDotenv } from '../../src/core/env/composeDotenv';
import { pythonDotenvValues } from '../../src/core/env/pythonDotenv';
import { ensureBuilt, runCli } from '../support/cli';
import { pythonDotenvRead, requirePythonDotenv } from '../support/python';
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

describe('a line of many blanks inside a value is read in linear time by every reader port', () => {
  // Each of these took quadratic time in the python-dotenv or compose port (a trailing-whitespace or inline-comment
  // regex tried from every blank); 2 MB of blanks would have taken hours. The test waits for the edit without a
  // deadline of its own: the test runner's timeout is the only bound.
  const blanks = ' '.repeat(2 * 1024 * 1024);
  const lines = {
    spaces: `A=x${blanks}y`,
    nbsp: `A=x${'\u00a0'.repeat(1024 * 1024)}y`,
    tabsBeforeComment: `A=x${'\t'.repeat(2 * 1024 * 1024)}#c`,
    spacedKey: `A${blanks}B=1`,
  };

  it('each port reads the blank-heavy lines (and a small copy of them) exactly as before', () => {
    // The behaviour kept, on small copies: compared with what the regex versions read.
    const small = ' \t\u00a0 ';
    const samples = [`A=x${small}y`, `A=x${small}#c`, `A=x${small}`, `A=x #a #b`, `A=x#a${small}#b`, `A=${small}`, `A=x${small}y${small}#z${small}`];
    for (const sample of samples) {
      const python = pythonDotenvValues(sample);
      assert.ok(python.has('A'), sample);
      const compose = parseComposeDotenv(sample);
      assert.ok(compose.has('A'), sample);
    }
    assert.equal(pythonDotenvValues(`A=x${small}y`).get('A'), `x${small}y`);
    assert.equal(pythonDotenvValues(`A=x${small}#c`).get('A'), 'x');
    assert.equal(pythonDotenvValues('A=x#a #b').get('A'), 'x#a');
    assert.equal(pythonDotenvValues(`A=x${small}`).get('A'), 'x');
    assert.equal(parseComposeDotenv(`A=x${small}`).get('A')?.value, 'x');
    assert.equal(parseComposeDotenv('A=x #a').get('A')?.value, 'x');
    assert.equal(parseComposeDotenv(`A  \t=1`).get('A')?.value, '1');
  });

  it('the ports agree with the real python-dotenv on blank-heavy values', (t) => {
    const runtime = requirePythonDotenv();
    t.diagnostic(`python-dotenv ${runtime.version}`);
    const dir = tempDir('attack-writer-');
    const texts = ['A=x \t y  \n', 'A=x \u00a0#c\n', 'A=x#a  #b  \n', 'A=  x  \n', 'A=x\u2003\u2003y\u2003\n'];
    const files = texts.map((text, index) => {
      const file = path.join(dir, `blank${index}.env`);
      writeFileSync(file, text);
      return file;
    });
    const real = pythonDotenvRead(runtime, files);
    texts.forEach((text, index) => assert.equal(pythonDotenvValues(text).get('A'), real[index].A, JSON.stringify(text)));
  });

  for (const [name, line] of Object.entries(lines)) {
    it(`sets a variable in a .env whose other line is ${name} (${Math.round(line.length / 1024)} KB), keeping that line`, { timeout: 300_000 }, async () => {
      const dir = tempDir('attack-writer-');
      const file = path.join(dir, '.env');
      writeFileSync(file, `${line}\nKEEP=1\n`);
      const before = npmParse(readFileSync(file));
      await updateEnvFile(file, { OPENROUTER_API_KEY: KEY });
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith(`${line}\nKEEP=1\n`));
      const after = npmParse(text);
      assert.equal(after.OPENROUTER_API_KEY, KEY);
      assert.equal(after.A, before.A);
      assert.ok(!existsSync(`${file}.lock`));
    });
  }
});
