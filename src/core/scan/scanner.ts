// The leak scan: lists what git would commit (or walks a plain folder), reads it, and searches it for the user's own
// keys and for catalog key shapes. No network; cancellable through an AbortSignal; progress through a callback.
// This module is the entry of the lazily loaded dist/scanner.js.
import * as path from 'node:path';
import type { ProviderInfo } from '../catalog';
import { InputError } from '../errors';
import { SecretMatcher } from './matcher';
import { findRepository, type GitOptions } from './git';
import { DEFAULT_MAX_FILE_BYTES, gitWorktreeFiles, readHistory, readStaged, readWorktree, requireFolder, walkFiles, type ScanDocument, type SourceSink } from './sources';
import { LineLocator } from './text';
import type { Finding, KnownSecret, ScanProgress, ScanResult, SkippedFile } from './types';

export interface ScanOptions {
  /** The folder to scan. */
  root: string;
  /** False in an untrusted workspace: no git command runs, and the scan is refused. */
  gitAllowed: boolean;
  /** Providers whose key shapes to look for (the catalog, custom providers included). */
  providers: readonly ProviderInfo[];
  /** The user's own values, searched for exactly. */
  known?: readonly KnownSecret[];
  /** The working tree: files git would commit, or every file when `root` is not in a repository. Default true. */
  worktree?: boolean;
  /** The staged blobs (needs a repository). */
  staged?: boolean;
  /** Also the lines added by the last N commits on HEAD. */
  commits?: number;
  /** Outside a repository, skip `staged` and `commits` instead of refusing them. */
  lenient?: boolean;
  maxFileBytes?: number;
  /** Absolute paths a directory walk leaves out (the .env the known values came from). */
  exclude?: readonly string[];
  gitTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

export { SecretMatcher } from './matcher';
export type { Finding, KnownSecret, ScanProgress, ScanResult } from './types';

/** Scans `root`; throws FileError when it cannot be read or listed, and the signal's reason when cancelled. */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(options.root);
  const { signal } = options;
  await requireFolder(root);
  const git: GitOptions = { cwd: root, gitAllowed: options.gitAllowed, timeoutMs: options.gitTimeoutMs, signal };
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const matcher = new SecretMatcher(options.providers, options.known ?? []);
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  let scanned = 0;
  const sink: SourceSink = {
    document(document) {
      scanned++;
      findings.push(...locate(document, matcher));
    },
    skip(entry) {
      skipped.push(entry);
    },
  };
  const progress = (phase: ScanProgress['phase'], total?: number) => {
    let done = 0;
    options.onProgress?.({ done, total, phase });
    return () => options.onProgress?.({ done: ++done, total, phase });
  };

  progress('listing');
  const repository = await findRepository(git);
  const wantsGit = options.staged || (options.commits ?? 0) > 0;
  if (!repository.repo && wantsGit && !options.lenient) throw new InputError(`${root} is not in a git repository, so there is nothing staged or committed to scan.`);
  let commits = 0;
  if (options.worktree ?? true) {
    const files = repository.repo ? await gitWorktreeFiles(git) : await walkFiles(root, signal, sink);
    const exclude = new Set(repository.repo ? [] : (options.exclude ?? []).map((file) => path.resolve(file)));
    await readWorktree(root, files, { maxFileBytes, signal, exclude, onFile: progress('worktree', files.length) }, sink);
  }
  if (options.staged && repository.repo) await readStaged({ ...git, maxFileBytes, onFile: progress('staged') }, sink);
  if (options.commits && repository.repo) commits = await readHistory({ ...git, count: options.commits, onFile: progress('commit') }, sink);
  signal?.throwIfAborted();
  return { root, mode: repository.repo ? 'git' : 'directory', findings: dedupe(findings), scanned, skipped: skipped.sort(byFile), commits };
}

/** The findings of one document, with lines and columns. */
export function locate(document: ScanDocument, matcher: SecretMatcher): Finding[] {
  const matches = matcher.find(document.text);
  if (matches.length === 0) return [];
  const locator = new LineLocator(document.text);
  return matches.map((match) => {
    const position = locator.locate(match.offset, match.length);
    return {
      file: document.file,
      line: document.lineNumbers?.[position.line - 1] ?? position.line,
      column: position.column,
      length: position.length,
      rule: match.rule,
      ...(match.provider ? { provider: match.provider.id } : {}),
      ...(match.variable ? { variable: match.variable } : {}),
      masked: match.masked,
      owner: match.owner,
      origin: document.origin,
      ...(document.commit ? { commit: document.commit } : {}),
    };
  });
}

function byFile(a: { file: string }, b: { file: string }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** One finding per place: the working tree's copy wins over the same key staged; commits are kept apart. */
function dedupe(findings: Finding[]): Finding[] {
  const rank = { worktree: 0, staged: 1, commit: 2 } as const;
  const sorted = [...findings].sort((a, b) => byFile(a, b) || rank[a.origin] - rank[b.origin] || (a.commit ?? '').localeCompare(b.commit ?? '') || a.line - b.line || a.column - b.column);
  const seen = new Set<string>();
  return sorted.filter((finding) => {
    const key = [finding.file, finding.origin === 'commit' ? finding.commit : '', finding.line, finding.column, finding.rule, finding.masked].join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
