// The vault passphrase: one for every window, kept in SecretStorage, never taken from a workspace or a shell.
// Every passphrase the vault has used keeps its own entry until no token needs it, so a key is never locked for
// good: a window that lost a race, or died in the middle of a rotation, left its tokens under a passphrase that is
// still remembered. SecretStorage has no compare-and-swap, so creation stores, then re-reads, and uses the winner.
import { randomBytes } from 'node:crypto';
import { generatePassphrase } from '../passphrase';
import type { Clock, Logger, SecretStore } from '../ports';
import { CURRENT_PASSPHRASE_ID, PASSPHRASE_ENTRY_PREFIX, passphraseEntryName, ROTATION_INTENT } from './names';

/** How a passphrase came to be known to the vault. */
export type PassphraseOrigin = 'generated' | 'migrated' | 'adopted' | 'unlocked' | 'rotated';

export interface PassphraseEntry {
  /** Random and meaningless: entries are named by it, never by anything derived from the passphrase. */
  id: string;
  value: string;
  origin: PassphraseOrigin;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601: when the vault last stopped using it (another became current). */
  retiredAt?: string;
}

/** A vault rotation in progress, recorded before it starts. */
export interface RotationIntent {
  fromId: string;
  toId: string;
  startedAt: string;
}

const ID_PATTERN = /^[a-f0-9]{16}$/;

function parseEntry(id: string, raw: string | undefined): PassphraseEntry | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<PassphraseEntry>;
    if (typeof value.value !== 'string' || value.value.length === 0) return undefined;
    return {
      id, value: value.value, origin: value.origin ?? 'migrated', createdAt: typeof value.createdAt === 'string' ? value.createdAt : new Date(0).toISOString(),
      ...(typeof value.retiredAt === 'string' ? { retiredAt: value.retiredAt } : {}),
    };
  } catch {
    return undefined;
  }
}

export class VaultPassphrases {
  private creating?: Promise<PassphraseEntry>;

  constructor(
    private readonly secrets: SecretStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly newId: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /** The passphrase in force, read afresh every time: another window may have changed it a moment ago. */
  async current(): Promise<PassphraseEntry | undefined> {
    const id = await this.secrets.get(CURRENT_PASSPHRASE_ID);
    if (!id || !ID_PATTERN.test(id)) return undefined;
    return this.entry(id);
  }

  async entry(id: string): Promise<PassphraseEntry | undefined> {
    return parseEntry(id, await this.secrets.get(passphraseEntryName(id)));
  }

  /**
   * The passphrase in force, created Crucible-style on first use. Concurrent calls in this window share one
   * creation; a window racing another stores its candidate, stores the pointer only if none is set, re-reads, and
   * uses whichever won. A losing candidate stays known (and unused) until garbage collection.
   */
  ensureCurrent(): Promise<PassphraseEntry> {
    this.creating ??= (async () => {
      const existing = await this.current();
      if (existing) return existing;
      const candidate = await this.add(generatePassphrase(), 'generated');
      if (!(await this.current())) await this.secrets.store(CURRENT_PASSPHRASE_ID, candidate.id);
      const winner = await this.current();
      if (!winner) throw new Error('the vault passphrase could not be stored');
      if (winner.id !== candidate.id) this.logger.info('another window created the vault passphrase first; using it');
      else this.logger.info('created the vault passphrase');
      return winner;
    })().finally(() => { this.creating = undefined; });
    return this.creating;
  }

  /**
   * Remembers a passphrase in an entry of its own (so no two windows ever write the same entry for different
   * passphrases); returns the existing entry if it is already known.
   */
  async add(value: string, origin: PassphraseOrigin): Promise<PassphraseEntry> {
    const known = (await this.known()).find((entry) => entry.value === value);
    if (known) return known;
    const entry: PassphraseEntry = { id: this.newId(), value, origin, createdAt: new Date(this.clock.now()).toISOString() };
    await this.write(entry);
    return entry;
  }

  /** Points the vault at a stored passphrase, marking the one it replaces as retired (garbage collection waits). */
  async setCurrent(id: string): Promise<void> {
    if (!(await this.entry(id))) throw new Error('refusing to point the vault at a passphrase that is not stored');
    const previous = await this.current();
    if (previous && previous.id !== id) await this.write({ ...previous, retiredAt: new Date(this.clock.now()).toISOString() });
    await this.secrets.store(CURRENT_PASSPHRASE_ID, id);
  }

  private async write(entry: PassphraseEntry): Promise<void> {
    const { value, origin, createdAt, retiredAt } = entry;
    await this.secrets.store(passphraseEntryName(entry.id), JSON.stringify({ value, origin, createdAt, ...(retiredAt ? { retiredAt } : {}) }));
  }

  /** Every passphrase the vault knows (every entry SecretStorage lists), the current one first. */
  async known(): Promise<PassphraseEntry[]> {
    const ids = new Set<string>();
    for (const name of await this.secrets.keys()) {
      if (name.startsWith(PASSPHRASE_ENTRY_PREFIX)) ids.add(name.slice(PASSPHRASE_ENTRY_PREFIX.length));
    }
    const currentId = await this.secrets.get(CURRENT_PASSPHRASE_ID);
    const entries: PassphraseEntry[] = [];
    for (const id of ids) {
      if (!ID_PATTERN.test(id)) continue;
      const entry = await this.entry(id);
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => (a.id === currentId ? -1 : b.id === currentId ? 1 : a.createdAt.localeCompare(b.createdAt)));
  }

  /** Forgets one passphrase; callers make sure no token needs it. Never the current one. */
  async forget(id: string): Promise<void> {
    if ((await this.secrets.get(CURRENT_PASSPHRASE_ID)) === id) throw new Error('refusing to forget the vault passphrase in force');
    await this.secrets.delete(passphraseEntryName(id));
  }

  /** Deletes every passphrase entry (readable or not), the pointer and any rotation intent (Forget All). */
  async forgetAll(): Promise<number> {
    const names = (await this.secrets.keys()).filter((name) => name.startsWith(PASSPHRASE_ENTRY_PREFIX));
    for (const name of names) await this.secrets.delete(name);
    for (const name of [CURRENT_PASSPHRASE_ID, ROTATION_INTENT]) await this.secrets.delete(name);
    return names.length;
  }

  async rotationIntent(): Promise<RotationIntent | undefined> {
    const raw = await this.secrets.get(ROTATION_INTENT);
    if (!raw) return undefined;
    try {
      const intent = JSON.parse(raw) as RotationIntent;
      return ID_PATTERN.test(intent.fromId) && ID_PATTERN.test(intent.toId) && typeof intent.startedAt === 'string' ? intent : undefined;
    } catch {
      return undefined;
    }
  }

  async recordRotation(intent: RotationIntent): Promise<void> {
    await this.secrets.store(ROTATION_INTENT, JSON.stringify(intent));
  }

  async clearRotation(): Promise<void> {
    await this.secrets.delete(ROTATION_INTENT);
  }

}
