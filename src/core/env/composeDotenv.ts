// How docker compose reads a .env file: compose-go's dotenv parser, ported rule for rule so the writer can check what
// compose will pass to Crucible's containers. Read from compose-spec/compose-go: dotenv/parser.go (the v2 parser that
// dotenv/godotenv_test.go at commit dc96d82db88fe85d7ece2357d6dbbff2d9ed444b tests), dotenv/godotenv.go at commit
// 27f1058fea88ac6d297c9c9c76a8a9f28e0ca693 (BOM), and template/template.go for interpolation. The unit test replays
// the cases of godotenv_test.go against this port.

import { blankTest, trimEndWhere } from './blankRuns';
/** Go's unicode.IsSpace. */
const GO_SPACE_CLASS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** parser.go's isSpace: a space that is not a line break. */
const INLINE_SPACE_CLASS = '\\t\\v\\f\\r \\x85\\xa0';
const GO_SPACE_RUN = new RegExp(`[${GO_SPACE_CLASS}]*`, 'uy');
const INLINE_SPACE_RUN = new RegExp(`[${INLINE_SPACE_CLASS}]*`, 'uy');
/** unicode.IsSpace, one character at a time: trailing spaces are trimmed in one pass (blankRuns.ts). */
const IS_GO_SPACE = blankTest(GO_SPACE_CLASS);
/** A run of key characters (letters, digits, _ . - [ ]) and the spaces compose skips inside a key. */
const KEY_RUN = new RegExp(`[\\p{L}\\p{N}_.\\-\\[\\]${INLINE_SPACE_CLASS}]*`, 'uy');
const EXPORT = /^export[\t\n\f\r ]/;
const ESCAPE_SEQUENCE = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const GO_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** compose refuses the whole file; docker compose stops with this error. */
export class ComposeParseError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(`line ${line}: ${reason}`);
  }
}

export type ComposeLookup = (name: string) => string | undefined;

interface Cursor { text: string; pos: number }

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < pos; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function skipRun(text: string, pos: number, run: RegExp): number {
  run.lastIndex = pos;
  run.exec(text);
  return run.lastIndex;
}

/** getStatementStart: skips blanks (line breaks included) and comment lines; -1 at the end. */
function statementStart(text: string, pos: number): number {
  for (;;) {
    pos = skipRun(text, pos, GO_SPACE_RUN);
    if (pos >= text.length) return -1;
    if (text[pos] !== '#') return pos;
    const newline = text.indexOf('\n', pos);
    if (newline === -1) return -1;
    pos = newline;
  }
}

/** template.Substitute: $$, $NAME, ${NAME} and ${NAME:-x}, ${NAME-x}, ${NAME:+x}, ${NAME+x}, ${NAME:?x}, ${NAME?x}. */
/** Throws ComposeParseError with line 0 (the caller knows the line) for a template compose refuses. */
export function composeSubstitute(value: string, lookup: ComposeLookup): string {
  if (!value.includes('$')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') {
      out += value[i];
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    const named = /^[_a-z][_a-z0-9]*/i.exec(value.slice(i + 1));
    if (named) {
      out += lookup(named[0]) ?? '';
      i += named[0].length;
      continue;
    }
    if (next !== '{') {
      out += '$';
      continue;
    }
    let depth = 1;
    let end = i + 2;
    for (; end < value.length && depth > 0; end++) {
      if (value[end] === '{') depth++;
      else if (value[end] === '}') depth--;
    }
    const body = value.slice(i + 2, end - 1);
    const braced = /^([_a-z][_a-z0-9]*)(?:(:?)([-+?])([\s\S]*))?$/i.exec(body);
    if (depth !== 0 || !braced) throw new ComposeParseError(0, 'invalid template');
    const [, name, colon, operator, rest] = braced;
    const found = lookup(name);
    const unset = colon ? !found : found === undefined;
    if (operator === '-') out += unset ? composeSubstitute(rest, lookup) : found;
    else if (operator === '+') out += unset ? '' : composeSubstitute(rest, lookup);
    else if (operator === '?') {
      if (unset) throw new ComposeParseError(0, `required variable ${name} is missing a value`);
      out += found;
    } else out += found ?? '';
    i = end - 1;
  }
  return out;
}

