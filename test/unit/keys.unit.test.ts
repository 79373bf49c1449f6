import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_IN_PROVIDERS, CatalogError, ProviderCatalog } from '../../src/core/catalog';
import { findProviderKeys, providerEnvUpdates } from '../../src/core/crucibleEnv';
import { checkKeyFor, KeyFormatError, maskKey, normalizeKey } from '../../src/core/keyFormat';
import { keyKind } from '../../src/core/keyKind';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE, generatePassphrase, judgePassphrase } from '../../src/core/passphrase';

const catalog = new ProviderCatalog();
const OPENROUTER_KEY = 'sk-or-v1-' + '0123456789abcdef'.repeat(4);

describe('passphrases', () => {
  it('are generated like secrets.token_urlsafe(32): 43 base64url characters, never repeating', () => {
    const made = new Set(Array.from({ length: 200 }, generatePassphrase));
    assert.equal(made.size, 200);
    for (const passphrase of made) assert.match(passphrase, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(judgePassphrase(generatePassphrase()).verdict, 'ok');
  });

  const verdicts: [string | undefined, string][] = [
    [undefined, 'missing'], ['', 'missing'], ['   ', 'missing'],
    [CRUCIBLE_DEV_DEFAULT_PASSPHRASE, 'dev_default'],
    ['short-but-random-Q7x', 'too_short'],
    ['your-encryption-key-here-please-change-this', 'placeholder'], ['changeme-changeme-changeme-changeme', 'placeholder'],
    ['<generate-with-openssl-rand-base64-32-and-paste>', 'placeholder'], ['x'.repeat(40), 'placeholder'],
    ['${API_KEY_ENCRYPTION_KEY_FROM_VAULT_SYSTEM_X}', 'placeholder'],
    [` ${'Q7x-random-passphrase-0123456789abcdef'} `, 'whitespace'], ['Q7x-random-passphrase-0123456789abcdef\n', 'whitespace'],
  ];
  for (const [value, verdict] of verdicts) {
    it(`judges ${JSON.stringify(value)} as ${verdict}, without echoing it`, () => {
      const strength = judgePassphrase(value);
      assert.equal(strength.verdict, verdict);
      if (value && value.trim()) assert.ok(!strength.message.includes(value));
    });
  }
});

describe('provider catalog', () => {
  it('uses Crucible ids with OpenRouter first and recommended', () => {
    assert.deepEqual(BUILT_IN_PROVIDERS.map((p) => p.id), ['openrouter', 'openai', 'anthropic', 'google', 'deepseek', 'xai', 'eden_ai']);
    assert.deepEqual(BUILT_IN_PROVIDERS.filter((p) => p.recommended).map((p) => p.id), ['openrouter']);
  });

  it('writes the variables Crucible documents and reads every alias in Crucible order', () => {
    const writes = Object.fromEntries(BUILT_IN_PROVIDERS.map((p) => [p.id, p.writeVar]));
    assert.deepEqual(writes, {
      openrouter: 'ROUNDTABLE_OPENROUTER_API_KEY', openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', google: 'GOOGLE_API_KEY',
      deepseek: 'DEEPSEEK_API_KEY', xai: 'XAI_API_KEY', eden_ai: 'ROUNDTABLE_EDEN_AI_API_KEY',
    });
    assert.deepEqual(catalog.require('openrouter').readVars, ['OPENROUTER_API_KEY', 'ROUNDTABLE_OPENROUTER_API_KEY']);
    assert.deepEqual(catalog.require('google').readVars, ['GOOGLE_API_KEY', 'GEMINI_API_KEY']);
    assert.deepEqual(catalog.require('eden_ai').readVars, ['EDEN_AI_API_KEY', 'ROUNDTABLE_EDEN_AI_API_KEY']);
    for (const provider of BUILT_IN_PROVIDERS) {
      assert.ok(provider.readVars.includes(provider.writeVar), provider.id);
      assert.match(provider.keyPageUrl, /^https:\/\//);
      assert.match(provider.apiOrigin, /^https:\/\//);
      assert.ok(provider.verify, provider.id);
    }
  });

  it('links to the current key and status pages', () => {
    assert.equal(catalog.require('anthropic').keyPageUrl, 'https://platform.claude.com/settings/keys');
    assert.equal(catalog.require('anthropic').statusPageUrl, 'https://status.claude.com');
    assert.equal(catalog.require('eden_ai').statusPageUrl, 'https://app-edenai.instatus.com');
    for (const provider of BUILT_IN_PROVIDERS) {
      // An account-key prefix is always one of the provider's own, or (Anthropic's) under one, so masking and "looks like" see it.
      for (const entry of provider.accountKeyPrefixes ?? []) assert.ok(provider.prefixes.some((prefix) => entry.prefix.startsWith(prefix)), `${provider.id} ${entry.prefix}`);
    }
  });

  it('finds the key Crucible would use: the first alias that is set', () => {
    const found = findProviderKeys(catalog, { ROUNDTABLE_OPENROUTER_API_KEY: 'b-key', OPENROUTER_API_KEY: 'a-key', GEMINI_API_KEY: 'g', OPENAI_API_KEY: '  ' });
    assert.deepEqual(found.map((f) => [f.provider.id, f.variable, f.value]), [['openrouter', 'OPENROUTER_API_KEY', 'a-key'], ['google', 'GEMINI_API_KEY', 'g']]);
  });

  it('also rewrites an alias already in the file, so a stale one cannot shadow the new key', () => {
    const provider = catalog.require('openrouter');
    assert.deepEqual(providerEnvUpdates(provider, 'new', {}), { ROUNDTABLE_OPENROUTER_API_KEY: 'new' });
    assert.deepEqual(providerEnvUpdates(provider, 'new', { OPENROUTER_API_KEY: 'old' }), { ROUNDTABLE_OPENROUTER_API_KEY: 'new', OPENROUTER_API_KEY: 'new' });
  });

  it('accepts custom OpenAI-compatible providers and refuses bad ones with one sentence', () => {
    const custom = new ProviderCatalog([{ id: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1/', envVar: 'GROQ_API_KEY', prefix: 'gsk_' }]);
    const groq = custom.require('groq');
    assert.equal(groq.id, 'custom:groq');
    assert.equal(groq.apiOrigin, 'https://api.groq.com/openai/v1');
    assert.deepEqual(groq.verify, { path: '/models', auth: 'bearer' });
    assert.equal(new ProviderCatalog([{ id: 'local', label: 'Local', baseUrl: 'http://127.0.0.1:1', envVar: 'LOCAL_KEY', verify: false }]).require('local').verify, undefined);
    for (const bad of [
      { id: 'Bad Id', label: 'x', baseUrl: 'https://x', envVar: 'X' },
      { id: 'ok', label: 'x', baseUrl: 'ftp://x', envVar: 'X' },
      { id: 'ok', label: 'x', baseUrl: 'not a url', envVar: 'X' },
      { id: 'ok', label: 'x', baseUrl: 'https://u:p@x', envVar: 'X' },
      { id: 'ok', label: 'x', baseUrl: 'https://x', envVar: '1BAD' },
    ]) assert.throws(() => new ProviderCatalog([bad]), CatalogError);
    assert.throws(() => catalog.require('nope'), /Unknown provider "nope"; use one of: openrouter, openai/);
  });

  it('skips each bad custom provider with a sentence naming it, and keeps the good ones', () => {
    const good = { id: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', envVar: 'GROQ_API_KEY' };
    const { catalog: lenient, problems } = ProviderCatalog.lenient([
      { id: 'nolabel', baseUrl: 'https://x.example', envVar: 'NOLABEL_KEY' },
      { id: 'constructor', label: 'Proto', baseUrl: 'https://x.example', envVar: 'PROTO_KEY' },
      { id: 'openai', label: 'Mine', baseUrl: 'https://x.example', envVar: 'MY_OPENAI' },
      { id: 'twin', label: 'Twin', baseUrl: 'https://x.example', envVar: 'OPENAI_API_KEY' },
      { id: 'alias', label: 'Alias', baseUrl: 'https://x.example', envVar: 'GEMINI_API_KEY' },
      { id: 'pass', label: 'Pass', baseUrl: 'https://x.example', envVar: 'API_KEY_ENCRYPTION_KEY' },
      { id: 'x', label: 'Short', baseUrl: 'https://x.example', envVar: 'SHORT_KEY' },
      { id: 'a'.repeat(33), label: 'Long', baseUrl: 'https://x.example', envVar: 'LONG_KEY' },
      { id: 'typed', label: 42, baseUrl: 'https://x.example', envVar: 'TYPED_KEY' },
      { id: 'query', label: 'Q', baseUrl: 'https://x.example/v1?key=abc', envVar: 'QUERY_KEY' },
      { id: 'flag', label: 'F', baseUrl: 'https://x.example', envVar: 'FLAG_KEY', verify: 'yes' },
      null, 'groq', ['groq'], 7,
      good, { ...good, envVar: 'OTHER_KEY' }, { ...good, id: 'groq2' },
    ]);
    assert.deepEqual(lenient.all().filter((provider) => provider.custom).map((provider) => [provider.id, provider.label]), [['custom:nolabel', 'nolabel'], ['custom:constructor', 'Proto'], ['custom:groq', 'Groq']]);
    const expected = [
      /\[2\] .*"openai" is a built-in provider's id/, /\[3\] .*may not use OPENAI_API_KEY: a built-in provider already reads it/,
      /\[4\] .*may not use GEMINI_API_KEY/, /\[5\] .*may not use API_KEY_ENCRYPTION_KEY: that is Crucible's encryption passphrase/,
      /\[6\] .*id "x" must be 2 to 32/, /\[7\] .*id "a{33}" must be/, /\[8\] .*"typed" has a label that is not text/,
      /\[9\] .*must not have a query/, /\[10\] .*"verify" that is not true or false/,
      /\[11\] .*must be an object/, /\[12\] .*must be an object/, /\[13\] .*must be an object/, /\[14\] .*must be an object/,
      /\[16\] .*"groq" is used twice/, /\[17\] .*uses GROQ_API_KEY, which "groq" already uses/,
    ];
    assert.equal(problems.length, expected.length, problems.join('\n'));
    expected.forEach((pattern, index) => assert.match(problems[index], pattern));
    assert.equal(lenient.get('constructor'), undefined, 'lookups never reach Object.prototype');
    assert.equal(lenient.get('__proto__'), undefined);
    assert.deepEqual(ProviderCatalog.lenient({ not: 'a list' }).problems, ['crucibleKeys.customProviders must be a list; it was ignored.']);
  });
});

describe('key normalisation and masking', () => {
  it('trims spaces, newlines and matching quotes', () => {
    for (const pasted of [` ${OPENROUTER_KEY}\n`, `"${OPENROUTER_KEY}"`, `'${OPENROUTER_KEY}'\r\n`, `"'${OPENROUTER_KEY}'"`]) {
      assert.equal(normalizeKey(pasted), OPENROUTER_KEY);
    }
    assert.equal(normalizeKey(`"${OPENROUTER_KEY}'`), `"${OPENROUTER_KEY}'`);
  });

  it('refuses inner whitespace, empty input and masked values with a clear message', () => {
    assert.throws(() => normalizeKey('sk-or-v1-abc def'), /space or line break inside/);
    assert.throws(() => normalizeKey('sk-or-v1-abc\ndef'), KeyFormatError);
    assert.throws(() => normalizeKey(' "" '), /empty/);
    assert.throws(() => normalizeKey('****a1b2'), /masked key/);
    assert.throws(() => normalizeKey('sk-or-v1-…cdef'), /masked key/);
  });

  it('refuses curly quotes, zero-width and other non-ASCII characters, naming the character and its position but never the key', () => {
    const cases: [string, RegExp][] = [
      [`\u201c${OPENROUTER_KEY}\u201d`, /left double quotation mark \(U\+201C\) at position 1 of 75/],
      [`${OPENROUTER_KEY}\u2019`, /right single quotation mark \(U\+2019\) at position 74 of 74/],
      [`sk-or-v1-\u200b${OPENROUTER_KEY.slice(9)}`, /zero-width space \(U\+200B\) at position 10 of 74/],
      [`\ufeff${OPENROUTER_KEY}`, /byte order mark\) \(U\+FEFF\) at position 1/],
      [`${OPENROUTER_KEY}\u00a0`, /no-break space \(U\+00A0\) at position 74/],
      [`sk\u2013proj-abcdefghijklmnop`, /en dash \(U\+2013\) at position 3/],
      [`sk-proj-ключ1234567890`, /non-ASCII character \(U\+043A\) at position 9/],
      [`sk-proj-abc\u0007defghijklmnop`, /control character \(U\+0007\) at position 12/],
    ];
    for (const [pasted, pattern] of cases) {
      let message = '';
      assert.throws(() => normalizeKey(pasted), (error: unknown) => { message = (error as Error).message; return error instanceof KeyFormatError; });
      assert.match(message, pattern);
      assert.ok(!message.includes(OPENROUTER_KEY.slice(9, 20)) && !message.includes('abcdefgh'), `the message shows part of the key: ${message}`);
    }
  });

  it('refuses keys longer than 1 KB, naming the limit', () => {
    assert.equal(normalizeKey('k'.repeat(1024)).length, 1024);
    assert.throws(() => normalizeKey('k'.repeat(1025)), /1025 characters; keys longer than 1024 are refused/);
    assert.throws(() => normalizeKey('k'.repeat(10 * 1024 * 1024)), KeyFormatError);
  });

  it('warns, never refuses, when a key looks like another provider\'s', () => {
    const check = checkKeyFor(catalog.require('openai'), OPENROUTER_KEY);
    assert.equal(check.key, OPENROUTER_KEY);
    assert.equal(check.looksLike?.id, 'openrouter');
    assert.match(check.warnings[0], /this looks like an OpenRouter key/i);
    assert.match(checkKeyFor(catalog.require('anthropic'), 'sk-proj-abcdefghijklmnopqrstuvwxyz').warnings[0], /OpenAI key/);
    assert.match(checkKeyFor(catalog.require('google'), 'not-a-google-key-at-all').warnings[0], /usually start with AIza/);
    assert.deepEqual(checkKeyFor(catalog.require('openrouter'), OPENROUTER_KEY).warnings, []);
    assert.deepEqual(checkKeyFor(catalog.require('deepseek'), 'sk-0123456789abcdef0123456789abcdef').warnings, []);
    assert.match(checkKeyFor(catalog.require('openrouter'), 'sk-or-v1-short').warnings[0], /usual OpenRouter shape/);
  });

  it('warns before saving an admin or management key, first, and names what Crucible needs instead', () => {
    const cases: [string, string, RegExp][] = [
      ['openai', 'sk-admin-' + 'A1b2'.repeat(12), /^This is an admin key for OpenAI \(it starts with sk-admin-\), which cannot call the model APIs; Crucible needs an inference key\.$/],
      ['anthropic', 'sk-ant-admin01-' + 'x_Y-'.repeat(23) + 'AA', /^This is an admin key for Anthropic \(it starts with sk-ant-admin\)/],
      ['eden_ai', 'mgmt-eden-' + 'k3y'.repeat(12), /^This is a management key for Eden AI \(it starts with mgmt-eden-\)/],
      ['anthropic', 'sk-admin-' + 'A1b2'.repeat(12), /^This looks like an admin key for OpenAI/],
    ];
    for (const [id, key, pattern] of cases) {
      const check = checkKeyFor(catalog.require(id), key);
      assert.match(check.warnings[0], pattern);
      assert.ok(check.warnings.every((warning) => !warning.includes(key.slice(-12))), 'a warning shows the key');
    }
    assert.match(checkKeyFor(catalog.require('anthropic'), 'sk-admin-' + 'A1b2'.repeat(12)).warnings[1], /looks like an OpenAI key/);
    assert.equal(keyKind(catalog.require('openai'), 'sk-admin-abc'), 'admin');
    assert.equal(keyKind(catalog.require('eden_ai'), 'mgmt-eden-abc'), 'management');
    assert.equal(keyKind(catalog.require('openai'), 'sk-proj-abc'), 'inference');
    assert.equal(keyKind(catalog.require('openrouter'), OPENROUTER_KEY), 'inference', 'OpenRouter management keys share the prefix; only the check tells');
  });

  it('accepts Google auth keys and Eden AI sk-eden- keys without a warning, and lists only inference prefixes', () => {
    assert.deepEqual(checkKeyFor(catalog.require('google'), 'AQ.Ab8RN6' + 'x-Y_z0'.repeat(8)).warnings, []);
    assert.deepEqual(checkKeyFor(catalog.require('google'), 'AIzaSy' + 'A'.repeat(33)).warnings, []);
    assert.deepEqual(checkKeyFor(catalog.require('eden_ai'), 'sk-eden-' + 'abc123'.repeat(6)).warnings, []);
    assert.match(checkKeyFor(catalog.require('google'), 'AIzaShort').warnings[0], /usual Google Gemini shape \(AIza followed by 35 characters, or an auth key starting AQ\.\)/);
    assert.equal(checkKeyFor(catalog.require('eden_ai'), 'plain-token-value').warnings[0], 'Eden AI keys usually start with sk-eden- or eyJ.');
    assert.equal(checkKeyFor(catalog.require('openai'), 'plain-token-value').warnings[0], 'OpenAI keys usually start with sk-proj- or sk-svcacct- or sk-.');
    assert.equal(maskKey('AQ.Ab8RN6' + 'x-Y_z0'.repeat(8)), 'AQ.…Y_z0');
  });

  it('masks to the known prefix and the last 4 characters at most', () => {
    assert.equal(maskKey(OPENROUTER_KEY), 'sk-or-v1-…cdef');
    assert.equal(maskKey('AIzaSyA-1234567890abcdefghijklmnopqrstu'), 'AIza…rstu');
    assert.equal(maskKey('plainsecretvalue12345'), '…2345');
    assert.equal(maskKey('sk-tiny'), '…');
    for (const key of [OPENROUTER_KEY, 'sk-ant-api03-' + 'z'.repeat(90), 'abc']) {
      const masked = maskKey(key);
      assert.ok(masked.length < key.length);
      assert.ok(!masked.includes(key.slice(-8)) || key.length <= 8);
    }
  });
});
