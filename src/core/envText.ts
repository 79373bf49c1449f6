// Byte-preserving edits of .env text with dotenv's exact semantics: only the value being changed is touched.
import { parse as dotenvParse } from 'dotenv';
import { InputError } from './errors';

/**
 * dotenv 17's LINE pattern, copied verbatim with the `d` flag added for match indices.
 * A unit test compares it with the installed dotenv, so an upgrade that changes the grammar fails loudly.
 */
export const DOTENV_LINE_SOURCE = String.raw`(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*` + '`' + String.raw`(?:\\` + '`' + String.raw`|[^` + '`' + String.raw`])*` + '`' + String.raw`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)`;

export const BLOCK_START = '# >>> Crucible Keys >>>';
export const BLOCK_END = '# <<< Crucible Keys <<<';

export type QuoteStyle = '' | "'" | '"' | '`';

export interface EnvAssignment {
  name: string;
  /** The value as dotenv reads it. */
  value: string;
  /** Offsets into the original text of the raw value (quotes included, surrounding blanks excluded). */
  valueStart: number;
  valueEnd: number;
  quote: QuoteStyle;
  /** 1-based line of the variable name in the original text. */
  line: number;
}

export class EnvEditError extends InputError {
  override name = 'EnvEditError';
}

/** dotenv's view of the text: every variable and its value (a later assignment wins). */
export function parseEnvValues(text: string): Record<string, string> {
  return dotenvParse(text);
}

/** Normalised text as dotenv sees it (CR LF and lone CR become LF), with a map back to original offsets. */
function normalise(text: string): { normal: string; toOriginal: Uint32Array } {
  const toOriginal = new Uint32Array(text.length + 1);
  let normal = '';
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\r') {
      toOriginal[j++] = i;
      normal += '\n';
      if (text[i + 1] === '\n') i++;
      continue;
    }
    toOriginal[j++] = i;
    normal += ch;
  }
  toOriginal[j] = text.length;
  return { normal, toOriginal: toOriginal.subarray(0, j + 1) };
}

/** Every assignment dotenv would see, in file order, with where its value sits in the original text. */
export function findAssignments(text: string): EnvAssignment[] {
  const { normal, toOriginal } = normalise(text);
  const line = new RegExp(DOTENV_LINE_SOURCE, 'mgd');
  const found: EnvAssignment[] = [];
  for (let match = line.exec(normal); match; match = line.exec(normal)) {
    const indices = match.indices!;
    const name = match[1];
    const [nameStart, nameEnd] = indices[1]!;
    let start: number;
    let end: number;
    if (indices[2]) {
      [start, end] = indices[2];
      const raw = match[2];
      const lead = raw.length - raw.trimStart().length;
      const trail = raw.length - raw.trimEnd().length;
      if (lead === raw.length) end = start; // blanks only: insert before them, keeping any comment spacing
      else { start += lead; end -= trail; }
    } else {
      const separator = /^(?:\s*=|:\s)/.exec(normal.slice(nameEnd))!;
      start = end = nameEnd + separator[0].length;
    }
    const rawValue = normal.slice(start, end);
    found.push({
      name,
      value: valueOf(rawValue),
      valueStart: toOriginal[start],
      valueEnd: toOriginal[end],
      quote: quoteOf(rawValue),
      line: normal.slice(0, nameStart).split('\n').length,
    });
  }
  return found;
}

