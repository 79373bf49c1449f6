// Option values several commands read the same way.
import { InputError } from '../core/errors';
import type { ProxySettings } from '../core/verify/proxyRoute';
import type { CliIo } from './io';

/** --timeout: milliseconds as a positive whole number, or the default when absent. */
export function parseTimeoutMs(text: string | undefined, fallback: number): number {
  const timeoutMs = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new InputError(`--timeout takes milliseconds as a positive whole number; got "${text}".`);
  return timeoutMs;
}

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), as curl and undici read them. */
export function envProxy(env: CliIo['env']): ProxySettings {
  return { kind: 'env', httpProxy: env.HTTP_PROXY ?? env.http_proxy, httpsProxy: env.HTTPS_PROXY ?? env.https_proxy, noProxy: env.NO_PROXY ?? env.no_proxy };
}
