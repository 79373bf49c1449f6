// Each project's Crucible passphrase (API_KEY_ENCRYPTION_KEY in its .env, or in VS Code's environment): shown, judged,
// backed up in SecretStorage, offered to unlock keys. It is never the vault's passphrase unless the user says so.
// Workspace files are read in trusted workspaces only.
import { readEnvFile } from '../../core/envFile';
import { ENCRYPTION_KEY_VAR, judgePassphrase, type PassphraseStrength } from '../../core/passphrase';
import type { Logger } from '../../core/ports';
import type { ProjectPassphraseBackups } from '../../core/vault/projectBackups';
import type { WorkspaceEnv } from '../env/workspaceEnv';

export interface ProjectPassphraseView {
  folder: string;
  name: string;
  /** The folder's .env, or undefined when crucibleKeys.envFile is refused (see `problem`). */
  envFile?: string;
  /** Where the passphrase is: the .env, nowhere, or unknown because the workspace is not trusted. */
  state: 'set' | 'missing' | 'restricted' | 'unreadable';
  strength?: PassphraseStrength;
  /** How many values the extension keeps for this folder, and whether the one in the file is among them. */
  backups: number;
  backedUp: boolean;
  /** Same value as the vault passphrase (the user chose to share it). */
  sameAsVault: boolean;
  problem?: string;
}

export class ProjectPassphrases {
  constructor(
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly backups: ProjectPassphraseBackups,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly logger: Logger,
  ) {}

  /** API_KEY_ENCRYPTION_KEY as VS Code's own process sees it, byte-exact (Crucible does not trim it either). */
  environment(): { strength: PassphraseStrength } | undefined {
    const value = this.env[ENCRYPTION_KEY_VAR];
    return value ? { strength: judgePassphrase(value) } : undefined;
  }

  /** A folder's passphrase as readers of its .env see it; undefined when missing, unreadable or untrusted. */
  async read(folder: string): Promise<string | undefined> {
    const workspaceFolder = this.workspaceEnv.folderAt(folder);
    if (!workspaceFolder || !this.workspaceEnv.isTrusted()) return undefined;
    const contents = await readEnvFile(this.workspaceEnv.envPath(workspaceFolder));
    return contents.values[ENCRYPTION_KEY_VAR] || undefined;
  }

  /** One view per folder; in a trusted workspace every value seen is also backed up. */
  async views(vaultPassphrase: string | undefined): Promise<ProjectPassphraseView[]> {
    const views: ProjectPassphraseView[] = [];
    for (const folder of this.workspaceEnv.folders()) {
      const path = folder.uri.fsPath;
      const base = { folder: path, name: folder.name, backups: 0, backedUp: false, sameAsVault: false };
      let envFile: string;
      try {
        envFile = this.workspaceEnv.envPath(folder);
      } catch (error) {
        views.push({ ...base, state: 'unreadable', problem: (error as Error).message });
        continue;
      }
      if (!this.workspaceEnv.isTrusted()) {
        views.push({ ...base, envFile, state: 'restricted', backups: (await this.backups.list(path)).length });
        continue;
      }
      let value: string | undefined;
      try {
        value = (await readEnvFile(envFile)).values[ENCRYPTION_KEY_VAR] || undefined;
      } catch (error) {
        views.push({ ...base, envFile, state: 'unreadable', problem: (error as Error).message, backups: (await this.backups.list(path)).length });
        continue;
      }
      if (value && (await this.backups.remember(path, value))) this.logger.info('kept a backup of the %s project\'s %s', folder.name, ENCRYPTION_KEY_VAR);
      const kept = await this.backups.list(path);
      views.push({
        ...base, envFile, state: value ? 'set' : 'missing', strength: judgePassphrase(value),
        backups: kept.length, backedUp: !!value && kept.some((item) => item.passphrase === value), sameAsVault: !!value && value === vaultPassphrase,
      });
    }
    return views;
  }

  /** Passphrases worth trying on a locked key: the environment's, every trusted folder's, and every backup. */
  async candidates(): Promise<string[]> {
    const found: string[] = [];
    const fromEnv = this.env[ENCRYPTION_KEY_VAR];
    if (fromEnv) found.push(fromEnv, fromEnv.trim());
    if (this.workspaceEnv.isTrusted()) {
      for (const folder of this.workspaceEnv.folders()) {
        try {
          const value = await this.read(folder.uri.fsPath);
          // Version 0.1 trimmed the value before using it, so keys it saved may be under the trimmed form.
          if (value) found.push(value, value.trim());
        } catch (error) {
          this.logger.debug('could not read the %s project\'s passphrase: %s', folder.name, (error as Error).message);
        }
      }
    }
    found.push(...(await this.backups.allPassphrases()));
    return [...new Set(found.filter(Boolean))];
  }

  /** Values kept for a folder, newest first, for Restore. */
  async backupsOf(folder: string) {
    return this.backups.list(folder);
  }

  async remember(folder: string, passphrase: string): Promise<void> {
    await this.backups.remember(folder, passphrase);
  }

  async forgetBackups(): Promise<number> {
    return this.backups.forgetAll();
  }
}
