// The one place secrets are scrubbed from text: every log line and every provider error passes through here.
import { formatWithOptions } from 'node:util';
import type { LogLevel, LogSink, Logger } from './ports';
import { maskKey } from './keyFormat';

/** Shapes of LLM and related credentials, so that even keys the process never held are not logged. */
const KNOWN_SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-or-v1-[A-Za-z0-9]{8,}/g,
  /\bsk-eden-[A-Za-z0-9_-]{8,}/g,
  /\b(?:sk|rk|pk)-(?:proj-|svcacct-|admin-|live-|test-)?[A-Za-z0-9_-]{12,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bxai-[A-Za-z0-9_-]{12,}/g,
  /\bgsk_[A-Za-z0-9]{12,}/g,
  /\btgp_v1_[A-Za-z0-9_-]{12,}/g,
  /\bpplx-[A-Za-z0-9]{12,}/g,
  /\bfw_[A-Za-z0-9]{12,}/g,
  /\bhf_[A-Za-z0-9]{12,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /\bgAAAAA[A-Za-z0-9_-]{40,}={0,2}/g,
];
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const SECRET_QUERY = /([?&](?:key|api_key|apikey|access_token|token)=)[^&#\s]+/gi;
const MIN_HELD_SECRET_LENGTH = 6;

export class Redactor {
  private readonly held = new Map<string, number>();

  /** Registers a secret the process holds; every later redact() removes it. Returns a function that forgets it. */
  hold(secret: string): () => void {
    if (secret.length < MIN_HELD_SECRET_LENGTH) return () => undefined;
    this.held.set(secret, (this.held.get(secret) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.held.get(secret) ?? 1) - 1;
      if (count <= 0) this.held.delete(secret);
      else this.held.set(secret, count);
    };
  }

  get heldCount(): number {
    return this.held.size;
  }

  redact(text: string): string {
    let out = text;
    if (this.held.size > 0) {
      const secrets = [...this.held.keys()].sort((a, b) => b.length - a.length);
      for (const secret of secrets) {
        if (out.includes(secret)) out = out.split(secret).join(maskKey(secret));
        const encoded = encodeURIComponent(secret);
        if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(maskKey(secret));
      }
    }
    out = out.replace(BEARER, (_match, scheme: string) => `${scheme} [REDACTED]`);
    out = out.replace(SECRET_QUERY, (_match, name: string) => `${name}[REDACTED]`);
    for (const pattern of KNOWN_SECRET_PATTERNS) out = out.replace(pattern, (match) => maskKey(match));
    return out;
  }
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
