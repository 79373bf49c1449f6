// Which proxy, if any, a key check goes through. VS Code's http.proxy comes with http.noProxy, the CLI's
// HTTPS_PROXY/HTTP_PROXY with NO_PROXY; both bypass lists follow the same rules as undici's EnvHttpProxyAgent
// (exact host, any subdomain of an entry, an optional :port, a leading "." or "*." ignored, "*" for everything), and
// also read IPv6 literals ("::1", "[::1]:8080"), which undici's parser takes for a host and a port.

export type ProxySettings =
  | { kind: 'none' }
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as the CLI reads them. */
  | { kind: 'env'; httpProxy?: string; httpsProxy?: string; noProxy?: string }
  /** One explicit proxy with its bypass list, as VS Code's http.proxy and http.noProxy give them. */
  | { kind: 'explicit'; uri: string; noProxy?: string };

import { isLoopbackHost } from '../loopback';

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** True when `url` must not go through a proxy because a `noProxy` entry (comma or space separated) matches it. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  const entries = (noProxy ?? '').split(/[,\s]/).filter(Boolean);
  if (entries.length === 0) return false;
  if (entries.includes('*')) return true;
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  return entries.some((entry) => {
    // "[::1]:8080" and "host:8080" carry a port; a bare IPv6 literal such as "::1" does not.
    const parsed = /^\[(.+)\](?::(\d+))?$/.exec(entry) ?? (entry.split(':').length === 2 ? /^(.+):(\d+)$/.exec(entry) : null);
    const host = (parsed ? parsed[1] : entry).replace(/^\*?\./, '').toLowerCase();
    if (parsed?.[2] && Number(parsed[2]) !== port) return false;
    return hostname === host || hostname.endsWith(`.${host}`);
  });
}

/**
 * The proxy URI a request to `url` goes through, or undefined to connect directly. This machine is always reached
 * directly (as VS Code does): a local gateway over plain http must never hand the key to a proxy in clear text.
 */
export function proxyFor(url: URL, settings: ProxySettings): string | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  switch (settings.kind) {
    case 'none': return undefined;
    case 'explicit': return bypassesProxy(url, settings.noProxy) ? undefined : settings.uri;
    case 'env': {
      const uri = url.protocol === 'https:' ? settings.httpsProxy ?? settings.httpProxy : settings.httpProxy;
      return uri && !bypassesProxy(url, settings.noProxy) ? uri : undefined;
    }
  }
}
