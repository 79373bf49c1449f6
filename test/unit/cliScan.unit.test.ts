// crucible-keys scan, the built bin, on real git repositories in temporary folders: exit codes, --json, --staged,
// --commits, the pre-commit hook, and repositories and files made to trip it up.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PRE_COMMIT_HOOK } from '../../src/core/scan/hook';
import { CLI, ensureBuilt, runCli } from '../support/cli';
import { sampleKeys, Seeded, unprefixedKey } from '../support/leakKeys';
import { tempDir } from '../support/tempDir';

const random = new Seeded(2024);
const SAMPLES = sampleKeys(random);
const keyOf = (prefix: string) => SAMPLES.find((sample) => sample.prefix === prefix)!.key;
const OPENROUTER = keyOf('sk-or-v1-');
const ANTHROPIC = keyOf('sk-ant-api03-');
const GOOGLE = keyOf('AIza');
const OWN = unprefixedKey(random);

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, HOME: cwd } });
}

/** A fresh repository with the given files committed (or only written, for names starting with "?"). */
function repo(files: Record<string, string> = {}): string {
  const dir = tempDir('crucible-keys-scan-');
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'first');
  return dir;
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

function scan(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  return runCli(['scan', ...args], { cwd, env: { HOME: cwd, ...env } });
}

function json(run: { stdout: string }) {
  return JSON.parse(run.stdout) as {
    mode: string; scanned: number; commits: number; knownValues: number;
    findings: { file: string; line: number; column: number; length: number; rule: string; provider?: string; variable?: string; masked: string; origin: string; commit?: string; message: string }[];
    skipped: { file: string; reason: string; origin: string }[];
  };
}

function assertNoKeys(run: { stdout: string; stderr: string }): void {
  for (const key of [OPENROUTER, ANTHROPIC, GOOGLE, OWN]) {
    assert.ok(!run.stdout.includes(key.slice(-16)) && !run.stderr.includes(key.slice(-16)), 'the output holds a key');
  }
}

