// Builds the CLI, the extension host bundle, its lazily loaded bundles (network, leak scanner, compose reader) with
// the error classes they share, and the webview bundles.
// `--production` minifies; `--watch` rebuilds; `--test-api` compiles in the test API for the integration tier.
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { buildOptions } from './scripts/buildOptions.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const testApi = process.argv.includes('--test-api');
if (production && testApi) throw new Error('--production and --test-api do not go together: the published bundle never carries the test API.');

const options = buildOptions({ production, testApi });
const built = await Promise.all(Object.values(options).map((entry) => esbuild.context(entry)));
if (watch) {
  await Promise.all(built.map((context) => context.watch()));
} else {
  await Promise.all(built.map((context) => context.rebuild()));
  await Promise.all(built.map((context) => context.dispose()));
  await chmod('dist/cli.js', 0o755);
}
// Codicons for the webview (font-src is limited to the webview's own resources).
await mkdir('dist/webview', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) await copyFile(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);
