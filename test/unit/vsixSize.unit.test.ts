// The VSIX size check: one sentence over 400 KB, silence at the limit; the zip listing read as Python's zipfile wrote it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain .mjs module without type declarations
import { checkVsixSize, VSIX_LIMIT_BYTES, vsixEntries } from '../../scripts/vsixSize.mjs';
import { tempDir } from '../support/tempDir';

describe('the VSIX size limit', () => {
  it('passes a VSIX of exactly 400 KB', () => {
    const file = path.join(tempDir(), 'crucible-keys.vsix');
    writeFileSync(file, Buffer.alloc(VSIX_LIMIT_BYTES));
    assert.equal(checkVsixSize(file), 409_600);
  });

  it('fails one byte over it, with one sentence naming the size and the limit', () => {
    const file = path.join(tempDir(), 'crucible-keys.vsix');
    writeFileSync(file, Buffer.alloc(VSIX_LIMIT_BYTES + 1));
    assert.throws(() => checkVsixSize(file), (error: Error) => {
      assert.match(error.message, /^crucible-keys\.vsix is 409,601 bytes, over the 409,600-byte \(400 KB\) limit: [^\n]*\.$/);
      return true;
    });
    const run = spawnSync(process.execPath, ['scripts/vsixSize.mjs', file], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  it('lists the files of a zip with their unpacked and packed sizes', () => {
    const dir = tempDir();
    const file = path.join(dir, 'sample.vsix');
    const script = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n    z.writestr("extension/dist/extension.js", "x" * 5000)\n    z.writestr("extension/package.json", "{}")\n    z.comment = b"a comment"\n';
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const entries = vsixEntries(file) as { name: string; size: number; packed: number }[];
    assert.deepEqual(entries.map(({ name, size }) => [name, size]), [['extension/dist/extension.js', 5000], ['extension/package.json', 2]]);
    assert.ok(entries[0].packed < 5000);
  });
});
