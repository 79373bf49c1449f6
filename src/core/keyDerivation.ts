// Crucible's passphrase-to-Fernet-key derivation (service/app/core/encryption.py), done asynchronously.
import { pbkdf2 } from 'node:crypto';
import { encodeUrlsafeBase64, Fernet } from './fernet';

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

/**
 * Derives Crucible Fernet instances and keeps them in memory, one per passphrase, so a second unlock is free.
 * Nothing here is ever written anywhere.
 */
export class CrucibleKeyring {
  private readonly cache = new Map<string, Promise<Fernet>>();

  constructor(private readonly derive: (passphrase: string) => Promise<string> = deriveCrucibleFernetKey) {}

  fernetFor(passphrase: string): Promise<Fernet> {
    let pending = this.cache.get(passphrase);
    if (!pending) {
      pending = this.derive(passphrase).then((key) => new Fernet(key));
      pending.catch(() => this.cache.delete(passphrase));
      this.cache.set(passphrase, pending);
    }
    return pending;
  }

  /** Drops every cached key (on passphrase rotation, or when the extension deactivates). */
  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
