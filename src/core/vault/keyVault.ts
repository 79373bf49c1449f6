// The key vault: each API key is a Fernet token (Crucible's encryption) in SecretStorage under the vault
// passphrase; only non-secret metadata (when added, the masked form, the last verdict, redacted) goes to globalState.
// A token under any passphrase the vault remembers still opens, and is moved under the current one when seen.
import type { ProviderInfo } from '../catalog';
import { type Fernet, InvalidToken } from '../fernet';
import type { CrucibleKeyring } from '../keyDerivation';
import { maskKey } from '../keyFormat';
import type { Clock, KeyValueStore, Logger, SecretStore } from '../ports';
import type { Redactor } from '../redact';
import type { VerifyResult } from '../verify/types';
import { providerIdOfEntry, tokenEntryName } from './names';
import type { PassphraseEntry, VaultPassphrases } from './passphrases';

export interface StoredKeyMetadata {
  addedAt: string;
  masked: string;
  lastResult?: VerifyResult;
}

export type KeyRead = { state: 'missing' } | { state: 'locked' } | { state: 'ok'; key: string; passphraseId: string };

const METADATA_KEY = 'crucibleKeys.metadata';
/** A window that stored a key and then saw the passphrase change under it re-encrypts, at most this often. */
const MAX_STORE_ATTEMPTS = 5;
/** How long a window remembers its own saves and removals, to undo another window's stale rewrite of them. */
export const RECENT_WRITE_MS = 10 * 60_000;

/**
 * What this window last did to an entry. SecretStorage has no compare-and-swap, so another window re-encrypting a
 * key can overwrite a save made in the instant between its check and its write. Re-encryption keeps the token's
 * original time stamp, so such a stale rewrite is recognisable: older than this window's own write, another key.
 */
type RecentWrite = { kind: 'saved'; key: string; stamp: number; until: number } | { kind: 'removed'; stamp: number; until: number };

interface Opener {
  entry: PassphraseEntry;
  fernet: Fernet;
}

