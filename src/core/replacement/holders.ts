// Which .env files hold a given key, and under which variables: compared in memory, never shown.
import { readEnvFile } from '../envFile';

export interface KeyHolder {
  file: string;
  variables: string[];
}

/** Every file among `files` in which some variable reads exactly `key`; unreadable files are skipped and named. */
export async function findKeyHolders(files: readonly string[], key: string): Promise<{ holders: KeyHolder[]; unreadable: { file: string; reason: string }[] }> {
  const holders: KeyHolder[] = [];
  const unreadable: { file: string; reason: string }[] = [];
  for (const file of files) {
    try {
      const { values } = await readEnvFile(file);
      const variables = Object.keys(values).filter((name) => values[name] === key);
      if (variables.length) holders.push({ file, variables });
    } catch (error) {
      unreadable.push({ file, reason: (error as Error).message });
    }
  }
  return { holders, unreadable };
}
