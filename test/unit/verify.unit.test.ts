// The verification engine against a real HTTP server on 127.0.0.1 that answers with the documented bodies.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BUILT_IN_PROVIDERS, type BuiltInProviderId, ProviderCatalog } from '../../src/core/catalog';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { fillMessage } from '../../src/core/verify/classify';
import { durationSeconds } from '../../src/core/verify/googleDetails';
import { VERDICT_RULES } from '../../src/core/verify/rules';
import type { Verdict, VerifyResult } from '../../src/core/verify/types';
import { KeyVerifier, VerifyConfigError } from '../../src/core/verify/verifier';
import { fakeKey, type Scenario } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';

const server = new FakeProviderServer();
const logLines: string[] = [];
const usedKeys = new Set<string>();
const catalog = new ProviderCatalog([{ id: 'local', label: 'Local LLM', baseUrl: 'http://127.0.0.1:9/v1', envVar: 'LOCAL_API_KEY' }]);

function verifier(options: { timeoutMs?: number; baseUrls?: Record<string, string> } = {}): KeyVerifier {
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: (level, line) => logLines.push(`${level} ${line}`) }, redactor);
  return new KeyVerifier({ logger, redactor, timeoutMs: options.timeoutMs ?? 5000, baseUrls: options.baseUrls ?? { ...server.baseUrls(), local: server.baseUrl('custom') + '/v1' } });
}

async function check(id: BuiltInProviderId | 'local', scenario: Scenario, options: { timeoutMs?: number; baseUrls?: Record<string, string> } = {}): Promise<VerifyResult> {
  const key = fakeKey(id === 'local' ? 'custom' : id, scenario);
  usedKeys.add(key);
  const engine = verifier(options);
  try {
    const result = await engine.verify(catalog.require(id), key);
    assert.ok(!JSON.stringify(result).includes(key), `${id}/${scenario}: result contains the key`);
    return result;
  } finally {
    await engine.close();
  }
}

before(async () => { await server.start(); });
after(async () => {
  await server.stop();
  const all = logLines.join('\n');
  for (const key of usedKeys) assert.ok(!all.includes(key), 'a log line contains a key');
});

