// The status bar summary, e.g. "$(key) 4/5": valid keys over stored keys; warning colour when a key needs attention.
import * as vscode from 'vscode';
import { describeVault, type KeyState } from '../state/keyState';
import { STATUS_LABEL } from '../state/presentation';

export class KeyStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crucibleKeys.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: { dispose(): void };

  constructor(private readonly state: KeyState) {
    this.item.name = 'Crucible Keys';
    this.item.command = 'crucibleKeys.openSettings';
    this.subscription = state.onDidChange(() => this.render());
    this.render();
    this.item.show();
  }

  render(): void {
    const snapshot = this.state.snapshot();
    const set = snapshot.providers.filter((view) => view.status !== 'not_set');
    this.item.text = set.length === 0 ? `$(key) ${snapshot.profile}: add key` : `$(key) ${snapshot.profile} ${snapshot.validCount}/${snapshot.setCount}`;
    this.item.backgroundColor = snapshot.needsAttention ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString(`**Crucible Keys**: the ${snapshot.profile} profile\n\n`);
    for (const view of set) md.appendMarkdown(`- ${view.label}: ${STATUS_LABEL[view.status]}${view.masked ? ` (\`${view.masked}\`)` : ''}\n`);
    if (set.length === 0) md.appendMarkdown('No keys yet. Click to add one.\n');
    md.appendMarkdown(`\nEncryption: ${describeVault(snapshot.encryption.vault)}${snapshot.encryption.lockedCount ? `; ${snapshot.encryption.lockedCount} locked` : ''}`);
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `Crucible Keys, ${snapshot.profile} profile: ${snapshot.validCount} of ${snapshot.setCount} keys valid${snapshot.needsAttention ? ', some need attention' : ''}` };
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
