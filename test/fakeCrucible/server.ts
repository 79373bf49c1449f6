// A real HTTP server on 127.0.0.1 that answers like Crucible Community Edition's API for what Crucible Keys uses:
// login, GET and PUT /user/settings, GET /user/settings/provider-key/{provider}, /health and /version, with Crucible's
// semantics, read from its code (roundtablelabs/crucible-community, service/app):
//   - api/routers/auth.py, schemas/auth.py: both username and password are required; only the password is checked;
//     a wrong one is 401 {"detail": "Invalid password"}; the answer is {"access_token", "refresh_token": "", "token_type"}.
//   - main.py: every router under /api, redirect_slashes off, a validation error is 400 {"code": "VALIDATION_ERROR", …},
//     an unhandled one 500 {"code": "INTERNAL_ERROR", …}; api/deps.py: no token is a guest (401 from the settings routes),
//     an unknown token 401 "Could not validate credentials".
//   - api/routers/user_settings.py: keys are encrypted with Fernet under the key derived from API_KEY_ENCRYPTION_KEY
//     (core/encryption.py), masked as `*` per character but the last 4, `***error***` when they do not decrypt; a PUT
//     merges providerApiKeys (empty string deletes, a masked value keeps the stored key or is refused), a first save
//     needs openrouter, openai or anthropic, and the result must hold OpenRouter or both OpenAI and Anthropic.
// Crucible also tries a legacy XOR decryption when Fernet fails; for a Fernet token that never yields valid UTF-8,
// so it is left out. A restart keeps the stored (encrypted) keys and, like Crucible's Redis session store, the sessions.
//
// Faults (per route, or per method and route) let tests see what the client does with a server that hangs, lies or fails.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Fernet } from '../../src/core/fernet';
import { deriveCrucibleFernetKey } from '../../src/core/keyDerivation';

/** The passphrase and password a fake starts with unless told otherwise; both are canaries for leak checks. */
export const FAKE_CRUCIBLE_PASSPHRASE = 'fake-crucible-passphrase-CANARY-0123456789abcdef';
export const FAKE_CRUCIBLE_PASSWORD = 'fake-crucible-password-CANARY-9876';

export type FakeCrucibleFault =
  | 'hang' | 'stallbody' | 'reset' | 'huge' | 'html' | 'badjson' | 'badshape' | 'notfound' | 'e500' | 'e502'
  | 'redirect' | 'echo' | 'echoupper' | 'echoinvisible' | 'echo500' | 'echovalues' | 'echologin' | 'badtoken' | 'otherproduct';

export interface FakeCrucibleOptions {
  /** Crucible's API_KEY_ENCRYPTION_KEY. */
  passphrase?: string;
  /** Crucible's ROUNDTABLE_COMMUNITY_AUTH_PASSWORD. */
  password?: string;
}

export interface RestartOptions extends FakeCrucibleOptions {
  /** Drop the sessions, as Crucible does when it runs without Redis. Default: keep them. */
  dropSessions?: boolean;
  /** Refuse connections this long before listening again. */
  downMs?: number;
}

export interface RecordedCrucibleRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

interface SettingsRow {
  artifactRetention: boolean;
  retentionDays: number;
  excludedModelProviders: string[];
  providerApiKeys: Record<string, string>;
  defaultProvider: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(readonly answer: Answer) {
    super(`HTTP ${answer.status}`);
  }
}

const detail = (status: number, text: string, headers?: Record<string, string>) => new HttpError({ status, body: { detail: text }, headers });
const validation = (fieldErrors: Record<string, string>) => new HttpError({ status: 400, body: { code: 'VALIDATION_ERROR', message: 'Invalid request data', details: { field_errors: fieldErrors } } });

/** core/encryption.py is_masked_key. */
export function isMaskedKey(key: string): boolean {
  const trimmed = key.trim();
  if (trimmed.includes('...')) return true;
  return trimmed.startsWith('*') && trimmed.length > 4 && [...trimmed].filter((ch) => ch === '*').length > trimmed.length * 0.5;
}

/** core/encryption.py mask_api_key. */
export function maskApiKey(key: string): string {
  if (!key) return '';
  return key.length <= 4 ? '*'.repeat(key.length) : '*'.repeat(key.length - 4) + key.slice(-4);
}

/** Python's str.strip() for the whitespace a key could hold. */
const strip = (text: string) => text.trim();

