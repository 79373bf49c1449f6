// What a person does with a running Crucible: connect, refresh, push keys into its settings, remove them, and put
// back what it can no longer read. Every change is planned against what Crucible holds, explained (a save Crucible
// would refuse is explained before anything is sent), and confirmed; afterwards the masks read back confirm it.
import * as vscode from 'vscode';
import type { BuiltInProviderId } from '../../core/catalog';
import { CRUCIBLE_IDS, CRUCIBLE_PROVIDERS, labelOf, type VaultKeys } from '../../core/crucible/compare';
import type { PushOutcome } from '../../core/crucible/operations';
import { planPush, type PushPlan, type PushRequest } from '../../core/crucible/pushPlan';
import { OperationError } from '../../core/errors';
import type { PickItem, Prompter } from '../ui/prompter';
import { COMPARISON_LABEL } from './crucibleText';
import type { CrucibleSession } from './crucibleSession';

export class CrucibleCommands {
  constructor(private readonly session: CrucibleSession, private readonly prompter: Prompter) {}

  async connect(): Promise<boolean> {
    const connected = await this.session.connect(true);
    if (connected) void vscode.window.showInformationMessage(`Connected to Crucible at ${this.session.view().apiUrl}.`);
    return connected;
  }

  async refresh(): Promise<void> {
    await this.session.refresh(true);
  }

  disconnect(): void {
    this.session.disconnect();
  }

  async forgetPassword(): Promise<void> {
    const answer = await this.prompter.confirm('crucibleForgetPassword', 'Forget the remembered password of Crucible?', { detail: 'Connecting will ask for it again (unless a trusted workspace\'s .env sets ROUNDTABLE_COMMUNITY_AUTH_PASSWORD).', actions: ['Forget'] });
    if (answer !== 'Forget') return;
    await this.session.forgetPassword();
    void vscode.window.showInformationMessage('Forgot the remembered Crucible password.');
  }

  /** Pushes the chosen providers' keys from the active profile; `preselected` only ticks one in the list. */
  async push(preselected?: string): Promise<PushOutcome | undefined> {
    await this.session.ensureConnected();
    const held = (await this.session.refresh(true))?.providerApiKeys ?? {};
    const vault = await this.session.vaultKeys();
    const view = this.session.view();
    const candidates = CRUCIBLE_PROVIDERS.filter((id) => vault[id] !== undefined);
    if (candidates.length === 0) throw new OperationError(`The ${view.profile} profile holds no key Crucible uses; add one first.`);
    const items: PickItem<BuiltInProviderId>[] = candidates.map((id) => {
      const entry = view.comparison?.providers.find((candidate) => candidate.provider === id);
      return {
        label: labelOf(id), value: id, description: entry ? COMPARISON_LABEL[entry.state] : undefined, detail: entry?.message,
        picked: preselected ? preselected === id : entry?.state !== 'same',
      };
    });
    const chosen = await this.prompter.pickMany('cruciblePush', items, { title: `Push Keys to Crucible (${view.profile} profile)`, placeHolder: 'The keys to store in Crucible\'s settings' });
    if (!chosen?.length) return undefined;
    return this.carryOut(held, vault, { push: chosen }, 'Push');
  }

  /** Removes the chosen providers' keys from Crucible. */
  async remove(preselected?: string): Promise<PushOutcome | undefined> {
    await this.session.ensureConnected();
    const held = (await this.session.refresh(true))?.providerApiKeys ?? {};
    const view = this.session.view();
    const stored = view.comparison?.providers.filter((entry) => entry.storedUnder.length > 0) ?? [];
    if (stored.length === 0) throw new OperationError('Crucible holds no key Crucible Keys knows, so there is nothing to remove.');
    const items = stored.map((entry): PickItem<BuiltInProviderId> => ({
      label: labelOf(entry.provider), value: entry.provider, description: COMPARISON_LABEL[entry.state], detail: entry.message, picked: preselected === entry.provider,
    }));
    const chosen = await this.prompter.pickMany('crucibleRemove', items, { title: 'Remove Keys from Crucible', placeHolder: 'The keys Crucible should forget (the vault keeps its own)' });
    if (!chosen?.length) return undefined;
    return this.carryOut(held, await this.session.vaultKeys(), { remove: chosen }, 'Remove');
  }

