// Typed access to the crucibleKeys.* settings and VS Code's proxy settings.
import * as vscode from 'vscode';
import { CatalogError, type CustomProviderConfig, ProviderCatalog } from '../core/catalog';
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

  customProviders(): CustomProviderConfig[] {
    const value = this.config.get<unknown>('customProviders', []);
    return Array.isArray(value) ? (value as CustomProviderConfig[]) : [];
  }

  /** The catalog with the user's custom providers; a bad entry is skipped and logged, never fatal. */
  catalog(): ProviderCatalog {
    const valid: CustomProviderConfig[] = [];
    for (const entry of this.customProviders()) {
      try {
        new ProviderCatalog([...valid, entry]);
        valid.push(entry);
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        this.logger.warn('ignoring a custom provider: %s', error.message);
      }
    }
    return new ProviderCatalog(valid);
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
