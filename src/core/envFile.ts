// Reading a .env file safely and changing it under the lock; the text edits themselves live in envText.ts, the lock,
// the target inspection and the atomic replace in env/.
import { constants, promises as fs } from 'node:fs';
import { replaceFile, removeStaleTemps, NEW_ENV_FILE_MODE } from './env/atomicWrite';
import { EnvFileError, EnvLockTimeoutError, EnvTargetNeedsConsentError, errnoCode } from './env/envErrors';
import { acquireEnvLock } from './env/lock';
import { inspectEnvTarget, isReadOnly, kindOf, targetProblem, type EnvTargetInfo } from './env/target';
import type { EnvEditOptions, EnvEditPlan } from './envText';
import { parseEnvValues, planEnvEdit } from './envText';
import { checkGitSafety } from './gitSafety';

export { EnvFileError, EnvLockTimeoutError, EnvTargetNeedsConsentError, NEW_ENV_FILE_MODE, inspectEnvTarget, type EnvTargetInfo };

/** Larger than any .env file; a bigger "env file" is a mistake (or /dev/zero's cousin), never read into memory. */
export const MAX_ENV_FILE_BYTES = 32 * 1024 * 1024;

export interface EnvFileContents {
  /** The file actually read: the requested path with every symlink resolved. */
  path: string;
  exists: boolean;
  text: string;
  values: Record<string, string>;
}

interface OpenedFile { exists: boolean; text: string; stat?: import('node:fs').Stats }

/** The most a kind of file may weigh, and its name for the refusal. */
export interface SizeLimit { bytes: number; what: string }
const ENV_FILE_LIMIT: SizeLimit = { bytes: MAX_ENV_FILE_BYTES, what: '.env file' };

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens the real file once (never following a link swapped in meanwhile, never blocking on a FIFO), checks with
 * fstat on that descriptor that it is a regular file, and reads it from the same descriptor.
 */
async function openAndRead(info: EnvTargetInfo, limit: SizeLimit = ENV_FILE_LIMIT): Promise<OpenedFile> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(info.realPath, READ_FLAGS);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { exists: false, text: '' };
    if (errnoCode(error) === 'ELOOP') throw new EnvFileError(`${info.requestedPath} was replaced by a symbolic link while being read, so it was left untouched.`);
    if (errnoCode(error) === 'EACCES' || errnoCode(error) === 'EPERM') throw new EnvFileError(`${info.requestedPath} cannot be read: permission denied.`);
    throw new EnvFileError(`${info.requestedPath} cannot be read (${errnoCode(error) ?? 'unknown error'}).`);
  }
  try {
    const stat = await handle.stat();
    const problem = targetProblem({ ...info, kind: kindOf(stat) });
    if (problem) throw new EnvFileError(problem);
    if (stat.size > limit.bytes) throw new EnvFileError(`${info.requestedPath} is larger than ${limit.bytes / 1024 / 1024} MB, which no ${limit.what} is, so it was left untouched.`);
    const bytes = await handle.readFile();
    return { exists: true, text: decodeText(bytes, info.requestedPath), stat };
  } catch (error) {
    if (error instanceof EnvFileError) throw error;
    throw new EnvFileError(`${info.requestedPath} cannot be read (${errnoCode(error) ?? (error as Error).message}).`);
  } finally {
    await handle.close();
  }
}

function decodeText(bytes: Buffer, filePath: string): string {
  if (bytes.includes(0)) throw new EnvFileError(`${filePath} looks binary (it contains NUL bytes), so it was left untouched.`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new EnvFileError(`${filePath} is not valid UTF-8, so it was left untouched.`);
  }
}

/**
 * Reads a .env file: a missing file (or folder, or a link to nothing) reads as empty; a folder, FIFO, socket or
 * device, a binary or non-UTF-8 file is refused with one sentence.
 */
export async function readEnvFile(filePath: string): Promise<EnvFileContents> {
  const file = await readTextFile(filePath, ENV_FILE_LIMIT);
  return { ...file, values: file.exists ? parseEnvValues(file.text) : {} };
}

/**
 * Reads another small text file of a project (a compose file beside the .env) as safely as a .env: regular files
 * only, never blocking on a FIFO, at most `limit.bytes`, strict UTF-8. A missing file reads as not existing.
 */
