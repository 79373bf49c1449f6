// The one-click fix for a .env that git would commit: ignore it, or (after a modal warning) stop tracking it.
// Runs git, so it is refused in an untrusted workspace.
import { OperationError } from '../../core/errors';
import { addToGitignore, checkGitSafety, stopTracking } from '../../core/gitSafety';
import type { Prompter } from '../ui/prompter';

/** Returns a sentence about what was done, or undefined when the user said no. */
export async function fixGitSafety(envFile: string, prompter: Prompter, trusted: boolean): Promise<string | undefined> {
  if (!trusted) throw new OperationError('git status unknown in Restricted Mode: trust the workspace to let Crucible Keys run git here.');
  const safety = await checkGitSafety(envFile);
  if (!safety.repoRoot || (safety.state !== 'tracked' && safety.state !== 'not_ignored')) throw new OperationError(safety.message);
  const relative = safety.untrackCommand?.replace(/^git rm --cached -- /, '');
  if (safety.state === 'tracked' && relative) {
    const ok = await prompter.confirm('gitUntrackConfirm', `Stop tracking ${relative} in git?`, { detail: 'The file stays on disk; git records its removal in your next commit. Keys already committed stay in the history, so rotate them.', actions: ['Stop Tracking'] });
    if (ok !== 'Stop Tracking') return undefined;
    await stopTracking(safety.repoRoot, relative);
  }
  if (safety.gitignoreLine) await addToGitignore(safety.repoRoot, safety.gitignoreLine);
  const parts = [safety.state === 'tracked' ? `stopped tracking ${relative}` : '', safety.gitignoreLine ? `added ${safety.gitignoreLine} to .gitignore` : ''].filter(Boolean);
  return `${parts.join(' and ').replace(/^./, (c) => c.toUpperCase())}.`;
}
