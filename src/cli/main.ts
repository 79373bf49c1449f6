// The crucible-keys command line: a thin layer over src/core, for scripts and automated deployments.
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProviderCatalog } from '../core/catalog';
import { findProviderKeys, providerEnvUpdates } from '../core/crucibleEnv';
import { updateEnvFile } from '../core/envFile';
import { InvalidToken } from '../core/fernet';
import { checkGitSafety } from '../core/gitSafety';
import { checkKeyFor, maskKey } from '../core/keyFormat';
import { ENCRYPTION_KEY_VAR, generatePassphrase, judgePassphrase } from '../core/passphrase';
import { resolveFernet, readEnvFileForCli } from './encryptionKey';
import type { CliIo } from './io';
import { CrucibleKeysError, ExitCode, InputError } from '../core/errors';
import { runVerify, VERIFY_OPTIONS } from './verifyCommand';
import { runScan, SCAN_OPTIONS } from './scanCommand';

export const USAGE = `Usage: crucible-keys <command> [options]

Commands:
  gen-key                         Print a new API_KEY_ENCRYPTION_KEY passphrase (43 characters).
  encrypt                         Read plaintext on stdin, print a Fernet token.
  decrypt [--ttl S] [--at TIME]   Read a token on stdin, print the plaintext.
  env set PROVIDER                Read a key on stdin and write the provider's Crucible variable into .env.
  env check                       Check that .env is git-ignored and untracked, and API_KEY_ENCRYPTION_KEY is strong.
  verify                          Check every key in the environment and .env against its provider, spending no tokens.
  scan [PATH]                     Search the files git would commit for API keys (exit 1 when found); --staged for
                                  a pre-commit hook, --commits N for history, --install-hook [--force] to add the hook.

Key options (encrypt, decrypt):
  --env-file PATH                 Read API_KEY_ENCRYPTION_KEY from this .env file instead of the environment.
  --fernet-key KEY                Use a raw Fernet key instead of a passphrase.
  --crucible-dev-default          Allow Crucible's public development passphrase when no key is set.

Other options:
  --env-file PATH                 The .env file for env set, env check, verify and scan (default: ./.env).
  --json                          Machine-readable output (env check, verify, scan).
  -h, --help                      Show this help.
  -V, --version                   Print the version.

Exit codes: 0 ok; 1 invalid token, a problem found, a key found by scan, or a key rejected/out of credit;
2 bad usage or input; 3 a key could not be verified either way; 4 a file could not be read or written.
`;

/** Set by esbuild from package.json when the bin is built. */
declare const CRUCIBLE_KEYS_VERSION: string | undefined;

const KEY_OPTIONS = {
  'env-file': { type: 'string' },
  'fernet-key': { type: 'string' },
  'crucible-dev-default': { type: 'boolean' },
} as const;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, ...HELP_OPTION }, allowPositionals: true as const, strict: true as const });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    const ambiguous = /Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
    // Base64 keys may start with "-"; Node only accepts those in the --option=value form.
    if (ambiguous) throw new InputError(`The value of ${ambiguous[1]} starts with "-"; write it as ${ambiguous[1]}=VALUE.`);
    throw new InputError(`${message} (see crucible-keys --help).`);
  }
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof InvalidToken) {
      io.stderr('invalid token\n');
      return error.exitCode;
    }
    if (error instanceof CrucibleKeysError) {
      io.stderr(`crucible-keys: ${error.message.split('\n')[0]}\n`);
      return error.exitCode;
    }
    io.stderr(`crucible-keys: unexpected error: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}\n`);
    return ExitCode.internal;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    io.stdout(`${typeof CRUCIBLE_KEYS_VERSION === 'string' ? CRUCIBLE_KEYS_VERSION : 'development'}\n`);
    return ExitCode.ok;
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? ExitCode.usage : ExitCode.ok;
  }
  switch (command) {
    case 'gen-key': return genKey(rest, io);
    case 'encrypt': return encrypt(rest, io);
    case 'decrypt': return decrypt(rest, io);
    case 'env': return envCommand(rest, io);
    case 'scan': { const { values, positionals } = parse(rest, SCAN_OPTIONS); return values.help ? help(io) : runScan(values, positionals, io); }
    case 'verify': {
      const { values, positionals } = parse(rest, VERIFY_OPTIONS);
      if (values.help) return help(io);
      if (positionals.length > 0) throw new InputError(`verify takes no arguments; got "${positionals[0]}".`);
      return runVerify(values, io);
    }
    default:
      throw new InputError(`Unknown command "${command}"; run crucible-keys --help.`);
  }
}

function help(io: CliIo): number {
  io.stdout(USAGE);
  return ExitCode.ok;
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new InputError(`${command} takes no arguments; got "${positionals[0]}".`);
}

function genKey(args: string[], io: CliIo): number {
  const { values, positionals } = parse(args, {});
  if (values.help) return help(io);
  noPositionals(positionals, 'gen-key');
  io.stdout(`${generatePassphrase()}\n`);
  return ExitCode.ok;
}

