// What each reader Crucible uses sees in a .env text: npm dotenv (this extension, Node tooling), python-dotenv
// (Crucible's backend) and docker compose (the values compose passes to Crucible's containers).
import { ComposeParseError, parseComposeDotenv, type ComposeValue } from './composeDotenv';
import { forEachPythonBinding, pythonDotenvValues } from './pythonDotenv';

export const BOM = '\uFEFF';

export interface ReaderViews {
  npm: Map<string, string>;
  /**
   * python-dotenv's values before interpolation, read as if there were no byte-order mark (that is reported apart).
   * A bare `KEY` (None) is left out: load_dotenv() never exports it.
   */
  python: Map<string, string>;
  /** undefined when compose refuses the file; composeError says why. */
  compose?: Map<string, ComposeValue>;
  composeError?: ComposeParseError;
}

/**
 * Each reader's view of `text`. `npmAssignments` is npm dotenv's reading (envText's findAssignments, which uses
 * dotenv's own pattern and post-processing, and is faster than dotenv.parse on large files).
 */
export function readerViews(text: string, npmAssignments: readonly { name: string; value: string }[]): ReaderViews {
  const npm = new Map<string, string>();
  for (const assignment of npmAssignments) npm.set(assignment.name, assignment.value);
  const python = new Map<string, string>();
  forEachPythonBinding(text.startsWith(BOM) ? text.slice(1) : text, (binding) => {
    if (binding.key === undefined) return;
    if (binding.value === undefined) python.delete(binding.key); // a later bare KEY is None: load_dotenv() skips it
    else python.set(binding.key, binding.value);
  });
  try {
    const compose = parseComposeDotenv(text);
    compose.delete(''); // compose's reading of a last line without "=" or line break: no variable anyone can use
    return { npm, python, compose };
  } catch (error) {
    if (!(error instanceof ComposeParseError)) throw error;
    return { npm, python, composeError: error };
  }
}

const sameCompose = (a: ComposeValue | undefined, b: ComposeValue | undefined) => a?.raw === b?.raw && a?.quote === b?.quote;

/** The reader that does not see `expected` for `name`, if any. */
export function disagreeingReader(views: ReaderViews, name: string, expected: string): string | undefined {
  if (views.npm.get(name) !== expected) return 'npm dotenv';
  if (views.python.get(name) !== expected) return 'python-dotenv';
  const entry = views.compose?.get(name);
  if (views.compose && (entry?.raw !== expected || entry.value !== expected)) return 'docker compose';
  return undefined;
}

/**
 * The first reader, and variable, for which `after` is not `before` with `updates` applied: an updated variable
 * must read exactly as meant, every other one exactly as before (raw values: interpolation aside).
 */
export function firstDifference(before: ReaderViews, after: ReaderViews, updates: Readonly<Record<string, string>>): { reader: string; name: string } | undefined {
  const readers: [string, Map<string, unknown> | undefined, Map<string, unknown> | undefined, (a: unknown, b: unknown) => boolean][] = [
    ['npm dotenv', before.npm, after.npm, (a, b) => a === b],
    ['python-dotenv', before.python, after.python, (a, b) => a === b],
    ['docker compose', before.compose, after.compose, (a, b) => sameCompose(a as ComposeValue | undefined, b as ComposeValue | undefined)],
  ];
  for (const name of Object.keys(updates)) {
    const reader = disagreeingReader(after, name, updates[name]);
    if (reader) return { reader, name };
  }
  for (const [reader, old, now, same] of readers) {
    if (!old || !now) continue;
    for (const [name, value] of now) if (!Object.hasOwn(updates, name) && !same(old.get(name), value)) return { reader, name };
    for (const name of old.keys()) if (!now.has(name) && !Object.hasOwn(updates, name)) return { reader, name };
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
