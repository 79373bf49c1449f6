// Child-process probe for test/unit/attackHostile.unit.test.ts: builds what the extension builds for one workspace
// folder, with the real core and fakes for VS Code, and prints "done" when it finishes. Run in a child so that a
// read that never returns, or never stops allocating, cannot take the test runner down with it.
//   node --import tsx test/support/hostileFolderProbe.ts <panel-untrusted|maintain-trusted> <folder>
import * as path from 'node:path';
import { ProviderCatalog } from '../../src/core/catalog';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { Redactor, RedactingLogger } from '../../src/core/redact';
import { KeyVault } from '../../src/core/vault/keyVault';
import { VaultMaintenance } from '../../src/core/vault/maintenance';
import { VaultPassphrases } from '../../src/core/vault/passphrases';
import { ProjectPassphraseBackups } from '../../src/core/vault/projectBackups';
import { VaultRotation } from '../../src/core/vault/rotation';
import { ProjectPassphrases } from '../../src/vscode/encryption/projectPassphrases';
import type { WorkspaceEnv } from '../../src/vscode/env/workspaceEnv';
import { PanelStateBuilder } from '../../src/vscode/panel/panelState';
import { KeyState } from '../../src/vscode/state/keyState';
import { MemorySecrets, MemoryState } from './memoryStores';

const [mode, dir] = process.argv.slice(2);
const folder = { uri: { fsPath: dir, scheme: 'file' }, name: path.basename(dir), index: 0 };
const trusted = mode === 'maintain-trusted';
const workspaceEnv = {
  folders: () => [folder], folderAt: (fsPath: string) => (fsPath === dir ? folder : undefined),
  envPath: () => path.join(dir, '.env'), isTrusted: () => trusted,
} as unknown as WorkspaceEnv;
const redactor = new Redactor();
const logger = new RedactingLogger({ write: () => undefined }, redactor);
const clock = { now: () => Date.now() };
const secrets = new MemorySecrets();
const passphrases = new VaultPassphrases(secrets, clock, logger);
const keyring = new CrucibleKeyring(deriveCrucibleFernetKey, redactor);
const memento = new MemoryState();
const vault = new KeyVault(secrets, memento, passphrases, keyring, redactor, logger, clock);
const rotation = new VaultRotation(vault, keyring, clock, logger);
const maintenance = new VaultMaintenance(vault, rotation, secrets, memento, clock, logger);
const projects = new ProjectPassphrases(workspaceEnv, new ProjectPassphraseBackups(secrets, clock), {}, logger);
const state = new KeyState(new ProviderCatalog(), vault, projects, logger, clock, () => 90);

async function main(): Promise<void> {
  if (mode === 'panel-untrusted') {
    // What SettingsPanelHost.sendState does whenever the open panel needs a state.
    await new PanelStateBuilder(state, workspaceEnv, clock, () => ({ view: { connection: 'disconnected', passwordRemembered: false, profile: 'development' } })).build();
  } else {
    // A refresh (activation, any .env change), then a vault rotation the person asked for.
    void maintenance.run(() => projects.candidates());
    await maintenance.exclusive(() => rotation.rotate());
  }
  process.stdout.write('done\n');
  process.exit(0);
}
void main();
