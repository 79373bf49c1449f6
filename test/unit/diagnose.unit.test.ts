// Diagnose's core checks, each over real files with the problem planted and without it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProviderInfo } from '../../src/core/catalog';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE } from '../../src/core/passphrase';
import type { Verdict, VerifyResult } from '../../src/core/verify/types';
import { check, checks, diagnose, ids, KEYS, PASSPHRASE, project } from '../support/diagnose';
import { tempDir } from '../support/tempDir';

const stored = (entries: Record<string, string>) => new Map(Object.entries(entries));

function result(provider: ProviderInfo, verdict: Verdict, extra: Partial<VerifyResult> = {}): VerifyResult {
  return { provider: provider.id, verdict, latencyMs: 12, checkedAt: '2026-01-01T00:00:00.000Z', httpStatus: 200, message: `The provider says ${verdict}.`, ...extra };
}

describe('Diagnose: the key', () => {
  it('names a zero-width character in a stored key, by code point only, and offers to enter it again', async () => {
    const dir = project({});
    const report = await diagnose(dir, { storedKeys: stored({ openai: `${KEYS.openai.slice(0, 12)}\u200b${KEYS.openai.slice(12)}` }) });
    const found = check(report, 'key.characters:openai');
    assert.equal(found.severity, 'problem');
    assert.match(found.title, /^The stored OpenAI key has a zero-width space \(U\+200B\) at position 13 of/);
    assert.deepEqual(found.fix, { kind: 'enterKey', provider: 'openai' });
    assert.ok(!ids(report).includes('key.format:openai'), 'no format verdict on a key that cannot be used as it is');
    const clean = await diagnose(dir, { storedKeys: stored({ openai: KEYS.openai }) });
    assert.equal(check(clean, 'key.characters:openai').severity, 'ok');
    assert.equal(check(clean, 'key.format:openai').severity, 'ok');
  });

  it('flags surrounding whitespace kept by quotes in .env, which Crucible would send, and offers the stored key', async () => {
    const dir = project({ '.env': `OPENAI_API_KEY="${KEYS.openai} "\n` });
    const report = await diagnose(dir, { storedKeys: stored({ openai: KEYS.openai }) });
    const found = check(report, 'key.characters:openai:OPENAI_API_KEY');
    assert.equal(found.severity, 'problem');
    assert.match(found.title, /OPENAI_API_KEY in \.env starts or ends with whitespace/);
    assert.deepEqual(found.fix, { kind: 'copyKeyToEnv', provider: 'openai', folder: dir });
    assert.equal(check(report, 'drift.env:openai:OPENAI_API_KEY').severity, 'problem');
  });

  it('warns about a key that looks like another provider\'s, and calls an admin key a problem', async () => {
    const dir = project({});
    const report = await diagnose(dir, { storedKeys: stored({ openrouter: KEYS.openai, openai: `sk-admin-${'x'.repeat(30)}` }) });
    const lookalike = check(report, 'key.format:openrouter');
    assert.equal(lookalike.severity, 'warning');
    assert.match(lookalike.title, /looks like an OpenAI key/);
    assert.equal(check(report, 'key.format:openai').severity, 'problem');
  });

  it('says when a provider asked for has no key anywhere', async () => {
    const report = await diagnose(project({ '.env': '' }), { providers: ['xai'], storedKeys: stored({}) });
    const missing = check(report, 'key.missing:xai');
    assert.equal(missing.severity, 'warning');
    assert.deepEqual(missing.fix, { kind: 'enterKey', provider: 'xai' });
    assert.deepEqual(report.providers, ['xai']);
  });
});

