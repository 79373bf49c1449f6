// Attacks on the best-practice features (issue 12): Diagnose and doctor output, the undo of a key replacement, the
// rotation reminder under a clock that moves back, and the replacement's writes into several .env files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { buildDiagnoseReport } from '../../src/core/diagnose/report';
import { updateEnvFile } from '../../src/core/envFile';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { RedactingLogger, Redactor } from '../../src/core/redact';
import { findKeyHolders } from '../../src/core/replacement/holders';
import { DAY_MS, dueReminder, markShown, type ReminderState } from '../../src/core/replacement/reminders';
import { writeReplacement } from '../../src/core/replacement/writeReplacement';
import { KeyVault, PREVIOUS_KEY_KEEP_MS } from '../../src/core/vault/keyVault';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import { ensureBuilt, runCli } from '../support/cli';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { tempDir } from '../support/tempDir';

const catalog = new ProviderCatalog();
const OPENROUTER = 'sk-or-v1-' + 'a1B2'.repeat(16);
const NEWER = 'sk-or-v1-' + 'c3D4'.repeat(16);

describe('attack: a compose file that puts a key into a check\'s id', () => {
  it('no key reaches the report (its --json form included) through an id', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), `OPENROUTER_API_KEY=${OPENROUTER}\n`);
    // A bind mount whose source is missing and whose container path interpolates the key.
    writeFileSync(path.join(dir, 'docker-compose.yml'), [
      'services:', '  api:', '    environment:', '      OPENROUTER_API_KEY: ${OPENROUTER_API_KEY}',
      '    volumes:', '      - ./missing/.env:/x/${OPENROUTER_API_KEY}/.env', '',
    ].join('\n'));
    const report = await buildDiagnoseReport({ catalog, folder: dir, envFile: path.join(dir, '.env'), environment: {}, gitAllowed: false });
    const checks = report.sections.flatMap((section) => section.checks);
    assert.ok(checks.some((check) => check.id.startsWith('compose.mount:')), 'the missing mount is reported');
    const json = JSON.stringify(report);
    assert.equal(json.includes(OPENROUTER), false, 'the key is not in the report');
    assert.equal(json.includes(OPENROUTER.slice(9, 40)), false, 'nor a long piece of it');
  });
});

function vaultAt(now: { value: number }) {
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: () => undefined }, redactor);
  const clock = { now: () => now.value };
  const secrets = new MemorySecrets();
  const passphrases = new VaultPassphrases(secrets, clock, logger);
  return new KeyVault(secrets, new MemoryState(), passphrases, new CrucibleKeyring(deriveCrucibleFernetKey, redactor, clock), redactor, logger, clock);
}

describe('attack: undo of a key replacement after its seven days', () => {
  const openrouter = catalog.require('openrouter');
  it('(positive control) within the seven days the replaced key comes back', async () => {
    const now = { value: Date.parse('2026-05-01T10:00:00Z') };
    const vault = vaultAt(now);
    await vault.store(openrouter, OPENROUTER, catalog.all());
    await vault.replace(openrouter, NEWER, catalog.all(), PREVIOUS_KEY_KEEP_MS);
    now.value += PREVIOUS_KEY_KEEP_MS - 60_000;
    assert.equal(await vault.restorePrevious(openrouter, catalog.all(), PREVIOUS_KEY_KEEP_MS), true);
    const read = await vault.read('openrouter');
    assert.ok(read.state === 'ok' && read.key === OPENROUTER);
  });

  it('a window open past the seven days (no maintenance pass since) cannot restore the old key, and it is forgotten', async () => {
    const now = { value: Date.parse('2026-05-01T10:00:00Z') };
    const vault = vaultAt(now);
    await vault.store(openrouter, OPENROUTER, catalog.all());
    await vault.replace(openrouter, NEWER, catalog.all(), PREVIOUS_KEY_KEEP_MS);
    now.value += PREVIOUS_KEY_KEEP_MS + 60_000;
    assert.equal(await vault.restorePrevious(openrouter, catalog.all(), PREVIOUS_KEY_KEEP_MS), false, 'the undo is refused');
    const read = await vault.read('openrouter');
    assert.ok(read.state === 'ok' && read.key === NEWER, 'the current key stays');
    assert.equal(vault.metadata().openrouter.previous, undefined, 'no previous key is offered any more');
    assert.equal((await vault.entries()).some((entry) => entry.previous), false, 'the old key\'s token is gone');
  });
});

describe('attack: a rotation reminder under a clock that moves back', () => {
  const keys = [{ profile: 'development', provider: 'openrouter', addedAt: '2025-01-01T00:00:00Z' }];
  it('a clock set back across midnight (an NTP correction) does not bring a second reminder', () => {
    const shown = Date.parse('2026-03-11T00:00:30Z');
    const state = markShown({ keys: {} }, shown);
    assert.equal(dueReminder(keys, 90, state, shown - 60_000), undefined);
  });

  it('(positive control) a stamp from a clock that was far ahead does not silence reminders for good', () => {
    const state: ReminderState = { keys: {}, lastShownDay: '2099-01-01' };
    assert.equal(dueReminder(keys, 90, state, Date.parse('2026-03-11T12:00:00Z'))?.provider, 'openrouter');
    assert.equal(dueReminder(keys, 90, markShown({ keys: {} }, Date.parse('2026-03-10T12:00:00Z')), Date.parse('2026-03-11T12:00:00Z') + DAY_MS)?.provider, 'openrouter', 'and one a day goes on');
  });
});

