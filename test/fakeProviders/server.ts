// A real HTTP server on 127.0.0.1 that answers like each provider's key-check endpoint, with the documented
// bodies and headers (see provider-facts.md), plus the faults verification must survive.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BuiltInProviderId } from '../../src/core/catalog';
import { scenarioOf, type Scenario } from './keys';

type Id = BuiltInProviderId | 'custom';

const PATHS: Record<Id, string> = {
  openrouter: '/api/v1/key', openai: '/v1/models', anthropic: '/v1/models', google: '/v1beta/models',
  deepseek: '/user/balance', xai: '/v1/api-key', eden_ai: '/v2/cost_management/credits/', custom: '/v1/models',
};

export interface RecordedRequest { provider: string; path: string; headers: Record<string, string | string[] | undefined> }

interface Answer { status: number; body: unknown; headers?: Record<string, string> }

function keyOf(provider: Id, request: IncomingMessage): string | undefined {
  if (provider === 'anthropic') return request.headers['x-api-key'] as string | undefined;
  if (provider === 'google') return request.headers['x-goog-api-key'] as string | undefined;
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

const OPENAI_RATE_HEADERS = {
  'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999', 'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '2000000', 'x-ratelimit-remaining-tokens': '1999990', 'x-ratelimit-reset-tokens': '0s',
};
const ANTHROPIC_RATE_HEADERS = {
  'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '49', 'anthropic-ratelimit-requests-reset': '2026-11-27T12:00:00Z',
  'anthropic-ratelimit-tokens-limit': '40000', 'anthropic-ratelimit-tokens-remaining': '40000', 'anthropic-ratelimit-tokens-reset': '2026-11-27T12:00:00Z',
};

function valid(provider: Id): Answer {
  switch (provider) {
    case 'openrouter': return { status: 200, body: { data: { label: 'sk-or-v1-au7...890', limit: 100, limit_remaining: 74.5, limit_reset: 'monthly', usage: 25.5, usage_daily: 25.5, usage_weekly: 25.5, usage_monthly: 25.5, is_free_tier: false, is_management_key: false, is_provisioning_key: false, expires_at: null, rate_limit: { requests: 1000, interval: '1h' } } } };
    case 'openai': return { status: 200, body: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1686935002, owned_by: 'system' }] }, headers: OPENAI_RATE_HEADERS };
    case 'anthropic': return { status: 200, body: { data: [{ type: 'model', id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '2026-02-04T00:00:00Z' }], has_more: false, first_id: 'claude-opus-4-6', last_id: 'claude-opus-4-6' }, headers: ANTHROPIC_RATE_HEADERS };
    case 'google': return { status: 200, body: { models: [{ name: 'models/gemini-2.0-flash', version: '2.0', displayName: 'Gemini 2.0 Flash', supportedGenerationMethods: ['generateContent', 'countTokens'] }], nextPageToken: 'x' } };
    case 'deepseek': return { status: 200, body: { is_available: true, balance_infos: [{ currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00' }] } };
    case 'xai': return { status: 200, body: { redacted_api_key: 'xai-...b14o', user_id: '59fb', name: 'My API Key', create_time: '2024-01-01T12:55:18.139305Z', team_id: '5ea6', acls: ['api-key:model:*', 'api-key:endpoint:*'], api_key_id: 'ae1e', team_blocked: false, api_key_blocked: false, api_key_disabled: false } };
    case 'eden_ai': return { status: 200, body: { credits: 12.34 } };
    case 'custom': return { status: 200, body: { object: 'list', data: [{ id: 'local-model', object: 'model' }] } };
  }
}

function rejected(provider: Id, key: string): Answer {
  const shown = `${key.slice(0, 3)}***${key.slice(-2)}`;
  switch (provider) {
    case 'openrouter': return { status: 401, body: { error: { message: 'No auth credentials found', code: 401 } } };
    case 'openai': return { status: 401, body: { error: { message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } };
    case 'anthropic': return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' }, request_id: 'req_0123' } };
    case 'google': return { status: 400, body: { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }] } } };
    case 'deepseek': return { status: 401, body: { error: { message: `Authentication Fails, Your api key: ****${key.slice(-4)} is invalid`, type: 'authentication_error', param: null, code: 'invalid_request_error' } } };
    case 'xai': return { status: 400, body: { code: 'Client specified an invalid argument', error: `Incorrect API key provided: ${shown}. You can obtain an API key from https://console.x.ai.` } };
    case 'eden_ai': return { status: 401, body: { detail: 'Invalid token.' } };
    case 'custom': return { status: 401, body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } } };
  }
}

