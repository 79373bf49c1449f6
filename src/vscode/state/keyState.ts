// The one in-memory picture of every provider's key that the tree, the status bar and the settings panel render.
// Built from metadata and a decryption check; holds no plaintext key.
import type { ProviderCatalog, ProviderInfo } from '../../core/catalog';
import type { PassphraseStrength } from '../../core/passphrase';
import type { Clock, Logger } from '../../core/ports';
import type { KeyVault, StoredKeyMetadata } from '../../core/vault/keyVault';
import type { PassphraseOrigin } from '../../core/vault/passphrases';
import type { VerifyResult } from '../../core/verify/types';
import type { ProjectPassphrases, ProjectPassphraseView } from '../encryption/projectPassphrases';

export type { ProviderStatus } from '../../shared/protocol';
import type { ProviderStatus } from '../../shared/protocol';

export interface ProviderView {
  id: string;
  label: string;
  recommended: boolean;
  custom: boolean;
  writeVar: string;
  readVars: readonly string[];
  keyPageUrl: string;
  statusPageUrl?: string;
  verifiable: boolean;
  status: ProviderStatus;
  verifying: boolean;
  masked?: string;
  addedAt?: string;
  lastResult?: VerifyResult;
  /** The origin a check would send the key to in clear text (plain http:// to a host that is not this machine). */
  insecureOrigin?: string;
  /** Other profiles holding this very key: the guide asks for separate development and production keys. */
  sharedWith?: string[];
  /** The key a replacement replaced, kept for undo until `keptUntil`. */
  previous?: { masked: string; keptUntil: string };
}

export interface VaultView {
  /** False until the first key is saved: the vault passphrase is created then. */
  ready: boolean;
  createdAt?: string;
  origin?: PassphraseOrigin;
  rotationInProgress: boolean;
}

export interface EncryptionView {
  vault: VaultView;
  lockedCount: number;
  /** API_KEY_ENCRYPTION_KEY in VS Code's own environment: a project passphrase too, never the vault's. */
  environment?: { strength: PassphraseStrength };
  projects: ProjectPassphraseView[];
}

export interface KeyStateSnapshot {
  /** The active profile, and every profile there is. */
  profile: string;
  profiles: string[];
  providers: ProviderView[];
  encryption: EncryptionView;
  setCount: number;
  validCount: number;
  /** True when a key is rejected, out of credit or locked: the status bar turns to its warning colour. */
  needsAttention: boolean;
}

/** One line about the vault passphrase, for the status bar tooltip and the panel. */
export function describeVault(vault: VaultView): string {
  if (!vault.ready) return 'the vault passphrase is created when the first key is saved';
  const origin = vault.origin === 'adopted' ? ', adopted from a project' : '';
  return `the vault passphrase, kept in secret storage${vault.createdAt ? ` since ${vault.createdAt.slice(0, 10)}` : ''}${origin}${vault.rotationInProgress ? ' (a rotation is in progress)' : ''}`;
}

const DAY_MS = 86_400_000;

export class KeyState {
  private readonly listeners = new Set<() => void>();
  private locked = new Set<string>();
  private present = new Set<string>();
  private readonly verifying = new Set<string>();
  private encryption: EncryptionView = { vault: { ready: false, rotationInProgress: false }, lockedCount: 0, projects: [] };
  private shared = new Map<string, string[]>();
  private profileNames: string[] = [];
  private refreshing?: Promise<void>;

