// Typed access to the crucibleKeys.* settings and VS Code's proxy settings.
import * as vscode from 'vscode';
import { type CustomProviderConfig, ProviderCatalog } from '../core/catalog';
import type { Logger } from '../core/ports';
import type { ProxySettings } from '../core/verify/verifier';

const SECTION = 'crucibleKeys';

export interface VerifySettings {
  baseUrls: Record<string, string>;
  timeoutMs: number;
  proxy: ProxySettings;
  strictSsl: boolean;
}

export class Settings {
  constructor(private readonly logger: Logger) {}

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  envFile(folder?: vscode.WorkspaceFolder): string {
    const value = vscode.workspace.getConfiguration(SECTION, folder?.uri).get<string>('envFile', '.env').trim();
    return value || '.env';
  }

  verifyOnStartup(): boolean {
    return this.config.get<boolean>('verifyOnStartup', false);
  }

  rotationReminderDays(): number {
    const days = this.config.get<number>('rotationReminderDays', 90);
    return Number.isFinite(days) && days > 0 ? days : 0;
  }

  /** The raw setting, for the panel's list; entries are checked by catalog(). */
  customProviders(): CustomProviderConfig[] {
    const value = this.config.get<unknown>('customProviders', []);
    return Array.isArray(value) ? value.filter((entry): entry is CustomProviderConfig => typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string') : [];
  }

  /** The catalog with the user's custom providers; a bad entry is skipped with a warning naming it, never fatal. */
  catalog(): ProviderCatalog {
    const { catalog, problems } = ProviderCatalog.lenient(this.config.get<unknown>('customProviders', []));
    for (const problem of problems) this.logger.warn(problem);
    return catalog;
  }

  verify(): VerifySettings {
    const http = vscode.workspace.getConfiguration('http');
    const proxyUri = http.get<string>('proxy', '').trim();
    const baseUrls = this.config.get<Record<string, string>>('baseUrls', {}) ?? {};
    const timeout = this.config.get<number>('requestTimeoutMs', 10_000);
    return {
      baseUrls: Object.fromEntries(Object.entries(baseUrls).filter(([, url]) => typeof url === 'string' && url.trim() !== '')),
      timeoutMs: Number.isFinite(timeout) && timeout >= 1000 ? Math.min(timeout, 120_000) : 10_000,
      proxy: proxyUri ? { kind: 'explicit', uri: proxyUri } : { kind: 'env', httpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy, httpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy, noProxy: process.env.NO_PROXY ?? process.env.no_proxy },
      strictSsl: http.get<boolean>('proxyStrictSSL', true),
    };
  }
}
