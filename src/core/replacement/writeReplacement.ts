// Writing a replaced key into the .env files that held the old one. Each file is written on its own: one that
// cannot be written (or that its owner declines) never stops the others, and every file left with the old key is
// named. Under the file's lock, only a variable that still holds the old key is changed, so an edit made between
// the confirmation and the write is kept.
import type { EnvFileContents, EnvUpdates } from '../envFile';
import { CrucibleKeysError } from '../errors';
import type { KeyHolder } from './holders';

export interface ReplacementWrites {
  /** Files now holding the new key (as the writer names them: the real path). */
  written: string[];
  /** Files where no variable held the old key any more when written (edited since the confirmation): left as they are. */
  unchanged: string[];
  /** Files whose write was declined at its own question: they still hold the old key. */
  declined: string[];
  /** Files that could not be written: they still hold the old key. The reason is one sentence, never a value. */
  failed: { file: string; reason: string }[];
}

/** Writes `updates` into `file` after whatever confirmation it needs; the real path written, or undefined when declined. */
export type ReplacementWriter = (file: string, updates: EnvUpdates, variables: readonly string[]) => Promise<string | undefined>;

/** The updates for one holder: each of its variables that, as read under the lock, still holds `oldKey`. */
export function replacementUpdates(holder: KeyHolder, oldKey: string, newKey: string): (current: EnvFileContents) => Readonly<Record<string, string>> {
  return (current) => Object.fromEntries(holder.variables.filter((name) => Object.hasOwn(current.values, name) && current.values[name] === oldKey).map((name) => [name, newKey]));
}

/** The files that still hold the key being replaced, each with why: declined at its question, or could not be written. */
export function leftBehind(outcome: ReplacementWrites): string[] {
  return [...outcome.declined.map((file) => `${file} (not written)`), ...outcome.failed.map(({ file, reason }) => `${file}: ${reason}`)];
}

export async function writeReplacement(holders: readonly KeyHolder[], oldKey: string, newKey: string, write: ReplacementWriter): Promise<ReplacementWrites> {
  const outcome: ReplacementWrites = { written: [], unchanged: [], declined: [], failed: [] };
  for (const holder of holders) {
    try {
      let changes = 0;
      const updates: EnvUpdates = (current) => {
        const found = replacementUpdates(holder, oldKey, newKey)(current);
        changes = Object.keys(found).length;
        return found;
      };
      const done = await write(holder.file, updates, holder.variables);
      if (done === undefined) outcome.declined.push(holder.file);
      else if (changes === 0) outcome.unchanged.push(done);
      else outcome.written.push(done);
    } catch (error) {
      // Only this tool's own sentences are shown; anything else is named by its kind, so no text of it can carry a key.
      const reason = error instanceof CrucibleKeysError ? error.message : `it could not be written (${(error as NodeJS.ErrnoException)?.code ?? 'unexpected error'})`;
      outcome.failed.push({ file: holder.file, reason });
    }
  }
  return outcome;
}