describe('Diagnose: the live check', () => {
  it('maps each verdict to a severity, with credits, usage, rate limits and the status page', async () => {
    const seen: string[] = [];
    const verify = async (provider: ProviderInfo, key: string): Promise<VerifyResult> => {
      seen.push(`${provider.id}:${key === KEYS.openrouter}`);
      if (provider.id === 'openrouter') return result(provider, 'valid', { credits: { currency: 'USD', scope: 'key', remaining: 74.5, limit: 100, limitReset: 'monthly', usage: 25.5, usageDaily: 1.25 } });
      if (provider.id === 'openai') return result(provider, 'rate_limited', { retryAfterSeconds: 7, rateLimit: { headers: {}, requestsLimit: 100, requestsRemaining: 0 } });
      return result(provider, 'rejected', { httpStatus: 401 });
    };
    const report = await diagnose(project({}), { storedKeys: stored({ openrouter: KEYS.openrouter, openai: KEYS.openai, eden_ai: KEYS.eden }), verify });
    assert.deepEqual(seen.sort(), ['eden_ai:false', 'openai:false', 'openrouter:true']);
    const valid = check(report, 'live.verdict:openrouter');
    assert.equal(valid.severity, 'ok');
    assert.ok(valid.detail!.includes('Credits: 74.50 USD left of 100.00 USD (the key\'s own limit, resets monthly).'), valid.detail!.join('|'));
    assert.ok(valid.detail!.includes('Usage: 25.50 USD in all, today 1.25 USD.'));
    const limited = check(report, 'live.verdict:openai');
    assert.deepEqual([limited.severity, limited.title, limited.fix], ['warning', 'OpenAI is rate limiting the key; retry in 7 s.', { kind: 'reverify', provider: 'openai' }]);
    assert.ok(limited.detail!.includes('Rate limits: 0 of 100 requests left.'));
    const rejected = check(report, 'live.verdict:eden_ai');
    assert.deepEqual([rejected.severity, rejected.fix], ['problem', { kind: 'enterKey', provider: 'eden_ai' }]);
    assert.deepEqual(check(report, 'live.statusPage:openrouter').fix, { kind: 'openStatusPage', provider: 'openrouter' });
  });

  it('says the keys were not checked without a verifier, and never sends a key with a hidden character', async () => {
    const dir = project({});
    const offline = await diagnose(dir, { storedKeys: stored({ openai: KEYS.openai }) });
    assert.equal(check(offline, 'live.verdict:openai').severity, 'info');
    let calls = 0;
    const report = await diagnose(dir, { storedKeys: stored({ openai: `${KEYS.openai}\u00a0` }), verify: async (provider) => { calls++; return result(provider, 'valid'); } });
    assert.equal(calls, 0);
    assert.match(check(report, 'live.verdict:openai').title, /fix its characters first/);
  });
});

describe('Diagnose: logs', () => {
  it('shows the last five errors for a provider, redacted, and where the log is', async () => {
    const lines = ['one', 'two', 'three', 'four', `401 for ${KEYS.openai}`, `echo ${KEYS.openai.toUpperCase()}`];
    const report = await diagnose(project({}), { storedKeys: stored({ openai: KEYS.openai, xai: `xai-${'k'.repeat(30)}` }), logLocation: 'the Crucible Keys output channel', recentErrors: (id) => (id === 'openai' ? lines : []) });
    const recent = check(report, 'logs.recent:openai');
    assert.equal(recent.severity, 'warning');
    assert.equal(recent.detail!.length, 5);
    assert.equal(recent.detail![0], 'two');
    assert.ok(recent.detail!.every((line) => !line.toLowerCase().includes(KEYS.openai.toLowerCase())), recent.detail!.join('|'));
    assert.match(recent.detail![3], /sk-proj-…/);
    assert.equal(check(report, 'logs.recent:xai').severity, 'ok');
    assert.deepEqual(check(report, 'logs.location').fix, { kind: 'showLogs' });
  });
});

