// Replacing a key, guided (Crucible's guide: rotate keys regularly): open the provider's key page, take the new key,
// check it, find every .env in the workspace that held the old one, confirm the list (with each file's git state),
// write the new key into each, and keep the old one for seven days so the replacement can be undone. Then: revoke the
// old key at the provider.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import { reviewPlaintextWrite } from '../../core/env/plaintextWrite';
import { findKeyHolders, type KeyHolder } from '../../core/replacement/holders';
import { leftBehind, writeReplacement } from '../../core/replacement/writeReplacement';
import { PREVIOUS_KEY_KEEP_MS } from '../../core/vault/keyVault';
import type { Pickers } from '../commands/pickers';
import type { EnvWriter } from '../env/envWriter';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { KeyOperations } from '../operations/keyOperations';
import { STATUS_LABEL } from '../state/presentation';
import type { Prompter } from '../ui/prompter';

/** The files a key may be written in: .env files of the workspace (their names Crucible and compose use). */
const ENV_FILES = '**/{.env,.env.*,*.env}';
const MAX_FILES = 500;

export interface ReplaceOutcome {
  replaced: boolean;
  files: string[];
}

export class KeyReplacement {
  constructor(
    private readonly operations: KeyOperations,
    private readonly prompter: Prompter,
    private readonly pickers: Pickers,
    private readonly writer: EnvWriter,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly onReplaced: (provider: string) => Promise<void>,
  ) {}

