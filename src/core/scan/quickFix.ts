// The leak scan's quick fix, as pure text edits: a string literal that is exactly a key becomes a read of an
// environment variable, in the languages where that is obvious (JavaScript and TypeScript, Python). Anything less
// clear (a key inside a longer string, a Python bytes or f-string, a triple-quoted string) gets no fix.

export interface LineEdit {
  /** 0-based UTF-16 columns of the line: the literal, quotes included. */
  start: number;
  end: number;
  text: string;
}

const JS_LANGUAGES = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether the fix exists for a language at all (the code action provider registers for these). */
export const QUICK_FIX_LANGUAGES: readonly string[] = [...JS_LANGUAGES, 'python'];

/**
 * The edit that replaces the literal around `line.slice(start, end)` (the key) with a read of `variable`, or
 * undefined when the key is not the whole of a plain string literal.
 */
export function envReferenceEdit(languageId: string, line: string, start: number, end: number, variable: string): LineEdit | undefined {
  if (!VARIABLE.test(variable) || start < 1 || end >= line.length || end <= start) return undefined;
  const quote = line[start - 1];
  if (line[end] !== quote) return undefined;
  if (JS_LANGUAGES.has(languageId)) {
    if (!['"', "'", '`'].includes(quote)) return undefined;
    return { start: start - 1, end: end + 1, text: `process.env.${variable}` };
  }
  if (languageId === 'python') {
    if (!['"', "'"].includes(quote)) return undefined;
    // r"", b"", f"" and friends, and triple quotes, are not plain strings.
    const before = line[start - 2] ?? '';
    if (/[A-Za-z0-9_]/.test(before) || before === quote || line[end + 1] === quote) return undefined;
    return { start: start - 1, end: end + 1, text: `os.environ["${variable}"]` };
  }
  return undefined;
}

/**
 * Where `import os` must go for the Python fix to run, as a 0-based line to insert before; undefined when the module
 * already imports os. After a shebang, an encoding line, the module docstring and any `from __future__` imports.
 */
export function pythonImportLine(text: string): number | undefined {
  if (/^[ \t]*import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*os\b(?![ \t]+as\b)/m.test(text)) return undefined;
  const lines = text.split(/\r?\n/);
  let at = 0;
  while (at < lines.length && at < 2 && (lines[at].startsWith('#!') || /^#.*coding[:=]/.test(lines[at]))) at++;
  const docstring = /^[ \t]*[rRuU]?("""|''')/.exec(lines[at] ?? '');
  if (docstring) {
    const close = docstring[1];
    const rest = lines[at].slice(docstring[0].length);
    if (!rest.includes(close)) while (at + 1 < lines.length && !lines[++at].includes(close));
    at++;
  }
  for (let index = at; index < lines.length; index++) {
    if (/^from[ \t]+__future__[ \t]+import\b/.test(lines[index])) at = index + 1;
  }
  return at;
}