function noCredit(provider: Id): Answer {
  switch (provider) {
    case 'openrouter': return { status: 402, body: { error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } } };
    case 'openai': return { status: 429, body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } };
    case 'anthropic': return { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' } } };
    case 'google': return { status: 400, body: { error: { code: 400, message: 'User location is not supported for the API use without a billing account linked.', status: 'FAILED_PRECONDITION' } } };
    case 'deepseek': return { status: 200, body: { is_available: false, balance_infos: [{ currency: 'USD', total_balance: '0.00', granted_balance: '0.00', topped_up_balance: '0.00' }] } };
    case 'xai': return { status: 403, body: { code: 'The caller does not have permission to execute the specified operation', error: "Your newly created team doesn't have any credits or licenses yet. You can purchase those on https://console.x.ai/team/5ea6." } };
    case 'eden_ai': return { status: 402, body: { error: 'Insufficient credits' } };
    case 'custom': return { status: 402, body: { error: { message: 'Payment required' } } };
  }
}

const GOOGLE_RPC = 'type.googleapis.com/google.rpc.';
const GEMINI_QUOTA_HELP = { '@type': `${GOOGLE_RPC}Help`, links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] };

/**
 * Gemini's ordinary 429, as it reads today: "You exceeded your current quota…" even for a per-minute limit, with a
 * QuotaFailure and a RetryInfo (RooCodeInc/Roo-Code#3883; google-gemini/gemini-cli#8414, #4656).
 */
function geminiQuota(quotaId: string, retryDelay?: string): unknown {
  return {
    error: {
      code: 429, message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': `${GOOGLE_RPC}QuotaFailure`, violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count', quotaId, quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' }, quotaValue: '250000' }] },
        GEMINI_QUOTA_HELP,
        ...(retryDelay ? [{ '@type': `${GOOGLE_RPC}RetryInfo`, retryDelay }] : []),
      ],
    },
  };
}

function rateLimited(provider: Id, retryAfter: Record<string, string>): Answer {
  if (provider === 'google') return { status: 429, headers: retryAfter, body: geminiQuota('GenerateContentInputTokensPerModelPerMinute-FreeTier', '26s') };
  if (provider === 'anthropic') return { status: 429, headers: { ...ANTHROPIC_RATE_HEADERS, 'anthropic-ratelimit-requests-remaining': '0', ...retryAfter }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit.' } } };
  return { status: 429, headers: { ...OPENAI_RATE_HEADERS, 'x-ratelimit-remaining-requests': '0', ...retryAfter }, body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } } };
}

const GEMINI_ERROR_INFO = { '@type': `${GOOGLE_RPC}ErrorInfo`, domain: 'googleapis.com' };
const OPENAI_MISSING_SCOPES = "You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.";

