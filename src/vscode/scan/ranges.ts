// vscode.Range over the pure span arithmetic of src/core/scan/positions.ts.
import * as vscode from 'vscode';
import { shiftSpan } from '../../core/scan/positions';

/** The range after a text change, or undefined when the change touched it. */
export function shiftRange(range: vscode.Range, change: vscode.TextDocumentContentChangeEvent): vscode.Range | undefined {
  const span = shiftSpan(range, change);
  if (span === range) return range;
  return span && new vscode.Range(span.start.line, span.start.character, span.end.line, span.end.character);
}
