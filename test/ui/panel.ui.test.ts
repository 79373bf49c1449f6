// The settings panel in the real workbench: strict CSP, save & verify through the webview, the tree agrees,
// remove, survive a reload, screenshots in dark and light themes, and no plaintext key in the DOM or state.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame } from 'playwright-core';
import { fakeKey } from '../fakeProviders/keys';
import { environment, findCanaries, uiTest, Workbench } from './support/workbench';

const env = environment();
const ANTHROPIC = fakeKey('anthropic', 'valid');
let workbench: Workbench | undefined;
let frame: Frame;

async function openPanel(): Promise<Frame> {
  await workbench!.runCommand('Crucible Keys: Open Settings');
  return workbench!.webviewFrame('[data-provider="anthropic"]');
}

describe('settings panel', () => {
  before(async () => { workbench = await Workbench.open(env); });
  after(async () => { await workbench?.close(); });

  uiTest('opens as one panel with a strict Content-Security-Policy', async () => {
    frame = await openPanel();
    const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'no CSP meta tag');
    assert.doesNotMatch(csp, /unsafe-/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    assert.doesNotMatch(csp, /connect-src/);
    await workbench!.runCommand('Crucible Keys: Open Settings');
    assert.equal(await workbench!.page.locator('.tabs-container .tab', { hasText: 'Crucible Keys' }).count(), 1, 'the panel is a singleton');
  }, () => workbench);

  uiTest('saves and verifies a key typed in the panel; the field clears, the badge turns valid and the tree agrees', async () => {
    const card = frame.locator('[data-provider="anthropic"]');
    await card.locator('input[type="password"]').fill(ANTHROPIC);
    await card.getByRole('button', { name: 'Save & verify' }).click();
    assert.equal(await card.locator('input[type="password"]').inputValue(), '');
    await frame.locator('[data-provider="anthropic"] .badge[data-status="valid"]').waitFor({ timeout: 20_000 });
    await workbench!.openKeysView();
    await workbench!.waitForRowStatus('Anthropic', 'valid');
    const html = await frame.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(ANTHROPIC), 'the key is in the webview DOM');
  }, () => workbench);

  uiTest('takes screenshots in dark, light and high-contrast themes', async () => {
    for (const [theme, file] of [['Dark Modern', 'panel-dark'], ['Light Modern', 'panel-light'], ['Dark High Contrast', 'panel-high-contrast']] as const) {
      await workbench!.setTheme(theme);
      await frame.locator('[data-provider="openrouter"]').waitFor();
      const shot = await workbench!.screenshot(file);
      mkdirSync(path.join(env.evidenceDir, 'screenshots'), { recursive: true });
      copyFileSync(shot, path.join(env.evidenceDir, 'screenshots', `${file}.png`));
    }
    await workbench!.setTheme('Light Modern');
  }, () => workbench);

  uiTest('removes the key after the confirmation dialog', async () => {
    await frame.locator('[data-provider="anthropic"]').getByRole('button', { name: 'Remove' }).click();
    await workbench!.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Remove' }).click();
    await frame.locator('[data-provider="anthropic"] .badge[data-status="not_set"]').waitFor({ timeout: 10_000 });
    // The tree agrees: the row reads "not set", or, when that was the last key, the welcome view is back.
    const view = workbench!.page.locator('[id="workbench.view.extension.crucibleKeys"]');
    await view.locator('.monaco-list-row[aria-label^="Anthropic: not set"], .welcome-view-content').first().waitFor({ timeout: 10_000 });
  }, () => workbench);

  uiTest('ignores a forged message naming a provider that does not exist', async () => {
    const before = await frame.locator('[data-provider]').count();
    await frame.evaluate(() => {
      // The page's own acquireVsCodeApi handle is private; a forged message goes through the same channel.
      window.parent.postMessage({ type: 'saveKey', requestId: 'x', provider: 'evil', key: 'sk-x', verify: false }, '*');
    });
    await workbench!.page.waitForTimeout(500);
    assert.equal(await frame.locator('[data-provider]').count(), before);
  }, () => workbench);

  uiTest('comes back after a window reload, restored by its serializer', async () => {
    await workbench!.reload();
    frame = await workbench!.webviewFrame('[data-provider="anthropic"]', 60_000);
    await frame.locator('[data-provider="anthropic"] .badge[data-status="not_set"]').waitFor({ timeout: 20_000 });
  }, () => workbench);

  uiTest('leaves no plaintext key in the webview DOM, its saved state or anywhere on disk', async () => {
    const html = await frame.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(ANTHROPIC));
    await workbench!.page.waitForTimeout(2000);
    const hits = findCanaries([env.run.userData, env.run.home, env.run.extensions, env.run.browser, env.run.log, env.workspace], [ANTHROPIC], [path.join(env.workspace, '.env')]);
    assert.deepEqual(hits, []);
  }, () => workbench);
});
