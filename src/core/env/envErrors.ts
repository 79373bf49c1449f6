// The two failures of .env handling: a file that cannot be read or written safely, and an edit that cannot be made.
import { FileError, InputError } from '../errors';

/** A .env file that cannot be read or written safely (exit 4); nothing was changed. */
export class EnvFileError extends FileError {
  override name = 'EnvFileError';
}

/** Another writer held the .env lock for longer than the wait allowed (exit 4); nothing was changed. */
export class EnvLockTimeoutError extends EnvFileError {
  override name = 'EnvLockTimeoutError';
}

/**
 * A target that needs the user's explicit consent (exit 4): a symlink leading outside its folder or into a tracked
 * file, or a read-only file. `reason` tells the extension which question to ask.
 */
export class EnvTargetNeedsConsentError extends EnvFileError {
  override name = 'EnvTargetNeedsConsentError';
  constructor(message: string, readonly reason: 'symlink-outside-folder' | 'symlink-to-tracked-file' | 'read-only') {
    super(message);
  }
}

/** An edit that cannot be made without changing what some reader sees (exit 2). */
export class EnvEditError extends InputError {
  override name = 'EnvEditError';
}

/** The errno code of a failed file-system call (ENOENT, EACCES…), if any. */
export const errnoCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
