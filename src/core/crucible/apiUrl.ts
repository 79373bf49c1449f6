// The Crucible API URL and the login's fixed facts, apart from the client so that the extension can check a URL and
// warn about plain http without loading undici.
import { InputError } from '../errors';
import { isLoopbackHost } from '../loopback';

export const DEFAULT_CRUCIBLE_API_URL = 'http://localhost:8000/api';
/** The variable in Crucible's .env that holds its login password (.env.example). */
export const CRUCIBLE_PASSWORD_VAR = 'ROUNDTABLE_COMMUNITY_AUTH_PASSWORD';
/** Crucible checks only the password; its login page sends what was typed as the user name, and it must be there. */
export const CRUCIBLE_USERNAME = 'admin';

export class CrucibleUrlError extends InputError {
  override name = 'CrucibleUrlError';
}

/** Checks an API URL and returns it without trailing slashes; refuses credentials, queries and fragments. Never echoes it. */
export function checkApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new CrucibleUrlError(`The Crucible API URL is not a URL; use something like ${DEFAULT_CRUCIBLE_API_URL}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CrucibleUrlError('The Crucible API URL must start with http:// or https://.');
  if (url.username || url.password) throw new CrucibleUrlError('The Crucible API URL must not contain a user name or password; the password is sent only in the login request.');
  if (url.search || url.hash) throw new CrucibleUrlError(`The Crucible API URL must not have a query or fragment; use something like ${DEFAULT_CRUCIBLE_API_URL}.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A warning when the password and keys would cross a network in clear text: plain http:// to a host that is not loopback. */
export function plainHttpWarning(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return undefined;
  return `The Crucible API URL uses plain http:// to ${url.hostname}, so the password and the keys would cross the network unencrypted; use https:// unless that network is private.`;
}
