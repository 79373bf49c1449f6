// Rotating Crucible's API_KEY_ENCRYPTION_KEY and putting its keys back, in five steps that can stop anywhere and
// resume from the step where they stopped. The step is kept in a KeyValueStore (VS Code's globalState) before and after
// each step; nothing secret is kept there, only a short hash of the passphrase being replaced, so that step 1 can tell
// whether it already ran (the new passphrase is generated once, and only the .env file ever holds it).
//
// | step               | does                                                                 | run again after a crash            |
// |--------------------|----------------------------------------------------------------------|------------------------------------|
// | 1. writeKey        | a new passphrase into .env, the old one on a dated comment line      | sees the passphrase changed: skips |
// | 2. restart         | asks for `docker compose up -d api worker` (the UI may run it)       | asks again                         |
// | 3. waitForCrucible | waits for /health to answer again                                    | waits again                        |
// | 4. repush          | logs in, checks Crucible restarted, re-enters what reads ***error*** | re-enters what is still unreadable |
// | 5. confirm         | every key Crucible holds matches the vault's (by mask)               | checks again                       |
import { createHash } from 'node:crypto';
import type { BuiltInProviderId } from '../catalog';
import { CrucibleKeysError, OperationError } from '../errors';
import { generatePassphrase } from '../passphrase';
import type { Clock, KeyValueStore } from '../ports';
import { systemClock } from '../ports';
import type { CrucibleClient } from './client';
import { labelOf, needsAttention, type VaultKeys } from './compare';
import type { EncryptionKeyFile } from './encryptionKeyFile';
import { CrucibleAuthError } from './errors';
import { readStatus, reenterUnreadable, type CrucibleStatus, type ReentryOutcome, waitForCrucible, type WaitOptions } from './operations';

