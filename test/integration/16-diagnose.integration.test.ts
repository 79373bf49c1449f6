import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fakeKey } from '../fakeProviders/keys';
import type { DiagnoseCheck, DiagnoseReport } from '../../src/core/diagnose/types';
import { addKey, api, envOf, folder, run } from './support';

const KEYS = { openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'rejected'), eden_ai: fakeKey('eden_ai', 'valid') };
const OTHER_OPENAI = fakeKey('openai', 'valid');

function check(report: DiagnoseReport | undefined, id: string): DiagnoseCheck {
  const found = report?.sections.flatMap((section) => section.checks).find((candidate) => candidate.id === id);
  assert.ok(found, `the report has no check ${id}`);
  return found;
}

describe('Diagnose in the real host', function () {
  this.timeout(120_000);
  const compose = () => path.join(folder('legacy'), 'docker-compose.yml');

  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    for (const [provider, key] of Object.entries(KEYS)) await addKey(provider, key);
    // The tracked .env of "legacy", with every problem planted: a placeholder passphrase, an alias that shadows the
    // documented variable with another key, and another OpenAI key than the stored one; Crucible's compose file beside it.
    writeFileSync(envOf('legacy'), [
      'API_KEY_ENCRYPTION_KEY=changeme',
      `ROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}`,
      `OPENROUTER_API_KEY=${fakeKey('openrouter', 'nolimit')}`,
      `ROUNDTABLE_EDEN_AI_API_KEY=${KEYS.eden_ai}`,
      `OPENAI_API_KEY=${OTHER_OPENAI}`,
      '',
    ].join('\n'));
    copyFileSync(path.join(path.resolve(__dirname, '..', '..'), 'test', 'fixtures', 'compose', 'crucible', 'docker-compose.yml'), compose());
  });
  after(() => {
    unlinkSync(compose());
    execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') });
  });

  it('finds each planted problem in a workspace folder, Crucible\'s compose file included, with no key in the report', async () => {
    const testing = await api();
    await run('verifyKey', {}, 'openai'); // a failed check, for the recent-errors section
    await run('diagnose', { folder: 'legacy' });
    const report = testing.diagnoseReport();
    assert.equal(report?.folder, folder('legacy'));
    const git = check(report, 'project.git');
    assert.equal(git.severity, 'problem');
    assert.deepEqual(git.fix, { kind: 'ignoreEnv', folder: folder('legacy'), envFile: envOf('legacy'), untrack: true });
    assert.notEqual(check(report, 'project.passphrase').severity, 'ok', 'the placeholder passphrase');
    assert.equal(check(report, 'drift.env:openai:OPENAI_API_KEY').severity, 'problem', 'another OpenAI key in .env than the stored one');
    const alias = check(report, 'crucible.alias:openrouter:OPENROUTER_API_KEY');
    assert.equal(alias.severity, 'problem');
    assert.match(alias.title, /shadows ROUNDTABLE_OPENROUTER_API_KEY .*: Crucible reads OPENROUTER_API_KEY first\.$/);
    assert.deepEqual(alias.fix, { kind: 'updateAlias', provider: 'openrouter', variable: 'OPENROUTER_API_KEY', folder: folder('legacy') });
    assert.equal(check(report, 'live.verdict:openai').severity, 'problem', 'the stored OpenAI key is refused');
    assert.equal(check(report, 'live.verdict:openrouter').severity, 'ok');
    assert.match(check(report, 'logs.recent:openai').detail?.join('\n') ?? '', /rejected/);
    const worker = check(report, 'compose.service:docker-compose.yml:worker:eden_ai');
    assert.equal(worker.severity, 'problem');
    assert.match(worker.title, /ROUNDTABLE_EDEN_AI_KEY, a name the backend never reads/);
    assert.deepEqual(worker.fix, { kind: 'openFile', file: compose(), line: readFileSync(compose(), 'utf8').split('\n').findIndex((line) => line.includes('ROUNDTABLE_EDEN_AI_KEY:')) + 1 });
    const shown = JSON.stringify(report);
    for (const key of [...Object.values(KEYS), OTHER_OPENAI]) assert.ok(!shown.includes(key), 'no key in the report');
  });

  it('is a command other extensions can run but not read: it returns nothing', async () => {
    assert.equal(await run('diagnose', { folder: 'legacy' }), undefined);
  });
});
