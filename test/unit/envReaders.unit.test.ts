// The three readers Crucible's .env goes through: our ports of python-dotenv and compose-go checked against the real
// python-dotenv and against compose-go's own test cases, then a property test that every write reads the same in all.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse as npmParse } from 'dotenv';
import { ComposeParseError, parseComposeDotenv } from '../../src/core/env/composeDotenv';
import { pythonDotenvValues } from '../../src/core/env/pythonDotenv';
import { simpleBindings } from '../../src/core/env/simpleLines';
import { EnvEditError, planEnvEdit } from '../../src/core/envText';
import { prng, type Prng } from '../support/prng';
import { pythonDotenvRead, requirePythonDotenv } from '../support/python';
import { tempDir } from '../support/tempDir';

const compose = (text: string) => Object.fromEntries([...parseComposeDotenv(text)].map(([name, entry]) => [name, entry.value]));

describe('compose-go dotenv rules (cases from compose-spec/compose-go dotenv/godotenv_test.go @ dc96d82db88fe85d7ece2357d6dbbff2d9ed444b)', () => {
  // TestParsing: parseAndCompare(t, input, key, value)
  const parsing: [string, string, string][] = [
    ['FOO=bar', 'FOO', 'bar'], ['FOO =bar', 'FOO', 'bar'], ['FOO= bar', 'FOO', 'bar'], ['FOO="bar"', 'FOO', 'bar'], ["FOO='bar'", 'FOO', 'bar'],
    [String.raw`FOO="escaped\"bar"`, 'FOO', 'escaped"bar'], [String.raw`FOO="\"quoted\""`, 'FOO', '"quoted"'], [`FOO="'d'"`, 'FOO', "'d'"],
    ['OPTION_A: 1', 'OPTION_A', '1'], ['OPTION_A: Foo=bar', 'OPTION_A', 'Foo=bar'], ['OPTION_A=1:B', 'OPTION_A', '1:B'],
    ['export OPTION_A=2', 'OPTION_A', '2'], [String.raw`export OPTION_B='\n'`, 'OPTION_B', '\\n'], ['export exportFoo=2', 'exportFoo', '2'],
    ['exportFOO=2', 'exportFOO', '2'], ['export_FOO =2', 'export_FOO', '2'], ['export.FOO= 2', 'export.FOO', '2'], ['export\tOPTION_A=2', 'OPTION_A', '2'],
    ['  export OPTION_A=2', 'OPTION_A', '2'], ['\texport OPTION_A=2', 'OPTION_A', '2'], ['export OPTION_A="export A"', 'OPTION_A', 'export A'],
    [String.raw`FOO="bar\nbaz"`, 'FOO', 'bar\nbaz'], [String.raw`FOO=a\tb`, 'FOO', String.raw`a\tb`], [String.raw`FOO="a\tb"`, 'FOO', 'a\tb'],
    [String.raw`KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z"`, 'KEY', 'Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ'],
    ['FOO.BAR=foobar', 'FOO.BAR', 'foobar'], ['FOO=foobar=', 'FOO', 'foobar='], ['FOO=bar ', 'FOO', 'bar'],
    ['FOO=bar # this is foo', 'FOO', 'bar'], ['FOO=bar #this is foo', 'FOO', 'bar'], ['FOO=bar #', 'FOO', 'bar'],
    ['FOO=123#not-an-inline-comment', 'FOO', '123#not-an-inline-comment'], ['FOO="bar#baz"', 'FOO', 'bar#baz'], ['FOO="bar#baz"#', 'FOO', 'bar#baz'],
    ['FOO="bar#baz" # comment', 'FOO', 'bar#baz'], ["FOO='bar#baz' # comment", 'FOO', 'bar#baz'], ['FOO="bar#baz#bang" # comment', 'FOO', 'bar#baz#bang'],
    ['FOO="ba#r"', 'FOO', 'ba#r'], ["FOO='ba#r'", 'FOO', 'ba#r'],
    [String.raw`FOO="bar\n\ b\az"`, 'FOO', 'bar\n\\ b\x07z'], [String.raw`FOO="bar\\\n\ b\az"`, 'FOO', 'bar\\\n\\ b\x07z'],
    [String.raw`FOO="bar\\r\ b\az"`, 'FOO', 'bar\\r\\ b\x07z'], [String.raw`FOO="bar\nbaz\\"`, 'FOO', 'bar\nbaz\\'],
    ['="value"', '', 'value'], [' KEY =value', 'KEY', 'value'], ['   KEY=value', 'KEY', 'value'], ['\tKEY=value', 'KEY', 'value'],
    [String.raw`KEY="\0123"`, 'KEY', 'S'], [String.raw`KEY="\x07"`, 'KEY', String.raw`\x07`], [String.raw`KEY="\u12e4"`, 'KEY', String.raw`\u12e4`],
    [String.raw`KEY="\U00101234"`, 'KEY', String.raw`\U00101234`],
  ];
  it('parses every TestParsing line as compose-go does', () => {
    for (const [input, key, value] of parsing) {
      const parsed = parseComposeDotenv(input);
      assert.equal(parsed.get(key)?.value, value, input);
    }
  });

  it('refuses what compose-go refuses: lol$wut, unterminated quotes (TestUnterminatedQuotes), a key with a space (TestErrorParsing)', () => {
    for (const input of ['lol$wut', 'KEY="', 'KEY="value', 'KEY="value\\"', "KEY=\"value'", "KEY='", "KEY='value", "KEY='value\\'", 'KEY=\'value"', 'A=1\nthis is junk\nB=2']) {
      assert.throws(() => parseComposeDotenv(input), ComposeParseError, input);
    }
    assert.throws(() => parseComposeDotenv('A=1\nB=2\nbad key=3\n'), /line 3: key cannot contain a space/);
  });

  it('expands like compose-go (TestExpanding, TestParse, TestUTF8BOM, TestDash) and skips blank and comment lines (TestLinesToIgnore)', () => {
    const expanding: [string, Record<string, string>][] = [
      ['FOO=test\nBAR=$FOO', { FOO: 'test', BAR: 'test' }], ['FOO=test\nBAR=${FOO}bar', { FOO: 'test', BAR: 'testbar' }], ['BAR=$FOO', { BAR: '' }],
      ['FOO=test\nBAR="quote $FOO"', { FOO: 'test', BAR: 'quote test' }], ["BAR='quote $FOO'", { BAR: 'quote $FOO' }],
      [String.raw`FOO="foo\$BAR"`, { FOO: 'foo$BAR' }], [String.raw`FOO="foo\${BAR}"`, { FOO: 'foo${BAR}' }],
      ['FOO=test\nBAR="foo\\${FOO} ${FOO}"', { FOO: 'test', BAR: 'foo${FOO} test' }],
      ['ONE=1\nTWO=\'2\'\nTHREE = "3"', { ONE: '1', TWO: '2', THREE: '3' }],
      ['\uFEFFOPTION_A=1\nOPTION_B=2', { OPTION_A: '1', OPTION_B: '2' }],
      ['VAR-WITH-DASHES=dashes\nVAR.WITH.DOTS=dots\nVAR_WITH_UNDERSCORES=underscores', { 'VAR-WITH-DASHES': 'dashes', 'VAR.WITH.DOTS': 'dots', VAR_WITH_UNDERSCORES: 'underscores' }],
      ['TEST_URLS="stratum+tcp://a:3333\nstratum+tcp://a:443"', { TEST_URLS: 'stratum+tcp://a:3333\nstratum+tcp://a:443' }],
      ['\n\r\n\t\t \n# Comment\n\t # comment\nexport OPTION_B=\'\\n\'', { OPTION_B: '\\n' }],
    ];
    for (const [input, expected] of expanding) assert.deepEqual(compose(input), expected, input);
    assert.equal(parseComposeDotenv('TEST=$ME', (name) => (name === 'ME' ? 'YES' : undefined)).get('TEST')?.value, 'YES');
  });
});

