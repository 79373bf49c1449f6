// The settings panel's messages, shared as types by the host and the webview. The webview speaks first with
// `ready`; the host sends nothing before it, then the full state. Requests carry a requestId for their response.
// No message in either direction ever carries a stored key: only `saveKey` carries a key the user just typed.

import type { Verdict } from '../core/verify/types';

export type ProviderStatus = 'not_set' | 'unverified' | 'locked' | 'rotation_due' | Verdict;

export interface PanelProvider {
  id: string;
  label: string;
  recommended: boolean;
  custom: boolean;
  status: ProviderStatus;
  statusLabel: string;
  verifying: boolean;
  masked?: string;
  writeVar: string;
  keyPrefix?: string;
  credits?: string;
  /** Spending the provider reports (today, this month) and when the key's limit resets. */
  usage?: string;
  rateLimit?: string;
  message?: string;
  checkedAgo?: string;
  keyAge?: string;
  /** The provider's own expiry date for the key (OpenRouter), YYYY-MM-DD. */
  expires?: string;
  hasStatusPage: boolean;
  verifiable: boolean;
  /** One sentence when checks would send the key in clear text (plain http:// to another machine). */
  warning?: string;
}

export interface PanelEncryption {
  /** One sentence about the vault passphrase (where it lives, since when). */
  vaultLabel: string;
  vaultReady: boolean;
  rotationInProgress: boolean;
  lockedCount: number;
  /** API_KEY_ENCRYPTION_KEY in VS Code's own environment, judged; it belongs to a project, not to the vault. */
  environment?: { strengthVerdict: StrengthVerdict; strengthMessage: string };
}

export type StrengthVerdict = 'ok' | 'missing' | 'too_short' | 'dev_default' | 'placeholder' | 'whitespace';

/** A project's API_KEY_ENCRYPTION_KEY: never the value, only where it is, how strong, and whether it is backed up. */
export interface PanelProjectPassphrase {
  state: 'set' | 'missing' | 'restricted' | 'unreadable';
  strengthVerdict?: StrengthVerdict;
  strengthMessage?: string;
  backups: number;
  backedUp: boolean;
  sameAsVault: boolean;
}

export interface PanelProject {
  folder: string;
  name: string;
  envFile: string;
  exists: boolean;
  gitState: 'ignored' | 'not_ignored' | 'tracked' | 'not_a_repo' | 'git_missing' | 'unknown';
  gitMessage: string;
  /** The one-click fix on offer: add the file to .gitignore, or stop tracking it (and ignore it). */
  fix?: 'ignore' | 'untrack';
  /** Variables Crucible reads that the file sets: names only. */
  variables: { name: string; provider?: string; used: boolean }[];
  passphrase: PanelProjectPassphrase;
  /** One sentence when the folder's .env cannot be used (crucibleKeys.envFile outside it, an unreadable file). */
  problem?: string;
}

export interface PanelCustomProvider {
  id: string;
  label: string;
  baseUrl: string;
  envVar: string;
  prefix?: string;
}

/** What Crucible holds for one provider, compared with the active profile: masks only, as Crucible shows them. */
export interface PanelCrucibleProvider {
  id: string;
  label: string;
  state: 'same' | 'different' | 'only_in_crucible' | 'only_in_vault' | 'unreadable' | 'unrecognised';
  stateLabel: string;
  /** Crucible's mask, described (e.g. "…a1b2, 51 characters"). */
  mask?: string;
  message: string;
  inVault: boolean;
  inCrucible: boolean;
}

/** The Crucible section: the server, the connection, and what it holds. */
export interface PanelCrucible {
  apiUrl?: string;
  connection: 'disconnected' | 'connecting' | 'connected' | 'failed';
  connectionLabel: string;
  message?: string;
  warning?: string;
  version?: string;
  profile: string;
  providers: PanelCrucibleProvider[];
  /** Keys under ids Crucible Keys does not know. */
  others: { id: string; mask: string }[];
  /** Labels of the providers Crucible can no longer read. */
  unreadable: string[];
  /** An unfinished rotation of Crucible's encryption key. */
  rotation?: { step: number; of: number; startedAt: string };
  passwordRemembered: boolean;
}

