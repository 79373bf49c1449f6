// The "API Keys" settings panel host: a singleton webview with a strict CSP that renders KeyState and sends every
// action through the same operations and commands as the tree. Validates every incoming message.
import * as vscode from 'vscode';
import { customProvider } from '../../core/catalog';
import { OperationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { Redactor } from '../../core/redact';
import type { CrucibleAction, HostMessage, WebviewMessage, WebviewRequest } from '../../shared/protocol';
import { validateWebviewMessage } from '../../shared/protocol';
import type { Commands } from '../commands/commands';
import { fixGitSafety } from '../env/gitFix';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import { explain } from '../errors';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import type { KeyOperations } from '../operations/keyOperations';
import type { Profiles } from '../profiles/profiles';
import type { Settings } from '../settings';
import type { KeyState } from '../state/keyState';
import type { Prompter } from '../ui/prompter';
import type { PanelStateBuilder } from './panelState';

export const PANEL_VIEW_TYPE = 'crucibleKeys.settings';
const STATE_DEBOUNCE_MS = 50;

export class SettingsPanelHost implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: KeyState,
    private readonly builder: PanelStateBuilder,
    private readonly operations: KeyOperations,
    private readonly commands: Commands,
    private readonly prompter: Prompter,
    private readonly settings: Settings,
    private readonly profiles: Profiles,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    crucibleChanged: vscode.Event<void>,
  ) {
    const subscription = state.onDidChange(() => this.scheduleState());
    this.disposables.push({ dispose: () => subscription.dispose() }, crucibleChanged(() => this.scheduleState()));
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => this.adopt(panel),
    }));
  }

  /** Opens the panel, or reveals it when it is already open. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Crucible Keys', vscode.ViewColumn.Active, this.options()));
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return webviewOptions(this.extensionUri);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'key.svg');
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    const receive = panel.webview.onDidReceiveMessage((raw) => void this.receive(raw));
    const visible = panel.onDidChangeViewState(() => {
      if (!panel.visible) return;
      this.builder.invalidateProjects(); // git's index may have changed while the panel was hidden
      this.scheduleState();
    });
    panel.onDidDispose(() => {
      receive.dispose();
      visible.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, { title: 'Crucible Keys', script: 'webview.js' });
  }

  private scheduleState(): void {
    if (!this.panel || !this.ready) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.sendState(); }, STATE_DEBOUNCE_MS);
  }

  private async sendState(): Promise<void> {
    const panel = this.panel;
    if (!panel || !this.ready) return;
    try {
      await this.post({ type: 'state', state: await this.builder.build() });
    } catch (error) {
      this.logger.error('could not build the panel state: %s', (error as Error).message);
    }
  }

  private post(message: HostMessage): Thenable<boolean> | undefined {
    return this.panel?.webview.postMessage(message);
  }

  private known() {
    return {
      providers: new Set(this.state.providers.all().map((provider) => provider.id)),
      folders: new Set(this.workspaceEnv.folders().map((folder) => folder.uri.fsPath)),
      customIds: new Set(this.settings.customProviders().map((entry) => entry.id)),
      profiles: new Set(this.state.snapshot().profiles),
    };
  }

  /** Entry point for every message: validated first; anything off is logged at warn level and ignored. */
  async receive(raw: unknown): Promise<void> {
    const checked = validateWebviewMessage(raw, this.known());
    if (!checked.ok) {
      this.logger.warn('ignored a webview message: %s', checked.reason);
      return;
    }
    const message = checked.message;
    if (message.type === 'ready') {
      this.ready = true;
      await this.sendState();
      return;
    }
    if (!this.ready) {
      this.logger.warn('ignored a webview message before ready: %s', message.type);
      return;
    }
    if (!('requestId' in message)) {
      await this.notify(message);
      return;
    }
    try {
      const text = await this.handle(message);
      await this.post({ type: 'response', requestId: message.requestId, ok: true, message: text });
    } catch (error) {
      this.logger.warn('panel request %s failed: %s', message.type, error instanceof Error ? error.message : String(error));
      await this.post({ type: 'response', requestId: message.requestId, ok: false, message: explain(error, this.redactor) });
    } finally {
      this.scheduleState();
    }
  }

  private async notify(message: Exclude<WebviewMessage, WebviewRequest | { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'openPage':
        await vscode.commands.executeCommand(message.page === 'key' ? 'crucibleKeys.openKeyPage' : 'crucibleKeys.openStatusPage', message.provider);
        return;
      case 'showLogs':
        await vscode.commands.executeCommand('crucibleKeys.showLogs');
        return;
      default:
        return assertNever(message);
    }
  }

  /** Runs one request; returns a sentence for the panel's status line. */
  private async handle(message: WebviewRequest): Promise<string | undefined> {
    switch (message.type) {
      case 'saveKey': {
        const saved = await this.operations.saveKey(message.provider, message.key);
        const label = this.operations.provider(message.provider).label;
        if (!message.verify) return `Saved the ${label} key ${saved.masked}.${saved.warnings.length ? ` ${saved.warnings[0]}` : ''}`;
        const result = await this.operations.verifyKey(message.provider);
        return `Saved and checked the ${label} key: ${result.message}`;
      }
      case 'verifyKey':
        return (await this.operations.verifyKey(message.provider)).message;
      case 'removeKey':
        return (await this.commands.keys.removeKey(message.provider)) ? 'Removed.' : undefined;
      case 'verifyAll':
        await this.commands.keys.verifyAll();
        return undefined;
      case 'copyToEnv': {
        const outcome = await this.commands.env.copyToEnv(message.provider ? [message.provider] : []);
        return outcome.status === 'written' ? `Wrote ${[...(outcome.added ?? []), ...(outcome.updated ?? [])].join(', ')}.` : outcome.status === 'unchanged' ? 'Already up to date.' : undefined;
      }
      case 'switchProfile':
        await this.profiles.switchTo(message.profile);
        await this.state.refresh();
        return `Now using the ${message.profile} profile.`;
      case 'rotateVault':
        await this.commands.encryption.rotateVault();
        return undefined;
      case 'unlock':
        await this.commands.encryption.unlock();
        return undefined;
      case 'fixGitSafety': {
        const folder = this.workspaceEnv.folderAt(message.folder);
        if (!folder) throw new OperationError('That folder is no longer open.');
        const done = await fixGitSafety(this.workspaceEnv.envPath(folder), this.prompter, this.workspaceEnv.isTrusted());
        this.builder.invalidateProjects();
        return done;
      }
      case 'generateProjectKey':
        return (await this.commands.encryption.generateProjectPassphrase(message.folder)) ? 'Wrote a new API_KEY_ENCRYPTION_KEY.' : undefined;
      case 'rotateProjectKey':
        return (await this.commands.encryption.rotateProjectPassphrase(message.folder)) ? 'Rotated API_KEY_ENCRYPTION_KEY.' : undefined;
      case 'restoreProjectKey':
        return (await this.commands.encryption.restoreProjectPassphrase(message.folder)) ? 'Restored API_KEY_ENCRYPTION_KEY.' : undefined;
      case 'adoptProjectKey':
        return (await this.commands.encryption.adoptProjectPassphrase(message.folder)) ? 'The vault now uses this project\'s passphrase.' : undefined;
      case 'vaultKeyToProject':
        return (await this.commands.encryption.writeVaultPassphraseToProject(message.folder)) ? 'Wrote the vault passphrase to the project.' : undefined;
      case 'saveCustomProvider': {
        const entry = { ...message.provider, prefix: message.provider.prefix?.trim() || undefined };
        customProvider(entry);
        const others = this.settings.customProviders().filter((existing) => existing.id !== (message.replaces ?? entry.id));
        if (others.some((existing) => existing.id === entry.id) || this.state.providers.get(entry.id)) throw new OperationError(`The id "${entry.id}" is already used.`);
        await vscode.workspace.getConfiguration('crucibleKeys').update('customProviders', [...others, entry], vscode.ConfigurationTarget.Global);
        return `Saved the custom provider ${entry.label}.`;
      }
      case 'removeCustomProvider': {
        const remaining = this.settings.customProviders().filter((existing) => existing.id !== message.id);
        await vscode.workspace.getConfiguration('crucibleKeys').update('customProviders', remaining, vscode.ConfigurationTarget.Global);
        return 'Removed the custom provider (its stored key, if any, stays until you remove it).';
      }
      case 'crucible':
        return this.crucible(message.action, message.provider);
      default:
        return assertNever(message);
    }
  }

  /** The Crucible section's buttons run the same commands as the tree, with the same questions. */
  private async crucible(action: CrucibleAction, provider: string | undefined): Promise<string | undefined> {
    const { commands, rotation } = this.commands.crucible;
    switch (action) {
      case 'connect':
        return (await commands.connect()) ? 'Connected to Crucible.' : undefined;
      case 'refresh':
        await commands.refresh();
        return 'Read what Crucible holds.';
      case 'push':
        return outcomeText(await commands.push(provider));
      case 'remove':
        return outcomeText(await commands.remove(provider));
      case 'reenter':
        return outcomeText(await commands.reenter());
      case 'rotate': {
        const result = await rotation.rotate();
        return result ? (result.done ? 'Crucible\'s encryption key was rotated.' : 'The rotation stopped; run it again to resume.') : undefined;
      }
      default:
        return assertNever(action);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function outcomeText(outcome: { confirmed: boolean } | undefined): string | undefined {
  if (!outcome) return undefined;
  return outcome.confirmed ? 'Done; Crucible\'s masks confirm it.' : 'Sent, but Crucible\'s masks do not confirm every change; see the Crucible section.';
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
