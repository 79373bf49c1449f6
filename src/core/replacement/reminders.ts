// When to remind someone to replace a key (Crucible's guide: rotate keys regularly): at most one notification a day,
// for the oldest key past crucibleKeys.rotationReminderDays that is neither snoozed nor muted. Pure, on a clock.

export const DAY_MS = 86_400_000;
export const SNOOZE_DAYS = 30;

export interface ReminderState {
  /** The UTC day (YYYY-MM-DD) a reminder was last shown. */
  lastShownDay?: string;
  /** Per key ("<profile>/<provider>"): snoozed until an ISO time, or muted for good. */
  keys: Record<string, { snoozedUntil?: string; muted?: boolean }>;
}

export interface AgedKey {
  profile: string;
  provider: string;
  /** ISO-8601: when the key was saved. */
  addedAt: string;
}

export interface DueKey extends AgedKey {
  ageDays: number;
}

export function reminderKey(key: { profile: string; provider: string }): string {
  return `${key.profile}/${key.provider}`;
}

function day(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Whether today's reminder was shown: on today's date, or on tomorrow's when the clock has since moved back across
 * midnight (an NTP correction). A stamp further ahead came from a wrong clock and silences nothing.
 */
function shownToday(lastShownDay: string | undefined, now: number): boolean {
  if (!lastShownDay) return false;
  const today = day(now);
  return lastShownDay === today || (lastShownDay > today && Date.parse(lastShownDay) <= now + DAY_MS);
}

/** The key to remind about now, if any: never twice in one day, never a snoozed or muted key; the oldest first. */
export function dueReminder(keys: readonly AgedKey[], reminderDays: number, state: ReminderState, now: number): DueKey | undefined {
  if (reminderDays <= 0 || shownToday(state.lastShownDay, now)) return undefined;
  let due: DueKey | undefined;
  for (const key of keys) {
    const ageDays = Math.floor((now - Date.parse(key.addedAt)) / DAY_MS);
    if (!Number.isFinite(ageDays) || ageDays < reminderDays) continue;
    const entry = Object.hasOwn(state.keys, reminderKey(key)) ? state.keys[reminderKey(key)] : undefined;
    if (entry?.muted || (entry?.snoozedUntil && Date.parse(entry.snoozedUntil) > now)) continue;
    if (!due || ageDays > due.ageDays) due = { ...key, ageDays };
  }
  return due;
}

export function markShown(state: ReminderState, now: number): ReminderState {
  return { ...state, lastShownDay: day(now) };
}

export function snooze(state: ReminderState, key: AgedKey, now: number, days = SNOOZE_DAYS): ReminderState {
  return { ...state, keys: { ...state.keys, [reminderKey(key)]: { snoozedUntil: new Date(now + days * DAY_MS).toISOString() } } };
}

export function mute(state: ReminderState, key: AgedKey): ReminderState {
  return { ...state, keys: { ...state.keys, [reminderKey(key)]: { muted: true } } };
}

/** A replaced key starts afresh: its snooze or mute is dropped. */
export function forgetReminder(state: ReminderState, key: { profile: string; provider: string }): ReminderState {
  const keys = { ...state.keys };
  delete keys[reminderKey(key)];
  return { ...state, keys };
}
