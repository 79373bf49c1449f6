// Fernet (https://github.com/fernet/spec) on node:crypto, byte-compatible with Python's `cryptography`.
// The npm `fernet` package is deliberately not used: it accepts invalid tokens and patches String.prototype.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CrucibleKeysError, ExitCode, InputError } from './errors';
import type { Clock } from './ports';
import { systemClock } from './ports';

const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16; // version, timestamp, IV
const HMAC_LENGTH = 32;
const BLOCK = 16;
/** Python's cryptography allows this much clock skew (seconds) when a TTL is checked. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** The one error every decryption failure raises; it deliberately says nothing about why. */
export class InvalidToken extends CrucibleKeysError {
  readonly exitCode = ExitCode.failed;
  constructor() {
    super('invalid token');
    this.name = 'InvalidToken';
  }
}

/** Thrown for a malformed Fernet key (not 32 bytes of padded base64). */
export class InvalidFernetKey extends InputError {
  constructor() {
    super('A Fernet key must be 32 bytes of base64 with padding (44 characters).');
    this.name = 'InvalidFernetKey';
  }
}

const URLSAFE_B64 = /^[A-Za-z0-9_-]*={0,2}$/;

/** Strict urlsafe base64 with padding, as Python's urlsafe_b64decode requires; returns undefined when malformed. */
function decodeUrlsafeBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !URLSAFE_B64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (stray bits in the last character) by round-tripping.
  return bytes.toString('base64url') === text.replace(/=+$/, '') ? bytes : undefined;
}

export function encodeUrlsafeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64url');
  return b64 + '='.repeat((4 - (b64.length % 4)) % 4);
}

/** Makes a fresh random Fernet key, urlsafe base64 with padding. */
export function generateFernetKey(): string {
  return encodeUrlsafeBase64(randomBytes(32));
}

export interface EncryptOptions {
  /** Fixed IV, for spec vectors and tests only. */
  iv?: Uint8Array;
  /** Timestamp in seconds to embed instead of the clock's. */
  atSeconds?: number;
}

export interface DecryptOptions {
  /** Maximum token age in seconds. Omit for no expiry (Python's default). */
  ttlSeconds?: number;
  /** Time to check the TTL against, in seconds; defaults to the clock. */
  atSeconds?: number;
}

export class Fernet {
  private readonly signingKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(key: string, private readonly clock: Clock = systemClock) {
    // Python's urlsafe_b64decode maps - and _ onto the standard alphabet, so a key written with + and / works there too.
    const bytes = decodeUrlsafeBase64(key.trim().replace(/\+/g, '-').replace(/\//g, '_'));
    if (!bytes || bytes.length !== 32) throw new InvalidFernetKey();
    this.signingKey = bytes.subarray(0, 16);
    this.encryptionKey = bytes.subarray(16);
  }

  encrypt(plaintext: string | Uint8Array, options: EncryptOptions = {}): string {
    const iv = options.iv ? Buffer.from(options.iv) : randomBytes(16);
    if (iv.length !== 16) throw new RangeError('IV must be 16 bytes');
    const seconds = options.atSeconds ?? Math.floor(this.clock.now() / 1000);
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    const cipher = createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const header = Buffer.alloc(9);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(seconds), 1);
    const signed = Buffer.concat([header, iv, ciphertext]);
    const mac = createHmac('sha256', this.signingKey).update(signed).digest();
    return encodeUrlsafeBase64(Buffer.concat([signed, mac]));
  }

  decrypt(token: string, options: DecryptOptions = {}): string {
    return this.decryptToBytes(token, options).toString('utf8');
  }

  decryptToBytes(token: string, options: DecryptOptions = {}): Buffer {
    const raw = decodeUrlsafeBase64(token.trim());
    if (!raw || raw.length < HEADER_LENGTH + BLOCK + HMAC_LENGTH || raw[0] !== VERSION) throw new InvalidToken();
    const ciphertextLength = raw.length - HEADER_LENGTH - HMAC_LENGTH;
    if (ciphertextLength % BLOCK !== 0) throw new InvalidToken();

    const signed = raw.subarray(0, raw.length - HMAC_LENGTH);
    const expected = createHmac('sha256', this.signingKey).update(signed).digest();
    if (!timingSafeEqual(expected, raw.subarray(raw.length - HMAC_LENGTH))) throw new InvalidToken();

    if (options.ttlSeconds !== undefined) {
      const issued = Number(raw.readBigUInt64BE(1));
      const now = options.atSeconds ?? Math.floor(this.clock.now() / 1000);
      if (issued + options.ttlSeconds < now) throw new InvalidToken();
      if (now + MAX_CLOCK_SKEW_SECONDS < issued) throw new InvalidToken();
    }

    const iv = raw.subarray(9, HEADER_LENGTH);
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.encryptionKey, iv);
      return Buffer.concat([decipher.update(raw.subarray(HEADER_LENGTH, raw.length - HMAC_LENGTH)), decipher.final()]);
    } catch {
      throw new InvalidToken();
    }
  }

  /** Seconds since the epoch at which the token was made; only after its HMAC checks out. */
  issuedAtSeconds(token: string): number {
    this.decryptToBytes(token);
    const raw = decodeUrlsafeBase64(token.trim()) as Buffer;
    return Number(raw.readBigUInt64BE(1));
  }
}

/** True when text has the outer shape of a Fernet token (version byte 0x80); says nothing about validity. */
export function looksLikeFernetToken(text: string): boolean {
  return /^gAAAAA[A-Za-z0-9_-]{60,}={0,2}$/.test(text.trim());
}
