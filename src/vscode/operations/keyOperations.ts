// What the commands and the settings panel do, without the prompts: one implementation behind both UIs.
import type { ProviderInfo } from '../../core/catalog';
import { findProviderKeys } from '../../core/crucibleEnv';
import { readEnvFile } from '../../core/envFile';
import { OperationError } from '../../core/errors';
import { checkKeyFor, maskKey, type KeyCheck } from '../../core/keyFormat';
import type { Logger } from '../../core/ports';
import type { KeyVault } from '../../core/vault/keyVault';
import type { VaultMaintenance } from '../../core/vault/maintenance';
import type { VaultRotation } from '../../core/vault/rotation';
import type { VerifyResult } from '../../core/verify/types';
import type { ProjectPassphrases } from '../encryption/projectPassphrases';
import type { KeyState } from '../state/keyState';
import type { VerificationService } from '../verify/verificationService';

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
    private readonly maintenance: VaultMaintenance,
    private readonly rotation: VaultRotation,
    private readonly projects: ProjectPassphrases,
    private readonly state: KeyState,
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

  async saveKey(providerId: string, input: string): Promise<KeyCheck & { masked: string }> {
    const provider = this.provider(providerId);
    const check = this.checkKey(providerId, input);
    const metadata = await this.vault.store(provider, check.key, this.state.providers.all());
    this.state.markStored(providerId);
    return { ...check, masked: metadata.masked };
  }

  async removeKey(providerId: string): Promise<void> {
    await this.vault.remove(providerId);
    this.state.markRemoved(providerId);
  }

  /** The plaintext key, for copying; throws an OperationError when it is missing or locked. */
  async readKey(providerId: string): Promise<string> {
    const provider = this.provider(providerId);
    const read = await this.vault.read(providerId);
    if (read.state === 'missing') throw new OperationError(`No ${provider.label} key is stored.`);
    if (read.state === 'locked') throw new OperationError(`The ${provider.label} key is locked: no passphrase Crucible Keys knows opens it. Run "Unlock Keys".`);
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

  /** Checks a key that is not stored yet (a replacement), spending no tokens; nothing is recorded. */
  async checkCandidate(providerId: string, key: string, signal?: AbortSignal): Promise<VerifyResult> {
    return this.verification.verify(this.provider(providerId), key, signal);
  }

  /** Replaces a stored key, keeping the old one for `keepMs` (undo), and records the new key's check. */
  async replaceKey(providerId: string, key: string, result: VerifyResult | undefined, keepMs: number): Promise<void> {
    await this.vault.replace(this.provider(providerId), key, this.state.providers.all(), keepMs);
    if (result) await this.vault.recordResult(result);
    this.state.markStored(providerId);
    await this.state.refresh();
  }

  /** Puts the previous key back (the current one becomes previous); returns the restored key, or undefined. */
  async restorePrevious(providerId: string, keepMs: number): Promise<string | undefined> {
    const provider = this.provider(providerId);
    if (!(await this.vault.restorePrevious(provider, this.state.providers.all(), keepMs))) return undefined;
    await this.state.refresh();
    return this.readKey(providerId);
  }

  /** Verifies every stored, unlocked key concurrently; each result lands in the state as it arrives. */
  async verifyAll(signal: AbortSignal | undefined, onResult?: (result: VerifyResult) => void): Promise<{ results: VerifyResult[]; locked: string[] }> {
    const entries: { provider: ProviderInfo; key: string }[] = [];
    const locked: string[] = [];
    for (const [id, read] of await this.vault.readAll()) {
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

  /** One maintenance pass: migration, an unfinished rotation, tokens under old passphrases, locked keys, old entries. */
  async maintain(): Promise<void> {
    const outcome = await this.maintenance.run(() => this.projects.candidates());
    if (outcome.moved.length || outcome.unlocked.length) this.logger.info('vault: %d key(s) moved, %d unlocked', outcome.moved.length, outcome.unlocked.length);
    await this.state.refresh();
  }

  /**
   * Tries every passphrase the extension can see on the locked keys (the environment's, each trusted project's, every
   * backup), then `typed`; what opens is moved under the vault passphrase. Nothing that cannot be opened is touched.
   */
  async unlock(typed: readonly string[] = []): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    const candidates = [...(await this.projects.candidates()), ...typed];
    const outcome = await this.maintenance.exclusive(() => this.vault.unlockWith(candidates));
    await this.state.refresh();
    return outcome;
  }

  /** Rotates the vault passphrase (see the step table in core/vault/rotation.ts). */
  async rotateVault(): Promise<{ moved: string[]; locked: string[] }> {
    const outcome = await this.maintenance.exclusive(() => this.rotation.rotate());
    await this.state.refresh();
    return outcome;
  }

  /** Makes a project's API_KEY_ENCRYPTION_KEY the vault passphrase too (an explicit choice of the user). */
  async adoptProjectPassphrase(folder: string): Promise<{ moved: string[]; locked: string[] }> {
    const passphrase = await this.projects.read(folder);
    if (!passphrase) throw new OperationError('That project has no API_KEY_ENCRYPTION_KEY to adopt.');
    const outcome = await this.maintenance.exclusive(() => this.rotation.rotate(passphrase, 'adopted'));
    await this.state.refresh();
    return outcome;
  }

  /** The vault passphrase itself, for the explicit "write it to a project" action; created if there is none yet. */
  async vaultPassphrase(): Promise<string> {
    return (await this.vault.passphrases.ensureCurrent()).value;
  }

  /** The plaintext keys of the chosen providers, skipping (and naming) those that are missing or locked. */
  async readKeys(providerIds: readonly string[]): Promise<{ entries: { provider: ProviderInfo; key: string }[]; skipped: string[] }> {
    const entries: { provider: ProviderInfo; key: string }[] = [];
    const skipped: string[] = [];
    for (const id of providerIds) {
      try {
        entries.push({ provider: this.provider(id), key: await this.readKey(id) });
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        skipped.push(id);
      }
    }
    return { entries, skipped };
  }

  /** Keys Crucible would read from a .env file and from this process's environment, compared with the vault. */
  async findImportable(file: string | undefined): Promise<ImportCandidate[]> {
    const candidates: ImportCandidate[] = [];
    const sources: [ImportCandidate['source'], Record<string, string | undefined>][] = [];
    if (file) sources.push(['file', (await readEnvFile(file)).values]);
    sources.push(['environment', this.env]);
    for (const [source, values] of sources) {
      for (const found of findProviderKeys(this.state.providers, values)) {
        let check: KeyCheck;
        try {
          check = this.checkKey(found.provider.id, found.value);
        } catch {
          continue; // not a usable key (a placeholder with spaces, say)
        }
        const stored = await this.vault.read(found.provider.id);
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

  /** Deletes every stored API key, every vault passphrase and every project passphrase backup. */
  async forgetAll(): Promise<{ keys: number; passphrases: number; backups: number }> {
    const outcome = await this.maintenance.exclusive(async () => ({
      keys: await this.vault.forgetAll(this.state.providers.all().map((provider) => provider.id)),
      passphrases: await this.vault.passphrases.forgetAll(),
      backups: await this.projects.forgetBackups(),
    }));
    this.vault.dispose(); // and nothing of them stays in memory: keys, passphrases, derived keys
    await this.state.refresh();
    return outcome;
  }
}