  constructor(
    private catalog: ProviderCatalog,
    private readonly vault: KeyVault,
    private readonly projects: ProjectPassphrases,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly rotationReminderDays: () => number,
    private readonly insecureOriginOf: (provider: ProviderInfo) => string | undefined = () => undefined,
    private readonly configuredProfiles: () => string[] = () => [],
  ) {
    this.present = new Set(Object.keys(vault.metadata()));
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error('state listener failed: %s', (error as Error).message);
      }
    }
  }

  setCatalog(catalog: ProviderCatalog): void {
    this.catalog = catalog;
    this.fire();
  }

  get providers(): ProviderCatalog {
    return this.catalog;
  }

  /** Re-reads which keys exist and which decrypt with the passphrase in force. Concurrent calls share one run. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const profile = this.vault.profile;
    const everything = await this.vault.readEveryProfile();
    const reads = everything.get(profile) ?? new Map();
    const locked = new Set([...reads].filter(([, read]) => read.state === 'locked').map(([id]) => id));
    // The same key in two profiles, compared in memory only.
    this.shared = new Map();
    for (const [id, read] of reads) {
      if (read.state !== 'ok') continue;
      const others = [...everything].filter(([other, keys]) => other !== profile && (() => { const mine = keys.get(id); return mine?.state === 'ok' && mine.key === read.key; })()).map(([other]) => other);
      if (others.length) this.shared.set(id, others);
    }
    this.profileNames = [...new Set([...this.configuredProfiles(), ...everything.keys(), profile])];
    const current = await this.vault.passphrases.current();
    const intent = await this.vault.passphrases.rotationIntent();
    this.present = new Set(reads.keys());
    this.locked = locked;
    this.encryption = {
      vault: { ready: !!current, createdAt: current?.createdAt, origin: current?.origin, rotationInProgress: !!intent },
      lockedCount: locked.size,
      environment: this.projects.environment(),
      projects: await this.projects.views(current?.value),
    };
    this.logger.debug('state: %d key(s), %d locked', reads.size, locked.size);
    this.fire();
  }

  setVerifying(id: string, on: boolean): void {
    if (on) this.verifying.add(id);
    else this.verifying.delete(id);
    this.fire();
  }

  /** Marks a key present (and unlocked) after it was stored, without waiting for a full refresh. */
  markStored(id: string): void {
    this.present.add(id);
    this.locked.delete(id);
    this.encryption = { ...this.encryption, lockedCount: this.locked.size };
    this.fire();
  }

  markRemoved(id: string): void {
    this.present.delete(id);
    this.locked.delete(id);
    this.encryption = { ...this.encryption, lockedCount: this.locked.size };
    this.fire();
  }

  notify(): void {
    this.fire();
  }

  isLocked(id: string): boolean {
    return this.locked.has(id);
  }

  snapshot(): KeyStateSnapshot {
    const metadata = this.vault.metadata();
    const providers = this.catalog.all().map((provider) => this.view(provider, metadata[provider.id]));
    const set = providers.filter((view) => view.status !== 'not_set');
    const profile = this.vault.profile;
    return {
      profile,
      profiles: this.profileNames.includes(profile) ? this.profileNames : [...this.profileNames, profile],
      providers,
      encryption: this.encryption,
      setCount: set.length,
      validCount: set.filter((view) => view.status === 'valid' || (view.status === 'rotation_due' && view.lastResult?.verdict === 'valid')).length,
      needsAttention: set.some((view) => view.status === 'rejected' || view.status === 'no_credit' || view.status === 'locked'),
    };
  }

  private view(provider: ProviderInfo, meta: StoredKeyMetadata | undefined): ProviderView {
    const present = this.present.has(provider.id);
    let status: ProviderStatus = 'not_set';
    if (present && this.locked.has(provider.id)) status = 'locked';
    else if (present) {
      const verdict = meta?.lastResult?.verdict;
      status = verdict ?? 'unverified';
      const days = this.rotationReminderDays();
      const ageMs = meta ? this.clock.now() - Date.parse(meta.addedAt) : 0;
      if (days > 0 && ageMs > days * DAY_MS && (status === 'valid' || status === 'unverified')) status = 'rotation_due';
    }
    return {
      id: provider.id, label: provider.label, recommended: provider.recommended, custom: !!provider.custom,
      writeVar: provider.writeVar, readVars: provider.readVars, keyPageUrl: provider.keyPageUrl, statusPageUrl: provider.statusPageUrl,
      verifiable: !!provider.verify, status, verifying: this.verifying.has(provider.id),
      masked: present ? meta?.masked : undefined, addedAt: present ? meta?.addedAt : undefined, lastResult: present ? meta?.lastResult : undefined,
      insecureOrigin: provider.verify ? this.insecureOriginOf(provider) : undefined,
      ...(present && this.shared.has(provider.id) ? { sharedWith: this.shared.get(provider.id) } : {}),
      ...(present && meta?.previous && Date.parse(meta.previous.keptUntil) > this.clock.now() ? { previous: { masked: meta.previous.masked, keptUntil: meta.previous.keptUntil } } : {}),
    };
  }
}
