// The leak scan against secretlint on one generated tree: 20,000 files, 200 MB, 50 planted keys (45 in the catalog's
// formats, 5 values without a prefix that only the user's own .env names). Prints each tool's wall time and recall,
// and the ratio. The tree lives in a temporary folder and is deleted afterwards, also on Ctrl+C.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sampleKeys, Seeded, unprefixedKey } from '../test/support/leakKeys';

const FILES = 20_000;
const TOTAL_BYTES = 200 * 1024 * 1024;
const PATTERN_KEYS = 45;
const OWN_KEYS = 5;
const OWN_VARIABLES = ['OPENAI_API_KEY', 'XAI_API_KEY', 'DEEPSEEK_API_KEY', 'GOOGLE_API_KEY', 'ROUNDTABLE_EDEN_AI_API_KEY'];
const EXTENSIONS = ['ts', 'js', 'py', 'json', 'md', 'yaml', 'txt', 'go', 'java', 'html'];

interface Plant { file: string; line: number; kind: string; own: boolean }

/** Lines that look like a code base: code, prose, hashes, base64, URLs, and things that resemble keys but are not. */
function linePool(random: Seeded): string[] {
  const words = ['task', 'manager', 'config', 'client', 'request', 'response', 'handler', 'user', 'token', 'session', 'cache', 'model', 'stream', 'error', 'value', 'index'];
  const word = () => random.pick(words);
  const ident = () => `${word()}${word()[0].toUpperCase()}${word().slice(1)}`;
  const makers: (() => string)[] = [
    () => `  const ${ident()} = await ${ident()}.${word()}(${ident()}, { ${word()}: ${random.int(1000)} });`,
    () => `    if (${ident()} !== undefined && ${ident()}.length > ${random.int(64)}) return ${ident()};`,
    () => `def ${word()}_${word()}(self, ${word()}, ${word()}=None):`,
    () => `        self.${word()}_${word()} = ${word()}.get("${word()}", ${random.int(99)})`,
    () => `  "${word()}_${word()}": "${random.chars('abcdef0123456789', 64)}",`,
    () => `  ${word()}: ${random.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 76)}`,
    () => `See https://example.com/${word()}/${word()}?id=${random.int(1e6)} for the ${word()} ${word()} and the ${word()}.`,
    () => `// TODO(${word()}): the ${word()}-${word()} ${word()} should ${word()} the ${word()} before ${word()}.`,
    () => `  - name: ${word()}-${word()}-${random.int(100)}\n    image: registry/${word()}:${random.int(9)}.${random.int(20)}`,
    // Near misses: a scanner should stay quiet on these.
    () => `  "${word()}": "task-${word()}-${word()}-implementation-${random.int(99)}",`,
    () => `  ${word()} = "sk-${word()}-${word()}-${word()}-${word()}-for-${word()}"`,
    () => `  // masked: sk-or-v1-…${random.chars('abcdef0123456789', 4)} and sk-proj-…${random.chars('ABCDEFabcdef', 4)}`,
    () => `  uuid: "${random.chars('0123456789abcdef', 8)}-${random.chars('0123456789abcdef', 4)}-4${random.chars('0123456789abcdef', 3)}-a${random.chars('0123456789abcdef', 3)}-${random.chars('0123456789abcdef', 12)}"`,
    () => `  desk-${ident()}${ident()}${ident()}`,
  ];
  return Array.from({ length: 4000 }, () => random.pick(makers)());
}

const CONTEXTS: ((key: string, variable: string) => string)[] = [
  (key, variable) => `${variable}=${key}`,
  (key) => `const apiKey = "${key}";`,
  (key) => `client = Client(api_key='${key}')`,
  (key) => `  "Authorization": "Bearer ${key}",`,
  (key) => `  api_key: ${key}`,
  (key) => `curl -H "x-api-key: ${key}" https://example.com`,
];

