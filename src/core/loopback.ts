// Whether a URL's host is this machine, for the two places that care: a key or a password sent over plain http://
// (no warning when it stays here), and proxies (this machine is always reached directly).
import { isIPv4, isIPv6 } from 'node:net';

/**
 * True for this machine: exactly "localhost", 127.0.0.0/8, ::1 and its IPv4-mapped form. Not "*.localhost": such
 * names are looked up through DNS like any other here, and may well leave the machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}
