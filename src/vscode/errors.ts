// Turning any failure into one clear sentence with a "Show Logs" button; details go to the (redacted) log.
import * as vscode from 'vscode';
import { CatalogError } from '../core/catalog';
import { EnvFileError } from '../core/envFile';
import { EnvEditError } from '../core/envText';
import { KeyFormatError } from '../core/keyFormat';
import type { Logger } from '../core/ports';
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

/** Logs the failure and shows it; does not wait for the notification, so the command that failed returns at once. */
export function reportError(error: unknown, action: string, logger: Logger, redactor: Redactor, channel: vscode.LogOutputChannel): void {
  logger.error('%s failed: %s', action, error instanceof Error ? error.stack ?? error.message : String(error));
  void vscode.window.showErrorMessage(explain(error, redactor), 'Show Logs').then((choice) => {
    if (choice === 'Show Logs') channel.show(true);
  });
}
