// The vault, passphrase resolution and key state with in-memory stores: the logic behind the extension's UI.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { CrucibleKeyring } from '../../src/core/keyDerivation';
import type { KeyValueStore, SecretStore } from '../../src/core/ports';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { explain } from '../../src/vscode/errorText';
import { KeyState } from '../../src/vscode/keyState';
import { OperationError } from '../../src/core/errors';
import { PassphraseResolver, PREVIOUS_PASSPHRASE, STORED_PASSPHRASE } from '../../src/vscode/passphraseResolver';
import { KeyVault } from '../../src/vscode/vault';

class MemorySecrets implements SecretStore {
  readonly map = new Map<string, string>();
  async get(key: string) { return this.map.get(key); }
  async store(key: string, value: string) { this.map.set(key, value); }
  async delete(key: string) { this.map.delete(key); }
  async keys() { return [...this.map.keys()]; }
}

class MemoryState implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string) { return this.map.get(key) as T | undefined; }
  async update(key: string, value: unknown) { this.map.set(key, JSON.parse(JSON.stringify(value))); }
}

const KEY = 'sk-or-v1-' + 'ab'.repeat(32);
const OTHER = 'sk-proj-' + 'Zq9'.repeat(12);

function setup(options: { env?: Record<string, string>; workspace?: string; trusted?: boolean; now?: () => number } = {}) {
  const secrets = new MemorySecrets();
  const memento = new MemoryState();
  const logs: string[] = [];
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: (level, line) => logs.push(`${level} ${line}`) }, redactor);
  const clock = { now: options.now ?? (() => Date.parse('2026-11-27T00:00:00Z')) };
  let workspace = options.workspace;
  const resolver = new PassphraseResolver(secrets, { env: options.env ?? {}, readWorkspaceEnv: async () => (workspace ? { file: '/ws/.env', value: workspace } : undefined), isTrusted: () => options.trusted ?? true });
  const vault = new KeyVault(secrets, memento, new CrucibleKeyring(), redactor, logger, clock);
  const catalog = new ProviderCatalog();
  const state = new KeyState(catalog, vault, resolver, logger, clock, () => 90);
  return { secrets, memento, logs, redactor, vault, resolver, state, catalog, setWorkspace: (value: string | undefined) => { workspace = value; } };
}

