// The guided "Rotate Crucible's encryption key" flow in the editor: the core's resumable RotationFlow, with the new
// API_KEY_ENCRYPTION_KEY written through the reviewed .env writer (its old value kept on a dated comment line and in
// the project's backups), the restart offered in a terminal when docker is on the PATH, and each step reported.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readableProviders } from '../../core/crucible/compare';
import type { EncryptionKeyFile } from '../../core/crucible/encryptionKeyFile';
import { withBackupLine } from '../../core/crucible/encryptionKeyFile';
import { RESTART_COMMAND, ROTATION_STEPS, type RotationResult, RotationFlow, type RotationState } from '../../core/crucible/rotationFlow';
import { readEnvFile } from '../../core/envFile';
import { OperationError } from '../../core/errors';
import { ENCRYPTION_KEY_VAR } from '../../core/passphrase';
import type { KeyValueStore, Logger } from '../../core/ports';
import type { Pickers } from '../commands/pickers';
import type { ProjectPassphrases } from '../encryption/projectPassphrases';
import type { EnvWriter } from '../env/envWriter';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { Prompter } from '../ui/prompter';
import type { CrucibleSession } from './crucibleSession';

const STEP_NAMES = ['write a new key to .env', 'restart Crucible', 'wait for Crucible', 're-enter the keys', 'confirm every key'];
const RUN_IN_TERMINAL = 'Run in Terminal';
const RESTARTED = 'It Has Restarted';
/** How long to wait for a new terminal's shell integration before typing the command into it instead. */
const SHELL_INTEGRATION_WAIT_MS = 5_000;

export class CrucibleRotation {
  constructor(
    private readonly session: CrucibleSession,
    private readonly store: KeyValueStore,
    private readonly prompter: Prompter,
    private readonly pickers: Pickers,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly writer: EnvWriter,
    private readonly projects: ProjectPassphrases,
    private readonly logger: Logger,
  ) {}

  /** The unfinished rotation, if any (for the tree and the panel). */
  pending(): RotationState | undefined {
    return this.flow('').pending();
  }

  /** Starts a rotation, or resumes (or abandons) an unfinished one. */
  async rotate(): Promise<RotationResult | undefined> {
    if (!this.workspaceEnv.isTrusted()) throw new OperationError(`Rotating Crucible's encryption key writes its .env and restarts it; trust this workspace first.`);
    const pending = this.pending();
    if (pending) return this.resumeOrAbandon(pending);
    const folder = await this.pickers.folder('Rotate Crucible\'s Encryption Key');
    if (!folder) return undefined;
    const file = this.workspaceEnv.envPath(folder);
    await this.session.ensureConnected();
    await this.session.refresh(true);
    const view = this.session.view();
    const comparison = view.comparison!;
    const held = comparison.providers.filter((entry) => entry.storedUnder.length > 0);
    const lost = held.filter((entry) => !entry.inVault).map((entry) => entry.provider);
    const answer = await this.prompter.confirm('crucibleRotate', `Rotate Crucible's ${ENCRYPTION_KEY_VAR} in ${path.basename(file)}?`, {
      detail: [
        `1. A new key is written to ${file}; the old one stays on a dated comment line and in Crucible Keys' backups.`,
        `2. Crucible's API and worker are restarted (${RESTART_COMMAND}).`,
        '3. Crucible Keys waits for Crucible to answer again.',
        `4. It logs in and re-enters, from the ${view.profile} profile, the keys Crucible can no longer read.`,
        '5. It checks every key Crucible holds against its mask.',
        lost.length ? `Crucible also holds ${lost.join(', ')}, which the ${view.profile} profile does not have: ${lost.length === 1 ? 'that key stays' : 'those keys stay'} unreadable until you enter ${lost.length === 1 ? 'it' : 'them'} again.` : '',
        'If anything stops the flow, run this command again to resume from the step where it stopped.',
      ].filter(Boolean).join('\n'),
      actions: ['Rotate'],
    });
    if (answer !== 'Rotate') return undefined;
    const flow = this.flow(file);
    await flow.start(view.apiUrl!, readableProviders(comparison));
    return this.run(flow);
  }

  private async resumeOrAbandon(pending: RotationState): Promise<RotationResult | undefined> {
    const number = ROTATION_STEPS.indexOf(pending.step) + 1;
    const choice = await this.prompter.pickOne('crucibleRotationResume', [
      { label: `Resume from step ${number}: ${STEP_NAMES[number - 1]}`, value: 'resume', detail: `Started ${pending.startedAt.slice(0, 10)} for ${pending.envFile}` },
      { label: 'Abandon it', value: 'abandon', detail: 'What the finished steps did stays done; nothing is undone.' },
    ], { title: 'An unfinished rotation of Crucible\'s encryption key' });
    if (choice === 'abandon') {
      await this.flow(pending.envFile).abandon();
      void vscode.window.showInformationMessage('Abandoned the unfinished rotation of Crucible\'s encryption key.');
      return undefined;
    }
    if (choice !== 'resume') return undefined;
    if (pending.apiUrl !== this.session.apiUrl()) throw new OperationError(`That rotation was for Crucible at ${pending.apiUrl}, but crucibleKeys.crucible.apiUrl now names another server; set it back to resume, or abandon the rotation.`);
    return this.run(this.flow(pending.envFile));
  }

