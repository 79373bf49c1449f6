// What a newcomer meets besides the keys themselves, in the real workbench: the walkthrough, the Diagnose report, and
// a key found in a file, shown in the Problems panel and fixed with its quick fix.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import { fakeKey } from '../fakeProviders/keys';
import { environment, uiTest, Workbench } from './support/workbench';

const env = environment();
let workbench: Workbench | undefined;

describe('the walkthrough, Diagnose and the Problems panel', () => {
  const leaky = path.join(env.workspace, 'client.js');
  before(async () => { workbench = await Workbench.open(env); });
  after(async () => {
    await workbench?.close();
    rmSync(leaky, { force: true });
  });

  uiTest('opens the walkthrough with its four steps', async () => {
    await workbench!.runCommand('Welcome: Open Walkthrough...');
    await workbench!.pick('Get started with Crucible Keys');
    const page = workbench!.page.locator('.gettingStartedContainer');
    await page.locator('.getting-started-category', { hasText: 'Get started with Crucible Keys' }).or(page.getByRole('heading', { name: 'Get started with Crucible Keys' })).first().waitFor({ timeout: 20_000 });
    for (const step of ['Add a key', 'Verify', 'Copy', 'Scan for leaks']) await page.getByText(step, { exact: false }).first().waitFor({ timeout: 10_000 });
  }, () => workbench);

  uiTest('renders a Diagnose report of the sample checkout, its compose file included', async () => {
    await workbench!.runCommand('Crucible Keys: Diagnose Keys and Project');
    const frame = await workbench!.webviewFrame('li.check[data-check]', 60_000);
    await frame.locator('li.check[data-check="project.git"]').waitFor({ timeout: 20_000 });
    const summary = (await frame.locator('p.summary').textContent()) ?? '';
    assert.match(summary, /\d+ (problem|warning|check)/);
    assert.ok(await frame.locator('li.check[data-check^="compose."]').count() > 0, 'the compose section is there');
    await workbench!.documentScreenshot('diagnose');
  }, () => workbench);

  uiTest('shows a stored key found in a file in the Problems panel, and its quick fix reads the variable instead', async () => {
    const key = fakeKey('openrouter', 'valid'); // stored by the keys suite
    writeFileSync(leaky, `const client = new OpenAI({ apiKey: "${key}" });\n`);
    await workbench!.runCommand('Crucible Keys: Scan Workspace for Leaked API Keys');
    await workbench!.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const marker = workbench!.page.locator('.markers-panel .monaco-list-row', { hasText: /sk-or-v1-…/ }).first();
    await marker.waitFor({ timeout: 30_000 });
    assert.ok(!((await marker.textContent()) ?? '').includes(key), 'the Problems panel shows the mask only');
    await marker.dblclick();
    await workbench!.page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ timeout: 15_000 });
    const action = workbench!.page.locator('.action-widget .monaco-list-row', { hasText: 'Read ROUNDTABLE_OPENROUTER_API_KEY from the environment instead' }).first();
    // Ctrl+. asks at the cursor of the focused editor: the double click leaves the focus in the Problems panel (and the
    // browser may take Ctrl+1 for itself), so a click on the key puts the cursor and the focus there.
    // Asked before the editor has the diagnostics, Ctrl+. shows nothing: ask again (the key stays where it is).
    for (let attempt = 1; ; attempt++) {
      await workbench!.page.keyboard.press('Escape');
      await workbench!.page.locator('.monaco-editor .view-line span span', { hasText: 'sk-or-v1-' }).first().click();
      await workbench!.page.keyboard.press('Control+.');
      try {
        await action.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 4) throw error;
      }
    }
    await action.click();
    await workbench!.page.keyboard.press('Control+S');
    const end = Date.now() + 15_000;
    while (Date.now() < end && readFileSync(leaky, 'utf8').includes(key)) await workbench!.page.waitForTimeout(200);
    assert.equal(readFileSync(leaky, 'utf8'), 'const client = new OpenAI({ apiKey: process.env.ROUNDTABLE_OPENROUTER_API_KEY });\n');
  }, () => workbench);
});
