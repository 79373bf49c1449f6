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
/**
 * Secrets that are not provider keys but are kept like them (a Fernet token under the vault passphrase, moved by every
 * rotation, deleted by Forget All): `crucibleKeys.credential.<id>`, such as a Crucible server's remembered password.
 */
export const CREDENTIAL_PREFIX = `${SECRET_PREFIX}credential.`;
const CREDENTIAL_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Names that can never be a key profile, because vault entries live under them. */
export const RESERVED_PROFILE_NAMES: ReadonlySet<string> = new Set(['vault', 'passphrase', 'project', 'crucible', 'previous', 'metadata', 'credential', LEGACY_PROFILE]);
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

/** The entry of a credential; `id` is lower-case letters, digits and dashes. */
export function credentialEntryName(id: string): string {
  if (!CREDENTIAL_ID.test(id)) throw new Error(`not a credential id: ${id}`);
  return `${CREDENTIAL_PREFIX}${id}`;
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
  /** True for a credential (its providerId is the credential's id, its profile is "credential"). */
  credential: boolean;
}

/** A provider key in force: not a replaced one, not a credential. */
export function isCurrentKey(entry: TokenEntry): boolean {
  return !entry.previous && !entry.credential;
}

/** What a SecretStorage entry name says, when it is a key token (of any profile, the legacy one included). */
export function parseTokenEntry(name: string): TokenEntry | undefined {
  if (!name.startsWith(SECRET_PREFIX)) return undefined;
  if (name.startsWith(CREDENTIAL_PREFIX)) {
    const id = name.slice(CREDENTIAL_PREFIX.length);
    return CREDENTIAL_ID.test(id) ? { name, profile: 'credential', providerId: id, previous: false, credential: true } : undefined;
  }
  const previous = name.startsWith(PREVIOUS_PREFIX);
  const rest = name.slice(previous ? PREVIOUS_PREFIX.length : SECRET_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  const profile = rest.slice(0, dot);
  const providerId = rest.slice(dot + 1);
  if (!(isProfileName(profile) || (profile === LEGACY_PROFILE && !previous)) || providerId.includes('.')) return undefined;
  return { name, profile, providerId, previous, credential: false };
}
