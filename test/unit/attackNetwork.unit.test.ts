// Attacks on network trust (issue item 6): a key must not go over plain http:// to another machine without the
// tree's clear-text warning, and http.noProxy must be honoured whatever the proxy's source.
import assert from 'node:assert/strict';
import Module from 'node:module';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { checkUrlFor, insecureOrigin } from '../../src/core/verify/endpoints';
import { proxyFor } from '../../src/core/verify/proxyRoute';
import { KeyVerifier } from '../../src/core/verify/verifier';
import { fakeKey } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';

const providers = new FakeProviderServer();
let proxy: Server;
let proxyUrl: string;
/** Every byte a client sent through the proxy, as the proxy saw it. */
let proxied = '';

/** A forward proxy that, like any proxy, can read whatever is not encrypted: CONNECT tunnels and absolute-form. */
function startProxy(): Promise<Server> {
  const server = createServer((request, response) => {
    proxied += `${request.method} ${request.url}\n${JSON.stringify(request.headers)}\n`;
    response.writeHead(502).end();
  });
  server.on('connect', (request, socket, head) => {
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      socket.on('data', (chunk: Buffer) => { proxied += chunk.toString('latin1'); });
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('attack: a plain-http check that goes through a proxy', () => {
  before(async () => {
    await providers.start();
    proxy = await startProxy();
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await providers.stop();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('a gateway on this machine (http://127.0.0.1) with http.proxy set: the key never crosses the proxy', async () => {
    const openai = new ProviderCatalog().require('openai');
    const baseUrls = { openai: providers.baseUrls().openai }; // http://127.0.0.1:<port>, a local LiteLLM-style gateway
    assert.match(baseUrls.openai, /^http:\/\/127\.0\.0\.1:/);
    const url = checkUrlFor(openai, baseUrls);
    // http.proxy is a corporate proxy with an empty http.noProxy: this machine is still reached directly.
    assert.equal(proxyFor(new URL(url), { kind: 'explicit', uri: 'http://proxy.corp.example:3128' }), undefined);
    // The real thing, with a proxy we can listen to in place of proxy.corp.example.
    const key = fakeKey('openai', 'valid');
    const redactor = new Redactor();
    const verifier = new KeyVerifier({ logger: new RedactingLogger({ write: () => undefined }, redactor), redactor, baseUrls, proxy: { kind: 'explicit', uri: proxyUrl }, timeoutMs: 3000 });
    try {
      assert.equal((await verifier.verify(openai, key)).verdict, 'valid');
    } finally {
      await verifier.close();
    }
    assert.ok(!proxied.includes(key), 'the proxy read the key in clear text');
    assert.equal(insecureOrigin(url), undefined, 'a direct loopback check needs no clear-text warning');
    assert.equal(insecureOrigin('http://gw.localhost:4000/v1/models'), 'http://gw.localhost:4000', '*.localhost is looked up like any other name, so it is warned about');
  });
});

describe('attack: http.noProxy with a proxy from the environment', () => {
  const original = (Module as unknown as { _load: (...args: unknown[]) => unknown })._load;
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  before(() => {
    // The extension's Settings over a stand-in for vscode's configuration: http.proxy empty (VS Code then uses the
    // environment's proxy), http.noProxy naming the company's own LLM gateway.
    const http: Record<string, unknown> = { proxy: '', noProxy: ['llm.internal.example'], proxyStrictSSL: true };
    (Module as unknown as { _load: (...args: unknown[]) => unknown })._load = function (request: unknown, ...rest: unknown[]) {
      if (request === 'vscode') {
        return { workspace: { getConfiguration: (section?: string) => ({ get: (name: string, fallback?: unknown) => (section === 'http' && name in http ? http[name] : fallback) }) } };
      }
      return original.call(this, request, ...rest);
    };
    process.env.HTTPS_PROXY = 'http://proxy.corp.example:3128';
    delete process.env.HTTP_PROXY;
    delete process.env.NO_PROXY;
  });
  after(() => {
    (Module as unknown as { _load: (...args: unknown[]) => unknown })._load = original;
    for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  });

  it('a host in http.noProxy is reached directly when HTTPS_PROXY is the proxy (as VS Code itself does)', async () => {
    const { Settings } = await import('../../src/vscode/settings');
    const settings = new Settings(new RedactingLogger({ write: () => undefined }, new Redactor()));
    const route = proxyFor(new URL('https://llm.internal.example/v1/models'), settings.verify().proxy);
    assert.equal(route, undefined, `the check goes through ${route} although http.noProxy lists the host`);
  });
});