describe('verification verdicts per provider (documented bodies)', () => {
  const expected: Record<BuiltInProviderId, Record<'valid' | 'rejected' | 'nocredit', [Verdict, number]>> = {
    openrouter: { valid: ['valid', 200], rejected: ['rejected', 401], nocredit: ['no_credit', 402] },
    openai: { valid: ['valid', 200], rejected: ['rejected', 401], nocredit: ['no_credit', 429] },
    anthropic: { valid: ['valid', 200], rejected: ['rejected', 401], nocredit: ['no_credit', 400] },
    google: { valid: ['valid', 200], rejected: ['rejected', 400], nocredit: ['no_credit', 400] },
    deepseek: { valid: ['valid', 200], rejected: ['rejected', 401], nocredit: ['no_credit', 200] },
    xai: { valid: ['valid', 200], rejected: ['rejected', 400], nocredit: ['no_credit', 403] },
    eden_ai: { valid: ['valid', 200], rejected: ['rejected', 401], nocredit: ['no_credit', 402] },
  };
  for (const provider of BUILT_IN_PROVIDERS) {
    for (const scenario of ['valid', 'rejected', 'nocredit'] as const) {
      const [verdict, status] = expected[provider.id as BuiltInProviderId][scenario];
      it(`${provider.id}: ${scenario} → ${verdict} (${status})`, async () => {
        const result = await check(provider.id as BuiltInProviderId, scenario);
        assert.equal(result.verdict, verdict, result.message);
        assert.equal(result.httpStatus, status);
        assert.ok(result.latencyMs >= 0 && Date.parse(result.checkedAt) > 0);
        assert.ok(result.message.length > 0 && !result.message.includes('\n'));
      });
    }
  }

  it('reads OpenRouter credits, label and free tier; a used-up key limit is no_credit', async () => {
    const result = await check('openrouter', 'valid');
    assert.deepEqual(result.credits, { currency: 'USD', scope: 'key', limit: 100, remaining: 74.5, usage: 25.5, usageDaily: 25.5, usageWeekly: 25.5, usageMonthly: 25.5, limitReset: 'monthly' });
    assert.equal(result.message, 'The key is valid. $74.50 of its $100.00 limit left.');
    assert.equal(result.note, undefined);
    assert.equal(result.key?.label, 'sk-or-v1-au7...890');
    assert.equal(result.key?.isFreeTier, false);
    assert.equal((await check('openrouter', 'zerolimit')).verdict, 'no_credit');
  });

  it('reads DeepSeek and Eden AI balances with currency', async () => {
    const deepseek = await check('deepseek', 'valid');
    assert.equal(deepseek.credits?.remaining, 110);
    assert.equal(deepseek.credits?.currency, 'CNY');
    assert.deepEqual(deepseek.credits?.balances?.[0], { currency: 'CNY', total: 110, granted: 10, toppedUp: 100 });
    assert.deepEqual((await check('eden_ai', 'valid')).credits, { currency: 'USD', scope: 'account', remaining: 12.34 });
  });

  it('treats a blocked xAI key as rejected and says why', async () => {
    const result = await check('xai', 'blocked');
    assert.equal(result.verdict, 'rejected');
    assert.equal(result.key?.blocked, true);
    assert.match(result.message, /blocked/);
  });

  it('sends each provider\'s documented auth header, and never the key in the URL', async () => {
    server.requests.length = 0;
    await check('google', 'valid');
    await check('anthropic', 'valid');
    await check('openai', 'valid');
    const [google, anthropic, openai] = server.requests;
    assert.equal(google.path, '/google/v1beta/models');
    assert.ok(google.headers['x-goog-api-key'] && !google.headers.authorization);
    assert.equal(anthropic.headers['anthropic-version'], '2023-06-01');
    assert.ok(anthropic.headers['x-api-key'] && !anthropic.headers.authorization);
    assert.match(String(openai.headers.authorization), /^Bearer sk-proj-/);
  });

  it('collects rate-limit headers', async () => {
    const openai = await check('openai', 'valid');
    assert.equal(openai.rateLimit?.requestsLimit, 10000);
    assert.equal(openai.rateLimit?.tokensRemaining, 1999990);
    assert.equal(openai.rateLimit?.requestsReset, '6ms');
    const anthropic = await check('anthropic', 'valid');
    assert.equal(anthropic.rateLimit?.requestsRemaining, 49);
    assert.equal(anthropic.rateLimit?.headers['anthropic-ratelimit-tokens-limit'], '40000');
  });

  it('checks custom OpenAI-compatible providers at {baseUrl}/models, and says unverifiable when there is no check', async () => {
    assert.equal((await check('local', 'valid')).verdict, 'valid');
    assert.equal((await check('local', 'rejected')).verdict, 'rejected');
    const noCheck = new ProviderCatalog([{ id: 'nocheck', label: 'No check', baseUrl: 'http://127.0.0.1:9', envVar: 'X_KEY', verify: false }]);
    const engine = verifier();
    assert.equal((await engine.verify(noCheck.require('nocheck'), 'whatever-key')).verdict, 'unverifiable');
    await engine.close();
  });

  it('passes provider error text through the redactor when a provider echoes the key', async () => {
    const result = await check('openai', 'echo');
    assert.equal(result.verdict, 'rejected');
    assert.match(result.message, /The key sk-proj-…[A-Za-z0-9]{4} is not valid/);
  });

  it('redacts a provider message before cutting it: no run of the key survives at any offset or in lower case', async () => {
    const engine = verifier();
    try {
      for (const id of ['openai', 'local'] as const) {
        const provider = catalog.require(id);
        for (const scenario of ['echo', 'echolower'] as const) {
          // Offsets that put the key astride both the old cut (240 characters of the reason) and the current one.
          for (let offset = 150; offset <= 300; offset += 3) {
            const key = fakeKey(id === 'local' ? 'custom' : id, scenario, 0, offset);
            usedKeys.add(key);
            const result = await engine.verify(provider, key);
            assert.equal(result.verdict, 'rejected', result.message);
            assert.ok(result.message.length <= 301, `${result.message.length} characters`);
            const shown = result.message.toLowerCase();
            const secret = key.slice(key.indexOf('fkx')).toLowerCase();
            for (let at = 0; at + 6 <= secret.length; at++) {
              assert.ok(!shown.includes(secret.slice(at, at + 6)), `${id}/${scenario} at offset ${offset}: the key's characters ${at} to ${at + 5} are in the message`);
            }
          }
        }
      }
    } finally {
      await engine.close();
    }
  });

  it('refuses a base URL that is not http(s) or carries credentials', () => {
    assert.throws(() => verifier({ baseUrls: { openai: 'ftp://x' } }), VerifyConfigError);
    assert.throws(() => verifier({ baseUrls: { openai: 'https://user:pw@x' } }), VerifyConfigError);
    assert.throws(() => verifier({ baseUrls: { openai: 'not a url' } }), VerifyConfigError);
  });
});

