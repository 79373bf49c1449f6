// Builds Diagnose reports over real files in a temp folder, for the core's unit tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ProviderCatalog } from '../../src/core/catalog';
import { buildDiagnoseReport } from '../../src/core/diagnose/report';
import type { DiagnoseCheck, DiagnoseInput, DiagnoseReport } from '../../src/core/diagnose/types';
import { tempDir } from './tempDir';

export const KEYS = {
  openrouter: `sk-or-v1-${'0a1b2c3d'.repeat(8)}`,
  openrouterOld: `sk-or-v1-${'9f8e7d6c'.repeat(8)}`,
  openai: 'sk-proj-Qw3rTy7uIoP9aSdF2gHjK4lZxCvB',
  eden: 'sk-eden-Mn8bV5cX2zL1kJ4hG7fD',
  google: 'AIzaSyD4x9Q2w8E7r6T5y4U3i2O1p0AsDfGhJkL',
  gemini: 'AIzaSyZ9z8Y7x6W5v4U3t2S1r0QpOnMlKjIhGfE',
};
export const PASSPHRASE = 'kq3J9xV2mZp7LwR4tY8uN1bC6dF0gH5sA2eQ9iO';

/** A folder with these files (paths relative to it); `git: true` makes it a repository. */
export function project(files: Record<string, string>, options: { git?: boolean } = {}): string {
  const dir = tempDir('crucible-keys-diagnose-');
  if (options.git) execFileSync('git', ['init', '-q'], { cwd: dir });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export function diagnose(dir: string, input: Partial<DiagnoseInput> = {}): Promise<DiagnoseReport> {
  return buildDiagnoseReport({ catalog: new ProviderCatalog(), folder: dir, envFile: path.join(dir, '.env'), environment: {}, gitAllowed: true, ...input });
}

export function checks(report: DiagnoseReport): DiagnoseCheck[] {
  return report.sections.flatMap((section) => section.checks);
}

/** The one check with this id; fails the test with the ids there are when it is missing. */
export function check(report: DiagnoseReport, id: string): DiagnoseCheck {
  const found = checks(report).find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no check ${id}; the report has: ${checks(report).map((candidate) => candidate.id).join(', ')}`);
  return found;
}

export function ids(report: DiagnoseReport): string[] {
  return checks(report).map((candidate) => candidate.id);
}
