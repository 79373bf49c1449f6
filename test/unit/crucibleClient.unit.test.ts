// The Crucible client against the fake Crucible on 127.0.0.1: every failure a person can meet, as one sentence naming
// the URL with no secret in it, and the attacks a server could make on the password, the token and the keys.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { checkApiUrl, CrucibleUrlError, plainHttpWarning } from '../../src/core/crucible/apiUrl';
import { isLoopbackHost } from '../../src/core/loopback';
import { CrucibleClient } from '../../src/core/crucible/client';
import { CrucibleAuthError, CrucibleFailedError, CrucibleRefusedError, CrucibleServerError, CrucibleUnreachableError, NotCrucibleError } from '../../src/core/crucible/errors';
import { executePush, readStatus, reenterUnreadable, waitForCrucible } from '../../src/core/crucible/operations';
import { planPush } from '../../src/core/crucible/pushPlan';
import { CrucibleKeysError, ExitCode } from '../../src/core/errors';
import { RedactingLogger, Redactor } from '../../src/core/redact';
import { FAKE_CRUCIBLE_PASSWORD, FakeCrucibleServer, type FakeCrucibleFault } from '../fakeCrucible/server';
import { tunnel } from '../support/proxy';

const KEYS = {
  openrouter: `sk-or-v1-${'5e'.repeat(32)}`,
  openai: `sk-proj-${'Qw3'.repeat(14)}`,
  anthropic: `sk-ant-api03-${'Zx9_'.repeat(12)}`,
  xai: `xai-${'Kk7'.repeat(12)}`,
};

let fake: FakeCrucibleServer;
const clients: CrucibleClient[] = [];
const logLines: string[] = [];

function client(options: Partial<ConstructorParameters<typeof CrucibleClient>[0]> = {}): CrucibleClient {
  const redactor = new Redactor();
  const made = new CrucibleClient({ apiUrl: fake.apiUrl, redactor, timeoutMs: 3000, logger: new RedactingLogger({ write: (_level, line) => logLines.push(line) }, redactor), ...options });
  clients.push(made);
  return made;
}

async function loggedIn(options: Partial<ConstructorParameters<typeof CrucibleClient>[0]> = {}): Promise<CrucibleClient> {
  const made = client(options);
  await made.login(FAKE_CRUCIBLE_PASSWORD);
  return made;
}

/** Every secret this file hands out or receives: none may show in an error message or a log line. */
function secrets(): string[] {
  return [...Object.values(KEYS), FAKE_CRUCIBLE_PASSWORD, ...fake.issuedTokens];
}

/** Runs `action`, expects `type`, and checks the message is one line naming the API URL with no secret in it. */
async function failure<T extends Error>(action: () => Promise<unknown>, type: abstract new (...args: never[]) => T, pattern: RegExp, apiUrl = fake.apiUrl): Promise<T> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  const message = (caught as Error).message;
  assert.match(message, pattern);
  assert.ok(message.includes(apiUrl), `names the URL: ${message}`);
  assert.ok(!/[\r\n]/.test(message), `one line: ${message}`);
  for (const secret of secrets()) assert.ok(!message.toLowerCase().includes(secret.toLowerCase()), `no secret in: ${message}`);
  return caught as T;
}

const fault = (path: string, kind: FakeCrucibleFault) => fake.faults.set(`/api${path}`, kind);

