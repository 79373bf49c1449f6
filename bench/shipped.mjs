// npm run bench, what ships: the production VSIX (packed as npm start and the ui tier pack it) against its 400 KB
// limit, and each bundle in it, unpacked, with when the extension loads it.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { buildVsix } from '../scripts/host/package.mjs';
import { REPO_ROOT } from '../scripts/host/provision.mjs';
import { VSIX_LIMIT_BYTES, vsixEntries } from '../scripts/vsixSize.mjs';

const WHEN_LOADED = {
  'dist/extension.js': 'at activation',
  'dist/errors.js': 'at activation (the error classes every bundle shares)',
  'dist/network.js': 'on the first request (a key check or Crucible)',
  'dist/scanner.js': 'on the first scan',
  'dist/compose.js': 'in Diagnose (the compose file reader)',
  'dist/webview/webview.js': 'in the settings panel',
  'dist/webview/diagnose.js': 'in the Diagnose report',
};

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Packs the VSIX, prints its size and its bundles' sizes, and returns its path. */
export async function shippedSizes() {
  const vsix = await buildVsix();
  const bytes = statSync(vsix).size;
  const entries = vsixEntries(vsix);
  const order = Object.keys(WHEN_LOADED);
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const bundles = entries.filter((entry) => entry.name.startsWith('extension/') && entry.name.endsWith('.js'))
    .map((entry) => ({ ...entry, name: entry.name.slice('extension/'.length) }))
    .sort((a, b) => rank(a.name) - rank(b.name));
  const javascript = bundles.reduce((sum, file) => sum + file.size, 0);
  const activation = bundles.filter((file) => WHEN_LOADED[file.name]?.startsWith('at activation')).reduce((sum, file) => sum + file.size, 0);
  // vsce counts the zip's own manifest files too, so this matches its "Packaged: … (N files)".
  console.log(`VSIX: ${kb(bytes)} (${bytes.toLocaleString('en-US')} bytes, ${entries.length} files), ${((bytes / VSIX_LIMIT_BYTES) * 100).toFixed(0)} % of the limit  (goal <= ${VSIX_LIMIT_BYTES / 1024} KB)`);
  console.log(`  bundles in it (minified, unpacked): ${bundles.map((file) => `${file.name} ${kb(file.size)}${WHEN_LOADED[file.name] ? ` ${WHEN_LOADED[file.name]}` : ''}`).join('; ')}`);
  console.log(`  activation loads ${kb(activation)}, ${((activation / javascript) * 100).toFixed(0)} % of the shipped JavaScript; the CLI (npm bin, not in the VSIX) is ${kb(statSync(path.join(REPO_ROOT, 'dist', 'cli.js')).size)}`);
  return vsix;
}
