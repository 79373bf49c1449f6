// Crucible's passphrase-to-Fernet-key derivation (service/app/core/encryption.py), done asynchronously.
import { pbkdf2 } from 'node:crypto';
import { encodeUrlsafeBase64, Fernet } from './fernet';
import { type Clock, systemClock } from './ports';

export const CRUCIBLE_SALT = 'crucible_encryption_salt';
export const CRUCIBLE_PBKDF2_ITERATIONS = 100_000;
const KEY_LENGTH = 32;

/** PBKDF2-HMAC-SHA256(passphrase, salt, 100 000, 32) as urlsafe base64: the Fernet key Crucible uses. */
export function deriveCrucibleFernetKey(passphrase: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Async pbkdf2 runs on libuv's pool, so the extension host's event loop never blocks for ~100 ms.
    pbkdf2(Buffer.from(passphrase, 'utf8'), Buffer.from(CRUCIBLE_SALT, 'ascii'), CRUCIBLE_PBKDF2_ITERATIONS, KEY_LENGTH, 'sha256',
      (error, key) => (error ? reject(error) : resolve(encodeUrlsafeBase64(key))));
  });
}

/** What the keyring tells about what it derives: a redactor's hold(), so every passphrase and key is scrubbed from logs. */
export interface SecretHolder {
  hold(secret: string, kind: 'passphrase' | 'derived-key'): () => void;
}

/**
 * Derives Crucible Fernet instances and keeps them in memory, one per passphrase, so a second unlock is free.
 * Every passphrase and derived key is held by the redactor while cached. Nothing here is ever written anywhere.
 */
export class CrucibleKeyring {
  private readonly cache = new Map<string, { fernet: Promise<Fernet>; release: () => void }>();

  constructor(
    private readonly derive: (passphrase: string) => Promise<string> = deriveCrucibleFernetKey,
    private readonly holder?: SecretHolder,
    /** The clock tokens are stamped with: the vault orders competing writes by that stamp. */
    private readonly clock: Clock = systemClock,
  ) {}

  fernetFor(passphrase: string): Promise<Fernet> {
    const cached = this.cache.get(passphrase);
    if (cached) return cached.fernet;
    const releases = [this.holder?.hold(passphrase, 'passphrase')];
    const fernet = this.derive(passphrase).then((key) => {
      releases.push(this.holder?.hold(key, 'derived-key'), this.holder?.hold(Buffer.from(key, 'base64url').toString('base64'), 'derived-key'));
      return new Fernet(key, this.clock);
    });
    const entry = { fernet, release: () => releases.forEach((release) => release?.()) };
    fernet.catch(() => this.drop(passphrase));
    this.cache.set(passphrase, entry);
    return fernet;
  }

  /** Forgets one passphrase (a wrong one that opened nothing, or one the vault no longer uses). */
  drop(passphrase: string): void {
    const entry = this.cache.get(passphrase);
    if (!entry) return;
    this.cache.delete(passphrase);
    entry.release();
  }

  /** Drops every cached key (on passphrase rotation, or when the extension deactivates). */
  clear(): void {
    for (const passphrase of [...this.cache.keys()]) this.drop(passphrase);
  }

  get size(): number {
    return this.cache.size;
  }
}
