// A docker compose file, reduced to what decides which variables reach each service: `environment:`, `env_file:`,
// `volumes:` and same-file `extends:`. Parsed with the yaml library; the syntax tree is walked at a fixed depth, with
// merge keys (`<<`) and aliases resolved under a budget. The library's toJS() is not used: it stringifies collection
// keys, which takes exponential time on `? ? ? … x` and prints process warnings, and it would expand alias bombs.
// Nothing here throws on hostile input: every refusal is a sentence in `problems`. Values stay raw (`${VAR}` and all);
// interpolation belongs to the caller, which knows the environment. This module is its own lazily loaded bundle in
// the extension (dist/compose.js), so it imports nothing but `yaml`.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair } from 'yaml';

export interface ComposeEnvironmentEntry {
  name: string;
  /** The value as written (a number or boolean as text); null for a bare name, which compose fills from its environment. */
  value: string | null;
  line?: number;
}

export interface ComposeEnvFileEntry {
  path: string;
  required: boolean;
  line?: number;
}

export type ComposeVolumeEntry =
  | { kind: 'short'; spec: string; line?: number }
  | { kind: 'long'; type?: string; source?: string; target?: string; readOnly: boolean; line?: number };

export interface ComposeServiceModel {
  name: string;
  line?: number;
  /** Later entries win (a later document, or the service itself over what it extends). */
  environment: ComposeEnvironmentEntry[];
  envFiles: ComposeEnvFileEntry[];
  volumes: ComposeVolumeEntry[];
}

export interface ComposeModel {
  services: ComposeServiceModel[];
  documents: number;
  /** One sentence each: why (part of) the file could not be read. Never a value from the file. */
  problems: string[];
}

/** Deeper flow nesting than any compose file has; far deeper ([ × 5000) crashes V8 inside the parser, fatally. */
export const MAX_FLOW_DEPTH = 64;
/** A longer run of indentation and `-`/`?` indicators at a line's start than any compose file has. */
export const MAX_LINE_LEAD = 256;
/** Alias and merge-key resolutions, and entries read, allowed in one file: an alias bomb stops here. */
export const MAX_ALIASES = 1000;
export const MAX_ENTRIES = 100_000;
const MAX_MERGE_DEPTH = 8;

class Refused extends Error {}

/** A cheap look at the text before the parser sees it: nesting the parser cannot survive is refused here. */
function tooDeep(text: string): string | undefined {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) max = Math.max(max, ++depth);
    else if ((code === 0x5d || code === 0x7d) && depth > 0) depth--;
  }
  if (max > MAX_FLOW_DEPTH) return `it nests [ ] or { } ${max} deep, more than ${MAX_FLOW_DEPTH}`;
  const lead = /^[ \t?-]*/gm;
  for (let match = lead.exec(text); match; match = lead.exec(text)) {
    if (match[0].length > MAX_LINE_LEAD) return `a line starts with ${match[0].length} characters of indentation and indicators, more than ${MAX_LINE_LEAD}`;
    if (match[0].length === 0) lead.lastIndex++;
  }
  return undefined;
}

class Walker {
  private aliases = 0;
  private read = 0;
  /** Duplicate keys found in the mappings read. */
  readonly duplicates: string[] = [];

  constructor(private readonly doc: Document.Parsed, private readonly lines: LineCounter) {}

  line(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }

  resolve(node: unknown): unknown {
    if (!isAlias(node)) return node;
    if (++this.aliases > MAX_ALIASES) throw new Refused(`it resolves more than ${MAX_ALIASES} aliases, as an alias bomb does`);
    const target = node.resolve(this.doc);
    return isAlias(target) ? undefined : target;
  }

  count(): void {
    if (++this.read > MAX_ENTRIES) throw new Refused(`it expands to more than ${MAX_ENTRIES} entries`);
  }

