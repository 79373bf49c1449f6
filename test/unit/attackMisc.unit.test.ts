// Attacks on settings validation (item 5), redaction and secret lifetime (item 7) and migration (item 1).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ProviderCatalog } from '../../src/core/catalog';
import { findProviderKeys } from '../../src/core/crucibleEnv';
import { Fernet } from '../../src/core/fernet';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVault } from '../../src/core/vault/keyVault';
import { VaultMaintenance } from '../../src/core/vault/maintenance';
import { migrateLegacyVault } from '../../src/core/vault/migration';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import { ProjectPassphraseBackups } from '../../src/core/vault/projectBackups';
import { VaultRotation } from '../../src/core/vault/rotation';
import { ProjectPassphrases } from '../../src/vscode/encryption/projectPassphrases';
import type { WorkspaceEnv } from '../../src/vscode/env/workspaceEnv';
import { KeyOperations } from '../../src/vscode/operations/keyOperations';
import { PanelStateBuilder } from '../../src/vscode/panel/panelState';
import { KeyState } from '../../src/vscode/state/keyState';
import type { VerificationService } from '../../src/vscode/verify/verificationService';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { tempDir } from '../support/tempDir';

const clock = { now: () => Date.parse('2026-11-27T10:00:00Z') };

function workspace(dir: string | undefined, trusted: boolean): WorkspaceEnv {
  const folder = dir ? { uri: { fsPath: dir, scheme: 'file' }, name: path.basename(dir), index: 0 } : undefined;
  return {
    folders: () => (folder ? [folder] : []), folderAt: (fsPath: string) => (folder && fsPath === dir ? folder : undefined),
    envPath: () => path.join(dir ?? '', '.env'), isTrusted: () => trusted,
  } as unknown as WorkspaceEnv;
}

function extension(catalog: ProviderCatalog, dir: string | undefined, trusted = true) {
  const secrets = new MemorySecrets();
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: () => undefined }, redactor);
  const keyring = new CrucibleKeyring(deriveCrucibleFernetKey, redactor);
  const passphrases = new VaultPassphrases(secrets, clock, logger);
  const memento = new MemoryState();
  const vault = new KeyVault(secrets, memento, passphrases, keyring, redactor, logger, clock);
  const rotation = new VaultRotation(vault, keyring, clock, logger);
  const maintenance = new VaultMaintenance(vault, rotation, secrets, memento, clock, logger);
  const workspaceEnv = workspace(dir, trusted);
  const projects = new ProjectPassphrases(workspaceEnv, new ProjectPassphraseBackups(secrets, clock), {}, logger);
  const state = new KeyState(catalog, vault, projects, logger, clock, () => 90);
  const operations = new KeyOperations(vault, maintenance, rotation, projects, state, {} as VerificationService, logger, {});
  return { secrets, memento, redactor, keyring, passphrases, vault, projects, state, operations, workspaceEnv };
}

