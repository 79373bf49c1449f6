// npm run verdict-table: writes the generated tables (the verdict rules, the provider pages) into README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CrucibleKeysError } from '../src/core/errors';
import { withGeneratedTables } from './readmeTables';

const readmePath = path.resolve(__dirname, '..', 'README.md');
const before = readFileSync(readmePath, 'utf8');
try {
  const after = withGeneratedTables(before);
  if (after === before) {
    console.log('README.md: the generated tables are up to date.');
  } else {
    writeFileSync(readmePath, after);
    console.log('README.md: the generated tables were rewritten.');
  }
} catch (error) {
  if (!(error instanceof CrucibleKeysError)) throw error;
  console.error(error.message);
  process.exitCode = error.exitCode;
}
