// The verdict rules: provider × HTTP status × body marker → verdict, message and note, read top to bottom, first match
// wins. This table is the rule: the classifier only evaluates it, and the README's verdict table is generated from it
// (scripts/verdict-table.ts). What a provider says about the *key* decides; a key the provider recognised is never
// `rejected` because of what it said about the endpoint, the region or the network the check came from.
import type { BuiltInProviderId } from '../catalog';
import type { BodyFacts } from './bodies';
import type { GoogleDetails } from './googleDetails';
import { isWindowQuota } from './googleDetails';
import { at, num } from './json';
import type { Verdict } from './types';

/** One provider answer, as the rules read it. */
export interface Answer {
  status: number;
  json: unknown;
  /** The provider's own sentence, whitespace collapsed; empty for a 2xx. */
  reason: string;
  /** The sentence and the error code, type and status fields, lower-cased: what `says` markers search. */
  words: string;
  google: GoogleDetails;
  /** What a 2xx body says (not documented for any other status). */
  body: BodyFacts;
}

export interface Marker {
  /** The marker in words, for the README table. */
  text: string;
  test: (answer: Answer) => boolean;
}

export type StatusMatch = readonly number[] | '2xx' | '3xx' | '5xx' | 'any';

export interface VerdictRule {
  /** A built-in provider, or '*' for every provider (custom ones too). */
  provider: BuiltInProviderId | '*';
  status: StatusMatch;
  /** What the body must say; absent, any body. */
  marker?: Marker;
  verdict: Verdict;
  /**
   * For people. {reason} is the provider's own sentence and comes last (the message is cut from the end); with no
   * sentence, "… said: {reason}" or ": {reason}" is dropped. {label} and {status} are the provider and the HTTP
   * status; other names are values read from the body (bodies.ts).
   */
  message: string;
  /** A caveat shown with the verdict. */
  note?: string;
  /** Where the provider's behaviour is documented or observed. */
  source?: string;
}

