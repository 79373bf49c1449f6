// crucible-keys scan: searches what git would commit (or a plain folder) for API keys, for a pre-commit hook and CI.
// Exit 0 clean, 1 keys found, 2 bad usage, 4 a file or git could not be read.
import * as path from 'node:path';
import { ProviderCatalog } from '../core/catalog';
import { ExitCode, FileError, InputError } from '../core/errors';
import { installPreCommitHook } from '../core/scan/hook';
import { variableSecrets } from '../core/scan/known';
import { scan } from '../core/scan/scanner';
import { DEFAULT_MAX_FILE_BYTES } from '../core/scan/sources';
import { describeFinding, type ScanResult, type SkipReason } from '../core/scan/types';
import { readEnvFile } from '../core/envFile';
import type { CliIo } from './io';

export const SCAN_OPTIONS = {
  staged: { type: 'boolean' },
  commits: { type: 'string' },
  'env-file': { type: 'string' },
  dotenv: { type: 'string' },
  'max-file-size': { type: 'string' },
  json: { type: 'boolean' },
  'install-hook': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export interface ScanValues {
  staged?: boolean;
  commits?: string;
  'env-file'?: string;
  dotenv?: string;
  'max-file-size'?: string;
  json?: boolean;
  'install-hook'?: boolean;
  force?: boolean;
}

const MB = 1024 * 1024;

function wholeNumber(text: string, option: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new InputError(`${option} takes a whole number from 1 to ${max}; got "${text}".`);
  return Number(text);
}

/** A path as one printable token: quoted (JSON-style) when it holds a newline, a quote or any control character. */
function shown(file: string): string {
  return [...file].some((char) => char < ' ' || char === '\x7f' || char === '"' || char === '\\') ? JSON.stringify(file) : file;
}

const SKIP_WORDS: Record<SkipReason, string> = {
  binary: 'binary', 'too-large': 'too large', symlink: 'symbolic link', 'not-a-file': 'not a regular file', unreadable: 'unreadable',
  'outside-folder': 'outside the folder', 'env-file': 'the .env the known values came from', submodule: 'submodule',
};
/** Reasons worth naming each file for: the key could be there and was not looked at. */
const NAMED: ReadonlySet<SkipReason> = new Set(['too-large', 'unreadable', 'outside-folder']);

export async function runScan(values: ScanValues, positionals: readonly string[], io: CliIo): Promise<number> {
  if (positionals.length > 1) throw new InputError(`scan takes at most one PATH; got "${positionals[1]}" too.`);
  const root = path.resolve(io.cwd, positionals[0] ?? '.');
  if (values['install-hook']) {
    if (values.staged || values.commits !== undefined || values.json) throw new InputError('--install-hook takes only PATH and --force.');
    const { file, outcome } = await installPreCommitHook({ cwd: root, gitAllowed: true, force: values.force ?? false });
    io.stdout(outcome === 'unchanged' ? `${file} is already the crucible-keys hook.\n` : `${outcome === 'replaced' ? 'Replaced' : 'Installed'} ${file}: every commit now runs "crucible-keys scan --staged".\n`);
    return ExitCode.ok;
  }
  if (values.force) throw new InputError('--force goes with --install-hook.');
  const commits = values.commits === undefined ? 0 : wholeNumber(values.commits, '--commits', 10_000);
  const maxFileBytes = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_BYTES : wholeNumber(values['max-file-size'], '--max-file-size', 1024) * MB;

  // The user's own keys: every provider variable in the environment and in the .env (by default the folder's own).
  const catalog = new ProviderCatalog();
  const envFile = values['env-file'] === undefined ? path.join(root, '.env') : path.resolve(io.cwd, values['env-file']);
  const contents = await readEnvFile(envFile);
  if (values['env-file'] !== undefined && !contents.exists) throw new FileError(`${envFile} does not exist.`);
  const shownEnvFile = path.relative(root, envFile).startsWith('..') ? envFile : path.relative(root, envFile);
  const known = [...variableSecrets(catalog, contents.values, `in ${shownEnvFile}`), ...variableSecrets(catalog, io.env, 'in the environment')];

  const result = await scan({
    root, gitAllowed: true, providers: catalog.all(), known, worktree: !values.staged, staged: values.staged, commits, maxFileBytes, exclude: [envFile],
  });
  if (values.json) io.stdout(`${JSON.stringify(toJson(result, known.length), null, 2)}\n`);
  else io.stdout(report(result, maxFileBytes));
  if (result.findings.length === 0) return ExitCode.ok;
  // A hook sees why the commit stopped even when stdout goes nowhere: one line on stderr, as for every failure.
  io.stderr(`crucible-keys: ${result.findings.length} key${result.findings.length === 1 ? '' : 's'} found.\n`);
  return ExitCode.failed;
}

function toJson(result: ScanResult, knownValues: number) {
  return {
    root: result.root, mode: result.mode, scanned: result.scanned, commits: result.commits, knownValues,
    findings: result.findings.map((finding) => ({ ...finding, message: describeFinding(finding) })),
    skipped: result.skipped,
  };
}

function report(result: ScanResult, maxFileBytes: number): string {
  const lines = result.findings.map((finding) => {
    const commit = finding.commit ? ` (${finding.commit.slice(0, 12)})` : finding.origin === 'staged' ? ' (staged)' : '';
    return `${shown(finding.file)}:${finding.line}:${finding.column}${commit}: ${finding.rule}: ${describeFinding(finding)}`;
  });
  const counts = new Map<SkipReason, number>();
  for (const skipped of result.skipped) {
    counts.set(skipped.reason, (counts.get(skipped.reason) ?? 0) + 1);
    if (NAMED.has(skipped.reason)) {
      const why = skipped.reason === 'too-large' ? `larger than ${Math.round(maxFileBytes / MB)} MB` : SKIP_WORDS[skipped.reason];
      lines.push(`skipped ${shown(skipped.file)}${skipped.origin === 'worktree' ? '' : ` (${skipped.origin})`}: ${why}`);
    }
  }
  const files = new Set(result.findings.map((finding) => finding.file)).size;
  const what = result.findings.length === 0 ? 'No keys found' : `${result.findings.length} key${result.findings.length === 1 ? '' : 's'} found in ${files} file${files === 1 ? '' : 's'}`;
  const scope = `${result.scanned} file${result.scanned === 1 ? '' : 's'} scanned${result.commits ? `, with what ${result.commits} commit${result.commits === 1 ? '' : 's'} added` : ''}`;
  const skips = [...counts].map(([reason, count]) => `${count} ${SKIP_WORDS[reason]}`).join(', ');
  lines.push(`${what} (${scope}${skips ? `; skipped ${skips}` : ''}).`);
  return `${lines.join('\n')}\n`;
}
