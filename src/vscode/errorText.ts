// The one sentence a person sees for a failure: our own messages as they are, keyring trouble explained,
// anything else redacted and cut to one line. No vscode import, so it is unit-tested directly.
import { CatalogError } from '../core/catalog';
import { EnvFileError } from '../core/envFile';
import { EnvEditError } from '../core/envText';
import { KeyFormatError } from '../core/keyFormat';
import type { Redactor } from '../core/redact';
import { UserFacingError } from './operations';

const KEYRING_FAILURE = /keyring|secret ?service|libsecret|kwallet|gnome-keyring|dbus|password-store|cannot (get|create|set) password|encryption is not available/i;

export function explain(error: unknown, redactor: Redactor): string {
  const message = redactor.redact(error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof UserFacingError || error instanceof KeyFormatError || error instanceof EnvFileError || error instanceof EnvEditError || error instanceof CatalogError) return message;
  if (KEYRING_FAILURE.test(message)) {
    return 'VS Code could not use the system keyring for secret storage, so nothing was saved; start a keyring (Secret Service or KWallet), or add "password-store": "gnome-libsecret" (or "basic") via "Preferences: Configure Runtime Arguments" and restart.';
  }
  return `Something went wrong: ${message}`;
}

