// "Diagnose": builds the troubleshooting report for one workspace folder from the active profile's keys, the live
// check, recent errors, the folder's .env and its compose files, shows it, and runs a check's fix through the
// extension's own commands, each of which asks before it changes anything.
import * as vscode from 'vscode';
import type { ProviderInfo } from '../../core/catalog';
import { buildDiagnoseReport } from '../../core/diagnose/report';
import type { DiagnoseFix, DiagnoseReport } from '../../core/diagnose/types';
import { OperationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { KeyVault } from '../../core/vault/keyVault';
import type { Commands } from '../commands/commands';
import type { Pickers } from '../commands/pickers';
import type { EnvWriter } from '../env/envWriter';
import { fixGitSafety } from '../env/gitFix';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { KeyOperations } from '../operations/keyOperations';
import type { KeyState } from '../state/keyState';
import type { Prompter } from '../ui/prompter';
import type { VerificationService } from '../verify/verificationService';
import { DiagnoseView } from './diagnoseView';
import type { RecentErrors } from './recentErrors';

export class Diagnose implements vscode.Disposable {
  private readonly view: DiagnoseView;
  private folder?: string;

  constructor(
    extensionUri: vscode.Uri,
    private readonly state: KeyState,
    private readonly vault: KeyVault,
    private readonly verification: VerificationService,
    private readonly recentErrors: RecentErrors,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly pickers: Pickers,
    private readonly prompter: Prompter,
    private readonly writer: EnvWriter,
    private readonly operations: KeyOperations,
    private readonly commands: () => Commands,
    private readonly channel: vscode.LogOutputChannel,
    logger: Logger,
  ) {
    this.view = new DiagnoseView(extensionUri, (fix) => this.fix(fix), () => this.build(this.folder), logger);
  }

  /** The report on screen, if any (for tests and for the panel's own re-run). */
  get report(): DiagnoseReport | undefined {
    return this.view.report;
  }

  /** Picks a folder (when there are several), builds the report and shows it. */
  async run(): Promise<DiagnoseReport | undefined> {
    let folder: string | undefined;
    if (this.workspaceEnv.folders().length > 0) {
      const picked = await this.pickers.folder('Diagnose');
      if (!picked) return undefined;
      folder = picked.uri.fsPath;
    }
    this.folder = folder;
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Diagnosing Crucible\'s keys…' }, () => this.build(folder));
    this.view.show(report);
    return report;
  }

  private async build(folder: string | undefined): Promise<DiagnoseReport> {
    const workspaceFolder = folder ? this.workspaceEnv.folderAt(folder) : undefined;
    if (folder && !workspaceFolder) throw new OperationError('That folder is no longer open.');
    const storedKeys = new Map<string, string>();
    for (const [id, read] of await this.vault.readAll()) if (read.state === 'ok') storedKeys.set(id, read.key);
    return buildDiagnoseReport({
      catalog: this.state.providers,
      folder,
      envFile: workspaceFolder ? this.workspaceEnv.envPath(workspaceFolder) : undefined,
      environment: process.env,
      storedKeys,
      verify: (provider: ProviderInfo, key: string) => this.verification.verify(provider, key),
      gitAllowed: this.workspaceEnv.isTrusted(),
      recentErrors: (provider) => this.recentErrors.of(provider),
      logLocation: 'the "Crucible Keys" output channel (Crucible Keys: Show Logs)',
    });
  }

  /** Runs a fix through the command that does the same from the tree or the panel; returns a sentence for the report. */
  private async fix(fix: DiagnoseFix): Promise<string | undefined> {
    const commands = this.commands();
    switch (fix.kind) {
      case 'enterKey':
        return (await commands.keys.addKey(fix.provider)) ? 'Saved.' : undefined;
      case 'reverify':
        return (await this.operations.verifyKey(fix.provider)).message;
      case 'openStatusPage':
      case 'openKeyPage':
        await commands.keys.openPage(fix.provider, fix.kind === 'openKeyPage' ? 'key' : 'status');
        return undefined;
      case 'showLogs':
        this.channel.show(true);
        return undefined;
      case 'ignoreEnv':
        return fixGitSafety(fix.envFile, this.prompter, this.workspaceEnv.isTrusted());
      case 'generatePassphrase':
        return (await commands.encryption.generateProjectPassphrase(fix.folder)) ? 'Wrote a new API_KEY_ENCRYPTION_KEY.' : undefined;
      case 'rotatePassphrase':
        return (await commands.encryption.rotateProjectPassphrase(fix.folder)) ? 'Rotated API_KEY_ENCRYPTION_KEY; restart Crucible and re-enter the keys it stores (Crucible Keys can do both: "Rotate Crucible\'s Encryption Key").' : undefined;
      case 'copyKeyToEnv': {
        const outcome = await commands.env.copyToEnv([fix.provider]);
        return outcome.status === 'written' ? `Wrote ${[...(outcome.added ?? []), ...(outcome.updated ?? [])].join(', ')}.` : undefined;
      }
      case 'updateAlias': {
        const folder = this.workspaceEnv.folderAt(fix.folder);
        if (!folder) throw new OperationError('That folder is no longer open.');
        const provider = this.operations.provider(fix.provider);
        if (!provider.readVars.includes(fix.variable)) throw new OperationError(`${fix.variable} is not a variable Crucible reads for ${provider.label}.`);
        const key = await this.operations.readKey(fix.provider);
        const written = await this.writer.write(this.workspaceEnv.envPath(folder), { [fix.variable]: key }, [fix.variable], `Crucible reads ${fix.variable} for ${provider.label}; it gets the stored key.`);
        return written ? `Wrote ${fix.variable}.` : undefined;
      }
      case 'openFile': {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(fix.file));
        const line = Math.max(0, Math.min((fix.line ?? 1) - 1, document.lineCount - 1));
        await vscode.window.showTextDocument(document, { selection: new vscode.Range(line, 0, line, 0), preview: false });
        return undefined;
      }
    }
  }

  dispose(): void {
    this.view.dispose();
  }
}
