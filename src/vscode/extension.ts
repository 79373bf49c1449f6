// The composition root: the log channel first, then every service by constructor injection; each disposable goes
// into context.subscriptions. Nothing slow runs here: no network, no PBKDF2, no undici.
import * as vscode from 'vscode';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../core/keyDerivation';
import { systemClock } from '../core/ports';
import { KeyVault } from '../core/vault/keyVault';
import { VaultMaintenance } from '../core/vault/maintenance';
import { SECRET_PREFIX } from '../core/vault/names';
import { VaultPassphrases } from '../core/vault/passphrases';
import { ProjectPassphraseBackups } from '../core/vault/projectBackups';
import { VaultRotation } from '../core/vault/rotation';
import { checkUrlFor, insecureOrigin } from '../core/verify/endpoints';
import { SecretClipboard } from './commands/clipboard';
import { Commands } from './commands/commands';
import { EncryptionCommands } from './commands/encryptionCommands';
import { EnvCommands } from './commands/envCommands';
import { KeyCommands } from './commands/keyCommands';
import { ProfileCommands } from './commands/profileCommands';
import { Pickers } from './commands/pickers';
import { Profiles } from './profiles/profiles';
import { KeyReplacement } from './replacement/replaceKey';
import { RotationReminders } from './replacement/reminders';
import { TerminalKeys } from './terminals/terminalKeys';
import { LeakScanner } from './scan/leakScanner';
import { CrucibleCommands } from './crucible/crucibleCommands';
import { CrucibleRotation } from './crucible/crucibleRotation';
import { CrucibleSession } from './crucible/crucibleSession';
import { CrucibleTreeProvider } from './crucible/crucibleTree';
import { Diagnose } from './diagnose/diagnose';
import { RecentErrors } from './diagnose/recentErrors';
import type { ProviderInfo } from '../core/catalog';
import { ProjectPassphrases } from './encryption/projectPassphrases';
import { EnvWriter } from './env/envWriter';
import { WorkspaceEnv } from './env/workspaceEnv';
import { reportError } from './errors';
import { createLogging } from './logging';
import { KeyOperations } from './operations/keyOperations';
import { PanelStateBuilder } from './panel/panelState';
import { SettingsPanelHost } from './panel/settingsPanel';
import { secretStoreFrom } from './secretStore';
import { Settings } from './settings';
import { KeyState } from './state/keyState';
import { createTestApi, type CrucibleKeysTestApi } from './testing/testApi';
import { PrompterSlot, VsCodePrompter } from './ui/prompter';
import { VerificationService } from './verify/verificationService';
import { KeyStatusBar } from './views/statusBar';
import { ProviderTreeProvider } from './views/providerTree';

/** True only in the test build (esbuild --define); the published bundle is built with false and drops the test API. */
declare const CRUCIBLE_KEYS_TEST_API: boolean;

/** Nothing is offered to other extensions; a test build adds `testing`. */
export interface CrucibleKeysApi {
  testing?: CrucibleKeysTestApi;
}

