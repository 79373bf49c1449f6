// The README's verdict and provider-page tables are generated from the rules and the catalog; this fails when they drift.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BUILT_IN_PROVIDERS } from '../../src/core/catalog';
import { OperationError } from '../../src/core/errors';
import { VERDICT_RULES } from '../../src/core/verify/rules';
import { verdictTable, withGeneratedTables } from '../../scripts/readmeTables';
import { REPO_ROOT } from '../support/cli';

describe('README generated tables', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

  it('match what `npm run verdict-table` writes from the rules and the catalog', () => {
    const regenerated = withGeneratedTables(readme);
    assert.ok(regenerated === readme, 'README.md differs from the generated tables: run `npm run verdict-table` and commit the result');
  });

  it('have one verdict row per rule and per admin or management prefix, in the order the classifier reads them', () => {
    const rows = verdictTable().split('\n').slice(2);
    const prefixes = BUILT_IN_PROVIDERS.flatMap((provider) => provider.accountKeyPrefixes ?? []);
    assert.equal(rows.length, prefixes.length + VERDICT_RULES.length);
    VERDICT_RULES.forEach((rule, index) => assert.match(rows[prefixes.length + index], new RegExp(`\\| ${rule.verdict} \\|`)));
    assert.ok(readme.includes(rows[rows.length - 1]), 'the last rule is missing from the README');
  });

  it('refuse a README without the markers, naming the block', () => {
    assert.throws(() => withGeneratedTables('# no tables here\n'), (error: unknown) => error instanceof OperationError && /verdict-table:start/.test(error.message));
  });
});
