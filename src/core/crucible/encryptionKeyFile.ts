// Replacing Crucible's API_KEY_ENCRYPTION_KEY in a project's .env while keeping the old one on a dated comment line:
//   # API_KEY_ENCRYPTION_KEY=<old>  # replaced by Crucible Keys on YYYY-MM-DD
// The line starts with `#`, so npm dotenv, python-dotenv and compose-go all skip it; removing the leading "# " gives a
// working assignment again (the value is written so each of them reads it back unchanged, and the trailing comment
// follows whitespace, as python-dotenv requires for an inline comment).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { readEnvFile, updateEnvFile } from '../envFile';
import { FileError } from '../errors';
import { ENCRYPTION_KEY_VAR } from '../passphrase';

/** Where a rotation reads and writes the passphrase; the extension may wrap its own reviewed write around it. */
export interface EncryptionKeyFile {
  /** Where the passphrase lives, for messages. */
  readonly file: string;
  /** The passphrase the file sets now, or undefined when it sets none. */
  read(): Promise<string | undefined>;
  /** Keeps the old passphrase (if any) on a dated comment line, then sets the new one. Safe to repeat after a crash. */
  replace(next: string, old: string | undefined, date: Date): Promise<void>;
}

/** A value that every dotenv reader takes literally when unquoted: no spaces, quotes, `#`, `$` or backslashes. */
const PLAIN = /^[A-Za-z0-9_\-.,/+=:@~%^!?*]+$/;

function encodeForComment(value: string): string {
  if (PLAIN.test(value)) return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  return JSON.stringify(value);
}

const REPLACED = '  # replaced by Crucible Keys on ';

/** The backup comment for `old`, dated in UTC. */
export function backupLine(old: string, date: Date): string {
  return `# ${ENCRYPTION_KEY_VAR}=${encodeForComment(old)}${REPLACED}${date.toISOString().slice(0, 10)}`;
}


const ASSIGNMENT = new RegExp(String.raw`^[ \t]*(?:export[ \t]+)?${ENCRYPTION_KEY_VAR}[ \t]*[=:]`);

/**
 * The text with the backup comment for `old` placed just above the last assignment of the variable (or at the end),
 * in the file's own line endings. Unchanged when a backup of `old` is already there, whatever its date.
 */
export function withBackupLine(text: string, old: string, date: Date): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const line = backupLine(old, date);
  const kept = line.slice(0, line.lastIndexOf(REPLACED) + REPLACED.length);
  let at = -1;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const content = raw.replace(/\r$/, '');
    if (content.startsWith(kept)) return text;
    if (ASSIGNMENT.test(content)) at = offset;
    offset += raw.length + 1;
  }
  if (at === -1) return text === '' ? line + eol : `${text}${text.endsWith('\n') ? '' : eol}${line}${eol}`;
  return text.slice(0, at) + line + eol + text.slice(at);
}

/** The .env of a Crucible checkout, edited through the core's .env functions, plus the one comment line written here. */
export function projectEncryptionKeyFile(file: string): EncryptionKeyFile {
  return {
    file,
    async read() {
      const value = (await readEnvFile(file)).values[ENCRYPTION_KEY_VAR];
      return value === undefined || value === '' ? undefined : value;
    },
    async replace(next, old, date) {
      if (old !== undefined) {
        const target = await fs.realpath(file).catch(() => path.resolve(file));
        const current = await readEnvFile(target);
        const text = withBackupLine(current.text, old, date);
        if (text !== current.text) {
          try {
            await writeFileAtomic(target, text, { encoding: 'utf8' });
          } catch (error) {
            throw new FileError(`${target} could not be written (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); the file was not changed.`);
          }
        }
      }
      await updateEnvFile(file, { [ENCRYPTION_KEY_VAR]: next });
    },
  };
}
