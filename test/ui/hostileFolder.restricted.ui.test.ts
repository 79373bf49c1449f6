// A downloaded folder whose own .git/config would run a command (core.fsmonitor) the moment anyone runs git in it,
// opened with workspace trust on and not trusted: Restricted Mode. Crucible Keys must run no git there at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame } from 'playwright-core';
import { fakeKey } from '../fakeProviders/keys';
import { environment, uiTest, Workbench } from './support/workbench';

const env = environment() as ReturnType<typeof environment> & { marker: string };
const KEY = fakeKey('openrouter', 'valid');
let workbench: Workbench | undefined;
let frame: Frame;

describe('a hostile folder in Restricted Mode', () => {
  before(async () => { workbench = await Workbench.open(env); });
  after(async () => { await workbench?.close(); });

  uiTest('opens in Restricted Mode, with Crucible Keys active', async () => {
    await workbench!.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
    await workbench!.openKeysView();
  }, () => workbench);

  uiTest('still lets a person add a key there (it goes to the vault, not the folder)', async () => {
    await workbench!.runCommand('Crucible Keys: Add or Update API Key');
    await workbench!.pick('OpenRouter');
    await workbench!.typePassword(KEY);
    await workbench!.waitForRowStatus('OpenRouter', 'unverified');
  }, () => workbench);

  uiTest('the panel says git status and the project passphrase are unknown in Restricted Mode', async () => {
    await workbench!.runCommand('Crucible Keys: Open Settings');
    frame = await workbench!.webviewFrame('.project');
    await frame.locator('.project .git', { hasText: 'git status unknown in Restricted Mode' }).waitFor({ timeout: 20_000 });
    await frame.locator('.project-passphrase', { hasText: 'unknown in Restricted Mode' }).waitFor({ timeout: 20_000 });
    await workbench!.screenshot('restricted-panel');
  }, () => workbench);

  uiTest('Copy Keys to .env warns that git status is unknown, and writes nothing when cancelled', async () => {
    const envFile = path.join(env.workspace, '.env');
    const before = readFileSync(envFile, 'utf8');
    await workbench!.runCommand('Crucible Keys: Copy Keys to .env File');
    await workbench!.pick('.env');
    await workbench!.acceptQuickPick('Copy to .env');
    await workbench!.answerDialog('Cancel', /git status unknown in Restricted Mode/);
    assert.equal(readFileSync(envFile, 'utf8'), before);
  }, () => workbench);

  uiTest('no git command ran: the folder\'s fsmonitor command never fired (and plain git does fire it)', async () => {
    await workbench!.page.waitForTimeout(2000); // anything still scheduled would have run by now
    assert.equal(existsSync(env.marker), false, 'a git command ran in the untrusted folder');
    // Positive control: the folder really is hostile, so the check above could fail.
    execFileSync('git', ['ls-files', '--error-unmatch', '--', 'README.md'], { cwd: env.workspace, stdio: 'ignore' });
    assert.equal(existsSync(env.marker), true, 'the fsmonitor trap did not work');
  }, () => workbench);
});
