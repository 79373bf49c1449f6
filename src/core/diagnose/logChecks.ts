// Where the logs are, and the last errors logged for each provider, redacted again and cut short here (after
// redaction, so a cut can never split a key the redactor would then miss).
import type { DiagnoseContext } from './context';
import type { DiagnoseCheck } from './types';

/** How many of a provider's latest errors are shown, and how long each may be. */
export const MAX_ERRORS_SHOWN = 5;
export const MAX_ERROR_CHARS = 300;

export async function logChecks(context: DiagnoseContext): Promise<DiagnoseCheck[]> {
  const { logLocation, recentErrors } = context.input;
  const checks: DiagnoseCheck[] = [];
  if (logLocation) checks.push({ id: 'logs.location', severity: 'info', title: `Crucible Keys writes its log to ${logLocation}.`, fix: { kind: 'showLogs' } });
  if (!recentErrors) return checks;
  for (const view of context.views) {
    const { provider } = view;
    const lines = [...(await recentErrors(provider.id))].slice(-MAX_ERRORS_SHOWN).map((line) => context.redactor.redactAndTruncate(line.split(/\r?\n/)[0], MAX_ERROR_CHARS));
    checks.push(lines.length === 0
      ? { id: `logs.recent:${provider.id}`, provider: provider.id, severity: 'ok', title: `No errors were logged for ${provider.label}.` }
      : { id: `logs.recent:${provider.id}`, provider: provider.id, severity: 'warning', title: `${lines.length === 1 ? 'One error was' : `The last ${lines.length} errors were`} logged for ${provider.label}.`, detail: lines, fix: logLocation ? { kind: 'showLogs' } : undefined });
  }
  return checks;
}
