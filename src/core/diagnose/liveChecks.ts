// The live check: the provider's verdict on the key, with credits, usage and rate limits as it reports them, and its
// status page. The check itself is a port (the CLI passes the verifier, the extension its verification service).
import type { ProviderInfo } from '../catalog';
import type { Credits, RateLimitInfo, Verdict, VerifyResult } from '../verify/types';
import type { DiagnoseContext, ProviderView } from './context';
import { characterProblem } from './keyChecks';
import type { DiagnoseCheck, DiagnoseFix, Severity } from './types';

const SEVERITY: Readonly<Record<Verdict, Severity>> = {
  valid: 'ok', rejected: 'problem', no_credit: 'problem', rate_limited: 'warning', unreachable: 'warning', provider_error: 'warning', unverifiable: 'info',
};

function verdictTitle(provider: ProviderInfo, result: VerifyResult): string {
  const label = provider.label;
  switch (result.verdict) {
    case 'valid': return `${label} accepts the key.`;
    case 'rejected': return `${label} rejects the key.`;
    case 'no_credit': return `The ${label} key has no credit left.`;
    case 'rate_limited': return `${label} is rate limiting the key${result.retryAfterSeconds !== undefined ? `; retry in ${result.retryAfterSeconds} s` : ''}.`;
    case 'unreachable': return `${label} could not be reached, so the key was not checked.`;
    case 'provider_error': return `${label} answered with an error, so the key could not be checked.`;
    case 'unverifiable': return `The ${label} key could not be verified.`;
  }
}

function fixFor(provider: ProviderInfo, verdict: Verdict, stored: boolean): DiagnoseFix | undefined {
  if (verdict === 'rejected' && stored) return { kind: 'enterKey', provider: provider.id };
  if (verdict === 'no_credit') return { kind: 'openKeyPage', provider: provider.id };
  if (verdict === 'rate_limited' || verdict === 'unreachable' || verdict === 'provider_error') return { kind: 'reverify', provider: provider.id };
  return undefined;
}

const amount = (value: number, currency: string) => `${value.toFixed(2)} ${currency}`;

/** Credits and spending as sentences, only with what the provider said. */
export function creditLines(credits: Credits | undefined): string[] {
  if (!credits) return [];
  const { currency } = credits;
  const lines: string[] = [];
  const whose = credits.scope === 'key' ? 'the key\'s own limit' : credits.scope === 'account' ? 'the account' : undefined;
  if (credits.remaining !== undefined) {
    lines.push(`Credits: ${amount(credits.remaining, currency)} left${credits.limit !== undefined ? ` of ${amount(credits.limit, currency)}` : ''}${whose ? ` (${whose}${credits.limitReset ? `, resets ${credits.limitReset}` : ''})` : ''}.`);
  } else if (credits.limit !== undefined) {
    lines.push(`Limit: ${amount(credits.limit, currency)}${credits.limitReset ? `, resets ${credits.limitReset}` : ''}.`);
  }
  for (const balance of credits.balances ?? []) {
    const parts = [balance.granted !== undefined ? `${balance.granted.toFixed(2)} granted` : '', balance.toppedUp !== undefined ? `${balance.toppedUp.toFixed(2)} topped up` : ''].filter(Boolean);
    lines.push(`Balance: ${amount(balance.total, balance.currency)}${parts.length ? ` (${parts.join(', ')})` : ''}.`);
  }
  const periods = [['today', credits.usageDaily], ['this week', credits.usageWeekly], ['this month', credits.usageMonthly]] as const;
  const spent = periods.filter(([, value]) => value !== undefined).map(([name, value]) => `${name} ${amount(value!, currency)}`);
  if (credits.usage !== undefined || spent.length) lines.push(`Usage: ${[credits.usage !== undefined ? `${amount(credits.usage, currency)} in all` : '', ...spent].filter(Boolean).join(', ')}.`);
  return lines;
}

/** Rate limits as one sentence, from the numbers the provider sent. */
export function rateLimitLine(rateLimit: RateLimitInfo | undefined): string | undefined {
  if (!rateLimit) return undefined;
  const part = (remaining: number | undefined, limit: number | undefined, unit: string) =>
    remaining !== undefined || limit !== undefined ? `${remaining ?? '?'} of ${limit ?? '?'} ${unit} left` : '';
  const parts = [part(rateLimit.requestsRemaining, rateLimit.requestsLimit, 'requests'), part(rateLimit.tokensRemaining, rateLimit.tokensLimit, 'tokens'), rateLimit.requestsReset ? `requests reset ${rateLimit.requestsReset}` : ''].filter(Boolean);
  return parts.length ? `Rate limits: ${parts.join(', ')}.` : undefined;
}

function verdictCheck(view: ProviderView, result: VerifyResult): DiagnoseCheck {
  const { provider } = view;
  const rate = rateLimitLine(result.rateLimit);
  const detail = [
    result.message,
    ...(result.note ? [`Note: ${result.note}.`] : []),
    ...creditLines(result.credits),
    ...(rate ? [rate] : []),
    ...(result.key?.expiresAt ? [`The key expires ${result.key.expiresAt}.`] : []),
    `${result.httpStatus ? `HTTP ${result.httpStatus}` : 'No request was sent'}, ${result.latencyMs} ms, checked ${result.checkedAt}.`,
  ];
  return { id: `live.verdict:${provider.id}`, provider: provider.id, severity: SEVERITY[result.verdict], title: verdictTitle(provider, result), detail, fix: fixFor(provider, result.verdict, view.stored !== undefined) };
}

async function liveCheck(context: DiagnoseContext, view: ProviderView): Promise<DiagnoseCheck> {
  const { provider } = view;
  const id = `live.verdict:${provider.id}`;
  const verify = context.input.verify;
  if (!verify) return { id, provider: provider.id, severity: 'info', title: `The ${provider.label} key was not checked with ${provider.label} (the live check is off).` };
  if (characterProblem(view.key!, '')) return { id, provider: provider.id, severity: 'info', title: `The ${provider.label} key was not checked live: fix its characters first, as it cannot be sent as it is.` };
  try {
    return verdictCheck(view, await verify(provider, view.key!));
  } catch (error) {
    // verify() reports failures as verdicts; anything thrown is unexpected, and shown redacted by the report.
    return { id, provider: provider.id, severity: 'warning', title: `The live check of the ${provider.label} key failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, fix: { kind: 'reverify', provider: provider.id } };
  }
}

export async function liveChecks(context: DiagnoseContext): Promise<DiagnoseCheck[]> {
  const keyed = context.views.filter((view) => view.key !== undefined);
  const verdicts = await Promise.all(keyed.map((view) => liveCheck(context, view)));
  return keyed.flatMap((view, index) => [
    verdicts[index],
    ...(view.provider.statusPageUrl ? [{
      id: `live.statusPage:${view.provider.id}`, provider: view.provider.id, severity: 'info' as const,
      title: `${view.provider.label}'s status page: ${view.provider.statusPageUrl}`, fix: { kind: 'openStatusPage' as const, provider: view.provider.id },
    }] : []),
  ]);
}
