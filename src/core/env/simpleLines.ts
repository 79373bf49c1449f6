// The common case, recognised in one pass: a .env file in which every line is blank, a comment, or NAME=value in a
// form that npm dotenv, python-dotenv and docker compose read alike and entirely on its own line. In such a file each
// line means the same to all three readers and no line changes how another is read, so an edit that keeps its lines
// simple can be checked line by line instead of by reading the whole file three times. Anything else (CR LF, a
// byte-order mark, multi-line values, "$", "\", colons, spaces around "=") takes the full three-reader path.
// test/unit/envReaders.unit.test.ts holds the claim against the real readers on generated files.

/** Characters that mean nothing to any reader, unquoted or quoted (agreedValue.ts's PLAIN set). */
const PLAIN = String.raw`A-Za-z0-9_\-.,/+=:@~%^!?*\[\]{}()|&;<>`;
/** Inside quotes a space and "#" are plain too; no quote, backslash or "$" (each reader treats those differently). */
const QUOTED = `${PLAIN} #`;
/** After a quoted value any blank before "#" starts a comment; after an unquoted one compose needs a space (" #"). */
const COMMENT = String.raw`(?:[ \t]+#[^\n]*)?`;
const UNQUOTED_COMMENT = String.raw`(?:[ \t]* #[^\n]*)?`;
/**
 * One simple line: blank, a comment, or `[export ]NAME=value` with the value plain, '…' or "…", then an optional
 * comment after a space. An empty unquoted value may not carry a comment (python-dotenv would read the comment).
 */
const SIMPLE_LINE = new RegExp(
  String.raw`[ \t]*(?:(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(?:([${PLAIN}]+)${UNQUOTED_COMMENT}|'([${QUOTED}]*)'${COMMENT}|"([${QUOTED}]*)"${COMMENT}|)|#[^\n]*)?[ \t]*`,
  'y',
);

export interface SimpleBinding {
  name: string;
  value: string;
  quote: '' | "'" | '"';
  /** Offsets of the raw value (quotes included) in the text. */
  valueStart: number;
  valueEnd: number;
  /** 1-based line. */
  line: number;
}

/** Reads one line starting at `start` (ending before `end`); undefined when the line is not simple. */
function readLine(text: string, start: number, end: number, line: number): SimpleBinding | null | undefined {
  SIMPLE_LINE.lastIndex = start;
  const match = SIMPLE_LINE.exec(text);
  if (!match || SIMPLE_LINE.lastIndex !== end) return undefined;
  const name = match[1];
  if (name === undefined) return null;
  const valueStart = text.indexOf('=', start) + 1;
  if (match[2] !== undefined) return { name, value: match[2], quote: '', valueStart, valueEnd: valueStart + match[2].length, line };
  if (match[3] !== undefined) return { name, value: match[3], quote: "'", valueStart, valueEnd: valueStart + match[3].length + 2, line };
  if (match[4] !== undefined) return { name, value: match[4], quote: '"', valueStart, valueEnd: valueStart + match[4].length + 2, line };
  return { name, value: '', quote: '', valueStart, valueEnd: valueStart, line };
}

/**
 * Every assignment of a simple file, in order (only those named in `wanted`, when given), or undefined when the file
 * is not simple. Linear: one sticky match per line.
 */
export function simpleBindings(text: string, wanted?: ReadonlySet<string>): SimpleBinding[] | undefined {
  if (text.includes('\r') || text.startsWith('\uFEFF')) return undefined;
  const found: SimpleBinding[] = [];
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const binding = readLine(text, start, end, line);
    if (binding === undefined) return undefined;
    if (binding && (!wanted || wanted.has(binding.name))) found.push(binding);
    if (newline === -1) break;
    start = newline + 1;
  }
  return found;
}
