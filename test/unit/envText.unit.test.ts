import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'dotenv';
import { prng } from '../support/prng';
import { BLOCK_END, BLOCK_START, DOTENV_LINE_SOURCE, encodeValue, EnvEditError, findAssignments, planEnvEdit } from '../../src/core/envText';

const NAMES = ['ROUNDTABLE_OPENROUTER_API_KEY', 'OPENAI_API_KEY', 'API_KEY_ENCRYPTION_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'app.name', 'my-var', 'DEBUG', 'EMPTY'];
const NEW_NAMES = ['ANTHROPIC_API_KEY', 'GOOGLE_API_KEY', 'XAI_API_KEY', 'DEEPSEEK_API_KEY'];
const VALUES = ['sk-or-v1-0123abcd', '', 'with space', 'hash#inside', "it's", 'say "hi"', 'dollar $HOME', 'multi\nline', 'ünïcode ✓', 'back\\slash', 'a=b=c', '  padded  ', 'x`y', 'tab\there', 'cr\rlf'];
const JUNK = ['this is junk', '[section]', ';;;', 'KEY WITHOUT VALUE', '💥 ünïcode junk', '   ', '\t', '# comment', '#DISABLED_KEY=value', '  # indented comment', '###'];

interface Item { raw: string; name?: string }

function generateFile(seed: number): { text: string; items: Item[]; eol: string } {
  const r = prng(seed);
  const eol = r.chance(0.4) ? '\r\n' : '\n';
  const items: Item[] = [];
  const count = 1 + Math.floor(r.next() * 14);
  for (let i = 0; i < count; i++) {
    if (r.chance(0.35)) {
      items.push({ raw: r.pick(JUNK) });
      continue;
    }
    const name = r.pick(NAMES);
    const prefix = r.pick(['', '', 'export ', '  ']);
    const separator = r.pick(['=', '=', ' = ', ': ']);
    const base = r.pick(['plain-value', 'abc123', '', 'sk-old-key-1234567890']);
    const style = r.pick(['plain', 'single', 'double', 'backtick', 'double-multiline']);
    const value = style === 'single' ? `'${base} x'` : style === 'double' ? `"${base}\\nz"` : style === 'backtick' ? `\`${base}\`` : style === 'double-multiline' ? `"${base}${eol}second line"` : base;
    const comment = r.pick(['', '', ' # trailing comment', '  #c']);
    items.push({ raw: `${prefix}${name}${separator}${value}${comment}`, name });
  }
  const finalNewline = r.chance(0.7);
  const text = items.map((item) => item.raw).join(eol) + (finalNewline ? eol : '');
  return { text, items, eol };
}

describe('.env editing', () => {
  it('uses exactly the grammar of the installed dotenv', () => {
    const source = readFileSync(require.resolve('dotenv'), 'utf8');
    const line = /const LINE = \/(.*)\/mg/.exec(source);
    assert.ok(line, 'dotenv LINE pattern not found');
    assert.equal(DOTENV_LINE_SOURCE, line[1]);
  });

  it('updates a value in place and keeps comments, export, quoting, CRLF and the missing final newline', () => {
    const text = '# Crucible\r\nexport OPENAI_API_KEY=\'old-key\' # mine\r\n\r\nOTHER="x"';
    const plan = planEnvEdit(text, { OPENAI_API_KEY: 'sk-new-key' });
    assert.equal(plan.text, '# Crucible\r\nexport OPENAI_API_KEY=\'sk-new-key\' # mine\r\n\r\nOTHER="x"');
    assert.deepEqual(plan.updated, ['OPENAI_API_KEY']);
  });

  it('fills an empty assignment such as the ones in Crucible\'s .env.example', () => {
    const text = 'API_KEY_ENCRYPTION_KEY=\nROUNDTABLE_OPENROUTER_API_KEY=\nREDIS_PASSWORD=redis\n';
    assert.equal(planEnvEdit(text, { ROUNDTABLE_OPENROUTER_API_KEY: 'sk-or-v1-abc' }).text, 'API_KEY_ENCRYPTION_KEY=\nROUNDTABLE_OPENROUTER_API_KEY=sk-or-v1-abc\nREDIS_PASSWORD=redis\n');
    assert.equal(planEnvEdit('KEY= # note\n', { KEY: 'v' }).text, 'KEY=v # note\n');
  });

  it('appends new variables in one marked block, and later additions join that block', () => {
    const first = planEnvEdit('A=1\n', { OPENAI_API_KEY: 'k1' });
    assert.equal(first.text, `A=1\n\n${BLOCK_START}\nOPENAI_API_KEY=k1\n${BLOCK_END}\n`);
    const second = planEnvEdit(`${first.text}# after\n`, { XAI_API_KEY: 'k2' });
    assert.equal(second.text, `A=1\n\n${BLOCK_START}\nOPENAI_API_KEY=k1\nXAI_API_KEY=k2\n${BLOCK_END}\n# after\n`);
    assert.equal(planEnvEdit('', { K: 'v' }).text, `${BLOCK_START}\nK=v\n${BLOCK_END}\n`);
    assert.equal(planEnvEdit('A=1', { K: 'v' }).text, `A=1\n\n${BLOCK_START}\nK=v\n${BLOCK_END}`);
    assert.equal(planEnvEdit('A=1\r\n', { K: 'v' }).text, `A=1\r\n\r\n${BLOCK_START}\r\nK=v\r\n${BLOCK_END}\r\n`);
  });

  it('updates the assignment dotenv uses when a variable appears twice, and warns', () => {
    const plan = planEnvEdit('K=first\nK=second\n', { K: 'third' });
    assert.equal(plan.text, 'K=first\nK=third\n');
    assert.match(plan.warnings[0], /assigned 2 times; the last one \(line 2\)/);
  });

  it('does nothing when the value is already there', () => {
    const plan = planEnvEdit('K="v"\n', { K: 'v' });
    assert.equal(plan.changed, false);
    assert.deepEqual(plan.unchanged, ['K']);
  });

  it('quotes values that need it so dotenv reads them back exactly', () => {
    for (const value of VALUES) {
      const text = `K=${encodeValue(value)}\n`;
      assert.equal(parse(text).K, value, JSON.stringify(value));
    }
    assert.equal(encodeValue('plain'), 'plain');
    assert.equal(encodeValue('has # hash'), "'has # hash'");
    assert.equal(encodeValue('dollar $HOME'), "'dollar $HOME'");
  });

  it('refuses an edit it cannot make safely instead of writing a broken file', () => {
    assert.throws(() => planEnvEdit('K=1\n', { 'BAD NAME': 'x' }), EnvEditError);
    assert.throws(() => encodeValue('a\'b"c`d\re'), EnvEditError);
  });

  it('rewrites a value whose quoting python-dotenv or compose read differently, and says so', () => {
    const backtick = planEnvEdit('K=`old`\n', { K: 'new' });
    assert.equal(backtick.text, 'K=new\n');
    assert.match(backtick.warnings[0], /K \(line 1\) was quoted with backticks/);
    const same = planEnvEdit('K=`v`\n', { K: 'v' });
    assert.deepEqual([same.text, same.updated], ['K=v\n', ['K']], 'npm reads v already, python-dotenv reads `v`');
    const colon = planEnvEdit('K: old # note\n', { K: 'new' });
    assert.equal(colon.text, 'K=new # note\n');
    assert.match(colon.warnings[0], /was written "K: value", which python-dotenv does not read/);
    const escaped = planEnvEdit("K='a\\\\b'\n", { K: 'a\\\\b' });
    assert.equal(escaped.text, 'K=a\\\\b\n');
    assert.match(escaped.warnings[0], /python-dotenv or docker compose read differently/);
    assert.equal(planEnvEdit('K= # note\n', { K: '' }).text, "K='' # note\n", 'python-dotenv reads "K= # note" as "# note"');
    assert.equal(planEnvEdit('K=x # note\n', { K: '' }).text, "K='' # note\n", 'python-dotenv would read "# note"');
  });

  it('refuses a value no form keeps intact for all three readers, naming the character', () => {
    assert.throws(() => planEnvEdit('', { K: "it's \"$HOME\"" }), /needs quotes \(because of "\$" before a name, "\{" or "\$"\), but single quotes cannot hold its "'" and double quotes cannot hold its '"'/);
    assert.throws(() => planEnvEdit('', { K: 'x${HOME}' }), /python-dotenv replaces with a variable even inside single quotes/);
    assert.throws(() => planEnvEdit('', { K: 'a\0b' }), /at position 2, U\+0000, a NUL character/);
    assert.equal(encodeValue('price $5 #1'), "'price $5 #1'");
  });

  it('keeps a byte-order mark but names the variable python-dotenv cannot see, and removes the mark when asked', () => {
    const kept = planEnvEdit('\uFEFFFIRST=1\nK=old\n', { K: 'new' });
    assert.equal(kept.text, '\uFEFFFIRST=1\nK=new\n');
    assert.equal(kept.bomHides, 'FIRST');
    assert.match(kept.warnings.join(' '), /byte-order mark, so python-dotenv \(Crucible's backend\) does not see FIRST/);
    const stripped = planEnvEdit('\uFEFFFIRST=1\nK=new\n', { K: 'new' }, { stripBom: true });
    assert.deepEqual([stripped.text, stripped.changed, stripped.bomRemoved, stripped.bomHides], ['FIRST=1\nK=new\n', true, true, undefined]);
    assert.equal(planEnvEdit('\uFEFF# comment\nK=1\n', { K: '2' }).bomHides, undefined, 'a comment on line 1 hides nothing');
  });

  it('refuses an edit after which docker compose could no longer read a file it reads today', () => {
    assert.throws(() => planEnvEdit('A=1\nthis is junk', { NEW: 'v' }), /docker compose could no longer read it \(line 2: key cannot contain a space\)/);
    const broken = planEnvEdit('this is junk\nA=1\n', { A: '2' });
    assert.match(broken.warnings[0], /docker compose cannot read this file \(line 1: key cannot contain a space\)/);
  });

  it('keeps unrelated bytes and dotenv semantics across 1,000 generated files', () => {
    let refused = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const { text, items, eol } = generateFile(seed);
      const r = prng(seed * 7919);
      const updates: Record<string, string> = {};
      for (let i = 0, n = 1 + Math.floor(r.next() * 3); i < n; i++) updates[r.pick(r.chance(0.6) ? NAMES : NEW_NAMES)] = r.pick(VALUES);
      const before = parse(text);
      assert.deepEqual(Object.fromEntries(findAssignments(text).map((found) => [found.name, found.value])), before, `seed ${seed}: findAssignments reads like dotenv.parse`);
      let plan;
      try {
        plan = planEnvEdit(text, updates);
      } catch (error) {
        assert.ok(error instanceof EnvEditError, `seed ${seed}: ${error}`);
        refused++;
        continue;
      }
      const after = parse(plan.text);
      for (const [name, value] of Object.entries(updates)) assert.equal(after[name], value, `seed ${seed}: ${name}`);
      for (const [name, value] of Object.entries(before)) if (!(name in updates)) assert.equal(after[name], value, `seed ${seed}: unrelated ${name}`);
      assert.deepEqual(Object.keys(after).sort(), [...new Set([...Object.keys(before), ...Object.keys(updates)])].sort(), `seed ${seed}: variable set`);

      // Every line that is not the last assignment of an updated variable survives byte for byte, in order.
      const lastIndex = new Map<string, number>();
      items.forEach((item, index) => item.name && lastIndex.set(item.name, index));
      let cursor = 0;
      items.forEach((item, index) => {
        if (item.name && item.name in updates && lastIndex.get(item.name) === index) return;
        const at = plan.text.indexOf(item.raw, cursor);
        assert.ok(at >= 0, `seed ${seed}: lost or moved line ${JSON.stringify(item.raw)}`);
        cursor = at + item.raw.length;
      });
      if (eol === '\r\n' && text.includes('\r\n')) assert.ok(!/(^|[^\r])\n/.test(plan.text), `seed ${seed}: bare LF in a CRLF file`);
      if (!/\n$/.test(text) && plan.added.length === 0) assert.ok(!/\n$/.test(plan.text), `seed ${seed}: final newline added`);
      if (plan.added.length === 0) assert.equal(plan.text.includes(BLOCK_START), text.includes(BLOCK_START));
    }
    assert.ok(refused <= 10, `refused ${refused} of 1000 well-formed files`);
  });

  it('either edits a hostile file correctly or refuses it, never garbles it', () => {
    const hostile = ['BAD="unterminated\nK=1\n', "A='open\nB=2\n'", 'K=`x\nY=2\n', 'X="a"junk\nK=2\n', 'K:value\nK: v2\n', '\uFEFFK=bom\n'];
    for (const text of hostile) {
      for (const updates of [{ K: 'new value' }, { NEW_KEY: 'n' }] as Record<string, string>[]) {
        try {
          const plan = planEnvEdit(text, updates);
          const after = parse(plan.text);
          for (const [name, value] of Object.entries(updates)) assert.equal(after[name], value, JSON.stringify(text));
          for (const [name, value] of Object.entries(parse(text))) if (!(name in updates)) assert.equal(after[name], value, JSON.stringify(text));
        } catch (error) {
          assert.ok(error instanceof EnvEditError, String(error));
        }
      }
    }
  });

  it('finds assignments with their 1-based lines and quoting', () => {
    const found = findAssignments('# c\r\nexport A="x"\r\nB=\'y\'\r\nC=z');
    assert.deepEqual(found.map((a) => [a.name, a.value, a.line, a.quote]), [['A', 'x', 2, '"'], ['B', 'y', 3, "'"], ['C', 'z', 4, '']]);
  });
});
