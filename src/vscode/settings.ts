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

  /** Machine scope: a workspace cannot turn it on; and it is off in untrusted workspaces whatever it says. */
  injectIntoTerminals(): boolean {
    return this.config.get<unknown>('injectIntoTerminals', false) === true;
  }

  /** Machine scope, so a workspace cannot send the password and the keys elsewhere; checked where it is used. */
  crucibleApiUrl(): string {
    const value = this.config.get<unknown>('crucible.apiUrl', '');
    return typeof value === 'string' ? value.trim() : '';
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

  /** Base-URL overrides that are well-formed http(s) URLs without credentials; others are skipped with a warning. */
  baseUrls(): Record<string, string> {
    const raw = this.config.get<unknown>('baseUrls', {});
    const urls: Record<string, string> = {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return urls;
    for (const [id, value] of Object.entries(raw)) {
      if (typeof value !== 'string' || value.trim() === '') continue;
      try {
        const url = new URL(value.trim());
        if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password) {
          urls[id] = value.trim();
          continue;
        }
      } catch {
        // reported below
      }
      this.logger.warn('crucibleKeys.baseUrls.%s was skipped: it must be an http or https URL without credentials.', id);
    }
    return urls;
  }

  verify(): VerifySettings {
    const http = vscode.workspace.getConfiguration('http');
    const proxyUri = http.get<unknown>('proxy', '');
    const noProxy = http.get<unknown>('noProxy', []);
    const timeout = this.config.get<number>('requestTimeoutMs', 10_000);
    const explicit = typeof proxyUri === 'string' ? proxyUri.trim() : '';
    // As VS Code does: http.noProxy applies to whichever proxy is in use, and NO_PROXY only when it is empty.
    const listed = Array.isArray(noProxy) ? noProxy.filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '').join(',') : '';
    const bypass = listed || process.env.NO_PROXY || process.env.no_proxy;
    return {
      baseUrls: this.baseUrls(),
      timeoutMs: Number.isFinite(timeout) && timeout >= 1000 ? Math.min(timeout, 120_000) : 10_000,
      proxy: explicit
        ? { kind: 'explicit', uri: explicit, noProxy: bypass }
        : { kind: 'env', httpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy, httpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy, noProxy: bypass },
      strictSsl: http.get<boolean>('proxyStrictSSL', true) !== false,
    };
  }
}
