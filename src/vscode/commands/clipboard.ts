// Secrets on the clipboard are cleared after 45 s if the clipboard still holds them (any app can read it).
import * as vscode from 'vscode';

export const CLIPBOARD_CLEAR_MS = 45_000;

export class SecretClipboard implements vscode.Disposable {
  private readonly timers = new Map<ReturnType<typeof setTimeout>, string>();

  async copy(secret: string): Promise<void> {
    await vscode.env.clipboard.writeText(secret);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.clearIfStill(secret);
    }, CLIPBOARD_CLEAR_MS);
    this.timers.set(timer, secret);
  }

  private async clearIfStill(secret: string): Promise<void> {
    if ((await vscode.env.clipboard.readText()) === secret) await vscode.env.clipboard.writeText('');
  }

  /** On deactivation the timers would die with the extension host: clear now instead of leaving the secret behind. */
  dispose(): void {
    for (const [timer, secret] of this.timers) {
      clearTimeout(timer);
      void this.clearIfStill(secret);
    }
    this.timers.clear();
  }
}
