// The Diagnose report in a singleton webview panel: strict CSP (nonce script, nothing inline, nothing remote), themed
// only with VS Code's colours, content built with DOM APIs in the webview. A Fix button asks the host by check id;
// the host finds the fix in the report it sent and hands it to onFix, which confirms and runs the extension's command.
import * as vscode from 'vscode';
import type { DiagnoseFix, DiagnoseReport } from '../../core/diagnose/types';
import { CrucibleKeysError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { validateDiagnoseMessage, type DiagnoseHostMessage } from '../../shared/diagnoseProtocol';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const DIAGNOSE_VIEW_TYPE = 'crucibleKeys.diagnose';

export class DiagnoseView implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private current?: DiagnoseReport;
  private fixes = new Map<string, DiagnoseFix>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onFix: (fix: DiagnoseFix) => Promise<string | undefined>,
    private readonly onRerun: () => Promise<DiagnoseReport>,
    private readonly logger: Logger,
  ) {}

  /** The report shown, if the panel is open. */
  get report(): DiagnoseReport | undefined {
    return this.panel ? this.current : undefined;
  }

  /** Shows `report` in the panel, opening it or bringing it forward. */
  show(report: DiagnoseReport): void {
    this.setReport(report);
    if (this.panel) {
      this.panel.reveal();
      void this.postReport();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DIAGNOSE_VIEW_TYPE, 'Crucible Keys: Diagnose', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'key.svg');
    panel.webview.html = this.html(panel.webview);
    const receive = panel.webview.onDidReceiveMessage((raw) => void this.receive(raw));
    panel.onDidDispose(() => {
      receive.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private setReport(report: DiagnoseReport): void {
    this.current = report;
    this.fixes = new Map(report.sections.flatMap((section) => section.checks).flatMap((check) => (check.fix ? [[check.id, check.fix] as const] : [])));
  }

  html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, { title: 'Crucible Keys: Diagnose', script: 'diagnose.js', styles: ['diagnose.css'] });
  }

  private post(message: DiagnoseHostMessage): Thenable<boolean> | undefined {
    return this.panel?.webview.postMessage(message);
  }

  private async postReport(): Promise<void> {
    if (this.ready && this.current) await this.post({ type: 'report', report: this.current });
  }

  /** Entry point for every message: validated first; anything off is logged at warn level and ignored. */
  async receive(raw: unknown): Promise<void> {
    const checked = validateDiagnoseMessage(raw, new Set(this.fixes.keys()));
    if (!checked.ok) {
      this.logger.warn('ignored a Diagnose webview message: %s', checked.reason);
      return;
    }
    const message = checked.message;
    if (message.type === 'ready') {
      this.ready = true;
      await this.postReport();
      return;
    }
    try {
      if (message.type === 'rerun') {
        this.setReport(await this.onRerun());
        await this.post({ type: 'response', requestId: message.requestId, ok: true });
        await this.postReport();
        return;
      }
      const text = await this.onFix(this.fixes.get(message.checkId)!);
      await this.post({ type: 'response', requestId: message.requestId, ok: true, message: text });
    } catch (error) {
      this.logger.warn('Diagnose %s failed: %s', message.type, error instanceof Error ? error.message : String(error));
      const text = error instanceof CrucibleKeysError ? error.message : `That did not work; the log (Crucible Keys: Show Logs) has the details.`;
      await this.post({ type: 'response', requestId: message.requestId, ok: false, message: text });
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
