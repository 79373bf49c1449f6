// The vault's one passphrase across windows: creation races, rotation interrupted at every step, migration of the old
// layout, garbage collection. Each "window" is its own set of objects over one shared secret store, as VS Code windows
// share one OS keychain.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { Fernet } from '../../src/core/fernet';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVault } from '../../src/core/vault/keyVault';
import { migrateLegacyProfile, migrateLegacyVault } from '../../src/core/vault/migration';
import { CURRENT_PASSPHRASE_ID, LEGACY_PREVIOUS_PASSPHRASE, LEGACY_STORED_PASSPHRASE, PASSPHRASE_ENTRY_PREFIX, ROTATION_INTENT } from '../../src/core/vault/names';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import { ProjectPassphraseBackups } from '../../src/core/vault/projectBackups';
import { VaultRotation } from '../../src/core/vault/rotation';
import { MemorySecrets, MemoryState, SimulatedCrash } from '../support/memoryStores';

const catalog = new ProviderCatalog();
const KEYS: Record<string, string> = {
  openrouter: 'sk-or-v1-' + 'ab'.repeat(32), openai: 'sk-proj-' + 'Zq9'.repeat(12), anthropic: 'sk-ant-api03-' + 'x_Y'.repeat(30),
  google: 'AIza' + 'G'.repeat(35), deepseek: 'sk-' + '0a'.repeat(16), xai: 'xai-' + 'Q'.repeat(40), eden_ai: 'sk-eden-' + 'e'.repeat(30),
};
const WORKSPACE_PASSPHRASE = 'Workspace-passphrase-from-a-project-env-0123';
const HOUR = 3_600_000;

interface World { secrets: MemorySecrets; memento: MemoryState; now: { value: number } }

function world(): World {
  return { secrets: new MemorySecrets(), memento: new MemoryState(), now: { value: Date.parse('2026-11-27T10:00:00Z') } };
}

function openWindow(shared: World, secrets: MemorySecrets = shared.secrets) {
  const redactor = new Redactor();
  const logs: string[] = [];
  const logger = new RedactingLogger({ write: (level, line) => logs.push(`${level} ${line}`) }, redactor);
  const clock = { now: () => shared.now.value };
  const keyring = new CrucibleKeyring(deriveCrucibleFernetKey, redactor, clock);
  const passphrases = new VaultPassphrases(secrets, clock, logger);
  const vault = new KeyVault(secrets, shared.memento, passphrases, keyring, redactor, logger, clock);
  return { vault, passphrases, keyring, redactor, logs, rotation: new VaultRotation(vault, keyring, clock, logger) };
}

async function readable(window: ReturnType<typeof openWindow>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [id, read] of await window.vault.readAll()) out[id] = read.state === 'ok' ? read.key : read.state;
  return out;
}

function passphraseEntries(shared: World): string[] {
  return [...shared.secrets.map.keys()].filter((name) => name.startsWith(PASSPHRASE_ENTRY_PREFIX));
}

/** Both migrations a maintenance pass runs: one vault passphrase, then the keys of profile "default" into "development". */
async function migrate(window: ReturnType<typeof openWindow>, shared: World, candidates: string[]) {
  const outcome = await migrateLegacyVault(window.vault, shared.secrets, candidates, window.vault['logger']);
  await migrateLegacyProfile(shared.secrets, shared.memento, window.vault['logger'], { now: () => shared.now.value }, 7 * 86_400_000);
  return outcome;
}

async function tokenUnder(passphrase: string, plaintext: string): Promise<string> {
  return new Fernet(await deriveCrucibleFernetKey(passphrase)).encrypt(plaintext);
}