  /** Re-enters the vault's keys for exactly the providers Crucible can no longer decrypt. */
  async reenter(): Promise<PushOutcome | undefined> {
    await this.session.ensureConnected();
    await this.session.refresh(true);
    const view = this.session.view();
    const unreadable = view.comparison?.providers.filter((entry) => entry.state === 'unreadable') ?? [];
    if (unreadable.length === 0) {
      void vscode.window.showInformationMessage('Crucible can read every key it holds; there is nothing to re-enter.');
      return undefined;
    }
    const fromVault = unreadable.filter((entry) => entry.inVault);
    const without = unreadable.filter((entry) => !entry.inVault).map((entry) => labelOf(entry.provider));
    if (fromVault.length === 0) throw new OperationError(`Crucible can no longer read its ${without.join(', ')} key${without.length > 1 ? 's' : ''}, and the ${view.profile} profile has none to put back; add ${without.length > 1 ? 'them' : 'it'} to the vault first.`);
    const names = fromVault.map((entry) => labelOf(entry.provider)).join(', ');
    const answer = await this.prompter.confirm('crucibleReenter', `Re-enter ${names} in Crucible from the ${view.profile} profile?`, {
      detail: `Crucible can no longer decrypt ${fromVault.length === 1 ? 'this key' : 'these keys'} (its API_KEY_ENCRYPTION_KEY changed). The vault's ${fromVault.length === 1 ? 'key is' : 'keys are'} sent again and checked against the masks Crucible reads back.${without.length ? ` ${without.join(', ')} stay${without.length === 1 ? 's' : ''} unreadable: the vault has no key for ${without.length === 1 ? 'it' : 'them'}.` : ''}`,
      actions: ['Re-enter'],
    });
    if (answer !== 'Re-enter') return undefined;
    const outcome = await this.session.reenter(await this.session.vaultKeys());
    if (outcome.push) this.report(outcome.push);
    return outcome.push;
  }

  /** Plans a request, explains a refusal before sending (offering what Crucible would accept), confirms, sends, reports. */
  private async carryOut(held: Readonly<Record<string, string>>, vault: VaultKeys, request: PushRequest, verb: 'Push' | 'Remove'): Promise<PushOutcome | undefined> {
    let plan = planPush(held, vault, request);
    if (!plan.accepted) {
      const chosen = await this.acceptable(plan);
      if (!chosen) return undefined;
      plan = planPush(held, vault, chosen);
    }
    if (plan.empty) {
      void vscode.window.showInformationMessage(plan.changes.map((change) => change.message).join(' '));
      return undefined;
    }
    const apiUrl = this.session.view().apiUrl;
    const sent = plan.changes.filter((change) => change.sends.length > 0);
    const google = plan.changes.some((change) => change.provider === 'google' && change.sends.some((send) => send.action === 'set'))
      ? ` Google's key is written under "${CRUCIBLE_IDS.google[0]}", the id Crucible's model router reads.` : '';
    const answer = await this.prompter.confirm('crucibleConfirm', `${verb} ${sent.length === 1 ? `the ${labelOf(sent[0].provider)} key` : `${sent.length} keys`} ${verb === 'Push' ? 'to' : 'from'} Crucible at ${apiUrl}?`, {
      detail: `${plan.changes.map((change) => change.message).join('\n')}\n\nCrucible stores keys encrypted with its own API_KEY_ENCRYPTION_KEY.${google}`,
      actions: [verb],
    });
    if (answer !== verb) return undefined;
    const outcome = await this.session.execute(plan, vault);
    this.report(outcome);
    return outcome;
  }

  /** Crucible would refuse the plan: say why, and offer the requests it would accept. */
  private async acceptable(plan: PushPlan): Promise<PushRequest | undefined> {
    const offers = plan.suggestions.filter((suggestion) => suggestion.request);
    if (offers.length === 0) throw new OperationError(`${plan.refusal} ${plan.suggestions.map((suggestion) => suggestion.sentence).join(' ')}`.trim());
    const labels = offers.map((offer) => offer.sentence.replace(/\.$/, ''));
    const choice = await this.prompter.confirm('crucibleBundle', plan.refusal ?? 'Crucible would refuse this.', {
      detail: 'Nothing has been sent. Crucible Keys can do this instead:',
      actions: labels,
    });
    return offers[labels.indexOf(choice ?? '')]?.request;
  }

  private report(outcome: PushOutcome): void {
    const unconfirmed = outcome.results.filter((result) => !result.confirmed);
    if (unconfirmed.length === 0) {
      void vscode.window.showInformationMessage(`${outcome.results.map((result) => result.message).join(' ')} (confirmed from the masks Crucible reads back)`);
    } else {
      void vscode.window.showWarningMessage(unconfirmed.map((result) => result.message).join(' '));
    }
  }
}
