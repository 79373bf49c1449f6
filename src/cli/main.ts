// The crucible-keys command line: a thin layer over src/core, for scripts and automated deployments.
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProviderCatalog } from '../core/catalog';
import { findProviderKeys, providerEnvUpdates } from '../core/crucibleEnv';
import { writePlaintext } from '../core/env/plaintextWrite';
import { EnvTargetNeedsConsentError, readEnvFile } from '../core/envFile';
import { CrucibleKeysError, ExitCode, InputError } from '../core/errors';
import { InvalidToken } from '../core/fernet';
import { checkGitSafety } from '../core/gitSafety';
import { checkKeyFor, maskKey } from '../core/keyFormat';
import { ENCRYPTION_KEY_VAR, generatePassphrase, judgePassphrase } from '../core/passphrase';
import { resolveFernet } from './encryptionKey';
import { ENV_FILE_OPTIONS, envFileOption } from './options';
import { decodeUtf8, type CliIo } from './io';
import { runVerify, VERIFY_OPTIONS } from './verifyCommand';
import { runCrucible } from './crucibleCommand';
import { runScan, SCAN_OPTIONS } from './scanCommand';
import { runDoctor } from './doctorCommand';

export const USAGE = `Usage: crucible-keys <command> [options]

Commands:
  gen-key                         Print a new API_KEY_ENCRYPTION_KEY passphrase (43 characters).
  encrypt                         Read plaintext on stdin, print a Fernet token.
  decrypt [--ttl S] [--at TIME]   Read a token on stdin, print the plaintext.
  env set PROVIDER                Read a key on stdin and write the provider's Crucible variable into .env.
  env check                       Check that .env is git-ignored and untracked, and API_KEY_ENCRYPTION_KEY is strong.
  verify                          Check every key in the environment and .env against its provider, spending no tokens.
  crucible status|push|remove     Compare with, push to or remove from a running Crucible's settings (crucible --help).
  scan [PATH]                     Search the files git would commit for API keys (exit 1 when found); --staged for
                                  a pre-commit hook, --commits N for history, --install-hook [--force] to add the hook.
  doctor                          Diagnose keys, .env, API_KEY_ENCRYPTION_KEY and compose files (exit 1 on problems).

Key options (encrypt, decrypt; give at most one, else API_KEY_ENCRYPTION_KEY from the environment):
  --passphrase-file PATH          Read the API_KEY_ENCRYPTION_KEY passphrase from a file (or /dev/fd/N).
  --fernet-key-file PATH          Read a raw Fernet key from a file (or /dev/fd/N).
  --fernet-key KEY                A raw Fernet key on the command line (visible to other users; prefer the file).
  --env-file PATH, --dotenv PATH  Read API_KEY_ENCRYPTION_KEY from this .env file.
  --crucible-dev-default          Allow Crucible's public development passphrase when no key is set.

env set options:
  --env-file PATH, --dotenv PATH  The .env file to write (default: ./.env).
  --force                         Replace a read-only .env file (its mode is kept).
  --follow-symlink                Write through a symlink that leads outside its folder or into a file git tracks.
  --strip-bom                     Remove a byte-order mark at the start of the file (python-dotenv misreads line 1).
  --lock-timeout SECONDS          How long to wait for another writer of the same file (default 10).

doctor options:
  --provider ID                   Only this provider (repeatable); --base-url ID=URL and --timeout MS as for verify.
  --no-verify                     Skip the live check with each provider (offline use).

Other options:
  --env-file PATH, --dotenv PATH  The .env file for env check, verify, scan and doctor (default: ./.env).
  --json                          Machine-readable output (env check, verify, scan, doctor).
  -h, --help                      Show this help.
  -V, --version                   Print the version.

Exit codes: 0 ok; 1 invalid token, a problem found, a key found by scan, or a key rejected/out of credit;
2 bad usage or input; 3 a key could not be verified either way; 4 a file (or standard output)
could not be read or written safely; 5 crucible: the server is unreachable, is not Crucible, or failed;
70 an internal error. Errors are one line on stderr.
`;

