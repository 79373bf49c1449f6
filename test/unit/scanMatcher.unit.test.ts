// The leak scan's matcher: every catalog key format, the user's own values (whole and in parts), where a key may
// start, what is not a key, and text that is not UTF-8.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_IN_PROVIDERS, ProviderCatalog } from '../../src/core/catalog';
import { maskKey } from '../../src/core/keyFormat';
import { SecretMatcher } from '../../src/core/scan/matcher';
import { locate } from '../../src/core/scan/scanner';
import { searchableText } from '../../src/core/scan/text';
import type { Finding, KnownSecret } from '../../src/core/scan/types';
import { sampleKeys, Seeded, unprefixedKey } from '../support/leakKeys';

const patterns = new SecretMatcher(BUILT_IN_PROVIDERS);

function findIn(text: string | Buffer, matcher = patterns): Finding[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return locate({ file: 'f', text: searchableText(bytes)!, origin: 'worktree' }, matcher);
}

const CONTEXTS: ((key: string) => string)[] = [
  (key) => key,
  (key) => `const apiKey = "${key}";\n`,
  (key) => `{"headers": {"Authorization": "Bearer ${key}"}}`,
  (key) => `url = "https://host/v1?key=${key}&x=1"\n`,
  (key) => `  api_key: '${key}'  # yaml\n`,
  (key) => `{"log": "line one\\n${key}"}`,
  (key) => `export OPENAI_API_KEY=${key}`,
  (key) => `fetch(\`/models?auth=%22${key}%22\`)`,
];

