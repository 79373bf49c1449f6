// Attacks on the git safety of the one plaintext write path (issue item 3/4): "Add to .gitignore and Write" must leave
// the written file ignored. The line added is the path itself, and .gitignore reads it as a pattern.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writePlaintext } from '../../src/core/env/plaintextWrite';
import { checkGitSafety, gitignorePattern } from '../../src/core/gitSafety';
import { tempDir } from '../support/tempDir';

function repo(): string {
  const dir = tempDir();
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

describe('attack: "Add to .gitignore" with a path git reads as a pattern', () => {
  for (const relative of ['app [old]/.env', '#secrets.env', '!keys.env']) {
    it(`leaves ${JSON.stringify(relative)} ignored after "Add to .gitignore and Write"`, async () => {
      const root = repo();
      const file = path.join(root, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      let offered: string | undefined;
      const result = await writePlaintext(
        { file, updates: { OPENAI_API_KEY: 'sk-proj-' + 'Zq9'.repeat(12) }, variables: ['OPENAI_API_KEY'], folder: path.dirname(file), gitAllowed: true },
        { interactive: true, confirm: async (review) => { offered = review.git.gitignoreLine; return { write: true, fix: 'ignore' }; } },
      );
      assert.ok(result?.changed, 'the key was written');
      assert.equal(offered, gitignorePattern(relative.split(path.sep).join('/')), 'the person was offered to ignore exactly this file');
      const after = await checkGitSafety(file);
      const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
      assert.equal(after.state, 'ignored', `after the fix git still says: ${after.message} (git status: ${JSON.stringify(status)})`);
    });
  }
});
