// Workspaces to open in the real VS Code: a sample Crucible checkout (npm start, ui) and a multi-root fixture.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './provision.mjs';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Crucible Keys', GIT_AUTHOR_EMAIL: 'keys@example.invalid', GIT_COMMITTER_NAME: 'Crucible Keys', GIT_COMMITTER_EMAIL: 'keys@example.invalid' };

function git(cwd, ...args) {
  execFileSync('git', args, { cwd, stdio: 'ignore', env: GIT_ENV });
}

/** A copy of test/fixtures/crucible-sample as a git repository: .env.example, .gitignore, no real keys. */
export function createSampleWorkspace(dir) {
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'crucible-sample'), dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'sample');
  return dir;
}

/**
 * Two Crucible-like folders in one multi-root workspace: "app" ignores .env and has one with comments and CRLF;
 * "legacy" has its .env tracked by git. Returns the .code-workspace path and the folders.
 */
export function createMultiRootWorkspace(dir) {
  const app = createSampleWorkspace(path.join(dir, 'app'));
  writeFileSync(path.join(app, '.env'), '# Crucible settings\r\nAPI_KEY_ENCRYPTION_KEY=\r\n\r\n# providers\r\nROUNDTABLE_OPENROUTER_API_KEY=  # filled in by Crucible Keys\r\nPOSTGRES_PASSWORD="s3cret # not a comment"\r\n');
  const legacy = path.join(dir, 'legacy');
  mkdirSync(legacy, { recursive: true });
  git(legacy, 'init', '-q');
  writeFileSync(path.join(legacy, '.env'), 'OPENAI_API_KEY=\nDEBUG=true\n');
  git(legacy, 'add', '.env');
  git(legacy, 'commit', '-qm', 'tracked env');
  const workspaceFile = path.join(dir, 'fixture.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: 'app' }, { path: 'legacy' }], settings: {} }, null, 2));
  return { workspaceFile, app, legacy };
}

/**
 * A downloaded folder that attacks whoever opens it: its own .git/config runs a command (writing `marker`) whenever
 * git refreshes its index, through core.fsmonitor. Opened untrusted, nothing may run it.
 */
export function createHostileRepository(dir, marker) {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  writeFileSync(path.join(dir, '.gitignore'), '.env\n');
  writeFileSync(path.join(dir, '.env'), 'API_KEY_ENCRYPTION_KEY=Downloaded-folder-passphrase-0123456789ab\n');
  writeFileSync(path.join(dir, 'README.md'), 'A folder from the internet.\n');
  git(dir, 'add', '.gitignore', 'README.md');
  git(dir, 'commit', '-qm', 'innocent');
  execFileSync('git', ['config', 'core.fsmonitor', `touch ${JSON.stringify(marker)}; false`], { cwd: dir });
  return dir;
}
