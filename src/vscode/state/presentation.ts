// How a provider's state reads to people: labels, codicons, colours and the short description line.
import type { ProviderStatus, ProviderView } from './keyState';

export const STATUS_LABEL: Record<ProviderStatus, string> = {
  not_set: 'not set', unverified: 'unverified', valid: 'valid', rejected: 'rejected', no_credit: 'no credit',
  rate_limited: 'rate limited', unreachable: 'unreachable', provider_error: 'provider error', unverifiable: 'unverifiable',
  locked: 'locked', rotation_due: 'rotation due',
};

/** Codicon and theme colour id per state. */
export const STATUS_ICON: Record<ProviderStatus, [string, string | undefined]> = {
  not_set: ['circle-large-outline', 'disabledForeground'],
  unverified: ['circle-large-filled', 'descriptionForeground'],
  valid: ['pass-filled', 'testing.iconPassed'],
  rejected: ['error', 'list.errorForeground'],
  no_credit: ['credit-card', 'list.warningForeground'],
  rate_limited: ['watch', 'list.warningForeground'],
  unreachable: ['debug-disconnect', 'list.warningForeground'],
  provider_error: ['warning', 'list.warningForeground'],
  unverifiable: ['question', 'descriptionForeground'],
  locked: ['lock', 'list.errorForeground'],
  rotation_due: ['history', 'list.warningForeground'],
};

export function timeAgo(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

function money(amount: number, currency: string): string {
  return currency === 'USD' ? `$${amount.toFixed(2)}` : `${amount.toFixed(2)} ${currency}`;
}

/** "$74.50 left"; `long` adds whose money it is when that is the key's own cap, not the account's balance. */
export function formatCredits(view: ProviderView, long = false): string | undefined {
  const credits = view.lastResult?.credits;
  if (!credits || credits.remaining === undefined) return undefined;
  return `${money(credits.remaining, credits.currency)}${long && credits.scope === 'key' ? ' of the key\'s own limit' : ''} left`;
}

/** "used $1.20 today, $25.50 this month · limit resets monthly": the seed's "monitor usage", when the provider says. */
export function formatUsage(view: ProviderView): string | undefined {
  const credits = view.lastResult?.credits;
  if (!credits) return undefined;
  const spent = [
    credits.usageDaily !== undefined ? `${money(credits.usageDaily, credits.currency)} today` : '',
    credits.usageMonthly !== undefined ? `${money(credits.usageMonthly, credits.currency)} this month` : '',
  ].filter(Boolean).join(', ');
  const parts = [spent ? `used ${spent}` : '', credits.limitReset ? `limit resets ${credits.limitReset}` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}

/** e.g. "sk-or-v1-…a1b2 · $74.50 left · checked 5 min ago". */
export function describe(view: ProviderView, now: number): string {
  if (view.status === 'not_set') return view.recommended ? 'not set · recommended' : 'not set';
  const parts = [view.masked, view.verifying ? 'checking…' : STATUS_LABEL[view.status], formatCredits(view), view.sharedWith?.length ? `same key as ${view.sharedWith.join(', ')}` : undefined];
  const checked = timeAgo(view.lastResult?.checkedAt, now);
  if (checked && !view.verifying) parts.push(`checked ${checked}`);
  return parts.filter(Boolean).join(' · ');
}

/** Space-separated tokens for `viewItem =~ /\bset\b/` in menus. */
export function contextValue(view: ProviderView): string {
  const tokens = ['provider', view.status === 'not_set' ? 'unset' : view.status === 'locked' ? 'locked' : 'set', view.status];
  if (view.verifiable) tokens.push('verifiable');
  if (view.statusPageUrl) tokens.push('hasStatusPage');
  if (view.custom) tokens.push('custom');
  if (view.previous) tokens.push('hasPrevious');
  if (view.recommended) tokens.push('recommended');
  return tokens.join(' ');
}
