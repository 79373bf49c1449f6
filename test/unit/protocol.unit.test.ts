import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWebviewMessage } from '../../src/shared/protocol';

const known = { providers: new Set(['openrouter', 'openai', 'custom:groq']), folders: new Set(['/work/app']), customIds: new Set(['groq']), profiles: new Set(['development', 'production']) };
const custom = { id: 'local', label: 'Local', baseUrl: 'http://127.0.0.1:8080/v1', envVar: 'LOCAL_API_KEY' };

/** One valid example of every message type the webview may send. */
const VALID: Record<string, unknown> = {
  ready: { type: 'ready' },
  showLogs: { type: 'showLogs' },
  openPage: { type: 'openPage', provider: 'openrouter', page: 'status' },
  saveKey: { type: 'saveKey', requestId: 'r1', provider: 'openai', key: 'sk-proj-abc', verify: true },
  verifyKey: { type: 'verifyKey', requestId: 'r2', provider: 'custom:groq' },
  removeKey: { type: 'removeKey', requestId: 'r3', provider: 'openai' },
  verifyAll: { type: 'verifyAll', requestId: 'r4' },
  copyToEnv: { type: 'copyToEnv', requestId: 'r5', provider: 'openrouter' },
  rotateVault: { type: 'rotateVault', requestId: 'r8' },
  switchProfile: { type: 'switchProfile', requestId: 'r18', profile: 'production' },
  unlock: { type: 'unlock', requestId: 'r9' },
  fixGitSafety: { type: 'fixGitSafety', requestId: 'r10', folder: '/work/app' },
  generateProjectKey: { type: 'generateProjectKey', requestId: 'r13', folder: '/work/app' },
  rotateProjectKey: { type: 'rotateProjectKey', requestId: 'r14', folder: '/work/app' },
  restoreProjectKey: { type: 'restoreProjectKey', requestId: 'r15', folder: '/work/app' },
  adoptProjectKey: { type: 'adoptProjectKey', requestId: 'r16', folder: '/work/app' },
  vaultKeyToProject: { type: 'vaultKeyToProject', requestId: 'r17', folder: '/work/app' },
  saveCustomProvider: { type: 'saveCustomProvider', requestId: 'r11', provider: custom },
  removeCustomProvider: { type: 'removeCustomProvider', requestId: 'r12', id: 'groq' },
  crucible: { type: 'crucible', requestId: 'r19', action: 'push', provider: 'openai' },
};