/** Set by esbuild from package.json when the bin is built. */
declare const CRUCIBLE_KEYS_VERSION: string | undefined;

const KEY_OPTIONS = {
  ...ENV_FILE_OPTIONS,
  'fernet-key': { type: 'string' },
  'fernet-key-file': { type: 'string' },
  'passphrase-file': { type: 'string' },
  'crucible-dev-default': { type: 'boolean' },
} as const;

const ENV_SET_OPTIONS = {
  ...ENV_FILE_OPTIONS,
  force: { type: 'boolean' },
  'follow-symlink': { type: 'boolean' },
  'strip-bom': { type: 'boolean' },
  'lock-timeout': { type: 'string' },
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

/** --dotenv is --env-file under a name Node 20 does not take for itself. */
/** The flag that gives the consent a refused target needs. */
const CONSENT_FLAG: Readonly<Record<EnvTargetNeedsConsentError['reason'], string>> = {
  'read-only': '--force',
  'symlink-outside-folder': '--follow-symlink',
  'symlink-to-tracked-file': '--follow-symlink',
};

/** One line on stderr for a failure; warnings collected on the way are printed only when the command succeeds. */
function errorLine(error: unknown): string {
  if (error instanceof InvalidToken) return 'invalid token';
  if (error instanceof EnvTargetNeedsConsentError) return `crucible-keys: ${firstLine(error.message).replace(/\.$/, '')}; pass ${CONSENT_FLAG[error.reason]} to write it anyway.`;
  if (error instanceof CrucibleKeysError) return `crucible-keys: ${firstLine(error.message)}`;
  return `crucible-keys: unexpected error: ${firstLine((error as Error)?.message ?? String(error))}`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n|\r/)[0];
}

export interface Reporter {
  io: CliIo;
  warn(warning: string): void;
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const warnings: string[] = [];
  try {
    const code = await dispatch(argv, { io, warn: (warning) => warnings.push(warning) });
    for (const warning of warnings) io.stderr(`warning: ${firstLine(warning)}\n`);
    return code;
  } catch (error) {
    io.stderr(`${errorLine(error)}\n`);
    return error instanceof CrucibleKeysError ? error.exitCode : ExitCode.internal;
  }
}

