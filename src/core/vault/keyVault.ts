// The key vault: each API key is a Fernet token (Crucible's encryption) in SecretStorage under the vault
// passphrase, one set of keys per profile (development, production, …); only non-secret metadata (when added, the
// masked form, the last verdict, redacted) goes to globalState. A token under any passphrase the vault remembers
// still opens, and is moved under the current one when seen. A replaced key is kept a while as "previous", for undo.
import type { ProviderInfo } from '../catalog';
import { type Fernet, InvalidToken } from '../fernet';
import type { CrucibleKeyring } from '../keyDerivation';
import { maskKey } from '../keyFormat';
import type { Clock, KeyValueStore, Logger, SecretStore } from '../ports';
import type { Redactor } from '../redact';
import type { VerifyResult } from '../verify/types';
import { credentialEntryName, DEFAULT_PROFILE, isCurrentKey, parseTokenEntry, previousEntryName, type TokenEntry, tokenEntryName } from './names';
import type { PassphraseEntry, VaultPassphrases } from './passphrases';

export interface StoredKeyMetadata {
  addedAt: string;
  masked: string;
  lastResult?: VerifyResult;
  /** The key this one replaced, kept for undo until `keptUntil`. */
  previous?: { masked: string; replacedAt: string; keptUntil: string };
}

export type KeyRead = { state: 'missing' } | { state: 'locked' } | { state: 'ok'; key: string; passphraseId: string };

/** globalState key of one profile's metadata. */
export function metadataKey(profile: string): string {
  return `crucibleKeys.metadata.${profile}`;
}
/** Where version 0.1 kept its only profile's metadata. */
export const LEGACY_METADATA_KEY = 'crucibleKeys.metadata';

