// Finds keys in text: the exact values the user owns (and their first and last parts), and credentials with a
// catalog provider's prefix and shape. A native substring search finds every place a catalog prefix starts, and
// every place an owned value's rarest character is; each place is then checked by hand.
//
// Text is searched as a "byte string": each byte of the file is one UTF-16 unit (latin1), so offsets are byte
// offsets, files that are not UTF-8 are searched too, and an owned value is searched as its UTF-8 bytes.
import type { ProviderInfo } from '../catalog';
import { maskKey, matchPrefix } from '../keyFormat';
import type { KnownSecret, RuleId } from './types';

export interface RawMatch {
  /** Offset and length in the byte string. */
  offset: number;
  length: number;
  rule: RuleId;
  provider?: ProviderInfo;
  variable?: string;
  masked: string;
  owner: string;
}

/** Owned values shorter than this are not searched for: they would match by chance. */
export const MIN_KNOWN_SECRET_LENGTH = 8;
/** A prefix must be followed by at least this many key characters to count as a key. */
const MIN_BODY = 20;
/** Longer runs of key characters are not keys (keys are at most 1 KB); a run this long is not re-examined inside. */
const MAX_TOKEN = 4096;
const LONG_TOKEN = 256;
/** How much of an owned value must follow its known prefix, and how much must end it, to be reported as a part. */
const PART_HEAD = 12;
const PART_TAIL = 16;
/** Owned values at least this long are also searched for base64-encoded (shorter ones would match by chance). */
export const MIN_ENCODED_SECRET_LENGTH = 16;
/** Catalog prefixes shorter than this are not searched for (every one in the catalog is longer). */
const MIN_PREFIX = 3;

interface PatternRule { prefix: string; provider: ProviderInfo; jwt: boolean }
interface LiteralRule { bytes: string; rule: 'stored-key' | 'stored-key-part' | 'stored-key-encoded'; secret: KnownSecret; masked: string }

/** A value as the byte string of its UTF-8 encoding. */
export function toByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const isAlnum = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isHex = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
/** Characters a key is made of (base64url); a JWT adds its dots. */
const isKeyChar = (code: number) => isAlnum(code) || code === 45 || code === 95;

/**
 * Whether a key may start at `at`: after a character that cannot be part of it, or right after an escape that hides
 * such a character (`\n` in JSON, `%22` in a URL, `\u0022`), as the redactor decides.
 */
function startsToken(text: string, at: number): boolean {
  if (at === 0 || !isAlnum(text.charCodeAt(at - 1))) return true;
  if (at >= 2 && text.charCodeAt(at - 2) === 92 && 'nrtbf'.includes(text[at - 1])) return true;
  if (at >= 3 && text.charCodeAt(at - 3) === 37 && isHex(text.charCodeAt(at - 2)) && isHex(text.charCodeAt(at - 1))) return true;
  return at >= 6 && text.charCodeAt(at - 6) === 92 && text[at - 5] === 'u' && [4, 3, 2, 1].every((back) => isHex(text.charCodeAt(at - back)));
}

/**
 * A key's body: `looks` when it has a digit and looks random (both letter cases, or hexadecimal); `mixed` when it
 * is at least not a run of lowercase words (a shape that pins the length may still take it).
 */
function keyBodyLook(body: string): { looks: boolean; mixed: boolean } {
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let hex = true;
  for (let index = 0; index < body.length; index++) {
    const code = body.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
    else if (code >= 65 && code <= 90) upper++;
    else if (code >= 97 && code <= 122) lower++;
    if (!isHex(code)) hex = false;
  }
  const random = (upper > 0 && lower > 0) || hex;
  return { looks: digits > 0 && random, mixed: digits > 0 || random };
}

const JWT = /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$/;

/** The scan rules of a provider: one per known prefix, admin and management prefixes included (they are keys too). */
export function patternRules(providers: readonly ProviderInfo[]): PatternRule[] {
  const rules: PatternRule[] = [];
  for (const provider of providers) {
    const prefixes = new Set([...provider.prefixes, ...(provider.accountKeyPrefixes ?? []).map((entry) => entry.prefix)]);
    for (const prefix of prefixes) {
      if (prefix.length >= MIN_PREFIX) rules.push({ prefix, provider, jwt: prefix === 'eyJ' });
    }
  }
  return rules;
}

/** Where an owned value is looked for: at each place its rarest character is, `offset` into it. */
interface LiteralAnchor { literal: LiteralRule; offset: number }

