// crucible-keys crucible status|push|remove: compares the keys of the environment and .env with what a running
// Crucible holds, pushes them into its settings, or removes them there. For deployments: no prompts.
import * as path from 'node:path';
import type { BuiltInProviderId } from '../core/catalog';
import { ProviderCatalog } from '../core/catalog';
import { checkApiUrl, CRUCIBLE_PASSWORD_VAR, DEFAULT_CRUCIBLE_API_URL, plainHttpWarning } from '../core/crucible/apiUrl';
import { CrucibleClient, DEFAULT_CRUCIBLE_TIMEOUT_MS } from '../core/crucible/client';
import { CRUCIBLE_PROVIDERS, describeMask, displayCrucibleId, needsAttention, providerOfCrucibleId, type VaultKeys } from '../core/crucible/compare';
import { executePush, readStatus, type PushOutcome } from '../core/crucible/operations';
import { planPush, type PushPlan, type PushRequest } from '../core/crucible/pushPlan';
import { findProviderKeys, type FoundKey } from '../core/crucibleEnv';
import { readEnvFile } from '../core/envFile';
import { ExitCode, FileError, InputError } from '../core/errors';
import { maskKey } from '../core/keyFormat';
import { RedactingLogger, Redactor } from '../core/redact';
import type { CliIo } from './io';
import { parse } from './main';
import { ENV_FILE_OPTIONS, envFileOption, envProxy, parseTimeoutMs } from './options';
import { table } from './table';

export const CRUCIBLE_USAGE = `Usage: crucible-keys crucible <status|push|remove> [options]

  status    Compare what Crucible holds (by its masks) with the keys in the environment and .env.
  push      Send those keys to Crucible's settings, then read them back to confirm each one.
  remove    Remove the providers named with --provider from Crucible's settings.

Options:
  --api URL          Crucible's API (default ${DEFAULT_CRUCIBLE_API_URL}).
  --dotenv PATH      The .env with ${CRUCIBLE_PASSWORD_VAR} and the keys (default ./.env); --env-file is the same.
  --provider ID      Only this provider; repeat for more (${CRUCIBLE_PROVIDERS.join(', ')}; gemini is google).
  --dry-run          push, remove: show what would change and whether Crucible would accept it; send nothing.
  --timeout MS       Time allowed to each request (default ${DEFAULT_CRUCIBLE_TIMEOUT_MS}).
  --json             Machine-readable output.

The password is ${CRUCIBLE_PASSWORD_VAR}, and the keys are the variables Crucible reads, from the
environment first, then the .env file. Crucible accepts a save only if the result holds an OpenRouter key, or
both an OpenAI and an Anthropic key; push and remove check that before sending anything.

Exit codes: 0 ok; 1 Crucible refused (or would refuse) the change, a change did not read back, or status found a
key that differs or that Crucible cannot read; 2 bad usage, no password or a wrong one; 4 a file could not be
read; 5 Crucible is unreachable, is not Crucible at that URL, or failed (5xx).
`;

/** The CLI's keys come from the environment and the .env file, not from a vault. */
const WORDING = { source: 'the environment' };