describe('crucible-keys scan', () => {
  before(ensureBuilt);

  it('exits 0 on a clean repository and 1 when a tracked file holds a key, naming file, line and column with the key masked', () => {
    const clean = repo({ 'src/app.ts': 'export const x = 1;\n' });
    const ok = scan(clean);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'No keys found (1 file scanned).\n');

    const dir = repo({ 'src/app.ts': `// config\nconst key = "${OPENROUTER}";\n`, '.gitignore': 'secret.txt\n', 'secret.txt': `${ANTHROPIC}\n` });
    write(dir, { 'notes.md': `new file, not yet added: ${GOOGLE}` });
    const run = scan(dir);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, 'crucible-keys: 2 keys found.\n', 'one line on stderr, for a hook whose stdout goes nowhere');
    const lines = run.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 2).map((line) => line.split(': ')[0]), [`notes.md:1:${'new file, not yet added: '.length + 1}`, 'src/app.ts:2:14']);
    assert.match(lines[1], /^src\/app\.ts:2:14: key:openrouter: What looks like an OpenRouter key, sk-or-v1-…\w{4}, is in this file; read it from the environment \(ROUNDTABLE_OPENROUTER_API_KEY\) instead\.$/);
    assert.equal(lines[2], '2 keys found in 2 files (3 files scanned).');
    assert.ok(!run.stdout.includes('secret.txt'), 'an ignored file is not scanned');
    assertNoKeys(run);
  });

  it('--json: every finding with its place, rule, provider, variable, mask and message; nothing else on stdout', () => {
    const dir = repo({ 'a.py': `x = 1\nclient = Anthropic(api_key="${ANTHROPIC}")` });
    const run = scan(dir, ['--json']);
    assert.equal(run.code, 1);
    const result = json(run);
    assert.equal(result.mode, 'git');
    assert.equal(result.scanned, 1);
    assert.deepEqual(result.findings.map(({ message: _message, masked: _masked, ...rest }) => rest), [
      { file: 'a.py', line: 2, column: 'client = Anthropic(api_key="'.length + 1, length: ANTHROPIC.length, rule: 'key:anthropic', provider: 'anthropic', variable: 'ANTHROPIC_API_KEY', owner: 'Anthropic', origin: 'worktree' },
    ]);
    assert.equal(result.findings[0].masked, `sk-ant-api03-…${ANTHROPIC.slice(-4)}`);
    assert.match(result.findings[0].message, /^What looks like an Anthropic key, sk-ant-api03-…/);
    assertNoKeys(run);
    const clean = scan(repo(), ['--json']);
    assert.equal(clean.code, 0);
    assert.deepEqual(json(clean).findings, []);
  });

  it('finds the values of provider variables from --env-file and the environment, even without a known prefix', () => {
    const dir = repo({ 'deploy/config.yaml': `gateway_token: ${OWN}\n`, '.gitignore': 'private/\n' });
    write(dir, { 'private/keys.env': `OPENAI_API_KEY=${OWN}\n` });
    const fromFile = scan(dir, ['--env-file', 'private/keys.env', '--json']);
    assert.equal(fromFile.code, 1, fromFile.stderr);
    const result = json(fromFile);
    assert.equal(result.knownValues, 1);
    assert.deepEqual(result.findings.map((finding) => [finding.file, finding.rule, finding.variable, finding.masked]), [['deploy/config.yaml', 'stored-key', 'OPENAI_API_KEY', `…${OWN.slice(-4)}`]]);
    assert.match(result.findings[0].message, /^Your key …\w{4} \(OPENAI_API_KEY in private\/keys\.env\) is in this file/);
    write(dir, { '.gitignore': '' });
    assert.deepEqual(json(scan(dir, ['--env-file', 'private/keys.env', '--json'])).findings.map((finding) => finding.file), ['deploy/config.yaml', 'private/keys.env'], 'the .env is reported once git would commit it');
    write(dir, { '.gitignore': 'private/\n' });

    const fromEnvironment = scan(dir, [], { XAI_API_KEY: OWN });
    assert.equal(fromEnvironment.code, 1);
    assert.match(fromEnvironment.stdout, /deploy\/config\.yaml:1:16: stored-key: Your key …\w{4} \(XAI_API_KEY in the environment\)/);
    assertNoKeys(fromEnvironment);
    assert.equal(scan(dir).code, 0, 'the value alone is no pattern');
  });

  it('reads the folder\'s own .env by default, and reports it when git would commit it', () => {
    const dir = repo({ '.gitignore': '.env\n', 'app.js': `const k = '${OWN}'\n` });
    write(dir, { '.env': `DEEPSEEK_API_KEY=${OWN}\n` });
    assert.match(scan(dir).stdout, /^app\.js:1:12: stored-key: .*\(DEEPSEEK_API_KEY in \.env\)/);
    git(dir, 'add', '-f', '.env');
    assert.match(scan(dir).stdout, /^\.env:1:18: stored-key: /m);
  });

  it('--staged searches only what the next commit holds, as staged (through GIT_INDEX_FILE too)', () => {
    const dir = repo({ 'a.ts': 'export {};\n' });
    write(dir, { 'a.ts': `export const k = "${GOOGLE}";\n` });
    assert.equal(scan(dir, ['--staged']).code, 0, 'a change that is not staged is not in the commit');
    git(dir, 'add', 'a.ts');
    write(dir, { 'a.ts': 'export {};\n' });
    const staged = scan(dir, ['--staged']);
    assert.equal(staged.code, 1, 'the staged blob holds the key though the working tree does not');
    assert.match(staged.stdout, /^a\.ts:1:19 \(staged\): key:google: What looks like a Google Gemini key, AIza…\w{4}, is staged for the next commit/);
    assert.equal(scan(dir).code, 0);
    // A partial commit (git commit FILE) runs hooks with GIT_INDEX_FILE naming a temporary index.
    const other = path.join(dir, '.git', 'other-index');
    const env = { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: other };
    execFileSync('git', ['read-tree', 'HEAD'], { cwd: dir, env });
    assert.equal(runCli(['scan', '--staged'], { cwd: dir, env: { HOME: dir, GIT_INDEX_FILE: other } }).code, 0);
  });

  it('--staged works before the first commit, and lists a staged binary as skipped', () => {
    const dir = tempDir('crucible-keys-scan-');
    git(dir, 'init', '-q');
    write(dir, { 'k.txt': `${OPENROUTER}`, 'img.bin': Buffer.from([0, 1, 2, 3]) });
    git(dir, 'add', '-A');
    const run = scan(dir, ['--staged', '--json']);
    assert.equal(run.code, 1);
    assert.deepEqual(json(run).findings.map((finding) => [finding.file, finding.origin]), [['k.txt', 'staged']]);
    assert.deepEqual(json(run).skipped, [{ file: 'img.bin', reason: 'binary', origin: 'staged' }]);
  });

  it('--commits N searches the lines the last N commits added, with the commit, even after the key was removed', () => {
    const dir = repo({ 'config.js': 'module.exports = {};\n' });
    write(dir, { 'config.js': `module.exports = {\n  key: "${ANTHROPIC}",\n};\n` });
    git(dir, 'commit', '-qam', 'add key');
    const added = git(dir, 'rev-parse', 'HEAD').trim();
    write(dir, { 'config.js': 'module.exports = {};\n' });
    git(dir, 'commit', '-qam', 'remove key');
    assert.equal(scan(dir).code, 0);
    assert.equal(scan(dir, ['--commits', '1']).code, 0, 'the last commit only removed it');
    const run = scan(dir, ['--commits', '2', '--json']);
    assert.equal(run.code, 1);
    assert.deepEqual(json(run).findings.map((finding) => [finding.file, finding.line, finding.column, finding.origin, finding.commit]), [['config.js', 2, 9, 'commit', added]]);
    assert.match(json(run).findings[0].message, new RegExp(`was committed in ${added.slice(0, 12)}; it stays in the history`));
    assert.equal(json(run).commits, 2);
  });

  it('walks a folder that is not a repository: skips node_modules, .git, binaries, files over the size cap (named) and the .env it read', () => {
    const dir = tempDir('crucible-keys-walk-');
    write(dir, {
      'src/a.ts': `const k = "${OPENROUTER}"`, 'node_modules/x/index.js': `"${OPENROUTER}"`, 'logo.png': Buffer.concat([Buffer.from([0x89, 0, 0, 0]), Buffer.from(OPENROUTER)]),
      'big.log': `${'x'.repeat(1024 * 1024)}\n${OPENROUTER}\n`, '.env': `OPENROUTER_API_KEY=${OPENROUTER}\n`,
    });
    const run = scan(dir, ['--max-file-size', '1']);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.stdout.trimEnd().split('\n').map((line) => line.split(': ')[0]), ['src/a.ts:1:12', 'skipped big.log', '1 key found in 1 file (1 file scanned; skipped 1 the .env the known values came from, 1 too large, 1 binary).']);
    assert.match(run.stdout, /^src\/a\.ts:1:12: stored-key: Your key sk-or-v1-…\w{4} \(OPENROUTER_API_KEY in \.env\)/);
    assert.match(run.stdout, /^skipped big\.log: larger than 1 MB$/m);
    assert.equal(json(scan(dir, ['--json'])).mode, 'directory');
    assert.equal(json(scan(dir, ['--json'])).findings.length, 2, 'under the default cap the large file is read');
  });

  it('does not follow symbolic links out of the repository, and quotes file names with newlines or control characters', () => {
    const outside = tempDir('crucible-keys-outside-');
    write(outside, { 'secret.txt': `${OPENROUTER}\n` });
    const dir = repo({ 'a\nb.ts': `"${GOOGLE}"\n`, 'esc\x1b[31m.ts': `"${GOOGLE}"\n` });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
    symlinkSync(outside, path.join(dir, 'linked-folder'));
    git(dir, 'add', '-A');
    const run = scan(dir, ['--json']);
    const result = json(run);
    assert.deepEqual(result.findings.map((finding) => finding.file), ['a\nb.ts', 'esc\x1b[31m.ts']);
    assert.deepEqual(result.skipped.map((skipped) => [skipped.file, skipped.reason]), [['link.txt', 'symlink'], ['linked-folder', 'symlink']]);
    const text = scan(dir);
    assert.match(text.stdout, /^"a\\nb\.ts":1:2: /m);
    assert.match(text.stdout, /^"esc\\u001b\[31m\.ts":1:2: /m);
    assert.ok(!text.stdout.includes('\x1b'), 'no terminal escape reaches the output');
  });

  it('runs none of the programs a hostile repository configures: fsmonitor, external diff, textconv, signature check', () => {
    const dir = repo({ 'a.txt': 'one\n', '.gitattributes': '*.txt diff=evil\n' });
    const marker = path.join(dir, 'ran');
    const script = path.join(dir, '.git', 'evil.sh');
    writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat "$1" 2>/dev/null\nexit 0\n`, { mode: 0o755 });
    for (const [name, value] of [['core.fsmonitor', script], ['diff.external', script], ['diff.evil.textconv', script], ['log.showSignature', 'true'], ['gpg.program', script], ['core.pager', script], ['diff.noprefix', 'true'], ['color.ui', 'always'], ['diff.relative', 'true']]) {
      git(dir, 'config', name, value);
    }
    write(dir, { 'a.txt': `one\n${OPENROUTER}\n` });
    git(dir, 'commit', '-qam', 'key');
    git(dir, 'config', 'commit.gpgSign', 'false');
    write(dir, { 'b.txt': `${GOOGLE}\n` });
    git(dir, 'add', 'b.txt');
    rmSync(marker, { force: true });
    for (const args of [[], ['--staged'], ['--commits', '5']]) {
      const run = scan(dir, [...args, '--json']);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(json(run).findings.length >= 1);
    }
    assert.deepEqual(json(scan(dir, ['--commits', '5', '--json'])).findings.filter((finding) => finding.origin === 'commit').map((finding) => [finding.file, finding.line]), [['a.txt', 2]]);
    assert.equal(existsSync(marker), false, 'a configured program ran');
    // The control: the same repository does run them for plain git commands.
    spawnSync('git', ['status'], { cwd: dir, env: { ...process.env, ...GIT_ENV, HOME: dir } });
    assert.equal(existsSync(marker), true, 'git status did not run the fsmonitor hook, so the check above proves nothing');
  });

  it('exits 2 for bad usage and 4 for a folder or .env that cannot be read', () => {
    const dir = repo();
    const usage: string[][] = [['--nope'], ['a', 'b'], ['--commits', 'x'], ['--commits', '0'], ['--max-file-size', '-1'], ['--force'], ['--install-hook', '--staged']];
    for (const args of usage) {
      const run = scan(dir, args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^crucible-keys: [^\n]+\n$/);
    }
    const walk = tempDir('crucible-keys-walk-');
    const notRepo = scan(walk, ['--staged']);
    assert.equal(notRepo.code, 2);
    assert.equal(notRepo.stderr, `crucible-keys: ${walk} is not in a git repository, so there is nothing staged or committed to scan.\n`);
    const missing = scan(dir, ['no-such-folder']);
    assert.equal(missing.code, 4);
    assert.equal(missing.stderr, `crucible-keys: ${path.join(dir, 'no-such-folder')} does not exist.\n`);
    const noEnv = scan(dir, ['--env-file', 'missing.env']);
    assert.equal(noEnv.code, 4);
    assert.equal(noEnv.stderr, `crucible-keys: ${path.join(dir, 'missing.env')} does not exist.\n`);
    const help = scan(dir, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /scan \[PATH\]/);
  });

  it('--install-hook writes an executable pre-commit hook that refuses a commit with a staged key', () => {
    const dir = repo({ 'a.ts': 'export {};\n' });
    const installed = scan(dir, ['--install-hook']);
    assert.equal(installed.code, 0, installed.stderr);
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    assert.equal(installed.stdout, `Installed ${hook}: every commit now runs "crucible-keys scan --staged".\n`);
    assert.equal(readFileSync(hook, 'utf8'), PRE_COMMIT_HOOK);
    assert.equal(statSync(hook).mode & 0o777, 0o755);
    assert.equal(scan(dir, ['--install-hook']).stdout, `${hook} is already the crucible-keys hook.\n`);

    const bin = tempDir('crucible-keys-bin-');
    symlinkSync(CLI, path.join(bin, 'crucible-keys'));
    const commit = (message: string, extraPath = true) => spawnSync('git', ['commit', '-qm', message], {
      cwd: dir, encoding: 'utf8', env: { ...GIT_ENV, HOME: dir, PATH: extraPath ? `${bin}${path.delimiter}${process.env.PATH}` : path.dirname(process.execPath) + path.delimiter + '/usr/bin:/bin' },
    });
    write(dir, { 'a.ts': `export const key = "${OPENROUTER}";\n` });
    git(dir, 'add', 'a.ts');
    const refused = commit('with a key');
    assert.equal(refused.status, 1);
    // git sends a hook's standard output to its standard error.
    assert.match(refused.stderr, /^a\.ts:1:21 \(staged\): key:openrouter: /m);
    assert.ok(!refused.stdout.includes(OPENROUTER) && !refused.stderr.includes(OPENROUTER));
    const unreachable = commit('without the tool on PATH', false);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /crucible-keys is not on PATH/);
    write(dir, { 'a.ts': 'export const key = process.env.ROUNDTABLE_OPENROUTER_API_KEY;\n' });
    git(dir, 'add', 'a.ts');
    const accepted = commit('clean');
    assert.equal(accepted.status, 0, accepted.stderr + accepted.stdout);
  });

  it('--install-hook never replaces another hook without --force, and follows core.hooksPath', () => {
    const dir = repo();
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\nnpm test\n', { mode: 0o755 });
    const refused = scan(dir, ['--install-hook']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `crucible-keys: A pre-commit hook already exists at ${hook}; pass --force to replace it, or call "crucible-keys scan --staged" from it.\n`);
    assert.equal(readFileSync(hook, 'utf8'), '#!/bin/sh\nnpm test\n');
    const forced = scan(dir, ['--install-hook', '--force']);
    assert.equal(forced.code, 0);
    assert.equal(forced.stdout, `Replaced ${hook}: every commit now runs "crucible-keys scan --staged".\n`);
    assert.equal(readFileSync(hook, 'utf8'), PRE_COMMIT_HOOK);

    const other = repo();
    git(other, 'config', 'core.hooksPath', 'githooks');
    assert.equal(scan(other, ['--install-hook']).code, 0);
    assert.equal(readFileSync(path.join(other, 'githooks', 'pre-commit'), 'utf8'), PRE_COMMIT_HOOK);
    const notRepo = scan(tempDir('crucible-keys-walk-'), ['--install-hook']);
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.stderr, /is not in a git repository, so there is no pre-commit hook to install\.\n$/);
  });
});