/** The provider's sentence or its error code, type or status matches `pattern` (written in lower case). */
const says = (pattern: RegExp, text: string): Marker => ({ text, test: (answer) => pattern.test(answer.words) });
const isTrue = (path: string): Marker => ({ text: `\`${path}\` is true`, test: (answer) => at(answer.json, path) === true });
const googleReason = (...reasons: string[]): Marker => ({
  text: `\`error.details[]\` ErrorInfo reason ${reasons.map((reason) => `\`${reason}\``).join(' or ')}`,
  test: (answer) => answer.google.reasons.some((reason) => reasons.includes(reason)),
});
const both = (first: Marker, second: Marker): Marker => ({ text: `${first.text}, and ${second.text}`, test: (answer) => first.test(answer) && second.test(answer) });
const notDocumented: Marker = { text: 'not the JSON the API documents', test: (answer) => !answer.body.documented };

const GOOGLE_FAILED_PRECONDITION = says(/failed_precondition/, '`error.status` is `FAILED_PRECONDITION`');
const REGION = says(/unsupported_country_region_territory|country, region,? or territory not supported/, '`error.code` is `unsupported_country_region_territory`, or says "Country, region, or territory not supported"');
/** OpenAI's 429 codes for money, not speed (OpenAI error-codes guide); "insufficient_quota" is also a type. */
const OPENAI_NO_CREDIT = says(/insufficient_quota|credit_balance_exhausted|spend_limit_exceeded|usage_limit_exceeded|billing_hard_limit/, '`error.code` or `error.type` is `insufficient_quota`, `credit_balance_exhausted`, `*_spend_limit_exceeded` or `*_usage_limit_exceeded`');

const INFERENCE_KEY_NEEDED = 'Crucible needs an inference key';
const RESTRICTED_OPENAI = 'restricted key: it cannot list models; chat may still work';
const RESTRICTED_EDEN = 'restricted token: it cannot read the account\'s credits; AI calls may still work';

export const VERDICT_RULES: readonly VerdictRule[] = [
  // ── 2xx: valid only when the body is the JSON the API documents ──────────────────────────────────────────────────
  { provider: '*', status: '2xx', marker: notDocumented, verdict: 'provider_error', message: '{label} answered {status} but not with the JSON its API returns; is the base URL right?' },
  {
    provider: 'openrouter', status: '2xx', marker: { text: '`data.is_management_key` (or `is_provisioning_key`) is true', test: (answer) => answer.body.key?.kind === 'management' },
    verdict: 'rejected', message: `This is a management key, which cannot call the model APIs; ${INFERENCE_KEY_NEEDED}.`,
    source: 'openrouter.ai/docs/guides/overview/auth/management-api-keys',
  },
  {
    provider: 'openrouter', status: '2xx', marker: { text: '`data.limit_remaining` ≤ 0', test: (answer) => (num(at(answer.json, 'data.limit_remaining')) ?? 1) <= 0 },
    verdict: 'no_credit', message: 'The key works but has reached its credit limit.',
  },
  {
    provider: 'openrouter', status: '2xx', marker: { text: '`data.limit` is null', test: (answer) => at(answer.json, 'data.limit') === null },
    verdict: 'valid', message: 'The key is valid. It has no key limit.', note: 'no key limit: the account balance is not visible with this key',
    source: 'OpenRouterTeam/docs api_reference/limits.mdx',
  },
  {
    provider: 'openrouter', status: '2xx', marker: { text: '`data.limit_remaining` is a number', test: (answer) => answer.body.vars.remaining !== undefined },
    verdict: 'valid', message: 'The key is valid. {remaining} of its {limit} limit left.',
  },
  { provider: 'openrouter', status: '2xx', marker: isTrue('data.is_free_tier'), verdict: 'valid', message: 'The key is valid. Free tier.' },
  { provider: 'deepseek', status: '2xx', marker: { text: '`is_available` is false', test: (answer) => at(answer.json, 'is_available') === false }, verdict: 'no_credit', message: 'The key works but the account has no usable balance.' },
  { provider: 'deepseek', status: '2xx', marker: { text: '`balance_infos` has an entry', test: (answer) => answer.body.vars.balance !== undefined }, verdict: 'valid', message: 'The key is valid. Balance {balance}.' },
  { provider: 'xai', status: '2xx', marker: isTrue('team_blocked'), verdict: 'rejected', message: 'The key exists but its team is blocked.' },
  { provider: 'xai', status: '2xx', marker: isTrue('api_key_blocked'), verdict: 'rejected', message: 'The key exists but it is blocked.' },
  { provider: 'xai', status: '2xx', marker: isTrue('api_key_disabled'), verdict: 'rejected', message: 'The key exists but it is disabled.' },
  { provider: 'eden_ai', status: '2xx', marker: { text: '`credits` ≤ 0', test: (answer) => (num(at(answer.json, 'credits')) ?? 1) <= 0 }, verdict: 'no_credit', message: 'The key works but the account has no credits.' },
  { provider: 'eden_ai', status: '2xx', verdict: 'valid', message: 'The key is valid. {credits} USD of credits left.' },
  { provider: '*', status: '2xx', verdict: 'valid', message: 'The key is valid.' },

  // ── Google: error.details says what the status and sentence do not ───────────────────────────────────────────────
  {
    provider: 'google', status: [400], marker: both(googleReason('API_KEY_INVALID'), says(/expired/, 'says "expired"')),
    verdict: 'rejected', message: 'The key has expired; create a new one in Google AI Studio. {label} said: {reason}', source: 'continuedev/continue#11336',
  },
  { provider: 'google', status: [400], marker: googleReason('API_KEY_INVALID'), verdict: 'rejected', message: 'The provider rejected the key: {reason}' },
  {
    provider: 'google', status: [400], marker: both(GOOGLE_FAILED_PRECONDITION, says(/billing/, 'names billing')),
    verdict: 'no_credit', message: 'The key works but the project needs billing for the Gemini API here: {reason}', source: 'ai.google.dev/gemini-api/docs/troubleshooting',
  },
  {
    provider: 'google', status: [400], marker: both(GOOGLE_FAILED_PRECONDITION, says(/location is not supported/, 'says "location is not supported"')),
    verdict: 'unverifiable', message: 'Not decided: Gemini does not serve the country or region this check came from; check again from a supported one. {label} said: {reason}',
    source: 'ai.google.dev/gemini-api/docs/available-regions; poenl/gemini-api#4',
  },
  { provider: 'google', status: [400], marker: GOOGLE_FAILED_PRECONDITION, verdict: 'no_credit', message: 'The key works but the project needs billing for the Gemini API: {reason}', source: 'ai.google.dev/gemini-api/docs/troubleshooting' },
  {
    provider: 'google', status: [403], marker: says(/reported as leaked/, 'says "reported as leaked"'),
    verdict: 'rejected', message: 'Google blocked this key as leaked; create a new one. {label} said: {reason}', source: 'continuedev/continue#11541',
  },
  {
    provider: 'google', status: [403], marker: googleReason('API_KEY_SERVICE_BLOCKED'),
    verdict: 'rejected', message: 'The key may not call the Gemini API: its API restrictions leave out the Generative Language API. {label} said: {reason}',
    source: 'continuedev/continue#12781; googleapis google/api/error_reason.proto',
  },
  {
    provider: 'google', status: [403], marker: googleReason('API_KEY_IP_ADDRESS_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED', 'API_KEY_ANDROID_APP_BLOCKED', 'API_KEY_IOS_APP_BLOCKED'),
    verdict: 'unverifiable', message: 'Not decided: the key works only from the addresses, websites or apps its restrictions allow, and this check came from elsewhere. {label} said: {reason}',
    source: 'googleapis google/api/error_reason.proto',
  },
  {
    provider: 'google', status: [403], marker: googleReason('SERVICE_DISABLED'),
    verdict: 'unverifiable', message: 'Not decided: the Generative Language API is turned off in the key\'s Google Cloud project; turn it on and check again. {label} said: {reason}',
    source: 'googleapis google/api/error_reason.proto',
  },
  {
    provider: 'google', status: [429], marker: { text: 'a QuotaFailure violation that is not per minute or per day', test: (answer) => answer.google.quotaViolations.some((violation) => !isWindowQuota(violation)) },
    verdict: 'no_credit', message: 'The key works but a quota that does not refill by itself is used up; check the plan and billing. {label} said: {reason}',
  },
  {
    provider: 'google', status: [429], verdict: 'rate_limited', message: 'Rate limited: {reason}',
    source: 'google-gemini/gemini-cli#8414, RooCodeInc/Roo-Code#3883: "You exceeded your current quota" with RetryInfo, for per-minute and per-day limits too',
  },

  // ── Restricted keys, and refusals of the request rather than of the key ─────────────────────────────────────────
  {
    provider: 'openai', status: [401, 403], marker: says(/missing scopes|insufficient permissions/, 'says "Missing scopes" or "insufficient permissions"'),
    verdict: 'valid', message: 'The key is valid, but restricted: it may not list models.', note: RESTRICTED_OPENAI, source: 'help.openai.com article 8867743',
  },
  {
    provider: 'openai', status: [401], marker: says(/ip not authorized/, 'says "IP not authorized"'),
    verdict: 'unverifiable', message: 'Not decided: the key accepts only the IP addresses on its allowlist; check from one of them, or add this address to the allowlist. {label} said: {reason}',
    source: 'OpenAI error-codes guide',
  },
  {
    provider: '*', status: [403], marker: REGION,
    verdict: 'unverifiable', message: 'Not decided: {label} does not serve the country or region this check came from; check again from a supported one. {label} said: {reason}',
    source: 'OpenAI error-codes guide; songquanpeng/one-api#1692',
  },
  {
    provider: 'anthropic', status: [403], marker: says(/request not allowed/, 'says "Request not allowed"'),
    verdict: 'unverifiable', message: 'Not decided: Anthropic refuses requests like this from countries and regions it does not serve; check again from a supported one. {label} said: {reason}',
    source: 'anthropics/anthropic-sdk-typescript#457, anthropics/claude-code#1613',
  },
  { provider: 'eden_ai', status: [403], marker: says(/invalid (token|api key)/, 'says "invalid token"'), verdict: 'rejected', message: 'The provider rejected the key: {reason}' },
  {
    provider: 'eden_ai', status: [403], marker: says(/credentials were not provided|not authenticated/, 'says "credentials were not provided"'),
    verdict: 'provider_error', message: 'Eden AI did not receive the key; a proxy may have dropped the Authorization header. {label} said: {reason}',
    source: 'docs.edenai.co/docs/response-handling (403 without a Bearer prefix)',
  },
  {
    provider: 'eden_ai', status: [403], verdict: 'valid', message: 'The key is valid, but restricted: it may not read the account\'s credits.', note: RESTRICTED_EDEN,
    source: 'provider-facts.md: restricted tokens get 403 on the credits endpoint (3P)',
  },

  // ── Every provider ───────────────────────────────────────────────────────────────────────────────────────────────
  { provider: '*', status: [401], marker: says(/expired/, 'says "expired"'), verdict: 'rejected', message: 'The key has expired: {reason}' },
  { provider: '*', status: [401], verdict: 'rejected', message: 'The provider rejected the key: {reason}' },
  { provider: '*', status: [402], verdict: 'no_credit', message: 'The key works but the account has no credit: {reason}' },
  {
    provider: '*', status: [403], marker: says(/credits? or licenses|no credits|doesn't have any credits|insufficient credits|billing/, 'says "no credits", "credits or licenses" or "billing"'),
    verdict: 'no_credit', message: 'The key works but its account has no credit: {reason}', source: 'xAI: 403 "…doesn\'t have any credits or licenses yet" (provider-facts.md)',
  },
  { provider: '*', status: [403], verdict: 'unverifiable', message: 'Not decided: {label} knows the key but refused this check (403). {label} said: {reason}' },
  { provider: '*', status: [429], marker: OPENAI_NO_CREDIT, verdict: 'no_credit', message: 'The key works but its quota or credit is used up: {reason}', source: 'OpenAI error-codes guide' },
  {
    provider: '*', status: [429], marker: says(/insufficient (quota|balance|credits?)|credit balance|no credits/, 'says "insufficient quota", "insufficient balance" or "no credits"'),
    verdict: 'no_credit', message: 'The key works but its quota or credit is used up: {reason}',
  },
  { provider: '*', status: [429], verdict: 'rate_limited', message: 'Rate limited: {reason}' },
  {
    provider: '*', status: [400], marker: says(/api_key_invalid|api key not valid|incorrect api key|invalid api key|invalid x-api-key|authentication_error|authentication fails/, 'says "API key not valid", "Incorrect API key", "Invalid API key" or "authentication_error"'),
    verdict: 'rejected', message: 'The provider rejected the key: {reason}', source: 'Gemini and xAI answer an invalid key with 400 (provider-facts.md)',
  },
  {
    provider: '*', status: [400], marker: says(/credit balance is too low|insufficient (credit|balance)|billing/, 'says "credit balance is too low", "insufficient credit" or "billing"'),
    verdict: 'no_credit', message: 'The key works but the account cannot be billed: {reason}', source: 'anthropics/anthropic-sdk-typescript#618',
  },
  { provider: '*', status: [400], verdict: 'provider_error', message: 'The provider answered 400: {reason}' },
  { provider: '*', status: [404], verdict: 'provider_error', message: 'The check endpoint was not found (404); is the base URL right?' },
  { provider: '*', status: '5xx', verdict: 'provider_error', message: 'The provider had an error ({status}): {reason}' },
  { provider: '*', status: '3xx', verdict: 'provider_error', message: 'The provider answered with a redirect ({status}); is the base URL right?' },
  { provider: '*', status: 'any', verdict: 'provider_error', message: 'Unexpected answer {status}: {reason}' },
];
