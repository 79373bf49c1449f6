// How python-dotenv 1.2.2 reads a .env file (Crucible's backend calls its load_dotenv()), ported line for line from
// dotenv/parser.py (parse_stream and its regexes), dotenv/variables.py and main.resolve_variables, so the writer can
// check what Crucible's backend will read without starting Python. A unit test compares it with the real python-dotenv.
import { blankTest, cutBlankHashComment, trimEndWhere } from './blankRuns';

/** Python's `\s` on str: every character for which str.isspace() is true. */
const WS = String.raw`\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
/** Python's `[^\S\r\n]`: whitespace other than CR and LF. */
const WS_INLINE = String.raw`\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

const sticky = (source: string) => new RegExp(source, 'uy');
const MULTILINE_WHITESPACE = sticky(`[${WS}]*`);
const EXPORT = sticky(`(?:export[${WS_INLINE}]+)?`);
const SINGLE_QUOTED_KEY = sticky(`'([^']+)'`);
const UNQUOTED_KEY = sticky(`([^=#${WS}]+)`);
const WHITESPACE = sticky(`[${WS_INLINE}]*`);
const EQUAL_SIGN = sticky(`(=[${WS_INLINE}]*)`);
const SINGLE_QUOTED_VALUE = sticky(String.raw`'((?:\\'|[^'])*)'`);
const DOUBLE_QUOTED_VALUE = sticky(String.raw`"((?:\\"|[^"])*)"`);
const UNQUOTED_VALUE = sticky(String.raw`([^\r\n]*)`);
const COMMENT = sticky(`(?:[${WS_INLINE}]*#[^\\r\\n]*)?`);
const END_OF_LINE = sticky(`[${WS_INLINE}]*(?:\\r\\n|\\n|\\r|$)`);
const REST_OF_LINE = sticky(String.raw`[^\r\n]*(?:\r|\n|\r\n)?`);
const DOUBLE_QUOTE_ESCAPES = /\\[\\'"abfnrtv]/g;
const SINGLE_QUOTE_ESCAPES = /\\[\\']/g;
/** Python's `\\s`, one character at a time: the inline comment and trailing blanks are cut in one pass (blankRuns.ts). */
const IS_WS = blankTest(WS);
/** variables.py's _posix_variable: ${NAME} or ${NAME:-default}; applied to every value, single-quoted ones too. */
export const PYTHON_DOTENV_VARIABLE = /\$\{([^}:]*)(?::-([^}]*))?\}/g;

const ESCAPES: Readonly<Record<string, string>> = { '\\\\': '\\', "\\'": "'", '\\"': '"', '\\a': '\x07', '\\b': '\b', '\\f': '\f', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\v': '\v' };

export interface PythonBinding {
  /** The variable name, or undefined for a comment, a blank stretch or a line python-dotenv could not parse. */
  key?: string;
  /** The value before interpolation; undefined for a bare `KEY` (python-dotenv's None, never exported). */
  value?: string;
  error: boolean;
}

class ParseFailure extends Error {}

function readRegex(regex: RegExp, text: string, at: { pos: number }): RegExpExecArray {
  regex.lastIndex = at.pos;
  const match = regex.exec(text);
  if (!match) throw new ParseFailure();
  at.pos = regex.lastIndex;
  return match;
}

function parseValue(text: string, at: { pos: number }): string {
  const char = text[at.pos] ?? '';
  if (char === "'") return readRegex(SINGLE_QUOTED_VALUE, text, at)[1].replace(SINGLE_QUOTE_ESCAPES, (escape) => ESCAPES[escape]);
  if (char === '"') return readRegex(DOUBLE_QUOTED_VALUE, text, at)[1].replace(DOUBLE_QUOTE_ESCAPES, (escape) => ESCAPES[escape]);
  if (char === '' || char === '\n' || char === '\r') return '';
  const part = readRegex(UNQUOTED_VALUE, text, at)[1];
  // parser.py: re.sub(r'\s+#.*', '', value).rstrip(), without the regex's quadratic backtracking on long blank runs.
  return trimEndWhere(cutBlankHashComment(part, IS_WS), IS_WS);
}

/**
 * parse_stream over text as Python's open() hands it over (universal newlines: CR LF and CR become LF).
 * A BOM is not special: it becomes part of the first key, exactly as in python-dotenv.
 */
export function parsePythonDotenv(raw: string): PythonBinding[] {
  const bindings: PythonBinding[] = [];
  forEachPythonBinding(raw, (binding) => bindings.push(binding));
  return bindings;
}

/** parse_stream without building the list: calls `visit` for every binding, in order. */
export function forEachPythonBinding(raw: string, visit: (binding: PythonBinding) => void): void {
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  const at = { pos: 0 };
  while (at.pos < text.length) {
    try {
      readRegex(MULTILINE_WHITESPACE, text, at);
      if (at.pos >= text.length) {
        visit({ error: false });
        break;
      }
      readRegex(EXPORT, text, at);
      let key: string | undefined;
      const first = text[at.pos];
      if (first === '#') key = undefined;
      else key = readRegex(first === "'" ? SINGLE_QUOTED_KEY : UNQUOTED_KEY, text, at)[1];
      readRegex(WHITESPACE, text, at);
      let value: string | undefined;
      if (text[at.pos] === '=') {
        readRegex(EQUAL_SIGN, text, at);
        value = parseValue(text, at);
      }
      readRegex(COMMENT, text, at);
      readRegex(END_OF_LINE, text, at);
      visit({ key, value, error: false });
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      readRegex(REST_OF_LINE, text, at);
      visit({ error: true });
    }
  }
}

export interface PythonDotenvOptions {
  /** Resolve ${NAME} and ${NAME:-default}, as load_dotenv() does by default. */
  interpolate?: boolean;
  /** The process environment, which load_dotenv() (override=False) lets win over the file while interpolating. */
  environ?: Readonly<Record<string, string | undefined>>;
}

/** What python-dotenv's dotenv_values()/load_dotenv() would produce: a later assignment wins; None values are kept as undefined. */
export function pythonDotenvValues(text: string, options: PythonDotenvOptions = {}): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  const environ = options.environ ?? {};
  for (const binding of parsePythonDotenv(text)) {
    if (binding.key === undefined) continue;
    let value = binding.value;
    if (value !== undefined && options.interpolate) {
      value = value.replace(PYTHON_DOTENV_VARIABLE, (_match, name: string, fallback: string | undefined) => {
        const found = Object.hasOwn(environ, name) ? environ[name] : values.has(name) ? values.get(name) : fallback ?? '';
        return found ?? '';
      });
    }
    values.set(binding.key, value);
  }
  return values;
}
