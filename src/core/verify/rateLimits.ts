// Reading rate-limit and retry headers the way the official SDKs do (retry-after-ms, then retry-after).

import type { RateLimitInfo } from './types';

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const RATE_LIMIT_HEADER = /^(x-ratelimit-|anthropic-ratelimit-|ratelimit-|x-ratelimitbysize-|ratelimitbysize-|retry-after)/;

const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/** Seconds to wait before retrying, from retry-after-ms or retry-after (seconds or an HTTP date). */
export function retryAfterSeconds(headers: HeaderBag, nowMs: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.max(0, Math.ceil(Number(ms) / 1000));
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.max(0, Math.ceil(Number(value)));
  // Only an HTTP date (IMF-fixdate, RFC 850 or asctime, all in GMT: RFC 9110 section 5.6.7). Date.parse alone also
  // takes "-5" or "abc 5" as a day in 2001, which read as "retry now".
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(/\b(?:GMT|UTC)$/i.test(value) ? value : `${value} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function numberOf(headers: HeaderBag, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = header(headers, name);
    if (value !== undefined && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  return undefined;
}

export function readRateLimits(headers: HeaderBag): RateLimitInfo | undefined {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && RATE_LIMIT_HEADER.test(name.toLowerCase())) found[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (Object.keys(found).length === 0) return undefined;
  return {
    headers: found,
    requestsLimit: numberOf(headers, 'x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit', 'x-ratelimit-limit'),
    requestsRemaining: numberOf(headers, 'x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining', 'x-ratelimit-remaining'),
    tokensLimit: numberOf(headers, 'x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit'),
    tokensRemaining: numberOf(headers, 'x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining'),
    requestsReset: header(headers, 'x-ratelimit-reset-requests') ?? header(headers, 'anthropic-ratelimit-requests-reset') ?? header(headers, 'x-ratelimit-reset'),
  };
}
