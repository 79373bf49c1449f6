// Every crucibleKeys.* command: the prompts and messages around KeyOperations. Each command also takes
// arguments, so the settings panel, the tree's menus and the integration tests can drive it without prompts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { addToGitignore, checkGitSafety, type GitSafety } from '../core/gitSafety';
import { article, KeyFormatError } from '../core/keyFormat';
import { ENCRYPTION_KEY_VAR, generatePassphrase } from '../core/passphrase';
import type { Logger } from '../core/ports';
import type { Redactor } from '../core/redact';
import { readEnvFile, updateEnvFile } from '../core/envFile';
import type { VerifyResult } from '../core/verify/types';
import { reportError } from './errors';
import { fixGitSafety } from './gitFix';
import type { KeyState, ProviderView } from './keyState';
import { OperationError } from '../core/errors';
import type { ImportCandidate, KeyOperations } from './operations';
import { describeSource } from './passphraseResolver';
import { STATUS_LABEL } from './presentation';
import type { WorkspaceEnv } from './workspaceEnv';

type ProviderArg = string | { id: string } | undefined;

export interface CopyToEnvOptions {
  folder?: string;
  file?: string;
  providers?: string[];
  includeEncryptionKey?: boolean;
  /** Answers for the git-safety questions, for scripted use: write to a tracked file / add the file to .gitignore. */
  confirmTracked?: boolean;
  addToGitignore?: boolean;
}

export interface CopyToEnvOutcome {
  status: 'written' | 'unchanged' | 'cancelled';
  file?: string;
  added?: string[];
  updated?: string[];
  skipped?: string[];
  git?: GitSafety['state'];
}

export interface ImportOptions {
  folder?: string;
  file?: string | null;
  providers?: string[];
  replace?: boolean;
}

const CLIPBOARD_CLEAR_MS = 45_000;

function keys(count: number): string {
  return count === 1 ? 'key' : 'keys';
}

export class Commands {
  constructor(
    private readonly operations: KeyOperations,
    private readonly state: KeyState,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    private readonly channel: vscode.LogOutputChannel,
    private readonly openSettingsPanel: () => void,
  ) {}