export const ROTATION_STEPS = ['writeKey', 'restart', 'waitForCrucible', 'repush', 'confirm'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The key under which the state is kept in the store. */
export const ROTATION_STATE_KEY = 'crucibleKeys.crucible.rotation';
/** What restarts Crucible's API and worker with the new passphrase: `up -d` re-creates them from the .env; `restart` would not. */
export const RESTART_COMMAND = 'docker compose up -d api worker';

/** Said when Crucible read no key before the rotation: nothing shows whether it restarted with the new passphrase. */
export const UNCONFIRMED_RESTART = `Crucible read no key before the rotation, so whether it restarted with the new API_KEY_ENCRYPTION_KEY cannot be told from its keys; if ${RESTART_COMMAND} did not run, keys saved now become unreadable at its next restart (re-enter them from the vault then).`;

export interface RotationState {
  version: 1;
  /** The next step to run. */
  step: RotationStep;
  envFile: string;
  apiUrl: string;
  startedAt: string;
  /** A short SHA-256 of the passphrase being replaced ("" when none was set): step 1 has run once it differs. */
  replacing: string;
  /** Providers Crucible could read before the rotation: after the restart they must read ***error***, or it did not restart. */
  readableBefore: BuiltInProviderId[];
  /** Set in step 4 once Crucible was seen running with the new passphrase, before anything is re-entered. */
  restartVerified?: boolean;
}

export interface StepReport {
  step: RotationStep;
  /** 1 to 5. */
  number: number;
  ok: boolean;
  /** One sentence for people. */
  message: string;
  /** The failure, for the UI to explain further (its message is already the sentence above when it is ours). */
  error?: unknown;
}

export interface RotationResult {
  /** True when step 5 passed and the state was cleared. */
  done: boolean;
  reports: StepReport[];
}

/** What the flow needs of Crucible; crucibleRotationPort builds it from a client. */
export interface RotationCrucible {
  waitUntilUp(signal?: AbortSignal): Promise<void>;
  /** Logs in if needed and reads what Crucible holds, compared with the vault. */
  status(signal?: AbortSignal): Promise<CrucibleStatus>;
  /** Logs in if needed and re-enters the vault's keys for what Crucible can no longer read. */
  reenter(signal?: AbortSignal): Promise<ReentryOutcome>;
}

export interface RotationPorts {
  store: KeyValueStore;
  env: EncryptionKeyFile;
  crucible: RotationCrucible;
  /** Step 2: tells the user to run `command` (and may run it in a terminal); resolves once it has run, rejects to stop. */
  restart(command: string, signal?: AbortSignal): Promise<void>;
  generatePassphrase?: () => string;
  clock?: Clock;
}

/** A short, non-reversible tag of a passphrase, enough to tell whether it changed. */
export function passphraseTag(passphrase: string | undefined): string {
  return passphrase ? createHash('sha256').update(passphrase, 'utf8').digest('hex').slice(0, 16) : '';
}

export class RotationFlow {
  private readonly clock: Clock;

  constructor(private readonly ports: RotationPorts) {
    this.clock = ports.clock ?? systemClock;
  }

  /** The unfinished rotation, if one was started and not finished or abandoned. */
  pending(): RotationState | undefined {
    const state = this.ports.store.get<RotationState>(ROTATION_STATE_KEY);
    return state?.version === 1 && ROTATION_STEPS.includes(state.step) ? state : undefined;
  }

  /**
   * Records a new rotation at step 1, for `apiUrl` and the passphrase `env` holds now. `readableBefore` (the providers
   * Crucible can read now, when known) lets step 4 tell whether Crucible really restarted with the new passphrase.
   */
  async start(apiUrl: string, readableBefore: readonly BuiltInProviderId[] = []): Promise<RotationState> {
    const pending = this.pending();
    if (pending) throw new OperationError(`A rotation of Crucible's encryption key started on ${pending.startedAt.slice(0, 10)} is unfinished; resume it or abandon it first.`);
    const state: RotationState = {
      version: 1, step: 'writeKey', envFile: this.ports.env.file, apiUrl, startedAt: new Date(this.clock.now()).toISOString(),
      replacing: passphraseTag(await this.ports.env.read()), readableBefore: [...readableBefore],
    };
    await this.save(state);
    return state;
  }

  /** Forgets an unfinished rotation; what its steps did stays done. */
  async abandon(): Promise<void> {
    await this.ports.store.update(ROTATION_STATE_KEY, undefined);
  }

  /** Runs from the recorded step to the end, reporting each step; stops at the first failure, which a later run retries. */
  async run(onReport?: (report: StepReport) => void, signal?: AbortSignal): Promise<RotationResult> {
    const reports: StepReport[] = [];
    for (let state = this.pending(); state; state = this.pending()) {
      const number = ROTATION_STEPS.indexOf(state.step) + 1;
      let report: StepReport;
      let next: RotationStep | 'done';
      try {
        const outcome = await this.runStep(state, signal);
        report = { step: state.step, number, ok: outcome.ok, message: outcome.message };
        next = outcome.next ?? (outcome.ok ? ((ROTATION_STEPS[number] as RotationStep | undefined) ?? 'done') : state.step);
      } catch (error) {
        const message = signal?.aborted
          ? `Stopped during step ${number}; resume to go on from there.`
          : error instanceof CrucibleKeysError ? error.message : `Step ${number} failed unexpectedly; resume to try it again.`;
        report = { step: state.step, number, ok: false, message, error };
        next = state.step;
      }
      reports.push(report);
      onReport?.(report);
      if (next === 'done') {
        await this.abandon();
        return { done: true, reports };
      }
      if (next !== state.step) await this.save({ ...state, step: next });
      if (!report.ok) return { done: false, reports };
    }
    return { done: false, reports };
  }

  private async save(state: RotationState): Promise<void> {
    await this.ports.store.update(ROTATION_STATE_KEY, state);
  }

  private async runStep(state: RotationState, signal?: AbortSignal): Promise<{ ok: boolean; message: string; next?: RotationStep }> {
    const { env, crucible } = this.ports;
    switch (state.step) {
      case 'writeKey': {
        const current = await env.read();
        if (passphraseTag(current) !== state.replacing) return { ok: true, message: `${env.file} already has the new API_KEY_ENCRYPTION_KEY.` };
        const date = new Date(this.clock.now());
        await env.replace((this.ports.generatePassphrase ?? generatePassphrase)(), current, date);
        return { ok: true, message: `${env.file} has a new API_KEY_ENCRYPTION_KEY${current === undefined ? '' : `; the old one is kept on a comment line dated ${date.toISOString().slice(0, 10)}`}.` };
      }
      case 'restart':
        await this.ports.restart(RESTART_COMMAND, signal);
        return { ok: true, message: `Crucible's API and worker were restarted (${RESTART_COMMAND}).` };
      case 'waitForCrucible':
        await crucible.waitUntilUp(signal);
        return { ok: true, message: `Crucible answers again at ${state.apiUrl}.` };
      case 'repush': {
        // Re-entered keys read fine again, so whether Crucible restarted is judged once, before anything is sent.
        if (!state.restartVerified) {
          const before = await crucible.status(signal);
          const stillReadable = before.comparison.providers.filter((entry) => state.readableBefore.includes(entry.provider) && entry.storedUnder.length > 0 && entry.state !== 'unreadable');
          if (stillReadable.length > 0) {
            return {
              ok: false, next: 'restart',
              message: `Crucible still reads its ${stillReadable.map((entry) => labelOf(entry.provider)).join(', ')} key with the old passphrase, so it has not restarted with the new one; run ${RESTART_COMMAND} in the Crucible folder and resume.`,
            };
          }
          await this.save({ ...state, restartVerified: true });
        }
        const outcome = await crucible.reenter(signal);
        const pushed = outcome.push?.results.map((result) => labelOf(result.provider)) ?? [];
        const left = outcome.withoutVaultKey.length ? `; the vault has no key for ${outcome.withoutVaultKey.map(labelOf).join(', ')}, which stay unreadable` : '';
        const done = pushed.length ? `Re-entered ${pushed.join(', ')} from the vault${left}.` : `Crucible had no unreadable key the vault could re-enter${left}.`;
        return { ok: true, message: state.readableBefore.length ? done : `${done} ${UNCONFIRMED_RESTART}` };
      }
      case 'confirm': {
        const { comparison } = await crucible.status(signal);
        const wrong = comparison.providers.filter((entry) => needsAttention(entry.state));
        if (wrong.length > 0) {
          return { ok: false, message: `Not every key Crucible holds matches the vault yet: ${wrong.map((entry) => `${labelOf(entry.provider)} (${entry.state === 'unreadable' && !entry.inVault ? 'unreadable, not in the vault' : entry.state.replace(/_/g, ' ')})`).join(', ')}; fix those (re-enter or remove them) and resume.` };
        }
        const held = comparison.providers.filter((entry) => entry.storedUnder.length > 0).length;
        const done = held ? `Every key Crucible holds (${held}) reads back as the vault's.` : 'Crucible holds no keys; nothing to confirm.';
        return { ok: true, message: state.readableBefore.length ? done : `${done} ${UNCONFIRMED_RESTART}` };
      }
    }
  }
}

export interface CrucibleRotationOptions {
  client: CrucibleClient;
  /** The vault's keys, read when needed (the vault may have to be unlocked). */
  vault: () => Promise<VaultKeys>;
  /** Crucible's password, asked for when a login is needed. */
  password: () => Promise<string>;
  wait?: WaitOptions;
}

/** The flow's Crucible port over a client: logs in when needed, and once more when a session from before the restart is refused. */
export function crucibleRotationPort(options: CrucibleRotationOptions): RotationCrucible {
  const { client } = options;
  const loggedIn = async <T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> => {
    if (!client.loggedIn) await client.login(await options.password(), signal);
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof CrucibleAuthError)) throw error;
      await client.login(await options.password(), signal);
      return run();
    }
  };
  return {
    waitUntilUp: async (signal) => { await waitForCrucible(client, { ...options.wait, signal }); },
    status: (signal) => loggedIn(signal, async () => readStatus(client, await options.vault(), { signal })),
    reenter: (signal) => loggedIn(signal, async () => reenterUnreadable(client, await options.vault(), { signal })),
  };
}