export function activate(context: vscode.ExtensionContext): CrucibleKeysApi {
  const { channel, redactor, logger } = createLogging();
  context.subscriptions.push(channel);
  logger.info('activating Crucible Keys %s', context.extension.packageJSON.version);

  const settings = new Settings(logger);
  const secrets = secretStoreFrom(context.secrets);
  const keyring = new CrucibleKeyring(deriveCrucibleFernetKey, redactor);
  const passphrases = new VaultPassphrases(secrets, systemClock, logger);
  const profiles = new Profiles(context.workspaceState, logger);
  const vault = new KeyVault(secrets, context.globalState, passphrases, keyring, redactor, logger, systemClock, () => profiles.active());
  const rotation = new VaultRotation(vault, keyring, systemClock, logger);
  const maintenance = new VaultMaintenance(vault, rotation, secrets, context.globalState, systemClock, logger);
  const workspaceEnv = new WorkspaceEnv(profiles);
  const projects = new ProjectPassphrases(workspaceEnv, new ProjectPassphraseBackups(secrets, systemClock), process.env, logger);
  const state = new KeyState(settings.catalog(), vault, projects, logger, systemClock, () => settings.rotationReminderDays(),
    (provider) => insecureOrigin(checkUrlFor(provider, settings.baseUrls())), () => profiles.names());
  const recentErrors = new RecentErrors(redactor);
  const verification = new VerificationService(settings, logger, redactor, (result) => recentErrors.record(result));
  const operations = new KeyOperations(vault, maintenance, rotation, projects, state, verification, logger, process.env);
  const prompter = new PrompterSlot(new VsCodePrompter());
  const clipboard = new SecretClipboard();
  const pickers = new Pickers(prompter, state, workspaceEnv);
  const writer = new EnvWriter(prompter, workspaceEnv, logger);
  const tree = new ProviderTreeProvider(state, systemClock);
  const treeView = vscode.window.createTreeView('crucibleKeys.providers', { treeDataProvider: tree, showCollapseAll: false });
  // The active profile, in the view's title and description.
  const showProfile = () => {
    const profile = state.snapshot().profile;
    treeView.title = `Providers (${profile})`;
    treeView.description = `${profile} keys`;
  };
  showProfile();
  const profileShown = state.onDidChange(showProfile);
  const statusBar = new KeyStatusBar(state);
  const panelState = new PanelStateBuilder(state, workspaceEnv, systemClock, () => ({ view: crucible.view(), rotation: crucibleRotation.pending() }));
  const replacement: KeyReplacement = new KeyReplacement(operations, prompter, pickers, writer, workspaceEnv, (provider): Promise<void> => reminders.replaced(profiles.active(), provider));
  const reminders: RotationReminders = new RotationReminders(context.globalState, state, prompter, systemClock, () => settings.rotationReminderDays(), (provider): Promise<unknown> => replacement.replaceKey(provider), logger);
  const terminals = new TerminalKeys(context.environmentVariableCollection, vault, state, () => settings.injectIntoTerminals(), () => vscode.workspace.isTrusted, logger);
  const crucible = new CrucibleSession(settings, vault, workspaceEnv, prompter, redactor, logger, () => profiles.active());
  const crucibleRotation = new CrucibleRotation(crucible, context.globalState, prompter, pickers, workspaceEnv, writer, projects, logger);
  const crucibleTree = new CrucibleTreeProvider(crucible, () => crucibleRotation.pending());
  const crucibleView = vscode.window.createTreeView('crucibleKeys.crucible', { treeDataProvider: crucibleTree });
  // Crucible is read when its view is first shown (with a password at hand, asking nothing), then only on request.
  let crucibleTried = false;
  const connectCrucibleQuietly = () => {
    if (crucibleTried || !crucibleView.visible) return;
    crucibleTried = true;
    void crucible.connect(false).catch((error) => logger.warn('connecting to Crucible: %s', String(error)));
  };
  const reported: string[] = [];
  const commands = new Commands(
    new KeyCommands(operations, state, prompter, pickers, workspaceEnv, clipboard),
    new EnvCommands(operations, state, prompter, pickers, writer, projects),
    new EncryptionCommands(operations, prompter, pickers, workspaceEnv, writer, projects, clipboard),
    new ProfileCommands(profiles, state, prompter),
    replacement,
    { commands: new CrucibleCommands(crucible, prompter), rotation: crucibleRotation },
    () => diagnose.run(),
    operations, logger, redactor, channel, () => panel.show(),
    CRUCIBLE_KEYS_TEST_API ? (sentence) => { reported.push(sentence); reported.splice(0, reported.length - 50); } : undefined,
  );
  const diagnose: Diagnose = new Diagnose(context.extensionUri, state, vault, verification, recentErrors, workspaceEnv, pickers, prompter, writer, operations, () => commands, channel, logger);
  const leaks = new LeakScanner({
    // Every profile's keys, compared in memory: a production key in a tracked file is the worst leak of all.
    storedKeys: async () => {
      const found: { provider: ProviderInfo; key: string }[] = [];
      for (const reads of (await vault.readEveryProfile()).values()) {
        for (const [id, read] of reads) {
          const provider = state.providers.get(id);
          if (provider && read.state === 'ok') found.push({ provider, key: read.key });
        }
      }
      return found;
    },
    gitAllowed: () => workspaceEnv.isTrusted(), logger, providers: () => state.providers.all(),
    envFile: (folder) => workspaceEnv.envPath(folder), reportError: (error) => reportError(error, 'scan for leaks', logger, redactor, channel),
  });
  const panel = new SettingsPanelHost(context.extensionUri, state, panelState, operations, commands, prompter, settings, profiles, workspaceEnv, logger, redactor, crucible.onDidChange);

  const refresh = () => operations.maintain().catch((error) => reportError(error, 'refresh', logger, redactor, channel));
  // One debounced refresh for every outside change: a rotation rewrites every secret, an editor may save twice.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = (projectsChanged: boolean) => {
    if (projectsChanged) panelState.invalidateProjects();
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(), 150);
  };
  // A .env (a project's passphrase may live there) or a .gitignore (the panel's git safety) changed on disk.
  const envWatcher = vscode.workspace.createFileSystemWatcher('**/{.env,.env.*,*.env,.gitignore}');
  const onEnvChange = () => scheduleRefresh(true);
  context.subscriptions.push(
    diagnose, crucible, crucibleTree, crucibleView, crucibleView.onDidChangeVisibility(connectCrucibleQuietly),
    // The vault's keys or the profile changed: compare again with what Crucible held at the last read (no request).
    state.onDidChange(() => crucible.scheduleRecompare()),
    tree, treeView, statusBar, verification, panel, envWatcher, clipboard, profiles, profileShown, reminders, terminals,
    // Terminals follow the keys, the profile and the setting (debounced like every refresh).
    state.onDidChange(() => void terminals.update()),
    profiles.onDidChange(() => scheduleRefresh(true)),
    envWatcher.onDidChange(onEnvChange), envWatcher.onDidCreate(onEnvChange), envWatcher.onDidDelete(onEnvChange),
    { dispose: () => refreshTimer && clearTimeout(refreshTimer) }, { dispose: () => { vault.dispose(); keyring.clear(); } },
    ...commands.register(),
    ...leaks.register(),
    // Another window changed a key or the vault passphrase: re-read (and finish what it left), so every window agrees.
    context.secrets.onDidChange((event) => { if (event.key.startsWith(SECRET_PREFIX)) scheduleRefresh(false); }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => scheduleRefresh(true)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => scheduleRefresh(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('crucibleKeys.customProviders')) state.setCatalog(settings.catalog());
      if (event.affectsConfiguration('crucibleKeys.baseUrls') || event.affectsConfiguration('crucibleKeys.requestTimeoutMs') || event.affectsConfiguration('http.proxy') || event.affectsConfiguration('http.noProxy') || event.affectsConfiguration('http.proxyStrictSSL')) void verification.reset();
      if (event.affectsConfiguration('crucibleKeys.injectIntoTerminals')) void terminals.update();
      if (event.affectsConfiguration('crucibleKeys.crucible.apiUrl') || event.affectsConfiguration('http.proxy') || event.affectsConfiguration('crucibleKeys.requestTimeoutMs')) {
        void crucible.reset().then(() => { crucibleTried = false; connectCrucibleQuietly(); });
      }
      if (event.affectsConfiguration('crucibleKeys')) scheduleRefresh(true);
    }),
  );

  // Migration, the decryption check (PBKDF2) and any startup verification run after activation has returned.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(refresh).then(async () => {
    connectCrucibleQuietly();
    reminders.start();
    void reminders.check().catch((error) => reportError(error, 'reminder', logger, redactor, channel));
    if (!settings.verifyOnStartup() || state.snapshot().setCount === 0) return;
    const { results, locked } = await operations.verifyAll(undefined);
    logger.info('startup verification: %s', results.map((result) => `${result.provider}=${result.verdict}`).join(', ') + (locked.length ? `; locked: ${locked.join(', ')}` : ''));
  }).catch((error) => reportError(error, 'startup', logger, redactor, channel));

  if (CRUCIBLE_KEYS_TEST_API) {
    return { testing: createTestApi(prompter, secrets, () => state.snapshot(), () => ready.then(() => operations.maintain()), {
      checkReminders: (now) => reminders.check(now),
      terminals: async () => {
        await terminals.update();
        const variables: Record<string, string> = {};
        context.environmentVariableCollection.forEach((name, mutator) => { variables[name] = mutator.value; });
        return { persistent: context.environmentVariableCollection.persistent, description: String(context.environmentVariableCollection.description ?? ''), variables };
      },
      crucible: () => ({ view: crucible.view(), rotationStep: crucibleRotation.pending()?.step }),
      diagnoseReport: () => diagnose.report,
      reportedErrors: () => [...reported],
    }) };
  }
  return {};
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