describe('one vault passphrase', () => {
  it('is created once on first use, kept in secret storage, and every key is a Fernet token under it', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openrouter'), KEYS.openrouter, catalog.all());
    const current = await window.passphrases.current();
    assert.match(current!.value, /^[A-Za-z0-9_-]{43}$/, 'made like Crucible\'s secrets.token_urlsafe(32)');
    assert.equal(passphraseEntries(shared).length, 1);
    const token = shared.secrets.map.get('crucibleKeys.development.openrouter')!;
    assert.equal(new Fernet(await deriveCrucibleFernetKey(current!.value)).decrypt(token), KEYS.openrouter);
    assert.ok(!JSON.stringify([...shared.memento.map]).includes(KEYS.openrouter), 'globalState holds no plaintext');
  });

  it('creates one passphrase when seven keys are saved at once in one window', async () => {
    const shared = world();
    const window = openWindow(shared);
    await Promise.all(Object.entries(KEYS).map(([id, key]) => window.vault.store(catalog.require(id), key, catalog.all())));
    assert.equal(passphraseEntries(shared).length, 1);
    assert.deepEqual(await readable(window), KEYS);
  });

  it('loses no key when two windows race to create it', async () => {
    const shared = world();
    const [a, b] = [openWindow(shared), openWindow(shared)];
    const ids = Object.keys(KEYS);
    await Promise.all(ids.map((id, index) => (index % 2 ? a : b).vault.store(catalog.require(id), KEYS[id], catalog.all())));
    assert.deepEqual(await readable(a), KEYS);
    assert.deepEqual(await readable(b), KEYS);
    await b.vault.consolidate();
    shared.now.value += HOUR;
    await a.vault.collectGarbage(10 * 60_000);
    assert.equal(passphraseEntries(shared).length, 1);
    assert.deepEqual(await readable(openWindow(shared)), KEYS);
  });

  it('loses no key in the worst interleaving: a window saves under its passphrase, then another overwrites the pointer', async () => {
    const shared = world();
    const slow = new MemorySecrets(shared.secrets.map);
    const [a, b] = [openWindow(shared), openWindow(shared, slow)];
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let bAtPointer = false;
    // B has read "no passphrase yet" twice and is about to write its pointer: it stalls there until A has saved a key.
    slow.beforeEach = async (operation, key) => {
      if (operation === 'store' && key === CURRENT_PASSPHRASE_ID) {
        bAtPointer = true;
        await held;
      }
    };
    const savedByB = b.vault.store(catalog.require('xai'), KEYS.xai, catalog.all());
    while (!bAtPointer) await new Promise((resolve) => setImmediate(resolve));
    await a.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    const aPassphrase = (await a.passphrases.current())!.id;
    release();
    await savedByB;
    assert.notEqual((await a.passphrases.current())!.id, aPassphrase, 'B overwrote the pointer: the race happened');
    assert.equal(passphraseEntries(shared).length, 2);
    assert.deepEqual(await readable(a), { openai: KEYS.openai, xai: KEYS.xai }, 'A\'s key still opens: its passphrase is remembered');
    assert.deepEqual(await a.vault.consolidate(), { moved: ['openai'], locked: [] });
    assert.equal(await a.vault.collectGarbage(10 * 60_000), 0, 'kept during the grace period');
    shared.now.value += HOUR;
    assert.equal(await a.vault.collectGarbage(10 * 60_000), 1, 'the losing passphrase is forgotten once nothing needs it');
    assert.deepEqual(await readable(openWindow(shared)), { openai: KEYS.openai, xai: KEYS.xai });
  });

  it('never depends on a workspace: a project\'s API_KEY_ENCRYPTION_KEY is not the vault\'s', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('xai'), KEYS.xai, catalog.all());
    assert.notEqual((await window.passphrases.current())!.value, WORKSPACE_PASSPHRASE);
    assert.deepEqual(await readable(openWindow(shared)), { xai: KEYS.xai }, 'a second window with another project opens it');
  });

  it('stores a key again under the new passphrase when another window rotated while it was writing', async () => {
    const shared = world();
    const [a, b] = [openWindow(shared), openWindow(shared)];
    await a.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    let rotated = false;
    shared.secrets.beforeEach = async (operation, key) => {
      if (!rotated && operation === 'store' && key === 'crucibleKeys.development.xai') {
        rotated = true;
        shared.secrets.beforeEach = undefined;
        await b.rotation.rotate();
      }
    };
    await a.vault.store(catalog.require('xai'), KEYS.xai, catalog.all());
    assert.ok(rotated);
    const current = (await a.passphrases.current())!;
    assert.equal(new Fernet(await deriveCrucibleFernetKey(current.value)).decrypt(shared.secrets.map.get('crucibleKeys.development.xai')!), KEYS.xai);
  });
});