/** Snippets that tell the readers apart; the python-dotenv port must read each exactly as python-dotenv does. */
const PYTHON_SNIPPETS = [
  "A='x${HOME}y'", 'A=a\\b', 'A=a\\\\b', "A='a\\\\b'", "A='a\\b'", "A=it's", 'A=a\tb', 'A="a\\\'b"', 'A=`x`', '\uFEFFA=1\nB=2', 'A: 1',
  "A=x\\'", "A= 'x' ", 'A=a #c', 'A=a\t#c', 'A=a#c', 'export A=1', 'A=\u00a0x\u00a0', 'A=x\\', 'A="multi\nline"\nB=2', "A='multi\r\nline'\r\nB=2",
  'A="unterminated\nB=2\n', 'junk line\nA=1', "'QUOTED'=1", 'A\nB=', 'A=${B:-fallback}\nB=set', 'A="\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\x"', 'A=1\rB=2',
  'export\tA=1', 'A = 1 # c\n#B=2\n  C="3" junk\nD=4', "A='it\\'s'", 'A=\u2028B=1', 'A="x"#c', 'A=  # comment\nB=2',
];

describe('python-dotenv, as Crucible reads .env', () => {
  it('the port reads every tricky snippet exactly as the real python-dotenv does', (t) => {
    const runtime = requirePythonDotenv();
    t.diagnostic(`python-dotenv ${runtime.version} (${runtime.python})`);
    const dir = tempDir();
    const files = PYTHON_SNIPPETS.map((text, index) => {
      const file = path.join(dir, `snippet-${index}.env`);
      writeFileSync(file, text);
      return file;
    });
    const real = pythonDotenvRead(runtime, files);
    PYTHON_SNIPPETS.forEach((text, index) => {
      const port = Object.fromEntries([...pythonDotenvValues(text, { interpolate: true, environ: { PATH: process.env.PATH } })].map(([name, value]) => [name, value ?? null]));
      assert.deepEqual(port, real[index], JSON.stringify(text));
    });
  });
});

