import assert from 'node:assert/strict';
import type { VerifyResult } from '../../src/core/verify/types';
import { fakeKey } from '../fakeProviders/keys';
import { addKey, run } from './support';

describe('verification against the fake provider server', () => {
  before(async () => {
    await run('forgetAll', { forgetAllConfirm: 'Forget All' });
    await addKey('openrouter', fakeKey('openrouter', 'valid'));
    await addKey('openai', fakeKey('openai', 'rejected'));
    await addKey('deepseek', fakeKey('deepseek', 'nocredit'));
  });

  it('verifies one key through the crucibleKeys.baseUrls setting', async () => {
    const result = await run<VerifyResult>('verifyKey', {}, 'openrouter');
    assert.equal(result.verdict, 'valid');
    assert.equal(result.httpStatus, 200);
    assert.equal(result.credits?.remaining, 74.5);
  });

  it('verifies all keys concurrently with exact verdicts', async () => {
    const results = await run<VerifyResult[]>('verifyAll');
    const verdicts = Object.fromEntries(results.map((result) => [result.provider, result.verdict]));
    assert.deepEqual(verdicts, { openrouter: 'valid', openai: 'rejected', deepseek: 'no_credit' });
  });
});
