// Attacks from a hostile folder (issue item 3): a .env that is not a regular file. The panel in Restricted Mode and
// the maintenance pass in a trusted workspace read it with fs.readFile, which waits for ever on a FIFO and never
// stops reading /dev/zero. Each case runs in a child process (test/support/hostileFolderProbe.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../support/tempDir';

const PROBE = path.join(__dirname, '..', 'support', 'hostileFolderProbe.ts');
const linux = process.platform === 'linux';

interface ProbeRun { finished: boolean; peakRssMb: number }

/** Runs the probe for `ms` milliseconds, sampling its memory; kills it if it has not finished. */
function probe(mode: string, dir: string, ms: number): Promise<ProbeRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
    let output = '';
    let peakRssMb = 0;
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const sample = setInterval(() => {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (rss) peakRssMb = Math.max(peakRssMb, Math.round(Number(rss[1]) / 1024));
      } catch { /* gone */ }
    }, 100);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearInterval(sample);
      clearTimeout(timer);
      resolve({ finished: output.includes('done'), peakRssMb });
    });
  });
}

/** Opens the FIFO's write end without blocking if a reader is stuck on it, so a leftover reader can finish. */
function releaseFifo(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch { /* no reader left */ }
}

describe('attack: a .env that is not a regular file', { skip: !linux && 'needs mkfifo and /proc' }, () => {
  it('(positive control) the probe finishes with an ordinary .env, untrusted and trusted', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), 'OPENAI_API_KEY=placeholder\n');
    assert.ok((await probe('panel-untrusted', dir, 20000)).finished);
    assert.ok((await probe('maintain-trusted', dir, 20000)).finished);
  });

  it('the panel of an untrusted folder whose .env is a FIFO still renders', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    const run = await probe('panel-untrusted', dir, 12000);
    releaseFifo(fifo);
    assert.ok(run.finished, 'the panel state was never built: reading the FIFO .env blocks for ever (Restricted Mode)');
  });

  it('the panel of an untrusted folder whose .env links to /dev/zero reads a bounded amount', async () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', path.join(dir, '.env'));
    const run = await probe('panel-untrusted', dir, 12000);
    assert.ok(run.finished && run.peakRssMb < 400, `in 12 s the panel state was ${run.finished ? '' : 'not '}built and the extension host grew to ${run.peakRssMb} MB reading /dev/zero as .env (Restricted Mode)`);
  });

  it('a trusted folder whose .env is a FIFO does not stall the vault: a rotation still runs', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    const run = await probe('maintain-trusted', dir, 12000);
    releaseFifo(fifo);
    assert.ok(run.finished, 'the maintenance pass never ends, and the rotation queued behind it never starts');
  });
});
