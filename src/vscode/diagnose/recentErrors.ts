// The last few failed key checks per provider, for Diagnose: redacted sentences with their time, in memory only.
import type { Redactor } from '../../core/redact';
import type { VerifyResult } from '../../core/verify/types';

const KEPT_PER_PROVIDER = 5;

export class RecentErrors {
  private readonly byProvider = new Map<string, string[]>();

  constructor(private readonly redactor: Redactor) {}

  /** Keeps a result that is not a valid key (a refusal, no credit, the provider unreachable, …). */
  record(result: VerifyResult): void {
    if (result.verdict === 'valid') return;
    const lines = this.byProvider.get(result.provider) ?? [];
    lines.push(`${result.checkedAt} ${result.verdict}: ${this.redactor.redact(result.message)}`);
    this.byProvider.set(result.provider, lines.slice(-KEPT_PER_PROVIDER));
  }

  of(provider: string): readonly string[] {
    return this.byProvider.get(provider) ?? [];
  }
}
