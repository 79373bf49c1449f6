// The leak scan in VS Code: the crucibleKeys.scanForLeaks command, its findings in the Problems panel (keys masked),
// and a quick fix that reads the key from the environment instead. The scanning itself (matcher, git) loads from
// dist/scanner.js on the first scan, so activation never pays for it. Stored keys are fetched per scan, compared in
// memory and dropped; a Diagnostic, a log line or a setting never holds more of a key than its mask.
import * as vscode from 'vscode';
import { BUILT_IN_PROVIDERS, type ProviderInfo } from '../../core/catalog';
import { CrucibleKeysError } from '../../core/errors';
import { maskKey } from '../../core/keyFormat';
import type { Logger } from '../../core/ports';
import { storedKeySecrets } from '../../core/scan/known';
import { envReferenceEdit, pythonImportLine, QUICK_FIX_LANGUAGES } from '../../core/scan/quickFix';
import type { ScanOptions } from '../../core/scan/scanner';
import { describeFinding, type Finding, type RuleId, type ScanProgress } from '../../core/scan/types';
import { shiftRange } from './ranges';

export const SCAN_COMMAND = 'crucibleKeys.scanForLeaks';
export const DIAGNOSTIC_SOURCE = 'Crucible Keys';

export interface LeakScannerDeps {
  /** The user's stored keys, in memory; asked once per scan. Locked keys are simply not in the list. */
  storedKeys(): Promise<readonly { provider: ProviderInfo; key: string }[]>;
  /** False in Restricted Mode: the scan runs git, so it is refused there. */
  gitAllowed(): boolean;
  logger: Logger;
  /** Providers whose key shapes to look for, custom providers included (default: the built-in catalog). */
  providers?(): readonly ProviderInfo[];
  /** A folder's .env, left out when a folder that is not a git repository is walked (default: FOLDER/.env). */
  envFile?(folder: vscode.WorkspaceFolder): string;
  /** Shows a failure (default: its sentence in an error notification). */
  reportError?(error: unknown): void;
}

/** What one scan found, for the command's caller: masks and places only. */
export interface LeakScanSummary {
  findings: { uri: string; line: number; column: number; rule: RuleId; masked: string; origin: Finding['origin'] }[];
  scanned: number;
  skipped: number;
  cancelled: boolean;
}

interface Entry { range: vscode.Range; finding: Finding; diagnostic: vscode.Diagnostic }

type ScannerModule = typeof import('../../core/scan/scanner');

