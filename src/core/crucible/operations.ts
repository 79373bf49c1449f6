// What the CLI and the extension do with a logged-in client: read what Crucible holds, carry out a planned push and
// confirm it from the masks read back, re-enter the keys Crucible can no longer read, and wait for it to come back.
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { BuiltInProviderId } from '../catalog';
import { OperationError } from '../errors';
import type { Clock } from '../ports';
import { systemClock } from '../ports';
import type { CrucibleClient, CrucibleHealth, CrucibleSettings } from './client';
import { type ComparisonState, compareWithVault, type CrucibleComparison, CRUCIBLE_IDS, labelOf, type VaultKeys, type Wording } from './compare';
import { CrucibleFailedError, CrucibleUnreachableError } from './errors';
import { planPush, pushBody, type PushEffect, type PushPlan } from './pushPlan';

/** A signal to stop, and how messages name the keys' source ("the vault" unless told). */
export interface OperationOptions extends Wording {
  signal?: AbortSignal;
}

export interface CrucibleStatus {
  settings: CrucibleSettings;
  comparison: CrucibleComparison;
}

/** Reads Crucible's settings and compares them with the vault's keys. */
export async function readStatus(client: CrucibleClient, vault: VaultKeys, options: OperationOptions = {}): Promise<CrucibleStatus> {
  const settings = await client.settings(options.signal);
  return { settings, comparison: compareWithVault(settings.providerApiKeys, vault, options) };
}

export interface ChangeResult {
  provider: BuiltInProviderId;
  effect: PushEffect;
  /** True when the settings read back show what was wanted: the vault's key under the id written, or no key. */
  confirmed: boolean;
  /** The provider's state in the settings read back. */
  state: ComparisonState;
  /** One sentence for people. */
  message: string;
}

export interface PushOutcome {
  plan: PushPlan;
  /** False when the plan had nothing to send. */
  sent: boolean;
  results: ChangeResult[];
  /** Every change confirmed. */
  confirmed: boolean;
  /** The comparison read back after the save. */
  after: CrucibleStatus;
}

/** The error for running a plan Crucible would refuse: its refusal sentence, nothing sent. */
export class PushRefusedError extends OperationError {
  override name = 'PushRefusedError';
}

/** Sends a plan (unless it is empty), reads the settings back, and confirms each change from the masks. */
export async function executePush(client: CrucibleClient, plan: PushPlan, vault: VaultKeys, options: OperationOptions = {}): Promise<PushOutcome> {
  if (!plan.accepted) throw new PushRefusedError(plan.refusal ?? 'Crucible would refuse this save.');
  if (!plan.empty) await client.saveKeys(pushBody(plan, vault), options.signal);
  const after = await readStatus(client, vault, options);
  const source = options.source ?? 'the vault';
  const results = plan.changes.map((change): ChangeResult => {
    const now = after.comparison.providers.find((entry) => entry.provider === change.provider)!;
    const label = labelOf(change.provider);
    const removing = change.effect === 'remove' || change.effect === 'not_held';
    const confirmed = removing ? now.storedUnder.length === 0 : now.state === 'same' && now.storedUnder.join() === CRUCIBLE_IDS[change.provider][0];
    const message = confirmed
      ? removing ? `Crucible holds no ${label} key now.` : `Crucible now holds ${source}'s ${label} key.`
      : removing ? `Crucible still holds a ${label} key after the save.` : `Crucible's ${label} key does not match ${source}'s after the save: ${now.message}`;
    return { provider: change.provider, effect: change.effect, confirmed, state: now.state, message };
  });
  return { plan, sent: !plan.empty, results, confirmed: results.every((result) => result.confirmed), after };
}

export interface ReentryOutcome {
  /** Undefined when nothing Crucible holds was unreadable with a vault key to put back. */
  push?: PushOutcome;
  /** Providers Crucible cannot read and the vault has no key for: they stay unreadable. */
  withoutVaultKey: BuiltInProviderId[];
}

/** Pushes the vault's keys for exactly the providers whose key Crucible can no longer read, and confirms them. */
export async function reenterUnreadable(client: CrucibleClient, vault: VaultKeys, options: OperationOptions = {}): Promise<ReentryOutcome> {
  const status = await readStatus(client, vault, options);
  const unreadable = status.comparison.providers.filter((entry) => entry.state === 'unreadable');
  const push = unreadable.filter((entry) => entry.inVault).map((entry) => entry.provider);
  const withoutVaultKey = unreadable.filter((entry) => !entry.inVault).map((entry) => entry.provider);
  if (push.length === 0) return { withoutVaultKey };
  const plan = planPush(status.settings.providerApiKeys, vault, { push }, options);
  return { push: await executePush(client, plan, vault, options), withoutVaultKey };
}

export interface WaitOptions {
  /** How long to keep trying, in all (default 2 minutes). */
  timeoutMs?: number;
  /** Pause between tries (default 1 s). */
  intervalMs?: number;
  /** Time allowed to one try (default 3 s). */
  attemptTimeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Waits for Crucible to answer its health check again (after a restart): an unreachable server or a failing one
 * (a proxy's 502 while the API starts) is tried again; anything that is not Crucible fails at once.
 */
export async function waitForCrucible(client: CrucibleClient, options: WaitOptions = {}): Promise<CrucibleHealth> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const until = clock.now() + timeoutMs;
  for (;;) {
    try {
      return await client.health({ signal: options.signal, timeoutMs: options.attemptTimeoutMs ?? 3_000 });
    } catch (error) {
      if (!(error instanceof CrucibleUnreachableError || error instanceof CrucibleFailedError)) throw error;
      if (clock.now() >= until) {
        throw new CrucibleUnreachableError(`Crucible at ${client.apiUrl} did not come back within ${Math.round(timeoutMs / 1000)} seconds; check its logs (docker compose logs api).`, 'timeout');
      }
    }
    await sleep(options.intervalMs ?? 1_000, options.signal);
  }
}
