// What the CLI touches of the outside world, injected so tests can run it in-process as well as spawned.
import { fstatSync, writeSync } from 'node:fs';
import { FileError, InputError } from '../core/errors';
import { errnoCode } from '../core/env/envErrors';

export interface CliIo {
  /** All of standard input, as bytes; refused when it is not a pipe, a socket or a regular file. */
  readStdin(): Promise<Buffer>;
  /** Writes to standard output; throws FileError when it cannot (a closed pipe, a full disk). */
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** More than any key, token or plaintext this CLI handles; a larger input is a mistake, refused rather than read. */
export const MAX_STDIN_BYTES = 8 * 1024 * 1024;


/** Refuses a terminal (it would echo the secret), a folder, a device: only data piped or redirected in is read. */
function checkStdinKind(): void {
  let stat;
  try {
    stat = fstatSync(0);
  } catch {
    throw new InputError('Standard input is closed; pipe the input in, e.g. printf %s "$KEY" | crucible-keys ….');
  }
  if (stat.isFile() || stat.isFIFO() || stat.isSocket()) return;
  const what = process.stdin.isTTY ? 'a terminal, where the secret would be echoed' : stat.isDirectory() ? 'a folder' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a pipe or a file';
  throw new InputError(`Standard input is ${what}; pipe the input in or redirect it from a regular file.`);
}

function readAll(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_STDIN_BYTES) {
        process.stdin.destroy();
        reject(new InputError(`Standard input is larger than ${MAX_STDIN_BYTES / 1024 / 1024} MB, which no key, token or plaintext this command takes is.`));
        return;
      }
      chunks.push(chunk);
    });
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', (error) => reject(new InputError(`Standard input could not be read (${errnoCode(error) ?? error.message}).`)));
  });
}

/** Blocks this thread for a few milliseconds: for a non-blocking descriptor that answered EAGAIN. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Writes all of `text` to a file descriptor synchronously, so that a failure is seen here and nowhere else. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (errnoCode(error) === 'EAGAIN') {
        sleepSync(5); // a non-blocking pipe that is full: wait a little
        continue;
      }
      throw error;
    }
  }
}

export function processIo(): CliIo {
  return {
    readStdin: async () => {
      checkStdinKind();
      return readAll();
    },
    stdout: (text) => {
      try {
        writeAll(1, text);
      } catch (error) {
        const reason = errnoCode(error) === 'EPIPE' ? 'the reader closed the pipe' : errnoCode(error) === 'ENOSPC' ? 'no space left on the device' : errnoCode(error) ?? String(error);
        throw new FileError(`Standard output could not be written (${reason}).`);
      }
    },
    stderr: (text) => {
      try {
        writeAll(2, text);
      } catch {
        // nowhere left to report it
      }
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Decodes bytes as strict UTF-8; anything else is refused, never turned into U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new InputError(`${what} is not valid UTF-8 (byte 0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')} at offset ${offset}); nothing was done with it.`);
  }
}

/** The offset of the first byte that does not start a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let at = 0; at < bytes.length;) {
    const lead = bytes[at];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return at;
    try {
      decoder.decode(bytes.subarray(at, at + length));
    } catch {
      return at;
    }
    at += length;
  }
  return 0;
}
