// Is a .env file kept out of git? Asks git itself (check-ignore, ls-files) about the real file behind any symlink.
// Every git call runs without a shell, with a timeout, with GIT_OPTIONAL_LOCKS=0 and with core.fsmonitor turned off,
// so a hostile repository's .git/config cannot make it run a command.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { inspectEnvTarget } from './env/target';

export type GitState = 'ignored' | 'not_ignored' | 'tracked' | 'not_a_repo' | 'git_missing' | 'unknown';

export interface GitSafety {
  state: GitState;
  /** True when the file is tracked by git (its content is, or will be, committed). */
  tracked: boolean;
  /** True when an ignore rule matches it (which does not help a tracked file). */
  ignored: boolean;
  repoRoot?: string;
  /** The exact line to add to the repository's root .gitignore, when one would help. */
  gitignoreLine?: string;
  /** The command that stops tracking a tracked file while keeping it on disk. */
  untrackCommand?: string;
  message: string;
}

const GIT_TIMEOUT_MS = 5000;

interface GitResult { code: number | 'missing' | 'timeout'; stdout: string }

/** Options put before every git command: a repository's config must never start a program (fsmonitor hook). */
export const SAFE_GIT_OPTIONS = ['-c', 'core.fsmonitor=false'] as const;

function git(args: string[], cwd: string, timeoutMs: number): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', [...SAFE_GIT_OPTIONS, ...args], { cwd, timeout: timeoutMs, windowsHide: true, shell: false, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } }, (error, stdout) => {
      if (!error) return resolve({ code: 0, stdout });
      const failure = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
      if (failure.code === 'ENOENT') return resolve({ code: 'missing', stdout: '' });
      if (failure.killed) return resolve({ code: 'timeout', stdout: '' });
      resolve({ code: typeof failure.code === 'number' ? failure.code : 1, stdout });
    });
  });
}

/** The file whose contents the secrets land in: symlinks resolved, even a dangling one's missing target. */
async function realTarget(envPath: string): Promise<string> {
  const info = await inspectEnvTarget(envPath);
  if (info.kind === 'dangling-symlink' && info.danglingTarget) return info.danglingTarget;
  return info.kind === 'missing-folder' || info.kind === 'not-a-folder' ? info.requestedPath : info.realPath;
}

/**
 * Reports whether the file behind `envPath` (symlinks resolved: a link named .env to a tracked config.txt is
 * "tracked") is git-ignored and whether it is tracked, with the fix for each problem.
 */
export async function checkGitSafety(envPath: string, timeoutMs = GIT_TIMEOUT_MS): Promise<GitSafety> {
  const absolute = await realTarget(envPath);
  const folder = await existingFolder(path.dirname(absolute));
  const top = await git(['rev-parse', '--show-toplevel'], folder, timeoutMs);
  if (top.code === 'missing') return { state: 'git_missing', tracked: false, ignored: false, message: 'git is not installed, so whether the file is ignored could not be checked.' };
  if (top.code === 'timeout') return { state: 'unknown', tracked: false, ignored: false, message: 'git did not answer in time, so whether the file is ignored is unknown.' };
  if (top.code !== 0) return { state: 'not_a_repo', tracked: false, ignored: false, message: 'The file is not inside a git repository.' };
  const repoRoot = await fs.realpath(top.stdout.trim());
  const realFolder = await fs.realpath(folder);
  // The .env (and even its folder) may not exist yet: resolve the part that does, then add the rest back.
  const missingPart = path.relative(folder, absolute);
  const relative = path.relative(repoRoot, path.join(realFolder, missingPart)).split(path.sep).join('/');

  const [tracked, ignored] = await Promise.all([
    git(['ls-files', '--error-unmatch', '--', relative], repoRoot, timeoutMs),
    // --no-index: report the ignore rules even for a tracked file.
    git(['check-ignore', '-q', '--no-index', '--', relative], repoRoot, timeoutMs),
  ]);
  if (tracked.code === 'timeout' || ignored.code === 'timeout') return { state: 'unknown', tracked: false, ignored: false, repoRoot, message: 'git did not answer in time, so whether the file is ignored is unknown.' };
  const isTracked = tracked.code === 0;
  const isIgnored = ignored.code === 0;
  const gitignoreLine = isIgnored ? undefined : gitignorePattern(relative);
  if (isTracked) {
    return {
      state: 'tracked', tracked: true, ignored: isIgnored, repoRoot, gitignoreLine,
      untrackCommand: `git rm --cached -- ${relative}`,
      message: `${relative} is tracked by git, so its secrets are committed; run "git rm --cached -- ${relative}"${gitignoreLine ? ` and add "${gitignoreLine}" to .gitignore` : ''}.`,
    };
  }
  if (!isIgnored) {
    return { state: 'not_ignored', tracked: false, ignored: false, repoRoot, gitignoreLine, message: `${relative} is not ignored by git${gitignoreLine ? `; add "${gitignoreLine}" to .gitignore` : ', and its name cannot be written in .gitignore'}.` };
  }
  return { state: 'ignored', tracked: false, ignored: true, repoRoot, message: `${relative} is ignored by git.` };
}

async function existingFolder(folder: string): Promise<string> {
  let current = folder;
  for (;;) {
    try {
      if ((await fs.stat(current)).isDirectory()) return current;
    } catch {
      // climb until a folder exists, so a not-yet-created .env can still be checked
    }
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Stops git tracking a file (git rm --cached), leaving it on disk; the removal lands in the next commit. */
export async function stopTracking(repoRoot: string, relative: string, timeoutMs = GIT_TIMEOUT_MS): Promise<void> {
  const result = await git(['rm', '--cached', '--quiet', '--', relative], repoRoot, timeoutMs);
  if (result.code !== 0) throw new Error(`git could not stop tracking ${relative}${result.code === 'timeout' ? ' in time' : ''}.`);
}

/**
 * The .gitignore line that ignores exactly `relative` (a path from the repository root): anchored with "/" (so a
 * leading "#" or "!" is no comment or negation), with the glob characters and trailing spaces escaped, as git reads
 * them. Undefined for a path no .gitignore line can name (a line break in it).
 */
export function gitignorePattern(relative: string): string | undefined {
  if (/[\r\n]/.test(relative)) return undefined;
  const escaped = relative.replace(/[\\*?[]/g, (char) => `\\${char}`).replace(/ +$/, (spaces) => spaces.replace(/ /g, '\\ '));
  return `/${escaped}`;
}

/** Appends a line to the repository's root .gitignore (atomically, keeping its end-of-line style), once. */
export async function addToGitignore(repoRoot: string, line: string): Promise<boolean> {
  const file = path.join(repoRoot, '.gitignore');
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const lines = text.split(/\r?\n/);
  if (lines.includes(line)) return false;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text.length > 0 && !text.endsWith('\n') ? eol : '';
  await writeFileAtomic(file, `${text}${separator}${line}${eol}`, { encoding: 'utf8' });
  return true;
}
