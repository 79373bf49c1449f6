// Diagnose: runs the troubleshooting list over ports (no vscode) and returns a typed report. Every sentence goes
// through a redactor that holds every key and passphrase seen, so a slip in any check cannot put a secret in it.
import { systemClock } from '../ports';
import { truncateRedacted } from '../redact';
import { composeChecks } from './composeChecks';
import { buildContext } from './context';
import { crucibleChecks } from './crucibleChecks';
import { driftChecks } from './driftChecks';
import { keyChecks } from './keyChecks';
import { liveChecks } from './liveChecks';
import { logChecks } from './logChecks';
import { projectChecks } from './projectChecks';
import { SEVERITIES, type DiagnoseCheck, type DiagnoseInput, type DiagnoseReport, type DiagnoseSection, type SectionId, type Severity } from './types';

/** Longer than any sentence a check writes; a longer one carries a name or path from a hostile file. */
const MAX_LINE_CHARS = 600;

const SECTION_TITLES: Readonly<Record<SectionId, string>> = {
  keys: 'Keys', live: 'Live check', logs: 'Logs', project: 'Project', drift: '.env and the stored keys', crucible: 'How Crucible reads the keys', compose: 'Docker compose',
};

/** Ids stay unique: a second check with the same id gets a counter. */
function uniqueIds(sections: DiagnoseSection[]): void {
  const seen = new Map<string, number>();
  for (const check of sections.flatMap((section) => section.checks)) {
    const count = seen.get(check.id) ?? 0;
    seen.set(check.id, count + 1);
    if (count > 0) check.id = `${check.id}#${count + 1}`;
  }
}

export async function buildDiagnoseReport(input: DiagnoseInput): Promise<DiagnoseReport> {
  const context = await buildContext(input);
  const [live, logs, project, compose] = await Promise.all([liveChecks(context), logChecks(context), projectChecks(context), composeChecks(context)]);
  const checks: Record<SectionId, DiagnoseCheck[]> = {
    keys: keyChecks(context), live, logs: [...logs, ...compose.logs], project, drift: driftChecks(context), crucible: crucibleChecks(context), compose: compose.compose,
  };
  // Names and paths come from files: one line each, never longer than a line should be, and redacted before the cut.
  const redact = (text: string) => truncateRedacted(context.redactor.redact(text).replace(/[\p{Cc}\u2028\u2029]/gu, '?'), MAX_LINE_CHARS);
  // Ids name services and container paths from the compose file, which can interpolate a key: redacted too, uncut.
  const redactId = (text: string) => context.redactor.redact(text).replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  const sections = (Object.keys(SECTION_TITLES) as SectionId[]).filter((id) => checks[id].length > 0).map((id): DiagnoseSection => ({
    id, title: SECTION_TITLES[id],
    checks: checks[id].map(({ detail, ...check }) => ({ ...check, id: redactId(check.id), title: redact(check.title), ...(detail?.length ? { detail: detail.map(redact) } : {}) })),
  }));
  uniqueIds(sections);
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const check of sections.flatMap((section) => section.checks)) counts[check.severity]++;
  return {
    version: 1, generatedAt: new Date((input.clock ?? systemClock).now()).toISOString(),
    ...(context.folder ? { folder: context.folder } : {}), ...(context.envFile ? { envFile: context.envFile } : {}),
    providers: context.views.map((view) => view.provider.id), sections, counts,
  };
}