async function dispatch(argv: string[], out: Reporter): Promise<number> {
  const { io } = out;
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    io.stdout(`${typeof CRUCIBLE_KEYS_VERSION === 'string' ? CRUCIBLE_KEYS_VERSION : 'development'}\n`);
    return ExitCode.ok;
  }
  if (command === undefined) {
    io.stderr(USAGE);
    return ExitCode.usage;
  }
  if (command === '-h' || command === '--help' || command === 'help') return help(io);
  switch (command) {
    case 'gen-key': return genKey(rest, io);
    case 'encrypt': return encrypt(rest, out);
    case 'decrypt': return decrypt(rest, out);
    case 'env': return envCommand(rest, out);
    case 'crucible': return runCrucible(rest, io);
    case 'scan': { const { values, positionals } = parse(rest, SCAN_OPTIONS); return values.help ? help(io) : runScan({ ...values, 'env-file': envFileOption(values) }, positionals, io); }
    case 'doctor': return runDoctor(rest, io, help);
    case 'verify': {
      const { values, positionals } = parse(rest, VERIFY_OPTIONS);
      if (values.help) return help(io);
      if (positionals.length > 0) throw new InputError(`verify takes no arguments; got "${positionals[0]}".`);
      return runVerify({ ...values, 'env-file': envFileOption(values) }, io);
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

function keySource(values: { 'fernet-key'?: string; 'fernet-key-file'?: string; 'passphrase-file'?: string; 'env-file'?: string; dotenv?: string; 'crucible-dev-default'?: boolean }) {
  return { fernetKey: values['fernet-key'], fernetKeyFile: values['fernet-key-file'], passphraseFile: values['passphrase-file'], envFile: envFileOption(values), crucibleDevDefault: values['crucible-dev-default'] };
}

async function readStdinText(io: CliIo): Promise<string> {
  return decodeUtf8(await io.readStdin(), 'Standard input');
}

async function encrypt(args: string[], out: Reporter): Promise<number> {
  const { values, positionals } = parse(args, KEY_OPTIONS);
  if (values.help) return help(out.io);
  noPositionals(positionals, 'encrypt');
  const fernet = await resolveFernet(keySource(values), out.io, out.warn);
  const input = await readStdinText(out.io);
  const plaintext = input.endsWith('\r\n') ? input.slice(0, -2) : input.endsWith('\n') ? input.slice(0, -1) : input;
  out.io.stdout(`${fernet.encrypt(plaintext)}\n`);
  return ExitCode.ok;
}

async function decrypt(args: string[], out: Reporter): Promise<number> {
  const { values, positionals } = parse(args, { ...KEY_OPTIONS, ttl: { type: 'string' }, at: { type: 'string' } });
  if (values.help) return help(out.io);
  noPositionals(positionals, 'decrypt');
  const ttlSeconds = values.ttl === undefined ? undefined : parseSeconds(values.ttl);
  const atSeconds = values.at === undefined ? undefined : parseTime(values.at);
  const fernet = await resolveFernet(keySource(values), out.io, out.warn);
  const token = (await readStdinText(out.io)).trim();
  const plaintext = fernet.decrypt(token, { ttlSeconds, atSeconds });
  out.io.stdout(`${plaintext}\n`);
  return ExitCode.ok;
}

function parseSeconds(text: string): number {
  if (!/^\d{1,12}$/.test(text)) throw new InputError(`--ttl takes a whole number of seconds; got "${text}".`);
  return Number(text);
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))?)?$/;

/** ISO-8601 (a real calendar date and time) or Unix seconds, to whole seconds. */
export function parseTime(text: string): number {
  if (/^\d{1,12}(\.\d+)?$/.test(text)) return Math.floor(Number(text));
  const match = ISO_TIME.exec(text);
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = (match?.slice(1) ?? []).map((part) => (part === undefined ? 0 : Number(part)));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid = match && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  const millis = valid ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (Number.isNaN(millis)) throw new InputError(`--at takes an ISO-8601 time that exists, or Unix seconds; got "${text}".`);
  return Math.floor(millis / 1000);
}

async function envCommand(args: string[], out: Reporter): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'set') return envSet(rest, out);
  if (sub === 'check') return envCheck(rest, out.io);
  if (sub === '-h' || sub === '--help') return help(out.io);
  throw new InputError(`env needs "set PROVIDER" or "check"; got "${sub ?? ''}".`);
}

function envFilePath(values: { 'env-file'?: string; dotenv?: string }, io: CliIo): string {
  return path.resolve(io.cwd, envFileOption(values) ?? '.env');
}

function parseLockTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(text) || Number(text) > 3600) throw new InputError(`--lock-timeout takes seconds, from 0 to 3600; got "${text}".`);
  return Number(text) * 1000;
}