export class KeyVault {
  private readonly held = new Map<string, () => void>();
  private readonly recent = new Map<string, RecentWrite>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly memento: KeyValueStore,
    readonly passphrases: VaultPassphrases,
    private readonly keyring: CrucibleKeyring,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly clock: Clock,
    readonly profile = 'default',
  ) {}

  secretName(providerId: string): string {
    return tokenEntryName(this.profile, providerId);
  }

  metadata(): Record<string, StoredKeyMetadata> {
    return { ...(this.memento.get<Record<string, StoredKeyMetadata>>(METADATA_KEY) ?? {}) };
  }

  private async saveMetadata(all: Record<string, StoredKeyMetadata>): Promise<void> {
    await this.memento.update(METADATA_KEY, all);
  }

  /**
   * Encrypts and stores a key under the vault passphrase (created on first use). If another window switched the
   * passphrase while this one was writing, the key is written again under the new one, so it is never left under a
   * passphrase that is about to be retired. The token goes in first: a failure leaves the previous key intact.
   */
  async store(provider: ProviderInfo, key: string, providers: readonly ProviderInfo[]): Promise<StoredKeyMetadata> {
    this.hold(provider.id, key);
    const name = this.secretName(provider.id);
    let passphrase = await this.passphrases.ensureCurrent();
    for (let attempt = 1; ; attempt++) {
      const fernet = await this.keyring.fernetFor(passphrase.value);
      const token = fernet.encrypt(key);
      await this.secrets.store(name, token);
      this.recent.set(name, { kind: 'saved', key, stamp: stampOf(token), until: this.clock.now() + RECENT_WRITE_MS });
      // Another window may have switched the passphrase, or forgotten every one (Forget All), meanwhile.
      const after = await this.passphrases.current();
      if (after?.id === passphrase.id || attempt >= MAX_STORE_ATTEMPTS) break;
      this.logger.info('the vault passphrase changed while storing the %s key; storing it again', provider.id);
      passphrase = after ?? (await this.passphrases.ensureCurrent());
    }
    const all = this.metadata();
    const entry: StoredKeyMetadata = { addedAt: new Date(this.clock.now()).toISOString(), masked: maskKey(key, providers) };
    all[provider.id] = entry;
    await this.saveMetadata(all);
    this.logger.info('stored the %s key (%s)', provider.id, entry.masked);
    return entry;
  }

  /** Opens one key with any passphrase the vault knows; locked only when none of them opens it. */
  async read(providerId: string): Promise<KeyRead> {
    const token = await this.secrets.get(this.secretName(providerId));
    if (token === undefined) return { state: 'missing' };
    return this.open(providerId, token, await this.openers());
  }

  /** Opens every stored key, reading each token once. */
  async readAll(): Promise<Map<string, KeyRead>> {
    const openers = await this.openers();
    const reads = new Map<string, KeyRead>();
    for (const [id, token] of await this.tokens()) reads.set(id, this.open(id, token, openers));
    return reads;
  }

  /** Ids of every stored token (from metadata and, where the host can list them, SecretStorage itself). */
  async storedIds(): Promise<string[]> {
    return [...(await this.tokens()).keys()];
  }

  private async openers(): Promise<Opener[]> {
    const openers: Opener[] = [];
    for (const entry of await this.passphrases.known()) openers.push({ entry, fernet: await this.keyring.fernetFor(entry.value) });
    return openers;
  }

  private open(providerId: string, token: string, openers: readonly Opener[]): KeyRead {
    for (const { entry, fernet } of openers) {
      try {
        const key = fernet.decrypt(token);
        this.hold(providerId, key);
        return { state: 'ok', key, passphraseId: entry.id };
      } catch (error) {
        if (!(error instanceof InvalidToken)) throw error;
      }
    }
    return { state: 'locked' };
  }

  /**
   * Moves every token that opens under an older known passphrase to the current one. Each write first checks that
   * the token is still the one that was read, so a key saved meanwhile in another window is never overwritten.
   */
  async consolidate(): Promise<{ moved: string[]; locked: string[] }> {
    const current = await this.passphrases.current();
    const moved: string[] = [];
    const locked: string[] = [];
    if (!current) return { moved, locked: await this.storedIds() };
    const target = await this.keyring.fernetFor(current.value);
    const openers = await this.openers();
    for (const [id, token] of await this.tokens()) {
      const read = this.open(id, token, openers);
      if (read.state === 'locked') locked.push(id);
      if (read.state !== 'ok' || read.passphraseId === current.id) continue;
      if (await this.replaceIfUnchanged(id, token, target.encrypt(read.key, { atSeconds: stampOf(token) }))) moved.push(id);
    }
    if (moved.length) this.logger.info('moved %d key(s) under the vault passphrase', moved.length);
    return { moved, locked };
  }

  /**
   * Tries passphrases the vault does not know (typed by the user, or a project's) on the locked tokens, and moves what
   * opens under the current passphrase. The candidates are not remembered; one that opened nothing leaves the cache.
   */
  async unlockWith(candidates: readonly string[]): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    const current = await this.passphrases.ensureCurrent();
    const target = await this.keyring.fernetFor(current.value);
    const known = new Set((await this.passphrases.known()).map((entry) => entry.value));
    const unlocked: string[] = [];
    const reads = await this.readAll();
    const lockedIds = [...reads].filter(([, read]) => read.state === 'locked').map(([id]) => id);
    for (const candidate of new Set(candidates)) {
      if (!candidate || known.has(candidate)) continue;
      const fernet = await this.keyring.fernetFor(candidate);
      for (const id of lockedIds) {
        if (unlocked.includes(id)) continue;
        const token = await this.secrets.get(this.secretName(id));
        if (token === undefined) continue;
        let key: string;
        try {
          key = fernet.decrypt(token);
        } catch {
          continue;
        }
        this.hold(id, key);
        if (await this.replaceIfUnchanged(id, token, target.encrypt(key, { atSeconds: stampOf(token) }))) unlocked.push(id);
      }
      this.keyring.drop(candidate);
    }
    return { unlocked, stillLocked: lockedIds.filter((id) => !unlocked.includes(id)) };
  }

  /**
   * Forgets passphrases no token needs: never the current one, none while a rotation is recorded, and only once an
   * entry has been out of use (retired, or created and never used) for `graceMs`, so a window that read the old
   * pointer a moment ago has time to notice the change and write its key again under the new passphrase.
   */
  async collectGarbage(graceMs: number): Promise<number> {
    if (await this.passphrases.rotationIntent()) return 0;
    const current = await this.passphrases.current();
    if (!current) return 0;
    const tokens = [...(await this.tokens()).values()];
    let forgotten = 0;
    for (const entry of await this.passphrases.known()) {
      if (entry.id === current.id || this.clock.now() - Date.parse(entry.retiredAt ?? entry.createdAt) < graceMs) continue;
      const fernet = await this.keyring.fernetFor(entry.value);
      const needed = tokens.some((token) => {
        try {
          fernet.decrypt(token);
          return true;
        } catch {
          return false;
        }
      });
      if (needed) continue;
      await this.passphrases.forget(entry.id);
      this.keyring.drop(entry.value);
      forgotten++;
    }
    if (forgotten) this.logger.info('forgot %d vault passphrase(s) that no key needs any more', forgotten);
    return forgotten;
  }

  /**
   * Undoes another window's stale rewrite of what this window saved or removed in the last RECENT_WRITE_MS: a key
   * that reads as another, older one is saved again; a removed key that came back with an older stamp is removed
   * again. A newer write by anyone wins. Runs on every maintenance pass, which follows every change in SecretStorage.
   */
  async repairRecentWrites(): Promise<string[]> {
    const repaired: string[] = [];
    const openers = await this.openers();
    for (const [name, write] of [...this.recent]) {
      if (this.clock.now() > write.until) {
        this.recent.delete(name);
        continue;
      }
      const token = await this.secrets.get(name);
      if (token === undefined) {
        if (write.kind === 'saved') this.recent.delete(name); // removed since, by someone: that is the newer word
        continue;
      }
      if (stampOf(token) > write.stamp) {
        this.recent.delete(name); // a newer write, whoever made it
        continue;
      }
      const id = name.slice(this.secretName('').length);
      if (write.kind === 'removed') {
        await this.secrets.delete(name);
        this.logger.info('removed the %s key again: another window had written back an older copy', id);
        repaired.push(id);
        continue;
      }
      const read = this.open(id, token, openers);
      if (read.state === 'ok' && read.key === write.key) continue;
      const current = await this.passphrases.ensureCurrent();
      const rewritten = (await this.keyring.fernetFor(current.value)).encrypt(write.key);
      await this.secrets.store(name, rewritten);
      this.recent.set(name, { ...write, stamp: stampOf(rewritten) });
      this.logger.info('saved the %s key again: another window had written back an older one', id);
      repaired.push(id);
    }
    return repaired;
  }

  /** Writes `next` only if the entry still holds `expected`: the closest SecretStorage comes to compare-and-swap. */
  private async replaceIfUnchanged(providerId: string, expected: string, next: string): Promise<boolean> {
    if ((await this.secrets.get(this.secretName(providerId))) !== expected) return false;
    await this.secrets.store(this.secretName(providerId), next);
    return true;
  }

  async remove(providerId: string): Promise<void> {
    await this.secrets.delete(this.secretName(providerId));
    this.recent.set(this.secretName(providerId), { kind: 'removed', stamp: Math.floor(this.clock.now() / 1000), until: this.clock.now() + RECENT_WRITE_MS });
    const all = this.metadata();
    delete all[providerId];
    await this.saveMetadata(all);
    this.release(providerId);
    this.logger.info('removed the %s key', providerId);
  }

  /** Keeps the last result, with the provider's labels and headers redacted: globalState is plain JSON on disk. */
  async recordResult(result: VerifyResult): Promise<void> {
    const all = this.metadata();
    const entry = all[result.provider];
    if (!entry) return;
    all[result.provider] = { ...entry, lastResult: this.redactResult(result) };
    await this.saveMetadata(all);
  }

  private redactResult(result: VerifyResult): VerifyResult {
    const redact = (text: string | undefined) => (text === undefined ? undefined : this.redactor.redact(text));
    return {
      ...result,
      message: this.redactor.redact(result.message),
      ...(result.key ? { key: { ...result.key, label: redact(result.key.label) } } : {}),
      ...(result.rateLimit ? { rateLimit: { ...result.rateLimit, headers: Object.fromEntries(Object.entries(result.rateLimit.headers).map(([name, value]) => [name, this.redactor.redact(value)])), requestsReset: redact(result.rateLimit.requestsReset) } } : {}),
    };
  }

  /** Every token, by provider id: ids from metadata, plus SecretStorage.keys() where the host has it. */
  private async tokens(): Promise<Map<string, string>> {
    const ids = new Set(Object.keys(this.metadata()));
    for (const name of await this.secrets.keys()) {
      const id = providerIdOfEntry(this.profile, name);
      if (id) ids.add(id);
    }
    const tokens = new Map<string, string>();
    for (const id of ids) {
      const token = await this.secrets.get(this.secretName(id));
      if (token !== undefined) tokens.set(id, token);
    }
    return tokens;
  }

  /** Deletes every API key of this profile and all metadata. Returns how many were removed. */
  async forgetAll(knownIds: readonly string[]): Promise<number> {
    const tokens = await this.tokens();
    for (const id of new Set([...knownIds, ...tokens.keys()])) await this.secrets.delete(this.secretName(id));
    await this.saveMetadata({});
    for (const release of this.held.values()) release();
    this.held.clear();
    this.recent.clear();
    return tokens.size;
  }

  private hold(providerId: string, key: string): void {
    this.held.get(providerId)?.();
    this.held.set(providerId, this.redactor.hold(key));
  }

  private release(providerId: string): void {
    this.held.get(providerId)?.();
    this.held.delete(providerId);
  }

  /** Forgets every key, passphrase and derived key this process holds (after Forget All, and on deactivation). */
  dispose(): void {
    for (const release of this.held.values()) release();
    this.held.clear();
    this.recent.clear();
    this.keyring.clear();
  }
}

/** A token's own time stamp (seconds), which re-encryption keeps; 0 for something that is not a token. */
function stampOf(token: string): number {
  try {
    const raw = Buffer.from(token.trim(), 'base64url');
    return raw.length >= 9 && raw[0] === 0x80 ? Number(raw.readBigUInt64BE(1)) : 0;
  } catch {
    return 0;
  }
}
