// Google's structured error details, read in one place. error.details[] carries typed messages (google.rpc.ErrorInfo,
// RetryInfo, QuotaFailure) that say more than the status and the sentence do: Gemini's expired key and its ordinary
// rate limit both read like something else until the details are read (continuedev/continue#11336,
// RooCodeInc/Roo-Code#3883, google-gemini/gemini-cli#8414).
import { isObject, str } from './json';

export interface QuotaViolation {
  quotaId?: string;
  quotaMetric?: string;
}

export interface GoogleDetails {
  /** google.rpc.ErrorInfo reasons, such as API_KEY_INVALID. */
  reasons: string[];
  /** google.rpc.RetryInfo retryDelay, in whole seconds rounded up. */
  retryDelaySeconds?: number;
  /** google.rpc.QuotaFailure violations. */
  quotaViolations: QuotaViolation[];
}

const RPC = 'type.googleapis.com/google.rpc.';

/** A protobuf Duration as JSON writes it ("37s", "34.074824224s", "900ms"), in whole seconds rounded up. */
export function durationSeconds(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(duration.trim());
  if (!match) return undefined;
  return Math.ceil(Number(match[1]) / (match[2] === 'ms' ? 1000 : 1));
}

export function readGoogleDetails(body: unknown): GoogleDetails {
  const error = isObject(body) ? body.error : undefined;
  const details = isObject(error) && Array.isArray(error.details) ? error.details.filter(isObject) : [];
  const found: GoogleDetails = { reasons: [], quotaViolations: [] };
  for (const detail of details) {
    const type = str(detail['@type']);
    const reason = str(detail.reason);
    const delay = str(detail.retryDelay);
    if (type === `${RPC}ErrorInfo` && reason) found.reasons.push(reason);
    if (type === `${RPC}RetryInfo` && delay) found.retryDelaySeconds ??= durationSeconds(delay);
    if (type === `${RPC}QuotaFailure` && Array.isArray(detail.violations)) {
      for (const violation of detail.violations.filter(isObject)) found.quotaViolations.push({ quotaId: str(violation.quotaId), quotaMetric: str(violation.quotaMetric) });
    }
  }
  return found;
}

/**
 * True for a quota over a time window (per second to per day, as in "GenerateRequestsPerDayPerProjectPerModel-FreeTier"):
 * it refills by itself, so running into it is a rate limit. Any other quota needs the plan or billing changed.
 */
export function isWindowQuota(violation: QuotaViolation): boolean {
  return /Per(Second|Minute|Hour|Day)|Daily/i.test(`${violation.quotaId ?? ''} ${violation.quotaMetric ?? ''}`);
}
