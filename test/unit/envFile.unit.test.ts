import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EnvFileError, EnvLockTimeoutError, EnvTargetNeedsConsentError, inspectEnvTarget, readEnvFile, updateEnvFile } from '../../src/core/envFile';
import { addToGitignore, checkGitSafety, stopTracking } from '../../src/core/gitSafety';
import { REPO_ROOT } from '../support/cli';
import { tempDir } from '../support/tempDir';

describe('.env files on disk', () => {
  it('creates a new file with mode 0600', async () => {
    const file = path.join(tempDir(), '.env');
    const result = await updateEnvFile(file, { OPENAI_API_KEY: 'sk-x' });
    assert.equal(result.created, true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /OPENAI_API_KEY=sk-x/);
  });

  it('keeps the mode of an existing file and leaves no temp files behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env');
    writeFileSync(file, 'A=1\n');
    chmodSync(file, 0o640);
    await updateEnvFile(file, { A: '2' });
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.equal(readFileSync(file, 'utf8'), 'A=2\n');
    assert.deepEqual(readdirSync(dir), ['.env']);
  });

  it('replaces the file atomically: a reader holding the old inode still sees the old content', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\n');
    const inode = statSync(file).ino;
    await updateEnvFile(file, { A: '2' });
    assert.notEqual(statSync(file).ino, inode);
  });

  it('does not touch the file when nothing changes', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A="1"\n');
    const before = statSync(file);
    const result = await updateEnvFile(file, { A: '1' });
    assert.equal(result.changed, false);
    assert.equal(statSync(file).ino, before.ino);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
  });

  it('makes a text edit and the variables in one locked write: a comment line alone is written, a refused write changes neither', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\n');
    const comment = (text: string) => `# kept: A was 1\n${text}`;
    const result = await updateEnvFile(file, { A: '1' }, { beforeEdit: comment });
    assert.equal(result.changed, true, 'the edit alone is a change');
    assert.equal(readFileSync(file, 'utf8'), '# kept: A was 1\nA=1\n');
    writeFileSync(file, 'A=1\n');
    chmodSync(file, 0o400);
    await assert.rejects(updateEnvFile(file, { A: '2' }, { beforeEdit: comment }), EnvTargetNeedsConsentError);
    assert.equal(readFileSync(file, 'utf8'), 'A=1\n', 'neither the comment nor the value');
  });

  it('refuses character devices, FIFOs, sockets and folders, leaving them as they are and never blocking', async () => {
    const dir = tempDir();
    const device = path.join(dir, 'null.env');
    execFileSync('mknod', [device, 'c', '1', '3']);
    const fifo = path.join(dir, 'fifo.env');
    execFileSync('mkfifo', [fifo]);
    const socket = path.join(dir, 'socket.env');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const folder = path.join(dir, 'folder.env');
    mkdirSync(folder);
    try {
      for (const [file, words, kind] of [[device, 'a character device', 'char-device'], ['/dev/null', 'a character device', 'char-device'], [fifo, 'a named pipe \\(FIFO\\)', 'fifo'], [socket, 'a socket', 'socket'], [folder, 'a folder', 'directory']] as const) {
        await assert.rejects(updateEnvFile(file, { A: 'sk-secret' }), (error: unknown) => error instanceof EnvFileError && new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is ${words}, not a`).test(error.message), file);
        await assert.rejects(readEnvFile(file), EnvFileError, file);
        assert.equal((await inspectEnvTarget(file)).kind, kind);
      }
      assert.ok(statSync(device).isCharacterDevice() && statSync('/dev/null').isCharacterDevice() && statSync(fifo).isFIFO() && lstatSync(socket).isSocket());
      assert.deepEqual(readdirSync(dir).sort(), ['fifo.env', 'folder.env', 'null.env', 'socket.env'], 'no lock or temporary file left');
    } finally {
      server.close();
    }
  });

  it('refuses a dangling symlink, naming the missing target, and does not create it', async () => {
    const dir = tempDir();
    symlinkSync('secrets/real.env', path.join(dir, '.env'));
    const info = await inspectEnvTarget(path.join(dir, '.env'));
    assert.deepEqual([info.kind, info.isSymlink, info.danglingTarget], ['dangling-symlink', true, path.join(dir, 'secrets', 'real.env')]);
    await assert.rejects(updateEnvFile(path.join(dir, '.env'), { A: '1' }), new RegExp(`is a symbolic link to ${path.join(dir, 'secrets', 'real.env')}, which does not exist`));
    assert.deepEqual(readdirSync(dir), ['.env']);
    assert.ok(lstatSync(path.join(dir, '.env')).isSymbolicLink());
  });

  it('refuses a read-only file unless forced, and then keeps its mode', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\n');
    chmodSync(file, 0o444);
    assert.equal((await inspectEnvTarget(file)).readOnly, true);
    await assert.rejects(updateEnvFile(file, { A: '2' }), (error: unknown) => error instanceof EnvTargetNeedsConsentError && error.reason === 'read-only' && /is read-only \(mode 0444\), so it was left untouched\./.test(error.message));
    assert.equal(readFileSync(file, 'utf8'), 'A=1\n');
    await updateEnvFile(file, { A: '2' }, { force: true });
    assert.equal(readFileSync(file, 'utf8'), 'A=2\n');
    assert.equal(statSync(file).mode & 0o777, 0o444);
  });

  it('keeps the owner and group of a file that belongs to another user', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\n');
    chownSync(file, 4321, 8765);
    chmodSync(file, 0o640);
    await updateEnvFile(file, { A: '2' });
    const stat = statSync(file);
    assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o777, readFileSync(file, 'utf8')], [4321, 8765, 0o640, 'A=2\n']);
  });

  it('reads a file through one descriptor: an oversized file is refused before it is read', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, '');
    execFileSync('truncate', ['-s', `${33 * 1024 * 1024}`, file]);
    await assert.rejects(readEnvFile(file), /is larger than 32 MB, which no \.env file is/);
  });

  it('needs consent to write through a symlink that leads outside its folder, and follows it when given', async () => {
    const outside = tempDir();
    const project = tempDir();
    writeFileSync(path.join(outside, 'shared.env'), 'A=1\n');
    symlinkSync(path.join(outside, 'shared.env'), path.join(project, '.env'));
    const info = await inspectEnvTarget(path.join(project, '.env'));
    assert.deepEqual([info.isSymlink, info.realPath, info.outsideFolderOf, info.kind], [true, path.join(outside, 'shared.env'), project, 'regular']);
    await assert.rejects(updateEnvFile(path.join(project, '.env'), { A: '2' }), (error: unknown) => error instanceof EnvTargetNeedsConsentError && error.reason === 'symlink-outside-folder');
    assert.equal(readFileSync(path.join(outside, 'shared.env'), 'utf8'), 'A=1\n');
    const result = await updateEnvFile(path.join(project, '.env'), { A: '2' }, { followSymlink: true });
    assert.equal(result.path, path.join(outside, 'shared.env'));
    assert.equal(readFileSync(path.join(outside, 'shared.env'), 'utf8'), 'A=2\n');
    assert.ok(lstatSync(path.join(project, '.env')).isSymbolicLink());
  });

  it('waits for a live writer\'s lock up to the bound, then fails with nothing written', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\n');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), time: Date.now(), token: 'other' }));
    const started = Date.now();
    await assert.rejects(updateEnvFile(file, { A: '2' }, { lockTimeoutMs: 300 }), (error: unknown) => error instanceof EnvLockTimeoutError && new RegExp(`is being edited by another writer \\(process ${process.pid}, since .*\\) and was still locked after 0\\.3 s`).test(error.message));
    assert.ok(Date.now() - started >= 300);
    assert.equal(readFileSync(file, 'utf8'), 'A=1\n');
    assert.ok(existsSync(`${file}.lock`), 'a live writer\'s lock is never removed');
  });

  it('takes over a lock whose owner died, one older than the stale limit, and an empty one left by a crash', async () => {
    const { hostname } = await import('node:os');
    const dir = tempDir();
    const file = path.join(dir, '.env');
    writeFileSync(file, 'A=1\n');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const locks = [
      JSON.stringify({ pid: dead.pid, host: hostname(), time: Date.now(), token: 'dead' }),
      JSON.stringify({ pid: process.pid, host: 'another-host', time: Date.now() - 60_000, token: 'old' }),
      '',
    ];
    for (const [index, content] of locks.entries()) {
      writeFileSync(`${file}.lock`, content);
      if (content === '') utimesSync(`${file}.lock`, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
      writeFileSync(path.join(dir, `.env.crucible-keys.tmp-left${index}`), 'SECRET=copy\n');
      await updateEnvFile(file, { A: `v${index}` }, { lockTimeoutMs: 2000 });
      assert.equal(readFileSync(file, 'utf8'), `A=v${index}\n`);
      assert.deepEqual(readdirSync(dir), ['.env'], 'the stale lock and the temporary file a crashed writer left are gone');
    }
  });

  it('loses no update when 20 processes write the same file at once, 10 rounds each; the losers wait', async () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, '# shared\n');
    const startAt = Date.now() + 3000;
    const writers = Array.from({ length: 20 }, (_, writer) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'support', 'envWriter.ts'), file, String(writer), '10', String(startAt)], { cwd: REPO_ROOT, env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
      let stderr = '';
      child.stderr.on('data', (data) => (stderr += data));
      child.on('exit', (code) => resolve({ code, stderr }));
    }));
    const results = await Promise.all(writers);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const values = (await readEnvFile(file)).values;
    const missing: string[] = [];
    for (let writer = 0; writer < 20; writer++) {
      for (let round = 1; round <= 10; round++) if (values[`W${writer}_R${round}`] !== `value-${writer}-${round}`) missing.push(`W${writer}_R${round}`);
    }
    assert.deepEqual(missing, [], `${missing.length} of 200 updates lost`);
    assert.deepEqual(readdirSync(path.dirname(file)), ['.env']);
  });

  it('writes through a symlinked .env to its target, keeping the link', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'real.env'), 'A=1\n');
    symlinkSync('real.env', path.join(dir, '.env'));
    await updateEnvFile(path.join(dir, '.env'), { A: '2' });
    assert.equal(readFileSync(path.join(dir, 'real.env'), 'utf8'), 'A=2\n');
    assert.ok(statSync(path.join(dir, '.env')).isFile());
    assert.equal(readdirSync(dir).sort().join(','), '.env,real.env');
  });

  it('refuses binary and non-UTF-8 files and leaves them byte for byte', async () => {
    const dir = tempDir();
    for (const [name, bytes] of [['bin.env', Buffer.from([0x41, 0x3d, 0x00, 0x0a])], ['latin1.env', Buffer.from([0x41, 0x3d, 0xe9, 0x0a])]] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      await assert.rejects(updateEnvFile(file, { A: 'x' }), EnvFileError);
      assert.deepEqual(readFileSync(file), bytes);
    }
  });

  it('explains a missing folder, a folder in place of the file and an unreadable file in one sentence', async () => {
    const dir = tempDir();
    await assert.rejects(updateEnvFile(path.join(dir, 'missing', '.env'), { A: '1' }), /The folder .* does not exist\./);
    mkdirSync(path.join(dir, 'folder.env'));
    await assert.rejects(readEnvFile(path.join(dir, 'folder.env')), /is a folder, not a \.env file\./);
  });
});

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

describe('git safety', () => {
  it('reports ignored, not ignored, tracked and outside a repository, with the exact fix', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    mkdirSync(path.join(repo, 'service'));
    writeFileSync(path.join(repo, '.env'), 'A=1\n');
    writeFileSync(path.join(repo, 'service', '.env'), 'A=1\n');

    const notIgnored = await checkGitSafety(path.join(repo, '.env'));
    assert.equal(notIgnored.state, 'not_ignored');
    assert.equal(notIgnored.gitignoreLine, '/.env');
    const nested = await checkGitSafety(path.join(repo, 'service', '.env'));
    assert.equal(nested.gitignoreLine, '/service/.env');

    assert.equal(await addToGitignore(repo, '.env'), true);
    assert.equal(await addToGitignore(repo, '.env'), false);
    assert.equal((await checkGitSafety(path.join(repo, '.env'))).state, 'ignored');
    assert.equal((await checkGitSafety(path.join(repo, 'service', '.env'))).state, 'ignored');

    git(repo, 'add', '-f', 'service/.env');
    const tracked = await checkGitSafety(path.join(repo, 'service', '.env'));
    assert.equal(tracked.state, 'tracked');
    assert.equal(tracked.ignored, true);
    assert.equal(tracked.untrackCommand, 'git rm --cached -- service/.env');

    assert.equal((await checkGitSafety(path.join(repo, 'new-folder', '.env'))).state, 'ignored');
    const future = await checkGitSafety(path.join(repo, 'new-folder', 'secrets.env'));
    assert.equal(future.state, 'not_ignored');
    assert.equal(future.gitignoreLine, '/new-folder/secrets.env');

    await stopTracking(repo, 'service/.env');
    assert.equal((await checkGitSafety(path.join(repo, 'service', '.env'))).state, 'ignored');
    assert.equal(readFileSync(path.join(repo, 'service', '.env'), 'utf8'), 'A=1\n', 'the file stays on disk');
    await assert.rejects(stopTracking(repo, 'service/.env'), /could not stop tracking service\/\.env/);

    const outside = await checkGitSafety(path.join(tempDir(), '.env'));
    assert.equal(outside.state, 'not_a_repo');
  });

  it('checks the real file behind a symlink: an ignored .env linked to a tracked config.txt is tracked, and writing through it needs consent', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    writeFileSync(path.join(repo, '.gitignore'), '.env\n');
    writeFileSync(path.join(repo, 'config.txt'), 'A=1\n');
    git(repo, 'add', 'config.txt', '.gitignore');
    symlinkSync('config.txt', path.join(repo, '.env'));
    const safety = await checkGitSafety(path.join(repo, '.env'));
    assert.equal(safety.state, 'tracked');
    assert.equal(safety.untrackCommand, 'git rm --cached -- config.txt');
    await assert.rejects(updateEnvFile(path.join(repo, '.env'), { A: 'sk-secret' }), (error: unknown) => error instanceof EnvTargetNeedsConsentError && error.reason === 'symlink-to-tracked-file' && /is a symbolic link to .*config\.txt, which git tracks/.test(error.message));
    assert.equal(readFileSync(path.join(repo, 'config.txt'), 'utf8'), 'A=1\n');
    await updateEnvFile(path.join(repo, '.env'), { A: '2' }, { followSymlink: true });
    assert.equal(readFileSync(path.join(repo, 'config.txt'), 'utf8'), 'A=2\n');
  });

  it('never runs a core.fsmonitor command from a repository\'s config (while plain git ls-files does)', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    writeFileSync(path.join(repo, 'tracked.txt'), 'x\n');
    git(repo, 'add', 'tracked.txt');
    const marker = path.join(repo, 'fsmonitor-ran');
    const hook = path.join(repo, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\necho ran >> '${marker}'\nexit 1\n`);
    chmodSync(hook, 0o755);
    git(repo, 'config', 'core.fsmonitor', hook);
    await checkGitSafety(path.join(repo, '.env'));
    await checkGitSafety(path.join(repo, 'tracked.txt'));
    await stopTracking(repo, 'tracked.txt');
    assert.equal(existsSync(marker), false, 'crucible-keys ran the fsmonitor hook');
    git(repo, 'add', 'tracked.txt');
    execFileSync('git', ['ls-files', '--error-unmatch', '--', 'tracked.txt'], { cwd: repo, stdio: 'ignore' });
    assert.equal(existsSync(marker), true, 'positive control: plain git ls-files runs the hook');
  });

  it('keeps .gitignore line endings and a missing final newline', async () => {
    const repo = tempDir();
    writeFileSync(path.join(repo, '.gitignore'), 'node_modules\r\ndist');
    await addToGitignore(repo, '.env');
    assert.equal(readFileSync(path.join(repo, '.gitignore'), 'utf8'), 'node_modules\r\ndist\r\n.env\r\n');
  });
});
