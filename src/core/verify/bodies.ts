// What each provider's 2xx check body says, read once: whether it is the JSON the API documents, the credits and key
// metadata in it, and the values the verdict messages quote. The verdict itself comes from the rules (rules.ts).
import type { ProviderInfo } from '../catalog';
import { isObject, num, str } from './json';
import type { Credits, KeyMetadata } from './types';

export interface BodyFacts {
  /** The body is the JSON this provider's check endpoint documents; anything else is a provider error. */
  documented: boolean;
  credits?: Credits;
  key?: KeyMetadata;
  /** Values for the message templates, already formatted ("$74.50"). */
  vars: Record<string, string>;
}

const bool = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** The object without its undefined fields, so results compare and serialise the same whatever the provider left out. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

const dollars = (amount: number): string => `$${amount.toFixed(2)}`;
const NOT_DOCUMENTED: BodyFacts = { documented: false, vars: {} };

export function readBody(provider: ProviderInfo, json: unknown): BodyFacts {
  if (json === undefined) return NOT_DOCUMENTED;
  switch (provider.id) {
    case 'openrouter': return openRouter(json);
    case 'deepseek': return deepSeek(json);
    case 'xai': return xai(json);
    case 'eden_ai': return edenAi(json);
    case 'google': return { documented: isObject(json) && Array.isArray(json.models), vars: {} };
    case 'openai':
    case 'anthropic': return { documented: isObject(json) && Array.isArray(json.data), vars: {} };
    default:
      // Custom OpenAI-compatible providers: {data: [...]} or, like Together, a bare array.
      return { documented: (isObject(json) && Array.isArray(json.data)) || Array.isArray(json), vars: {} };
  }
}

/** GET /api/v1/key: the key's own cap and usage, never the account balance (OpenRouterTeam/docs api_reference/limits.mdx). */
function openRouter(json: unknown): BodyFacts {
  const data = isObject(json) ? json.data : undefined;
  if (!isObject(data) || !('limit' in data || 'usage' in data || 'label' in data)) return NOT_DOCUMENTED;
  const limit = num(data.limit);
  const remaining = num(data.limit_remaining);
  const management = data.is_management_key === true || data.is_provisioning_key === true;
  return {
    documented: true,
    credits: compact<Credits>({
      currency: 'USD', scope: 'key', limit, remaining, usage: num(data.usage),
      usageDaily: num(data.usage_daily), usageWeekly: num(data.usage_weekly), usageMonthly: num(data.usage_monthly), limitReset: str(data.limit_reset),
    }),
    key: compact<KeyMetadata>({
      label: str(data.label), kind: management ? 'management' : 'inference', isFreeTier: bool(data.is_free_tier), expiresAt: str(data.expires_at),
    }),
    vars: remaining === undefined ? {} : { remaining: dollars(remaining), limit: dollars(limit ?? 0) },
  };
}

/** GET /user/balance (api-docs.deepseek.com, get-user-balance): amounts are strings, per currency. */
function deepSeek(json: unknown): BodyFacts {
  if (!isObject(json) || typeof json.is_available !== 'boolean' || !Array.isArray(json.balance_infos)) return NOT_DOCUMENTED;
  const balances = json.balance_infos.filter(isObject).map((info) => compact({
    currency: str(info.currency) ?? '?', total: num(info.total_balance) ?? 0, granted: num(info.granted_balance), toppedUp: num(info.topped_up_balance),
  }));
  const first = balances[0];
  return {
    documented: true,
    credits: compact<Credits>({ currency: first?.currency ?? 'CNY', scope: 'account', remaining: first?.total, balances }),
    vars: first ? { balance: `${first.total.toFixed(2)} ${first.currency}` } : {},
  };
}

/** GET /v1/api-key (xAI's OpenAPI): the key's name and whether it, or its team, is blocked or disabled. */
function xai(json: unknown): BodyFacts {
  if (!isObject(json) || !('api_key_blocked' in json || 'api_key_disabled' in json || 'redacted_api_key' in json)) return NOT_DOCUMENTED;
  return {
    documented: true,
    key: compact<KeyMetadata>({ label: str(json.name), blocked: json.api_key_blocked === true, disabled: json.api_key_disabled === true, teamBlocked: json.team_blocked === true }),
    vars: {},
  };
}

/** GET /v2/cost_management/credits/ (edenai/docs openapi/v3-cost-management.json): {"credits": number}, in USD. */
function edenAi(json: unknown): BodyFacts {
  const credits = isObject(json) ? num(json.credits) : undefined;
  if (credits === undefined) return NOT_DOCUMENTED;
  return { documented: true, credits: { currency: 'USD', scope: 'account', remaining: credits }, vars: { credits: credits.toFixed(2) } };
}
