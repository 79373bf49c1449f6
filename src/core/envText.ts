// Byte-preserving edits of .env text: only the value being changed is touched, and the result must read as intended
// in every reader Crucible uses: npm dotenv, python-dotenv (Crucible's backend) and docker compose.
import { parse as dotenvParse } from 'dotenv';
import { encodeAgreed, isAgreedQuote } from './env/agreedValue';
import { EnvEditError } from './env/envErrors';
import { BOM, disagreeingReader, firstDifference, readerViews, variableHiddenByBom } from './env/readerViews';
import { simpleBindings } from './env/simpleLines';

export { EnvEditError };

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
  /** The value as npm dotenv reads it. */
  value: string;
  /** Offsets into the original text of the raw value (quotes included, surrounding blanks excluded). */
  valueStart: number;
  valueEnd: number;
  /** Offset just after the name, where "=" or ":" begins. */
  separatorStart: number;
  /** dotenv's `NAME: value` form, which python-dotenv does not read. */
  colon: boolean;
  quote: QuoteStyle;
  /** 1-based line of the variable name in the original text. */
  line: number;
}

/** npm dotenv's view of the text: every variable and its value (a later assignment wins). */
export function parseEnvValues(text: string): Record<string, string> {
  const simple = simpleBindings(text);
  if (!simple) return dotenvParse(text);
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const binding of simple) values[binding.name] = binding.value;
  return values;
}

/** Text as dotenv sees it (CR LF and lone CR become LF), with a map back to original offsets when they differ. */
function normalise(text: string): { normal: string; toOriginal?: Uint32Array } {
  if (!text.includes('\r')) return { normal: text };
  const normal = text.replace(/\r\n?/g, '\n');
  const toOriginal = new Uint32Array(normal.length + 1);
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    toOriginal[j++] = i;
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
  }
  toOriginal[j] = text.length;
  return { normal, toOriginal };
}