describe('attack: a custom provider whose envVar names an Object.prototype member', () => {
  for (const envVar of ['constructor', 'toString', '__proto__']) {
    it(`envVar ${envVar}: either skipped with a warning, or the panel and Import still work`, async () => {
      const { catalog, problems } = ProviderCatalog.lenient([{ id: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', envVar }]);
      if (problems.length > 0) return; // refused with a sentence: fine
      const dir = tempDir();
      writeFileSync(path.join(dir, '.env'), 'OPENAI_API_KEY=sk-proj-placeholder\n');
      const { state, workspaceEnv, operations } = extension(catalog, dir);
      await assert.doesNotReject(new PanelStateBuilder(state, workspaceEnv, clock, () => ({ view: { connection: 'disconnected', passwordRemembered: false, profile: 'development' } })).build(), 'the settings panel can no longer be built (so the entry cannot be removed from it either)');
      assert.doesNotThrow(() => findProviderKeys(catalog, {}), 'Import Keys throws for every .env and for the environment');
      await assert.doesNotReject(operations.findImportable(path.join(dir, '.env')));
    });
  }
});

describe('attack: a custom provider envVar that is API_KEY_ENCRYPTION_KEY in another letter case', () => {
  // On Windows, process.env is case-insensitive: Import Keys would read VS Code's own API_KEY_ENCRYPTION_KEY as this
  // provider's key (findImportable reads this.env = process.env), and Verify would send it to the provider's baseUrl.
  for (const envVar of ['api_key_encryption_key', 'Openai_Api_Key']) {
    it(`refuses envVar ${envVar}`, () => {
      const { problems } = ProviderCatalog.lenient([{ id: 'groq', label: 'Groq', baseUrl: 'https://gw.example/v1', envVar }]);
      assert.equal(problems.length, 1, `${envVar} is accepted`);
    });
  }
});

describe('attack: secret lifetime', () => {
  it('Forget All leaves no vault passphrase or derived key in memory (nor in the redactor)', async () => {
    const catalog = new ProviderCatalog();
    const { vault, keyring, redactor, operations } = extension(catalog, undefined);
    await vault.store(catalog.require('openai'), 'sk-proj-' + 'Zq9'.repeat(12), catalog.all());
    const passphrase = (await vault.passphrases.current())!.value;
    await operations.forgetAll();
    assert.equal(await vault.passphrases.current(), undefined, 'positive control: storage is empty');
    assert.equal(keyring.size, 0, `the keyring still caches ${keyring.size} forgotten passphrase(s) and their Fernet keys`);
    assert.ok(redactor.redact(passphrase).includes(passphrase), 'the redactor still holds the forgotten passphrase (it is still in memory)');
  });
});

describe('attack: redaction patterns on URL-encoded and JSON-escaped forms', () => {
  // A key of no known shape (a custom provider's) that the redactor does not hold: only the patterns can catch it.
  const key = 'Zk3pQ8vN2mX7rT5wY1bC4dF6';
  const redactor = new Redactor();
  for (const text of [
    `Authorization%3A%20Bearer%20${key}`,
    `{\\"x-api-key\\":\\"${key}\\"}`,
    `GET /v1/models%3Fkey%3D${key}`,
    `"url":"https://gw/v1/models?a=1\\u0026key=${key}"`,
  ]) {
    it(`redacts ${JSON.stringify(text.replace(key, '<key>'))}`, () => {
      const out = redactor.redact(text);
      assert.ok(!out.includes(key), out);
    });
  }

  it('redacts a held passphrase JSON-escaped with \\/ (a valid JSON escape many encoders emit)', () => {
    const held = new Redactor();
    const passphrase = 'proj/ect+pass/phrase==0123456789abcdef';
    held.hold(passphrase, 'passphrase');
    const out = held.redact(`{"API_KEY_ENCRYPTION_KEY":"${passphrase.replace(/\//g, '\\/')}"}`);
    assert.ok(!out.includes('phrase==0123456789abcdef'), out);
  });
});

describe('attack: migration of a workspace passphrase the old version trimmed', () => {
  it('moves a key saved under a quoted .env value with spaces (the old version trimmed it)', async () => {
    const dir = tempDir();
    const value = 'Quoted-project-passphrase-0123456789abcdef';
    writeFileSync(path.join(dir, '.env'), `API_KEY_ENCRYPTION_KEY=" ${value} "\n`);
    const catalog = new ProviderCatalog();
    const { secrets, memento, vault, projects } = extension(catalog, dir);
    // Version 0.1 resolved the passphrase as `fromFile.value.trim()` (src/vscode/passphraseResolver.ts before ea4b235).
    secrets.map.set('crucibleKeys.default.xai', new Fernet(await deriveCrucibleFernetKey(value)).encrypt('xai-' + 'Q'.repeat(40)));
    memento.map.set('crucibleKeys.metadata', { xai: { addedAt: '2026-01-01T00:00:00Z', masked: 'xai-…QQQQ' } });
    const outcome = await migrateLegacyVault(vault, secrets, await projects.candidates(), new RedactingLogger({ write: () => undefined }, new Redactor()));
    assert.deepEqual(outcome.locked, [], 'the key stays locked although the current workspace\'s passphrase opens it');
  });
});
