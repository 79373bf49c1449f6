// How the scan runs git: execFile or spawn (never a shell), a timeout on every call, the caller's AbortSignal, and
// options that keep a repository's own configuration from running anything (fsmonitor, external diff, textconv,
// signature checks) or changing the output we parse (quoting, prefixes, relative paths, colour).
import { execFile, spawn } from 'node:child_process';
import { FileError, OperationError } from '../errors';

export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

/** Before the subcommand: no fsmonitor hook (a repository could name any program), paths quoted the standard way. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=true', '-c', 'core.untrackedCache=false'];
/** After a diff or log subcommand: the output we parse, whatever the repository or user configured. */
export const SAFE_DIFF = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--relative', '--src-prefix=a/', '--dst-prefix=b/', '--submodule=short'];

export interface GitOptions {
  cwd: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Refuse to run: the caller is in an untrusted workspace. */
  gitAllowed: boolean;
}

export interface GitOutput { code: number; stdout: Buffer; stderr: string }

function environment(): NodeJS.ProcessEnv {
  // GIT_INDEX_FILE and GIT_DIR pass through on purpose: in a pre-commit hook they name the index being committed.
  return { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

export function refuseUntrusted(options: GitOptions): void {
  if (!options.gitAllowed) throw new OperationError('Crucible Keys runs no git command in Restricted Mode; trust the workspace to scan it for keys.');
}

function gitMissing(): FileError {
  return new FileError('git is not installed, so the files to scan could not be listed.');
}

export function failure(args: readonly string[], reason: string): FileError {
  return new FileError(`git ${args[0]} ${reason}, so the files to scan could not be listed.`);
}

/** Runs git to completion; throws FileError when git is missing or too slow, and the signal's reason when aborted. */
export function runGit(args: readonly string[], options: GitOptions): Promise<GitOutput> {
  refuseUntrusted(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    execFile('git', [...SAFE_CONFIG, ...args], {
      cwd: options.cwd, timeout: timeoutMs, signal: options.signal, windowsHide: true, env: environment(),
      encoding: 'buffer', maxBuffer: 512 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const stderrText = stderr.toString('utf8');
      if (!error) return resolve({ code: 0, stdout, stderr: stderrText });
      if (options.signal?.aborted) return reject(options.signal.reason);
      const problem = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
      if (problem.code === 'ENOENT') return reject(gitMissing());
      if (problem.killed) return reject(failure(args, `did not finish within ${Math.round(timeoutMs / 1000)} s`));
      if (typeof problem.code === 'number') return resolve({ code: problem.code, stdout, stderr: stderrText });
      reject(failure(args, `failed (${firstLine(String(problem.code ?? problem.message))})`));
    });
  });
}

/**
 * Runs git and hands its standard output to `onData` as it comes, writing `input` to its standard input; for output
 * too large to hold (git log -p, cat-file --batch). Resolves with the exit code.
 */
export function streamGit(args: readonly string[], options: GitOptions & { input?: string }, onData: (chunk: Buffer) => void): Promise<{ code: number; stderr: string }> {
  refuseUntrusted(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE_CONFIG, ...args], { cwd: options.cwd, windowsHide: true, env: environment(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let settled = false;
    const finish = (error: unknown, code = 1) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else {
        resolve({ code, stderr });
      }
    };
    const timer = setTimeout(() => finish(failure(args, `did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const abort = () => finish(options.signal?.reason);
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ENOENT' ? gitMissing() : failure(args, `failed (${firstLine(error.message)})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        onData(chunk);
      } catch (error) {
        finish(error);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString('utf8'); });
    child.on('close', (code) => finish(undefined, code ?? 1));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0].replace(/^(fatal|error): /, '');
}

export type RepositoryCheck = { repo: true; top: string } | { repo: false };

/** Whether `folder` is in a git work tree; throws when git refuses it for another reason (such as dubious ownership). */
export async function findRepository(options: GitOptions): Promise<RepositoryCheck> {
  const result = await runGit(['rev-parse', '--show-toplevel'], options);
  if (result.code === 0) return { repo: true, top: result.stdout.toString('utf8').trim() };
  if (/not a git repository/i.test(result.stderr)) return { repo: false };
  throw new FileError(`git will not read ${options.cwd}: ${firstLine(result.stderr)}.`);
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** A path as git prints it in diff headers: C-quoted ("a/sp\303\244ce\n") when unusual, raw otherwise. */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return Buffer.from(text, 'latin1').toString('utf8');
  const bytes: number[] = [];
  for (let index = 1; index < text.length - 1; index++) {
    const char = text[index];
    if (char !== '\\') {
      bytes.push(text.charCodeAt(index) & 0xff);
      continue;
    }
    const next = text[++index];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(text.slice(index, index + 3), 8) & 0xff);
      index += 2;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
