// Debian's Chromium under playwright-core: no browser download, the flags this closed network needs.
import { chromium } from 'playwright-core';
import { CHROMIUM } from './provision.mjs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A browser with its profile in `dir`, so the canary check can search what the workbench stored. */
export function launchPersistent(dir, viewport = { width: 1400, height: 900 }) {
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
}