export const CRUCIBLE_ACTIONS = ['connect', 'refresh', 'push', 'remove', 'reenter', 'rotate'] as const;
export type CrucibleAction = (typeof CRUCIBLE_ACTIONS)[number];

export interface PanelState {
  /** The active key profile and every profile there is. */
  profile: string;
  profiles: string[];
  providers: PanelProvider[];
  encryption: PanelEncryption;
  projects: PanelProject[];
  customProviders: PanelCustomProvider[];
  crucible: PanelCrucible;
}

export type WebviewRequest =
  | { type: 'saveKey'; requestId: string; provider: string; key: string; verify: boolean }
  | { type: 'verifyKey'; requestId: string; provider: string }
  | { type: 'removeKey'; requestId: string; provider: string }
  | { type: 'verifyAll'; requestId: string }
  | { type: 'copyToEnv'; requestId: string; provider?: string }
  | { type: 'rotateVault'; requestId: string }
  | { type: 'switchProfile'; requestId: string; profile: string }
  | { type: 'unlock'; requestId: string }
  | { type: 'fixGitSafety'; requestId: string; folder: string }
  | { type: ProjectPassphraseAction; requestId: string; folder: string }
  | { type: 'saveCustomProvider'; requestId: string; provider: PanelCustomProvider; replaces?: string }
  | { type: 'removeCustomProvider'; requestId: string; id: string }
  /** `provider` only pre-selects a row in the push or remove list; the person still chooses and confirms. */
  | { type: 'crucible'; requestId: string; action: CrucibleAction; provider?: string };

/** What a project card can do with its API_KEY_ENCRYPTION_KEY; each asks the person to confirm in VS Code. */
export const PROJECT_PASSPHRASE_ACTIONS = ['generateProjectKey', 'rotateProjectKey', 'restoreProjectKey', 'adoptProjectKey', 'vaultKeyToProject'] as const;
export type ProjectPassphraseAction = (typeof PROJECT_PASSPHRASE_ACTIONS)[number];

export type WebviewNotification =
  | { type: 'ready' }
  | { type: 'openPage'; provider: string; page: 'key' | 'status' }
  | { type: 'showLogs' };

export type WebviewMessage = WebviewRequest | WebviewNotification;

export type HostMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'response'; requestId: string; ok: boolean; message?: string };

const MAX_KEY_LENGTH = 4096;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Raw, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

function text(value: unknown, max = 512): value is string {
  return typeof value === 'string' && value.length <= max;
}

function customProviderShape(value: unknown): value is PanelCustomProvider {
  return isRecord(value) && onlyKeys(value, ['id', 'label', 'baseUrl', 'envVar', 'prefix'])
    && text(value.id, 32) && text(value.label, 80) && text(value.baseUrl, 2048) && text(value.envVar, 128)
    && (value.prefix === undefined || text(value.prefix, 40));
}

/**
 * Checks a message from the webview against the protocol, including that named providers and folders exist.
 * Returns the typed message, or a reason it was refused (for a warn-level log line; never the key).
 */
