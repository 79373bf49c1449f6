// The settings panel in the real workbench: strict CSP, save & verify through the webview, the tree agrees,
// remove, survive a reload, screenshots in dark and light themes, and no plaintext key in the DOM or state.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame } from 'playwright-core';
import { fakeKey } from '../fakeProviders/keys';
import { environment, findCanaries, uiTest, Workbench } from './support/workbench';

const env = environment();
const ANTHROPIC = fakeKey('anthropic', 'valid');
const GEMINI = fakeKey('google', 'valid');

/** The extension's own log file, written by its LogOutputChannel on the server side. */
async function waitForLog(pattern: RegExp): Promise<string> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const files = findFiles(env.run.userData, (name) => name === 'Crucible Keys.log');
    const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the extension log never matched ${pattern}`);
}

function findFiles(dir: string, match: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, match));
    else if (match(entry.name)) found.push(full);
  }
  return found;
}
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
      await workbench!.documentScreenshot(file);
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

  uiTest('checks every message in the host: a forged one naming an unknown provider is logged and ignored', async () => {
    // Post through the webview's real channel (what acquireVsCodeApi().postMessage does), bypassing the page's UI.
    const host = frame.parentFrame()!; // the webview host page that relays the content frame's messages
    const forge = (message: unknown) => host.evaluate((data) => (window as unknown as { __vscode_post_message__(command: string, payload: unknown): void }).__vscode_post_message__('onmessage', { message: data }), message);
    await forge({ type: 'saveKey', requestId: 'forged1', provider: 'evil', key: 'sk-proj-forgedforgedforged', verify: false });
    await forge({ type: 'dropTables', requestId: 'forged2' });
    // Positive control: a well-formed message on the same channel is acted on.
    await forge({ type: 'saveKey', requestId: 'forged3', provider: 'google', key: GEMINI, verify: false });
    await frame.locator('[data-provider="google"] .badge[data-status="unverified"]').waitFor({ timeout: 20_000 });
    assert.equal(await frame.locator('[data-provider="evil"]').count(), 0);
    const log = await waitForLog(/ignored a webview message: saveKey: needs requestId and a known provider/);
    assert.match(log, /ignored a webview message: unknown message type "dropTables"/);
    assert.ok(!log.includes('forgedforged'), 'the refused key reached the log');
  }, () => workbench);

  uiTest('shows the project\'s git safety and fixes an unignored .env in one click', async () => {
    const gitignore = path.join(env.workspace, '.gitignore');
    const original = readFileSync(gitignore, 'utf8');
    writeFileSync(gitignore, original.replace(/^\.env\n/m, ''));
    const project = frame.locator('.project');
    await project.locator('.git.warn', { hasText: 'is not ignored by git' }).waitFor({ timeout: 20_000 });
    assert.equal(await project.locator('h3 code').textContent(), '.env', 'the target .env of the folder is shown');
    // The variables Crucible will read, in its precedence: an alias read first shadows the documented name.
    const envFile = path.join(env.workspace, '.env');
    const envText = readFileSync(envFile, 'utf8');
    writeFileSync(envFile, `${envText}EDEN_AI_API_KEY=first-alias-value\nROUNDTABLE_EDEN_AI_API_KEY=second-value\n`);
    await project.locator('.variables li', { hasText: 'ROUNDTABLE_EDEN_AI_API_KEY Eden AI (shadowed by an earlier alias)' }).waitFor({ timeout: 20_000 });
    assert.equal(await project.locator('.variables li:not(.muted)', { hasText: 'EDEN_AI_API_KEY Eden AI' }).first().textContent(), 'EDEN_AI_API_KEY Eden AI');
    writeFileSync(envFile, envText);
    await project.getByRole('button', { name: 'Add to .gitignore' }).click();
    await project.locator('.git.ok', { hasText: 'is ignored by git' }).waitFor({ timeout: 20_000 });
    assert.match(readFileSync(gitignore, 'utf8'), /^\/?\.env$/m);
  }, () => workbench);

  uiTest('adds, edits and removes a custom OpenAI-compatible provider, whose key then verifies', async () => {
    const form = frame.locator('form.custom-form');
    await form.getByLabel('Id').fill('local');
    await form.getByLabel('Name').fill('Local LLM');
    await form.getByLabel('Base URL').fill(`${env.providerBaseUrls.custom}/v1`);
    await form.getByLabel('.env variable').fill('LOCAL_LLM_API_KEY');
    await form.getByRole('button', { name: 'Add provider' }).click();
    const card = frame.locator('[data-provider="custom:local"]');
    await card.waitFor({ timeout: 20_000 });
    await card.locator('input[type="password"]').fill(fakeKey('custom', 'valid'));
    await card.getByRole('button', { name: 'Save & verify' }).click();
    await frame.locator('[data-provider="custom:local"] .badge[data-status="valid"]').waitFor({ timeout: 20_000 });
    await workbench!.waitForRowStatus('Local LLM', 'valid');

    await frame.locator('.custom-list li', { hasText: 'Local LLM' }).getByRole('button', { name: 'Edit' }).click();
    const editing = frame.locator('form.custom-form[aria-label="Edit Local LLM"]');
    assert.equal(await editing.getByLabel('Base URL').inputValue(), `${env.providerBaseUrls.custom}/v1`, 'the form holds the provider being edited');
    // A state update re-renders the panel; a fill that landed on the form it replaced is made again.
    for (let attempt = 1; attempt <= 5 && (await editing.getByLabel('Name').inputValue()) !== 'Local Model'; attempt++) await editing.getByLabel('Name').fill('Local Model');
    await editing.getByRole('button', { name: 'Save changes' }).click();
    await frame.locator('[data-provider="custom:local"] h3', { hasText: 'Local Model' }).waitFor({ timeout: 20_000 });
    const added = frame.locator('form.custom-form[aria-label="Add a custom provider"]');
    await added.waitFor({ timeout: 20_000 });
    assert.equal(await added.getByLabel('Id').inputValue(), '', 'the form empties once saved');

    await frame.locator('.custom-list li', { hasText: 'Local Model' }).getByRole('button', { name: 'Remove' }).click();
    await frame.locator('[data-provider="custom:local"]').waitFor({ state: 'detached', timeout: 20_000 });
  }, () => workbench);

  uiTest('comes back after a window reload, restored by its serializer', async () => {
    await workbench!.reload();
    frame = await workbench!.webviewFrame('[data-provider="anthropic"]', 60_000);
    await frame.locator('[data-provider="anthropic"] .badge[data-status="not_set"]').waitFor({ timeout: 20_000 });
  }, () => workbench);

  uiTest('leaves no plaintext key in the webview DOM, its saved state or anywhere on disk', async () => {
    const html = await frame.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(ANTHROPIC) && !html.includes(GEMINI));
    await workbench!.page.waitForTimeout(2000);
    const hits = findCanaries([env.run.userData, env.run.home, env.run.extensions, env.run.browser, env.run.log, env.workspace], [ANTHROPIC, GEMINI], [path.join(env.workspace, '.env')]);
    assert.deepEqual(hits, []);
  }, () => workbench);
});
