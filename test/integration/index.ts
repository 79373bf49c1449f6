// Runs inside the real extension host: loads every *.integration.test.js next to this file into mocha, and
// writes pass/fail titles to CRUCIBLE_KEYS_TEST_RESULT for the runner (host console output is unformatted).
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.integration.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const result: { passes: string[]; failures: { title: string; error: string }[] } = { passes: [], failures: [] };
    const runner = mocha.run((failures) => {
      if (process.env.CRUCIBLE_KEYS_TEST_RESULT) writeFileSync(process.env.CRUCIBLE_KEYS_TEST_RESULT, JSON.stringify(result, null, 2));
      if (failures) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => result.passes.push(test.fullTitle()));
    runner.on('fail', (test, error) => result.failures.push({ title: test.fullTitle(), error: String(error?.stack ?? error).split('\n').slice(0, 6).join('\n') }));
  });
}