  register(): vscode.Disposable[] {
    const table: Record<string, (...args: never[]) => unknown> = {
      addKey: (provider?: ProviderArg, key?: string) => this.addKey(provider, key),
      verifyKey: (provider?: ProviderArg) => this.verifyKey(provider),
      verifyAll: () => this.verifyAll(),
      copyToEnv: (options?: CopyToEnvOptions) => this.copyToEnv(options),
      importFromEnv: (options?: ImportOptions) => this.importFromEnv(options),
      removeKey: (provider?: ProviderArg, options?: { confirm?: boolean }) => this.removeKey(provider, options),
      copyKeyToClipboard: (provider?: ProviderArg) => this.copyKeyToClipboard(provider),
      openKeyPage: (provider?: ProviderArg) => this.openPage(provider, 'key'),
      openStatusPage: (provider?: ProviderArg) => this.openPage(provider, 'status'),
      generateEncryptionKey: (options?: { folder?: string; write?: boolean }) => this.generateEncryptionKey(options),
      rotateEncryptionKey: (options?: { confirm?: boolean }) => this.rotateEncryptionKey(options),
      unlock: (previous?: string) => this.unlock(previous),
      showLogs: () => this.channel.show(true),
      openSettings: () => this.openSettingsPanel(),
      forgetAll: (options?: { confirm?: boolean }) => this.forgetAll(options),
      refresh: () => this.state.refresh(),
    };
    return Object.entries(table).map(([name, handler]) => vscode.commands.registerCommand(`crucibleKeys.${name}`, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        reportError(error, name, this.logger, this.redactor, this.channel);
        return undefined;
      }
    }));
  }

  private idOf(provider: ProviderArg): string | undefined {
    return typeof provider === 'string' ? provider : provider?.id;
  }

  private async pickProvider(title: string, filter: (view: ProviderView) => boolean = () => true): Promise<string | undefined> {
    const views = this.state.snapshot().providers.filter(filter);
    if (views.length === 0) {
      void vscode.window.showInformationMessage('No stored key to choose from yet; add one first.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(views.map((view) => ({
      label: view.label,
      description: [view.recommended ? 'recommended' : '', view.masked ?? '', view.status === 'not_set' ? '' : STATUS_LABEL[view.status]].filter(Boolean).join(' · '),
      detail: view.status === 'not_set' ? `Written to .env as ${view.writeVar}` : undefined,
      id: view.id,
    })), { title, placeHolder: 'Choose a provider', matchOnDescription: true });
    return picked?.id;
  }

  async addKey(provider: ProviderArg, scriptedKey?: string): Promise<string | undefined> {
    const id = this.idOf(provider) ?? await this.pickProvider('Add or Update API Key');
    if (!id) return undefined;
    const info = this.operations.provider(id);
    const current = this.state.snapshot().providers.find((view) => view.id === id);
    let input = scriptedKey;
    if (input === undefined) {
      input = await vscode.window.showInputBox({
        title: `${info.label} API key`,
        prompt: current?.masked ? `Replaces the stored key ${current.masked}. Paste the new key.` : `Paste your ${info.label} API key. It is encrypted before it is stored.`,
        placeHolder: info.prefixes.length ? `${info.prefixes[0]}…` : 'API key',
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => this.validate(id, value),
      });
      if (input === undefined) return undefined;
    }
    let check = this.operations.checkKey(id, input);
    let target = id;
    if (check.looksLike && scriptedKey === undefined) {
      const other = check.looksLike.label;
      const choice = await vscode.window.showWarningMessage(`This looks like ${article(other)} ${other} key. Save it under ${other} instead?`, { modal: true }, `Save under ${other}`, `Keep under ${info.label}`);
      if (!choice) return undefined;
      if (choice === `Save under ${other}`) {
        target = check.looksLike.id;
        check = this.operations.checkKey(target, input);
      }
    }
    const saved = await this.operations.saveKey(target, check.key);
    const label = this.operations.provider(target).label;
    if (scriptedKey === undefined) {
      void vscode.window.showInformationMessage(`Saved the ${label} key ${saved.masked}.`, 'Verify').then((choice) => {
        if (choice === 'Verify') void vscode.commands.executeCommand('crucibleKeys.verifyKey', target);
      });
    }
    return target;
  }

  private validate(id: string, value: string): vscode.InputBoxValidationMessage | undefined {
    if (value.trim() === '') return undefined;
    try {
      const check = this.operations.checkKey(id, value);
      return check.warnings.length ? { message: check.warnings[0], severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
    } catch (error) {
      if (error instanceof KeyFormatError) return { message: error.message, severity: vscode.InputBoxValidationSeverity.Error };
      throw error;
    }
  }

  async verifyKey(provider: ProviderArg): Promise<VerifyResult | undefined> {
    const id = this.idOf(provider) ?? await this.pickProvider('Verify API Key', (view) => view.status !== 'not_set');
    if (!id) return undefined;
    const label = this.operations.provider(id).label;
    const result = await vscode.window.withProgress({ location: { viewId: 'crucibleKeys.providers' }, title: `Verifying ${label}` }, () => this.operations.verifyKey(id));
    this.announce(label, result);
    return result;
  }

  private announce(label: string, result: VerifyResult): void {
    const text = `${label}: ${STATUS_LABEL[result.verdict]}. ${result.message}`;
    if (result.verdict === 'valid') void vscode.window.showInformationMessage(text);
    else if (result.verdict === 'rejected') void vscode.window.showErrorMessage(text, 'Replace Key').then((choice) => choice && vscode.commands.executeCommand('crucibleKeys.addKey', result.provider));
    else void vscode.window.showWarningMessage(text);
  }

  async verifyAll(): Promise<VerifyResult[]> {
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Crucible Keys: verifying', cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        let done = 0;
        const count = this.state.snapshot().setCount;
        return await this.operations.verifyAll(controller.signal, (result) => {
          done++;
          progress.report({ message: `${done}/${count}: ${this.operations.provider(result.provider).label} ${STATUS_LABEL[result.verdict]}`, increment: count ? 100 / count : undefined });
        });
      } finally {
        cancel.dispose();
      }
    });
    const counts = new Map<string, number>();
    for (const result of outcome.results) counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
    const summary = [...counts].map(([verdict, count]) => `${count} ${STATUS_LABEL[verdict as VerifyResult['verdict']]}`).join(', ') || 'no keys checked';
    const locked = outcome.locked.length ? `; ${outcome.locked.length} locked` : '';
    const bad = outcome.results.some((result) => result.verdict !== 'valid') || outcome.locked.length > 0;
    if (bad) void vscode.window.showWarningMessage(`Crucible Keys: ${summary}${locked}.`);
    else void vscode.window.showInformationMessage(`Crucible Keys: ${summary}.`);
    return outcome.results;
  }

  private async pickFolder(folderPath: string | undefined): Promise<vscode.WorkspaceFolder | undefined> {
    const folders = this.workspaceEnv.folders();
    if (folderPath) {
      const match = folders.find((folder) => folder.uri.fsPath === folderPath);
      if (!match) throw new OperationError(`${folderPath} is not a folder of this workspace.`);
      return match;
    }
    if (folders.length === 0) throw new OperationError('Open a folder (your Crucible checkout) first; keys are written to its .env file.');
    if (folders.length === 1) return folders[0];
    return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which project\'s .env?' });
  }

  private async pickEnvFile(folder: vscode.WorkspaceFolder, title: string): Promise<string | undefined> {
    const configured = this.workspaceEnv.envPath(folder);
    const picked = await vscode.window.showQuickPick([
      { label: path.relative(folder.uri.fsPath, configured) || configured, description: 'from the crucibleKeys.envFile setting', file: configured },
      { label: 'Choose another file…', description: '', file: '' },
    ], { title, placeHolder: 'Target .env file' });
    if (!picked) return undefined;
    if (picked.file) return picked.file;
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(configured), saveLabel: 'Use this file', title });
    return uri?.fsPath;
  }

  async copyToEnv(options: CopyToEnvOptions = {}): Promise<CopyToEnvOutcome> {
    const scripted = options.file !== undefined || options.providers !== undefined;
    const folder = options.file && !options.folder ? undefined : await this.pickFolder(options.folder);
    if (!folder && !options.file) return { status: 'cancelled' };
    const file = options.file ?? (folder ? await this.pickEnvFile(folder, 'Copy Keys to .env File') : undefined);
    if (!file) return { status: 'cancelled' };

    const stored = this.state.snapshot().providers.filter((view) => view.status !== 'not_set');
    let providers = options.providers;
    let includeEncryptionKey = options.includeEncryptionKey ?? false;
    if (!providers) {
      if (stored.length === 0) throw new OperationError('There are no stored keys to copy yet.');
      const items: (vscode.QuickPickItem & { id: string })[] = stored.map((view) => ({ label: view.label, description: `${view.writeVar} · ${view.masked ?? ''}`, picked: view.status !== 'locked', id: view.id }));
      items.push({ label: ENCRYPTION_KEY_VAR, description: 'the passphrase Crucible needs to read keys it stores', picked: false, id: ENCRYPTION_KEY_VAR });
      const picked = await vscode.window.showQuickPick(items, { title: `Copy to ${path.basename(file)}`, canPickMany: true, placeHolder: 'Keys to write (values are never shown)' });
      if (!picked || picked.length === 0) return { status: 'cancelled' };
      providers = picked.filter((item) => item.id !== ENCRYPTION_KEY_VAR).map((item) => item.id);
      includeEncryptionKey = picked.some((item) => item.id === ENCRYPTION_KEY_VAR);
    }

    const safety = await checkGitSafety(file);
    if (safety.state === 'tracked') {
      let choice: string | undefined = options.confirmTracked === undefined ? undefined : options.confirmTracked ? 'Write Anyway' : 'Cancel';
      choice ??= await vscode.window.showWarningMessage(`${safety.message}`, { modal: true, detail: 'Writing keys into a tracked file puts them in your next commit.' }, 'Stop Tracking and Write', 'Write Anyway');
      if (choice === 'Stop Tracking and Write') await fixGitSafety(file, true);
      else if (choice !== 'Write Anyway') return { status: 'cancelled', git: safety.state };
    } else if (safety.state === 'not_ignored' && safety.repoRoot && safety.gitignoreLine) {
      let add = options.addToGitignore;
      if (add === undefined && !scripted) {
        const choice = await vscode.window.showWarningMessage(`${safety.message}`, { modal: true }, 'Add to .gitignore and Write', 'Write Without Ignoring');
        if (!choice) return { status: 'cancelled', git: safety.state };
        add = choice === 'Add to .gitignore and Write';
      }
      if (add) await addToGitignore(safety.repoRoot, safety.gitignoreLine);
    }

    const result = await this.operations.exportToEnv(file, providers, includeEncryptionKey);
    for (const warning of result.warnings) this.logger.warn(warning);
    const names = [...result.added, ...result.updated];
    const outcome: CopyToEnvOutcome = { status: result.changed ? 'written' : 'unchanged', file, added: result.added, updated: result.updated, skipped: result.skipped, git: safety.state };
    if (!scripted) {
      const skipped = result.skipped.length ? ` Skipped (locked): ${result.skipped.join(', ')}.` : '';
      const message = result.changed ? `Wrote ${names.join(', ')} to ${path.basename(file)}.${skipped}` : `${path.basename(file)} already had these values; nothing changed.${skipped}`;
      void vscode.window.showInformationMessage(message, 'Open File').then(async (choice) => {
        if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(file));
      });
    }
    return outcome;
  }

  async importFromEnv(options: ImportOptions = {}): Promise<string[]> {
    let file: string | undefined = options.file ?? undefined;
    if (options.file === undefined) {
      const folders = this.workspaceEnv.folders();
      const folder = folders.length === 0 ? undefined : await this.pickFolder(options.folder);
      file = folder ? this.workspaceEnv.envPath(folder) : undefined;
    }
    const candidates = (await this.operations.findImportable(file)).filter((candidate) => !options.providers || options.providers.includes(candidate.provider.id));
    const useful = candidates.filter((candidate) => candidate.effect !== 'same');
    if (useful.length === 0) {
      void vscode.window.showInformationMessage(candidates.length ? 'Every key found is already stored.' : `No provider keys found in ${file ? path.basename(file) : 'the workspace'} or the environment.`);
      return [];
    }
    let chosen: ImportCandidate[];
    if (options.providers) {
      chosen = useful.filter((candidate) => candidate.effect === 'new' || options.replace);
    } else {
      const items = useful.map((candidate) => ({
        label: candidate.provider.label,
        description: `${candidate.variable} = ${candidate.masked} (${candidate.source === 'file' ? path.basename(file ?? '.env') : 'environment'})`,
        detail: candidate.effect === 'new' ? 'new' : candidate.effect === 'replace-locked' ? 'replaces a locked key' : 'replaces the stored key',
        picked: candidate.effect === 'new',
        candidate,
      }));
      const picked = await vscode.window.showQuickPick(items, { title: 'Import Keys', canPickMany: true, placeHolder: 'Keys to import (masked)' });
      if (!picked || picked.length === 0) return [];
      chosen = picked.map((item) => item.candidate);
      const replacing = chosen.filter((candidate) => candidate.effect !== 'new');
      if (replacing.length > 0) {
        const confirm = await vscode.window.showWarningMessage(`Replace ${replacing.length} stored ${keys(replacing.length)} (${replacing.map((c) => c.provider.label).join(', ')})?`, { modal: true }, 'Replace');
        if (confirm !== 'Replace') chosen = chosen.filter((candidate) => candidate.effect === 'new');
      }
    }
    const imported = await this.operations.importKeys(chosen);
    if (options.providers === undefined) void vscode.window.showInformationMessage(`Imported ${imported.length} ${keys(imported.length)}.`);
    return imported;
  }

  async removeKey(provider: ProviderArg, options: { confirm?: boolean } = {}): Promise<boolean> {
    const id = this.idOf(provider) ?? await this.pickProvider('Remove API Key', (view) => view.status !== 'not_set');
    if (!id) return false;
    const view = this.state.snapshot().providers.find((candidate) => candidate.id === id);
    const confirmed = options.confirm ?? (await vscode.window.showWarningMessage(`Remove the ${view?.label ?? id} key ${view?.masked ?? ''}?`, { modal: true, detail: 'It is deleted from secret storage and cannot be recovered; .env files are not touched.' }, 'Remove')) === 'Remove';
    if (!confirmed) return false;
    await this.operations.removeKey(id);
    return true;
  }

  async copyKeyToClipboard(provider: ProviderArg): Promise<boolean> {
    const id = this.idOf(provider) ?? await this.pickProvider('Copy API Key', (view) => view.status !== 'not_set');
    if (!id) return false;
    const label = this.operations.provider(id).label;
    const choice = await vscode.window.showWarningMessage(`Copy the ${label} key to the clipboard?`, { modal: true, detail: `Any app can read the clipboard. Crucible Keys clears it after ${CLIPBOARD_CLEAR_MS / 1000} s if it still holds the key.` }, 'Copy');
    if (choice !== 'Copy') return false;
    const key = await this.operations.readKey(id);
    await vscode.env.clipboard.writeText(key);
    setTimeout(() => {
      void vscode.env.clipboard.readText().then((text) => (text === key ? vscode.env.clipboard.writeText('') : undefined));
    }, CLIPBOARD_CLEAR_MS);
    return true;
  }

  private async openPage(provider: ProviderArg, page: 'key' | 'status'): Promise<void> {
    const id = this.idOf(provider) ?? await this.pickProvider(page === 'key' ? 'Get a Key' : 'Provider Status Page');
    if (!id) return;
    const info = this.operations.provider(id);
    const url = page === 'key' ? info.keyPageUrl : info.statusPageUrl;
    if (!url) throw new OperationError(`${info.label} has no known status page.`);
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  /** Generates a Crucible passphrase for a project's .env; an existing one is only ever changed by rotation. */
  async generateEncryptionKey(options: { folder?: string; write?: boolean } = {}): Promise<string | undefined> {
    const passphrase = generatePassphrase();
    const folder = this.workspaceEnv.folders().length ? await this.pickFolder(options.folder) : undefined;
    if (!folder) {
      await vscode.env.clipboard.writeText(passphrase);
      void vscode.window.showInformationMessage(`A new ${ENCRYPTION_KEY_VAR} was copied to the clipboard (no folder is open to write it to).`);
      return undefined;
    }
    const file = this.workspaceEnv.envPath(folder);
    if ((await readEnvFile(file)).values[ENCRYPTION_KEY_VAR]?.trim()) {
      if (options.write !== undefined) return undefined; // scripted: never replace a passphrase without asking
      const choice = await vscode.window.showWarningMessage(`${path.basename(file)} already sets ${ENCRYPTION_KEY_VAR}. Replacing it makes every key Crucible has stored unreadable; rotate instead?`, { modal: true }, 'Rotate Encryption Key');
      if (choice) await vscode.commands.executeCommand('crucibleKeys.rotateEncryptionKey');
      return undefined;
    }
    const write = options.write ?? (await vscode.window.showInformationMessage(`Write a new ${ENCRYPTION_KEY_VAR} to ${path.basename(file)}?`, { modal: true, detail: 'Crucible uses it to encrypt the keys it stores. Keep a copy somewhere safe: losing it makes those keys unreadable.' }, 'Write to .env')) === 'Write to .env';
    if (!write) return undefined;
    const before = await this.operations.passphrase(false);
    await updateEnvFile(file, { [ENCRYPTION_KEY_VAR]: passphrase });
    const after = await this.operations.passphrase(false);
    // The vault follows the workspace .env, so move its keys to the new passphrase straight away.
    if (before && after && before.value !== after.value) await this.operations.unlockWith([before.value]); // refreshes the state
    else await this.state.refresh();
    if (options.write === undefined) void vscode.window.showInformationMessage(`Wrote ${ENCRYPTION_KEY_VAR} to ${path.basename(file)}. Crucible Keys now uses ${describeSource(after ?? { source: 'envFile', file })}.`);
    return file;
  }

  async rotateEncryptionKey(options: { confirm?: boolean } = {}): Promise<{ moved: number } | undefined> {
    const current = await this.operations.passphrase(true);
    const where = current?.source === 'envFile' ? ` The new passphrase is written to ${current.file}.` : ' The new passphrase is kept in secret storage.';
    const confirmed = options.confirm ?? (await vscode.window.showWarningMessage('Rotate the encryption passphrase and re-encrypt every stored key?', { modal: true, detail: `${where.trim()} Crucible's own database holds keys encrypted with ${ENCRYPTION_KEY_VAR}: after changing it there, re-enter them in Crucible or they stay unreadable.` }, 'Rotate')) === 'Rotate';
    if (!confirmed) return undefined;
    const rotated = await this.operations.rotate();
    if (options.confirm === undefined) {
      const offer = rotated.source === 'stored' ? ['Write to .env'] : [];
      void vscode.window.showInformationMessage(`Re-encrypted ${rotated.moved.length} ${keys(rotated.moved.length)} under a new passphrase.`, ...offer).then(async (choice) => {
        if (choice === 'Write to .env') await this.copyToEnv({ providers: [], includeEncryptionKey: true }).catch((error) => reportError(error, 'rotate', this.logger, this.redactor, this.channel));
      });
    }
    return { moved: rotated.moved.length };
  }

  async unlock(previous?: string): Promise<{ unlocked: string[]; stillLocked: string[] }> {
    let outcome = await this.operations.unlockAutomatically();
    if (outcome.stillLocked.length > 0 && previous === undefined) {
      const typed = await vscode.window.showInputBox({
        title: 'Unlock with Previous Key',
        prompt: `${outcome.stillLocked.length} key${outcome.stillLocked.length === 1 ? ' is' : 's are'} locked. Enter the ${ENCRYPTION_KEY_VAR} they were saved with; they are re-encrypted under the current one.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (typed === undefined) return outcome;
      previous = typed;
    }
    if (previous !== undefined && outcome.stillLocked.length > 0) {
      const again = await this.operations.unlockWith([previous.trim()]);
      outcome = { unlocked: [...outcome.unlocked, ...again.unlocked], stillLocked: again.stillLocked };
    }
    const message = `Unlocked ${outcome.unlocked.length} ${keys(outcome.unlocked.length)}${outcome.stillLocked.length ? `; ${outcome.stillLocked.length} still locked (that passphrase does not open them)` : ''}.`;
    if (outcome.stillLocked.length) void vscode.window.showWarningMessage(message);
    else void vscode.window.showInformationMessage(message);
    return outcome;
  }

  async forgetAll(options: { confirm?: boolean } = {}): Promise<number> {
    const confirmed = options.confirm ?? (await vscode.window.showWarningMessage('Forget every stored API key?', { modal: true, detail: 'All keys are deleted from secret storage. .env files are not touched. This cannot be undone.' }, 'Forget All')) === 'Forget All';
    if (!confirmed) return 0;
    const removed = await this.operations.forgetAll();
    if (options.confirm === undefined) void vscode.window.showInformationMessage(`Forgot ${removed} ${keys(removed)}.`);
    return removed;
  }
}
