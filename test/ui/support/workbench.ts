// Driving the real code-server workbench as a person would: palette, quick picks, password boxes, the tree.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

export interface UiEnvironment {
  url: string;
  workspace: string;
  evidenceDir: string;
  /** The fake provider server's base URL per provider id. */
  providerBaseUrls: Record<string, string>;
  /** The fake Crucible (trusted runs only): its API and the port that drives it. */
  crucible?: { apiUrl: string; controlPort: number };
  run: { root: string; home: string; userData: string; extensions: string; workspace: string; browser: string; log: string };
}

export function environment(): UiEnvironment {
  const raw = process.env.CRUCIBLE_KEYS_UI;
  if (!raw) throw new Error('UI tests run under scripts/host/run-ui.mjs (npm run test:ui), which starts the real workbench.');
  return JSON.parse(raw) as UiEnvironment;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export class Workbench {
  private constructor(readonly context: BrowserContext, readonly page: Page, private readonly env: UiEnvironment) {}

  /** Opens the workbench in a browser whose profile lives in the run folder (so the canary scan covers it). */
  static async open(env = environment()): Promise<Workbench> {
    const context = await chromium.launchPersistentContext(env.run.browser, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
    const page = context.pages()[0] ?? await context.newPage();
    const workbench = new Workbench(context, page, env);
    await workbench.load();
    return workbench;
  }

  async load(): Promise<void> {
    await this.page.goto(`${this.env.url}/?folder=${encodeURIComponent(this.env.workspace)}`, { waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.activitybar [aria-label^="Crucible Keys"]').first().waitFor({ timeout: 90_000 });
  }

  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  }

  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    for (let attempt = 1; attempt <= 3; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(`>${title}`);
        const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        await row.waitFor({ timeout: 10_000 });
        await row.click(); // not Enter: the focused row may be a recently used, similar command
        return;
      } catch {
        // The palette sometimes opens before the extension's commands are known; try again.
      }
    }
    throw new Error(`command not found in the palette: ${title}`);
  }

  /** Picks an item of an open quick pick by its label. */
  async pick(label: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(label);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Accepts the multi-select quick pick titled `title` with its current selection, by its OK button. */
  async acceptQuickPick(title: string): Promise<void> {
    await this.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.locator('.quick-input-widget .quick-input-action .monaco-button', { hasText: 'OK' }).click();
  }

  /** Clicks a button of the modal dialog that is open, after checking its message. */
  async answerDialog(button: string, message?: RegExp): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await dialog.textContent()) ?? '';
    if (message && !message.test(text)) throw new Error(`the dialog says ${JSON.stringify(text)}, not ${message}`);
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    return text;
  }

  async typePassword(value: string): Promise<void> {
    const box = this.page.locator('.quick-input-widget input[type="password"]');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await box.fill(value);
    await this.page.keyboard.press('Enter');
    await box.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  async openKeysView(): Promise<void> {
    const view = this.page.locator('[id="workbench.view.extension.crucibleKeys"]');
    if (!(await view.isVisible().catch(() => false))) await this.page.locator('.activitybar [aria-label^="Crucible Keys"]').first().click();
    await view.waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** The tree row of a provider; its aria-label reads "<Provider>: <status>, key <masked>". */
  treeRow(label: string) {
    return this.page.locator('[id="workbench.view.extension.crucibleKeys"] .monaco-list-row', { hasText: label }).first();
  }

  async waitForRowStatus(label: string, status: string, timeoutMs = 20_000): Promise<void> {
    await this.page.locator(`[id="workbench.view.extension.crucibleKeys"] .monaco-list-row[aria-label^="${label}: ${status}"]`).first().waitFor({ timeout: timeoutMs });
  }

  /** Waits until a row's description line (masked key · status · credits · checked …) matches. */
  async waitForRowDescription(label: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = (await this.treeRow(label).locator('.label-description').textContent().catch(() => '')) ?? '';
      if (pattern.test(last)) return last;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`the ${label} row never read ${pattern}; last: ${JSON.stringify(last)}`);
  }

  async notification(text: string | RegExp, timeoutMs = 15_000): Promise<void> {
    await this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first().waitFor({ timeout: timeoutMs });
  }

  /** Switches the colour theme with the theme picker, as a person would. */
  async setTheme(theme: 'Dark Modern' | 'Light Modern' | 'Dark High Contrast'): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    const list = this.page.locator('.quick-input-list .monaco-list-row');
    await list.filter({ hasText: 'Light Modern' }).first().waitFor({ timeout: 30_000 });
    await this.page.locator('.quick-input-widget input').fill(theme);
    await list.filter({ hasText: theme }).first().waitFor({ timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    const kind = theme === 'Dark Modern' ? 'vs-dark' : theme === 'Light Modern' ? 'vs' : 'hc-black';
    await this.page.locator(`.monaco-workbench.${kind}`).waitFor({ timeout: 30_000 });
    await this.page.waitForTimeout(800); // let the webview pick up the new --vscode-* variables
  }

  /** The frame inside a webview panel (the workbench nests it twice). */
  async webviewFrame(selector: string, timeoutMs = 20_000): Promise<Frame> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      for (const frame of this.page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no webview frame with ${selector}`);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.env.evidenceDir, { recursive: true });
    const file = path.join(this.env.evidenceDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A screenshot for the README: also copied to screenshots/NAME.png, where docs/ takes its pictures from. */
  async documentScreenshot(name: string): Promise<string> {
    await this.page.waitForTimeout(600); // a palette or menu just closed fades out for a moment
    const file = await this.screenshot(name);
    mkdirSync(path.join(this.env.evidenceDir, 'screenshots'), { recursive: true });
    copyFileSync(file, path.join(this.env.evidenceDir, 'screenshots', `${name}.png`));
    return file;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

/** A UI test that leaves a screenshot and points at the code-server log when it fails. */
export function uiTest(name: string, body: () => Promise<void>, workbench: () => Workbench | undefined): void {
  it(name, async () => {
    try {
      await body();
    } catch (error) {
      const env = environment();
      const shot = await workbench()?.screenshot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
      process.stdout.write(`\n[ui] FAILED "${name}"\n[ui]   screenshot: ${shot ?? '(none)'}\n[ui]   code-server log: ${env.run.log} (kept as ${path.join(env.evidenceDir, 'code-server.log')})\n`);
      try {
        mkdirSync(env.evidenceDir, { recursive: true });
        copyFileSync(env.run.log, path.join(env.evidenceDir, 'code-server.log'));
      } catch { /* log not there */ }
      throw error;
    }
  });
}

/** Every file under `roots` (except `exclude`) that contains any canary; the leak check wants none. */
export function findCanaries(roots: string[], canaries: string[], exclude: string[] = []): string[] {
  const hits: string[] = [];
  const needles = canaries.flatMap((canary) => [Buffer.from(canary, 'utf8'), Buffer.from(canary, 'utf16le')]);
  const visit = (file: string): void => {
    if (exclude.includes(file)) return;
    let stat;
    try { stat = statSync(file); } catch { return; }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(file)) visit(path.join(file, entry));
      return;
    }
    if (!stat.isFile() || stat.size > 64 * 1024 * 1024) return;
    let bytes: Buffer;
    try { bytes = readFileSync(file); } catch { return; }
    if (needles.some((needle) => bytes.includes(needle))) hits.push(file);
  };
  for (const root of roots) visit(root);
  return hits;
}
