// Turning one provider response into a verdict. Classifies on the body as well as the status, because
// providers disagree: Gemini and xAI say "invalid key" with 400, OpenAI says "no credit" with 429, xAI uses 403.
import type { ProviderId, ProviderInfo } from '../catalog';
import { googleRetryDelaySeconds, retryAfterSeconds, type HeaderBag } from './rateLimits';
import type { Credits, KeyMetadata, Verdict } from './types';

export interface ProviderResponse {
  status: number;
  headers: HeaderBag;
  /** Parsed JSON, or undefined when the body was not JSON. */
  json: unknown;
  text: string;
}

export interface Classification {
  verdict: Verdict;
  message: string;
  credits?: Credits;
  key?: KeyMetadata;
  retryAfterSeconds?: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/**
 * The provider's own error sentence, from the shapes seen in the wild. Never cut here: the verifier redacts the whole
 * message first and only then cuts it, so a key echoed near the cut cannot survive in part.
 */
export function providerErrorText(json: unknown, text: string): string {
  if (isObject(json)) {
    const error = json.error;
    if (isObject(error) && typeof error.message === 'string') return error.message;
    if (typeof error === 'string') return error;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  }
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

function errorCode(json: unknown): string {
  if (!isObject(json)) return '';
  const error = json.error;
  const parts = [json.code, isObject(error) ? error.code : undefined, isObject(error) ? error.type : undefined, isObject(error) ? error.status : undefined, json.type];
  return parts.filter((part) => typeof part === 'string').join(' ').toLowerCase();
}

const OPENAI_NO_CREDIT = /insufficient_quota|credit_balance_exhausted|spend_limit_exceeded|usage_limit_exceeded|billing_hard_limit/;

function withReason(base: string, reason: string): string {
  const cleaned = reason.trim().replace(/\s+/g, ' ');
  return cleaned ? `${base}: ${cleaned}` : `${base}.`;
}

/** Verdict for a non-2xx answer. */
function classifyFailure(id: ProviderId, response: ProviderResponse, nowMs: number): Classification {
  const { status, json, text, headers } = response;
  const reason = providerErrorText(json, text);
  const code = errorCode(json);
  const lower = `${reason} ${code}`.toLowerCase();
  const retry = retryAfterSeconds(headers, nowMs);

  if (status === 401) return { verdict: 'rejected', message: withReason('The provider rejected the key', reason) };
  if (status === 402) return { verdict: 'no_credit', message: withReason('The key works but the account has no credit', reason) };
  if (status === 429) {
    if (OPENAI_NO_CREDIT.test(code) || /insufficient (quota|balance)|no credits|exceeded your current quota/.test(lower)) {
      return { verdict: 'no_credit', message: withReason('The key works but its quota or credit is used up', reason) };
    }
    const seconds = retry ?? (id === 'google' ? googleRetryDelaySeconds(json) : undefined);
    return { verdict: 'rate_limited', message: withReason('Rate limited', reason), retryAfterSeconds: seconds };
  }
  if (status === 400) {
    if (/api_key_invalid|api key not valid|incorrect api key|invalid api key|invalid x-api-key|authentication/.test(lower)) {
      return { verdict: 'rejected', message: withReason('The provider rejected the key', reason) };
    }
    if (/credit balance is too low|insufficient (credit|balance)|billing|failed_precondition/.test(lower)) {
      return { verdict: 'no_credit', message: withReason('The key works but the account cannot be billed', reason) };
    }
    return { verdict: 'provider_error', message: withReason(`The provider answered 400`, reason) };
  }
  if (status === 403) {
    if (/credits? or licenses|no credits|doesn't have any credits|insufficient credits|billing/.test(lower)) {
      return { verdict: 'no_credit', message: withReason('The key works but the team has no credit', reason) };
    }
    return { verdict: 'rejected', message: withReason('The provider refused the key (forbidden)', reason) };
  }
  if (status === 404) return { verdict: 'provider_error', message: 'The check endpoint was not found (404); is the base URL right?' };
  if (status >= 500) return { verdict: 'provider_error', message: withReason(`The provider had an error (${status})`, reason), retryAfterSeconds: retry };
  if (status >= 300 && status < 400) return { verdict: 'provider_error', message: `The provider answered with a redirect (${status}); is the base URL right?` };
  return { verdict: 'provider_error', message: withReason(`Unexpected answer ${status}`, reason) };
}

const NOT_EXPECTED = (label: string): Classification => ({ verdict: 'provider_error', message: `${label} answered 200 but not with the JSON its API returns; is the base URL right?` });

/** Verdict for a 2xx answer: valid only when the body is what the API documents. */
function classifySuccess(provider: ProviderInfo, json: unknown): Classification {
  const id = provider.id;
  switch (id) {
    case 'openrouter': {
      const data = isObject(json) ? json.data : undefined;
      if (!isObject(data) || !('limit' in data || 'usage' in data || 'label' in data)) return NOT_EXPECTED(provider.label);
      const limit = num(data.limit);
      const remaining = num(data.limit_remaining);
      const credits: Credits = { currency: 'USD', limit, remaining, usage: num(data.usage) };
      const key: KeyMetadata = {
        label: typeof data.label === 'string' ? data.label : undefined,
        isFreeTier: typeof data.is_free_tier === 'boolean' ? data.is_free_tier : undefined,
        expiresAt: typeof data.expires_at === 'string' ? data.expires_at : undefined,
      };
      if (remaining !== undefined && remaining <= 0) return { verdict: 'no_credit', message: 'The key works but has reached its credit limit.', credits, key };
      const detail = remaining !== undefined ? ` $${remaining.toFixed(2)} of its $${(limit ?? 0).toFixed(2)} limit left.` : key.isFreeTier ? ' Free tier.' : '';
      return { verdict: 'valid', message: `The key is valid.${detail}`, credits, key };
    }
    case 'deepseek': {
      if (!isObject(json) || typeof json.is_available !== 'boolean' || !Array.isArray(json.balance_infos)) return NOT_EXPECTED(provider.label);
      const balances = json.balance_infos.filter(isObject).map((info) => ({
        currency: typeof info.currency === 'string' ? info.currency : '?',
        total: num(info.total_balance) ?? 0,
        granted: num(info.granted_balance),
        toppedUp: num(info.topped_up_balance),
      }));
      const first = balances[0];
      const credits: Credits = { currency: first?.currency ?? 'CNY', remaining: first?.total, balances };
      if (!json.is_available) return { verdict: 'no_credit', message: 'The key works but the account has no usable balance.', credits };
      return { verdict: 'valid', message: `The key is valid.${first ? ` Balance ${first.total.toFixed(2)} ${first.currency}.` : ''}`, credits };
    }
    case 'xai': {
      if (!isObject(json) || !('api_key_blocked' in json || 'api_key_disabled' in json || 'redacted_api_key' in json)) return NOT_EXPECTED(provider.label);
      const key: KeyMetadata = {
        label: typeof json.name === 'string' ? json.name : undefined,
        blocked: json.api_key_blocked === true, disabled: json.api_key_disabled === true, teamBlocked: json.team_blocked === true,
      };
      if (key.blocked || key.disabled || key.teamBlocked) {
        const why = key.teamBlocked ? 'its team is blocked' : key.blocked ? 'it is blocked' : 'it is disabled';
        return { verdict: 'rejected', message: `The key exists but ${why}.`, key };
      }
      return { verdict: 'valid', message: 'The key is valid.', key };
    }
    case 'eden_ai': {
      const credits = isObject(json) ? num(json.credits) : undefined;
      if (credits === undefined) return NOT_EXPECTED(provider.label);
      const result: Credits = { currency: 'USD', remaining: credits };
      if (credits <= 0) return { verdict: 'no_credit', message: 'The key works but the account has no credits.', credits: result };
      return { verdict: 'valid', message: `The key is valid. ${credits.toFixed(2)} USD of credits left.`, credits: result };
    }
    case 'google':
      return isObject(json) && Array.isArray(json.models) ? { verdict: 'valid', message: 'The key is valid.' } : NOT_EXPECTED(provider.label);
    case 'openai':
    case 'anthropic':
      return isObject(json) && Array.isArray(json.data) ? { verdict: 'valid', message: 'The key is valid.' } : NOT_EXPECTED(provider.label);
    default:
      // Custom OpenAI-compatible providers: {data: [...]} or, like Together, a bare array.
      return (isObject(json) && Array.isArray(json.data)) || Array.isArray(json) ? { verdict: 'valid', message: 'The key is valid.' } : NOT_EXPECTED(provider.label);
  }
}

export function classifyResponse(provider: ProviderInfo, response: ProviderResponse, nowMs: number): Classification {
  if (response.status >= 200 && response.status < 300) {
    return response.json === undefined ? NOT_EXPECTED(provider.label) : classifySuccess(provider, response.json);
  }
  return classifyFailure(provider.id, response, nowMs);
}
