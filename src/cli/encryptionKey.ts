// Where encrypt/decrypt get their Fernet key: an explicit flag, a .env file, the environment, or (only when asked) Crucible's dev default.
import * as path from 'node:path';
import { readEnvFile } from '../core/envFile';
import { Fernet } from '../core/fernet';
import { deriveCrucibleFernetKey } from '../core/keyDerivation';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE, ENCRYPTION_KEY_VAR, judgePassphrase } from '../core/passphrase';
import type { CliIo } from './io';
import { FileError, InputError } from '../core/errors';

export interface KeySourceOptions {
  fernetKey?: string;
  envFile?: string;
  crucibleDevDefault?: boolean;
}

export async function resolveFernet(options: KeySourceOptions, io: CliIo): Promise<Fernet> {
  if (options.fernetKey !== undefined) {
    return new Fernet(options.fernetKey);
  }
  let passphrase: string | undefined;
  if (options.envFile !== undefined) {
    const file = path.resolve(io.cwd, options.envFile);
    const contents = await readEnvFileForCli(file);
    if (!contents.exists) throw new FileError(`${file} does not exist.`);
    passphrase = contents.values[ENCRYPTION_KEY_VAR]?.trim() || undefined;
    if (!passphrase) throw new InputError(`${file} has no ${ENCRYPTION_KEY_VAR}; set it there, or pass --fernet-key KEY.`);
  } else {
    passphrase = io.env[ENCRYPTION_KEY_VAR]?.trim() || undefined;
  }
  if (!passphrase) {
    if (!options.crucibleDevDefault) {
      throw new InputError(`No encryption key: set ${ENCRYPTION_KEY_VAR} (in the environment or with --env-file PATH) or pass --fernet-key KEY.`);
    }
    io.stderr(`warning: using Crucible's public development passphrase; never use it for real keys.\n`);
    passphrase = CRUCIBLE_DEV_DEFAULT_PASSPHRASE;
  } else {
    const strength = judgePassphrase(passphrase);
    if (strength.verdict !== 'ok') io.stderr(`warning: ${strength.message}\n`);
  }
  return new Fernet(await deriveCrucibleFernetKey(passphrase));
}

export async function readEnvFileForCli(file: string) {
  return readEnvFile(file);
}
