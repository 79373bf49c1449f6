// What the CLI touches of the outside world, injected so tests can run it in-process as well as spawned.
export interface CliIo {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    readStdin: () => new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
      process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      process.stdin.on('error', reject);
    }),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Documented exit codes; part of the CLI's stable interface. */
export const ExitCode = {
  ok: 0,
  /** decrypt: invalid token; env check: a problem was found; verify: a key is rejected or out of credit. */
  failed: 1,
  /** Bad usage or bad input: unknown command or option, no encryption key, a malformed key or time. */
  usage: 2,
  /** verify: at least one key could not be decided (unreachable, provider error, rate limited, unverifiable). */
  undecided: 3,
  /** A file could not be read or written. */
  file: 4,
} as const;

/** An error that ends the command with one clear sentence and an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}