describe('Diagnose: the project', () => {
  it('finds a tracked .env and offers to stop tracking it; an ignored one is fine', async () => {
    const dir = project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\n` }, { git: true });
    execFileSync('git', ['add', '-f', '.env'], { cwd: dir });
    const tracked = check(await diagnose(dir), 'project.git');
    assert.equal(tracked.severity, 'problem');
    assert.deepEqual(tracked.fix, { kind: 'ignoreEnv', folder: dir, envFile: path.join(dir, '.env'), untrack: true });
    const loose = project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\n` }, { git: true });
    assert.deepEqual(check(await diagnose(loose), 'project.git').fix, { kind: 'ignoreEnv', folder: loose, envFile: path.join(loose, '.env'), untrack: false });
    const ignored = project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\n`, '.gitignore': '.env\n' }, { git: true });
    assert.equal(check(await diagnose(ignored), 'project.git').severity, 'ok');
  });

  it('runs no git at all in Restricted Mode, even in a repository whose config would run a program', async () => {
    const dir = project({ '.env': '' }, { git: true });
    const marker = path.join(tempDir(), 'ran');
    execFileSync('git', ['config', 'core.fsmonitor', `touch ${marker}`], { cwd: dir });
    const bin = tempDir();
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\ntouch ${marker}\nexit 128\n`);
    chmodSync(path.join(bin, 'git'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    after(() => { process.env.PATH = savedPath; });
    try {
      const restricted = await diagnose(dir, { gitAllowed: false });
      assert.equal(check(restricted, 'project.git').title, 'git status unknown in Restricted Mode: no git command runs in an untrusted workspace.');
      assert.equal(existsSync(marker), false, 'git ran in Restricted Mode');
      await diagnose(dir, { gitAllowed: true });
      assert.equal(existsSync(marker), true, 'the fake git on PATH is what would run (positive control)');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('judges API_KEY_ENCRYPTION_KEY: missing, the dev default, weak in the environment, padded, or strong', async () => {
    const missing = project({ '.env': '' });
    assert.deepEqual(check(await diagnose(missing), 'project.passphrase').fix, { kind: 'generatePassphrase', folder: missing });
    const devDefault = project({ '.env': `API_KEY_ENCRYPTION_KEY=${CRUCIBLE_DEV_DEFAULT_PASSPHRASE}\n` });
    const dev = check(await diagnose(devDefault), 'project.passphrase');
    assert.deepEqual([dev.severity, dev.fix], ['problem', { kind: 'rotatePassphrase', folder: devDefault }]);
    assert.match(dev.title, /development default/);
    const fromEnvironment = check(await diagnose(devDefault, { environment: { API_KEY_ENCRYPTION_KEY: 'short' } }), 'project.passphrase');
    assert.deepEqual([fromEnvironment.severity, fromEnvironment.fix], ['problem', undefined]);
    const padded = check(await diagnose(project({ '.env': `API_KEY_ENCRYPTION_KEY=" ${PASSPHRASE}"\n` })), 'project.passphrase');
    assert.match(padded.title, /starts or ends with whitespace/);
    assert.equal(check(await diagnose(project({ '.env': `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\n` })), 'project.passphrase').severity, 'ok');
  });

  it('does not read the .env\'s passphrase in Restricted Mode', async () => {
    const report = await diagnose(project({ '.env': `API_KEY_ENCRYPTION_KEY=${CRUCIBLE_DEV_DEFAULT_PASSPHRASE}\n` }), { gitAllowed: false });
    const found = check(report, 'project.passphrase');
    assert.equal(found.severity, 'info');
    assert.match(found.title, /not read in Restricted Mode/);
  });

  it('reports a .env that is a FIFO without reading it, and still builds the rest of the report', async () => {
    const dir = project({});
    execFileSync('mkfifo', [path.join(dir, '.env')]);
    const report = await diagnose(dir, { storedKeys: stored({ openai: KEYS.openai }) });
    const found = check(report, 'project.envFile');
    assert.equal(found.severity, 'problem');
    assert.match(found.title, /named pipe \(FIFO\)/);
    assert.equal(check(report, 'key.format:openai').severity, 'ok');
    assert.equal(check(await diagnose(project({})), 'project.envFile').severity, 'warning');
  });
});

describe('Diagnose: drift between .env and the stored key', () => {
  it('shows only masks, says when two keys share one, and offers to copy the stored key', async () => {
    const dir = project({ '.env': `ROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouterOld}\nOPENAI_API_KEY=${KEYS.openai}\nXAI_API_KEY=\n` });
    const sameMask = `${KEYS.openai.slice(0, 10)}ZZZZ${KEYS.openai.slice(14)}`;
    const report = await diagnose(dir, { storedKeys: stored({ openrouter: KEYS.openrouter, openai: sameMask, xai: `xai-${'k'.repeat(30)}`, deepseek: `sk-${'a1'.repeat(16)}` }) });
    const differs = check(report, 'drift.env:openrouter:ROUNDTABLE_OPENROUTER_API_KEY');
    assert.equal(differs.severity, 'problem');
    assert.equal(differs.title, 'ROUNDTABLE_OPENROUTER_API_KEY in .env (sk-or-v1-…7d6c) differs from the stored OpenRouter key (sk-or-v1-…2c3d).');
    assert.deepEqual(differs.fix, { kind: 'copyKeyToEnv', provider: 'openrouter', folder: dir });
    assert.match(check(report, 'drift.env:openai:OPENAI_API_KEY').detail![0], /^Both show as sk-proj-…xCvB: they differ where the mask hides the key\.$/);
    assert.equal(check(report, 'drift.env:xai:XAI_API_KEY').severity, 'warning');
    assert.equal(check(report, 'drift.env:deepseek').severity, 'info');
    const same = await diagnose(dir, { storedKeys: stored({ openrouter: KEYS.openrouterOld }) });
    assert.equal(check(same, 'drift.env:openrouter:ROUNDTABLE_OPENROUTER_API_KEY').severity, 'ok');
  });

  it('warns when the environment holds another key than the stored one; the CLI has no drift section', async () => {
    const dir = project({ '.env': '' });
    const report = await diagnose(dir, { environment: { OPENAI_API_KEY: KEYS.openai.replace('Qw3r', 'Zz9z') }, storedKeys: stored({ openai: KEYS.openai }) });
    assert.equal(check(report, 'drift.environment:openai:OPENAI_API_KEY').severity, 'warning');
    const cli = await diagnose(dir, { environment: { OPENAI_API_KEY: KEYS.openai } });
    assert.ok(!cli.sections.some((section) => section.id === 'drift'));
  });
});

describe('Diagnose: how Crucible reads the keys', () => {
  it('finds an alias that shadows the written variable, and offers to write the stored key into it', async () => {
    const dir = project({ '.env': `OPENROUTER_API_KEY=${KEYS.openrouterOld}\nROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\n` });
    const report = await diagnose(dir, { storedKeys: stored({ openrouter: KEYS.openrouter }) });
    const shadow = check(report, 'crucible.alias:openrouter:OPENROUTER_API_KEY');
    assert.equal(shadow.severity, 'problem');
    assert.match(shadow.title, /^OPENROUTER_API_KEY in \.env \(sk-or-v1-…7d6c\) shadows ROUNDTABLE_OPENROUTER_API_KEY in \.env \(sk-or-v1-…2c3d\)/);
    assert.deepEqual(shadow.fix, { kind: 'updateAlias', provider: 'openrouter', variable: 'OPENROUTER_API_KEY', folder: dir });
    const agreeing = project({ '.env': `OPENROUTER_API_KEY=${KEYS.openrouter}\nROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\n` });
    assert.equal(check(await diagnose(agreeing), 'crucible.alias:openrouter:OPENROUTER_API_KEY').severity, 'ok');
    const plain = project({ '.env': `ROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\n` });
    assert.ok(!ids(await diagnose(plain)).some((id) => id.startsWith('crucible.alias')));
  });

  it('says an alias read after the written variable is never used, and an alias alone is not what the compose file passes', async () => {
    const google = await diagnose(project({ '.env': `GOOGLE_API_KEY=${KEYS.google}\nGEMINI_API_KEY=${KEYS.gemini}\n` }));
    const unused = check(google, 'crucible.alias:google:GEMINI_API_KEY');
    assert.equal(unused.severity, 'warning');
    assert.match(unused.title, /never used/);
    const alone = await diagnose(project({ '.env': `EDEN_AI_API_KEY=${KEYS.eden}\n` }));
    assert.match(check(alone, 'crucible.alias:eden_ai:EDEN_AI_API_KEY').title, /^Only EDEN_AI_API_KEY is set in \.env; ROUNDTABLE_EDEN_AI_API_KEY/);
  });

  it('warns when the environment hides a different .env value', async () => {
    const dir = project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\nAPI_KEY_ENCRYPTION_KEY=${PASSPHRASE}\n` });
    const report = await diagnose(dir, { environment: { OPENAI_API_KEY: KEYS.openai.replace('Qw3r', 'Zz9z'), API_KEY_ENCRYPTION_KEY: `${PASSPHRASE}x` } });
    assert.equal(check(report, 'crucible.environment:OPENAI_API_KEY').severity, 'warning');
    const passphrase = check(report, 'crucible.environment:API_KEY_ENCRYPTION_KEY');
    assert.equal(passphrase.title, 'API_KEY_ENCRYPTION_KEY is set in the environment and, differently, in .env: Crucible and docker compose use the environment\'s.');
    const same = await diagnose(dir, { environment: { OPENAI_API_KEY: KEYS.openai } });
    assert.ok(!ids(same).some((id) => id.startsWith('crucible.environment')));
  });

  it('finds a value python-dotenv reads differently, and a .env docker compose refuses', async () => {
    const escaped = await diagnose(project({ '.env': `OPENAI_API_KEY="${KEYS.openai}\\tx"\n` }));
    const reader = check(escaped, 'crucible.readers:OPENAI_API_KEY');
    assert.equal(reader.severity, 'problem');
    assert.match(reader.title, /reads OPENAI_API_KEY in \.env differently/);
    const refused = await diagnose(project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\nBROKEN="unterminated\n` }));
    assert.match(check(refused, 'crucible.readers:compose').title, /^docker compose refuses the \.env/);
    assert.ok(!ids(await diagnose(project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\n` }))).some((id) => id.startsWith('crucible.readers')));
  });
});

describe('Diagnose: secrets stay out of the report', () => {
  it('holds no key or passphrase, nor any part beyond the mask, whatever the checks find', async () => {
    const dir = project({
      '.env': `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\nOPENROUTER_API_KEY=${KEYS.openrouterOld}\nROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\nOPENAI_API_KEY="${KEYS.openai} "\n`,
      'docker-compose.yml': 'services:\n  api:\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY}\n      LEAK: ${ROUNDTABLE_OPENROUTER_API_KEY}\n',
    }, { git: true });
    const report = await diagnose(dir, {
      storedKeys: stored({ openrouter: KEYS.openrouter, openai: KEYS.openai, eden_ai: KEYS.eden }), logLocation: 'here',
      recentErrors: () => [`failed with ${KEYS.eden} and ${PASSPHRASE}`],
      verify: async (provider, key) => result(provider, 'provider_error', { message: `echo ${key}` }),
    });
    const text = JSON.stringify(report);
    for (const secret of [...Object.values(KEYS), PASSPHRASE]) {
      for (const part of [secret, secret.slice(4, 20), secret.slice(-12, -4)]) assert.ok(!text.includes(part), `the report holds ${part.slice(0, 6)}…`);
    }
    assert.ok(checks(report).length > 20);
  });
});

describe('Diagnose: a project folder that is not there', () => {
  it('still reports, without throwing', async () => {
    const dir = path.join(tempDir(), 'gone');
    const report = await diagnose(dir);
    assert.equal(check(report, 'project.envFile').severity, 'warning');
    mkdirSync(dir);
  });
});
