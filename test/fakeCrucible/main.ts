// Runs the fake Crucible on its own, for `npm start` and the real-VS-Code tiers. Prints one line once listening:
//   {"port": N, "apiUrl": "http://127.0.0.1:N/api", "controlPort": M}
// Options: --port N, --passphrase TEXT (its API_KEY_ENCRYPTION_KEY), --password TEXT (its login password).
// The control port (127.0.0.1 only) drives it from another process, with JSON bodies:
//   POST /restart {passphrase?, password?, dropSessions?, downMs?}  restart on the same port, keeping the stored keys
//   POST /seed {keys: {id: key}}                                     store keys as Crucible's own UI would
//   POST /fault {path, fault}                                       make a route misbehave: path "/api/..." for every method
//                                                                   or "PUT /api/..." for one; fault null clears it
//   GET  /state                                                     {"stored": {id: "readable" | "unreadable"}}
//   GET  /requests                                                  [{method, path, authorized}]
//   POST /hold {route}                                              answer the next "METHOD /path" as of now, but send it
//                                                                   only on POST /release (a slow, stale read)
//   GET  /held, POST /release                                       {"held": N}, {"released": N}
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeCrucibleFault, FakeCrucibleServer, type RestartOptions } from './server';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) as Record<string, unknown> : {};
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function main(): Promise<void> {
  const crucible = new FakeCrucibleServer({ passphrase: option('passphrase'), password: option('password') });
  const port = await crucible.start(Number(option('port') ?? 0));
  const control = createServer((request, response) => void (async () => {
    try {
      const route = `${request.method} ${request.url}`;
      if (route === 'POST /restart') {
        await crucible.restart(await readJson(request) as RestartOptions);
        return reply(response, 200, { port: crucible.port });
      }
      if (route === 'POST /seed') {
        crucible.seed((await readJson(request)).keys as Record<string, string>);
        return reply(response, 200, { stored: crucible.storedIds() });
      }
      if (route === 'POST /fault') {
        const { path, fault } = await readJson(request);
        if (fault) crucible.faults.set(String(path), fault as FakeCrucibleFault);
        else crucible.faults.delete(String(path));
        return reply(response, 200, { faults: Object.fromEntries(crucible.faults) });
      }
      if (route === 'POST /hold') {
        crucible.holdNext(String((await readJson(request)).route));
        return reply(response, 200, { held: crucible.heldCount() });
      }
      if (route === 'GET /held') return reply(response, 200, { held: crucible.heldCount() });
      if (route === 'POST /release') return reply(response, 200, { released: crucible.releaseHeld() });
      if (route === 'GET /state') {
        return reply(response, 200, { stored: Object.fromEntries(crucible.storedIds().map((id) => [id, crucible.plaintext(id) === undefined ? 'unreadable' : 'readable'])) });
      }
      if (route === 'GET /requests') {
        return reply(response, 200, crucible.requests.map(({ method, path, authorization }) => ({ method, path, authorized: authorization !== undefined })));
      }
      reply(response, 404, { error: `no control route ${route}` });
    } catch (error) {
      reply(response, 500, { error: (error as Error).message });
    }
  })());
  await new Promise<void>((resolve) => control.listen(Number(option('control-port') ?? 0), '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port, apiUrl: crucible.apiUrl, controlPort: (control.address() as AddressInfo).port })}\n`);
  const stop = () => void Promise.all([crucible.stop(), new Promise((resolve) => control.close(resolve))]).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
