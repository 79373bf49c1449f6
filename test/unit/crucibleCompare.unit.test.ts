// Crucible's masks read and compared with the vault's keys, and push plans with Crucible's save rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareWithVault, describeMask, maskMatches, parseMask, providerOfCrucibleId, readableProviders, type VaultKeys } from '../../src/core/crucible/compare';
import { bundleRefusal, looksMaskedToCrucible, planPush, pushBody, PushPlanError } from '../../src/core/crucible/pushPlan';
import { InputError } from '../../src/core/errors';
import { isMaskedKey, maskApiKey } from '../fakeCrucible/server';

const KEYS = {
  openrouter: `sk-or-v1-${'0a'.repeat(32)}`,
  openai: `sk-proj-${'A1b2'.repeat(10)}`,
  anthropic: `sk-ant-api03-${'x_Y-'.repeat(20)}zz`,
  google: `AIza${'G'.repeat(35)}`,
  deepseek: `sk-${'d'.repeat(32)}`,
  xai: `xai-${'X'.repeat(40)}`,
  eden_ai: `sk-eden-${'e'.repeat(30)}`,
} as const;

/** Crucible's masks for the keys given, under Crucible's ids. */
const masks = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).map(([id, key]) => [id, maskApiKey(key)]));

describe('Crucible masks', () => {
  it('reads the masks Crucible makes, and nothing else', () => {
    assert.deepEqual(parseMask(maskApiKey(KEYS.openai)), { kind: 'masked', length: KEYS.openai.length, last4: 'A1b2' });
    assert.deepEqual(parseMask('***error***'), { kind: 'unreadable' });
    assert.deepEqual(parseMask('***'), { kind: 'short', length: 3 });
    assert.deepEqual(parseMask('*****'), { kind: 'masked', length: 5, last4: '****' });
    for (const odd of ['', 'sk-...abcd', 'abcd', '**ab\ncd', 'sk-proj-1234', '*'.repeat(5000) + 'abcd']) assert.deepEqual(parseMask(odd), { kind: 'unrecognised' }, JSON.stringify(odd));
  });

  it('matches a key only with the same length and last 4 characters', () => {
    const mask = parseMask(maskApiKey(KEYS.openai));
    assert.equal(maskMatches(mask, KEYS.openai), true);
    assert.equal(maskMatches(mask, `${KEYS.openai.slice(0, -1)}3`), false);
    assert.equal(maskMatches(mask, `x${KEYS.openai}`), false);
    assert.equal(maskMatches(parseMask('***error***'), KEYS.openai), false);
    assert.equal(maskMatches(parseMask('**'), 'ab'), true);
  });

  it('shows a mask as its end and length, never more', () => {
    assert.equal(describeMask(parseMask(maskApiKey(KEYS.openai))), `…A1b2, ${KEYS.openai.length} characters`);
    assert.equal(describeMask(parseMask('<script>')), 'a value in a form Crucible Keys does not know');
  });

  it('maps Crucible ids to the catalog: google and gemini are Google', () => {
    assert.equal(providerOfCrucibleId('gemini'), 'google');
    assert.equal(providerOfCrucibleId('google'), 'google');
    assert.equal(providerOfCrucibleId('eden_ai'), 'eden_ai');
    assert.equal(providerOfCrucibleId('mistral'), undefined);
  });
});

