// What a key is for, read from its prefix: admin and management keys only administer an account, so Crucible cannot
// use them even though the provider knows them. Keys without such a prefix are taken for inference keys.
import type { AccountKeyPrefix, KeyKind, ProviderInfo } from './catalog';

/** The admin or management prefix `key` starts with, for `provider`; undefined for an inference key. */
export function accountKeyPrefix(provider: ProviderInfo, key: string): AccountKeyPrefix | undefined {
  return provider.accountKeyPrefixes?.find((entry) => key.startsWith(entry.prefix));
}

export function keyKind(provider: ProviderInfo, key: string): KeyKind {
  return accountKeyPrefix(provider, key)?.kind ?? 'inference';
}

/** The provider's prefixes for inference keys: the ones to suggest, leaving out admin and management prefixes. */
export function inferencePrefixes(provider: ProviderInfo): string[] {
  return provider.prefixes.filter((prefix) => !provider.accountKeyPrefixes?.some((entry) => prefix.startsWith(entry.prefix)));
}

const WITH_ARTICLE: Record<AccountKeyPrefix['kind'], string> = { admin: 'an admin key', management: 'a management key' };

/** "This is an admin key for OpenAI (it starts with sk-admin-), which cannot call the model APIs; …" */
export function accountKeySentence(provider: ProviderInfo, match: AccountKeyPrefix, looksLike = false): string {
  return `This ${looksLike ? 'looks like' : 'is'} ${WITH_ARTICLE[match.kind]} for ${provider.label} (it starts with ${match.prefix}), which cannot call the model APIs; Crucible needs an inference key.`;
}
