// What a window does with the vault when it starts and whenever another window changes it: migrate an old layout,
// finish a rotation some window left behind, move tokens under the current passphrase, try the passphrases it can
// see (projects' API_KEY_ENCRYPTION_KEY) on anything still locked, and forget passphrases nothing needs.
import type { Clock, KeyValueStore, Logger, SecretStore } from '../ports';
import { type KeyVault, PREVIOUS_KEY_KEEP_MS } from './keyVault';
import { migrateLegacyProfile, migrateLegacyVault } from './migration';
import { ROTATION_IN_PROGRESS_MS, type VaultRotation } from './rotation';

/** How long a passphrase that fell out of use is kept before it may be forgotten (when no token needs it). */
export const PASSPHRASE_GRACE_MS = 10 * 60_000;

export interface MaintenanceOutcome {
  moved: string[];
  unlocked: string[];
  locked: string[];
  /** True while another window's rotation is recent: this window leaves it alone. */
  rotationInProgress: boolean;
}

export class VaultMaintenance {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly vault: KeyVault,
    private readonly rotation: VaultRotation,
    private readonly secrets: SecretStore,
    private readonly memento: KeyValueStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Runs one pass at a time in this window; `candidates` are passphrases to try on locked keys, never remembered. */
  run(candidates: () => Promise<string[]>): Promise<MaintenanceOutcome> {
    const next = this.queue.then(() => this.pass(candidates));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Serialises any other vault-wide change (a rotation) with maintenance passes in this window. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async pass(candidates: () => Promise<string[]>): Promise<MaintenanceOutcome> {
    // Every pass, not only the first: it costs two reads, and a window still running an older version may write the
    // old layout at any time.
    const moved = [...(await migrateLegacyVault(this.vault, this.secrets, await candidates(), this.logger)).moved];
    moved.push(...(await migrateLegacyProfile(this.secrets, this.memento, this.logger, this.clock, PREVIOUS_KEY_KEEP_MS)));
    // Undo another window's stale rewrite of a key this window just saved or removed (see KeyVault.recent).
    await this.vault.repairRecentWrites();
    await this.vault.forgetExpiredPrevious();
    const intent = await this.vault.passphrases.rotationIntent();
    if (intent && this.clock.now() - Date.parse(intent.startedAt) < ROTATION_IN_PROGRESS_MS) {
      const reads = await this.vault.readAll();
      return { moved, unlocked: [], locked: [...reads].filter(([, read]) => read.state === 'locked').map(([id]) => id), rotationInProgress: true };
    }
    if (intent) moved.push(...((await this.rotation.resume())?.moved ?? []));
    const consolidated = await this.vault.consolidate();
    moved.push(...consolidated.moved);
    let unlocked: string[] = [];
    let locked = consolidated.locked;
    if (locked.length > 0 && !(await this.vault.passphrases.current())) {
      // Tokens but no vault passphrase: an old layout written while this pass ran. Migrating it again decides the
      // passphrase (the stored one of 0.1 if there is one) instead of generating one here.
      const outcome = await migrateLegacyVault(this.vault, this.secrets, await candidates(), this.logger);
      moved.push(...outcome.moved);
      locked = outcome.locked;
    } else if (locked.length > 0) {
      const outcome = await this.vault.unlockWith(await candidates());
      unlocked = outcome.unlocked;
      locked = outcome.stillLocked;
    }
    await this.vault.collectGarbage(PASSPHRASE_GRACE_MS);
    return { moved: [...new Set(moved)], unlocked, locked, rotationInProgress: false };
  }
}
