// Verification through an explicit HTTP proxy (a real one on 127.0.0.1), and NO_PROXY bypassing it.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVerifier, type ProxySettings } from '../../src/core/verify/verifier';
import { fakeKey } from '../fakeProviders/keys';
import { FakeProviderServer } from '../fakeProviders/server';
import { tunnel } from '../support/proxy';

const providers = new FakeProviderServer();
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];

/** A minimal forward proxy: CONNECT tunnels and absolute-form requests, recording each target. */
function startProxy(): Promise<Server> {
  const server = createServer((request, response) => {
    seen.push(`GET ${request.url}`);
    const target = new URL(request.url ?? '');
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  server.on('connect', (request, socket, head) => {
    seen.push(`CONNECT ${request.url}`);
    const [host, port] = (request.url ?? '').split(':');
    tunnel(socket, head, Number(port), host);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function verifyVia(proxySettings: ProxySettings) {
  const redactor = new Redactor();
  const verifier = new KeyVerifier({ logger: new RedactingLogger({ write: () => undefined }, redactor), redactor, baseUrls: providers.baseUrls(), proxy: proxySettings, timeoutMs: 3000 });
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
  });
  after(async () => {
    await providers.stop();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('goes through an explicit proxy (VS Code http.proxy)', async () => {
    seen.length = 0;
    const result = await verifyVia({ kind: 'explicit', uri: proxyUrl });
    assert.equal(result.verdict, 'valid');
    assert.ok(seen.some((line) => line.includes(`127.0.0.1:${providers.port}`)), `proxy saw: ${seen.join(', ')}`);
  });

  it('goes through HTTP_PROXY from the environment, and NO_PROXY bypasses it', async () => {
    seen.length = 0;
    assert.equal((await verifyVia({ kind: 'env', httpProxy: proxyUrl, httpsProxy: proxyUrl })).verdict, 'valid');
    assert.equal(seen.length, 1);
    seen.length = 0;
    assert.equal((await verifyVia({ kind: 'env', httpProxy: proxyUrl, httpsProxy: proxyUrl, noProxy: '127.0.0.1' })).verdict, 'valid');
    assert.deepEqual(seen, []);
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
