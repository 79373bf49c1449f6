// npm run bench: ratios that stay stable on a noisy machine, printed from one run, then what ships and how long VS Code
// takes to activate it. Not a test: it asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BUILT_IN_PROVIDERS, type BuiltInProviderId } from '../src/core/catalog';
import { updateEnvFile } from '../src/core/envFile';
import { Fernet, generateFernetKey } from '../src/core/fernet';
import { CrucibleKeyring } from '../src/core/keyDerivation';
import { generatePassphrase } from '../src/core/passphrase';
import { Redactor, RedactingLogger } from '../src/core/redact';
import { KeyVerifier } from '../src/core/verify/verifier';
import { fakeKey } from '../test/fakeProviders/keys';
import { FakeProviderServer } from '../test/fakeProviders/server';
// @ts-expect-error: a plain .mjs module without type declarations
import { activationBench } from './activation.mjs';
import { leakScanBench } from './leakScan';
// @ts-expect-error: a plain .mjs module without type declarations
import { shippedSizes } from './shipped.mjs';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function verifyAllRatio(): Promise<void> {
  const server = new FakeProviderServer();
  await server.start();
  const redactor = new Redactor();
  const verifier = new KeyVerifier({ logger: new RedactingLogger({ write: () => undefined }, redactor), redactor, baseUrls: server.baseUrls() });
  const latencies = [50, 100, 150, 200, 250, 300, 400];
  const entries = BUILT_IN_PROVIDERS.map((provider, index) => ({ provider, key: fakeKey(provider.id as BuiltInProviderId, 'valid', latencies[index]) }));
  const slowest = entries[entries.length - 1];
  const ratios: number[] = [];
  await verifier.verifyAll(entries); // warm the connection pool, as a second "Verify all" would find it
  for (let round = 0; round < 5; round++) {
    let started = performance.now();
    await verifier.verify(slowest.provider, slowest.key);
    const single = performance.now() - started;
    started = performance.now();
    await verifier.verifyAll(entries);
    ratios.push((performance.now() - started) / single);
  }
  await verifier.close();
  await server.stop();
  console.log(`verify-all wall time / slowest single check (7 providers, 50-400 ms): ${median(ratios).toFixed(3)}  (goal <= 1.15)`);
}

function fernetRatio(): void {
  const key = generateFernetKey();
  const fernet = new Fernet(key);
  const secret = 'sk-or-v1-' + 'a'.repeat(91);
  for (let i = 0; i < 2000; i++) fernet.decrypt(fernet.encrypt(secret));
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let ops = 0;
    while (performance.now() - started < 1000) {
      fernet.decrypt(fernet.encrypt(secret));
      ops++;
    }
    rates.push(ops / ((performance.now() - started) / 1000));
  }
  const python = spawnSync('python3', ['-c', `
import time, sys
from cryptography.fernet import Fernet
f = Fernet(sys.argv[1].encode()); data = sys.argv[2].encode()
for _ in range(2000): f.decrypt(f.encrypt(data))
rates = []
for _ in range(3):
    start = time.perf_counter(); ops = 0
    while time.perf_counter() - start < 1.0:
        f.decrypt(f.encrypt(data)); ops += 1
    rates.append(ops / (time.perf_counter() - start))
print(sorted(rates)[1])`, key, secret], { encoding: 'utf8' });
  const ours = median(rates);
  if (python.status !== 0) {
    console.log(`fernet encrypt+decrypt (100 B): ${ours.toFixed(0)} ops/s; Python cryptography unavailable: ${python.stderr.trim().split('\n').pop()}`);
    return;
  }
  const theirs = Number(python.stdout.trim());
  console.log(`fernet encrypt+decrypt (100 B): ${ours.toFixed(0)} ops/s vs Python cryptography ${theirs.toFixed(0)} ops/s = ${(ours / theirs).toFixed(2)}x  (goal >= 1.0)`);
}

async function derivationCost(): Promise<void> {
  const keyring = new CrucibleKeyring();
  const passphrase = generatePassphrase();
  let started = performance.now();
  await keyring.fernetFor(passphrase);
  const first = performance.now() - started;
  started = performance.now();
  await keyring.fernetFor(passphrase);
  const second = performance.now() - started;
  console.log(`PBKDF2 unlock (100,000 iterations): ${first.toFixed(1)} ms; cached second unlock: ${(second * 1000).toFixed(1)} µs = ${((second / first) * 100).toFixed(3)} % of the first  (goal < 1 %)`);
}

/** One .env edit (lock, read, the three-reader check, atomic write) on 50 KB and on 5 MB: linear means a ratio near 100. */
async function envEditRatio(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crucible-keys-bench-'));
  try {
    const time = async (bytes: number): Promise<number> => {
      const lines: string[] = [];
      for (let i = 0, size = 0; size < bytes; i++) {
        const line = i % 10 === 0 ? `# section ${i}` : `SETTING_${i}=${i % 3 === 0 ? `'quoted value ${i}'` : `value-${i}-abcdefghijklmnop`}`;
        lines.push(line);
        size += line.length + 1;
      }
      const file = path.join(dir, `${bytes}.env`);
      writeFileSync(file, `${lines.join('\n')}\nOPENAI_API_KEY=sk-start\n`);
      const runs: number[] = [];
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        await updateEnvFile(file, { OPENAI_API_KEY: `sk-bench-${round}-${'k'.repeat(40)}` });
        runs.push(performance.now() - started);
      }
      return median(runs);
    };
    const small = await time(50_000);
    const large = await time(5_000_000);
    console.log(`.env edit (lock, read, three-reader check, atomic write): 5 MB ${large.toFixed(0)} ms, 50 KB ${small.toFixed(1)} ms = ratio ${(large / small).toFixed(0)} for 100x the bytes  (goal <= 150, linear; 5 MB < 1000 ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`crucible-keys bench on Node ${process.version}`);
  await verifyAllRatio();
  fernetRatio();
  await derivationCost();
  await envEditRatio();
  leakScanBench();
  const vsix = await shippedSizes();
  await activationBench(vsix);
}

void main();
