// Runs the fake provider server on its own, for the real-VS-Code tiers: prints {"port": N} once listening.
import { FakeProviderServer } from './server';

async function main(): Promise<void> {
  const portArg = process.argv.indexOf('--port');
  const server = new FakeProviderServer();
  const port = await server.start(portArg > 0 ? Number(process.argv[portArg + 1]) : 0);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
