import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ProviderCatalog } from '../../src/core/catalog';
import { api, waitFor } from './support';

/** A small deterministic generator: the same 1,000 values on every run, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const scalars: unknown[] = [null, true, 0, -1, 1e308, '', 'x', 'constructor', '__proto__', 'toString', 'openai', 'groq', 'API_KEY_ENCRYPTION_KEY', 'OPENAI_API_KEY', 'GROQ_API_KEY', 'https://api.groq.com/openai/v1', 'http://127.0.0.1:1/v1', 'ftp://x', 'https://u:p@x.example', 'not a url', 'a'.repeat(300), '\u0000', '\u202e', [], {}, ['a'], { nested: { deeper: 1 } }];
  const fields = ['id', 'label', 'baseUrl', 'envVar', 'prefix', 'verify', '__proto__', 'constructor', 'extra'];
  const entry = (): unknown => {
    if (next() < 0.15) return pick(scalars);
    const value: Record<string, unknown> = {};
    if (next() < 0.7) { value.id = pick(['groq', 'local', 'my-llm', 'x', 'constructor', 'openai', 'Bad', 'a'.repeat(40), 7]); }
    if (next() < 0.7) value.label = pick(['Groq', '', 42, null, 'L'.repeat(500)]);
    if (next() < 0.7) value.baseUrl = pick(['https://api.groq.com/openai/v1', 'http://127.0.0.1:9/v1', 'not a url', 5, 'https://x.example/v1?key=1']);
    if (next() < 0.7) value.envVar = pick(['GROQ_API_KEY', 'LOCAL_KEY', 'OPENAI_API_KEY', 'API_KEY_ENCRYPTION_KEY', '1BAD', null]);
    for (let extra = Math.floor(next() * 3); extra > 0; extra--) value[pick(fields)] = pick(scalars);
    return value;
  };
  return () => (next() < 0.1 ? pick(scalars) : Array.from({ length: Math.floor(next() * 5) }, entry));
}

describe('settings fuzz', () => {
  it('1,000 random customProviders values never break the extension: bad entries are skipped, good ones appear', async function () {
    this.timeout(15 * 60_000);
    const started = Date.now();
    const testing = await api();
    const config = () => vscode.workspace.getConfiguration('crucibleKeys');
    const original = config().inspect('customProviders');
    const next = generator(20261127);
    try {
      for (let round = 0; round < 1000; round++) {
        const value = next();
        await config().update('customProviders', value, vscode.ConfigurationTarget.Global);
        const expected = JSON.stringify(ProviderCatalog.lenient(config().get('customProviders')).catalog.all().map((provider) => provider.id));
        await waitFor(() => JSON.stringify(testing.snapshot().providers.map((view) => view.id)) === expected, `round ${round}: the catalog for ${JSON.stringify(value).slice(0, 200)}`, 5000);
      }
      const refreshed = await vscode.commands.executeCommand('crucibleKeys.refresh');
      assert.equal(refreshed, undefined);
      assert.ok(testing.snapshot().providers.length >= 7, 'the extension still answers');
      console.log(`settings fuzz: 1,000 values in ${Math.round((Date.now() - started) / 1000)} s`);
    } finally {
      await config().update('customProviders', original?.globalValue, vscode.ConfigurationTarget.Global);
    }
  });
});
