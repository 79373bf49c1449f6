// Attacks on the one-passphrase vault: windows interleaving over one SecretStorage, hosts without keys(), crashes.
// Each test states what must hold (issue items 1 and 2) and fails while it does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Fernet } from '../../src/core/fernet';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { maskKey } from '../../src/core/keyFormat';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVault } from '../../src/core/vault/keyVault';
import { VaultMaintenance } from '../../src/core/vault/maintenance';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import { ProjectPassphraseBackups } from '../../src/core/vault/projectBackups';
import { VaultRotation } from '../../src/core/vault/rotation';
import { MemorySecrets, MemoryState, SimulatedCrash } from '../support/memoryStores';

const catalog = new ProviderCatalog();
const KEYS = { openai: 'sk-proj-' + 'Zq9'.repeat(12), xai: 'xai-' + 'Q'.repeat(40) };
const NEWER_OPENAI = 'sk-proj-' + 'Nw7'.repeat(12);
const HOUR = 3_600_000;

interface World { map: Map<string, string>; memento: MemoryState; now: { value: number } }

function world(): World {
  return { map: new Map(), memento: new MemoryState(), now: { value: Date.parse('2026-11-27T10:00:00Z') } };
}

function openWindow(shared: World, secrets: MemorySecrets = new MemorySecrets(shared.map)) {
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: () => undefined }, redactor);
  const clock = { now: () => shared.now.value };
  const keyring = new CrucibleKeyring(deriveCrucibleFernetKey, redactor, clock);
  const passphrases = new VaultPassphrases(secrets, clock, logger);
  const vault = new KeyVault(secrets, shared.memento, passphrases, keyring, redactor, logger, clock);
  const rotation = new VaultRotation(vault, keyring, clock, logger);
  const maintenance = new VaultMaintenance(vault, rotation, secrets, shared.memento, clock, logger);
  return { secrets, vault, passphrases, keyring, rotation, maintenance };
}


describe('attack: a token whose metadata was never written', () => {
  it('garbage collection never forgets a passphrase a stored token still needs', async () => {
    const shared = world();
    const a = openWindow(shared);
    await a.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    const first = (await a.passphrases.current())!;
    // Window B saves the xAI key; VS Code dies right after the token is written, before the metadata is.
    const bSecrets = new MemorySecrets(shared.map);
    const b = openWindow(shared, bSecrets);
    let tokenWritten = false;
    bSecrets.beforeEach = (operation, key) => {
      if (operation === 'store' && key === 'crucibleKeys.development.xai') tokenWritten = true;
      else if (tokenWritten) throw new SimulatedCrash('killed after the token was written');
    };
    await assert.rejects(b.vault.store(catalog.require('xai'), KEYS.xai, catalog.all()), SimulatedCrash);
    assert.equal(new Fernet(await deriveCrucibleFernetKey(first.value)).decrypt(shared.map.get('crucibleKeys.development.xai')!), KEYS.xai, 'the xAI token is in storage, under the vault passphrase');

    // Later: a rotation, then maintenance after the grace period.
    await a.rotation.rotate();
    shared.now.value += HOUR;
    await a.maintenance.run(async () => []);
    const read = await openWindow(shared).vault.read('xai');
    assert.equal(read.state === 'ok' ? read.key : read.state, KEYS.xai, 'the token without metadata was moved, not orphaned');
  });
});

