// Option values several commands read the same way.
import { InputError } from '../core/errors';
import type { ProxySettings } from '../core/verify/proxyRoute';
import type { CliIo } from './io';

/** --env-file and --dotenv name the same .env file (Node 20 and later take --env-file for themselves). */
export const ENV_FILE_OPTIONS = { 'env-file': { type: 'string' }, dotenv: { type: 'string' } } as const;

/** The .env file named by --env-file or --dotenv (at most one of them). */
export function envFileOption(values: { 'env-file'?: string; dotenv?: string }): string | undefined {
  if (values['env-file'] !== undefined && values.dotenv !== undefined) throw new InputError('Give --env-file or --dotenv, not both.');
  return values['env-file'] ?? values.dotenv;
}

/** The options of the commands that check keys live: verify and doctor. */
export const LIVE_CHECK_OPTIONS = {
  ...ENV_FILE_OPTIONS,
  provider: { type: 'string', multiple: true },
  'base-url': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

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
