import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'dotenv';
import * as vscode from 'vscode';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, api, envOf, exportedKeys, folder, read, run, WRITE_AS_IS } from './support';

const OLD = fakeKey('openrouter', 'valid');
const NEW = fakeKey('openrouter', 'nolimit');
const DAY = 86_400_000;

describe('replacing a key, reminders and terminals', () => {
  const appEnv = read(envOf('app'));
  const deploy = () => path.join(folder('legacy'), 'deploy.env');
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    await addKey('openrouter', OLD);
    writeFileSync(envOf('app'), `${appEnv}ROUNDTABLE_OPENROUTER_API_KEY=${OLD}\n`);
    writeFileSync(deploy(), `OPENROUTER_API_KEY=${OLD}\nOTHER=1\n`);
  });
  after(() => {
    writeFileSync(envOf('app'), appEnv);
    unlinkSync(deploy());
    execFileSync('git', ['checkout', '--', '.env'], { cwd: folder('legacy') });
  });

  it('reminds at most once a day about an old key; snoozing and muting hold (with an injected clock)', async () => {
    const testing = await api();
    const later = Date.now() + 91 * DAY;
    testing.answer({ reminder: 'Snooze 30 Days' });
    assert.equal((await testing.checkReminders(later))?.provider, 'openrouter');
    assert.match(testing.prompts().at(-1)?.title ?? '', /The OpenRouter key \(development\) is 91 days old/);
    assert.equal(await testing.checkReminders(later + 60_000), undefined, 'once a day');
    assert.equal(await testing.checkReminders(later + DAY), undefined, 'snoozed');
    testing.answer({ reminder: 'Don\'t Remind Me for This Key' });
    assert.equal((await testing.checkReminders(later + 31 * DAY))?.provider, 'openrouter', 'back after the snooze');
    assert.equal(await testing.checkReminders(later + 33 * DAY), undefined, 'muted for good');
  });

  it('replaces a key: checks the new one, writes it into every .env that held the old one after one confirmation, keeps the old one for undo', async () => {
    const testing = await api();
    const outcome = await run<{ replaced: boolean; files: string[] }>('replaceKey', { replaceKeyInput: NEW, replaceConfirm: 'Replace' }, 'openrouter');
    assert.equal(outcome.replaced, true);
    assert.deepEqual(outcome.files.sort(), [deploy(), envOf('app')].sort());
    const prompts = testing.prompts();
    assert.equal(prompts[0].kind, 'openLink', 'the provider\'s key page opens first');
    assert.equal(prompts[0].title, 'https://openrouter.ai/settings/keys');
    const confirm = prompts.find((prompt) => prompt.id === 'replaceConfirm')!;
    assert.match(confirm.title, /in the vault and in 2 files/);
    assert.match(confirm.detail ?? '', /deploy\.env \(OPENROUTER_API_KEY\): .*not ignored by git/);
    assert.ok(!JSON.stringify(prompts).includes(OLD) && !JSON.stringify(prompts).includes(NEW), 'no key in any prompt');
    assert.equal(parse(read(envOf('app'))).ROUNDTABLE_OPENROUTER_API_KEY, NEW);
    assert.deepEqual(parse(read(deploy())), { OPENROUTER_API_KEY: NEW, OTHER: '1' });
    assert.deepEqual(await exportedKeys('app', ['openrouter']), { ROUNDTABLE_OPENROUTER_API_KEY: NEW });
    await testing.refreshed();
    const view = testing.snapshot().providers.find((candidate) => candidate.id === 'openrouter')!;
    assert.ok(view.previous, 'the old key is kept');
    assert.ok(Date.parse(view.previous!.keptUntil) - Date.now() > 6.9 * DAY);
  });

  it('undoes the replacement: the previous key goes back into the vault and the files', async () => {
    const outcome = await run<{ replaced: boolean; files: string[] }>('restorePreviousKey', { restorePreviousConfirm: 'Restore', writeConfirm: WRITE_AS_IS }, 'openrouter');
    assert.equal(outcome.replaced, true);
    assert.equal(parse(read(envOf('app'))).ROUNDTABLE_OPENROUTER_API_KEY, OLD);
    assert.equal(parse(read(deploy())).OPENROUTER_API_KEY, OLD);
    assert.deepEqual(await exportedKeys('app', ['openrouter']), { ROUNDTABLE_OPENROUTER_API_KEY: OLD });
  });

  it('refuses a replacement the provider rejects, and changes nothing', async () => {
    const before = read(envOf('app'));
    assert.equal(await run('replaceKey', { replaceKeyInput: fakeKey('openrouter', 'rejected'), replaceConfirm: 'Replace' }, 'openrouter'), undefined);
    assert.equal(read(envOf('app')), before);
    assert.deepEqual(await exportedKeys('app', ['openrouter']), { ROUNDTABLE_OPENROUTER_API_KEY: OLD });
  });

  it('gives new terminals the active profile\'s keys only when asked, in a collection that is never persisted', async () => {
    const testing = await api();
    assert.deepEqual((await testing.terminals()).variables, {}, 'off by default');
    await vscode.workspace.getConfiguration('crucibleKeys').update('injectIntoTerminals', true, vscode.ConfigurationTarget.Global);
    try {
      const on = await testing.terminals();
      assert.equal(on.persistent, false);
      assert.deepEqual(on.variables, { ROUNDTABLE_OPENROUTER_API_KEY: OLD });
      assert.match(on.description, /development profile's keys \(ROUNDTABLE_OPENROUTER_API_KEY\).*nothing is written to disk/);
      await run('switchProfile', { profile: 'production' });
      assert.deepEqual((await testing.terminals()).variables, {}, 'the production profile has no keys yet');
      await run('switchProfile', { profile: 'development' });
    } finally {
      await vscode.workspace.getConfiguration('crucibleKeys').update('injectIntoTerminals', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.deepEqual((await testing.terminals()).variables, {});
  });

  it('writes every file it can when one cannot be written, names the one left with the old key, and keeps a value edited after the confirmation', async () => {
    const testing = await api();
    const staging = path.join(folder('legacy'), 'staging.env');
    const edited = `sk-or-v1-${'e'.repeat(64)}`;
    writeFileSync(envOf('app'), `${appEnv}ROUNDTABLE_OPENROUTER_API_KEY=${OLD}\n`);
    writeFileSync(deploy(), `OPENROUTER_API_KEY=${OLD}\nOTHER=1\n`);
    writeFileSync(staging, `OPENROUTER_API_KEY=${OLD}\n`);
    try {
      // Between the confirmation and the writes: deploy.env turns read-only, and someone edits staging.env.
      const outcome = await run<{ replaced: boolean; files: string[] }>('replaceKey', {
        replaceKeyInput: NEW,
        replaceConfirm: () => { chmodSync(deploy(), 0o444); writeFileSync(staging, `OPENROUTER_API_KEY=${edited}\n`); return 'Replace'; },
      }, 'openrouter');
      assert.equal(outcome.replaced, true);
      assert.deepEqual(outcome.files, [envOf('app')], 'the writable file is written');
      assert.equal(parse(read(envOf('app'))).ROUNDTABLE_OPENROUTER_API_KEY, NEW);
      assert.equal(parse(read(deploy())).OPENROUTER_API_KEY, OLD, 'the read-only file is left as it was');
      assert.equal(parse(read(staging)).OPENROUTER_API_KEY, edited, 'the edit made after the confirmation is kept');
      const reminder = testing.prompts().find((prompt) => prompt.id === 'revokeReminder')!;
      assert.match(reminder.title, /deploy\.env/);
      assert.match(reminder.title, /still holds? the old key/);
      assert.match(reminder.title, /before you revoke the old key/);
      assert.match(reminder.title, /staging\.env changed since the confirmation and was left as it is\.$/);
      assert.ok(!JSON.stringify(testing.prompts()).includes(OLD) && !JSON.stringify(testing.prompts()).includes(NEW), 'no key in any prompt');
    } finally {
      chmodSync(deploy(), 0o644);
      unlinkSync(staging);
    }
  });
});