describe('keys the provider knows: restricted, expired, regional, management and admin keys (current wording)', () => {
  interface Case { id: BuiltInProviderId; scenario: Scenario; verdict: Verdict; status?: number; message: RegExp; note?: RegExp; then?: (result: VerifyResult) => void }
  const RESTRICTED = /^restricted key: it cannot list models; chat may still work$/;
  const cases: Case[] = [
    { id: 'google', scenario: 'quota', verdict: 'rate_limited', status: 429, message: /^Rate limited: You exceeded your current quota, please check your plan and billing details/, then: (r) => assert.equal(r.retryAfterSeconds, 37) },
    { id: 'google', scenario: 'quotaday', verdict: 'rate_limited', status: 429, message: /^Rate limited: You exceeded your current quota/, then: (r) => assert.equal(r.retryAfterSeconds, undefined) },
    { id: 'google', scenario: 'quotacap', verdict: 'no_credit', status: 429, message: /^The key works but a quota that does not refill by itself is used up; check the plan and billing\. Google Gemini said: You exceeded/ },
    { id: 'google', scenario: 'nocredit', verdict: 'no_credit', status: 400, message: /needs billing for the Gemini API here: User location is not supported for the API use without a billing account linked\.$/ },
    { id: 'openai', scenario: 'restricted', verdict: 'valid', status: 401, message: /^The key is valid, but restricted: it may not list models\.$/, note: RESTRICTED },
    { id: 'openai', scenario: 'restricted403', verdict: 'valid', status: 403, message: /^The key is valid, but restricted/, note: RESTRICTED },
    { id: 'eden_ai', scenario: 'restricted403', verdict: 'valid', status: 403, message: /^The key is valid, but restricted: it may not read the account's credits\.$/, note: /^restricted token: it cannot read the account's credits; AI calls may still work$/ },
    { id: 'google', scenario: 'expired', verdict: 'rejected', status: 400, message: /^The key has expired; create a new one in Google AI Studio\. Google Gemini said: API key expired\. Please renew the API key\.$/ },
    { id: 'openai', scenario: 'region', verdict: 'unverifiable', status: 403, message: /^Not decided: OpenAI does not serve the country or region this check came from; check again from a supported one\. OpenAI said: Country, region, or territory not supported$/ },
    { id: 'anthropic', scenario: 'region', verdict: 'unverifiable', status: 403, message: /^Not decided: Anthropic refuses requests like this from countries and regions it does not serve.*Anthropic said: Request not allowed$/ },
    { id: 'google', scenario: 'region', verdict: 'unverifiable', status: 400, message: /^Not decided: Gemini does not serve the country or region.*said: User location is not supported for the API use\.$/ },
    { id: 'openai', scenario: 'ipdenied', verdict: 'unverifiable', status: 401, message: /^Not decided: the key accepts only the IP addresses on its allowlist; check from one of them, or add this address to the allowlist\. OpenAI said: IP not authorized$/ },
    { id: 'google', scenario: 'referrer', verdict: 'unverifiable', status: 403, message: /^Not decided: the key works only from the addresses, websites or apps its restrictions allow.*Requests from referer <empty> are blocked\.$/ },
    { id: 'google', scenario: 'serviceblocked', verdict: 'rejected', status: 403, message: /^The key may not call the Gemini API: its API restrictions leave out the Generative Language API\./ },
    { id: 'google', scenario: 'leaked', verdict: 'rejected', status: 403, message: /^Google blocked this key as leaked; create a new one\./ },
    { id: 'openrouter', scenario: 'forbidden', verdict: 'unverifiable', status: 403, message: /^Not decided: OpenRouter knows the key but refused this check \(403\)\. OpenRouter said: Forbidden$/ },
    { id: 'eden_ai', scenario: 'noauth', verdict: 'provider_error', status: 403, message: /^Eden AI did not receive the key; a proxy may have dropped the Authorization header\./ },
    {
      id: 'openrouter', scenario: 'management', verdict: 'rejected', status: 200, message: /^This is a management key, which cannot call the model APIs; Crucible needs an inference key\.$/,
      then: (r) => assert.equal(r.key?.kind, 'management'),
    },
    {
      id: 'openrouter', scenario: 'nolimit', verdict: 'valid', status: 200, message: /^The key is valid\. It has no key limit\.$/, note: /^no key limit: the account balance is not visible with this key$/,
      then: (r) => assert.deepEqual(r.credits, { currency: 'USD', scope: 'key', usage: 12.5, usageDaily: 0.75, usageWeekly: 3.25, usageMonthly: 12.5 }),
    },
    { id: 'openai', scenario: 'admin', verdict: 'rejected', message: /^This is an admin key for OpenAI \(it starts with sk-admin-\), which cannot call the model APIs; Crucible needs an inference key\.$/ },
    { id: 'anthropic', scenario: 'admin', verdict: 'rejected', message: /^This is an admin key for Anthropic \(it starts with sk-ant-admin\)/ },
    { id: 'eden_ai', scenario: 'admin', verdict: 'rejected', message: /^This is a management key for Eden AI \(it starts with mgmt-eden-\)/, then: (r) => assert.equal(r.key?.kind, 'management') },
  ];
  for (const { id, scenario, verdict, status, message, note, then } of cases) {
    it(`${id}: ${scenario} → ${verdict}${status ? ` (${status})` : ', without a request'}`, async () => {
      const before = server.requests.length;
      const result = await check(id, scenario);
      assert.equal(result.verdict, verdict, result.message);
      assert.equal(result.httpStatus, status);
      assert.match(result.message, message);
      if (note) assert.match(result.note ?? '', note); else assert.equal(result.note, undefined);
      if (!status) assert.equal(server.requests.length, before, 'an admin or management key was sent to the provider');
      then?.(result);
    });
  }

  it('no rule turns a refusal without a body marker (403, 429, 5xx, anything unexpected) into rejected', () => {
    for (const rule of VERDICT_RULES) {
      if (rule.verdict !== 'rejected' || rule.marker) continue;
      assert.deepEqual(rule.status, [401], `${rule.provider} ${JSON.stringify(rule.status)} rejects without a marker`);
    }
  });

  it('drops the "said:" part of a message when the provider gave no sentence', () => {
    assert.equal(fillMessage('Not decided: {label} refused this check. {label} said: {reason}', { label: 'OpenRouter', reason: '' }), 'Not decided: OpenRouter refused this check.');
    assert.equal(fillMessage('The provider rejected the key: {reason}', { reason: '' }), 'The provider rejected the key.');
    assert.equal(fillMessage('Rate limited: {reason}', { reason: 'try {status} later', status: '429' }), 'Rate limited: try {status} later', 'provider text is never read as a placeholder');
  });

  it('reads RetryInfo delays as protobuf writes them, rounded up to whole seconds', () => {
    assert.deepEqual(['37s', '34.074824224s', '900ms', '0s', 'soon', '5m'].map(durationSeconds), [37, 35, 1, 0, undefined, undefined]);
  });
});

