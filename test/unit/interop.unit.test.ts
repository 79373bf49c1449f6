// Interop with Python's `cryptography` and Crucible's key derivation: what we write, Crucible reads, and back.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Fernet, generateFernetKey } from '../../src/core/fernet';
import { CrucibleKeyring, deriveCrucibleFernetKey } from '../../src/core/keyDerivation';
import { CRUCIBLE_DEV_DEFAULT_PASSPHRASE, generatePassphrase } from '../../src/core/passphrase';
import { python, PY_CRUCIBLE, requirePythonCryptography } from '../support/python';

const PLAINTEXTS = ['sk-or-v1-' + 'ab12'.repeat(16), '', 'ключ 🔑 鍵 — ü', 'sk-ant-api03-x_y-z', '"quoted"\n\\back\\slash'];
const PASSPHRASES = [generatePassphrase(), CRUCIBLE_DEV_DEFAULT_PASSPHRASE, 'pässwörd-ünïcode-🔐-long-enough-to-count', ''];

describe('interop with Python cryptography and Crucible', () => {
  before(requirePythonCryptography);

  it('derives the same Fernet key as Crucible for every passphrase', async () => {
    const expected = python<string[]>(`${PY_CRUCIBLE}
print(json.dumps([base64.urlsafe_b64encode(PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=b"crucible_encryption_salt", iterations=100000).derive(p.encode())).decode() for p in req]))`, PASSPHRASES);
    assert.deepEqual(await Promise.all(PASSPHRASES.map(deriveCrucibleFernetKey)), expected);
  });

  it('writes tokens that Crucible (Python) decrypts with the same passphrase', async () => {
    const keyring = new CrucibleKeyring();
    const cases = await Promise.all(PASSPHRASES.flatMap((passphrase) => PLAINTEXTS.map(async (plaintext) => ({
      passphrase, plaintext, token: (await keyring.fernetFor(passphrase)).encrypt(plaintext),
    }))));
    const decrypted = python<string[]>(`${PY_CRUCIBLE}
print(json.dumps([crucible_fernet(c["passphrase"]).decrypt(c["token"].encode()).decode() for c in req]))`, cases);
    assert.deepEqual(decrypted, cases.map((c) => c.plaintext));
  });

  it('reads tokens that Crucible (Python) wrote', async () => {
    const cases = PASSPHRASES.flatMap((passphrase) => PLAINTEXTS.map((plaintext) => ({ passphrase, plaintext })));
    const tokens = python<string[]>(`${PY_CRUCIBLE}
print(json.dumps([crucible_fernet(c["passphrase"]).encrypt(c["plaintext"].encode()).decode() for c in req]))`, cases);
    const keyring = new CrucibleKeyring();
    for (const [index, token] of tokens.entries()) {
      assert.equal((await keyring.fernetFor(cases[index].passphrase)).decrypt(token), cases[index].plaintext);
    }
  });

  it('agrees with Python on raw Fernet keys, and on which tokens are invalid', () => {
    const key = generateFernetKey();
    const fernet = new Fernet(key);
    const good = fernet.encrypt('hello');
    const raw = Buffer.from(good, 'base64url');
    raw[raw.length - 1] ^= 1;
    const candidates = [good, raw.toString('base64url') + '=='.slice(0, (4 - (raw.toString('base64url').length % 4)) % 4), good.replace(/=+$/, ''), 'not-a-token', new Fernet(generateFernetKey()).encrypt('hello')];
    const pythonVerdicts = python<(string | null)[]>(`${PY_CRUCIBLE}
out = []
for t in req["tokens"]:
    try:
        out.append(Fernet(req["key"].encode()).decrypt(t.encode()).decode())
    except InvalidToken:
        out.append(None)
print(json.dumps(out))`, { key, tokens: candidates });
    const ours = candidates.map((token) => { try { return fernet.decrypt(token); } catch { return null; } });
    assert.deepEqual(ours, pythonVerdicts);
    assert.deepEqual(ours, ['hello', null, null, null, null]);
  });

  it('caches derivation per passphrase, in memory only', async () => {
    let derivations = 0;
    const keyring = new CrucibleKeyring(async (passphrase) => { derivations++; return deriveCrucibleFernetKey(passphrase); });
    const [a, b] = await Promise.all([keyring.fernetFor('one-passphrase-that-is-long-enough!!'), keyring.fernetFor('one-passphrase-that-is-long-enough!!')]);
    assert.equal(a, b);
    await keyring.fernetFor('another-passphrase-that-is-long-enough');
    assert.equal(derivations, 2);
    keyring.clear();
    await keyring.fernetFor('one-passphrase-that-is-long-enough!!');
    assert.equal(derivations, 3);
  });
});
