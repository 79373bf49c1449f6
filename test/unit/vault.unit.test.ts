// Key state and the sentences people see, over the core vault with in-memory stores.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { OperationError } from '../../src/core/errors';
import { CrucibleKeyring } from '../../src/core/keyDerivation';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVault } from '../../src/core/vault/keyVault';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import type { ProjectPassphrases } from '../../src/vscode/encryption/projectPassphrases';
import { explain } from '../../src/vscode/errorText';
import { KeyState } from '../../src/vscode/state/keyState';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

const KEY = 'sk-or-v1-' + 'ab'.repeat(32);
const OTHER = 'sk-proj-' + 'Zq9'.repeat(12);

/** KeyState only asks the project side for views; none here. */
const NO_PROJECTS = { environment: () => undefined, views: async () => [] } as unknown as ProjectPassphrases;

function setup(options: { now?: () => number } = {}) {
  const secrets = new MemorySecrets();
  const memento = new MemoryState();
  const logs: string[] = [];
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: (level, line) => logs.push(`${level} ${line}`) }, redactor);
  const clock = { now: options.now ?? (() => Date.parse('2026-11-27T00:00:00Z')) };
  const passphrases = new VaultPassphrases(secrets, clock, logger);
  const vault = new KeyVault(secrets, memento, passphrases, new CrucibleKeyring(undefined, redactor), redactor, logger, clock);
  const catalog = new ProviderCatalog();
  const state = new KeyState(catalog, vault, NO_PROJECTS, logger, clock, () => 90, (provider) => (provider.id === 'xai' ? 'http://gateway.example' : undefined));
  return { secrets, memento, logs, redactor, vault, state, catalog };
}

describe('key state', () => {
  it('derives each status from metadata and the last verdict, with rotation due after the reminder period', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { vault, catalog, state } = setup({ now: () => now });
    await vault.store(catalog.require('openrouter'), KEY, catalog.all());
    await vault.store(catalog.require('openai'), OTHER, catalog.all());
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

  it('says which keys a check would send in clear text, and describes the vault, never a workspace, as the key\'s protection', async () => {
    const { vault, catalog, state } = setup();
    await state.refresh();
    assert.equal(state.snapshot().encryption.vault.ready, false);
    await vault.store(catalog.require('xai'), 'xai-' + 'k'.repeat(40), catalog.all());
    await state.refresh();
    const snapshot = state.snapshot();
    assert.equal(snapshot.providers.find((view) => view.id === 'xai')?.insecureOrigin, 'http://gateway.example');
    assert.equal(snapshot.providers.find((view) => view.id === 'openai')?.insecureOrigin, undefined);
    assert.deepEqual([snapshot.encryption.vault.ready, snapshot.encryption.vault.origin, snapshot.encryption.lockedCount], [true, 'generated', 0]);
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
    const { vault, catalog, secrets, memento, redactor } = setup();
    await vault.store(catalog.require('xai'), 'xai-' + 'k'.repeat(40), catalog.all());
    const before = new Map(secrets.map);
    const metadataBefore = JSON.stringify([...memento.map]);
    secrets.store = async () => { throw new Error('Cannot create password: OS keyring couldn\'t be identified (libsecret)'); };
    await assert.rejects(vault.store(catalog.require('openai'), OTHER, catalog.all()), (error: Error) => {
      const sentence = explain(error, redactor);
      assert.match(sentence, /system keyring.*password-store/);
      return true;
    });
    assert.deepEqual(secrets.map, before);
    assert.equal(JSON.stringify([...memento.map]), metadataBefore, 'no metadata for a key that was not stored');
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
