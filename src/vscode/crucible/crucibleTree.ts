// The "Crucible" view: one node for the server (connected or not, and why), under it a warning with "Re-enter from
// the vault" when Crucible can no longer read a key, an unfinished rotation, and each provider as Crucible holds it
// compared with the active profile. Rendered from the session's view only: getChildren does no I/O.
import * as vscode from 'vscode';
import type { BuiltInProviderId } from '../../core/catalog';
import { describeMask, displayCrucibleId, labelOf, type ProviderComparison } from '../../core/crucible/compare';
import { ROTATION_STEPS, type RotationState } from '../../core/crucible/rotationFlow';
import { COMPARISON_ICON, COMPARISON_LABEL } from './crucibleText';
import type { CrucibleSession, CrucibleView } from './crucibleSession';

export type CrucibleNode =
  | { kind: 'server' }
  /** Why it is not connected, or what failed: one sentence. */
  | { kind: 'message'; text: string; failed: boolean }
  | { kind: 'recovery'; providers: BuiltInProviderId[] }
  | { kind: 'rotation'; state: RotationState }
  /** `id` is the provider's, so that commands run on the row get it as their pre-selected provider. */
  | { kind: 'provider'; id: BuiltInProviderId; entry: ProviderComparison }
  /** `index` keeps each row's tree id unique: two ids from the server may look the same once escaped and cut. */
  | { kind: 'other'; crucibleId: string; mask: string; index: number };

const CONNECTION_TEXT: Readonly<Record<CrucibleView['connection'], string>> = {
  disconnected: 'not connected', connecting: 'connecting…', connected: 'connected', failed: 'not reachable',
};

