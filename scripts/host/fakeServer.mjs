// Runs the fake provider server (test/fakeProviders) as a child process for the real-VS-Code tiers.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './provision.mjs';

export async function startFakeProviders() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'fakeProviders', 'main.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake provider server exited ${code}`)));
    child.stdout.once('data', (data) => resolve(JSON.parse(String(data)).port));
  });
  const ids = ['openrouter', 'openai', 'anthropic', 'google', 'deepseek', 'xai', 'eden_ai', 'custom'];
  return {
    port,
    baseUrls: Object.fromEntries(ids.map((id) => [id, `http://127.0.0.1:${port}/${id}`])),
    stop: () => new Promise((resolve) => { if (child.exitCode !== null) return resolve(); child.once('exit', resolve); child.kill('SIGTERM'); }),
  };
}
