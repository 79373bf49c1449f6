// Runs the fake Crucible (test/fakeCrucible) as a child process for `npm start` and the real-VS-Code tiers.
// startFakeCrucible({passphrase, password}) → {port, apiUrl, control(path, body), restart(options), stop()}.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import * as path from 'node:path';
import { REPO_ROOT } from './provision.mjs';

export async function startFakeCrucible({ passphrase, password } = {}) {
  const args = ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'fakeCrucible', 'main.ts')];
  if (passphrase !== undefined) args.push('--passphrase', passphrase);
  if (password !== undefined) args.push('--password', password);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
  const info = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake Crucible exited ${code}`)));
    child.stdout.once('data', (data) => resolve(JSON.parse(String(data))));
  });
  const control = async (route, body) => {
    const [method, pathname] = route.split(' ');
    const response = await fetch(`http://127.0.0.1:${info.controlPort}${pathname}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`fake Crucible control ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    port: info.port,
    apiUrl: info.apiUrl,
    controlPort: info.controlPort,
    control,
    /** Restarts on the same port, under a new passphrase or password; stored keys are kept, so a new passphrase yields ***error***. */
    restart: (options = {}) => control('POST /restart', options),
    stop: () => new Promise((resolve) => { if (child.exitCode !== null) return resolve(); child.once('exit', resolve); child.kill('SIGTERM'); }),
  };
}

/**
 * The fake Crucible for a sample workspace (npm start, the ui tier): logging in with the password its .env sets, as a
 * real checkout's would, and holding one key of its own (a fake OpenRouter key), so its view has something to compare.
 */
export async function startSampleCrucible(workspace) {
  const password = parse(readFileSync(path.join(workspace, '.env'), 'utf8')).ROUNDTABLE_COMMUNITY_AUTH_PASSWORD;
  const crucible = await startFakeCrucible({ password });
  await crucible.control('POST /seed', { keys: { openrouter: `sk-or-v1-${'d3m0'.repeat(16)}` } });
  return crucible;
}
