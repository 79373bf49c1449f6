// Replacing a .env file so that a crash at any instant leaves the old file or the new one, never a mix: a temporary
// file beside it (named so the usual `.env*` ignore rules cover it, created 0600), fsync, rename, fsync of the
// folder. The temporary file is removed on every error path; one left by a killed writer is removed by the next
// writer, which holds the lock, so no other writer can be using it.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EnvFileError, errnoCode } from './envErrors';

export const TEMP_MARKER = '.crucible-keys.tmp-';
export const NEW_ENV_FILE_MODE = 0o600;

const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Removes temporary files a killed writer left beside `realPath`. Call it only while holding the lock. */
export async function removeStaleTemps(realPath: string): Promise<number> {
  const folder = path.dirname(realPath);
  const prefix = path.basename(realPath) + TEMP_MARKER;
  let removed = 0;
  for (const name of await fs.readdir(folder).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const file = path.join(folder, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (stat?.isFile() && (await fs.unlink(file).then(() => true, () => false))) removed++;
  }
  return removed;
}

export interface Ownership { mode: number; uid: number; gid: number }
export interface Identity { dev: number; ino: number }

/**
 * Atomically replaces (or creates) `realPath` with `text`. An existing file's owner, group and mode are given to the
 * new one; if they cannot be (another user's file), nothing is written. `identity` guards against a file swapped in
 * meanwhile by someone not using the lock.
 */
export async function replaceFile(realPath: string, text: string, keep?: Ownership, identity?: Identity): Promise<void> {
  const folder = path.dirname(realPath);
  const temp = path.join(folder, path.basename(realPath) + TEMP_MARKER + randomBytes(6).toString('hex'));
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, CREATE, NEW_ENV_FILE_MODE);
    if (keep) {
      if (process.platform !== 'win32') {
        try {
          await handle.chown(keep.uid, keep.gid);
        } catch (error) {
          if (errnoCode(error) === 'EPERM') throw new EnvFileError(`${realPath} belongs to user ${keep.uid} and group ${keep.gid}, and this process cannot give a new file that owner, so it was left untouched.`);
          throw error;
        }
      }
      await handle.chmod(keep.mode & 0o7777);
    } else {
      await handle.chmod(NEW_ENV_FILE_MODE);
    }
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (identity) {
      const now = await fs.lstat(realPath).catch(() => undefined);
      if (!now || now.ino !== identity.ino || now.dev !== identity.dev) throw new EnvFileError(`${realPath} was replaced by another program while it was being edited, so it was left as that program wrote it; try again.`);
    }
    await fs.rename(temp, realPath);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    if (error instanceof EnvFileError) throw error;
    throw new EnvFileError(`${realPath} could not be written (${errnoCode(error) ?? (error as Error).message}); the file was not changed.`);
  }
  await syncFolder(folder);
}

/** Makes the rename itself durable; some file systems cannot fsync a folder, which is not an error. */
async function syncFolder(folder: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // EINVAL/EISDIR/EPERM on some file systems and platforms: the data itself was already synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
