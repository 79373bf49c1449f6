// A small client for a running Crucible's own settings API, over undici with dispatchers of its own (never global).
//
// Routes (service/app/main.py mounts every router under /api; redirect_slashes is off):
//   POST {api}/auth/login               {"username", "password"} → {"access_token", "refresh_token": "", "token_type": "bearer"};
//                                       401 {"detail": "Invalid password"} (routers/auth.py; schemas/auth.py SimpleLoginRequest)
//   GET  {api}/user/settings            {..., "providerApiKeys": {id: mask}} (routers/user_settings.py)
//   PUT  {api}/user/settings            {"providerApiKeys": {id: key or ""}}: merged; 400 {"detail"} when refused
//   GET  {api}/health, {api}/version    {"status": "ok"}; {"product": "Crucible", ...} (routers/health.py)
// A validation failure is 400 {"code": "VALIDATION_ERROR", "message", "details": {"field_errors"}} (main.py handler).
//
// The session token lives in this object only; the password is sent only in the login request. Both are held by the
// redactor for as long as the session lasts (a server that saw the password can repeat it in any later answer), every
// key sent while it is in flight, and every sentence built from an answer is redacted before it is kept.
import { request } from 'undici';
import { BodyTooLarge, DispatcherPool, errorCodeOf, networkMessage, parseJsonOrUndefined, readCappedBody } from '../http';
import type { Logger } from '../ports';
import { truncateRedacted, type Redactor } from '../redact';
import { isObject, str } from '../verify/json';
import type { ProxySettings } from '../verify/proxyRoute';
import { checkApiUrl, CRUCIBLE_PASSWORD_VAR, CRUCIBLE_USERNAME, DEFAULT_CRUCIBLE_API_URL } from './apiUrl';
import { isLoopbackHost } from '../loopback';
import { CrucibleAuthError, CrucibleFailedError, CrucibleRefusedError, CrucibleUnreachableError, NotCrucibleError } from './errors';

export const DEFAULT_CRUCIBLE_TIMEOUT_MS = 10_000;
/** Far more than any settings answer; a larger body is not Crucible. */
export const MAX_CRUCIBLE_BODY_BYTES = 256 * 1024;
/** Longest part of Crucible's own sentence kept in an error, cut after redaction. */
export const MAX_DETAIL_CHARS = 300;

export interface CrucibleClientOptions {
  /** The API base, e.g. http://localhost:8000/api; checked by checkApiUrl. */
  apiUrl: string;
  redactor: Redactor;
  logger?: Logger;
  timeoutMs?: number;
  /** Proxy settings, as for key checks; a loopback API is always reached directly. */
  proxy?: ProxySettings;
  /** False to accept any TLS certificate on connections through the proxy (VS Code's http.proxyStrictSSL). */
  strictSsl?: boolean;
  maxBodyBytes?: number;
}

/** What Crucible's settings say about keys: its masks, by Crucible provider id. */
export interface CrucibleSettings {
  providerApiKeys: Record<string, string>;
  defaultProvider?: string;
}

export interface CrucibleHealth {
  /** The version /version reports, when it does. */
  version?: string;
}

interface Answer {
  status: number;
  json: unknown;
}

interface SendOptions {
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Sends the session token. */
  auth?: boolean;
}