/** dotenv's value post-processing for one trimmed raw value. */
function valueOf(trimmed: string): string {
  let value = trimmed.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (trimmed[0] === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return value;
}

function quoteOf(raw: string): QuoteStyle {
  const first = raw[0];
  return (first === '"' || first === "'" || first === '`') && raw.length >= 2 && raw.endsWith(first) ? first : '';
}

// `$` is left out of unquoted and double-quoted values: docker compose and python-dotenv would interpolate it.
const SAFE_UNQUOTED = /^[A-Za-z0-9_\-.,/+=:@~%^!?*[\]{}()|&;<>]*$/;

/** Encodes a value so that dotenv reads back exactly `value`, preferring `preferred` when it can. */
export function encodeValue(value: string, preferred: QuoteStyle = '', eol = '\n'): string {
  // A line break is best written as \n inside double quotes, which keeps the assignment on one line.
  const candidates: QuoteStyle[] = value.includes('\n') ? ['"', preferred, '`'] : [preferred, '', "'", '"', '`'];
  for (const style of candidates) {
    const encoded = tryEncode(value, style, eol);
    if (encoded !== undefined) return encoded;
  }
  throw new EnvEditError('That value cannot be written to a .env file so that dotenv reads it back unchanged.');
}

function tryEncode(value: string, style: QuoteStyle, eol: string): string | undefined {
  switch (style) {
    case '':
      return SAFE_UNQUOTED.test(value) && !value.startsWith('`') ? value : undefined;
    case "'":
      return /['\n\r]/.test(value) || value.endsWith('\\') ? undefined : `'${value}'`;
    case '"':
      if (/["$]|\\[nr]/.test(value) || value.endsWith('\\')) return undefined;
      return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
    case '`':
      // dotenv reads CR LF as LF, so a CRLF file keeps its line endings inside a multi-line value too.
      return /[`\r]/.test(value) || value.endsWith('\\') ? undefined : '`' + value.replace(/\n/g, eol) + '`';
  }
}

export interface EnvEditPlan {
  /** The new text; identical to the input when nothing changes. */
  text: string;
  changed: boolean;
  /** Variables updated in place. */
  updated: string[];
  /** Variables appended in the Crucible Keys block. */
  added: string[];
  /** Variables that already had the wanted value. */
  unchanged: string[];
  warnings: string[];
}

const VAR_NAME = /^[\w.-]+$/;

/**
 * Plans setting each variable to its value: an existing assignment (the one dotenv uses, if repeated) is
 * changed in place, keeping its quoting where possible; new ones go into one marked block at the end.
 * Every other byte is kept. The result is re-parsed and refused unless dotenv sees exactly what was meant.
 */
export function planEnvEdit(text: string, updates: Readonly<Record<string, string>>): EnvEditPlan {
  const names = Object.keys(updates);
  for (const name of names) {
    if (!VAR_NAME.test(name)) throw new EnvEditError(`"${name}" is not a valid .env variable name.`);
  }
  const before = parseEnvValues(text);
  const assignments = findAssignments(text);
  const lastByName = new Map<string, EnvAssignment>();
  const countByName = new Map<string, number>();
  for (const assignment of assignments) {
    lastByName.set(assignment.name, assignment);
    countByName.set(assignment.name, (countByName.get(assignment.name) ?? 0) + 1);
  }

  const eol = detectEol(text);
  const plan: EnvEditPlan = { text, changed: false, updated: [], added: [], unchanged: [], warnings: [] };
  const edits: { start: number; end: number; replacement: string }[] = [];
  const appended: string[] = [];
  for (const name of names) {
    const value = updates[name];
    const existing = lastByName.get(name);
    if (existing && before[name] === value) {
      plan.unchanged.push(name);
      continue;
    }
    if (existing) {
      const count = countByName.get(name) ?? 1;
      if (count > 1) plan.warnings.push(`${name} is assigned ${count} times; the last one (line ${existing.line}), which dotenv uses, was updated.`);
      edits.push({ start: existing.valueStart, end: existing.valueEnd, replacement: encodeValue(value, existing.quote, eol) });
      plan.updated.push(name);
    } else {
      appended.push(`${name}=${encodeValue(value, '', eol)}`);
      plan.added.push(name);
    }
  }

  let next = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    next = next.slice(0, edit.start) + edit.replacement + next.slice(edit.end);
  }
  if (appended.length > 0) next = appendToBlock(next, appended);

  const after = parseEnvValues(next);
  const expected: Record<string, string> = { ...before, ...updates };
  const wrong = Object.keys({ ...expected, ...after }).filter((name) => expected[name] !== after[name]);
  if (wrong.length > 0) {
    const line = lastByName.get(wrong[0])?.line;
    throw new EnvEditError(`The .env file cannot be edited safely: ${wrong[0]} would not read back as intended${line ? ` (near line ${line})` : ''}; fix the file by hand first.`);
  }
  plan.text = next;
  plan.changed = next !== text;
  return plan;
}

function detectEol(text: string): string {
  const crlf = text.indexOf('\r\n');
  const lf = text.indexOf('\n');
  return crlf !== -1 && crlf < lf ? '\r\n' : '\n';
}

/** Adds lines inside the existing Crucible Keys block, or a new block at the end of the file. */
function appendToBlock(text: string, lines: string[]): string {
  const eol = detectEol(text);
  const startAt = text.lastIndexOf(BLOCK_START);
  const endAt = startAt === -1 ? -1 : text.indexOf(BLOCK_END, startAt);
  if (endAt !== -1 && (endAt === 0 || text[endAt - 1] === '\n' || text[endAt - 1] === '\r')) {
    return text.slice(0, endAt) + lines.map((line) => line + eol).join('') + text.slice(endAt);
  }
  const block = [BLOCK_START, ...lines, BLOCK_END].join(eol);
  if (text.length === 0) return block + eol;
  const endsWithNewline = /\r?\n$|\r$/.test(text);
  if (!endsWithNewline) return text + eol + eol + block; // keep the file's missing final newline
  const normalised = text.replace(/\r\n?/g, '\n');
  const endsWithBlankLine = /\n[ \t]*\n$/.test(normalised) || /^[ \t]*\n$/.test(normalised);
  return text + (endsWithBlankLine ? '' : eol) + block + eol;
}
