// What Crucible holds, read from the masks its settings API returns, compared with the keys the vault holds.
//
// Crucible masks a key as one `*` per character but the last 4, then the last 4 (a key of 4 characters or fewer is
// all `*`), so a mask tells the key's length and its end; `***error***` is a key it can no longer decrypt
// (service/app/core/encryption.py mask_api_key; service/app/api/routers/user_settings.py _get_user_settings_impl).
import type { BuiltInProviderId } from '../catalog';
import { BUILT_IN_PROVIDERS } from '../catalog';

/** The keys to compare with, by provider (the vault's, or the environment's for the CLI). */
export type VaultKeys = Partial<Readonly<Record<BuiltInProviderId, string>>>;

/**
 * The ids Crucible stores each provider's key under; the first is the one written and the one Crucible's model router
 * reads. Google's key is read by the router only under `google` (api_key_resolver.py PROVIDER_TO_SETTINGS_KEY), while
 * the provider-key route also looks under `gemini` (user_settings.py get_provider_key), so both are read here.
 */
export const CRUCIBLE_IDS: Readonly<Record<BuiltInProviderId, readonly string[]>> = {
  openrouter: ['openrouter'], openai: ['openai'], anthropic: ['anthropic'], google: ['google', 'gemini'],
  deepseek: ['deepseek'], xai: ['xai'], eden_ai: ['eden_ai'],
};

export const CRUCIBLE_PROVIDERS = BUILT_IN_PROVIDERS.map((provider) => provider.id as BuiltInProviderId);

/** The catalog provider a Crucible id belongs to, or undefined for an id Crucible Keys does not know. */
export function providerOfCrucibleId(id: string): BuiltInProviderId | undefined {
  return CRUCIBLE_PROVIDERS.find((provider) => CRUCIBLE_IDS[provider].includes(id));
}

export function labelOf(provider: BuiltInProviderId): string {
  return BUILT_IN_PROVIDERS.find((info) => info.id === provider)?.label ?? provider;
}

export const UNREADABLE_MASK = '***error***';

export type CrucibleMask =
  | { kind: 'masked'; length: number; last4: string }
  /** A key of 4 characters or fewer: all `*`, so only its length shows. */
  | { kind: 'short'; length: number }
  | { kind: 'unreadable' }
  /** Not a mask Crucible makes: it cannot be compared, and it is never shown. */
  | { kind: 'unrecognised' };

/** Reads one of Crucible's masks. The last 4 must be printable ASCII, as every stored key's are. */
export function parseMask(text: string): CrucibleMask {
  if (text === UNREADABLE_MASK) return { kind: 'unreadable' };
  if (/^\*{1,4}$/.test(text)) return { kind: 'short', length: text.length };
  const match = /^\*+([\x21-\x7e]{4})$/.exec(text);
  if (match && text.length <= 4096) return { kind: 'masked', length: text.length, last4: match[1] };
  return { kind: 'unrecognised' };
}

/** True when `key` would give this mask: same length and same last 4 characters. */
export function maskMatches(mask: CrucibleMask, key: string): boolean {
  if (mask.kind === 'masked') return key.length === mask.length && key.endsWith(mask.last4);
  if (mask.kind === 'short') return key.length === mask.length;
  return false;
}

/** A mask as people see it: "…a1b2, 51 characters". Never more than Crucible itself shows. */
export function describeMask(mask: CrucibleMask): string {
  switch (mask.kind) {
    case 'masked': return `…${mask.last4}, ${mask.length} characters`;
    case 'short': return `a ${mask.length}-character key`;
    case 'unreadable': return UNREADABLE_MASK;
    case 'unrecognised': return 'a value in a form Crucible Keys does not know';
  }
}

/** The same view of a plaintext key, so the two can be set side by side. */
export function describeKey(key: string): string {
  return key.length > 4 ? `…${key.slice(-4)}, ${key.length} characters` : `a ${key.length}-character key`;
}

export type ComparisonState = 'same' | 'different' | 'only_in_crucible' | 'only_in_vault' | 'unreadable' | 'unrecognised' | 'absent';

export interface ProviderComparison {
  provider: BuiltInProviderId;
  state: ComparisonState;
  /** The Crucible ids holding a key for this provider, the one its router reads first. */
  storedUnder: string[];
  /** What Crucible shows for the id it reads (absent when it holds nothing). */
  mask?: CrucibleMask;
  inVault: boolean;
  /** One sentence for people. */
  message: string;
  /** A second fact worth showing, such as a Google key stored under `gemini`. */
  note?: string;
}

/** A key Crucible holds under an id Crucible Keys does not know (another provider, another spelling). */
export interface OtherEntry {
  id: string;
  mask: CrucibleMask;
}

