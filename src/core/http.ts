// What the key checks and the Crucible client share about talking HTTP through undici: dispatchers of our own (never
// the global one) with the proxy settings honoured, a capped body read, and one sentence per network failure code.
import type { buildConnector, Dispatcher } from 'undici';
import { Agent, Client, Pool, ProxyAgent } from 'undici';
import { proxyFor, type ProxySettings } from './verify/proxyRoute';

export interface DispatcherOptions {
  timeoutMs: number;
  proxy?: ProxySettings;
  /**
   * False to accept any TLS certificate on connections that go through the proxy (VS Code's http.proxyStrictSSL =
   * false, for proxies that re-sign TLS). Direct connections always check certificates.
   */
  strictSsl?: boolean;
}

/** One direct Agent and one ProxyAgent per proxy, made on first use and closed together. */
export class DispatcherPool {
  private direct?: Dispatcher;
  private readonly proxied = new Map<string, Dispatcher>();

  constructor(private readonly options: DispatcherOptions) {}

  /** The dispatcher for `url`; `direct` forces a direct connection whatever the proxy settings say. */
  for(url: string, direct = false): Dispatcher {
    const connect = { timeout: this.options.timeoutMs };
    const proxy = direct ? undefined : proxyFor(new URL(url), this.options.proxy ?? { kind: 'none' });
    if (!proxy) {
      this.direct ??= new Agent({ connect: { ...connect, rejectUnauthorized: true } });
      return this.direct;
    }
    let dispatcher = this.proxied.get(proxy);
    if (!dispatcher) {
      const rejectUnauthorized = this.options.strictSsl !== false;
      dispatcher = new ProxyAgent({ uri: proxy, connect, requestTls: { rejectUnauthorized }, proxyTls: { rejectUnauthorized }, factory: tunnelFailuresAreFinal });
      this.proxied.set(proxy, dispatcher);
    }
    return dispatcher;
  }

  async close(): Promise<void> {
    const dispatchers = [this.direct, ...this.proxied.values()];
    this.direct = undefined;
    this.proxied.clear();
    await Promise.all(dispatchers.map((dispatcher) => dispatcher?.close().catch(() => undefined)));
  }
}

/**
 * undici 7 retries a CONNECT tunnel that the proxy drops (UND_ERR_SOCKET) in a tight loop that no deadline ends
 * (nodejs/undici#3897, fixed in undici 8 by nodejs/undici#5441, which needs Node 22). Like that fix, the origin
 * connections a ProxyAgent makes here turn such a drop into an error that fails the request instead.
 */
function tunnelFailuresAreFinal(origin: string | URL, options: object): Dispatcher {
  const { connect, connections } = options as { connect: buildConnector.connector; connections?: number | null };
  const guarded: buildConnector.connector = (connectOptions, callback) => connect(connectOptions, (error, socket) => {
    if (error && (error as { code?: string }).code === 'UND_ERR_SOCKET') {
      callback(Object.assign(new Error('the proxy closed the connection while opening the tunnel', { cause: error }), { code: PROXY_TUNNEL_CLOSED }), null);
    } else {
      (callback as (error: Error | null, socket: unknown) => void)(error, socket);
    }
  });
  const settings = { ...options, connect: guarded };
  return connections === 1 ? new Client(origin, settings) : new Pool(origin, settings);
}

const PROXY_TUNNEL_CLOSED = 'CRUCIBLE_KEYS_PROXY_TUNNEL_CLOSED';

/** An answer larger than the cap; carries the status so callers can say what came back. */
export class BodyTooLarge extends Error {
  constructor(readonly httpStatus: number) {
    super('body too large');
  }
}

/** Reads a body as UTF-8 text, refusing (before or while reading) anything larger than `cap` bytes. */
export async function readCappedBody(response: Dispatcher.ResponseData, cap: number): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) {
    response.body.destroy();
    throw new BodyTooLarge(response.statusCode);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > cap) {
      response.body.destroy();
      throw new BodyTooLarge(response.statusCode);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON.parse that answers undefined for an empty or malformed body instead of throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

const NETWORK_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be looked up',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection was closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_BODY_TIMEOUT: 'the answer stalled',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  [PROXY_TUNNEL_CLOSED]: 'the proxy closed the connection',
};

/** The code of a network failure (undici's or the system's), looking through causes; TIMEOUT for an aborted deadline. */
export function errorCodeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code) return code;
    if (name === 'TimeoutError') return 'TIMEOUT';
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

/** What a network failure code means, as a clause: "the connection was refused". `who` is what did not answer. */
export function networkMessage(code: string, who = 'the provider'): string {
  if (code === 'TIMEOUT') return 'the check took longer than the time allowed';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `${who} did not answer in time`;
  if (/SSL|TLS|CERT|EPROTO/.test(code)) return `the secure connection failed (${code})`;
  return NETWORK_MESSAGES[code] ?? `the network failed (${code})`;
}
