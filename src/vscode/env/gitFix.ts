// The one-click fix for a .env that git would commit: ignore it, or (after a modal warning) stop tracking it.
import * as vscode from 'vscode';
import { addToGitignore, checkGitSafety, stopTracking } from '../core/gitSafety';
import { OperationError } from '../core/errors';

/** Returns a sentence about what was done, or undefined when the user said no. */
export async function fixGitSafety(envFile: string, confirmed?: boolean): Promise<string | undefined> {
  const safety = await checkGitSafety(envFile);
  if (!safety.repoRoot || (safety.state !== 'tracked' && safety.state !== 'not_ignored')) throw new OperationError(safety.message);
  const relative = safety.untrackCommand?.replace(/^git rm --cached -- /, '');
  if (safety.state === 'tracked' && relative) {
    const ok = confirmed ?? (await vscode.window.showWarningMessage(`Stop tracking ${relative} in git?`, { modal: true, detail: 'The file stays on disk; git records its removal in your next commit. Keys already committed stay in the history, so rotate them.' }, 'Stop Tracking')) === 'Stop Tracking';
    if (!ok) return undefined;
    await stopTracking(safety.repoRoot, relative);
  }
  if (safety.gitignoreLine) await addToGitignore(safety.repoRoot, safety.gitignoreLine);
  const parts = [safety.state === 'tracked' ? `stopped tracking ${relative}` : '', safety.gitignoreLine ? `added ${safety.gitignoreLine} to .gitignore` : ''].filter(Boolean);
  return `${parts.join(' and ').replace(/^./, (c) => c.toUpperCase())}.`;
}
