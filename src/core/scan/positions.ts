// Keeping a finding's place while its document is edited: the pure position arithmetic, for editors' text changes.

export interface Pos { line: number; character: number }
export interface Span { start: Pos; end: Pos }

const before = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.character < b.character);

/** Where `position`, at or after the end of `change.range`, is once `change.text` has replaced that range. */
function shifted(position: Pos, change: { range: Span; text: string }): Pos {
  const lines = change.text.split(/\r\n|\r|\n/);
  const line = change.range.start.line + lines.length - 1;
  const character = (lines.length === 1 ? change.range.start.character : 0) + lines[lines.length - 1].length;
  if (position.line === change.range.end.line) return { line, character: character + position.character - change.range.end.character };
  return { line: position.line + line - change.range.end.line, character: position.character };
}

/**
 * The span after an edit: unchanged when the edit is wholly after it, moved when the edit is wholly before it, and
 * undefined when the edit touches its inside (the finding must be checked again, or dropped).
 */
export function shiftSpan(span: Span, change: { range: Span; text: string }): Span | undefined {
  if (!before(change.range.start, span.end)) return span;
  if (before(span.start, change.range.end)) return undefined;
  return { start: shifted(span.start, change), end: shifted(span.end, change) };
}