export function generateTree(root: string, random: Seeded): { plants: Plant[]; envFile: string; bytes: number } {
  const pool = linePool(random);
  const perFile = Math.floor(TOTAL_BYTES / FILES);
  const samples: { key: string; kind: string; variable: string }[] = [];
  for (let round = 0; samples.length < PATTERN_KEYS; round++) {
    for (const sample of sampleKeys(random)) if (samples.length < PATTERN_KEYS) samples.push({ key: sample.key, kind: `${sample.provider} ${sample.prefix}`, variable: 'API_KEY' });
  }
  const own = OWN_VARIABLES.slice(0, OWN_KEYS).map((variable) => ({ key: unprefixedKey(random), kind: `own value (${variable})`, variable }));
  const envFile = path.join(path.dirname(root), 'bench.env');
  writeFileSync(envFile, own.map((entry) => `${entry.variable}=${entry.key}\n`).join(''));
  // Distinct files for the keys, spread over the tree.
  const targets = new Set<number>();
  while (targets.size < samples.length + own.length) targets.add(random.int(FILES));
  const keyFor = new Map([...targets].map((index, order) => [index, order < samples.length ? { ...samples[order], own: false } : { ...own[order - samples.length], own: true }]));
  const plants: Plant[] = [];
  let bytes = 0;
  for (let index = 0; index < FILES; index++) {
    const folder = `pkg${index % 40}/src/${['lib', 'app', 'util', 'test', 'docs'][index % 5]}${Math.floor(index / 200)}`;
    const file = `${folder}/${EXTENSIONS[index % EXTENSIONS.length]}_${index}.${EXTENSIONS[index % EXTENSIONS.length]}`;
    mkdirSync(path.join(root, folder), { recursive: true });
    if (index % 1000 === 999) {
      const binary = Buffer.alloc(perFile);
      for (let at = 0; at < binary.length; at += 64) binary[at] = random.int(256);
      writeFileSync(path.join(root, file.replace(/\.\w+$/, '.bin')), binary);
      bytes += binary.length;
      continue;
    }
    const lines: string[] = [];
    let size = 0;
    const target = perFile / 2 + random.int(perFile);
    while (size < target) {
      const line = random.pick(pool);
      lines.push(line);
      size += line.length + 1;
    }
    const planted = keyFor.get(index);
    // Every third key is the file's very last bytes, without a newline.
    const atEnd = planted !== undefined && plants.length % 3 === 0;
    if (planted) {
      const at = atEnd ? lines.length : random.int(lines.length);
      const text = random.pick(CONTEXTS)(planted.key, planted.variable);
      lines.splice(at, 0, text);
      const line = lines.slice(0, at).reduce((count, entry) => count + entry.split('\n').length, 0) + 1;
      plants.push({ file, line, kind: planted.kind, own: planted.own });
    }
    const content = atEnd ? lines.join('\n') : `${lines.join('\n')}\n`;
    writeFileSync(path.join(root, file), content);
    bytes += Buffer.byteLength(content);
  }
  return { plants, envFile, bytes };
}

/** Which plants a tool's findings (file and line) hit, and how many findings hit none. */
function recall(plants: readonly Plant[], found: readonly { file: string; line: number }[]): { hit: Set<Plant>; stray: number } {
  const byPlace = new Map(plants.map((plant) => [`${plant.file}:${plant.line}`, plant]));
  const hit = new Set<Plant>();
  let stray = 0;
  for (const finding of found) {
    const plant = byPlace.get(`${finding.file}:${finding.line}`);
    if (plant) hit.add(plant);
    else stray++;
  }
  return { hit, stray };
}

interface Measured<T> { value: T; seconds: number; cpuSeconds: number }

/** Runs node with `args`, timing the wall clock and reading the child's own CPU time (bench/cpuUsage.mjs). */
function measure<T>(args: string[], cwd: string, read: (run: { status: number | null; stdout: string; stderr: string }) => T): Measured<T> {
  const report = path.join(tmpdir(), `crucible-keys-cpu-${process.pid}.txt`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(path.resolve('bench/cpuUsage.mjs')).href, ...args], {
    cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CRUCIBLE_KEYS_CPU_REPORT: report },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = Number(readFileSync(report, 'utf8')) / 1000;
  rmSync(report, { force: true });
  return { value: read(run), seconds, cpuSeconds };
}

