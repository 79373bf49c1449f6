// The Diagnose webview's messages: only the three known shapes pass, and a fix only for a check of the report shown
// that has one, so the webview can never name a path, a provider or a command itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFix } from '../../src/core/diagnose/fixes';
import { validateDiagnoseMessage } from '../../src/shared/diagnoseProtocol';

const fixable = new Set(['project.git', 'compose.service:docker-compose.yml:worker:eden_ai']);

describe('Diagnose webview messages', () => {
  it('accepts ready, rerun, and a fix for a fixable check of the report', () => {
    assert.deepEqual(validateDiagnoseMessage({ type: 'ready' }, fixable), { ok: true, message: { type: 'ready' } });
    assert.deepEqual(validateDiagnoseMessage({ type: 'rerun', requestId: 'd1' }, fixable), { ok: true, message: { type: 'rerun', requestId: 'd1' } });
    assert.deepEqual(validateDiagnoseMessage({ type: 'fix', requestId: 'd2', checkId: 'project.git' }, fixable), { ok: true, message: { type: 'fix', requestId: 'd2', checkId: 'project.git' } });
  });

  it('refuses anything else, with a reason', () => {
    const refused = [
      null, 'ready', [], { type: 7 }, { type: 'ready', extra: 1 }, { type: 'rerun' }, { type: 'rerun', requestId: 'bad id!' },
      { type: 'fix', requestId: 'd3', checkId: 'key.format:openai' },
      { type: 'fix', requestId: 'd4', checkId: 'project.git', fix: { kind: 'openFile', file: '/etc/passwd' } },
      { type: 'fix', requestId: 'd5', checkId: 'x'.repeat(600) },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: '__proto__' },
    ];
    for (const raw of refused) {
      const result = validateDiagnoseMessage(raw, fixable);
      assert.equal(result.ok, false, JSON.stringify(raw));
      assert.ok(!result.ok && result.reason.length > 0);
    }
  });

  it('labels every kind of fix', () => {
    assert.equal(describeFix({ kind: 'ignoreEnv', folder: '/p', envFile: '/p/.env', untrack: true }), 'Stop tracking .env and ignore it');
    assert.equal(describeFix({ kind: 'openFile', file: '/p/docker-compose.yml', line: 43 }), 'Open docker-compose.yml at line 43');
    assert.equal(describeFix({ kind: 'updateAlias', provider: 'openrouter', variable: 'OPENROUTER_API_KEY', folder: '/p' }), 'Write the stored key to OPENROUTER_API_KEY');
  });
});