export async function readTextFile(filePath: string, limit: SizeLimit): Promise<{ path: string; exists: boolean; text: string }> {
  const info = await inspectEnvTarget(filePath);
  if (info.kind === 'missing' || info.kind === 'missing-folder' || info.kind === 'dangling-symlink') return { path: info.realPath, exists: false, text: '' };
  const problem = targetProblem(info);
  if (problem) throw new EnvFileError(problem);
  const opened = await openAndRead(info, limit);
  return { path: info.realPath, exists: opened.exists, text: opened.text };
}

export interface EnvWriteOptions extends EnvEditOptions {
  /** Replace a read-only file anyway (its mode is kept). */
  force?: boolean;
  /** Write through a symlink that leads outside its folder or into a file git tracks. */
  followSymlink?: boolean;
  /** How long to wait for another writer's lock (default 10 s). */
  lockTimeoutMs?: number;
  /** A text edit made under the same lock before the variables are set, so both land in one write or neither does. */
  beforeEdit?: (text: string) => string;
}

export interface EnvWriteResult extends EnvEditPlan {
  /** The file written: the requested path with every symlink resolved. */
  path: string;
  requestedPath: string;
  created: boolean;
}

export type EnvUpdates = Readonly<Record<string, string>> | ((current: EnvFileContents) => Readonly<Record<string, string>>);

/**
 * Sets variables in a .env file, keeping every other byte, with the file's lock held from reading to renaming so no
 * concurrent writer's change is lost. `updates` may be a function of the current contents (read under the lock).
 * Only regular files are edited; a symlink leading out of its folder or into a tracked file, and a read-only file,
 * need explicit consent (EnvTargetNeedsConsentError). Owner, group and mode are kept; a new file is 0600; nothing is
 * written when nothing changes.
 */
export async function updateEnvFile(filePath: string, updates: EnvUpdates, options: EnvWriteOptions = {}): Promise<EnvWriteResult> {
  const info = await inspectEnvTarget(filePath);
  const problem = targetProblem(info);
  if (problem) throw new EnvFileError(problem);
  if (info.isSymlink && !options.followSymlink) await requireSymlinkConsent(info);

  const release = await acquireEnvLock(info.realPath, { timeoutMs: options.lockTimeoutMs });
  try {
    await removeStaleTemps(info.realPath);
    const current = await openAndRead(info);
    // The values are read only when the updates depend on them: on a large file that read is most of the work.
    const base = options.beforeEdit ? options.beforeEdit(current.text) : current.text;
    const plan = planEnvEdit(base, typeof updates === 'function' ? updates({ path: info.realPath, exists: current.exists, text: current.text, values: parseEnvValues(current.text) }) : updates, options);
    if (base !== current.text) plan.changed = true;
    if (plan.changed) {
      const stat = current.stat;
      if (stat && !options.force && (await isReadOnly(info.realPath, stat))) {
        throw new EnvTargetNeedsConsentError(`${info.requestedPath} is read-only (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}), so it was left untouched.`, 'read-only');
      }
      if (stat && stat.nlink > 1) plan.warnings.push(`${info.requestedPath} had ${stat.nlink - 1} other hard link${stat.nlink > 2 ? 's' : ''}, which keep the old contents.`);
      await replaceFile(info.realPath, plan.text, stat ? { mode: stat.mode, uid: stat.uid, gid: stat.gid } : undefined, stat ? { dev: stat.dev, ino: stat.ino } : undefined);
    }
    return { ...plan, path: info.realPath, requestedPath: info.requestedPath, created: !current.exists && plan.changed };
  } finally {
    await release();
  }
}

async function requireSymlinkConsent(info: EnvTargetInfo): Promise<void> {
  if (info.outsideFolderOf) {
    throw new EnvTargetNeedsConsentError(`${info.requestedPath} is a symbolic link to ${info.realPath}, outside ${info.outsideFolderOf}, so nothing was written through it.`, 'symlink-outside-folder');
  }
  const safety = await checkGitSafety(info.realPath);
  if (safety.tracked) {
    throw new EnvTargetNeedsConsentError(`${info.requestedPath} is a symbolic link to ${info.realPath}, which git tracks, so nothing was written through it.`, 'symlink-to-tracked-file');
  }
}