  /** A mapping's entries by scalar key, merge keys applied first (explicit keys win, as YAML's merge says). */
  entries(node: unknown, depth = 0): Map<string, { value: unknown; key: Node }> {
    const out = new Map<string, { value: unknown; key: Node }>();
    const map = this.resolve(node);
    if (!isMap(map)) return out;
    const explicit: Pair[] = [];
    for (const pair of map.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue; // a collection as key: nothing compose reads
      const key = pair.key;
      if (typeof key.value === 'symbol' || key.value === '<<') {
        if (depth >= MAX_MERGE_DEPTH) throw new Refused(`its merge keys nest deeper than ${MAX_MERGE_DEPTH}`);
        const sources = this.resolve(pair.value);
        const list = isSeq(sources) ? sources.items : [sources];
        // In a list of merged maps the first wins, so they are applied last to first.
        for (const source of [...list].reverse()) for (const [name, entry] of this.entries(source, depth + 1)) out.set(name, entry);
      } else {
        explicit.push(pair);
      }
    }
    const seen = new Set<string>();
    for (const pair of explicit) {
      this.count();
      const name = String((pair.key as { value: unknown }).value);
      // Checked here rather than by the parser, whose check takes quadratic time (20,000 keys: 9 s).
      if (seen.has(name)) this.duplicates.push(`Key "${name.slice(0, 60)}" appears twice in one mapping (line ${this.line(pair.key)}); docker compose refuses such a file.`);
      seen.add(name);
      out.set(name, { value: pair.value, key: pair.key as Node });
    }
    return out;
  }

  items(node: unknown): unknown[] {
    const seq = this.resolve(node);
    if (!isSeq(seq)) return [];
    return seq.items.map((item) => {
      this.count();
      return item;
    });
  }

  /** A scalar as compose reads it (numbers and booleans as text); undefined for anything else. */
  scalar(node: unknown): string | null | undefined {
    const value = this.resolve(node);
    if (!isScalar(value)) return undefined;
    if (value.value === null) return null;
    return typeof value.value === 'string' || typeof value.value === 'number' || typeof value.value === 'boolean' || typeof value.value === 'bigint' ? String(value.value) : undefined;
  }
}

interface RawService { name: string; line?: number; node: unknown; doc: Walker }

function environmentOf(walker: Walker, node: unknown): ComposeEnvironmentEntry[] {
  const resolved = walker.resolve(node);
  if (isSeq(resolved)) {
    return walker.items(resolved).flatMap((item) => {
      const text = walker.scalar(item);
      if (typeof text !== 'string' || text === '') return [];
      const at = text.indexOf('=');
      return [{ name: at === -1 ? text : text.slice(0, at), value: at === -1 ? null : text.slice(at + 1), line: walker.line(walker.resolve(item)) }];
    });
  }
  return [...walker.entries(resolved)].flatMap(([name, entry]) => {
    const value = walker.scalar(entry.value);
    return value === undefined ? [] : [{ name, value, line: walker.line(entry.key) }];
  });
}

function envFilesOf(walker: Walker, node: unknown): ComposeEnvFileEntry[] {
  const resolved = walker.resolve(node);
  const list = isSeq(resolved) ? walker.items(resolved) : [resolved];
  return list.flatMap((item) => {
    const text = walker.scalar(item);
    if (typeof text === 'string') return [{ path: text, required: true, line: walker.line(walker.resolve(item)) }];
    const fields = walker.entries(item);
    const path = walker.scalar(fields.get('path')?.value);
    if (typeof path !== 'string') return [];
    return [{ path, required: walker.scalar(fields.get('required')?.value) !== 'false', line: walker.line(fields.get('path')?.key) }];
  });
}

function volumesOf(walker: Walker, node: unknown): ComposeVolumeEntry[] {
  return walker.items(node).flatMap((item): ComposeVolumeEntry[] => {
    const spec = walker.scalar(item);
    if (typeof spec === 'string') return [{ kind: 'short', spec, line: walker.line(walker.resolve(item)) }];
    const fields = walker.entries(item);
    if (fields.size === 0) return [];
    const text = (name: string) => walker.scalar(fields.get(name)?.value) ?? undefined;
    return [{ kind: 'long', type: text('type'), source: text('source'), target: text('target'), readOnly: text('read_only') === 'true', line: walker.line(walker.resolve(item)) }];
  });
}