/** Every assignment npm dotenv would see, in file order, with where its value sits in the original text. Linear time. */
export function findAssignments(text: string): EnvAssignment[] {
  const { normal, toOriginal } = normalise(text);
  const original = (offset: number) => (toOriginal ? toOriginal[offset] : offset);
  const line = new RegExp(DOTENV_LINE_SOURCE, 'mgd');
  const found: EnvAssignment[] = [];
  let lineNumber = 1;
  let counted = 0;
  for (let match = line.exec(normal); match; match = line.exec(normal)) {
    const indices = match.indices!;
    const name = match[1];
    const [nameStart, nameEnd] = indices[1]!;
    for (let at = normal.indexOf('\n', counted); at !== -1 && at < nameStart; at = normal.indexOf('\n', at + 1)) {
      lineNumber++;
      counted = at + 1;
    }
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
      const separator = /^(?:\s*=|:\s)/.exec(normal.slice(nameEnd, nameEnd + 256))!;
      start = end = nameEnd + separator[0].length;
    }
    const rawValue = normal.slice(start, end);
    found.push({
      name,
      value: valueOf(rawValue),
      valueStart: original(start),
      valueEnd: original(end),
      separatorStart: original(nameEnd),
      colon: normal[nameEnd] === ':',
      quote: quoteOf(rawValue),
      line: lineNumber,
    });
    if (match[0].length === 0) line.lastIndex++;
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

/**
 * Encodes a value so that npm dotenv, python-dotenv and docker compose all read back exactly `value`, preferring
 * `preferred` quoting when it is one they agree on. Throws EnvEditError naming the character when no form exists.
 */
export function encodeValue(value: string, preferred: QuoteStyle = ''): string {
  return encodeAgreed(value, preferred).text;
}

export interface EnvEditOptions {
  /** Remove a byte-order mark at the start of the file (python-dotenv glues it to the first variable's name). */
  stripBom?: boolean;
}

export interface EnvEditPlan {
  /** The new text; identical to the input when nothing changes. */
  text: string;
  changed: boolean;
  /** Variables updated in place. */
  updated: string[];
  /** Variables appended in the Crucible Keys block. */
  added: string[];
  /** Variables that already had the wanted value, in a form every reader agrees on. */
  unchanged: string[];
  warnings: string[];
  /** The variable python-dotenv does not see because the file (still) starts with a byte-order mark. */
  bomHides?: string;
  /** True when a byte-order mark was removed (stripBom). */
  bomRemoved: boolean;
}

const VAR_NAME = /^[\w.-]+$/;

/**
 * Plans setting each variable to its value: an existing assignment (the one dotenv uses, if repeated) is changed in
 * place, keeping its quoting where every reader agrees on it; new ones go into one marked block at the end. Every
 * other byte is kept. The result is read again by all three readers and refused unless each sees exactly what was
 * meant: the new values, and every other variable as before.
 */
export function planEnvEdit(original: string, updates: Readonly<Record<string, string>>, options: EnvEditOptions = {}): EnvEditPlan {
  const names = Object.keys(updates);
  for (const name of names) {
    if (!VAR_NAME.test(name)) throw new EnvEditError(`"${name}" is not a valid .env variable name.`);
  }
  return planSimpleEdit(original, updates) ?? planFullEdit(original, updates, options);
}

/**
 * The edit of a simple file (see env/simpleLines.ts), checked line by line: every edited or added line must itself be
 * simple and read back as meant; every other line is untouched, so it reads as before in all three readers. Undefined
 * when the file, a new value or an edited line is not simple: the full three-reader path decides then.
 */
function planSimpleEdit(text: string, updates: Readonly<Record<string, string>>): EnvEditPlan | undefined {
  const names = Object.keys(updates);
  const bindings = simpleBindings(text, new Set(names));
  if (!bindings) return undefined;
  const last = new Map<string, typeof bindings[number]>();
  const count = new Map<string, number>();
  for (const binding of bindings) {
    last.set(binding.name, binding);
    count.set(binding.name, (count.get(binding.name) ?? 0) + 1);
  }
  const plan: EnvEditPlan = { text, changed: false, updated: [], added: [], unchanged: [], warnings: [], bomRemoved: false };
  const edits: { start: number; end: number; replacement: string; name: string }[] = [];
  const appended: string[] = [];
  for (const name of names) {
    const value = updates[name];
    const existing = last.get(name);
    if (existing && existing.value === value) {
      plan.unchanged.push(name);
      continue;
    }
    const encoded = encodeAgreed(value, existing?.quote ?? '');
    if (!existing) {
      appended.push(`${name}=${encoded.text}`);
      plan.added.push(name);
      continue;
    }
    const times = count.get(name) ?? 1;
    if (times > 1) plan.warnings.push(`${name} is assigned ${times} times; the last one (line ${existing.line}), which every reader uses, was updated.`);
    edits.push({ start: existing.valueStart, end: existing.valueEnd, replacement: encoded.text, name });
    plan.updated.push(name);
  }
  let next = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) next = next.slice(0, edit.start) + edit.replacement + next.slice(edit.end);
  if (appended.length > 0) next = appendToBlock(next, appended);
  // The result must be simple throughout, and the last assignment of each name must read exactly as meant.
  const after = simpleBindings(next, new Set(names));
  if (!after) return undefined;
  const read = new Map(after.map((binding) => [binding.name, binding.value]));
  if (names.some((name) => read.get(name) !== updates[name])) return undefined;
  plan.text = next;
  plan.changed = next !== text;
  return plan;
}

