// Turning any failure into one clear sentence with a "Show Logs" button; details go to the (redacted) log.
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { Redactor } from '../core/redact';
import { explain } from './errorText';

export { explain };

/** Logs the failure and shows it; does not wait for the notification, so the command that failed returns at once. */
export function reportError(error: unknown, action: string, logger: Logger, redactor: Redactor, channel: vscode.LogOutputChannel): void {
  logger.error('%s failed: %s', action, error instanceof Error ? error.stack ?? error.message : String(error));
  void vscode.window.showErrorMessage(explain(error, redactor), 'Show Logs').then((choice) => {
    if (choice === 'Show Logs') channel.show(true);
  });
}
