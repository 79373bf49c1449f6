// Preloaded (node --import) into a process the bench measures: on exit, writes the process's CPU time (user and
// system, all its threads, in milliseconds) to the file named by CRUCIBLE_KEYS_CPU_REPORT.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (!process.env.CRUCIBLE_KEYS_CPU_REPORT) return;
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.CRUCIBLE_KEYS_CPU_REPORT, String((user + system) / 1000));
});
