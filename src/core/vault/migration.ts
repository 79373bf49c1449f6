// Moving a vault made before the single vault passphrase. Keys used to be encrypted under whatever passphrase the
// window resolved: API_KEY_ENCRYPTION_KEY from the environment, a trusted workspace .env, or a generated one kept in
// SecretStorage (plus the one before the last rotation). The generated one becomes the vault passphrase; tokens under
// the others are moved under it. A token nothing opens stays exactly as it is, and shows as locked.
import type { Clock, KeyValueStore, Logger, SecretStore } from '../ports';
import { type StoredKeyMetadata, LEGACY_METADATA_KEY, metadataKey } from './keyVault';
import type { KeyVault } from './keyVault';
import { DEFAULT_PROFILE, LEGACY_PREVIOUS_PASSPHRASE, LEGACY_PROFILE, LEGACY_STORED_PASSPHRASE, parseTokenEntry, previousEntryName, tokenEntryName } from './names';

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
  const passphrases = vault.passphrases;
  // Tokens are looked at before the old passphrase entries: 0.1 stored its passphrase before any token, so a pass that
  // sees a token also sees the passphrase, and never mistakes a layout being written for one without a passphrase.
  const orphanTokens = !(await passphrases.current()) && (await vault.entries()).length > 0;
  const stored = await secrets.get(LEGACY_STORED_PASSPHRASE);
  const previous = await secrets.get(LEGACY_PREVIOUS_PASSPHRASE);
  const legacy = stored !== undefined || previous !== undefined || orphanTokens;
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

/**
 * Moves the keys of version 0.1's only profile ("default") into "development", with their metadata: the token is
 * copied first and the old entry deleted after, so an interruption leaves a copy in one place or both. A key that
 * "development" already holds (saved there since) wins; the old one is kept as its previous key, for undo.
 */
export async function migrateLegacyProfile(secrets: SecretStore, memento: KeyValueStore, logger: Logger, clock: Clock, keepMs: number): Promise<string[]> {
  const moved: string[] = [];
  const legacyMetadata = memento.get<Record<string, StoredKeyMetadata>>(LEGACY_METADATA_KEY) ?? {};
  const metadata = { ...(memento.get<Record<string, StoredKeyMetadata>>(metadataKey(DEFAULT_PROFILE)) ?? {}) };
  for (const name of await secrets.keys()) {
    const entry = parseTokenEntry(name);
    if (!entry || entry.profile !== LEGACY_PROFILE) continue;
    const token = await secrets.get(name);
    if (token === undefined) continue;
    const target = tokenEntryName(DEFAULT_PROFILE, entry.providerId);
    const existing = await secrets.get(target);
    if (existing === undefined || existing === token) {
      if (existing === undefined) await secrets.store(target, token);
      if (!metadata[entry.providerId] && legacyMetadata[entry.providerId]) metadata[entry.providerId] = legacyMetadata[entry.providerId];
    } else if ((await secrets.get(previousEntryName(DEFAULT_PROFILE, entry.providerId))) === undefined) {
      await secrets.store(previousEntryName(DEFAULT_PROFILE, entry.providerId), token);
      const now = new Date(clock.now());
      if (metadata[entry.providerId]) metadata[entry.providerId] = { ...metadata[entry.providerId], previous: { masked: legacyMetadata[entry.providerId]?.masked ?? '…', replacedAt: now.toISOString(), keptUntil: new Date(now.getTime() + keepMs).toISOString() } };
    }
    await memento.update(metadataKey(DEFAULT_PROFILE), metadata);
    await secrets.delete(name);
    moved.push(entry.providerId);
  }
  const remaining = (await secrets.keys()).some((name) => parseTokenEntry(name)?.profile === LEGACY_PROFILE);
  if (!remaining && memento.get(LEGACY_METADATA_KEY) !== undefined) {
    for (const [id, value] of Object.entries(legacyMetadata)) if (!metadata[id]) metadata[id] = value;
    await memento.update(metadataKey(DEFAULT_PROFILE), metadata);
    await memento.update(LEGACY_METADATA_KEY, undefined);
  }
  if (moved.length) logger.info('moved %d key(s) of version 0.1 into the %s profile', moved.length, DEFAULT_PROFILE);
  return moved;
}
