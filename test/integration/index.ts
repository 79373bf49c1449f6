// Runs inside the real extension host: loads the *.integration.test.js files of this phase next to this file into
// mocha, and writes pass/fail titles to CRUCIBLE_KEYS_TEST_RESULT.<phase>.json for the runner (host console output is
// unformatted). The runner builds one copy of this file per phase, each opened in its own window.
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Set by the runner's build: the phase name and the pattern of the test files it runs. */
declare const CRUCIBLE_KEYS_TEST_PHASE: string;
declare const CRUCIBLE_KEYS_TEST_FILES: string;

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = new RegExp(CRUCIBLE_KEYS_TEST_FILES);
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.integration.test.js') && files.test(name)).sort()) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const result: { passes: string[]; failures: { title: string; error: string }[]; running?: string } = { passes: [], failures: [] };
    // Written after every test, so a run that times out still says what passed, what failed, and what was running.
    const save = () => {
      if (process.env.CRUCIBLE_KEYS_TEST_RESULT) writeFileSync(`${process.env.CRUCIBLE_KEYS_TEST_RESULT}.${CRUCIBLE_KEYS_TEST_PHASE}.json`, JSON.stringify(result, null, 2));
    };
    const runner = mocha.run((failures) => {
      delete result.running;
      save();
      if (failures) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('test', (test) => { result.running = `[${CRUCIBLE_KEYS_TEST_PHASE}] ${test.fullTitle()}`; save(); });
    runner.on('pass', (test) => { result.passes.push(`[${CRUCIBLE_KEYS_TEST_PHASE}] ${test.fullTitle()} (${test.duration} ms)`); save(); });
    runner.on('fail', (test, error) => { result.failures.push({ title: `[${CRUCIBLE_KEYS_TEST_PHASE}] ${test.fullTitle()}`, error: String(error?.stack ?? error).split('\n').slice(0, 6).join('\n') }); save(); });
  });
}
