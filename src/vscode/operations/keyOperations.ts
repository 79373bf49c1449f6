// What the commands and the settings panel do, without the prompts: one implementation behind both UIs.
import type { ProviderInfo } from '../core/catalog';
import { findProviderKeys, providerEnvUpdates } from '../core/crucibleEnv';
import { readEnvFile, updateEnvFile, type EnvWriteResult } from '../core/envFile';
import { checkKeyFor, maskKey, type KeyCheck } from '../core/keyFormat';
import { ENCRYPTION_KEY_VAR, generatePassphrase } from '../core/passphrase';
import { OperationError } from '../core/errors';
import type { Logger } from '../core/ports';
import type { VerifyResult } from '../core/verify/types';
import type { KeyState } from './keyState';
import type { PassphraseResolver, ResolvedPassphrase } from './passphraseResolver';
import type { VerificationService } from './verification';
import type { KeyVault } from './vault';


export interface ImportCandidate {
  provider: ProviderInfo;
  variable: string;
  source: 'file' | 'environment';
  masked: string;
  /** What happens to the stored key if this is imported. */
  effect: 'new' | 'same' | 'replace' | 'replace-locked';
  key: string;
}

export class KeyOperations {
  constructor(
    private readonly vault: KeyVault,
    private readonly state: KeyState,
    private readonly resolver: PassphraseResolver,
    private readonly verification: VerificationService,
    private readonly logger: Logger,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  provider(id: string): ProviderInfo {
    const provider = this.state.providers.get(id);
    if (!provider) throw new OperationError(`There is no provider "${id}".`);
    return provider;
  }

  /** Checks what a user typed for a provider: throws KeyFormatError for unusable input, warns otherwise. */
  checkKey(providerId: string, input: string): KeyCheck {
    return checkKeyFor(this.provider(providerId), input, this.state.providers.all());
  }

  async passphrase(create: boolean): Promise<ResolvedPassphrase | undefined> {
    return this.resolver.resolve(create);
  }

  async saveKey(providerId: string, input: string): Promise<KeyCheck & { masked: string }> {
    const provider = this.provider(providerId);
    const check = this.checkKey(providerId, input);
    const passphrase = await this.resolver.resolve(true);
    if (!passphrase) throw new OperationError('No encryption passphrase could be found or created.');
    const metadata = await this.vault.store(provider, check.key, passphrase.value, this.state.providers.all());
    this.state.markStored(providerId);
    return { ...check, masked: metadata.masked };
  }

  async removeKey(providerId: string): Promise<void> {
    await this.vault.remove(providerId);
    this.state.markRemoved(providerId);
  }

  /** The plaintext key, for copying; throws a OperationError when it is missing or locked. */
  async readKey(providerId: string, passphrase?: ResolvedPassphrase): Promise<string> {
    const provider = this.provider(providerId);
    passphrase ??= await this.resolver.resolve(false);
    const read = await this.vault.read(providerId, passphrase?.value);
    if (read.state === 'missing') throw new OperationError(`No ${provider.label} key is stored.`);
    if (read.state === 'locked') throw new OperationError(`The ${provider.label} key is locked: the encryption passphrase changed. Run "Unlock with Previous Key".`);
    return read.key;
  }

  async verifyKey(providerId: string, signal?: AbortSignal): Promise<VerifyResult> {
    const provider = this.provider(providerId);
    const key = await this.readKey(providerId);
    this.state.setVerifying(providerId, true);
    try {
      const result = await this.verification.verify(provider, key, signal);
      await this.vault.recordResult(result);
      return result;
    } finally {
      this.state.setVerifying(providerId, false);
    }
  }

  /** Verifies every stored, unlocked key concurrently; each result lands in the state as it arrives. */
  async verifyAll(signal: AbortSignal | undefined, onResult?: (result: VerifyResult) => void): Promise<{ results: VerifyResult[]; locked: string[] }> {
    const passphrase = await this.resolver.resolve(false);
    const entries: { provider: ProviderInfo; key: string }[] = [];
    const locked: string[] = [];
    for (const [id, read] of await this.vault.readAll(passphrase?.value)) {
      const provider = this.state.providers.get(id);
      if (!provider) continue;
      if (read.state === 'ok') entries.push({ provider, key: read.key });
      else if (read.state === 'locked') locked.push(id);
    }
    for (const entry of entries) this.state.setVerifying(entry.provider.id, true);
    const recorded: Promise<void>[] = [];
    try {
      const results = await this.verification.verifyAll(entries, signal, (result) => {
        recorded.push(this.vault.recordResult(result).then(() => this.state.setVerifying(result.provider, false)));
        onResult?.(result);
      });
      await Promise.all(recorded);
      return { results, locked };
    } finally {
      for (const entry of entries) this.state.setVerifying(entry.provider.id, false);
    }
  }

  /**
   * Tries each candidate passphrase on the locked keys and re-encrypts what opens under the passphrase in force.
   * Nothing is deleted or overwritten that cannot be opened.
   */
  async unlockWith(candidates: readonly string[]): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    const current = await this.resolver.resolve(true);
    if (!current) throw new OperationError('No encryption passphrase is in force.');
    const unlocked = new Set<string>();
    let stillLocked: string[] = [];
    for (const candidate of candidates) {
      if (!candidate || candidate === current.value) continue;
      const outcome = await this.vault.reencrypt(candidate, current.value);
      outcome.moved.forEach((id) => unlocked.add(id));
      stillLocked = outcome.stillLocked;
      if (stillLocked.length === 0) break;
    }
    await this.state.refresh();
    const snapshot = this.state.snapshot();
    return { unlocked: [...unlocked], stillLocked: snapshot.providers.filter((view) => view.status === 'locked').map((view) => view.id) };
  }

