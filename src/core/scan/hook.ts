// `crucible-keys scan --install-hook`: a pre-commit hook that refuses a commit whose staged files hold a key.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FileError, InputError } from '../errors';
import { firstLine, runGit, type GitOptions } from './git';

export const PRE_COMMIT_HOOK = `#!/bin/sh
# Installed by "crucible-keys scan --install-hook": refuses a commit whose staged files hold an LLM API key
# (a catalog key shape, or the value of a provider variable in the environment or .env).
# Skip it once with "git commit --no-verify".
if command -v crucible-keys >/dev/null 2>&1; then
  exec crucible-keys scan --staged
fi
echo "pre-commit: crucible-keys is not on PATH, so staged files were not scanned for API keys; install it or commit with --no-verify." >&2
exit 1
`;

export type HookOutcome = 'installed' | 'replaced' | 'unchanged';

/**
 * Writes the pre-commit hook where git will run it (`git rev-parse --git-path hooks/pre-commit`, which follows
 * core.hooksPath and linked work trees), executable. Refuses to replace another hook unless `force`.
 */
export async function installPreCommitHook(options: GitOptions & { force: boolean }): Promise<{ file: string; outcome: HookOutcome }> {
  const located = await runGit(['rev-parse', '--git-path', 'hooks/pre-commit'], options);
  if (located.code !== 0) {
    if (/not a git repository/i.test(located.stderr)) throw new InputError(`${options.cwd} is not in a git repository, so there is no pre-commit hook to install.`);
    throw new FileError(`git could not locate the hooks folder: ${firstLine(located.stderr)}.`);
  }
  const file = path.resolve(options.cwd, located.stdout.toString('utf8').trim());
  let existing: string | undefined;
  try {
    const stat = await fs.lstat(file);
    existing = stat.isFile() ? await fs.readFile(file, 'utf8') : '';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new FileError(`${file} could not be read, so the hook was not installed.`);
  }
  if (existing === PRE_COMMIT_HOOK) {
    await fs.chmod(file, 0o755);
    return { file, outcome: 'unchanged' };
  }
  if (existing !== undefined && !options.force) {
    throw new InputError(`A pre-commit hook already exists at ${file}; pass --force to replace it, or call "crucible-keys scan --staged" from it.`);
  }
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    if (existing !== undefined) await fs.rm(file, { force: true });
    await writeFileAtomic(file, PRE_COMMIT_HOOK, { mode: 0o755 });
  } catch {
    throw new FileError(`${file} could not be written, so the hook was not installed.`);
  }
  return { file, outcome: existing === undefined ? 'installed' : 'replaced' };
}
