// The Crucible connection under attack: a hostile or careless server, a hostile network name, and the CLI's contract,
// against the real client, the fake Crucible on 127.0.0.1 and real files in temp folders.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { plainHttpWarning } from '../../src/core/crucible/apiUrl';
import { isLoopbackHost } from '../../src/core/loopback';
import { CrucibleClient } from '../../src/core/crucible/client';
import { CrucibleFailedError, CrucibleUnreachableError } from '../../src/core/crucible/errors';
import { ExitCode } from '../../src/core/errors';
import { RedactingLogger, Redactor } from '../../src/core/redact';
import { FAKE_CRUCIBLE_PASSWORD, FakeCrucibleServer } from '../fakeCrucible/server';
import { tempDir } from '../support/tempDir';

const KEYS = {
  ROUNDTABLE_OPENROUTER_API_KEY: `sk-or-v1-${'a77ac4'.repeat(10)}beef`,
  GOOGLE_API_KEY: `AIzaATTACK${'q'.repeat(29)}`,
};

let fake: FakeCrucibleServer;
const logLines: string[] = [];
const clients: CrucibleClient[] = [];
/** Every session token any fake in this file handed out, for the canary check at the end. */
const tokens: string[] = [];
/** Every text the CLI wrote, for the same check. */
const outputs: string[] = [];

function client(timeoutMs = 3000): CrucibleClient {
  const redactor = new Redactor();
  const made = new CrucibleClient({ apiUrl: fake.apiUrl, redactor, timeoutMs, logger: new RedactingLogger({ write: (_level, line) => logLines.push(line) }, redactor, 'debug') });
  clients.push(made);
  return made;
}

async function caught(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a failure');
}

/** Runs `crucible-keys ...` in-process, as the bin does, with this environment and folder. */
async function cli(args: string[], env: Record<string, string> = {}, cwd = tempDir()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    readStdin: async () => Buffer.alloc(0),
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    env, cwd,
  };
  const code = await main(args, io);
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

describe('attacks on the Crucible connection', () => {
  beforeEach(async () => { fake = new FakeCrucibleServer(); await fake.start(); });
  afterEach(async () => {
    tokens.push(...fake.issuedTokens);
    await Promise.all(clients.splice(0).map((made) => made.close()));
    await fake.stop();
  });
  after(() => {
    const canaries = [...Object.values(KEYS), FAKE_CRUCIBLE_PASSWORD, ...tokens].map((canary) => canary.toLowerCase());
    assert.ok(tokens.length > 0 && outputs.length > 0 && logLines.length > 0, 'the canary check saw something');
    for (const text of [...outputs, ...logLines]) {
      for (const canary of canaries) assert.ok(!text.toLowerCase().includes(canary), 'a secret in an output or a log line');
    }
  });

  it('warns about plain http:// to a *.localhost name, which this resolver looks up like any other', () => {
    // getaddrinfo here does not pin *.localhost to loopback: a DNS server can send such a name anywhere.
    assert.equal(isLoopbackHost('crucible.localhost'), false);
    assert.match(plainHttpWarning('http://crucible.localhost:8000/api') ?? '', /plain http:\/\/ to crucible\.localhost/);
    for (const url of ['http://localhost.evil.com/api', 'http://127.0.0.1.nip.io/api', 'http://0.0.0.0:8000/api', 'http://[::]:8000/api']) {
      assert.ok(plainHttpWarning(url), url);
    }
    for (const url of ['http://localhost:8000/api', 'http://[::1]:8000/api', 'http://127.0.0.1/api', 'http://[::ffff:7f00:1]/api']) {
      assert.equal(plainHttpWarning(url), undefined, url);
    }
  });

  it('keeps the password out of an error that a later answer of the same session repeats', async () => {
    fake.seed({ openrouter: KEYS.ROUNDTABLE_OPENROUTER_API_KEY });
    const made = client();
    await made.login(FAKE_CRUCIBLE_PASSWORD);
    fake.faults.set('GET /api/user/settings', 'echologin');
    const error = await caught(() => made.settings());
    assert.ok(error instanceof CrucibleFailedError, String(error));
    assert.ok(!error.message.toLowerCase().includes(FAKE_CRUCIBLE_PASSWORD.toLowerCase()), 'the password is not in the message');
    assert.match(error.message, /failed \(HTTP 500\)/);
  });

  it('gives up on a body that drips in slower than the deadline', async () => {
    const drip: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
    try {
      const redactor = new Redactor();
      const made = new CrucibleClient({ apiUrl: `http://127.0.0.1:${(drip.address() as AddressInfo).port}/api`, redactor, timeoutMs: 600 });
      clients.push(made);
      const started = performance.now();
      const error = await caught(() => made.health());
      assert.ok(error instanceof CrucibleUnreachableError && error.reason === 'timeout', String(error));
      assert.ok(performance.now() - started < 3000, 'the deadline covers the whole answer');
    } finally {
      drip.closeAllConnections();
      await new Promise((resolve) => drip.close(resolve));
    }
  });

  it('CLI status: a provider id from the server cannot write escape sequences to the terminal', async () => {
    fake.seed({ openrouter: KEYS.ROUNDTABLE_OPENROUTER_API_KEY, '\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J\u202eevil\ninjected line': 'sk-x-123456789' });
    const run = await cli(['crucible', 'status', '--api', fake.apiUrl], { ROUNDTABLE_COMMUNITY_AUTH_PASSWORD: FAKE_CRUCIBLE_PASSWORD, ...KEYS });
    assert.equal(run.code, ExitCode.ok, run.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(run.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, 'no control or bidi character reaches stdout');
    const line = run.stdout.split('\n').find((text) => text.includes('does not manage'));
    assert.ok(line, run.stdout);
    assert.match(line, /\\u001b\]52;c;/, 'the id is shown, escaped');
    assert.ok(!run.stdout.split('\n').some((text) => text.startsWith('injected line')), 'no line of its own');
  });

  it('CLI --provider takes Crucible\'s own id gemini as Google', async () => {
    const run = await cli(['crucible', 'push', '--dry-run', '--provider', 'gemini', '--provider', 'openrouter', '--api', fake.apiUrl], { ROUNDTABLE_COMMUNITY_AUTH_PASSWORD: FAKE_CRUCIBLE_PASSWORD, ...KEYS });
    assert.equal(run.code, ExitCode.ok, run.stderr);
    assert.match(run.stdout, /google: add\./);
  });

  it('CLI: an --env-file that is a folder is a file problem (exit 4), on one line', async () => {
    const dir = tempDir();
    const run = await cli(['crucible', 'status', '--api', fake.apiUrl, '--env-file', dir], {});
    assert.equal(run.code, ExitCode.file, run.stderr);
    assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
  });

  it('CLI: the password from --env-file, a server that is not Crucible, exit 5 on one line', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'crucible.env'), `ROUNDTABLE_COMMUNITY_AUTH_PASSWORD=${FAKE_CRUCIBLE_PASSWORD}\n`);
    fake.faults.set('/api/health', 'html');
    const run = await cli(['crucible', 'status', '--api', fake.apiUrl, '--env-file', 'crucible.env'], {}, dir);
    assert.equal(run.code, ExitCode.server, run.stderr);
    assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
  });
});
