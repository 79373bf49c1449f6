// npm start: Crucible Keys in a real VS Code. Provisions code-server once, installs the freshly built VSIX,
// opens a sample Crucible checkout and prints the URL. Ctrl+C stops everything and removes the run folder.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { installExtension, makeRunDir, onShutdown, startCodeServer, writeUserSettings } from './host/codeServer.mjs';
import { startSampleCrucible } from './host/fakeCrucible.mjs';
import { createSampleWorkspace } from './host/fixtures.mjs';
import { packageVsix } from './host/package.mjs';
import { ensureHost } from './host/provision.mjs';

const { values } = parseArgs({ options: { port: { type: 'string' }, folder: { type: 'string' }, keep: { type: 'boolean' } } });
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`npm start: --port takes a port number; got "${values.port}".`);
  process.exit(2);
}

async function main() {
  const started = Date.now();
  const paths = await ensureHost();
  const vsix = await packageVsix();
  const run = makeRunDir('crucible-keys-start-');
  const workspace = values.folder ? path.resolve(values.folder) : createSampleWorkspace(path.join(run.workspace, 'crucible-sample'));
  // The sample checkout gets its .env from .env.example, and a stand-in for Crucible's API to connect to with it.
  const sample = !values.folder;
  if (sample && !existsSync(path.join(workspace, '.env'))) copyFileSync(path.join(workspace, '.env.example'), path.join(workspace, '.env'));
  const crucible = sample ? await startSampleCrucible(workspace) : undefined;
  writeUserSettings(run, crucible ? { 'crucibleKeys.crucible.apiUrl': crucible.apiUrl } : {});
  await installExtension(paths, run, vsix);
  const server = await startCodeServer(paths, run, { port });
  onShutdown(async () => {
    process.stdout.write('\nStopping…\n');
    await server.stop();
    await crucible?.stop();
    if (!values.keep) rmSync(run.root, { recursive: true, force: true });
  });
  process.stdout.write(`\nCrucible Keys is running in a real VS Code (code-server) after ${((Date.now() - started) / 1000).toFixed(0)} s:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n\nOpen the key icon in the activity bar.${crucible ? ` Its Crucible view is connected to a stand-in for Crucible's API at ${crucible.apiUrl}.` : ''} Press Ctrl+C to stop.\n`);
}

main().catch((error) => {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
});