describe('vault rotation', () => {
  it('moves every key under a new passphrase and forgets the old one only once nothing needs it', async () => {
    const shared = world();
    const window = openWindow(shared);
    for (const [id, key] of Object.entries(KEYS)) await window.vault.store(catalog.require(id), key, catalog.all());
    const before = (await window.passphrases.current())!;
    const outcome = await window.rotation.rotate();
    assert.equal(outcome.moved.length, 7);
    assert.notEqual((await window.passphrases.current())!.id, before.id);
    assert.equal(shared.secrets.map.has(ROTATION_INTENT), false);
    assert.equal(await window.vault.collectGarbage(10 * 60_000), 0, 'the retired passphrase waits out its grace period');
    shared.now.value += HOUR;
    assert.equal(await window.vault.collectGarbage(10 * 60_000), 1);
    assert.deepEqual(await readable(openWindow(shared)), KEYS);
  });

  it('loses nothing when VS Code dies at any step, and the next window finishes the rotation', async () => {
    const probe = world();
    const probeWindow = openWindow(probe);
    for (const [id, key] of Object.entries(KEYS)) await probeWindow.vault.store(catalog.require(id), key, catalog.all());
    const start = probe.secrets.operations;
    await probeWindow.rotation.rotate();
    const steps = probe.secrets.operations - start;
    assert.ok(steps > 20, `a rotation takes ${steps} storage operations`);
    for (let crashAt = 1; crashAt <= steps; crashAt++) {
      const shared = world();
      const window = openWindow(shared);
      for (const [id, key] of Object.entries(KEYS)) await window.vault.store(catalog.require(id), key, catalog.all());
      let count = 0;
      shared.secrets.beforeEach = () => { if (++count === crashAt) throw new SimulatedCrash(`killed at step ${crashAt}`); };
      await assert.rejects(window.rotation.rotate(), SimulatedCrash);
      shared.secrets.beforeEach = undefined;
      const next = openWindow(shared);
      assert.deepEqual(await readable(next), KEYS, `after a crash at step ${crashAt}, every key still opens`);
      await next.rotation.resume();
      await next.vault.consolidate();
      assert.deepEqual(await readable(openWindow(shared)), KEYS, `after resuming from step ${crashAt}`);
      shared.now.value += HOUR;
      await next.vault.collectGarbage(10 * 60_000);
      assert.deepEqual(await readable(openWindow(shared)), KEYS, `after garbage collection following step ${crashAt}`);
      assert.equal(shared.secrets.map.has(ROTATION_INTENT), false);
    }
  });

  it('survives two windows rotating at once', async () => {
    const shared = world();
    const [a, b] = [openWindow(shared), openWindow(shared)];
    for (const [id, key] of Object.entries(KEYS)) await a.vault.store(catalog.require(id), key, catalog.all());
    const results = await Promise.allSettled([a.rotation.rotate(), b.rotation.rotate()]);
    assert.ok(results.some((result) => result.status === 'fulfilled'));
    await b.rotation.resume();
    await a.vault.consolidate();
    shared.now.value += HOUR;
    await b.vault.collectGarbage(10 * 60_000);
    assert.deepEqual(await readable(openWindow(shared)), KEYS);
    assert.equal(passphraseEntries(shared).length, 1);
  });

  it('refuses to start while another window\'s rotation is recent, and finishes a stale one first', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    const current = (await window.passphrases.current())!;
    const next = await window.passphrases.add('a-passphrase-another-window-was-moving-to-0', 'rotated');
    await window.passphrases.recordRotation({ fromId: current.id, toId: next.id, startedAt: new Date(shared.now.value).toISOString() });
    await assert.rejects(window.rotation.rotate(), /Another window is rotating/);
    shared.now.value += HOUR;
    await window.rotation.rotate();
    assert.deepEqual(await readable(window), { openai: KEYS.openai });
  });
});