// Values people paste, and values built to break one reader or another.
const PROVIDER_KEYS = ['sk-or-v1-' + 'ab12'.repeat(16), 'sk-proj-' + 'Xy9_'.repeat(20), 'sk-ant-api03-' + 'q-W_'.repeat(23) + 'AA', 'AIzaSy' + 'Bc3-'.repeat(8) + 'x', 'sk-' + 'f0e1'.repeat(8), 'xai-' + 'Zz09'.repeat(20), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'];
const ATOMS = ['a', 'Z', '0', '-', '_', '.', '/', '+', '=', ':', '@', ' ', '  ', '\t', '#', ' #', '$', '${X}', '${', '}', '$X', '\\', '\\\\', '\\n', "'", '"', '`', '\n', '\r\n', '\r', 'ü', '✓', '\u00a0', '\u2003', '\x07', '\u2028', '\uFEFF', '%', '!', '*', '{', '[', ']', ';', '&', '|', '<', '>', '?', '~', '^'];
const NAMES = ['ROUNDTABLE_OPENROUTER_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'API_KEY_ENCRYPTION_KEY', 'GOOGLE_API_KEY'];
// How the variable may already be written in the starting file, including forms the readers disagree on.
const EXISTING = ['K=old', 'K="old"', "K='old'", 'K=`old`', 'K: old', 'export K=old # note', 'K = "old" # note', 'K=', 'K= # note', "K='a\\\\b'", 'K="a\\tb"', 'K=`multi\nline`', 'K=${HOME}'];
const UNRELATED = ['POSTGRES_USER=crucible', "REDIS_PASSWORD='r3d#s'", 'ROUNDTABLE_JWT_SECRET="s3cr3t with spaces"', '# comment', '', '  # indented', 'export DEBUG=1', 'EMPTY=', "SINGLE='$literal'", 'URL=https://x.example/a?b=c'];

function generateValue(r: Prng): string {
  if (r.chance(0.25)) return r.pick(PROVIDER_KEYS);
  let value = '';
  for (let i = 0, n = Math.floor(r.next() * 8); i < n; i++) value += r.pick(ATOMS);
  return value;
}

function generateFile(r: Prng, name: string): { text: string; bom: boolean } {
  const eol = r.chance(0.3) ? '\r\n' : '\n';
  const lines: string[] = [];
  for (let i = 0, n = Math.floor(r.next() * 6); i < n; i++) lines.push(r.pick(UNRELATED));
  if (r.chance(0.8)) lines.splice(Math.floor(r.next() * (lines.length + 1)), 0, r.pick(EXISTING).replace(/^((?:export )?)K/, `$1${name}`));
  const bom = r.chance(0.1);
  return { text: (bom ? '\uFEFF' : '') + lines.join(eol) + (r.chance(0.8) ? eol : ''), bom };
}

/** Every way a value could be written; a refusal is right only if none of them reads the same everywhere. */
function candidateLines(name: string, value: string): string[] {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return [`${name}=${value}`, `${name}='${value}'`, `${name}="${value}"`, `${name}="${escaped}"`, `${name}=\`${value}\``];
}

describe('three readers agree on every write', () => {
  it('npm dotenv, python-dotenv and docker compose read the same value for every variable after 1,000 generated writes, and every refusal was unavoidable', (t) => {
    const runtime = requirePythonDotenv();
    const dir = tempDir();
    const cases: { seed: number; name: string; value: string; text: string; bom: boolean; stripBom: boolean; file?: string; refused?: string; candidates?: string[] }[] = [];
    for (let seed = 1; seed <= 1000; seed++) {
      const r = prng(seed);
      const name = r.pick(NAMES);
      const value = generateValue(r);
      const { text, bom } = generateFile(r, name);
      const stripBom = bom && r.chance(0.5);
      const entry: (typeof cases)[number] = { seed, name, value, text, bom, stripBom };
      try {
        const plan = planEnvEdit(text, { [name]: value }, { stripBom });
        entry.file = path.join(dir, `case-${seed}.env`);
        writeFileSync(entry.file, plan.text);
        if (bom && !stripBom && plan.bomHides) assert.match(plan.warnings.join('\n'), new RegExp(`does not see ${plan.bomHides}`), `seed ${seed}`);
      } catch (error) {
        assert.ok(error instanceof EnvEditError, `seed ${seed}: ${error}`);
        entry.refused = error.message;
        entry.candidates = candidateLines(name, value).map((line, index) => {
          const file = path.join(dir, `candidate-${seed}-${index}.env`);
          writeFileSync(file, line + '\n');
          return file;
        });
      }
      cases.push(entry);
    }
    const written = cases.filter((entry) => entry.file);
    const writtenViews = pythonDotenvRead(runtime, written.map((entry) => entry.file!));
    written.forEach((entry, index) => {
      const text = planEnvEdit(entry.text, { [entry.name]: entry.value }, { stripBom: entry.stripBom }).text;
      const npm = npmParse(text);
      const python = Object.fromEntries(Object.entries(writtenViews[index]).filter(([, value]) => value !== null)) as Record<string, string>;
      const composeView = compose(text);
      if (text.startsWith('\uFEFF')) {
        // python-dotenv glues the mark to the first line: the writer must name the variable it hides, and only that one.
        const hidden = planEnvEdit(entry.text, { [entry.name]: entry.value }, { stripBom: entry.stripBom }).bomHides;
        for (const key of Object.keys(python)) if (key.startsWith('\uFEFF')) delete python[key];
        if (hidden !== undefined) { delete npm[hidden]; delete composeView[hidden]; delete python[hidden]; }
        if (hidden === entry.name) return;
      }
      assert.equal(npm[entry.name], entry.value, `seed ${entry.seed}: npm dotenv`);
      assert.equal(python[entry.name], entry.value, `seed ${entry.seed}: python-dotenv`);
      assert.deepEqual(python, npm, `seed ${entry.seed}: npm and python-dotenv disagree on ${JSON.stringify(text)}`);
      assert.deepEqual(composeView, npm, `seed ${entry.seed}: compose and npm dotenv disagree on ${JSON.stringify(text)}`);
    });
    const refused = cases.filter((entry) => entry.refused);
    const candidateViews = pythonDotenvRead(runtime, refused.flatMap((entry) => entry.candidates!));
    let at = 0;
    for (const entry of refused) {
      assert.match(entry.refused!, /contains|because of|cannot hold|cannot be edited safely/, `seed ${entry.seed}`);
      for (const file of entry.candidates!) {
        const line = candidateLines(entry.name, entry.value)[entry.candidates!.indexOf(file)] + '\n';
        let composeValue: string | undefined;
        try { composeValue = parseComposeDotenv(line).get(entry.name)?.value; } catch { composeValue = undefined; }
        const agreed = npmParse(line)[entry.name] === entry.value && candidateViews[at]?.[entry.name] === entry.value && composeValue === entry.value;
        assert.ok(!agreed, `seed ${entry.seed}: refused (${entry.refused}) although ${JSON.stringify(line)} reads the same everywhere`);
        at++;
      }
    }
    t.diagnostic(`python-dotenv ${runtime.version}: ${written.length} written and read alike by all three readers, ${refused.length} refused with a reason`);
    assert.ok(written.length >= 600, `only ${written.length} of 1000 written`);
  });

  it('writes every real provider key unquoted, and all three readers read it back', () => {
    for (const key of PROVIDER_KEYS) {
      const plan = planEnvEdit('', { OPENAI_API_KEY: key });
      assert.ok(plan.text.includes(`OPENAI_API_KEY=${key}\n`), key);
      assert.equal(npmParse(plan.text).OPENAI_API_KEY, key);
      assert.equal(pythonDotenvValues(plan.text).get('OPENAI_API_KEY'), key);
      assert.equal(parseComposeDotenv(plan.text).get('OPENAI_API_KEY')?.value, key);
    }
  });
});

describe('the simple-file fast path', () => {
  // Pieces of lines: some keep a line simple, some make it not (the fast path must then step aside).
  const VALUE_ATOMS = ['a', 'Z9', '-', '_', '.', '/', '+', '=', ':', '@', '%', '!', '*', '{', '}', '[', ']', '(', ')', '|', '&', ';', '<', '>', '?', '~', '^', ',', ' ', '#', ' #', '$', '${X}', '\\', "'", '"', '`', '\t', 'ü'];
  const PREFIXES = ['', '', '', ' ', '\t', 'export ', 'export\t', '  export  '];
  const SUFFIXES = ['', '', '', ' ', '\t ', ' # note', '\t# note', '#tight', ' #'];

  // Half the files are built only from pieces that can be simple, so both sides of the fast path get exercised.
  const SIMPLE_ATOMS = VALUE_ATOMS.slice(0, 29);

  function generateLine(r: Prng, names: string[], tame: boolean): string {
    const kind = r.next();
    if (kind < 0.1) return r.pick(['', ' ', '\t', '  \t ']);
    if (kind < 0.2) return r.pick(['# comment', '  # indented', '#', '#A=1', '# $HOME "quoted" \\']);
    let value = '';
    for (let i = 0, n = Math.floor(r.next() * 7); i < n; i++) value += r.pick(tame ? SIMPLE_ATOMS : VALUE_ATOMS);
    const quote = r.pick(['', '', "'", '"']);
    return `${r.pick(PREFIXES)}${r.pick(names)}${tame ? '=' : r.pick(['=', '=', '=', ' =', '= '])}${quote}${value}${quote}${r.pick(tame ? SUFFIXES.slice(0, 6) : SUFFIXES)}`;
  }

  it('reads each file it accepts exactly as npm dotenv, python-dotenv and docker compose do (1,000 generated files)', (t) => {
    const runtime = requirePythonDotenv();
    const dir = tempDir();
    const names = ['A', 'B_2', 'OPENAI_API_KEY', 'export_X', 'x'];
    const accepted: { text: string; file: string; view: Record<string, string> }[] = [];
    let rejected = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const r = prng(50_000 + seed);
      const tame = r.chance(0.5);
      const lines = Array.from({ length: 1 + Math.floor(r.next() * 6) }, () => generateLine(r, names, tame));
      const text = lines.join('\n') + (r.chance(0.8) ? '\n' : '');
      const bindings = simpleBindings(text);
      if (!bindings) { rejected++; continue; }
      const view: Record<string, string> = {};
      for (const binding of bindings) view[binding.name] = binding.value;
      const file = path.join(dir, `simple-${seed}.env`);
      writeFileSync(file, text);
      accepted.push({ text, file, view });
    }
    const python = pythonDotenvRead(runtime, accepted.map((entry) => entry.file));
    accepted.forEach((entry, index) => {
      assert.deepEqual({ ...npmParse(entry.text) }, entry.view, `npm dotenv reads ${JSON.stringify(entry.text)} differently`);
      assert.deepEqual(python[index], entry.view, `python-dotenv reads ${JSON.stringify(entry.text)} differently`);
      assert.deepEqual(compose(entry.text), entry.view, `docker compose reads ${JSON.stringify(entry.text)} differently`);
    });
    t.diagnostic(`python-dotenv ${runtime.version}: ${accepted.length} simple files read alike by all three readers; ${rejected} left to the full path`);
    assert.ok(accepted.length >= 250 && rejected >= 250, `the generator should exercise both sides: ${accepted.length} accepted, ${rejected} rejected`);
  });

  it('plans the same edit as the full three-reader path on the files it accepts', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(90_000 + seed);
      const names = ['A', 'B', 'OPENAI_API_KEY'];
      const text = Array.from({ length: 1 + Math.floor(r.next() * 5) }, () => generateLine(r, names, true)).join('\n') + '\n';
      if (!simpleBindings(text)) continue;
      const updates = { [r.pick(names)]: r.pick(PROVIDER_KEYS), ...(r.chance(0.5) ? { NEW_VAR: r.pick(['x', "it's", 'a b']) } : {}) };
      const fast = planEnvEdit(text, updates);
      const full = planEnvEdit(text + '\r\n', updates); // a CR LF anywhere sends it down the full path
      assert.deepEqual({ ...npmParse(fast.text) }, { ...npmParse(full.text.replace(/\r\n/g, '\n')) }, `seed ${seed}: ${JSON.stringify(text)}`);
      assert.deepEqual([fast.updated, fast.added, fast.unchanged], [full.updated, full.added, full.unchanged], `seed ${seed}`);
    }
  });
});
