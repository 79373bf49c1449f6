// The key itself: whitespace or invisible characters (which Crucible would send as part of the key, since it reads
// variables byte for byte), then its format against the catalog. Characters are named, never shown.
import { accountKeyPrefix } from '../keyKind';
import { checkKeyFor, KeyFormatError, normalizeKey } from '../keyFormat';
import { masked, where, type DiagnoseContext, type ProviderView, type SourcedValue } from './context';
import type { DiagnoseCheck, DiagnoseFix } from './types';

/** Why a value is not usable as it stands (one sentence about `subject`), or undefined when it is clean. */
export function characterProblem(value: string, subject: string): string | undefined {
  let normalized: string;
  try {
    normalized = normalizeKey(value);
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    return /^The key\b/.test(error.message) ? error.message.replace(/^The key\b/, subject) : `${subject}: ${error.message.replace(/^./, (c) => c.toLowerCase())}`;
  }
  if (normalized === value) return undefined;
  return value.trim() !== value
    ? `${subject} starts or ends with whitespace, which Crucible would send as part of the key.`
    : `${subject} is wrapped in quotes, which Crucible would send as part of the key.`;
}

function subjectOf(view: ProviderView, value: SourcedValue | undefined): string {
  return value ? `${value.variable} ${where(value.source)}` : `The stored ${view.provider.label} key`;
}

function characterCheck(context: DiagnoseContext, view: ProviderView, value: SourcedValue | undefined): DiagnoseCheck {
  const { provider } = view;
  const raw = value ? value.value : view.stored!;
  const subject = subjectOf(view, value);
  const id = `key.characters:${provider.id}${value ? `:${value.variable}` : ''}`;
  const problem = characterProblem(raw, subject);
  if (!problem) return { id, provider: provider.id, severity: 'ok', title: `${subject} has no whitespace or invisible characters.` };
  let fix: DiagnoseFix | undefined;
  if (!value) fix = { kind: 'enterKey', provider: provider.id };
  else if (value.source === '.env' && view.stored && context.folder && !characterProblem(view.stored, '')) fix = { kind: 'copyKeyToEnv', provider: provider.id, folder: context.folder };
  const detail = value?.source === 'environment' ? ['Fix it where the variable is set (a shell profile, a service definition); an environment variable wins over .env.'] : undefined;
  return { id, provider: provider.id, severity: 'problem', title: problem, detail, fix };
}

function formatCheck(context: DiagnoseContext, view: ProviderView): DiagnoseCheck {
  const { provider } = view;
  const key = view.key!;
  const subject = subjectOf(view, view.stored === undefined ? view.active : undefined);
  const check = checkKeyFor(provider, key, context.catalog.all());
  const id = `key.format:${provider.id}`;
  if (check.warnings.length === 0) {
    return { id, provider: provider.id, severity: 'ok', title: `${subject} (${masked(context, key)}) has the usual ${provider.label} format.` };
  }
  const account = accountKeyPrefix(check.looksLike ?? provider, check.key) !== undefined;
  return {
    id, provider: provider.id, severity: account ? 'problem' : 'warning', title: check.warnings[0],
    detail: [`${subject}: ${masked(context, key)}.`, ...check.warnings.slice(1)],
    fix: view.stored !== undefined ? { kind: 'enterKey', provider: provider.id } : undefined,
  };
}

export function keyChecks(context: DiagnoseContext): DiagnoseCheck[] {
  const checks: DiagnoseCheck[] = [];
  const cli = context.input.storedKeys === undefined;
  for (const view of context.views) {
    const { provider } = view;
    if (view.key === undefined) {
      checks.push({
        id: `key.missing:${provider.id}`, provider: provider.id, severity: 'warning',
        title: `No ${provider.label} key is ${cli ? 'set' : 'stored, nor set'} in the environment or in .env.`,
        detail: [`Crucible reads ${provider.readVars.join(', then ')}.`],
        fix: cli ? undefined : { kind: 'enterKey', provider: provider.id },
      });
      continue;
    }
    if (view.stored !== undefined) checks.push(characterCheck(context, view, undefined));
    // What Crucible reads is checked too when it is not the stored key: that value is the one sent.
    if (view.active && view.active.value !== view.stored) checks.push(characterCheck(context, view, view.active));
    if (!characterProblem(view.key, '')) checks.push(formatCheck(context, view));
  }
  return checks;
}