describe('unlocking and garbage collection', () => {
  it('re-encrypts what a typed passphrase opens, and keeps neither a wrong nor a right one in memory or storage', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    shared.secrets.map.set('crucibleKeys.development.xai', await tokenUnder(WORKSPACE_PASSPHRASE, KEYS.xai));
    assert.deepEqual(await readable(window), { openai: KEYS.openai, xai: 'locked' });
    const cached = window.keyring.size;
    const before = new Map(shared.secrets.map);
    assert.deepEqual(await window.vault.unlockWith(['not-the-right-passphrase-at-all-0123456789']), { unlocked: [], stillLocked: ['xai'] });
    assert.deepEqual(shared.secrets.map, before, 'a wrong passphrase changes nothing');
    assert.equal(window.keyring.size, cached, 'a wrong passphrase leaves the cache');
    assert.deepEqual(await window.vault.unlockWith([WORKSPACE_PASSPHRASE]), { unlocked: ['xai'], stillLocked: [] });
    assert.deepEqual(await readable(openWindow(shared)), { openai: KEYS.openai, xai: KEYS.xai });
    assert.ok(![...shared.secrets.map.values()].some((value) => value.includes(WORKSPACE_PASSPHRASE)), 'the typed passphrase is not stored');
    assert.equal(window.keyring.size, cached, 'the typed passphrase is not kept in memory either');
  });

  it('makes the redactor hide every passphrase and derived key while the keyring holds it', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    const passphrase = (await window.passphrases.current())!.value;
    const derived = await deriveCrucibleFernetKey(passphrase);
    const line = window.redactor.redact(`passphrase ${passphrase} key ${derived} std ${Buffer.from(derived, 'base64url').toString('base64')}`);
    assert.equal(line, 'passphrase [passphrase] key [fernet-key] std [fernet-key]');
    window.keyring.clear();
    assert.ok(window.redactor.redact(passphrase).includes(passphrase), 'released with the cache');
  });

  it('keeps a passphrase that some token still needs, however old it is', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    const old = (await window.passphrases.current())!;
    const next = await window.passphrases.add('a-second-vault-passphrase-0123456789abcdefg', 'rotated');
    await window.passphrases.setCurrent(next.id); // as if a rotation died before moving any key
    shared.now.value += 48 * HOUR;
    assert.equal(await window.vault.collectGarbage(10 * 60_000), 0);
    assert.ok(await window.passphrases.entry(old.id));
    assert.deepEqual(await readable(window), { openai: KEYS.openai });
  });

  it('redacts provider labels and headers before keeping a result in globalState', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openai'), KEYS.openai, catalog.all());
    await window.vault.recordResult({
      provider: 'openai', verdict: 'valid', latencyMs: 1, checkedAt: '2026-11-27T10:00:00Z', message: `ok ${KEYS.openai}`,
      key: { label: `key ${KEYS.openai.toUpperCase()}` }, rateLimit: { headers: { 'x-echo': KEYS.openai, 'x-ratelimit-remaining-requests': '9' } },
    });
    const stored = JSON.stringify([...shared.memento.map]);
    assert.ok(!stored.toLowerCase().includes(KEYS.openai.slice(8).toLowerCase()), stored);
    assert.match(stored, /x-ratelimit-remaining-requests":"9"/);
  });
});

