// Reminds, at most once a day, to replace the oldest key past crucibleKeys.rotationReminderDays: "Replace key",
// "Snooze 30 days" or "Don't remind me for this key". Checked after activation and then hourly; no network.
import type * as vscode from 'vscode';
import type { Clock, KeyValueStore, Logger } from '../../core/ports';
import { type AgedKey, dueReminder, forgetReminder, markShown, mute, type ReminderState, snooze, SNOOZE_DAYS } from '../../core/replacement/reminders';
import type { KeyState } from '../state/keyState';
import type { Prompter } from '../ui/prompter';

const STATE_KEY = 'crucibleKeys.reminders';
const CHECK_EVERY_MS = 60 * 60_000;
export const REPLACE = 'Replace Key';
export const SNOOZE = `Snooze ${SNOOZE_DAYS} Days`;
export const MUTE = 'Don\'t Remind Me for This Key';

export class RotationReminders implements vscode.Disposable {
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly memento: KeyValueStore,
    private readonly state: KeyState,
    private readonly prompter: Prompter,
    private readonly clock: Clock,
    private readonly reminderDays: () => number,
    private readonly replace: (provider: string) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check().catch((error) => this.logger.warn('rotation reminder failed: %s', (error as Error).message)), CHECK_EVERY_MS);
  }

  private read(): ReminderState {
    const stored = this.memento.get<ReminderState>(STATE_KEY);
    return stored && typeof stored === 'object' && stored.keys && typeof stored.keys === 'object' ? stored : { keys: {} };
  }

  /** Shows today's reminder, if one is due, and acts on the answer. Returns the key it reminded about. */
  async check(now = this.clock.now()): Promise<AgedKey | undefined> {
    const snapshot = this.state.snapshot();
    const keys: AgedKey[] = snapshot.providers.filter((view) => view.addedAt && view.status !== 'not_set' && view.status !== 'locked').map((view) => ({ profile: snapshot.profile, provider: view.id, addedAt: view.addedAt! }));
    const due = dueReminder(keys, this.reminderDays(), this.read(), now);
    if (!due) return undefined;
    await this.memento.update(STATE_KEY, markShown(this.read(), now));
    const label = snapshot.providers.find((view) => view.id === due.provider)?.label ?? due.provider;
    const answer = await this.prompter.notify('reminder', `The ${label} key (${due.profile}) is ${due.ageDays} days old. Crucible's guide asks to replace keys regularly.`, { actions: [REPLACE, SNOOZE, MUTE] });
    if (answer === SNOOZE) await this.memento.update(STATE_KEY, snooze(this.read(), due, now));
    else if (answer === MUTE) await this.memento.update(STATE_KEY, mute(this.read(), due));
    else if (answer === REPLACE) await this.replace(due.provider);
    return due;
  }

  /** A replaced key starts afresh. */
  async replaced(profile: string, provider: string): Promise<void> {
    await this.memento.update(STATE_KEY, forgetReminder(this.read(), { profile, provider }));
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
