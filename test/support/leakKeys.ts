// Realistic made-up keys in every format the catalog knows, from a seeded generator so a run can be repeated.
// Shared by the scan's unit tests and `npm run bench`, which plants them in a generated tree.
import { BUILT_IN_PROVIDERS, type BuiltInProviderId } from '../../src/core/catalog';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}_-`;
const HEX = '0123456789abcdef';

/** xorshift32: a small repeatable stream of numbers (not for secrets; these keys are fake). */
export class Seeded {
  constructor(private state: number) {
    if (this.state === 0) this.state = 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let index = 0; index < length; index++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

export interface SampleKey { provider: BuiltInProviderId; prefix: string; key: string }

/**
 * One key per catalog prefix (admin and management prefixes included), shaped as the providers issue them:
 * OpenAI's with the T3BlbkFJ marker, Anthropic's ending AA, Google's AIza and 35 characters, JWTs for old Eden AI tokens.
 */
export function sampleKeys(random: Seeded): SampleKey[] {
  const b64 = (length: number) => random.chars(BASE64URL, length);
  const b62 = (length: number) => random.chars(BASE62, length);
  const jwtPart = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const makers: Record<string, () => string> = {
    'sk-or-v1-': () => `sk-or-v1-${random.chars(HEX, 64)}`,
    'sk-or-': () => `sk-or-${b62(48)}`,
    'sk-proj-': () => `sk-proj-${b64(74)}T3BlbkFJ${b64(74)}`,
    'sk-svcacct-': () => `sk-svcacct-${b64(74)}T3BlbkFJ${b64(74)}`,
    'sk-admin-': () => `sk-admin-${b64(58)}T3BlbkFJ${b64(58)}`,
    'openai:sk-': () => `sk-${b62(20)}T3BlbkFJ${b62(20)}`,
    'sk-ant-api03-': () => `sk-ant-api03-${b64(93)}AA`,
    'sk-ant-': () => `sk-ant-oat01-${b64(93)}AA`,
    'sk-ant-admin': () => `sk-ant-admin01-${b64(93)}AA`,
    AIza: () => `AIza${b64(35)}`,
    'AQ.': () => `AQ.Ab8RN6${b64(47)}`,
    'deepseek:sk-': () => `sk-${random.chars(HEX, 32)}`,
    'xai-': () => `xai-${b62(80)}`,
    'sk-eden-': () => `sk-eden-${b62(40)}`,
    'mgmt-eden-': () => `mgmt-eden-${b62(40)}`,
    eyJ: () => `${jwtPart({ alg: 'HS256', typ: 'JWT' })}.${jwtPart({ user_id: random.int(1e6), type: 'api_token' })}.${b64(43)}`,
  };
  const keys: SampleKey[] = [];
  for (const provider of BUILT_IN_PROVIDERS) {
    const prefixes = new Set([...provider.prefixes, ...(provider.accountKeyPrefixes ?? []).map((entry) => entry.prefix)]);
    for (const prefix of prefixes) {
      const make = makers[`${provider.id}:${prefix}`] ?? makers[prefix];
      if (!make) throw new Error(`no sample key for ${provider.id}'s prefix ${prefix}: add one to test/support/leakKeys.ts`);
      keys.push({ provider: provider.id as BuiltInProviderId, prefix, key: make() });
    }
  }
  return keys;
}

/** A value with no known prefix, such as a custom provider's key or a self-hosted gateway's token. */
export function unprefixedKey(random: Seeded): string {
  return random.chars(BASE62, 40);
}