export interface CrucibleComparison {
  /** One entry per built-in provider, in catalog order. */
  providers: ProviderComparison[];
  others: OtherEntry[];
}

/** States that mean Crucible and the vault disagree, or that Crucible cannot use what it holds. */
export function needsAttention(state: ComparisonState): boolean {
  return state === 'different' || state === 'unreadable' || state === 'unrecognised';
}

/** The providers whose key Crucible can read now: after its passphrase changes, each of them must read ***error***. */
export function readableProviders(comparison: CrucibleComparison): BuiltInProviderId[] {
  return comparison.providers.filter((entry) => entry.storedUnder.length > 0 && entry.state !== 'unreadable').map((entry) => entry.provider);
}

/** How messages name where the keys compared with Crucible's come from: "the vault" unless told (the CLI: "the environment"). */
export interface Wording {
  source?: string;
}

/** The longest part of an unknown id that is shown; the rest is cut. */
export const MAX_SHOWN_ID_CHARS = 64;

/**
 * How an id Crucible Keys does not know is shown in a terminal, the tree or the panel. It came from the server, so
 * every character but printable ASCII is written as \uXXXX: no escape sequence, line break or bidi override in it
 * reaches a terminal or a label. A long one is cut.
 */
export function displayCrucibleId(id: string): string {
  const escaped = id.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > MAX_SHOWN_ID_CHARS ? `${escaped.slice(0, MAX_SHOWN_ID_CHARS - 1)}…` : escaped;
}

/** Compares what Crucible holds (its `providerApiKeys` masks) with the vault's keys, provider by provider. */
export function compareWithVault(providerApiKeys: Readonly<Record<string, string>>, vault: VaultKeys, wording: Wording = {}): CrucibleComparison {
  const source = wording.source ?? 'the vault';
  const held = Object.entries(providerApiKeys).filter(([, mask]) => mask !== '');
  const providers = CRUCIBLE_PROVIDERS.map((provider): ProviderComparison => {
    const storedUnder = CRUCIBLE_IDS[provider].filter((id) => held.some(([heldId]) => heldId === id));
    const key = vault[provider];
    const text = storedUnder.length ? providerApiKeys[storedUnder[0]] : undefined;
    const mask = text === undefined ? undefined : parseMask(text);
    const state = comparisonState(mask, key);
    return {
      provider, state, storedUnder, inVault: key !== undefined,
      ...(mask ? { mask } : {}),
      message: stateMessage(state, mask, key, source),
      ...(provider === 'google' ? googleNote(storedUnder) : {}),
    };
  });
  const others = held.filter(([id]) => !providerOfCrucibleId(id)).map(([id, mask]) => ({ id, mask: parseMask(mask) }));
  return { providers, others };
}

function comparisonState(mask: CrucibleMask | undefined, key: string | undefined): ComparisonState {
  if (!mask) return key === undefined ? 'absent' : 'only_in_vault';
  if (mask.kind === 'unreadable') return 'unreadable';
  if (key === undefined) return 'only_in_crucible';
  if (mask.kind === 'unrecognised') return 'unrecognised';
  return maskMatches(mask, key) ? 'same' : 'different';
}

function stateMessage(state: ComparisonState, mask: CrucibleMask | undefined, key: string | undefined, source: string): string {
  switch (state) {
    case 'same': return `Crucible holds ${source}'s key: the length and the last 4 characters match (${describeMask(mask!)}).`;
    case 'different': return `Crucible holds a different key (${describeMask(mask!)}) from ${source}'s (${describeKey(key!)}).`;
    case 'only_in_crucible': return `Only Crucible holds a key (${describeMask(mask!)}); ${source} has none.`;
    case 'only_in_vault': return `Only ${source} holds a key; Crucible has none.`;
    case 'unreadable': return `Crucible can no longer read its key (${UNREADABLE_MASK}) because its API_KEY_ENCRYPTION_KEY changed since the key was saved${key === undefined ? `; ${source} has no key to re-enter` : `; re-enter it from ${source}`}.`;
    case 'unrecognised': return `Crucible shows its key in a form Crucible Keys cannot compare with ${source}'s.`;
    case 'absent': return `Neither Crucible nor ${source} holds a key.`;
  }
}

function googleNote(storedUnder: string[]): { note?: string } {
  if (storedUnder.length === 1 && storedUnder[0] === 'gemini') {
    return { note: 'Crucible holds this key under "gemini", which its model router does not read; pushing Google stores it under "google".' };
  }
  if (storedUnder.length === 2) return { note: 'Crucible also holds an older key under "gemini", which its model router ignores; pushing or removing Google removes it too.' };
  return {};
}
