// The one way plaintext secrets (API keys, a passphrase) reach a .env file, for the extension and the CLI alike.
// Before anything is written, the target is looked at on its real path: where a symlink leads, whether that is
// outside the folder it belongs to, and whether git would commit it. Then either a person confirms what they see
// (interactive), or explicit flags allow what needs allowing (the CLI); nothing is written otherwise.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileError, OperationError } from '../errors';
import { type EnvWriteResult, updateEnvFile } from '../envFile';
import { addToGitignore, checkGitSafety, type GitSafety, stopTracking } from '../gitSafety';

export interface PlaintextWriteRequest {
  /** The file as chosen (it may be a symlink). */
  file: string;
  updates: Readonly<Record<string, string>>;
  /** The folder the file belongs to (a workspace folder); a symlink leading out of it needs explicit consent. */
  folder?: string;
  /** False in an untrusted workspace: no git process may run there, so git safety is unknown. */
  gitAllowed: boolean;
}

/** What a person (or the CLI's flags) must accept before the write. Never contains a value. */
export interface WriteReview {
  file: string;
  realPath: string;
  variables: string[];
  exists: boolean;
  /** Set when `file` is a symlink: where it really leads. */
  symlinkTarget?: string;
  /** True when the real path is outside `folder`. */
  outsideFolder: boolean;
  git: GitSafety;
  /** One sentence each, in the order to show them. */
  warnings: string[];
}

export type GitFix = 'ignore' | 'untrack';

export type WriteDecision =
  /** A person sees the review and answers: write (after a git fix, if chosen) or not. */
  | { interactive: true; confirm(review: WriteReview): Promise<{ write: boolean; fix?: GitFix }> }
  /** The CLI: what needs consent needs a flag, else the write is refused with one sentence. */
  | { interactive: false; followSymlink: boolean };

export const RESTRICTED_GIT: GitSafety = { state: 'unknown', tracked: false, ignored: false, message: 'git status unknown in Restricted Mode: no git command runs in an untrusted workspace.' };

/** Looks at where `file` really leads, without writing. A dangling symlink is refused, naming its target. */
export async function reviewPlaintextWrite(request: PlaintextWriteRequest): Promise<WriteReview> {
  const requested = path.resolve(request.file);
  let symlinkTarget: string | undefined;
  let realPath = requested;
  let exists = false;
  try {
    const stat = await fs.lstat(requested);
    exists = true;
    if (stat.isSymbolicLink()) {
      try {
        realPath = await fs.realpath(requested);
      } catch {
        const target = await fs.readlink(requested).catch(() => '?');
        throw new FileError(`${requested} is a symlink to ${path.resolve(path.dirname(requested), target)}, which does not exist; create the target or remove the link.`);
      }
      symlinkTarget = realPath;
    } else {
      realPath = await fs.realpath(requested);
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Not there yet: resolve the folder, so a symlinked folder is seen for what it is.
    const parent = await fs.realpath(path.dirname(requested)).catch(() => path.dirname(requested));
    realPath = path.join(parent, path.basename(requested));
  }
  const folderReal = request.folder ? await fs.realpath(request.folder).catch(() => path.resolve(request.folder!)) : undefined;
  const outsideFolder = folderReal !== undefined && path.relative(folderReal, realPath).split(path.sep)[0] === '..';
  const git = request.gitAllowed ? await checkGitSafety(realPath) : RESTRICTED_GIT;
  const warnings: string[] = [];
  if (symlinkTarget) warnings.push(`${path.basename(requested)} is a symlink: the keys are written to ${symlinkTarget}.`);
  if (outsideFolder) warnings.push(`${symlinkTarget ?? realPath} is outside the folder ${request.folder}.`);
  if (git.state === 'tracked' || git.state === 'not_ignored' || git.state === 'unknown') warnings.push(git.message);
  return { file: requested, realPath, variables: Object.keys(request.updates), exists, symlinkTarget, outsideFolder, git, warnings };
}

/**
 * Writes plaintext secrets into a .env after its review is accepted. Returns undefined when a person said no.
 * The write itself goes to the real path, atomically, keeping every other byte of the file.
 */
export async function writePlaintext(request: PlaintextWriteRequest, decision: WriteDecision): Promise<(EnvWriteResult & { review: WriteReview }) | undefined> {
  const review = await reviewPlaintextWrite(request);
  let fix: GitFix | undefined;
  if (decision.interactive) {
    const answer = await decision.confirm(review);
    if (!answer.write) return undefined;
    fix = answer.fix;
  } else if ((review.symlinkTarget && (review.outsideFolder || review.git.tracked)) && !decision.followSymlink) {
    throw new OperationError(`${review.file} is a symlink to ${review.symlinkTarget}${review.git.tracked ? ', which git tracks' : ', outside its folder'}; pass --follow-symlink to write there anyway.`);
  }
  if (fix && review.git.repoRoot) {
    if (fix === 'untrack' && review.git.tracked && review.git.untrackCommand) await stopTracking(review.git.repoRoot, path.relative(review.git.repoRoot, review.realPath).split(path.sep).join('/'));
    if (review.git.gitignoreLine) await addToGitignore(review.git.repoRoot, review.git.gitignoreLine);
  }
  const result = await updateEnvFile(review.realPath, request.updates);
  return { ...result, review };
}
