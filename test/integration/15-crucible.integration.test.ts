import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { parse } from 'dotenv';
import * as vscode from 'vscode';
import { fakeKey } from '../fakeProviders/keys';
import { FAKE_CRUCIBLE_PASSWORD } from '../fakeCrucible/server';
import { addKey, api, envOf, projectBackups, folder, read, run, waitFor, WRITE_AS_IS } from './support';

// The fake Crucible the runner started (test/fakeCrucible), and its control port.
const { apiUrl, controlPort } = JSON.parse(process.env.CRUCIBLE_KEYS_TEST_CRUCIBLE ?? '{}') as { apiUrl: string; controlPort: number };

async function control<T = unknown>(route: string, body?: unknown): Promise<T> {
  const [method, pathname] = route.split(' ');
  const response = await fetch(`http://127.0.0.1:${controlPort}${pathname}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`fake Crucible ${route}: ${response.status}`);
  return response.json() as Promise<T>;
}
const stored = async () => (await control<{ stored: Record<string, string> }>('GET /state')).stored;
const requests = () => control<{ method: string; path: string }[]>('GET /requests');

const KEYS = {
  openrouter: fakeKey('openrouter', 'valid'), openai: fakeKey('openai', 'valid'), anthropic: fakeKey('anthropic', 'valid'), google: fakeKey('google', 'valid'),
};
const PASSPHRASE_ONE = 'crucible-integration-passphrase-one-0123456789';
const SECRETS = [...Object.values(KEYS), FAKE_CRUCIBLE_PASSWORD, PASSPHRASE_ONE];

async function view() {
  return (await api()).crucible().view;
}

function state(comparison: Awaited<ReturnType<typeof view>>['comparison'], provider: string): string | undefined {
  return comparison?.providers.find((entry) => entry.provider === provider)?.state;
}

/** Nothing the extension showed (prompts, errors, the view) holds a key, the password or the passphrase. */
async function assertNoSecretShown(): Promise<void> {
  const testing = await api();
  const shown = JSON.stringify([testing.prompts(), testing.reportedErrors(), testing.crucible()]);
  for (const secret of SECRETS) assert.ok(!shown.includes(secret), 'a secret was shown');
}

describe('the Crucible connection', function () {
  this.timeout(120_000);
  const appEnv = read(envOf('app'));
  const setEnv = (extra: string) => writeFileSync(envOf('app'), `${appEnv}${extra}`);

  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    for (const [provider, key] of Object.entries(KEYS)) await addKey(provider, key);
    await control('POST /restart', { passphrase: PASSPHRASE_ONE, dropSessions: true });
    setEnv(`API_KEY_ENCRYPTION_KEY=${PASSPHRASE_ONE}\n`);
    await run('disconnectCrucible');
  });
  after(async () => {
    writeFileSync(envOf('app'), appEnv);
    await vscode.workspace.getConfiguration('crucibleKeys').update('crucible.apiUrl', apiUrl, vscode.ConfigurationTarget.Global);
    await run('forgetCruciblePassword', { crucibleForgetPassword: 'Forget' });
  });

  it('connects with a typed password it remembers only when asked, refuses a wrong one in one sentence, and uses a trusted .env', async () => {
    const testing = await api();
    assert.equal(await run('connectCrucible', { cruciblePassword: FAKE_CRUCIBLE_PASSWORD, crucibleRememberPassword: 'Not Now' }), true);
    let current = await view();
    assert.equal(current.connection, 'connected');
    assert.equal(current.apiUrl, apiUrl);
    assert.equal(state(current.comparison, 'openrouter'), 'only_in_vault');
    assert.ok(!(await testing.secretEntries()).some((entry) => entry.name.startsWith('crucibleKeys.credential.')), 'not remembered unless asked');

    await run('disconnectCrucible');
    assert.equal(await run('connectCrucible', { cruciblePassword: 'not-the-password' }), undefined);
    current = await view();
    assert.equal(current.connection, 'failed');
    assert.match(current.message ?? '', /refused the password \(401\)/);
    assert.match(testing.reportedErrors().at(-1) ?? '', /^Crucible at http:\/\/127\.0\.0\.1:\d+\/api refused the password \(401\); check ROUNDTABLE_COMMUNITY_AUTH_PASSWORD\.$/);

    setEnv(`API_KEY_ENCRYPTION_KEY=${PASSPHRASE_ONE}\nROUNDTABLE_COMMUNITY_AUTH_PASSWORD=${FAKE_CRUCIBLE_PASSWORD}\n`);
    assert.equal(await run('connectCrucible'), true, 'the password from the trusted .env, nothing asked');
    assert.ok(!testing.prompts().some((prompt) => prompt.id === 'cruciblePassword'));

    setEnv(`API_KEY_ENCRYPTION_KEY=${PASSPHRASE_ONE}\n`);
    await run('disconnectCrucible');
    assert.equal(await run('connectCrucible', { cruciblePassword: FAKE_CRUCIBLE_PASSWORD, crucibleRememberPassword: 'Remember' }), true);
    const credential = (await testing.secretEntries()).find((entry) => entry.name.startsWith('crucibleKeys.credential.crucible-'));
    assert.equal(credential?.kind, 'fernet-token', 'remembered as a Fernet token');
    assert.ok(!(await testing.rawSecrets.get(credential!.name))!.includes(FAKE_CRUCIBLE_PASSWORD));
    await run('disconnectCrucible');
    assert.equal(await run('connectCrucible'), true, 'the remembered password, nothing asked');
    assert.ok(!testing.prompts().some((prompt) => prompt.id === 'cruciblePassword'));
    assert.equal((await view()).passwordRemembered, true);
    await assertNoSecretShown();
  });

  it('explains the bundle rule before sending anything, offers to include Anthropic, pushes and confirms from the masks', async () => {
    const testing = await api();
    const before = (await requests()).filter((request) => request.method === 'PUT').length;
    const declined = await run('pushToCrucible', { cruciblePush: ['OpenAI'] });
    assert.equal(declined, undefined);
    const refusal = testing.prompts().find((prompt) => prompt.id === 'crucibleBundle');
    assert.match(refusal?.title ?? '', /Crucible would refuse this: without an OpenRouter key it takes OpenAI and Anthropic keys only together/);
    assert.ok(refusal?.options.some((option) => /Include Anthropic from the vault as well/.test(option)));
    assert.equal((await requests()).filter((request) => request.method === 'PUT').length, before, 'nothing was sent');

    const outcome = await run<{ confirmed: boolean }>('pushToCrucible', {
      cruciblePush: ['OpenAI'], crucibleBundle: (prompt) => prompt.options.find((option) => /Include Anthropic/.test(option)), crucibleConfirm: 'Push',
    });
    assert.deepEqual(outcome, { confirmed: true });
    const confirm = testing.prompts().find((prompt) => prompt.id === 'crucibleConfirm')!;
    assert.match(confirm.title, /^Push 2 keys to Crucible at http:\/\/127\.0\.0\.1/);
    assert.match(confirm.detail ?? '', /OpenAI key \(…\S{4}, \d+ characters\) would be added/);
    assert.deepEqual(await stored(), { openai: 'readable', anthropic: 'readable' });
    const current = await view();
    assert.equal(state(current.comparison, 'openai'), 'same');
    assert.equal(state(current.comparison, 'anthropic'), 'same');
    assert.equal(state(current.comparison, 'openrouter'), 'only_in_vault');
    await assertNoSecretShown();
  });

  it('writes Google under "google", reads "gemini" too, compares a different key and one only in Crucible, and removes', async () => {
    assert.deepEqual(await run('pushToCrucible', { cruciblePush: ['OpenRouter', 'Google Gemini'], crucibleConfirm: 'Push' }), { confirmed: true });
    assert.equal((await stored()).google, 'readable');
    await control('POST /seed', { keys: { openai: fakeKey('openai', 'rejected'), xai: fakeKey('xai', 'valid') } });
    await run('refreshCrucible');
    let current = await view();
    assert.equal(state(current.comparison, 'openai'), 'different');
    assert.equal(state(current.comparison, 'xai'), 'only_in_crucible');

    assert.deepEqual(await run('removeFromCrucible', { crucibleRemove: ['xAI'], crucibleConfirm: 'Remove' }), { confirmed: true });
    assert.equal((await stored()).xai, undefined);
    assert.deepEqual(await run('pushToCrucible', { cruciblePush: ['OpenAI'], crucibleConfirm: 'Push' }), { confirmed: true });
    current = await view();
    assert.equal(state(current.comparison, 'openai'), 'same');
  });

  it('shows ***error*** as unreadable after Crucible\'s passphrase changes, and re-enters exactly those keys from the vault', async () => {
    const testing = await api();
    await control('POST /seed', { keys: { deepseek: fakeKey('deepseek', 'valid') } });
    await control('POST /restart', { passphrase: 'crucible-integration-lost-passphrase-987654', dropSessions: true });
    await run('refreshCrucible');
    const current = await view();
    assert.equal(current.connection, 'connected', 'logged in again with the remembered password');
    for (const provider of ['openrouter', 'openai', 'anthropic', 'google', 'deepseek']) assert.equal(state(current.comparison, provider), 'unreadable', provider);
    assert.deepEqual(await run('reenterCrucibleKeys', { crucibleReenter: 'Re-enter' }), { confirmed: true });
    const reenter = testing.prompts().find((prompt) => prompt.id === 'crucibleReenter')!;
    assert.match(reenter.title, /^Re-enter OpenRouter, OpenAI, Anthropic, Google Gemini in Crucible from the development profile\?$/);
    assert.match(reenter.detail ?? '', /DeepSeek stays unreadable: the vault has no key for it/);
    const after = await stored();
    assert.deepEqual([after.openrouter, after.openai, after.anthropic, after.google, after.deepseek], ['readable', 'readable', 'readable', 'readable', 'unreadable']);
    await run('removeFromCrucible', { crucibleRemove: ['DeepSeek'], crucibleConfirm: 'Remove' });
    await control('POST /restart', { passphrase: PASSPHRASE_ONE });
    await control('POST /seed', { keys: { openrouter: KEYS.openrouter, openai: KEYS.openai, anthropic: KEYS.anthropic, google: KEYS.google } });
  });

  it('rotates Crucible\'s encryption key in five resumable steps: a stop before the restart, a restart that did not happen, then the whole way', async () => {
    const testing = await api();
    await run('refreshCrucible');
    // Stopped at step 2: the new key is in the .env (the old one on a dated comment line), and the flow waits there.
    let result = await run<{ done: boolean }>('rotateCrucibleEncryptionKey', { folder: 'app', crucibleRotate: 'Rotate', writeConfirm: WRITE_AS_IS });
    assert.deepEqual(result, { done: false });
    assert.equal(testing.crucible().rotationStep, 'restart');
    const written = parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY;
    assert.ok(written && written !== PASSPHRASE_ONE);
    assert.match(read(envOf('app')), new RegExp(`^# API_KEY_ENCRYPTION_KEY=${PASSPHRASE_ONE}  # replaced by Crucible Keys on \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    assert.ok((await projectBackups(folder('app'))).includes(PASSPHRASE_ONE), 'the old key is backed up');

    // "It has restarted", but it has not: step 4 sees Crucible still reading its keys with the old passphrase.
    result = await run('rotateCrucibleEncryptionKey', { crucibleRotationResume: 'resume', crucibleRestart: 'It Has Restarted' });
    assert.deepEqual(result, { done: false });
    assert.equal(testing.crucible().rotationStep, 'restart', 'back to the restart');

    // The restart really happens this time (the fake comes back under the new key), and the flow runs to the end.
    result = await run('rotateCrucibleEncryptionKey', {
      crucibleRotationResume: 'resume',
      crucibleRestart: async () => {
        await control('POST /restart', { passphrase: parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY, dropSessions: true, downMs: 1500 });
        return 'It Has Restarted';
      },
    });
    assert.deepEqual(result, { done: true });
    assert.equal(testing.crucible().rotationStep, undefined, 'the flow is finished');
    assert.equal(parse(read(envOf('app'))).API_KEY_ENCRYPTION_KEY, written, 'step 1 did not run twice');
    assert.deepEqual(await stored(), { openrouter: 'readable', openai: 'readable', anthropic: 'readable', google: 'readable' });
    const current = await view();
    for (const provider of ['openrouter', 'openai', 'anthropic', 'google']) assert.equal(state(current.comparison, provider), 'same', provider);
    await assertNoSecretShown();
  });

  it('another extension calling the Crucible commands with any arguments sends, removes and forgets nothing', async () => {
    const testing = await api();
    await run('refreshCrucible');
    const puts = (await requests()).filter((request) => request.method === 'PUT').length;
    const before = await stored();
    const secretsBefore = (await testing.secretEntries()).map((entry) => entry.name);
    testing.answer({});
    testing.clearPrompts();
    const plan: unknown[][] = [
      ['crucibleKeys.pushToCrucible', 'openrouter', { confirm: true, providers: ['openai'] }],
      ['crucibleKeys.pushToCrucible', { id: 'anthropic' }],
      ['crucibleKeys.removeFromCrucible', 'openai', { confirm: true }],
      ['crucibleKeys.reenterCrucibleKeys', { confirm: true }],
      ['crucibleKeys.rotateCrucibleEncryptionKey', { folder: folder('app'), confirm: true }],
      ['crucibleKeys.forgetCruciblePassword', { confirm: true }],
    ];
    const results = await vscode.commands.executeCommand<{ command: string; result?: unknown; error?: string }[]>('hostileProbe.attack', plan);
    assert.equal(results.length, plan.length);
    assert.equal((await requests()).filter((request) => request.method === 'PUT').length, puts, 'nothing was sent to Crucible');
    assert.deepEqual(await stored(), before);
    assert.deepEqual((await testing.secretEntries()).map((entry) => entry.name), secretsBefore, 'the remembered password is still there');
    assert.equal(testing.crucible().rotationStep, undefined, 'no rotation was started');
    assert.deepEqual(testing.prompts().map((prompt) => prompt.id), ['cruciblePush', 'cruciblePush', 'crucibleRemove', 'folder', 'crucibleForgetPassword']);
    assert.ok(!JSON.stringify(results).includes(FAKE_CRUCIBLE_PASSWORD) && !Object.values(KEYS).some((key) => JSON.stringify(results).includes(key)));
  });

  it('says in one sentence when the server is down, not Crucible, failing, refusing a key, or slow; never with a secret', async () => {
    const testing = await api();
    const expectations: [string, () => Promise<unknown>, RegExp][] = [
      ['failing', () => control('POST /fault', { path: '/api/user/settings', fault: 'e500' }), /^Crucible at \S+ failed \(HTTP 500\), saying "An internal error occurred\. Please try again later"\.$/],
      ['refusing', () => control('POST /fault', { path: '/api/user/settings', fault: 'echo' }), /^Crucible at \S+ refused the request for its settings \(HTTP 400\)/],
      ['not Crucible', () => control('POST /fault', { path: '/api/user/settings', fault: 'html' }), /does not look like Crucible; check the API URL\.$/],
      ['slow', () => control('POST /fault', { path: '/api/user/settings', fault: 'hang' }), /^Crucible at \S+ did not answer within 3 seconds\.$/],
      // A later answer of the same session repeats the login body: the password stays out of the sentence.
      ['repeating the password', () => control('POST /fault', { path: '/api/user/settings', fault: 'echologin' }), /^Crucible at \S+ failed \(HTTP 500\)/],
    ];
    for (const [what, plant, sentence] of expectations) {
      await plant();
      assert.equal(await run('refreshCrucible'), undefined, what);
      assert.match(testing.reportedErrors().at(-1) ?? '', sentence, what);
      assert.ok(!(testing.reportedErrors().at(-1) ?? '').toLowerCase().includes(FAKE_CRUCIBLE_PASSWORD.toLowerCase()), `${what}: no password`);
      assert.equal((await view()).connection, 'failed', what);
      await control('POST /fault', { path: '/api/user/settings', fault: null });
      assert.equal(await run('connectCrucible'), true, `${what}: connects again`);
    }
    // Crucible refuses a save with a detail that repeats the request (the key, the token): the sentence keeps neither.
    await control('POST /seed', { keys: { openrouter: fakeKey('openrouter', 'nolimit') } });
    await control('POST /fault', { path: 'PUT /api/user/settings', fault: 'echo' });
    assert.equal(await run('pushToCrucible', { cruciblePush: ['OpenRouter'], crucibleConfirm: 'Push' }), undefined);
    assert.match(testing.reportedErrors().at(-1) ?? '', /^Crucible at \S+ refused the save \(HTTP 400\): "Bad request Bearer \[token\] with .*sk-or-v1-…\w{4}.*"\.$/, 'its own sentence, with the token and the key masked');
    await control('POST /fault', { path: 'PUT /api/user/settings', fault: null });
    assert.deepEqual(await run('pushToCrucible', { cruciblePush: ['OpenRouter'], crucibleConfirm: 'Push' }), { confirmed: true });

    await vscode.workspace.getConfiguration('crucibleKeys').update('crucible.apiUrl', 'http://127.0.0.1:9/api', vscode.ConfigurationTarget.Global);
    assert.equal(await run('connectCrucible'), undefined);
    assert.match(testing.reportedErrors().at(-1) ?? '', /^Crucible at http:\/\/127\.0\.0\.1:9\/api is not reachable: the connection was refused; is it running\?$/);
    await vscode.workspace.getConfiguration('crucibleKeys').update('crucible.apiUrl', 'https://user:pw@example.invalid/api', vscode.ConfigurationTarget.Global);
    assert.equal(await run('connectCrucible'), undefined);
    assert.match(testing.reportedErrors().at(-1) ?? '', /crucibleKeys\.crucible\.apiUrl is not usable: The Crucible API URL must not contain a user name or password/);
    assert.ok(!testing.reportedErrors().join('\n').includes('pw@'), 'the URL with its credentials is never echoed');
    await vscode.workspace.getConfiguration('crucibleKeys').update('crucible.apiUrl', apiUrl, vscode.ConfigurationTarget.Global);
    await assertNoSecretShown();
  });

  it('never lets a slow read that began before a push, or before a disconnect, overwrite what came after it', async () => {
    assert.equal(await run('connectCrucible'), true);
    await control('POST /seed', { keys: { openrouter: fakeKey('openrouter', 'nolimit') } }); // Crucible holds another key
    const held = async () => (await control<{ held: number }>('GET /held')).held === 1;
    try {
      // A refresh reads "different key", but its answer is slow to arrive; meanwhile the vault's key is pushed.
      await control('POST /hold', { route: 'GET /api/user/settings' });
      const slowRefresh = run('refreshCrucible');
      await waitFor(held, 'the refresh\'s read to be held');
      assert.deepEqual(await run('pushToCrucible', { cruciblePush: ['OpenRouter'], crucibleConfirm: 'Push' }), { confirmed: true });
      assert.equal(state((await view()).comparison, 'openrouter'), 'same');
      await control('POST /release');
      await slowRefresh;
      assert.equal(state((await view()).comparison, 'openrouter'), 'same', 'the older read did not undo the push');

      await control('POST /hold', { route: 'GET /api/user/settings' });
      const readBeforeDisconnect = run('refreshCrucible');
      await waitFor(held, 'the second refresh\'s read to be held');
      await run('disconnectCrucible');
      await control('POST /release');
      await readBeforeDisconnect;
      assert.equal((await view()).connection, 'disconnected', 'a read that landed after Disconnect does not connect it again');
    } finally {
      await control('POST /release');
    }
    assert.equal(await run('connectCrucible'), true);
  });
});