describe('credentials (a Crucible server\'s remembered password)', () => {
  const PASSWORD = 'Crucible-login-password-CANARY-4711';

  it('are Fernet tokens under the vault passphrase, moved by a rotation, never a profile, and gone after Forget All', async () => {
    const shared = world();
    const window = openWindow(shared);
    await window.vault.store(catalog.require('openrouter'), KEYS.openrouter, catalog.all());
    await window.vault.storeCredential('crucible-0123456789abcdef', PASSWORD);
    const raw = shared.secrets.map.get('crucibleKeys.credential.crucible-0123456789abcdef')!;
    assert.ok(!raw.includes(PASSWORD));
    const passphrase = (await window.passphrases.current())!.value;
    assert.equal(new Fernet(await deriveCrucibleFernetKey(passphrase)).decrypt(raw), PASSWORD, 'a token Crucible\'s own Fernet opens');
    assert.equal(window.redactor.redact(`login with ${PASSWORD}`), 'login with [passphrase]', 'held as a passphrase while in memory');

    const outcome = await window.rotation.rotate();
    assert.equal(outcome.moved.length, 2, 'the key and the credential');
    shared.now.value += HOUR;
    assert.equal(await window.vault.collectGarbage(10 * 60_000), 1, 'the old passphrase is not needed by the credential any more');
    const fresh = openWindow(shared);
    assert.deepEqual(await fresh.vault.readCredential('crucible-0123456789abcdef'), { state: 'ok', key: PASSWORD, passphraseId: (await fresh.passphrases.current())!.id });
    assert.deepEqual(await fresh.vault.profilesInStorage(), ['development']);
    assert.deepEqual([...(await fresh.vault.readEveryProfile()).keys()], ['development']);
    assert.deepEqual(await fresh.vault.storedIds(), ['openrouter']);

    assert.equal(await fresh.vault.forgetAll(['development']), 1, 'one key (the credential is not counted as one)');
    assert.deepEqual(await fresh.vault.readCredential('crucible-0123456789abcdef'), { state: 'missing' });
  });

  it('are removed on request, and refuse an id that is not one', async () => {
    const window = openWindow(world());
    await window.vault.storeCredential('crucible-aa', PASSWORD);
    await window.vault.removeCredential('crucible-aa');
    assert.deepEqual(await window.vault.readCredential('crucible-aa'), { state: 'missing' });
    await assert.rejects(window.vault.storeCredential('../openrouter', PASSWORD), /not a credential id/);
    await assert.rejects(window.vault.storeCredential('Crucible.x', PASSWORD), /not a credential id/);
  });
});