describe('passphrase resolution', () => {
  it('prefers the environment, then a trusted workspace .env, then a generated stored passphrase', async () => {
    assert.equal((await setup({ env: { API_KEY_ENCRYPTION_KEY: 'from-env-passphrase-0123456789abcdef' }, workspace: 'from-file' }).resolver.resolve(true))?.source, 'environment');
    assert.deepEqual(await setup({ workspace: 'from-file-passphrase-0123456789abcdef' }).resolver.resolve(true).then((r) => [r?.source, r?.file]), ['envFile', '/ws/.env']);
    const untrusted = setup({ workspace: 'from-file-passphrase-0123456789abcdef', trusted: false });
    const resolved = await untrusted.resolver.resolve(true);
    assert.equal(resolved?.source, 'stored');
    assert.match(resolved!.value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(untrusted.secrets.map.get(STORED_PASSPHRASE), resolved!.value);
    assert.equal(await setup().resolver.resolve(false), undefined, 'nothing is generated unless asked');
  });
});

describe('vault', () => {
  it('stores only a Fernet token and masked metadata, and reads the key back', async () => {
    const { vault, secrets, memento, resolver, catalog } = setup();
    const passphrase = (await resolver.resolve(true))!.value;
    await vault.store(catalog.require('openrouter'), KEY, passphrase, catalog.all());
    const token = secrets.map.get('crucibleKeys.default.openrouter')!;
    assert.match(token, /^gAAAAA/);
    assert.ok(!JSON.stringify([...memento.map]).includes(KEY));
    assert.deepEqual(Object.keys(vault.metadata().openrouter), ['addedAt', 'masked']);
    assert.equal(vault.metadata().openrouter.masked, 'sk-or-v1-…abab');
    assert.deepEqual(await vault.read('openrouter', passphrase), { state: 'ok', key: KEY });
  });

  it('reports locked (never missing, never deleted) when the passphrase changes, and re-encrypts on unlock', async () => {
    const { vault, secrets, resolver, catalog, state, setWorkspace } = setup();
    const first = (await resolver.resolve(true))!.value;
    await vault.store(catalog.require('openrouter'), KEY, first, catalog.all());
    await vault.store(catalog.require('openai'), OTHER, first, catalog.all());
    setWorkspace('a-new-workspace-passphrase-0123456789abcd');
    await state.refresh();
    assert.deepEqual(state.snapshot().providers.filter((view) => view.status === 'locked').map((view) => view.id), ['openrouter', 'openai']);
    assert.equal(state.snapshot().needsAttention, true);
    const before = new Map(secrets.map);
    const wrong = await vault.reencrypt('not-it-at-all-0123456789abcdefghijklmn', 'a-new-workspace-passphrase-0123456789abcd');
    assert.deepEqual(wrong, { moved: [], stillLocked: ['openrouter', 'openai'] });
    assert.deepEqual(secrets.map, before, 'a wrong passphrase changes nothing');
    const right = await vault.reencrypt(first, 'a-new-workspace-passphrase-0123456789abcd');
    assert.deepEqual(right.moved, ['openrouter', 'openai']);
    await state.refresh();
    assert.equal(state.snapshot().encryption.lockedCount, 0);
    assert.equal((await vault.read('openai', 'a-new-workspace-passphrase-0123456789abcd') as { key: string }).key, OTHER);
  });

  it('keeps the previous passphrase when the stored one is replaced, so an interrupted rotation can recover', async () => {
    const { resolver, secrets } = setup();
    const first = (await resolver.resolve(true))!.value;
    await resolver.rememberPrevious(first);
    await resolver.replaceStored('second-passphrase-0123456789abcdefghijkl');
    assert.equal(secrets.map.get(PREVIOUS_PASSPHRASE), first);
    assert.deepEqual((await resolver.knownCandidates()).sort(), [first, 'second-passphrase-0123456789abcdefghijkl'].sort());
  });

  it('redacts every key it has held from the log', async () => {
    const { vault, resolver, catalog, logs, redactor } = setup();
    const passphrase = (await resolver.resolve(true))!.value;
    await vault.store(catalog.require('openai'), OTHER, passphrase, catalog.all());
    new RedactingLogger({ write: (_level, line) => logs.push(line) }, redactor).info(`echo ${OTHER}`);
    assert.ok(logs.every((line) => !line.includes(OTHER)));
  });

  it('forgets every key and its metadata, but not the passphrase', async () => {
    const { vault, resolver, catalog, secrets } = setup();
    const passphrase = (await resolver.resolve(true))!.value;
    await vault.store(catalog.require('openai'), OTHER, passphrase, catalog.all());
    await vault.store(catalog.require('xai'), 'xai-' + 'k'.repeat(40), passphrase, catalog.all());
    assert.equal(await vault.forgetAll(catalog.all().map((provider) => provider.id)), 2);
    assert.deepEqual([...secrets.map.keys()], [STORED_PASSPHRASE]);
    assert.deepEqual(vault.metadata(), {});
  });
});

describe('key state', () => {
  it('derives each status from metadata and the last verdict, with rotation due after the reminder period', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { vault, resolver, catalog, state } = setup({ now: () => now });
    const passphrase = (await resolver.resolve(true))!.value;
    await vault.store(catalog.require('openrouter'), KEY, passphrase, catalog.all());
    await vault.store(catalog.require('openai'), OTHER, passphrase, catalog.all());
    await state.refresh();
    const status = () => Object.fromEntries(state.snapshot().providers.filter((view) => view.status !== 'not_set').map((view) => [view.id, view.status]));
    assert.deepEqual(status(), { openrouter: 'unverified', openai: 'unverified' });
    await vault.recordResult({ provider: 'openai', verdict: 'rejected', latencyMs: 5, checkedAt: new Date(now).toISOString(), message: 'no' });
    await vault.recordResult({ provider: 'openrouter', verdict: 'valid', latencyMs: 5, checkedAt: new Date(now).toISOString(), message: 'ok' });
    assert.deepEqual(status(), { openrouter: 'valid', openai: 'rejected' });
    assert.deepEqual([state.snapshot().validCount, state.snapshot().setCount, state.snapshot().needsAttention], [1, 2, true]);
    now += 91 * 86_400_000;
    assert.deepEqual(status(), { openrouter: 'rotation_due', openai: 'rejected' });
    assert.equal(state.snapshot().validCount, 1, 'an old but valid key still counts as valid');
  });

  it('tells listeners about every change', async () => {
    const { state } = setup();
    let calls = 0;
    const subscription = state.onDidChange(() => calls++);
    state.setVerifying('openai', true);
    state.setVerifying('openai', false);
    subscription.dispose();
    state.notify();
    assert.equal(calls, 2);
  });
});

describe('failures people see', () => {
  it('explains a keyring failure with the password-store fix, and leaves the vault untouched', async () => {
    const { vault, resolver, catalog, secrets, memento, redactor } = setup();
    const passphrase = (await resolver.resolve(true))!.value;
    const before = new Map(secrets.map);
    secrets.store = async () => { throw new Error('Cannot create password: OS keyring couldn\'t be identified (libsecret)'); };
    await assert.rejects(vault.store(catalog.require('openai'), OTHER, passphrase, catalog.all()), (error: Error) => {
      const sentence = explain(error, redactor);
      assert.match(sentence, /system keyring.*password-store/);
      return true;
    });
    assert.deepEqual(secrets.map, before);
    assert.equal(memento.map.size, 0, 'no metadata for a key that was not stored');
  });

  it('passes our own sentences through, and redacts and shortens anything else', () => {
    const redactor = new Redactor();
    redactor.hold(OTHER);
    assert.equal(explain(new OperationError('No OpenAI key is stored.'), redactor), 'No OpenAI key is stored.');
    const other = explain(new Error(`boom ${OTHER}\n    at stack`), redactor);
    assert.equal(other, `Something went wrong: boom sk-proj-…${OTHER.slice(-4)}`);
    assert.ok(!other.includes(OTHER) && !other.includes('\n'));
  });
});
