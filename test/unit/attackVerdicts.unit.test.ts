// Attacks on verdicts: what a provider (or a proxy in front of it) sends back must never carry the key into a result,
// whatever field it rides in. A real HTTP server on 127.0.0.1, the real verifier and the built CLI.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { retryAfterSeconds } from '../../src/core/verify/rateLimits';
import { KeyVerifier } from '../../src/core/verify/verifier';
import { ensureBuilt, spawnCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const KEY = 'sk-proj-AttackVerdictsCanary0123456789abcdefXYZ';

/** Answers every request with OpenAI's valid /v1/models body, and rate-limit headers that repeat the key back. */
let server: Server;
let origin = '';
before(async () => {
  server = createServer((request, response) => {
    const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const body = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      // A gateway naming the caller by its key, in the clear, in another letter case and URL-encoded.
      'x-ratelimit-key': key,
      'x-ratelimit-scope': `key=${key.toUpperCase()}`,
      'ratelimit-policy': `caller=${encodeURIComponent(`"${key}"`)}`,
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const leaks = (text: string) => text.toLowerCase().includes(KEY.toLowerCase()) || text.includes(encodeURIComponent(KEY)) || text.includes(KEY.slice(8, 30));

describe('rate-limit headers that echo the key', () => {
  it('the verifier keeps the headers but never the key in them', async () => {
    const redactor = new Redactor();
    const verifier = new KeyVerifier({ logger: new RedactingLogger({ write: () => undefined }, redactor), redactor, timeoutMs: 5000, baseUrls: { openai: origin } });
    try {
      const result = await verifier.verify(new ProviderCatalog().require('openai'), KEY);
      assert.equal(result.verdict, 'valid');
      assert.ok(result.rateLimit, 'rate-limit headers read');
      assert.equal(result.rateLimit.requestsRemaining, 9999);
      assert.ok('x-ratelimit-key' in result.rateLimit.headers);
      assert.ok(!leaks(JSON.stringify(result)), 'the key is in the result');
    } finally {
      await verifier.close();
    }
  });

  it('crucible-keys verify --json prints no part of the key', async () => {
    ensureBuilt();
    const dir = tempDir('attack-verdicts-');
    const run = await spawnCli(['verify', '--json', '--base-url', `openai=${origin}`], { cwd: dir, env: { OPENAI_API_KEY: KEY } });
    assert.equal(run.code, 0, run.stderr);
    const [result] = JSON.parse(run.stdout) as { verdict: string; rateLimit?: { headers: Record<string, string> } }[];
    assert.equal(result.verdict, 'valid');
    assert.ok(result.rateLimit?.headers['x-ratelimit-key'] !== undefined);
    assert.ok(!leaks(run.stdout) && !leaks(run.stderr), 'the key is in the output');
  });
});

describe('Retry-After that is neither seconds nor an HTTP date', () => {
  it('is ignored rather than read as a date in 2001 (which made it "retry now")', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    for (const value of ['-5', 'abc 5', 'soon 7', '5 minutes 2']) {
      assert.equal(retryAfterSeconds({ 'retry-after': value }, now), undefined, value);
    }
    // The three HTTP-date forms (RFC 9110 section 5.6.7) and plain seconds are still read.
    assert.equal(retryAfterSeconds({ 'retry-after': 'Fri, 27 Nov 2026 12:00:30 GMT' }, now), 30);
    assert.equal(retryAfterSeconds({ 'retry-after': 'Friday, 27-Nov-26 12:00:30 GMT' }, now), 30);
    assert.equal(retryAfterSeconds({ 'retry-after': 'Fri Nov 27 12:00:30 2026' }, now), 30);
    assert.equal(retryAfterSeconds({ 'retry-after': '12' }, now), 12);
  });
});
