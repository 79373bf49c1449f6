// The fake Crucible itself: that it keeps Crucible's rules, since every other Crucible test trusts it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Fernet } from '../../src/core/fernet';
import { deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { FAKE_CRUCIBLE_PASSPHRASE, FAKE_CRUCIBLE_PASSWORD, FakeCrucibleServer } from '../fakeCrucible/server';

const OPENROUTER = `sk-or-v1-${'ab'.repeat(32)}`;
const OPENAI = `sk-proj-${'C'.repeat(40)}`;
const ANTHROPIC = `sk-ant-api03-${'D'.repeat(40)}`;

let fake: FakeCrucibleServer;

async function call(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${fake.apiUrl}${route}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() as Record<string, unknown> };
}

async function login(): Promise<string> {
  const answer = await call('POST', '/auth/login', { username: 'admin', password: FAKE_CRUCIBLE_PASSWORD });
  assert.equal(answer.status, 200);
  return answer.json.access_token as string;
}

const save = (token: string, providerApiKeys: Record<string, unknown>) => call('PUT', '/user/settings', { providerApiKeys }, token);
const keysOf = async (token: string) => (await call('GET', '/user/settings', undefined, token)).json.providerApiKeys;

describe('the fake Crucible', () => {
  beforeEach(async () => { fake = new FakeCrucibleServer(); await fake.start(); });
  afterEach(() => fake.stop());

  it('answers /health and /version as Crucible does', async () => {
    assert.deepEqual(await call('GET', '/health'), { status: 200, json: { status: 'ok' } });
    const version = await call('GET', '/version');
    assert.deepEqual([version.json.product, version.json.edition], ['Crucible', 'community']);
    assert.deepEqual((await call('GET', '/nope')).status, 404);
    assert.deepEqual((await call('DELETE', '/health')).status, 405);
  });

  it('needs both username and password to log in, checks only the password, and gives a bearer session token', async () => {
    const missing = await call('POST', '/auth/login', { password: FAKE_CRUCIBLE_PASSWORD });
    assert.deepEqual(missing, { status: 400, json: { code: 'VALIDATION_ERROR', message: 'Invalid request data', details: { field_errors: { username: 'Field required' } } } });
    assert.equal((await call('POST', '/auth/login', '{not json')).status, 400);
    assert.deepEqual(await call('POST', '/auth/login', { username: 'admin', password: 'wrong' }), { status: 401, json: { detail: 'Invalid password' } });
    const ok = await call('POST', '/auth/login', { username: 'anyone', password: FAKE_CRUCIBLE_PASSWORD });
    assert.deepEqual([ok.status, ok.json.refresh_token, ok.json.token_type], [200, '', 'bearer']);
    assert.equal(fake.issuedTokens.at(-1), ok.json.access_token);
  });

  it('answers 401 without a session or with an unknown one', async () => {
    assert.deepEqual(await call('GET', '/user/settings'), { status: 401, json: { detail: 'Authentication required' } });
    assert.deepEqual(await call('GET', '/user/settings', undefined, 'made-up-token'), { status: 401, json: { detail: 'Could not validate credentials' } });
  });

  it('stores keys encrypted under the derived key and masks them with * and the last 4', async () => {
    const token = await login();
    assert.deepEqual(await keysOf(token), {});
    const saved = await save(token, { openrouter: OPENROUTER, xai: 'xai1' });
    assert.deepEqual((saved.json.providerApiKeys as Record<string, string>), { openrouter: `${'*'.repeat(OPENROUTER.length - 4)}abab`, xai: '****' });
    assert.deepEqual(await keysOf(token), saved.json.providerApiKeys);
    const fernet = new Fernet(await deriveCrucibleFernetKey(FAKE_CRUCIBLE_PASSPHRASE));
    assert.equal(fake.plaintext('openrouter'), OPENROUTER);
    assert.equal(fernet.decrypt(fake.storedToken('openrouter')!), OPENROUTER);
  });

  it('refuses a first save without OpenRouter, OpenAI or Anthropic, and any result without OpenRouter or the pair', async () => {
    const token = await login();
    assert.deepEqual(await save(token, { google: 'AIzaSomething12345' }), { status: 400, json: { detail: 'At least one API key is required (OpenRouter, OpenAI, or Anthropic). Please configure at least one API key to use the system.' } });
    const openaiAlone = await save(token, { openai: OPENAI });
    assert.equal(openaiAlone.status, 400);
    assert.match(openaiAlone.json.detail as string, /^OpenAI and Anthropic keys are a bundle - .*only OpenAI without Anthropic\./);
    assert.deepEqual(fake.storedIds(), [], 'a refused save stores nothing');
    assert.equal((await save(token, { openai: OPENAI, anthropic: ANTHROPIC })).status, 200);
    const dropAnthropic = await save(token, { anthropic: '' });
    assert.equal(dropAnthropic.status, 400);
    assert.deepEqual(fake.storedIds(), ['openai', 'anthropic']);
    assert.equal((await save(token, { openrouter: OPENROUTER })).status, 200);
    assert.equal((await save(token, { openai: '', anthropic: '  ' })).status, 200, 'an empty or blank value deletes');
    assert.deepEqual(fake.storedIds(), ['openrouter']);
    const noneLeft = await save(token, { openrouter: '' });
    assert.match(noneLeft.json.detail as string, /^Invalid API key configuration/);
  });

  it('refuses a masked value for a provider it does not hold and keeps the stored key for one it does', async () => {
    const token = await login();
    await save(token, { openrouter: OPENROUTER });
    const masked = await save(token, { openai: '****************CCCC' });
    assert.deepEqual(masked, { status: 400, json: { detail: 'Cannot save masked API key for openai. Please enter the actual API key value, not a masked/display value.' } });
    assert.equal((await save(token, { openrouter: 'sk-...abab' })).status, 200);
    assert.equal(fake.plaintext('openrouter'), OPENROUTER);
  });

  it('gives a key back on the provider-key route, looking under google and gemini for Google', async () => {
    const token = await login();
    await save(token, { openrouter: OPENROUTER, gemini: 'AIzaGeminiKey123456' });
    assert.deepEqual(await call('GET', '/user/settings/provider-key/google', undefined, token), { status: 200, json: { key: 'AIzaGeminiKey123456' } });
    assert.deepEqual(await call('GET', '/user/settings/provider-key/openrouter', undefined, token), { status: 200, json: { key: OPENROUTER } });
    assert.deepEqual(await call('GET', '/user/settings/provider-key/xai', undefined, token), { status: 404, json: { detail: 'xai API key is not configured.' } });
  });

  it('keeps its encrypted keys across a restart: under a new passphrase they read ***error***, under the old one again they read fine', async () => {
    const token = await login();
    await save(token, { openrouter: OPENROUTER, openai: OPENAI });
    await fake.restart({ passphrase: 'a-new-passphrase-0123456789-0123456789' });
    assert.deepEqual(await keysOf(token), { openrouter: '***error***', openai: '***error***' }, 'sessions survive a restart, as with Redis');
    assert.deepEqual(await call('GET', '/user/settings/provider-key/openai', undefined, token), { status: 404, json: { detail: 'openai API key could not be read.' } });
    await fake.restart({ passphrase: FAKE_CRUCIBLE_PASSPHRASE, dropSessions: true });
    assert.equal((await call('GET', '/user/settings', undefined, token)).status, 401);
    assert.equal((await keysOf(await login()) as Record<string, string>).openai, `${'*'.repeat(OPENAI.length - 4)}CCCC`);
  });
});
