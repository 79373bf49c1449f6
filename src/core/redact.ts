// The one place secrets are scrubbed from text: every log line and every provider error passes through here.
import { formatWithOptions } from 'node:util';
import type { LogLevel, LogSink, Logger } from './ports';
import { maskKey } from './keyFormat';

/**
 * Where a credential may start: after a character that cannot be part of it, or right after an escape that hides
 * such a character (`%22` in a URL, `\n` or `\u0022` in JSON), which `\b` would miss.
 */
const START = String.raw`(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2})|(?<=\\[nrtbf"'/\\])|(?<=\\u[0-9A-Fa-f]{4}))`;

/** Shapes of LLM and related credentials, so that even keys the process never held are not logged. */
const KNOWN_SECRET_PATTERNS: readonly RegExp[] = [
  String.raw`sk-ant-[A-Za-z0-9_-]{8,}`,
  String.raw`sk-or-v1-[A-Za-z0-9]{8,}`,
  String.raw`sk-eden-[A-Za-z0-9_-]{8,}`,
  String.raw`mgmt-eden-[A-Za-z0-9_-]{8,}`,
  String.raw`(?:sk|rk|pk)-(?:proj-|svcacct-|admin-|live-|test-)?[A-Za-z0-9_-]{12,}`,
  String.raw`AIza[0-9A-Za-z_-]{20,}`,
  String.raw`AQ\.[0-9A-Za-z_-]{20,}`,
  String.raw`xai-[A-Za-z0-9_-]{12,}`,
  String.raw`gsk_[A-Za-z0-9]{12,}`,
  String.raw`tgp_v1_[A-Za-z0-9_-]{12,}`,
  String.raw`pplx-[A-Za-z0-9]{12,}`,
  String.raw`fw_[A-Za-z0-9]{12,}`,
  String.raw`hf_[A-Za-z0-9]{12,}`,
  String.raw`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
  String.raw`gAAAAA[A-Za-z0-9_-]{40,}={0,2}`,
].map((source) => new RegExp(START + source, 'g'));
const BEARER = /\b(Bearer|Basic)(?:\s|\+)+[A-Za-z0-9._~+/=-]{6,}/gi;
/** URL-encoding or a JSON escape, which can hide a secret from the patterns above. */
const ENCODED = /%[0-9A-Fa-f]{2}|\\(?:u[0-9A-Fa-f]{4}|["\\/bfnrt])/;
const JSON_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** One layer of URL-decoding and JSON-unescaping, tolerant of anything malformed (left as it is). */
function decodeLayer(text: string): string {
  const urlDecoded = text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  });
  return urlDecoded.replace(/\\u([0-9A-Fa-f]{4})|\\(["\\/bfnrt])/g, (_match, hex: string | undefined, char: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : JSON_ESCAPES[char!] ?? char!));
}
const SECRET_HEADER = /\b((?:x-api-key|x-goog-api-key|api-key|authorization)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\[REDACTED\])[^\s"',;]{6,}/gi;
const SECRET_QUERY = /([?&](?:key|api_key|apikey|access_token|token)=)[^&#\s]+/gi;
const MIN_HELD_SECRET_LENGTH = 6;

export const REDACTED = '[REDACTED]';

/** What a held secret is: an API key shows as its mask (prefix and last 4); anything else shows as a fixed marker. */
export type SecretKind = 'key' | 'passphrase' | 'derived-key' | 'token';

const MARKER: Record<Exclude<SecretKind, 'key'>, string> = { passphrase: '[passphrase]', 'derived-key': '[fernet-key]', token: '[token]' };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret takes in text we log: as is, URL-encoded, JSON-escaped (each matched case-insensitively). */
function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), json, json.replace(/\//g, '\\/')])];
}

export class Redactor {
  private readonly held = new Map<string, { count: number; kind: SecretKind }>();
  private matcher?: { pattern: RegExp; replacement: Map<string, string> };

  /**
   * Registers a secret the process holds; every later redact() removes it, in any letter case, URL-encoded or
   * JSON-escaped. Returns a function that forgets it.
   */
  hold(secret: string, kind: SecretKind = 'key'): () => void {
    if (secret.length < MIN_HELD_SECRET_LENGTH) return () => undefined;
    const entry = this.held.get(secret);
    this.held.set(secret, { count: (entry?.count ?? 0) + 1, kind: entry?.kind === 'key' || !entry ? kind : entry.kind });
    this.matcher = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.held.get(secret);
      if (!current) return;
      if (current.count <= 1) this.held.delete(secret);
      else this.held.set(secret, { ...current, count: current.count - 1 });
      this.matcher = undefined;
    };
  }

  get heldCount(): number {
    return this.held.size;
  }

  private heldMatcher(): { pattern: RegExp; replacement: Map<string, string> } | undefined {
    if (this.held.size === 0) return undefined;
    if (this.matcher) return this.matcher;
    const replacement = new Map<string, string>();
    for (const [secret, { kind }] of this.held) {
      const shown = kind === 'key' ? maskKey(secret) : MARKER[kind];
      for (const form of encodings(secret)) if (!replacement.has(form.toLowerCase())) replacement.set(form.toLowerCase(), shown);
    }
    // Longest first, so a secret that contains another is replaced whole.
    const sources = [...replacement.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.matcher = { pattern: new RegExp(sources.join('|'), 'gi'), replacement };
    return this.matcher;
  }

  /**
   * Removes every held secret and known credential shape. Text that carries URL-encoding or JSON escapes is also read
   * decoded (twice, for double encoding); when that reveals something to remove, the decoded, redacted form is what
   * comes out: a log line may read a little differently, but no encoding hides a secret.
   */
  redact(text: string): string {
    let out = this.redactOnce(text);
    for (let layer = 0; layer < 2 && ENCODED.test(out); layer++) {
      const decoded = decodeLayer(out);
      const redacted = this.redactOnce(decoded);
      if (redacted === decoded) break;
      out = redacted;
    }
    return out;
  }

  private redactOnce(text: string): string {
    let out = text;
    const matcher = this.heldMatcher();
    if (matcher) out = out.replace(matcher.pattern, (match) => matcher.replacement.get(match.toLowerCase()) ?? REDACTED);
    out = out.replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(SECRET_HEADER, (_match, name: string) => `${name}${REDACTED}`);
    out = out.replace(SECRET_QUERY, (_match, name: string) => `${name}${REDACTED}`);
    for (const pattern of KNOWN_SECRET_PATTERNS) out = out.replace(pattern, (match) => maskKey(match));
    return out;
  }

  /** Redacts first, then cuts to `max` characters, never through the middle of a mask or marker. */
  redactAndTruncate(text: string, max: number): string {
    return truncateRedacted(this.redact(text), max);
  }
}

/** What redact() leaves where a secret was: a mask such as `sk-or-v1-…a1b2`, or a bracketed marker. */
const REDACTION_MARK = /[A-Za-z0-9_.-]*…[A-Za-z0-9_-]{0,4}|\[(?:REDACTED|passphrase|fernet-key|token)\]/g;

/** Cuts already-redacted text to at most `max` characters (plus an ellipsis), moving the cut before any marker it would split. */
export function truncateRedacted(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  for (const match of text.matchAll(REDACTION_MARK)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start < cut && end > cut) {
      cut = start;
      break;
    }
    if (start >= cut) break;
  }
  return `${text.slice(0, cut).trimEnd()}…`;
}

const LEVEL_ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** The only logger: formats, redacts, then hands the line to its sink. */
export class RedactingLogger implements Logger {
  constructor(private readonly sink: LogSink, private readonly redactor: Redactor, private readonly minLevel: LogLevel = 'trace') {}

  trace(message: string, ...args: unknown[]): void { this.log('trace', message, args); }
  debug(message: string, ...args: unknown[]): void { this.log('debug', message, args); }
  info(message: string, ...args: unknown[]): void { this.log('info', message, args); }
  warn(message: string, ...args: unknown[]): void { this.log('warn', message, args); }
  error(message: string, ...args: unknown[]): void { this.log('error', message, args); }

  private log(level: LogLevel, message: string, args: unknown[]): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minLevel]) return;
    const line = formatWithOptions({ colors: false, depth: 4, breakLength: Infinity }, message, ...args);
    this.sink.write(level, this.redactor.redact(line));
  }
}

/** Redacts an error's message for showing to people; keeps the text to one line. */
export function redactedMessage(error: unknown, redactor: Redactor): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactor.redact(text).split(/\r?\n/)[0];
}
