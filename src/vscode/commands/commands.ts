// Registers every crucibleKeys.* command. Commands are not an API for other extensions: their arguments are untrusted
// and may only pre-select a provider (the tree row a command runs on). Every choice of file, every confirmation and
// every secret comes from a person, through the Prompter.
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { Redactor } from '../../core/redact';
import { explain, reportError } from '../errors';
import type { KeyOperations } from '../operations/keyOperations';
import type { EncryptionCommands } from './encryptionCommands';
import type { EnvCommands } from './envCommands';
import type { KeyCommands } from './keyCommands';
import type { ProfileCommands } from './profileCommands';
import type { KeyReplacement } from '../replacement/replaceKey';
import type { CrucibleCommands } from '../crucible/crucibleCommands';
import type { CrucibleRotation } from '../crucible/crucibleRotation';
import { preselectedProvider } from './pickers';

function confirmedOnly(outcome: { confirmed: boolean } | undefined): { confirmed: boolean } | undefined {
  return outcome ? { confirmed: outcome.confirmed } : undefined;
}

export class Commands {
  constructor(
    readonly keys: KeyCommands,
    readonly env: EnvCommands,
    readonly encryption: EncryptionCommands,
    readonly profiles: ProfileCommands,
    readonly replacement: KeyReplacement,
    readonly crucible: { commands: CrucibleCommands; rotation: CrucibleRotation },
    private readonly diagnose: () => Promise<unknown>,
    private readonly operations: KeyOperations,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    private readonly channel: vscode.LogOutputChannel,
    private readonly openSettingsPanel: () => void,
    /** Test builds record the sentence each failure showed. */
    private readonly onReported?: (sentence: string) => void,
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
      // The report stays in its own panel: another extension learns only that it ran.
      diagnose: async () => { await this.diagnose(); },
      // Crucible: another extension learns at most whether it worked; every change is confirmed by a person.
      connectCrucible: () => this.crucible.commands.connect(),
      refreshCrucible: async () => { await this.crucible.commands.refresh(); },
      disconnectCrucible: () => this.crucible.commands.disconnect(),
      forgetCruciblePassword: () => this.crucible.commands.forgetPassword(),
      pushToCrucible: async (first) => confirmedOnly(await this.crucible.commands.push(preselectedProvider(first))),
      removeFromCrucible: async (first) => confirmedOnly(await this.crucible.commands.remove(preselectedProvider(first))),
      reenterCrucibleKeys: async () => confirmedOnly(await this.crucible.commands.reenter()),
      rotateCrucibleEncryptionKey: async () => { const result = await this.crucible.rotation.rotate(); return result ? { done: result.done } : undefined; },
    };
    return Object.entries(table).map(([name, handler]) => vscode.commands.registerCommand(`crucibleKeys.${name}`, async (first?: unknown) => {
      try {
        return await handler(first);
      } catch (error) {
        reportError(error, name, this.logger, this.redactor, this.channel);
        this.onReported?.(explain(error, this.redactor));
        return undefined;
      }
    }));
  }
}
