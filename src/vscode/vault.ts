// The key vault: each API key is a Fernet token (Crucible's encryption) in SecretStorage; only non-secret
// metadata (when added, the masked form, the last verdict) goes to globalState. Depends on ports, not on vscode.
import type { ProviderInfo } from '../core/catalog';
import { type Fernet, InvalidToken } from '../core/fernet';
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

  /** Opens one key; with no passphrase in force, a stored key reads as locked. */
  async read(providerId: string, passphrase: string | undefined): Promise<KeyRead> {
    const token = await this.secrets.get(this.secretName(providerId));
    if (token === undefined) return { state: 'missing' };
    return this.open(providerId, token, passphrase === undefined ? undefined : await this.keyring.fernetFor(passphrase));
  }

  /** Opens every stored key with one passphrase, reading each token once. */
  async readAll(passphrase: string | undefined): Promise<Map<string, KeyRead>> {
    const fernet = passphrase === undefined ? undefined : await this.keyring.fernetFor(passphrase);
    const reads = new Map<string, KeyRead>();
    for (const [id, token] of await this.tokens()) reads.set(id, this.open(id, token, fernet));
    return reads;
  }

  private open(providerId: string, token: string, fernet: Fernet | undefined): KeyRead {
    if (!fernet) return { state: 'locked' };
    try {
      const key = fernet.decrypt(token);
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

  /** Every token, by provider id: ids from metadata, plus SecretStorage.keys() where the host has it. */
  private async tokens(): Promise<Map<string, string>> {
    const ids = new Set(Object.keys(this.metadata()));
    if (this.secrets.keys) {
      for (const name of await this.secrets.keys()) {
        const id = this.providerIdOf(name);
        if (id) ids.add(id);
      }
    }
    const tokens = new Map<string, string>();
    for (const id of ids) {
      const token = await this.secrets.get(this.secretName(id));
      if (token !== undefined) tokens.set(id, token);
    }
    return tokens;
  }

  /**
   * Re-encrypts every token that `from` can open under `to`. Tokens `from` cannot open are left exactly as they
   * are. Returns the ids moved and those left locked; nothing is ever deleted.
   */
  async reencrypt(from: string, to: string): Promise<{ moved: string[]; stillLocked: string[] }> {
    const [oldFernet, newFernet] = await Promise.all([this.keyring.fernetFor(from), this.keyring.fernetFor(to)]);
    const moved: string[] = [];
    const stillLocked: string[] = [];
    for (const [id, token] of await this.tokens()) {
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
    const tokens = await this.tokens();
    for (const id of new Set([...knownIds, ...tokens.keys()])) await this.secrets.delete(this.secretName(id));
    await this.saveMetadata({});
    for (const release of this.held.values()) release();
    this.held.clear();
    return tokens.size;
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
