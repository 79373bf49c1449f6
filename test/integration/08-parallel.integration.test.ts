import assert from 'node:assert/strict';
import { fakeKey } from '../fakeProviders/keys';
import { api, exportedKeys, run } from './support';

const LABELS: Record<string, string> = { OpenRouter: 'openrouter', OpenAI: 'openai', Anthropic: 'anthropic', 'Google Gemini': 'google', DeepSeek: 'deepseek', xAI: 'xai', 'Eden AI': 'eden_ai' };
const KEYS = Object.fromEntries(Object.values(LABELS).map((id) => [id, fakeKey(id as 'openrouter', 'valid')]));

describe('parallel first saves', () => {
  it('creates one vault passphrase when seven keys are saved at once, and every key opens', async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    const testing = await api();
    testing.answer({ keyInput: (prompt) => KEYS[LABELS[prompt.title.replace(/ API key$/, '')]] });
    const { commands } = await import('vscode');
    const saved = await Promise.all(Object.keys(KEYS).map((id) => commands.executeCommand<string>('crucibleKeys.addKey', id)));
    assert.deepEqual(saved.sort(), Object.keys(KEYS).sort());
    const entries = await testing.secretEntries();
    assert.equal(entries.filter((entry) => entry.name.startsWith('crucibleKeys.vault.passphrase.')).length, 1);
    assert.equal(entries.filter((entry) => entry.kind === 'fernet-token').length, 7);
    await testing.refreshed();
    assert.equal(testing.snapshot().encryption.lockedCount, 0);
    const exported = await exportedKeys('app', Object.keys(KEYS));
    assert.equal(exported.XAI_API_KEY, KEYS.xai);
    assert.equal(exported.ROUNDTABLE_EDEN_AI_API_KEY, KEYS.eden_ai);
    assert.equal(Object.keys(exported).length, 7);
  });
});
