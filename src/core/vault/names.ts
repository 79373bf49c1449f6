// The names of every SecretStorage entry the vault owns. One place, so that no two features can collide.

export const SECRET_PREFIX = 'crucibleKeys.';

/** The id of the vault passphrase in force (the value lives in its own entry, below). */
export const CURRENT_PASSPHRASE_ID = 'crucibleKeys.vault.current';
/** One entry per passphrase the vault has used, `crucibleKeys.vault.passphrase.<id>`, kept until no token needs it. */
export const PASSPHRASE_ENTRY_PREFIX = 'crucibleKeys.vault.passphrase.';
/** A vault rotation in progress: written before it starts, removed when it is done. */
export const ROTATION_INTENT = 'crucibleKeys.vault.rotation';
/** Backups of projects' API_KEY_ENCRYPTION_KEY, `crucibleKeys.project.<folder id>`. */
export const PROJECT_BACKUP_PREFIX = 'crucibleKeys.project.';

/** Entries of the layout before one vault passphrase: migrated on activation, then removed. */
export const LEGACY_STORED_PASSPHRASE = 'crucibleKeys.passphrase';
export const LEGACY_PREVIOUS_PASSPHRASE = 'crucibleKeys.passphrase.previous';

/** Names that can never be a key profile, because vault entries live under them. */
export const RESERVED_PROFILE_NAMES: ReadonlySet<string> = new Set(['vault', 'passphrase', 'project', 'crucible']);

export function passphraseEntryName(id: string): string {
  return `${PASSPHRASE_ENTRY_PREFIX}${id}`;
}

/** The SecretStorage entry of one provider's key in one profile, e.g. crucibleKeys.default.openrouter. */
export function tokenEntryName(profile: string, providerId: string): string {
  return `${SECRET_PREFIX}${profile}.${providerId}`;
}

/** The provider id a token entry belongs to, for one profile; undefined for any other entry. */
export function providerIdOfEntry(profile: string, name: string): string | undefined {
  const prefix = `${SECRET_PREFIX}${profile}.`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}