/** A listener whose accept queue is full, so new connections hang in SYN: a real connect timeout on loopback. */
async function blackholePort(): Promise<{ port: number; stop: () => void }> {
  const child: ChildProcess = spawn('python3', ['-c', `
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
print(s.getsockname()[1], flush=True)
time.sleep(120)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data) => resolve(Number(String(data).trim()))));
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { port, stop: () => { fillers.forEach((socket) => socket.destroy()); child.kill(); } };
}

describe('fault matrix (real sockets)', () => {
  const faults: [string, Scenario, Verdict, (result: VerifyResult) => void][] = [
    ['a stalled body', 'stall', 'unreachable', (r) => assert.match(r.message, /stalled|took longer/)],
    ['no answer at all', 'stallheaders', 'unreachable', (r) => assert.match(r.message, /did not answer|took longer/)],
    ['a reset in the middle of the body', 'reset', 'unreachable', (r) => assert.match(r.message, /closed|reset/)],
    ['500', 'e500', 'provider_error', (r) => assert.equal(r.httpStatus, 500)],
    ['503', 'e503', 'provider_error', (r) => assert.equal(r.retryAfterSeconds, 3)],
    ['a 200 with an HTML body', 'html', 'provider_error', (r) => assert.match(r.message, /not with the JSON/)],
    ['a 200 with broken JSON', 'badjson', 'provider_error', (r) => assert.equal(r.httpStatus, 200)],
    ['a 200 with JSON nested 300,000 deep', 'deepjson', 'provider_error', (r) => assert.match(r.message, /not with the JSON/)],
    ['a 10 MB body', 'huge', 'provider_error', (r) => assert.match(r.message, /larger than 1024 KB/)],
    ['429 with Retry-After in seconds', 'ratelimited', 'rate_limited', (r) => assert.equal(r.retryAfterSeconds, 7)],
    ['429 with Retry-After as an HTTP date', 'ratelimitdate', 'rate_limited', (r) => assert.ok(r.retryAfterSeconds! >= 28 && r.retryAfterSeconds! <= 31, String(r.retryAfterSeconds))],
    ['429 with retry-after-ms', 'ratelimitms', 'rate_limited', (r) => assert.equal(r.retryAfterSeconds, 2)],
    ['402', 'e402', 'no_credit', (r) => assert.equal(r.httpStatus, 402)],
    ['a redirect', 'redirect', 'provider_error', (r) => assert.match(r.message, /redirect/)],
  ];
  for (const [name, scenario, verdict, extra] of faults) {
    it(`${name} → ${verdict}`, async () => {
      const result = await check('openai', scenario, { timeoutMs: 1500 });
      assert.equal(result.verdict, verdict, result.message);
      extra(result);
    });
  }

  it('Gemini 429 takes its delay from Retry-After when sent, else from the RetryInfo in the body', async () => {
    const result = await check('google', 'ratelimited');
    assert.equal(result.verdict, 'rate_limited');
    assert.equal(result.retryAfterSeconds, 7);
    assert.equal((await check('google', 'quota')).retryAfterSeconds, 37);
  });

  it('connection refused → unreachable, never rejected', async () => {
    const closed = new FakeProviderServer();
    const port = await closed.start();
    await closed.stop();
    const result = await check('openai', 'valid', { baseUrls: { openai: `http://127.0.0.1:${port}` } });
    assert.equal(result.verdict, 'unreachable');
    assert.match(result.message, /refused/);
  });

  it('a name that does not resolve → unreachable', async () => {
    const result = await check('openai', 'valid', { baseUrls: { openai: 'http://no-such-host.invalid' }, timeoutMs: 3000 });
    assert.equal(result.verdict, 'unreachable');
  });

  it('TLS to a plain HTTP port → unreachable', async () => {
    const result = await check('openai', 'valid', { baseUrls: { openai: `https://127.0.0.1:${server.port}/openai` } });
    assert.equal(result.verdict, 'unreachable');
    assert.match(result.message, /secure connection failed|closed|reset/);
  });

  it('a connect timeout → unreachable, within the time allowed', async () => {
    const hole = await blackholePort();
    try {
      const started = Date.now();
      const result = await check('openai', 'valid', { baseUrls: { openai: `http://127.0.0.1:${hole.port}` }, timeoutMs: 800 });
      assert.equal(result.verdict, 'unreachable');
      assert.match(result.message, /timed out|took longer|did not answer/);
      assert.ok(Date.now() - started < 5000, 'hung past its timeout');
    } finally {
      hole.stop();
    }
  });

  it('an AbortSignal cancels a check in flight', async () => {
    const engine = verifier();
    const controller = new AbortController();
    const pending = engine.verify(catalog.require('openai'), fakeKey('openai', 'stallheaders'));
    const cancelled = engine.verify(catalog.require('openai'), fakeKey('openai', 'stallheaders'), controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(cancelled);
    void pending.catch(() => undefined);
    await engine.close();
  });
});

