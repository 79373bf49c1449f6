import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, folder, read, run } from './support';

interface Summary { findings: { uri: string; line: number; rule: string; masked: string; origin: string }[]; scanned: number; cancelled: boolean }

const PATTERN_KEY = 'sk-proj-' + 'T3BlbkFJ'.repeat(2) + 'Qw9xZr4Lm2Np7Kv5Jh8Gf3Dd1Ss6Aa0Pp';
const OWN_KEY = 'qwertyuiopQWERTYUIOP0123456789zxcvbn'; // a key with no known prefix: only the vault knows it

describe('leak scan', () => {
  const app = () => folder('app');
  const config = () => vscode.workspace.getConfiguration('crucibleKeys');
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    await config().update('customProviders', [{ id: 'local', label: 'Local LLM', baseUrl: 'http://127.0.0.1:9/v1', envVar: 'LOCAL_LLM_KEY', verify: false }], vscode.ConfigurationTarget.Global);
    const testing = await api();
    await testing.refreshed();
    await addKey('custom:local', OWN_KEY);
    await addKey('openrouter', fakeKey('openrouter', 'valid'));
    mkdirSync(path.join(app(), 'src'), { recursive: true });
    writeFileSync(path.join(app(), 'src', 'config.ts'), `export const client = new OpenAI({ apiKey: "${PATTERN_KEY}" });\n`);
    writeFileSync(path.join(app(), 'settings.json'), `{\n  "local": "${OWN_KEY}"\n}\n`);
    writeFileSync(path.join(app(), '.env'), `${read(path.join(app(), '.env'))}OPENAI_API_KEY=${PATTERN_KEY}\n`);
    execFileSync('git', ['add', 'src/config.ts', 'settings.json'], { cwd: app() });
  });
  after(async () => {
    execFileSync('git', ['rm', '-q', '--cached', 'src/config.ts', 'settings.json'], { cwd: app() });
    rmSync(path.join(app(), 'src'), { recursive: true, force: true });
    rmSync(path.join(app(), 'settings.json'), { force: true });
    await config().update('customProviders', undefined, vscode.ConfigurationTarget.Global);
  });

  it('finds a planted key in a tracked file and not in an ignored one, and a stored key with no known prefix', async () => {
    const summary = await vscode.commands.executeCommand<Summary>('crucibleKeys.scanForLeaks');
    assert.equal(summary.cancelled, false);
    const where = summary.findings.map((finding) => `${path.relative(app(), vscode.Uri.parse(finding.uri).fsPath)}:${finding.line}:${finding.rule}`).sort();
    assert.ok(where.includes('src/config.ts:1:key:openai'), JSON.stringify(where));
    assert.ok(where.includes('settings.json:2:stored-key'), 'the stored key without a prefix was found by comparison');
    assert.ok(!where.some((entry) => entry.startsWith('.env')), 'the ignored .env is not a leak');
    for (const finding of summary.findings) assert.ok(!finding.masked.includes(OWN_KEY.slice(4, -4)) && !finding.masked.includes(PATTERN_KEY.slice(12, -4)));
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(app(), 'settings.json')));
    assert.equal(diagnostics.length, 1);
    assert.ok(!diagnostics[0].message.includes(OWN_KEY), 'the Problems panel shows the key masked');
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
  });
});