  private async run(flow: RotationFlow): Promise<RotationResult> {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rotating Crucible\'s encryption key', cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      try {
        return await flow.run((report) => {
          this.logger[report.ok ? 'info' : 'warn']('Crucible rotation step %d: %s', report.number, report.message);
          progress.report({ message: `Step ${report.number} of ${ROTATION_STEPS.length}: ${report.message}` });
        }, abort.signal);
      } finally {
        cancelled.dispose();
      }
    });
    await this.session.refresh(false);
    const last = result.reports[result.reports.length - 1];
    if (result.done) {
      void vscode.window.showInformationMessage(`Crucible's encryption key was rotated. ${last?.message ?? ''}`.trim());
    } else if (last) {
      void vscode.window.showWarningMessage(`The rotation stopped at step ${last.number} of ${ROTATION_STEPS.length}: ${last.message}`, 'Resume').then((choice) => {
        if (choice === 'Resume') void vscode.commands.executeCommand('crucibleKeys.rotateCrucibleEncryptionKey');
      });
    }
    return result;
  }

  private flow(file: string): RotationFlow {
    return new RotationFlow({
      store: this.store,
      env: this.envFile(file),
      crucible: this.session.rotationPort(),
      restart: (command, signal) => this.restart(command, path.dirname(file), signal),
    });
  }

  /** The .env, read as every dotenv reader reads it and written through the reviewed writer, with backups. */
  private envFile(file: string): EncryptionKeyFile {
    const folder = () => this.workspaceEnv.folders().find((candidate) => !path.relative(candidate.uri.fsPath, file).startsWith('..'))?.uri.fsPath;
    return {
      file,
      read: async () => (await readEnvFile(file)).values[ENCRYPTION_KEY_VAR] || undefined,
      replace: async (next, old, date) => {
        const owner = folder();
        if (old !== undefined && owner) await this.projects.remember(owner, old);
        const written = await this.writer.write(file, { [ENCRYPTION_KEY_VAR]: next }, [ENCRYPTION_KEY_VAR],
          `Crucible's new encryption key${old === undefined ? '' : '; the old one is kept on a dated comment line above it and in secret storage'}.`,
          old === undefined ? {} : { beforeEdit: (text) => withBackupLine(text, old, date) });
        if (!written) throw new OperationError(`The new ${ENCRYPTION_KEY_VAR} was not written, so nothing changed; run the command again to resume.`);
        if (owner) await this.projects.remember(owner, next);
      },
    };
  }

  /** Step 2: the person restarts Crucible, or has Crucible Keys run the command in a terminal and waits for it. */
  private async restart(command: string, cwd: string, signal?: AbortSignal): Promise<void> {
    const docker = await onPath('docker');
    const choice = await this.prompter.confirm('crucibleRestart', `Restart Crucible's API and worker so that they use the new key: ${command}`, {
      detail: `Run it in ${cwd}, the folder with Crucible's docker-compose.yml. ${docker ? 'Crucible Keys can run it in a terminal.' : 'docker is not on the PATH VS Code sees, so run it where Crucible runs.'} The next step waits for Crucible to answer again.`,
      actions: docker ? [RUN_IN_TERMINAL, RESTARTED] : [RESTARTED], severity: 'info',
    });
    if (choice === RUN_IN_TERMINAL) return this.runInTerminal(command, cwd, signal);
    if (choice !== RESTARTED) throw new OperationError(`Stopped before Crucible was restarted; run ${command} in ${cwd}, then resume.`);
  }

  private async runInTerminal(command: string, cwd: string, signal?: AbortSignal): Promise<void> {
    const terminal = vscode.window.createTerminal({ name: 'Crucible restart', cwd });
    terminal.show();
    const integration = terminal.shellIntegration ?? (await shellIntegrationOf(terminal));
    if (!integration) {
      terminal.sendText(command);
      const done = await this.prompter.confirm('crucibleRestartDone', `When "${command}" has finished in the terminal, go on.`, { actions: ['It Has Finished'], severity: 'info' });
      if (done !== 'It Has Finished') throw new OperationError(`Stopped after starting ${command}; resume once it has finished.`);
      return;
    }
    const execution = integration.executeCommand(command);
    const subscriptions: vscode.Disposable[] = [];
    const exitCode = await new Promise<number | undefined | 'closed'>((resolve) => {
      subscriptions.push(
        vscode.window.onDidEndTerminalShellExecution((event) => { if (event.execution === execution) resolve(event.exitCode); }),
        vscode.window.onDidCloseTerminal((closed) => { if (closed === terminal) resolve('closed'); }),
      );
      if (signal?.aborted) resolve('closed');
      signal?.addEventListener('abort', () => resolve('closed'), { once: true });
    }).finally(() => subscriptions.forEach((subscription) => subscription.dispose()));
    if (exitCode === 'closed') throw new OperationError(`The terminal running ${command} was closed first; resume once Crucible has restarted.`);
    if (exitCode !== undefined && exitCode !== 0) throw new OperationError(`${command} failed with exit code ${exitCode}; see the "Crucible restart" terminal, fix it and resume.`);
  }
}

/** Waits a little for a new terminal's shell integration; undefined when its shell has none. */
function shellIntegrationOf(terminal: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { subscription.dispose(); resolve(undefined); }, SHELL_INTEGRATION_WAIT_MS);
    const subscription = vscode.window.onDidChangeTerminalShellIntegration((event) => {
      if (event.terminal !== terminal) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(event.shellIntegration);
    });
  });
}

/** Whether an executable of that name is on the PATH, found without running anything. */
async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const ok = await fs.access(path.join(dir, name), fsConstants.X_OK).then(() => true, () => false);
    if (ok) return true;
  }
  return false;
}
