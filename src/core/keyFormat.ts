// Turning what a user pasted into a key, judging it against the catalog, and masking it for display.
import type { ProviderInfo } from './catalog';
import { BUILT_IN_PROVIDERS } from './catalog';
import { InputError } from './errors';

export class KeyFormatError extends InputError {
  override name = 'KeyFormatError';
}

const MATCHING_QUOTES = /^(["'`])([\s\S]*)\1$/;

/**
 * Trims surrounding whitespace, newlines and one pair of matching quotes (possibly repeated, as in `"'key'"`).
 * Throws KeyFormatError for an empty key or one with whitespace inside, which no provider issues.
 */
export function normalizeKey(input: string): string {
  let key = input.trim();
  for (let match = MATCHING_QUOTES.exec(key); match; match = MATCHING_QUOTES.exec(key)) key = match[2].trim();
  if (key.length === 0) throw new KeyFormatError('The key is empty.');
  if (/\s/.test(key)) throw new KeyFormatError('The key has a space or line break inside it; paste it again as one unbroken string.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new KeyFormatError('The key contains control characters; paste it again.');
  if (/^\*+.{0,8}$/.test(key) || key.includes('…')) throw new KeyFormatError('That is a masked key, not the key itself; copy the full key from the provider.');
  return key;
}

/** The longest catalog prefix the key starts with, and whose prefix it is. */
export function matchPrefix(key: string, providers: readonly ProviderInfo[] = BUILT_IN_PROVIDERS): { provider: ProviderInfo; prefix: string } | undefined {
  let best: { provider: ProviderInfo; prefix: string } | undefined;
  for (const provider of providers) {
    for (const prefix of provider.prefixes) {
      if (key.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { provider, prefix };
    }
  }
  return best;
}

export interface KeyCheck {
  key: string;
  /** Hints, never refusals: a prefix that points at another provider, or an unusual shape. */
  warnings: string[];
  /** Set when the key looks like another provider's. */
  looksLike?: ProviderInfo;
}

/** Normalises a key for `provider` and collects warnings; throws KeyFormatError only for unusable input. */
export function checkKeyFor(provider: ProviderInfo, input: string, providers: readonly ProviderInfo[] = BUILT_IN_PROVIDERS): KeyCheck {
  const key = normalizeKey(input);
  const warnings: string[] = [];
  const own = provider.prefixes.filter((prefix) => key.startsWith(prefix)).sort((a, b) => b.length - a.length)[0];
  const best = matchPrefix(key, providers);
  let looksLike: ProviderInfo | undefined;
  if (best && best.provider.id !== provider.id && (!own || best.prefix.length > own.length)) {
    looksLike = best.provider;
    warnings.push(`This looks like ${article(best.provider.label)} ${best.provider.label} key (it starts with ${best.prefix}); save it under ${best.provider.label} instead?`);
  } else if (provider.prefixes.length > 0 && !own) {
    warnings.push(`${provider.label} keys usually start with ${provider.prefixes.join(' or ')}.`);
  } else if (provider.shape && !provider.shape.test(key)) {
    warnings.push(`This key does not have the usual ${provider.label} shape (${provider.shapeHint ?? 'unknown'}); check that it is complete.`);
  }
  return { key, warnings, looksLike };
}

/** "a" or "an" before a provider's name. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/**
 * Shows at most the key's known prefix and its last 4 characters, e.g. `sk-or-v1-…a1b2`.
 * Short keys show less, so that the mask never gives away a meaningful share of the secret.
 */
export function maskKey(key: string, providers: readonly ProviderInfo[] = BUILT_IN_PROVIDERS): string {
  const prefix = matchPrefix(key, providers)?.prefix ?? '';
  const rest = key.length - prefix.length;
  const tail = rest >= 16 ? 4 : rest >= 10 ? 2 : 0;
  const shownPrefix = rest >= 10 ? prefix : '';
  return `${shownPrefix}…${tail ? key.slice(-tail) : ''}`;
}
