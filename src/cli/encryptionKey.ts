// Where encrypt/decrypt get their Fernet key: a raw key (flag or file), a passphrase file, a .env file, the
// environment, or (only when asked) Crucible's dev default. The passphrase is used byte for byte, as Crucible does.
import { promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { readEnvFile } from '../core/envFile';
import { errnoCode } from '../core/env/envErrors';
import { FileError, InputError } from '../core/errors';
import { Fernet } from '../core/fernet';
import { deriveCrucibleFernetKey } from '../core/keyDerivation';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE, ENCRYPTION_KEY_VAR, judgePassphrase } from '../core/passphrase';
import { decodeUtf8, sleepSync, type CliIo } from './io';

export interface KeySourceOptions {
  fernetKey?: string;
  fernetKeyFile?: string;
  passphraseFile?: string;
  envFile?: string;
  crucibleDevDefault?: boolean;
}

/** Secrets files are small; anything larger is the wrong file. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Reads an inherited descriptor to its end; /dev/fd/N cannot be reopened when N is a socket (ENXIO). */
function readDescriptor(fd: number, option: string, file: string): Buffer {
  const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
  let length = 0;
  for (;;) {
    let bytesRead: number;
    try {
      bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
    } catch (error) {
      if (errnoCode(error) === 'EAGAIN') {
        sleepSync(5);
        continue;
      }
      throw new FileError(`${option} ${file} cannot be read (${errnoCode(error) ?? 'unknown error'}).`);
    }
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
    if (length > MAX_SECRET_FILE_BYTES) throw new InputError(`${option} ${file} is larger than 64 KB, which no key is.`);
  }
}

function dropFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Reads a small secret file (a pipe such as /dev/fd/3 included) as strict UTF-8, dropping one final line break. */
export async function readSecretFile(file: string, option: string): Promise<string> {
  const inherited = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(file);
  let handle: fs.FileHandle | undefined;
  try {
    if (!inherited) {
      handle = await fs.open(file, 'r');
      if ((await handle.stat()).isDirectory()) throw new FileError(`${option} ${file} is a folder, not a file.`);
    }
    const bytes = readDescriptor(inherited ? Number(inherited[1]) : handle!.fd, option, file);
    return dropFinalNewline(decodeUtf8(bytes, `${option} ${file}`));
  } catch (error) {
    if (error instanceof FileError || error instanceof InputError) throw error;
    throw new FileError(`${option} ${file} cannot be read (${errnoCode(error) ?? 'unknown error'}).`);
  } finally {
    await handle?.close();
  }
}

/** Crucible reads the passphrase with os.getenv, byte for byte: surrounding whitespace is refused, never trimmed. */
export function checkPassphraseBytes(passphrase: string, where: string): void {
  if (/^\s|\s$/.test(passphrase)) {
    throw new InputError(`${ENCRYPTION_KEY_VAR} ${where} starts or ends with whitespace, which Crucible would keep as part of it; remove the whitespace, since it is never trimmed silently.`);
  }
}

export async function resolveFernet(options: KeySourceOptions, io: CliIo, warn: (warning: string) => void): Promise<Fernet> {
  const given = [['--fernet-key', options.fernetKey], ['--fernet-key-file', options.fernetKeyFile], ['--passphrase-file', options.passphraseFile], ['--env-file', options.envFile]].filter(([, value]) => value !== undefined);
  if (given.length > 1) throw new InputError(`Give only one key source; got ${given.map(([flag]) => flag).join(' and ')}.`);
  if (options.fernetKey !== undefined) return new Fernet(options.fernetKey);
  if (options.fernetKeyFile !== undefined) return new Fernet(await readSecretFile(path.resolve(io.cwd, options.fernetKeyFile), '--fernet-key-file'));

  let passphrase: string | undefined;
  if (options.passphraseFile !== undefined) {
    passphrase = await readSecretFile(path.resolve(io.cwd, options.passphraseFile), '--passphrase-file');
    if (!passphrase) throw new InputError(`--passphrase-file ${options.passphraseFile} is empty.`);
    checkPassphraseBytes(passphrase, `in ${options.passphraseFile}`);
  } else if (options.envFile !== undefined) {
    const file = path.resolve(io.cwd, options.envFile);
    const contents = await readEnvFile(file);
    if (!contents.exists) throw new FileError(`${file} does not exist.`);
    passphrase = contents.values[ENCRYPTION_KEY_VAR] || undefined;
    if (!passphrase) throw new InputError(`${file} has no ${ENCRYPTION_KEY_VAR}; set it there, or pass --passphrase-file or --fernet-key-file.`);
    checkPassphraseBytes(passphrase, `in ${file}`);
  } else {
    passphrase = io.env[ENCRYPTION_KEY_VAR] || undefined;
    if (passphrase) checkPassphraseBytes(passphrase, 'in the environment');
  }
  if (!passphrase) {
    if (!options.crucibleDevDefault) {
      throw new InputError(`No encryption key: set ${ENCRYPTION_KEY_VAR} (in the environment or with --env-file PATH), or pass --passphrase-file, --fernet-key-file or --fernet-key.`);
    }
    warn("using Crucible's public development passphrase; never use it for real keys.");
    passphrase = CRUCIBLE_DEV_DEFAULT_PASSPHRASE;
  } else {
    const strength = judgePassphrase(passphrase);
    if (strength.verdict !== 'ok') warn(strength.message);
  }
  return new Fernet(await deriveCrucibleFernetKey(passphrase));
}
