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

  it('catches known shapes behind URL-encoding and JSON escapes, where \\b would not', () => {
    const redactor = new Redactor();
    const openai = 'sk-proj-' + 'Ab3'.repeat(16);
    const gemini = 'AIza' + 'B'.repeat(35);
    const texts = [
      `{"key":"%22${openai}%22"}`, `q=%3D${openai}`, `"line one\\n${openai}"`, `"\\u0022${gemini}\\u0022"`, `"\\"${gemini}\\""`,
      `x-api-key: ${openai}`, `{"x-goog-api-key": "${gemini}"}`, `path\\/${openai}`,
    ];
    for (const text of texts) {
      const out = redactor.redact(text);
      assert.ok(!out.includes(openai.slice(8, 30)) && !out.includes(gemini.slice(4, 30)), `${text} -> ${out}`);
    }
    // Not a credential start: a longer word that merely contains the shape.
    assert.equal(redactor.redact('task-management-is-fine'), 'task-management-is-fine');
  });

  it('redacts a held secret in any letter case, URL-encoded and JSON-escaped', () => {
    const redactor = new Redactor();
    const key = 'ck-Custom_Key+With/Odd=Chars"9f8e7d';
    redactor.hold(key);
    for (const form of [key, key.toLowerCase(), key.toUpperCase(), encodeURIComponent(key), JSON.stringify(key).slice(1, -1), encodeURIComponent(key).toLowerCase()]) {
      const out = redactor.redact(`provider said: ${form}.`);
      assert.ok(!out.toLowerCase().includes('custom_key'), `${form} -> ${out}`);
    }
  });

  it('shows passphrases and derived keys as fixed markers, never as a mask with their last characters', () => {
    const redactor = new Redactor();
    const passphrase = 'Zq3v9LmN2xP8rT5wK7yB4cD6fG1hJ0sA_-uEoIiYt';
    const derived = 'mC0b2y9hQxW3Vn5kR8tLp1sD4fG7jH6aZxCvBnM1qEs=';
    redactor.hold(passphrase, 'passphrase');
    redactor.hold(derived, 'derived-key');
    assert.equal(redactor.redact(`p=${passphrase} k=${derived}`), 'p=[passphrase] k=[fernet-key]');
  });

  it('redacts first, then cuts, and never cuts a mask or marker in half', () => {
    const redactor = new Redactor();
    const key = 'sk-or-v1-' + '0123456789abcdef'.repeat(4);
    redactor.hold(key);
    for (let max = 12; max < 90; max++) {
      const text = `${'x'.repeat(max - 12)} the key ${key.toUpperCase()} is not valid for this project`;
      const out = redactor.redactAndTruncate(text, max);
      assert.ok(!out.toLowerCase().includes('0123456789'), out);
      assert.ok(out.length <= max + 1, out);
      const mask = /sk-or-v1-…(\w*)/.exec(out);
      if (mask) assert.equal(mask[1], 'cdef', `a cut mask: ${out}`);
    }
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
