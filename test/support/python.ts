// Runs Python's `cryptography` as the reference implementation. Missing Python is a failure, never a skip.
import { spawnSync } from 'node:child_process';

export function requirePythonCryptography(): void {
  const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('These interop tests need python3 with the `cryptography` package (pip install cryptography, or apt-get install python3-cryptography); it is missing here.');
  }
}

/** python-dotenv, the .env reader of Crucible's backend (service/app/core/config.py calls load_dotenv). */
export function requirePythonDotenv(): void {
  const probe = spawnSync('python3', ['-c', 'import dotenv'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('These tests need python3 with the `python-dotenv` package (pip install python-dotenv, or apt-get install python3-dotenv); it is missing here.');
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