/** A service with what it `extends` in the same document applied first (a cycle or another file's base is skipped). */
function serviceModel(raw: RawService, byName: Map<string, RawService>, seen: Set<string>, problems: string[]): ComposeServiceModel {
  const { doc: walker } = raw;
  const fields = walker.entries(raw.node);
  const model: ComposeServiceModel = { name: raw.name, line: raw.line, environment: [], envFiles: [], volumes: [] };
  const extendsNode = fields.get('extends')?.value;
  if (extendsNode !== undefined) {
    const base = walker.scalar(extendsNode) ?? walker.scalar(walker.entries(extendsNode).get('service')?.value);
    const file = walker.scalar(walker.entries(extendsNode).get('file')?.value);
    if (file) problems.push(`Service ${raw.name} extends a service of another file (${file}), which was not read.`);
    else if (typeof base === 'string' && byName.has(base) && !seen.has(base)) {
      const inherited = serviceModel(byName.get(base)!, byName, new Set([...seen, base]), problems);
      model.environment.push(...inherited.environment);
      model.envFiles.push(...inherited.envFiles);
      model.volumes.push(...inherited.volumes);
    }
  }
  if (fields.has('environment')) model.environment.push(...environmentOf(walker, fields.get('environment')!.value));
  if (fields.has('env_file')) model.envFiles.push(...envFilesOf(walker, fields.get('env_file')!.value));
  if (fields.has('volumes')) model.volumes.push(...volumesOf(walker, fields.get('volumes')!.value));
  return model;
}

/** "YAML error at line 3: Map keys must be unique": the library's own sentence, never the file's text around it. */
function describeError(error: { code: string; message: string; pos: [number, number] }, lines: LineCounter): string {
  const sentence = error.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '').replace(/:$/, '');
  return `YAML error at line ${lines.linePos(error.pos[0]).line}: ${sentence} (${error.code}).`;
}

/**
 * Reads a compose file's services. Several YAML documents are layers merged in order, as compose-go does
 * (loader/multidoc_test.go): environment by name and volumes by target, later wins; env_file lists add up.
 */
export function readComposeModel(text: string): ComposeModel {
  const deep = tooDeep(text);
  if (deep) return { services: [], documents: 0, problems: [`The file was not read: ${deep}.`] };
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: false, uniqueKeys: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const problems: string[] = [];
  const merged = new Map<string, ComposeServiceModel>();
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      problems.push(`${describeError(doc.errors[0], lines)} docker compose refuses such a file.`);
      continue;
    }
    const walker = new Walker(doc, lines);
    try {
      for (const layer of documentServices(walker, doc, problems)) {
        const before = merged.get(layer.name);
        merged.set(layer.name, before ? mergeLayer(before, layer) : layer);
      }
      problems.push(...new Set(walker.duplicates));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      problems.push(`The file was not read: ${error.message}.`);
      return { services: [], documents: docs.length, problems };
    }
  }
  return { services: [...merged.values()], documents: docs.length, problems };
}

function documentServices(walker: Walker, doc: Document.Parsed, problems: string[]): ComposeServiceModel[] {
  const root = walker.entries(doc.contents);
  if (doc.contents !== null && !isMap(walker.resolve(doc.contents))) problems.push('A document of the file is not a mapping of compose keys.');
  if (root.has('include')) problems.push('The file\'s "include:" section was not followed.');
  const services = root.get('services');
  if (!services) return [];
  const raws = new Map<string, RawService>();
  for (const [name, entry] of walker.entries(services.value)) raws.set(name, { name, line: walker.line(entry.key), node: entry.value, doc: walker });
  return [...raws.values()].map((raw) => serviceModel(raw, raws, new Set([raw.name]), problems));
}

function mergeLayer(before: ComposeServiceModel, after: ComposeServiceModel): ComposeServiceModel {
  return {
    name: before.name, line: before.line,
    environment: [...before.environment, ...after.environment],
    envFiles: [...before.envFiles, ...after.envFiles],
    volumes: [...before.volumes, ...after.volumes],
  };
}
