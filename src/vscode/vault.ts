// The key vault: each API key is a Fernet token (Crucible's encryption) in SecretStorage; only non-secret
// metadata (when added, the masked form, the last verdict) goes to globalState. Depends on ports, not on vscode.
import type { ProviderInfo } from '../core/catalog';
import { InvalidToken } from '../core/fernet';
import type { CrucibleKeyring } from '../core/keyDerivation';
import { maskKey } from '../core/keyFormat';
import type { Clock, KeyValueStore, Logger, SecretStore } from '../core/ports';
import type { Redactor } from '../core/redact';
import type { VerifyResult } from '../core/verify/types';

export interface StoredKeyMetadata {
  addedAt: string;
  masked: string;
  lastResult?: VerifyResult;
}

export type KeyRead = { state: 'missing' } | { state: 'locked' } | { state: 'ok'; key: string };

const METADATA_KEY = 'crucibleKeys.metadata';

export class VaultError extends Error {
  override name = 'VaultError';
}

export class KeyVault {
  private readonly held = new Map<string, () => void>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly memento: KeyValueStore,
    private readonly keyring: CrucibleKeyring,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly profile = 'default',
  ) {}

  /** The SecretStorage entry for a provider, e.g. crucibleKeys.default.openrouter. */
  secretName(providerId: string): string {
    return `crucibleKeys.${this.profile}.${providerId}`;
  }

  /** The provider id a SecretStorage entry belongs to, if it is one of this vault's. */
  providerIdOf(secretName: string): string | undefined {
    const prefix = `crucibleKeys.${this.profile}.`;
    return secretName.startsWith(prefix) ? secretName.slice(prefix.length) : undefined;
  }

  metadata(): Record<string, StoredKeyMetadata> {
    return { ...(this.memento.get<Record<string, StoredKeyMetadata>>(METADATA_KEY) ?? {}) };
  }

  private async saveMetadata(all: Record<string, StoredKeyMetadata>): Promise<void> {
    await this.memento.update(METADATA_KEY, all);
  }

  async hasToken(providerId: string): Promise<boolean> {
    return (await this.secrets.get(this.secretName(providerId))) !== undefined;
  }

  /** Encrypts and stores a key; the token goes in first, so a failure leaves the previous key and metadata intact. */
  async store(provider: ProviderInfo, key: string, passphrase: string, providers: readonly ProviderInfo[]): Promise<StoredKeyMetadata> {
    const fernet = await this.keyring.fernetFor(passphrase);
    await this.secrets.store(this.secretName(provider.id), fernet.encrypt(key));
    this.hold(provider.id, key);
    const all = this.metadata();
    const entry: StoredKeyMetadata = { addedAt: new Date(this.clock.now()).toISOString(), masked: maskKey(key, providers) };
    all[provider.id] = entry;
    await this.saveMetadata(all);
    this.logger.info('stored the %s key (%s)', provider.id, entry.masked);
    return entry;
  }

  async read(providerId: string, passphrase: string): Promise<KeyRead> {
    const token = await this.secrets.get(this.secretName(providerId));
    if (token === undefined) return { state: 'missing' };
    try {
      const key = (await this.keyring.fernetFor(passphrase)).decrypt(token);
      this.hold(providerId, key);
      return { state: 'ok', key };
    } catch (error) {
      if (error instanceof InvalidToken) return { state: 'locked' };
      throw error;
    }
  }

  async remove(providerId: string): Promise<void> {
    await this.secrets.delete(this.secretName(providerId));
    const all = this.metadata();
    delete all[providerId];
    await this.saveMetadata(all);
    this.held.get(providerId)?.();
    this.held.delete(providerId);
    this.logger.info('removed the %s key', providerId);
  }

  async recordResult(result: VerifyResult): Promise<void> {
    const all = this.metadata();
    const entry = all[result.provider];
    if (!entry) return;
    all[result.provider] = { ...entry, lastResult: result };
    await this.saveMetadata(all);
  }

  /** Provider ids with a token: from metadata, plus SecretStorage.keys() where the host has it. */
  async storedIds(): Promise<string[]> {
    const ids = new Set(Object.keys(this.metadata()));
    if (this.secrets.keys) {
      for (const name of await this.secrets.keys()) {
        const id = this.providerIdOf(name);
        if (id) ids.add(id);
      }
    }
    const present: string[] = [];
    for (const id of ids) if (await this.hasToken(id)) present.push(id);
    return present;
  }

  /**
   * Re-encrypts every token that `from` can open under `to`. Tokens `from` cannot open are left exactly as they
   * are. Returns the ids moved and those left locked; nothing is ever deleted.
   */
  async reencrypt(from: string, to: string): Promise<{ moved: string[]; stillLocked: string[] }> {
    const [oldFernet, newFernet] = await Promise.all([this.keyring.fernetFor(from), this.keyring.fernetFor(to)]);
    const moved: string[] = [];
    const stillLocked: string[] = [];
    for (const id of await this.storedIds()) {
      const token = await this.secrets.get(this.secretName(id));
      if (token === undefined) continue;
      let key: string;
      try {
        key = oldFernet.decrypt(token);
      } catch {
        try {
          newFernet.decrypt(token); // already under the new passphrase
          continue;
        } catch {
          stillLocked.push(id);
          continue;
        }
      }
      await this.secrets.store(this.secretName(id), newFernet.encrypt(key));
      this.hold(id, key);
      moved.push(id);
    }
    this.logger.info('re-encrypted %d key(s); %d still locked', moved.length, stillLocked.length);
    return { moved, stillLocked };
  }

  /** Deletes every API key this vault stored (not the passphrase) and all metadata. Returns how many were removed. */
  async forgetAll(knownIds: readonly string[]): Promise<number> {
    const ids = new Set([...knownIds, ...(await this.storedIds())]);
    let removed = 0;
    for (const id of ids) {
      if (await this.hasToken(id)) removed++;
      await this.secrets.delete(this.secretName(id));
    }
    await this.saveMetadata({});
    for (const release of this.held.values()) release();
    this.held.clear();
    return removed;
  }

  private hold(providerId: string, key: string): void {
    this.held.get(providerId)?.();
    this.held.set(providerId, this.redactor.hold(key));
  }

  dispose(): void {
    for (const release of this.held.values()) release();
    this.held.clear();
  }
}
