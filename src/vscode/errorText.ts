// The one sentence a person sees for a failure: our own messages as they are, keyring trouble explained,
// anything else redacted and cut to one line. No vscode import, so it is unit-tested directly.
import { CrucibleKeysError } from '../core/errors';
import type { Redactor } from '../core/redact';

const KEYRING_FAILURE = /keyring|secret ?service|libsecret|kwallet|gnome-keyring|dbus|password-store|cannot (get|create|set) password|encryption is not available/i;

export function explain(error: unknown, redactor: Redactor): string {
  const message = redactor.redact(error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof CrucibleKeysError) return message;
  if (KEYRING_FAILURE.test(message)) {
    return 'VS Code could not use the system keyring for secret storage, so nothing was saved; start a keyring (Secret Service or KWallet), or add "password-store": "gnome-libsecret" (or "basic") via "Preferences: Configure Runtime Arguments" and restart.';
  }
  return `Something went wrong: ${message}`;
}