describe('comparing with the vault', () => {
  const stateOf = (held: Record<string, string>, vault: VaultKeys) => Object.fromEntries(compareWithVault(held, vault).providers.map((entry) => [entry.provider, entry.state]));

  it('tells same, different, only in Crucible, only in the vault, unreadable and absent apart', () => {
    const held = { ...masks({ openrouter: KEYS.openrouter, openai: `sk-proj-${'Z'.repeat(40)}`, deepseek: KEYS.deepseek }), anthropic: '***error***', xai: 'sk-...' };
    const vault: VaultKeys = { openrouter: KEYS.openrouter, openai: KEYS.openai, anthropic: KEYS.anthropic, google: KEYS.google, xai: KEYS.xai };
    assert.deepEqual(stateOf(held, vault), {
      openrouter: 'same', openai: 'different', anthropic: 'unreadable', google: 'only_in_vault', deepseek: 'only_in_crucible', xai: 'unrecognised', eden_ai: 'absent',
    });
    const comparison = compareWithVault(held, vault);
    assert.deepEqual(readableProviders(comparison), ['openrouter', 'openai', 'deepseek', 'xai']);
    for (const entry of comparison.providers) {
      assert.match(entry.message, /^[A-Z].*\.$/, entry.message);
      for (const key of Object.values(KEYS)) assert.ok(!entry.message.includes(key));
    }
    assert.match(comparison.providers[1].message, /different key \(…ZZZZ, 48 characters\) from the vault's \(…A1b2, 48 characters\)/);
    assert.match(comparison.providers[2].message, /re-enter it from the vault/);
  });

  it('says when an unreadable key has nothing in the vault to replace it, and names the source it was told', () => {
    const [entry] = compareWithVault({ openrouter: '***error***' }, {}, { source: 'the environment' }).providers;
    assert.equal(entry.state, 'unreadable');
    assert.match(entry.message, /the environment has no key to re-enter/);
  });

  it('reads Google under google first, notes a key under gemini, and lists ids it does not know', () => {
    const both = compareWithVault(masks({ google: KEYS.google, gemini: 'AIzaOLDOLDOLD', mistral: 'mist-123456' }), { google: KEYS.google });
    const google = both.providers.find((entry) => entry.provider === 'google')!;
    assert.deepEqual([google.state, google.storedUnder], ['same', ['google', 'gemini']]);
    assert.match(google.note!, /older key under "gemini"/);
    assert.deepEqual(both.others.map((other) => other.id), ['mistral']);
    const geminiOnly = compareWithVault(masks({ gemini: KEYS.google }), { google: KEYS.google }).providers.find((entry) => entry.provider === 'google')!;
    assert.deepEqual([geminiOnly.state, geminiOnly.storedUnder], ['same', ['gemini']]);
    assert.match(geminiOnly.note!, /model router does not read/);
  });

  it('treats an empty mask as no key', () => {
    assert.equal(stateOf({ openai: '' }, {}).openai, 'absent');
  });
});

describe('push plans', () => {
  const vault: VaultKeys = { ...KEYS };

  it('has the same masked-value test as Crucible', () => {
    for (const value of ['sk-...abcd', '*****abcd', '******', '**a*b', 'abc', '*abc', '*abcdefgh', ' ...', KEYS.openai]) {
      assert.equal(looksMaskedToCrucible(value), isMaskedKey(value), value);
    }
  });

  it('applies the OpenRouter-or-OpenAI-and-Anthropic rule to the result', () => {
    const cases: [string[], string | undefined][] = [
      [['openrouter'], undefined], [['openai', 'anthropic'], undefined], [['openrouter', 'openai'], undefined],
      [['openai'], 'OpenAI without Anthropic'], [['anthropic', 'deepseek'], 'Anthropic without OpenAI'], [['google'], 'hold neither'], [[], 'hold neither'],
    ];
    for (const [ids, refusal] of cases) {
      const sentence = bundleRefusal(new Set(ids));
      if (refusal === undefined) assert.equal(sentence, undefined, ids.join());
      else assert.match(sentence ?? '', new RegExp(refusal), ids.join());
    }
  });

  it('says per provider whether it is added, replaced, unchanged or removed, and sends only what changes', () => {
    const held = { ...masks({ openrouter: KEYS.openrouter, openai: `sk-proj-${'Z'.repeat(40)}`, deepseek: KEYS.deepseek }), anthropic: '***error***' };
    const plan = planPush(held, vault, { push: ['xai', 'openrouter', 'openai', 'anthropic'], remove: ['deepseek', 'eden_ai'] });
    assert.deepEqual(plan.changes.map((change) => [change.provider, change.effect]), [
      ['openrouter', 'unchanged'], ['openai', 'replace'], ['anthropic', 'replace'], ['xai', 'add'], ['deepseek', 'remove'], ['eden_ai', 'not_held'],
    ]);
    assert.equal(plan.accepted, true);
    assert.equal(plan.empty, false);
    assert.deepEqual(plan.resultIds, ['anthropic', 'openai', 'openrouter', 'xai']);
    assert.deepEqual(pushBody(plan, vault), { openai: KEYS.openai, anthropic: KEYS.anthropic, xai: KEYS.xai, deepseek: '' });
    assert.match(plan.changes[2].message, /unreadable Anthropic key would be replaced/);
    assert.match(plan.changes[0].message, /not sent again/);
    for (const change of plan.changes) for (const key of Object.values(KEYS)) assert.ok(!change.message.includes(key));
    const forced = planPush(held, vault, { push: ['openrouter'], force: true });
    assert.deepEqual(pushBody(forced, vault), { openrouter: KEYS.openrouter });
  });

  it('is empty, and accepted, when nothing would change', () => {
    const plan = planPush(masks({ openrouter: KEYS.openrouter }), vault, { push: ['openrouter'], remove: ['xai'] });
    assert.deepEqual([plan.empty, plan.accepted, pushBody(plan, vault)], [true, true, {}]);
  });

  it('writes Google under google and removes an older copy under gemini, on push and on removal', () => {
    const held = masks({ openrouter: KEYS.openrouter, gemini: 'AIzaOLDOLDOLDOLD' });
    const push = planPush(held, vault, { push: ['google'] });
    assert.equal(push.changes[0].effect, 'replace');
    assert.match(push.changes[0].message, /older copy under "gemini" removed/);
    assert.deepEqual(pushBody(push, vault), { google: KEYS.google, gemini: '' });
    const same = planPush(masks({ openrouter: KEYS.openrouter, google: KEYS.google, gemini: 'AIzaOLD' }), vault, { push: ['google'] });
    assert.equal(same.changes[0].effect, 'replace', 'an older copy under gemini still needs removing');
    const remove = planPush(masks({ openrouter: KEYS.openrouter, google: KEYS.google, gemini: 'AIzaOLD' }), vault, { remove: ['google'] });
    assert.deepEqual(pushBody(remove, vault), { google: '', gemini: '' });
  });

  it('explains a refusal before it happens and suggests requests Crucible would accept', () => {
    const openaiAlone = planPush({}, vault, { push: ['openai'] });
    assert.equal(openaiAlone.accepted, false);
    assert.equal(openaiAlone.refusalKind, 'bundle');
    assert.match(openaiAlone.refusal!, /^Crucible would refuse this: .*OpenAI without Anthropic\.$/);
    assert.deepEqual(openaiAlone.suggestions.map((suggestion) => [suggestion.sentence, suggestion.request?.push]), [
      ['Include Anthropic from the vault as well.', ['openai', 'anthropic']],
      ['Include OpenRouter from the vault as well.', ['openrouter', 'openai']],
    ]);
    for (const suggestion of openaiAlone.suggestions) assert.equal(planPush({}, vault, suggestion.request!).accepted, true);

    const removeOpenRouter = planPush(masks({ openrouter: KEYS.openrouter, openai: KEYS.openai }), vault, { remove: ['openrouter'] });
    assert.match(removeOpenRouter.refusal!, /OpenAI without Anthropic/);
    assert.deepEqual(removeOpenRouter.suggestions.map((suggestion) => suggestion.sentence), ['Keep OpenRouter in Crucible.', 'Include Anthropic from the vault as well.']);

    const googleOnly = planPush({}, { google: KEYS.google, openai: KEYS.openai, anthropic: KEYS.anthropic }, { push: ['google'] });
    assert.deepEqual(googleOnly.suggestions.map((suggestion) => suggestion.sentence), ['Include OpenAI and Anthropic from the vault as well.']);

    const nothingToOffer = planPush({}, { google: KEYS.google }, { push: ['google'] }, { source: 'the environment' });
    assert.deepEqual(nothingToOffer.suggestions, [{ sentence: 'Add an OpenRouter key, or both an OpenAI and an Anthropic key, to the environment first.' }]);
  });

  it('refuses, without suggestions, a key Crucible would take for a mask', () => {
    const plan = planPush({}, { openrouter: 'sk-or-v1-abc...def' }, { push: ['openrouter'] });
    assert.deepEqual([plan.accepted, plan.refusalKind, plan.suggestions], [false, 'masked_key', []]);
    assert.match(plan.refusal!, /take the vault's OpenRouter key for a masked value/);
  });

  it('refuses a request that makes no sense, with one sentence', () => {
    const bad: [Parameters<typeof planPush>[2], RegExp][] = [
      [{ push: ['openai'], remove: ['openai'] }, /cannot be pushed and removed at once/],
      [{ push: ['deepseek'] }, /The vault has no DeepSeek key to push/],
      [{ push: ['custom:groq' as never] }, /Crucible keeps keys only for openrouter/],
    ];
    for (const [request, message] of bad) {
      assert.throws(() => planPush({}, { openai: KEYS.openai }, request), (error: unknown) => error instanceof PushPlanError && error instanceof InputError && message.test(error.message));
    }
  });
});