export class FakeCrucibleServer {
  readonly requests: RecordedCrucibleRequest[] = [];
  /** Every session token handed out, for leak checks. */
  readonly issuedTokens: string[] = [];
  /** Faults by route path ("/api/user/settings", for every method) or by method and path ("PUT /api/user/settings"). */
  readonly faults = new Map<string, FakeCrucibleFault>();
  /** Where the "redirect" fault points. */
  redirectTo = 'http://127.0.0.1:9/elsewhere';
  /** How the "echovalues" fault reshapes the values it repeats (as is by default). */
  echoShape: (text: string) => string = (text) => text;
  /** Awaited after a request is recorded and before it is answered: tests hold an answer back to interleave callers. */
  beforeAnswer?: (request: RecordedCrucibleRequest) => Promise<void>;
  /** Routes ("GET /api/user/settings") whose next answer is computed at once but sent only on releaseHeld(): a stale read. */
  private readonly holding = new Set<string>();
  private readonly held: (() => void)[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private fernet?: Fernet;
  private passphrase: string;
  private password: string;
  private readonly sessions = new Set<string>();
  private row?: SettingsRow;
  private listeningPort = 0;
  /** The body of the last login request, for the "echologin" fault. */
  private lastLoginBody = '';

  constructor(options: FakeCrucibleOptions = {}) {
    this.passphrase = options.passphrase ?? FAKE_CRUCIBLE_PASSPHRASE;
    this.password = options.password ?? FAKE_CRUCIBLE_PASSWORD;
  }

  async start(port = 0): Promise<number> {
    this.fernet = new Fernet(await deriveCrucibleFernetKey(this.passphrase));
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => { this.sockets.add(socket); socket.on('close', () => this.sockets.delete(socket)); });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.listeningPort = (this.server.address() as AddressInfo).port;
    return this.listeningPort;
  }