/** A broken variant of each: unknown provider or folder, a wrong field type, an extra field. */
const INVALID: Record<string, unknown[]> = {
  ready: [{ type: 'ready', extra: 1 }],
  showLogs: [{ type: 'showLogs', requestId: 'r' }],
  openPage: [{ type: 'openPage', provider: 'nope', page: 'key' }, { type: 'openPage', provider: 'openai', page: 'billing' }],
  saveKey: [{ type: 'saveKey', requestId: 'r', provider: 'nope', key: 'k', verify: false }, { type: 'saveKey', requestId: 'r', provider: 'openai', key: '', verify: false }, { type: 'saveKey', requestId: 'r', provider: 'openai', key: 'k'.repeat(5000), verify: false }, { type: 'saveKey', requestId: 'r', provider: 'openai', key: 'k', verify: 'yes' }, { type: 'saveKey', requestId: 'bad id!', provider: 'openai', key: 'k', verify: true }],
  verifyKey: [{ type: 'verifyKey', requestId: 'r', provider: 42 }],
  removeKey: [{ type: 'removeKey', requestId: 'r' }],
  verifyAll: [{ type: 'verifyAll' }, { type: 'verifyAll', requestId: 'r', provider: 'openai' }],
  copyToEnv: [{ type: 'copyToEnv', requestId: 'r', provider: 'nope' }],
  rotateVault: [{ type: 'rotateVault', requestId: 'r', passphrase: 'x' }, { type: 'rotateVault', requestId: 7 }],
  switchProfile: [{ type: 'switchProfile', requestId: 'r', profile: 'staging' }, { type: 'switchProfile', requestId: 'r', profile: '__proto__' }, { type: 'switchProfile', requestId: 'r' }],
  generateProjectKey: [{ type: 'generateProjectKey', requestId: 'r', folder: '/elsewhere' }, { type: 'generateProjectKey', requestId: 'r' }],
  rotateProjectKey: [{ type: 'rotateProjectKey', requestId: '', folder: '/work/app' }],
  restoreProjectKey: [{ type: 'restoreProjectKey', requestId: 'r', folder: '/work/app', passphrase: 'typed' }],
  adoptProjectKey: [{ type: 'adoptProjectKey', requestId: 'r', folder: 42 }],
  vaultKeyToProject: [{ type: 'vaultKeyToProject', requestId: 'r', folder: '/work/app/../etc' }],
  unlock: [{ type: 'unlock', requestId: 'x'.repeat(65) }],
  fixGitSafety: [{ type: 'fixGitSafety', requestId: 'r', folder: '/etc' }],
  saveCustomProvider: [{ type: 'saveCustomProvider', requestId: 'r', provider: { ...custom, extra: 'x' } }, { type: 'saveCustomProvider', requestId: 'r', provider: { ...custom, baseUrl: 5 } }, { type: 'saveCustomProvider', requestId: 'r', provider: custom, replaces: 'unknown' }],
  removeCustomProvider: [{ type: 'removeCustomProvider', requestId: 'r', id: 'openai' }],
  crucible: [{ type: 'crucible', requestId: 'r', action: 'pushAll' }, { type: 'crucible', requestId: 'r', action: 'push', provider: 'nope' }, { type: 'crucible', requestId: 'r', action: 'push', keys: { openai: 'sk-x' } }, { type: 'crucible', action: 'refresh' }, { type: 'crucible', requestId: 'r', action: 'toString' }],
};

describe('webview protocol validation', () => {
  for (const [type, message] of Object.entries(VALID)) {
    it(`accepts a well-formed ${type}, typed as itself`, () => {
      const result = validateWebviewMessage(message, known);
      assert.ok(result.ok, !result.ok ? result.reason : '');
      assert.deepEqual(result.message, message);
    });
    it(`refuses malformed ${type} messages with a reason`, () => {
      for (const bad of INVALID[type]) {
        const result = validateWebviewMessage(bad, known);
        assert.equal(result.ok, false, JSON.stringify(bad));
      }
    });
  }

  it('never lets the key into a refusal reason', () => {
    const result = validateWebviewMessage({ type: 'saveKey', requestId: 'r', provider: 'nope', key: 'sk-proj-SECRET-VALUE', verify: true }, known);
    assert.equal(result.ok, false);
    assert.ok(!JSON.stringify(result).includes('SECRET'));
  });

  it('refuses 5,000 generated junk messages without throwing', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pieces: unknown[] = [null, undefined, 0, -1, 1e308, '', 'ready', 'saveKey', 'openai', [], {}, [1, 2], true, '__proto__', 'constructor', { toString: 1 }, 'r1', 'x'.repeat(70)];
    const fields = ['type', 'requestId', 'provider', 'key', 'verify', 'page', 'folder', 'id', 'replaces', '__proto__', 'extra', 'passphrase'];
    for (let i = 0; i < 5000; i++) {
      const message: Record<string, unknown> = {};
      for (let j = Math.floor(random() * 6); j > 0; j--) message[fields[Math.floor(random() * fields.length)]] = pieces[Math.floor(random() * pieces.length)];
      const candidate = random() < 0.1 ? pieces[Math.floor(random() * pieces.length)] : message;
      const result = validateWebviewMessage(candidate, known);
      if (result.ok) assert.ok(Object.keys(VALID).includes(result.message.type) && (result.message.type === 'ready' || result.message.type === 'showLogs'), JSON.stringify(candidate));
    }
  });
});
