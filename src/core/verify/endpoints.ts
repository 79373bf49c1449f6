// Where a key check goes: the provider's origin (or the user's override of it) plus the documented path, and
// whether that sends the key in clear text. Kept apart from the verifier so the extension can tell without undici.
import type { ProviderInfo } from '../catalog';
import { isLoopbackHost } from '../loopback';

/** The URL checked for a provider. Overrides are looked up with Object.hasOwn: an id like "constructor" is just an id. */
export function checkUrlFor(provider: ProviderInfo, baseUrls: Readonly<Record<string, string>> = {}): string {
  const bare = provider.id.replace(/^custom:/, '');
  const base = Object.hasOwn(baseUrls, provider.id) ? baseUrls[provider.id] : Object.hasOwn(baseUrls, bare) ? baseUrls[bare] : provider.apiOrigin;
  return base.replace(/\/+$/, '') + (provider.verify?.path ?? '');
}

/** The origin when `url` would carry a key over plain http:// to another machine; undefined when it is safe. */
export function insecureOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname) ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
