// Builds the production bundle and packs the VSIX with vsce: the same file set npm start and the ui tier install.
import * as path from 'node:path';
import { runCollecting } from './exec.mjs';
import { REPO_ROOT } from './provision.mjs';

export async function packageVsix() {
  const out = path.join(REPO_ROOT, 'crucible-keys.vsix');
  await runCollecting(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO_ROOT });
  await runCollecting(process.execPath, [path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], { cwd: REPO_ROOT });
  return out;
}
