// What a push or a removal would do to Crucible's settings, worked out before anything is sent, and whether Crucible
// would accept the result.
//
// `PUT {api}/user/settings` merges `providerApiKeys` into what is stored: a provider left out is kept, an empty string
// deletes. The save is refused (400, nothing stored) unless the RESULT holds an OpenRouter key, or both an OpenAI and
// an Anthropic key; a key that looks masked ("..." inside, or mostly `*`) is refused too
// (service/app/api/routers/user_settings.py _update_user_settings_impl; service/app/core/encryption.py is_masked_key).
import type { BuiltInProviderId } from '../catalog';
import { InputError } from '../errors';
import { CRUCIBLE_IDS, CRUCIBLE_PROVIDERS, describeKey, describeMask, labelOf, maskMatches, parseMask, type VaultKeys, type Wording } from './compare';

export interface PushRequest {
  /** Providers whose vault key is sent to Crucible. */
  push?: readonly BuiltInProviderId[];
  /** Providers whose key Crucible should drop. */
  remove?: readonly BuiltInProviderId[];
  /** Send a key even when Crucible's mask shows it already holds it. */
  force?: boolean;
}

/** add: Crucible has none; replace: it has another (or an unreadable) one; unchanged: it has this one; not_held: nothing to remove. */
export type PushEffect = 'add' | 'replace' | 'unchanged' | 'remove' | 'not_held';

export interface PlannedChange {
  provider: BuiltInProviderId;
  effect: PushEffect;
  /** What is sent for it: the key under its Crucible id, and an empty string for every id to delete. */
  sends: { id: string; action: 'set' | 'delete' }[];
  /** One sentence for people. */
  message: string;
}

export interface PushSuggestion {
  sentence: string;
  /** The request to plan instead; absent when the advice needs the user to act first (add a key to the vault). */
  request?: PushRequest;
}

export interface PushPlan {
  request: PushRequest;
  /** One per provider named in the request, pushes first, in catalog order. */
  changes: PlannedChange[];
  /** The Crucible ids that would hold a key afterwards. */
  resultIds: string[];
  /** True when nothing would be sent (every push unchanged, every removal of a key Crucible does not hold). */
  empty: boolean;
  /** Whether Crucible would accept the save. */
  accepted: boolean;
  /** Why Crucible would refuse it, in one sentence, when it would. */
  refusal?: string;
  /** What the refusal is about: the OpenRouter-or-OpenAI-and-Anthropic rule, or a key Crucible would take for a mask. */
  refusalKind?: 'bundle' | 'masked_key';
  /** Ways to a request Crucible accepts, best first. */
  suggestions: PushSuggestion[];
}

export class PushPlanError extends InputError {
  override name = 'PushPlanError';
}

/** The Crucible rule on the result of a save: an OpenRouter key, or both an OpenAI and an Anthropic key. */
export function bundleRefusal(resultIds: ReadonlySet<string>): string | undefined {
  if (resultIds.has('openrouter')) return undefined;
  const openai = resultIds.has('openai');
  const anthropic = resultIds.has('anthropic');
  if (openai && anthropic) return undefined;
  if (openai || anthropic) {
    const [has, lacks] = openai ? ['OpenAI', 'Anthropic'] : ['Anthropic', 'OpenAI'];
    return `Crucible would refuse this: without an OpenRouter key it takes OpenAI and Anthropic keys only together, and the result would hold ${has} without ${lacks}.`;
  }
  return 'Crucible would refuse this: it needs an OpenRouter key, or both an OpenAI and an Anthropic key, and the result would hold neither.';
}

/** Crucible's own test for a masked value (is_masked_key), which it refuses to store as a key. */
export function looksMaskedToCrucible(key: string): boolean {
  const trimmed = key.trim();
  if (trimmed.includes('...')) return true;
  return trimmed.startsWith('*') && trimmed.length > 4 && [...trimmed].filter((ch) => ch === '*').length > trimmed.length * 0.5;
}