describe('the Crucible client', () => {
  beforeEach(async () => { fake = new FakeCrucibleServer(); await fake.start(); });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((made) => made.close()));
    await fake.stop();
    for (const line of logLines.splice(0)) for (const secret of secrets()) assert.ok(!line.includes(secret), `log line with a secret: ${line}`);
  });

  it('checks health and version, logs in, saves keys and reads the masks back', async () => {
    const crucible = client();
    assert.deepEqual(await crucible.health(), { version: '0.1.0' });
    assert.equal(crucible.loggedIn, false);
    await crucible.login(FAKE_CRUCIBLE_PASSWORD);
    assert.equal(crucible.loggedIn, true);
    const saved = await crucible.saveKeys({ openrouter: KEYS.openrouter });
    assert.equal(saved.providerApiKeys.openrouter, `${'*'.repeat(KEYS.openrouter.length - 4)}5e5e`);
    assert.deepEqual((await crucible.settings()).providerApiKeys, saved.providerApiKeys);
    assert.deepEqual(fake.requests.map((entry) => `${entry.method} ${entry.path}`), ['GET /api/health', 'GET /api/version', 'POST /api/auth/login', 'PUT /api/user/settings', 'GET /api/user/settings']);
    assert.deepEqual(JSON.parse(fake.requests[2].body), { username: 'admin', password: FAKE_CRUCIBLE_PASSWORD });
    assert.equal(fake.requests[3].authorization, `Bearer ${fake.issuedTokens[0]}`);
    crucible.logout();
    await failure(() => crucible.settings(), CrucibleAuthError, /^Not logged in to Crucible at /);
  });

  it('server down: the connection refused, naming the URL', async () => {
    const crucible = client();
    await fake.stop();
    const error = await failure(() => crucible.health(), CrucibleUnreachableError, /is not reachable: the connection was refused; is it running\?$/);
    assert.deepEqual([error.reason, error.exitCode, error instanceof CrucibleServerError], ['refused', ExitCode.server, true]);
  });

  it('server down: no answer in the time allowed, whether the headers or the body stall', async () => {
    fault('/health', 'hang');
    const headers = await failure(() => client({ timeoutMs: 300 }).health(), CrucibleUnreachableError, /did not answer within 0\.3 seconds\.$/);
    assert.equal(headers.reason, 'timeout');
    fault('/health', 'stallbody');
    await failure(() => client({ timeoutMs: 300 }).health(), CrucibleUnreachableError, /did not answer within 0\.3 seconds\.$/);
  });

  it('a connection reset twice is a network failure', async () => {
    fault('/health', 'reset');
    const error = await failure(() => client().health(), CrucibleUnreachableError, /is not reachable: the (connection was reset|connection was closed unexpectedly)\.$/);
    assert.equal(error.reason, 'network');
    assert.equal(fake.requests.length, 2, 'one retry for a reset connection');
  });

  it('wrong password: 401, exit 2, without the password', async () => {
    const error = await failure(() => client().login('not-the-password-at-all'), CrucibleAuthError, /refused the password \(401\); check ROUNDTABLE_COMMUNITY_AUTH_PASSWORD\.$/);
    assert.equal(error.exitCode, ExitCode.usage);
    await failure(() => client().login(''), CrucibleKeysError, /password is empty/, '');
  });

  it('a session Crucible no longer knows: 401 forgets it', async () => {
    const crucible = await loggedIn();
    await fake.restart({ dropSessions: true });
    await failure(() => crucible.settings(), CrucibleAuthError, /no longer accepts this session \(401\); log in again\.$/);
    assert.equal(crucible.loggedIn, false);
  });

  it('Crucible refused a key: 400 with its own sentence', async () => {
    const crucible = await loggedIn();
    const error = await failure(() => crucible.saveKeys({ openai: KEYS.openai }), CrucibleRefusedError, /refused the save \(HTTP 400\): "OpenAI and Anthropic keys are a bundle - you must have BOTH or NEITHER\..*"\.$/);
    assert.deepEqual([error.httpStatus, error.exitCode], [400, ExitCode.failed]);
    assert.match(error.detail!, /^OpenAI and Anthropic keys are a bundle/);
  });

  it('the server failed: 5xx with or without Crucible\'s JSON', async () => {
    const crucible = await loggedIn();
    fault('/user/settings', 'e500');
    const json = await failure(() => crucible.settings(), CrucibleFailedError, /failed \(HTTP 500\), saying "An internal error occurred\. Please try again later"\.$/);
    assert.deepEqual([json.httpStatus, json.exitCode], [500, ExitCode.server]);
    fault('/user/settings', 'e502');
    await failure(() => crucible.settings(), CrucibleFailedError, /failed \(HTTP 502\)\.$/);
  });

  it('not Crucible at that URL: a wrong path, a web page, the wrong JSON, another product, a huge body, a bad token', async () => {
    await failure(() => client({ apiUrl: `http://127.0.0.1:${fake.port}` }).health(), NotCrucibleError, /answered 404 and 404 to GET \/health and POST \/auth\/login/, `http://127.0.0.1:${fake.port}`);
    const crucible = await loggedIn();
    const cases: [string, FakeCrucibleFault, () => Promise<unknown>, RegExp][] = [
      ['/user/settings', 'html', () => crucible.settings(), /answered without Crucible's providerApiKeys to GET \/user\/settings/],
      ['/user/settings', 'badjson', () => crucible.settings(), /answered without Crucible's providerApiKeys/],
      ['/user/settings', 'badshape', () => crucible.saveKeys({ openrouter: KEYS.openrouter }), /to PUT \/user\/settings, so it does not look like Crucible/],
      ['/user/settings', 'notfound', () => crucible.settings(), /^There is no Crucible API at .*: GET \/user\/settings answered 404; the URL usually ends in \/api/],
      ['/health', 'html', () => crucible.health(), /answered 200 without \{"status": "ok"\} to GET \/health/],
      ['/version', 'otherproduct', () => crucible.health(), /to GET \/version, so it does not look like Crucible/],
      ['/user/settings', 'huge', () => crucible.settings(), /answered GET \/user\/settings with more than 256 KB/],
      ['/auth/login', 'badtoken', () => crucible.login(FAKE_CRUCIBLE_PASSWORD), /answered without a session token to POST \/auth\/login/],
    ];
    for (const [path, kind, action, pattern] of cases) {
      fake.faults.clear();
      fault(path, kind);
      const error = await failure(action, NotCrucibleError, pattern);
      assert.equal(error.exitCode, ExitCode.server);
    }
  });

  it('falls back to the login route when /health is not exposed', async () => {
    fault('/health', 'notfound');
    assert.deepEqual(await client().health(), {});
    assert.deepEqual(JSON.parse(fake.requests.at(-1)!.body), {});
  });

  it('never follows a redirect, so another host never sees the token or a key', async () => {
    const elsewhere: string[] = [];
    const other = createServer((request, response) => { elsewhere.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`); response.end('{}'); });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      fake.redirectTo = `http://127.0.0.1:${(other.address() as AddressInfo).port}/steal`;
      const crucible = await loggedIn();
      fault('/user/settings', 'redirect');
      await failure(() => crucible.saveKeys({ openrouter: KEYS.openrouter }), NotCrucibleError, /redirected PUT \/user\/settings elsewhere \(HTTP 307\), and Crucible Keys does not follow redirects/);
      await failure(() => crucible.settings(), NotCrucibleError, /redirected GET \/user\/settings elsewhere/);
      assert.deepEqual(elsewhere, []);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('keeps the token, the password and the keys out of an error that repeats them back, in any case and through invisible characters', async () => {
    const crucible = await loggedIn();
    fault('/user/settings', 'echo');
    const refused = await failure(() => crucible.saveKeys({ openrouter: KEYS.openrouter, xai: KEYS.xai }), CrucibleRefusedError, /refused the save \(HTTP 400\): "Bad request Bearer \[token\] with \{'providerApiKeys':\{'openrouter':'sk-or-v1-…5e5e','xai':'xai-…7Kk7'\}\}"\.$/);
    assert.match(refused.detail!, /sk-or-v1-…5e5e/);
    for (const kind of ['echoupper', 'echoinvisible'] as const) {
      fault('/user/settings', kind);
      const error = await failure(() => crucible.saveKeys({ openrouter: KEYS.openrouter, xai: KEYS.xai }), CrucibleRefusedError, /refused the save \(HTTP 400\): "BAD REQUEST BEARER \[token\]|refused the save \(HTTP 400\): "Bad request Bearer \[token\]/i);
      const squeezed = error.message.replace(/\u200b/g, '').toLowerCase();
      for (const secret of secrets()) assert.ok(!squeezed.includes(secret.toLowerCase()), `${kind}: ${error.message}`);
    }
    fault('/user/settings', 'echo500');
    await failure(() => crucible.saveKeys({ openai: KEYS.openai }), CrucibleFailedError, /failed \(HTTP 500\), saying "Traceback: Bearer \[token\]/);
    fault('/auth/login', 'echo');
    await failure(() => client().login(FAKE_CRUCIBLE_PASSWORD), CrucibleRefusedError, /'password':'\[passphrase\]'/);
  });

  it('withholds Crucible\'s sentence when it repeats a password too short for the redactor', async () => {
    await fake.stop();
    fake = new FakeCrucibleServer({ password: 'pw1' });
    await fake.start();
    fault('/auth/login', 'echo');
    const error = await failure(() => client().login('pw1'), CrucibleRefusedError, /refused the login \(HTTP 400\)\.$/);
    assert.equal(error.detail, undefined);
  });

  it('reads the status, pushes a plan and confirms it, and re-enters exactly the keys Crucible can no longer read', async () => {
    const crucible = await loggedIn();
    const vault = { openrouter: KEYS.openrouter, openai: KEYS.openai, anthropic: KEYS.anthropic };
    const first = await readStatus(crucible, vault);
    const plan = planPush(first.settings.providerApiKeys, vault, { push: ['openrouter', 'openai'] });
    const pushed = await executePush(crucible, plan, vault);
    assert.deepEqual([pushed.sent, pushed.confirmed, pushed.results.map((result) => result.state)], [true, true, ['same', 'same']]);

    fake.seed({ xai: KEYS.xai });
    await fake.restart({ passphrase: 'changed-passphrase-0123456789-0123456789' });
    const status = await readStatus(crucible, vault);
    assert.deepEqual(status.comparison.providers.filter((entry) => entry.storedUnder.length).map((entry) => [entry.provider, entry.state]), [['openrouter', 'unreadable'], ['openai', 'unreadable'], ['xai', 'unreadable']]);
    const reentered = await reenterUnreadable(crucible, vault);
    assert.deepEqual(reentered.withoutVaultKey, ['xai']);
    assert.deepEqual(reentered.push?.results.map((result) => [result.provider, result.effect, result.confirmed]), [['openrouter', 'replace', true], ['openai', 'replace', true]]);
    assert.equal(JSON.parse(fake.requests.filter((entry) => entry.method === 'PUT').at(-1)!.body).providerApiKeys.anthropic, undefined, 'only the unreadable ones are sent');
    assert.deepEqual([fake.plaintext('openrouter'), fake.plaintext('openai'), fake.plaintext('xai')], [KEYS.openrouter, KEYS.openai, undefined]);
  });

  it('waits for Crucible to come back, fails at once on a server that is not Crucible, and gives up in time', async () => {
    const crucible = client();
    const port = fake.port;
    await fake.stop();
    let sleeps = 0;
    const back = await waitForCrucible(crucible, { sleep: async () => { if (++sleeps === 2) await fake.start(port); } });
    assert.deepEqual([back, sleeps], [{ version: '0.1.0' }, 2]);

    fault('/health', 'html');
    await failure(() => waitForCrucible(crucible, { sleep: async () => assert.fail('no retry for a server that is not Crucible') }), NotCrucibleError, /does not look like Crucible/);

    fake.faults.clear();
    await fake.stop();
    let now = 0;
    await failure(() => waitForCrucible(crucible, { clock: { now: () => now }, timeoutMs: 5000, sleep: async (ms) => { now += ms; } }), CrucibleUnreachableError, /did not come back within 5 seconds/);
  });
});

describe('Crucible API URLs', () => {
  it('are checked, trimmed of trailing slashes, and never echoed', () => {
    assert.equal(checkApiUrl(' http://localhost:8000/api/ '), 'http://localhost:8000/api');
    assert.equal(checkApiUrl('https://crucible.example.com'), 'https://crucible.example.com');
    for (const [bad, pattern] of [['not a url', /is not a URL/], ['ftp://host/api', /http:\/\/ or https:\/\//], ['http://admin:secret-pw@host/api', /must not contain a user name or password/], ['http://host/api?token=abc', /query or fragment/]] as const) {
      assert.throws(() => checkApiUrl(bad), (error: unknown) => error instanceof CrucibleUrlError && pattern.test(error.message) && !error.message.includes('secret-pw') && !error.message.includes('abc'));
    }
  });

  it('tell loopback hosts apart, and warn about plain http:// to any other', () => {
    for (const host of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1', '[::ffff:7f00:1]']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['example.com', '10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example.com', 'api.localhost', '0.0.0.0']) assert.equal(isLoopbackHost(host), false, host);
    assert.equal(plainHttpWarning('http://localhost:8000/api'), undefined);
    assert.equal(plainHttpWarning('https://crucible.example.com/api'), undefined);
    assert.match(plainHttpWarning('http://crucible.lan:8000/api')!, /plain http:\/\/ to crucible\.lan, so the password and the keys would cross the network unencrypted/);
  });
});

describe('the Crucible client and proxies', () => {
  let proxy: Server;
  const seen: string[] = [];
  let dropTunnels = false;
  before(async () => {
    fake = new FakeCrucibleServer();
    await fake.start();
    // A forward proxy that tunnels every CONNECT to the fake, whatever host it names, and records the host; or drops it.
    proxy = createServer((_request, response) => response.writeHead(405).end());
    proxy.on('connect', (request, socket, head) => {
      seen.push(request.url ?? '');
      if (dropTunnels) socket.destroy();
      else tunnel(socket, head, fake.port);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await fake.stop();
  });

  const uri = () => `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  it('goes through the proxy to a remote Crucible, and straight to a loopback one', async () => {
    const redactor = new Redactor();
    const remote = new CrucibleClient({ apiUrl: 'http://crucible.example.test:8000/api', redactor, proxy: { kind: 'explicit', uri: uri() }, timeoutMs: 3000 });
    const local = new CrucibleClient({ apiUrl: fake.apiUrl, redactor, proxy: { kind: 'explicit', uri: uri() }, timeoutMs: 3000 });
    try {
      assert.deepEqual(await remote.health(), { version: '0.1.0' });
      assert.deepEqual([...new Set(seen)], ['crucible.example.test:8000']);
      const before = seen.length;
      await local.health();
      assert.equal(seen.length, before, 'a loopback Crucible is never reached through a proxy');
    } finally {
      await Promise.all([remote.close(), local.close()]);
    }
  });

  it('fails at once, after one attempt, when the proxy drops the tunnel (undici 7 would retry it forever)', async () => {
    dropTunnels = true;
    seen.length = 0;
    const remote = new CrucibleClient({ apiUrl: 'http://crucible.example.test:8000/api', redactor: new Redactor(), proxy: { kind: 'explicit', uri: uri() }, timeoutMs: 3000 });
    try {
      await assert.rejects(remote.health(), (error: unknown) => error instanceof CrucibleUnreachableError && error.message === 'Crucible at http://crucible.example.test:8000/api is not reachable: the proxy closed the connection.');
      assert.equal(seen.length, 1);
    } finally {
      dropTunnels = false;
      await remote.close();
    }
  });
});
