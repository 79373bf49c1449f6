// Crucible-style passphrases for API_KEY_ENCRYPTION_KEY: generation and a strength verdict.
import { randomBytes } from 'node:crypto';

export const ENCRYPTION_KEY_VAR = 'API_KEY_ENCRYPTION_KEY';
/** The passphrase Crucible silently falls back to outside production when the variable is unset. */
export const CRUCIBLE_DEV_DEFAULT_PASSPHRASE = 'default-dev-key-32-bytes-long!!';
export const MIN_PASSPHRASE_LENGTH = 32;

/** Same as Python's secrets.token_urlsafe(32): 32 random bytes, base64url, no padding, 43 characters. */
export function generatePassphrase(): string {
  return randomBytes(32).toString('base64url');
}

export type PassphraseVerdict = 'ok' | 'missing' | 'too_short' | 'dev_default' | 'placeholder' | 'whitespace';

export interface PassphraseStrength {
  verdict: PassphraseVerdict;
  /** One sentence for people; never contains the passphrase. */
  message: string;
}

const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /change[\s_-]?me/i,
  /replace[\s_-]?(me|this|with)/i,
  /^your[\s_-]/i,
  /[\s_-]here$/i,
  /generate[\s_-]/i,
  /^<.*>$/,
  /^\$\{.*\}$/,
  /^(x+|\*+|\.+|0+|todo|tbd|fixme|secret|password|example|placeholder|test|dummy|none|null|undefined)$/i,
  /placeholder|example[\s_-]?(key|value)|dummy/i,
];

export function judgePassphrase(passphrase: string | undefined): PassphraseStrength {
  const value = passphrase?.trim() ?? '';
  if (value.length === 0) {
    return { verdict: 'missing', message: `${ENCRYPTION_KEY_VAR} is not set; Crucible would fall back to its public development passphrase.` };
  }
  if (value === CRUCIBLE_DEV_DEFAULT_PASSPHRASE) {
    return { verdict: 'dev_default', message: `${ENCRYPTION_KEY_VAR} is Crucible's built-in development default, which is public; generate a new one.` };
  }
  if (PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(value)) || new Set(value).size <= 2) {
    return { verdict: 'placeholder', message: `${ENCRYPTION_KEY_VAR} looks like a placeholder, not a real passphrase; generate a new one.` };
  }
  if (value.length < MIN_PASSPHRASE_LENGTH) {
    return { verdict: 'too_short', message: `${ENCRYPTION_KEY_VAR} has ${value.length} characters; Crucible asks for at least ${MIN_PASSPHRASE_LENGTH}.` };
  }
  // Crucible reads it byte for byte (os.getenv): a space around it is part of the passphrase, and easily lost.
  if (value !== passphrase) {
    return { verdict: 'whitespace', message: `${ENCRYPTION_KEY_VAR} starts or ends with whitespace, which Crucible keeps as part of it; remove the whitespace.` };
  }
  return { verdict: 'ok', message: `${ENCRYPTION_KEY_VAR} is set and strong enough.` };
}
