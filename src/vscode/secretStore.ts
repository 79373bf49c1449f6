// VS Code SecretStorage as the core's SecretStore port, with keys() where the host provides it.
import type * as vscode from 'vscode';
import type { SecretStore } from '../core/ports';

export function secretStoreFrom(secrets: vscode.SecretStorage): SecretStore {
  return {
    get: async (key) => secrets.get(key),
    store: async (key, value) => secrets.store(key, value),
    delete: async (key) => secrets.delete(key),
    keys: async () => [...(await secrets.keys())],
  };
}
