// Runs Python's `cryptography` as the reference implementation. Missing Python is a failure, never a skip.
import { spawnSync } from 'node:child_process';

export function requirePythonCryptography(): void {
  const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('These interop tests need python3 with the `cryptography` package (pip install cryptography, or apt-get install python3-cryptography); it is missing here.');
  }
}

/** Runs a Python script with a JSON request on stdin and returns its JSON answer. */
export function python<T>(script: string, input: unknown): T {
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Crucible's derivation, written the way service/app/core/encryption.py does it. */
export const PY_CRUCIBLE = `
import base64, json, sys
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
def crucible_fernet(passphrase):
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=b"crucible_encryption_salt", iterations=100000)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode())))
req = json.load(sys.stdin)
`;

export interface PythonDotenv { python: string; version: string }

/**
 * The python-dotenv that Crucible's backend uses (1.x): the `python3` on PATH first, then Debian's /usr/bin/python3
 * with python3-dotenv (which .ci/run installs). Missing, it is a failure with the way to install it, never a skip.
 */
export function requirePythonDotenv(): PythonDotenv {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import importlib.metadata as m, dotenv; print(m.version("python-dotenv"))'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  throw new Error('These tests read .env files with python-dotenv, as Crucible does, and no python3 here has it: pip install "python-dotenv>=1,<2" (or apt-get install python3-dotenv).');
}

/** python-dotenv's load_dotenv() view of each file (read from disk, as Crucible does), with an empty environment. */
export function pythonDotenvRead(runtime: PythonDotenv, files: string[]): Record<string, string | null>[] {
  const script = 'import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps([dotenv_values(f) for f in json.load(sys.stdin)]))';
  const run = spawnSync(runtime.python, ['-c', script], { input: JSON.stringify(files), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python-dotenv failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string | null>[];
}