/** Plans a request against what Crucible holds (its masks) and the vault's keys; throws PushPlanError for a request that makes no sense. */
export function planPush(providerApiKeys: Readonly<Record<string, string>>, vault: VaultKeys, request: PushRequest, wording: Wording = {}): PushPlan {
  const source = wording.source ?? 'the vault';
  const plan = evaluate(providerApiKeys, vault, normalise(request), source);
  if (plan.refusalKind === 'bundle') plan.suggestions = suggest(providerApiKeys, vault, plan, source);
  return plan;
}

/** The body's `providerApiKeys` for a plan: the vault's key for every id set, an empty string for every id deleted. */
export function pushBody(plan: PushPlan, vault: VaultKeys): Record<string, string> {
  const body: Record<string, string> = {};
  for (const change of plan.changes) {
    for (const send of change.sends) {
      const key = vault[change.provider];
      if (send.action === 'set' && key === undefined) throw new PushPlanError(`There is no ${labelOf(change.provider)} key to push.`);
      body[send.id] = send.action === 'set' ? key! : '';
    }
  }
  return body;
}

function normalise(request: PushRequest): PushRequest {
  const inOrder = (ids: readonly BuiltInProviderId[] | undefined) => CRUCIBLE_PROVIDERS.filter((id) => ids?.includes(id));
  for (const id of [...(request.push ?? []), ...(request.remove ?? [])]) {
    if (!CRUCIBLE_PROVIDERS.includes(id)) throw new PushPlanError(`Crucible keeps keys only for ${CRUCIBLE_PROVIDERS.join(', ')}; "${id}" is not one of them.`);
  }
  const both = inOrder(request.push).find((id) => request.remove?.includes(id));
  if (both) throw new PushPlanError(`${labelOf(both)} cannot be pushed and removed at once.`);
  return { push: inOrder(request.push), remove: inOrder(request.remove), ...(request.force ? { force: true } : {}) };
}

function evaluate(providerApiKeys: Readonly<Record<string, string>>, vault: VaultKeys, request: PushRequest, source: string): PushPlan {
  const held = new Set(Object.entries(providerApiKeys).filter(([, mask]) => mask !== '').map(([id]) => id));
  const changes = [
    ...(request.push ?? []).map((provider) => pushChange(provider, providerApiKeys, held, vault, request.force === true, source)),
    ...(request.remove ?? []).map((provider) => removeChange(provider, held)),
  ];
  const result = new Set(held);
  for (const send of changes.flatMap((change) => change.sends)) {
    if (send.action === 'set') result.add(send.id);
    else result.delete(send.id);
  }
  const empty = changes.every((change) => change.sends.length === 0);
  const masked = (request.push ?? []).find((provider) => looksMaskedToCrucible(vault[provider] ?? ''));
  const plan: PushPlan = { request, changes, resultIds: [...result].sort(), empty, accepted: true, suggestions: [] };
  const bundle = empty ? undefined : bundleRefusal(result);
  if (masked) {
    Object.assign(plan, { accepted: false, refusalKind: 'masked_key', refusal: `Crucible would take ${source}'s ${labelOf(masked)} key for a masked value (it has "..." inside or is mostly "*") and refuse it.` });
  } else if (bundle) {
    Object.assign(plan, { accepted: false, refusalKind: 'bundle', refusal: bundle });
  }
  return plan;
}