/** Characters by rarity in source text, rarest first (a rough order; anything else counts as common). */
const RARE = 'QZJXKVWYUGBFHPMqzjxkvwyCLDNTORSAIEugbfhpmcldntorsaie9876543210_-';

export class SecretMatcher {
  /** Pattern rules by prefix: found with one indexOf pass each; the rules of a prefix, longest prefix first. */
  private readonly prefixes: { text: string; needle: string; offset: number; rules: PatternRule[] }[] = [];
  /** Owned values by their rarest character: one indexOf pass per character, each place checked whole. */
  private readonly literals = new Map<string, LiteralAnchor[]>();
  /** True when there is nothing to look for (no providers with prefixes, no owned values). */
  readonly empty: boolean;

  constructor(private readonly providers: readonly ProviderInfo[], known: readonly KnownSecret[] = []) {
    const rules = patternRules(providers).sort((a, b) => b.prefix.length - a.prefix.length);
    // Each prefix that no shorter prefix starts: "sk-" stands for sk-or-v1-, sk-proj-, sk-ant- and the rest.
    const roots = [...new Set(rules.map((rule) => rule.prefix))].sort((a, b) => a.length - b.length)
      .filter((prefix, index, all) => !all.slice(0, index).some((shorter) => prefix.startsWith(shorter)));
    for (const root of roots) {
      // Searched for from its rarest character on ("J" of eyJ, "k-" of sk-): the native search skips ahead by its
      // first character, so a rare one leaves it far fewer places to look at.
      const offset = rarestCharacter(root);
      this.prefixes.push({ text: root, needle: root.slice(offset), offset, rules: rules.filter((rule) => rule.prefix.startsWith(root)) });
    }
    for (const literal of literalRules(known, providers)) {
      const offset = rarestCharacter(literal.bytes);
      const character = literal.bytes[offset];
      this.literals.set(character, [...(this.literals.get(character) ?? []), { literal, offset }]);
    }
    this.empty = this.prefixes.length === 0 && this.literals.size === 0;
  }

  /** Every key in `text` (a byte string), in order, without overlaps. */
  find(text: string): RawMatch[] {
    if (this.empty) return [];
    const found: RawMatch[] = [];
    // Owned values: one indexOf pass per rarest character (a fast native search, few places in any text).
    for (const [character, anchors] of this.literals) {
      for (let index = text.indexOf(character); index !== -1; index = text.indexOf(character, index + 1)) {
        for (const { literal, offset } of anchors) {
          const at = index - offset;
          if (at < 0 || !text.startsWith(literal.bytes, at)) continue;
          const { secret } = literal;
          found.push({ offset: at, length: literal.bytes.length, rule: literal.rule, provider: secret.provider, variable: secret.variable, masked: literal.masked, owner: secret.label });
        }
      }
    }
    // Catalog prefixes: one indexOf pass each; a prefix inside a word ("task-", "desk-"), by far the most common,
    // is dropped with one character test. A long run of key characters that is no key is not examined again inside.
    for (const prefix of this.prefixes) {
      let skipUntil = -1;
      const { needle, offset } = prefix;
      for (let index = text.indexOf(needle, offset); index !== -1; index = text.indexOf(needle, index + 1)) {
        const at = index - offset;
        if (at < skipUntil || (offset > 0 && !text.startsWith(prefix.text, at)) || !startsToken(text, at)) continue;
        const result = this.pattern(text, at, prefix.rules);
        if (result && 'match' in result) found.push(result.match);
        else if (result && result.tokenEnd - at > LONG_TOKEN) skipUntil = result.tokenEnd;
      }
    }
    if (found.length <= 1) return found;
    // In order of place, without overlaps. At one place an owned value wins (the more precise finding), whole before
    // a part and longest first, so that a value containing another is reported whole.
    found.sort((a, b) => a.offset - b.offset || rank(a) - rank(b) || b.length - a.length);
    const matches: RawMatch[] = [];
    let next = 0;
    for (const match of found) {
      if (match.offset < next) continue;
      matches.push(match);
      next = match.offset + match.length;
    }
    return matches;
  }

