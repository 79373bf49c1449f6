// Registers every crucibleKeys.* command. Commands are not an API for other extensions: their arguments are untrusted
// and may only pre-select a provider (the tree row a command runs on). Every choice of file, every confirmation and
// every secret comes from a person, through the Prompter.
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { Redactor } from '../../core/redact';
import { reportError } from '../errors';
import type { KeyOperations } from '../operations/keyOperations';
import type { EncryptionCommands } from './encryptionCommands';
import type { EnvCommands } from './envCommands';
import type { KeyCommands } from './keyCommands';
import type { ProfileCommands } from './profileCommands';
import type { KeyReplacement } from '../replacement/replaceKey';
import { preselectedProvider } from './pickers';

export class Commands {
  constructor(
    readonly keys: KeyCommands,
    readonly env: EnvCommands,
    readonly encryption: EncryptionCommands,
    readonly profiles: ProfileCommands,
    readonly replacement: KeyReplacement,
    private readonly operations: KeyOperations,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    private readonly channel: vscode.LogOutputChannel,
    private readonly openSettingsPanel: () => void,
  ) {}

  register(): vscode.Disposable[] {
    const table: Record<string, (first: unknown) => unknown> = {
      addKey: (first) => this.keys.addKey(preselectedProvider(first)),
      verifyKey: (first) => this.keys.verifyKey(preselectedProvider(first)),
      verifyAll: () => this.keys.verifyAll(),
      copyToEnv: (first) => this.env.copyToEnv([preselectedProvider(first)].filter((id): id is string => !!id)),
      importFromEnv: () => this.keys.importFromEnv(),
      removeKey: (first) => this.keys.removeKey(preselectedProvider(first)),
      copyKeyToClipboard: (first) => this.keys.copyKeyToClipboard(preselectedProvider(first)),
      openKeyPage: (first) => this.keys.openPage(preselectedProvider(first), 'key'),
      openStatusPage: (first) => this.keys.openPage(preselectedProvider(first), 'status'),
      generateEncryptionKey: () => this.encryption.generateProjectPassphrase(),
      rotateProjectEncryptionKey: () => this.encryption.rotateProjectPassphrase(),
      restoreProjectEncryptionKey: () => this.encryption.restoreProjectPassphrase(),
      adoptProjectEncryptionKey: () => this.encryption.adoptProjectPassphrase(),
      writeVaultPassphraseToProject: () => this.encryption.writeVaultPassphraseToProject(),
      rotateEncryptionKey: () => this.encryption.rotateVault(),
      unlock: () => this.encryption.unlock(),
      showLogs: () => this.channel.show(true),
      openSettings: () => this.openSettingsPanel(),
      forgetAll: () => this.encryption.forgetAll(),
      switchProfile: () => this.profiles.switchProfile(),
      replaceKey: (first) => this.replacement.replaceKey(preselectedProvider(first)),
      restorePreviousKey: (first) => this.replacement.restorePrevious(preselectedProvider(first)),
      refresh: () => this.operations.maintain(),
    };
    return Object.entries(table).map(([name, handler]) => vscode.commands.registerCommand(`crucibleKeys.${name}`, async (first?: unknown) => {
      try {
        return await handler(first);
      } catch (error) {
        reportError(error, name, this.logger, this.redactor, this.channel);
        return undefined;
      }
    }));
  }
}
