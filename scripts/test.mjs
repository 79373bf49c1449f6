// The test command: builds, then runs the tiers (unit, integration, ui) and closes with one "N passed, N failed" line.
// Usage: node scripts/test.mjs [unit] [integration] [ui] [--checks]   (no tier named: all of them, with checks)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// tsx would otherwise keep a compile cache in the system temp folder; a test run writes only to its own folders.
process.env.TSX_DISABLE_CACHE = '1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = path.join(root, '.test-output');
const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const tiers = named.length ? named : ['unit', 'integration', 'ui'];
const runChecks = process.argv.includes('--checks') || named.length === 0;

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function findTests(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((file) => file.endsWith(suffix)).map((file) => path.join(dir, file)).sort();
}

const totals = { passed: 0, failed: 0 };
const lines = [];
mkdirSync(outputDir, { recursive: true });

if ((await run(process.execPath, ['esbuild.mjs'])) !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (runChecks) {
  for (const [name, args] of [['typecheck', ['node_modules/typescript/bin/tsc', '-p', '.', '--noEmit']], ['lint', ['node_modules/eslint/bin/eslint.js', 'src', 'test', 'scripts', 'bench']]]) {
    const code = await run(process.execPath, args);
    lines.push(`${name}: ${code === 0 ? 'ok' : 'FAILED'}`);
    if (code === 0) totals.passed++; else totals.failed++;
  }
}

for (const tier of tiers) {
  if (tier === 'unit') {
    const files = findTests(path.join(root, 'test'), '.unit.test.ts');
    const tap = path.join(outputDir, 'unit.tap');
    await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const passed = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? (text ? 0 : 1)) + Number(/^# cancelled (\d+)$/m.exec(text)?.[1] ?? 0);
    lines.push(`unit: ${passed} passed, ${failed} failed`);
    totals.passed += passed;
    totals.failed += failed;
  } else {
    const runner = path.join(root, 'scripts', 'host', `run-${tier}.mjs`);
    if (!existsSync(runner)) {
      lines.push(`${tier}: not available`);
      totals.failed++;
      continue;
    }
    const resultFile = path.join(outputDir, `${tier}-summary.json`);
    const code = await run(process.execPath, [runner, '--summary', resultFile]);
    let summary = { passed: 0, failed: 1 };
    try { summary = JSON.parse(readFileSync(resultFile, 'utf8')); } catch { /* the runner died before writing one */ }
    if (code !== 0 && summary.failed === 0) summary.failed = 1;
    lines.push(`${tier}: ${summary.passed} passed, ${summary.failed} failed`);
    totals.passed += summary.passed;
    totals.failed += summary.failed;
  }
}

console.log('');
for (const line of lines) console.log(line);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