function pushChange(provider: BuiltInProviderId, providerApiKeys: Readonly<Record<string, string>>, held: ReadonlySet<string>, vault: VaultKeys, force: boolean, source: string): PlannedChange {
  const key = vault[provider];
  const label = labelOf(provider);
  if (key === undefined) throw new PushPlanError(`${capitalise(source)} has no ${label} key to push.`);
  const [writeId, ...aliases] = CRUCIBLE_IDS[provider];
  const stale = aliases.filter((id) => held.has(id));
  const staleSends = stale.map((id) => ({ id, action: 'delete' as const }));
  const also = stale.length ? ` (and the older copy under "${stale.join('", "')}" removed)` : '';
  const current = held.has(writeId) ? parseMask(providerApiKeys[writeId]) : undefined;
  if (current && maskMatches(current, key) && stale.length === 0) {
    return {
      provider, effect: 'unchanged', sends: force ? [{ id: writeId, action: 'set' }] : [],
      message: `Crucible already holds ${source}'s ${label} key; it is ${force ? 'sent again anyway' : 'not sent again'}.`,
    };
  }
  const sends = [{ id: writeId, action: 'set' as const }, ...staleSends];
  if (!current && stale.length === 0) return { provider, effect: 'add', sends, message: `${capitalise(source)}'s ${label} key (${describeKey(key)}) would be added.` };
  const before = current ?? parseMask(providerApiKeys[stale[0]]);
  const what = before.kind === 'unreadable' ? `unreadable ${label} key` : `${label} key (${describeMask(before)})`;
  return { provider, effect: 'replace', sends, message: `Crucible's ${what} would be replaced by ${source}'s (${describeKey(key)})${also}.` };
}

function removeChange(provider: BuiltInProviderId, held: ReadonlySet<string>): PlannedChange {
  const label = labelOf(provider);
  const stored = CRUCIBLE_IDS[provider].filter((id) => held.has(id));
  if (stored.length === 0) return { provider, effect: 'not_held', sends: [], message: `Crucible holds no ${label} key, so there is nothing to remove.` };
  return { provider, effect: 'remove', sends: stored.map((id) => ({ id, action: 'delete' })), message: `Crucible's ${label} key would be removed.` };
}

const BUNDLE: readonly BuiltInProviderId[] = ['openrouter', 'openai', 'anthropic'];

/** Requests near the refused one that Crucible would accept, best first: keep what was to be removed, then complete the pair, then add OpenRouter. */
function suggest(providerApiKeys: Readonly<Record<string, string>>, vault: VaultKeys, refused: PushPlan, source: string): PushSuggestion[] {
  const push = refused.request.push ?? [];
  const remove = refused.request.remove ?? [];
  const inVault = (id: BuiltInProviderId) => vault[id] !== undefined && !remove.includes(id);
  const result = new Set(refused.resultIds);
  const candidates: { keep: BuiltInProviderId[]; include: BuiltInProviderId[] }[] = [];
  const removedBundle = remove.filter((id) => BUNDLE.includes(id));
  if (removedBundle.length) candidates.push({ keep: removedBundle, include: [] });
  const pair = (['openai', 'anthropic'] as const).filter((id) => !result.has(id) && !push.includes(id));
  if (pair.length === 1 && inVault(pair[0])) candidates.push({ keep: [], include: [pair[0]] });
  if (!result.has('openrouter') && inVault('openrouter') && !push.includes('openrouter')) candidates.push({ keep: [], include: ['openrouter'] });
  if (pair.length === 2 && pair.every(inVault)) candidates.push({ keep: [], include: [...pair] });

  const suggestions: PushSuggestion[] = [];
  for (const { keep, include } of candidates) {
    const request: PushRequest = { ...refused.request, push: [...push, ...include], remove: remove.filter((id) => !keep.includes(id)) };
    const plan = evaluate(providerApiKeys, vault, normalise(request), source);
    if (!plan.accepted) continue;
    const parts = [
      ...(keep.length ? [`keep ${names(keep)} in Crucible`] : []),
      ...(include.length ? [`include ${names(include)} from ${source} as well`] : []),
    ];
    const sentence = parts.join(' and ');
    suggestions.push({ sentence: `${capitalise(sentence)}.`, request: plan.request });
  }
  if (suggestions.length === 0) suggestions.push({ sentence: `Add an OpenRouter key, or both an OpenAI and an Anthropic key, to ${source} first.` });
  return suggestions;
}

function capitalise(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}`;
}

function names(ids: readonly BuiltInProviderId[]): string {
  const labels = ids.map(labelOf);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}` : labels[0];
}