/** What providers answer about a key they know but will not (or cannot here) serve, by scenario and provider. */
const KNOWN_KEY_ANSWERS: Partial<Record<Scenario, Partial<Record<Id, Answer>>>> = {
  // A restricted key without Models: Read (help.openai.com article 8867743; the body as public fixtures show it).
  restricted: { openai: { status: 401, body: { error: { message: OPENAI_MISSING_SCOPES, type: 'invalid_request_error', param: null, code: null } } } },
  restricted403: {
    openai: { status: 403, body: { error: { message: OPENAI_MISSING_SCOPES, type: 'invalid_request_error', param: null, code: null } } },
    // A token without the right to read the account's credits (3P); Eden AI's error shape (edenai/docs openapi).
    eden_ai: { status: 403, body: { error: { type: 'permission_denied', message: 'You do not have permission to perform this action.' } } },
  },
  expired: {
    google: {
      status: 400, body: {
        error: {
          code: 400, message: 'API key expired. Please renew the API key.', status: 'INVALID_ARGUMENT', details: [
            { ...GEMINI_ERROR_INFO, reason: 'API_KEY_INVALID', metadata: { service: 'generativelanguage.googleapis.com' } },
            { '@type': `${GOOGLE_RPC}LocalizedMessage`, locale: 'en-US', message: 'API key expired. Please renew the API key.' },
          ],
        },
      },
    },
  },
  region: {
    openai: { status: 403, body: { error: { code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported', param: null, type: 'request_forbidden' } } },
    anthropic: { status: 403, body: { error: { type: 'forbidden', message: 'Request not allowed' } } },
    google: { status: 400, body: { error: { code: 400, message: 'User location is not supported for the API use.', status: 'FAILED_PRECONDITION' } } },
  },
  // The error-codes guide names the sentence; the shape is OpenAI's usual one.
  ipdenied: { openai: { status: 401, body: { error: { message: 'IP not authorized', type: 'invalid_request_error', param: null, code: null } } } },
  referrer: {
    google: {
      status: 403, body: {
        error: {
          code: 403, message: 'Requests from referer <empty> are blocked.', status: 'PERMISSION_DENIED',
          details: [{ ...GEMINI_ERROR_INFO, reason: 'API_KEY_HTTP_REFERRER_BLOCKED', metadata: { consumer: 'projects/177838813423', service: 'generativelanguage.googleapis.com' } }],
        },
      },
    },
  },
  serviceblocked: {
    google: {
      status: 403, body: {
        error: {
          code: 403, message: 'Requests to this API generativelanguage.googleapis.com method google.ai.generativelanguage.v1beta.ModelService.ListModels are blocked.', status: 'PERMISSION_DENIED',
          details: [{ ...GEMINI_ERROR_INFO, reason: 'API_KEY_SERVICE_BLOCKED', metadata: { consumer: 'projects/177838813423', service: 'generativelanguage.googleapis.com', apiName: 'generativelanguage.googleapis.com', methodName: 'google.ai.generativelanguage.v1beta.ModelService.ListModels' } }],
        },
      },
    },
  },
  leaked: { google: { status: 403, body: { error: { code: 403, message: 'Your API key was reported as leaked. Please use another API key.', status: 'PERMISSION_DENIED' } } } },
  forbidden: { openrouter: { status: 403, body: { error: { code: 403, message: 'Forbidden' } } } },
  management: {
    openrouter: { status: 200, body: { data: { label: 'Provisioning key', limit: null, limit_remaining: null, limit_reset: null, usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0, is_free_tier: false, is_management_key: true, is_provisioning_key: true, expires_at: null } } },
  },
  nolimit: {
    openrouter: { status: 200, body: { data: { label: 'sk-or-v1-0a1...f9e', limit: null, limit_remaining: null, limit_reset: null, usage: 12.5, usage_daily: 0.75, usage_weekly: 3.25, usage_monthly: 12.5, byok_usage: 0, include_byok_in_limit: false, is_free_tier: false, is_management_key: false, is_provisioning_key: false, expires_at: '2027-12-31T23:59:59Z' } } },
  },
  quota: { google: { status: 429, body: geminiQuota('GenerateContentInputTokensPerModelPerMinute-FreeTier', '37s') } },
  quotaday: { google: { status: 429, body: geminiQuota('GenerateContentInputTokensPerModelPerDay-FreeTier') } },
  // The same shape with a quota that has no time window: built for the rule, not copied from a capture.
  quotacap: { google: { status: 429, body: geminiQuota('GenerateContentPaidTierSpendCap') } },
  // The 403 Eden AI documents for a request without a Bearer token (docs.edenai.co response handling); DRF's wording.
  noauth: { eden_ai: { status: 403, body: { detail: 'Authentication credentials were not provided.' } } },
};

/** A provider that repeats the key in its error, `offset` characters into the sentence. */
function echo(shown: string, offset: number): Answer {
  return { status: 401, body: { error: { message: `${'words '.repeat(Math.ceil(offset / 6)).slice(0, offset)}The key ${shown} is not valid for this project.` } } };
}

export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  async start(port = 0): Promise<number> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => { this.sockets.add(socket); socket.on('close', () => this.sockets.delete(socket)); });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Base URL for one provider, for the crucibleKeys.baseUrls setting or --base-url. */
  baseUrl(provider: Id): string {
    return `http://127.0.0.1:${this.port}/${provider}`;
  }

  baseUrls(): Record<string, string> {
    return Object.fromEntries((Object.keys(PATHS) as Id[]).map((id) => [id, this.baseUrl(id)]));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [, provider, ...rest] = url.pathname.split('/');
    const path = '/' + rest.join('/');
    this.requests.push({ provider, path: url.pathname + url.search, headers: { ...request.headers } });
    if (!(provider in PATHS) || PATHS[provider as Id] !== path) return this.send(response, { status: 404, body: { error: { message: `No route ${url.pathname}` } } });
    const id = provider as Id;
    const key = keyOf(id, request);
    if (!key) return this.send(response, { status: 401, body: { error: { message: 'No auth credentials found', code: 401 } } });
    if (id === 'anthropic' && request.headers['anthropic-version'] !== '2023-06-01') return this.send(response, { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version header is required' } } });
    const { scenario, latencyMs, echoOffset } = scenarioOf(key);
    if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    await this.answer(id, scenario, key, response, echoOffset);
  }

  private async answer(id: Id, scenario: Scenario | undefined, key: string, response: ServerResponse, echoOffset: number): Promise<void> {
    const known = scenario ? KNOWN_KEY_ANSWERS[scenario]?.[id] : undefined;
    if (known) return this.send(response, known);
    switch (scenario) {
      case 'valid': return this.send(response, valid(id));
      case 'nocredit': return this.send(response, noCredit(id));
      case 'zerolimit': return this.send(response, { status: 200, body: { data: { label: 'capped', limit: 5, limit_remaining: 0, usage: 5, is_free_tier: false } } });
      case 'blocked': return this.send(response, { status: 200, body: { ...(valid('xai').body as object), api_key_blocked: true } });
      case 'ratelimited': return this.send(response, rateLimited(id, { 'retry-after': '7' }));
      case 'ratelimitdate': return this.send(response, rateLimited(id, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }));
      case 'ratelimitms': return this.send(response, rateLimited(id, { 'retry-after-ms': '1500', 'retry-after': '9' }));
      case 'e500': return this.send(response, { status: 500, body: { error: { message: 'Internal server error' } } });
      case 'e503': return this.send(response, { status: 503, body: { error: { message: 'Service overloaded' } }, headers: { 'retry-after': '3' } });
      case 'e402': return this.send(response, { status: 402, body: { error: { message: 'Payment required' } } });
      case 'redirect': return this.send(response, { status: 302, body: {}, headers: { location: 'https://example.invalid/login' } });
      case 'echo': return this.send(response, echo(key, echoOffset));
      case 'echolower': return this.send(response, echo(key.toLowerCase(), echoOffset));
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html' });
        return void response.end('<!doctype html><html><body><h1>Welcome to our captive portal</h1></body></html>');
      case 'badjson':
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end('{"data": [ {"id": "model-1", ');
      case 'deepjson':
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(`${'['.repeat(300_000)}${']'.repeat(300_000)}`);
      case 'huge': {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < 10 * 1024 * 1024 && !response.destroyed; sent += chunk.length) {
          if (!response.write(chunk)) await new Promise((resolve) => { response.once('drain', resolve); response.once('close', resolve); });
        }
        return void response.end();
      }
      case 'stall':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"data": [');
        return; // never finishes: the body stalls
      case 'stallheaders':
        return; // never answers at all
      case 'reset':
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        response.write('{"data": [{"id": "partial"');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      default:
        return this.send(response, rejected(id, key));
    }
  }

  private send(response: ServerResponse, answer: Answer): void {
    const body = JSON.stringify(answer.body);
    response.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(answer.headers ?? {}) });
    response.end(body);
  }
}
