// Reading and atomically rewriting a .env file on disk; the text edits themselves live in envText.ts.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FileError } from './errors';
import type { EnvEditPlan } from './envText';
import { parseEnvValues, planEnvEdit } from './envText';

export const NEW_ENV_FILE_MODE = 0o600;

export class EnvFileError extends FileError {
  override name = 'EnvFileError';
}

export interface EnvFileContents {
  path: string;
  exists: boolean;
  text: string;
  values: Record<string, string>;
}

/** Reads a .env file; a missing file reads as empty, and a binary or non-UTF-8 file is refused. */
export async function readEnvFile(filePath: string): Promise<EnvFileContents> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path: filePath, exists: false, text: '', values: {} };
    if (code === 'EISDIR') throw new EnvFileError(`${filePath} is a folder, not a .env file.`);
    if (code === 'EACCES' || code === 'EPERM') throw new EnvFileError(`${filePath} cannot be read: permission denied.`);
    throw new EnvFileError(`${filePath} cannot be read (${code ?? 'unknown error'}).`);
  }
  const text = decodeText(bytes, filePath);
  return { path: filePath, exists: true, text, values: parseEnvValues(text) };
}

function decodeText(bytes: Buffer, filePath: string): string {
  if (bytes.includes(0)) throw new EnvFileError(`${filePath} looks binary (it contains NUL bytes), so it was left untouched.`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new EnvFileError(`${filePath} is not valid UTF-8, so it was left untouched.`);
  }
}

export interface EnvWriteResult extends EnvEditPlan {
  path: string;
  created: boolean;
}

/**
 * Sets variables in a .env file, keeping every other byte. Writes atomically (temp file in the same folder,
 * fsync, rename), keeps an existing file's mode, creates new files 0600, and does not write when nothing changes.
 */
export async function updateEnvFile(filePath: string, updates: Readonly<Record<string, string>>): Promise<EnvWriteResult> {
  const target = await resolveTarget(filePath);
  const current = await readEnvFile(target);
  const plan = planEnvEdit(current.text, updates);
  if (plan.changed) {
    try {
      await writeFileAtomic(target, plan.text, current.exists ? { encoding: 'utf8' } : { encoding: 'utf8', mode: NEW_ENV_FILE_MODE });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EnvFileError(`${target} could not be written (${code ?? (error as Error).message}); the file was not changed.`);
    }
  }
  return { ...plan, path: target, created: !current.exists && plan.changed };
}

/** Follows a symlinked .env to the file it points at, so the link itself is not replaced by the rename. */
async function resolveTarget(filePath: string): Promise<string> {
  const absolute = path.resolve(filePath);
  try {
    return await fs.realpath(absolute);
  } catch {
    const folder = path.dirname(absolute);
    try {
      const stat = await fs.stat(folder);
      if (!stat.isDirectory()) throw new Error('not a folder');
    } catch {
      throw new EnvFileError(`The folder ${folder} does not exist.`);
    }
    return absolute;
  }
}
