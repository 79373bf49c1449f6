// The extension's side of the one plaintext write path: every key or passphrase written to a .env goes through here,
// and a person always sees the real target, the variable names (never values) and every git or symlink warning first.
import * as path from 'node:path';
import { type GitFix, writePlaintext, type WriteReview } from '../../core/env/plaintextWrite';
import type { EnvUpdates } from '../../core/envFile';
import type { Logger } from '../../core/ports';
import type { Prompter } from '../ui/prompter';
import type { WorkspaceEnv } from './workspaceEnv';

export const WRITE = 'Write';
export const IGNORE_AND_WRITE = 'Add to .gitignore and Write';
export const WRITE_WITHOUT_IGNORING = 'Write Without Ignoring';
export const UNTRACK_AND_WRITE = 'Stop Tracking and Write';
export const WRITE_ANYWAY = 'Write Anyway';

export class EnvWriter {
  constructor(private readonly prompter: Prompter, private readonly workspaceEnv: WorkspaceEnv, private readonly logger: Logger) {}

  /**
   * Writes after the person confirms; returns undefined when they did not. `variables` are the names shown, `purpose`
   * says why in one sentence. `updates` may be a function of the file as read under its lock.
   */
  async write(file: string, updates: EnvUpdates, variables: readonly string[], purpose: string, options: { beforeEdit?: (text: string) => string } = {}) {
    const folder = this.workspaceEnv.folders().find((candidate) => !path.relative(candidate.uri.fsPath, path.resolve(file)).startsWith('..'));
    const result = await writePlaintext(
      { file, updates, variables, folder: folder?.uri.fsPath, gitAllowed: this.workspaceEnv.isTrusted(), beforeEdit: options.beforeEdit },
      { interactive: true, confirm: (review) => this.confirm(review, purpose) },
    );
    if (result) {
      for (const warning of result.warnings) this.logger.warn(warning);
      this.logger.info('wrote %s to %s', [...result.added, ...result.updated].join(', ') || 'nothing new', result.review.realPath);
    }
    return result;
  }

  /**
   * Writes to a target the person already confirmed in a summary (a key replacement across files): it goes ahead
   * without asking again only if the target is still exactly what was shown; otherwise the usual question is asked.
   */
  async writeAfterReview(file: string, updates: EnvUpdates, variables: readonly string[], shown: WriteReview) {
    const folder = this.workspaceEnv.folders().find((candidate) => !path.relative(candidate.uri.fsPath, path.resolve(file)).startsWith('..'));
    const same = (review: WriteReview) => review.realPath === shown.realPath && review.git.state === shown.git.state && review.symlinkTarget === shown.symlinkTarget && review.outsideFolder === shown.outsideFolder && review.readOnly === shown.readOnly;
    return writePlaintext(
      { file, updates, variables, folder: folder?.uri.fsPath, gitAllowed: this.workspaceEnv.isTrusted() },
      { interactive: true, confirm: async (review) => (same(review) ? { write: true } : this.confirm(review, 'This file changed since you confirmed the list.')) },
    );
  }

  private async confirm(review: WriteReview, purpose: string): Promise<{ write: boolean; fix?: GitFix }> {
    const names = review.variables.join(', ');
    const actions = review.git.state === 'tracked'
      ? [UNTRACK_AND_WRITE, WRITE_ANYWAY]
      : review.git.state === 'not_ignored' && review.git.gitignoreLine ? [IGNORE_AND_WRITE, WRITE_WITHOUT_IGNORING] : [WRITE];
    const detail = [purpose, ...review.warnings, `${review.exists ? 'The rest of the file is kept.' : 'The file is created, readable only by you.'} Values are written in plain text and never shown here.`].join('\n\n');
    const choice = await this.prompter.confirm('writeConfirm', `Write ${names} to ${review.realPath}?`, { detail, actions });
    if (choice === UNTRACK_AND_WRITE) return { write: true, fix: 'untrack' };
    if (choice === IGNORE_AND_WRITE) return { write: true, fix: 'ignore' };
    return { write: choice === WRITE || choice === WRITE_ANYWAY || choice === WRITE_WITHOUT_IGNORING };
  }
}
