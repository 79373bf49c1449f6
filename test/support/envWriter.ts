// A writer process for the concurrency test: waits for a common start time, then sets one new variable per round
// through the core writer (the same code path the extension and the CLI use).
import { updateEnvFile } from '../../src/core/envFile';

async function run(): Promise<void> {
  const [file, writer, rounds, startAt] = process.argv.slice(2);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  for (let round = 1; round <= Number(rounds); round++) {
    await updateEnvFile(file, { [`W${writer}_R${round}`]: `value-${writer}-${round}` }, { lockTimeoutMs: 60_000 });
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