/** How long a replaced key is kept, so the person can undo the replacement. */
export const PREVIOUS_KEY_KEEP_MS = 7 * 86_400_000;
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
    private readonly activeProfile: () => string = () => DEFAULT_PROFILE,
  ) {}

  /** The profile per-key operations act on unless told otherwise. */
  get profile(): string {
    return this.activeProfile();
  }

  secretName(providerId: string, profile = this.profile): string {
    return tokenEntryName(profile, providerId);
  }

  metadata(profile = this.profile): Record<string, StoredKeyMetadata> {
    return { ...(this.memento.get<Record<string, StoredKeyMetadata>>(metadataKey(profile)) ?? {}) };
  }

  private async saveMetadata(profile: string, all: Record<string, StoredKeyMetadata>): Promise<void> {
    await this.memento.update(metadataKey(profile), all);
  }

  /**
   * Encrypts and stores a key under the vault passphrase (created on first use). If another window switched the
   * passphrase while this one was writing, the key is written again under the new one, so it is never left under a
   * passphrase that is about to be retired. The token goes in first: a failure leaves the previous key intact.
   */
  async store(provider: ProviderInfo, key: string, providers: readonly ProviderInfo[], profile = this.profile): Promise<StoredKeyMetadata> {
    const name = this.secretName(provider.id, profile);
    this.hold(name, key);
    await this.writeToken(name, key, provider.id);
    const all = this.metadata(profile);
    const entry: StoredKeyMetadata = { addedAt: new Date(this.clock.now()).toISOString(), masked: maskKey(key, providers), ...(all[provider.id]?.previous ? { previous: all[provider.id].previous } : {}) };
    all[provider.id] = entry;
    await this.saveMetadata(profile, all);
    this.logger.info('stored the %s key of %s (%s)', provider.id, profile, entry.masked);
    return entry;
  }

  private async writeToken(name: string, key: string, label: string): Promise<void> {
    let passphrase = await this.passphrases.ensureCurrent();
    for (let attempt = 1; ; attempt++) {
      const token = (await this.keyring.fernetFor(passphrase.value)).encrypt(key);
      await this.secrets.store(name, token);
      this.recent.set(name, { kind: 'saved', key, stamp: stampOf(token), until: this.clock.now() + RECENT_WRITE_MS });
      // Another window may have switched the passphrase, or forgotten every one (Forget All), meanwhile.
      const after = await this.passphrases.current();
      if (after?.id === passphrase.id || attempt >= MAX_STORE_ATTEMPTS) return;
      this.logger.info('the vault passphrase changed while storing the %s key; storing it again', label);
      passphrase = after ?? (await this.passphrases.ensureCurrent());
    }
  }

  /**
   * Replaces a key and keeps the one it replaces as "previous" until `keepMs` from now, for undo. Returns the new
   * metadata. The previous key goes in first, so a crash never loses the old key before the new one is in.
   */
  async replace(provider: ProviderInfo, key: string, providers: readonly ProviderInfo[], keepMs: number, profile = this.profile): Promise<StoredKeyMetadata> {
    const old = await this.read(provider.id, profile);
    const previous = old.state === 'ok' ? { masked: maskKey(old.key, providers), replacedAt: new Date(this.clock.now()).toISOString(), keptUntil: new Date(this.clock.now() + keepMs).toISOString() } : undefined;
    if (old.state === 'ok') await this.writeToken(previousEntryName(profile, provider.id), old.key, provider.id);
    const stored = await this.store(provider, key, providers, profile);
    if (!previous) return stored;
    const all = this.metadata(profile);
    all[provider.id] = { ...stored, previous };
    await this.saveMetadata(profile, all);
    return all[provider.id];
  }

  /** Puts the previous key back (and the replacing one becomes previous, so undo can be undone). */
  async restorePrevious(provider: ProviderInfo, providers: readonly ProviderInfo[], keepMs: number, profile = this.profile): Promise<boolean> {
    const token = await this.secrets.get(previousEntryName(profile, provider.id));
    if (token === undefined) return false;
    // Past its time (the maintenance pass that forgets it may not have run since): forgotten now, never restored.
    if (this.previousExpired(this.metadata(profile)[provider.id])) {
      await this.forgetPrevious(profile, provider.id);
      return false;
    }
    const read = this.open(previousEntryName(profile, provider.id), token, await this.openers());
    if (read.state !== 'ok') return false;
    await this.replace(provider, read.key, providers, keepMs, profile);
    return true;
  }

  /** Forgets previous keys whose time is up (checked on every maintenance pass). */
  async forgetExpiredPrevious(): Promise<number> {
    let forgotten = 0;
    for (const entry of await this.entries()) {
      if (!entry.previous || !this.previousExpired(this.metadata(entry.profile)[entry.providerId])) continue;
      await this.forgetPrevious(entry.profile, entry.providerId);
      forgotten++;
    }
    if (forgotten) this.logger.info('forgot %d replaced key(s) kept for undo', forgotten);
    return forgotten;
  }

  /** A previous key is kept until its keptUntil; without one (its metadata lost) it is not kept at all. */
  private previousExpired(metadata: StoredKeyMetadata | undefined): boolean {
    const keptUntil = metadata?.previous?.keptUntil;
    return !(keptUntil && Date.parse(keptUntil) > this.clock.now());
  }

  private async forgetPrevious(profile: string, providerId: string): Promise<void> {
    await this.secrets.delete(previousEntryName(profile, providerId));
    const all = this.metadata(profile);
    if (all[providerId]?.previous) {
      delete all[providerId].previous;
      await this.saveMetadata(profile, all);
    }
  }

  /** Opens one key with any passphrase the vault knows; locked only when none of them opens it. */
  async read(providerId: string, profile = this.profile): Promise<KeyRead> {
    const name = this.secretName(providerId, profile);
    const token = await this.secrets.get(name);
    if (token === undefined) return { state: 'missing' };
    return this.open(name, token, await this.openers());
  }

  /** Opens every stored key of one profile, reading each token once. */
  async readAll(profile = this.profile): Promise<Map<string, KeyRead>> {
    const openers = await this.openers();
    const reads = new Map<string, KeyRead>();
    for (const entry of await this.entries()) {
      if (entry.profile !== profile || !isCurrentKey(entry)) continue;
      const token = await this.secrets.get(entry.name);
      if (token !== undefined) reads.set(entry.providerId, this.open(entry.name, token, openers));
    }
    return reads;
  }

  /** Every profile's keys, for comparisons across profiles (the same key in two of them). */
  async readEveryProfile(): Promise<Map<string, Map<string, KeyRead>>> {
    const openers = await this.openers();
    const profiles = new Map<string, Map<string, KeyRead>>();
    for (const entry of await this.entries()) {
      if (!isCurrentKey(entry)) continue;
      const token = await this.secrets.get(entry.name);
      if (token === undefined) continue;
      if (!profiles.has(entry.profile)) profiles.set(entry.profile, new Map());
      profiles.get(entry.profile)!.set(entry.providerId, this.open(entry.name, token, openers));
    }
    return profiles;
  }

  /** Ids of every stored token of a profile. */
  async storedIds(profile = this.profile): Promise<string[]> {
    return (await this.entries()).filter((entry) => entry.profile === profile && isCurrentKey(entry)).map((entry) => entry.providerId);
  }

  /** Profiles that hold at least one key (besides the ones settings name). */
  async profilesInStorage(): Promise<string[]> {
    return [...new Set((await this.entries()).filter(isCurrentKey).map((entry) => entry.profile))];
  }

  private async openers(): Promise<Opener[]> {
    const openers: Opener[] = [];
    for (const entry of await this.passphrases.known()) openers.push({ entry, fernet: await this.keyring.fernetFor(entry.value) });
    return openers;
  }

  /** Decrypts with the first known passphrase that opens the token; `name` is its entry (the redactor holds the key). */
  private open(name: string, token: string, openers: readonly Opener[], kind: 'key' | 'passphrase' = parseTokenEntry(name)?.credential ? 'passphrase' : 'key'): KeyRead {
    for (const { entry, fernet } of openers) {
      try {
        const key = fernet.decrypt(token);
        this.hold(name, key, kind);
        return { state: 'ok', key, passphraseId: entry.id };
      } catch (error) {
        if (!(error instanceof InvalidToken)) throw error;
      }
    }
    return { state: 'locked' };
  }

  /**
   * Moves every token (of every profile, previous keys included) that opens under an older known passphrase to the
   * current one. Each write first checks that the token is still the one that was read, and keeps its time stamp.
   */
  async consolidate(): Promise<{ moved: string[]; locked: string[] }> {
    const current = await this.passphrases.current();
    const moved: string[] = [];
    const locked: string[] = [];
    const tokens = await this.tokens();
    if (!current) return { moved, locked: tokens.map(({ entry }) => entry.providerId) };
    const target = await this.keyring.fernetFor(current.value);
    const openers = await this.openers();
    for (const { entry, token } of tokens) {
      const read = this.open(entry.name, token, openers);
      if (read.state === 'locked') locked.push(entry.providerId);
      if (read.state !== 'ok' || read.passphraseId === current.id) continue;
      if (await this.replaceIfUnchanged(entry.name, token, target.encrypt(read.key, { atSeconds: stampOf(token) }))) moved.push(entry.providerId);
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
    const openers = await this.openers();
    const locked = (await this.tokens()).filter(({ entry, token }) => this.open(entry.name, token, openers).state === 'locked');
    const unlocked: string[] = [];
    for (const candidate of new Set(candidates)) {
      if (!candidate || known.has(candidate)) continue;
      const fernet = await this.keyring.fernetFor(candidate);
      for (const { entry, token } of locked) {
        if (unlocked.includes(entry.name)) continue;
        let key: string;
        try {
          key = fernet.decrypt(token);
        } catch {
          continue;
        }
        this.hold(entry.name, key);
        if (await this.replaceIfUnchanged(entry.name, token, target.encrypt(key, { atSeconds: stampOf(token) }))) unlocked.push(entry.name);
      }
      this.keyring.drop(candidate);
    }
    const idOf = (name: string) => parseTokenEntry(name)?.providerId ?? name;
    return { unlocked: unlocked.map(idOf), stillLocked: locked.filter(({ entry }) => !unlocked.includes(entry.name)).map(({ entry }) => entry.providerId) };
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
    const tokens = (await this.tokens()).map(({ token }) => token);
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
      const id = parseTokenEntry(name)?.providerId ?? name;
      if (write.kind === 'removed') {
        await this.secrets.delete(name);
        this.logger.info('removed the %s key again: another window had written back an older copy', id);
        repaired.push(id);
        continue;
      }
      const read = this.open(name, token, openers);
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
  private async replaceIfUnchanged(name: string, expected: string, next: string): Promise<boolean> {
    if ((await this.secrets.get(name)) !== expected) return false;
    await this.secrets.store(name, next);
    return true;
  }

  async remove(providerId: string, profile = this.profile): Promise<void> {
    const name = this.secretName(providerId, profile);
    await this.secrets.delete(name);
    this.recent.set(name, { kind: 'removed', stamp: Math.floor(this.clock.now() / 1000), until: this.clock.now() + RECENT_WRITE_MS });
    const all = this.metadata(profile);
    delete all[providerId];
    await this.saveMetadata(profile, all);
    this.release(name);
    this.logger.info('removed the %s key of %s', providerId, profile);
  }

  /** Keeps the last result, with the provider's labels and headers redacted: globalState is plain JSON on disk. */
  async recordResult(result: VerifyResult, profile = this.profile): Promise<void> {
    const all = this.metadata(profile);
    const entry = all[result.provider];
    if (!entry) return;
    all[result.provider] = { ...entry, lastResult: this.redactResult(result) };
    await this.saveMetadata(profile, all);
  }

  private redactResult(result: VerifyResult): VerifyResult {
    const redact = (text: string | undefined) => (text === undefined ? undefined : this.redactor.redact(text));
    return {
      ...result,
      message: this.redactor.redact(result.message),
      ...(result.note ? { note: this.redactor.redact(result.note) } : {}),
      ...(result.key ? { key: { ...result.key, label: redact(result.key.label) } } : {}),
      ...(result.rateLimit ? { rateLimit: { ...result.rateLimit, headers: Object.fromEntries(Object.entries(result.rateLimit.headers).map(([name, value]) => [name, this.redactor.redact(value)])), requestsReset: redact(result.rateLimit.requestsReset) } } : {}),
    };
  }

  /** Every token entry SecretStorage lists, of every profile, previous keys included. */
  async entries(): Promise<TokenEntry[]> {
    return (await this.secrets.keys()).map(parseTokenEntry).filter((entry): entry is TokenEntry => entry !== undefined);
  }

  private async tokens(): Promise<{ entry: TokenEntry; token: string }[]> {
    const tokens: { entry: TokenEntry; token: string }[] = [];
    for (const entry of await this.entries()) {
      const token = await this.secrets.get(entry.name);
      if (token !== undefined) tokens.push({ entry, token });
    }
    return tokens;
  }

  /** Stores a credential (not a provider key) as a token under the vault passphrase, as keys are. */
  async storeCredential(id: string, value: string): Promise<void> {
    const name = credentialEntryName(id);
    this.hold(name, value, 'passphrase');
    await this.writeToken(name, value, id);
  }

  /** Opens a credential with any passphrase the vault knows. */
  async readCredential(id: string): Promise<KeyRead> {
    const name = credentialEntryName(id);
    const token = await this.secrets.get(name);
    if (token === undefined) return { state: 'missing' };
    return this.open(name, token, await this.openers(), 'passphrase');
  }

  async removeCredential(id: string): Promise<void> {
    const name = credentialEntryName(id);
    await this.secrets.delete(name);
    this.recent.set(name, { kind: 'removed', stamp: Math.floor(this.clock.now() / 1000), until: this.clock.now() + RECENT_WRITE_MS });
    this.release(name);
  }

  /** Deletes every key of every profile (previous keys too), every credential, and all their metadata. Returns how many keys were removed. */
  async forgetAll(profiles: readonly string[]): Promise<number> {
    const entries = await this.entries();
    for (const entry of entries) await this.secrets.delete(entry.name);
    for (const profile of new Set([...profiles, ...entries.filter((entry) => !entry.credential).map((entry) => entry.profile)])) await this.memento.update(metadataKey(profile), undefined);
    await this.memento.update(LEGACY_METADATA_KEY, undefined);
    for (const release of this.held.values()) release();
    this.held.clear();
    this.recent.clear();
    return entries.filter(isCurrentKey).length;
  }

  /** The redactor holds each key read or written, once per entry, for as long as this window may log about it. */
  private hold(name: string, key: string, kind: 'key' | 'passphrase' = 'key'): void {
    this.held.get(name)?.();
    this.held.set(name, this.redactor.hold(key, kind));
  }

  private release(name: string): void {
    this.held.get(name)?.();
    this.held.delete(name);
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
