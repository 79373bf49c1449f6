// Runs key checks for the extension: builds the verifier from settings on first use (undici loads only then).
import type { ProviderInfo } from '../../core/catalog';
import type { Logger } from '../../core/ports';
import type { Redactor } from '../../core/redact';
import type { VerifyResult } from '../../core/verify/types';
import type { KeyVerifier } from '../../core/verify/verifier';
import type { Settings } from '../settings';

export class VerificationService {
  private verifier?: Promise<KeyVerifier>;

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    /** Sees every result (Diagnose keeps the recent failures). */
    private readonly onResult: (result: VerifyResult) => void = () => undefined,
  ) {}

  private get(): Promise<KeyVerifier> {
    // Loaded lazily so that activation never pays for undici.
    this.verifier ??= import('../../core/network').then(({ KeyVerifier }) => {
      const options = this.settings.verify();
      return new KeyVerifier({ logger: this.logger, redactor: this.redactor, timeoutMs: options.timeoutMs, baseUrls: options.baseUrls, proxy: options.proxy, strictSsl: options.strictSsl });
    });
    this.verifier.catch(() => { this.verifier = undefined; });
    return this.verifier;
  }

  async verify(provider: ProviderInfo, key: string, signal?: AbortSignal): Promise<VerifyResult> {
    const result = await (await this.get()).verify(provider, key, signal);
    this.onResult(result);
    return result;
  }

  async verifyAll(entries: { provider: ProviderInfo; key: string }[], signal: AbortSignal | undefined, onResult: (result: VerifyResult) => void): Promise<VerifyResult[]> {
    return (await this.get()).verifyAll(entries, { signal, onResult: (result) => { this.onResult(result); onResult(result); } });
  }

  /** Drops the verifier so the next check uses new settings (base URLs, timeout, proxy). */
  async reset(): Promise<void> {
    const current = this.verifier;
    this.verifier = undefined;
    if (current) await (await current.catch(() => undefined))?.close();
  }

  dispose(): void {
    void this.reset();
  }
}
