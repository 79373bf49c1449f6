// crucible-keys doctor: the Diagnose report for deployments. The keys are the ones Crucible would read (the
// environment, then .env); each is checked live unless --no-verify. Exits 1, with one line on stderr, on problems.
import * as path from 'node:path';
import { ProviderCatalog } from '../core/catalog';
import { findProviderKeys } from '../core/crucibleEnv';
import { describeFix } from '../core/diagnose/fixes';
import { buildDiagnoseReport } from '../core/diagnose/report';
import type { DiagnoseReport, Severity } from '../core/diagnose/types';
import { readEnvFile } from '../core/envFile';
import { ExitCode, InputError } from '../core/errors';
import { RedactingLogger, Redactor } from '../core/redact';
import { DEFAULT_TIMEOUT_MS, KeyVerifier } from '../core/verify/verifier';
import type { CliIo } from './io';
import { parse } from './main';
import { envFileOption, envProxy, LIVE_CHECK_OPTIONS, parseTimeoutMs } from './options';
import { parseBaseUrls } from './verifyCommand';

export const DOCTOR_OPTIONS = {
  ...LIVE_CHECK_OPTIONS,
  'no-verify': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

const MARK: Readonly<Record<Severity, string>> = { ok: 'ok', info: 'info', warning: 'warning', problem: 'PROBLEM' };

/** The report as text: a heading per section, a line per check, its details and its fix indented below. */
export function formatReport(report: DiagnoseReport): string {
  const lines = [`crucible-keys doctor: ${report.envFile ?? report.folder ?? 'the environment'}`];
  for (const section of report.sections) {
    lines.push('', section.title);
    for (const check of section.checks) {
      lines.push(`  ${MARK[check.severity].padEnd(8)} ${check.title}`);
      for (const detail of check.detail ?? []) lines.push(`           ${detail}`);
      if (check.fix && check.severity !== 'ok' && check.severity !== 'info') lines.push(`           fix: ${describeFix(check.fix)}`);
    }
  }
  const { counts } = report;
  lines.push('', `${counts.problem} problem${counts.problem === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.ok} ok, ${counts.info} for information.`);
  return `${lines.join('\n')}\n`;
}

export async function runDoctor(args: string[], io: CliIo, help: (io: CliIo) => number): Promise<number> {
  const { values, positionals } = parse(args, DOCTOR_OPTIONS);
  if (values.help) return help(io);
  if (positionals.length > 0) throw new InputError(`doctor takes no arguments; got "${positionals[0]}".`);
  const catalog = new ProviderCatalog();
  const providers = (values.provider ?? []).map((id) => catalog.require(id).id);
  const baseUrls = parseBaseUrls(values['base-url']);
  for (const id of Object.keys(baseUrls)) catalog.require(id);
  const timeoutMs = parseTimeoutMs(values.timeout, DEFAULT_TIMEOUT_MS);
  const envFile = path.resolve(io.cwd, envFileOption(values) ?? '.env');
  // Read once up front, so that a file that cannot be read is the command's failure (exit 4), not a line of the report.
  const contents = await readEnvFile(envFile);

  const redactor = new Redactor();
  const releases = findProviderKeys(catalog, { ...contents.values, ...io.env }).map((found) => redactor.hold(found.value));
  const logger = new RedactingLogger({ write: (level, line) => io.stderr(`[${level}] ${line}\n`) }, redactor, values.verbose ? 'debug' : 'warn');
  const verifier = values['no-verify'] ? undefined : new KeyVerifier({ logger, redactor, timeoutMs, baseUrls, proxy: envProxy(io.env) });
  try {
    const report = await buildDiagnoseReport({
      catalog, providers: providers.length ? providers : undefined, folder: path.dirname(envFile), envFile, environment: io.env, gitAllowed: true,
      verify: verifier ? (provider, key) => verifier.verify(provider, key) : undefined,
    });
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    const problems = report.counts.problem;
    if (problems === 0) return ExitCode.ok;
    io.stderr(`crucible-keys: ${problems} problem${problems === 1 ? '' : 's'} found.\n`);
    return ExitCode.failed;
  } finally {
    releases.forEach((release) => release());
    await verifier?.close();
  }
}
