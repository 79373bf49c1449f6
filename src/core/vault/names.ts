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

/** The profile every install starts in (keys of version 0.1, stored under "default", move here). */
export const DEFAULT_PROFILE = 'development';
/** Keys of version 0.1 lived under this profile name; it stays reserved so it can only ever mean them. */
export const LEGACY_PROFILE = 'default';
/** Replaced keys, kept a while for undo: `crucibleKeys.previous.<profile>.<provider>`. */
export const PREVIOUS_PREFIX = `${SECRET_PREFIX}previous.`;

/** Names that can never be a key profile, because vault entries live under them. */
export const RESERVED_PROFILE_NAMES: ReadonlySet<string> = new Set(['vault', 'passphrase', 'project', 'crucible', 'previous', 'metadata', LEGACY_PROFILE]);
export const PROFILE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name) && !RESERVED_PROFILE_NAMES.has(name);
}

export function passphraseEntryName(id: string): string {
  return `${PASSPHRASE_ENTRY_PREFIX}${id}`;
}

/** The SecretStorage entry of one provider's key in one profile, e.g. crucibleKeys.default.openrouter. */
export function tokenEntryName(profile: string, providerId: string): string {
  return `${SECRET_PREFIX}${profile}.${providerId}`;
}

/** The entry keeping the key a replacement replaced, for undo. */
export function previousEntryName(profile: string, providerId: string): string {
  return `${PREVIOUS_PREFIX}${profile}.${providerId}`;
}

export interface TokenEntry {
  name: string;
  profile: string;
  providerId: string;
  /** True for a replaced key kept for undo. */
  previous: boolean;
}

/** What a SecretStorage entry name says, when it is a key token (of any profile, the legacy one included). */
export function parseTokenEntry(name: string): TokenEntry | undefined {
  if (!name.startsWith(SECRET_PREFIX)) return undefined;
  const previous = name.startsWith(PREVIOUS_PREFIX);
  const rest = name.slice(previous ? PREVIOUS_PREFIX.length : SECRET_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  const profile = rest.slice(0, dot);
  const providerId = rest.slice(dot + 1);
  if (!(isProfileName(profile) || (profile === LEGACY_PROFILE && !previous)) || providerId.includes('.')) return undefined;
  return { name, profile, providerId, previous };
}
