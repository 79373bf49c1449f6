// Moving a vault made before the single vault passphrase. Keys used to be encrypted under whatever passphrase the
// window resolved: API_KEY_ENCRYPTION_KEY from the environment, a trusted workspace .env, or a generated one kept in
// SecretStorage (plus the one before the last rotation). The generated one becomes the vault passphrase; tokens under
// the others are moved under it. A token nothing opens stays exactly as it is, and shows as locked.
import type { Logger, SecretStore } from '../ports';
import type { KeyVault } from './keyVault';
import { LEGACY_PREVIOUS_PASSPHRASE, LEGACY_STORED_PASSPHRASE } from './names';

export interface MigrationOutcome {
  /** True when a legacy layout was found and moved. */
  migrated: boolean;
  moved: string[];
  locked: string[];
}

/**
 * Idempotent, and safe to interrupt: the legacy entries are deleted last, once their passphrases are either the
 * vault's own entries or open nothing. `candidates` are the passphrases the old layout might have used in this
 * window (environment, trusted workspace .env files); they are tried, never remembered.
 */
export async function migrateLegacyVault(vault: KeyVault, secrets: SecretStore, candidates: readonly string[], logger: Logger): Promise<MigrationOutcome> {
  const stored = await secrets.get(LEGACY_STORED_PASSPHRASE);
  const previous = await secrets.get(LEGACY_PREVIOUS_PASSPHRASE);
  const passphrases = vault.passphrases;
  const legacy = stored !== undefined || previous !== undefined || (!(await passphrases.current()) && (await vault.storedIds()).length > 0);
  if (!legacy) return { migrated: false, moved: [], locked: [] };
  if (stored) {
    const entry = await passphrases.add(stored, 'migrated');
    if (!(await passphrases.current())) await passphrases.setCurrent(entry.id);
  }
  const { moved } = await vault.consolidate();
  const unlocked = await vault.unlockWith([previous ?? '', ...candidates].filter(Boolean));
  await secrets.delete(LEGACY_PREVIOUS_PASSPHRASE);
  await secrets.delete(LEGACY_STORED_PASSPHRASE);
  logger.info('migrated the vault to one vault passphrase: %d key(s) moved, %d still locked', moved.length + unlocked.unlocked.length, unlocked.stillLocked.length);
  return { migrated: true, moved: [...moved, ...unlocked.unlocked], locked: unlocked.stillLocked };
}