function expandEscapes(value: string): string {
  return value.replace(ESCAPE_SEQUENCE, (match) => {
    if (match === '\\$') return '$$';
    if (match.startsWith('\\0')) {
      // Go's UnquoteChar takes exactly three octal digits up to \377; anything else is left as written.
      const digits = match.slice(2);
      return /^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 0o377 ? String.fromCharCode(parseInt(digits, 8)) : match;
    }
    return GO_ESCAPES[match[1]] ?? match;
  });
}

export interface ComposeValue {
  value: string;
  /** The value as written, after quote and escape processing but before ${...} interpolation. */
  raw: string;
  quote: '' | "'" | '"';
}

/**
 * Parses a .env file as compose-go does. Throws ComposeParseError where compose would refuse the file.
 * `lookup` is the environment compose interpolates from (the file's own earlier variables come after it).
 */
export function parseComposeDotenv(input: string, lookup: ComposeLookup = () => undefined): Map<string, ComposeValue> {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const out = new Map<string, ComposeValue>();
  const resolve: ComposeLookup = (name) => lookup(name) ?? out.get(name)?.value;
  const cursor: Cursor = { text, pos: 0 };
  for (;;) {
    const start = statementStart(text, cursor.pos);
    if (start === -1) break;
    let pos = start;
    if (text.startsWith('export', pos) && EXPORT.test(text.slice(pos, pos + 7))) pos = skipRun(text, pos + 'export'.length, INLINE_SPACE_RUN);
    const scan = skipRun(text, pos, KEY_RUN);
    let keyEnd = -1;
    let terminator = '';
    if (scan < text.length) {
      const char = text[scan];
      if (char !== '=' && char !== ':' && char !== '\n') {
        throw new ComposeParseError(lineAt(text, scan), `unexpected character "${String.fromCodePoint(text.codePointAt(scan)!)}" in variable name`);
      }
      keyEnd = scan;
      terminator = char;
    }
    const key = keyEnd === -1 ? '' : trimEndWhere(text.slice(pos, keyEnd), IS_GO_SPACE);
    if (key.includes(' ')) throw new ComposeParseError(lineAt(text, pos), 'key cannot contain a space');
    const afterKey = keyEnd === -1 ? pos : keyEnd + 1;
    if (terminator === '\n') {
      const inherited = lookup(key);
      if (inherited !== undefined) out.set(key, { value: inherited, raw: inherited, quote: '' });
      cursor.pos = afterKey;
      continue;
    }
    cursor.pos = skipRun(text, afterKey, INLINE_SPACE_RUN);
    const parsed = extractValue(cursor, resolve);
    out.set(key, parsed);
  }
  return out;
}

function extractValue(cursor: Cursor, resolve: ComposeLookup): ComposeValue {
  const start = cursor.pos;
  try {
    return extractValueAt(cursor, resolve);
  } catch (error) {
    if (error instanceof ComposeParseError && error.line === 0) throw new ComposeParseError(lineAt(cursor.text, start), error.reason);
    throw error;
  }
}

function extractValueAt(cursor: Cursor, resolve: ComposeLookup): ComposeValue {
  const { text } = cursor;
  const quote = text[cursor.pos];
  if (quote !== '"' && quote !== "'") {
    const newline = text.indexOf('\n', cursor.pos);
    const end = newline === -1 ? text.length : newline;
    let raw = text.slice(cursor.pos, end);
    cursor.pos = newline === -1 ? text.length : newline + 1;
    const comment = raw.indexOf(' #');
    if (comment !== -1) raw = raw.slice(0, comment);
    raw = trimEndWhere(raw, IS_GO_SPACE);
    return { value: composeSubstitute(raw, resolve), raw, quote: '' };
  }
  let chars = '';
  let escaped = false;
  for (let i = cursor.pos + 1; i < text.length; i++) {
    const char = text[i];
    if (escaped) {
      escaped = false;
      if (char !== quote) chars += '\\';
      chars += char;
      continue;
    }
    if (char === '\\') escaped = true;
    else if (char === quote) {
      cursor.pos = i + 1;
      if (quote === "'") return { value: chars, raw: chars, quote };
      const unescaped = expandEscapes(chars);
      return { value: composeSubstitute(unescaped, resolve), raw: unescaped, quote };
    } else chars += char;
  }
  throw new ComposeParseError(0, 'unterminated quoted value');
}
