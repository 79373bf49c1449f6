// Builds the production bundle and packs the VSIX with vsce: the same file set npm start and the ui tier install.
import * as path from 'node:path';
import { checkVsixSize } from '../vsixSize.mjs';
import { runCollecting } from './exec.mjs';
import { REPO_ROOT } from './provision.mjs';

/** Packs crucible-keys.vsix whatever its size (the bench reports how much it weighs). */
export async function buildVsix() {
  const out = path.join(REPO_ROOT, 'crucible-keys.vsix');
  await runCollecting(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO_ROOT });
  await runCollecting(process.execPath, [path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], { cwd: REPO_ROOT });
  return out;
}

/** Packs the VSIX and fails with one sentence when it is over the 400 KB limit, as npm run package does. */
export async function packageVsix() {
  const out = await buildVsix();
  checkVsixSize(out);
  return out;
}
