import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EnvFileError, readEnvFile, updateEnvFile } from '../../src/core/envFile';
import { addToGitignore, checkGitSafety, stopTracking } from '../../src/core/gitSafety';
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
    assert.equal(notIgnored.gitignoreLine, '.env');
    const nested = await checkGitSafety(path.join(repo, 'service', '.env'));
    assert.equal(nested.gitignoreLine, 'service/.env');

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
    assert.equal(future.gitignoreLine, 'new-folder/secrets.env');

    await stopTracking(repo, 'service/.env');
    assert.equal((await checkGitSafety(path.join(repo, 'service', '.env'))).state, 'ignored');
    assert.equal(readFileSync(path.join(repo, 'service', '.env'), 'utf8'), 'A=1\n', 'the file stays on disk');
    await assert.rejects(stopTracking(repo, 'service/.env'), /could not stop tracking service\/\.env/);

    const outside = await checkGitSafety(path.join(tempDir(), '.env'));
    assert.equal(outside.state, 'not_a_repo');
  });

  it('keeps .gitignore line endings and a missing final newline', async () => {
    const repo = tempDir();
    writeFileSync(path.join(repo, '.gitignore'), 'node_modules\r\ndist');
    await addToGitignore(repo, '.env');
    assert.equal(readFileSync(path.join(repo, '.gitignore'), 'utf8'), 'node_modules\r\ndist\r\n.env\r\n');
  });
});
