// One GET per key on a documented no-cost endpoint, through undici with a dispatcher of our own (never global).
import { request } from 'undici';
import type { ProviderInfo } from '../catalog';
import { InputError } from '../errors';
import { BodyTooLarge, DispatcherPool, errorCodeOf, networkMessage, parseJsonOrUndefined, readCappedBody } from '../http';
import type { Clock, Logger } from '../ports';
import { systemClock } from '../ports';
import type { Redactor } from '../redact';
import { classifyKey, classifyResponse, type ProviderResponse } from './classify';
import { checkUrlFor } from './endpoints';
import type { ProxySettings } from './proxyRoute';
import { readRateLimits } from './rateLimits';
import type { VerifyResult } from './types';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 1024 * 1024;
/** Longest message shown for one check; longer ones are cut after redaction, never through a mask. */
export const MAX_MESSAGE_CHARS = 300;

export type { ProxySettings } from './proxyRoute';

export interface VerifierOptions {
  logger: Logger;
  redactor: Redactor;
  clock?: Clock;
  timeoutMs?: number;
  /** Base URL per provider id; replaces the provider's origin and keeps the documented path. */
  baseUrls?: Readonly<Record<string, string>>;
  proxy?: ProxySettings;
  /**
   * False to accept any TLS certificate on connections that go through the proxy (VS Code's http.proxyStrictSSL =
   * false, for proxies that re-sign TLS). Direct connections always check certificates.
   */
  strictSsl?: boolean;
  /** Cap on the body read from a provider; larger answers are provider errors. */
  maxBodyBytes?: number;
}

export class VerifyConfigError extends InputError {
  override name = 'VerifyConfigError';
}

const RETRYABLE_RESETS = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

export class KeyVerifier {
  private readonly dispatchers: DispatcherPool;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(private readonly options: VerifierOptions) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.dispatchers = new DispatcherPool({ timeoutMs: this.timeoutMs, proxy: options.proxy, strictSsl: options.strictSsl });
    for (const [id, url] of Object.entries(options.baseUrls ?? {})) checkBaseUrl(id, url);
  }

  /** The URL checked for a provider: the override (or the provider's origin) plus the documented path. */
  urlFor(provider: ProviderInfo): string {
    return checkUrlFor(provider, this.options.baseUrls);
  }

  /** Checks one key. Rejects only when `signal` aborts; every other failure is a verdict. */
  async verify(provider: ProviderInfo, key: string, signal?: AbortSignal): Promise<VerifyResult> {
    const release = this.options.redactor.hold(key);
    const started = performance.now();
    const finish = (partial: Omit<VerifyResult, 'provider' | 'latencyMs' | 'checkedAt'>): VerifyResult => {
      const result: VerifyResult = {
        provider: provider.id, ...partial,
        message: this.options.redactor.redactAndTruncate(partial.message, MAX_MESSAGE_CHARS),
        ...(partial.note ? { note: this.options.redactor.redactAndTruncate(partial.note, MAX_MESSAGE_CHARS) } : {}),
        latencyMs: Math.round(performance.now() - started),
        checkedAt: new Date(this.clock.now()).toISOString(),
      };
      this.options.logger.info('verify %s: %s%s (%d ms)', provider.id, result.verdict, result.httpStatus ? ` ${result.httpStatus}` : '', result.latencyMs);
      return result;
    };
    try {
      if (!provider.verify) return finish({ verdict: 'unverifiable', message: `${provider.label} has no check configured.` });
      // An admin or management key is known by its prefix: it is not sent anywhere for a check it cannot pass.
      const byPrefix = classifyKey(provider, key);
      if (byPrefix) return finish(byPrefix);
      const url = this.urlFor(provider);
      const deadline = AbortSignal.timeout(this.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await this.get(url, this.headersFor(provider, key), combined);
          const answer = redactAnswer(response, this.options.redactor);
          const classification = classifyResponse(provider, answer, this.clock.now());
          return finish({ ...classification, httpStatus: response.status, rateLimit: readRateLimits(answer.headers) });
        } catch (error) {
          if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
          if (error instanceof BodyTooLarge) return finish({ verdict: 'provider_error', httpStatus: error.httpStatus, message: `The provider's answer was larger than ${Math.round((this.options.maxBodyBytes ?? MAX_BODY_BYTES) / 1024)} KB, which no key check returns.` });
          const code = deadline.aborted ? 'TIMEOUT' : errorCodeOf(error);
          // One retry for a reset connection (a stale keep-alive socket, usually), and only within the time allowed.
          if (attempt === 1 && RETRYABLE_RESETS.has(code) && !deadline.aborted) {
            this.options.logger.debug('verify %s: %s, retrying once', provider.id, code);
            continue;
          }
          return finish({ verdict: 'unreachable', message: `Could not reach ${provider.label}: ${networkMessage(code)}.` });
        }
      }
    } finally {
      release();
    }
  }

  /** Checks many keys at once; `onResult` hears each as it finishes. Stops (without results) when `signal` aborts. */
  async verifyAll(entries: readonly { provider: ProviderInfo; key: string }[], options: { signal?: AbortSignal; onResult?: (result: VerifyResult) => void } = {}): Promise<VerifyResult[]> {
    const settled = await Promise.allSettled(entries.map(async ({ provider, key }) => {
      const result = await this.verify(provider, key, options.signal);
      options.onResult?.(result);
      return result;
    }));
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  }

  async close(): Promise<void> {
    await this.dispatchers.close();
  }

  private headersFor(provider: ProviderInfo, key: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'crucible-keys', ...(provider.verify?.headers ?? {}) };
    switch (provider.verify?.auth) {
      case 'x-api-key': headers['x-api-key'] = key; break;
      case 'x-goog-api-key': headers['x-goog-api-key'] = key; break;
      default: headers.authorization = `Bearer ${key}`;
    }
    return headers;
  }

  private async get(url: string, headers: Record<string, string>, signal: AbortSignal) {
    const response = await request(url, {
      method: 'GET', headers, signal, dispatcher: this.dispatchers.for(url),
      headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs,
    });
    const text = await readCappedBody(response, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
    const json = parseJsonOrUndefined(text);
    return { status: response.statusCode, headers: response.headers, json, text };
  }
}

/** Deeper than any documented body; what lies below is dropped, so a hostile nesting cannot exhaust the stack. */
const MAX_JSON_DEPTH = 32;

/**
 * The answer (body and headers) with every held key and credential shape masked, string by string, before the classifier reads it:
 * nothing it does afterwards (stripping tags, picking a field) can then split a key so that the redactor misses it.
 */
function redactAnswer(response: ProviderResponse, redactor: Redactor): ProviderResponse {
  const strings = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactor.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_JSON_DEPTH) return undefined;
    if (Array.isArray(value)) return value.map((item) => strings(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, strings(item, depth + 1)]));
  };
  // Header values too: the rate-limit headers are kept in the result, and a gateway may name the caller by its key.
  const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.map((item) => redactor.redact(item)) : value === undefined ? value : redactor.redact(value)]));
  return { ...response, headers, text: redactor.redact(response.text), json: strings(response.json, 0) };
}

function checkBaseUrl(id: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VerifyConfigError(`The base URL for ${id} is not a URL: use something like https://host or http://127.0.0.1:8080.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new VerifyConfigError(`The base URL for ${id} must be http or https.`);
  if (parsed.username || parsed.password) throw new VerifyConfigError(`The base URL for ${id} must not contain credentials.`);
}