export class LeakScanner implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  private collection?: vscode.DiagnosticCollection;
  private readonly entries = new Map<string, Entry[]>();
  private module?: Promise<ScannerModule>;
  private running?: Promise<LeakScanSummary | undefined>;

  constructor(private readonly deps: LeakScannerDeps) {}

  /** The command, the Problems panel collection, the quick fix and the listener that keeps findings in place. */
  register(): vscode.Disposable[] {
    this.collection = vscode.languages.createDiagnosticCollection('crucibleKeys.leaks');
    return [
      this.collection,
      vscode.commands.registerCommand(SCAN_COMMAND, () => this.scanWorkspace()),
      vscode.languages.registerCodeActionsProvider(QUICK_FIX_LANGUAGES.map((language) => ({ language, scheme: 'file' })), this, LeakScanner.metadata),
      vscode.workspace.onDidChangeTextDocument((event) => this.onChange(event)),
      { dispose: () => this.entries.clear() },
    ];
  }

  /** Runs the scan over every workspace folder with progress and cancellation; a second call joins a running one. */
  scanWorkspace(): Promise<LeakScanSummary | undefined> {
    this.running ??= this.run().finally(() => { this.running = undefined; });
    return this.running;
  }

  private providers(): readonly ProviderInfo[] {
    return this.deps.providers?.() ?? BUILT_IN_PROVIDERS;
  }

  private load(): Promise<ScannerModule> {
    // Rewritten by the build to dist/scanner.js, a bundle of its own.
    this.module ??= import('../../core/scan/scanner');
    this.module.catch(() => { this.module = undefined; });
    return this.module;
  }

  private async run(): Promise<LeakScanSummary | undefined> {
    if (!this.deps.gitAllowed()) {
      void vscode.window.showWarningMessage('Crucible Keys runs no git command in Restricted Mode; trust the workspace to scan it for keys.');
      return undefined;
    }
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Open a folder to scan it for keys.');
      return undefined;
    }
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Crucible Keys: scanning for keys', cancellable: true }, (progress, token) => this.scanFolders(folders, progress, token));
    } catch (error) {
      this.deps.logger.error('leak scan failed: %s', error instanceof Error ? error.message : String(error));
      if (this.deps.reportError) this.deps.reportError(error);
      else void vscode.window.showErrorMessage(error instanceof CrucibleKeysError ? error.message : 'The leak scan failed; see the Crucible Keys log.');
      return undefined;
    }
  }

  private async scanFolders(folders: readonly vscode.WorkspaceFolder[], progress: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken): Promise<LeakScanSummary> {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort(new vscode.CancellationError()));
    try {
      const { scan } = await this.load();
      const known = storedKeySecrets(await this.deps.storedKeys());
      const found = new Map<string, Entry[]>();
      let scanned = 0;
      let skipped = 0;
      for (const folder of folders) {
        const settings = vscode.workspace.getConfiguration('crucibleKeys', folder.uri);
        const options: ScanOptions = {
          root: folder.uri.fsPath, gitAllowed: this.deps.gitAllowed(), providers: this.providers(), known, staged: true, lenient: true,
          commits: wholeSetting(settings.get('scan.commits'), 0, 1000, 0), maxFileBytes: wholeSetting(settings.get('scan.maxFileSizeMb'), 1, 1024, 10) * 1024 * 1024,
          exclude: [this.deps.envFile?.(folder) ?? vscode.Uri.joinPath(folder.uri, '.env').fsPath], signal: abort.signal,
          onProgress: throttled((update) => progress.report({ message: progressText(folders.length > 1 ? folder.name : undefined, update) })),
        };
        const result = await scan(options);
        scanned += result.scanned;
        skipped += result.skipped.length;
        for (const entry of result.skipped) if (entry.reason === 'too-large' || entry.reason === 'unreadable') this.deps.logger.warn('leak scan skipped %s (%s)', entry.file, entry.reason);
        for (const finding of result.findings) {
          const uri = vscode.Uri.joinPath(folder.uri, ...finding.file.split('/')).toString();
          found.set(uri, [...(found.get(uri) ?? []), this.entry(finding)]);
        }
      }
      this.entries.clear();
      this.collection?.clear();
      for (const [uri, entries] of found) this.publish(uri, entries);
      const findings = [...found].flatMap(([uri, entries]) => entries.map(({ finding }) => ({ uri, line: finding.line, column: finding.column, rule: finding.rule, masked: finding.masked, origin: finding.origin })));
      this.deps.logger.info('leak scan: %d finding(s) in %d file(s); %d file(s) scanned, %d skipped', findings.length, found.size, scanned, skipped);
      void this.announce(findings.length, found.size, scanned);
      return { findings, scanned, skipped, cancelled: false };
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      void vscode.window.showInformationMessage('Leak scan cancelled; the Problems panel still shows the last complete scan.');
      return { findings: [], scanned: 0, skipped: 0, cancelled: true };
    } finally {
      cancel.dispose();
    }
  }

  private async announce(findings: number, files: number, scanned: number): Promise<void> {
    if (findings === 0) {
      await vscode.window.showInformationMessage(`No keys found in ${scanned} file${scanned === 1 ? '' : 's'}.`);
      return;
    }
    const choice = await vscode.window.showWarningMessage(`Found ${findings} key${findings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; see the Problems panel.`, 'Show Problems');
    if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private entry(finding: Finding): Entry {
    // A key found in a past commit is shown at the top of the file: the line it had then may hold something else now.
    const range = finding.origin === 'commit'
      ? new vscode.Range(0, 0, 0, 0)
      : new vscode.Range(finding.line - 1, finding.column - 1, finding.line - 1, finding.column - 1 + finding.length);
    return { range, finding, diagnostic: diagnosticFor(finding, range) };
  }

  private publish(uri: string, entries: Entry[]): void {
    if (entries.length === 0) this.entries.delete(uri);
    else this.entries.set(uri, entries);
    this.collection?.set(vscode.Uri.parse(uri), entries.map((entry) => entry.diagnostic));
  }

  /** Moves findings with the edits around them; drops one whose text no longer masks to the key that was found. */
  private onChange(event: vscode.TextDocumentChangeEvent): void {
    const uri = event.document.uri.toString();
    const entries = this.entries.get(uri);
    if (!entries || event.contentChanges.length === 0) return;
    const kept: Entry[] = [];
    for (const entry of entries) {
      if (entry.finding.origin === 'commit') {
        kept.push(entry);
        continue;
      }
      let range: vscode.Range | undefined = entry.range;
      for (const change of event.contentChanges) range = range && shiftRange(range, change);
      if (!range || !this.stillThere(event.document, range, entry.finding)) continue;
      kept.push(range.isEqual(entry.range) ? entry : { ...entry, range, diagnostic: diagnosticFor(entry.finding, range) });
    }
    if (kept.length !== entries.length || kept.some((entry, index) => entry !== entries[index])) this.publish(uri, kept);
  }

  private stillThere(document: vscode.TextDocument, range: vscode.Range, finding: Finding): boolean {
    if (range.start.line >= document.lineCount || !range.isSingleLine) return false;
    const text = document.getText(range);
    return text.length === finding.length && maskKey(text, this.providers()) === finding.masked;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entries = this.entries.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const entry = entries.find((candidate) => candidate.range.isEqual(diagnostic.range) && candidate.finding.rule === diagnosticCode(diagnostic));
      const action = entry && this.fix(document, entry);
      if (action) {
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    return actions;
  }

  /** Replaces the literal with an environment read, and imports os for Python when the module does not yet. */
  private fix(document: vscode.TextDocument, { range, finding }: Entry): vscode.CodeAction | undefined {
    if (finding.origin === 'commit' || finding.rule === 'stored-key-part' || finding.rule === 'stored-key-encoded' || !finding.variable || !this.stillThere(document, range, finding)) return undefined;
    const line = document.lineAt(range.start.line).text;
    const edit = envReferenceEdit(document.languageId, line, range.start.character, range.end.character, finding.variable);
    if (!edit) return undefined;
    const action = new vscode.CodeAction(`Read ${finding.variable} from the environment instead`, vscode.CodeActionKind.QuickFix);
    action.isPreferred = true;
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, new vscode.Range(range.start.line, edit.start, range.start.line, edit.end), edit.text);
    const importAt = document.languageId === 'python' ? pythonImportLine(document.getText()) : undefined;
    if (importAt !== undefined) action.edit.insert(document.uri, new vscode.Position(importAt, 0), `import os${document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n'}`);
    return action;
  }
}

