import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLevel } from '../../src/core/ports';
import { RedactingLogger, redactedMessage, Redactor } from '../../src/core/redact';

const HELD = 'custom-provider-secret-7f3a9c2e1b';

function capture(minLevel: LogLevel = 'trace') {
  const lines: string[] = [];
  const redactor = new Redactor();
  const logger = new RedactingLogger({ write: (level, line) => lines.push(`${level} ${line}`) }, redactor, minLevel);
  return { lines, redactor, logger };
}

describe('redaction', () => {
  it('removes a held key from every logging path and argument shape', () => {
    const { lines, redactor, logger } = capture();
    const release = redactor.hold(HELD);
    logger.trace(`message ${HELD}`);
    logger.debug('format %s', HELD);
    logger.info('object', { nested: { key: HELD } });
    logger.warn('array', [HELD]);
    logger.error('error', new Error(`provider said ${HELD}`));
    logger.info('url', `https://x.test/?q=${encodeURIComponent(HELD + '/+')}`);
    redactor.hold(HELD + '/+');
    logger.info('encoded', encodeURIComponent(HELD + '/+'));
    assert.equal(lines.length, 7);
    for (const line of lines) assert.ok(!line.includes(HELD), line);
    assert.match(lines[0], /message …9c2e1b|message …/);
    release();
  });

  it('removes known LLM key shapes the process never held', () => {
    const { lines, logger } = capture();
    const keys = [
      'sk-or-v1-' + 'a1'.repeat(32), 'sk-ant-api03-' + 'Zx_9'.repeat(20), 'sk-proj-' + 'Ab3'.repeat(16), 'sk-' + 'c'.repeat(48),
      'AIza' + 'B'.repeat(35), 'xai-' + 'Q'.repeat(80), 'gsk_' + 'w'.repeat(52), 'sk-eden-' + 'e'.repeat(30),
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcDEF123', 'gAAAAABrCQ9pMcU0riJI6Xe2AJSGNz47wqf-WoXitu5u52mnr5ziG2GCgc_KN2K2FN',
    ];
    for (const key of keys) logger.info(`got ${key} back`);
    logger.info('header Authorization: Bearer opaque.token-value_123');
    logger.info('GET https://generativelanguage.googleapis.com/v1beta/models?key=whatever123&pageSize=1');
    const all = lines.join('\n');
    for (const key of keys) assert.ok(!all.includes(key), key);
    assert.ok(!all.includes('opaque.token-value_123'));
    assert.ok(!all.includes('whatever123'));
    assert.match(all, /pageSize=1/);
  });

  it('forgets a key only when every holder released it, and ignores trivially short strings', () => {
    const redactor = new Redactor();
    const first = redactor.hold(HELD);
    const second = redactor.hold(HELD);
    first();
    first();
    assert.equal(redactor.redact(HELD).includes(HELD), false);
    second();
    assert.equal(redactor.heldCount, 0);
    redactor.hold('abc');
    assert.equal(redactor.redact('abc'), 'abc');
  });

  it('filters by level before formatting', () => {
    const { lines, logger } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    assert.deepEqual(lines, ['warn shown']);
  });

  it('gives people a one-line redacted error message', () => {
    const redactor = new Redactor();
    redactor.hold(HELD);
    assert.equal(redactedMessage(new Error(`bad ${HELD}\nstack`), redactor).includes(HELD), false);
    assert.equal(redactedMessage(new Error(`bad ${HELD}\nstack`), redactor).includes('\n'), false);
  });
});
