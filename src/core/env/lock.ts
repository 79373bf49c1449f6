// One writer at a time per .env file, across processes (the extension and every crucible-keys run): an exclusive
// lock file beside the target, created with O_EXCL, holding the owner's pid, host and start time. A lock whose owner
// died (same host, pid gone) or that is older than STALE_LOCK_MS is taken over; everyone else waits, up to a bound.
// proper-lockfile was considered: it locks with a directory and mtime refreshes and records no pid, so a crashed
// writer's lock is only recognised after its stale period; this file format lets a dead owner be seen at once.
import { randomBytes, randomInt } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { EnvFileError, EnvLockTimeoutError, errnoCode } from './envErrors';
import { kindOf } from './target';

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** No write holds the lock for this long; older locks are abandoned whoever owns them. */
export const STALE_LOCK_MS = 30_000;
/** A lock file still empty after this long was left by a writer that died between creating and filling it. */
const EMPTY_LOCK_GRACE_MS = 2_000;

export const lockPathFor = (realPath: string) => `${realPath}.lock`;

interface LockOwner { pid: number; host: string; time: number; token: string }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** A lock file holds one short JSON line; more than this is not one of ours. */
const MAX_LOCK_BYTES = 4096;
const READ_LOCK = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads the lock's owner from the lock file itself: never through a symlink, never from a FIFO or a device (which
 * would block or never end), at most MAX_LOCK_BYTES. Anything but a regular file there is refused with one sentence:
 * no writer of ours made it, so no wait or takeover can end it.
 */
async function readOwner(lock: string): Promise<{ owner?: LockOwner; content: string; mtimeMs: number } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lock, READ_LOCK);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined; // released meanwhile
    if (errnoCode(error) === 'ELOOP') throw notALockFile(lock, 'a symbolic link');
    if (errnoCode(error) === 'ENXIO') throw notALockFile(lock, 'a socket');
    throw lockError(lock, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notALockFile(lock, KIND_WORDS[kindOf(stat)] ?? 'not a regular file');
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_LOCK_BYTES, 0);
    const content = buffer.subarray(0, bytesRead).toString('utf8');
    try {
      const owner = JSON.parse(content) as LockOwner;
      if (Number.isInteger(owner.pid) && typeof owner.time === 'number') return { owner, content, mtimeMs: stat.mtimeMs };
    } catch { /* empty or half-written: judged by its age */ }
    return { content, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (error instanceof EnvFileError) throw error;
    throw lockError(lock, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const KIND_WORDS: Partial<Record<ReturnType<typeof kindOf>, string>> = {
  directory: 'a folder', fifo: 'a named pipe (FIFO)', socket: 'a socket', 'char-device': 'a character device', 'block-device': 'a block device',
};

function notALockFile(lock: string, what: string): EnvFileError {
  return new EnvFileError(`The lock file ${lock} is ${what}, not a lock this program wrote, so the .env file beside it was not changed; remove it if no writer is running.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

function isStale(found: { owner?: LockOwner; mtimeMs: number }, now: number, staleMs: number): boolean {
  if (!found.owner) return now - found.mtimeMs > EMPTY_LOCK_GRACE_MS;
  if (found.owner.host === hostname() && !alive(found.owner.pid)) return true;
  return now - found.owner.time > staleMs;
}

/**
 * Removes a stale lock, unless someone else is already doing so. The takeover itself is guarded by a second O_EXCL
 * file, and the lock is removed only if it still holds exactly what was judged stale, so two waiters can never both
 * delete and recreate it (one of them deleting the other's fresh lock).
 */
async function takeOver(lock: string, staleContent: string): Promise<boolean> {
  const guard = `${lock}.takeover`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(guard, CREATE, 0o600);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw lockError(guard, error);
    const stat = await fs.lstat(guard).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > EMPTY_LOCK_GRACE_MS) await fs.unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const now = await readOwner(lock);
    return !now || (now.content === staleContent && (await fs.unlink(lock).then(() => true, () => false)));
  } finally {
    await handle.close();
    await fs.unlink(guard).catch(() => undefined);
  }
}

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

/** Takes the lock of a .env file (by its real path), waiting for other writers; returns the release function. */
export async function acquireEnvLock(realPath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const lock = lockPathFor(realPath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? STALE_LOCK_MS;
  const deadline = Date.now() + timeoutMs;
  const owner: LockOwner = { pid: process.pid, host: hostname(), time: Date.now(), token: randomBytes(8).toString('hex') };
  let delay = 5;
  for (;;) {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(lock, CREATE, 0o600);
      owner.time = Date.now();
      const content = `${JSON.stringify(owner)}\n`;
      await handle.writeFile(content, 'utf8');
      await handle.close();
      return () => release(lock, content);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (handle) await fs.unlink(lock).catch(() => undefined);
      if (errnoCode(error) !== 'EEXIST') throw lockError(lock, error);
    }
    const found = await readOwner(lock);
    if (!found) continue;
    // A takeover that could not remove the lock (another waiter's guard, or one nobody can remove) waits like anyone.
    if (isStale(found, Date.now(), staleMs) && (await takeOver(lock, found.content))) continue;
    const left = deadline - Date.now();
    if (left <= 0) {
      const who = found.owner ? ` (process ${found.owner.pid}${found.owner.host === hostname() ? '' : ` on ${found.owner.host}`}, since ${new Date(found.owner.time).toISOString()})` : '';
      throw new EnvLockTimeoutError(`${realPath} is being edited by another writer${who} and was still locked after ${(timeoutMs / 1000).toFixed(1).replace(/\.0$/, '')} s; try again, or delete ${lock} if no such writer is running.`);
    }
    await sleep(Math.min(left, delay + randomInt(delay + 1)));
    delay = Math.min(delay * 2, 100);
  }
}

async function release(lock: string, content: string): Promise<void> {
  const now = await readOwner(lock).catch(() => undefined);
  if (now?.content === content) await fs.unlink(lock).catch(() => undefined);
}

function lockError(lock: string, error: unknown): EnvFileError {
  const reason = errnoCode(error) === 'EACCES' || errnoCode(error) === 'EPERM' ? 'permission denied' : errnoCode(error) === 'EROFS' ? 'read-only file system' : errnoCode(error) ?? String(error);
  return new EnvFileError(`The lock file ${lock} cannot be created or read (${reason}), so the .env file beside it was not changed.`);
}
