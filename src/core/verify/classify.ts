// Turning one provider response into a verdict by reading the rules (rules.ts) top to bottom. Classifies on the body
// as well as the status, because providers disagree: Gemini and xAI say "invalid key" with 400, OpenAI says "no credit"
// with 429, xAI uses 403, and Gemini's rate limit reads like a billing problem until its details are read.
import type { ProviderInfo } from '../catalog';
import { accountKeyPrefix, accountKeySentence } from '../keyKind';
import { readBody, type BodyFacts } from './bodies';
import { readGoogleDetails } from './googleDetails';
import { isObject } from './json';
import { retryAfterSeconds, type HeaderBag } from './rateLimits';
import { VERDICT_RULES, type Answer, type StatusMatch, type VerdictRule } from './rules';
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
  note?: string;
  credits?: Credits;
  key?: KeyMetadata;
  retryAfterSeconds?: number;
}

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

/** The code, type and status fields of the error shapes providers use, lower-cased. */
function errorCodes(json: unknown): string {
  if (!isObject(json)) return '';
  const error = json.error;
  const parts = [json.code, isObject(error) ? error.code : undefined, isObject(error) ? error.type : undefined, isObject(error) ? error.status : undefined, json.type];
  return parts.filter((part) => typeof part === 'string').join(' ').toLowerCase();
}

const NO_BODY: BodyFacts = { documented: false, vars: {} };
const isSuccess = (status: number): boolean => status >= 200 && status < 300;

function answerOf(provider: ProviderInfo, response: ProviderResponse): Answer {
  const { status, json, text } = response;
  const reason = isSuccess(status) ? '' : providerErrorText(json, text).replace(/\s+/g, ' ').trim();
  return {
    status, json, reason, words: `${reason} ${errorCodes(json)}`.toLowerCase(),
    google: readGoogleDetails(json), body: isSuccess(status) ? readBody(provider, json) : NO_BODY,
  };
}

function statusMatches(match: StatusMatch, status: number): boolean {
  if (match === 'any') return true;
  if (match === '2xx') return isSuccess(status);
  if (match === '3xx') return status >= 300 && status < 400;
  if (match === '5xx') return status >= 500 && status < 600;
  return match.includes(status);
}

function ruleApplies(rule: VerdictRule, provider: ProviderInfo): boolean {
  return rule.provider === '*' || rule.provider === provider.id;
}

/** Fills a rule's message in one pass, so that text from the provider is never read as a placeholder. */
export function fillMessage(template: string, vars: Readonly<Record<string, string>>): string {
  const withReason = vars.reason ? template : template.replace(/(?:\s*\{label\} said)?:?\s*\{reason\}$/, '').replace(/([^.])$/, '$1.');
  return withReason.replace(/\{(\w+)\}/g, (placeholder, name: string) => vars[name] ?? placeholder);
}

export function classifyResponse(provider: ProviderInfo, response: ProviderResponse, nowMs: number): Classification {
  const answer = answerOf(provider, response);
  // The table ends with a rule for any status, so there is always a match.
  const rule = VERDICT_RULES.find((candidate) => ruleApplies(candidate, provider) && statusMatches(candidate.status, answer.status) && (!candidate.marker || candidate.marker.test(answer)))!;
  const message = fillMessage(rule.message, { label: provider.label, status: String(answer.status), reason: answer.reason, ...answer.body.vars });
  const retry = rule.verdict === 'rate_limited' || answer.status >= 500 ? retryAfterSeconds(response.headers, nowMs) ?? answer.google.retryDelaySeconds : undefined;
  return {
    verdict: rule.verdict, message,
    ...(rule.note ? { note: rule.note } : {}),
    ...(answer.body.credits ? { credits: answer.body.credits } : {}),
    ...(answer.body.key ? { key: answer.body.key } : {}),
    ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
  };
}

/** The verdict for a key whose prefix marks it as an admin or management key: no request is needed, or sent. */
export function classifyKey(provider: ProviderInfo, key: string): Classification | undefined {
  const account = accountKeyPrefix(provider, key);
  return account ? { verdict: 'rejected', message: accountKeySentence(provider, account), key: { kind: account.kind } } : undefined;
}
