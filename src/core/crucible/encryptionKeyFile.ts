// Replacing Crucible's API_KEY_ENCRYPTION_KEY in a project's .env while keeping the old one on a dated comment line:
//   # API_KEY_ENCRYPTION_KEY=<old>  # replaced by Crucible Keys on YYYY-MM-DD
// The line starts with `#`, so npm dotenv, python-dotenv and compose-go all skip it. The old value is copied exactly as
// the assignment wrote it, so that removing the leading "# " gives back what each of those readers read before (the
// trailing comment follows whitespace, as python-dotenv requires of an inline comment).
import { parse } from 'dotenv';
import { readEnvFile, updateEnvFile } from '../envFile';
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

/** How a value is written when the file's own text of it cannot be copied (a multi-line assignment): the best plain form. */
function encodeForComment(value: string): string {
  if (PLAIN.test(value)) return value;
  if (!/['\r\n\\]/.test(value)) return `'${value}'`;
  return JSON.stringify(value);
}

const REPLACED = '  # replaced by Crucible Keys on ';
const ASSIGNMENT = new RegExp(String.raw`^[ \t]*(?:export[ \t]+)?${ENCRYPTION_KEY_VAR}[ \t]*[=:][ \t]*`);
const BACKUP_START = `# ${ENCRYPTION_KEY_VAR}=`;

/** The backup comment for `old`, dated in UTC; `written` is the assignment's own text of the value, when it has one. */
export function backupLine(old: string, date: Date, written?: string): string {
  return `${BACKUP_START}${written ?? encodeForComment(old)}${REPLACED}${date.toISOString().slice(0, 10)}`;
}

/** What dotenv reads from a backup line once its leading "# " is removed. */
function backedUpValue(line: string): string | undefined {
  if (!line.startsWith(BACKUP_START) || !line.includes(REPLACED)) return undefined;
  return parse(line.slice(2, line.lastIndexOf(REPLACED)))[ENCRYPTION_KEY_VAR];
}

/**
 * The text with the backup comment for `old` placed just above the last assignment of the variable (or at the end),
 * in the file's own line endings, every other byte kept. Unchanged when a backup of `old` is already there, whatever its date.
 */
export function withBackupLine(text: string, old: string, date: Date): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let at = -1;
  let written: string | undefined;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const content = raw.replace(/\r$/, '');
    if (backedUpValue(content) === old) return text;
    const assignment = ASSIGNMENT.exec(content);
    if (assignment) {
      at = offset;
      const value = content.slice(assignment[0].length).trimEnd();
      written = parse(`${ENCRYPTION_KEY_VAR}=${value}`)[ENCRYPTION_KEY_VAR] === old ? value : undefined;
    }
    offset += raw.length + 1;
  }
  const line = backupLine(old, date, written);
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
      // One locked write: the backup comment and the new value land together, or neither does.
      await updateEnvFile(file, { [ENCRYPTION_KEY_VAR]: next }, old === undefined ? {} : { beforeEdit: (text) => withBackupLine(text, old, date) });
    },
  };
}
