// Helpers for suites that run inside the real extension host, against the test build (node esbuild.mjs --test-api).
// Commands run for real; their prompts are answered by script through the test API, never by command arguments.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CrucibleKeysApi } from '../../src/vscode/extension';
import type { Answer } from '../../src/vscode/testing/scriptedPrompter';
import type { CrucibleKeysTestApi } from '../../src/vscode/testing/testApi';
import type { PromptId } from '../../src/vscode/ui/prompter';

export const EXTENSION_ID = 'crucible.crucible-keys';

export type Answers = Partial<Record<PromptId, Answer>>;

export async function api(): Promise<CrucibleKeysTestApi> {
  const extension = vscode.extensions.getExtension<CrucibleKeysApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  const exports = extension.isActive ? extension.exports : await extension.activate();
  if (!exports.testing) throw new Error('the extension was built without its test API: build it with node esbuild.mjs --test-api');
  await exports.testing.refreshed();
  return exports.testing;
}

export function folder(name: string): string {
  const found = vscode.workspace.workspaceFolders?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`workspace folder ${name} is not open`);
  return found.uri.fsPath;
}

export function read(file: string): string {
  return readFileSync(file, 'utf8');
}

export function envOf(name: string): string {
  return path.join(folder(name), '.env');
}

/** Runs a command as a person would, with these answers to its prompts; unanswered prompts are cancelled. */
export async function run<T>(command: string, answers: Answers = {}, ...args: unknown[]): Promise<T> {
  const testing = await api();
  testing.answer(answers);
  testing.clearPrompts();
  return vscode.commands.executeCommand<T>(`crucibleKeys.${command}`, ...args);
}

/** Saves a key through the real Add Key command (provider pre-selected as a tree row would). */
export function addKey(provider: string, key: string): Promise<string | undefined> {
  return run<string | undefined>('addKey', { keyInput: key, looksLike: (prompt) => prompt.options[1] }, provider);
}

/** Answers the write confirmation with the button that writes without changing git (Write, Write Anyway, …). */
export const WRITE_AS_IS: Answer = (prompt) => prompt.options.find((label) => /^Write( Anyway| Without Ignoring)?$/.test(label));

/** Copies keys through the real Copy to .env command, confirming the write with `confirm`. */
export function copyToEnv(options: { folder: string; file: string; providers: (string | 'API_KEY_ENCRYPTION_KEY')[]; confirm?: Answer }) {
  return run<{ status: string; file?: string; added?: string[]; updated?: string[]; skipped?: string[] }>('copyToEnv', {
    folder: options.folder,
    envTarget: (prompt) => (prompt.options.some((label) => path.join(folder(options.folder), label) === options.file) ? path.basename(options.file) : ''),
    envTargetFile: options.file,
    envVariables: options.providers,
    ...(options.confirm === undefined ? {} : { writeConfirm: options.confirm }),
  });
}

/** The stored keys as they would be written into a fresh .env (the round trip proves they decrypt). */
export async function exportedKeys(folderName: string, providers: string[]): Promise<Record<string, string>> {
  const { parse } = await import('dotenv');
  const { unlinkSync } = await import('node:fs');
  const file = path.join(folder(folderName), `roundtrip-${Date.now()}.env`);
  try {
    await copyToEnv({ folder: folderName, file, providers, confirm: WRITE_AS_IS });
    return parse(read(file));
  } finally {
    try { unlinkSync(file); } catch { /* not written */ }
  }
}

/** The API_KEY_ENCRYPTION_KEY values kept for a folder, newest first, as SecretStorage holds them. */
export async function projectBackups(folderPath: string): Promise<string[]> {
  const testing = await api();
  const entries: { folder: string; passphrase: string; savedAt: string }[] = [];
  for (const entry of await testing.secretEntries()) {
    if (!entry.name.startsWith('crucibleKeys.project.')) continue;
    entries.push(JSON.parse((await testing.rawSecrets.get(entry.name))!));
  }
  return entries.filter((entry) => entry.folder === folderPath).sort((a, b) => b.savedAt.localeCompare(a.savedAt)).map((entry) => entry.passphrase);
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
