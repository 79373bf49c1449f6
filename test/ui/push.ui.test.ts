// The Crucible view in the real workbench, against the fake Crucible the ui tier starts with the sample .env's
// password: connected on sight, a push from the palette confirmed from the masks, and after Crucible's passphrase
// changes, the warning row whose inline button re-enters the keys.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { environment, uiTest, Workbench } from './support/workbench';

const env = environment();
let workbench: Workbench | undefined;

async function control(route: string, body?: unknown): Promise<unknown> {
  const [method, pathname] = route.split(' ');
  const response = await fetch(`http://127.0.0.1:${env.crucible!.controlPort}${pathname}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(response.ok, `fake Crucible ${route}: ${response.status}`);
  return response.json();
}

const crucibleView = () => workbench!.page.locator('[id="workbench.view.extension.crucibleKeys"] .pane', { has: workbench!.page.locator('.pane-header', { hasText: 'Crucible' }) }).last();

/** A row of the Crucible view whose aria-label matches, once it does. */
async function waitForRow(label: RegExp, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < end) {
    const rows = crucibleView().locator('.monaco-list-row');
    seen = await rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? ''));
    const index = seen.findIndex((text) => label.test(text));
    // By its label, not its position: the list re-renders and reorders its row elements as it updates.
    if (index >= 0) return crucibleView().locator(`.monaco-list-row[aria-label=${JSON.stringify(seen[index])}]`);
    await workbench!.page.waitForTimeout(150);
  }
  throw new Error(`no Crucible row reads ${label}; rows: ${JSON.stringify(seen)}`);
}

describe('the Crucible view in the real workbench', () => {
  before(async () => { workbench = await Workbench.open(env); });
  after(async () => { await workbench?.close(); });

  uiTest('connects when the view is shown, with the password of the trusted workspace\'s .env, and compares', async () => {
    await workbench!.openKeysView();
    await waitForRow(/^Crucible, connected, 127\.0\.0\.1:\d+$/);
    await waitForRow(/^OpenRouter: different key$/); // the fake holds a key of its own
  }, () => workbench);

  uiTest('pushes the vault\'s keys from the palette, with a confirmation naming each change, and the rows turn "same key"', async () => {
    await workbench!.runCommand('Crucible Keys: Push Keys to Crucible');
    await workbench!.acceptQuickPick('Push Keys to Crucible');
    const dialog = await workbench!.answerDialog('Push', /Push \d+ keys to Crucible at http:\/\/127\.0\.0\.1:\d+\/api\?/);
    assert.match(dialog, /Crucible's OpenRouter key \(…d3m0, 73 characters\) would be replaced by the vault's/);
    await workbench!.notification(/confirmed from the masks Crucible reads back/);
    await waitForRow(/^OpenRouter: same key$/);
    await waitForRow(/^OpenAI: same key$/);
    // The README's picture: only the views and the notification, without what earlier files left open.
    await workbench!.runCommand('View: Close All Editors');
    await workbench!.runCommand('View: Hide Panel');
    await workbench!.documentScreenshot('crucible');
  }, () => workbench);

  uiTest('after Crucible\'s encryption key changes, shows the keys as unreadable and re-enters them with the row\'s button', async () => {
    await control('POST /restart', { passphrase: 'a-new-passphrase-the-old-tokens-do-not-open-0123', dropSessions: true });
    await workbench!.runCommand('Crucible Keys: Refresh What Crucible Holds');
    const warning = await waitForRow(/^Crucible cannot read OpenRouter, OpenAI/);
    await waitForRow(/^OpenRouter: unreadable$/);
    await warning.hover();
    await warning.locator('.action-label[aria-label^="Re-enter Unreadable Keys"]').click();
    await workbench!.answerDialog('Re-enter', /Re-enter OpenRouter, OpenAI.* in Crucible from the development profile\?/);
    await waitForRow(/^OpenRouter: same key$/);
    await waitForRow(/^OpenAI: same key$/);
    assert.equal(await crucibleView().locator('.monaco-list-row[aria-label^="Crucible cannot read"]').count(), 0, 'the warning is gone');
  }, () => workbench);
});