  /** Tries the passphrases Crucible Keys remembers (the stored one, the one before the last rotation). */
  async unlockAutomatically(): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    return this.unlockWith(await this.resolver.knownCandidates());
  }

  /**
   * Rotates the vault's passphrase: keeps the old one as "previous", persists the new one (secret storage, or the
   * .env it came from), then re-encrypts every key. An interruption leaves keys that "Unlock" recovers on its own.
   */
  async rotate(): Promise<{ passphrase: string; moved: string[]; source: ResolvedPassphrase['source']; file?: string }> {
    const current = await this.resolver.resolve(true);
    if (!current) throw new OperationError('No encryption passphrase is in force.');
    if (current.source === 'environment') {
      throw new OperationError(`${ENCRYPTION_KEY_VAR} comes from the environment, so Crucible Keys cannot change it; change it there, restart, then run "Unlock with Previous Key".`);
    }
    await this.state.refresh();
    if (this.state.snapshot().encryption.lockedCount > 0) throw new OperationError('Some keys are locked; unlock them before rotating, so that none is left behind.');
    const next = generatePassphrase();
    await this.resolver.rememberPrevious(current.value);
    if (current.source === 'envFile' && current.file) await updateEnvFile(current.file, { [ENCRYPTION_KEY_VAR]: next });
    else await this.resolver.replaceStored(next);
    const { moved, stillLocked } = await this.vault.reencrypt(current.value, next);
    if (stillLocked.length > 0) this.logger.warn('rotation left %d key(s) locked', stillLocked.length);
    await this.state.refresh();
    return { passphrase: next, moved, source: current.source, file: current.file };
  }

  /** Writes the chosen providers' Crucible variables (and optionally the passphrase) into a .env file. */
  async exportToEnv(file: string, providerIds: readonly string[], includePassphrase: boolean): Promise<EnvWriteResult & { skipped: string[] }> {
    const current = await readEnvFile(file);
    const passphrase = await this.resolver.resolve(includePassphrase);
    const updates: Record<string, string> = {};
    const skipped: string[] = [];
    for (const id of providerIds) {
      try {
        Object.assign(updates, providerEnvUpdates(this.provider(id), await this.readKey(id, passphrase), current.values));
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        skipped.push(id);
      }
    }
    if (includePassphrase && passphrase) updates[ENCRYPTION_KEY_VAR] = passphrase.value;
    if (Object.keys(updates).length === 0) throw new OperationError('None of the chosen keys could be read, so nothing was written.');
    const result = await updateEnvFile(file, updates);
    this.logger.info('wrote %s to %s (skipped %s)', [...result.added, ...result.updated].join(', ') || 'nothing new', file, skipped.join(', ') || 'none');
    return { ...result, skipped };
  }

  /** Keys Crucible would read from a .env file and from this process's environment, compared with the vault. */
  async findImportable(file: string | undefined): Promise<ImportCandidate[]> {
    const candidates: ImportCandidate[] = [];
    const sources: [ImportCandidate['source'], Record<string, string | undefined>][] = [];
    if (file) sources.push(['file', (await readEnvFile(file)).values]);
    sources.push(['environment', this.env]);
    const passphrase = await this.resolver.resolve(false);
    for (const [source, values] of sources) {
      for (const found of findProviderKeys(this.state.providers, values)) {
        let check: KeyCheck;
        try {
          check = this.checkKey(found.provider.id, found.value);
        } catch {
          continue; // not a usable key (a placeholder with spaces, say)
        }
        const stored = await this.vault.read(found.provider.id, passphrase?.value);
        const effect: ImportCandidate['effect'] = stored.state === 'missing' ? 'new' : stored.state === 'locked' ? 'replace-locked' : stored.key === check.key ? 'same' : 'replace';
        candidates.push({ provider: found.provider, variable: found.variable, source, masked: maskKey(check.key, this.state.providers.all()), effect, key: check.key });
      }
    }
    return candidates;
  }

  async importKeys(candidates: readonly ImportCandidate[]): Promise<string[]> {
    const imported: string[] = [];
    for (const candidate of candidates) {
      if (candidate.effect === 'same' || imported.includes(candidate.provider.id)) continue;
      await this.saveKey(candidate.provider.id, candidate.key);
      imported.push(candidate.provider.id);
    }
    return imported;
  }

  /** Deletes every stored API key (not the passphrase) and its metadata. */
  async forgetAll(): Promise<number> {
    const removed = await this.vault.forgetAll(this.state.providers.all().map((provider) => provider.id));
    await this.state.refresh();
    return removed;
  }
}
