// Keys in new integrated terminals without any file (crucibleKeys.injectIntoTerminals, off by default): the active
// profile's unlocked keys under the variables Crucible reads, in a collection VS Code never writes to disk
// (persistent = false). Never in an untrusted workspace, where a task could read them.
import type * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { KeyVault } from '../../core/vault/keyVault';
import type { KeyState } from '../state/keyState';

export class TerminalKeys implements vscode.Disposable {
  private queued?: Promise<void>;
  private again = false;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly vault: KeyVault,
    private readonly state: KeyState,
    private readonly enabled: () => boolean,
    private readonly trusted: () => boolean,
    private readonly logger: Logger,
  ) {
    collection.persistent = false;
  }

  /** Brings the collection up to date; calls during an update are folded into one more run. */
  update(): Promise<void> {
    if (this.queued) {
      this.again = true;
      return this.queued;
    }
    this.queued = this.apply().finally(() => {
      this.queued = undefined;
      if (this.again) {
        this.again = false;
        void this.update();
      }
    });
    return this.queued;
  }

  private async apply(): Promise<void> {
    this.collection.persistent = false;
    if (!this.enabled() || !this.trusted()) {
      this.collection.clear();
      this.collection.description = undefined;
      return;
    }
    const profile = this.vault.profile;
    const variables = new Map<string, string>();
    for (const [id, read] of await this.vault.readAll(profile)) {
      const provider = this.state.providers.get(id);
      if (provider && read.state === 'ok') variables.set(provider.writeVar, read.key);
    }
    this.collection.clear();
    for (const [name, key] of variables) this.collection.replace(name, key);
    this.collection.description = variables.size
      ? `Crucible Keys: the ${profile} profile's keys (${[...variables.keys()].join(', ')}), for new terminals only; nothing is written to disk.`
      : `Crucible Keys: the ${profile} profile has no unlocked keys to give to terminals.`;
    this.logger.info('terminals get %d key variable(s) of the %s profile', variables.size, profile);
  }

  dispose(): void {
    this.collection.clear();
  }
}