function planFullEdit(original: string, updates: Readonly<Record<string, string>>, options: EnvEditOptions): EnvEditPlan {
  const text = original;
  const names = Object.keys(updates);
  const assignments = findAssignments(text);
  const before = readerViews(text, assignments);
  const lastByName = new Map<string, EnvAssignment>();
  const countByName = new Map<string, number>();
  for (const assignment of assignments) {
    lastByName.set(assignment.name, assignment);
    countByName.set(assignment.name, (countByName.get(assignment.name) ?? 0) + 1);
  }

  const plan: EnvEditPlan = { text, changed: false, updated: [], added: [], unchanged: [], warnings: [], bomRemoved: false };
  if (before.composeError) {
    plan.warnings.push(`docker compose cannot read this file (${before.composeError.message}), so Crucible's containers get none of its variables until that line is fixed.`);
  }
  const edits: { start: number; end: number; replacement: string }[] = [];
  const appended: string[] = [];
  for (const name of names) {
    const value = updates[name];
    const existing = lastByName.get(name);
    if (!existing) {
      appended.push(`${name}=${encodeAgreed(value).text}`);
      plan.added.push(name);
      continue;
    }
    const everyoneAgrees = !disagreeingReader(before, name, value);
    if (everyoneAgrees && isAgreedQuote(existing.quote) && !existing.colon) {
      plan.unchanged.push(name);
      continue;
    }
    const count = countByName.get(name) ?? 1;
    if (count > 1) plan.warnings.push(`${name} is assigned ${count} times; the last one (line ${existing.line}), which every reader uses, was updated.`);
    const encoded = encodeAgreed(value, existing.quote);
    if (existing.quote === '`') plan.warnings.push(`${name} (line ${existing.line}) was quoted with backticks, which python-dotenv and docker compose keep as part of the value; it is now written with ${encoded.quote ? `${encoded.quote} quotes` : 'no quotes'}.`);
    else if (existing.colon) plan.warnings.push(`${name} (line ${existing.line}) was written "${name}: value", which python-dotenv does not read; it is now "${name}=…".`);
    else if (before.npm.get(name) === value) plan.warnings.push(`${name} (line ${existing.line}) was written in a form that python-dotenv or docker compose read differently; it is now written so that every reader agrees.`);
    // python-dotenv reads "KEY= # note" as "# note": an empty value followed by anything on its line is written ''.
    const text = encoded.text === '' && hasMoreOnLine(original, existing.valueEnd) ? "''" : encoded.text;
    const start = existing.colon ? existing.separatorStart : existing.valueStart;
    edits.push({ start, end: existing.valueEnd, replacement: existing.colon ? `=${text}` : text });
    plan.updated.push(name);
  }

  let next = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    next = next.slice(0, edit.start) + edit.replacement + next.slice(edit.end);
  }
  if (appended.length > 0) next = appendToBlock(next, appended);
  if (options.stripBom && next.startsWith(BOM)) {
    next = next.slice(1);
    plan.bomRemoved = true;
  }

  const after = readerViews(next, findAssignments(next));
  if (before.compose && after.composeError) refuse('docker compose', undefined, lastByName, after.composeError.message);
  const difference = firstDifference(before, after, updates);
  if (difference) refuse(difference.reader, difference.name, lastByName);
  plan.bomHides = variableHiddenByBom(next);
  if (plan.bomHides) plan.warnings.push(`The file starts with a byte-order mark, so python-dotenv (Crucible's backend) does not see ${plan.bomHides}; remove the mark to fix that.`);
  plan.text = next;
  plan.changed = next !== text;
  return plan;
}

function hasMoreOnLine(text: string, from: number): boolean {
  for (let at = from; at < text.length; at++) {
    const char = text[at];
    if (char === '\n' || char === '\r') return false;
    if (char !== ' ' && char !== '\t') return true;
  }
  return false;
}

function refuse(reader: string, name: string | undefined, lastByName: ReadonlyMap<string, EnvAssignment>, detail?: string): never {
  const line = name ? lastByName.get(name)?.line : undefined;
  const what = name ? `${reader} would not read ${name} back as intended${line ? ` (near line ${line})` : ''}` : `${reader} could no longer read it (${detail})`;
  throw new EnvEditError(`The .env file cannot be edited safely: ${what}; fix the file by hand first.`);
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
  if (text.length === 0 || text === BOM) return text + block + eol;
  const endsWithNewline = /\r?\n$|\r$/.test(text);
  if (!endsWithNewline) return text + eol + eol + block; // keep the file's missing final newline
  const tail = text.slice(-64).replace(/\r\n?/g, '\n');
  const endsWithBlankLine = /\n[ \t]*\n$/.test(tail) || /^[ \t]*\n$/.test(text.replace(/\r\n?/g, '\n'));
  return text + (endsWithBlankLine ? '' : eol) + block + eol;
}
