// Drift: a provider's variables in .env (and in the environment) against the stored key. Compared in memory; only
// masks are shown, and when two different keys share a mask the report says they differ where the mask hides.
import type { DiagnoseContext, ProviderView, ValueSource } from './context';
import { masked, where } from './context';
import type { DiagnoseCheck, DiagnoseFix } from './types';

function comparison(context: DiagnoseContext, view: ProviderView, variable: string, source: ValueSource, value: string): DiagnoseCheck {
  const stored = view.stored!;
  const { provider } = view;
  const id = `drift.${source === '.env' ? 'env' : 'environment'}:${provider.id}:${variable}`;
  const fix: DiagnoseFix | undefined = source === '.env' && context.folder ? { kind: 'copyKeyToEnv', provider: provider.id, folder: context.folder } : undefined;
  const subject = `${variable} ${where(source)}`;
  if (value === stored) return { id, provider: provider.id, severity: 'ok', title: `${subject} is the stored ${provider.label} key (${masked(context, stored)}).` };
  if (value === '') return { id, provider: provider.id, severity: 'warning', title: `${subject} is empty, so Crucible does not get the stored ${provider.label} key from it.`, fix };
  if (value.trim() === stored.trim()) {
    return { id, provider: provider.id, severity: 'problem', title: `${subject} differs from the stored ${provider.label} key only by surrounding whitespace, which Crucible would send.`, fix };
  }
  const ours = masked(context, stored);
  const theirs = masked(context, value);
  const detail = ours === theirs ? [`Both show as ${ours}: they differ where the mask hides the key.`] : undefined;
  const consequence = source === 'environment' ? '; Crucible started from this environment uses it, not .env' : '';
  return { id, provider: provider.id, severity: source === '.env' ? 'problem' : 'warning', title: `${subject} (${theirs}) differs from the stored ${provider.label} key (${ours})${consequence}.`, detail, fix };
}

export function driftChecks(context: DiagnoseContext): DiagnoseCheck[] {
  if (context.input.storedKeys === undefined) return [];
  const checks: DiagnoseCheck[] = [];
  const fileValues = context.env?.values ?? {};
  for (const view of context.views) {
    if (view.stored === undefined) continue;
    const { provider } = view;
    const variables = [...new Set([provider.writeVar, ...provider.readVars])];
    const inFile = variables.filter((variable) => Object.hasOwn(fileValues, variable));
    if (context.envFile && context.env && inFile.length === 0) {
      checks.push({
        id: `drift.env:${provider.id}`, provider: provider.id, severity: 'info', title: `The stored ${provider.label} key is not in .env.`,
        fix: context.folder ? { kind: 'copyKeyToEnv', provider: provider.id, folder: context.folder } : undefined,
      });
    }
    for (const variable of inFile) checks.push(comparison(context, view, variable, '.env', fileValues[variable]));
    for (const variable of variables) {
      const value = Object.hasOwn(context.input.environment, variable) ? context.input.environment[variable] : undefined;
      if (value !== undefined && value !== view.stored) checks.push(comparison(context, view, variable, 'environment', value));
    }
  }
  return checks;
}