async function encrypt(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, KEY_OPTIONS);
  if (values.help) return help(io);
  noPositionals(positionals, 'encrypt');
  const fernet = await resolveFernet({ fernetKey: values['fernet-key'], envFile: values['env-file'], crucibleDevDefault: values['crucible-dev-default'] }, io);
  const input = await io.readStdin();
  const plaintext = input.endsWith('\r\n') ? input.slice(0, -2) : input.endsWith('\n') ? input.slice(0, -1) : input;
  io.stdout(`${fernet.encrypt(plaintext)}\n`);
  return ExitCode.ok;
}

async function decrypt(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { ...KEY_OPTIONS, ttl: { type: 'string' }, at: { type: 'string' } });
  if (values.help) return help(io);
  noPositionals(positionals, 'decrypt');
  const ttlSeconds = values.ttl === undefined ? undefined : parseSeconds(values.ttl);
  const atSeconds = values.at === undefined ? undefined : parseTime(values.at);
  const fernet = await resolveFernet({ fernetKey: values['fernet-key'], envFile: values['env-file'], crucibleDevDefault: values['crucible-dev-default'] }, io);
  const token = (await io.readStdin()).trim();
  const plaintext = fernet.decrypt(token, { ttlSeconds, atSeconds });
  io.stdout(`${plaintext}\n`);
  return ExitCode.ok;
}

function parseSeconds(text: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(`--ttl takes a whole number of seconds; got "${text}".`);
  return Number(text);
}

/** ISO-8601 or Unix seconds, to whole seconds. */
export function parseTime(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text));
  const millis = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(millis)) throw new InputError(`--at takes an ISO-8601 time or Unix seconds; got "${text}".`);
  return Math.floor(millis / 1000);
}

async function envCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'set') return envSet(rest, io);
  if (sub === 'check') return envCheck(rest, io);
  if (sub === '-h' || sub === '--help') return help(io);
  throw new InputError(`env needs "set PROVIDER" or "check"; got "${sub ?? ''}".`);
}

function envFilePath(value: string | undefined, io: CliIo): string {
  return path.resolve(io.cwd, value ?? '.env');
}

async function envSet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { 'env-file': { type: 'string' } });
  if (values.help) return help(io);
  if (positionals.length !== 1) throw new InputError('env set needs exactly one PROVIDER, e.g. crucible-keys env set openrouter < key.txt.');
  const catalog = new ProviderCatalog();
  const provider = catalog.require(positionals[0]);
  const check = checkKeyFor(provider, await io.readStdin(), catalog.all());
  for (const warning of check.warnings) io.stderr(`warning: ${warning}\n`);
  const file = envFilePath(values['env-file'], io);
  const current = await readEnvFileForCli(file);
  const result = await updateEnvFile(file, providerEnvUpdates(provider, check.key, current.values));
  for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
  const parts = [
    result.added.length ? `added ${result.added.join(', ')}` : '',
    result.updated.length ? `updated ${result.updated.join(', ')}` : '',
    result.unchanged.length ? `${result.unchanged.join(', ')} already set` : '',
  ].filter(Boolean);
  io.stdout(`${result.path}: ${parts.join('; ')} (${provider.label}, ${maskKey(check.key, catalog.all())}).\n`);
  const safety = await checkGitSafety(file);
  if (safety.state === 'tracked' || safety.state === 'not_ignored') io.stderr(`warning: ${safety.message}\n`);
  return ExitCode.ok;
}

async function envCheck(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { 'env-file': { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(io);
  noPositionals(positionals, 'env check');
  const file = envFilePath(values['env-file'], io);
  const contents = await readEnvFileForCli(file);
  const safety = await checkGitSafety(file);
  const fromFile = contents.values[ENCRYPTION_KEY_VAR];
  const passphraseSource = fromFile?.trim() ? 'env-file' : io.env[ENCRYPTION_KEY_VAR]?.trim() ? 'environment' : 'none';
  const strength = judgePassphrase(fromFile?.trim() ? fromFile : io.env[ENCRYPTION_KEY_VAR]);
  const catalog = new ProviderCatalog();
  const keys = findProviderKeys(catalog, contents.values).map((found) => ({ provider: found.provider.id, variable: found.variable, masked: maskKey(found.value, catalog.all()) }));
  const problems = [
    ...(contents.exists ? [] : [`${file} does not exist.`]),
    ...(safety.state === 'tracked' || safety.state === 'not_ignored' ? [safety.message] : []),
    ...(strength.verdict === 'ok' ? [] : [strength.message]),
  ];
  if (values.json) {
    io.stdout(`${JSON.stringify({ envFile: file, exists: contents.exists, git: { state: safety.state, tracked: safety.tracked, ignored: safety.ignored, gitignoreLine: safety.gitignoreLine ?? null }, encryptionKey: { source: passphraseSource, verdict: strength.verdict }, keys, problems }, null, 2)}\n`);
  } else {
    io.stdout(`${file}${contents.exists ? '' : ' (missing)'}\n`);
    io.stdout(`  git: ${safety.message}\n`);
    io.stdout(`  ${ENCRYPTION_KEY_VAR} (${passphraseSource}): ${strength.message}\n`);
    for (const key of keys) io.stdout(`  ${key.variable}: ${key.masked} (${key.provider})\n`);
    io.stdout(problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''} found.\n` : 'No problems found.\n');
  }
  return problems.length ? ExitCode.failed : ExitCode.ok;
}
