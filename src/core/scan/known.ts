// The values a scan searches for exactly: keys the user stores, and the provider variables of an environment or .env.
import type { ProviderCatalog, ProviderInfo } from '../catalog';
import type { KnownSecret } from './types';

/** Keys held in the vault, each named by its provider. */
export function storedKeySecrets(entries: readonly { provider: ProviderInfo; key: string }[]): KnownSecret[] {
  return entries.map(({ provider, key }) => ({ value: key, label: `your stored ${provider.label} key`, variable: provider.writeVar, provider }));
}

/** Every provider variable (aliases included) set in `values`, named by the variable and `where` it was set. */
export function variableSecrets(catalog: ProviderCatalog, values: Readonly<Record<string, string | undefined>>, where: string): KnownSecret[] {
  const secrets: KnownSecret[] = [];
  for (const provider of catalog.all()) {
    for (const variable of new Set([...provider.readVars, provider.writeVar])) {
      const value = values[variable]?.trim();
      if (value) secrets.push({ value, label: `${variable} ${where}`, variable, provider });
    }
  }
  return secrets;
}