async function envSet(args: string[], out: Reporter): Promise<number> {
  const { io, warn } = out;
  const { values, positionals } = parse(args, ENV_SET_OPTIONS);
  if (values.help) return help(io);
  if (positionals.length !== 1) throw new InputError('env set needs exactly one PROVIDER, e.g. crucible-keys env set openrouter < key.txt.');
  const catalog = new ProviderCatalog();
  const provider = catalog.require(positionals[0]);
  const file = envFilePath(values, io);
  const lockTimeoutMs = parseLockTimeout(values['lock-timeout']);
  const check = checkKeyFor(provider, await readStdinText(io), catalog.all());
  check.warnings.forEach(warn);
  // The one plaintext write path, with the flags as its consent; the aliases already in the file are read under the
  // lock, so a concurrent writer's alias is never missed.
  const written = await writePlaintext(
    { file, updates: (current) => providerEnvUpdates(provider, check.key, current.values), variables: [provider.writeVar], folder: path.dirname(file), gitAllowed: true, stripBom: values['strip-bom'], lockTimeoutMs },
    { interactive: false, followSymlink: values['follow-symlink'] ?? false, force: values.force ?? false },
  );
  const result = written!;
  result.warnings.forEach(warn);
  if (result.bomHides) warn('--strip-bom removes the byte-order mark.');
  if (result.bomRemoved) warn(`the byte-order mark at the start of ${result.path} was removed.`);
  const parts = [
    result.added.length ? `added ${result.added.join(', ')}` : '',
    result.updated.length ? `updated ${result.updated.join(', ')}` : '',
    result.unchanged.length ? `${result.unchanged.join(', ')} already set` : '',
  ].filter(Boolean);
  const safety = result.review.git;
  if (safety.state === 'tracked' || safety.state === 'not_ignored') warn(safety.message);
  io.stdout(`${result.path}: ${parts.join('; ')} (${provider.label}, ${maskKey(check.key, catalog.all())}).\n`);
  return ExitCode.ok;
}

async function envCheck(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { ...ENV_FILE_OPTIONS, json: { type: 'boolean' } });
  if (values.help) return help(io);
  noPositionals(positionals, 'env check');
  const file = envFilePath(values, io);
  const contents = await readEnvFile(file);
  const safety = await checkGitSafety(file);
  // Crucible's order: load_dotenv() never overrides the process environment, so the environment wins.
  const fromEnvironment = io.env[ENCRYPTION_KEY_VAR] || undefined;
  const fromFile = contents.values[ENCRYPTION_KEY_VAR] || undefined;
  const passphraseSource = fromEnvironment ? 'environment' : fromFile ? 'env-file' : 'none';
  const passphrase = fromEnvironment ?? fromFile;
  const strength = judgePassphrase(passphrase);
  const whitespace = passphrase !== undefined && /^\s|\s$/.test(passphrase)
    ? `${ENCRYPTION_KEY_VAR} (${passphraseSource}) starts or ends with whitespace, which Crucible keeps as part of it; remove the whitespace.`
    : undefined;
  const catalog = new ProviderCatalog();
  const keys = findProviderKeys(catalog, contents.values).map((found) => ({ provider: found.provider.id, variable: found.variable, masked: maskKey(found.value, catalog.all()) }));
  const problems = [
    ...(contents.exists ? [] : [`${file} does not exist.`]),
    ...(safety.state === 'tracked' || safety.state === 'not_ignored' ? [safety.message] : []),
    ...(strength.verdict === 'ok' || strength.verdict === 'whitespace' ? [] : [strength.message]),
    ...(whitespace ? [whitespace] : []),
  ];
  if (values.json) {
    io.stdout(`${JSON.stringify({ envFile: file, exists: contents.exists, git: { state: safety.state, tracked: safety.tracked, ignored: safety.ignored, gitignoreLine: safety.gitignoreLine ?? null }, encryptionKey: { source: passphraseSource, verdict: strength.verdict }, keys, problems }, null, 2)}\n`);
  } else {
    const lines = [
      `${file}${contents.exists ? '' : ' (missing)'}`,
      `  git: ${safety.message}`,
      `  ${ENCRYPTION_KEY_VAR} (${passphraseSource}): ${strength.message}`,
      ...(whitespace ? [`  ${whitespace}`] : []),
      ...keys.map((key) => `  ${key.variable}: ${key.masked} (${key.provider})`),
      problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''} found.` : 'No problems found.',
    ];
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (problems.length === 0) return ExitCode.ok;
  io.stderr(`crucible-keys: ${problems.length} problem${problems.length > 1 ? 's' : ''} found.\n`);
  return ExitCode.failed;
}
