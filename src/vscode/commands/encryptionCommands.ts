// The vault passphrase (rotate, unlock, forget) and each project's API_KEY_ENCRYPTION_KEY (generate, rotate, restore
// from a backup, adopt for the vault, or take the vault's). The two only meet through an explicit action.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readEnvFile } from '../../core/envFile';
import { OperationError } from '../../core/errors';
import { ENCRYPTION_KEY_VAR, generatePassphrase, judgePassphrase } from '../../core/passphrase';
import type { EnvWriter } from '../env/envWriter';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { ProjectPassphrases } from '../encryption/projectPassphrases';
import type { KeyOperations } from '../operations/keyOperations';
import type { Prompter } from '../ui/prompter';
import type { SecretClipboard } from './clipboard';
import { plural } from './keyCommands';
import type { Pickers } from './pickers';

const CRUCIBLE_DB_WARNING = `Crucible encrypts the keys it stores in its database with ${ENCRYPTION_KEY_VAR}: after a change, restart Crucible and re-enter those keys in its Settings, or they stay unreadable.`;

export class EncryptionCommands {
  constructor(
    private readonly operations: KeyOperations,
    private readonly prompter: Prompter,
    private readonly pickers: Pickers,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly writer: EnvWriter,
    private readonly projects: ProjectPassphrases,
    private readonly clipboard: SecretClipboard,
  ) {}

  async rotateVault(): Promise<{ moved: number } | undefined> {
    const answer = await this.prompter.confirm('vaultRotateConfirm', 'Rotate the vault passphrase and re-encrypt every stored key?', {
      detail: 'The vault passphrase lives in secret storage and is the same in every window. Projects\' API_KEY_ENCRYPTION_KEY values are not changed. If VS Code stops half-way, the next window finishes the rotation; no key is lost.',
      actions: ['Rotate'],
    });
    if (answer !== 'Rotate') return undefined;
    const outcome = await this.operations.rotateVault();
    void vscode.window.showInformationMessage(`Re-encrypted ${plural(outcome.moved.length)} under a new vault passphrase.${outcome.locked.length ? ` ${plural(outcome.locked.length)} stayed locked.` : ''}`);
    return { moved: outcome.moved.length };
  }

