// The "Providers" tree: one row per provider, rendered from KeyState only (getChildren does no I/O).
import * as vscode from 'vscode';
import type { Clock } from '../../core/ports';
import type { KeyState, ProviderView } from '../state/keyState';
import { contextValue, describe, formatCredits, formatUsage, STATUS_ICON, STATUS_LABEL, timeAgo } from '../state/presentation';

const REFRESH_DEBOUNCE_MS = 75;

export class ProviderTreeProvider implements vscode.TreeDataProvider<ProviderView>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProviderView | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly subscription: { dispose(): void };

  constructor(private readonly state: KeyState, private readonly clock: Clock) {
    this.subscription = state.onDidChange(() => this.scheduleRefresh());
  }

  /** Coalesces bursts (verify-all results arriving together) into one redraw. */
  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, REFRESH_DEBOUNCE_MS);
  }

  getChildren(element?: ProviderView): ProviderView[] {
    if (element) return [];
    const snapshot = this.state.snapshot();
    // No key at all: an empty tree, so the welcome view with "Add API Key" shows instead.
    return snapshot.setCount === 0 ? [] : snapshot.providers;
  }

  getTreeItem(view: ProviderView): vscode.TreeItem {
    const item = new vscode.TreeItem(view.label, vscode.TreeItemCollapsibleState.None);
    item.id = `provider:${view.id}`;
    item.description = describe(view, this.clock.now());
    const [icon, color] = view.verifying ? ['loading~spin', undefined] : STATUS_ICON[view.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = contextValue(view);
    item.tooltip = this.tooltip(view);
    item.accessibilityInformation = { label: `${view.label}: ${STATUS_LABEL[view.status]}${view.verifying ? ', checking' : ''}${view.masked ? `, key ${view.masked}` : ''}` };
    item.command = view.status === 'not_set'
      ? { command: 'crucibleKeys.addKey', title: 'Add API Key', arguments: [view.id] }
      : view.status === 'locked' ? { command: 'crucibleKeys.unlock', title: 'Unlock', arguments: [] } : undefined;
    return item;
  }

  private tooltip(view: ProviderView): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escape(view.label)}**${view.recommended ? ' (recommended)' : ''}: ${STATUS_LABEL[view.status]}\n\n`);
    if (view.sharedWith?.length) md.appendMarkdown(`$(warning) The same key is stored in the ${view.sharedWith.map(escape).join(', ')} profile${view.sharedWith.length > 1 ? 's' : ''}: use separate keys for development and production, so one leak or limit does not hit both.\n\n`);
    if (view.previous) md.appendMarkdown(`The replaced key ${escape(view.previous.masked)} is kept until ${view.previous.keptUntil.slice(0, 10)}, to undo the replacement.\n\n`);
    if (view.insecureOrigin) md.appendMarkdown(`$(warning) Checks send this key in clear text (plain http) to ${escape(view.insecureOrigin)}; use https, or a gateway on this machine.\n\n`);
    if (view.masked) md.appendMarkdown(`Key: \`${view.masked}\`\n\n`);
    md.appendMarkdown(`Written to \`.env\` as \`${view.writeVar}\``);
    if (view.readVars.length > 1) md.appendMarkdown(` (Crucible also reads ${view.readVars.filter((name) => name !== view.writeVar).map((name) => `\`${name}\``).join(', ')})`);
    md.appendMarkdown('\n\n');
    const result = view.lastResult;
    if (result) {
      md.appendMarkdown(`${escape(result.message)}\n\n`);
      if (result.note) md.appendMarkdown(`${escape(result.note)}\n\n`);
      const usage = formatUsage(view);
      if (usage) md.appendMarkdown(`${escape(usage)}\n\n`);
      const facts = [
        result.httpStatus ? `HTTP ${result.httpStatus}` : undefined,
        `${result.latencyMs} ms`,
        `checked ${timeAgo(result.checkedAt, this.clock.now())}`,
        formatCredits(view, true),
        result.key?.label ? `label ${escape(result.key.label)}` : undefined,
        result.key?.isFreeTier ? 'free tier' : undefined,
        result.key?.kind && result.key.kind !== 'inference' ? `${result.key.kind} key` : undefined,
        result.key?.expiresAt ? `key expires ${result.key.expiresAt.slice(0, 10)}` : undefined,
        result.retryAfterSeconds !== undefined ? `retry after ${result.retryAfterSeconds} s` : undefined,
      ].filter(Boolean);
      md.appendMarkdown(`${facts.join(' · ')}\n\n`);
      const rate = result.rateLimit;
      if (rate) {
        const lines = [
          rate.requestsRemaining !== undefined ? `requests ${rate.requestsRemaining}${rate.requestsLimit !== undefined ? `/${rate.requestsLimit}` : ''}` : undefined,
          rate.tokensRemaining !== undefined ? `tokens ${rate.tokensRemaining}${rate.tokensLimit !== undefined ? `/${rate.tokensLimit}` : ''}` : undefined,
          rate.requestsReset ? `resets ${escape(rate.requestsReset)}` : undefined,
        ].filter(Boolean);
        if (lines.length) md.appendMarkdown(`Rate limits: ${lines.join(' · ')}\n\n`);
      }
    }
    if (view.addedAt) md.appendMarkdown(`Added ${timeAgo(view.addedAt, this.clock.now())}`);
    return md;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (ch) => `\\${ch}`);
}
