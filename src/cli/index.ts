// Entry point of the bundled dist/cli.js; everything else is in main.ts.
import { processIo } from './io';
import { main } from './main';

// Nothing may escape as a stack trace: a late failure is one line and exit 70, like any unexpected error.
function crash(error: unknown): void {
  try {
    process.stderr.write(`crucible-keys: unexpected error: ${String((error as Error)?.message ?? error).split('\n')[0]}\n`);
  } finally {
    process.exit(70);
  }
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
process.stdout.on('error', () => undefined); // writes go through writeSync in io.ts; a stream error event must not throw

void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