  async unlock(): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    let outcome = await this.operations.unlock();
    if (outcome.stillLocked.length > 0) {
      const typed = await this.prompter.input('unlockPassphrase', {
        title: 'Unlock Keys',
        prompt: `${plural(outcome.stillLocked.length)} ${outcome.stillLocked.length === 1 ? 'is' : 'are'} locked: no passphrase Crucible Keys knows opens ${outcome.stillLocked.length === 1 ? 'it' : 'them'}. Enter the ${ENCRYPTION_KEY_VAR} ${outcome.stillLocked.length === 1 ? 'it was' : 'they were'} saved with; ${outcome.stillLocked.length === 1 ? 'it is' : 'they are'} moved under the vault passphrase.`,
        password: true,
      });
      if (typed) {
        const again = await this.operations.unlock([typed]);
        outcome = { unlocked: [...outcome.unlocked, ...again.unlocked], stillLocked: again.stillLocked };
      }
    }
    const message = `Unlocked ${plural(outcome.unlocked.length)}${outcome.stillLocked.length ? `; ${outcome.stillLocked.length} still locked (nothing was deleted)` : ''}.`;
    if (outcome.stillLocked.length) void vscode.window.showWarningMessage(message);
    else void vscode.window.showInformationMessage(message);
    return outcome;
  }

  async forgetAll(): Promise<number> {
    const answer = await this.prompter.confirm('forgetAllConfirm', 'Forget every stored API key and passphrase?', {
      detail: 'All keys, the vault passphrase and every backup of projects\' API_KEY_ENCRYPTION_KEY are deleted from secret storage. .env files are not touched. This cannot be undone.',
      actions: ['Forget All'],
    });
    if (answer !== 'Forget All') return 0;
    const removed = await this.operations.forgetAll();
    void vscode.window.showInformationMessage(`Forgot ${plural(removed.keys)}, ${plural(removed.passphrases, 'vault passphrase')} and ${plural(removed.backups, 'project passphrase backup')}.`);
    return removed.keys;
  }

  /** A new API_KEY_ENCRYPTION_KEY for a project's .env. An existing one is only changed by rotation. */
  /** The folder a panel card named (its own UI), or the person's pick; commands from the palette always pick. */
  private async folderFor(folderPath: string | undefined, title: string) {
    if (folderPath) {
      const folder = this.workspaceEnv.folderAt(folderPath);
      if (!folder) throw new OperationError('That folder is no longer open.');
      return folder;
    }
    return this.pickers.folder(title);
  }

  async generateProjectPassphrase(folderPath?: string): Promise<string | undefined> {
    const passphrase = generatePassphrase();
    if (this.workspaceEnv.folders().length === 0) {
      await this.clipboard.copy(passphrase);
      void vscode.window.showInformationMessage(`A new ${ENCRYPTION_KEY_VAR} was copied to the clipboard (no folder is open to write it to); it is cleared in 45 s.`);
      return undefined;
    }
    const folder = await this.folderFor(folderPath, 'Generate Project Encryption Key');
    if (!folder) return undefined;
    const file = this.workspaceEnv.envPath(folder);
    if ((await readEnvFile(file)).values[ENCRYPTION_KEY_VAR]) {
      const choice = await this.prompter.confirm('projectPassphraseExists', `${path.basename(file)} already sets ${ENCRYPTION_KEY_VAR}. Rotate it instead?`, { detail: CRUCIBLE_DB_WARNING, actions: ['Rotate Project Encryption Key'] });
      if (choice) return this.rotateProjectPassphrase(folder.uri.fsPath);
      return undefined;
    }
    const written = await this.writer.write(file, { [ENCRYPTION_KEY_VAR]: passphrase }, [ENCRYPTION_KEY_VAR], 'Crucible encrypts the keys it stores with this passphrase. Crucible Keys keeps a backup of it in secret storage.');
    if (!written) return undefined;
    await this.projects.remember(folder.uri.fsPath, passphrase);
    void vscode.window.showInformationMessage(`Wrote a new ${ENCRYPTION_KEY_VAR} to ${path.basename(file)}; a backup is kept in secret storage.`);
    return written.review.realPath;
  }

  async rotateProjectPassphrase(folderPath?: string): Promise<string | undefined> {
    const folder = await this.folderFor(folderPath, 'Rotate Project Encryption Key');
    if (!folder) return undefined;
    const file = this.workspaceEnv.envPath(folder);
    const old = (await readEnvFile(file)).values[ENCRYPTION_KEY_VAR];
    if (!old) throw new OperationError(`${path.basename(file)} has no ${ENCRYPTION_KEY_VAR} to rotate; generate one instead.`);
    const answer = await this.prompter.confirm('projectRotateConfirm', `Replace ${ENCRYPTION_KEY_VAR} in ${path.basename(file)} with a new one?`, { detail: `${CRUCIBLE_DB_WARNING} The old value stays in Crucible Keys' backups, so it can be restored.`, actions: ['Rotate'] });
    if (answer !== 'Rotate') return undefined;
    await this.projects.remember(folder.uri.fsPath, old);
    const next = generatePassphrase();
    const written = await this.writer.write(file, { [ENCRYPTION_KEY_VAR]: next }, [ENCRYPTION_KEY_VAR], 'The new project passphrase; the old one is kept in secret storage.');
    if (!written) return undefined;
    await this.projects.remember(folder.uri.fsPath, next);
    void vscode.window.showInformationMessage(`Rotated ${ENCRYPTION_KEY_VAR} in ${path.basename(file)}. Restart Crucible and re-enter the keys stored in its Settings.`);
    return written.review.realPath;
  }

  /** Writes a backed-up value back into a project's .env (after `git clean`, say). */
  async restoreProjectPassphrase(folderPath?: string): Promise<string | undefined> {
    const folder = await this.folderFor(folderPath, 'Restore Project Encryption Key');
    if (!folder) return undefined;
    const backups = await this.projects.backupsOf(folder.uri.fsPath);
    if (backups.length === 0) throw new OperationError(`Crucible Keys has no backup of ${folder.name}'s ${ENCRYPTION_KEY_VAR}.`);
    const file = this.workspaceEnv.envPath(folder);
    const current = (await readEnvFile(file)).values[ENCRYPTION_KEY_VAR];
    const picked = await this.prompter.pickOne('projectRestorePick', backups.map((backup, index) => ({
      label: `Last seen ${backup.savedAt.slice(0, 16).replace('T', ' ')}${index === 0 ? ' (newest)' : ''}`,
      description: [backup.passphrase === current ? 'in the file now' : '', judgePassphrase(backup.passphrase).verdict === 'ok' ? '' : 'weak'].filter(Boolean).join(' · '),
      value: backup.passphrase,
    })), { title: `Restore ${ENCRYPTION_KEY_VAR} for ${folder.name}`, placeHolder: 'Values are never shown' });
    if (picked === undefined) return undefined;
    if (current && current !== picked) await this.projects.remember(folder.uri.fsPath, current);
    const written = await this.writer.write(file, { [ENCRYPTION_KEY_VAR]: picked }, [ENCRYPTION_KEY_VAR], current ? CRUCIBLE_DB_WARNING : 'Crucible can decrypt the keys it stored with this passphrase again.');
    return written?.review.realPath;
  }

  /** Makes a project's passphrase the vault's too: an explicit choice, because it ties the vault to that project. */
  async adoptProjectPassphrase(folderPath?: string): Promise<{ moved: number } | undefined> {
    const folder = await this.folderFor(folderPath, 'Use Project Encryption Key for the Vault');
    if (!folder) return undefined;
    if (!this.workspaceEnv.isTrusted()) throw new OperationError('Crucible Keys does not read a project\'s passphrase in Restricted Mode; trust the workspace first.');
    const answer = await this.prompter.confirm('adoptConfirm', `Use ${folder.name}'s ${ENCRYPTION_KEY_VAR} as the vault passphrase?`, {
      detail: 'Every stored key is re-encrypted under it, in every window. The vault keeps its own copy in secret storage, so deleting the .env later changes nothing.',
      actions: ['Use for the Vault'],
    });
    if (answer !== 'Use for the Vault') return undefined;
    const outcome = await this.operations.adoptProjectPassphrase(folder.uri.fsPath);
    void vscode.window.showInformationMessage(`The vault now uses ${folder.name}'s passphrase; ${plural(outcome.moved.length)} re-encrypted.`);
    return { moved: outcome.moved.length };
  }

  /** Writes the vault passphrase into a project's .env: an explicit choice, with Crucible's database in mind. */
  async writeVaultPassphraseToProject(folderPath?: string): Promise<string | undefined> {
    const folder = await this.folderFor(folderPath, 'Write Vault Passphrase to Project');
    if (!folder) return undefined;
    const file = this.workspaceEnv.envPath(folder);
    const existing = (await readEnvFile(file)).values[ENCRYPTION_KEY_VAR];
    const answer = await this.prompter.confirm('vaultToProjectConfirm', `Write the vault passphrase to ${path.basename(file)} as ${ENCRYPTION_KEY_VAR}?`, {
      detail: existing ? `${path.basename(file)} already has one; it is replaced, and kept in Crucible Keys' backups. ${CRUCIBLE_DB_WARNING}` : 'Crucible will then encrypt the keys it stores exactly as this vault does.',
      actions: ['Write'],
    });
    if (answer !== 'Write') return undefined;
    if (existing) await this.projects.remember(folder.uri.fsPath, existing);
    const passphrase = await this.operations.vaultPassphrase();
    const written = await this.writer.write(file, { [ENCRYPTION_KEY_VAR]: passphrase }, [ENCRYPTION_KEY_VAR], 'The vault passphrase, shared with this project at your request.');
    if (written) await this.projects.remember(folder.uri.fsPath, passphrase);
    return written?.review.realPath;
  }
}
