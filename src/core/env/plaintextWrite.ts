// The one way plaintext secrets (API keys, a passphrase) reach a .env file, for the extension and the CLI alike.
// Before anything is written, the target is looked at on its real path: where a symlink leads, whether that is
// outside the folder it belongs to, whether it is read-only, and whether git would commit it. Then either a person
// confirms what they see (interactive), or explicit flags allow what needs allowing (the CLI); nothing is written
// otherwise.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { OperationError } from '../errors';
import { type EnvUpdates, type EnvWriteResult, inspectEnvTarget, updateEnvFile } from '../envFile';
import { addToGitignore, checkGitSafety, type GitSafety, stopTracking } from '../gitSafety';
import { EnvFileError, EnvTargetNeedsConsentError } from './envErrors';
import { targetProblem } from './target';

export interface PlaintextWriteRequest {
  /** The file as chosen (it may be a symlink). */
  file: string;
  /** The variables, or a function of the file as read under its lock (to update aliases it already has). */
  updates: EnvUpdates;
  /** The names shown to the person: the variables written, never their values. */
  variables: readonly string[];
  /** The folder the file belongs to (a workspace folder); leaving it through a symlink needs consent. */
  folder?: string;
  /** False in an untrusted workspace: no git process may run there, so git safety is unknown. */
  gitAllowed: boolean;
  /** Passed on to the writer: remove a byte-order mark, wait this long for another writer's lock. */
  stripBom?: boolean;
  lockTimeoutMs?: number;
  /** A text edit made in the same locked write (a dated comment line keeping a replaced passphrase). */
  beforeEdit?: (text: string) => string;
}

/** What a person (or the CLI's flags) must accept before the write. Never contains a value. */
export interface WriteReview {
  file: string;
  realPath: string;
  variables: string[];
  exists: boolean;
  /** Set when `file` is a symlink: where it really leads. */
  symlinkTarget?: string;
  /** True when the real path is outside `folder` (or, for a symlink, outside the link's own folder). */
  outsideFolder: boolean;
  readOnly: boolean;
  /** The permission bits of an existing file. */
  mode?: number;
  git: GitSafety;
  /** One sentence each, in the order to show them. */
  warnings: string[];
}

export type GitFix = 'ignore' | 'untrack';

export type WriteDecision =
  /** A person sees the review and answers: write (after a git fix, if chosen) or not. */
  | { interactive: true; confirm(review: WriteReview): Promise<{ write: boolean; fix?: GitFix }> }
  /** The CLI: what needs consent needs its flag, else the write is refused with one sentence. */
  | { interactive: false; followSymlink: boolean; force: boolean };

export const RESTRICTED_GIT: GitSafety = { state: 'unknown', tracked: false, ignored: false, message: 'git status unknown in Restricted Mode: no git command runs in an untrusted workspace.' };

/** Looks at where `file` really leads, without writing. A FIFO, a device, a folder or a dangling symlink is refused. */
export async function reviewPlaintextWrite(request: PlaintextWriteRequest): Promise<WriteReview> {
  const info = await inspectEnvTarget(request.file);
  const problem = targetProblem(info);
  if (problem) throw new EnvFileError(problem);
  const symlinkTarget = info.isSymlink ? info.realPath : undefined;
  const outsideFolder = !!info.outsideFolderOf || (request.folder !== undefined && (await outside(request.folder, info.realPath)));
  const git = request.gitAllowed ? await checkGitSafety(info.realPath) : RESTRICTED_GIT;
  const warnings: string[] = [];
  if (symlinkTarget) warnings.push(`${path.basename(info.requestedPath)} is a symlink: the keys are written to ${symlinkTarget}.`);
  if (outsideFolder) warnings.push(`${info.realPath} is outside the folder ${request.folder ?? info.outsideFolderOf}.`);
  if (info.readOnly) warnings.push(`${info.realPath} is read-only; it is rewritten (keeping its mode) only because you confirm.`);
  if (git.state === 'tracked' || git.state === 'not_ignored' || git.state === 'unknown') warnings.push(git.message);
  return { file: info.requestedPath, realPath: info.realPath, variables: [...request.variables], exists: info.kind === 'regular', symlinkTarget, outsideFolder, readOnly: info.readOnly, mode: info.mode !== undefined ? info.mode & 0o777 : undefined, git, warnings };
}

async function outside(folder: string, realPath: string): Promise<boolean> {
  const real = await fs.realpath(folder).catch(() => path.resolve(folder));
  const relative = path.relative(real, realPath);
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/**
 * Writes plaintext secrets into a .env after its review is accepted. Returns undefined when a person said no.
 * The write goes to the real path under the file's lock, atomically, keeping every other byte of the file.
 */
export async function writePlaintext(request: PlaintextWriteRequest, decision: WriteDecision): Promise<(EnvWriteResult & { review: WriteReview }) | undefined> {
  const review = await reviewPlaintextWrite(request);
  let fix: GitFix | undefined;
  if (decision.interactive) {
    const answer = await decision.confirm(review);
    if (!answer.write) return undefined;
    fix = answer.fix;
  } else {
    if (review.symlinkTarget && review.git.tracked && !decision.followSymlink) {
      throw new EnvTargetNeedsConsentError(`${review.file} is a symbolic link to ${review.symlinkTarget}, which git tracks, so nothing was written through it.`, 'symlink-to-tracked-file');
    }
    if (review.symlinkTarget && review.outsideFolder && !decision.followSymlink) {
      throw new EnvTargetNeedsConsentError(`${review.file} is a symbolic link to ${review.symlinkTarget}, outside its folder, so nothing was written through it.`, 'symlink-outside-folder');
    }
    if (review.readOnly && !decision.force) throw new EnvTargetNeedsConsentError(`${review.file} is read-only (mode ${(review.mode ?? 0).toString(8).padStart(4, '0')}), so it was left untouched.`, 'read-only');
  }
  if (fix) await applyGitFix(review, fix);
  const result = await updateEnvFile(review.realPath, request.updates, { followSymlink: true, force: decision.interactive || decision.force, stripBom: request.stripBom, lockTimeoutMs: request.lockTimeoutMs, beforeEdit: request.beforeEdit });
  return { ...result, review };
}

/** Ignores (and, if asked, stops tracking) the real target, then checks with git that it really is ignored now. */
async function applyGitFix(review: WriteReview, fix: GitFix): Promise<void> {
  const { git } = review;
  if (!git.repoRoot) return;
  const relative = path.relative(git.repoRoot, review.realPath).split(path.sep).join('/');
  if (fix === 'untrack' && git.tracked) await stopTracking(git.repoRoot, relative);
  if (!git.gitignoreLine) throw new OperationError(`${relative} cannot be named in .gitignore (its name has a line break), so nothing was written.`);
  await addToGitignore(git.repoRoot, git.gitignoreLine);
  const after = await checkGitSafety(review.realPath);
  if (!after.ignored) throw new OperationError(`Adding "${git.gitignoreLine}" to .gitignore did not make git ignore ${relative} (another rule un-ignores it), so nothing was written.`);
}