describe('attack: writing a replaced key into several .env files', () => {
  it('a file that cannot be written does not stop the others, and is named; a variable changed since the list is left alone', async () => {
    const dir = tempDir();
    const files = ['a.env', 'b.env', 'c.env'].map((name) => path.join(dir, name));
    for (const file of files) writeFileSync(file, `OPENROUTER_API_KEY=${OPENROUTER}\nROUNDTABLE_OPENROUTER_API_KEY=${OPENROUTER}\n`);
    const { holders } = await findKeyHolders(files, OPENROUTER);
    assert.equal(holders.length, 3);
    // Between the confirmation and the write: b.env becomes read-only, and c.env's alias gets another key.
    chmodSync(files[1], 0o444);
    const other = 'sk-or-v1-' + 'e5F6'.repeat(16);
    writeFileSync(files[2], `OPENROUTER_API_KEY=${OPENROUTER}\nROUNDTABLE_OPENROUTER_API_KEY=${other}\n`);
    const outcome = await writeReplacement(holders, OPENROUTER, NEWER, async (file, updates) => {
      await updateEnvFile(file, updates);
      return file;
    });
    assert.deepEqual(outcome.written, [files[0], files[2]]);
    assert.deepEqual(outcome.unchanged, []);
    assert.deepEqual(outcome.failed.map((entry) => entry.file), [files[1]]);
    assert.equal(readFileSync(files[0], 'utf8'), `OPENROUTER_API_KEY=${NEWER}\nROUNDTABLE_OPENROUTER_API_KEY=${NEWER}\n`);
    assert.equal(readFileSync(files[2], 'utf8'), `OPENROUTER_API_KEY=${NEWER}\nROUNDTABLE_OPENROUTER_API_KEY=${other}\n`, 'the changed variable keeps its new value');
    assert.equal(outcome.failed[0].reason.includes(OPENROUTER), false, 'the reason never carries the key');
  });

  it('a file whose every variable was edited away from the old key is left as it is, and not counted as written', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'staging.env');
    writeFileSync(file, `OPENROUTER_API_KEY=${OPENROUTER}\n`);
    const { holders } = await findKeyHolders([file], OPENROUTER);
    const edited = `OPENROUTER_API_KEY=sk-or-v1-${'e'.repeat(64)}\n`;
    writeFileSync(file, edited);
    const outcome = await writeReplacement(holders, OPENROUTER, NEWER, async (target, updates) => { await updateEnvFile(target, updates); return target; });
    assert.deepEqual(outcome, { written: [], unchanged: [file], declined: [], failed: [] });
    assert.equal(readFileSync(file, 'utf8'), edited);
  });

  it('a file declined at its own question is reported as left with the old key', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env');
    writeFileSync(file, `OPENROUTER_API_KEY=${OPENROUTER}\n`);
    const { holders } = await findKeyHolders([file], OPENROUTER);
    const outcome = await writeReplacement(holders, OPENROUTER, NEWER, async () => undefined);
    assert.deepEqual(outcome, { written: [], unchanged: [], declined: [file], failed: [] });
    assert.equal(readFileSync(file, 'utf8'), `OPENROUTER_API_KEY=${OPENROUTER}\n`);
  });
});

describe('attack: an owned key committed base64-encoded (a Kubernetes Secret, a Basic auth header)', () => {
  // A gateway key with no catalog prefix: only the exact-value search can find it, in whatever form it was written.
  const OWN = 'Gw7kQ2pXv9LmZr4TbN8sYc3HdJf6WqRe';
  const encode = (text: string) => Buffer.from(text).toString('base64');
  const gitEnv = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...gitEnv, HOME: cwd } });

  function repoWith(files: Record<string, string>): string {
    const dir = tempDir('crucible-keys-scan-');
    git(dir, 'init', '-q', '-b', 'main');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    git(dir, 'add', '-A');
    return dir;
  }

  before(ensureBuilt);

  it('crucible-keys scan finds it, exits 1, and its --json carries neither the key nor its encoded form', () => {
    const dir = repoWith({
      '.gitignore': '.env\n',
      '.env': `OPENROUTER_API_KEY=${OWN}\n`,
      'k8s/secret.yaml': `apiVersion: v1\nkind: Secret\ndata:\n  OPENROUTER_API_KEY: ${encode(OWN)}\n`,
      'scripts/call.sh': `curl -H "Authorization: Basic ${encode(`user:${OWN}`)}" https://example.com\n`,
      'notes/url.txt': `https://example.com/?k=${Buffer.from(`x${OWN}`).toString('base64url')}\n`,
    });
    const run = runCli(['scan', '--staged', '--json'], { cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { findings: { file: string; line: number; rule: string }[] };
    assert.deepEqual(result.findings.map((finding) => finding.file).sort(), ['k8s/secret.yaml', 'notes/url.txt', 'scripts/call.sh']);
    for (const secret of [OWN, encode(OWN), encode(OWN).slice(4, 36)]) assert.equal(run.stdout.includes(secret) || run.stderr.includes(secret), false);
  });

  it('(positive control) a base64 text that does not hold the key is not a finding', () => {
    const dir = repoWith({ '.gitignore': '.env\n', '.env': `OPENROUTER_API_KEY=${OWN}\n`, 'data.txt': `${encode(OWN.replace('Q', 'q'))}\n` });
    const run = runCli(['scan', '--staged'], { cwd: dir });
    assert.equal(run.code, 0, run.stdout);
  });
});
