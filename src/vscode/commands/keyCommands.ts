// Commands about one provider's key: add, verify, remove, copy, open its pages, import from a .env.
// Every confirmation is asked of a person; an argument may only pre-select the provider.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { article, KeyFormatError } from '../../core/keyFormat';
import type { VerifyResult } from '../../core/verify/types';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { ImportCandidate, KeyOperations } from '../operations/keyOperations';
import type { KeyState } from '../state/keyState';
import { STATUS_LABEL } from '../state/presentation';
import type { Prompter } from '../ui/prompter';
import type { SecretClipboard } from './clipboard';
import { CLIPBOARD_CLEAR_MS } from './clipboard';
import type { Pickers } from './pickers';

export function plural(count: number, word = 'key'): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export class KeyCommands {
  constructor(
    private readonly operations: KeyOperations,
    private readonly state: KeyState,
    private readonly prompter: Prompter,
    private readonly pickers: Pickers,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly clipboard: SecretClipboard,
  ) {}

  async addKey(preselected?: string): Promise<string | undefined> {
    const id = await this.pickers.provider('Add or Update API Key', preselected);
    if (!id) return undefined;
    const info = this.operations.provider(id);
    const current = this.state.snapshot().providers.find((view) => view.id === id);
    const input = await this.prompter.input('keyInput', {
      title: `${info.label} API key`,
      prompt: current?.masked ? `Replaces the stored key ${current.masked}. Paste the new key.` : `Paste your ${info.label} API key. It is encrypted before it is stored.`,
      placeHolder: info.prefixes.length ? `${info.prefixes[0]}…` : 'API key',
      password: true,
      validate: (value) => this.validate(id, value),
    });
    if (input === undefined) return undefined;
    let check = this.operations.checkKey(id, input);
    let target = id;
    if (check.looksLike) {
      const other = check.looksLike.label;
      const choice = await this.prompter.confirm('looksLike', `This looks like ${article(other)} ${other} key. Save it under ${other} instead?`, { actions: [`Save under ${other}`, `Keep under ${info.label}`] });
      if (!choice) return undefined;
      if (choice === `Save under ${other}`) {
        target = check.looksLike.id;
        check = this.operations.checkKey(target, input);
      }
    }
    const saved = await this.operations.saveKey(target, check.key);
    const label = this.operations.provider(target).label;
    void vscode.window.showInformationMessage(`Saved the ${label} key ${saved.masked}.`, 'Verify').then((choice) => {
      if (choice === 'Verify') void vscode.commands.executeCommand('crucibleKeys.verifyKey', target);
    });
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

  async verifyKey(preselected?: string): Promise<VerifyResult | undefined> {
    const id = await this.pickers.provider('Verify API Key', preselected, (view) => view.status !== 'not_set');
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
        const snapshot = this.state.snapshot();
        const count = snapshot.providers.filter((view) => view.status !== 'not_set' && view.status !== 'locked').length;
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

  async removeKey(preselected?: string): Promise<boolean> {
    const id = await this.pickers.provider('Remove API Key', preselected, (view) => view.status !== 'not_set');
    if (!id) return false;
    const view = this.state.snapshot().providers.find((candidate) => candidate.id === id);
    const answer = await this.prompter.confirm('removeConfirm', `Remove the ${view?.label ?? id} key ${view?.masked ?? ''}?`, { detail: 'It is deleted from secret storage and cannot be recovered; .env files are not touched.', actions: ['Remove'] });
    if (answer !== 'Remove') return false;
    await this.operations.removeKey(id);
    return true;
  }

  async copyKeyToClipboard(preselected?: string): Promise<boolean> {
    const id = await this.pickers.provider('Copy API Key', preselected, (view) => view.status !== 'not_set');
    if (!id) return false;
    const label = this.operations.provider(id).label;
    const answer = await this.prompter.confirm('clipboardConfirm', `Copy the ${label} key to the clipboard?`, { detail: `Any app can read the clipboard. Crucible Keys clears it after ${CLIPBOARD_CLEAR_MS / 1000} s if it still holds the key.`, actions: ['Copy'] });
    if (answer !== 'Copy') return false;
    await this.clipboard.copy(await this.operations.readKey(id));
    return true;
  }

  async openPage(preselected: string | undefined, page: 'key' | 'status'): Promise<void> {
    const id = await this.pickers.provider(page === 'key' ? 'Get a Key' : 'Provider Status Page', preselected, page === 'status' ? (view) => !!view.statusPageUrl : undefined);
    if (!id) return;
    const info = this.operations.provider(id);
    const url = page === 'key' ? info.keyPageUrl : info.statusPageUrl;
    if (!url) throw new OperationError(`${info.label} has no known status page.`);
    await this.prompter.openLink('keyPage', url);
  }

  /** Imports keys from a folder's .env and VS Code's environment; replacing a stored key is always confirmed. */
  async importFromEnv(): Promise<string[]> {
    const folders = this.workspaceEnv.folders();
    const folder = folders.length === 0 ? undefined : await this.pickers.folder('Import Keys');
    if (folders.length > 0 && !folder) return [];
    const file = folder ? this.workspaceEnv.envPath(folder) : undefined;
    const candidates = await this.operations.findImportable(file);
    const useful = candidates.filter((candidate) => candidate.effect !== 'same');
    if (useful.length === 0) {
      void vscode.window.showInformationMessage(candidates.length ? 'Every key found is already stored.' : `No provider keys found in ${file ? path.basename(file) : 'the workspace'} or the environment.`);
      return [];
    }
    const picked = await this.prompter.pickMany<ImportCandidate>('importChoice', useful.map((candidate) => ({
      label: candidate.provider.label,
      description: `${candidate.variable} = ${candidate.masked} (${candidate.source === 'file' ? path.basename(file ?? '.env') : 'environment'})`,
      detail: candidate.effect === 'new' ? 'new' : candidate.effect === 'replace-locked' ? 'replaces a locked key' : 'replaces the stored key',
      picked: candidate.effect === 'new',
      value: candidate,
    })), { title: 'Import Keys', placeHolder: 'Keys to import (masked)' });
    if (!picked || picked.length === 0) return [];
    let chosen = picked;
    const replacing = chosen.filter((candidate) => candidate.effect !== 'new');
    if (replacing.length > 0) {
      const confirm = await this.prompter.confirm('importReplace', `Replace ${plural(replacing.length, 'stored key')} (${replacing.map((c) => c.provider.label).join(', ')})?`, { actions: ['Replace'] });
      if (confirm !== 'Replace') chosen = chosen.filter((candidate) => candidate.effect === 'new');
    }
    const imported = await this.operations.importKeys(chosen);
    void vscode.window.showInformationMessage(`Imported ${plural(imported.length)}.`);
    return imported;
  }
}
