// Copies of each project's API_KEY_ENCRYPTION_KEY, kept in SecretStorage. Crucible's worst case is a lost encryption
// key ("all encrypted API keys become unrecoverable"); a `git clean -fdx` deletes the .env that held it. The
// extension keeps every value it has seen for a folder, so it can be restored, and tried when a key is locked.
import type { Clock, SecretStore } from '../ports';
import { PROJECT_BACKUP_PREFIX } from './names';

export const PROJECT_BACKUPS = `${PROJECT_BACKUP_PREFIX}backups`;
/** Values kept per folder, newest first; older ones are dropped. */
export const MAX_BACKUPS_PER_FOLDER = 10;

export interface ProjectPassphraseBackup {
  passphrase: string;
  /** ISO-8601: when it was last seen in, or written to, the project. */
  savedAt: string;
}

type Backups = Record<string, ProjectPassphraseBackup[]>;

/**
 * One SecretStorage entry for all folders. Two windows may race on it; a lost update only loses a record that the
 * losing window writes again the next time it reads that project's .env.
 */
export class ProjectPassphraseBackups {
  constructor(private readonly secrets: SecretStore, private readonly clock: Clock) {}

  private async read(): Promise<Backups> {
    const raw = await this.secrets.get(PROJECT_BACKUPS);
    if (!raw) return {};
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const backups: Backups = Object.create(null) as Backups;
      for (const [folder, list] of Object.entries(parsed)) {
        if (!Array.isArray(list)) continue;
        backups[folder] = list.filter((item): item is ProjectPassphraseBackup => typeof item?.passphrase === 'string' && typeof item?.savedAt === 'string');
      }
      return backups;
    } catch {
      return {};
    }
  }

  /** Records that `folder` uses `passphrase` (newest first); returns true when it was not known before. */
  async remember(folder: string, passphrase: string): Promise<boolean> {
    if (!passphrase) return false;
    const backups = await this.read();
    const list = Object.hasOwn(backups, folder) ? backups[folder] : [];
    const known = list.some((item) => item.passphrase === passphrase);
    if (known && list[0]?.passphrase === passphrase) return false;
    const savedAt = new Date(this.clock.now()).toISOString();
    backups[folder] = [{ passphrase, savedAt }, ...list.filter((item) => item.passphrase !== passphrase)].slice(0, MAX_BACKUPS_PER_FOLDER);
    await this.secrets.store(PROJECT_BACKUPS, JSON.stringify(backups));
    return !known;
  }

  /** The values kept for one folder, newest first. */
  async list(folder: string): Promise<ProjectPassphraseBackup[]> {
    const backups = await this.read();
    return Object.hasOwn(backups, folder) ? backups[folder] : [];
  }

  /** Every value kept for any folder: candidates when a key is locked. */
  async allPassphrases(): Promise<string[]> {
    return [...new Set(Object.values(await this.read()).flat().map((item) => item.passphrase))];
  }

  async forgetAll(): Promise<number> {
    const count = (await this.allPassphrases()).length;
    await this.secrets.delete(PROJECT_BACKUPS);
    return count;
  }
}
