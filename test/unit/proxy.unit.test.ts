// Verification through an explicit HTTP proxy (a real one on 127.0.0.1), http.noProxy and NO_PROXY bypassing it, and
// http.proxyStrictSSL = false relaxing certificate checks only through the proxy (a real self-signed TLS server).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { bypassesProxy, proxyFor } from '../../src/core/verify/proxyRoute';
import { KeyVerifier, type ProxySettings } from '../../src/core/verify/verifier';
import { fakeKey } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';
import { tunnel } from '../support/proxy';

const providers = new FakeProviderServer();
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];

/**
 * Names that stand for another machine: this machine is always reached directly, so the proxy tests use names under
 * .proxy.test, which do not resolve, and which only this test proxy maps to 127.0.0.1.
 */
const REMOTE = 'providers.proxy.test';
const hostOf = (name: string) => (name.endsWith('.proxy.test') ? '127.0.0.1' : name);
const remote = (url: string) => url.replace('127.0.0.1', REMOTE);

/** A minimal forward proxy: CONNECT tunnels and absolute-form requests, recording each target. */
function startProxy(): Promise<Server> {
  const server = createServer((request, response) => {
    seen.push(`GET ${request.url}`);
    const target = new URL(request.url ?? '');
    const upstream = httpRequest({ host: hostOf(target.hostname), port: target.port, path: target.pathname + target.search, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  server.on('connect', (request, socket, head) => {
    seen.push(`CONNECT ${request.url}`);
    const [host, port] = (request.url ?? '').split(':');
    tunnel(socket, head, Number(port), hostOf(host));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let tls: TlsServer;
let tlsUrl: string;

/** An OpenAI-like /v1/models on https://127.0.0.1 with a self-signed certificate no CA vouches for. */
function startSelfSignedProvider(): Promise<TlsServer> {
  const dir = path.join(__dirname, '..', 'fixtures', 'tls');
  const server = createTlsServer({ key: readFileSync(path.join(dir, 'self-signed.key')), cert: readFileSync(path.join(dir, 'self-signed.crt')) }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function verifyVia(proxySettings: ProxySettings, options: { strictSsl?: boolean; baseUrl?: string } = {}) {
  const redactor = new Redactor();
  const baseUrls = options.baseUrl ? { openai: options.baseUrl } : Object.fromEntries(Object.entries(providers.baseUrls()).map(([id, url]) => [id, remote(url)]));
  const verifier = new KeyVerifier({ logger: new RedactingLogger({ write: () => undefined }, redactor), redactor, baseUrls, proxy: proxySettings, timeoutMs: 3000, strictSsl: options.strictSsl });
  try {
    return await verifier.verify(new ProviderCatalog().require('openai'), fakeKey('openai', 'valid'));
  } finally {
    await verifier.close();
  }
}

describe('proxies', () => {
  before(async () => {
    await providers.start();
    proxy = await startProxy();
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    tls = await startSelfSignedProvider();
    tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  after(async () => {
    await providers.stop();
    await new Promise((resolve) => proxy.close(resolve));
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
  });

  it('goes through an explicit proxy (VS Code http.proxy)', async () => {
    seen.length = 0;
    const result = await verifyVia({ kind: 'explicit', uri: proxyUrl });
    assert.equal(result.verdict, 'valid');
    assert.ok(seen.some((line) => line.includes(`${REMOTE}:${providers.port}`)), `proxy saw: ${seen.join(', ')}`);
  });

  it('goes through HTTP_PROXY from the environment, and NO_PROXY bypasses it', async () => {
    seen.length = 0;
    assert.equal((await verifyVia({ kind: 'env', httpProxy: proxyUrl, httpsProxy: proxyUrl })).verdict, 'valid');
    assert.equal(seen.length, 1);
    seen.length = 0;
    // Bypassed, the name is looked up directly, where it does not exist: the proxy must see nothing at all.
    assert.equal((await verifyVia({ kind: 'env', httpProxy: proxyUrl, httpsProxy: proxyUrl, noProxy: '.proxy.test' })).verdict, 'unreachable');
    assert.deepEqual(seen, []);
  });

  it('honours http.noProxy with an explicit proxy: listed hosts go direct, others through the proxy', async () => {
    seen.length = 0;
    assert.equal((await verifyVia({ kind: 'explicit', uri: proxyUrl, noProxy: `localhost,${REMOTE}` })).verdict, 'unreachable');
    assert.deepEqual(seen, [], 'the proxy saw a request for a host on http.noProxy');
    assert.equal((await verifyVia({ kind: 'explicit', uri: proxyUrl, noProxy: 'example.com,.internal' })).verdict, 'valid');
    assert.equal(seen.length, 1, 'a host not on the list still goes through the proxy');
  });

  it('reaches this machine directly whatever the proxy: a local gateway over plain http never hands a key to a proxy', async () => {
    seen.length = 0;
    const result = await verifyVia({ kind: 'explicit', uri: proxyUrl }, { baseUrl: providers.baseUrls().openai });
    assert.equal(result.verdict, 'valid');
    assert.deepEqual(seen, [], 'the proxy saw a request for 127.0.0.1');
  });

  it('applies proxyStrictSSL = false only through the proxy: a direct connection always checks the certificate', async () => {
    seen.length = 0;
    const throughProxy = await verifyVia({ kind: 'explicit', uri: proxyUrl }, { strictSsl: false, baseUrl: remote(tlsUrl) });
    assert.equal(throughProxy.verdict, 'valid', throughProxy.message);
    assert.ok(seen.some((line) => line.startsWith('CONNECT')), 'it went through the proxy');
    const strictThroughProxy = await verifyVia({ kind: 'explicit', uri: proxyUrl }, { strictSsl: true, baseUrl: remote(tlsUrl) });
    assert.equal(strictThroughProxy.verdict, 'unreachable');
    assert.match(strictThroughProxy.message, /secure connection failed/);
    const direct = await verifyVia({ kind: 'explicit', uri: proxyUrl }, { strictSsl: false, baseUrl: tlsUrl });
    assert.equal(direct.verdict, 'unreachable', 'a direct connection must not inherit the relaxed check');
    const noProxy = await verifyVia({ kind: 'none' }, { strictSsl: false, baseUrl: tlsUrl });
    assert.equal(noProxy.verdict, 'unreachable');
  });

  it('matches bypass lists the way undici does (exact host, subdomains, ports, "*"), IPv6 literals included', () => {
    const cases: [string, string, boolean][] = [
      ['https://api.openai.com/v1/models', 'openai.com', true],
      ['https://api.openai.com/v1/models', '.openai.com', true],
      ['https://api.openai.com/v1/models', '*.openai.com', true],
      ['https://notopenai.com/', 'openai.com', false],
      ['https://api.openai.com/', 'api.openai.com:443', true],
      ['https://api.openai.com/', 'api.openai.com:8443', false],
      ['http://127.0.0.1:8080/x', '127.0.0.1', true],
      ['http://127.0.0.1:8080/x', '127.0.0.1:9090', false],
      ['http://[::1]:8080/x', '::1', true],
      ['http://[::1]:8080/x', '[::1]:8080', true],
      ['http://[::1]:8080/x', '[::1]:9', false],
      ['https://x.example/', '*', true],
      ['https://x.example/', '', false],
      ['https://x.example/', 'a.example, b.example  x.example', true],
    ];
    for (const [url, list, expected] of cases) assert.equal(bypassesProxy(new URL(url), list), expected, `${url} with "${list}"`);
    assert.equal(proxyFor(new URL('https://a.example/'), { kind: 'env', httpProxy: 'http://p:1' }), 'http://p:1', 'HTTPS_PROXY falls back to HTTP_PROXY');
    assert.equal(proxyFor(new URL('http://a.example/'), { kind: 'env', httpsProxy: 'http://p:1' }), undefined, 'plain http does not use HTTPS_PROXY');
    assert.equal(proxyFor(new URL('https://a.example/'), { kind: 'none' }), undefined);
    for (const local of ['http://127.0.0.1:4000/v1', 'http://localhost:4000/v1', 'http://[::1]:4000/v1', 'http://127.1.2.3/v1']) {
      assert.equal(proxyFor(new URL(local), { kind: 'explicit', uri: 'http://p:1' }), undefined, `${local} is this machine`);
    }
    assert.equal(proxyFor(new URL('http://gw.localhost:4000/v1'), { kind: 'explicit', uri: 'http://p:1' }), 'http://p:1', '*.localhost is looked up like any name');
  });

  it('reports a dead proxy as unreachable, never rejected', async () => {
    const result = await verifyVia({ kind: 'explicit', uri: 'http://127.0.0.1:1' });
    assert.equal(result.verdict, 'unreachable');
  });

  it('reports a proxy that drops the tunnel as unreachable after one attempt (undici 7 alone would retry it forever)', async () => {
    const dropper = createServer();
    let tunnels = 0;
    dropper.on('connect', (_request, socket) => { tunnels++; socket.destroy(); });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    try {
      const result = await verifyVia({ kind: 'explicit', uri: `http://127.0.0.1:${(dropper.address() as AddressInfo).port}` });
      assert.deepEqual([result.verdict, result.message, tunnels], ['unreachable', 'Could not reach OpenAI: the proxy closed the connection.', 1]);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });
});
