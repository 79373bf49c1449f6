// Helpers for suites that run inside the real extension host.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CrucibleKeysApi } from '../../src/vscode/extension';

export const EXTENSION_ID = 'crucible.crucible-keys';

export async function api(): Promise<CrucibleKeysApi> {
  const extension = vscode.extensions.getExtension<CrucibleKeysApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  const exports = extension.isActive ? extension.exports : await extension.activate();
  await exports.refreshed();
  return exports;
}

export function folder(name: 'app' | 'legacy'): string {
  const found = vscode.workspace.workspaceFolders?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`workspace folder ${name} is not open`);
  return found.uri.fsPath;
}

export function read(file: string): string {
  return readFileSync(file, 'utf8');
}

export function envOf(name: 'app' | 'legacy'): string {
  return path.join(folder(name), '.env');
}

export function run<T>(command: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(`crucibleKeys.${command}`, ...args);
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
