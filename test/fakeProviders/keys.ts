// Test keys for the fake provider server. The scenario rides inside the key (fkx<scenario>[lat<ms>][pad<n>]x), so a
// server in another process (the one behind the real VS Code) answers the same way as one started inside a test.
import type { BuiltInProviderId } from '../../src/core/catalog';

export const SCENARIOS = [
  'valid', 'rejected', 'nocredit', 'zerolimit', 'blocked', 'ratelimited', 'ratelimitdate', 'ratelimitms',
  'e500', 'e503', 'e402', 'html', 'badjson', 'deepjson', 'huge', 'stall', 'stallheaders', 'reset', 'echo', 'echolower', 'redirect',
  // Answers a provider gives about a key it knows (see server.ts for which providers answer each, and the sources).
  'restricted', 'restricted403', 'expired', 'region', 'ipdenied', 'referrer', 'serviceblocked', 'leaked', 'forbidden',
  'management', 'nolimit', 'quota', 'quotaday', 'quotacap', 'noauth',
  // A key with the provider's admin or management prefix (OpenAI, Anthropic, Eden AI): never sent for a check.
  'admin',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

const PREFIX: Record<BuiltInProviderId | 'custom', string> = {
  openrouter: 'sk-or-v1-', openai: 'sk-proj-', anthropic: 'sk-ant-api03-', google: 'AIza', deepseek: 'sk-', xai: 'xai-', eden_ai: 'sk-eden-', custom: 'ck-',
};
const ADMIN_PREFIX: Partial<Record<BuiltInProviderId | 'custom', string>> = { openai: 'sk-admin-', anthropic: 'sk-ant-admin01-', eden_ai: 'mgmt-eden-' };

/**
 * A recognisable fake key: provider prefix, scenario marker, optional injected latency, padding. `echoOffset` moves
 * the key that the echo scenarios repeat back that many characters further into the provider's message.
 */
export function fakeKey(provider: BuiltInProviderId | 'custom', scenario: Scenario, latencyMs = 0, echoOffset = 0): string {
  const marker = `fkx${scenario}${latencyMs ? `lat${latencyMs}` : ''}${echoOffset ? `pad${echoOffset}` : ''}x`;
  const prefix = (scenario === 'admin' ? ADMIN_PREFIX[provider] : undefined) ?? PREFIX[provider];
  return (prefix + marker + 'CANARY0123456789abcdef').slice(0, Math.max(40, prefix.length + marker.length + 8));
}

export function scenarioOf(key: string | undefined): { scenario?: Scenario; latencyMs: number; echoOffset: number } {
  const match = /fkx([a-z0-9]+?)(?:lat(\d+))?(?:pad(\d+))?x(?![a-z0-9])/.exec(key ?? '');
  const scenario = SCENARIOS.find((name) => name === match?.[1]);
  return { scenario, latencyMs: match?.[2] ? Number(match[2]) : 0, echoOffset: match?.[3] ? Number(match[3]) : 0 };
}
