// Turning what a user pasted into a key, judging it against the catalog, and masking it for display.
import type { ProviderInfo } from './catalog';
import { BUILT_IN_PROVIDERS } from './catalog';
import { InputError } from './errors';
import { accountKeyPrefix, accountKeySentence, inferencePrefixes } from './keyKind';

export class KeyFormatError extends InputError {
  override name = 'KeyFormatError';
}

const MATCHING_QUOTES = /^(["'`])([\s\S]*)\1$/;
/** Longest key accepted; no provider issues keys near this size, and a larger paste is a mistake. */
export const MAX_KEY_LENGTH = 1024;

/** Names of the characters that usually sneak into a pasted key from a web page or a document. */
const CHARACTER_NAMES: Readonly<Record<number, string>> = {
  0x00a0: 'a no-break space', 0x200b: 'a zero-width space', 0x200c: 'a zero-width non-joiner', 0x200d: 'a zero-width joiner',
  0x2060: 'a word joiner', 0xfeff: 'a zero-width no-break space (byte order mark)', 0x2018: 'a left single quotation mark',
  0x2019: 'a right single quotation mark', 0x201c: 'a left double quotation mark', 0x201d: 'a right double quotation mark',
  0x00ab: 'a left guillemet', 0x00bb: 'a right guillemet', 0x2010: 'a hyphen', 0x2011: 'a non-breaking hyphen',
  0x2013: 'an en dash', 0x2014: 'an em dash', 0x2212: 'a minus sign', 0x00ad: 'a soft hyphen', 0x2026: 'an ellipsis',
};

/** "a right double quotation mark (U+201D)": the character named, never shown, so no part of the key is echoed. */
export function describeCharacter(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CHARACTER_NAMES[codePoint] ?? (codePoint < 0x20 || codePoint === 0x7f ? 'a control character' : codePoint > 0x7f ? 'a non-ASCII character' : 'a character');
  return `${name} (${hex})`;
}

/**
 * Trims surrounding ASCII whitespace, newlines and one pair of matching quotes (possibly repeated, as in `"'key'"`).
 * Throws KeyFormatError for an empty key, one with whitespace inside, a masked key, one longer than MAX_KEY_LENGTH,
 * or one with any character outside printable ASCII (curly quotes, zero-width characters), naming it and its position.
 */
export function normalizeKey(input: string): string {
  let key = trimAscii(input);
  for (let match = MATCHING_QUOTES.exec(key); match; match = MATCHING_QUOTES.exec(key)) key = trimAscii(match[2]);
  if (key.length === 0) throw new KeyFormatError('The key is empty.');
  if (key.length > MAX_KEY_LENGTH) throw new KeyFormatError(`The key has ${key.length} characters; keys longer than ${MAX_KEY_LENGTH} are refused, so check that only the key was pasted.`);
  if (/^\*+.{0,8}$/.test(key) || /^[^…]{0,16}…[^…]{0,8}$/.test(key)) throw new KeyFormatError('That is a masked key, not the key itself; copy the full key from the provider.');
  if (/[ \t\r\n]/.test(key)) throw new KeyFormatError('The key has a space or line break inside it; paste it again as one unbroken string.');
  const characters = [...key];
  const bad = characters.findIndex((ch) => !/^[\x21-\x7e]$/.test(ch));
  if (bad !== -1) {
    throw new KeyFormatError(`The key has ${describeCharacter(characters[bad].codePointAt(0)!)} at position ${bad + 1} of ${characters.length}; paste the key again without it.`);
  }
  return key;
}

function trimAscii(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
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
  if (best && best.provider.id !== provider.id && (!own || best.prefix.length > own.length)) looksLike = best.provider;
  // An admin or management key comes first: the settings show only the first warning, and this one matters most.
  const account = accountKeyPrefix(looksLike ?? provider, key);
  if (account) warnings.push(accountKeySentence(looksLike ?? provider, account, looksLike !== undefined));
  if (looksLike) {
    warnings.push(`This looks like ${article(looksLike.label)} ${looksLike.label} key (it starts with ${best!.prefix}); save it under ${looksLike.label} instead?`);
  } else if (provider.prefixes.length > 0 && !own) {
    warnings.push(`${provider.label} keys usually start with ${inferencePrefixes(provider).join(' or ')}.`);
  } else if (!account && provider.shape && !provider.shape.test(key)) {
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
