import assert from 'node:assert/strict';
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeUrlsafeBase64, Fernet, generateFernetKey, InvalidFernetKey, InvalidToken, looksLikeFernetToken } from '../../src/core/fernet';

// The fernet/spec vector: key, IV 0..15, time 1985-10-26T01:20:00-07:00, plaintext "hello".
const SPEC_SECRET = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const SPEC_TOKEN = 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==';
const SPEC_TIME = Date.parse('1985-10-26T01:20:00-07:00') / 1000;
const SPEC_IV = Uint8Array.from({ length: 16 }, (_, i) => i);

/** Builds a token with a correct HMAC around arbitrary bytes, to prove checks after the HMAC run. */
function signedToken(secret: string, body: Buffer): string {
  const key = Buffer.from(secret, 'base64url');
  const mac = createHmac('sha256', key.subarray(0, 16)).update(body).digest();
  return encodeUrlsafeBase64(Buffer.concat([body, mac]));
}

function header(seconds: number, iv: Uint8Array = SPEC_IV): Buffer {
  const head = Buffer.alloc(9);
  head[0] = 0x80;
  head.writeBigUInt64BE(BigInt(seconds), 1);
  return Buffer.concat([head, Buffer.from(iv)]);
}

function rawCbc(secret: string, data: Buffer, pad: boolean): Buffer {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(secret, 'base64url').subarray(16), SPEC_IV);
  cipher.setAutoPadding(pad);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

describe('Fernet', () => {
  it('reproduces the fernet/spec generate vector byte for byte', () => {
    assert.equal(new Fernet(SPEC_SECRET).encrypt('hello', { iv: SPEC_IV, atSeconds: SPEC_TIME }), SPEC_TOKEN);
  });

  it('verifies the fernet/spec vector with a 60 s TTL one second later', () => {
    assert.equal(new Fernet(SPEC_SECRET).decrypt(SPEC_TOKEN, { ttlSeconds: 60, atSeconds: SPEC_TIME + 1 }), 'hello');
  });

  it('has no TTL unless one is asked for', () => {
    assert.equal(new Fernet(SPEC_SECRET).decrypt(SPEC_TOKEN), 'hello');
  });

  it('uses the injected clock for the timestamp and the TTL check', () => {
    let now = 1_700_000_000_000;
    const fernet = new Fernet(generateFernetKey(), { now: () => now });
    const token = fernet.encrypt('x');
    assert.equal(fernet.issuedAtSeconds(token), 1_700_000_000);
    now += 30_000;
    assert.equal(fernet.decrypt(token, { ttlSeconds: 60 }), 'x');
    now += 31_000;
    assert.throws(() => fernet.decrypt(token, { ttlSeconds: 60 }), InvalidToken);
  });

  it('allows 60 s of clock skew for tokens from the future, as Python does, and no more', () => {
    const fernet = new Fernet(SPEC_SECRET);
    assert.equal(fernet.decrypt(SPEC_TOKEN, { ttlSeconds: 60, atSeconds: SPEC_TIME - 60 }), 'hello');
    assert.throws(() => fernet.decrypt(SPEC_TOKEN, { ttlSeconds: 60, atSeconds: SPEC_TIME - 61 }), InvalidToken);
  });

  it('round-trips unicode, empty and binary-looking text', () => {
    const fernet = new Fernet(generateFernetKey());
    for (const text of ['', 'sk-or-v1-abc', 'ключ 🔑 鍵', '\n\t\\"\'', 'x'.repeat(10_000)]) {
      assert.equal(fernet.decrypt(fernet.encrypt(text)), text);
    }
  });

  it('uses a fresh IV for every token', () => {
    const fernet = new Fernet(generateFernetKey());
    assert.notEqual(fernet.encrypt('same'), fernet.encrypt('same'));
  });

  const invalid: [string, () => string][] = [
    ['incorrect mac', () => SPEC_TOKEN.slice(0, -8) + 'AAAAAA==' ],
    ['too short', () => encodeUrlsafeBase64(header(SPEC_TIME))],
    ['invalid base64', () => '%%%%' + SPEC_TOKEN.slice(4)],
    ['missing padding', () => SPEC_TOKEN.replace(/=+$/, '')],
    ['wrong version byte', () => { const raw = Buffer.from(SPEC_TOKEN, 'base64url'); raw[0] = 0x81; return signedToken(SPEC_SECRET, raw.subarray(0, -32)); }],
    ['payload size not multiple of block size (valid HMAC)', () => signedToken(SPEC_SECRET, Buffer.concat([header(SPEC_TIME), rawCbc(SPEC_SECRET, Buffer.alloc(16), false).subarray(0, 15)]))],
    ['payload padding error (valid HMAC)', () => signedToken(SPEC_SECRET, Buffer.concat([header(SPEC_TIME), rawCbc(SPEC_SECRET, Buffer.from('0123456789abcdef'), false)]))],
    ['empty ciphertext (valid HMAC)', () => signedToken(SPEC_SECRET, header(SPEC_TIME))],
    ['other key', () => new Fernet(generateFernetKey()).encrypt('hello')],
    ['empty string', () => ''],
  ];
  for (const [name, make] of invalid) {
    it(`rejects a token with ${name} using one opaque InvalidToken`, () => {
      assert.throws(() => new Fernet(SPEC_SECRET).decrypt(make()), (error: unknown) => error instanceof InvalidToken && (error as Error).message === 'invalid token');
    });
  }

  it('rejects an expired token and a far-future token when a TTL is given', () => {
    const fernet = new Fernet(SPEC_SECRET);
    assert.throws(() => fernet.decrypt(SPEC_TOKEN, { ttlSeconds: 60, atSeconds: SPEC_TIME + 61 }), InvalidToken);
    const future = fernet.encrypt('hello', { iv: SPEC_IV, atSeconds: SPEC_TIME + 3600 });
    assert.throws(() => fernet.decrypt(future, { ttlSeconds: 60, atSeconds: SPEC_TIME }), InvalidToken);
  });

  it('accepts surrounding whitespace such as the newline a .env line leaves', () => {
    assert.equal(new Fernet(`${SPEC_SECRET}\n`).decrypt(`${SPEC_TOKEN}\n`), 'hello');
  });

  it('refuses malformed keys', () => {
    for (const key of ['', 'short', SPEC_SECRET.replace('=', ''), SPEC_SECRET + 'AAAA', '!'.repeat(44)]) {
      assert.throws(() => new Fernet(key), InvalidFernetKey, key);
    }
  });

  it('recognises the outer shape of a token', () => {
    assert.ok(looksLikeFernetToken(SPEC_TOKEN));
    assert.ok(!looksLikeFernetToken('sk-or-v1-0123456789'));
  });
});