describe('verify all', () => {
  it('runs concurrently, streams results as each finishes, and costs about the slowest one', async () => {
    const latencies: Record<BuiltInProviderId, number> = { openrouter: 400, openai: 50, anthropic: 100, google: 150, deepseek: 200, xai: 250, eden_ai: 300 };
    const entries = BUILT_IN_PROVIDERS.map((provider) => ({ provider, key: fakeKey(provider.id as BuiltInProviderId, 'valid', latencies[provider.id as BuiltInProviderId]) }));
    entries.forEach((entry) => usedKeys.add(entry.key));
    const engine = verifier();
    const streamed: string[] = [];
    const results = await engine.verifyAll(entries, { onResult: (result) => streamed.push(result.provider) });
    await engine.close();
    assert.equal(results.length, 7);
    assert.ok(results.every((result) => result.verdict === 'valid'));
    // Streaming order follows latency, not input order: the fastest first, the slowest last.
    assert.equal(streamed[0], 'openai');
    assert.equal(streamed[6], 'openrouter');
  });

  it('is cancellable: aborting stops it without results for the unfinished checks', async () => {
    const engine = verifier();
    const controller = new AbortController();
    const entries = [
      { provider: catalog.require('openai'), key: fakeKey('openai', 'valid') },
      { provider: catalog.require('xai'), key: fakeKey('xai', 'stallheaders') },
    ];
    const pending = engine.verifyAll(entries, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const results = await pending;
    await engine.close();
    assert.deepEqual(results.map((result) => result.provider), ['openai']);
  });
});
