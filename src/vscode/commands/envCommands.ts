// Copying stored keys into a project's .env: which folder, which file, which keys; then the one write path, where
// the person sees the real target and every warning before anything is written.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { keysEnvUpdates } from '../../core/crucibleEnv';
import { readEnvFile } from '../../core/envFile';
import { OperationError } from '../../core/errors';
import { ENCRYPTION_KEY_VAR, generatePassphrase } from '../../core/passphrase';
import type { EnvWriter } from '../env/envWriter';
import type { ProjectPassphrases } from '../encryption/projectPassphrases';
import type { KeyOperations } from '../operations/keyOperations';
import type { KeyState } from '../state/keyState';
import type { Prompter } from '../ui/prompter';
import type { Pickers } from './pickers';

export interface CopyToEnvOutcome {
  status: 'written' | 'unchanged' | 'cancelled';
  file?: string;
  added?: string[];
  updated?: string[];
  skipped?: string[];
}

const NEW_PASSPHRASE = Symbol('new passphrase');

export class EnvCommands {
  constructor(
    private readonly operations: KeyOperations,
    private readonly state: KeyState,
    private readonly prompter: Prompter,
    private readonly pickers: Pickers,
    private readonly writer: EnvWriter,
    private readonly projects: ProjectPassphrases,
  ) {}

  /** `preselected` ticks those providers in the list (a tree row, a panel card); the person still chooses. */
  async copyToEnv(preselected: readonly string[] = []): Promise<CopyToEnvOutcome> {
    const stored = this.state.snapshot().providers.filter((view) => view.status !== 'not_set');
    if (stored.length === 0) throw new OperationError('There are no stored keys to copy yet.');
    const folder = await this.pickers.folder('Copy Keys to .env File');
    if (!folder) return { status: 'cancelled' };
    const file = await this.pickers.envTarget(folder, 'Copy Keys to .env File');
    if (!file) return { status: 'cancelled' };
    const hasPassphrase = !!(await readEnvFile(file).catch(() => undefined))?.values[ENCRYPTION_KEY_VAR];
    const only = preselected.filter((id) => stored.some((view) => view.id === id));
    const items: { label: string; description: string; picked: boolean; value: string | typeof NEW_PASSPHRASE }[] = stored.map((view) => ({
      label: view.label, description: `${view.writeVar} · ${view.masked ?? ''}${view.status === 'locked' ? ' · locked' : ''}`,
      picked: view.status !== 'locked' && (only.length === 0 || only.includes(view.id)), value: view.id,
    }));
    if (!hasPassphrase) items.push({ label: ENCRYPTION_KEY_VAR, description: 'a new passphrase for this project: Crucible encrypts the keys it stores with it', picked: false, value: NEW_PASSPHRASE });
    const picked = await this.prompter.pickMany('envVariables', items, { title: `Copy to ${path.basename(file)}`, placeHolder: 'Keys to write (values are never shown)' });
    if (!picked || picked.length === 0) return { status: 'cancelled' };
    const providerIds = picked.filter((value): value is string => value !== NEW_PASSPHRASE);
    const { entries, skipped } = await this.operations.readKeys(providerIds);
    const passphrase = picked.includes(NEW_PASSPHRASE) ? generatePassphrase() : undefined;
    const extra: Record<string, string> = passphrase ? { [ENCRYPTION_KEY_VAR]: passphrase } : {};
    if (entries.length === 0 && !passphrase) throw new OperationError('None of the chosen keys could be read (they are locked), so nothing was written.');
    // Aliases are taken from the file as read under its lock, so a stale one can never shadow the new key.
    const updates = (current: { values: Record<string, string> }) => ({ ...keysEnvUpdates(entries, current.values), ...extra });
    const shown = Object.keys(updates(await readEnvFile(file).catch(() => ({ values: {} }))));
    const result = await this.writer.write(file, updates, shown, 'Crucible reads these variables from this file when it starts.');
    if (!result) return { status: 'cancelled', file };
    if (passphrase) await this.projects.remember(folder.uri.fsPath, passphrase);
    const names = [...result.added, ...result.updated];
    const skippedText = skipped.length ? ` Skipped (locked): ${skipped.join(', ')}.` : '';
    const message = result.changed ? `Wrote ${names.join(', ')} to ${path.basename(file)}.${skippedText}` : `${path.basename(file)} already had these values; nothing changed.${skippedText}`;
    void vscode.window.showInformationMessage(message, 'Open File').then(async (choice) => {
      if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(result.review.realPath));
    });
    return { status: result.changed ? 'written' : 'unchanged', file: result.review.realPath, added: result.added, updated: result.updated, skipped };
  }
}
