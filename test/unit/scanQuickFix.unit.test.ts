// The leak scan's quick fix as text edits: only where replacing the literal with an environment read is obvious.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shiftSpan, type Span } from '../../src/core/scan/positions';
import { envReferenceEdit, pythonImportLine, type LineEdit } from '../../src/core/scan/quickFix';

const KEY = 'sk-proj-Ab3dEf7hIj1lMn5pQr9tUv2xYz4';

/** Applies the edit for the key in `line`, or returns undefined when there is none. */
function fix(languageId: string, line: string, variable = 'OPENAI_API_KEY'): string | undefined {
  const start = line.indexOf(KEY);
  const edit: LineEdit | undefined = envReferenceEdit(languageId, line, start, start + KEY.length, variable);
  return edit && line.slice(0, edit.start) + edit.text + line.slice(edit.end);
}

describe('leak scan quick fix', () => {
  it('replaces a JavaScript or TypeScript string that is exactly the key with process.env', () => {
    for (const languageId of ['javascript', 'typescript', 'javascriptreact', 'typescriptreact']) {
      assert.equal(fix(languageId, `const key = "${KEY}";`), 'const key = process.env.OPENAI_API_KEY;');
    }
    assert.equal(fix('typescript', `  headers: { 'x-api-key': '${KEY}' },`), `  headers: { 'x-api-key': process.env.OPENAI_API_KEY },`);
    assert.equal(fix('javascript', `new OpenAI({ apiKey: \`${KEY}\` })`), 'new OpenAI({ apiKey: process.env.OPENAI_API_KEY })');
  });

  it('replaces a plain Python string with os.environ', () => {
    assert.equal(fix('python', `client = OpenAI(api_key="${KEY}")`), 'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])');
    assert.equal(fix('python', `KEY = '${KEY}'`, 'MY_KEY'), 'KEY = os.environ["MY_KEY"]');
  });

  it('offers nothing where the change is not obvious', () => {
    const none: [string, string][] = [
      ['typescript', `const auth = "Bearer ${KEY}";`],
      ['typescript', `const auth = "${KEY}-suffix";`],
      ['typescript', `const key = "${KEY}';`],
      ['typescript', `const key = ${KEY};`],
      ['python', `key = b"${KEY}"`],
      ['python', `key = f"${KEY}"`],
      ['python', `key = """${KEY}"""`],
      ['python', `key = \`${KEY}\``],
      ['json', `{"key": "${KEY}"}`],
      ['dotenv', `OPENAI_API_KEY="${KEY}"`],
      ['go', `key := "${KEY}"`],
    ];
    for (const [languageId, line] of none) assert.equal(fix(languageId, line), undefined, `${languageId}: ${line}`);
    assert.equal(fix('typescript', `const key = "${KEY}";`, 'NOT A NAME'), undefined);
    assert.equal(envReferenceEdit('typescript', KEY, 0, KEY.length, 'OPENAI_API_KEY'), undefined);
  });

  it('puts import os after the shebang, the encoding line, the docstring and __future__ imports, unless os is imported', () => {
    assert.equal(pythonImportLine('import os\nx = 1\n'), undefined);
    assert.equal(pythonImportLine('import sys, os\n'), undefined);
    assert.equal(pythonImportLine('import os as system\n'), 0);
    assert.equal(pythonImportLine('x = 1\n'), 0);
    assert.equal(pythonImportLine('#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nx = 1\n'), 2);
    assert.equal(pythonImportLine('"""Module.\n\nMore.\n"""\nx = 1\n'), 4);
    assert.equal(pythonImportLine('"""One line."""\nfrom __future__ import annotations\nimport sys\n'), 2);
    assert.equal(pythonImportLine('from os import environ\n'), 0);
  });
});

describe('a finding keeps its place while the document is edited', () => {
  const span = (line: number, start: number, end: number): Span => ({ start: { line, character: start }, end: { line, character: end } });
  const change = (from: [number, number], to: [number, number], text: string) => ({ range: { start: { line: from[0], character: from[1] }, end: { line: to[0], character: to[1] } }, text });
  const key = span(3, 10, 50);

  it('stays for an edit after it, and moves for an edit before it (lines added or removed, or text earlier on its line)', () => {
    assert.equal(shiftSpan(key, change([3, 50], [3, 50], '";')), key);
    assert.equal(shiftSpan(key, change([5, 0], [6, 0], '')), key);
    assert.deepEqual(shiftSpan(key, change([0, 0], [0, 0], 'import os\n')), span(4, 10, 50));
    assert.deepEqual(shiftSpan(key, change([0, 0], [2, 0], '')), span(1, 10, 50));
    assert.deepEqual(shiftSpan(key, change([3, 0], [3, 4], '')), span(3, 6, 46));
    assert.deepEqual(shiftSpan(key, change([3, 10], [3, 10], 'x')), span(3, 11, 51));
    assert.deepEqual(shiftSpan(key, change([2, 5], [3, 2], 'a\r\nbc')), span(3, 10, 50));
    assert.deepEqual(shiftSpan(key, change([2, 5], [3, 2], 'joined')), span(2, 19, 59));
  });

  it('is dropped for an edit inside it', () => {
    assert.equal(shiftSpan(key, change([3, 9], [3, 51], 'process.env.X')), undefined);
    assert.equal(shiftSpan(key, change([3, 20], [3, 20], 'x')), undefined);
    assert.equal(shiftSpan(key, change([1, 0], [3, 11], '')), undefined);
  });
});