const OPTIONS = {
  api: { type: 'string' },
  ...ENV_FILE_OPTIONS,
  provider: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

interface Context {
  io: CliIo;
  client: CrucibleClient;
  vault: VaultKeys;
  found: FoundKey[];
  providers: BuiltInProviderId[];
  json: boolean;
  dryRun: boolean;
  version?: string;
}

export async function runCrucible(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.stderr(CRUCIBLE_USAGE); // usage asked for by mistake goes to stderr, as for a bare crucible-keys
    return ExitCode.usage;
  }
  if (sub === '-h' || sub === '--help') {
    io.stdout(CRUCIBLE_USAGE);
    return ExitCode.ok;
  }
  if (sub !== 'status' && sub !== 'push' && sub !== 'remove') throw new InputError(`crucible needs status, push or remove; got "${sub}".`);
  const { values, positionals } = parse(rest, OPTIONS);
  if (values.help) {
    io.stdout(CRUCIBLE_USAGE);
    return ExitCode.ok;
  }
  if (positionals.length > 0) throw new InputError(`crucible ${sub} takes no arguments; got "${positionals[0]}" (name providers with --provider).`);
  if (values['dry-run'] && sub === 'status') throw new InputError('--dry-run goes with push and remove, not status.');
  const apiUrl = checkApiUrl(values.api ?? DEFAULT_CRUCIBLE_API_URL);
  const timeoutMs = parseTimeoutMs(values.timeout, DEFAULT_CRUCIBLE_TIMEOUT_MS);
  const catalog = new ProviderCatalog();
  // Crucible's own ids are accepted too: it stores Google's key under "google" or "gemini".
  const providers = (values.provider ?? []).map((id) => providerOfCrucibleId(id) ?? (catalog.require(id).id as BuiltInProviderId));
  if (sub === 'remove' && providers.length === 0) throw new InputError('crucible remove needs at least one --provider ID.');

  const named = envFileOption(values);
  const envFile = path.resolve(io.cwd, named ?? '.env');
  const contents = await readEnvFile(envFile);
  if (named !== undefined && !contents.exists) throw new FileError(`${envFile} does not exist.`);
  const password = io.env[CRUCIBLE_PASSWORD_VAR] || contents.values[CRUCIBLE_PASSWORD_VAR];
  if (!password) throw new InputError(`No Crucible password: set ${CRUCIBLE_PASSWORD_VAR} in the environment or in ${envFile}.`);
  // The process environment wins over .env, as it does for Crucible's settings loader and docker compose.
  const found = findProviderKeys(catalog, { ...contents.values, ...io.env });
  const vault: VaultKeys = Object.fromEntries(found.map((entry) => [entry.provider.id, entry.value]));

  const redactor = new Redactor();
  const releases = [redactor.hold(password, 'passphrase'), ...found.map((entry) => redactor.hold(entry.value))];
  const logger = new RedactingLogger({ write: (level, line) => io.stderr(`[${level}] ${line}\n`) }, redactor, values.verbose ? 'debug' : 'warn');
  const warning = plainHttpWarning(apiUrl);
  if (warning) io.stderr(`warning: ${warning}\n`);
  const client = new CrucibleClient({ apiUrl, redactor, logger, timeoutMs, proxy: envProxy(io.env) });
  try {
    const { version } = await client.health();
    await client.login(password);
    const context: Context = { io, client, vault, found, providers, json: values.json === true, dryRun: values['dry-run'] === true, version };
    return sub === 'status' ? await status(context) : await change(context, sub);
  } finally {
    releases.forEach((release) => release());
    await client.close();
  }
}

async function status(context: Context): Promise<number> {
  const { comparison } = await readStatus(context.client, context.vault, WORDING);
  const shown = comparison.providers.filter((entry) => (context.providers.length ? context.providers.includes(entry.provider) : entry.state !== 'absent'));
  if (context.json) {
    printJson(context, {
      providers: shown.map((entry) => ({
        provider: entry.provider, state: entry.state, storedUnder: entry.storedUnder, crucible: entry.mask ? describeMask(entry.mask) : null,
        local: localKey(context, entry.provider), message: entry.message, ...(entry.note ? { note: entry.note } : {}),
      })),
      // Escaped as in the text output: JSON.stringify leaves C1 controls and bidi overrides as they are.
      others: comparison.others.map((other) => ({ id: displayCrucibleId(other.id), crucible: describeMask(other.mask) })),
    });
  } else {
    context.io.stdout(heading(context));
    const rows = shown.map((entry) => {
      const local = localKey(context, entry.provider);
      return [entry.provider, entry.state, entry.mask ? describeMask(entry.mask) : '-', local ? `${local.variable}=${local.masked}` : '-', [entry.message, entry.note].filter(Boolean).join(' ')];
    });
    context.io.stdout(rows.length ? table([['PROVIDER', 'STATE', 'CRUCIBLE', 'LOCAL', 'MESSAGE'], ...rows]) : 'Neither Crucible nor the environment holds any key.\n');
    for (const other of comparison.others) context.io.stdout(`Crucible also holds a key under "${displayCrucibleId(other.id)}" (${describeMask(other.mask)}), which Crucible Keys does not manage.\n`);
  }
  return shown.some((entry) => needsAttention(entry.state)) ? ExitCode.failed : ExitCode.ok;
}