  get port(): number {
    return this.listeningPort;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Stops and starts again on the same port, under a new passphrase or password if given; the stored keys stay as they are (encrypted). */
  async restart(options: RestartOptions = {}): Promise<void> {
    const port = this.port;
    await this.stop();
    if (options.passphrase !== undefined) this.passphrase = options.passphrase;
    if (options.password !== undefined) this.password = options.password;
    if (options.dropSessions) this.sessions.clear();
    if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await this.start(port);
  }

  /** The next request to `route` is answered as of now, but only when releaseHeld() is called. */
  holdNext(route: string): void {
    this.holding.add(route);
  }

  /** How many answers are held back. */
  heldCount(): number {
    return this.held.length;
  }

  /** Sends every held answer; returns how many. */
  releaseHeld(): number {
    const released = this.held.splice(0);
    for (const release of released) release();
    return released.length;
  }

  /** Forgets every session, as a restart without Redis does, without closing any connection. */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /** The Crucible ids that hold a key (for assertions). */
  storedIds(): string[] {
    return Object.keys(this.row?.providerApiKeys ?? {});
  }

  /** The Fernet token stored for an id, as Crucible keeps it in its database. */
  storedToken(id: string): string | undefined {
    return this.row?.providerApiKeys[id];
  }

  /** What Crucible would decrypt for an id, or undefined when it holds none or cannot decrypt it. */
  plaintext(id: string): string | undefined {
    const token = this.row?.providerApiKeys[id];
    if (!token) return undefined;
    try {
      return this.fernet!.decrypt(token);
    } catch {
      return undefined;
    }
  }

  /** Stores keys directly, encrypted under the current passphrase, as a save through the UI would. */
  seed(keys: Record<string, string>): void {
    const encrypted = Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, this.fernet!.encrypt(key)]));
    this.row = { ...(this.row ?? defaultRow()), providerApiKeys: { ...(this.row?.providerApiKeys ?? {}), ...encrypted } };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(request);
    const recorded: RecordedCrucibleRequest = { method: request.method ?? 'GET', path: url.pathname, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), body };
    this.requests.push(recorded);
    if (url.pathname === '/api/auth/login') this.lastLoginBody = body;
    await this.beforeAnswer?.(recorded);
    const fault = this.faults.get(`${request.method} ${url.pathname}`) ?? this.faults.get(url.pathname);
    if (fault && await this.fault(fault, request, response, body)) return;
    try {
      const answer = this.route(request.method ?? 'GET', url, request, body);
      if (fault === 'badtoken' && isObject(answer.body) && 'access_token' in answer.body) answer.body.access_token = 'not a token\r\nx-injected: 1';
      if (this.holding.delete(`${request.method} ${url.pathname}`)) await new Promise<void>((resolve) => this.held.push(resolve));
      send(response, answer);
    } catch (error) {
      if (error instanceof HttpError) return send(response, error.answer);
      send(response, { status: 500, body: { code: 'INTERNAL_ERROR', message: 'An internal error occurred. Please try again later.', details: {} } });
    }
  }

  private route(method: string, url: URL, request: IncomingMessage, body: string): Answer {
    const path = url.pathname;
    const allow = (wanted: string) => { if (method !== wanted) throw detail(405, 'Method Not Allowed'); };
    if (path === '/api/health') { allow('GET'); return { status: 200, body: { status: 'ok' } }; }
    if (path === '/api/version') {
      allow('GET');
      return { status: 200, body: { product: this.faults.get(path) === 'otherproduct' ? 'Grafana' : 'Crucible', edition: 'community', version: '0.1.0', copyright: 'Roundtable Labs Pty Ltd', license: 'AGPL-3.0', year: 2025 } };
    }
    if (path === '/api/auth/login') { allow('POST'); return this.login(body); }
    if (path === '/api/user/settings' || path === '/api/user/settings/') {
      if (method === 'GET') { this.authenticate(request, url); return { status: 200, body: this.maskedSettings() }; }
      if (method === 'PUT') { this.authenticate(request, url); return { status: 200, body: this.update(parseJson(body)) }; }
      throw detail(405, 'Method Not Allowed');
    }
    const providerKey = /^\/api\/user\/settings\/provider-key\/([^/]+)$/.exec(path);
    if (providerKey) { allow('GET'); this.authenticate(request, url); return this.providerKey(decodeURIComponent(providerKey[1])); }
    throw detail(404, 'Not Found');
  }

  private login(body: string): Answer {
    const payload = parseJson(body);
    if (!isObject(payload)) throw validation({ body: 'Input should be a valid dictionary or object to extract fields from' });
    const errors: Record<string, string> = {};
    for (const field of ['username', 'password']) {
      if (!(field in payload)) errors[field] = 'Field required';
      else if (typeof payload[field] !== 'string') errors[field] = 'Input should be a valid string';
    }
    if (Object.keys(errors).length) throw validation(errors);
    if (payload.password !== this.password) throw detail(401, 'Invalid password');
    const token = randomBytes(32).toString('base64url');
    this.sessions.add(token);
    this.issuedTokens.push(token);
    return { status: 200, body: { access_token: token, refresh_token: '', token_type: 'bearer' } };
  }

  /** api/deps.py get_current_user, then user_settings.py _require_member_user. */
  private authenticate(request: IncomingMessage, url: URL): void {
    const header = request.headers.authorization;
    const token = header ? (header.startsWith('Bearer ') ? header.slice(7) : header) : url.searchParams.get('token');
    if (!token) throw detail(401, 'Authentication required');
    if (!this.sessions.has(token)) throw detail(401, 'Could not validate credentials', { 'www-authenticate': 'Bearer' });
  }

  private decrypt(token: string): string {
    return this.fernet!.decrypt(token);
  }

  private maskedSettings(): SettingsRow {
    return this.row ? { ...this.row, providerApiKeys: this.masks(this.row.providerApiKeys) } : defaultRow();
  }

  /** Each stored key decrypted and masked, or ***error*** when it does not decrypt (empty entries are left out). */
  private masks(stored: Record<string, string>): Record<string, string> {
    const masked: Record<string, string> = {};
    for (const [provider, token] of Object.entries(stored)) {
      if (!token) continue;
      try {
        masked[provider] = maskApiKey(this.decrypt(token));
      } catch {
        masked[provider] = '***error***';
      }
    }
    return masked;
  }

  /** user_settings.py _update_user_settings_impl, step by step. */
  private update(payload: unknown): SettingsRow {
    if (!isObject(payload)) throw validation({ settings_update: 'Input should be a valid dictionary' });
    const { artifactRetention, retentionDays, excludedModelProviders, providerApiKeys, defaultProvider } = payload;
    if (artifactRetention != null && typeof artifactRetention !== 'boolean') throw detail(400, 'Invalid artifactRetention value');
    if (retentionDays != null && (!Number.isInteger(retentionDays) || (retentionDays as number) < 1 || (retentionDays as number) > 3650)) throw detail(400, 'Invalid retentionDays value (must be between 1 and 3650)');
    if (excludedModelProviders != null) {
      if (!Array.isArray(excludedModelProviders)) throw detail(400, 'Invalid excludedModelProviders value (must be a list)');
      if (!excludedModelProviders.every((item) => typeof item === 'string')) throw detail(400, 'Invalid excludedModelProviders value (must be a list of strings)');
    }
    if (providerApiKeys != null) {
      if (!isObject(providerApiKeys)) throw detail(400, 'Invalid providerApiKeys value (must be a dictionary)');
      for (const [provider, key] of Object.entries(providerApiKeys)) {
        if (typeof key !== 'string') throw detail(400, `Invalid API key for provider ${provider} (must be a string)`);
      }
    }
    if (defaultProvider != null && typeof defaultProvider !== 'string') throw detail(400, 'Invalid defaultProvider value (must be a string)');

    const sent = (providerApiKeys ?? undefined) as Record<string, string> | undefined;
    let encrypted: Record<string, string> | undefined;
    if (sent) {
      encrypted = {};
      for (const [provider, key] of Object.entries(sent)) {
        if (!key || (strip(key) === '' && !isMaskedKey(key))) continue;
        if (isMaskedKey(key)) {
          const existing = this.row?.providerApiKeys ?? {};
          if (provider in existing) encrypted[provider] = existing[provider];
          else throw detail(400, `Cannot save masked API key for ${provider}. Please enter the actual API key value, not a masked/display value.`);
        } else {
          encrypted[provider] = this.fernet!.encrypt(key);
        }
      }
    }

    let next: SettingsRow;
    if (!this.row) {
      const keys = encrypted ?? {};
      const required = ['openrouter', 'openai', 'anthropic'];
      if (!Object.keys(keys).some((provider) => keys[provider] && required.includes(provider.toLowerCase()))) {
        throw detail(400, 'At least one API key is required (OpenRouter, OpenAI, or Anthropic). Please configure at least one API key to use the system.');
      }
      next = {
        artifactRetention: (artifactRetention as boolean | null | undefined) ?? true, retentionDays: (retentionDays as number | null | undefined) ?? 30,
        excludedModelProviders: (excludedModelProviders as string[] | null | undefined) ?? [], providerApiKeys: keys,
        defaultProvider: (defaultProvider as string | null | undefined) ?? 'openrouter',
      };
    } else {
      next = { ...this.row, providerApiKeys: { ...this.row.providerApiKeys } };
      if (artifactRetention != null) next.artifactRetention = artifactRetention as boolean;
      if (retentionDays != null) next.retentionDays = retentionDays as number;
      if (excludedModelProviders != null) next.excludedModelProviders = excludedModelProviders as string[];
      if (encrypted && sent) {
        for (const [provider, key] of Object.entries(sent)) {
          if (!key || (strip(key) === '' && !key.includes('...'))) delete next.providerApiKeys[provider];
        }
        Object.assign(next.providerApiKeys, encrypted);
      }
      if (defaultProvider != null) next.defaultProvider = defaultProvider as string;
    }

    const keys = next.providerApiKeys;
    const [openrouter, openai, anthropic] = [Boolean(keys.openrouter), Boolean(keys.openai), Boolean(keys.anthropic)];
    if (((openai && !anthropic) || (anthropic && !openai)) && !openrouter) {
      const missing = openai ? 'Anthropic' : 'OpenAI';
      // Crucible's own sentence, including its slip when only Anthropic is there ("only OpenAI without OpenAI").
      throw detail(400, `OpenAI and Anthropic keys are a bundle - you must have BOTH or NEITHER. You cannot have only ${!openai ? missing : 'OpenAI'} without ${missing}. Please either: (1) add an OpenRouter key, or (2) configure both OpenAI and Anthropic keys.`);
    }
    if (!openrouter && !(openai && anthropic)) {
      throw detail(400, 'Invalid API key configuration. You must have either: (1) OpenRouter key, or (2) BOTH OpenAI and Anthropic keys together.');
    }
    this.row = next;
    return this.maskedSettings();
  }

  /** user_settings.py get_provider_key. */
  private providerKey(provider: string): Answer {
    const keys = this.row?.providerApiKeys ?? {};
    const lookup = (name: string) => [name, name.toLowerCase(), name.replace(/_/g, ''), name.replace(/-/g, '')].map((k) => keys[k]).find(Boolean);
    const lower = provider.toLowerCase();
    const encrypted = lower === 'openrouter' || lower === 'open_router'
      ? ['openrouter', 'OpenRouter', 'open_router'].map((k) => keys[k]).find(Boolean)
      : lower === 'google' || lower === 'gemini' ? lookup('google') ?? lookup('gemini') : lookup(provider);
    if (!encrypted) throw detail(404, `${provider} API key is not configured.`);
    let key: string;
    try {
      key = strip(this.decrypt(encrypted));
    } catch {
      throw detail(404, `${provider} API key could not be read.`);
    }
    if (!key) throw detail(404, `${provider} API key is not configured.`);
    if (key.includes('...') || (key.startsWith('*') && key.length > 4)) throw detail(500, `${provider} API key appears to be corrupted (masked value stored). Please delete and re-enter your API key.`);
    return { status: 200, body: { key } };
  }

  /** Answers a faulty way; false to let the route answer (a fault that only changes its answer). */
  private async fault(fault: FakeCrucibleFault, request: IncomingMessage, response: ServerResponse, body: string): Promise<boolean> {
    switch (fault) {
      case 'hang': return true;
      case 'stallbody':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"status": ');
        return true;
      case 'reset':
        request.socket.destroy();
        return true;
      case 'huge': {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < 4 * 1024 * 1024 && !response.destroyed; sent += chunk.length) {
          if (!response.write(chunk)) await new Promise((resolve) => { response.once('drain', resolve); response.once('close', resolve); });
        }
        response.end();
        return true;
      }
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
        return true;
      case 'badjson':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"providerApiKeys": {"openai": ');
        return true;
      case 'badshape': send(response, { status: 200, body: { ok: true, items: [] } }); return true;
      case 'notfound': send(response, { status: 404, body: { detail: 'Not Found' } }); return true;
      case 'e500': send(response, { status: 500, body: { code: 'INTERNAL_ERROR', message: 'An internal error occurred. Please try again later.', details: {} } }); return true;
      case 'e502':
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
        return true;
      case 'redirect': send(response, { status: 307, body: {}, headers: { location: this.redirectTo } }); return true;
      // A hostile or careless server that repeats what it was sent: the Authorization header and the body.
      case 'echo': send(response, { status: 400, body: { detail: `Bad request ${request.headers.authorization ?? ''} with ${body}` } }); return true;
      case 'echoupper': send(response, { status: 400, body: { detail: `BAD REQUEST ${request.headers.authorization ?? ''} WITH ${body}`.toUpperCase() } }); return true;
      // The same, with a zero-width space after every third character, so no secret appears in one piece.
      case 'echoinvisible': send(response, { status: 400, body: { detail: `Bad request ${request.headers.authorization ?? ''} with ${body}`.replace(/(...)/g, '$1\u200b') } }); return true;
      // The parsed values repeated, as a validation message quoting its input does (reshaped by echoShape).
      case 'echovalues': {
        let values: unknown[] = [];
        try { values = Object.values(JSON.parse(body) as Record<string, unknown>); } catch { /* not JSON: nothing to repeat */ }
        send(response, { status: 400, body: { detail: this.echoShape(`Bad request with ${values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' ')}`) } });
        return true;
      }
      // A server whose error page dumps recent requests: the last login's body (its password) in a later answer.
      case 'echologin': send(response, { status: 500, body: { detail: `Traceback (most recent request: ${this.lastLoginBody})` } }); return true;
      case 'echo500': send(response, { status: 500, body: { detail: `Traceback: ${request.headers.authorization ?? ''} ${body}` } }); return true;
      case 'badtoken': case 'otherproduct': return false;
    }
  }
}

function defaultRow(): SettingsRow {
  return { artifactRetention: true, retentionDays: 30, excludedModelProviders: [], providerApiKeys: {}, defaultProvider: 'openrouter' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw validation({ body: 'JSON decode error' });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(''));
  });
}

function send(response: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(answer.headers ?? {}) });
  response.end(body);
}