  /** The key at `at` for the longest prefix there, if its token has the provider's shape or a key's look. */
  private pattern(text: string, at: number, rules: readonly PatternRule[]): { match: RawMatch } | { tokenEnd: number } | undefined {
    // Rules are sorted longest prefix first, so the first that fits is the longest.
    const first = rules.findIndex((rule) => text.startsWith(rule.prefix, at));
    if (first === -1) return undefined;
    const longest = rules[first].prefix.length;
    const jwt = rules[first].jwt;
    let end = at + longest;
    const limit = Math.min(text.length, at + MAX_TOKEN + 1);
    while (end < limit && (isKeyChar(text.charCodeAt(end)) || (jwt && text.charCodeAt(end) === 46))) end++;
    if (jwt) while (text.charCodeAt(end - 1) === 46) end--;
    // Every shape, and a key's look, needs MIN_BODY characters after the prefix: most near misses stop here.
    if (end - at > MAX_TOKEN || end - at - longest < MIN_BODY) return { tokenEnd: end };
    const token = text.slice(at, end);
    const look = jwt ? { looks: JWT.test(token), mixed: true } : keyBodyLook(token.slice(longest));
    // Lowercase words joined by hyphens ("sk-learn-release-notes") are no key of any shape.
    if (!look.mixed) return { tokenEnd: end };
    const same = rules.slice(first).filter((rule) => rule.prefix.length === longest && text.startsWith(rule.prefix, at));
    // A shape that pins the length (64 hex characters, AIza and 35 more) is enough on its own, and tells providers
    // that share a prefix apart; an open-ended shape (sk- and 20 or more) still needs a key's look.
    const pinned = same.find((rule) => rule.provider.shape?.test(token) && !rule.provider.shape.test(token.slice(0, -1)));
    const rule = pinned ?? (look.looks ? same.find((candidate) => candidate.provider.shape?.test(token)) ?? same[0] : undefined);
    if (!rule) return { tokenEnd: end };
    const { provider } = rule;
    return { match: { offset: at, length: token.length, rule: `key:${provider.id}`, provider, variable: provider.writeVar, masked: maskKey(token, this.providers), owner: provider.label } };
  }
}

/** Sorting rank of matches at one place: an owned value whole, then a part of one, then a catalog shape. */
function rank(match: RawMatch): number {
  return match.rule === 'stored-key' ? 0 : match.rule === 'stored-key-part' || match.rule === 'stored-key-encoded' ? 1 : 2;
}

/** The offset of the rarest character of `bytes`, where an owned value is looked for. */
function rarestCharacter(bytes: string): number {
  let best = 0;
  let bestRank = Infinity;
  for (let offset = 0; offset < bytes.length; offset++) {
    const found = RARE.indexOf(bytes[offset]);
    // A byte outside RARE is not ASCII or is punctuation: rare in code, though not rarer than Q.
    const score = found === -1 ? 1 : found;
    if (score < bestRank) {
      best = offset;
      bestRank = score;
    }
  }
  return best;
}

/** The whole value of each owned key, and its first and last parts when it is long enough to cut safely. */
function literalRules(known: readonly KnownSecret[], providers: readonly ProviderInfo[]): LiteralRule[] {
  const rules: LiteralRule[] = [];
  const seen = new Set<string>();
  for (const secret of known) {
    if (secret.value.length < MIN_KNOWN_SECRET_LENGTH || seen.has(secret.value)) continue;
    seen.add(secret.value);
    const bytes = toByteString(secret.value);
    const masked = maskKey(secret.value, providers);
    rules.push({ bytes, rule: 'stored-key', secret, masked });
    if (bytes.length >= MIN_ENCODED_SECRET_LENGTH) {
      for (const encoded of base64Forms(Buffer.from(secret.value, 'utf8'))) rules.push({ bytes: encoded, rule: 'stored-key-encoded', secret, masked });
    }
    const prefix = matchPrefix(secret.value, providers)?.prefix.length ?? 0;
    if (bytes.length >= prefix + PART_HEAD + PART_TAIL) {
      for (const part of [bytes.slice(0, prefix + PART_HEAD), bytes.slice(-PART_TAIL)]) {
        rules.push({ bytes: part, rule: 'stored-key-part', secret, masked: maskKey(Buffer.from(part, 'latin1').toString('utf8'), providers) });
      }
    }
  }
  return rules;
}

/**
 * The characters base64 gives a value wherever it sits in the encoded bytes (a Kubernetes Secret's data, a Basic
 * auth header's "user:key"): for each of the three alignments, the characters that depend on the value's bits
 * alone, in the standard and the URL-safe alphabet.
 */
export function base64Forms(value: Buffer): string[] {
  const forms = new Set<string>();
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), value]).toString('base64');
    const stable = encoded.slice(Math.ceil((lead * 8) / 6), Math.floor(((lead + value.length) * 8) / 6));
    forms.add(stable);
    forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}