const RETRYABLE_RESETS = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
const TIMEOUT_CODES = new Set(['TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** A session token goes into a header: printable ASCII without spaces, of a sane length. */
const TOKEN_SHAPE = /^[\x21-\x7e]{8,4096}$/;

export class CrucibleClient {
  readonly apiUrl: string;
  private readonly dispatchers: DispatcherPool;
  private readonly timeoutMs: number;
  private readonly direct: boolean;
  private token?: { value: string; release: () => void };
  /** The password the session was opened with, held by the redactor until logout(): the server has seen it. */
  private password?: { value: string; release: () => void };
  /** Secrets in flight, also checked for by hand: the redactor does not hold secrets shorter than 6 characters. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: CrucibleClientOptions) {
    this.apiUrl = checkApiUrl(options.apiUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CRUCIBLE_TIMEOUT_MS;
    this.direct = isLoopbackHost(new URL(this.apiUrl).hostname);
    this.dispatchers = new DispatcherPool({ timeoutMs: this.timeoutMs, proxy: options.proxy, strictSsl: options.strictSsl });
  }

  get loggedIn(): boolean {
    return this.token !== undefined;
  }

  /** Resolves when /health answers as Crucible's does (and /version, when there, names Crucible); throws otherwise. */
  async health(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<CrucibleHealth> {
    const health = await this.send('GET', '/health', options);
    if (health.status === 404) {
      // Some proxies expose only the API's own routes: the login route answering an empty body as Crucible does is enough.
      const login = await this.send('POST', '/auth/login', { ...options, body: {} });
      if (isObject(login.json) && (login.status === 400 || login.status === 422)) return {};
      throw this.notCrucible('GET /health and POST /auth/login', `answered ${health.status} and ${login.status}`);
    }
    if (health.status >= 500) this.expect(health, 'GET /health', 'the health check');
    if (health.status !== 200 || !isObject(health.json) || health.json.status !== 'ok') throw this.notCrucible('GET /health', `answered ${health.status} without {"status": "ok"}`);
    const version = await this.send('GET', '/version', options);
    if (version.status !== 200 || !isObject(version.json)) return {};
    const product = str(version.json.product);
    if (product !== undefined && product.toLowerCase() !== 'crucible') throw this.notCrucible('GET /version', 'names another product');
    const number = str(version.json.version);
    return number && /^[\w.+-]{1,40}$/.test(number) ? { version: number } : {};
  }

  /** Logs in with Crucible's password; the session token is kept in memory only, until logout() or close(). */
  async login(password: string, signal?: AbortSignal): Promise<void> {
    if (password === '') throw new CrucibleAuthError('The Crucible password is empty; set ROUNDTABLE_COMMUNITY_AUTH_PASSWORD or type it.');
    this.logout();
    await this.holding([{ secret: password, kind: 'passphrase' }], async () => {
      const answer = await this.send('POST', '/auth/login', { body: { username: CRUCIBLE_USERNAME, password }, signal });
      if (answer.status === 401) throw new CrucibleAuthError(`Crucible at ${this.apiUrl} refused the password (401); check ${CRUCIBLE_PASSWORD_VAR}.`);
      this.expect(answer, 'POST /auth/login', 'the login');
      const token = isObject(answer.json) ? answer.json.access_token : undefined;
      const type = isObject(answer.json) ? answer.json.token_type : undefined;
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token) || (type !== undefined && String(type).toLowerCase() !== 'bearer')) {
        throw this.notCrucible('POST /auth/login', 'answered without a session token');
      }
      this.token = { value: token, release: this.options.redactor.hold(token, 'token') };
      this.password = { value: password, release: this.options.redactor.hold(password, 'passphrase') };
    });
  }

  /** Forgets the session token. */
  logout(): void {
    this.token?.release();
    this.password?.release();
    this.token = undefined;
    this.password = undefined;
  }

  /** What Crucible holds: its settings, with a mask per stored key. */
  async settings(signal?: AbortSignal): Promise<CrucibleSettings> {
    const answer = await this.send('GET', '/user/settings', { auth: true, signal });
    this.expect(answer, 'GET /user/settings', 'the request for its settings');
    return this.readSettings(answer, 'GET /user/settings');
  }

  /** Saves keys (an empty string deletes one); Crucible merges them into what it holds. Returns its answer's settings. */
  async saveKeys(providerApiKeys: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<CrucibleSettings> {
    const secrets = Object.values(providerApiKeys).filter((key) => key !== '').map((secret) => ({ secret, kind: 'key' as const }));
    return this.holding(secrets, async () => {
      const answer = await this.send('PUT', '/user/settings', { auth: true, body: { providerApiKeys }, signal });
      this.expect(answer, 'PUT /user/settings', 'the save');
      return this.readSettings(answer, 'PUT /user/settings');
    });
  }

  async close(): Promise<void> {
    this.logout();
    await this.dispatchers.close();
  }

  private async holding<T>(secrets: { secret: string; kind: 'key' | 'passphrase' }[], run: () => Promise<T>): Promise<T> {
    const releases = secrets.map(({ secret, kind }) => {
      this.inFlight.add(secret);
      return this.options.redactor.hold(secret, kind);
    });
    try {
      return await run();
    } finally {
      releases.forEach((release) => release());
      for (const { secret } of secrets) this.inFlight.delete(secret);
    }
  }

  private readSettings(answer: Answer, route: string): CrucibleSettings {
    const json = answer.json;
    const keys = isObject(json) ? json.providerApiKeys : undefined;
    if (!isObject(keys) || !Object.values(keys).every((mask) => typeof mask === 'string')) throw this.notCrucible(route, 'answered without Crucible\'s providerApiKeys');
    const defaultProvider = isObject(json) ? str(json.defaultProvider) : undefined;
    return { providerApiKeys: { ...(keys as Record<string, string>) }, ...(defaultProvider ? { defaultProvider } : {}) };
  }

  /** Turns any answer but 2xx into the error it means. */
  private expect(answer: Answer, route: string, what: string): void {
    const { status } = answer;
    if (status >= 200 && status < 300) return;
    if (status >= 300 && status < 400) {
      throw new NotCrucibleError(`The server at ${this.apiUrl} redirected ${route} elsewhere (HTTP ${status}), and Crucible Keys does not follow redirects; set the API URL to the address Crucible answers on.`);
    }
    if (status === 401) {
      this.logout();
      throw new CrucibleAuthError(`Crucible at ${this.apiUrl} no longer accepts this session (401); log in again.`);
    }
    if (status === 404 || status === 405) {
      throw new NotCrucibleError(`There is no Crucible API at ${this.apiUrl}: ${route} answered ${status}; the URL usually ends in /api, as in ${DEFAULT_CRUCIBLE_API_URL}.`);
    }
    const detail = this.detailOf(answer.json);
    if (status >= 500) throw new CrucibleFailedError(`Crucible at ${this.apiUrl} failed (HTTP ${status})${detail ? `, saying "${detail}"` : ''}.`, status);
    if (!isObject(answer.json)) throw this.notCrucible(route, `answered ${status} without Crucible's JSON`);
    throw new CrucibleRefusedError(`Crucible at ${this.apiUrl} refused ${what} (HTTP ${status})${detail ? `: "${detail}"` : ''}.`, status, detail);
  }

  private notCrucible(route: string, how: string): NotCrucibleError {
    return new NotCrucibleError(`The server at ${this.apiUrl} ${how} to ${route}, so it does not look like Crucible; check the API URL.`);
  }

  /** Crucible's own sentence from an error answer: redacted, on one line, cut; withheld if it repeats a secret. */
  private detailOf(json: unknown): string | undefined {
    if (!isObject(json)) return undefined;
    let text: string | undefined;
    if (typeof json.detail === 'string') text = json.detail;
    else if (Array.isArray(json.detail) && isObject(json.detail[0])) text = str(json.detail[0].msg);
    else if (typeof json.message === 'string') {
      const fields = isObject(json.details) && isObject(json.details.field_errors) ? Object.entries(json.details.field_errors) : [];
      text = fields.length ? `${json.message} (${fields.map(([name, message]) => `${name}: ${String(message)}`).join('; ')})` : json.message;
    }
    if (text === undefined) return undefined;
    // Invisible characters go first, so that one put inside a secret cannot hide it from the redactor.
    const oneLine = text.replace(/\p{Cf}/gu, '').replace(/\p{Cc}|\s/gu, ' ');
    const clean = this.options.redactor.redact(oneLine).replace(/ +/g, ' ').replace(/"/g, '\'').trim();
    const lower = clean.toLowerCase();
    if ([...this.inFlight, this.token?.value ?? '', this.password?.value ?? ''].some((secret) => secret !== '' && lower.includes(secret.toLowerCase()))) return undefined;
    return truncateRedacted(clean, MAX_DETAIL_CHARS).replace(/[.\s]+$/, '') || undefined;
  }

  private async send(method: 'GET' | 'POST' | 'PUT', route: string, options: SendOptions): Promise<Answer> {
    const url = `${this.apiUrl}${route}`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'crucible-keys' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth) {
      if (!this.token) throw new CrucibleAuthError(`Not logged in to Crucible at ${this.apiUrl}; log in first.`);
      headers.authorization = `Bearer ${this.token.value}`;
    }
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await request(url, {
          method, headers, signal, dispatcher: this.dispatchers.for(url, this.direct),
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
        });
        const text = await readCappedBody(response, this.options.maxBodyBytes ?? MAX_CRUCIBLE_BODY_BYTES);
        this.options.logger?.debug('crucible %s %s: %d (%d ms)', method, route, response.statusCode, Math.round(performance.now() - started));
        return { status: response.statusCode, json: parseJsonOrUndefined(text) };
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('Aborted', 'AbortError');
        if (error instanceof BodyTooLarge) {
          throw new NotCrucibleError(`The server at ${this.apiUrl} answered ${method} ${route} with more than ${Math.round((this.options.maxBodyBytes ?? MAX_CRUCIBLE_BODY_BYTES) / 1024)} KB, which Crucible never sends; check the API URL.`);
        }
        const code = deadline.aborted ? 'TIMEOUT' : errorCodeOf(error);
        if (attempt === 1 && RETRYABLE_RESETS.has(code) && !deadline.aborted) continue;
        this.options.logger?.debug('crucible %s %s: %s', method, route, code);
        throw this.unreachable(code, timeoutMs);
      }
    }
  }

  private unreachable(code: string, timeoutMs: number): CrucibleUnreachableError {
    if (code === 'ECONNREFUSED') return new CrucibleUnreachableError(`Crucible at ${this.apiUrl} is not reachable: the connection was refused; is it running?`, 'refused');
    if (TIMEOUT_CODES.has(code)) return new CrucibleUnreachableError(`Crucible at ${this.apiUrl} did not answer within ${Math.round(timeoutMs / 100) / 10} seconds.`, 'timeout');
    return new CrucibleUnreachableError(`Crucible at ${this.apiUrl} is not reachable: ${networkMessage(code, 'the server')}.`, 'network');
  }
}
