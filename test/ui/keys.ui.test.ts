// A person's first session: add keys through the palette, verify them all, copy them into .env; no plaintext
// key may land anywhere but that .env.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import { parse } from 'dotenv';
import { fakeKey } from '../fakeProviders/keys';
import { environment, findCanaries, uiTest, Workbench } from './support/workbench';

const env = environment();
const KEYS = { OpenRouter: fakeKey('openrouter', 'valid'), OpenAI: fakeKey('openai', 'rejected'), DeepSeek: fakeKey('deepseek', 'nocredit') };
let workbench: Workbench | undefined;

describe('keys through the real workbench', () => {
  before(async () => { workbench = await Workbench.open(env); });
  after(async () => { await workbench?.close(); });

  uiTest('shows the activity-bar container with a welcome view and an Add API Key button', async () => {
    await workbench!.openKeysView();
    await workbench!.page.locator('[id="workbench.view.extension.crucibleKeys"] .welcome-view-content a, [id="workbench.view.extension.crucibleKeys"] .welcome-view-content .monaco-button', { hasText: 'Add API Key' }).first().waitFor({ timeout: 20_000 });
  }, () => workbench);

  uiTest('adds a key through the palette and the password input box, and the tree row appears', async () => {
    await workbench!.runCommand('Crucible Keys: Add or Update API Key');
    await workbench!.pick('OpenRouter');
    await workbench!.typePassword(KEYS.OpenRouter);
    await workbench!.notification(/Saved the OpenRouter key sk-or-v1-…/);
    await workbench!.waitForRowStatus('OpenRouter', 'unverified');
    const label = await workbench!.treeRow('OpenRouter').getAttribute('aria-label');
    assert.match(label ?? '', /^OpenRouter: unverified, key sk-or-v1-…/);
    for (const provider of ['OpenAI', 'DeepSeek'] as const) {
      await workbench!.runCommand('Crucible Keys: Add or Update API Key');
      await workbench!.pick(provider);
      await workbench!.typePassword(KEYS[provider]);
      await workbench!.waitForRowStatus(provider, 'unverified');
    }
  }, () => workbench);

  uiTest('warns live in the input box when a key looks like another provider\'s', async () => {
    await workbench!.runCommand('Crucible Keys: Add or Update API Key');
    await workbench!.pick('Anthropic');
    const box = workbench!.page.locator('.quick-input-widget input[type="password"]');
    await box.fill(KEYS.OpenRouter);
    await workbench!.page.locator('.quick-input-widget .quick-input-message', { hasText: 'looks like an OpenRouter key' }).waitFor({ timeout: 10_000 });
    await box.fill('sk-ant-has space');
    await workbench!.page.locator('.quick-input-widget .quick-input-message', { hasText: 'space or line break' }).waitFor({ timeout: 10_000 });
    await workbench!.page.keyboard.press('Escape');
  }, () => workbench);

  uiTest('verifies all keys: the tree shows valid, rejected and no credit', async () => {
    await workbench!.runCommand('Crucible Keys: Verify All API Keys');
    await workbench!.waitForRowStatus('OpenRouter', 'valid');
    await workbench!.waitForRowStatus('OpenAI', 'rejected');
    await workbench!.waitForRowStatus('DeepSeek', 'no credit');
    await workbench!.notification(/1 valid, 1 rejected, 1 no credit/);
    await workbench!.waitForRowDescription('OpenRouter', /sk-or-v1-….*valid.*\$74\.50 left.*checked just now/);
    await workbench!.documentScreenshot('tree');
  }, () => workbench);

  uiTest('copies the keys into .env: the right variables, and nothing else changed', async () => {
    const file = path.join(env.workspace, '.env');
    const before = readFileSync(file, 'utf8');
    await workbench!.runCommand('Crucible Keys: Copy Keys to .env File');
    await workbench!.pick('.env');
    await workbench!.acceptQuickPick('Copy to .env');
    // The write itself is confirmed in a dialog that names the real target and the variables, never a value.
    const dialog = await workbench!.answerDialog('Write', /Write ROUNDTABLE_OPENROUTER_API_KEY, OPENAI_API_KEY, DEEPSEEK_API_KEY to .*\.env\?/);
    for (const key of Object.values(KEYS)) assert.ok(!dialog.includes(key), 'a key is shown in the dialog');
    await workbench!.notification(/Wrote .* to \.env/);
    const after = readFileSync(file, 'utf8');
    const expected = before.replace('ROUNDTABLE_OPENROUTER_API_KEY=\n', `ROUNDTABLE_OPENROUTER_API_KEY=${KEYS.OpenRouter}\n`)
      + `\n# >>> Crucible Keys >>>\nOPENAI_API_KEY=${KEYS.OpenAI}\nDEEPSEEK_API_KEY=${KEYS.DeepSeek}\n# <<< Crucible Keys <<<\n`;
    assert.equal(after, expected);
    assert.equal(parse(after).ROUNDTABLE_OPENROUTER_API_KEY, KEYS.OpenRouter);
  }, () => workbench);

  uiTest('leaks no plaintext key: user data, logs, extension storage, browser profile and workspace (but .env) are clean', async () => {
    await workbench!.runCommand('Developer: Reload Window').catch(() => undefined);
    await workbench!.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await workbench!.page.waitForTimeout(3000); // let the workbench flush its state to disk
    const hits = findCanaries([env.run.userData, env.run.home, env.run.extensions, env.run.browser, env.run.log, env.workspace], Object.values(KEYS), [path.join(env.workspace, '.env')]);
    assert.deepEqual(hits, []);
    // Positive control: the same scan does find the keys in the .env the user chose to write.
    assert.deepEqual(findCanaries([env.workspace], Object.values(KEYS)), [path.join(env.workspace, '.env')]);
  }, () => workbench);
});
