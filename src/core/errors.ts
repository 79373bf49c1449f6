// The failures people see, as one small typed hierarchy shared by the CLI and the extension. Each carries one
// sentence for people and the CLI's documented exit code; code tells them apart with instanceof, never by text.

/** Documented exit codes of the crucible-keys CLI; part of its stable interface. */
export const ExitCode = {
  ok: 0,
  /** decrypt: invalid token; a check found a problem; verify: a key is rejected or out of credit. */
  failed: 1,
  /** Bad usage or bad input: unknown command or option, no encryption key, a malformed key, time or value. */
  usage: 2,
  /** verify: at least one key could not be decided (unreachable, provider error, rate limited, unverifiable). */
  undecided: 3,
  /** A file could not be read or written safely (missing, special, locked, read-only, not UTF-8). */
  file: 4,
  /** crucible: the server could not be reached, did not answer as Crucible does, or failed (5xx). */
  server: 5,
  /** A bug: something failed that the code did not expect. */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every expected failure: its message is one sentence meant for people, with no secret in it. */
export abstract class CrucibleKeysError extends Error {
  abstract readonly exitCode: ExitCodeValue;
}

/** Bad usage or input (exit 2). */
export class InputError extends CrucibleKeysError {
  override name = 'InputError';
  readonly exitCode = ExitCode.usage;
}

/** A file that cannot be read or written safely (exit 4). Nothing was changed. */
export class FileError extends CrucibleKeysError {
  override name = 'FileError';
  readonly exitCode = ExitCode.file;
}

/** An operation that cannot go ahead as things stand: a locked key, nothing to write, a refused action (exit 1). */
export class OperationError extends CrucibleKeysError {
  override name = 'OperationError';
  readonly exitCode = ExitCode.failed;
}
