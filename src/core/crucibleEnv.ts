// How provider keys map onto the variables Crucible reads from its environment.
import type { ProviderCatalog, ProviderInfo } from './catalog';

export interface FoundKey {
  provider: ProviderInfo;
  /** The variable the key was read from (Crucible's precedence: the first that is set). */
  variable: string;
  value: string;
}

/** The key Crucible would use for each provider, given a set of variables. */
export function findProviderKeys(catalog: ProviderCatalog, values: Readonly<Record<string, string | undefined>>): FoundKey[] {
  const found: FoundKey[] = [];
  for (const provider of catalog.all()) {
    for (const variable of provider.readVars) {
      const value = Object.hasOwn(values, variable) ? values[variable]?.trim() : undefined;
      if (value) {
        found.push({ provider, variable, value });
        break;
      }
    }
  }
  return found;
}

/**
 * The assignments that make Crucible read `key` for `provider`: its documented variable, plus every alias already
 * present in the file, so that a stale alias Crucible reads first cannot shadow the new key.
 */
export function providerEnvUpdates(provider: ProviderInfo, key: string, existing: Readonly<Record<string, string>>): Record<string, string> {
  const updates: Record<string, string> = { [provider.writeVar]: key };
  for (const alias of provider.readVars) {
    if (alias !== provider.writeVar && Object.hasOwn(existing, alias)) updates[alias] = key;
  }
  return updates;
}

/** The assignments for several providers' keys at once (see providerEnvUpdates), given the file's current values. */
export function keysEnvUpdates(entries: readonly { provider: ProviderInfo; key: string }[], existing: Readonly<Record<string, string>>): Record<string, string> {
  return Object.assign({}, ...entries.map((entry) => providerEnvUpdates(entry.provider, entry.key, existing))) as Record<string, string>;
}
