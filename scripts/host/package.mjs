// Builds the production bundle and packs the VSIX with vsce: the same file set npm start and the ui tier install.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './provision.mjs';

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed:\n${output}`))));
  });
}

export async function packageVsix() {
  const out = path.join(REPO_ROOT, 'crucible-keys.vsix');
  await run(process.execPath, ['esbuild.mjs', '--production']);
  await run(process.execPath, [path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out]);
  return out;
}
