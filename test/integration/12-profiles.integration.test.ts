import assert from 'node:assert/strict';
import { existsSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import * as vscode from 'vscode';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, copyToEnv, exportedKeys, folder, read, run } from './support';

const DEVELOPMENT = fakeKey('openrouter', 'valid');
const PRODUCTION = fakeKey('openrouter', 'nolimit');

describe('key profiles', () => {
  before(async () => { await run('forgetAll', { forgetAllConfirm: 'Forget All' }); });
  after(async () => { await run('switchProfile', { profile: 'development' }); });

  it('keeps development and production keys apart, each written to its own .env by default', async () => {
    const testing = await api();
    assert.equal(testing.snapshot().profile, 'development');
    await addKey('openrouter', DEVELOPMENT);
    assert.equal(await run('switchProfile', { profile: 'production' }), 'production');
    assert.equal(testing.snapshot().profile, 'production');
    assert.equal(testing.snapshot().providers.find((view) => view.id === 'openrouter')?.status, 'not_set', 'production starts empty');
    await addKey('openrouter', PRODUCTION);
    const names = (await testing.secretEntries()).map((entry) => entry.name);
    assert.ok(names.includes('crucibleKeys.development.openrouter') && names.includes('crucibleKeys.production.openrouter'));
    // Copy to .env in production: the default target is the folder's .env.production.
    const target = path.join(folder('app'), '.env.production');
    try {
      const outcome = await copyToEnv({ folder: 'app', file: target, providers: ['openrouter'], confirm: (prompt) => prompt.options.find((label) => label.startsWith('Write')) });
      assert.equal(outcome.status, 'written');
      const offered = testing.prompts().find((prompt) => prompt.id === 'envTarget')!;
      assert.equal(offered.options[0], '.env.production', 'the production profile offers .env.production first');
      assert.equal(parse(read(target)).ROUNDTABLE_OPENROUTER_API_KEY, PRODUCTION);
    } finally {
      if (existsSync(target)) unlinkSync(target);
    }
    assert.equal(await run('switchProfile', { profile: 'development' }), 'development');
    assert.deepEqual(await exportedKeys('app', ['openrouter']), { ROUNDTABLE_OPENROUTER_API_KEY: DEVELOPMENT });
  });

  it('warns when the same key is stored in two profiles', async () => {
    const testing = await api();
    await run('switchProfile', { profile: 'production' });
    await addKey('openrouter', DEVELOPMENT);
    await testing.refreshed();
    assert.deepEqual(testing.snapshot().providers.find((view) => view.id === 'openrouter')?.sharedWith, ['development']);
    await addKey('openrouter', PRODUCTION);
    await testing.refreshed();
    assert.equal(testing.snapshot().providers.find((view) => view.id === 'openrouter')?.sharedWith, undefined);
  });

  it('adds a profile of the user\'s own, kept in settings, with its own target', async () => {
    const testing = await api();
    assert.equal(await run('switchProfile', { profile: 'Add a profile…', profileName: 'Bad Name' }), undefined, 'a bad name is refused');
    assert.equal(await run('switchProfile', { profile: 'Add a profile…', profileName: 'staging' }), 'staging');
    assert.deepEqual(vscode.workspace.getConfiguration('crucibleKeys').get('profiles'), { staging: { envFile: '.env.staging' } });
    assert.ok(testing.snapshot().profiles.includes('staging'));
    await vscode.workspace.getConfiguration('crucibleKeys').update('profiles', undefined, vscode.ConfigurationTarget.Global);
  });
});
