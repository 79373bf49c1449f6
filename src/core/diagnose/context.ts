// What every check reads, gathered once: the .env as read, the environment, and per provider the stored key and the
// value Crucible would use, taken in Crucible's order (the environment wins over .env, never overridden by it).
import * as path from 'node:path';
import type { ProviderCatalog, ProviderInfo } from '../catalog';
import { readEnvFile, type EnvFileContents } from '../envFile';
import { CrucibleKeysError } from '../errors';
import { maskKey } from '../keyFormat';
import { ENCRYPTION_KEY_VAR } from '../passphrase';
import { Redactor } from '../redact';
import type { DiagnoseInput } from './types';

export type ValueSource = 'environment' | '.env';

export interface SourcedValue {
  variable: string;
  source: ValueSource;
  /** Raw, exactly as Crucible would read it: never trimmed. */
  value: string;
}

export interface ProviderView {
  provider: ProviderInfo;
  stored?: string;
  /** The value Crucible uses: its first variable set to something, the environment before .env. */
  active?: SourcedValue;
  /** The key diagnosed: the stored one, else the one Crucible reads. */
  key?: string;
}

export interface DiagnoseContext {
  input: DiagnoseInput;
  catalog: ProviderCatalog;
  folder?: string;
  envFile?: string;
  /** The .env as read; undefined when there is no .env path or it could not be read. */
  env?: EnvFileContents;
  /** One sentence when the .env could not be read (a FIFO, a folder, not UTF-8). */
  envError?: string;
  views: ProviderView[];
  /** Every provider's view, diagnosed or not (compose checks look at all of them). */
  allViews: ProviderView[];
  /** Holds every key and secret-looking value seen, so that no text of the report can carry one. */
  redactor: Redactor;
}

/** A variable as Crucible sees it: from the environment when set there at all (load_dotenv() never overrides), else .env. */
export function effectiveValue(context: Pick<DiagnoseContext, 'input' | 'env'>, variable: string): SourcedValue | undefined {
  const fromEnvironment = Object.hasOwn(context.input.environment, variable) ? context.input.environment[variable] : undefined;
  if (fromEnvironment !== undefined) return { variable, source: 'environment', value: fromEnvironment };
  const values = context.env?.values;
  if (values && Object.hasOwn(values, variable)) return { variable, source: '.env', value: values[variable] };
  return undefined;
}

/** Crucible's `os.getenv(A) or os.getenv(B)`: the first of the provider's variables whose value is not empty. */
export function activeValue(context: Pick<DiagnoseContext, 'input' | 'env'>, provider: ProviderInfo): SourcedValue | undefined {
  for (const variable of provider.readVars) {
    const found = effectiveValue(context, variable);
    if (found && found.value !== '') return found;
  }
  return undefined;
}

/**
 * The catalog mask of a value, from its trimmed form so that stray whitespace never lands in a one-line report; an
 * invisible or non-ASCII character the mask would show is shown as "?".
 */
export function masked(context: Pick<DiagnoseContext, 'catalog'>, value: string): string {
  return maskKey(value.trim(), context.catalog.all()).replace(/[^\x21-\x7e…]/gu, '?');
}

/** "in .env" or "in the environment", for sentences. */
export function where(source: ValueSource): string {
  return source === 'environment' ? 'in the environment' : 'in .env';
}

export async function buildContext(input: DiagnoseInput): Promise<DiagnoseContext> {
  const envFile = input.envFile ? path.resolve(input.envFile) : undefined;
  let env: EnvFileContents | undefined;
  let envError: string | undefined;
  if (envFile) {
    try {
      env = await readEnvFile(envFile);
    } catch (error) {
      if (!(error instanceof CrucibleKeysError)) throw error;
      envError = error.message;
    }
  }
  const partial = { input, env };
  const allViews = input.catalog.all().map((provider): ProviderView => {
    const stored = input.storedKeys?.get(provider.id);
    const active = activeValue(partial, provider);
    return { provider, stored, active, key: stored ?? active?.value };
  });
  const redactor = holdSecrets(input, env, allViews);
  const wanted = input.providers?.map((id) => input.catalog.require(id).id);
  const views = wanted ? allViews.filter((view) => wanted.includes(view.provider.id)) : allViews.filter((view) => view.key !== undefined);
  return { input, catalog: input.catalog, folder: input.folder ? path.resolve(input.folder) : envFile ? path.dirname(envFile) : undefined, envFile, env, envError, views, allViews, redactor };
}

function holdSecrets(input: DiagnoseInput, env: EnvFileContents | undefined, views: readonly ProviderView[]): Redactor {
  const redactor = new Redactor();
  for (const view of views) {
    if (view.stored) redactor.hold(view.stored);
    if (view.stored?.trim()) redactor.hold(view.stored.trim());
  }
  const providerVariables = new Set(input.catalog.allVariableNames());
  for (const values of [input.environment, env?.values ?? {}]) {
    for (const [name, value] of Object.entries(values)) {
      // Only the values the report is about: holding every secret-looking value would mangle ordinary words in it.
      if (!value || !(providerVariables.has(name) || name === ENCRYPTION_KEY_VAR)) continue;
      const kind = providerVariables.has(name) ? 'key' : 'passphrase';
      redactor.hold(value, kind);
      if (value.trim() !== value && value.trim()) redactor.hold(value.trim(), kind);
    }
  }
  return redactor;
}
