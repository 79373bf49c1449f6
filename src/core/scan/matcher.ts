// Finds keys in text: the exact values the user owns (and their first and last parts), and credentials with a
// catalog provider's prefix and shape. One pass per text: a single regular expression finds every place a key could
// start (a catalog prefix, or the first characters of an owned value); each place is then checked by hand.
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
/** Every anchor is at least this long, and candidates are bucketed by their first ANCHOR_KEY characters. */
const ANCHOR_KEY = 3;
const ANCHOR_LENGTH = 8;

interface PatternRule { prefix: string; provider: ProviderInfo; jwt: boolean }
interface LiteralRule { bytes: string; rule: 'stored-key' | 'stored-key-part'; secret: KnownSecret; masked: string }
interface Bucket { patterns: PatternRule[]; literals: LiteralRule[] }

/** A value as the byte string of its UTF-8 encoding. */
export function toByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

/** A key's body: long enough, with digits, and random-looking (both letter cases, or hexadecimal). */
function looksLikeKeyBody(body: string): boolean {
  if (body.length < MIN_BODY) return false;
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
  return digits >= 1 && ((upper > 0 && lower > 0) || hex);
}

const JWT = /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$/;

/** The scan rules of a provider: one per known prefix, admin and management prefixes included (they are keys too). */
export function patternRules(providers: readonly ProviderInfo[]): PatternRule[] {
  const rules: PatternRule[] = [];
  for (const provider of providers) {
    const prefixes = new Set([...provider.prefixes, ...(provider.accountKeyPrefixes ?? []).map((entry) => entry.prefix)]);
    for (const prefix of prefixes) {
      if (prefix.length >= ANCHOR_KEY) rules.push({ prefix, provider, jwt: prefix === 'eyJ' });
    }
  }
  return rules;
}

export class SecretMatcher {
  private readonly buckets = new Map<string, Bucket>();
  private readonly anchors: RegExp;
  /** True when there is nothing to look for (no providers with prefixes, no owned values). */
  readonly empty: boolean;

  constructor(providers: readonly ProviderInfo[], known: readonly KnownSecret[] = []) {
    const anchors = new Set<string>();
    for (const rule of patternRules(providers)) {
      this.bucket(rule.prefix).patterns.push(rule);
      anchors.add(rule.prefix);
    }
    for (const literal of literalRules(known, providers)) {
      this.bucket(literal.bytes).literals.push(literal);
      anchors.add(literal.bytes.slice(0, ANCHOR_LENGTH));
    }
    for (const bucket of this.buckets.values()) {
      bucket.patterns.sort((a, b) => b.prefix.length - a.prefix.length);
      // Whole values before parts, longest first, so a value that contains another is reported whole.
      bucket.literals.sort((a, b) => (a.rule === b.rule ? b.bytes.length - a.bytes.length : a.rule === 'stored-key' ? -1 : 1));
    }
    this.empty = anchors.size === 0;
    // Longest first, and only the distinct ones; an anchor that another one starts with is enough on its own.
    const distinct = [...anchors].sort((a, b) => a.length - b.length).filter((anchor, index, all) => !all.slice(0, index).some((shorter) => anchor.startsWith(shorter)));
    this.anchors = new RegExp(distinct.map(escapeRegExp).join('|') || '(?!)', 'g');
  }

  private bucket(text: string): Bucket {
    const key = text.slice(0, ANCHOR_KEY);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { patterns: [], literals: [] }));
    return bucket;
  }

  /** Every key in `text` (a byte string), in order, without overlaps. */
  find(text: string): RawMatch[] {
    const matches: RawMatch[] = [];
    if (this.empty) return matches;
    const anchors = new RegExp(this.anchors.source, 'g');
    let skipPatternsUntil = -1;
    for (let hit = anchors.exec(text); hit; hit = anchors.exec(text)) {
      const at = hit.index;
      const bucket = this.buckets.get(text.slice(at, at + ANCHOR_KEY));
      let match: RawMatch | undefined;
      for (const literal of bucket?.literals ?? []) {
        if (text.startsWith(literal.bytes, at)) {
          const { secret } = literal;
          match = { offset: at, length: literal.bytes.length, rule: literal.rule, provider: secret.provider, variable: secret.variable, masked: literal.masked, owner: secret.label };
          break;
        }
      }
      if (!match && at >= skipPatternsUntil && bucket?.patterns.length && startsToken(text, at)) {
        const found = this.pattern(text, at, bucket.patterns);
        if (found && 'match' in found) match = found.match;
        else if (found && found.tokenEnd - at > LONG_TOKEN) skipPatternsUntil = found.tokenEnd;
      }
      if (match) {
        matches.push(match);
        anchors.lastIndex = at + match.length;
      } else {
        anchors.lastIndex = at + 1;
      }
    }
    return matches;
  }

  /** The key at `at` for the longest prefix there, if its token has the provider's shape or a key's look. */
  private pattern(text: string, at: number, rules: readonly PatternRule[]): { match: RawMatch } | { tokenEnd: number } | undefined {
    const candidates = rules.filter((rule) => text.startsWith(rule.prefix, at));
    if (candidates.length === 0) return undefined;
    const longest = candidates[0].prefix.length;
    const jwt = candidates[0].jwt;
    let end = at + longest;
    const limit = Math.min(text.length, at + MAX_TOKEN + 1);
    while (end < limit && (isKeyChar(text.charCodeAt(end)) || (jwt && text.charCodeAt(end) === 46))) end++;
    if (jwt) while (text.charCodeAt(end - 1) === 46) end--;
    if (end - at > MAX_TOKEN) return { tokenEnd: end };
    const token = text.slice(at, end);
    const same = candidates.filter((rule) => rule.prefix.length === longest);
    // A shape that pins the length (64 hex characters, AIza and 35 more) is enough on its own, and tells providers
    // that share a prefix apart; an open-ended shape (sk- and 20 or more) still needs a key's look.
    const pinned = same.find((rule) => rule.provider.shape?.test(token) && !rule.provider.shape.test(token.slice(0, -1)));
    const looks = jwt ? JWT.test(token) : looksLikeKeyBody(token.slice(longest));
    const rule = pinned ?? (looks ? same.find((candidate) => candidate.provider.shape?.test(token)) ?? same[0] : undefined);
    if (!rule) return { tokenEnd: end };
    const { provider } = rule;
    return { match: { offset: at, length: token.length, rule: `key:${provider.id}`, provider, variable: provider.writeVar, masked: maskKey(token, [provider]), owner: provider.label } };
  }
}

/** The whole value of each owned key, and its first and last parts when it is long enough to cut safely. */
function literalRules(known: readonly KnownSecret[], providers: readonly ProviderInfo[]): LiteralRule[] {
  const rules: LiteralRule[] = [];
  const seen = new Set<string>();
  for (const secret of known) {
    if (secret.value.length < MIN_KNOWN_SECRET_LENGTH || seen.has(secret.value)) continue;
    seen.add(secret.value);
    const bytes = toByteString(secret.value);
    rules.push({ bytes, rule: 'stored-key', secret, masked: maskKey(secret.value, providers) });
    const prefix = matchPrefix(secret.value, providers)?.prefix.length ?? 0;
    if (bytes.length >= prefix + PART_HEAD + PART_TAIL) {
      for (const part of [bytes.slice(0, prefix + PART_HEAD), bytes.slice(-PART_TAIL)]) {
        rules.push({ bytes: part, rule: 'stored-key-part', secret, masked: maskKey(Buffer.from(part, 'latin1').toString('utf8'), providers) });
      }
    }
  }
  return rules;
}