function diagnosticFor(finding: Finding, range: vscode.Range): vscode.Diagnostic {
  const severity = finding.rule.startsWith('key:') ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error;
  const diagnostic = new vscode.Diagnostic(range, describeFinding(finding), severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = finding.rule;
  return diagnostic;
}

function diagnosticCode(diagnostic: vscode.Diagnostic): unknown {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

/** A whole-number setting within bounds, or the default when it is anything else. */
function wholeSetting(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

const PHASES: Record<ScanProgress['phase'], string> = { listing: 'listing files', worktree: 'files', staged: 'staged files', commit: 'commit files' };

function progressText(folder: string | undefined, update: ScanProgress): string {
  const count = update.phase === 'listing' ? PHASES.listing : `${update.done}${update.total !== undefined ? ` of ${update.total}` : ''} ${PHASES[update.phase]}`;
  return folder ? `${folder}: ${count}` : count;
}

/** Passes on at most one update every 100 ms, and always a change of phase. */
function throttled(report: (update: ScanProgress) => void): (update: ScanProgress) => void {
  let last = 0;
  let phase: ScanProgress['phase'] | undefined;
  return (update) => {
    const now = Date.now();
    if (update.phase === phase && now - last < 100) return;
    last = now;
    phase = update.phase;
    report(update);
  };
}
