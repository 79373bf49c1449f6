// Crucible's own ways of reading a key wrong: an alias read before the written variable (or after it, never used),
// the environment hiding .env, and the three .env readers Crucible depends on (python-dotenv in its API, compose-go
// for docker compose, npm dotenv here) reading a value differently.
import type { ProviderInfo } from '../catalog';
import { disagreeingReader, readerViews } from '../env/readerViews';
import { findAssignments } from '../envText';
import { ENCRYPTION_KEY_VAR } from '../passphrase';
import { effectiveValue, masked, where, type DiagnoseContext, type ProviderView, type SourcedValue } from './context';
import type { DiagnoseCheck, DiagnoseFix } from './types';

function aliasCheck(context: DiagnoseContext, view: ProviderView, alias: SourcedValue, written: SourcedValue | undefined): DiagnoseCheck {
  const { provider } = view;
  const id = `crucible.alias:${provider.id}:${alias.variable}`;
  const order = `Crucible reads ${provider.readVars.join(', then ')}; the first one set wins.`;
  const folder = context.folder;
  const canWrite = view.stored !== undefined && folder !== undefined;
  if (!written || written.value === '') {
    return {
      id, provider: provider.id, severity: 'warning',
      title: `Only ${alias.variable} is set ${where(alias.source)}; ${provider.writeVar}, the name Crucible's docs and compose file use, is not.`,
      detail: [order],
      fix: canWrite ? { kind: 'copyKeyToEnv', provider: provider.id, folder } : undefined,
    };
  }
  if (alias.value === written.value) return { id, provider: provider.id, severity: 'ok', title: `${alias.variable} and ${provider.writeVar} hold the same ${provider.label} key.` };
  const fix: DiagnoseFix | undefined = canWrite ? { kind: 'updateAlias', provider: provider.id, variable: alias.variable, folder } : undefined;
  const readFirst = provider.readVars.indexOf(alias.variable) < provider.readVars.indexOf(provider.writeVar);
  const aliasShown = `${alias.variable} ${where(alias.source)} (${masked(context, alias.value)})`;
  const writtenShown = `${provider.writeVar} ${where(written.source)} (${masked(context, written.value)})`;
  return readFirst
    ? { id, provider: provider.id, severity: 'problem', title: `${aliasShown} shadows ${writtenShown}: Crucible reads ${alias.variable} first.`, detail: [order], fix }
    : { id, provider: provider.id, severity: 'warning', title: `${aliasShown} differs from ${writtenShown}, which Crucible reads first, so it is never used.`, detail: [order], fix };
}

function aliasChecks(context: DiagnoseContext, view: ProviderView): DiagnoseCheck[] {
  const { provider } = view;
  const written = effectiveValue(context, provider.writeVar);
  return provider.readVars.filter((variable) => variable !== provider.writeVar).flatMap((variable) => {
    const alias = effectiveValue(context, variable);
    return alias && alias.value !== '' ? [aliasCheck(context, view, alias, written)] : [];
  });
}

/** A variable set both in the environment and in .env, to different values: the environment's wins everywhere. */
function environmentCheck(context: DiagnoseContext, variable: string, provider?: ProviderInfo): DiagnoseCheck | undefined {
  const fromEnvironment = Object.hasOwn(context.input.environment, variable) ? context.input.environment[variable] : undefined;
  const values = context.env?.values ?? {};
  if (fromEnvironment === undefined || !Object.hasOwn(values, variable) || values[variable] === fromEnvironment) return undefined;
  const shown = (value: string) => (provider ? ` (${masked(context, value)})` : '');
  return {
    id: `crucible.environment:${variable}`, provider: provider?.id, severity: 'warning',
    title: `${variable} is set in the environment${shown(fromEnvironment)} and, differently, in .env${shown(values[variable])}: Crucible and docker compose use the environment's.`,
  };
}

/** A diagnosed variable that python-dotenv or docker compose reads differently from npm dotenv (or a file compose refuses). */
function readerChecks(context: DiagnoseContext, variables: ReadonlyMap<string, ProviderView | undefined>): DiagnoseCheck[] {
  const text = context.env?.text;
  if (!text) return [];
  const assignments = findAssignments(text);
  const views = readerViews(text, assignments);
  const checks: DiagnoseCheck[] = [];
  if (views.composeError) {
    checks.push({ id: 'crucible.readers:compose', severity: 'problem', title: `docker compose refuses the .env (${views.composeError.message}), so it starts no service with it.`, fix: context.envFile ? { kind: 'openFile', file: context.envFile, line: views.composeError.line || undefined } : undefined });
  }
  for (const [variable, view] of variables) {
    const value = views.npm.get(variable);
    if (value === undefined) continue;
    const reader = disagreeingReader(views, variable, value);
    if (!reader) continue;
    const line = assignments.find((assignment) => assignment.name === variable)?.line;
    const fix: DiagnoseFix | undefined = view?.stored !== undefined && context.folder
      ? { kind: 'copyKeyToEnv', provider: view.provider.id, folder: context.folder }
      : context.envFile ? { kind: 'openFile', file: context.envFile, line } : undefined;
    checks.push({
      id: `crucible.readers:${variable}`, provider: view?.provider.id, severity: 'problem',
      title: `${reader} reads ${variable} in .env differently from the other .env readers.`,
      detail: ['Crucible\'s API reads .env with python-dotenv and docker compose with compose-go; a value written by Crucible Keys reads the same in both.'],
      fix,
    });
  }
  return checks;
}

export function crucibleChecks(context: DiagnoseContext): DiagnoseCheck[] {
  const checks: DiagnoseCheck[] = [];
  const variables = new Map<string, ProviderView | undefined>();
  for (const view of context.views) {
    checks.push(...aliasChecks(context, view));
    for (const variable of view.provider.readVars) variables.set(variable, view);
  }
  variables.set(ENCRYPTION_KEY_VAR, undefined);
  for (const [variable, view] of variables) {
    const check = environmentCheck(context, variable, view?.provider);
    if (check) checks.push(check);
  }
  checks.push(...readerChecks(context, variables));
  return checks;
}
