// When to remind about an old key, and which .env files hold a key: the pure parts of the guided replacement.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findKeyHolders } from '../../src/core/replacement/holders';
import { DAY_MS, dueReminder, forgetReminder, markShown, mute, type ReminderState, snooze } from '../../src/core/replacement/reminders';
import { tempDir } from '../support/tempDir';

const START = Date.parse('2026-01-01T09:00:00Z');
const keys = [
  { profile: 'development', provider: 'openrouter', addedAt: new Date(START).toISOString() },
  { profile: 'development', provider: 'openai', addedAt: new Date(START + 10 * DAY_MS).toISOString() },
];

describe('rotation reminders', () => {
  it('names the oldest key past the limit, once a day, and never a snoozed or muted one', () => {
    let state: ReminderState = { keys: {} };
    assert.equal(dueReminder(keys, 90, state, START + 89 * DAY_MS), undefined, 'not yet due');
    const first = START + 100 * DAY_MS;
    assert.deepEqual(dueReminder(keys, 90, state, first), { ...keys[0], ageDays: 100 });
    state = markShown(state, first);
    assert.equal(dueReminder(keys, 90, state, first + 60_000), undefined, 'at most once a day');
    assert.equal(dueReminder(keys, 90, state, first + DAY_MS)?.provider, 'openrouter', 'again the next day');
    state = snooze(state, keys[0], first + DAY_MS);
    assert.equal(dueReminder(keys, 90, state, first + 2 * DAY_MS)?.provider, 'openai', 'the snoozed key steps aside for the next oldest');
    state = mute(state, keys[1]);
    assert.equal(dueReminder(keys, 90, state, first + 2 * DAY_MS), undefined);
    assert.equal(dueReminder(keys, 90, state, first + 32 * DAY_MS)?.provider, 'openrouter', 'back after the 30-day snooze');
    assert.equal(dueReminder(keys, 90, forgetReminder(state, keys[1]), first + 2 * DAY_MS)?.provider, 'openai', 'a replaced key starts afresh');
    assert.equal(dueReminder(keys, 0, { keys: {} }, first), undefined, '0 turns reminders off');
    assert.equal(dueReminder([{ profile: 'p', provider: 'constructor', addedAt: 'not a date' }], 90, { keys: {} }, first), undefined);
  });
});

describe('key holders', () => {
  it('finds every file and variable holding a key, compared in memory, and names files it could not read', async () => {
    const dir = tempDir();
    const key = 'sk-or-v1-' + 'ab'.repeat(32);
    writeFileSync(path.join(dir, '.env'), `ROUNDTABLE_OPENROUTER_API_KEY=${key}\nOPENROUTER_API_KEY=${key}\nOTHER=${key}x\n`);
    writeFileSync(path.join(dir, '.env.production'), 'ROUNDTABLE_OPENROUTER_API_KEY=sk-or-v1-other\n');
    mkdirSync(path.join(dir, 'folder.env'));
    const found = await findKeyHolders([path.join(dir, '.env'), path.join(dir, '.env.production'), path.join(dir, 'folder.env')], key);
    assert.deepEqual(found.holders, [{ file: path.join(dir, '.env'), variables: ['ROUNDTABLE_OPENROUTER_API_KEY', 'OPENROUTER_API_KEY'] }]);
    assert.equal(found.unreadable.length, 1);
    assert.match(found.unreadable[0].reason, /is a folder/);
    assert.ok(!JSON.stringify(found).includes(key.slice(9)), 'no key in what is reported');
  });
});
