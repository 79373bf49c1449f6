// What each reader Crucible uses sees in a .env text: npm dotenv (this extension, Node tooling), python-dotenv
// (Crucible's backend) and docker compose (the values compose passes to Crucible's containers).
import { parse as dotenvParse } from 'dotenv';
import { ComposeParseError, parseComposeDotenv, type ComposeValue } from './composeDotenv';
import { pythonDotenvValues } from './pythonDotenv';

export const BOM = '\uFEFF';

export interface ReaderViews {
  npm: Record<string, string>;
  /**
   * python-dotenv's values before interpolation, read as if there were no byte-order mark (that is reported apart).
   * A bare `KEY` (None) is left out: load_dotenv() never exports it.
   */
  python: Map<string, string>;
  /** undefined when compose refuses the file; composeError says why. */
  compose?: Map<string, ComposeValue>;
  composeError?: ComposeParseError;
}

export function readerViews(text: string): ReaderViews {
  const npm = dotenvParse(text);
  const python = new Map<string, string>();
  for (const [name, value] of pythonDotenvValues(text.startsWith(BOM) ? text.slice(1) : text)) if (value !== undefined) python.set(name, value);
  try {
    const compose = parseComposeDotenv(text);
    compose.delete(''); // compose's reading of a last line without "=" or line break: no variable anyone can use
    return { npm, python, compose };
  } catch (error) {
    if (!(error instanceof ComposeParseError)) throw error;
    return { npm, python, composeError: error };
  }
}

/** The reader that does not see `expected` for `name`, if any (undefined expected: the variable must be absent). */
export function disagreeingReader(views: ReaderViews, name: string, expected: string | undefined): string | undefined {
  if (views.npm[name] !== expected) return 'npm dotenv';
  if (views.python.get(name) !== expected || views.python.has(name) !== (expected !== undefined)) return 'python-dotenv';
  if (views.compose) {
    const entry = views.compose.get(name);
    if (expected === undefined ? entry !== undefined : entry?.raw !== expected || entry.value !== expected) return 'docker compose';
  }
  return undefined;
}

/** The variable python-dotenv cannot see because a byte-order mark is glued to the start of its line, if any. */
export function variableHiddenByBom(text: string): string | undefined {
  if (!text.startsWith(BOM)) return undefined;
  const withMark = pythonDotenvValues(text);
  for (const [name, value] of pythonDotenvValues(text.slice(1))) {
    if (value !== undefined && withMark.get(name) !== value) return name;
  }
  return undefined;
}

/** The reader whose view of `name` differs between two texts, if any (interpolation aside: raw values compared). */
export function changedReader(before: ReaderViews, after: ReaderViews, name: string): string | undefined {
  if (before.npm[name] !== after.npm[name]) return 'npm dotenv';
  if (before.python.get(name) !== after.python.get(name) || before.python.has(name) !== after.python.has(name)) return 'python-dotenv';
  if (before.compose && after.compose) {
    const old = before.compose.get(name);
    const now = after.compose.get(name);
    if (old?.raw !== now?.raw || old?.quote !== now?.quote) return 'docker compose';
  }
  return undefined;
}
