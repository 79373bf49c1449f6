// Copies of each project's API_KEY_ENCRYPTION_KEY, kept in SecretStorage. Crucible's worst case is a lost encryption
// key ("all encrypted API keys become unrecoverable"); a `git clean -fdx` deletes the .env that held it. The
// extension keeps every value it has seen for a folder, so it can be restored, and tried when a key is locked.
// Each value has an entry of its own (`crucibleKeys.project.<folder id>.<random id>`): no two windows ever rewrite
// the same entry with different contents, so none can drop another's backup.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock, SecretStore } from '../ports';
import { PROJECT_BACKUP_PREFIX } from './names';

/** Values kept per folder, newest first; older ones are dropped. */
export const MAX_BACKUPS_PER_FOLDER = 10;

export interface ProjectPassphraseBackup {
  passphrase: string;
  /** ISO-8601: when it was last seen in, or written to, the project. */
  savedAt: string;
}

interface Entry extends ProjectPassphraseBackup {
  name: string;
  folder: string;
}

/** A folder's part of the entry names: a digest, so any path (odd characters, "__proto__") is just a name. */
function folderId(folder: string): string {
  return createHash('sha256').update(folder, 'utf8').digest('hex').slice(0, 16);
}

export class ProjectPassphraseBackups {
  constructor(private readonly secrets: SecretStore, private readonly clock: Clock, private readonly newId: () => string = () => randomBytes(8).toString('hex')) {}

  private async entries(prefix: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const name of (await this.secrets.keys()).filter((candidate) => candidate.startsWith(prefix))) {
      const raw = await this.secrets.get(name);
      try {
        const value = JSON.parse(raw ?? '') as Partial<Entry>;
        if (typeof value.passphrase === 'string' && value.passphrase && typeof value.savedAt === 'string' && typeof value.folder === 'string') {
          entries.push({ name, folder: value.folder, passphrase: value.passphrase, savedAt: value.savedAt });
        }
      } catch {
        // not one of ours, or damaged: never used, never deleted here
      }
    }
    return entries.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  private folderEntries(folder: string): Promise<Entry[]> {
    return this.entries(`${PROJECT_BACKUP_PREFIX}${folderId(folder)}.`);
  }

  /** Records that `folder` uses `passphrase` (as its newest value); returns true when it was not known before. */
  async remember(folder: string, passphrase: string): Promise<boolean> {
    if (!passphrase) return false;
    const entries = (await this.folderEntries(folder)).filter((entry) => entry.folder === folder);
    const known = entries.find((entry) => entry.passphrase === passphrase);
    if (known && entries[0].passphrase === passphrase) return false;
    const savedAt = new Date(this.clock.now()).toISOString();
    const name = known?.name ?? `${PROJECT_BACKUP_PREFIX}${folderId(folder)}.${this.newId()}`;
    await this.secrets.store(name, JSON.stringify({ folder, passphrase, savedAt }));
    // Keep the newest values; the oldest beyond the limit go (never the one just written).
    const kept = new Set<string>([passphrase]);
    for (const entry of entries) {
      if (kept.has(entry.passphrase) ? entry.name !== name : kept.size >= MAX_BACKUPS_PER_FOLDER) await this.secrets.delete(entry.name);
      else kept.add(entry.passphrase);
    }
    return !known;
  }

  /** The values kept for one folder, newest first. */
  async list(folder: string): Promise<ProjectPassphraseBackup[]> {
    const seen = new Set<string>();
    return (await this.folderEntries(folder))
      .filter((entry) => entry.folder === folder && !seen.has(entry.passphrase) && seen.add(entry.passphrase))
      .map(({ passphrase, savedAt }) => ({ passphrase, savedAt }));
  }

  /** Every value kept for any folder: candidates when a key is locked. */
  async allPassphrases(): Promise<string[]> {
    return [...new Set((await this.entries(PROJECT_BACKUP_PREFIX)).map((entry) => entry.passphrase))];
  }

  async forgetAll(): Promise<number> {
    const entries = (await this.secrets.keys()).filter((name) => name.startsWith(PROJECT_BACKUP_PREFIX));
    const count = (await this.allPassphrases()).length;
    for (const name of entries) await this.secrets.delete(name);
    return count;
  }
}