function ours(root: string, envFile: string): Measured<{ file: string; line: number }[]> {
  return measure([path.resolve('dist/cli.js'), 'scan', root, '--json', '--env-file', envFile], root, (run) => {
    if (run.status !== 0 && run.status !== 1) throw new Error(`crucible-keys scan exited ${run.status}: ${run.stderr}`);
    return (JSON.parse(run.stdout) as { findings: { file: string; line: number }[] }).findings;
  });
}

function secretlint(root: string): Measured<{ file: string; line: number }[]> {
  const output = path.join(path.dirname(root), 'secretlint.txt');
  const config = JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] });
  return measure([path.resolve('node_modules/secretlint/bin/secretlint.js'), '**/*', '--secretlintrcJSON', config, '--format', 'unix', '--no-color', '--output', output], root, (run) => {
    if (run.status !== 0) throw new Error(`secretlint exited ${run.status}: ${run.stderr.slice(0, 500)}`);
    return readFileSync(output, 'utf8').split('\n').map((line) => /^(.+?):(\d+):\d+: /.exec(line)).filter((match) => match !== null)
      .map((match) => ({ file: path.relative(root, path.resolve(root, match[1])).split(path.sep).join('/'), line: Number(match[2]) }));
  });
}

const median = <T>(runs: Measured<T>[], key: 'seconds' | 'cpuSeconds') => [...runs].sort((a, b) => a[key] - b[key])[Math.floor(runs.length / 2)][key];

export function leakScanBench(): void {
  const base = mkdtempSync(path.join(tmpdir(), 'crucible-keys-bench-'));
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  const interrupted = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const root = path.join(base, 'tree');
    const started = performance.now();
    const { plants, envFile, bytes } = generateTree(root, new Seeded(20_000));
    const ownCount = plants.filter((plant) => plant.own).length;
    console.log(`leak scan: ${FILES.toLocaleString('en')} files, ${(bytes / 1024 / 1024).toFixed(0)} MB, ${plants.length} planted keys (${plants.length - ownCount} in catalog formats, ${ownCount} own values without a prefix), generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    ours(root, envFile); // the page cache holds the tree from generation; one untimed run settles the rest
    // Interleaved, so that other load on the machine falls on both tools alike.
    const mine: Measured<{ file: string; line: number }[]>[] = [];
    const theirs: Measured<{ file: string; line: number }[]>[] = [];
    for (let round = 0; round < 3; round++) {
      mine.push(ours(root, envFile));
      theirs.push(secretlint(root));
    }
    const version = (JSON.parse(readFileSync('node_modules/secretlint/package.json', 'utf8')) as { version: string }).version;
    const report = (name: string, runs: Measured<{ file: string; line: number }[]>[]) => {
      const { hit, stray } = recall(plants, runs[0].value);
      const catalog = [...hit].filter((plant) => !plant.own).length;
      console.log(`  ${name}: ${median(runs, 'seconds').toFixed(2)} s wall, ${median(runs, 'cpuSeconds').toFixed(2)} s CPU (medians of 3); recall ${hit.size}/${plants.length} (catalog formats ${catalog}/${plants.length - ownCount}, own values ${hit.size - catalog}/${ownCount}), ${stray} other finding${stray === 1 ? '' : 's'}`);
      return hit;
    };
    report('crucible-keys scan', mine);
    const theirHits = report(`secretlint ${version}, recommended preset (its openai and anthropic rules included)`, theirs);
    const kinds = [...new Set(plants.filter((plant) => !plant.own).map((plant) => plant.kind))].sort();
    console.log(`  secretlint by format: ${kinds.map((kind) => `${kind} ${plants.filter((plant) => plant.kind === kind && theirHits.has(plant)).length}/${plants.filter((plant) => plant.kind === kind).length}`).join(', ')}`);
    console.log(`leak scan, secretlint / crucible-keys: ${(median(theirs, 'seconds') / median(mine, 'seconds')).toFixed(1)}x faster in wall time, ${(median(theirs, 'cpuSeconds') / median(mine, 'cpuSeconds')).toFixed(1)}x in CPU time  (goal >= 5x, recall 50/50)`);
  } finally {
    process.off('SIGINT', interrupted);
    cleanup();
  }
}
