// The verification vocabulary. Verdict names are a stable interface (CLI JSON output, extension state).
import type { KeyKind, ProviderId } from '../catalog';

export const VERDICTS = ['valid', 'rejected', 'no_credit', 'rate_limited', 'unreachable', 'provider_error', 'unverifiable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Credits {
  /** What is left to spend, when the provider says. */
  remaining?: number;
  /** The key's or account's spending cap, when there is one. */
  limit?: number;
  usage?: number;
  /** Spent today, this week and this month (UTC), when the provider says (OpenRouter). */
  usageDaily?: number;
  usageWeekly?: number;
  usageMonthly?: number;
  /** How often the key's limit resets, as the provider wrote it ("daily", "weekly", "monthly"). */
  limitReset?: string;
  /** Whose money these are: the key's own cap (OpenRouter), or the whole account's balance. */
  scope?: 'key' | 'account';
  currency: string;
  /** Per-currency balances, for providers that report several (DeepSeek). */
  balances?: { currency: string; total: number; granted?: number; toppedUp?: number }[];
}

export interface KeyMetadata {
  label?: string;
  /** Inference, or an admin or management key that cannot call the models (from its prefix, or as the provider says). */
  kind?: KeyKind;
  isFreeTier?: boolean;
  blocked?: boolean;
  disabled?: boolean;
  teamBlocked?: boolean;
  expiresAt?: string;
}

export interface RateLimitInfo {
  /** Every rate-limit header the provider sent, lower-cased name to value. */
  headers: Record<string, string>;
  requestsLimit?: number;
  requestsRemaining?: number;
  tokensLimit?: number;
  tokensRemaining?: number;
  /** When the request window resets, as the provider wrote it (a duration such as "6s" or a timestamp). */
  requestsReset?: string;
}

export interface VerifyResult {
  provider: ProviderId;
  verdict: Verdict;
  httpStatus?: number;
  latencyMs: number;
  /** ISO-8601. */
  checkedAt: string;
  /** A short sentence for people; provider text in it has been through the redactor. */
  message: string;
  /** A caveat that goes with the verdict, e.g. "restricted key: it cannot list models; chat may still work". */
  note?: string;
  credits?: Credits;
  rateLimit?: RateLimitInfo;
  retryAfterSeconds?: number;
  key?: KeyMetadata;
}

/** True for verdicts that settle the question "does this key work" one way or the other. */
export function isDecided(verdict: Verdict): boolean {
  return verdict === 'valid' || verdict === 'rejected' || verdict === 'no_credit';
}