describe('migration of the layout before one vault passphrase', () => {
  async function legacyWorld() {
    const shared = world();
    const stored = 'Stored-generated-passphrase-0123456789abcdef';
    const previous = 'Previous-passphrase-before-a-rotation-012345';
    shared.secrets.map.set(LEGACY_STORED_PASSPHRASE, stored);
    shared.secrets.map.set(LEGACY_PREVIOUS_PASSPHRASE, previous);
    shared.secrets.map.set('crucibleKeys.default.openrouter', await tokenUnder(stored, KEYS.openrouter));
    shared.secrets.map.set('crucibleKeys.default.openai', await tokenUnder(previous, KEYS.openai));
    shared.secrets.map.set('crucibleKeys.default.xai', await tokenUnder(WORKSPACE_PASSPHRASE, KEYS.xai));
    const orphan = await tokenUnder('a-passphrase-nobody-remembers-0123456789ab', KEYS.deepseek);
    shared.secrets.map.set('crucibleKeys.default.deepseek', orphan);
    shared.memento.map.set('crucibleKeys.metadata', Object.fromEntries(['openrouter', 'openai', 'xai', 'deepseek'].map((id) => [id, { addedAt: '2026-01-01T00:00:00Z', masked: '…' }])));
    return { shared, stored, orphan };
  }

  it('keeps the stored passphrase as the vault\'s, moves every key it can open under it, and never touches the rest', async () => {
    const { shared, stored, orphan } = await legacyWorld();
    const window = openWindow(shared);
    const outcome = await migrate(window, shared, [WORKSPACE_PASSPHRASE]);
    assert.equal(outcome.migrated, true);
    assert.deepEqual(outcome.locked, ['deepseek']);
    assert.equal((await window.passphrases.current())!.value, stored);
    assert.equal(shared.secrets.map.has(LEGACY_STORED_PASSPHRASE) || shared.secrets.map.has(LEGACY_PREVIOUS_PASSPHRASE), false);
    assert.equal(shared.secrets.map.get('crucibleKeys.development.deepseek'), orphan, 'a token nothing opens stays byte for byte (moved into the development profile as it is)');
    assert.deepEqual(await readable(openWindow(shared)), { openrouter: KEYS.openrouter, openai: KEYS.openai, xai: KEYS.xai, deepseek: 'locked' });
    assert.deepEqual(await migrate(window, shared, []), { migrated: false, moved: [], locked: [] }, 'idempotent');
  });

  it('can be interrupted at any step and run again without losing a key', async () => {
    const probe = await legacyWorld();
    const probeWindow = openWindow(probe.shared);
    const start = probe.shared.secrets.operations;
    await migrate(probeWindow, probe.shared, [WORKSPACE_PASSPHRASE]);
    const steps = probe.shared.secrets.operations - start;
    for (let crashAt = 1; crashAt <= steps; crashAt++) {
      const { shared } = await legacyWorld();
      const window = openWindow(shared);
      let count = 0;
      shared.secrets.beforeEach = () => { if (++count === crashAt) throw new SimulatedCrash(); };
      await assert.rejects(migrate(window, shared, [WORKSPACE_PASSPHRASE]), SimulatedCrash);
      shared.secrets.beforeEach = undefined;
      const next = openWindow(shared);
      await migrate(next, shared, [WORKSPACE_PASSPHRASE]);
      assert.deepEqual(await readable(openWindow(shared)), { openrouter: KEYS.openrouter, openai: KEYS.openai, xai: KEYS.xai, deepseek: 'locked' }, `crash at ${crashAt}`);
    }
  });

  it('keeps the stored passphrase when the old layout is still being written while the pass runs', async () => {
    const shared = world();
    const stored = 'Stored-generated-passphrase-0123456789abcdef';
    const token = await tokenUnder(stored, KEYS.openrouter);
    // Version 0.1 stored its passphrase, then the token; here both land while the pass is already under way.
    let writes = 0;
    shared.secrets.beforeEach = (operation) => {
      if (operation === 'keys' && writes++ === 0) {
        shared.secrets.map.set(LEGACY_STORED_PASSPHRASE, stored);
        shared.secrets.map.set('crucibleKeys.default.openrouter', token);
      }
    };
    const window = openWindow(shared);
    assert.equal((await migrate(window, shared, [])).migrated, true);
    shared.secrets.beforeEach = undefined;
    assert.equal((await window.passphrases.current())!.value, stored, 'no passphrase was generated in its place');
    assert.deepEqual(await readable(openWindow(shared)), { openrouter: KEYS.openrouter });
  });

  it('moves keys saved only under a workspace passphrase when no passphrase was ever stored', async () => {
    const shared = world();
    shared.secrets.map.set('crucibleKeys.default.xai', await tokenUnder(WORKSPACE_PASSPHRASE, KEYS.xai));
    shared.memento.map.set('crucibleKeys.metadata', { xai: { addedAt: '2026-01-01T00:00:00Z', masked: '…' } });
    const window = openWindow(shared);
    const outcome = await migrate(window, shared, [WORKSPACE_PASSPHRASE]);
    assert.deepEqual([outcome.migrated, outcome.moved, outcome.locked], [true, ['xai'], []]);
    assert.ok(shared.secrets.map.has(CURRENT_PASSPHRASE_ID));
    assert.notEqual((await window.passphrases.current())!.value, WORKSPACE_PASSPHRASE);
    assert.deepEqual(await readable(openWindow(shared)), { xai: KEYS.xai });
  });
});

describe('project passphrase backups', () => {
  it('keeps each folder\'s values newest first, at most ten, and forgets them all on request', async () => {
    const shared = world();
    const backups = new ProjectPassphraseBackups(shared.secrets, { now: () => shared.now.value });
    assert.equal(await backups.remember('/w/a', 'first-project-passphrase-0123456789abcdef'), true);
    assert.equal(await backups.remember('/w/a', 'first-project-passphrase-0123456789abcdef'), false);
    for (let index = 0; index < 12; index++) {
      shared.now.value += 1000;
      await backups.remember('/w/a', `passphrase-number-${index}-0123456789abcdefghij`);
    }
    const list = await backups.list('/w/a');
    assert.equal(list.length, 10);
    assert.equal(list[0].passphrase, 'passphrase-number-11-0123456789abcdefghij');
    await backups.remember('__proto__', 'a-folder-with-an-odd-name-0123456789abcdef');
    assert.deepEqual((await backups.list('__proto__')).map((item) => item.passphrase), ['a-folder-with-an-odd-name-0123456789abcdef']);
    assert.deepEqual(await backups.list('constructor'), []);
    assert.equal((await backups.allPassphrases()).length, 11);
    assert.equal(await backups.forgetAll(), 11);
    assert.deepEqual(await backups.allPassphrases(), []);
  });
});