  async replaceKey(preselected?: string): Promise<ReplaceOutcome> {
    const id = await this.pickers.provider('Replace API Key', preselected, (view) => view.status !== 'not_set' && view.status !== 'locked');
    if (!id) return { replaced: false, files: [] };
    const provider = this.operations.provider(id);
    const old = await this.operations.readKey(id);
    await this.prompter.openLink('keyPage', provider.keyPageUrl);
    const typed = await this.prompter.input('replaceKeyInput', {
      title: `Replace the ${provider.label} key`,
      prompt: `Create a new key on ${provider.label}'s page (just opened), then paste it here. The old key is kept for 7 days, so this can be undone.`,
      password: true,
      validate: (value) => {
        if (value.trim() === '') return undefined;
        try {
          const check = this.operations.checkKey(id, value);
          if (check.key === old) return { message: 'That is the key stored now; paste the new one.', severity: vscode.InputBoxValidationSeverity.Error };
          return check.warnings.length ? { message: check.warnings[0], severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
        } catch (error) {
          return { message: (error as Error).message, severity: vscode.InputBoxValidationSeverity.Error };
        }
      },
    });
    if (typed === undefined) return { replaced: false, files: [] };
    const key = this.operations.checkKey(id, typed).key;
    if (key === old) throw new OperationError('That is the key stored now; nothing was replaced.');

    const result = await this.operations.checkCandidate(id, key);
    if (result.verdict === 'rejected') throw new OperationError(`${provider.label} rejected the new key (${result.message}); nothing was replaced.`);
    if (result.verdict !== 'valid') {
      const go = await this.prompter.confirm('replaceUnverified', `The new ${provider.label} key could not be confirmed: ${STATUS_LABEL[result.verdict]}. Replace anyway?`, { detail: result.message, actions: ['Replace Anyway'] });
      if (go !== 'Replace Anyway') return { replaced: false, files: [] };
    }

    const holders = await this.holdersOf(old);
    const reviews = await Promise.all(holders.map(async (holder) => ({ holder, review: await reviewPlaintextWrite({ file: holder.file, updates: {}, variables: holder.variables, gitAllowed: this.workspaceEnv.isTrusted() }) })));
    const lines = reviews.map(({ holder, review }) => `• ${review.realPath} (${holder.variables.join(', ')})${review.warnings.length ? `: ${review.warnings.join(' ')}` : ''}`);
    const answer = await this.prompter.confirm('replaceConfirm', holders.length
      ? `Replace the ${provider.label} key in the vault and in ${holders.length} file${holders.length === 1 ? '' : 's'}?`
      : `Replace the ${provider.label} key in the vault? No .env file in the workspace holds the old one.`, {
      detail: [...lines, 'The old key is kept for 7 days (Undo). Values are never shown.'].join('\n'),
      actions: ['Replace'],
    });
    if (answer !== 'Replace') return { replaced: false, files: [] };

    await this.operations.replaceKey(id, key, result, PREVIOUS_KEY_KEEP_MS);
    const reviewOf = new Map(reviews.map(({ holder, review }) => [holder.file, review]));
    // Confirmed above, for this very target: each write goes ahead only if the target is still what was shown, and
    // changes only the variables that still hold the old key. One file failing never stops the others.
    const outcome = await writeReplacement(holders, old, key, async (file, updates, variables) => (await this.writer.writeAfterReview(file, updates, variables, reviewOf.get(file)!))?.review.realPath);
    await this.onReplaced(id);
    const left = leftBehind(outcome);
    const replaced = `Replaced the ${provider.label} key${outcome.written.length ? ` in ${outcome.written.map((file) => path.basename(file)).join(', ')}` : ''}`;
    const kept = outcome.unchanged.length ? ` ${outcome.unchanged.map((file) => path.basename(file)).join(', ')} changed since the confirmation and ${outcome.unchanged.length === 1 ? 'was' : 'were'} left as ${outcome.unchanged.length === 1 ? 'it is' : 'they are'}.` : '';
    const message = (left.length
      ? `${replaced}, but ${left.length} file${left.length === 1 ? ' still holds' : 's still hold'} the old key: ${left.join('; ')}. Update ${left.length === 1 ? 'it' : 'them'} (or Undo) before you revoke the old key at ${provider.label}.`
      : `${replaced}. Now revoke the old key at ${provider.label}, so it stops working.`) + kept;
    void this.prompter.notify('revokeReminder', message, { actions: ['Open Key Page', 'Undo'], severity: left.length ? 'warning' : 'info' }).then(async (choice) => {
      if (choice === 'Open Key Page') await this.prompter.openLink('keyPage', provider.keyPageUrl);
      if (choice === 'Undo') await vscode.commands.executeCommand('crucibleKeys.restorePreviousKey', id);
    });
    return { replaced: true, files: outcome.written };
  }

  /** Puts the replaced key back (within 7 days), and into the files that now hold the new one, after a confirmation. */
  async restorePrevious(preselected?: string): Promise<ReplaceOutcome> {
    const id = await this.pickers.provider('Restore Previous Key', preselected, (view) => !!view.previous);
    if (!id) return { replaced: false, files: [] };
    const provider = this.operations.provider(id);
    const current = await this.operations.readKey(id);
    const holders = await this.holdersOf(current);
    const answer = await this.prompter.confirm('restorePreviousConfirm', `Put the previous ${provider.label} key back${holders.length ? ` (also in ${holders.length} file${holders.length === 1 ? '' : 's'})` : ''}?`, {
      detail: [...holders.map((holder) => `• ${holder.file} (${holder.variables.join(', ')})`), 'The key stored now becomes the previous one, kept for 7 days.'].join('\n'),
      actions: ['Restore'],
    });
    if (answer !== 'Restore') return { replaced: false, files: [] };
    const restored = await this.operations.restorePrevious(id, PREVIOUS_KEY_KEEP_MS);
    if (!restored) throw new OperationError(`No previous ${provider.label} key is kept any more.`);
    const outcome = await writeReplacement(holders, current, restored, async (file, updates, variables) => (await this.writer.write(file, updates, variables, `The previous ${provider.label} key, put back.`))?.review.realPath);
    await this.onReplaced(id);
    const left = leftBehind(outcome);
    if (left.length) void this.prompter.notify('restoreIncomplete', `Put the previous ${provider.label} key back, but ${left.length} file${left.length === 1 ? ' still holds' : 's still hold'} the newer key: ${left.join('; ')}.`, { actions: [], severity: 'warning' });
    return { replaced: true, files: outcome.written };
  }

  private async holdersOf(key: string): Promise<KeyHolder[]> {
    const uris = await vscode.workspace.findFiles(ENV_FILES, '**/node_modules/**', MAX_FILES);
    return (await findKeyHolders(uris.filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath), key)).holders;
  }
}
