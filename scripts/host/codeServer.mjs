// Starting and stopping an isolated code-server: its own HOME, user-data-dir and extensions-dir under one temp
// folder, bound to 127.0.0.1 on a free port, killed as a whole process group.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { runCollecting } from './exec.mjs';
import * as path from 'node:path';

export function makeRunDir(prefix = 'crucible-keys-host-') {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const dirs = { root, tmp: path.join(root, 'tmp'), home: path.join(root, 'home'), userData: path.join(root, 'user-data'), extensions: path.join(root, 'extensions'), workspace: path.join(root, 'workspace'), browser: path.join(root, 'browser-profile'), log: path.join(root, 'code-server.log') };
  for (const dir of [dirs.tmp, dirs.home, dirs.userData, dirs.extensions, dirs.workspace]) mkdirSync(dir, { recursive: true });
  return dirs;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User settings for the run: quiet workbench, and the extension pointed at the fake provider server. */
export function writeUserSettings(run, extra = {}) {
  const dir = path.join(run.userData, 'User');
  mkdirSync(dir, { recursive: true });
  // code-server is a remote: machine-scoped settings (crucibleKeys.baseUrls and friends) live in Machine/settings.json.
  const machine = path.join(run.userData, 'Machine');
  mkdirSync(machine, { recursive: true });
  writeFileSync(path.join(machine, 'settings.json'), JSON.stringify(extra, null, 2));
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...extra,
  }, null, 2));
}

function hostEnv(paths, run) {
  // TMPDIR too: code-server puts its IPC sockets there, and a run must leave nothing outside its own folder.
  const env = { ...process.env, TMPDIR: run.tmp, HOME: run.home, XDG_CONFIG_HOME: path.join(run.home, '.config'), XDG_CACHE_HOME: path.join(run.home, '.cache'), XDG_DATA_HOME: path.join(run.home, '.local', 'share'), PATH: `${path.dirname(paths.node24)}:${process.env.PATH}` };
  // The extension must resolve its passphrase the way a user's VS Code would, not from the test runner's shell.
  delete env.API_KEY_ENCRYPTION_KEY;
  delete env.NODE_OPTIONS;
  return env;
}

export async function installExtension(paths, run, vsix) {
  await runCollecting(paths.node24, [paths.codeServerEntry, '--user-data-dir', run.userData, '--extensions-dir', run.extensions, '--install-extension', vsix, '--force'], { env: hostEnv(paths, run) });
}

function waitHttp(url, timeoutMs) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => http.get(url, (response) => { response.resume(); resolve(response.statusCode); })
      .on('error', () => (Date.now() > end ? reject(new Error(`code-server did not come up at ${url}`)) : setTimeout(tick, 250)));
    tick();
  });
}

/** Starts code-server; returns its URL and a stop() that kills the whole process group and waits for it. */
/** `workspaceTrust`: leave VS Code's workspace trust on, so a folder opens in Restricted Mode until trusted. */
export async function startCodeServer(paths, run, { port, smokeTestDriver = false, workspaceTrust = false, env = {} } = {}) {
  const chosen = port ?? (await freePort());
  writeFileSync(path.join(run.root, 'config.yaml'), 'auth: none\ncert: false\n');
  const log = openSync(run.log, 'a');
  const args = [paths.codeServerEntry, '--bind-addr', `127.0.0.1:${chosen}`, '--auth', 'none', '--config', path.join(run.root, 'config.yaml'),
    '--user-data-dir', run.userData, '--extensions-dir', run.extensions, '--disable-telemetry', '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--log', 'info',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : [])];
  const child = spawn(paths.node24, args, { detached: true, stdio: ['ignore', log, log], env: { ...hostEnv(paths, run), ...env } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 8000);
    await exited;
    clearTimeout(timer);
    // Children (file watcher, extension host) may outlive the parent by a moment: make sure the group is gone.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  try {
    await waitHttp(`http://127.0.0.1:${chosen}/healthz`, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port: chosen, url: `http://127.0.0.1:${chosen}`, pid: child.pid, stop };
}

/** Kills child process groups on Ctrl+C, SIGTERM and normal exit; call the returned function to unregister. */
export function onShutdown(cleanup) {
  let done = false;
  const handler = async (signal) => {
    if (done) return;
    done = true;
    await cleanup();
    if (signal) process.exit(130);
  };
  process.on('SIGINT', () => void handler('SIGINT'));
  process.on('SIGTERM', () => void handler('SIGTERM'));
  return () => handler();
}