async function change(context: Context, sub: 'push' | 'remove'): Promise<number> {
  let request: PushRequest;
  if (sub === 'remove') {
    request = { remove: context.providers };
  } else {
    const missing = context.providers.find((id) => context.vault[id] === undefined);
    if (missing) throw new InputError(`No key for ${missing}: set ${new ProviderCatalog().require(missing).readVars.join(' or ')} in the environment or the .env file.`);
    const push = context.providers.length ? context.providers : CRUCIBLE_PROVIDERS.filter((id) => context.vault[id] !== undefined);
    if (push.length === 0) throw new InputError('No provider keys found in the environment or the .env file.');
    request = { push };
  }
  const { settings } = await readStatus(context.client, context.vault, WORDING);
  const plan = planPush(settings.providerApiKeys, context.vault, request, WORDING);
  const outcome = !plan.accepted || context.dryRun ? undefined : await executePush(context.client, plan, context.vault, WORDING);
  report(context, plan, outcome);
  if (!plan.accepted) return ExitCode.failed;
  return outcome && !outcome.confirmed ? ExitCode.failed : ExitCode.ok;
}

function report(context: Context, plan: PushPlan, outcome: PushOutcome | undefined): void {
  if (context.json) {
    printJson(context, {
      dryRun: context.dryRun, accepted: plan.accepted,
      ...(plan.refusal ? { refusal: plan.refusal, suggestions: plan.suggestions.map((suggestion) => suggestion.sentence) } : {}),
      sent: outcome?.sent ?? false, confirmed: outcome ? outcome.confirmed : null,
      changes: plan.changes.map((change) => {
        const result = outcome?.results.find((entry) => entry.provider === change.provider);
        return { provider: change.provider, effect: change.effect, planned: change.message, ...(result ? { confirmed: result.confirmed, state: result.state, result: result.message } : {}) };
      }),
    });
    return;
  }
  const { io } = context;
  io.stdout(heading(context));
  for (const change of plan.changes) io.stdout(`  ${change.provider}: ${change.effect}. ${change.message}\n`);
  if (!plan.accepted) {
    io.stdout(`Not sent. ${plan.refusal}\n`);
    for (const suggestion of plan.suggestions) io.stdout(`  ${suggestion.sentence}\n`);
    return;
  }
  if (context.dryRun) {
    io.stdout(plan.empty ? 'Nothing would be sent.\n' : 'Crucible would accept this; nothing was sent (--dry-run).\n');
    return;
  }
  if (!outcome) return;
  if (!outcome.sent) io.stdout('Nothing to send.\n');
  for (const result of outcome.results) io.stdout(`  ${result.provider}: ${result.confirmed ? 'confirmed' : 'NOT confirmed'}. ${result.message}\n`);
  io.stdout(outcome.confirmed ? 'Every change reads back as intended.\n' : 'Some changes did not read back as intended.\n');
}

function heading(context: Context): string {
  return `Crucible at ${context.client.apiUrl}${context.version ? ` (version ${context.version})` : ''}\n`;
}

function localKey(context: Context, provider: BuiltInProviderId): { variable: string; masked: string } | null {
  const entry = context.found.find((candidate) => candidate.provider.id === provider);
  return entry ? { variable: entry.variable, masked: maskKey(entry.value) } : null;
}

function printJson(context: Context, body: Record<string, unknown>): void {
  context.io.stdout(`${JSON.stringify({ apiUrl: context.client.apiUrl, version: context.version ?? null, ...body }, null, 2)}\n`);
}
