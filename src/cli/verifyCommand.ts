// crucible-keys verify: checks the keys Crucible would read, concurrently, and prints a table or JSON.
import * as path from 'node:path';
import { ProviderCatalog } from '../core/catalog';
import { findProviderKeys } from '../core/crucibleEnv';
import { maskKey } from '../core/keyFormat';
import { Redactor, RedactingLogger } from '../core/redact';
import type { Credits, VerifyResult } from '../core/verify/types';
import { isDecided } from '../core/verify/types';
import { DEFAULT_TIMEOUT_MS, KeyVerifier } from '../core/verify/verifier';
import { readEnvFile } from '../core/envFile';
import type { CliIo } from './io';
import { envProxy, LIVE_CHECK_OPTIONS, parseTimeoutMs } from './options';
import { table } from './table';
import { ExitCode, InputError } from '../core/errors';

export const VERIFY_OPTIONS = {
  ...LIVE_CHECK_OPTIONS,
  verbose: { type: 'boolean', short: 'v' },
} as const;

export interface VerifyValues {
  'env-file'?: string;
  provider?: string[];
  'base-url'?: string[];
  timeout?: string;
  json?: boolean;
  verbose?: boolean;
}

/** --base-url ID=URL, repeated: the API origin to check each provider at. */
export function parseBaseUrls(values: string[] | undefined): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const item of values ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new InputError(`--base-url takes ID=URL, e.g. openai=http://127.0.0.1:8080; got "${item}".`);
    urls[item.slice(0, at)] = item.slice(at + 1);
  }
  return urls;
}

/** The closing exit code: 0 all valid, 1 any rejected or out of credit, 3 any undecided. */
export function verifyExitCode(results: readonly VerifyResult[]): number {
  if (results.some((result) => result.verdict === 'rejected' || result.verdict === 'no_credit')) return ExitCode.failed;
  if (results.some((result) => !isDecided(result.verdict))) return ExitCode.undecided;
  return ExitCode.ok;
}

export async function runVerify(values: VerifyValues, io: CliIo): Promise<number> {
  const catalog = new ProviderCatalog();
  const baseUrls = parseBaseUrls(values['base-url']);
  for (const id of Object.keys(baseUrls)) catalog.require(id);
  const timeoutMs = parseTimeoutMs(values.timeout, DEFAULT_TIMEOUT_MS);
  const wanted = (values.provider ?? []).map((id) => catalog.require(id).id);

  const envFile = path.resolve(io.cwd, values['env-file'] ?? '.env');
  const fileValues = (await readEnvFile(envFile)).values;
  // The process environment wins over .env, as it does for Crucible's settings loader and docker compose.
  const found = findProviderKeys(catalog, { ...fileValues, ...io.env }).filter((entry) => wanted.length === 0 || wanted.includes(entry.provider.id));
  for (const id of wanted) {
    if (!found.some((entry) => entry.provider.id === id)) throw new InputError(`No key for ${id}: set ${catalog.require(id).readVars.join(' or ')} in the environment or ${envFile}.`);
  }
  if (found.length === 0) throw new InputError(`No provider keys found in the environment or ${envFile}.`);

  const redactor = new Redactor();
  const releases = found.map((entry) => redactor.hold(entry.value));
  const logger = new RedactingLogger({ write: (level, line) => io.stderr(`[${level}] ${line}\n`) }, redactor, values.verbose ? 'debug' : 'warn');
  const verifier = new KeyVerifier({
    logger, redactor, timeoutMs, baseUrls,
    proxy: envProxy(io.env),
  });
  try {
    const results = await verifier.verifyAll(found.map((entry) => ({ provider: entry.provider, key: entry.value })));
    const order = new Map(found.map((entry, index) => [entry.provider.id, index]));
    results.sort((a, b) => (order.get(a.provider) ?? 0) - (order.get(b.provider) ?? 0));
    if (values.json) {
      io.stdout(`${JSON.stringify(results.map((result) => ({
        provider: result.provider, verdict: result.verdict, httpStatus: result.httpStatus ?? null, latencyMs: result.latencyMs, message: result.message,
        ...(result.note ? { note: result.note } : {}),
        ...(result.credits ? { credits: result.credits } : {}),
        ...(result.key ? { key: result.key } : {}),
        ...(result.rateLimit ? { rateLimit: result.rateLimit } : {}),
        ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
      })), null, 2)}\n`);
    } else {
      const rows = results.map((result) => {
        const entry = found.find((candidate) => candidate.provider.id === result.provider)!;
        const details = [result.message, result.note ? `(${result.note})` : undefined, usage(result.credits)].filter(Boolean).join(' ');
        return [result.provider, result.verdict, result.httpStatus ? String(result.httpStatus) : '-', `${result.latencyMs} ms`, `${entry.variable}=${maskKey(entry.value, catalog.all())}`, details];
      });
      io.stdout(table([['PROVIDER', 'VERDICT', 'HTTP', 'TIME', 'KEY', 'MESSAGE'], ...rows]));
    }
    const code = verifyExitCode(results);
    const failed = results.filter((result) => result.verdict === 'rejected' || result.verdict === 'no_credit').length;
    const undecided = results.filter((result) => !isDecided(result.verdict)).length;
    if (code === ExitCode.failed) io.stderr(`crucible-keys: ${failed} key${failed === 1 ? ' was' : 's were'} refused or out of credit.\n`);
    else if (code === ExitCode.undecided) io.stderr(`crucible-keys: ${undecided} key${undecided === 1 ? '' : 's'} could not be checked.\n`);
    return code;
  } finally {
    releases.forEach((release) => release());
    await verifier.close();
  }
}

/** "Usage today $0.75, this month $12.50.", when the provider reports it (OpenRouter). */
function usage(credits: Credits | undefined): string | undefined {
  if (!credits || (credits.usageDaily === undefined && credits.usageMonthly === undefined)) return undefined;
  const amount = (value: number): string => (credits.currency === 'USD' ? `$${value.toFixed(2)}` : `${value.toFixed(2)} ${credits.currency}`);
  const parts = [credits.usageDaily !== undefined ? `today ${amount(credits.usageDaily)}` : undefined, credits.usageMonthly !== undefined ? `this month ${amount(credits.usageMonthly)}` : undefined];
  return `Usage ${parts.filter(Boolean).join(', ')}.`;
}