export class CrucibleTreeProvider implements vscode.TreeDataProvider<CrucibleNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CrucibleNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly server: CrucibleNode = { kind: 'server' };

  constructor(private readonly session: CrucibleSession, private readonly pendingRotation: () => RotationState | undefined) {
    this.subscription = session.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(element?: CrucibleNode): CrucibleNode[] {
    if (!element) return [this.server];
    if (element.kind !== 'server') return [];
    const view = this.session.view();
    const nodes: CrucibleNode[] = [];
    const rotation = this.pendingRotation();
    if (rotation) nodes.push({ kind: 'rotation', state: rotation });
    if (view.connection !== 'connected' || !view.comparison) {
      if (view.message && view.connection !== 'connecting') nodes.push({ kind: 'message', text: view.message, failed: view.connection === 'failed' });
      return nodes;
    }
    const unreadable = view.comparison.providers.filter((entry) => entry.state === 'unreadable').map((entry) => entry.provider);
    if (unreadable.length) nodes.push({ kind: 'recovery', providers: unreadable });
    for (const entry of view.comparison.providers) {
      if (entry.state !== 'absent') nodes.push({ kind: 'provider', id: entry.provider, entry });
    }
    view.comparison.others.forEach((other, index) => nodes.push({ kind: 'other', crucibleId: other.id, mask: describeMask(other.mask), index }));
    return nodes;
  }

  getTreeItem(node: CrucibleNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server': return this.serverItem();
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = 'crucible:message';
        item.iconPath = new vscode.ThemeIcon(node.failed ? 'error' : 'info', node.failed ? new vscode.ThemeColor('list.errorForeground') : undefined);
        item.tooltip = node.text;
        item.command = { command: 'crucibleKeys.connectCrucible', title: 'Connect to Crucible' };
        return item;
      }
      case 'recovery': {
        const names = node.providers.map(labelOf).join(', ');
        const item = new vscode.TreeItem(`Crucible cannot read ${names}`, vscode.TreeItemCollapsibleState.None);
        item.id = 'crucible:recovery';
        item.description = 'Re-enter from the vault';
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = `Crucible can no longer decrypt ${node.providers.length === 1 ? 'this key' : 'these keys'}: its API_KEY_ENCRYPTION_KEY changed. "Re-enter from the vault" sends the vault's keys for exactly ${node.providers.length === 1 ? 'this provider' : 'these providers'} and checks the masks.`;
        // Without it, screen readers (and the workbench's aria-label) read the long tooltip instead of the row.
        item.accessibilityInformation = { label: `Crucible cannot read ${names}: re-enter from the vault` };
        item.contextValue = 'crucibleRecovery';
        item.command = { command: 'crucibleKeys.reenterCrucibleKeys', title: 'Re-enter from the Vault' };
        return item;
      }
      case 'rotation': {
        const number = ROTATION_STEPS.indexOf(node.state.step) + 1;
        const item = new vscode.TreeItem('Encryption key rotation unfinished', vscode.TreeItemCollapsibleState.None);
        item.id = 'crucible:rotation';
        item.description = `resume at step ${number} of ${ROTATION_STEPS.length}`;
        item.iconPath = new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = `Started ${node.state.startedAt.slice(0, 10)} for ${node.state.envFile}. Click to resume or abandon it.`;
        item.accessibilityInformation = { label: `Encryption key rotation unfinished: resume at step ${number} of ${ROTATION_STEPS.length}` };
        item.contextValue = 'crucibleRotation';
        item.command = { command: 'crucibleKeys.rotateCrucibleEncryptionKey', title: 'Resume' };
        return item;
      }
      case 'provider': {
        const { entry } = node;
        const item = new vscode.TreeItem(labelOf(node.id), vscode.TreeItemCollapsibleState.None);
        item.id = `crucible:provider:${node.id}`;
        item.description = `${COMPARISON_LABEL[entry.state]}${entry.mask && entry.mask.kind !== 'unreadable' ? ` · ${describeMask(entry.mask)}` : ''}`;
        const [icon, color] = COMPARISON_ICON[entry.state];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        item.tooltip = [entry.message, entry.note].filter(Boolean).join('\n\n');
        item.contextValue = ['crucibleProvider', entry.inVault ? 'inVault' : '', entry.storedUnder.length ? 'inCrucible' : ''].filter(Boolean).join(' ');
        item.accessibilityInformation = { label: `${labelOf(node.id)}: ${COMPARISON_LABEL[entry.state]}` };
        return item;
      }
      case 'other': {
        // An id Crucible Keys does not know came from the server: shown as escaped text only, never as markdown, and
        // never as the tree id, which VS Code refuses to see twice (the whole view would fail to render).
        const item = new vscode.TreeItem(displayCrucibleId(node.crucibleId), vscode.TreeItemCollapsibleState.None);
        item.id = `crucible:other:${node.index}`;
        item.description = `only in Crucible · ${node.mask}`;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.tooltip = 'Crucible holds a key under an id Crucible Keys does not know; it is left alone.';
        item.contextValue = 'crucibleOther';
        return item;
      }
    }
  }

  private serverItem(): vscode.TreeItem {
    const view = this.session.view();
    const host = view.apiUrl ? new URL(view.apiUrl).host : 'no usable address';
    const expandable = (view.connection === 'connected' && view.comparison) || this.pendingRotation() || (view.message && view.connection !== 'connecting');
    const item = new vscode.TreeItem('Crucible', expandable ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // A new id when it becomes expandable: VS Code keeps a collapsed state per id, and would hide what Crucible holds.
    item.id = `crucible:server:${expandable ? 'expandable' : 'leaf'}`;
    item.description = `${CONNECTION_TEXT[view.connection]} · ${host}`;
    const unreadable = view.comparison?.providers.some((entry) => entry.state === 'unreadable');
    item.iconPath = view.connection === 'connected'
      ? new vscode.ThemeIcon(unreadable ? 'warning' : 'plug', new vscode.ThemeColor(unreadable ? 'list.warningForeground' : 'testing.iconPassed'))
      : view.connection === 'connecting' ? new vscode.ThemeIcon('loading~spin')
        : new vscode.ThemeIcon(view.connection === 'failed' ? 'debug-disconnect' : 'plug', view.connection === 'failed' ? new vscode.ThemeColor('list.errorForeground') : undefined);
    const lines = [
      `Crucible at ${view.apiUrl ?? '(crucibleKeys.crucible.apiUrl is not usable)'}${view.version ? `, version ${view.version}` : ''}: ${CONNECTION_TEXT[view.connection]}.`,
      view.message, view.warning,
      view.comparison ? `Compared with the ${view.profile} profile's keys${view.checkedAt ? `, read ${new Date(view.checkedAt).toLocaleTimeString()}` : ''}.` : undefined,
      view.passwordRemembered ? 'Its password is remembered in secret storage.' : undefined,
    ];
    item.tooltip = lines.filter(Boolean).join('\n\n');
    item.contextValue = ['crucibleServer', view.connection, view.passwordRemembered ? 'rememberedPassword' : ''].filter(Boolean).join(' ');
    item.accessibilityInformation = { label: `Crucible, ${CONNECTION_TEXT[view.connection]}, ${host}${unreadable ? ', some keys unreadable' : ''}` };
    if (view.connection !== 'connected' && view.connection !== 'connecting') item.command = { command: 'crucibleKeys.connectCrucible', title: 'Connect to Crucible' };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
