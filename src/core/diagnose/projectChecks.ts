// The project: its .env (readable? kept out of git?) and API_KEY_ENCRYPTION_KEY (missing, weak, or Crucible's public
// development default), taken in Crucible's order: the environment, then .env. In Restricted Mode no git runs and
// the .env's passphrase is not read.
import { RESTRICTED_GIT } from '../env/plaintextWrite';
import { errnoCode } from '../env/envErrors';
import { checkGitSafety, type GitSafety } from '../gitSafety';
import { ENCRYPTION_KEY_VAR, judgePassphrase } from '../passphrase';
import { effectiveValue, where, type DiagnoseContext } from './context';
import type { DiagnoseCheck, Severity } from './types';

function envFileCheck(context: DiagnoseContext, envFile: string): DiagnoseCheck {
  const id = 'project.envFile';
  if (context.envError) return { id, severity: 'problem', title: context.envError };
  if (!context.env?.exists) return { id, severity: 'warning', title: `There is no .env at ${envFile}, so Crucible gets its keys from the environment alone.` };
  return { id, severity: 'ok', title: `The .env is ${context.env.path}.` };
}

const GIT_SEVERITY: Readonly<Record<GitSafety['state'], Severity>> = {
  ignored: 'ok', not_ignored: 'problem', tracked: 'problem', not_a_repo: 'info', git_missing: 'info', unknown: 'warning',
};

async function gitCheck(context: DiagnoseContext, envFile: string): Promise<DiagnoseCheck> {
  const id = 'project.git';
  if (!context.input.gitAllowed) return { id, severity: 'info', title: RESTRICTED_GIT.message };
  let safety: GitSafety;
  try {
    safety = await checkGitSafety(envFile);
  } catch (error) {
    // A probe of the file system and of git: whatever stops it, the rest of the report still stands.
    return { id, severity: 'warning', title: `Whether git ignores the .env could not be checked (${errnoCode(error) ?? 'unexpected error'}).` };
  }
  const severity = safety.state === 'not_ignored' && !context.env?.exists ? 'warning' : GIT_SEVERITY[safety.state];
  const fixable = (safety.state === 'tracked' || safety.state === 'not_ignored') && context.folder !== undefined;
  return {
    id, severity, title: safety.message,
    detail: safety.state === 'tracked' ? ['Keys already committed stay in the history: rotate them.'] : undefined,
    fix: fixable ? { kind: 'ignoreEnv', folder: context.folder!, envFile, untrack: safety.tracked } : undefined,
  };
}

function passphraseCheck(context: DiagnoseContext): DiagnoseCheck {
  const id = 'project.passphrase';
  const fromEnvironment = Object.hasOwn(context.input.environment, ENCRYPTION_KEY_VAR) && context.input.environment[ENCRYPTION_KEY_VAR] !== undefined;
  if (!fromEnvironment && !context.input.gitAllowed && context.env?.exists) {
    return { id, severity: 'info', title: `${ENCRYPTION_KEY_VAR} in .env is not read in Restricted Mode (the workspace is not trusted).` };
  }
  const found = effectiveValue(context, ENCRYPTION_KEY_VAR);
  const strength = judgePassphrase(found?.value);
  const folder = context.folder;
  const inEnvironment = found?.source === 'environment';
  const environmentNote = inEnvironment ? [`It is set in the environment, which wins over .env: change it there.`] : [];
  if (found && found.value.trim() !== found.value && found.value.trim() !== '') {
    return { id, severity: 'problem', title: `${ENCRYPTION_KEY_VAR} ${where(found.source)} starts or ends with whitespace, which Crucible keeps as part of it.`, detail: environmentNote };
  }
  if (strength.verdict === 'ok') return { id, severity: 'ok', title: `${ENCRYPTION_KEY_VAR} ${where(found!.source)} is set and strong enough.` };
  const fix = inEnvironment || !folder ? undefined
    : strength.verdict === 'missing' ? { kind: 'generatePassphrase' as const, folder } : { kind: 'rotatePassphrase' as const, folder };
  return { id, severity: 'problem', title: strength.message, detail: [...(found ? [`It is read ${where(found.source)}.`] : []), ...environmentNote], fix };
}

export async function projectChecks(context: DiagnoseContext): Promise<DiagnoseCheck[]> {
  const checks: DiagnoseCheck[] = [];
  if (context.envFile) {
    checks.push(envFileCheck(context, context.envFile));
    checks.push(await gitCheck(context, context.envFile));
  }
  checks.push(passphraseCheck(context));
  return checks;
}