export function validateWebviewMessage(raw: unknown, known: { providers: ReadonlySet<string>; folders: ReadonlySet<string>; customIds: ReadonlySet<string>; profiles?: ReadonlySet<string> }): { ok: true; message: WebviewMessage } | { ok: false; reason: string } {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not an object with a type' };
  const type = raw.type;
  const fail = (reason: string) => ({ ok: false as const, reason: `${type}: ${reason}` });
  const fields = (...names: string[]) => onlyKeys(raw, ['type', ...names]);
  const request = () => typeof raw.requestId === 'string' && REQUEST_ID.test(raw.requestId);
  const provider = () => typeof raw.provider === 'string' && known.providers.has(raw.provider);
  switch (type) {
    case 'ready':
    case 'showLogs':
      return fields() ? { ok: true, message: { type } } : fail('unexpected fields');
    case 'openPage':
      if (!fields('provider', 'page') || !provider() || (raw.page !== 'key' && raw.page !== 'status')) return fail('needs a known provider and page key|status');
      return { ok: true, message: { type, provider: raw.provider as string, page: raw.page } };
    case 'saveKey':
      if (!fields('requestId', 'provider', 'key', 'verify') || !request() || !provider()) return fail('needs requestId and a known provider');
      if (typeof raw.key !== 'string' || raw.key.length === 0 || raw.key.length > MAX_KEY_LENGTH || typeof raw.verify !== 'boolean') return fail('needs a key of 1 to 4096 characters and verify');
      return { ok: true, message: { type, requestId: raw.requestId as string, provider: raw.provider as string, key: raw.key, verify: raw.verify } };
    case 'verifyKey':
    case 'removeKey':
      if (!fields('requestId', 'provider') || !request() || !provider()) return fail('needs requestId and a known provider');
      return { ok: true, message: { type, requestId: raw.requestId as string, provider: raw.provider as string } };
    case 'copyToEnv':
      if (!fields('requestId', 'provider') || !request() || (raw.provider !== undefined && !provider())) return fail('needs requestId and, optionally, a known provider');
      return { ok: true, message: { type, requestId: raw.requestId as string, ...(raw.provider === undefined ? {} : { provider: raw.provider as string }) } };
    case 'verifyAll':
    case 'rotateVault':
    case 'unlock':
      if (!fields('requestId') || !request()) return fail('needs requestId only');
      return { ok: true, message: { type, requestId: raw.requestId as string } };
    case 'switchProfile':
      if (!fields('requestId', 'profile') || !request() || typeof raw.profile !== 'string' || !known.profiles?.has(raw.profile)) return fail('needs requestId and a known profile');
      return { ok: true, message: { type, requestId: raw.requestId as string, profile: raw.profile } };
    case 'fixGitSafety':
    case 'generateProjectKey':
    case 'rotateProjectKey':
    case 'restoreProjectKey':
    case 'adoptProjectKey':
    case 'vaultKeyToProject':
      if (!fields('requestId', 'folder') || !request() || typeof raw.folder !== 'string' || !known.folders.has(raw.folder)) return fail('needs requestId and a workspace folder');
      return { ok: true, message: { type, requestId: raw.requestId as string, folder: raw.folder } };
    case 'saveCustomProvider':
      if (!fields('requestId', 'provider', 'replaces') || !request() || !customProviderShape(raw.provider)) return fail('needs requestId and a provider {id, label, baseUrl, envVar, prefix?}');
      if (raw.replaces !== undefined && (typeof raw.replaces !== 'string' || !known.customIds.has(raw.replaces))) return fail('replaces an unknown custom provider');
      return { ok: true, message: { type, requestId: raw.requestId as string, provider: raw.provider, ...(raw.replaces === undefined ? {} : { replaces: raw.replaces as string }) } };
    case 'removeCustomProvider':
      if (!fields('requestId', 'id') || !request() || typeof raw.id !== 'string' || !known.customIds.has(raw.id)) return fail('needs requestId and a known custom provider id');
      return { ok: true, message: { type, requestId: raw.requestId as string, id: raw.id } };
    case 'crucible':
      if (!fields('requestId', 'action', 'provider') || !request() || !(CRUCIBLE_ACTIONS as readonly unknown[]).includes(raw.action)) return fail('needs requestId and a known action');
      if (raw.provider !== undefined && !provider()) return fail('names an unknown provider');
      return { ok: true, message: { type, requestId: raw.requestId as string, action: raw.action as CrucibleAction, ...(raw.provider === undefined ? {} : { provider: raw.provider as string }) } };
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(type).slice(0, 40)}` };
  }
}
