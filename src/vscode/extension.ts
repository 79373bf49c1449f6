// The composition root: the log channel first, then every service by constructor injection; each disposable
// goes into context.subscriptions. Nothing slow runs here: no network, no PBKDF2, no undici.
import * as vscode from 'vscode';
import { looksLikeFernetToken } from '../core/fernet';
import { CrucibleKeyring } from '../core/keyDerivation';
import { systemClock } from '../core/ports';
import { Commands } from './commands';
import { reportError } from './errors';
import { KeyState } from './keyState';
import { createLogging } from './logging';
import { KeyOperations } from './operations';
import { PanelStateBuilder } from './panelState';
import { PassphraseResolver, PREVIOUS_PASSPHRASE, STORED_PASSPHRASE } from './passphraseResolver';
import { ProviderTreeProvider } from './providerTree';
import { secretStoreFrom } from './secretStore';
import { Settings } from './settings';
import { SettingsPanelHost } from './settingsPanel';
import { KeyStatusBar } from './statusBar';
import { KeyVault } from './vault';
import { VerificationService } from './verification';
import { WorkspaceEnv } from './workspaceEnv';

/** What other extensions (and the integration tests) may ask: entry names and their kind, never a value. */
export interface CrucibleKeysApi {
  inspectSecretStorage(): Promise<{ name: string; kind: 'fernet-token' | 'passphrase' | 'other' }[]>;
  refreshed(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): CrucibleKeysApi {
  const { channel, redactor, logger } = createLogging();
  context.subscriptions.push(channel);
  logger.info('activating Crucible Keys %s', context.extension.packageJSON.version);

  const settings = new Settings(logger);
  const secrets = secretStoreFrom(context.secrets);
  const keyring = new CrucibleKeyring();
  const vault = new KeyVault(secrets, context.globalState, keyring, redactor, logger, systemClock);
  const workspaceEnv = new WorkspaceEnv(settings, logger);
  const resolver = new PassphraseResolver(secrets, { env: process.env, readWorkspaceEnv: () => workspaceEnv.readPassphrase(), isTrusted: () => vscode.workspace.isTrusted });
  const state = new KeyState(settings.catalog(), vault, resolver, logger, systemClock, () => settings.rotationReminderDays());
  const verification = new VerificationService(settings, logger, redactor);
  const operations = new KeyOperations(vault, state, resolver, verification, logger, process.env);
  const tree = new ProviderTreeProvider(state, systemClock);
  const treeView = vscode.window.createTreeView('crucibleKeys.providers', { treeDataProvider: tree, showCollapseAll: false });
  const statusBar = new KeyStatusBar(state);
  const panelState = new PanelStateBuilder(state, workspaceEnv, settings, systemClock);
  const panel = new SettingsPanelHost(context.extensionUri, state, panelState, operations, settings, workspaceEnv, logger, redactor);
  const commands = new Commands(operations, state, workspaceEnv, logger, redactor, channel, () => panel.show());

  const refresh = () => state.refresh().catch((error) => reportError(error, 'refresh', logger, redactor, channel));
  // One debounced refresh for every outside change: a rotation rewrites every secret, an editor may save twice.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = (projectsChanged: boolean) => {
    if (projectsChanged) panelState.invalidateProjects();
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(), 150);
  };
  // A .env (the passphrase may live there) or a .gitignore (the panel's git safety) changed on disk.
  const envWatcher = vscode.workspace.createFileSystemWatcher('**/{.env,.env.*,*.env,.gitignore}');
  const onEnvChange = () => scheduleRefresh(true);
  context.subscriptions.push(
    tree, treeView, statusBar, verification, panel, envWatcher,
    envWatcher.onDidChange(onEnvChange), envWatcher.onDidCreate(onEnvChange), envWatcher.onDidDelete(onEnvChange),
    { dispose: () => refreshTimer && clearTimeout(refreshTimer) }, { dispose: () => { vault.dispose(); keyring.clear(); } },
    ...commands.register(),
    // Another window changed a key: re-read, so every window shows the same thing.
    context.secrets.onDidChange((event) => { if (event.key.startsWith('crucibleKeys.')) scheduleRefresh(false); }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => scheduleRefresh(false)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => scheduleRefresh(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('crucibleKeys.customProviders')) state.setCatalog(settings.catalog());
      if (event.affectsConfiguration('crucibleKeys.baseUrls') || event.affectsConfiguration('crucibleKeys.requestTimeoutMs') || event.affectsConfiguration('http.proxy') || event.affectsConfiguration('http.proxyStrictSSL')) void verification.reset();
      if (event.affectsConfiguration('crucibleKeys')) scheduleRefresh(true);
    }),
  );

  // The decryption check (PBKDF2) and any startup verification run after activation has returned.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(refresh).then(async () => {
    if (!settings.verifyOnStartup() || state.snapshot().setCount === 0) return;
    const { results, locked } = await operations.verifyAll(undefined);
    logger.info('startup verification: %s', results.map((result) => `${result.provider}=${result.verdict}`).join(', ') + (locked.length ? `; locked: ${locked.join(', ')}` : ''));
  }).catch((error) => reportError(error, 'startup', logger, redactor, channel));

  return {
    async inspectSecretStorage() {
      const names = new Set<string>([STORED_PASSPHRASE, PREVIOUS_PASSPHRASE, ...state.providers.all().map((provider) => vault.secretName(provider.id))]);
      if (secrets.keys) for (const name of await secrets.keys()) names.add(name);
      const entries: { name: string; kind: 'fernet-token' | 'passphrase' | 'other' }[] = [];
      for (const name of names) {
        const value = await secrets.get(name);
        if (value === undefined) continue;
        entries.push({ name, kind: name === STORED_PASSPHRASE || name === PREVIOUS_PASSPHRASE ? 'passphrase' : looksLikeFernetToken(value) ? 'fernet-token' : 'other' });
      }
      return entries;
    },
    refreshed: () => ready.then(() => state.refresh()),
  };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