describe('attack: two windows, one SecretStorage', () => {
  it('a key saved while another window runs Forget All is either forgotten or readable, never locked for good', async () => {
    const shared = world();
    const a = openWindow(shared);
    await a.vault.store(catalog.require('xai'), KEYS.xai, catalog.all());
    const bSecrets = new MemorySecrets(shared.map);
    const b = openWindow(shared, bSecrets);
    // B has read the vault passphrase and is about to write its token when A's Forget All runs to the end.
    let forgotten = false;
    bSecrets.beforeEach = async (operation, key) => {
      if (!forgotten && operation === 'store' && key === 'crucibleKeys.development.openai') {
        forgotten = true;
        await a.vault.forgetAll(catalog.all().map((provider) => provider.id));
        await a.passphrases.forgetAll();
      }
    };
    await b.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    assert.ok(forgotten);
    const after = openWindow(shared);
    await after.maintenance.run(async () => []);
    const read = await after.vault.read('openai');
    assert.notEqual(read.state, 'locked', 'the key B just saved is stored under a passphrase that no longer exists');
  });

  it('a rotation in one window never reverts a key another window saved meanwhile', async () => {
    const shared = world();
    const aSecrets = new MemorySecrets(shared.map);
    const a = openWindow(shared, aSecrets);
    const b = openWindow(shared);
    await a.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    // A's rotation has checked that the OpenAI token is unchanged and is about to write it re-encrypted; in that
    // instant the person saves a new OpenAI key in window B.
    let saved = false;
    aSecrets.beforeEach = async (operation, key) => {
      if (!saved && operation === 'store' && key === 'crucibleKeys.development.openai') {
        saved = true;
        await b.vault.store(catalog.require('openai'), NEWER_OPENAI, catalog.all());
      }
    };
    await a.rotation.rotate();
    assert.ok(saved);
    // A's write fires SecretStorage.onDidChange in window B, whose handler runs a maintenance pass.
    await b.maintenance.run(async () => []);
    assert.equal(b.vault.metadata().openai.masked, maskKey(NEWER_OPENAI), 'B told the person the new key is stored');
    const read = await openWindow(shared).vault.read('openai');
    assert.equal(read.state === 'ok' ? read.key : read.state, NEWER_OPENAI, 'the new key was overwritten by the old one');
  });

  it('a key removed in one window is not brought back by another window\'s rotation', async () => {
    const shared = world();
    const aSecrets = new MemorySecrets(shared.map);
    const a = openWindow(shared, aSecrets);
    const b = openWindow(shared);
    await a.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    let removed = false;
    aSecrets.beforeEach = async (operation, key) => {
      if (!removed && operation === 'store' && key === 'crucibleKeys.development.openai') {
        removed = true;
        await b.vault.remove('openai'); // say, a leaked key the person removes at once
      }
    };
    await a.rotation.rotate();
    assert.ok(removed);
    await b.maintenance.run(async () => []); // B's onDidChange handler, after A's write
    assert.equal(shared.map.has('crucibleKeys.development.openai'), false, 'the removed key is back in secret storage');
  });

  it('a project passphrase kept before a rotation survives another window backing up its own project', async () => {
    const shared = world();
    const clock = { now: () => shared.now.value };
    const a = new ProjectPassphraseBackups(new MemorySecrets(shared.map), clock);
    const b = new ProjectPassphraseBackups(new MemorySecrets(shared.map), clock);
    const old = 'old-project-passphrase-that-crucible-db-needs-01';
    // Window A rotates /w/app's API_KEY_ENCRYPTION_KEY: keeps the old value, writes the new one to .env, keeps it too.
    // Window B, at the same moment, backs up /w/other's value on its refresh.
    await Promise.all([a.remember('/w/app', old), b.remember('/w/other', 'the-other-project-passphrase-0123456789ab')]);
    await a.remember('/w/app', 'new-project-passphrase-after-the-rotation-01');
    const kept = (await a.list('/w/app')).map((item) => item.passphrase);
    assert.ok(kept.includes(old), `the old value is in no .env any more, and the backup lost it: ${JSON.stringify(kept)}`);
  });
});

describe('attack: a 0.1 layout written while a maintenance pass runs', () => {
  it('keeps 0.1\'s stored passphrase as the vault\'s, whichever step of the pass the layout lands at', async () => {
    const stored = 'Stored-generated-passphrase-0123456789abcdef';
    const token = new Fernet(await deriveCrucibleFernetKey(stored)).encrypt(KEYS.openai);
    // Count the steps of a pass over an empty vault, then land the layout (passphrase first, as 0.1 wrote it) before each.
    const probe = openWindow(world());
    await probe.maintenance.run(async () => []);
    const steps = probe.secrets.operations;
    for (let landAt = 1; landAt <= steps + 1; landAt++) {
      const shared = world();
      const window = openWindow(shared);
      let count = 0;
      window.secrets.beforeEach = () => {
        if (++count !== landAt) return;
        shared.map.set('crucibleKeys.passphrase', stored);
        shared.map.set('crucibleKeys.default.openai', token);
      };
      await window.maintenance.run(async () => []);
      await window.maintenance.run(async () => []); // the pass the change event would trigger
      window.secrets.beforeEach = undefined;
      assert.equal((await window.passphrases.current())?.value, stored, `landed at step ${landAt}`);
      const read = await openWindow(shared).vault.read('openai');
      assert.equal(read.state === 'ok' ? read.key : read.state, KEYS.openai, `landed at step ${landAt}`);
    }
  });
});
