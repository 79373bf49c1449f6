// Rotating the vault passphrase, so that VS Code can die at any step and lose nothing. Each step leaves every token
// under a passphrase the vault still remembers:
//
// | step                                   | SecretStorage after the step                 | if VS Code dies here                                    |
// |----------------------------------------|----------------------------------------------|---------------------------------------------------------|
// | 1. remember the new passphrase          | a new entry; the pointer names the old one   | nothing changed for any key; the unused entry is        |
// |                                        |                                              | forgotten later                                         |
// | 2. record the intent {from, to}         | + crucibleKeys.vault.rotation               | the next window to refresh finishes the rotation        |
// | 3. point the vault at the new one       | pointer → new                                | keys still open with the old passphrase, still known    |
// | 4. re-encrypt each key under the new one| tokens move one at a time (compare first)    | each token opens with the old or the new passphrase     |
// | 5. clear the intent                     | intent gone                                  | the old passphrase is forgotten once no token needs it  |
import { generatePassphrase } from '../passphrase';
import { OperationError } from '../errors';
import type { CrucibleKeyring } from '../keyDerivation';
import type { Clock, Logger } from '../ports';
import type { KeyVault } from './keyVault';

/** A rotation younger than this, recorded by another window, is taken to be still running there. */
export const ROTATION_IN_PROGRESS_MS = 2 * 60_000;

export interface RotationOutcome {
  moved: string[];
  locked: string[];
}

export class VaultRotation {
  constructor(private readonly vault: KeyVault, private readonly keyring: CrucibleKeyring, private readonly clock: Clock, private readonly logger: Logger) {}

  /** Rotates to a freshly generated passphrase (or `next`, when adopting a project's passphrase for the vault). */
  async rotate(next: string = generatePassphrase(), origin: 'rotated' | 'adopted' = 'rotated'): Promise<RotationOutcome> {
    const passphrases = this.vault.passphrases;
    const pending = await passphrases.rotationIntent();
    if (pending && this.clock.now() - Date.parse(pending.startedAt) < ROTATION_IN_PROGRESS_MS) {
      throw new OperationError('Another window is rotating the vault passphrase right now; try again in a minute.');
    }
    if (pending) await this.resume();
    const from = await passphrases.ensureCurrent();
    if (from.value === next) throw new OperationError('That passphrase is already the vault passphrase.');
    const to = await passphrases.add(next, origin); // 1
    await passphrases.recordRotation({ fromId: from.id, toId: to.id, startedAt: new Date(this.clock.now()).toISOString() }); // 2
    await passphrases.setCurrent(to.id); // 3
    const outcome = await this.vault.consolidate(); // 4
    await passphrases.clearRotation(); // 5
    this.keyring.clear();
    this.logger.info('rotated the vault passphrase: %d key(s) moved, %d locked', outcome.moved.length, outcome.locked.length);
    return outcome;
  }

  /** Finishes a rotation some window recorded and did not clear (it died, or is slow): idempotent. */
  async resume(): Promise<RotationOutcome | undefined> {
    const passphrases = this.vault.passphrases;
    const intent = await passphrases.rotationIntent();
    if (!intent) return undefined;
    const current = await passphrases.current();
    if (await passphrases.entry(intent.toId)) {
      if (!current || current.id === intent.fromId) await passphrases.setCurrent(intent.toId);
    }
    const outcome = await this.vault.consolidate();
    await passphrases.clearRotation();
    this.logger.info('finished an interrupted vault rotation: %d key(s) moved', outcome.moved.length);
    return outcome;
  }
}
