// How talking to a running Crucible fails, as classes of the core's hierarchy: code tells them apart with instanceof,
// never by text. Every message is one sentence naming the API URL, with no key, password or session token in it.
import { CrucibleKeysError, ExitCode, InputError, OperationError } from '../errors';

/** The server is not usable as Crucible right now (exit 5): unreachable, not Crucible, or failing. */
export abstract class CrucibleServerError extends CrucibleKeysError {
  readonly exitCode = ExitCode.server;
}

/** Nothing answered: the connection was refused, timed out, or the network failed. */
export class CrucibleUnreachableError extends CrucibleServerError {
  override name = 'CrucibleUnreachableError';
  constructor(message: string, readonly reason: 'refused' | 'timeout' | 'network') {
    super(message);
  }
}

/** Something answered, but not the way Crucible's API does (another service, a wrong path, a redirect, a huge body). */
export class NotCrucibleError extends CrucibleServerError {
  override name = 'NotCrucibleError';
}

/** Crucible answered with a server error (5xx). */
export class CrucibleFailedError extends CrucibleServerError {
  override name = 'CrucibleFailedError';
  constructor(message: string, readonly httpStatus: number) {
    super(message);
  }
}

/** Crucible refused the password, or the session it gave is no longer valid (401); exit 2, like any bad input. */
export class CrucibleAuthError extends InputError {
  override name = 'CrucibleAuthError';
}

/** Crucible refused what was sent (400), with its own sentence (`detail`, already redacted) in the message; exit 1. */
export class CrucibleRefusedError extends OperationError {
  override name = 'CrucibleRefusedError';
  constructor(message: string, readonly httpStatus: number, readonly detail: string | undefined) {
    super(message);
  }
}