describe('leak scan matcher', () => {
  const keys = sampleKeys(new Seeded(7));

  it('has a sample for every catalog prefix, admin and management prefixes included', () => {
    const pairs = BUILT_IN_PROVIDERS.flatMap((provider) => [...provider.prefixes, ...(provider.accountKeyPrefixes ?? []).map((entry) => entry.prefix)].map((prefix) => `${provider.id} ${prefix}`));
    assert.deepEqual(keys.map((sample) => `${sample.provider} ${sample.prefix}`), [...new Set(pairs)]);
    assert.ok(keys.length >= 16);
  });

  for (const sample of sampleKeys(new Seeded(7))) {
    it(`finds ${sample.provider}'s ${sample.prefix} key in every context, masked, as ${sample.provider}`, () => {
      for (const context of CONTEXTS) {
        const text = `first line\n${context(sample.key)}`;
        const findings = findIn(text);
        assert.equal(findings.length, 1, `${JSON.stringify(context('KEY'))}: ${findings.map((finding) => finding.rule).join(', ')}`);
        const [finding] = findings;
        assert.equal(finding.rule, `key:${sample.provider}`);
        assert.equal(finding.line, 2);
        const line = text.split('\n')[1];
        assert.equal(line.slice(finding.column - 1, finding.column - 1 + finding.length), sample.key);
        assert.equal(finding.masked, maskKey(sample.key, BUILT_IN_PROVIDERS));
        assert.ok(!JSON.stringify(finding).includes(sample.key.slice(-12)), 'no more of the key than its mask');
      }
    });
  }

  it('tells DeepSeek\'s sk- and 32 hex characters from an OpenAI key, and a bare sk-or- key is OpenRouter\'s', () => {
    assert.equal(findIn(`sk-${'0f'.repeat(16)}`)[0].provider, 'deepseek');
    assert.equal(findIn(`sk-${'0f'.repeat(17)}`)[0].provider, 'openai');
    assert.equal(findIn(`sk-or-${'Ab3'.repeat(16)}`)[0].provider, 'openrouter');
  });

  it('finds a key at the very end of a file with no newline, and right after a UTF-8 character (column in UTF-16 units)', () => {
    const key = keys.find((sample) => sample.prefix === 'xai-')!.key;
    const [end] = findIn(`a\nb\n${key}`);
    assert.deepEqual([end.line, end.column, end.length], [3, 1, key.length]);
    const [wide] = findIn(`€😀=${key}`);
    assert.deepEqual([wide.line, wide.column], [1, 5]);
  });

  it('searches text that is not UTF-8 (Latin-1) and UTF-16 with a byte order mark, and skips binary files', () => {
    const key = keys.find((sample) => sample.prefix === 'AIza')!.key;
    const latin1 = Buffer.concat([Buffer.from([0xe9, 0xe8, 0x3d]), Buffer.from(key), Buffer.from([0xff, 0x0a])]);
    assert.equal(findIn(latin1)[0]?.provider, 'google');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`k=${key}\r\n`, 'utf16le')]);
    assert.equal(findIn(utf16)[0]?.provider, 'google');
    const utf16be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`k=${key}`, 'utf16le').swap16()]));
    assert.equal(findIn(utf16be)[0]?.provider, 'google');
    assert.equal(searchableText(Buffer.concat([Buffer.from(key), Buffer.from([0, 1, 2])])), undefined);
  });

  it('leaves alone what only resembles a key: words, identifiers, masks, short or cut values, other JWT-like text', () => {
    const decoys = [
      'task-manager-implementation-details', 'sk-learn-2023-release-notes-for-users', 'sk-MyVeryLongComponentNameWithoutDigits',
      'sk-or-v1-…ab12', 'sk-proj-…T3Bl', 'sk-abc123', 'AIzaShort1', 'xai-grok-2-latest-model-name', 'eyJhbGciOiJIUzI1NiJ9',
      'desk-Ab3dEf7hIj1lMn5pQr9tUv2x', 'mask-Ab3dEf7hIj1lMn5pQr9tUv2x', 'AQ.Ab', 'useTask-Ab3dEf7hIj1lMn5pQr9',
    ];
    for (const decoy of decoys) assert.deepEqual(findIn(`x = "${decoy}"\n`), [], decoy);
  });

  it('finds the user\'s own value without any known prefix, exactly, before any pattern, and never shows it', () => {
    const random = new Seeded(99);
    const own = unprefixedKey(random);
    const openrouter = keys.find((sample) => sample.prefix === 'sk-or-v1-')!.key;
    const known: KnownSecret[] = [
      { value: own, label: 'GATEWAY in .env', variable: 'GATEWAY' },
      { value: openrouter, label: 'your stored OpenRouter key', variable: 'ROUNDTABLE_OPENROUTER_API_KEY', provider: BUILT_IN_PROVIDERS[0] },
      { value: 'short', label: 'too short to search' },
    ];
    const matcher = new SecretMatcher(new ProviderCatalog().all(), known);
    const findings = findIn(`token=${own}\nother=${own.toLowerCase()}\nkey=${openrouter}\nshort\n`, matcher);
    assert.deepEqual(findings.map((finding) => [finding.rule, finding.line, finding.owner, finding.variable]), [
      ['stored-key', 1, 'GATEWAY in .env', 'GATEWAY'],
      ['stored-key', 3, 'your stored OpenRouter key', 'ROUNDTABLE_OPENROUTER_API_KEY'],
    ]);
    assert.equal(findings[0].masked, maskKey(own));
    assert.ok(!JSON.stringify(findings).includes(own.slice(0, 20)));
  });

  it('finds own values of any make-up: digits only, lowercase only, non-ASCII, repeated in one line, at the start and end', () => {
    const values = ['20240613987654321', 'abcdefabcdefabcdef', 'clé-secrète-ünïcode-2024', '----____----____'];
    const matcher = new SecretMatcher(BUILT_IN_PROVIDERS, values.map((value, index) => ({ value, label: `VALUE_${index}` })));
    for (const value of values) {
      const findings = findIn(`${value} = "${value}"; // ${value}`, matcher);
      assert.deepEqual(findings.map((finding) => [finding.rule, finding.column, finding.length]), [
        ['stored-key', 1, value.length], ['stored-key', value.length + 5, value.length], ['stored-key', 2 * value.length + 11, value.length],
      ], value);
    }
  });

  it('finds the parts of an own key split across lines or cut short, and a value inside a longer token', () => {
    const own = unprefixedKey(new Seeded(5));
    const matcher = new SecretMatcher(BUILT_IN_PROVIDERS, [{ value: own, label: 'MY_KEY in the environment' }]);
    const split = findIn(`key = ("${own.slice(0, 20)}"\n       "${own.slice(20)}")\n`, matcher);
    assert.deepEqual(split.map((finding) => [finding.rule, finding.line]), [['stored-key-part', 1], ['stored-key-part', 2]]);
    assert.deepEqual(findIn(`prefix${own}suffix`, matcher).map((finding) => finding.rule), ['stored-key']);
    assert.deepEqual(findIn(`${own.slice(0, 11)}`, matcher), []);
  });

  it('finishes on hostile input: long runs of prefixes and key characters', () => {
    const key = keys.find((sample) => sample.prefix === 'sk-or-v1-')!.key;
    const hostile = `${'sk-'.repeat(300_000)}${'a'.repeat(2_000_000)} ${'eyJ.'.repeat(200_000)} ${key}`;
    const findings = findIn(hostile);
    assert.equal(findings.at(-1)?.provider, 'openrouter');
  });
});
